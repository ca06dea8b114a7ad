// The one object every part of the extension shares (after rust-analyzer's Ctx): the analyses of the
// workspace folders, the diagnostics they produce, and the scheduling of re-analysis.
import * as vscode from 'vscode';
import type { Finding } from '../core/findings';
import type { ApiResource, ApimService, OperationResource } from '../core/model';
import { ParseCache } from '../core/parse/cache';
import { serviceLabel, summarize } from '../core/report/common';
import type { ScanResult } from '../core/report/scanResult';
import { coverageSummary } from '../core/report/coverage';
import { TimeBudget } from '../core/limits';
import { scan } from '../core/scan';
import { AzureDocuments } from './azure/azureDocuments';
import { AzureSession } from './azure/session';
import { readSettings } from './config';
import { toDiagnostic } from './diagnostics';

/** How commands name an operation: its id, after its service's root when the folder holds several services. */
export function operationKey(result: ScanResult, service: ApimService, operation: OperationResource): string {
  const label = serviceLabel(result.root, result.services, service);
  return label === undefined ? operation.id : `${label}:${operation.id}`;
}

export interface FolderAnalysis {
  folder: vscode.WorkspaceFolder;
  result: ScanResult;
}

export interface LocatedFinding {
  finding: Finding;
  analysis: FolderAnalysis;
}

