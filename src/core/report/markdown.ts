import { SEVERITY_ORDER, type DefenderView, type Finding, type RuleMetadata } from '../findings';
import { locator, reportAttackPaths, reportFinding, reportGoal } from './analysisReport';
import type { ReportAttackPath, ReportFinding, ReportGoal, ReportLocation, ReportRule } from './contract';
import type { GoalsSource } from '../goals/goal';
import { goalsOriginNote, goalsVerdict, goalStatusText, goalTargetText, goalValueText, MAX_VIOLATIONS_SHOWN } from './goals';
import {
  encodeUriPath,
  formatDuration,
  locationLabel,
  oneLine,
  partitionFindings,
  severityLabel,
  summarize,
  TOOL_NAME,
  assumptionsOf,
  attackPathStepsText,
  snapshotNotices,
} from './common';
import { defenderRiskText } from '../findings';
import type { Coverage } from '../coverage';
import { boundedCoverage, coverageSummary } from './coverage';
import type { ScanResult } from './scanResult';

export interface MarkdownOptions {
  /**
   * Prefix of file links, the URL of the scanned folder ending in `/` (in CI, the repository's blob
   * URL at the commit). Without it links are relative to the scanned folder.
   */
  linkBase?: string;
}

/** A Markdown report: a summary table, then findings by severity, then suppressed ones. Fits a CI job summary. */
export function formatMarkdown(result: ScanResult, options: MarkdownOptions = {}): string {
  const summary = summarize(result);
  const rules = new Map(result.rules.map((rule) => [rule.id, rule]));
  const { active, suppressed } = partitionFindings(result.findings);
  const locate = locator(result.root, result.lineIndex);
  const block = (finding: Finding) => findingToMarkdown(reportFinding(finding, locate), rules.get(finding.ruleId), options);

  const parts = [
    `# ${TOOL_NAME} report`,
    [
      '| Severity | Findings |',
      '| --- | ---: |',
      ...SEVERITY_ORDER.map((severity) => `| ${severityLabel(severity)} | ${summary.bySeverity[severity]} |`),
      `| **Total** | **${summary.findings}** |`,
      `| Suppressed | ${summary.suppressed} |`,
    ].join('\n'),
    `${summary.filesRead} files read in ${formatDuration(summary.durationMs)} by ${TOOL_NAME} ${markdownText(result.toolVersion)}.`,
    ...assumptionsOf(result).map((assumption) => `**Assumed:** ${markdownText(assumption)}`),
  ];
  const notices = snapshotNotices(result);
  if (notices.length > 0) parts.push(notices.map(markdownText).join('  \n'));
  if (result.goals) parts.push(...goalsToMarkdown(result.goals.map((goal) => reportGoal(goal, locate)), result.goalsSource, options));
  if (active.length === 0) parts.push('No findings.');
  for (const group of active) {
    parts.push(`## ${severityLabel(group.severity)} (${group.findings.length})`, ...group.findings.map(block));
  }
  if (suppressed.length > 0) parts.push(`## Suppressed (${suppressed.length})`, ...suppressed.map(block));
  const attackPaths = reportAttackPaths(result, locate);
  if (attackPaths) parts.push(...attackPathsToMarkdown(attackPaths, options));
  parts.push('## Coverage', ...coverageToMarkdown(result.coverage));
  return parts.join('\n\n') + '\n';
}

/** Defender's attack paths: each with its risk, its steps and where the repository declares them. */
function attackPathsToMarkdown(paths: ReportAttackPath[], options: MarkdownOptions): string[] {
  if (paths.length === 0) return ['## Attack paths (Defender for Cloud)', 'Defender reports no attack path through the compared services.'];
  return [
    `## Attack paths (Defender for Cloud, ${paths.length})`,
    ...paths.map((path) => {
      const lines = [`**${markdownText(path.riskLevel ?? 'Risk not given')}** · ${markdownText(path.title)}`, '', markdownText(attackPathStepsText(path.steps)), ''];
      if (path.riskFactors.length > 0) lines.push(`- Risk factors: ${markdownText(path.riskFactors.join(', '))}`);
      for (const step of path.steps.filter((candidate) => candidate.location)) {
        lines.push(`- ${codeSpan(step.resource!)}: [${markdownText(locationLabel(step.location!.file, step.location!))}](${options.linkBase ?? ''}${encodeUriPath(step.location!.file)}#L${step.location!.startLine})`);
      }
      if (path.remediation) lines.push(`- Remediation: ${markdownText(path.remediation)}`);
      return lines.join('\n');
    }),
  ];
}

