// The one object every part of the extension shares (after rust-analyzer's Ctx): the language client
// that runs the analysis in its own process, the reports it sends back (plain data, the contract of
// src/core/report/contract.ts), and what the views need to find in them.
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { FileEdit } from '../core/text';
import type { AnalysisReport, ReportFinding, ReportLocation, ReportOperation, ReportRule } from '../core/report/contract';
import type { ScanResult } from '../core/report/scanResult';
import { scan } from '../core/scan';
import { isInside } from '../core/workspace/files';
import {
  ANALYSIS_FAILED_NOTIFICATION,
  ANALYZE_REQUEST,
  ANALYZED_NOTIFICATION,
  EFFECTIVE_POLICY_REQUEST,
  FILE_FINDINGS_REQUEST,
  FILE_OPERATIONS_REQUEST,
  FIX_EDITS_REQUEST,
  FIXABLE_COUNT_REQUEST,
  REPORT_REQUEST,
  SETTINGS_NOTIFICATION,
  type AnalysisFailedParams,
  type AnalysisSummary,
  type AnalyzedParams,
  type EffectivePolicyParams,
  type EffectivePolicyResult,
  type FileFindingsResult,
  type FileOperationsResult,
  type FileParams,
  type FixEditsParams,
  type FixableCountParams,
  type FixEditsResult,
  type ReportParams,
  type ReportResult,
  type ServerSettings,
} from '../server/protocol';
import { AzureDocuments } from './azure/azureDocuments';
import { AzureSession } from './azure/session';
import { readSettings } from './config';

/** The last analysis of one workspace folder, as the server announced it. */
export interface FolderAnalysis {
  folder: vscode.WorkspaceFolder;
  version: number;
  summary: AnalysisSummary;
}

/** A folder's whole report, asked for when a view lists everything. */
export interface FolderReport {
  folder: vscode.WorkspaceFolder;
  version: number;
  report: AnalysisReport;
}

