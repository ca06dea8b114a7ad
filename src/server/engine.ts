// The engine: scans run here, in a worker thread of the language server, so that the server keeps
// answering (and can cancel) while a large repository is analysed. It owns what is kept between
// analyses of a folder: the parse cache, the file index, the per-API results and the last scan. Each analysis sends the
// server only what changed for the editor (the diagnostics of files whose findings changed, and
// the counts); the findings of one file, its operations, the whole report, fix edits and effective
// policies are computed from the last scan when the editor asks.
import * as path from 'path';
import { parentPort } from 'worker_threads';
import type { Diagnostic } from 'vscode-languageserver/node';
import { renderEffectivePolicy } from '../core/analysis/renderEffectivePolicy';
import { AnalysisMemo } from '../core/analysisMemo';
import type { Finding } from '../core/findings';
import { missingNamedValueEdits } from '../core/fixes/namedValues';
import { TimeBudget } from '../core/limits';
import type { ApiResource, ApimService, OperationResource } from '../core/model';
import { ParseCache } from '../core/parse/cache';
import { AUTH_POLICY_SNIPPETS, type AuthPolicyName } from '../core/policy/edit';
import { locator, operationKey, reportFinding, reportOperation, reportRule, toAnalysisReport } from '../core/report/analysisReport';
import { serviceLabel, serviceOf, snapshotNotices, summarize } from '../core/report/common';
import type { AnalysisReport, ReportLocation } from '../core/report/contract';
import { coverageSummary } from '../core/report/coverage';
import type { ScanResult } from '../core/report/scanResult';
import { scan } from '../core/scan';
import type { SourceLocation } from '../core/text';
import { FileIndex, isInside } from '../core/workspace/files';
import { PublishedDiagnostics, type DiagnosticOptions } from './diagnostics';
import type { AnalysisSummary, EffectivePolicyParams, FixableCountParams, EffectivePolicyResult, FileFindingsResult, FileOperationsResult, FixEditsParams, FixEditsResult, FolderSettings } from './protocol';

export type EngineRequest =
  | {
      kind: 'analyze';
      id: number;
      folder: string;
      root: string;
      overlay: [string, string][];
      settings: FolderSettings['settings'];
      diagnostics: DiagnosticOptions;
      budgetMs: number;
      /** Analyse even if the buffers, the settings and the files are as last analysed. */
      force: boolean;
      cancel: SharedArrayBuffer;
    }
  | { kind: 'fileFindings'; id: number; file: string }
  | { kind: 'fileOperations'; id: number; file: string }
  | { kind: 'report'; id: number; folder: string }
  | { kind: 'fixEdits'; id: number; params: FixEditsParams }
  | { kind: 'fixableCount'; id: number; params: FixableCountParams }
  | { kind: 'effectivePolicy'; id: number; params: EffectivePolicyParams }
  | { kind: 'fileEvents'; events: { file: string; type: 'created' | 'changed' | 'deleted' }[] }
  | { kind: 'forget'; folder: string };

export interface AnalyzeResult {
  /** Diagnostics of the files whose diagnostics changed (an empty list clears a file's). */
  diagnostics: [string, Diagnostic[]][];
  summary: AnalysisSummary;
  stopped: boolean;
  /** A newer request cancelled it: nothing of it is kept or shown. */
  cancelled: boolean;
}

export type EngineResponse = { id: number; value: unknown } | { id: number; error: string };

/** What is kept of one workspace folder between its analyses. */
class FolderEngine {
  readonly cache = new ParseCache();
  readonly index = new FileIndex();
  readonly memo = new AnalysisMemo();
  result?: ScanResult;
  /** The last scan's findings and spec operations by absolute file. */
  byFile = new Map<string, { findings: Finding[]; operations: { service: ApimService; api: ApiResource; operation: OperationResource }[] }>();
  /** The diagnostics last sent: only changes are sent again. */
  readonly diagnostics = new PublishedDiagnostics();
  report?: AnalysisReport;
  /** What the last complete analysis read besides the disk: editor buffers that differ from it, and the settings. */
  analyzed?: { overlay: Map<string, string>; settings: string };

