// The posture over git history, on the sample's story (scripts/sample-history.ts: each commit's
// change is written there) and on small histories built here. Every expected value is worked out by
// hand from samples/README.md and the story, never copied from the tool's output.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Writable } from 'stream';
import Ajv from 'ajv';
import { buildSampleHistory, SAMPLE_HISTORY } from '../../../scripts/sample-history';
import { run } from '../../../src/cli/main';
import { evaluateGoals, type GoalScan } from '../../../src/core/goals/evaluate';
import type { Goal } from '../../../src/core/goals/goal';
import type { Finding } from '../../../src/core/findings';
import { HistoryUnavailable, type ObjectReader } from '../../../src/core/history/git';
import { GitTreeSource } from '../../../src/core/history/gitTreeSource';
import { walkHistory, type HistoryWalk } from '../../../src/core/history/walk';
import type { AnalysisReport } from '../../../src/core/report/contract';
import { scan } from '../../../src/core/scan';

const REPOSITORY = path.join(__dirname, '..', '..', '..');
const DAY = '2026-04-01T10:00:00Z';

function git(folder: string, args: string[], date?: string): string {
  const env = { ...process.env, ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}) };
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: folder, env, encoding: 'utf8' });
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (text: string) => void) => new Writable({ write: (chunk, _encoding, done) => (append(String(chunk)), done()) });
  const code = await run(args, { out: sink((text) => (out += text)), err: sink((text) => (err += text)) });
  return { code, out, err };
}

