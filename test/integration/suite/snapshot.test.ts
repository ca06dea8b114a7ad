// What the snapshot of Azure kept in the repository gives the editor, offline: the Drift view, and
// mappings confirmed by the user saved in .apim-posture.json. (Signing in, loading, onboarding and
// pushing need VS Code's modal dialogs, which the tests window refuses: the runner drives those in a
// workbench, test/integration/run.ts, "ui: Azure".)
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { ApimPostureApi } from '../../../src/extension/extension';
import { extensionApi, readOnDisk } from './helpers';

describe('the snapshot of Azure in the repository', () => {
  let api: ApimPostureApi;

  before(async () => {
    api = (await extensionApi()) as unknown as ApimPostureApi;
    await api.ctx.analyzeAll();
  });

  it('the Drift view lists what is fixed locally but not deployed, and the policies that differ', async () => {
    const groups = (await api.drift.getChildren()) as { drift: string; members: { item: { resource: string } }[] }[];
    const resources = (drift: string) => groups.find((group) => group.drift === drift)?.members.map(({ item }) => item.resource) ?? [];
    assert.ok(resources('not-deployed').includes('apis/payments/operations/get-saved-card'), JSON.stringify(groups.map((group) => [group.drift, resources(group.drift)])));
    assert.ok(resources('policy-differs').includes('apis/payments/operations/get-saved-card'));
  });

  it('the API Inventory lists the deployed APIs the repository does not have, under "Only in Azure"', async () => {
    const groups = await api.inventory.getChildren();
    const onlyInAzure = groups.find((node) => node.kind === 'group' && node.group === 'onlyInAzure');
    assert.ok(onlyInAzure, JSON.stringify(groups.map((node) => node.kind === 'group' && node.group)));
    const apis = (await api.inventory.getChildren(onlyInAzure)).map((node) => node.kind === 'resource' && node.resource.id);
    assert.deepStrictEqual(apis, ['apis/echo-api']);
  });

  it('"Show API Mappings" saves a confirmed mapping in .apim-posture.json, where it wins', async () => {
    const mapping = await vscode.commands.executeCommand<{ local: string; deployed?: { api: string }; reason: string }>('apimPosture.azure.showMappings', 'orders', 'orders');
    assert.strictEqual(mapping?.reason, 'explicit');
    assert.strictEqual(mapping.deployed?.api, 'orders');
    const config = JSON.parse(readOnDisk('.apim-posture.json')) as { mappings?: { local: string; deployed: string }[] };
    assert.deepStrictEqual(config.mappings, [{ local: 'orders', deployed: 'orders' }]);
  });
});
