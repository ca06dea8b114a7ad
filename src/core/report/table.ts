import { SEVERITY_ORDER, type Finding, type Severity } from '../findings';
import { byPriority } from '../priority/priority';
import {
  formatDuration,
  locationLabel,
  oneLine,
  partitionFindings,
  regionOf,
  relativePath,
  summarize,
  type ReportSummary,
  assumptionsOf,
  attackPathStepsText,
  snapshotNotices,
} from './common';
import { locator, reportAttackPaths } from './analysisReport';
import type { ReportAttackPath } from './contract';
import { coverageDetail, coverageSummary } from './coverage';
import { goalLine, goalsOriginNote, goalStatusText, MAX_VIOLATIONS_SHOWN } from './goals';
import type { ScanResult } from './scanResult';

export interface TableOptions {
  /** ANSI colors; the CLI asks for them only when stdout is a terminal. */
  color?: boolean;
  /** Every file not read with its reason (`--coverage`), instead of two lines that count them. */
  fullCoverage?: boolean;
  /** `priority` (the default): highest priority first, each row led by its score; `severity`: grouped by severity, as before priorities (`--sort severity`). */
  sort?: 'priority' | 'severity';
}

/** How many characters of a finding's id the table shows: enough for `apim-posture explain <id>`. */
export const SHORT_ID_LENGTH = 8;

const SEVERITY_COLOR: Record<Severity, string> = { high: '1;31', medium: '33', low: '36', info: '90' };
const DIM = '2';

/**
 * The terminal report: unsuppressed findings, highest priority first, as aligned columns
 * `SCORE  SEVERITY  file:line:col  resource  message  [ruleId] #id` (or grouped by severity, high
 * first, without the score and id, with `sort: 'severity'`), then suppressed ones with their reason,
 * then what was read and what was not (in full when asked), one summary line and what the reading
 * assumed. A repository of several services adds a column naming each finding's, after the severity.
 */