/**
 * The goals summary of a CI job or a pull-request comment (`apim-posture goals --format markdown`,
 * `scan --summary file`): the findings in one line, the goals, and whether they fail the scan.
 */
export function formatGoalsSummary(result: ScanResult, options: MarkdownOptions & { everyGoalBlocks?: boolean } = {}): string {
  const summary = summarize(result);
  const goals = result.goals ?? [];
  const locate = locator(result.root, result.lineIndex);
  const bySeverity = SEVERITY_ORDER.map((severity) => `${summary.bySeverity[severity]} ${severityLabel(severity).toLowerCase()}`).join(', ');
  const parts = [
    `# ${TOOL_NAME}`,
    `${summary.findings} ${summary.findings === 1 ? 'finding' : 'findings'} (${bySeverity}), ${summary.suppressed} suppressed.`,
    ...goalsToMarkdown(goals.map((goal) => reportGoal(goal, locate)), result.goalsSource, options),
  ];
  if (goals.length > 0) parts.push(`**${markdownText(goalsVerdict(goals, options.everyGoalBlocks))}**`);
  return parts.join('\n\n') + '\n';
}

const GOAL_ICON = { met: '✅', 'not-met': '❌', 'not-evaluated': '⚠️' } as const;

/** Where the goals come from when it is not the repository's list, the goals as a table (status, goal, value, target), then what keeps each unmet goal from being met. */
export function goalsToMarkdown(goals: ReportGoal[], source: GoalsSource | undefined, options: MarkdownOptions = {}): string[] {
  const link = (location: ReportLocation) => `[${markdownText(locationLabel(location.file, location))}](${options.linkBase ?? ''}${encodeUriPath(location.file)}#L${location.startLine})`;
  const origin = goalsOriginNote(source, goals.length);
  if (goals.length === 0) return origin ? ['## Goals', markdownText(origin)] : [];
  const parts = [
    `## Goals (${goals.filter((goal) => goal.met).length} of ${goals.length} met)`,
    ...(origin ? [markdownText(origin)] : []),
    [
      '| | Goal | Value | Target |',
      '| --- | --- | ---: | --- |',
      ...goals.map((goal) => `| ${GOAL_ICON[goal.status]} ${goalStatusText(goal)} | ${markdownText(goal.title)}${goal.blocking ? ' (blocking)' : ''} ${codeSpan(goal.id)} | ${goalValueText(goal)} | ${markdownText(goalTargetText(goal))} |`),
    ].join('\n'),
  ];
  for (const goal of goals.filter((candidate) => candidate.status !== 'met')) {
    const lines = [`**${markdownText(goal.title)}** ${codeSpan(goal.id)}: ${goal.status === 'not-evaluated' ? `not evaluated: ${markdownText(goal.reason ?? '')}` : `${goalValueText(goal)}, target ${markdownText(goalTargetText(goal))}`}`, ''];
    for (const note of goal.notes) lines.push(`- ${markdownText(note)}`);
    for (const violation of goal.violations.slice(0, MAX_VIOLATIONS_SHOWN)) lines.push(`- ${link(violation.location)} ${codeSpan(violation.resource)}: ${markdownText(violation.message)}`);
    if (goal.violations.length > MAX_VIOLATIONS_SHOWN) lines.push(`- and ${goal.violations.length - MAX_VIOLATIONS_SHOWN} more`);
    parts.push(lines.join('\n').trimEnd());
  }
  return parts;
}

