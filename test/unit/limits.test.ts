// Hostile repositories, end to end through the built CLI: nesting, $ref chains, fragment chains and
// repetitions far past every limit. Each one file must be named by an input problem (or a finding of
// its own), within seconds, and must not cost the repository's other findings.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MAX_EFFECTIVE_ELEMENTS, MAX_FRAGMENT_DEPTH, MAX_NESTING_DEPTH, MAX_PROBLEMS_PER_FILE, MAX_RELATED_LOCATIONS } from '../../src/core/limits';
import { parseDocument, reparseDocument } from '../../src/core/parse/index';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const CASE_TIMEOUT_MS = 10_000;

type Files = Record<string, string>;

interface ReportFinding {
  ruleId: string;
  resource: string;
  message: string;
  location: { file: string; startLine: number };
  related: unknown[];
  relatedOmitted?: number;
  properties?: { problemKind?: string };
}

const apiInformation = (name: string) => JSON.stringify({ properties: { displayName: name, path: name, protocols: ['https'], subscriptionRequired: false } });
const spec = (operationId: string, extra = '') => `openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /${operationId}:\n    get:\n      operationId: ${operationId}\n      responses:\n        '200': {description: ok}\n${extra}`;
const fragment = (body: string) => `<fragment>\n${body}\n</fragment>\n`;
const fragmentFiles = (name: string, body: string): Files => ({
  [`policy fragments/${name}/policy.xml`]: fragment(body),
  [`policy fragments/${name}/policyFragmentInformation.json`]: JSON.stringify({ properties: { format: 'rawxml' } }),
});
const inbound = (body: string) => `<policies>\n<inbound>\n${body}\n</inbound>\n<backend><base /></backend>\n<outbound><base /></outbound>\n<on-error><base /></on-error>\n</policies>\n`;
const include = (id: string) => `<include-fragment fragment-id="${id}" />`;

/** The keyless API `hostile` with one operation, `get`, and `files` (its policies, fragments, another spec). */
function hostileApi(files: Files): Files {
  return { 'apis/hostile/apiInformation.json': apiInformation('hostile'), 'apis/hostile/specification.yaml': spec('get'), ...files };
}

/** A schema nested `depth` levels through `key` (`properties`, `items` or `allOf`), as JSON. */
function deepSchema(depth: number, key: 'properties' | 'items' | 'allOf'): string {
  const open = { properties: '{"type":"object","properties":{"p":', items: '{"type":"array","items":', allOf: '{"allOf":[' }[key];
  const close = { properties: '}}', items: '}', allOf: ']}' }[key];
  return open.repeat(depth) + '{"type":"string"}' + close.repeat(depth);
}

function jsonSpecWithResponseSchema(schema: string): string {
  return `{"openapi":"3.0.1","info":{"title":"t","version":"1"},"paths":{"/get":{"get":{"operationId":"get","responses":{"200":{"description":"ok","content":{"application/json":{"schema":${schema}}}}}}}}}`;
}

function bicepApi(propertiesExtra: string): string {
  return [
    "resource service 'Microsoft.ApiManagement/service@2023-05-01-preview' existing = {",
    "  name: 'apim'",
    '}',
    "resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {",
    '  parent: service',
    "  name: 'deep'",
    `  properties: { displayName: 'deep', path: 'deep', protocols: ['https'], deep: ${propertiesExtra} }`,
    '}',
    '',
  ].join('\n');
}

interface HostileCase {
  name: string;
  files: () => Files;
  /** The file (relative, `/`-separated) the report must name... */
  file: string;
  /** ...in a finding of this rule (an input problem by default)... */
  ruleId?: string;
  /** ...of this problem kind, for input problems. */
  kind?: string;
  /** Further checks on the report. */
  check?: (findings: ReportFinding[]) => void;
}

const nestedProperties = (levels: number): HostileCase => ({
  name: `a response schema nested ${levels} levels through properties`,
  files: () => ({ 'apis/hostile/apiInformation.json': apiInformation('hostile'), 'apis/hostile/specification.json': jsonSpecWithResponseSchema(deepSchema(levels, 'properties')) }),
  file: 'apis/hostile/specification.json',
  kind: 'too-deep',
});

