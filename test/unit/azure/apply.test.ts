// Writes to Azure through the real SDK clients against the ARM emulator: policy and API property
// pushes with If-Match, backups and three-way conflicts; onboarding (long-running PUT); the Defender for APIs plan.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Agent } from 'https';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { SecurityCenter } from '@azure/arm-security';
import { enableDefenderForApis, onboardApi, pushApiProperties, pushPolicy, type ApiRef } from '../../../src/core/azure/apply';
import { armClientOptions } from '../../../src/core/azure/arm';
import { readPolicy, type PolicyScopeRef } from '../../../src/core/azure/policies';
import { ArmEmulator, fixedTokenCredential } from '../../azure/emulator';
import { generatedEstate, subscriptionId } from '../../azure/fixtures';

const SUBSCRIPTION = subscriptionId(0);
const TARGET: PolicyScopeRef = { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg-apis', serviceName: 'apim-1', scope: { kind: 'operation', api: 'api-1-1', operation: 'op-1' } };
const SERVICE_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-apis/providers/Microsoft.ApiManagement/service/apim-1`;
const OPERATION_POLICY = `${SERVICE_ID}/apis/api-1-1/operations/op-1/policies/policy`;
const API: ApiRef = { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg-apis', serviceName: 'apim-1', api: 'api-1-1' };
const API_ID = `${SERVICE_ID}/apis/api-1-1`;
const LOCAL = '<policies><inbound><base /><validate-jwt header-name="Authorization" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';

describe('writes to Azure (SDK clients against the ARM emulator)', function () {
  this.timeout(20000);
  let emulator: ArmEmulator;
  let agent: Agent;
  let apim: ApiManagementClient;
  let security: SecurityCenter;
  let backups: string;

  beforeEach(async () => {
    emulator = await new ArmEmulator(generatedEstate({ subscriptions: 1, apisPerSubscription: 2, operationsPerApi: 2 })).start();
    agent = emulator.agent();
    const options = armClientOptions({ endpoint: emulator.endpoint, agent, retryDelayInMs: 5 });
    apim = new ApiManagementClient(fixedTokenCredential(), SUBSCRIPTION, options);
    security = new SecurityCenter(fixedTokenCredential(), SUBSCRIPTION, options);
    backups = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-backups-'));
  });

  afterEach(async () => {
    agent.destroy();
    await emulator.stop();
    fs.rmSync(backups, { recursive: true, force: true });
  });

  it('pushes with If-Match on the ETag read before, after backing up the deployed policy', async () => {
    const before = emulator.policy(OPERATION_POLICY)!;
    const result = await pushPolicy(apim, TARGET, LOCAL, before.etag, backups, { endpoint: emulator.endpoint, now: new Date('2026-05-04T10:00:00Z') });
    assert.strictEqual(result.status, 'pushed');
    assert.strictEqual(emulator.policy(OPERATION_POLICY)!.value, LOCAL);
    const put = emulator.requests.find((request) => request.method === 'PUT')!;
    assert.strictEqual(put.headers['if-match'], before.etag);
    assert.strictEqual(JSON.parse(put.body).properties.format, 'rawxml');
    const backupFile = result.status === 'pushed' ? result.backupFile! : '';
    assert.strictEqual(path.relative(backups, backupFile), path.join('apim-1', 'apis', 'api-1-1', 'operations', 'op-1', 'policy.2026-05-04T10-00-00-000Z.xml'));
    assert.strictEqual(fs.readFileSync(backupFile, 'utf8'), before.value);
    assert.strictEqual(result.status === 'pushed' && result.etag, emulator.policy(OPERATION_POLICY)!.etag);
  });

  it('does not overwrite a policy changed since it was read: it returns base, local and remote', async () => {
    const base = emulator.policy(OPERATION_POLICY)!;
    const remote = '<policies><inbound><base /><rate-limit calls="5" renewal-period="60" /></inbound></policies>';
    emulator.setPolicy(OPERATION_POLICY, remote);
    const result = await pushPolicy(apim, TARGET, LOCAL, base.etag, backups, { endpoint: emulator.endpoint, base: base.value });
    assert.deepStrictEqual(result, { status: 'conflict', reason: 'changed-since-loaded', base: base.value, local: LOCAL, remote, remoteETag: emulator.policy(OPERATION_POLICY)!.etag });
    assert.strictEqual(emulator.count((request) => request.method === 'PUT'), 0);
    assert.strictEqual(emulator.policy(OPERATION_POLICY)!.value, remote);
    assert.deepStrictEqual(fs.readdirSync(backups), []);
  });

  it('on 412 (changed between the read and the write) re-reads and returns the conflict, keeping no backup', async () => {
    const base = emulator.policy(OPERATION_POLICY)!;
    const remote = '<policies><inbound><base /><ip-filter action="allow" /></inbound></policies>';
    emulator.onRequest.push((request) => {
      if (request.method === 'PUT') emulator.setPolicy(OPERATION_POLICY, remote);
    });
    const result = await pushPolicy(apim, TARGET, LOCAL, base.etag, backups, { endpoint: emulator.endpoint, base: base.value });
    assert.strictEqual(result.status, 'conflict');
    assert.strictEqual(result.status === 'conflict' && result.reason, 'precondition-failed');
    assert.strictEqual(result.status === 'conflict' && result.remote, remote);
    assert.deepStrictEqual(
      emulator.requests.filter((request) => request.path.endsWith('/op-1/policies/policy')).map((request) => `${request.method} ${request.status}`),
      ['GET 200', 'PUT 412', 'GET 200'],
    );
    assert.strictEqual(emulator.policy(OPERATION_POLICY)!.value, remote);
    assert.deepStrictEqual(fs.readdirSync(backups, { recursive: true }).map(String).filter((name) => name.endsWith('.xml')), []);
  });

  it('creates a policy where there was none, and reads back what it wrote', async () => {
    const target: PolicyScopeRef = { ...TARGET, scope: { kind: 'operation', api: 'api-1-1', operation: 'op-2' } };
    const result = await pushPolicy(apim, target, LOCAL, undefined, backups, { endpoint: emulator.endpoint });
    assert.strictEqual(result.status, 'pushed');
    assert.strictEqual(result.status === 'pushed' && result.backupFile, undefined);
    assert.strictEqual((await readPolicy(apim, emulator.endpoint, target))?.value, LOCAL);
    const unchanged = await pushPolicy(apim, target, LOCAL.replace('><', '>\n  <'), emulator.policy(`${SERVICE_ID}/apis/api-1-1/operations/op-2/policies/policy`)!.etag, backups, { endpoint: emulator.endpoint });
    assert.strictEqual(unchanged.status, 'unchanged', 'whitespace alone is no change');
  });

  /** The API's properties as a load puts them in the snapshot (read through the SDK, as ARM serves them). */
  const loadedProperties = async () => {
    const { protocols, subscriptionRequired } = await apim.api.get(API.resourceGroup, API.serviceName, API.api);
    return { protocols, subscriptionRequired };
  };

  it('pushes API properties with PATCH and If-Match on the ETag read just before, after backing up the API as ARM returned it', async () => {
    const before = emulator.api(API_ID)!;
    assert.strictEqual(before.subscriptionRequired, true);
    const result = await pushApiProperties(apim, API, { protocols: ['https'], subscriptionRequired: false }, await loadedProperties(), backups, { now: new Date('2026-05-04T10:00:00Z') });
    assert.deepStrictEqual(result, { status: 'pushed', etag: emulator.api(API_ID)!.etag, backupFile: path.join(backups, 'apim-1', 'apis', 'api-1-1', 'api.2026-05-04T10-00-00-000Z.json') });
    assert.notStrictEqual(emulator.api(API_ID)!.etag, before.etag);
    assert.strictEqual(emulator.api(API_ID)!.subscriptionRequired, false);
    const patch = emulator.requests.find((request) => request.method === 'PATCH')!;
    assert.strictEqual(patch.path, API_ID);
    assert.strictEqual(patch.headers['if-match'], before.etag);
    assert.deepStrictEqual(JSON.parse(patch.body), { properties: { protocols: ['https'], subscriptionRequired: false } });
    const backup = JSON.parse(fs.readFileSync(result.status === 'pushed' ? result.backupFile! : '', 'utf8')) as { id: string; properties: { subscriptionRequired: boolean; path: string } };
    assert.strictEqual(backup.id, API_ID);
    assert.strictEqual(backup.properties.subscriptionRequired, true, 'the API as it was before the push');
    assert.strictEqual(backup.properties.path, 'api1');
    assert.doesNotMatch(fs.readFileSync(result.status === 'pushed' ? result.backupFile! : '', 'utf8'), /Bearer|emulator-test-token|SECRET/);
  });

  it('writes nothing when the API already has the properties (protocols in any order and case)', async () => {
    emulator.updateApi(API_ID, { protocols: ['https', 'wss'] });
    const { etag } = emulator.api(API_ID)!;
    const result = await pushApiProperties(apim, API, { protocols: ['WSS', 'https'], subscriptionRequired: true }, await loadedProperties(), backups);
    assert.deepStrictEqual(result, { status: 'unchanged', etag });
    assert.strictEqual(emulator.count((request) => request.method === 'PATCH'), 0);
    assert.deepStrictEqual(fs.readdirSync(backups), []);
  });

  it('does not change an API whose pushed properties changed since the load: it returns base, local and remote', async () => {
    const loaded = await loadedProperties();
    const remoteETag = emulator.updateApi(API_ID, { protocols: ['http', 'https'] });
    const local = { protocols: ['https'], subscriptionRequired: false };
    const result = await pushApiProperties(apim, API, local, loaded, backups);
    assert.deepStrictEqual(result, {
      status: 'conflict',
      reason: 'changed-since-loaded',
      base: loaded,
      local,
      remote: { protocols: ['http', 'https'], subscriptionRequired: true },
      remoteETag,
    });
    assert.strictEqual(emulator.count((request) => request.method === 'PATCH'), 0);
    assert.strictEqual(emulator.api(API_ID)!.subscriptionRequired, true);
    assert.deepStrictEqual(fs.readdirSync(backups), []);
  });

  it('a change in Azure to a property it does not push is no conflict', async () => {
    const loaded = await loadedProperties();
    emulator.updateApi(API_ID, { displayName: 'Renamed in the portal', protocols: ['http', 'https'] });
    const result = await pushApiProperties(apim, API, { subscriptionRequired: false }, loaded, backups);
    assert.strictEqual(result.status, 'pushed');
    assert.deepStrictEqual([emulator.api(API_ID)!.subscriptionRequired, emulator.api(API_ID)!.protocols], [false, ['http', 'https']]);
  });

  it('on 412 for an API (changed between the read and the write) re-reads and returns the conflict, keeping no backup', async () => {
    const loaded = await loadedProperties();
    emulator.onRequest.push((request) => {
      if (request.method === 'PATCH') emulator.updateApi(API_ID, { protocols: ['http'] });
    });
    const result = await pushApiProperties(apim, API, { protocols: ['https'], subscriptionRequired: false }, loaded, backups);
    assert.deepStrictEqual(result, {
      status: 'conflict',
      reason: 'precondition-failed',
      base: loaded,
      local: { protocols: ['https'], subscriptionRequired: false },
      remote: { protocols: ['http'], subscriptionRequired: true },
      remoteETag: emulator.api(API_ID)!.etag,
    });
    assert.deepStrictEqual(
      emulator.requests.filter((request) => request.path === API_ID).map((request) => `${request.method} ${request.status}`),
      // the load's read, the push's read, the write, the re-read
      ['GET 200', 'GET 200', 'PATCH 412', 'GET 200'],
    );
    assert.deepStrictEqual(emulator.api(API_ID)!.protocols, ['http']);
    assert.deepStrictEqual(fs.readdirSync(backups, { recursive: true }).map(String).filter((name) => name.endsWith('.json')), []);
  });

  it('onboards an API with the long-running apiCollections PUT, polling its location', async () => {
    const service = { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg-apis', serviceName: 'apim-1' };
    const lro = await new ArmEmulator(generatedEstate({ subscriptions: 1, apisPerSubscription: 4, operationsPerApi: 3 }), { lroPolls: 2, lroRetryAfter: 0 }).start();
    const lroAgent = lro.agent();
    try {
      const client = new SecurityCenter(fixedTokenCredential(), SUBSCRIPTION, armClientOptions({ endpoint: lro.endpoint, agent: lroAgent }));
      const collection = await onboardApi(client, service, 'api-1-4', { endpoint: lro.endpoint, pollIntervalMs: 1 });
      assert.strictEqual(collection.apiName, 'api-1-4');
      assert.strictEqual(collection.provisioningState, 'Succeeded');
      assert.strictEqual(collection.numberOfApiEndpoints, 3);
      assert.deepStrictEqual(
        lro.requests.map((request) => `${request.method} ${request.status} ${request.path.split('/').slice(-2).join('/')}`),
        ['PUT 202 apiCollections/api-1-4', 'GET 202 operationResults/op-1', 'GET 202 operationResults/op-1', 'GET 200 operationResults/op-1'],
      );
      assert.ok(lro.requests.every((request) => request.query.get('api-version') === '2023-11-15'));
    } finally {
      lroAgent.destroy();
      await lro.stop();
    }
  });

  it('enables the Defender for APIs plan only when asked', async () => {
    const subscription = emulator.state.subscriptions[0];
    subscription.apiPricingTier = 'Free';
    assert.deepStrictEqual(await enableDefenderForApis(security), { pricingTier: 'Standard', subPlan: 'P1' });
    assert.strictEqual(subscription.apiPricingTier, 'Standard');
    assert.strictEqual(emulator.count((request) => request.method === 'PUT' && request.path.endsWith('/pricings/Api')), 1);
  });
});
