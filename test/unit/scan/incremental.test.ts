// The language server's incremental re-analysis: after each edit, a scan with the memo of the earlier
// scans reads again and redoes the per-API work only for the APIs the edit touched, and tells exactly
// what a full scan from scratch tells (findings with their fixes and priorities, coverage, inventory
// with each operation's authentication and effective policy, goals).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AnalysisMemo } from '../../../src/core/analysisMemo';
import { ParseCache } from '../../../src/core/parse/cache';
import { toAnalysisReport } from '../../../src/core/report/analysisReport';
import type { ScanResult } from '../../../src/core/report/scanResult';
import { ALL_RULES } from '../../../src/core/rules/catalog';
import { apiRule, isApiRule, type Rule } from '../../../src/core/rules/rule';
import { scan, type ScanOptions } from '../../../src/core/scan';
import { FileIndex } from '../../../src/core/workspace/files';

const policies = (inbound: string) => `<policies>\n\t<inbound>\n\t\t<base />\n\t\t${inbound}\n\t</inbound>\n\t<backend>\n\t\t<base />\n\t</backend>\n\t<outbound>\n\t\t<base />\n\t</outbound>\n\t<on-error>\n\t\t<base />\n\t</on-error>\n</policies>\n`;
const JWT = '<validate-jwt header-name="Authorization"><openid-config url="https://login.example.test/.well-known/openid-configuration" /></validate-jwt>';

/** An OpenAPI spec of two operations whose query parameter is `parameter`. */
function spec(api: string, parameter: string): string {
  return [
    'openapi: 3.0.1',
    `info: { title: ${api}, version: '1' }`,
    'paths:',
    `  /${api}:`,
    '    get:',
    `      operationId: get-${api}`,
    `      parameters: [{ name: ${parameter}, in: query, schema: { type: string } }]`,
    "      responses: { '200': { description: OK } }",
    '    post:',
    `      operationId: post-${api}`,
    "      responses: { '201': { description: Created } }",
    '',
  ].join('\n');
}

/**
 * APIs a and b include the fragment `auth` (validate-jwt); b has an operation policy; c has no policy
 * and is in the product `open`, which requires no key; none requires a subscription. The tag `public`
 * (displayed "Public") links a from the tag's folder, as older extractors wrote it; a goal selects it.
 */
const TREE: Record<string, string> = {
  'policy.xml': '<policies>\n\t<inbound>\n\t\t<cors><allowed-origins><origin>*</origin></allowed-origins></cors>\n\t</inbound>\n\t<backend>\n\t\t<forward-request />\n\t</backend>\n\t<outbound />\n\t<on-error />\n</policies>\n',
  'policy fragments/auth/policy.xml': `<fragment>\n\t${JWT}\n</fragment>\n`,
  'policy fragments/auth/policyFragmentInformation.json': '{ "properties": { "description": "Token check" } }\n',
  'products/open/productInformation.json': '{ "properties": { "displayName": "Open", "subscriptionRequired": false, "state": "published" } }\n',
  'products/open/policy.xml': policies('<rate-limit calls="10" renewal-period="60" />'),
  'products/open/apis/c/productApiInformation.json': '{}\n',
  'tags/public/tagInformation.json': '{ "properties": { "displayName": "Public" } }\n',
  'tags/public/apis/a/tagApiInformation.json': '{}\n',
  '.apim-posture.json': JSON.stringify({
    goals: [
      { id: 'all-authenticated', metric: 'authenticated-operations', target: { min: 1 } },
      { id: 'public-authenticated', metric: 'authenticated-operations', select: { tag: 'Public' }, target: { min: 1 } },
      { id: 'private-urls-https', require: ['no-sensitive-data-in-url', 'https-only'], target: { max: 0 } },
    ],
  }),
};
for (const api of ['a', 'b', 'c']) {
  TREE[`apis/${api}/apiInformation.json`] = JSON.stringify({ properties: { displayName: api, path: api, protocols: api === 'a' ? ['http', 'https'] : ['https'], subscriptionRequired: false } });
  TREE[`apis/${api}/specification.yaml`] = spec(api, 'filter');
  if (api !== 'c') TREE[`apis/${api}/policy.xml`] = policies('<include-fragment fragment-id="auth" />');
}
TREE['apis/b/operations/post-b/policy.xml'] = policies('<set-header name="X-Op" exists-action="override"><value>post</value></set-header>');