  constructor(
    /** The workspace folder's URI, as the server names it. */
    readonly folder: string,
    readonly root: string,
  ) {}

  contains(file: string): boolean {
    return isInside(this.root, file);
  }

  locate(): (location: SourceLocation) => ReportLocation {
    const result = this.result!;
    return locator(result.root, result.lineIndex);
  }
}

const folders = new Map<string, FolderEngine>();

function folderOf(file: string): FolderEngine | undefined {
  return [...folders.values()].filter((engine) => engine.contains(file)).sort((a, b) => b.root.length - a.root.length)[0];
}

function analyze(request: Extract<EngineRequest, { kind: 'analyze' }>): AnalyzeResult | { cancelled: true } {
  let engine = folders.get(request.folder);
  if (!engine || engine.root !== request.root) folders.set(request.folder, (engine = new FolderEngine(request.folder, request.root)));
  // A buffer that holds what the disk holds (a document just opened, or saved) is no input of its own.
  const overlay = new Map(request.overlay.filter(([file, text]) => engine!.index.reads.get(path.resolve(file))?.text !== text));
  const settings = JSON.stringify([request.settings, request.diagnostics]);
  if (!request.force && engine.result && engine.analyzed && sameInputs(engine.analyzed, overlay, settings)) {
    return { diagnostics: [], summary: analysisSummary(engine.result), stopped: false, cancelled: false };
  }
  const flag = new Int32Array(request.cancel);
  const budget = new TimeBudget(request.budgetMs, () => Atomics.load(flag, 0) !== 0);
  const result = scan(request.root, { overlay, cache: engine.cache, index: engine.index, memo: engine.memo, settings: request.settings, snapshot: 'auto', budget });
  if (budget.cancelled) return { cancelled: true };
  // A stopped analysis is done again next time, whatever changed.
  engine.analyzed = budget.stopped ? undefined : { overlay, settings };
  engine.result = result;
  engine.report = undefined;
  engine.byFile = indexByFile(result);
  return { diagnostics: engine.diagnostics.changes(result, request.diagnostics), summary: analysisSummary(result), stopped: budget.stopped, cancelled: false };
}

/** Nothing to analyse again: the same buffers and settings, and no file event since (which forgets the analysis's inputs). */
function sameInputs(analyzed: NonNullable<FolderEngine['analyzed']>, overlay: ReadonlyMap<string, string>, settings: string): boolean {
  return analyzed.settings === settings && analyzed.overlay.size === overlay.size && [...overlay].every(([file, text]) => analyzed.overlay.get(file) === text);
}

function indexByFile(result: ScanResult): FolderEngine['byFile'] {
  const byFile: FolderEngine['byFile'] = new Map();
  const entry = (file: string) => {
    let found = byFile.get(file);
    if (!found) byFile.set(file, (found = { findings: [], operations: [] }));
    return found;
  };
  for (const finding of result.findings) entry(finding.location.file).findings.push(finding);
  for (const service of result.services) {
    for (const api of service.apis) for (const operation of api.operations) if (operation.specOperation) entry(operation.specOperation.location.file).operations.push({ service, api, operation });
  }
  return byFile;
}

function analysisSummary(result: ScanResult): AnalysisSummary {
  return {
    ...summarize(result),
    observed: result.findings.filter((finding) => finding.defender && !finding.suppression).length,
    services: result.services.map((service) => `${serviceLabel(result.root, result.services, service) ?? ''} ${service.layout} layout, ${service.apis.length} APIs`.trim()),
    inputProblems: result.services.reduce((count, service) => count + service.problems.length, 0),
    snapshot: result.snapshot && { createdAt: result.snapshot.createdAt, notices: snapshotNotices(result) },
    coverage: coverageSummary(result.coverage, ' (listed under "Not read" in the API Inventory)'),
    goals: result.goals && {
      met: result.goals.filter((goal) => goal.met).length,
      total: result.goals.length,
      notMet: result.goals.flatMap((goal) => (goal.status === 'met' ? [] : [{ id: goal.id, title: goal.title, blocking: goal.blocking, status: goal.status }])),
    },
  };
}

