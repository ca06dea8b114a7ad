// The analysis contract: its schema is generated from its types and current, every JSON report the CLI
// writes (whatever the layout) is valid against it, and the inventory says what the files say.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
import Ajv from 'ajv';
import { run } from '../../../src/cli/main';
import type { AnalysisReport } from '../../../src/core/report/contract';
import { REPORT_SCHEMA_FILE, reportSchemaText } from '../../../scripts/generate-report-schema';

const REPOSITORY = path.join(__dirname, '..', '..', '..');
const FIXTURES = path.join(REPOSITORY, 'test', 'fixtures', 'workspace');

/** The CLI's JSON report; a scan whose goals need the git history (the sample's finding-age-days goal) answers once it is walked. */
async function jsonReport(folder: string): Promise<AnalysisReport> {
  let text = '';
  const out = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  await run(['scan', folder, '--format', 'json', '--fail-on', 'none'], { out, err: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  return JSON.parse(text) as AnalysisReport;
}

describe('analysis contract', () => {
  it('docs/report.schema.json is the schema of the contract types as they are (npm run docs writes it)', function () {
    this.timeout(120_000);
    assert.strictEqual(fs.readFileSync(REPORT_SCHEMA_FILE, 'utf8'), reportSchemaText());
  });

  it('the JSON report of every layout is valid against the schema', async () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(fs.readFileSync(REPORT_SCHEMA_FILE, 'utf8')));
    const folders = [path.join(REPOSITORY, 'samples'), ...fs.readdirSync(FIXTURES).map((name) => path.join(FIXTURES, name))];
    for (const folder of folders) {
      const report = await jsonReport(folder);
      assert.ok(validate(report), `${path.relative(REPOSITORY, folder)}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    }
  });

  it('the inventory of the sample says how each operation is authenticated and where its code lens goes', async () => {
    const report = await jsonReport(path.join(REPOSITORY, 'samples'));
    const orders = report.services[0].apis.find((api) => api.name === 'orders');
    assert.ok(orders);
    // apis/orders/policy.xml runs validate-jwt after <base />; track-shipment's own policy has no <base /> in inbound.
    const byName = new Map(orders.operations.map((operation) => [operation.name, operation]));
    assert.strictEqual(byName.get('get-order')?.authentication.summary, 'validate-jwt (api scope)');
    assert.deepStrictEqual(byName.get('get-order')?.authentication.policies.map((use) => [use.policy, use.scope, use.location.file, use.location.startLine]), [['validate-jwt', 'api', 'apis/orders/policy.xml', 4]]);
    const track = byName.get('track-shipment');
    assert.strictEqual(track?.authentication.state, 'unauthenticated');
    assert.strictEqual(track?.authentication.keyless, true); // apiInformation.json: subscriptionRequired false
    assert.deepStrictEqual(track?.specLocation, { file: 'apis/orders/specification.yaml', startLine: 87, startColumn: 5, endLine: 87, endColumn: 8 });
    // Its effective inbound: the operation's own statements only, inheritance cut at the operation.
    const inbound = track?.effectivePolicy?.sections.inbound;
    assert.deepStrictEqual(inbound?.statements.map((statement) => statement.name), ['set-backend-service', 'rewrite-uri']);
    assert.deepStrictEqual(inbound?.inheritanceCutAt, ['operation']);
    // products/store-ops/productInformation.json: no subscription required.
    assert.match(report.services[0].products.find((product) => product.label === 'Store operations')?.description ?? '', /^open · /);
  });
});
