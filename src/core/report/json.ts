import { reportParts } from './analysisReport';
import type { ReportLocation } from './contract';
import { jsonPieces, LazyArray } from './jsonStream';
import type { ScanResult } from './scanResult';

/** A location in the JSON report: the file relative to `root`, and a 1-based region. */
export type JsonLocation = ReportLocation;

/**
 * The machine-readable report: the analysis contract (contract.ts, described by
 * docs/report.schema.json) whole. Its shape is a contract for scripts: keys are written in a fixed
 * order, findings and rules are sorted, and absent optional values are left out rather than null.
 */
export function formatJson(result: ScanResult): string {
  return [...jsonReportPieces(result)].join('');
}

/** The report in pieces, one per finding, for writing a report of any size. */
export function* jsonReportPieces(result: ScanResult): Generator<string> {
  const parts = reportParts(result, { effectivePolicy: true });
  const { coverage } = parts.head;
  const report = {
    ...parts.head,
    // In full, written entry by entry: a repository can leave any number of files unread.
    coverage: {
      ...coverage,
      notRead: new LazyArray(coverage.notRead, (entry) => entry),
      excluded: new LazyArray(coverage.excluded, (entry) => entry),
      skipped: new LazyArray(coverage.skipped, (entry) => entry),
    },
    findings: new LazyArray(parts.findings, parts.finding),
    services: new LazyArray(parts.services, parts.service),
    drift: parts.drift(),
    attackPaths: parts.attackPaths(),
  };
  yield* jsonPieces(report);
  yield '\n';
}
