// The HTML report: one self-contained page read from the analysis contract alone (contract.ts), so that
// the CLI writes it to a file and the editor's Posture dashboard can show the same page in a webview.
// No external asset and no script of its own: CSS inline, charts as inline SVG, collapsible parts as
// <details>. Everything that comes from the files (names, paths, messages) is escaped.
import { createHash } from 'crypto';
import { SEVERITY_ORDER } from '../findings';
import type { AnalysisReport, ReportApi, ReportFinding, ReportGoal, ReportLocation, ReportOperation, ReportPriority, ReportRule, TrendPoint } from './contract';
import { attackGraph } from '../paths/attackGraph';
import { apiIdOf } from '../model';
import { byPriority } from '../priority/priority';
import { ATTACK_GRAPH_CSS, renderAttackGraphSvg } from '../paths/renderGraph';
import { escapeHtml, formatDuration, locationLabel, oneLine, severityLabel, TOOL_NAME } from './common';
import { boundedCoverage, coverageSummary } from './coverage';
import { goalTargetText, goalValueText } from './goals';
import { EXPOSURE_LABEL, EXPOSURES, gauge, heatMap, sensitivityWord, severityBar, shareBar, findingsTrend, goalsTrend, type Exposure, type HeatRow } from './htmlCharts';

/**
 * `file`: a page to open from disk, under a strict Content-Security-Policy (nothing loads, nothing runs).
 * `webview`: a page for a VS Code webview: every item with a place carries `data-open="file#line"`
 * (the file relative to the scanned folder) and a link the host's `script` can act on; the policy allows
 * the host's resources (`cspSource`) and the one script given, under `nonce`.
 */
export type HtmlOptions = { mode: 'file' } | { mode: 'webview'; nonce: string; cspSource: string; script?: string; codicons?: string };

/** How many findings the "Fix first" list shows. */
export const FIX_FIRST_COUNT = 10;

/**
 * The findings to fix first, most urgent first: unsuppressed ones by priority, then severity, rule and
 * place (a finding without a priority counts as 0). The one place that decides the page's order.
 */
export function fixFirstOrder(findings: readonly ReportFinding[]): ReportFinding[] {
  const rank = (finding: ReportFinding) => SEVERITY_ORDER.indexOf(finding.severity);
  return findings
    .filter((finding) => !finding.suppression)
    .sort((a, b) => byPriority(a, b) || rank(a) - rank(b) || compare(a.ruleId, b.ruleId) || compare(a.location.file, b.location.file) || a.location.startLine - b.location.startLine);
}

// Code-unit order: the page must not change with the machine's locale.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Text from the report: on one line, escaped, its `code spans` as <code>. */
function text(value: string): string {
  return oneLine(value)
    .split(/`([^`]+)`/)
    .map((part, index) => (index % 2 === 1 ? `<code>${escapeHtml(part)}</code>` : escapeHtml(part)))
    .join('');
}

/** A name or path from the files: on one line, escaped, as code. */
function code(value: string): string {
  return `<code>${escapeHtml(oneLine(value))}</code>`;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

export function formatHtml(report: AnalysisReport, options: HtmlOptions = { mode: 'file' }): string {
  const page = new Page(report, options);
  const folder = oneLine(report.root.split(/[\\/]/).filter(Boolean).pop() ?? report.root);
  const css = stylesheet(options.mode);
  const styleAttributes = options.mode === 'webview' ? ` nonce="${escapeHtml(options.nonce)}"` : '';
  const script = options.mode === 'webview' && options.script ? `<script nonce="${escapeHtml(options.nonce)}">${options.script.replace(/<\/script/gi, '<\\/script')}</script>` : '';
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(options, css))}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<title>${escapeHtml(`${TOOL_NAME} report: ${folder}`)}</title>`,
    `<style${styleAttributes}>${css}</style>`,
    // The icon font's stylesheet, from the extension (the policy allows the host's resources).
    options.mode === 'webview' && options.codicons ? `<link rel="stylesheet" href="${escapeHtml(options.codicons)}">` : '',
    '</head>',
    '<body>',
    '<a class="skip" href="#main">Skip to the report</a>',
    page.header(folder),
    page.navigation(),
    '<main id="main">',
    page.goals(),
    page.coverage(),
    page.exposure(),
    page.risk(),
    page.trend(),
    page.fixFirst(),
    page.attackPaths(),
    page.findings(),
    page.drift(),
    '</main>',
    `<footer><p>${escapeHtml(`${TOOL_NAME} ${report.version}`)} · report contract version ${report.contractVersion} · the JSON report (<code>--format json</code>) holds all of it as data.</p></footer>`,
    script,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** File mode: only this stylesheet applies (by its hash); no script, no request. */