export class Ctx implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('APIM Posture');
  readonly diagnostics = vscode.languages.createDiagnosticCollection('apim-posture');
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after every analysis: trees, code lenses and the status bar refresh from it. */
  readonly onDidAnalyze = this.changed.event;
  private readonly analyses = new Map<string, FolderAnalysis>();
  private readonly caches = new Map<string, ParseCache>();
  /** Folders whose last analysis ran out of time: told once, not on every keystroke. */
  private readonly overBudgetFolders = new Set<string>();
  private readonly findingsByFile = new Map<string, LocatedFinding[]>();
  private pending: NodeJS.Timeout | undefined;
  private readonly dirtyFolders = new Set<string>();
  private running: Promise<void> = Promise.resolve();

  /** Sign-in, subscriptions and the snapshot files of Azure. */
  readonly azure: AzureSession;
  /** Read-only documents of what Azure has, for diffs. */
  readonly azureDocuments = new AzureDocuments();

  constructor(readonly extension: vscode.ExtensionContext) {
    this.azure = new AzureSession(extension);
  }

  get folderAnalyses(): FolderAnalysis[] {
    return [...this.analyses.values()];
  }

  allFindings(): LocatedFinding[] {
    return this.folderAnalyses.flatMap((analysis) => analysis.result.findings.map((finding) => ({ finding, analysis })));
  }

  findingsIn(file: string): LocatedFinding[] {
    return this.findingsByFile.get(file) ?? [];
  }

  analysisOf(file: string): FolderAnalysis | undefined {
    return this.folderAnalyses.find((analysis) => file === analysis.folder.uri.fsPath || file.startsWith(analysis.folder.uri.fsPath + '/'));
  }

  /** The operation of an `operationKey`. */
  findOperation(key: string): { analysis: FolderAnalysis; service: ApimService; api: ApiResource; operation: OperationResource } | undefined {
    for (const analysis of this.folderAnalyses) {
      for (const service of analysis.result.services) {
        for (const api of service.apis) {
          const operation = api.operations.find((candidate) => operationKey(analysis.result, service, candidate) === key);
          if (operation) return { analysis, service, api, operation };
        }
      }
    }
    return undefined;
  }

  /** Re-analyses the folder holding `file` (every folder when undefined) after the configured delay. */
  schedule(file?: string): void {
    const folders = file ? [vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))].filter((folder) => folder !== undefined) : (vscode.workspace.workspaceFolders ?? []);
    for (const folder of folders) this.dirtyFolders.add(folder.uri.toString());
    if (this.pending) clearTimeout(this.pending);
    const delay = vscode.workspace.getConfiguration('apimPosture').get<number>('analysisDelay', 300);
    this.pending = setTimeout(() => void this.analyzePending(), delay);
  }

  /** Analyses every workspace folder now, and resolves when the diagnostics are up to date. */
  async analyzeAll(): Promise<void> {
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.dirtyFolders.add(folder.uri.toString());
    await this.analyzePending();
  }

  private analyzePending(): Promise<void> {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.running = this.running.then(() => this.runAnalyses()).catch((error) => this.output.appendLine(`Analysis failed: ${(error as Error).stack ?? error}`));
    return this.running;
  }

  private async runAnalyses(): Promise<void> {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => this.dirtyFolders.has(folder.uri.toString()));
    this.dirtyFolders.clear();
    if (folders.length === 0) return;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'APIM Posture: analysing' }, async () => {
      for (const folder of folders) this.analyzeFolder(folder);
    });
    this.forgetRemovedFolders();
    this.publish();
    this.changed.fire();
  }

  private analyzeFolder(folder: vscode.WorkspaceFolder): void {
    const key = folder.uri.toString();
    let cache = this.caches.get(key);
    if (!cache) this.caches.set(key, (cache = new ParseCache()));
    // A snapshot of Azure kept in the repository (.apim-posture/snapshot.json) adds Defender's own findings and drift.
    // A user setting only (application scope): a hostile workspace must not be able to raise it and freeze the editor.
    const timeBudgetMs = vscode.workspace.getConfiguration('apimPosture').get<number>('analysisTimeBudget', 5000);
    const budget = new TimeBudget(timeBudgetMs);
    const result = scan(folder.uri.fsPath, { overlay: unsavedDocuments(), cache, settings: readSettings(folder), snapshot: 'auto', budget });
    this.analyses.set(key, { folder, result });
    const stopped = budget.stopped;
    if (stopped && !this.overBudgetFolders.has(key)) {
      void vscode.window.showWarningMessage(`APIM Posture stopped analysing ${folder.name} after ${timeBudgetMs} ms; the Problems panel says what was not read.`, 'Open Settings').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'apimPosture.analysisTimeBudget');
      });
    }
    if (stopped) this.overBudgetFolders.add(key);
    else this.overBudgetFolders.delete(key);
    const problems = result.services.reduce((count, service) => count + service.problems.length, 0);
    const services = result.services.map((service) => `${serviceLabel(result.root, result.services, service) ?? ''} ${service.layout} layout, ${service.apis.length} APIs`.trim());
    this.output.appendLine(
      `[${new Date().toLocaleTimeString()}] ${folder.name}: ${services.join('; ')}, ` +
        `${summarize(result).filesRead} files read, ${result.findings.length} findings${problems ? `, ${problems} input problems` : ''} in ${Math.round(result.durationMs)} ms`,
    );
    for (const line of coverageSummary(result.coverage, ' (listed under "Not read" in the API Inventory)')) this.output.appendLine(`  ${line}`);
  }

  private forgetRemovedFolders(): void {
    const current = new Set((vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.toString()));
    for (const key of [...this.analyses.keys()]) {
      if (current.has(key)) continue;
      this.analyses.delete(key);
      this.caches.delete(key);
    }
  }

  /** Rebuilds all diagnostics: a finding's file can be anywhere in its folder, so the whole set is replaced. */
  private publish(): void {
    this.findingsByFile.clear();
    const showInfo = vscode.workspace.getConfiguration('apimPosture').get<boolean>('showInfoFindings', true);
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const located of this.allFindings()) {
      const file = located.finding.location.file;
      const list = this.findingsByFile.get(file) ?? [];
      list.push(located);
      this.findingsByFile.set(file, list);
      // Defender findings on resources no local file declares stay in the Findings view only.
      if (located.finding.suppression || located.finding.properties?.unmapped || (!showInfo && located.finding.severity === 'info')) continue;
      const diagnostics = byFile.get(file) ?? [];
      diagnostics.push(toDiagnostic(located.finding, located.analysis.result));
      byFile.set(file, diagnostics);
    }
    this.diagnostics.clear();
    for (const [file, diagnostics] of byFile) this.diagnostics.set(vscode.Uri.file(file), diagnostics);
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    this.output.dispose();
    this.diagnostics.dispose();
    this.changed.dispose();
  }
}

/** Open documents with unsaved edits: the analysis reads them instead of the disk. */
function unsavedDocuments(): Map<string, string> {
  const overlay = new Map<string, string>();
  for (const document of vscode.workspace.textDocuments) {
    if (document.uri.scheme === 'file' && document.isDirty) overlay.set(document.uri.fsPath, document.getText());
  }
  return overlay;
}
