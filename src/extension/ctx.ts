// The one object every part of the extension shares (after rust-analyzer's Ctx): the language client
// that runs the analysis in its own process, the reports it sends back (plain data, the contract of
// src/core/report/contract.ts), and what the views need to find in them.
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { FileEdit } from '../core/findings';
import type { AnalysisReport, ReportApi, ReportFinding, ReportLocation, ReportOperation, ReportService } from '../core/report/contract';
import { coverageSummary } from '../core/report/coverage';
import type { ScanResult } from '../core/report/scanResult';
import { scan } from '../core/scan';
import {
  ANALYZE_REQUEST,
  ANALYZED_NOTIFICATION,
  EFFECTIVE_POLICY_REQUEST,
  FIX_EDITS_REQUEST,
  REPORT_REQUEST,
  SETTINGS_NOTIFICATION,
  type AnalyzedParams,
  type EffectivePolicyParams,
  type EffectivePolicyResult,
  type FixEditsParams,
  type FixEditsResult,
  type ReportParams,
  type ReportResult,
  type ServerSettings,
} from '../server/protocol';
import { AzureDocuments } from './azure/azureDocuments';
import { AzureSession } from './azure/session';
import { readSettings } from './config';

/** The last report of one workspace folder. */
export interface FolderAnalysis {
  folder: vscode.WorkspaceFolder;
  report: AnalysisReport;
  version: number;
}

export interface LocatedFinding {
  finding: ReportFinding;
  analysis: FolderAnalysis;
}

/** A folder scanned in this process with the whole model, for the Azure commands (explicit, rare): see `scannedFolders`. */
export interface ScannedFolder {
  folder: vscode.WorkspaceFolder;
  result: ScanResult;
}

/** The files whose documents the server reads while they are open (unsaved text wins over the disk). */
const DOCUMENT_PATTERN = '**/*.{json,jsonc,yaml,yml,xml,bicep,bicepparam,tf,tfvars,graphql,wsdl,wadl}';