function contentSecurityPolicy(options: HtmlOptions, css: string): string {
  if (options.mode === 'webview') {
    const nonce = `'nonce-${options.nonce}'`;
    return `default-src 'none'; img-src ${options.cspSource} data:; style-src ${options.cspSource} ${nonce}; script-src ${nonce}; font-src ${options.cspSource}`;
  }
  const hash = createHash('sha256').update(css, 'utf8').digest('base64');
  return `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`;
}

const SECTIONS = [
  ['goals', 'Goals'],
  ['coverage', 'Coverage'],
  ['exposure', 'Exposure'],
  ['risk', 'Risk'],
  ['trend', 'Trend'],
  ['fix-first', 'Fix first'],
  ['attack-paths', 'Attack paths'],
  ['findings', 'Findings'],
  ['drift', 'Drift'],
] as const;

const GOAL_STATUS = { met: ['✓', 'Met'], 'not-met': ['✗', 'Not met'], 'not-evaluated': ['?', 'Not evaluated'] } as const;
/** The codicon of each status where the page has VS Code's icon font (the dashboard). */
const GOAL_CODICON = { met: 'pass', 'not-met': 'error', 'not-evaluated': 'question' } as const;

/** Exposure of an operation to callers: a token on every keyless call, else a subscription key, else neither. */
function exposureOf(operation: ReportOperation): Exposure {
  if (operation.authentication.policies.some((use) => !use.conditional)) return 'token';
  return operation.authentication.keyless ? 'keyless' : 'key';
}

class Page {
  private readonly rules: Map<string, ReportRule>;
  private readonly apis: { service?: string; api: ReportApi }[];

  constructor(
    private readonly report: AnalysisReport,
    private readonly options: HtmlOptions,
  ) {
    this.rules = new Map(report.rules.map((rule) => [rule.id, rule]));
    this.apis = report.services.flatMap((service) => service.apis.map((api) => ({ service: service.label, api })));
  }

  /** ` data-open="file#line"` on an item in a webview, nothing in a file. */
  private opens(location: ReportLocation): string {
    return this.options.mode === 'webview' ? ` data-open="${escapeHtml(`${location.file}#${location.startLine}`)}"` : '';
  }

  /** `file:line:col`, relative to the scanned folder; a link the webview's script opens. */
  private where(location: ReportLocation): string {
    const label = escapeHtml(oneLine(locationLabel(location.file, location)));
    return this.options.mode === 'webview' ? `<a class="loc" href="#"${this.opens(location)}>${label}</a>` : `<code class="loc">${label}</code>`;
  }

  header(folder: string): string {
    const { summary } = this.report;
    const counts = SEVERITY_ORDER.map((severity) => `<li><span class="sev sev-${severity}">${severityLabel(severity)}</span> ${summary.bySeverity[severity]}</li>`).join('');
    return [
      '<header>',
      `<h1>${escapeHtml(TOOL_NAME)} report <span class="folder">${escapeHtml(folder)}</span></h1>`,
      `<p class="meta">${plural(summary.filesRead, 'file')} read in ${formatDuration(summary.durationMs)} · ${plural(summary.findings, 'finding')} · ${summary.suppressed} suppressed</p>`,
      `<ul class="counts" aria-label="Findings by severity">${counts}<li><span class="sev sev-suppressed">Suppressed</span> ${summary.suppressed}</li></ul>`,
      severityBar(summary.bySeverity),
      '</header>',
    ].join('\n');
  }

  navigation(): string {
    const links = SECTIONS.filter(([id]) => id !== 'drift' || this.report.snapshot).map(([id, title]) => `<li><a href="#${id}">${title}</a></li>`);
    return `<nav aria-label="Sections"><ul>${links.join('')}</ul></nav>`;
  }

  goals(): string {
    const goals = this.report.goals;
    if (!goals || goals.length === 0) {
      return section('goals', 'Goals', '<p class="empty">No posture goals: <code>.apim-posture.json</code> declares none.</p>');
    }
    const met = goals.filter((goal) => goal.met).length;
    return section('goals', `Goals (${met} of ${goals.length} met)`, `<div class="cards">${goals.map((goal) => this.goal(goal)).join('\n')}</div>`);
  }

