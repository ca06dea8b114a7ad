// Priorities worked out by hand from small repositories built here: 100 × severity × exploitability ×
// impact, each side the sum of its factors' weights (src/core/priority/priority.ts), and the factors'
// contributions their shares of the score. The reports carry them: SARIF's rank, the table's order,
// the JSON report (each finding's priority, each API's risk) and `apim-posture explain <id>`.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Writable } from 'stream';
import { run } from '../../../src/cli/main';
import type { Finding } from '../../../src/core/findings';
import { toAnalysisReport } from '../../../src/core/report/analysisReport';
import { sarifReportPieces } from '../../../src/core/report/sarif';
import { formatTable } from '../../../src/core/report/table';
import type { ScanResult } from '../../../src/core/report/scanResult';
import { scan } from '../../../src/core/scan';

const spec = (paths: string) => `openapi: 3.0.1\ninfo:\n  title: T\n  version: '1.0'\npaths:\n${paths}`;

const REPOSITORY: Record<string, string> = {
  // Keyless, https, a blob container behind it; a POST whose body carries a password (high sensitivity).
  'apis/files/apiInformation.json': JSON.stringify({ properties: { displayName: 'Files', path: 'files', protocols: ['https'], subscriptionRequired: false, serviceUrl: 'https://stfiles.blob.core.windows.net/uploads' } }),
  'apis/files/specification.yaml': spec(
    [
      '  /uploads:',
      '    post:',
      '      operationId: upload',
      '      requestBody:',
      '        content:',
      '          application/json:',
      '            schema:',
      '              type: object',
      '              properties:',
      '                password:',
      '                  type: string',
      '      responses:',
      "        '201':",
      '          description: Created',
      '',
    ].join('\n'),
  ),
  // A subscription key required (APIM's default), https, a read without sensitive data, a web app behind it.
  'apis/catalog/apiInformation.json': JSON.stringify({ properties: { displayName: 'Catalog', path: 'catalog', protocols: ['https'], serviceUrl: 'https://app-catalog.azurewebsites.net' } }),
  'apis/catalog/specification.yaml': spec(['  /items:', '    get:', '      operationId: list-items', '      responses:', "        '200':", '          description: OK', ''].join('\n')),
  // The catalog API's policy sends its calls to backend catalog, which has no credentials: backend-authentication (medium).
  'apis/catalog/policy.xml': '<policies>\n  <inbound>\n    <base />\n    <set-backend-service backend-id="catalog" />\n  </inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>\n',
  'backends/catalog/backendInformation.json': JSON.stringify({ properties: { url: 'https://app-catalog.azurewebsites.net', protocol: 'http' } }),
  // A named value in the clear: about no operation.
  'named values/db-password/namedValueInformation.json': JSON.stringify({ properties: { displayName: 'db-password', secret: true, value: 'hunter2' } }),
  // A file that cannot be read: an input problem, about the repository.
  'named values/broken/namedValueInformation.json': '{ "properties": ',
};