const CASES: HostileCase[] = [
  nestedProperties(1_700),
  nestedProperties(5_000),
  {
    name: 'a response schema nested 5000 levels through items',
    files: () => ({ 'apis/hostile/apiInformation.json': apiInformation('hostile'), 'apis/hostile/specification.json': jsonSpecWithResponseSchema(deepSchema(5_000, 'items')) }),
    file: 'apis/hostile/specification.json',
    kind: 'too-deep',
  },
  {
    name: 'a response schema nested 5000 levels through allOf',
    files: () => ({ 'apis/hostile/apiInformation.json': apiInformation('hostile'), 'apis/hostile/specification.json': jsonSpecWithResponseSchema(deepSchema(5_000, 'allOf')) }),
    file: 'apis/hostile/specification.json',
    kind: 'too-deep',
  },
  {
    // Each schema is shallow: only the walk through the $refs is deep, so the walk is what must stop.
    name: 'a chain of 1650 $refs through properties',
    files: () => {
      const schemas = Array.from({ length: 1_650 }, (_, index) => `    S${index}: {type: object, properties: {p: {$ref: '#/components/schemas/S${index + 1}'}}}`);
      schemas.push('    S1650: {type: string}');
      const responses = "      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/S0'}\n";
      const text = `openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /get:\n    get:\n      operationId: get\n${responses}components:\n  schemas:\n${schemas.join('\n')}\n`;
      return { 'apis/hostile/apiInformation.json': apiInformation('hostile'), 'apis/hostile/specification.yaml': text };
    },
    file: 'apis/hostile/specification.yaml',
    kind: 'too-deep',
  },
  {
    name: 'a chain of 1650 $refs each to the next',
    files: () => {
      const schemas = Array.from({ length: 1_650 }, (_, index) => `    S${index}: {$ref: '#/components/schemas/S${index + 1}'}`);
      schemas.push('    S1650: {type: string}');
      return hostileApi({ 'apis/hostile/specification.yaml': spec('get', `components:\n  schemas:\n${schemas.join('\n')}\n`).replace("'200': {description: ok}", "'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/S0'}}}}") });
    },
    file: 'apis/hostile/specification.yaml',
    kind: 'too-deep',
  },
  {
    name: 'an <inbound> with 3600 nested elements',
    files: () => hostileApi({ 'apis/hostile/policy.xml': inbound('<base />' + '<a>'.repeat(3_600) + '</a>'.repeat(3_600)) }),
    file: 'apis/hostile/policy.xml',
    kind: 'too-deep',
  },
  {
    name: '50000 nested <choose><when>',
    files: () => hostileApi({ 'apis/hostile/policy.xml': inbound('<base />' + '<choose><when condition="@(true)">'.repeat(50_000) + '<validate-jwt header-name="Authorization" />' + '</when></choose>'.repeat(50_000)) }),
    file: 'apis/hostile/policy.xml',
    kind: 'too-deep',
  },
  {
    // f1 → f2 → … → f3800: f3768 is the first from the end whose chain (33 fragments) is one more than the limit.
    name: 'a chain of 3800 fragments',
    files: () => {
      const files: Files = hostileApi({ 'apis/hostile/policy.xml': inbound('<base />' + include('f1')) });
      for (let index = 1; index < 3_800; index++) Object.assign(files, fragmentFiles(`f${index}`, include(`f${index + 1}`)));
      return Object.assign(files, fragmentFiles('f3800', '<set-variable name="x" value="1" />'));
    },
    file: `policy fragments/f${3_800 - MAX_FRAGMENT_DEPTH}/policy.xml`,
    ruleId: 'fragment-include-cycle',
  },
  {
    // d20 is one element, d(k) twice d(k+1): d(k) expands to 2^(20-k) elements. d5 (32768) is the first past the
    // budget, at its second include of d6 (16384 + 16384).
    name: 'fragments that each include the next one twice, 20 levels deep',
    files: () => {
      const files: Files = hostileApi({ 'apis/hostile/policy.xml': inbound('<base />' + include('d1')) });
      for (let level = 1; level < 20; level++) Object.assign(files, fragmentFiles(`d${level}`, include(`d${level + 1}`) + '\n' + include(`d${level + 1}`)));
      return Object.assign(files, fragmentFiles('d20', '<set-variable name="x" value="1" />'));
    },
    file: 'policy fragments/d5/policy.xml',
    ruleId: 'fragment-include-cycle',
    check: (findings) => {
      const budget = findings.filter((finding) => finding.ruleId === 'fragment-include-cycle');
      assert.deepStrictEqual(budget.map((finding) => [finding.resource, finding.location.startLine]), [['policyFragments/d5', 3]]);
      assert.match(budget[0].message, new RegExp(`more than ${MAX_EFFECTIVE_ELEMENTS}`));
    },
  },
  {
    name: 'a fragment that includes itself',
    files: () => hostileApi({ 'apis/hostile/policy.xml': inbound('<base />' + include('self')), ...fragmentFiles('self', include('self')) }),
    file: 'policy fragments/self/policy.xml',
    ruleId: 'fragment-include-cycle',
  },
  {
    name: 'two fragments that include each other',
    files: () => hostileApi({ 'apis/hostile/policy.xml': inbound('<base />' + include('c1')), ...fragmentFiles('c1', include('c2')), ...fragmentFiles('c2', include('c1')) }),
    // The walk starts at c1, the first fragment read: c2's include closes the cycle.
    file: 'policy fragments/c2/policy.xml',
    ruleId: 'fragment-include-cycle',
    check: (findings) => assert.ok(findings.some((finding) => finding.ruleId === 'fragment-include-cycle' && finding.message.includes('c1 → c2 → c1'))),
  },
  {
    name: 'Bicep objects nested 5000 levels',
    files: () => ({ 'infra/main.bicep': bicepApi('{ a: '.repeat(5_000) + "'x'" + ' }'.repeat(5_000)) }),
    file: 'infra/main.bicep',
    kind: 'too-deep',
  },
  {
    name: 'Bicep arrays nested 5000 levels',
    files: () => ({ 'infra/main.bicep': bicepApi('['.repeat(5_000) + ']'.repeat(5_000)) }),
    file: 'infra/main.bicep',
    kind: 'too-deep',
  },
  {
    name: 'JSON arrays nested 100000 levels in apiInformation.json',
    files: () => ({ 'apis/hostile/apiInformation.json': `{"properties":{"displayName":"hostile","path":"hostile","x-deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}}` }),
    file: 'apis/hostile/apiInformation.json',
    kind: 'too-deep',
  },
  {
    name: 'a YAML flow sequence nested 5000 levels',
    files: () => hostileApi({ 'apis/hostile/specification.yaml': spec('get', `x-deep: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`) }),
    file: 'apis/hostile/specification.yaml',
    kind: 'too-deep',
  },
  {
    name: 'a policy of 126000 stray < characters',
    files: () => hostileApi({ 'apis/hostile/policy.xml': inbound('<base />' + '< '.repeat(126_000)) }),
    file: 'apis/hostile/policy.xml',
    kind: 'malformed-xml',
    check: (findings) => {
      const problems = findings.filter((finding) => finding.ruleId === 'input-problem' && finding.location.file === 'apis/hostile/policy.xml');
      assert.strictEqual(problems.length, MAX_PROBLEMS_PER_FILE + 1);
      const dropped = problems.filter((finding) => finding.properties?.problemKind === 'over-budget');
      assert.strictEqual(dropped.length, 1);
      assert.match(dropped[0].message, new RegExp(`^${126_000 - MAX_PROBLEMS_PER_FILE} more problems`));
    },
  },
  {
    // Only the first <base /> of a section counts: the API runs the (absent) global policy once, the operation the API's once.
    name: '1000 <base /> at the API scope and 1000 at the operation scope',
    files: () =>
      hostileApi({
        'apis/hostile/policy.xml': inbound('<base />\n'.repeat(1_000)),
        'apis/hostile/operations/get/policy.xml': inbound('<base />\n'.repeat(1_000)),
      }),
    file: 'apis/hostile/operations/get/policy.xml',
    kind: 'invalid-artifact',
    check: (findings) => {
      const repeated = findings.filter((finding) => finding.properties?.problemKind === 'invalid-artifact').map((finding) => finding.location.file);
      // One per section that repeats it: <inbound>, in each file.
      assert.deepStrictEqual(repeated.sort(), ['apis/hostile/operations/get/policy.xml', 'apis/hostile/policy.xml']);
      const unauthenticated = findings.find((finding) => finding.ruleId === 'endpoint-authentication' && finding.resource === 'apis/hostile/operations/get');
      assert.ok(unauthenticated, 'the keyless operation is still assessed');
      assert.ok(unauthenticated.related.length <= MAX_RELATED_LOCATIONS);
    },
  },
];