  private goal(goal: ReportGoal): string {
    const [symbol, word] = GOAL_STATUS[goal.status];
    const mark = this.options.mode === 'webview' && this.options.codicons ? `<span class="codicon codicon-${GOAL_CODICON[goal.status]}" aria-hidden="true"></span>` : symbol;
    const measure =
      goal.status === 'not-evaluated'
        ? `<p class="reason">${text(goal.reason ?? 'not evaluated')}</p>`
        : `<p class="measure"><span class="value">${escapeHtml(goalValueText(goal))}</span> <span class="target">target ${escapeHtml(goalTargetText(goal))}</span></p>` +
          (goal.unit === 'share' && goal.value !== undefined ? shareBar(`${goal.title}: ${goalValueText(goal)}, target ${goalTargetText(goal)}`, goal.value, goal.target, goal.met) : '');
    const notes = goal.notes.length > 0 ? `<ul class="notes">${goal.notes.map((note) => `<li>${text(note)}</li>`).join('')}</ul>` : '';
    const violations =
      goal.violations.length === 0
        ? ''
        : `<details class="violations"><summary>${plural(goal.violations.length, 'violation')}</summary><ul>${goal.violations
            .map(
              (violation) =>
                `<li${this.opens(violation.location)}>${this.where(violation.location)} ${code(violation.resource)}${violation.service !== undefined ? ` in ${code(violation.service)}` : ''}: ${text(violation.message)}</li>`,
            )
            .join('')}</ul></details>`;
    return [
      `<article class="goal goal-${goal.status}" data-goal="${escapeHtml(goal.id)}" data-status="${goal.status}"${goal.location ? this.opens(goal.location) : ''}>`,
      `<h3>${text(goal.title)}</h3>`,
      `<p class="status"><span class="badge badge-${goal.status}">${mark} ${word}</span>${goal.blocking ? ' <span class="badge badge-blocking">Blocking</span>' : ''}${goal.title === goal.id ? '' : ` ${code(goal.id)}`}</p>`,
      measure,
      notes,
      violations,
      // A goal of the built-in baseline is defined by the tool, not in a file.
      goal.location ? `<p class="defined">Defined at ${this.where(goal.location)}</p>` : '<p class="defined">Built-in baseline</p>',
      '</article>',
    ].join('');
  }

  coverage(): string {
    const { coverage, snapshot } = this.report;
    const operations = this.apis.flatMap(({ api }) => api.operations);
    const authenticated = operations.filter((operation) => operation.authentication.state === 'authenticated').length;
    const mapped = this.apis.filter(({ api }) => api.azure?.onboarded !== undefined);
    const onboarded = mapped.filter(({ api }) => api.azure?.onboarded).length;
    const onboardedCaption =
      mapped.length > 0 ? `${onboarded} of ${mapped.length} deployed APIs` : snapshot ? 'Not known: no API maps to a deployed one' : 'Not known: needs a snapshot of Azure';
    const gauges = [
      figure(gauge('Operations authenticated', authenticated, operations.length, 'good-stroke'), 'Operations authenticated', `${authenticated} of ${plural(operations.length, 'operation')}`),
      figure(gauge('APIs onboarded to Defender for APIs', onboarded, mapped.length, 'good-stroke'), 'APIs onboarded to Defender', onboardedCaption),
      figure(
        gauge('APIM files read', coverage.filesRead, coverage.filesRead + coverage.notRead.length, 'accent-stroke'),
        'Files read',
        `${coverage.filesRead} read, ${coverage.notRead.length} APIM ${coverage.notRead.length === 1 ? 'file' : 'files'} not read`,
      ),
    ];
    const bounded = boundedCoverage(coverage);
    const more = (omitted: number | undefined) => (omitted ? `<li>and ${omitted} more (the JSON report lists them all)</li>` : '');
    const list = (title: string, count: number, items: string[], omitted: number | undefined) =>
      count === 0 ? '' : `<details class="coverage-list"><summary>${title} (${count})</summary><ul>${items.join('')}${more(omitted)}</ul></details>`;
    const assumptions = [...new Set([...(this.report.assumptions ?? []), ...coverage.assumptions])];
    const snapshotNotes = snapshot
      ? `<ul>${snapshot.notices.map((notice) => `<li>${text(notice)}</li>`).join('')}</ul>`
      : "<p>No snapshot of Azure was read: Defender's own findings, onboarding and drift are not known (<code>apim-posture snapshot export</code> takes one).</p>";
    return section(
      'coverage',
      'Coverage',
      [
        `<div class="gauges">${gauges.join('')}</div>`,
        '<h3>What was read</h3>',
        `<ul class="summary-lines">${coverageSummary(coverage).map((line) => `<li>${text(line)}</li>`).join('')}</ul>`,
        list('Not read', coverage.notRead.length, bounded.notRead.map((entry) => `<li>${code(entry.file)}: ${text(entry.reason)}</li>`), bounded.notReadOmitted),
        list('Excluded by the exclude setting', coverage.excluded.length, bounded.excluded.map((entry) => `<li>${code(entry)}</li>`), bounded.excludedOmitted),
        list('Skipped', coverage.skipped.length, bounded.skipped.map((entry) => `<li>${code(entry.path)}: ${text(entry.reason)}</li>`), bounded.skippedOmitted),
        '<h3>Assumptions</h3>',
        assumptions.length > 0 ? `<ul>${assumptions.map((assumption) => `<li>${text(assumption)}</li>`).join('')}</ul>` : '<p>None: the files said everything the analysis needed.</p>',
        '<h3>Snapshot of Azure</h3>',
        snapshotNotes,
      ].join('\n'),
    );
  }

