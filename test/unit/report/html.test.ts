// The HTML report on the sample (samples/README.md says what each file holds) with the goals of the
// README, and on a repository whose names are markup: its structure, its escaping, that it loads
// nothing, and that it says what the JSON report of the same scan says.
import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Writable } from 'stream';
import { run } from '../../../src/cli/main';
import { SEVERITY_ORDER } from '../../../src/core/findings';
import { toAnalysisReport } from '../../../src/core/report/analysisReport';
import { locationLabel } from '../../../src/core/report/common';
import type { AnalysisReport, ReportFinding } from '../../../src/core/report/contract';
import { FIX_FIRST_COUNT, fixFirstOrder, formatHtml } from '../../../src/core/report/html';
import { formatJson } from '../../../src/core/report/json';
import { scan } from '../../../src/core/scan';

const REPOSITORY = path.join(__dirname, '..', '..', '..');
const SAMPLE = path.join(REPOSITORY, 'samples');
const NOW = new Date('2026-05-05T12:00:00Z');

/** The goals of the README's "Posture goals" section. */
const README_GOALS = JSON.stringify({
  goals: [
    { id: 'all-authenticated', title: 'Every operation requires authentication', metric: 'authenticated-operations', target: { min: 1.0 }, blocking: true },
    { id: 'sensitive-needs-tokens', title: 'APIs with high-sensitivity data use token auth and https only', select: { sensitivity: 'high' }, require: ['token-authentication', 'https-only', 'no-sensitive-data-in-url'] },
    { id: 'max-risk', metric: 'api-risk', target: { max: 70 } },
    { id: 'no-all-apis-keys', metric: 'findings', rule: 'subscription-all-apis', target: { max: 0 } },
    { id: 'high-within-30-days', metric: 'finding-age-days', severity: 'high', target: { max: 30 } },
  ],
});

function scanWithGoals(root: string, goals: string) {
  return scan(root, { overlay: new Map([[path.join(root, '.apim-posture.json'), goals]]), snapshot: 'auto', now: NOW });
}

/** The escaped form of text as the page writes it. */
const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The element that starts with `opening` (an attribute unique to it), up to its closing tag. */
function element(html: string, tag: string, attribute: string): string {
  const start = html.indexOf(attribute);
  assert.ok(start >= 0, `no ${attribute}`);
  const open = html.lastIndexOf(`<${tag}`, start);
  const close = html.indexOf(`</${tag}>`, start);
  return html.slice(open, close + tag.length + 3);
}

/** The elements the page may hold: anything else (an <img>, a <script>, an <iframe>) came from the files. */
const ALLOWED_TAGS = new Set(
  'html head meta title style body a header h1 h2 h3 p span ul ol li nav main section article div figure figcaption br code strong details summary table thead tbody tr th td footer svg rect circle text g polyline line path'.split(' '),
);