/** Everything a surface shows of a scan, as text, without its duration. */
function told(result: ScanResult): string {
  const report = toAnalysisReport(result);
  return JSON.stringify({ ...report, summary: { ...report.summary, durationMs: 0 } });
}

/**
 * Scans of `folder` as the language server's engine runs them, each compared with a full scan from
 * scratch; endpoint-authentication (a per-API rule) notes which APIs it was run on, and the APIs read
 * again are those whose model is not the previous scan's object.
 */
function session(folder: string) {
  const cache = new ParseCache();
  const index = new FileIndex();
  const memo = new AnalysisMemo();
  const now = new Date('2026-01-01T00:00:00Z');
  let checked: string[] = [];
  const rules: Rule[] = ALL_RULES.map((rule) =>
    isApiRule(rule) && rule.meta.id === 'endpoint-authentication'
      ? apiRule(rule.meta, (context, api) => {
          checked.push(api.name);
          return rule.checkApi(context, api);
        })
      : rule,
  );
  const overlay = new Map<string, string>();
  const settings: NonNullable<ScanOptions['settings']> = {};
  let previous: ScanResult | undefined;
  return {
    index,
    overlay,
    settings,
    /** Scans after `what`, which should have run the per-API rules on `expectedChecked`, and read again the APIs in `expectedRead` (default: the same). */
    step(what: string, expectedChecked: string[] | 'all', expectedRead = expectedChecked): ScanResult {
      checked = [];
      const incremental = scan(folder, { cache, index, memo, overlay, rules, now, snapshot: 'auto', settings });
      const names = (result: ScanResult) => result.services.flatMap((service) => service.apis.map((api) => api.name)).sort();
      const before = new Set(previous?.services.flatMap((service) => service.apis));
      const read = incremental.services.flatMap((service) => service.apis.filter((api) => !before.has(api)).map((api) => api.name)).sort();
      assert.deepStrictEqual([...checked].sort(), expectedChecked === 'all' ? names(incremental) : expectedChecked, `${what}: analysed`);
      assert.deepStrictEqual(read, expectedRead === 'all' ? names(incremental) : expectedRead, `${what}: read`);
      assert.strictEqual(told(incremental), told(scan(folder, { overlay, rules, now, snapshot: 'auto', settings })), what);
      previous = incremental;
      return incremental;
    },
    /** An unsaved edit. */
    edit(relative: string, change: (text: string) => string): void {
      const file = path.join(folder, relative);
      const text = overlay.get(file) ?? fs.readFileSync(file, 'utf8');
      assert.notStrictEqual(change(text), text, relative);
      overlay.set(file, change(text));
    },
  };
}