  exposure(): string {
    if (this.apis.length === 0) return section('exposure', 'Exposure and sensitive data', '<p class="empty">No APIs were read.</p>');
    const rows: HeatRow[] = this.apis.map(({ service, api }) => {
      const cells = Object.fromEntries(EXPOSURES.map((exposure) => [exposure, { operations: 0 }])) as HeatRow['cells'];
      for (const operation of api.operations) {
        const cell = cells[exposureOf(operation)];
        cell.operations++;
        if (operation.sensitivity === 'high' || (operation.sensitivity === 'medium' && !cell.sensitivity)) cell.sensitivity = operation.sensitivity;
      }
      return { label: oneLine(service !== undefined ? `${service}: ${api.name}` : api.name), cells };
    });
    const legend = (['high', 'medium', 'none'] as const)
      .map((tone) => `<li><svg class="swatch" aria-hidden="true" width="14" height="14"><rect class="heat-${tone}" width="14" height="14" rx="3"/></svg> ${tone === 'none' ? 'no sensitive data' : sensitivityWord(tone)}</li>`)
      .join('');
    const table = [
      '<table><thead><tr><th scope="col">API</th>',
      ...EXPOSURES.map((exposure) => `<th scope="col">${EXPOSURE_LABEL[exposure]}</th>`),
      '</tr></thead><tbody>',
      ...rows.map(
        (row) =>
          `<tr><th scope="row">${escapeHtml(row.label)}</th>${EXPOSURES.map((exposure) => {
            const cell = row.cells[exposure];
            return `<td>${cell.operations === 0 ? '–' : `${cell.operations} (${sensitivityWord(cell.sensitivity)})`}</td>`;
          }).join('')}</tr>`,
      ),
      '</tbody></table>',
    ].join('');
    const withoutOperations = rows.filter((row) => EXPOSURES.every((exposure) => row.cells[exposure].operations === 0)).map((row) => code(row.label));
    return section(
      'exposure',
      'Exposure and sensitive data',
      [
        '<p>Operations per API by how a call without a subscription key gets in: <strong>keyless</strong> (no key, and no token checked on every call), <strong>subscription key</strong> (a key is required), <strong>token</strong> (a token is validated on every keyless call). The colour is the most sensitive data the operations carry.</p>',
        `<div class="scroll">${heatMap(rows)}</div>`,
        `<ul class="legend" aria-label="Legend">${legend}</ul>`,
        withoutOperations.length > 0 ? `<p>No operations read (not an OpenAPI API, or no spec): ${withoutOperations.join(', ')}.</p>` : '',
        `<details><summary>The heat map as a table</summary>${table}</details>`,
      ].join('\n'),
    );
  }

  /** Each API's risk (its riskiest operation's exploitability × impact), riskiest first, with the factors. */
  risk(): string {
    if (this.apis.length === 0) return section('risk', 'Risk per API', '<p class="empty">No APIs were read.</p>');
    const ranked = [...this.apis].sort((a, b) => b.api.risk.score - a.api.risk.score || compare(a.api.name, b.api.name));
    // Counted in one pass over the findings, by service and API: an estate has thousands of each.
    const counts = new Map<string, number>();
    const key = (service: string | undefined, apiId: string) => `${service ?? ''}\u0000${apiId}`;
    for (const finding of this.report.findings) {
      const apiId = finding.suppression ? undefined : apiIdOf(finding.resource);
      if (apiId !== undefined) counts.set(key(finding.service, apiId), (counts.get(key(finding.service, apiId)) ?? 0) + 1);
    }
    const rows = ranked.map(({ service, api }) => {
      const label = oneLine(service !== undefined ? `${service}: ${api.displayName ?? api.name}` : (api.displayName ?? api.name));
      const operation = api.risk.operation?.startsWith(`${api.id}/operations/`) ? api.risk.operation.slice(`${api.id}/operations/`.length) : api.risk.operation;
      const notes = api.risk.notes.length > 0 ? `<br><span class="muted">Not weighed: ${text(api.risk.notes.join('; '))}</span>` : '';
      return [
        '<tr>',
        `<th scope="row">${this.options.mode === 'webview' ? `<a href="#"${this.opens(api.location)}>${escapeHtml(label)}</a>` : escapeHtml(label)}<br>${code(api.id)}</th>`,
        `<td class="num">${riskMeter(api.risk.score)}</td>`,
        `<td>${operation ? code(operation) : '–'}</td>`,
        `<td>${factorsText(api.risk)}${notes}</td>`,
        `<td class="num">${counts.get(key(service, api.id)) ?? 0}</td>`,
        '</tr>',
      ].join('');
    });
    return section(
      'risk',
      'Risk per API',
      [
        '<p>What a flaw of high severity would rank on each API: its riskiest operation\'s exploitability (how a call from the internet gets in) × impact (the data it carries, writes, the backend behind it), from 0 to 100. Riskiest first.</p>',
        `<div class="scroll"><table class="risk-table"><thead><tr><th scope="col">API</th><th scope="col">Risk</th><th scope="col">Riskiest operation</th><th scope="col">Factors</th><th scope="col">Findings</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`,
      ].join('\n'),
    );
  }