describe('trend and finding ages over git history', function () {
  this.timeout(180_000);
  let folder: string;
  let walk: HistoryWalk;
  let commits: string[];

  before(async () => {
    folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-trend-')), 'contoso');
    buildSampleHistory(folder);
    commits = git(folder, ['rev-list', '--reverse', 'HEAD']).trim().split('\n');
    walk = await walkHistory(folder);
  });
  after(() => fs.rmSync(path.dirname(folder), { recursive: true, force: true }));

  it('one point per commit, oldest first, with the commit and its date', () => {
    assert.deepStrictEqual(
      walk.points.map((point) => [point.commit, point.date]),
      SAMPLE_HISTORY.map((step, index) => [commits[index], new Date(step.date).toISOString()]),
    );
  });

  it('the high and medium findings and the goals met of each commit, as the story tells', () => {
    // The sample has 15 high findings (samples/README.md): endpoint-authentication on track-shipment,
    // list-payment-methods, inventory's 4 operations, partners' 3 and product-graph; sensitive data in
    // the URL of customers, loyalty and payments; store-locator's http twice (protocols and spec). And
    // 7 medium: loyalty's 3 conditional operations, the two backends, the named value, the all-APIs probe key.
    // 1: no inventory (-4), no product-graph (-1), track-shipment keeps <base /> (-1): 9 high; no probe key: 6 medium.
    // 2: inventory, unauthenticated: 13. 3: the probe key: 7 medium. 4: a description, no change.
    // 5: track-shipment without <base />: 14. 6: jwt-auth on inventory: 10. 7: no probe key: 6 medium.
    // 8: product-graph: 11. 9: inventory's policy rolled back: 15. 10: the probe key back: 7 medium.
    // And in every commit the orders Function App (functions/orders/src/functions/orders.js): get-order is anonymous
    // (function-app-endpoint-authentication) and reachable around the gateway (gateway-bypass at the trigger and on
    // apis/orders): 3 more high; create-order takes a function key: 1 more medium.
    assert.deepStrictEqual(
      walk.points.map((point) => point.findings.high),
      [12, 16, 16, 16, 17, 13, 13, 14, 18, 18],
    );
    assert.deepStrictEqual(
      walk.points.map((point) => point.findings.medium),
      [7, 7, 8, 8, 8, 8, 7, 7, 7, 8],
    );
    // no-all-apis-keys holds without the probe key (1, 2, 7-9); high-within-30-days holds while the
    // oldest high finding (from Jan 5) is at most 30 days old on the commit's date: Jan 5, 19, Feb 2 (28 days).
    assert.deepStrictEqual(
      walk.points.map((point) => [point.goalsMet, point.goals]),
      [[2, 2], [2, 2], [1, 2], [0, 2], [0, 2], [0, 2], [1, 2], [1, 2], [1, 2], [0, 2]],
    );
  });

  it("the git source reads the commit as the disk holds it: the last point counts what a scan of the checkout finds", () => {
    const onDisk = scan(folder);
    const last = walk.points[walk.points.length - 1];
    for (const severity of ['high', 'medium', 'low', 'info'] as const) {
      assert.strictEqual(last.findings[severity], onDisk.findings.filter((finding) => finding.severity === severity).length, severity);
    }
  });

  it('a finding is dated by its first commit: a line move keeps it, a fix and a regression do not reset it', () => {
    const head = scan(folder, { history: walk.history, now: new Date(DAY) });
    const firstCommitOf = (ruleId: string, resource: string) => {
      const finding = head.findings.find((candidate) => candidate.ruleId === ruleId && candidate.resource === resource);
      assert.ok(finding, `${ruleId} on ${resource}`);
      return walk.history.firstSeen.get(finding.id)?.commit;
    };
    // Moved one line down by commit 4 (the payments description), found since commit 1.
    assert.strictEqual(firstCommitOf('endpoint-authentication', 'apis/payments/operations/list-payment-methods'), commits[0]);
    // Added by commit 2, fixed by 6, back with 9: still dated by 2.
    assert.strictEqual(firstCommitOf('endpoint-authentication', 'apis/inventory/operations/list-warehouses'), commits[1]);
    assert.strictEqual(firstCommitOf('subscription-all-apis', 'subscriptions/ops-monitoring-all-apis'), commits[2]);
    assert.strictEqual(firstCommitOf('endpoint-authentication', 'apis/orders/operations/track-shipment'), commits[4]);
    assert.strictEqual(firstCommitOf('endpoint-authentication', 'apis/product-graph'), commits[7]);
  });

  it('finding-age-days: the oldest high finding, and every one over 30 days with its age and first commit', () => {
    const head = scan(folder, { history: walk.history, now: new Date(DAY) });
    const goal = head.goals?.find((candidate) => candidate.id === 'high-within-30-days');
    // On Apr 1: Jan 5 is 86 days back; of the 18 high findings only product-graph's (Mar 9, 23 days) is within 30.
    assert.strictEqual(goal?.status, 'not-met');
    assert.strictEqual(goal?.value, 86);
    assert.strictEqual(goal?.violations.length, 17);
    const trackShipment = goal?.violations.find((violation) => violation.resource === 'apis/orders/operations/track-shipment');
    assert.match(trackShipment?.message ?? '', new RegExp(`Open 44 days: first in commit ${commits[4].slice(0, 12)} of 2026-02-16\\.$`));
  });

  it('the CLI: trend as a table, as Markdown per day, and as JSON that the report schema accepts', async () => {
    const table = await cli(['trend', folder]);
    assert.strictEqual(table.code, 0, table.err);
    assert.match(table.out, /10 points, 2026-01-05 to 2026-03-23/);
    assert.match(table.out, new RegExp(`2026-02-16  ${commits[4].slice(0, 12)}    17       8    0`));
    const markdown = await cli(['trend', folder, '--per', 'day', '--format', 'markdown', '--since', '2026-03-01']);
    assert.match(markdown.out, /\| 2026-03-09 \| [0-9a-f]{12} \| 14 \| 7 \|/);
    assert.match(markdown.out, /commits before 2026-03-01 were not walked/);
    const json = await cli(['trend', folder, '--format', 'json']);
    const report = JSON.parse(json.out) as AnalysisReport;
    assert.deepStrictEqual(report.trend?.map((point) => point.findings.high), [12, 16, 16, 16, 17, 13, 13, 14, 18, 18]);
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(fs.readFileSync(path.join(REPOSITORY, 'docs', 'report.schema.json'), 'utf8')));
    assert.ok(validate(report), JSON.stringify(validate.errors?.slice(0, 3)));
    // The working tree is left as it was.
    assert.strictEqual(git(folder, ['status', '--porcelain']), '');
  });

  it('a walk continued from the kept one (a new commit since) finds what a whole walk finds', async () => {
    const kept = await walkHistory(folder, { keep: true });
    for (const retired of [['apis', 'partners'], ['products', 'partners', 'apis', 'partners']]) fs.rmSync(path.join(folder, ...retired), { recursive: true });
    git(folder, ['commit', '--quiet', '--all', '--message', 'Retire the partners API'], '2026-03-30T10:00:00Z');
    const continued = await walkHistory(folder, { keep: true });
    const whole = await walkHistory(folder);
    assert.deepStrictEqual(continued.points, whole.points);
    assert.deepStrictEqual([...continued.history.firstSeen].sort(), [...whole.history.firstSeen].sort());
    // Partners' 3 high findings are gone.
    assert.deepStrictEqual([kept.points.length, continued.points.length, continued.points[10].findings.high], [10, 11, 15]);
    git(folder, ['reset', '--quiet', '--hard', 'HEAD~1']);
  });
});