export class Ctx implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('APIM Posture');
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after every analysis: trees, code lenses and the status bar refresh from it. */
  readonly onDidAnalyze = this.changed.event;
  private readonly analyses = new Map<string, FolderAnalysis>();
  private findingsByFile = new Map<string, LocatedFinding[]>();
  /** Folders whose last analysis ran out of time: told once, not on every keystroke. */
  private readonly overBudgetFolders = new Set<string>();
  private readonly client: LanguageClient;
  private readonly started: Promise<void>;
  private scanned?: { versions: string; folders: ScannedFolder[] };

  /** Sign-in, subscriptions and the snapshot files of Azure. */
  readonly azure: AzureSession;
  /** Read-only documents of what Azure has, for diffs. */
  readonly azureDocuments = new AzureDocuments();

  constructor(readonly extension: vscode.ExtensionContext) {
    this.azure = new AzureSession(extension);
    const module = extension.asAbsolutePath(path.join('dist', 'server.js'));
    const serverOptions: ServerOptions = { run: { module, transport: TransportKind.ipc }, debug: { module, transport: TransportKind.ipc } };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', pattern: DOCUMENT_PATTERN }],
      diagnosticCollectionName: 'apim-posture',
      initializationOptions: serverSettings(),
      outputChannel: this.output,
    };
    this.client = new LanguageClient('apimPosture', 'APIM Posture', serverOptions, clientOptions);
    this.client.onNotification(ANALYZED_NOTIFICATION, (params: AnalyzedParams) => void this.analyzed(params));
    this.started = this.client.start();
  }

  get folderAnalyses(): FolderAnalysis[] {
    const order = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.toString());
    return [...this.analyses.values()].sort((a, b) => order.indexOf(a.folder.uri.toString()) - order.indexOf(b.folder.uri.toString()));
  }

  allFindings(): LocatedFinding[] {
    return this.folderAnalyses.flatMap((analysis) => analysis.report.findings.map((finding) => ({ finding, analysis })));
  }

  findingsIn(file: string): LocatedFinding[] {
    return this.findingsByFile.get(path.resolve(file)) ?? [];
  }

  /** The absolute path of a place in a folder's report. */
  fileOf(analysis: FolderAnalysis, location: ReportLocation): string {
    return path.resolve(analysis.report.root, location.file);
  }

  analysisOf(file: string): FolderAnalysis | undefined {
    return this.folderAnalyses.filter((analysis) => isWithin(analysis.folder.uri.fsPath, file)).sort((a, b) => b.folder.uri.fsPath.length - a.folder.uri.fsPath.length)[0];
  }

  /** The operation of a `ReportOperation.key`. */
  findOperation(key: string): { analysis: FolderAnalysis; service: ReportService; api: ReportApi; operation: ReportOperation } | undefined {
    for (const analysis of this.folderAnalyses) {
      for (const service of analysis.report.services) {
        for (const api of service.apis) {
          const operation = api.operations.find((candidate) => candidate.key === key);
          if (operation) return { analysis, service, api, operation };
        }
      }
    }
    return undefined;
  }

  /** Analyses every workspace folder now, and resolves when the reports are here. */
  async analyzeAll(): Promise<void> {
    await this.started;
    await this.client.sendRequest(ANALYZE_REQUEST);
    await Promise.all((vscode.workspace.workspaceFolders ?? []).map((folder) => this.fetchReport(folder)));
    this.forgetRemovedFolders();
    this.changed.fire();
  }

  /** Tells the server the settings changed; it analyses again. */
  async settingsChanged(): Promise<void> {
    await this.started;
    await this.client.sendNotification(SETTINGS_NOTIFICATION, serverSettings());
  }

  /** The edits of some of a finding's fixes, computed by the server on the text it analysed. */
  async fixEdits(located: LocatedFinding, fixIds: string[]): Promise<FixEditsResult> {
    await this.started;
    return this.client.sendRequest(FIX_EDITS_REQUEST, { folder: located.analysis.folder.uri.toString(), findingId: located.finding.id, fixIds } satisfies FixEditsParams);
  }

  async fixEditsOf(located: LocatedFinding, fixId: string): Promise<FileEdit[]> {
    return (await this.fixEdits(located, [fixId]))[0]?.edits ?? [];
  }

  async effectivePolicy(operation: string): Promise<EffectivePolicyResult> {
    await this.started;
    return this.client.sendRequest(EFFECTIVE_POLICY_REQUEST, { operation } satisfies EffectivePolicyParams);
  }

  /**
   * The workspace folders scanned here, in the extension host, with the whole model: the Azure commands
   * (load, compare, push, onboard) need the snapshot, the mappings and the local resources behind the
   * report. They run on a user's explicit request, never on an edit; the scan is kept while the
   * server's reports are the same ones.
   */
  async scannedFolders(): Promise<ScannedFolder[]> {
    const versions = this.folderAnalyses.map((analysis) => `${analysis.folder.uri.toString()}@${analysis.version}`).join(' ');
    if (this.scanned?.versions !== versions) {
      const folders = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'APIM Posture: reading the workspace for Azure' }, async () =>
        (vscode.workspace.workspaceFolders ?? []).map((folder) => ({ folder, result: scan(folder.uri.fsPath, { overlay: unsavedDocuments(), settings: readSettings(folder), snapshot: 'auto' }) })),
      );
      this.scanned = { versions, folders };
    }
    return this.scanned.folders;
  }

  async scannedFolderOf(file: string): Promise<ScannedFolder | undefined> {
    return (await this.scannedFolders()).filter((scanned) => isWithin(scanned.folder.uri.fsPath, file)).sort((a, b) => b.folder.uri.fsPath.length - a.folder.uri.fsPath.length)[0];
  }

  private async analyzed(params: AnalyzedParams): Promise<void> {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(params.folder));
    if (!folder) return;
    if (params.stopped && !this.overBudgetFolders.has(params.folder)) {
      const budget = vscode.workspace.getConfiguration('apimPosture').get<number>('analysisTimeBudget', 5000);
      void vscode.window.showWarningMessage(`APIM Posture stopped analysing ${folder.name} after ${budget} ms; the Problems panel says what was not read.`, 'Open Settings').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'apimPosture.analysisTimeBudget');
      });
    }
    if (params.stopped) this.overBudgetFolders.add(params.folder);
    else this.overBudgetFolders.delete(params.folder);
    if ((this.analyses.get(params.folder)?.version ?? 0) >= params.version) return;
    await this.fetchReport(folder);
    this.changed.fire();
  }

  private async fetchReport(folder: vscode.WorkspaceFolder): Promise<void> {
    const key = folder.uri.toString();
    const answer = await this.client.sendRequest(REPORT_REQUEST, { folder: key } satisfies ReportParams).then((value) => value as ReportResult);
    if (!answer || (this.analyses.get(key)?.version ?? 0) >= answer.version) return;
    const analysis = { folder, report: answer.report, version: answer.version };
    this.analyses.set(key, analysis);
    this.log(analysis);
    this.indexFindings();
  }

  private log({ folder, report }: FolderAnalysis): void {
    const services = report.services.map((service) => `${service.label ?? ''} ${service.layout} layout, ${service.apis.length} APIs`.trim());
    const problems = report.findings.filter((finding) => finding.ruleId === 'input-problem').length;
    this.output.appendLine(
      `[${new Date().toLocaleTimeString()}] ${folder.name}: ${services.join('; ')}, ${report.summary.filesRead} files read, ${report.findings.length} findings${problems ? `, ${problems} input problems` : ''} in ${report.summary.durationMs} ms`,
    );
    for (const line of coverageSummary(report.coverage, ' (listed under "Not read" in the API Inventory)')) this.output.appendLine(`  ${line}`);
  }

  private indexFindings(): void {
    const byFile = new Map<string, LocatedFinding[]>();
    for (const located of this.allFindings()) {
      const file = this.fileOf(located.analysis, located.finding.location);
      byFile.set(file, [...(byFile.get(file) ?? []), located]);
    }
    this.findingsByFile = byFile;
  }

  private forgetRemovedFolders(): void {
    const current = new Set((vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.toString()));
    for (const key of [...this.analyses.keys()]) if (!current.has(key)) this.analyses.delete(key);
    this.indexFindings();
  }

  dispose(): void {
    void this.client.stop();
    this.output.dispose();
    this.changed.dispose();
  }
}

/** Whether `file` is `folder` or below it, whatever the platform's separator. */
function isWithin(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** What the server needs of the settings: each folder's (resource scope), and the user's that apply to all. */
function serverSettings(): ServerSettings {
  const settings = vscode.workspace.getConfiguration('apimPosture');
  return {
    folders: (vscode.workspace.workspaceFolders ?? []).map((folder) => ({ folder: folder.uri.toString(), settings: readSettings(folder) })),
    // A user setting only (application scope): a hostile workspace must not be able to raise it.
    analysisTimeBudgetMs: settings.get<number>('analysisTimeBudget', 5000),
    analysisDelayMs: settings.get<number>('analysisDelay', 300),
    highSeverityAs: settings.get('highSeverityAs') === 'warning' ? 'warning' : 'error',
    showInfoFindings: settings.get<boolean>('showInfoFindings', true),
  };
}

/** Open documents with unsaved edits: the in-host scan reads them instead of the disk. */
function unsavedDocuments(): Map<string, string> {
  const overlay = new Map<string, string>();
  for (const document of vscode.workspace.textDocuments) {
    if (document.uri.scheme === 'file' && document.isDirty) overlay.set(document.uri.fsPath, document.getText());
  }
  return overlay;
}