  trend(): string {
    const points = this.report.trend ?? [];
    if (points.length === 0) return section('trend', 'Trend', '<p class="empty">No history: this report measures the files as they are now, with no earlier commits to compare.</p>');
    const legend = SEVERITY_ORDER.map((severity) => `<li><svg class="swatch" aria-hidden="true" width="18" height="6"><rect class="trend-${severity}-dot" width="18" height="6"/></svg> ${severityLabel(severity)}</li>`).join('');
    const row = (point: TrendPoint) =>
      `<tr><td>${escapeHtml(point.date.slice(0, 10))}</td><td>${code(point.commit.slice(0, 12))}</td>${SEVERITY_ORDER.map((severity) => `<td>${point.findings[severity]}</td>`).join('')}<td>${point.goalsMet}${point.goals !== undefined ? ` of ${point.goals}` : ''}</td></tr>`;
    const table = `<table><thead><tr><th scope="col">Date</th><th scope="col">Commit</th>${SEVERITY_ORDER.map((severity) => `<th scope="col">${severityLabel(severity)}</th>`).join('')}<th scope="col">Goals met</th></tr></thead><tbody>${points.map(row).join('')}</tbody></table>`;
    return section(
      'trend',
      `Trend (${plural(points.length, 'commit')})`,
      [
        '<h3>Findings</h3>',
        `<div class="scroll">${findingsTrend(points)}</div>`,
        `<ul class="legend" aria-label="Legend">${legend}</ul>`,
        '<h3>Goals met</h3>',
        `<div class="scroll">${goalsTrend(points)}</div>`,
        `<details><summary>The trend as a table</summary>${table}</details>`,
      ].join('\n'),
    );
  }

  fixFirst(): string {
    const first = fixFirstOrder(this.report.findings).slice(0, FIX_FIRST_COUNT);
    if (first.length === 0) return section('fix-first', 'Fix first', '<p class="empty">Nothing to fix: no unsuppressed findings.</p>');
    const items = first.map((finding) => {
      const rule = this.rules.get(finding.ruleId);
      const preferred = finding.fixes.find((fix) => fix.preferred) ?? finding.fixes[0];
      return [
        `<li class="fix-first" data-fix-first="${escapeHtml(finding.id)}"${this.opens(finding.location)}>`,
        `<p><span class="sev sev-${finding.severity}">${severityLabel(finding.severity)}</span>${finding.priority ? ` <span class="badge badge-priority">Priority ${finding.priority.score}</span>` : ''} <strong>${text(rule?.title ?? finding.ruleId)}</strong> ${this.where(finding.location)}</p>`,
        `<p>${text(finding.message)}</p>`,
        finding.priority ? `<p class="factors">${factorsText(finding.priority)}</p>` : '',
        `<p class="remedy"><strong>Remediation:</strong> ${text(finding.remediation)}</p>`,
        `<p class="quick-fix">${preferred ? `<span class="badge badge-fix">Quick fix</span> ${text(preferred.title)}${finding.fixes.length > 1 ? ` (and ${finding.fixes.length - 1} more)` : ''}` : '<span class="badge badge-none">No quick fix</span>'}</p>`,
        '</li>',
      ].join('');
    });
    const active = this.report.summary.findings;
    return section('fix-first', 'Fix first', `<p>The ${plural(first.length, 'finding')} to fix first of ${active}, highest priority first (severity × how reachable × what is at stake).</p><ol class="fix-list">${items.join('\n')}</ol>`);
  }

  findings(): string {
    const findings = this.report.findings;
    if (findings.length === 0) return section('findings', 'Findings', '<p class="empty">No findings.</p>');
    const parts: string[] = [];
    for (const severity of SEVERITY_ORDER) {
      const ofSeverity = findings.filter((finding) => !finding.suppression && finding.severity === severity);
      if (ofSeverity.length > 0) parts.push(`<h3 id="severity-${severity}" data-count="${ofSeverity.length}">${severityLabel(severity)} (${ofSeverity.length})</h3>`, this.byRule(ofSeverity));
    }
    const suppressed = findings.filter((finding) => finding.suppression);
    if (suppressed.length > 0) parts.push(`<h3 id="suppressed" data-count="${suppressed.length}">Suppressed (${suppressed.length})</h3>`, this.byRule(suppressed));
    const { findings: active, suppressed: suppressedCount } = this.report.summary;
    return section('findings', `Findings (${active}${suppressedCount > 0 ? `, and ${suppressedCount} suppressed` : ''})`, parts.join('\n'));
  }