describe('scan: incremental re-analysis', () => {
  let folder: string;
  const write = (relative: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(folder, relative)), { recursive: true });
    fs.writeFileSync(path.join(folder, relative), text);
  };

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-incremental-'));
    for (const [relative, text] of Object.entries(TREE)) write(relative, text);
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('after each edit, redoes the APIs it touched and tells what a full scan tells', () => {
    const { index, overlay, settings, step, edit } = session(folder);
    const onDisk = (relative: string, text: string | undefined) => {
      if (text === undefined) fs.rmSync(path.join(folder, relative), { recursive: true });
      else write(relative, text);
      index.created(path.join(folder, relative));
    };
    const authStates = (result: ScanResult) => result.findings.filter((finding) => finding.ruleId === 'endpoint-authentication').map((finding) => `${finding.resource} ${finding.properties?.authState}`).sort();

    const first = step('first scan', 'all');
    // c alone is open: a and b run the fragment's validate-jwt.
    assert.deepStrictEqual(authStates(first), ['apis/c/operations/get-c unauthenticated', 'apis/c/operations/post-c unauthenticated']);
    assert.strictEqual(first.goals?.[0].met, false);
    // a, tagged Public from the tag's folder, runs the fragment's validate-jwt.
    assert.strictEqual(first.goals?.[1].met, true);

    // a accepts http; no operation takes sensitive data in its URL.
    assert.deepStrictEqual(first.goals?.[2].violations.map((violation) => violation.resource), ['apis/a']);

    step('nothing changed', []);
    edit('apis/a/specification.yaml', (text) => text.replace('name: filter', 'name: ssn'));
    const specEdited = step('a spec', ['a']);
    assert.ok(specEdited.findings.some((finding) => finding.ruleId === 'sensitive-data-in-url' && finding.resource === 'apis/a/operations/get-a'));
    assert.deepStrictEqual(specEdited.goals?.[2].violations.map((violation) => violation.resource), ['apis/a/operations/get-a', 'apis/a']);

    edit('apis/b/operations/post-b/policy.xml', (text) => text.replace('<base />', ''));
    const operationPolicyEdited = step('an operation policy', ['b']);
    // Without <base /> in its inbound, post-b no longer runs the API policy's include of the fragment.
    assert.deepStrictEqual(authStates(operationPolicyEdited), ['apis/b/operations/post-b unauthenticated', 'apis/c/operations/get-c unauthenticated', 'apis/c/operations/post-c unauthenticated']);
    // a, taken as read before, is tagged again by the tag's folder.
    assert.strictEqual(operationPolicyEdited.goals?.[1].met, true);
    edit('apis/b/apiInformation.json', (text) => text.replace('["https"]', '["http","https"]'));
    const informationEdited = step("an API's information file", ['b']);
    assert.ok(informationEdited.findings.some((finding) => finding.ruleId === 'encrypted-protocols' && finding.resource === 'apis/b'));

    edit('policy fragments/auth/policy.xml', (text) => text.replace(JWT, `<choose><when condition="@(true)">${JWT}</when></choose>`));
    const fragmentEdited = step('a fragment included by a and b', ['a', 'b']);
    assert.deepStrictEqual(authStates(fragmentEdited).filter((state) => state.endsWith('conditional')), ['apis/a/operations/get-a conditional', 'apis/a/operations/post-a conditional', 'apis/b/operations/get-b conditional']);

    // Shared by every API: the product's and the global policy are a full analysis.
    edit('products/open/policy.xml', (text) => text.replace('<rate-limit', `${JWT}<rate-limit`));
    step('a product policy', 'all');
    edit('policy.xml', (text) => text.replace('<cors>', `${JWT}<cors>`));
    const globalEdited = step('the global policy', 'all');
    // post-b alone, whose inbound has no <base />, does not run the global policy.
    assert.deepStrictEqual(authStates(globalEdited), ['apis/b/operations/post-b unauthenticated']);

    step('nothing changed again', []);
    // The editor's settings are not files: every API is taken as read, its analyses are not reused, so the scan reads them again.
    settings.rules = { 'encrypted-protocols': 'low' };
    const settingsChanged = step("the editor's settings", 'all');
    assert.ok(settingsChanged.findings.filter((finding) => finding.ruleId === 'encrypted-protocols').every((finding) => finding.severity === 'low'));
    step('nothing changed after the settings', []);
    edit('tags/public/tagInformation.json', (text) => text.replace('"Public"', '"Open data"'));
    const tagRenamed = step("a tag's display name", 'all');
    assert.strictEqual(tagRenamed.goals?.[1].status, 'not-evaluated');
    onDisk('apis/c', undefined);
    onDisk('products/open/apis/c', undefined);
    const deleted = step("an API's files deleted", 'all');
    assert.deepStrictEqual(deleted.services[0].apis.map((api) => api.name).sort(), ['a', 'b']);

    onDisk('apis/d/apiInformation.json', JSON.stringify({ properties: { displayName: 'd', path: 'd', subscriptionRequired: false } }));
    onDisk('apis/d/specification.yaml', spec('d', 'email'));
    const added = step('an API added', 'all');
    assert.ok(added.findings.some((finding) => finding.ruleId === 'sensitive-data-in-url' && finding.resource === 'apis/d/operations/get-d'));

    edit('apis/d/specification.yaml', (text) => text.replace('name: email', 'name: page'));
    step("the added API's spec", ['d']);

    edit('.apim-posture.json', () => JSON.stringify({ rules: { 'encrypted-protocols': 'low' }, suppressions: [{ rule: 'sensitive-data-in-url', resource: 'apis/a/*', reason: 'test data only' }] }));
    const configEdited = step('the configuration', 'all');
    assert.ok(configEdited.findings.filter((finding) => finding.ruleId === 'encrypted-protocols').every((finding) => finding.severity === 'low'));
    assert.ok(configEdited.findings.filter((finding) => finding.ruleId === 'sensitive-data-in-url' && finding.resource.startsWith('apis/a/')).every((finding) => finding.suppression));
    // No "goals" in the file any more: the built-in baseline is measured.
    assert.strictEqual(configEdited.goalsSource, 'baseline');

    overlay.clear();
    step('the unsaved edits closed', 'all');
  });

  it('weighs again the priorities of findings about several APIs when one API changes, and of every finding when operation ids collide', () => {
    // A key for every API: its finding weighs the riskiest operation of all of them.
    write('subscriptions/all/subscriptionInformation.json', '{ "properties": { "displayName": "all", "scope": "/apis", "state": "active" } }\n');
    // An API C beside c, with operations get-x and post-x.
    write('apis/C/apiInformation.json', JSON.stringify({ properties: { displayName: 'C', path: 'upper-c', protocols: ['https'], subscriptionRequired: false } }));
    write('apis/C/specification.yaml', spec('x', 'filter'));
    const { step, edit } = session(folder);
    const priorityOf = (result: ScanResult, ruleId: string, resource: string) => result.findings.find((finding) => finding.ruleId === ruleId && finding.resource === resource)?.priority;
    const first = step('first scan', 'all');
    const subscriptionBefore = priorityOf(first, 'subscription-all-apis', 'subscriptions/all');
    // c's and C's operations are callable without a key or token, and a post is a write: C's post (listed before c's) and c's are the riskiest.
    assert.strictEqual(subscriptionBefore?.operation, 'apis/C/operations/post-x');
    const cBefore = priorityOf(first, 'endpoint-authentication', 'apis/c/operations/post-c');

    // a's get now takes a social security number in its URL (sensitive data, and over http too): the key's finding weighs it.
    edit('apis/a/specification.yaml', (text) => text.replace('name: filter', 'name: ssn'));
    edit('apis/a/policy.xml', (text) => text.replace('<include-fragment fragment-id="auth" />', ''));
    const aEdited = step("a's spec and policy", ['a']);
    assert.strictEqual(priorityOf(aEdited, 'subscription-all-apis', 'subscriptions/all')?.operation, 'apis/a/operations/get-a');
    // c's own findings, kept with its results, weigh c's operations as before.
    assert.deepStrictEqual(priorityOf(aEdited, 'endpoint-authentication', 'apis/c/operations/post-c'), cBefore);

    // Ids that differ by case alone name one operation: c's post, renamed get-x, takes the id of C's get-x, whose findings weigh c's operation then.
    edit('apis/c/specification.yaml', (text) => text.replace('post-c', 'get-x'));
    const collided = step("c's spec, an operation id of C's", ['c']);
    assert.strictEqual(priorityOf(collided, 'endpoint-authentication', 'apis/C/operations/get-x')?.operation, 'apis/c/operations/get-x');
  });

  it("analyses every API again when the infrastructure code behind a backend, or a Function App's code, changes", () => {
    const sample = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-incremental-sample-'));
    try {
      fs.cpSync(path.join(__dirname, '../../../samples'), sample, { recursive: true });
      const { step, edit } = session(sample);
      step('first scan', 'all');
      step('nothing changed', []);
      edit('apis/inventory/specification.json', (text) => text.replace('"swagger"', '"x-edited": true, "swagger"'));
      step("one API's spec", ['inventory']);
      // A schema customers' schemas refer to ($ref), read only when its analysis follows them: shared by the APIs.
      edit('shared/schemas/address.yaml', (text) => `${text}\n# edited\n`);
      step('a schema several specs refer to', 'all');
      // The orders backend (func-contoso-orders) gets an access restriction: every API's backends and gateway-bypass may change.
      edit('infra/orders-func.bicep', (text) => text.replace('httpsOnly: true', "httpsOnly: true\n    siteConfig: {\n      ipSecurityRestrictions: [\n        { ipAddress: 'AzureCloud', tag: 'ServiceTag', action: 'Allow' }\n      ]\n    }"));
      step("the Bicep file of a backend's app", 'all');
      // get-order's trigger becomes keyed: the hosted endpoints' findings and their priorities change.
      edit('functions/orders/src/functions/orders.js', (text) => text.replace("authLevel: 'anonymous'", "authLevel: 'function'"));
      step("a Function App's code", 'all');
    } finally {
      fs.rmSync(sample, { recursive: true, force: true });
    }
  });

  it('analyses again every API declared by an edited Bicep file, whose other declarations it may use', () => {
    const bicep = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-incremental-bicep-'));
    try {
      fs.cpSync(path.join(__dirname, '../../fixtures/workspace/bicep'), bicep, { recursive: true });
      const { step, edit } = session(bicep);
      // Only APIOps folders are taken as read before: a Bicep file's APIs are read again, from kept parses.
      step('first scan', 'all');
      step('nothing changed', [], 'all');
      edit('specs/orders.yaml', (text) => text.replace(/\n/, '\nx-edited: true\n'));
      step('a spec loaded by the Bicep file', ['orders'], 'all');
      edit('main.bicep', (text) => text.replace('subscriptionRequired: false', 'subscriptionRequired: true'));
      step('the Bicep file', 'all');
    } finally {
      fs.rmSync(bicep, { recursive: true, force: true });
    }
  });

  it("analyses again an API whose spec $refs a schema in another API's spec when that spec changes", () => {
    write('apis/a/specification.yaml', `${spec('a', 'filter')}components:\n  schemas:\n    Person:\n      type: object\n      properties:\n        nickname: { type: string }\n`);
    // b's post takes a's Person as its body.
    write('apis/b/specification.yaml', spec('b', 'filter').replace('      operationId: post-b\n', "      operationId: post-b\n      requestBody:\n        content:\n          application/json:\n            schema: { $ref: '../a/specification.yaml#/components/schemas/Person' }\n"));
    const { step, edit } = session(folder);
    const inBody = (result: ScanResult) => result.findings.filter((finding) => finding.ruleId === 'sensitive-data-in-body').map((finding) => finding.resource);
    assert.deepStrictEqual(inBody(step('first scan', 'all')), []);
    // Person's nickname becomes a social security number: b's post takes one in its body.
    edit('apis/a/specification.yaml', (text) => text.replace('nickname:', 'ssn:'));
    assert.deepStrictEqual(inBody(step("a's spec, whose schema b's spec refers to", ['a', 'b'])), ['apis/b/operations/post-b']);
  });
});
