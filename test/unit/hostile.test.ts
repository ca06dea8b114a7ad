// The hostile repository (test/hostile/repository.ts) scanned end to end by the built CLI, in a process
// of its own with 1 GB of heap and 10 s per report: as root, the scan runs as `nobody`, so that an
// unreadable folder is unreadable. Nothing outside the root may be opened (a FIFO there would hang
// the scan; a marker there must appear in no report), every attack ends in a finding that names
// its file, and the ordinary APIs' findings survive.
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { removeHostileRepository, writeHostileRepository, type HostileRepository } from '../hostile/repository';

const PROJECT = path.join(__dirname, '..', '..');
const CLI = path.join(PROJECT, 'dist', 'cli.js');
const SARIF_SCHEMA = path.join(PROJECT, 'test', 'fixtures', 'report', 'sarif-schema-2.1.0.json');
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function scanWithCli(root: string, args: string[]): Run {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--max-old-space-size=1024', CLI, 'scan', root, ...args], {
    encoding: 'utf8',
    timeout: 10_000,
    maxBuffer: 512 * 1024 * 1024,
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, ms: performance.now() - started };
}

// Escapes a terminal acts on: C0 controls but tab and line feed, DEL, C1 controls, bidi overrides and isolates.
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('a hostile repository, scanned by the CLI', function () {
  this.timeout(120_000);
  let folder: string;
  let repository: HostileRepository;
  const runs = new Map<string, Run>();

  before(() => {
    execFileSync(process.execPath, [path.join(PROJECT, 'esbuild.js')], { cwd: PROJECT });
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-hostile-'));
    fs.chmodSync(folder, 0o755);
    repository = writeHostileRepository(folder);
    for (const format of ['json', 'sarif', 'table', 'markdown']) runs.set(format, scanWithCli(repository.root, ['--format', format, '--no-color']));
  });

  after(() => removeHostileRepository(folder));

  it('finishes every report within 10 s and 1 GB, with the exit code of findings (never 3)', () => {
    for (const [format, run] of runs) {
      assert.ok(run.status === 0 || run.status === 1, `${format}: exit ${run.status} after ${Math.round(run.ms)} ms\n${run.stderr.slice(0, 2000)}`);
    }
  });

  it('shows nothing of the files outside the root, in any format', () => {
    for (const [format, run] of runs) {
      assert.ok(!run.stdout.includes(repository.marker) && !run.stderr.includes(repository.marker), `${format} shows what is outside the root`);
    }
  });

  it('reports every attack at the file it is written in', () => {
    const report = JSON.parse(runs.get('json')!.stdout) as { findings: { ruleId: string; location: { file: string }; properties?: { problemKind?: string } }[] };
    const named = new Set(report.findings.map((finding) => finding.location.file));
    for (const testCase of repository.cases) {
      for (const file of testCase.reported) {
        assert.ok(typeof file === 'string' ? named.has(file) : [...named].some((candidate) => file.test(candidate)), `${testCase.name} (${testCase.attack}): nothing names ${file}`);
      }
    }
    const kinds = (file: string) => report.findings.filter((finding) => finding.location.file === file).map((finding) => finding.properties?.problemKind);
    assert.ok(kinds('apis/ref-outside/specification.yaml').every((kind) => kind === 'outside-root'));
    assert.strictEqual(kinds('apis/ref-outside/specification.yaml').length, 3, 'one problem per $ref, whether or not the outside file exists');
    assert.ok(kinds('apis/fifo-policy/policy.xml').includes('not-a-file'));
    assert.ok(kinds('infra/outside.bicep').includes('outside-root'));
    assert.ok(kinds('infra/links/link-0.json').includes('outside-root'));
    assert.ok(kinds('infra/links/link-0.json').includes('over-budget'), 'the links doubling at each level stop at the budget of linked reads');
    assert.ok(['invalid-artifact', 'over-budget'].every((kind) => kinds('infra/links/copies.json').includes(kind)), 'copies past ARM\'s limit, and past the budget of copies');
  });

  it("keeps the ordinary APIs' findings, and reads what is inside the root however it is encoded or linked", () => {
    const report = JSON.parse(runs.get('json')!.stdout) as { findings: { ruleId: string; resource: string; location: { file: string; startLine: number } }[] };
    for (const expected of repository.ordinary) {
      assert.ok(
        report.findings.some((finding) => finding.ruleId === expected.ruleId && finding.resource === expected.resource),
        `${expected.ruleId} on ${expected.resource} is missing`,
      );
    }
    // The operation is on line 7 of each spec (1-based), whatever the line breaks or the encoding.
    for (const resource of ['apis/lone-cr/operations/getCr', 'apis/utf16-le/operations/getLe', 'apis/utf16-be/operations/getBe']) {
      const finding = report.findings.find((candidate) => candidate.ruleId === 'endpoint-authentication' && candidate.resource === resource);
      assert.strictEqual(finding?.location.startLine, 7, resource);
    }
  });

  it('writes SARIF that is valid against its schema, and JSON, from names with lone surrogates', () => {
    const sarif = JSON.parse(runs.get('sarif')!.stdout);
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(SARIF_SCHEMA, 'utf8')));
    assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3)));
    for (const format of ['json', 'sarif']) assert.ok(!/[\ud800-\udfff]/.test(runs.get(format)!.stdout.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')), `${format} has a lone surrogate`);
  });

  it('prints no terminal escapes or bidi overrides from names in the table', () => {
    const table = runs.get('table')!.stdout;
    const line = table.split('\n').find((candidate) => TERMINAL_UNSAFE.test(candidate));
    assert.strictEqual(line, undefined, `an unsafe character reaches the terminal: ${JSON.stringify(line)}`);
  });

  it('refuses a FIFO outside the root without opening it, and shows no marker, when the root itself is referenced through a symbolic link', () => {
    // The root reached through a link: confinement holds on real paths, and the link itself is no way out.
    const linkedRoot = path.join(folder, 'linked-root');
    fs.symlinkSync(repository.root, linkedRoot);
    const run = scanWithCli(linkedRoot, ['--format', 'json']);
    assert.ok(run.status === 0 || run.status === 1, run.stderr);
    assert.ok(!run.stdout.includes(repository.marker));
  });
});
