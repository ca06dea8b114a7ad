// What every report format shares: paths relative to the scanned folder, 1-based regions, the
// order of findings and the summary counts. Each format builds on these so that they never disagree.
import * as path from 'path';
import { findingSources, SEVERITY_ORDER, type Finding, type RuleMetadata, type Severity } from '../findings';
import type { ApimService } from '../model';
import type { LineIndex, SourceLocation } from '../text';
import type { ScanResult } from './scanResult';

export const TOOL_NAME = 'APIM Posture';
export const INFORMATION_URI = 'https://github.com/apim-posture/apim-posture';

/** Line index of a file by absolute path, as `ScanResult.lineIndex` provides it. */
export type LineIndexOf = (file: string) => LineIndex;

/** A 1-based range as SARIF, editors' "file:line:col" and GitHub anchors count it; `endColumn` is exclusive. */
export interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

/**
 * The 1-based region of a location, with columns in UTF-16 code units (the units of `Span`).
 * An empty span at offset 0 is 1:1 in any text, so it needs no line index: whole-file input problems
 * point at files that could not be read, and fixes that create a file edit one that does not exist yet.
 */
export function regionOf(lineIndexOf: LineIndexOf, location: SourceLocation): Region {
  if (location.span.end <= 0) return { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 };
  const index = lineIndexOf(location.file);
  const start = index.positionAt(location.span.start);
  const end = index.positionAt(location.span.end);
  return { startLine: start.line + 1, startColumn: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
}

/** `file:line:col`, the form terminals and editors turn into links. */
export function locationLabel(relativeFile: string, region: Region): string {
  return `${relativeFile}:${region.startLine}:${region.startColumn}`;
}

/** `file` relative to `root` with `/` separators; absolute when it cannot be relative (another drive). */
export function relativePath(root: string, file: string): string {
  const relative = path.relative(root, file);
  return path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
}

/**
 * A `/`-separated path as a URI path: every segment percent-encoded, including the sub-delimiters that
 * encodeURIComponent keeps (`!'()*`), so that APIOps names like `x;rev=2` or `named values` survive
 * SARIF viewers and Markdown link syntax alike.
 */
export function encodeUriPath(posixPath: string): string {
  return posixPath
    .split('/')
    .map((segment) => encodeURIComponent(wellFormed(segment)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/**
 * How findings name a service: its root relative to the scanned folder when the repository holds
 * several (`envs/prod`), undefined when it holds one.
 */
export function serviceLabel(root: string, services: readonly ApimService[], service: ApimService): string | undefined {
  return services.length > 1 ? relativePath(root, service.root) : undefined;
}

/** The service a finding is about; the first for findings about the repository as a whole (its configuration). */
export function serviceOf(result: ScanResult, finding: Pick<Finding, 'service'>): ApimService {
  return result.services.find((service) => serviceLabel(result.root, result.services, service) === finding.service) ?? result.services[0];
}

/** Deterministic order, independent of rule execution order: file, position, rule, id. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.location.file, b.location.file) ||
    a.location.span.start - b.location.span.start ||
    a.location.span.end - b.location.span.end ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.id, b.id)
  );
}

// Code-unit order, not localeCompare: reports must not change with the machine's locale.
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedRules(rules: readonly RuleMetadata[]): RuleMetadata[] {
  return [...rules].sort((a, b) => compareStrings(a.id, b.id));
}

export interface SeverityGroup {
  severity: Severity;
  findings: Finding[];
}

export interface PartitionedFindings {
  /** Unsuppressed findings by severity, high first; empty severities are left out. */
  active: SeverityGroup[];
  suppressed: Finding[];
}

export function partitionFindings(findings: readonly Finding[]): PartitionedFindings {
  const sorted = [...findings].sort(compareFindings);
  const active = SEVERITY_ORDER.map((severity) => ({
    severity,
    findings: sorted.filter((finding) => !finding.suppression && finding.severity === severity),
  })).filter((group) => group.findings.length > 0);
  return { active, suppressed: sorted.filter((finding) => finding.suppression) };
}

export interface ReportSummary {
  /** Unsuppressed findings. */
  findings: number;
  bySeverity: Record<Severity, number>;
  suppressed: number;
  filesRead: number;
  durationMs: number;
}

export function summarize(result: ScanResult): ReportSummary {
  const bySeverity: Record<Severity, number> = { high: 0, medium: 0, low: 0, info: 0 };
  let suppressed = 0;
  for (const finding of result.findings) {
    if (finding.suppression) suppressed++;
    else bySeverity[finding.severity]++;
  }
  return {
    findings: result.findings.length - suppressed,
    bySeverity,
    suppressed,
    // Counted by the coverage, from the same files: not again on every summary (the editor's, after each edit).
    filesRead: result.coverage.filesRead,
    durationMs: Math.round(result.durationMs),
  };
}

export function severityLabel(severity: Severity): string {
  return severity[0].toUpperCase() + severity.slice(1);
}

/**
 * Text from the repository on one line: control characters (newlines, and escape sequences that a
 * crafted file name or value could carry into a terminal) become spaces.
 */
export function oneLine(text: string): string {
  // Bidi overrides and isolates too: they reorder what a terminal or a viewer shows (`gnp.exe` as `exe.png`).
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
}

/** A string safe to encode as UTF-8 (JSON, SARIF, URIs): lone surrogates become U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

export function formatDuration(durationMs: number): string {
  return durationMs < 1000 ? `${Math.round(durationMs)} ms` : `${(durationMs / 1000).toFixed(1)} s`;
}

/** What the reading of every service assumed, each assumption once. */
export function assumptionsOf(result: ScanResult): string[] {
  return [...new Set(result.services.flatMap((service) => service.assumptions))];
}

/** Failed reads listed one by one in SARIF; past this, counted (code scanning limits a log's size). */
const MAX_LISTED_UNREAD = 20;

/** The merged snapshot's status as the JSON and SARIF reports carry it: its file relative to the root, failed reads bounded when asked. */
export function snapshotSection(result: ScanResult, bounded = false) {
  const status = result.snapshot;
  if (!status) return undefined;
  const listed = bounded ? status.unread.slice(0, MAX_LISTED_UNREAD) : status.unread;
  return {
    file: relativePath(result.root, status.file),
    createdAt: status.createdAt,
    ageDays: status.ageDays,
    maxAgeDays: status.maxAgeDays,
    stale: status.stale,
    unread: listed,
    unreadOmitted: status.unread.length > listed.length ? status.unread.length - listed.length : undefined,
    // Bounded like the failed reads: a part per subscription, and an estate may have hundreds.
    parts: bounded ? status.parts.slice(0, MAX_LISTED_UNREAD) : status.parts,
    partsOmitted: bounded && status.parts.length > MAX_LISTED_UNREAD ? status.parts.length - MAX_LISTED_UNREAD : undefined,
    notices: snapshotNotices(result),
  };
}

/** What every report says of the merged snapshot: when it was taken, whether it is stale, and what Azure did not answer. */
export function snapshotNotices(result: ScanResult): string[] {
  const status = result.snapshot;
  if (!status) return [];
  const age = status.ageDays === undefined ? 'at an unknown time' : status.ageDays === 0 ? 'less than a day ago' : `${status.ageDays} day${status.ageDays === 1 ? '' : 's'} ago`;
  const notices = [`Snapshot of Azure: ${relativePath(result.root, status.file)}, taken ${status.createdAt} (${age}).`];
  // Which root is compared with which deployed service, when that was chosen for the root; roots not compared each have a finding saying why.
  const matched = (result.deployed ?? []).filter((comparison) => comparison.matchedBy && comparison.service);
  if (matched.length > 0) notices.push(`Compared with Azure: ${matched.map((comparison) => `${relativePath(result.root, comparison.local.root) || '.'} with ${comparison.service!.name} (${comparison.matchedBy})`).join('; ')}.`);
  if (status.stale) notices.push(`The snapshot is stale (older than ${status.maxAgeDays} days): Defender's findings and the drift may have changed since; run apim-posture snapshot export again.`);
  if (status.unread.length > 0) notices.push(`Not read from Azure when the snapshot was taken: ${unreadParts(status.unread)}; what depends on them is missing from this report or unknown.`);
  return notices;
}

const UNREAD_NAMES: Record<string, string> = {
  assessments: "Defender's assessments",
  apiCollections: 'onboarding (apiCollections)',
  pricing: 'the Defender for APIs plan',
  policy: 'policies',
};

/** `Defender's assessments, policies (3)`: failed reads by what they were of. */
function unreadParts(unread: readonly { operation: string }[]): string {
  const counts = new Map<string, number>();
  for (const { operation } of unread) counts.set(operation, (counts.get(operation) ?? 0) + 1);
  return [...counts].map(([operation, count]) => `${UNREAD_NAMES[operation] ?? operation}${count > 1 ? ` (${count})` : ''}`).join(', ');
}

/** ` · also reported by Defender for APIs` on a prediction Defender confirms: one finding, both sources. */
export function reportedBy(finding: Pick<Finding, 'origin' | 'defender'>): string {
  return findingSources(finding).length > 1 ? ' · also reported by Defender for APIs' : finding.defender ? ' · reported by Defender for APIs' : finding.origin === 'observed' ? ' · from Azure' : '';
}

/** `Internet → apim-contoso → payments → get-saved-card`: an attack path's steps by name. */
export function attackPathStepsText(steps: readonly { name?: string; type?: string; resource?: string }[]): string {
  return steps.map((step) => step.name ?? step.resource ?? step.type ?? '?').join(' → ');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML that renders as itself, in element content and in quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return wellFormed(text).replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]);
}
