// The APIM Posture language server: any LSP client (VS Code's, Neovim's built-in one) gets the
// diagnostics; the VS Code extension also asks it for reports, fix edits and effective policies
// (protocol.ts). Analyses run in the engine's worker thread: this thread only schedules them, cancels
// one that a newer edit makes stale, and answers from the last report meanwhile.
import * as path from 'path';
import { Worker } from 'worker_threads';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  createConnection,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Diagnostic,
  type WorkspaceFolder,
} from 'vscode-languageserver/node';
import { fileURLToPath, pathToFileURL } from 'url';
import type { AnalysisReport, ReportFinding, ReportLocation, ReportOperation } from '../core/report/contract';
import type { AnalyzeResult, EngineRequest, EngineResponse } from './engine';
import {
  ANALYZE_REQUEST,
  ANALYZED_NOTIFICATION,
  DEFAULT_SERVER_SETTINGS,
  EFFECTIVE_POLICY_REQUEST,
  FILE_FINDINGS_REQUEST,
  FILE_OPERATIONS_REQUEST,
  FIX_EDITS_REQUEST,
  REPORT_REQUEST,
  SETTINGS_NOTIFICATION,
  type AnalyzedParams,
  type EffectivePolicyParams,
  type EffectivePolicyResult,
  type FileFindingsResult,
  type FileOperationsResult,
  type FileParams,
  type FixEditsParams,
  type FixEditsResult,
  type ReportParams,
  type ReportResult,
  type ServerSettings,
} from './protocol';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let settings: ServerSettings = DEFAULT_SERVER_SETTINGS;

/** The engine in its worker thread, asked by numbered requests. */
class Engine {
  private readonly worker = new Worker(path.join(__dirname, 'engine.js'));
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  constructor() {
    this.worker.on('message', (response: EngineResponse) => {
      const waiter = this.waiting.get(response.id);
      this.waiting.delete(response.id);
      if ('error' in response) waiter?.reject(new Error(response.error));
      else waiter?.resolve(response.value);
    });
    this.worker.on('error', (error) => connection.console.error(`The analysis engine failed: ${error.stack ?? error}`));
  }

  ask<T>(request: EngineRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  tell(request: Extract<EngineRequest, { kind: 'fileEvents' | 'forget' }>): void {
    this.worker.postMessage(request);
  }
}

const engine = new Engine();

/** One workspace folder: its last report, and the analysis running for it, if any. */
interface Folder {
  uri: string;
  root: string;
  version: number;
  report?: AnalysisReport;
  /** The report's findings and operations by absolute file, for the questions about one file. */
  byFile: Map<string, { findings: ReportFinding[]; operations: ReportOperation[] }>;
  /** The diagnostics last published, by file URI, as JSON: only files whose diagnostics changed are sent again. */
  published: Map<string, string>;
  /** Set to 1 to cancel the running analysis. */
  running?: Int32Array;
  dirty: boolean;
}

const folders = new Map<string, Folder>();
let timer: NodeJS.Timeout | undefined;
let queue: Promise<void> = Promise.resolve();

function addFolders(added: readonly WorkspaceFolder[]): void {
  for (const folder of added) folders.set(folder.uri, { uri: folder.uri, root: fileURLToPath(folder.uri), version: 0, byFile: new Map(), published: new Map(), dirty: true });
}

function removeFolders(removed: readonly WorkspaceFolder[]): void {
  for (const { uri } of removed) {
    const folder = folders.get(uri);
    if (!folder) continue;
    for (const file of folder.published.keys()) void connection.sendDiagnostics({ uri: file, diagnostics: [] });
    folders.delete(uri);
    engine.tell({ kind: 'forget', folder: uri });
  }
}

function folderOf(file: string): Folder | undefined {
  return [...folders.values()]
    .filter((folder) => {
      const relative = path.relative(folder.root, file);
      return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
    })
    .sort((a, b) => b.root.length - a.root.length)[0];
}

/** Marks the folder of `file` (every folder when undefined) to be analysed after the quiet time, cancelling a running analysis of it. */
function schedule(file?: string): void {
  const affected = file === undefined ? [...folders.values()] : [folderOf(file)].filter((folder) => folder !== undefined);
  for (const folder of affected) {
    folder.dirty = true;
    if (folder.running) Atomics.store(folder.running, 0, 1);
  }
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => void analyzeDirty(), settings.analysisDelayMs);
}