function writeRepository(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-priority-'));
  for (const [relative, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    fs.writeFileSync(path.join(root, relative), text);
  }
  return root;
}

const factorsOf = (finding: Pick<Finding, 'priority'>) => Object.fromEntries(finding.priority!.factors.map((factor) => [factor.id, [factor.weight, factor.contribution]]));

describe('priority', () => {
  let root: string;
  let result: ScanResult;
  const find = (ruleId: string, resource: string) => {
    const found = result.findings.find((finding) => finding.ruleId === ruleId && finding.resource === resource);
    assert.ok(found, `${ruleId} on ${resource}: ${result.findings.map((finding) => `${finding.ruleId} ${finding.resource}`).join(', ')}`);
    return found;
  };
  before(() => {
    root = writeRepository(REPOSITORY);
    result = scan(root);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a keyless write of highly sensitive data to a data store: 100 × 1 × 0.6 × 1.0 = 60, each factor with its third of its products', () => {
    const finding = find('endpoint-authentication', 'apis/files/operations/upload');
    assert.strictEqual(finding.priority?.score, 60);
    assert.strictEqual(finding.priority?.operation, 'apis/files/operations/upload');
    // Severity high 1; exploitability 0.2 gateway + 0.4 unauthenticated = 0.6; impact 0.3 any call +
    // 0.4 high (password) + 0.15 POST + 0.15 storage behind it = 1.0. A factor of one side gets a third
    // of its weight times the other two sides: severity 100·1·0.6·1.0/3 = 20, gateway 100·0.2·1·1/3 = 6.7,
    // unauthenticated 13.3, any call 100·0.3·1·0.6/3 = 6, high 8, write 3, data store 3.
    assert.deepStrictEqual(factorsOf(finding), {
      severity: [1, 20],
      gateway: [0.2, 6.7],
      unauthenticated: [0.4, 13.3],
      'any-call': [0.3, 6],
      'sensitive-high': [0.4, 8],
      write: [0.15, 3],
      'data-store': [0.15, 3],
    });
    // The storage account is not declared here: whether it is callable directly is said to be unknown.
    assert.deepStrictEqual(finding.priority?.notes, ['whether the storage backend stfiles.blob.core.windows.net is callable directly is not known: the repository does not declare it']);
  });

  it('the same operation\'s info finding ranks lower by its severity alone: 100 × 0.15 × 0.6 × 1.0 = 9', () => {
    assert.strictEqual(find('sensitive-data-in-body', 'apis/files/operations/upload').priority?.score, 9);
  });

  it('a backend finding takes the factors of the operations whose calls the backend receives', () => {
    // catalog's policy sets backend-id="catalog" for every call of list-items: 0.7 medium × 0.2 gateway × 0.3 any call = 4.2 → 4.
    const finding = find('backend-authentication', 'backends/catalog');
    assert.strictEqual(finding.priority?.operation, 'apis/catalog/operations/list-items');
    assert.strictEqual(finding.priority?.score, 4);
    assert.deepStrictEqual(finding.priority?.notes, ['whether the app-service backend app-catalog.azurewebsites.net is callable directly is not known: the repository does not declare it']);
  });

  it('a finding about no operation (a named value) weighs its severity alone, and says so', () => {
    const finding = result.findings.find((candidate) => candidate.resource === 'namedValues/db-password');
    assert.ok(finding, result.findings.map((candidate) => candidate.resource).join(', '));
    // severity × 0.2 × 0.3: a high one 6, a medium one 4.
    assert.strictEqual(finding.priority?.score, Math.round(100 * { high: 1, medium: 0.7, low: 0.4, info: 0.15 }[finding.severity] * 0.2 * 0.3));
    assert.deepStrictEqual(finding.priority?.notes, ['namedValues/db-password is not an API, product, subscription or backend: no operation\'s exposure or data weighs in']);
  });

  it('an input problem is about the repository\'s files, whatever resource it names: its severity alone', () => {
    const problem = result.findings.find((finding) => finding.ruleId === 'input-problem' && finding.location.file.includes('broken'));
    assert.ok(problem);
    assert.strictEqual(problem.priority?.score, Math.round(100 * { high: 1, medium: 0.7, low: 0.4, info: 0.15 }[problem.severity] * 0.2 * 0.3));
    assert.deepStrictEqual(problem.priority?.notes, ['input-problem is about the repository\'s files: no operation\'s exposure or data weighs in']);
  });

  it('each API\'s risk in the inventory: its riskiest operation\'s exploitability × impact', () => {
    const report = toAnalysisReport(result);
    const risks = Object.fromEntries(report.services[0].apis.map((api) => [api.name, api.risk.score]));
    // files: 0.6 × 1.0 = 60 > catalog: keyed GET without data, 0.2 gateway × 0.3 any call = 6.
    assert.deepStrictEqual(risks, { catalog: 6, files: 60 });
    const catalog = report.services[0].apis.find((api) => api.name === 'catalog')!;
    assert.deepStrictEqual(catalog.risk.factors.map((factor) => [factor.id, factor.contribution]), [['gateway', 3], ['any-call', 3]]);
    assert.deepStrictEqual(report.findings.find((finding) => finding.ruleId === 'endpoint-authentication')?.priority?.score, 60);
  });

  it('SARIF: every result has its rank, highest first', () => {
    const sarif = JSON.parse([...sarifReportPieces(result)].join(''));
    const ranks = sarif.runs[0].results.map((entry: { rank: number }) => entry.rank);
    assert.ok(ranks.length >= 3 && ranks.every((rank: unknown) => typeof rank === 'number' && rank >= 0 && rank <= 100), JSON.stringify(ranks));
    assert.deepStrictEqual(ranks, [...ranks].sort((a, b) => b - a));
    assert.strictEqual(sarif.runs[0].results[0].ruleId, 'endpoint-authentication');
    assert.strictEqual(ranks[0], 60);
  });

  it('the table lists the highest priority first with its score; --sort severity keeps the severity groups', () => {
    const rows = formatTable(result).split('\n\n')[0].split('\n');
    assert.match(rows[0], /^ 60 {2}HIGH .*\[endpoint-authentication\] #[0-9a-f]{8}$/);
    assert.match(rows[1], /^ {2}9 {2}INFO .*\[sensitive-data-in-body\] #/);
    assert.match(rows[2], /^ {2}4 {2}MEDIUM .*\[backend-authentication\] #/);
    const bySeverity = formatTable(result, { sort: 'severity' }).split('\n\n');
    assert.match(bySeverity[0], /^HIGH /);
    assert.match(bySeverity[1], /^MEDIUM /);
  });

  it('apim-posture explain <finding id> says each factor with its points; a rule id still explains the rule', () => {
    const finding = find('endpoint-authentication', 'apis/files/operations/upload');
    let out = '';
    const stream = new Writable({ write: (chunk, _encoding, done) => ((out += String(chunk)), done()) });
    assert.strictEqual(run(['explain', finding.id.slice(0, 8), root], { out: stream, err: stream }), 0);
    assert.match(out, /^[0-9a-f]{20} {2}HIGH {2}\[endpoint-authentication\] {2}apis\/files\/operations\/upload\n/);
    assert.match(out, /Priority 60\/100 \(operation apis\/files\/operations\/upload\)\n {2}Severity 1\.00:\n {4}\+20\.0 {2}high severity/);
    assert.match(out, /Exploitability 0\.60:\n {4}\+ 6\.7 {2}reachable through the gateway \(0\.20\)\n {4}\+13\.3 {2}callable without a key or token \(0\.40\)/);
    assert.match(out, /Impact 1\.00:[^]*\+ 3\.0 {2}a data store behind it \(storage\) \(0\.15\)/);
    out = '';
    assert.strictEqual(run(['explain', 'endpoint-authentication'], { out: stream, err: stream }), 0);
    assert.match(out, /^endpoint-authentication: /);
    out = '';
    assert.strictEqual(run(['explain', 'ffffffff', root], { out: stream, err: stream }), 2);
    assert.match(out, /no finding of .* has an id starting with "ffffffff"/);
  });
});

describe('priority of a Function App trigger', () => {
  // An API keyed at APIM (its default) whose backend is func-orders; the Function App's code has one
  // anonymous trigger, deployed by azd to the site the Bicep declares (public, no restriction, no sign-in).
  const HOSTED: Record<string, string> = {
    'apis/orders/apiInformation.json': JSON.stringify({ properties: { displayName: 'Orders', path: 'orders', protocols: ['https'], serviceUrl: 'https://func-orders.azurewebsites.net/api' } }),
    'apis/orders/specification.yaml': spec(['  /orders/{id}:', '    get:', '      operationId: get-order', '      parameters:', '        - name: id', '          in: path', '          required: true', '          schema:', '            type: string', '      responses:', "        '200':", '          description: OK', ''].join('\n')),
    'azure.yaml': 'name: shop\nservices:\n  orders:\n    project: ./functions/orders\n    language: js\n    host: function\n',
    'functions/orders/host.json': '{ "version": "2.0" }',
    'functions/orders/src/functions/orders.js': "const { app } = require('@azure/functions');\napp.http('get-order', { methods: ['GET'], authLevel: 'anonymous', route: 'orders/{id}', handler: async () => ({ status: 200 }) });\n",
    'infra/func.bicep': "resource func 'Microsoft.Web/sites@2023-12-01' = {\n  name: 'func-orders'\n  location: 'westeurope'\n  kind: 'functionapp'\n  tags: {\n    'azd-service-name': 'orders'\n  }\n  properties: {\n    httpsOnly: true\n  }\n}\n",
  };
  let root: string;
  let result: ScanResult;
  before(() => {
    root = writeRepository(HOSTED);
    result = scan(root);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is called straight: its own level, the app\'s network, and the data of the operations routed to the app', () => {
    const finding = result.findings.find((candidate) => candidate.ruleId === 'function-app-endpoint-authentication' && candidate.resource === 'sites/func-orders/functions/get-order');
    assert.ok(finding, result.findings.map((candidate) => `${candidate.ruleId} ${candidate.resource}`).join(', '));
    // Severity high 1; exploitability 0.2 not through the gateway + 0.4 anonymous + 0.25 the app open
    // to the internet = 0.85; impact: get-order's, a read of no sensitive data, 0.3. 100 × 0.255 → 26.
    assert.strictEqual(finding.priority?.score, 26);
    assert.strictEqual(finding.priority?.operation, 'apis/orders/operations/get-order');
    assert.deepStrictEqual(
      finding.priority?.factors.map((factor) => [factor.id, factor.weight]),
      [['severity', 1], ['direct', 0.2], ['unauthenticated', 0.4], ['backend-direct', 0.25], ['any-call', 0.3]],
    );
    // It outranks the same trigger's finding at APIM's side, where the key still stands in the way.
    const apiSide = result.findings.find((candidate) => candidate.ruleId === 'gateway-bypass' && candidate.resource === 'apis/orders');
    assert.ok(apiSide && apiSide.priority!.score < finding.priority!.score, JSON.stringify(apiSide?.priority));
  });
});