function assertSafeMarkup(html: string): void {
  for (const [, tag, attributes] of html.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
    assert.ok(ALLOWED_TAGS.has(tag.toLowerCase()), `unexpected <${tag}>`);
    // Names, not values: a value holds escaped text, which may read "onerror=".
    const names = attributes.replace(/"[^"]*"/g, '""');
    assert.ok(!/\son[a-z]+\s*=/i.test(names), `an event handler on <${tag}${attributes}>`);
    assert.ok(!/\s(?:src|srcset|action|formaction|xlink:href)\s*=/i.test(names), `a source on <${tag}${attributes}>`);
  }
  for (const [, url] of html.matchAll(/<a [^>]*href="([^"]*)"/g)) assert.ok(url.startsWith('#'), `a link that leaves the page: ${url}`);
  assert.ok(!/url\(|@import/i.test(html), 'CSS that loads something');
}

describe('formatHtml', () => {
  describe('the sample with the README goals, in file mode', () => {
    const result = scanWithGoals(SAMPLE, README_GOALS);
    const report = toAnalysisReport(result);
    const json = JSON.parse(formatJson(result)) as AnalysisReport;
    const html = formatHtml(report);

    it('is one HTML document with headings in order and landmarks', () => {
      assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">'));
      const levels = [...html.matchAll(/<h([1-6])[\s>]/g)].map((match) => Number(match[1]));
      assert.strictEqual(levels.filter((level) => level === 1).length, 1);
      assert.strictEqual(levels[0], 1);
      levels.forEach((level, index) => index === 0 || assert.ok(level <= levels[index - 1] + 1, `h${levels[index - 1]} then h${level}`));
      for (const landmark of ['<header>', '<nav aria-label="Sections">', '<main id="main">', '<footer>']) assert.strictEqual(html.split(landmark).length, 2, landmark);
      for (const id of ['goals', 'coverage', 'exposure', 'risk', 'trend', 'fix-first', 'attack-paths', 'findings', 'drift']) assert.ok(html.includes(`<section id="${id}" aria-labelledby="${id}-title">`), id);
      assert.strictEqual(html.split('<details').length, html.split('<summary>').length);
    });

    it('draws every chart as an SVG image with a text alternative', () => {
      const charts = [...html.matchAll(/<svg class="chart[^>]*>(.{0,7})/g)];
      assert.ok(charts.length >= 6, `${charts.length} charts`);
      for (const [chart, next] of charts) {
        assert.ok(/role="img" aria-label="[^"]+"/.test(chart), chart);
        assert.strictEqual(next, '<title>');
      }
      for (const swatch of html.match(/<svg class="swatch"[^>]*>/g) ?? []) assert.ok(swatch.includes('aria-hidden="true"'));
      // The attack graph: an image titled by its summary, its steps not focusable in a file (nothing to open them).
      assert.match(html, /<svg class="attack-graph"[^>]* role="img" aria-labelledby="attack-graph-title">\n<title id="attack-graph-title">Attack paths to the service: /);
      assert.ok(!/<g class="node[^"]*" data-open=/.test(html));
    });

    it('loads nothing and runs nothing: a strict policy whose hash is the stylesheet', () => {
      assertSafeMarkup(html);
      assert.ok(!html.includes('<script'));
      const css = html.slice(html.indexOf('<style>') + '<style>'.length, html.indexOf('</style>'));
      const hash = createHash('sha256').update(css, 'utf8').digest('base64');
      assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-${hash}&#39;; base-uri &#39;none&#39;; form-action &#39;none&#39;">`));
      assert.ok(html.includes('@media (prefers-color-scheme:dark)'));
    });

    it('has a card per goal with the status, value and violations of the JSON report', () => {
      assert.ok(json.goals && json.goals.length === 5);
      assert.ok(html.includes('<h2 id="goals-title">Goals (1 of 5 met)</h2>'));
      for (const goal of json.goals) {
        const card = element(html, 'article', `data-goal="${goal.id}" data-status="${goal.status}"`);
        for (const violation of goal.violations) assert.ok(card.includes(escaped(locationLabel(violation.location.file, violation.location))), `${goal.id}: ${violation.resource}`);
        assert.ok(card.includes(`Defined at <code class="loc">.apim-posture.json:${goal.location!.startLine}:`));
      }
      // The README works these out from the files: 66.7% of operations authenticated, the riskiest API at 39, no age of findings.
      const authenticated = element(html, 'article', 'data-goal="all-authenticated"');
      assert.ok(authenticated.includes('<span class="value">66.7%</span> <span class="target">target ≥ 100%</span>'));
      assert.ok(authenticated.includes('<span class="badge badge-blocking">Blocking</span>'));
      assert.ok(authenticated.includes('<summary>13 violations</summary>'));
      assert.ok(authenticated.includes('apis/orders/operations/track-shipment'));
      assert.ok(element(html, 'article', 'data-goal="max-risk"').includes('<span class="value">39</span>'));
      assert.ok(element(html, 'article', 'data-goal="high-within-30-days"').includes('? Not evaluated'));
    });

    it('lists every finding of the JSON report once, by severity, with its place and remediation', () => {
      assert.strictEqual([...html.matchAll(/ data-finding="/g)].length, json.findings.length);
      for (const finding of json.findings) {
        const item = element(html, 'li', `data-finding="${finding.id}"`);
        assert.ok(item.includes(`<code class="loc">${escaped(locationLabel(finding.location.file, finding.location))}</code>`), finding.id);
        assert.ok(item.includes('<strong>Remediation:</strong>'), finding.id);
        assert.ok(item.includes(`data-severity="${finding.severity}"`));
      }
      for (const severity of SEVERITY_ORDER) {
        const count = json.summary.bySeverity[severity];
        assert.strictEqual(html.includes(`<h3 id="severity-${severity}" data-count="${count}">`), count > 0, severity);
      }
    });

    it('puts the highest priorities first, with their factors, remediation and whether a quick fix exists', () => {
      const listed = [...html.matchAll(/data-fix-first="([^"]+)"/g)].map((match) => match[1]).map((id) => json.findings.find((finding) => finding.id === id)!);
      assert.strictEqual(listed.length, FIX_FIRST_COUNT);
      const scores = listed.map((finding) => finding.priority!.score);
      assert.deepStrictEqual(scores, [...scores].sort((a, b) => b - a));
      // The orders Function App's get-order trigger is anonymous and the app is public with no sign-in
      // (functions/orders, infra/orders-func.bicep): called straight, it comes before anything behind the gateway.
      assert.strictEqual(listed[0].resource, 'sites/func-contoso-orders/functions/get-order');
      const first = element(html, 'li', `data-fix-first="${listed[0].id}"`);
      assert.ok(first.includes(`<span class="badge badge-priority">Priority ${listed[0].priority!.score}</span>`));
      assert.ok(first.includes('called straight, not through the gateway <span class="muted">(+'));
      // orders' track-shipment keeps no <base /> in its inbound: unauthenticated, high, with fixes (samples/README.md).
      const fixable = element(html, 'ol', 'class="fix-list"');
      assert.ok(fixable.includes('<span class="badge badge-fix">Quick fix</span>'));
      assert.ok(fixable.includes('<span class="badge badge-none">No quick fix</span>'));
    });

    it('ranks the APIs by risk with the riskiest operation and the factors', () => {
      const table = element(html, 'table', 'class="risk-table"');
      const rows = [...table.matchAll(/<tr><th scope="row">[^<]*<br><code>([^<]+)<\/code><\/th><td class="num"><span class="risk-score">(\d+)<\/span>/g)].map((match) => [match[1], Number(match[2])] as const);
      const apis = json.services.flatMap((service) => service.apis);
      assert.strictEqual(rows.length, apis.length);
      assert.deepStrictEqual(rows.map(([, score]) => score), [...rows.map(([, score]) => score)].sort((a, b) => b - a));
      // The README's riskiest API: partners at 39, create-dropship-order keyless with a postal address.
      assert.deepStrictEqual(rows[0], ['apis/partners', 39]);
      const partners = element(html, 'tr', '<code>apis/partners</code>');
      assert.ok(partners.includes('<code>create-dropship-order</code>'));
      assert.ok(partners.includes('callable without a key or token <span class="muted">(+'));
    });

    it('maps each API by exposure and sensitivity as the files declare them', () => {
      const row = (api: string) => element(html, 'tr', `<th scope="row">${api}</th>`);
      // customers: keyless, validate-jwt through the jwt-auth fragment on its 4 operations, password, date of birth and health data.
      assert.strictEqual(row('customers'), '<tr><th scope="row">customers</th><td>–</td><td>–</td><td>4 (highly sensitive data)</td></tr>');
      // inventory: keyless, no authentication anywhere, stock levels only.
      assert.strictEqual(row('inventory'), '<tr><th scope="row">inventory</th><td>4 (no sensitive data)</td><td>–</td><td>–</td></tr>');
      // catalog requires a key on its 3 operations.
      assert.strictEqual(row('catalog'), '<tr><th scope="row">catalog</th><td>–</td><td>3 (no sensitive data)</td><td>–</td></tr>');
      assert.ok(html.includes('No operations read (not an OpenAPI API, or no spec): <code>product-graph</code>.'));
    });

    it('says what was not read, the snapshot used and that there is no history', () => {
      const coverage = element(html, 'section', 'id="coverage"');
      assert.ok(coverage.includes(`<summary>Not read (${json.coverage.notRead.length})</summary>`));
      for (const entry of json.coverage.notRead) assert.ok(coverage.includes(`<code>${escaped(entry.file)}</code>`));
      assert.ok(coverage.includes('Snapshot of Azure: .apim-posture/snapshot.json'));
      const operations = json.services.flatMap((service) => service.apis.flatMap((api) => api.operations));
      const authenticated = operations.filter((operation) => operation.authentication.state === 'authenticated').length;
      assert.ok(coverage.includes(`${authenticated} of ${operations.length} operations`));
      assert.ok(html.includes('No history: this report measures the files as they are now'));
    });

    it('draws the trend when the report carries points, oldest first', () => {
      const findings = (high: number) => ({ high, medium: 3, low: 1, info: 0 });
      const trend = [
        { date: '2026-03-01T10:00:00Z', commit: 'a1b2c3d4e5f6a7b8', findings: findings(9), goalsMet: 1, goals: 5 },
        { date: '2026-04-01T10:00:00Z', commit: 'b1b2c3d4e5f6a7b8', findings: findings(4), goalsMet: 3, goals: 5 },
      ];
      const withTrend = formatHtml({ ...report, trend });
      assert.ok(!withTrend.includes('No history'));
      assert.ok(withTrend.includes('<h2 id="trend-title">Trend (2 commits)</h2>'));
      assert.ok(withTrend.includes('aria-label="Findings over 2 commits from 2026-03-01 to 2026-04-01: 13 to 8"'));
      assert.ok(withTrend.includes('aria-label="Goals met over 2 commits from 2026-03-01 to 2026-04-01: 1 to 3"'));
      assert.ok(withTrend.includes('<tr><td>2026-04-01</td><td><code>b1b2c3d4e5f6</code></td><td>4</td><td>3</td><td>1</td><td>0</td><td>3 of 5</td></tr>'));
      assertSafeMarkup(withTrend);
    });
  });

  describe('in webview mode', () => {
    const report = toAnalysisReport(scanWithGoals(SAMPLE, README_GOALS));
    const html = formatHtml(report, { mode: 'webview', nonce: 'n0nce', cspSource: 'vscode-webview://x', script: 'document.body.dataset.x = "</script>";' });

    it('marks every finding and place with the file and line it opens', () => {
      for (const finding of report.findings) {
        const item = element(html, 'li', `data-finding="${finding.id}"`);
        const open = `data-open="${escaped(`${finding.location.file}#${finding.location.startLine}`)}"`;
        assert.ok(item.startsWith(`<li class="finding" data-finding="${finding.id}" data-severity="${finding.severity}" ${open}>`), item.slice(0, 200));
        assert.ok(item.includes(`<a class="loc" href="#" ${open}>`));
      }
    });

    it('allows the host resources and the one script given, under the nonce', () => {
      assert.ok(html.includes(`content="default-src &#39;none&#39;; img-src vscode-webview://x data:; style-src vscode-webview://x &#39;nonce-n0nce&#39;; script-src &#39;nonce-n0nce&#39;; font-src vscode-webview://x"`));
      assert.ok(html.includes('<style nonce="n0nce">'));
      assert.ok(html.includes('body.vscode-dark'));
      assert.strictEqual(html.split('<script').length, 2);
      assert.ok(html.includes('<script nonce="n0nce">document.body.dataset.x = "<\\/script>";</script>'));
    });

    it("shows each goal's status with VS Code's icons when given their stylesheet, and loads nothing else", () => {
      assert.ok(!html.includes('<link'), 'no icon font unless given');
      const withIcons = formatHtml(report, { mode: 'webview', nonce: 'n0nce', cspSource: 'vscode-webview://x', codicons: 'vscode-webview://x/dist/codicons/codicon.css' });
      assert.strictEqual(withIcons.match(/<link [^>]*>/g)?.join(''), '<link rel="stylesheet" href="vscode-webview://x/dist/codicons/codicon.css">');
      // README_GOALS on the sample: all-authenticated is not met.
      assert.ok(element(withIcons, 'article', 'data-goal="all-authenticated"').includes('<span class="codicon codicon-error" aria-hidden="true"></span> Not met'));
    });
  });

  describe('a repository whose names, paths and messages are markup', () => {
    let root: string;
    let html: string;
    const API = '<img src=x onerror=alert(1)>';
    const TITLE = '"><script>alert(2)</script>\u202e';
    before(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-html-'));
      const api = path.join(root, 'apis', API);
      fs.mkdirSync(api, { recursive: true });
      fs.writeFileSync(path.join(api, 'apiInformation.json'), JSON.stringify({ properties: { displayName: TITLE, path: 'x', protocols: ['https'], subscriptionRequired: false } }));
      fs.writeFileSync(
        path.join(api, 'specification.yaml'),
        `openapi: 3.0.1\ninfo:\n  title: t\n  version: '1'\npaths:\n  /a:\n    get:\n      operationId: "<svg onload=alert(3)>"\n      parameters:\n        - name: email\n          in: query\n          schema: { type: string }\n      responses:\n        '200':\n          description: OK\n`,
      );
      const goals = JSON.stringify({ goals: [{ id: 'x"><b>', title: '<b>bold</b> & `<i>`', metric: 'authenticated-operations', target: { min: 1 } }] });
      html = formatHtml(toAnalysisReport(scanWithGoals(root, goals)));
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it('escapes all of them: only the page own elements, no handler, no URL', () => {
      assertSafeMarkup(html);
      assert.ok(html.includes(escaped(API)));
      assert.ok(html.includes('&lt;svg onload=alert(3)&gt;'));
      assert.ok(html.includes('<h3>&lt;b&gt;bold&lt;/b&gt; &amp; <code>&lt;i&gt;</code></h3>'));
      assert.ok(html.includes('data-goal="x&quot;&gt;&lt;b&gt;"'));
      assert.ok(!html.includes('\u202e'));
    });

    it('still reports the unauthenticated operation of the API', () => {
      assert.ok(html.includes(`<code>apis/${escaped(API)}</code>`) || html.includes(`apis/${escaped(API)}/operations/`));
      assert.ok(/data-severity="high"/.test(html));
    });
  });
});

describe('fixFirstOrder', () => {
  const finding = (id: string, severity: ReportFinding['severity'], ruleId: string, suppressed = false): ReportFinding => ({
    id,
    ruleId,
    severity,
    origin: 'predicted',
    sources: ['predicted'],
    resource: 'apis/a',
    message: '',
    remediation: '',
    location: { file: 'a', startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
    related: [],
    fixes: [],
    suppression: suppressed ? { reason: 'r', location: { file: '.apim-posture.json', startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 } } : undefined,
  });

  it('leaves out suppressed findings and orders by severity, then rule, when no finding has a priority', () => {
    const ordered = fixFirstOrder([finding('1', 'low', 'a'), finding('2', 'high', 'z'), finding('3', 'high', 'b'), finding('4', 'high', 'a', true), finding('5', 'medium', 'a')]);
    assert.deepStrictEqual(
      ordered.map((entry) => entry.id),
      ['3', '2', '5', '1'],
    );
  });

  it('orders by priority first: a low finding called straight outranks a high one behind a key', () => {
    const ranked = (id: string, severity: ReportFinding['severity'], score: number): ReportFinding => ({ ...finding(id, severity, 'a'), priority: { score, factors: [], notes: [] } });
    assert.deepStrictEqual(
      fixFirstOrder([ranked('1', 'high', 12), ranked('2', 'low', 30), ranked('3', 'medium', 30), finding('4', 'high', 'a')]).map((entry) => entry.id),
      ['3', '2', '1', '4'],
    );
  });
});

describe('scan --format html', () => {
  it('writes the page, and is listed in the help and the README', async () => {
    let out = '';
    const sink = new Writable({ write: (chunk, _encoding, done) => ((out += String(chunk)), done()) });
    const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
    await run(['scan', SAMPLE, '--format', 'html', '--fail-on', 'none', '--no-snapshot'], { out: sink, err: quiet });
    assert.ok(out.startsWith('<!DOCTYPE html>'));
    assert.ok(out.includes('No snapshot of Azure was read'));
    out = '';
    run(['--help'], { out: sink, err: quiet });
    assert.ok(out.includes('--format table|json|sarif|markdown|html'));
    assert.ok(fs.readFileSync(path.join(REPOSITORY, 'README.md'), 'utf8').includes('--format table|json|sarif|markdown|html'));
  });
});