  /** One collapsible group per rule, in rule order; each finding with its place, resource, message and remediation. */
  private byRule(findings: ReportFinding[]): string {
    const groups = new Map<string, ReportFinding[]>();
    for (const finding of findings) groups.set(finding.ruleId, [...(groups.get(finding.ruleId) ?? []), finding]);
    return [...groups]
      .sort(([a], [b]) => compare(a, b))
      .map(([ruleId, members]) => {
        const rule = this.rules.get(ruleId);
        const defender = rule?.defender ? `<p class="defender">Defender for Cloud: ${text(rule.defender.displayName)} (${escapeHtml(rule.defender.severity)})</p>` : '';
        return `<details class="rule-group"><summary><strong>${text(rule?.title ?? ruleId)}</strong> ${code(ruleId)} <span class="count">${members.length}</span></summary>${defender}<ul class="finding-list">${members.map((finding) => this.finding(finding)).join('\n')}</ul></details>`;
      })
      .join('\n');
  }

  private finding(finding: ReportFinding): string {
    const related = finding.related.map((entry) => `<li>${this.where(entry.location)}: ${text(entry.message)}</li>`);
    if (finding.relatedOmitted) related.push(`<li>and ${finding.relatedOmitted} more</li>`);
    const fixes = finding.fixes.length > 0 ? `<p class="quick-fix"><span class="badge badge-fix">Quick fix</span> ${finding.fixes.map((fix) => text(fix.title)).join('; ')}</p>` : '';
    const defender = finding.defender
      ? `<p class="defender">${finding.sources.length > 1 ? 'Also reported by Defender for APIs' : 'Reported by Defender for APIs'}: ${text(finding.defender.status)}${finding.defender.statusChangeDate ? ` since ${escapeHtml(finding.defender.statusChangeDate.slice(0, 10))}` : ''}</p>`
      : '';
    const suppression = finding.suppression
      ? `<p class="suppression">Suppressed: ${text(finding.suppression.reason)}${finding.suppression.expires ? ` (until ${escapeHtml(finding.suppression.expires)})` : ''}, at ${this.where(finding.suppression.location)}</p>`
      : '';
    return [
      `<li class="finding" data-finding="${escapeHtml(finding.id)}" data-severity="${finding.severity}"${this.opens(finding.location)}>`,
      `<p class="where">${this.where(finding.location)} ${code(finding.resource)}${finding.service !== undefined ? ` in ${code(finding.service)}` : ''}</p>`,
      `<p>${text(finding.message)}</p>`,
      `<p class="remedy"><strong>Remediation:</strong> ${text(finding.remediation)}</p>`,
      fixes,
      defender,
      related.length > 0 ? `<ul class="related">${related.join('')}</ul>` : '',
      suppression,
      '</li>',
    ].join('');
  }

  /** The attack graph of the whole service (the editor's Show Attack Paths draws one API's), then the same in words. */
  attackPaths(): string {
    const graph = attackGraph(this.report);
    const open = graph.openPaths.length > 0 ? `<ul>${graph.openPaths.map((line) => `<li>${text(line)}</li>`).join('')}</ul>` : '<p class="empty">No way in without authentication is predicted.</p>';
    const observed = graph.observed.map((path) => `<li><strong>${escapeHtml(path.riskLevel ?? 'Risk not given')}</strong> · ${text(path.title)}${path.riskFactors.length > 0 ? ` (${text(path.riskFactors.join(', '))})` : ''}</li>`);
    return section(
      'attack-paths',
      'Attack paths',
      [
        `<div class="graph">${renderAttackGraphSvg(graph, { interactive: this.options.mode === 'webview' })}</div>`,
        `<h3>Ways in without authentication (${graph.openPaths.length})</h3>`,
        open,
        `<h3>Defender's attack paths (${graph.observed.length})</h3>`,
        observed.length > 0 ? `<ul>${observed.join('')}</ul>` : `<p class="empty">${this.report.attackPaths ? 'Defender reports none.' : 'Not known: no snapshot of Azure, or it did not read them.'}</p>`,
        `<p class="note">${graph.notes.map(text).join(' ')}</p>`,
      ].join('\n'),
    );
  }

  drift(): string {
    if (!this.report.snapshot) return '';
    const drift = this.report.drift;
    if (drift.length === 0) return section('drift', 'Drift between git and Azure', '<p class="empty">None: the repository and the snapshot of Azure agree.</p>');
    const items = drift.map(
      (item) =>
        `<li${this.opens(item.location)}><span class="badge badge-drift">${escapeHtml(item.kind)}</span> ${this.where(item.location)} ${code(item.resource)}${item.service !== undefined ? ` in ${code(item.service)}` : ''}: ${text(item.message)}</li>`,
    );
    return section('drift', `Drift between git and Azure (${drift.length})`, `<ul class="drift-list">${items.join('\n')}</ul>`);
  }
}