/** What was read and what was not: the summary, then each list cut to a bound (a job summary has a size limit). */
function coverageToMarkdown(coverage: Coverage): string[] {
  const bounded = boundedCoverage(coverage);
  const list = (title: string, entries: string[], omitted: number | undefined) =>
    entries.length === 0 ? [] : [`**${title}:**\n\n${[...entries, ...(omitted ? [`and ${omitted} more`] : [])].map((entry) => `- ${entry}`).join('\n')}`];
  return [
    coverageSummary(coverage).map(markdownText).join('  \n'),
    ...list('Not read', bounded.notRead.map((entry) => `${codeSpan(entry.file)}: ${markdownText(entry.reason)}`), bounded.notReadOmitted),
    ...list('Excluded', bounded.excluded.map(codeSpan), bounded.excludedOmitted),
    ...list('Skipped', bounded.skipped.map((entry) => `${codeSpan(entry.path)}: ${markdownText(entry.reason)}`), bounded.skippedOmitted),
  ];
}

/** One finding as a Markdown block: what, where, the Defender recommendation it predicts, related locations, fixes and suppression. */
export function findingToMarkdown(finding: ReportFinding, rule: ReportRule | RuleMetadata | undefined, options: MarkdownOptions = {}): string {
  const link = (location: ReportLocation) => `[${markdownText(locationLabel(location.file, location))}](${options.linkBase ?? ''}${encodeUriPath(location.file)}#L${location.startLine})`;
  const title = rule ? `[${markdownText(rule.title)}](${rule.helpUri})` : markdownText(finding.ruleId);
  const lines = [
    `**${severityLabel(finding.severity)}** · ${title} ${codeSpan(finding.ruleId)}`,
    '',
    markdownText(finding.message),
    '',
    `- Location: ${link(finding.location)}`,
    `- Resource: ${codeSpan(finding.resource)}`,
  ];
  if (finding.service !== undefined) lines.push(`- Service: ${codeSpan(finding.service)}`);
  if (rule?.defender) {
    lines.push(`- Defender for Cloud: ${markdownText(rule.defender.displayName)} (${rule.defender.severity})`);
  }
  if (finding.defender) lines.push(`- Reported by: ${finding.sources.map((source) => SOURCE_WORDS[source]).join(' and ')}: ${defenderStatus(finding.defender)}`);
  if (finding.defender?.risk) lines.push(`- Defender's risk: ${markdownText(defenderRiskText(finding.defender.risk))}`);
  for (const related of finding.related) lines.push(`- Related: ${link(related.location)}: ${markdownText(related.message)}`);
  if (finding.relatedOmitted) lines.push(`- Related: and ${finding.relatedOmitted} more`);
  for (const fix of finding.fixes) lines.push(`- Fix: ${markdownText(fix.title)}`);
  if (rule) lines.push(`- Remediation: ${markdownText(rule.remediation)}`);
  if (finding.suppression) {
    const { reason, expires } = finding.suppression;
    lines.push(`- Suppressed: ${markdownText(reason)}${expires ? ` (until ${markdownText(expires)})` : ''}`);
  }
  return lines.join('\n');
}

const SOURCE_WORDS = { predicted: 'the files', observed: 'Azure' } as const;

/** `Unhealthy since 2026-04-20, first assessed 2026-02-02 ([in the portal](…))`. */
function defenderStatus(defender: DefenderView): string {
  const day = (time: string | undefined) => time?.slice(0, 10);
  return [
    markdownText(defender.status),
    defender.statusChangeDate && ` since ${markdownText(day(defender.statusChangeDate)!)}`,
    defender.firstEvaluationDate && `, first assessed ${markdownText(day(defender.firstEvaluationDate)!)}`,
    // Already percent-encoded (https only); parentheses would end the link.
    defender.portalUri && ` ([in the portal](${defender.portalUri.replace(/\(/g, '%28').replace(/\)/g, '%29')}))`,
  ]
    .filter(Boolean)
    .join('');
}

/**
 * Text as inline Markdown that renders as itself: on one line, with the characters that would make
 * emphasis, links, HTML or table cells escaped. Code spans written in the text (`validate-jwt`) are
 * kept, since rule texts and messages use them for policy and property names.
 */
export function markdownText(text: string): string {
  return oneLine(text)
    .split(/(`[^`]+`)/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/[\\`*_[\]<>|~&]/g, '\\$&')))
    .join('');
}

/** A code span that holds any text, backticks included (CommonMark: a longer fence, padded). */
export function codeSpan(text: string): string {
  const line = oneLine(text);
  const longestRun = Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = longestRun > 0 ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}
