import type { Finding, RuleMetadata } from '../findings';
import type { SourceLocation } from '../text';
import { compareFindings, regionOf, relativePath, sortedRules, summarize, TOOL_NAME, type Region, assumptionsOf, snapshotSection } from './common';
import { jsonPieces, LazyArray } from './jsonStream';
import type { ScanResult } from './scanResult';

/** A location in the JSON report: the file relative to `root`, and a 1-based region. */
export interface JsonLocation extends Region {
  file: string;
}

/**
 * The machine-readable report. Its shape is a contract for scripts: keys are written in a fixed
 * order, findings and rules are sorted, and absent optional values are left out rather than null.
 */
export function formatJson(result: ScanResult): string {
  return [...jsonReportPieces(result)].join('');
}

/** The report in pieces, one per finding, for writing a report of any size. */
export function* jsonReportPieces(result: ScanResult): Generator<string> {
  const locate = (location: SourceLocation): JsonLocation => ({
    file: relativePath(result.root, location.file),
    ...regionOf(result.lineIndex, location),
  });
  const report = {
    tool: TOOL_NAME,
    version: result.toolVersion,
    root: result.root,
    summary: summarize(result),
    assumptions: assumptionsOf(result).length > 0 ? assumptionsOf(result) : undefined,
    // In full, written entry by entry: a repository can leave any number of files unread.
    coverage: {
      ...result.coverage,
      notRead: new LazyArray(result.coverage.notRead, (entry) => entry),
      excluded: new LazyArray(result.coverage.excluded, (entry) => entry),
      skipped: new LazyArray(result.coverage.skipped, (entry) => entry),
    },
    snapshot: snapshotSection(result),
    rules: sortedRules(result.rules).map(jsonRule),
    findings: new LazyArray([...result.findings].sort(compareFindings), (finding) => jsonFinding(finding, locate)),
  };
  yield* jsonPieces(report);
  yield '\n';
}

function jsonRule(rule: RuleMetadata) {
  return {
    id: rule.id,
    title: rule.title,
    severity: rule.severity,
    description: rule.description,
    remediation: rule.remediation,
    helpUri: rule.helpUri,
    defender: rule.defender && {
      displayName: rule.defender.displayName,
      assessmentKey: rule.defender.assessmentKey,
      keyConfirmed: rule.defender.keyConfirmed,
      severity: rule.defender.severity,
    },
  };
}

function jsonFinding(finding: Finding, locate: (location: SourceLocation) => JsonLocation) {
  return {
    id: finding.id,
    ruleId: finding.ruleId,
    severity: finding.severity,
    origin: finding.origin,
    resource: finding.resource,
    service: finding.service,
    message: finding.message,
    remediation: finding.remediation,
    location: locate(finding.location),
    related: finding.related.map((related) => ({ location: locate(related.location), message: related.message })),
    relatedOmitted: finding.relatedOmitted,
    fixes: finding.fixes.map((fix) => ({ id: fix.id, title: fix.title, preferred: fix.preferred ?? false })),
    suppression: finding.suppression && {
      reason: finding.suppression.reason,
      expires: finding.suppression.expires,
      location: locate(finding.suppression.location),
    },
    properties: finding.properties,
  };
}