/** A priority's factors, largest share first: `callable without a key or token (+32.0)`. */
function factorsText(priority: ReportPriority): string {
  return [...priority.factors]
    .sort((a, b) => b.contribution - a.contribution)
    .map((factor) => `${text(factor.label)} <span class="muted">(+${factor.contribution.toFixed(1)})</span>`)
    .join('; ');
}

/** A score from 0 to 100 as its number and a small bar, the colour by band. */
function riskMeter(score: number): string {
  const band = score >= 50 ? 'bad' : score >= 25 ? 'warn' : 'good';
  return `<span class="risk-score">${score}</span> <svg class="risk-bar" role="img" aria-label="Risk ${score} of 100" width="60" height="8"><rect class="track-fill" width="60" height="8" rx="2"/><rect class="risk-${band}" width="${((Math.max(0, Math.min(100, score)) / 100) * 60).toFixed(1)}" height="8" rx="2"/></svg>`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}" aria-labelledby="${id}-title">\n<h2 id="${id}-title">${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

function figure(chart: string, title: string, caption: string): string {
  return `<figure class="gauge-figure">${chart}<figcaption><strong>${escapeHtml(title)}</strong><br>${text(caption)}</figcaption></figure>`;
}

/** Light colours by default; dark ones when the system asks (a file) or VS Code's theme is dark (a webview). Text contrast at least 4.5:1 in both. */
const LIGHT = `--bg:#ffffff;--fg:#1b1f24;--muted:#57606a;--surface:#f6f8fa;--border:#d0d7de;--accent:#0b5cad;--good:#1a7f37;--bad:#b42318;--warn:#8a5a00;
--sev-high:#b42318;--sev-medium:#9a4a00;--sev-low:#0b5cad;--sev-info:#57606a;--on-sev:#ffffff;
--heat-high:#ffaba3;--heat-medium:#ffd98f;--heat-none:#e3e8ee;--track:#e3e8ee;
--graph-node:#f6f8fa;--graph-border:#8c959f;--graph-text:#1b1f24;--graph-muted:#57606a;--graph-open:#b42318;--graph-warn:#8a5a00;--graph-safe:#1a7f37;--graph-observed:#6f42c1;--graph-focus:#0b5cad;--graph-badge-text:#ffffff;`;
const DARK = `--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--surface:#161b22;--border:#30363d;--accent:#58a6ff;--good:#3fb950;--bad:#f85149;--warn:#d29922;
--sev-high:#ff7b72;--sev-medium:#f0a35a;--sev-low:#79c0ff;--sev-info:#9da7b3;--on-sev:#0d1117;
--heat-high:#8e1b17;--heat-medium:#6b4a00;--heat-none:#2d333b;--track:#2d333b;
--graph-node:#161b22;--graph-border:#6e7681;--graph-text:#e6edf3;--graph-muted:#9da7b3;--graph-open:#f85149;--graph-warn:#d29922;--graph-safe:#3fb950;--graph-observed:#bc8cff;--graph-focus:#58a6ff;--graph-badge-text:#0d1117;`;

/** VS Code's theme variables for the page's roles (a webview's body carries them). */
const VSCODE_THEME = `--bg:var(--vscode-editor-background);--fg:var(--vscode-editor-foreground);--muted:var(--vscode-descriptionForeground);--surface:var(--vscode-editorWidget-background);--border:var(--vscode-panel-border);--accent:var(--vscode-textLink-foreground);--graph-node:var(--vscode-editorWidget-background);--graph-text:var(--vscode-editor-foreground);--graph-focus:var(--vscode-focusBorder);`;