export function formatTable(result: ScanResult, options: TableOptions = {}): string {
  const paint = (text: string, code: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const { active, suppressed } = partitionFindings(result.findings);
  const rows = new Map<Finding, { service: string; location: string; resource: string }>();
  for (const finding of [...active.flatMap((group) => group.findings), ...suppressed]) {
    rows.set(finding, {
      service: oneLine(finding.service ?? ''),
      location: oneLine(locationLabel(relativePath(result.root, finding.location.file), regionOf(result.lineIndex, finding.location))),
      resource: oneLine(finding.resource),
    });
  }
  // Widths over all rows, so that suppressed findings line up with the others.
  const serviceWidth = Math.max(0, ...[...rows.values()].map((row) => row.service.length));
  const locationWidth = Math.max(0, ...[...rows.values()].map((row) => row.location.length));
  const resourceWidth = Math.max(0, ...[...rows.values()].map((row) => row.resource.length));
  const severityWidth = Math.max(...SEVERITY_ORDER.map((severity) => severity.length));
  const byScore = options.sort !== 'severity';
  const scoreWidth = 3;

  const line = (finding: Finding) => {
    const row = rows.get(finding)!;
    return [
      ...(byScore ? [String(finding.priority?.score ?? 0).padStart(scoreWidth)] : []),
      paint(finding.severity.toUpperCase().padEnd(severityWidth), SEVERITY_COLOR[finding.severity]),
      ...(serviceWidth > 0 ? [row.service.padEnd(serviceWidth)] : []),
      paint(row.location.padEnd(locationWidth), DIM),
      row.resource.padEnd(resourceWidth),
      `${oneLine(finding.message)}  ${paint(`[${finding.ruleId}]${byScore ? ` #${finding.id.slice(0, SHORT_ID_LENGTH)}` : ''}`, DIM)}`,
    ].join('  ');
  };

  // Sorted by score, ties in the usual order (file, place, rule): the severity groups' order within each.
  const prioritized = active.flatMap((group) => group.findings).sort(byPriority);
  const sections: string[] = byScore ? (prioritized.length > 0 ? [prioritized.map(line).join('\n')] : []) : active.map((group) => group.findings.map(line).join('\n'));
  if (active.length === 0) sections.push('No findings.');
  if (suppressed.length > 0) {
    const lines = suppressed.map((finding) => `${line(finding)}\n${' '.repeat(severityWidth + 2 + (byScore ? scoreWidth + 2 : 0))}${paint(suppressionNote(finding), DIM)}`);
    sections.push([`Suppressed (${suppressed.length}):`, ...lines].join('\n'));
  }
  if (result.goals) sections.push(goalsSection(result, paint));
  const attackPaths = reportAttackPaths(result, locator(result.root, result.lineIndex));
  if (attackPaths && attackPaths.length > 0) sections.push(attackPathsSection(attackPaths, paint));
  if (options.fullCoverage) sections.push(['Coverage:', ...coverageDetail(result.coverage)].join('\n'));
  const coverageLines = options.fullCoverage ? [] : coverageSummary(result.coverage, ' (--coverage lists them)');
  sections.push([summaryLine(summarize(result)), ...coverageLines, ...snapshotNotices(result).map(oneLine), ...assumptionsOf(result).map((assumption) => `Assumed: ${oneLine(assumption)}`)].join('\n'));
  return sections.join('\n\n') + '\n';
}

const GOAL_COLOR = { met: '32', 'not-met': '1;31', 'not-evaluated': '33' } as const;

/** The goals alone (`apim-posture goals`). */
export function formatGoals(result: ScanResult, options: Pick<TableOptions, 'color'> = {}): string {
  const paint = (text: string, code: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  return goalsSection(result, paint) + '\n';
}

/** Where the goals come from when it is not the repository's list, each goal on a line with its status, then, under a goal not met, what keeps it from being met. */
function goalsSection(result: ScanResult, paint: (text: string, code: string) => string): string {
  const goals = result.goals ?? [];
  const origin = goalsOriginNote(result.goalsSource, goals.length);
  if (goals.length === 0) return origin ?? '';
  const width = Math.max(...goals.map((goal) => goalStatusText(goal).length));
  const lines = [...(origin ? [origin] : []), `Goals (${goals.filter((goal) => goal.met).length} of ${goals.length} met):`];
  for (const goal of goals) {
    lines.push(`${paint(goalStatusText(goal).padEnd(width), GOAL_COLOR[goal.status])}  ${oneLine(goalLine(goal))}  ${paint(`[${goal.id}]`, DIM)}`);
    const indent = ' '.repeat(width + 2);
    for (const note of goal.notes) lines.push(`${indent}${paint(oneLine(note), DIM)}`);
    if (goal.status !== 'not-met') continue;
    for (const violation of goal.violations.slice(0, MAX_VIOLATIONS_SHOWN)) {
      const where = locationLabel(relativePath(result.root, violation.location.file), regionOf(result.lineIndex, violation.location));
      lines.push(`${indent}${paint(oneLine(where), DIM)}  ${oneLine(violation.message)}`);
    }
    if (goal.violations.length > MAX_VIOLATIONS_SHOWN) lines.push(`${indent}and ${goal.violations.length - MAX_VIOLATIONS_SHOWN} more (the JSON report lists them all)`);
  }
  return lines.join('\n');
}

/** Defender's attack paths, each on a line with its risk, then its steps the repository declares. */
function attackPathsSection(paths: ReportAttackPath[], paint: (text: string, code: string) => string): string {
  const lines = [`Attack paths (Defender for Cloud, ${paths.length}):`];
  for (const path of paths) {
    lines.push(`${paint((path.riskLevel ?? 'risk?').toUpperCase(), '1')}  ${oneLine(path.title)}`);
    lines.push(`  ${oneLine(attackPathStepsText(path.steps))}`);
    for (const step of path.steps.filter((candidate) => candidate.location)) lines.push(`  ${paint(oneLine(locationLabel(step.location!.file, step.location!)), DIM)}  ${oneLine(step.resource!)}`);
  }
  return lines.join('\n');
}

function suppressionNote(finding: Finding): string {
  const suppression = finding.suppression!;
  return `reason: ${oneLine(suppression.reason)}${suppression.expires ? ` (until ${oneLine(suppression.expires)})` : ''}`;
}

function summaryLine(summary: ReportSummary): string {
  const counts = SEVERITY_ORDER.map((severity) => `${summary.bySeverity[severity]} ${severity}`);
  const findings = `${summary.findings} finding${summary.findings === 1 ? '' : 's'}`;
  const files = `${summary.filesRead} file${summary.filesRead === 1 ? '' : 's'} read`;
  return `${findings} (${counts.join(', ')}), ${summary.suppressed} suppressed; ${files} in ${formatDuration(summary.durationMs)}.`;
}
