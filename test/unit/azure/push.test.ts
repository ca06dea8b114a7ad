// The one push pipeline both pushes of the editor use: from the repository and its snapshot to a push
// request, through the guarded write against the ARM emulator, and back into the snapshot.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Agent } from 'https';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { apiPropertiesPush, policyPush, pushToAzure } from '../../../src/core/azure/apply';
import { armClientOptions } from '../../../src/core/azure/arm';
import { mappedService } from '../../../src/core/azure/mapping';
import { scan } from '../../../src/core/scan';
import { CONTOSO_SERVICE_ID, CONTOSO_SUBSCRIPTION, contosoState, SAMPLES } from '../../azure/contoso';
import { ArmEmulator, fixedTokenCredential } from '../../azure/emulator';

const POLICY_FILE = path.join(SAMPLES, 'apis', 'payments', 'operations', 'get-saved-card', 'policy.xml');
const ARM_POLICY = `${CONTOSO_SERVICE_ID}/apis/payments/operations/get-saved-card/policies/policy`;
const NOW = new Date('2026-05-05T08:00:00Z');

describe('the push pipeline (against the ARM emulator of the Contoso sample)', function () {
  this.timeout(30000);
  let emulator: ArmEmulator;
  let agent: Agent;
  let apim: ApiManagementClient;
  let backups: string;
  // Scanned for each test: a push records into the snapshot the scan read.
  let deployed: NonNullable<ReturnType<typeof scan>['deployed']>[number];

  beforeEach(async () => {
    emulator = await new ArmEmulator(contosoState()).start();
    agent = emulator.agent();
    apim = new ApiManagementClient(fixedTokenCredential(), CONTOSO_SUBSCRIPTION, armClientOptions({ endpoint: emulator.endpoint, agent, retryDelayInMs: 5 }));
    backups = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-push-'));
    [deployed] = scan(SAMPLES, { snapshot: 'auto' }).deployed!;
  });

  afterEach(async () => {
    agent.destroy();
    await emulator.stop();
    fs.rmSync(backups, { recursive: true, force: true });
  });

  const savedCardPush = () => {
    const drift = deployed.drift.find((item) => item.kind === 'policy-differs' && item.location.file === POLICY_FILE);
    const request = policyPush(drift, POLICY_FILE, fs.readFileSync(POLICY_FILE, 'utf8'));
    assert.ok(!('nothing' in request) && request.kind === 'policy');
    return request;
  };
  const savedCardInSnapshot = () => deployed.snapshot.snapshot.services[0].apis.find((api) => api.name === 'payments')!.operations.find((operation) => operation.name === 'get-saved-card')!.policy;

  it('pushes a policy fixed in git but not deployed, and records what Azure now has in the snapshot', async () => {
    const request = savedCardPush();
    assert.strictEqual(request.label, 'apim-contoso-outfitters/apis/payments/operations/get-saved-card');
    assert.strictEqual(request.loaded, emulator.policy(ARM_POLICY)!.value, 'what was loaded is what the emulator runs');
    const result = await pushToAzure(apim, deployed.snapshot.snapshot, request, backups, { endpoint: emulator.endpoint, now: NOW });
    assert.strictEqual(result.status, 'pushed');
    const now = emulator.policy(ARM_POLICY)!;
    assert.strictEqual(now.value, fs.readFileSync(POLICY_FILE, 'utf8'));
    assert.deepStrictEqual(savedCardInSnapshot(), { value: now.value, etag: now.etag, pushedAt: '2026-05-05T08:00:00.000Z' });
    assert.strictEqual(result.status === 'pushed' && fs.readFileSync(result.backupFile!, 'utf8'), request.loaded);
  });

  it('leaves Azure and the snapshot as they are when the policy changed in Azure since the load', async () => {
    const request = savedCardPush();
    const theirs = request.loaded!.replace('<inbound>', '<inbound><rate-limit calls="10" renewal-period="60" />');
    emulator.setPolicy(ARM_POLICY, theirs);
    const before = structuredClone(savedCardInSnapshot());
    const result = await pushToAzure(apim, deployed.snapshot.snapshot, request, backups, { endpoint: emulator.endpoint, now: NOW });
    assert.ok(result.status === 'conflict');
    assert.deepStrictEqual([result.reason, result.base, result.remote], ['changed-since-loaded', request.loaded, theirs]);
    assert.strictEqual(emulator.policy(ARM_POLICY)!.value, theirs);
    assert.deepStrictEqual(savedCardInSnapshot(), before);
  });

  it("pushes an API's protocols from its declaration, and records them in the snapshot", async () => {
    const declared = deployed.local.apis.find((api) => api.name === 'store-locator')!;
    // What the encrypted-protocols fix writes: no http.
    const fixed = { ...declared, protocols: { ...declared.protocols!, value: ['https'] } };
    const request = apiPropertiesPush(fixed, mappedService(deployed.snapshot.snapshot, deployed.mappings)!, deployed.mappings);
    assert.ok(!('nothing' in request) && request.kind === 'api-properties');
    assert.deepStrictEqual([request.label, request.local, request.loaded], ['apim-contoso-outfitters/apis/store-locator', { protocols: ['https'], subscriptionRequired: true }, { protocols: ['http', 'https'], subscriptionRequired: true }]);
    const result = await pushToAzure(apim, deployed.snapshot.snapshot, request, backups, { now: NOW });
    assert.strictEqual(result.status, 'pushed');
    assert.deepStrictEqual(emulator.api(`${CONTOSO_SERVICE_ID}/apis/store-locator`)!.protocols, ['https']);
    const inSnapshot = deployed.snapshot.snapshot.services[0].apis.find((api) => api.name === 'store-locator')!;
    assert.deepStrictEqual([inSnapshot.protocols, inSnapshot.pushedAt], [['https'], '2026-05-05T08:00:00.000Z']);
  });

  it('says why there is nothing to push', () => {
    const orders = deployed.local.apis.find((api) => api.name === 'orders')!;
    assert.deepStrictEqual(apiPropertiesPush(orders, mappedService(deployed.snapshot.snapshot, deployed.mappings)!, []), { nothing: 'API orders is not mapped to a deployed API; nothing to push.' });
    assert.deepStrictEqual(policyPush(undefined, POLICY_FILE, ''), { nothing: 'policy.xml is what is deployed (or it is not mapped to a deployed scope); nothing to push.' });
  });
});