function analyzeDirty(): Promise<void> {
  if (timer) clearTimeout(timer);
  timer = undefined;
  queue = queue.then(async () => {
    for (const folder of folders.values()) {
      while (folder.dirty && folders.has(folder.uri)) await analyze(folder);
    }
  });
  return queue;
}

async function analyze(folder: Folder): Promise<void> {
  folder.dirty = false;
  const cancel = new SharedArrayBuffer(4);
  folder.running = new Int32Array(cancel);
  // Open documents are what the user sees: their text wins over the disk's.
  const overlay: [string, string][] = documents.all().flatMap((document) => (document.uri.startsWith('file:') ? [[fileURLToPath(document.uri), document.getText()] as [string, string]] : []));
  const folderSettings = settings.folders.find((candidate) => candidate.folder === folder.uri)?.settings ?? {};
  try {
    const result = await engine.ask<AnalyzeResult>({ kind: 'analyze', folder: folder.uri, root: folder.root, overlay, settings: folderSettings, budgetMs: settings.analysisTimeBudgetMs, cancel });
    if (result.cancelled) return;
    folder.version++;
    folder.report = result.report;
    folder.byFile = indexByFile(result.report);
    publish(folder);
    void connection.sendNotification(ANALYZED_NOTIFICATION, { folder: folder.uri, version: folder.version, stopped: result.stopped, summary: result.summary } satisfies AnalyzedParams);
  } catch (error) {
    connection.console.error(`Analysis of ${folder.root} failed: ${(error as Error).message}`);
  } finally {
    folder.running = undefined;
  }
}

/** The folder's findings as LSP diagnostics, on every file that has some; files that had some before and have none now are cleared. */
function publish(folder: Folder): void {
  const report = folder.report;
  if (!report) return;
  const rules = new Map(report.rules.map((rule) => [rule.id, rule]));
  const byFile = new Map<string, Diagnostic[]>();
  for (const finding of report.findings) {
    // Defender findings on resources no local file declares stay in the Findings view only.
    if (finding.suppression || finding.properties?.unmapped || (!settings.showInfoFindings && finding.severity === 'info')) continue;
    const uri = fileUri(report, finding.location.file);
    const list = byFile.get(uri) ?? [];
    list.push(toDiagnostic(report, finding, rules.get(finding.ruleId)));
    byFile.set(uri, list);
  }
  const published = new Map<string, string>();
  for (const [uri, diagnostics] of byFile) {
    const text = JSON.stringify(diagnostics);
    published.set(uri, text);
    if (folder.published.get(uri) !== text) void connection.sendDiagnostics({ uri, diagnostics });
  }
  for (const uri of folder.published.keys()) if (!published.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
  folder.published = published;
}

function indexByFile(report: AnalysisReport): Folder['byFile'] {
  const byFile: Folder['byFile'] = new Map();
  const entry = (file: string) => {
    const absolute = path.resolve(report.root, file);
    let found = byFile.get(absolute);
    if (!found) byFile.set(absolute, (found = { findings: [], operations: [] }));
    return found;
  };
  for (const finding of report.findings) entry(finding.location.file).findings.push(finding);
  for (const service of report.services) for (const api of service.apis) for (const operation of api.operations) if (operation.specLocation) entry(operation.specLocation.file).operations.push(operation);
  return byFile;
}

function fileUri(report: AnalysisReport, file: string): string {
  return pathToFileURL(path.resolve(report.root, file)).toString();
}

function rangeOf(location: ReportLocation) {
  return { start: { line: location.startLine - 1, character: location.startColumn - 1 }, end: { line: location.endLine - 1, character: location.endColumn - 1 } };
}

const SEVERITIES = { high: DiagnosticSeverity.Error, medium: DiagnosticSeverity.Warning, low: DiagnosticSeverity.Information, info: DiagnosticSeverity.Hint };

function toDiagnostic(report: AnalysisReport, finding: ReportFinding, rule: AnalysisReport['rules'][number] | undefined): Diagnostic {
  const severity = finding.severity === 'high' && settings.highSeverityAs === 'warning' ? DiagnosticSeverity.Warning : SEVERITIES[finding.severity];
  return {
    range: rangeOf(finding.location),
    severity,
    source: finding.origin === 'observed' ? 'Defender for APIs' : 'APIM Posture',
    code: finding.ruleId,
    codeDescription: rule ? { href: rule.helpUri } : undefined,
    message: finding.message + (rule?.defender ? `\nDefender for Cloud: ${rule.defender.displayName}` : ''),
    relatedInformation: finding.related.map((related) => ({ location: { uri: fileUri(report, related.location.file), range: rangeOf(related.location) }, message: related.message })),
    data: { findingId: finding.id },
  };
}

connection.onInitialize((params) => {
  addFolders(params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: path.basename(fileURLToPath(params.rootUri)) }] : []));
  const initial = params.initializationOptions as Partial<ServerSettings> | undefined;
  if (initial) settings = { ...DEFAULT_SERVER_SETTINGS, ...initial };
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'apim-posture' },
  };
});

