// After a write to Azure the snapshot in hand follows it, so drift and findings update without a new
// load; a confirmed mapping is written to .apim-posture.json and wins over the heuristics.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { deployedResourceId } from '../../../src/core/azure/mapping';
import { recordApiCollection, recordApiProperties, recordDefenderPlan, recordPolicy, scopeLabel } from '../../../src/core/azure/record';
import { readSnapshotFile, serializeSnapshot } from '../../../src/core/azure/snapshot';
import { describeSnapshotError, summarizeSnapshot } from '../../../src/core/azure/summary';
import { applyTextEdits } from '../../../src/core/fixes/apply';
import { mappingEdit } from '../../../src/core/fixes/mapping';
import { scan } from '../../../src/core/scan';
import { CONTOSO_SERVICE_ID, CONTOSO_SUBSCRIPTION, SAMPLE_SNAPSHOT, SAMPLES } from '../../azure/contoso';

const CONTOSO = { subscriptionId: CONTOSO_SUBSCRIPTION, resourceGroup: 'rg-contoso-apis', serviceName: 'apim-contoso-outfitters' };
const GET_SAVED_CARD = { kind: 'operation' as const, api: 'payments', operation: 'get-saved-card' };

/** The sample in a temporary folder, so that its snapshot and configuration can be rewritten. */
function sampleCopy(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-record-'));
  fs.cpSync(SAMPLES, root, { recursive: true });
  return root;
}

describe('azure: the snapshot after writes', () => {
  it('a pushed policy ends its policy drift, and the recorded ETag is the one a next push sends', () => {
    const root = sampleCopy();
    const before = scan(root, { snapshot: 'auto' });
    const drift = before.deployed![0].drift.find((item) => item.kind === 'policy-differs' && item.resource === 'apis/payments/operations/get-saved-card');
    assert.ok(drift?.local, 'the sample starts with get-saved-card fixed in git only');

    const loaded = before.deployed![0].snapshot;
    const notDeployed = before.deployed![0].drift.find((item) => item.kind === 'not-deployed' && item.resource === 'apis/payments/operations/get-saved-card');
    assert.ok(notDeployed, 'Defender still reports it: fixed in git, not deployed');
    assert.strictEqual(recordPolicy(loaded.snapshot, { ...CONTOSO, scope: GET_SAVED_CARD }, { value: drift.local, etag: '"new"', pushedAt: '2026-11-23T12:00:00Z' }), true);
    fs.writeFileSync(loaded.file, serializeSnapshot(loaded.snapshot));

    const after = scan(root, { snapshot: 'auto' });
    assert.ok(!after.deployed![0].drift.some((item) => item.kind === 'policy-differs' && item.resource === 'apis/payments/operations/get-saved-card'));
    // Defender's assessment predates the push: the finding waits for its next assessment, it is no gap in the rules.
    const kinds = after.deployed![0].drift.filter((item) => item.resource === 'apis/payments/operations/get-saved-card').map((item) => item.kind);
    assert.deepStrictEqual(kinds, ['awaiting-evaluation']);
    const observed = after.findings.find((finding) => finding.id === notDeployed.findingId);
    assert.match(observed?.message ?? '', /Defender has not assessed it again yet/);
    const operation = after.deployed![0].snapshot.snapshot.services[0].apis.find((api) => api.name === 'payments')!.operations.find((candidate) => candidate.name === 'get-saved-card')!;
    assert.strictEqual(operation.policy?.etag, '"new"');
  });

  it('records onboarding, the plan and API properties; refuses what the snapshot does not hold', () => {
    const { snapshot } = readSnapshotFile(SAMPLE_SNAPSHOT);
    assert.strictEqual(recordApiCollection(snapshot, CONTOSO, { apiName: 'partners', provisioningState: 'Succeeded' }), true);
    assert.deepStrictEqual(snapshot.services[0].apiCollections.filter((collection) => collection.apiName === 'partners'), [{ apiName: 'partners', provisioningState: 'Succeeded' }]);
    assert.strictEqual(recordDefenderPlan(snapshot, CONTOSO_SUBSCRIPTION.toUpperCase(), { pricingTier: 'Standard', subPlan: 'P2' }), true);
    assert.deepStrictEqual(snapshot.subscriptions[0].defenderForApis, { pricingTier: 'Standard', subPlan: 'P2' });
    assert.strictEqual(recordApiProperties(snapshot, { ...CONTOSO, api: 'store-locator' }, { protocols: ['https'] }, '2026-11-23T12:00:00Z'), true);
    const storeLocator = snapshot.services[0].apis.find((api) => api.name === 'store-locator')!;
    assert.deepStrictEqual([storeLocator.protocols, storeLocator.subscriptionRequired, storeLocator.pushedAt], [['https'], true, '2026-11-23T12:00:00Z']);

    assert.strictEqual(recordPolicy(snapshot, { ...CONTOSO, scope: { kind: 'operation', api: 'payments', operation: 'no-such-operation' } }, { value: '<policies />' }), false);
    assert.strictEqual(recordApiCollection(snapshot, { ...CONTOSO, serviceName: 'another-service' }, { apiName: 'partners' }), false);
    assert.strictEqual(recordDefenderPlan(snapshot, 'another-subscription', { pricingTier: 'Standard' }), false);
  });

  it('names scopes and ARM ids through the mappings', () => {
    assert.strictEqual(scopeLabel({ ...CONTOSO, scope: GET_SAVED_CARD }), 'apim-contoso-outfitters/apis/payments/operations/get-saved-card');
    assert.strictEqual(scopeLabel({ ...CONTOSO, scope: { kind: 'global' } }), 'apim-contoso-outfitters/global');
    const { snapshot } = readSnapshotFile(SAMPLE_SNAPSHOT);
    const service = snapshot.services[0];
    const mappings = [{ local: 'orders-local', deployed: { serviceId: CONTOSO_SERVICE_ID, api: 'orders' }, reason: 'explicit' as const, confidence: 'high' as const, detail: '' }];
    assert.strictEqual(deployedResourceId('apis/orders-local/operations/get-order', service, mappings), `${CONTOSO_SERVICE_ID}/apis/orders/operations/get-order`);
    assert.strictEqual(deployedResourceId('service', service, mappings), CONTOSO_SERVICE_ID);
    assert.strictEqual(deployedResourceId('products/starter', service, mappings), `${CONTOSO_SERVICE_ID}/products/starter`);
    assert.strictEqual(deployedResourceId('apis/unmapped', service, mappings), undefined);
  });

  it('summarizes a load, and says when no subscription could be read', () => {
    const { snapshot } = readSnapshotFile(SAMPLE_SNAPSHOT);
    const summary = summarizeSnapshot(snapshot);
    assert.strictEqual(summary.services, 1);
    assert.strictEqual(summary.apis, snapshot.services[0].apis.length);
    assert.ok(summary.unhealthy > 0);
    assert.strictEqual(summary.everySubscriptionFailed, false);
    assert.match(summary.text, /^1 API Management service\(s\), \d+ API\(s\), \d+ Unhealthy assessment\(s\) from 1 subscription\(s\)$/);

    snapshot.subscriptions[0].errors.push({ operation: 'services', scope: `/subscriptions/${CONTOSO_SUBSCRIPTION}`, status: 403, code: 'AuthorizationFailed', message: 'no access' });
    const failed = summarizeSnapshot(snapshot);
    assert.strictEqual(failed.everySubscriptionFailed, true);
    assert.match(failed.text, /; 1 part\(s\) could not be read$/);
    assert.strictEqual(describeSnapshotError(failed.errors[0]), `services of /subscriptions/${CONTOSO_SUBSCRIPTION} could not be read (403 AuthorizationFailed): no access`);
  });
});

