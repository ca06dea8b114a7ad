// The editor experience on the sample workspace, through the real VS Code API: diagnostics with their
// related chain, hovers, code lenses, quick fixes applied to files on disk, live re-analysis of unsaved
// edits, suppressions from the repository file, the effective policy document, and the trees.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { codeOf, extensionApi, poll, postureDiagnostics, readOnDisk, workspaceFile } from './helpers';

async function diagnosticFor(relativePath: string, rule: string, messagePart: string): Promise<vscode.Diagnostic> {
  return poll(`${rule} on ${relativePath} mentioning ${messagePart}`, () => postureDiagnostics(relativePath, rule).find((diagnostic) => diagnostic.message.includes(messagePart)));
}

async function codeActionsAt(relativePath: string, diagnostic: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
  // The providers' commands want the document open, as it is when a person asks for quick fixes.
  await vscode.window.showTextDocument(workspaceFile(relativePath));
  return vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', workspaceFile(relativePath), diagnostic.range, vscode.CodeActionKind.QuickFix.value);
}

describe('editor experience on the sample', () => {
  before(async () => {
    await extensionApi();
    await diagnosticFor('apis/orders/specification.yaml', 'endpoint-authentication', 'track-shipment');
  });

  it('shows findings in policy JSON and specs with severity, Defender recommendation, rule link and chain', async () => {
    const protocols = await diagnosticFor('apis/store-locator/apiInformation.json', 'encrypted-protocols', 'unencrypted http');
    assert.strictEqual(protocols.severity, vscode.DiagnosticSeverity.Error);
    assert.match(protocols.message, /Defender for Cloud: API Management APIs should use only encrypted protocols/);
    assert.ok(typeof protocols.code === 'object' && protocols.code.target.toString().includes('encrypted-protocols'));

    const trackShipment = await diagnosticFor('apis/orders/specification.yaml', 'endpoint-authentication', 'track-shipment');
    const related = trackShipment.relatedInformation ?? [];
    assert.ok(related.some((info) => info.location.uri.path.endsWith('apis/orders/operations/track-shipment/policy.xml')), JSON.stringify(related.map((info) => [info.location.uri.path, info.message])));

    const subscription = await diagnosticFor('subscriptions/ops-monitoring-all-apis/subscriptionInformation.json', 'subscription-all-apis', 'all APIs');
    assert.strictEqual(subscription.severity, vscode.DiagnosticSeverity.Warning);
  });

  it('shows what Defender for APIs reported, from the snapshot kept in the repository, in the predictions it confirms', async () => {
    const diagnostics = await poll('Defender findings on the inventory spec', () => {
      const found = vscode.languages.getDiagnostics(workspaceFile('apis/inventory/specification.json'));
      return found.some((diagnostic) => diagnostic.source === 'Defender for APIs') ? found : undefined;
    });
    const listing = diagnostics.map((diagnostic) => `${diagnostic.source} ${String(codeOf(diagnostic))}: ${diagnostic.message}`).join('\n');
    // Only what the files do not predict comes from Defender for APIs: the unused list-warehouses.
    const observed = diagnostics.filter((diagnostic) => diagnostic.source === 'Defender for APIs');
    assert.deepStrictEqual(observed.map((diagnostic) => codeOf(diagnostic)), ['unused-endpoint'], listing);
    assert.match(observed[0].message, /list-warehouses/);
    // The four keyless inventory operations Defender confirms: one diagnostic each, of APIM Posture, saying Defender reports it too.
    const authentication = diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'endpoint-authentication');
    assert.strictEqual(authentication.length, 4, listing);
    assert.ok(authentication.every((diagnostic) => diagnostic.source === 'APIM Posture' && /Defender for APIs reports it too: Unhealthy since 2026-04-20/.test(diagnostic.message)), listing);
  });

  it('explains a finding on hover', async () => {
    const diagnostic = await diagnosticFor('apis/orders/specification.yaml', 'endpoint-authentication', 'track-shipment');
    await vscode.window.showTextDocument(workspaceFile('apis/orders/specification.yaml'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', workspaceFile('apis/orders/specification.yaml'), diagnostic.range.start);
    const text = hovers.flatMap((hover) => hover.contents.map((content) => (typeof content === 'string' ? content : content.value))).join('\n');
    assert.match(text, /How to fix/);
    assert.match(text, /API endpoints in Azure API Management should be authenticated/);
    assert.match(text, /also reported by Defender for APIs/);
  });

  it('puts each operation\'s authentication state in a code lens', async () => {
    await vscode.window.showTextDocument(workspaceFile('apis/orders/specification.yaml'));
    const lenses = await poll('code lenses on the orders spec', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', workspaceFile('apis/orders/specification.yaml'), 100);
      return found.length > 0 ? found : undefined;
    });
    const titles = lenses.map((lens) => lens.command?.title ?? '');
    assert.ok(titles.includes('$(warning) unauthenticated'), titles.join(' | '));
    assert.ok(titles.some((title) => /validate-jwt \(api scope\)/.test(title)), titles.join(' | '));
  });

  it('opens the effective policy of an operation with the origin of each statement', async () => {
    await vscode.commands.executeCommand('apimPosture.showEffectivePolicy', 'apis/orders/operations/get-order');
    const document = await poll('the effective policy document', () => vscode.workspace.textDocuments.find((candidate) => candidate.uri.scheme === 'apim-posture-effective'));
    const text = document.getText();
    assert.match(text, /<validate-jwt/);
    assert.match(text, /api scope, apis\/orders\/policy\.xml/);
    assert.match(text, /global scope, policy\.xml/);
  });

  it('"Require a subscription key" fixes an unauthenticated operation on disk, and the finding disappears', async () => {
    const spec = 'apis/partners/specification.yaml';
    const diagnostic = await diagnosticFor(spec, 'endpoint-authentication', 'get-product-feed');
    const actions = await codeActionsAt(spec, diagnostic);
    const preferred = actions.find((action) => action.isPreferred);
    assert.ok(preferred?.edit, `no preferred quick fix among: ${actions.map((action) => action.title).join(' | ')}`);
    assert.match(preferred.title, /Require a subscription key for API partners/);
    assert.ok(actions.some((action) => action.title === 'Require a JWT (validate-jwt)…'), actions.map((action) => action.title).join(' | '));
    assert.ok(await vscode.workspace.applyEdit(preferred.edit));
    for (const [uri] of preferred.edit.entries()) assert.ok(await (await vscode.workspace.openTextDocument(uri)).save(), `could not save ${uri.path}`);
    assert.match(readOnDisk('apis/partners/apiInformation.json'), /"subscriptionRequired": true/);
    await poll('the partners findings to go', () => (postureDiagnostics(spec, 'endpoint-authentication').length === 0 ? true : undefined));
    assert.doesNotThrow(() => JSON.parse(readOnDisk('apis/partners/apiInformation.json')));
  });

  it('"Require a JWT" on the operation creates or edits its policy.xml after <base />, and the finding disappears', async () => {
    const spec = 'apis/payments/specification.yaml';
    await diagnosticFor(spec, 'endpoint-authentication', 'list-payment-methods');
    await vscode.commands.executeCommand('apimPosture.applyFix', (await findingId('apis/payments/operations/list-payment-methods')) ?? '', 'add-validate-jwt@operation');
    const policy = readOnDisk('apis/payments/operations/list-payment-methods/policy.xml');
    assert.match(policy, /<inbound>\s*<base \/>\s*<validate-jwt header-name="Authorization"/);
    await poll('the list-payment-methods finding to go', () => (postureDiagnostics(spec, 'endpoint-authentication').some((diagnostic) => diagnostic.message.includes('list-payment-methods')) ? undefined : true));
  });

  it('re-analyses unsaved edits, and goes back to the disk when they are reverted', async () => {
    const info = workspaceFile('apis/store-locator/apiInformation.json');
    const document = await vscode.workspace.openTextDocument(info);
    const text = document.getText();
    const start = text.indexOf('"http",');
    assert.ok(start > 0, 'the sample declares http for store-locator');
    const edit = new vscode.WorkspaceEdit();
    edit.delete(info, new vscode.Range(document.positionAt(start), document.positionAt(text.indexOf('"https"', start))));
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(document.isDirty);
    await poll('the protocols finding to go while unsaved', () => (postureDiagnostics('apis/store-locator/apiInformation.json', 'encrypted-protocols').length === 0 ? true : undefined));
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.files.revert', document.uri);
    assert.ok(document.getText().includes('"http",'), 'the revert brought back what is on disk');
    await poll('the protocols finding to come back', () => (postureDiagnostics('apis/store-locator/apiInformation.json', 'encrypted-protocols').length > 0 ? true : undefined));
  });

  it('honours a suppression written to .apim-posture.json', async () => {
    const target = 'subscriptions/ops-monitoring-all-apis/subscriptionInformation.json';
    await diagnosticFor(target, 'subscription-all-apis', 'all APIs');
    const config = { suppressions: [{ rule: 'subscription-all-apis', resource: 'subscriptions/ops-monitoring-all-apis', reason: 'Synthetic probes need every API' }] };
    await vscode.workspace.fs.writeFile(workspaceFile('.apim-posture.json'), Buffer.from(JSON.stringify(config, null, 2)));
    await poll('the suppressed finding to go', () => (postureDiagnostics(target, 'subscription-all-apis').length === 0 ? true : undefined));
    await vscode.workspace.fs.delete(workspaceFile('.apim-posture.json'));
    await poll('the finding to come back', () => (postureDiagnostics(target, 'subscription-all-apis').length > 0 ? true : undefined));
  });

  it('lists APIs with their operations in the inventory, and findings by severity and recommendation', async () => {
    const { inventory, findings } = await extensionApi();
    const groups = (await inventory.getChildren()) as unknown[];
    const labels = await Promise.all(groups.map(async (node) => String((await inventory.getTreeItem(node)).label)));
    assert.deepStrictEqual(labels.slice(0, 2), ['APIs', 'Products']);
    const apis = (await inventory.getChildren(groups[0])) as unknown[];
    const apiItems = await Promise.all(apis.map((node) => inventory.getTreeItem(node)));
    const orders = apis[apiItems.findIndex((item) => String(item.label).toLowerCase().includes('orders'))];
    assert.ok(orders, apiItems.map((item) => item.label).join(', '));
    // Each API says its risk, and the tooltip its factors: partners' riskiest operation is create-dropship-order, a
    // POST of a postal address (samples/README.md; an earlier test may have made it require a key).
    const partners = apiItems.find((item) => String(item.label).toLowerCase().includes('partner'));
    const risk = /^risk (\d+) · /.exec(String(partners?.description))?.[1];
    assert.ok(risk, String(partners?.description));
    assert.ok(String(partners?.tooltip).includes(`Risk ${risk}/100 (operation apis/partners/operations/create-dropship-order)`), String(partners?.tooltip));
    assert.ok(String(partners?.tooltip).includes('medium sensitivity data (Postal address)'), String(partners?.tooltip));
    const operations = await Promise.all(((await inventory.getChildren(orders)) as unknown[]).map((node) => inventory.getTreeItem(node)));
    const shipment = operations.find((item) => String(item.description).includes('track-shipment'));
    assert.ok(shipment && String(shipment.description).includes('unauthenticated'), operations.map((item) => `${item.label} ${item.description}`).join('\n'));

    const severityGroups = await Promise.all(((await findings.getChildren()) as unknown[]).map((node) => findings.getTreeItem(node)));
    assert.strictEqual(String(severityGroups[0].label), 'High');
    assert.ok(Number(severityGroups[0].description) > 0);
    await vscode.commands.executeCommand('apimPosture.groupFindingsByRecommendation');
    const recommendationGroups = await Promise.all(((await findings.getChildren()) as unknown[]).map((node) => findings.getTreeItem(node)));
    assert.ok(recommendationGroups.some((item) => item.label === 'API endpoints in Azure API Management should be authenticated'), recommendationGroups.map((item) => item.label).join(' | '));
    // By goal: an earlier test wrote suppressions over .apim-posture.json, so the built-in baseline applies; the key
    // scoped to all APIs (subscriptions/ops-monitoring-all-apis) is the one finding of its goal.
    await vscode.commands.executeCommand('apimPosture.groupFindingsByGoal');
    const goalNodes = (await findings.getChildren()) as unknown[];
    const goalGroups = await Promise.all(goalNodes.map((node) => findings.getTreeItem(node)));
    const goalLabels = goalGroups.map((item) => String(item.label));
    assert.strictEqual(goalLabels[0], 'Every operation requires authentication: not met', goalLabels.join(' | '));
    const keys = goalNodes[goalLabels.indexOf('No subscription is scoped to all APIs: not met')];
    const keyFindings = (await findings.getChildren(keys)) as { located: { finding: { ruleId: string } } }[];
    assert.deepStrictEqual(keyFindings.map((node) => node.located.finding.ruleId), ['subscription-all-apis']);
    await vscode.commands.executeCommand('apimPosture.groupFindingsBySeverity');
  });
});

/** A finding's id as the Findings view knows it, for commands that take one. */
async function findingId(resource: string): Promise<string | undefined> {
  const { findings } = await extensionApi();
  for (const group of (await findings.getChildren()) as unknown[]) {
    for (const node of (await findings.getChildren(group)) as { kind: string; located?: { finding: { id: string; resource: string; ruleId: string } } }[]) {
      if (node.located?.finding.resource === resource && node.located.finding.ruleId === 'endpoint-authentication') return node.located.finding.id;
    }
  }
  return undefined;
}