function fileFindings(file: string): FileFindingsResult {
  const engine = folderOf(file);
  const result = engine?.result;
  if (!engine || !result) return null;
  const findings = engine.byFile.get(path.resolve(file))?.findings ?? [];
  const ruleIds = new Set(findings.map((finding) => finding.ruleId));
  const locate = engine.locate();
  return { folder: engine.folder, root: result.root, findings: findings.map((finding) => reportFinding(finding, locate)), rules: result.rules.filter((rule) => ruleIds.has(rule.id)).map(reportRule) };
}

function fileOperations(file: string): FileOperationsResult {
  const engine = folderOf(file);
  const result = engine?.result;
  if (!engine || !result) return null;
  const locate = engine.locate();
  const operations = (engine.byFile.get(path.resolve(file))?.operations ?? []).map(({ service, api, operation }) => reportOperation(result, service, api, operation, locate));
  return { folder: engine.folder, root: result.root, operations };
}

function report(folder: string): AnalysisReport | null {
  const engine = folders.get(folder);
  if (!engine?.result) return null;
  return (engine.report ??= toAnalysisReport(engine.result));
}

function fixEdits({ folder, findingId, fixIds }: FixEditsParams): FixEditsResult {
  const result = folders.get(folder)?.result;
  const finding = result?.findings.find((candidate) => candidate.id === findingId);
  if (!result || !finding) return [];
  return finding.fixes
    .filter((fix) => fixIds.includes(fix.id))
    .map((fix) => {
      const snippet = fix.adds && AUTH_POLICY_SNIPPETS[fix.adds.policy as AuthPolicyName];
      const missing = snippet ? missingNamedValueEdits(serviceOf(result, finding), snippet.namedValues) : [];
      return { fixId: fix.id, edits: fix.edits, missingNamedValues: missing.length > 0 ? missing : undefined };
    });
}

/** Active findings of a rule with a recommended fix: only that rule's findings compute their fixes. */
function fixableCount({ ruleId }: FixableCountParams): number {
  let count = 0;
  for (const engine of folders.values()) {
    for (const finding of engine.result?.findings ?? []) if (finding.ruleId === ruleId && !finding.suppression && finding.fixes.some((fix) => fix.preferred)) count++;
  }
  return count;
}

function effectivePolicy({ operation: key }: EffectivePolicyParams): EffectivePolicyResult {
  for (const engine of folders.values()) {
    const result = engine.result;
    if (!result) continue;
    for (const service of result.services) {
      for (const api of service.apis) {
        const operation = api.operations.find((candidate) => operationKey(result, service, candidate) === key);
        if (operation) return renderEffectivePolicy(result.analyses.auth(api, operation).effective, service.root, (file) => result.sourceText(file));
      }
    }
  }
  return null;
}

function handle(request: EngineRequest): unknown {
  switch (request.kind) {
    case 'analyze':
      return analyze(request);
    case 'fileFindings':
      return fileFindings(request.file);
    case 'fileOperations':
      return fileOperations(request.file);
    case 'report':
      return report(request.folder);
    case 'fixEdits':
      return fixEdits(request.params);
    case 'fixableCount':
      return fixableCount(request.params);
    case 'effectivePolicy':
      return effectivePolicy(request.params);
    case 'fileEvents':
      for (const { file, type } of request.events) {
        for (const engine of folders.values()) {
          if (!engine.contains(file)) continue;
          engine.analyzed = undefined;
          if (type === 'changed') engine.index.changed(file);
          else engine.index.created(file);
        }
      }
      return undefined;
    case 'forget':
      folders.delete(request.folder);
      return undefined;
  }
}

parentPort?.on('message', (request: EngineRequest) => {
  try {
    const value = handle(request);
    if ('id' in request) parentPort?.postMessage({ id: request.id, value } satisfies EngineResponse);
  } catch (error) {
    if ('id' in request) parentPort?.postMessage({ id: request.id, error: (error as Error).stack ?? String(error) } satisfies EngineResponse);
  }
});
