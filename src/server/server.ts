// The APIM Posture language server: any LSP client (VS Code's, Neovim's built-in one) gets the
// diagnostics; the VS Code extension also asks it for reports, fix edits and effective policies
// (protocol.ts). Analyses run in the engine's worker thread: this thread only schedules them, cancels
// one that a newer edit makes stale, and answers from the last report meanwhile.
import * as path from 'path';
import { Worker } from 'worker_threads';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  createConnection,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type WorkspaceFolder,
} from 'vscode-languageserver/node';
import { fileURLToPath } from 'url';
import type { AnalysisReport } from '../core/report/contract';
import { isInside } from '../core/workspace/files';
import type { AnalyzeResult, EngineRequest, EngineResponse } from './engine';
import { ENGINE_RESOURCE_LIMITS } from './engineLimits';
import {
  ANALYSIS_FAILED_NOTIFICATION,
  ANALYZE_REQUEST,
  ANALYZED_NOTIFICATION,
  DEFAULT_SERVER_SETTINGS,
  EFFECTIVE_POLICY_REQUEST,
  FILE_FINDINGS_REQUEST,
  FILE_OPERATIONS_REQUEST,
  FIX_EDITS_REQUEST,
  FIXABLE_COUNT_REQUEST,
  REPORT_REQUEST,
  SETTINGS_NOTIFICATION,
  type AnalysisFailedParams,
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
} from './protocol';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let settings: ServerSettings = DEFAULT_SERVER_SETTINGS;

/** The engine in its worker thread, asked by numbered requests. */
class Engine {
  private readonly worker = new Worker(path.join(__dirname, 'engine.js'), { resourceLimits: ENGINE_RESOURCE_LIMITS });
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

/** One workspace folder: its last analysis's version (0 before the first), and the analysis running for it, if any. */
interface Folder {
  uri: string;
  root: string;
  version: number;
  /** Files that have diagnostics now, to clear them when the folder goes. */
  withDiagnostics: Set<string>;
  /** Set to 1 to cancel the running analysis. */
  running?: Int32Array;
  dirty: boolean;
  /** Analysed again even if nothing the engine knows of changed (the Analyze command). */
  forced?: boolean;
}

const folders = new Map<string, Folder>();
let timer: NodeJS.Timeout | undefined;
let queue: Promise<void> = Promise.resolve();

function addFolders(added: readonly WorkspaceFolder[]): void {
  for (const folder of added) folders.set(folder.uri, { uri: folder.uri, root: fileURLToPath(folder.uri), version: 0, withDiagnostics: new Set(), dirty: true });
}

function removeFolders(removed: readonly WorkspaceFolder[]): void {
  for (const { uri } of removed) {
    const folder = folders.get(uri);
    if (!folder) continue;
    for (const file of folder.withDiagnostics) void connection.sendDiagnostics({ uri: file, diagnostics: [] });
    folders.delete(uri);
    engine.tell({ kind: 'forget', folder: uri });
  }
}

function folderOf(file: string): Folder | undefined {
  return [...folders.values()]
    .filter((folder) => isInside(folder.root, file))
    .sort((a, b) => b.root.length - a.root.length)[0];
}

/**
 * Marks the folder of `file` (every folder when undefined) to be analysed, cancelling a running
 * analysis of it: at once when nothing is analysing or waiting to (an analysis is incremental, and
 * its result is then what the user waits for), else once changes stop coming for the quiet time (a
 * burst of typing is analysed once more, for its last text).
 */
function schedule(file?: string): void {
  const idle = timer === undefined && ![...folders.values()].some((folder) => folder.running);
  const affected = file === undefined ? [...folders.values()] : [folderOf(file)].filter((folder) => folder !== undefined);
  for (const folder of affected) {
    folder.dirty = true;
    if (folder.running) Atomics.store(folder.running, 0, 1);
  }
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => void analyzeDirty(), idle ? 0 : settings.analysisDelayMs);
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
    const result = await engine.ask<AnalyzeResult | { cancelled: true }>({
      kind: 'analyze',
      folder: folder.uri,
      root: folder.root,
      overlay,
      settings: folderSettings,
      diagnostics: { highSeverityAs: settings.highSeverityAs, showInfoFindings: settings.showInfoFindings },
      budgetMs: settings.analysisTimeBudgetMs,
      force: folder.forced === true,
      cancel,
    });
    if (result.cancelled) return;
    folder.forced = false;
    folder.version++;
    for (const [uri, diagnostics] of result.diagnostics) {
      void connection.sendDiagnostics({ uri, diagnostics });
      if (diagnostics.length > 0) folder.withDiagnostics.add(uri);
      else folder.withDiagnostics.delete(uri);
    }
    void connection.sendNotification(ANALYZED_NOTIFICATION, { folder: folder.uri, version: folder.version, stopped: result.stopped, summary: result.summary } satisfies AnalyzedParams);
  } catch (error) {
    connection.console.error(`Analysis of ${folder.root} failed: ${(error as Error).message}`);
    void connection.sendNotification(ANALYSIS_FAILED_NOTIFICATION, { folder: folder.uri, message: (error as Error).message } satisfies AnalysisFailedParams);
  } finally {
    folder.running = undefined;
  }
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
  // Function App code (JavaScript, TypeScript, C#, Python) is watched on disk: its HTTP triggers are analysed when it is saved, its buffers are not synced while typed.
  void connection.client
    .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{json,yaml,yml,xml,bicep,bicepparam,tf,tfvars,graphql,wsdl,wadl,js,mjs,cjs,ts,mts,cts,cs,py}' }] })
    .catch(() => undefined);
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
  for (const folder of folders.values()) {
    folder.dirty = true;
    folder.forced = true;
  }
  await analyzeDirty();
});

connection.onRequest(REPORT_REQUEST, async ({ folder }: ReportParams): Promise<ReportResult> => {
  const known = folders.get(folder);
  if (!known?.version) return null;
  const version = known.version;
  const report = await engine.ask<AnalysisReport | null>({ kind: 'report', folder });
  return report && { version, report };
});

connection.onRequest(FILE_FINDINGS_REQUEST, ({ file }: FileParams) => engine.ask<FileFindingsResult>({ kind: 'fileFindings', file: path.resolve(file) }));
connection.onRequest(FILE_OPERATIONS_REQUEST, ({ file }: FileParams) => engine.ask<FileOperationsResult>({ kind: 'fileOperations', file: path.resolve(file) }));
connection.onRequest(FIX_EDITS_REQUEST, (params: FixEditsParams) => engine.ask<FixEditsResult>({ kind: 'fixEdits', params }));
connection.onRequest(FIXABLE_COUNT_REQUEST, (params: FixableCountParams) => engine.ask<number>({ kind: 'fixableCount', params }));
connection.onRequest(EFFECTIVE_POLICY_REQUEST, (params: EffectivePolicyParams) => engine.ask<EffectivePolicyResult>({ kind: 'effectivePolicy', params }));

documents.listen(connection);
connection.listen();