function writeRepository(root: string, files: Files): void {
  const all: Files = {
    'apis/plain/apiInformation.json': apiInformation('plain'),
    'apis/plain/specification.yaml': spec('list'),
    ...files,
  };
  for (const [relative, content] of Object.entries(all)) {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

describe('limits: hostile repositories through the CLI', function () {
  this.timeout(120_000);
  let temp: string;

  before(() => {
    const build = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.js')], { cwd: ROOT, encoding: 'utf8' });
    assert.strictEqual(build.status, 0, `the build failed: ${build.stderr}`);
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-limits-'));
  });

  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  CASES.forEach((hostile, index) => {
    it(hostile.name, () => {
      const root = path.join(temp, String(index));
      writeRepository(root, hostile.files());
      const started = Date.now();
      const run = spawnSync(process.execPath, [CLI, 'scan', root, '--format', 'json'], { encoding: 'utf8', timeout: CASE_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
      const elapsed = Date.now() - started;
      assert.ok(run.error === undefined, `the scan did not finish in ${CASE_TIMEOUT_MS} ms: ${run.error?.message}`);
      assert.ok(run.status === 0 || run.status === 1, `exit code ${run.status}: ${run.stderr.slice(0, 2000)}`);
      const findings = (JSON.parse(run.stdout) as { findings: ReportFinding[] }).findings;
      const ruleId = hostile.ruleId ?? 'input-problem';
      const naming = findings.filter((finding) => finding.ruleId === ruleId && finding.location.file === hostile.file && (!hostile.kind || finding.properties?.problemKind === hostile.kind));
      assert.ok(naming.length > 0, `no ${ruleId} ${hostile.kind ?? ''} names ${hostile.file}; got:\n${findings.map((finding) => `  ${finding.ruleId} ${finding.properties?.problemKind ?? ''} ${finding.location.file}: ${finding.message}`).join('\n')}`);
      assert.ok(
        findings.some((finding) => finding.ruleId === 'endpoint-authentication' && finding.resource === 'apis/plain/operations/list'),
        'the ordinary API lost its finding',
      );
      hostile.check?.(findings);
      console.log(`      ${elapsed} ms`);
    });
  });
});

describe('limits: a JSON document past the depth limit', () => {
  const deep = `{"name":"a","deep":${'['.repeat(MAX_NESTING_DEPTH + 10)}${']'.repeat(MAX_NESTING_DEPTH + 10)}}`;

  it('is read down to the limit, and says where the limit was reached', () => {
    const { document, problems } = parseDocument('/x.json', deep);
    assert.deepStrictEqual(problems.map((problem) => [problem.kind, problem.span?.start]), [['too-deep', '{"name":"a","deep":'.length + MAX_NESTING_DEPTH - 1]]);
    let value = (document!.value as { deep: unknown }).deep;
    let depth = 1; // the root object
    while (Array.isArray(value)) [value, depth] = [value[0], depth + 1];
    assert.strictEqual(depth, MAX_NESTING_DEPTH);
    assert.strictEqual(value, null);
  });

  it('is reparsed whole after an edit elsewhere, so that the problem stays', () => {
    const { document } = parseDocument('/x.json', deep);
    const edited = reparseDocument(document!, deep.replace('"a"', '"b"'));
    assert.strictEqual((edited.document!.value as { name: string }).name, 'b');
    assert.deepStrictEqual(edited.problems.map((problem) => problem.kind), ['too-deep']);
  });
});
