// `apim-posture snapshot export` and `scan --snapshot`: arguments, and an export through the real SDK
// clients against the ARM emulator (a fixed credential stands in for the Azure CLI sign-in).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Writable } from 'stream';
import { EXIT, run, type AzureAccess } from '../../../src/cli/main';
import { readSnapshotFile } from '../../../src/core/azure/snapshot';
import { ArmEmulator, fixedTokenCredential } from '../../azure/emulator';
import { generatedEstate, subscriptionId } from '../../azure/fixtures';

const SAMPLES = path.join(__dirname, '..', '..', '..', 'samples');

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function cli(args: string[], azure?: AzureAccess) {
  const out = capture();
  const err = capture();
  const code = await run(args, { out: out.stream, err: err.stream }, azure);
  return { code, out: out.text(), err: err.text() };
}

describe('apim-posture snapshot export', function () {
  this.timeout(20000);

  it('says what is wrong with its arguments, exit 2', async () => {
    for (const args of [
      ['snapshot'],
      ['snapshot', 'import'],
      ['snapshot', 'export', '--subscription', 'not-a-guid'],
      ['snapshot', 'export', '--endpoint', 'http://management.azure.com'],
      ['snapshot', 'export', '--endpoint', 'nonsense'],
      ['snapshot', 'export', '--credential', 'browser'],
      ['snapshot', 'export', '--bogus'],
      ['snapshot', 'export', '--output'],
    ]) {
      const result = await cli(args, { credential: fixedTokenCredential() });
      assert.strictEqual(result.code, EXIT.usage, args.join(' '));
      assert.match(result.err, /^apim-posture: .+\nRun "apim-posture --help" for usage\.\n$/, args.join(' '));
    }
  });

  it('writes the snapshot of the named subscriptions, or of every readable one', async () => {
    const state = generatedEstate({ subscriptions: 3, apisPerSubscription: 2, operationsPerApi: 1, unhealthyEvery: 1 });
    state.subscriptions[2].deny = 403;
    const emulator = await new ArmEmulator(state).start();
    const agent = emulator.agent();
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-export-'));
    try {
      const azure: AzureAccess = { credential: fixedTokenCredential(), connection: { agent, retryDelayInMs: 5 } };
      const output = path.join(folder, 'out', 'snapshot.json');
      const named = await cli(['snapshot', 'export', '--subscription', `${subscriptionId(0)},${subscriptionId(2)}`, '--endpoint', emulator.endpoint, '-o', output], azure);
      assert.strictEqual(named.code, EXIT.partial, named.err);
      assert.match(named.err, /Wrote .*: 1 API Management service\(s\), 2 API\(s\), \d+ Unhealthy assessment\(s\) from 2 subscription\(s\); 3 part\(s\) could not be read/);
      assert.match(named.err, /warning: services of \/subscriptions\/.* could not be read \(403 AuthorizationFailed\)/);
      assert.match(named.err, /the snapshot is partial; exit code 4 \(--allow-partial accepts it\)/);
      assert.strictEqual(readSnapshotFile(output).snapshot.services.length, 1, 'a partial snapshot is still written, its failed parts listed');
      const allowed = await cli(['snapshot', 'export', '--subscription', `${subscriptionId(0)},${subscriptionId(2)}`, '--endpoint', emulator.endpoint, '-o', output, '--allow-partial'], azure);
      assert.strictEqual(allowed.code, EXIT.ok, allowed.err);

      const subscriptionQueries = () => emulator.count((request) => request.path === '/providers/Microsoft.ResourceGraph/resources' && /resourcecontainers/.test(request.body));
      const before = subscriptionQueries();
      const all = await cli(['snapshot', 'export', `--endpoint=${emulator.endpoint}`, '--output', output], azure);
      assert.strictEqual(all.code, EXIT.ok, all.err);
      assert.strictEqual(subscriptionQueries() - before, 1, 'the subscriptions are asked for once, their names with them');
      assert.deepStrictEqual(
        readSnapshotFile(output).snapshot.subscriptions.map((subscription) => subscription.id),
        [subscriptionId(0), subscriptionId(1)],
        'the subscriptions Resource Graph lists as readable',
      );
      assert.deepStrictEqual(readSnapshotFile(output).snapshot.subscriptions.map((subscription) => subscription.displayName), ['Contoso 1', 'Contoso 2']);
    } finally {
      agent.destroy();
      await emulator.stop();
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('apim-posture scan with a snapshot', () => {
  it('merges the repository snapshot by default into every format, and not with --no-snapshot', async () => {
    const table = await cli(['scan', SAMPLES, '--fail-on', 'none']);
    assert.match(table.out, /is Unhealthy in Defender for Cloud: .* Drift: fixed in the repository, not deployed yet\./);
    assert.match(table.out, /\[deployed-policy-differs\]/);
    const json = JSON.parse((await cli(['scan', SAMPLES, '--format', 'json'])).out);
    assert.ok(json.findings.some((finding: { origin: string; location: { file: string } }) => finding.origin === 'observed' && finding.location.file === '.apim-posture/snapshot.json'));
    const sarif = JSON.parse((await cli(['scan', SAMPLES, '--format', 'sarif'])).out);
    assert.ok(sarif.runs[0].results.every((result: { ruleIndex?: number }) => typeof result.ruleIndex === 'number'));
    assert.ok(sarif.runs[0].results.some((result: { properties: { origin: string } }) => result.properties.origin === 'observed'));
    assert.match((await cli(['scan', SAMPLES, '--format', 'markdown'])).out, /API Management direct management endpoint should not be enabled/);
    const without = JSON.parse((await cli(['scan', SAMPLES, '--format', 'json', '--no-snapshot'])).out);
    assert.ok(without.findings.every((finding: { origin: string }) => finding.origin === 'predicted'));
  });

  it('shows a problem the files predict and Defender confirms once in every format, with both sources', async () => {
    // The snapshot's Unhealthy endpoint-authentication assessment of orders' track-shipment, which the files predict.
    const trackShipment = (finding: { ruleId: string; resource: string }) => finding.ruleId === 'endpoint-authentication' && finding.resource === 'apis/orders/operations/track-shipment';
    const json = JSON.parse((await cli(['scan', SAMPLES, '--format', 'json'])).out);
    const [merged, ...twins] = json.findings.filter(trackShipment);
    assert.deepStrictEqual(twins, []);
    assert.deepStrictEqual([merged.origin, merged.sources], ['predicted', ['predicted', 'observed']]);
    assert.deepStrictEqual(
      [merged.defender.assessmentKey, merged.defender.status, merged.defender.firstEvaluationDate, merged.defender.statusChangeDate],
      ['91af2040-7874-4659-abf0-578e1f8d07dc', 'Unhealthy', '2026-02-02T06:00:00Z', '2026-04-20T14:12:00Z'],
    );
    const alone = JSON.parse((await cli(['scan', SAMPLES, '--format', 'json', '--no-snapshot'])).out).findings.find(trackShipment);
    assert.strictEqual(merged.id, alone.id, 'the prediction keeps its id');

    const sarif = JSON.parse((await cli(['scan', SAMPLES, '--format', 'sarif'])).out);
    const results: { partialFingerprints: Record<string, string>; properties: { sources: string[]; defender?: { portalUri?: string } }; locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }[] = sarif.runs[0].results;
    const fingerprints = results.map((result) => result.partialFingerprints['apimPosture/v1']);
    assert.strictEqual(new Set(fingerprints).size, fingerprints.length, 'one result per problem');
    const result = results.filter((candidate) => candidate.locations[0].logicalLocations[0].fullyQualifiedName === 'apis/orders/operations/track-shipment' && candidate.properties.defender);
    assert.strictEqual(result.length, 1);
    assert.deepStrictEqual(result[0].properties.sources, ['predicted', 'observed']);
    assert.strictEqual(result[0].partialFingerprints['apimPosture/v1'], alone.id);

    const markdown = (await cli(['scan', SAMPLES, '--format', 'markdown'])).out;
    assert.match(markdown, /- Reported by: the files and Azure: Unhealthy since 2026-04-20, first assessed 2026-02-02 \(\[in the portal\]\(https:\/\/portal\.azure\.com\//);
    assert.strictEqual((await cli(['scan', SAMPLES, '--fail-on', 'none'])).out.match(/track-shipment .*\[endpoint-authentication\]/g)?.length, 1, 'one row in the table');
  });

  it('calls the snapshot stale past --snapshot-max-age days', async () => {
    const snapshot = path.join(SAMPLES, '.apim-posture', 'snapshot.json');
    const ageDays = Math.floor((Date.now() - Date.parse(readSnapshotFile(snapshot).snapshot.createdAt)) / 86_400_000);
    const fresh = JSON.parse((await cli(['scan', SAMPLES, '--format', 'json', '--snapshot-max-age', String(ageDays)])).out);
    assert.deepStrictEqual([fresh.snapshot.ageDays, fresh.snapshot.maxAgeDays, fresh.snapshot.stale], [ageDays, ageDays, false]);
    const stale = await cli(['scan', SAMPLES, '--fail-on', 'none', `--snapshot-max-age=${ageDays - 1}`]);
    assert.match(stale.out, new RegExp(`The snapshot is stale \\(older than ${ageDays - 1} days\\)`));
    assert.strictEqual((await cli(['scan', SAMPLES, '--snapshot-max-age', 'week'])).code, EXIT.usage);
  });

  it('takes a snapshot file by name, and fails when it does not exist', async () => {
    const named = JSON.parse((await cli(['scan', SAMPLES, '--format', 'json', '--snapshot', path.join(SAMPLES, '.apim-posture', 'snapshot.json')])).out);
    assert.ok(named.findings.some((finding: { origin: string }) => finding.origin === 'observed'));
    const missing = await cli(['scan', SAMPLES, '--snapshot', path.join(os.tmpdir(), 'no-such-snapshot.json')]);
    assert.strictEqual(missing.code, EXIT.failure);
    assert.match(missing.err, /does not exist/);
  });
});