function stylesheet(mode: HtmlOptions['mode']): string {
  // In the editor the page takes the theme's own colours where VS Code names one, over the palette of its kind.
  const themes =
    mode === 'webview'
      ? `body.vscode-light{${LIGHT}}body.vscode-dark,body.vscode-high-contrast{${DARK}}body.vscode-light,body.vscode-dark,body.vscode-high-contrast{${VSCODE_THEME}}`
      : '';
  return `:root{${LIGHT}}@media (prefers-color-scheme:dark){:root{${DARK}}}${themes}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header,nav,main,footer{max-width:1100px;margin:0 auto;padding:0 24px}
header{padding-top:24px}
h1{font-size:1.7rem;margin:0 0 4px}
h1 .folder{color:var(--muted);font-weight:400}
h2{font-size:1.35rem;margin:36px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--border)}
h3{font-size:1.05rem;margin:20px 0 8px}
code{font:0.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--surface);border:1px solid var(--border);border-radius:4px;padding:0 4px;overflow-wrap:anywhere}
a{color:var(--accent)}
a:focus-visible,summary:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:var(--bg);padding:4px 8px}
.meta,.defined,.empty,figcaption{color:var(--muted)}
.counts{list-style:none;display:flex;flex-wrap:wrap;gap:16px;padding:0;margin:12px 0}
.sev,.badge{display:inline-block;border-radius:4px;padding:0 6px;font-size:0.85em;font-weight:600}
.sev{background:var(--sev-info);color:var(--on-sev)}
.sev-high{background:var(--sev-high)}.sev-medium{background:var(--sev-medium)}.sev-low{background:var(--sev-low)}.sev-suppressed{background:transparent;color:var(--fg);border:1px solid var(--border)}
.chart{max-width:100%;height:auto}
.severity-bar{display:block;width:100%;max-width:480px}
rect.sev-high{fill:var(--sev-high)}rect.sev-medium{fill:var(--sev-medium)}rect.sev-low{fill:var(--sev-low)}rect.sev-info{fill:var(--sev-info)}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:6px 18px;padding:8px 0;margin:16px 0 0;border-top:1px solid var(--border);border-bottom:1px solid var(--border)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:14px}
.goal{border:1px solid var(--border);border-left:6px solid var(--muted);border-radius:6px;padding:10px 14px;background:var(--surface)}
.goal h3{margin:0 0 6px}
.goal-met{border-left-color:var(--good)}.goal-not-met{border-left-color:var(--bad)}.goal-not-evaluated{border-left-color:var(--warn)}
.goal p{margin:6px 0}
.status code{white-space:nowrap}
.badge{border:1px solid currentColor}
.badge-met{color:var(--good)}.badge-not-met{color:var(--bad)}.badge-not-evaluated{color:var(--warn)}.badge-blocking{color:var(--fg)}
.badge-fix{color:var(--good)}.badge-none,.badge-drift{color:var(--muted)}.badge-priority{color:var(--accent)}
.muted,.factors{color:var(--muted)}.num{white-space:nowrap}
.risk-good{fill:var(--good)}.risk-warn{fill:var(--warn)}.risk-bad{fill:var(--bad)}.risk-score{display:inline-block;min-width:2ch;text-align:right;font-weight:600}
.value{font-size:1.4rem;font-weight:700}
.target{color:var(--muted)}
.track-fill{fill:var(--track)}.good-fill{fill:var(--good)}.bad-fill{fill:var(--bad)}.target-tick{fill:var(--fg)}
.track{stroke:var(--track)}.good-stroke{stroke:var(--good)}.accent-stroke{stroke:var(--accent)}
.gauge-value{fill:var(--fg);font-size:22px;font-weight:700}
.gauges{display:flex;flex-wrap:wrap;gap:28px}
.gauge-figure{margin:0;display:flex;flex-direction:column;align-items:center;text-align:center;max-width:220px}
.heat-high{fill:var(--heat-high)}.heat-medium{fill:var(--heat-medium)}.heat-none{fill:var(--heat-none)}.heat-empty{fill:none;stroke:var(--border);stroke-dasharray:3 3}
.heat-head{fill:var(--fg);font-size:13px;font-weight:600}.heat-label{fill:var(--fg);font-size:13px}.heat-count{fill:var(--fg);font-size:13px;font-weight:600}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:16px;padding:0;color:var(--muted)}
.scroll{overflow-x:auto}
.axis{stroke:var(--border)}.axis-text{fill:var(--muted);font-size:12px}
.trend-high{stroke:var(--sev-high)}.trend-medium{stroke:var(--sev-medium)}.trend-low{stroke:var(--sev-low)}.trend-info{stroke:var(--sev-info)}.trend-goals{stroke:var(--good)}
.trend-high-dot{fill:var(--sev-high)}.trend-medium-dot{fill:var(--sev-medium)}.trend-low-dot{fill:var(--sev-low)}.trend-info-dot{fill:var(--sev-info)}.trend-goals-dot{fill:var(--good)}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid var(--border);padding:3px 8px;text-align:left}
details{margin:6px 0}
summary{cursor:pointer;padding:4px 0}
.rule-group{border:1px solid var(--border);border-radius:6px;padding:4px 12px;background:var(--surface)}
.count{display:inline-block;min-width:1.6em;text-align:center;border-radius:9px;background:var(--border);padding:0 6px;font-size:0.85em}
.finding-list,.fix-list{padding-left:20px}
.finding,.fix-first{margin:10px 0;padding-bottom:8px;border-bottom:1px solid var(--border)}
.finding:last-child,.fix-first:last-child{border-bottom:0}
.finding p,.fix-first p{margin:3px 0}
.remedy{color:var(--fg)}
.related{color:var(--muted);font-size:0.92em}
.defender,.suppression{color:var(--muted)}
footer{margin-top:40px;padding-bottom:24px;color:var(--muted)}
footer p{border-top:1px solid var(--border);padding-top:12px}
@media print{details{display:block}nav,.skip{display:none}}
.graph{overflow-x:auto}${ATTACK_GRAPH_CSS}`;
}
