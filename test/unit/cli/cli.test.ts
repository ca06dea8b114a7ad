// The CLI as users and CI call it: arguments, formats, exit codes, and nothing on stderr unless asked.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Writable } from 'stream';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { EXIT, run } from '../../../src/cli/main';

const SAMPLES = path.join(__dirname, '..', '..', '..', 'samples');
const SARIF_SCHEMA = path.join(__dirname, '..', '..', 'fixtures', 'report', 'sarif-schema-2.1.0.json');

function capture(isTTY = false) {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  }) as Writable & { isTTY?: boolean };
  stream.isTTY = isTTY;
  return { stream, text: () => text };
}

/** The CLI in process; a scan whose goals need the git history (the sample's finding-age-days goal) answers once it is walked. */
async function cli(args: string[], tty = false) {
  const out = capture(tty);
  const err = capture(tty);
  const code = await run(args, { out: out.stream, err: err.stream });
  return { code, out: out.text(), err: err.text() };
}

describe('apim-posture CLI', async () => {
  it('scan exits 1 on high findings by default, and on the sample\'s blocking goal with --fail-on none; 0 with --exit-zero; no progress off a TTY', async () => {
    const failing = (await cli(['scan', SAMPLES]));
    assert.strictEqual(failing.code, EXIT.findings);
    // samples/.apim-posture.json: all-authenticated is blocking, and 13 of 39 operations are not authenticated.
    assert.strictEqual(failing.err, 'apim-posture: A blocking goal is not met: all-authenticated.\n');
    assert.match(failing.out, /endpoint-authentication/);
    assert.match(failing.out, /findings \(\d+ high, \d+ medium, \d+ low, \d+ info\)/);
    assert.strictEqual((await cli(['scan', SAMPLES, '--fail-on', 'none'])).code, EXIT.findings);
    assert.strictEqual((await cli(['scan', SAMPLES, '--exit-zero'])).code, EXIT.ok);
  });

  it('shows progress on a TTY only, and clears it', async () => {
    const result = (await cli(['scan', SAMPLES, '--fail-on=none'], true));
    assert.match(result.err, /^Scanning .*\r\x1b\[Kapim-posture: A blocking goal is not met: all-authenticated\.\n$/s);
  });

  it('writes JSON with 1-based positions relative to the scanned folder', async () => {
    const result = (await cli(['scan', SAMPLES, '--format', 'json']));
    const report = JSON.parse(result.out);
    const finding = report.findings.find((candidate: { resource: string; ruleId: string }) => candidate.resource === 'apis/orders/operations/track-shipment');
    assert.strictEqual(finding.ruleId, 'endpoint-authentication');
    assert.strictEqual(finding.location.file, 'apis/orders/specification.yaml');
    const line = fs.readFileSync(path.join(SAMPLES, finding.location.file), 'utf8').split('\n')[finding.location.startLine - 1];
    assert.strictEqual(line.slice(finding.location.startColumn - 1, finding.location.endColumn - 1), 'get');
  });

  it('writes SARIF that is valid against the 2.1.0 schema, to --output', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-cli-'));
    try {
      const output = path.join(folder, 'reports', 'scan.sarif');
      const result = (await cli(['scan', SAMPLES, '--format', 'sarif', '--output', output, '--fail-on', 'medium']));
      assert.strictEqual(result.code, EXIT.findings);
      assert.strictEqual(result.out, '');
      assert.match(result.err, /Wrote sarif report to/);
      const sarif = JSON.parse(fs.readFileSync(output, 'utf8'));
      const ajv = new Ajv({ strict: false, allErrors: true });
      addFormats(ajv);
      const validate = ajv.compile(JSON.parse(fs.readFileSync(SARIF_SCHEMA, 'utf8')));
      const valid = validate(sarif) as boolean;
      assert.ok(valid, JSON.stringify(validate.errors?.slice(0, 5)));
      const rule = sarif.runs[0].tool.driver.rules.find((candidate: { id: string }) => candidate.id === 'endpoint-authentication');
      assert.strictEqual(rule.properties.defender.assessmentKey ?? rule.properties.assessmentKey, '91af2040-7874-4659-abf0-578e1f8d07dc');
      assert.ok(sarif.runs[0].results.some((entry: { locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }) => entry.locations[0].logicalLocations[0].fullyQualifiedName === 'apis/product-graph'));
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('writes Markdown', async () => {
    assert.match((await cli(['scan', SAMPLES, '--format', 'markdown'])).out, /^# /m);
  });

  it('explains a rule with its Defender recommendation', async () => {
    const result = (await cli(['explain', 'endpoint-authentication']));
    assert.strictEqual(result.code, EXIT.ok);
    assert.match(result.out, /API endpoints in Azure API Management should be authenticated/);
    assert.match(result.out, /91af2040-7874-4659-abf0-578e1f8d07dc/);
  });

  it('says what is wrong with the usage, exit 2', async () => {
    for (const args of [['scan', SAMPLES, '--format', 'xml'], ['scan', '--bogus'], ['explain', 'no-such-rule'], ['frobnicate'], ['scan', SAMPLES, '--fail-on']]) {
      const result = (await cli(args));
      assert.strictEqual(result.code, EXIT.usage, args.join(' '));
      assert.match(result.err, /^apim-posture: .+\nRun "apim-posture --help" for usage\.\n$/, args.join(' '));
    }
  });

  it('scans one OpenAPI file as the one API, from its folder, and says what it assumed', async () => {
    const folder = path.join(__dirname, '..', '..', 'fixtures', 'workspace', 'specs-real', 'digitalocean', 'specification');
    const result = (await cli(['scan', path.join(folder, 'DigitalOcean-public.v2.yaml'), '--format', 'json']));
    assert.strictEqual(result.code, EXIT.ok, result.err);
    const report = JSON.parse(result.out);
    assert.strictEqual(report.root, folder);
    assert.strictEqual(report.assumptions.length, 1);
    // An https server, and no parameter or field named like sensitive data: nothing to find, and every $ref read.
    assert.deepStrictEqual(report.findings, []);
    assert.match((await cli(['scan', path.join(folder, 'DigitalOcean-public.v2.yaml')])).out, /\nAssumed: .*subscription key required/);
  });

  it('says what it read and did not in two lines, and every file not read with --coverage', async () => {
    const summary = (await cli(['scan', SAMPLES, '--fail-on', 'none', '--no-snapshot'])).out;
    assert.match(summary, /^Read: 1 service \(apiops at \.\); 12 APIs, 38 operations, 18 policies from APIOps; 6 shared policies/m);
    assert.match(summary, /^Not read: 1 API definition in a format not analysed \(--coverage lists them\)\.$/m);
    assert.ok(!summary.includes('specification.graphql'));
    const full = (await cli(['scan', SAMPLES, '--fail-on', 'none', '--no-snapshot', '--coverage'])).out;
    assert.match(full, /^Coverage:\n/m);
    assert.match(full, /^Not read \(1\):\n {2}apis\/product-graph\/specification\.graphql {2}API product-graph is defined by it/m);
    const json = JSON.parse((await cli(['scan', SAMPLES, '--fail-on', 'none', '--no-snapshot', '--format', 'json'])).out);
    assert.deepStrictEqual(json.coverage.notRead.map((entry: { file: string }) => entry.file), ['apis/product-graph/specification.graphql']);
  });

  it('exits 3 when the folder does not exist', async () => {
    const result = (await cli(['scan', path.join(os.tmpdir(), 'no-such-folder-apim-posture')]));
    assert.strictEqual(result.code, EXIT.failure);
    assert.match(result.err, /is neither a folder nor an OpenAPI file/);
  });

  it('lists the rules', async () => {
    const result = (await cli(['rules']));
    assert.match(result.out, /^endpoint-authentication +high/m);
    assert.match(result.out, /^input-problem/m);
  });
});