describe('history walks of small repositories', function () {
  this.timeout(60_000);
  let folder: string;
  beforeEach(() => (folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-history-'))));
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('per day: the last commit of each day; only the scanned folder of the repository is read', async () => {
    const api = path.join(folder, 'apim');
    fs.mkdirSync(path.join(folder, 'other'));
    fs.writeFileSync(path.join(folder, 'other', 'openapi.yaml'), 'openapi: 3.0.1\ninfo: { title: Outside, version: "1" }\nservers: [{ url: "http://outside.example.com" }]\npaths:\n  /x:\n    get: { responses: { "200": { description: ok } } }\n');
    fs.mkdirSync(api);
    git(folder, ['init', '--quiet']);
    const spec = (paths: string[]) => `openapi: 3.0.1\ninfo: { title: Inside, version: "1" }\nservers: [{ url: "http://inside.example.com" }]\npaths:\n${paths.map((route) => `  ${route}:\n    get: { responses: { "200": { description: ok } } }\n`).join('')}`;
    const commit = (paths: string[], date: string) => {
      fs.writeFileSync(path.join(api, 'openapi.yaml'), spec(paths));
      git(folder, ['add', '--all', '.']);
      git(folder, ['commit', '--quiet', '--message', `${paths.length} paths`], date);
    };
    commit(['/a'], '2026-02-01T08:00:00Z');
    commit(['/a', '/b'], '2026-02-01T18:00:00Z');
    commit(['/a', '/b', '/c'], '2026-02-02T09:00:00Z');
    const daily = await walkHistory(api, { per: 'day' });
    const perCommit = await walkHistory(api);
    assert.deepStrictEqual(
      daily.points.map((point) => point.date),
      ['2026-02-01T18:00:00.000Z', '2026-02-02T09:00:00.000Z'],
    );
    assert.deepStrictEqual(daily.points, perCommit.points.slice(1));
    const total = (point: HistoryWalk['points'][number]) => Object.values(point.findings).reduce((sum, count) => sum + count, 0);
    // The spec outside the scanned folder is never read: a scan of the folder on disk finds as many (its http server, at least).
    assert.ok(total(perCommit.points[2]) > 0);
    assert.strictEqual(total(perCommit.points[2]), scan(api).findings.filter((finding) => !finding.suppression).length);
  });

  it('a merged branch counts from its merge: the first-parent commits only, a finding dated by the merge', async () => {
    git(folder, ['init', '--quiet', '--initial-branch=main']);
    const write = (name: string, paths: string[]) =>
      fs.writeFileSync(path.join(folder, name), `openapi: 3.0.1\ninfo: { title: ${name}, version: "1" }\nservers: [{ url: "http://${name}.example.com" }]\npaths:\n${paths.map((route) => `  ${route}:\n    get: { responses: { "200": { description: ok } } }\n`).join('')}`);
    write('a.yaml', ['/a']);
    git(folder, ['add', '--all', '.']);
    git(folder, ['commit', '--quiet', '--message', 'a'], '2026-02-01T08:00:00Z');
    git(folder, ['checkout', '--quiet', '-b', 'feature']);
    write('b.yaml', ['/b']);
    git(folder, ['add', '--all', '.']);
    git(folder, ['commit', '--quiet', '--message', 'b on a branch'], '2026-02-02T08:00:00Z');
    git(folder, ['checkout', '--quiet', 'main']);
    git(folder, ['merge', '--quiet', '--no-ff', '--message', 'merge b', 'feature'], '2026-02-05T08:00:00Z');
    const merge = git(folder, ['rev-parse', 'HEAD']).trim();
    const walked = await walkHistory(folder);
    assert.deepStrictEqual(walked.points.map((point) => point.date.slice(0, 10)), ['2026-02-01', '2026-02-05']);
    const fromBranch = scan(folder).findings.filter((finding) => finding.location.file === path.join(folder, 'b.yaml'));
    // Its http server, at least.
    assert.ok(fromBranch.length > 0);
    for (const finding of fromBranch) assert.strictEqual(walked.history.firstSeen.get(finding.id)?.commit, merge, finding.message);
  });

  it('says plainly when the folder is not in a git repository, or has no commit', async () => {
    await assert.rejects(walkHistory(folder), (error: Error) => error instanceof HistoryUnavailable && /is not in a git repository/.test(error.message));
    git(folder, ['init', '--quiet']);
    await assert.rejects(walkHistory(folder), (error: Error) => error instanceof HistoryUnavailable && /has no commit yet/.test(error.message));
    const result = await cli(['trend', folder]);
    assert.strictEqual(result.code, 3);
    assert.match(result.err, /the git history is not read: .* has no commit yet/);
  });

  it('the git tree source reads only the blobs a change brings, and never one over the size limit', async () => {
    const asked: string[] = [];
    const sizes: Record<string, number> = { a1: 3, b1: 5, a2: 4, big: 100 };
    const objects = {
      size: async (object: string) => sizes[object],
      bytes: async (object: string) => (asked.push(object), Buffer.from('x'.repeat(sizes[object]))),
    } as unknown as ObjectReader;
    const source = new GitTreeSource('/repo', objects, 10);
    await source.apply(new Map([['a.yaml', { mode: '100644', object: 'a1' }], ['dir/b.yaml', { mode: '100644', object: 'b1' }]]));
    await source.apply(new Map([['a.yaml', { mode: '100644', object: 'a2' }], ['dir/big.json', { mode: '100644', object: 'big' }]]));
    assert.deepStrictEqual(asked.sort(), ['a1', 'a2', 'b1']);
    assert.deepStrictEqual(source.read(path.resolve('/repo/dir/big.json'), 10), { tooLarge: 100 });
    assert.deepStrictEqual(source.list(path.resolve('/repo')).map((entry) => [entry.name, entry.entry.kind]).sort(), [['a.yaml', 'file'], ['dir', 'folder']]);
    await source.apply(new Map([['dir/b.yaml', undefined], ['dir/big.json', undefined]]));
    assert.strictEqual(source.entryAt(path.resolve('/repo/dir')), undefined);
    // What one tree may hold in memory is bounded too: past it, a file is not read, and the read says why.
    const small = new GitTreeSource('/repo', objects, 10, 4);
    await small.apply(new Map([['a.yaml', { mode: '100644', object: 'a1' }], ['b.yaml', { mode: '100644', object: 'b1' }]]));
    assert.deepStrictEqual(small.read(path.resolve('/repo/a.yaml'), 10), { bytes: Buffer.from('xxx') });
    assert.throws(() => small.read(path.resolve('/repo/b.yaml'), 10), /past the 0 MB of files the history walk holds in memory/);
  });
});

describe('finding-age-days from Defender for APIs', () => {
  const goal: Goal = { id: 'age', title: 'age', metric: 'finding-age-days', severity: 'high', target: { max: 30 }, blocking: false, location: { file: '/repo/.apim-posture.json', span: { start: 0, end: 0 } } };
  const finding = (defender?: Finding['defender']): Finding => ({
    id: 'f1',
    ruleId: 'defender-abc',
    severity: 'high',
    resource: 'apis/orders',
    message: 'Unhealthy.',
    remediation: '',
    location: { file: '/repo/apis/orders/apiInformation.json', span: { start: 0, end: 0 } },
    related: [],
    fixes: [],
    origin: 'observed',
    defender,
  });
  const scanOf = (findings: Finding[]) => ({ root: '/repo', services: [], findings, rules: [] }) as unknown as GoalScan;
  const now = new Date('2026-03-01T00:00:00Z');

  it("dates an observed finding by when Defender marked it unhealthy, without history", () => {
    const defender = { assessmentKey: 'abc', azureResourceId: '/x', status: 'Unhealthy', firstEvaluationDate: '2026-01-01T00:00:00Z', statusChangeDate: '2026-01-20T00:00:00Z' };
    const [result] = evaluateGoals([goal], scanOf([finding(defender)]), [], now);
    // Jan 20 to Feb 20 is 31 days, Feb 20 to Mar 1 (2026 is no leap year) 9 more: 40.
    assert.deepStrictEqual([result.status, result.value], ['not-met', 40]);
    assert.match(result.violations[0].message, /Open 40 days: unhealthy in Defender for APIs since 2026-01-20\./);
  });

  it('is not evaluated, and says why, when neither the history nor Defender dates a finding (the editor)', () => {
    const [result] = evaluateGoals([goal], scanOf([finding()]), [], now);
    assert.strictEqual(result.status, 'not-evaluated');
    assert.match(result.reason ?? '', /the git history is not read here/);
  });
});