/** A finding with what the editor needs around it: its rule, its folder, and the root its paths are relative to. */
export interface LocatedFinding {
  finding: ReportFinding;
  rule?: ReportRule;
  folder: vscode.WorkspaceFolder;
  root: string;
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
  private readonly commandFailures = new vscode.EventEmitter<{ title: string; message: string } | undefined>();
  /** A command failed (its title and why), or one succeeded after it (undefined): the status bar shows it. */
  readonly onDidChangeCommandFailure = this.commandFailures.event;
  private failed = false;
  private readonly analyses = new Map<string, FolderAnalysis>();
  private readonly reportRequests = new Map<string, { version: number; report: Promise<FolderReport | undefined> }>();
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
    this.client.onNotification(ANALYZED_NOTIFICATION, (params: AnalyzedParams) => this.analyzed(params));
    // The analysis itself failed: said in the status bar and the output channel, not only logged.
    this.client.onNotification(ANALYSIS_FAILED_NOTIFICATION, ({ folder, message }: AnalysisFailedParams) => {
      this.output.appendLine(`Analysis of ${vscode.Uri.parse(folder).fsPath} failed: ${message}`);
      this.commandFailed(`Analysis of ${vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(folder))?.name ?? folder}`, message);
    });
    this.started = this.client.start();
  }

  get folderAnalyses(): FolderAnalysis[] {
    const order = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.toString());
    return [...this.analyses.values()].sort((a, b) => order.indexOf(a.folder.uri.toString()) - order.indexOf(b.folder.uri.toString()));
  }

  /** Every folder's whole report (fetched once per analysis, when first asked for). */
  async reports(): Promise<FolderReport[]> {
    const reports = await Promise.all(this.folderAnalyses.map((analysis) => this.reportOf(analysis)));
    return reports.filter((report) => report !== undefined);
  }

  async allFindings(): Promise<LocatedFinding[]> {
    return (await this.reports()).flatMap(({ folder, report }) => {
      const rules = new Map(report.rules.map((rule) => [rule.id, rule]));
      return report.findings.map((finding) => ({ finding, rule: rules.get(finding.ruleId), folder, root: report.root }));
    });
  }

  /** The findings located in one file: asked of the server, whatever the size of the repository. */
  async findingsIn(file: string): Promise<LocatedFinding[]> {
    await this.started;
    const answer = (await this.client.sendRequest(FILE_FINDINGS_REQUEST, { file } satisfies FileParams)) as FileFindingsResult;
    const folder = answer && vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(answer.folder));
    if (!answer || !folder) return [];
    const rules = new Map(answer.rules.map((rule) => [rule.id, rule]));
    return answer.findings.map((finding) => ({ finding, rule: rules.get(finding.ruleId), folder, root: answer.root }));
  }

  /** The operations whose spec operation is in one file. */
  async operationsIn(file: string): Promise<{ root: string; operations: ReportOperation[] }> {
    await this.started;
    const answer = (await this.client.sendRequest(FILE_OPERATIONS_REQUEST, { file } satisfies FileParams)) as FileOperationsResult;
    return answer ?? { root: '', operations: [] };
  }

  /** The absolute path of a place in a report whose paths are relative to `root`. */
  fileOf(root: string, location: ReportLocation): string {
    return path.resolve(root, location.file);
  }

  commandFailed(title: string, message: string): void {
    this.failed = true;
    this.commandFailures.fire({ title, message });
  }

  commandSucceeded(): void {
    if (!this.failed) return;
    this.failed = false;
    this.commandFailures.fire(undefined);
  }

  /** Analyses every workspace folder now, and resolves when the reports are here. */
  async analyzeAll(): Promise<void> {
    await this.started;
    await this.client.sendRequest(ANALYZE_REQUEST);
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
    return this.client.sendRequest(FIX_EDITS_REQUEST, { folder: located.folder.uri.toString(), findingId: located.finding.id, fixIds } satisfies FixEditsParams);
  }

  async fixEditsOf(located: LocatedFinding, fixId: string): Promise<FileEdit[]> {
    return (await this.fixEdits(located, [fixId]))[0]?.edits ?? [];
  }

  /** How many active findings of a rule have a recommended fix, counted by the server. */
  async fixableCount(ruleId: string): Promise<number> {
    await this.started;
    return this.client.sendRequest(FIXABLE_COUNT_REQUEST, { ruleId } satisfies FixableCountParams);
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
    return (await this.scannedFolders()).filter((scanned) => isInside(scanned.folder.uri.fsPath, file)).sort((a, b) => b.folder.uri.fsPath.length - a.folder.uri.fsPath.length)[0];
  }

  private analyzed(params: AnalyzedParams): void {
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
    const analysis = { folder, version: params.version, summary: params.summary };
    this.analyses.set(params.folder, analysis);
    this.log(analysis);
    this.changed.fire();
  }

  private reportOf(analysis: FolderAnalysis): Promise<FolderReport | undefined> {
    const key = analysis.folder.uri.toString();
    const known = this.reportRequests.get(key);
    if (known && known.version >= analysis.version) return known.report;
    const report = this.client
      .sendRequest(REPORT_REQUEST, { folder: key } satisfies ReportParams)
      .then((answer) => (answer as ReportResult) ?? undefined)
      .then((answer) => answer && { folder: analysis.folder, version: answer.version, report: answer.report });
    this.reportRequests.set(key, { version: analysis.version, report });
    return report;
  }

  private log({ folder, summary }: FolderAnalysis): void {
    this.output.appendLine(
      `[${new Date().toLocaleTimeString()}] ${folder.name}: ${summary.services.join('; ')}, ${summary.filesRead} files read, ${summary.findings} findings${summary.inputProblems ? `, ${summary.inputProblems} input problems` : ''} in ${summary.durationMs} ms`,
    );
    for (const line of summary.coverage) this.output.appendLine(`  ${line}`);
  }

  private forgetRemovedFolders(): void {
    const current = new Set((vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.toString()));
    for (const key of [...this.analyses.keys()]) {
      if (current.has(key)) continue;
      this.analyses.delete(key);
      this.reportRequests.delete(key);
    }
  }

  dispose(): void {
    void this.client.stop();
    this.output.dispose();
    this.changed.dispose();
    this.commandFailures.dispose();
  }
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