describe('fixes: mappings in .apim-posture.json', () => {
  const apply = (text: string | undefined, mapping: { local: string; deployed?: string }) => {
    const edit = mappingEdit('/repo', text, mapping);
    return edit && { file: edit.file, create: edit.create, text: applyTextEdits(text ?? '', edit.edits) };
  };

  it('creates the file, appends, replaces the same local API, and removes, keeping comments and the rest', () => {
    const created = apply(undefined, { local: 'orders', deployed: 'orders-v2' })!;
    assert.deepStrictEqual([created.file, created.create, JSON.parse(created.text)], ['/repo/.apim-posture.json', true, { mappings: [{ local: 'orders', deployed: 'orders-v2' }] }]);

    const withComment = '{\n  // decided with the platform team\n  "rules": { "unused-endpoint": "off" },\n  "mappings": [{ "local": "orders", "deployed": "orders-v2" }]\n}\n';
    const appended = apply(withComment, { local: 'payments', deployed: 'payments' })!.text;
    assert.match(appended, /decided with the platform team/);
    assert.match(appended, /"unused-endpoint": "off"/);
    const replaced = apply(appended, { local: 'orders', deployed: 'orders' })!.text;
    const mappingsOf = (text: string) => JSON.parse(text.replace(/^\s*\/\/.*$/m, '')).mappings;
    assert.deepStrictEqual(mappingsOf(replaced), [{ local: 'orders', deployed: 'orders' }, { local: 'payments', deployed: 'payments' }]);
    assert.deepStrictEqual(mappingsOf(apply(replaced, { local: 'orders' })!.text), [{ local: 'payments', deployed: 'payments' }]);
    assert.strictEqual(apply(replaced, { local: 'not-mapped' }), undefined);
  });

  it('the written mapping wins over the APIOps folder name in the next scan', () => {
    const root = sampleCopy();
    const edit = mappingEdit(root, undefined, { local: 'orders', deployed: 'customers' })!;
    fs.writeFileSync(edit.file, applyTextEdits('', edit.edits));
    const orders = scan(root, { snapshot: 'auto' }).deployed![0].mappings.find((mapping) => mapping.local === 'orders');
    assert.deepStrictEqual([orders?.reason, orders?.deployed?.api], ['explicit', 'customers']);
  });
});
