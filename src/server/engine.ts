// The engine: scans run here, in a worker thread of the language server, so that the server keeps
// answering (hovers, reports, cancellation) while a large repository is analysed. It owns what is kept
// between analyses of a folder: the parse cache, the file index and the last scan, whose fixes and
// effective policies are computed when the editor asks for them.
import * as path from 'path';
import { parentPort } from 'worker_threads';
import { renderEffectivePolicy } from '../core/analysis/renderEffectivePolicy';
import { missingNamedValueEdits } from '../core/fixes/namedValues';
import { TimeBudget } from '../core/limits';
import { ParseCache } from '../core/parse/cache';
import { AUTH_POLICY_SNIPPETS, type AuthPolicyName } from '../core/policy/edit';
import { operationKey, toAnalysisReport } from '../core/report/analysisReport';
import { serviceOf } from '../core/report/common';
import { coverageSummary } from '../core/report/coverage';
import type { AnalysisReport } from '../core/report/contract';
import type { ScanResult } from '../core/report/scanResult';
import { scan } from '../core/scan';
import { FileIndex } from '../core/workspace/files';
import type { AnalysisSummary, EffectivePolicyParams, EffectivePolicyResult, FixEditsParams, FixEditsResult, FolderSettings } from './protocol';

export type EngineRequest =
  | { kind: 'analyze'; id: number; folder: string; root: string; overlay: [string, string][]; settings: FolderSettings['settings']; budgetMs: number; cancel: SharedArrayBuffer }
  | { kind: 'fixEdits'; id: number; params: FixEditsParams }
  | { kind: 'effectivePolicy'; id: number; params: EffectivePolicyParams }
  | { kind: 'fileEvents'; events: { file: string; type: 'created' | 'changed' | 'deleted' }[] }
  | { kind: 'forget'; folder: string };

export interface AnalyzeResult {
  report: AnalysisReport;
  summary: AnalysisSummary;
  stopped: boolean;
  /** A newer request cancelled it: its report is incomplete and is not to be shown. */
  cancelled: boolean;
}

export type EngineResponse = { id: number; value: unknown } | { id: number; error: string };

/** What is kept of one workspace folder between its analyses. */
class FolderEngine {
  readonly cache = new ParseCache();
  readonly index = new FileIndex();
  result?: ScanResult;

  constructor(readonly root: string) {}

  contains(file: string): boolean {
    const relative = path.relative(this.root, file);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  }
}

const folders = new Map<string, FolderEngine>();

function analyze(request: Extract<EngineRequest, { kind: 'analyze' }>): AnalyzeResult {
  let engine = folders.get(request.folder);
  if (!engine || engine.root !== request.root) folders.set(request.folder, (engine = new FolderEngine(request.root)));
  const flag = new Int32Array(request.cancel);
  const budget = new TimeBudget(request.budgetMs, () => Atomics.load(flag, 0) !== 0);
  const result = scan(request.root, { overlay: new Map(request.overlay), cache: engine.cache, index: engine.index, settings: request.settings, snapshot: 'auto', budget });
  if (!budget.cancelled) engine.result = result;
  const report = toAnalysisReport(result);
  return { report, summary: analysisSummary(result, report), stopped: budget.stopped && !budget.cancelled, cancelled: budget.cancelled };
}

function analysisSummary(result: ScanResult, report: AnalysisReport): AnalysisSummary {
  return {
    ...report.summary,
    observed: result.findings.filter((finding) => finding.origin === 'observed' && !finding.suppression).length,
    services: report.services.map((service) => `${service.label ?? ''} ${service.layout} layout, ${service.apis.length} APIs`.trim()),
    inputProblems: result.services.reduce((count, service) => count + service.problems.length, 0),
    snapshot: report.snapshot && { createdAt: report.snapshot.createdAt, notices: report.snapshot.notices },
    coverage: coverageSummary(result.coverage, ' (listed under "Not read" in the API Inventory)'),
  };
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
    case 'fixEdits':
      return fixEdits(request.params);
    case 'effectivePolicy':
      return effectivePolicy(request.params);
    case 'fileEvents':
      for (const { file, type } of request.events) {
        for (const engine of folders.values()) {
          if (!engine.contains(file)) continue;
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