connection.onInitialized(() => {
  // Clients that watch files for the server (Neovim's does not by default) are asked to; VS Code's client watches what the extension registers.
  void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{json,yaml,yml,xml,bicep,bicepparam,tf,tfvars,graphql,wsdl,wadl}' }] }).catch(() => undefined);
  connection.workspace.onDidChangeWorkspaceFolders((event) => {
    removeFolders(event.removed);
    addFolders(event.added);
    schedule();
  });
  schedule();
});

connection.onNotification(SETTINGS_NOTIFICATION, (next: ServerSettings) => {
  settings = next;
  schedule();
});

connection.onDidChangeWatchedFiles(({ changes }) => {
  const events = changes.flatMap((change) => {
    if (!change.uri.startsWith('file:')) return [];
    const type = change.type === FileChangeType.Changed ? ('changed' as const) : change.type === FileChangeType.Created ? ('created' as const) : ('deleted' as const);
    return [{ file: fileURLToPath(change.uri), type }];
  });
  engine.tell({ kind: 'fileEvents', events });
  for (const { file } of events) schedule(file);
});

documents.onDidChangeContent((event) => event.document.uri.startsWith('file:') && schedule(fileURLToPath(event.document.uri)));
// Closing a document reverts the analysis to what is on disk.
documents.onDidClose((event) => event.document.uri.startsWith('file:') && schedule(fileURLToPath(event.document.uri)));

connection.onRequest(ANALYZE_REQUEST, async () => {
  for (const folder of folders.values()) folder.dirty = true;
  await analyzeDirty();
});

connection.onRequest(REPORT_REQUEST, ({ folder }: ReportParams): ReportResult => {
  const known = folders.get(folder);
  return known?.report ? { version: known.version, report: known.report } : null;
});

connection.onRequest(FILE_FINDINGS_REQUEST, ({ file }: FileParams): FileFindingsResult => {
  const folder = folderOf(file);
  if (!folder?.report) return null;
  const findings = folder.byFile.get(path.resolve(file))?.findings ?? [];
  const ruleIds = new Set(findings.map((finding) => finding.ruleId));
  return { folder: folder.uri, root: folder.report.root, findings, rules: folder.report.rules.filter((rule) => ruleIds.has(rule.id)) };
});

connection.onRequest(FILE_OPERATIONS_REQUEST, ({ file }: FileParams): FileOperationsResult => {
  const folder = folderOf(file);
  return folder?.report ? { folder: folder.uri, root: folder.report.root, operations: folder.byFile.get(path.resolve(file))?.operations ?? [] } : null;
});

connection.onRequest(FIX_EDITS_REQUEST, (params: FixEditsParams) => engine.ask<FixEditsResult>({ kind: 'fixEdits', params }));
connection.onRequest(EFFECTIVE_POLICY_REQUEST, (params: EffectivePolicyParams) => engine.ask<EffectivePolicyResult>({ kind: 'effectivePolicy', params }));

documents.listen(connection);
connection.listen();
