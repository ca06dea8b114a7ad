// The Azure commands: sign in, pick subscriptions, load the deployed state and Defender's findings,
// confirm mappings, and the explicit writes (push a policy, onboard an API, enable the plan). Each
// write is refused in an untrusted workspace, asks for a modal confirmation, and updates the
// snapshot so that the findings and the drift follow at once.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { armEndpoint, type ServiceRef } from '../../core/azure/arm';
import {
  apiPropertiesPush,
  enableDefenderForApis,
  onboardApi as onboardToDefender,
  policyPush,
  pushedText,
  pushToAzure,
  type PushRequest,
  type PushToAzureResult,
} from '../../core/azure/apply';
import type { DriftItem } from '../../core/azure/drift';
import { loadDeployedState } from '../../core/azure/load';
import { deployedResourceId } from '../../core/azure/mapping';
import { discoverSubscriptions } from '../../core/azure/resourceGraph';
import { recordApiCollection, recordDefenderPlan, scopeLabel } from '../../core/azure/record';
import type { DeployedApiCollection, DeployedService, DeployedSnapshot } from '../../core/azure/snapshot';
import { describeSnapshotError, summarizeSnapshot, type SnapshotSummary } from '../../core/azure/summary';
import { CONFIG_FILE_NAME } from '../../core/config';
import { mappingEdit } from '../../core/fixes/mapping';
import type { ApiResource } from '../../core/model';
import { serviceLabel, serviceOf } from '../../core/report/common';
import { comparisonOf, type DeployedComparison } from '../../core/report/scanResult';
import type { CommandFactory } from '../commands';
import type { Ctx, LocatedFinding, ScannedFolder as FolderAnalysis } from '../ctx';
import { applyAndSave } from '../edits';
import { portalResourceUrl } from './cloud';

/** Progress with a Cancel button whose click aborts the SDK calls. */
function withCancellableProgress<T>(title: string, work: (report: (message: string) => void, signal: AbortSignal) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    return work((message) => progress.report({ message }), controller.signal);
  });
}

/** Writes to Azure need a trusted workspace: an untrusted one is for reading only. */
function refuseUntrusted(what: string): boolean {
  if (vscode.workspace.isTrusted) return false;
  void vscode.window.showErrorMessage(`APIM Posture: ${what} is not available in an untrusted workspace. Trust the workspace first.`);
  return true;
}

/** The ARM session, asking the user to sign in when there is none yet. */
async function ensureSignedIn(ctx: Ctx): Promise<vscode.AuthenticationSession> {
  const { credential } = ctx.azure.current();
  return (await credential.currentSession()) ?? (await credential.signIn());
}

/** A message whose "Show Output" button opens the output channel, where the details are. */
function showWithOutput(ctx: Ctx, show: typeof vscode.window.showErrorMessage, message: string): void {
  void show(message, 'Show Output').then((choice) => choice && ctx.output.show());
}


export const signIn: CommandFactory = (ctx) => async () => {
  const session = await ctx.azure.current().credential.signIn();
  ctx.output.appendLine(`Signed in to ${ctx.azure.current().cloud.name} as ${session.account.label}.`);
  void vscode.window.showInformationMessage(`APIM Posture: signed in to Azure as ${session.account.label}.`, 'Load from Azure').then((choice) => choice && vscode.commands.executeCommand('apimPosture.azure.load'));
  return { account: session.account.label };
};

/** Picks the subscriptions to load (remembered for this workspace); `ids` skips the picker. */
export const selectSubscriptions: CommandFactory = (ctx) => async (ids?: string[]) => {
  if (ids) {
    await ctx.azure.setSubscriptions(ids);
    return ids;
  }
  await ensureSignedIn(ctx);
  const { credential, cloud } = ctx.azure.current();
  const readable = await withCancellableProgress('APIM Posture: finding your subscriptions', (_report, abortSignal) => discoverSubscriptions(credential, { endpoint: cloud.armEndpoint, abortSignal }));
  if (readable.length === 0) {
    void vscode.window.showWarningMessage('APIM Posture: the signed-in account can read no Azure subscription.');
    return undefined;
  }
  const remembered = new Set(ctx.azure.subscriptions.map((id) => id.toLowerCase()));
  const picked = await vscode.window.showQuickPick(
    readable.map((subscription) => ({ label: subscription.name ?? subscription.id, description: subscription.id, picked: remembered.has(subscription.id.toLowerCase()), id: subscription.id })),
    { canPickMany: true, placeHolder: 'Subscriptions with the API Management services of this workspace', ignoreFocusOut: true },
  );
  if (!picked) return undefined;
  await ctx.azure.setSubscriptions(picked.map((item) => item.id));
  return picked.map((item) => item.id);
};

/** The folders a snapshot is written to: those with APIs, else the first folder. */
function snapshotFolders(ctx: Ctx): vscode.WorkspaceFolder[] {
  const withApis = ctx.folderAnalyses.filter((analysis) => analysis.summary.services.some((service) => !/, 0 APIs$/.test(service))).map((analysis) => analysis.folder);
  const first = vscode.workspace.workspaceFolders?.[0];
  return withApis.length > 0 ? withApis : first ? [first] : [];
}

/** Loads the deployed inventory and Defender's findings of the picked subscriptions into the workspace's snapshot. */
export const load: CommandFactory = (ctx) => async (): Promise<(SnapshotSummary & { files: string[] }) | undefined> => {
  await ensureSignedIn(ctx);
  if (ctx.azure.subscriptions.length === 0) await vscode.commands.executeCommand('apimPosture.azure.selectSubscriptions');
  const subscriptions = ctx.azure.subscriptions;
  if (subscriptions.length === 0) return undefined;
  const { credential, cloud } = ctx.azure.current();
  const started = Date.now();
  const snapshot = await withCancellableProgress('APIM Posture: loading from Azure', (report, abortSignal) =>
    loadDeployedState(credential, subscriptions, { endpoint: cloud.armEndpoint, abortSignal, onProgress: (progress) => report(progress.message) }),
  );
  const summary = summarizeSnapshot(snapshot);
  ctx.output.appendLine(`Loaded from ${cloud.armEndpoint} in ${Date.now() - started} ms: ${summary.text}.`);
  for (const error of summary.errors) ctx.output.appendLine(`  warning: ${describeSnapshotError(error)}`);
  if (summary.everySubscriptionFailed) {
    // An empty snapshot must not replace a good one.
    showWithOutput(ctx, vscode.window.showErrorMessage, 'APIM Posture: no subscription could be read; the snapshot was not replaced.');
    return { ...summary, files: [] };
  }
  const files = snapshotFolders(ctx).map((folder) => ctx.azure.writeSnapshot(folder, snapshot));
  await ctx.analyzeAll();
  showWithOutput(ctx, summary.errors.length > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage, `APIM Posture: loaded ${summary.text}.`);
  return { ...summary, files };
};

/** What the analysis knows of the deployed service a root is compared with; a message and undefined when there is none. */
function deployedOf(comparison: DeployedComparison | undefined): Deployed | undefined {
  const service = comparison?.service;
  if (!comparison || !service) {
    void vscode.window.showWarningMessage('APIM Posture: there is no snapshot of Azure for this folder, or it has no matching API Management service.', 'Load from Azure').then((choice) => choice && vscode.commands.executeCommand('apimPosture.azure.load'));
    return undefined;
  }
  return { ...comparison, service };
}

type Deployed = DeployedComparison & { service: DeployedService };

/** The comparison of the root that has the API. */
function comparisonOfApi(analysis: FolderAnalysis, api: ApiResource): DeployedComparison | undefined {
  return analysis.result.deployed?.find((comparison) => comparison.local.apis.includes(api));
}

/** The root to work on: the only one compared, else the one picked. */
async function pickComparison(analysis: FolderAnalysis | undefined, placeHolder: string): Promise<DeployedComparison | undefined> {
  const comparisons = analysis?.result.deployed ?? [];
  if (!analysis || comparisons.length <= 1) return comparisons[0];
  const picked = await vscode.window.showQuickPick(
    comparisons.map((comparison) => ({ label: path.relative(analysis.folder.uri.fsPath, comparison.local.root) || '.', description: comparison.service ? `→ ${comparison.service.name}` : undefined, comparison })),
    { placeHolder },
  );
  return picked?.comparison;
}

function serviceRef(service: DeployedService): ServiceRef {
  return { subscriptionId: service.subscriptionId, resourceGroup: service.resourceGroup, serviceName: service.name };
}

/** Saves an updated snapshot where the analysis read it, and re-analyses. */
async function saveSnapshot(ctx: Ctx, analysis: FolderAnalysis, snapshot: DeployedSnapshot): Promise<void> {
  ctx.azure.writeSnapshot(analysis.folder, snapshot);
  await ctx.analyzeAll();
}

/** A snapshot read from another cloud must not direct writes to this one. */
function refuseOtherCloud(ctx: Ctx, snapshot: DeployedSnapshot): boolean {
  const endpoint = ctx.azure.current().cloud.armEndpoint;
  if (armEndpoint(snapshot).toLowerCase() === endpoint.toLowerCase()) return false;
  void vscode.window.showErrorMessage(`APIM Posture: the snapshot was read from ${snapshot.endpoint}, but the chosen cloud is ${endpoint}. Load from Azure again first.`);
  return true;
}

type MappingChoice = vscode.QuickPickItem & { deployed?: string | null };

/** Shows each local API's mapping (reason, confidence) and lets the user confirm, change or remove it; `local` + `deployed` skip the pickers. */
export const showMappings: CommandFactory = (ctx) => async (local?: string, deployedApi?: string | null) => {
  const scanned = await ctx.scannedFolders();
  const analysis = scanned.find((candidate) => candidate.result.deployed?.length) ?? scanned[0];
  const comparisons = analysis?.result.deployed ?? [];
  // An API named by the caller picks the first root that has it; otherwise the user picks the root.
  const named = local === undefined ? undefined : comparisons.find((comparison) => comparison.local.apis.some((api) => api.name === local));
  const deployed = deployedOf(named ?? (await pickComparison(analysis, 'The root whose API mappings to show')));
  if (!analysis || !deployed) return undefined;
  let chosenLocal = local;
  if (!chosenLocal) {
    const picked = await vscode.window.showQuickPick(
      deployed.mappings.map((mapping) => ({
        label: mapping.local,
        description: mapping.deployed ? `→ ${mapping.deployed.api}` : 'not mapped',
        detail: `${mapping.reason} (${mapping.confidence} confidence): ${mapping.detail}`,
        local: mapping.local,
      })),
      { placeHolder: `Local APIs and the APIs of ${deployed.service.name} they deploy to; pick one to confirm or change`, matchOnDetail: true },
    );
    chosenLocal = picked?.local;
  }
  if (!chosenLocal) return undefined;
  let target = deployedApi;
  if (target === undefined) {
    const current = deployed.mappings.find((mapping) => mapping.local === chosenLocal)?.deployed?.api;
    const choices: MappingChoice[] = [
      ...deployed.service.apis.map((api) => ({ label: api.name, description: [api.displayName, api.path && `/${api.path}`].filter(Boolean).join(' · '), detail: api.name === current ? 'current mapping: pick it to confirm it' : undefined, deployed: api.name })),
      { label: 'Not deployed', description: 'remove the explicit mapping', deployed: null },
    ];
    const picked = await vscode.window.showQuickPick(choices, { placeHolder: `The API of ${deployed.service.name} that ${chosenLocal} deploys to` });
    if (!picked) return undefined;
    target = picked.deployed;
  }
  const root = analysis.folder.uri.fsPath;
  // Of several roots, the mapping goes into the root's own file, where it holds for that root alone.
  const configFolder = comparisons.length > 1 ? deployed.local.root : root;
  const configFile = path.join(configFolder, CONFIG_FILE_NAME);
  const configText = fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : undefined;
  const edit = mappingEdit(configFolder, configText, { local: chosenLocal, deployed: target ?? undefined });
  if (edit) await applyAndSave([edit]);
  await ctx.analyzeAll();
  const after = (await ctx.scannedFolderOf(root))?.result.deployed?.find((comparison) => comparison.local.root === deployed.local.root);
  return after?.mappings.find((mapping) => mapping.local === chosenLocal);
};

/** An API of the inventory view: its id, the service (root) and the folder it is in. */
type ApiNode = { api: { id: string; name: string }; service: { label?: string }; analysis: { folder: vscode.WorkspaceFolder }; operation?: { id: string } };

/** The local API an inventory node shows, in the folder scanned here. */
function apiOfNode(analysis: FolderAnalysis, node: ApiNode): ApiResource | undefined {
  const service = analysis.result.services.find((candidate) => serviceLabel(analysis.result.root, analysis.result.services, candidate) === node.service.label);
  return service?.apis.find((candidate) => candidate.id === node.api.id);
}

/** The local API given (inventory node or name), or picked among the mapped ones. */
async function pickApi(ctx: Ctx, argument: ApiNode | string | undefined, placeHolder: string): Promise<{ api: ApiResource; analysis: FolderAnalysis } | undefined> {
  const scanned = await ctx.scannedFolders();
  if (typeof argument === 'object') {
    const analysis = scanned.find((candidate) => candidate.folder.uri.toString() === argument.analysis.folder.uri.toString());
    const api = analysis && apiOfNode(analysis, argument);
    return analysis && api ? { api, analysis } : undefined;
  }
  const candidates = scanned.flatMap((analysis) =>
    (analysis.result.deployed ?? []).flatMap((comparison) =>
      comparison.local.apis.filter((api) => comparison.mappings.some((mapping) => mapping.local === api.name && mapping.deployed)).map((api) => ({ api, analysis })),
    ),
  );
  if (typeof argument === 'string') return candidates.find((candidate) => candidate.api.name === argument);
  const picked = await vscode.window.showQuickPick(candidates.map((candidate) => ({ label: candidate.api.name, description: candidate.api.displayName, candidate })), { placeHolder });
  return picked?.candidate;
}

/** Onboards a local API's deployed counterpart to Defender for APIs (PUT apiCollections, long-running). */
export const onboardApi: CommandFactory = (ctx) => async (argument?: ApiNode | string): Promise<DeployedApiCollection | undefined> => {
  if (refuseUntrusted('Onboarding to Defender for APIs')) return undefined;
  const chosen = await pickApi(ctx, argument, 'The API to onboard to Defender for APIs');
  if (!chosen) return undefined;
  const deployed = deployedOf(comparisonOfApi(chosen.analysis, chosen.api));
  const deployedApi = deployed?.mappings.find((mapping) => mapping.local === chosen.api.name)?.deployed?.api;
  if (!deployed || !deployedApi) return undefined;
  if (refuseOtherCloud(ctx, deployed.snapshot.snapshot)) return undefined;
  const apiName = deployedApi.split(';')[0];
  const confirm = await vscode.window.showWarningMessage(
    `Onboard ${apiName} of ${deployed.service.name} to Defender for APIs?`,
    { modal: true, detail: `Defender for APIs then inventories and monitors the API's endpoints; traffic counts towards the Defender for APIs plan of subscription ${deployed.service.subscriptionId}.` },
    'Onboard',
  );
  if (confirm !== 'Onboard') return undefined;
  await ensureSignedIn(ctx);
  const { clients, cloud } = ctx.azure.current();
  const collection = await withCancellableProgress(`APIM Posture: onboarding ${apiName} to Defender for APIs`, (_report, abortSignal) =>
    onboardToDefender(clients.security(deployed.service.subscriptionId), serviceRef(deployed.service), apiName, { endpoint: cloud.armEndpoint, abortSignal }),
  );
  ctx.output.appendLine(`Onboarded ${apiName} of ${deployed.service.name} to Defender for APIs (${collection.provisioningState ?? 'done'}).`);
  recordApiCollection(deployed.snapshot.snapshot, serviceRef(deployed.service), collection);
  await saveSnapshot(ctx, chosen.analysis, deployed.snapshot.snapshot);
  void vscode.window.showInformationMessage(`APIM Posture: ${apiName} is onboarded to Defender for APIs.`);
  return collection;
};

/** Enables the Defender for APIs plan of a subscription of the snapshot; it is billed, so the confirmation says so. */
export const enableDefenderPlan: CommandFactory = (ctx) => async (subscriptionId?: string) => {
  if (refuseUntrusted('Enabling Defender for APIs')) return undefined;
  // Every root's comparison holds the whole snapshot, with all its subscriptions.
  const analysis = (await ctx.scannedFolders()).find((candidate) => candidate.result.deployed?.some((comparison) => comparison.service));
  const deployed = deployedOf(analysis?.result.deployed?.find((comparison) => comparison.service));
  if (!analysis || !deployed) return undefined;
  const snapshot = deployed.snapshot.snapshot;
  if (refuseOtherCloud(ctx, snapshot)) return undefined;
  let chosen = subscriptionId;
  if (!chosen) {
    const picked = await vscode.window.showQuickPick(
      snapshot.subscriptions.map((subscription) => ({
        label: subscription.displayName ?? subscription.id,
        description: subscription.id,
        detail: subscription.defenderForApis ? `Defender for APIs: ${subscription.defenderForApis.pricingTier}${subscription.defenderForApis.subPlan ? ` (${subscription.defenderForApis.subPlan})` : ''}` : 'Defender for APIs plan: unknown',
        id: subscription.id,
      })),
      { placeHolder: 'The subscription to enable Defender for APIs on' },
    );
    chosen = picked?.id;
  }
  if (!chosen) return undefined;
  const confirm = await vscode.window.showWarningMessage(
    `Enable Microsoft Defender for APIs on subscription ${chosen}?`,
    { modal: true, detail: 'The plan is billed monthly by API traffic (plan P1 unless changed in Defender for Cloud). It covers every API Management service of the subscription.' },
    'Enable (billed)',
  );
  if (confirm !== 'Enable (billed)') return undefined;
  await ensureSignedIn(ctx);
  const { clients } = ctx.azure.current();
  const plan = await withCancellableProgress('APIM Posture: enabling Defender for APIs', (_report, abortSignal) => enableDefenderForApis(clients.security(chosen), { abortSignal }));
  ctx.output.appendLine(`Defender for APIs on ${chosen}: ${plan.pricingTier} ${plan.subPlan ?? ''}.`);
  recordDefenderPlan(snapshot, chosen, { pricingTier: plan.pricingTier ?? 'Standard', subPlan: plan.subPlan });
  await saveSnapshot(ctx, analysis, snapshot);
  return plan;
};

/** Opens a finding's recommendation (or its resource), or an inventory API / operation, in the Azure portal. */
export const openInPortal: CommandFactory = (ctx) => async (argument?: { located: LocatedFinding } | ApiNode) => {
  if (!argument) return undefined;
  const fromFinding = 'located' in argument;
  const folder = fromFinding ? argument.located.folder : argument.analysis.folder;
  const analysis = await ctx.scannedFolderOf(folder.uri.fsPath);
  if (!analysis) return undefined;
  const resource = fromFinding ? argument.located.finding.resource : (argument.operation?.id ?? argument.api.id);
  // What Defender reported carries its own ARM id and portal link.
  const defender = fromFinding ? argument.located.finding.defender : undefined;
  const local = fromFinding ? serviceOf(analysis.result, argument.located.finding) : undefined;
  const api = fromFinding ? undefined : apiOfNode(analysis, argument);
  const comparison = local ? analysis.result.deployed?.find((candidate) => candidate.local === local) : api && comparisonOfApi(analysis, api);
  const armId = defender?.azureResourceId ?? (comparison?.service ? deployedResourceId(resource, comparison.service, comparison.mappings) : undefined);
  const url = defender?.portalUri ?? (armId ? portalResourceUrl(ctx.azure.current().cloud, armId) : undefined);
  if (!url) {
    void vscode.window.showWarningMessage('APIM Posture: this is not mapped to a resource in Azure. Load from Azure, or map the API (APIM Posture: Show API Mappings).');
    return undefined;
  }
  await vscode.env.openExternal(vscode.Uri.parse(url, true));
  return url;
};

/** The policy drift of a file: its deployed counterpart differs (or is missing). */
function policyDriftOf(analysis: FolderAnalysis, file: string): DriftItem | undefined {
  return analysis.result.deployed?.flatMap((comparison) => comparison.drift).find((candidate) => candidate.kind === 'policy-differs' && candidate.location.file === file);
}

/** A drift item of the Drift view, or a policy file (explorer, editor title, palette: the active editor). */
type PolicyArgument = vscode.Uri | { item: { location: { file: string } }; analysis: { report: { root: string } } } | undefined;

function policyFile(argument: PolicyArgument): string | undefined {
  if (argument instanceof vscode.Uri) return argument.fsPath;
  if (argument && 'item' in argument) return path.resolve(argument.analysis.report.root, argument.item.location.file);
  const document = vscode.window.activeTextEditor?.document;
  return document?.uri.scheme === 'file' ? document.uri.fsPath : undefined;
}

/** Shows the deployed policy of a file's scope beside the local one. */
export const comparePolicy: CommandFactory = (ctx) => async (argument?: PolicyArgument) => {
  const file = policyFile(argument);
  const analysis = file ? await ctx.scannedFolderOf(file) : undefined;
  const item = file && analysis ? policyDriftOf(analysis, file) : undefined;
  if (!file || !item?.target) {
    void vscode.window.showInformationMessage('APIM Posture: this file has no deployed counterpart that differs from it (or there is no snapshot of Azure).');
    return undefined;
  }
  await showPolicyDiff(ctx, scopeLabel(item.target), item.deployed, file);
  return item;
};

async function showPolicyDiff(ctx: Ctx, label: string, deployed: string | undefined, file: string): Promise<void> {
  const deployedUri = ctx.azureDocuments.show(`${label}/policy.xml (Azure)`, deployed ?? '');
  await vscode.commands.executeCommand('vscode.diff', deployedUri, vscode.Uri.file(file), `${label}: Azure ↔ ${path.basename(path.dirname(file))}/${path.basename(file)}`, { preview: false });
}

/** Shows what a push changes against what Azure has; returns the document of what is pushed (the file, or the API's properties). */
async function showPushDiff(ctx: Ctx, analysis: FolderAnalysis, request: PushRequest, file: string): Promise<vscode.Uri> {
  if (request.kind === 'policy') {
    await showPolicyDiff(ctx, request.label, request.loaded, file);
    return vscode.Uri.file(file);
  }
  const localUri = ctx.azureDocuments.show(`${request.label}/properties.json (repository)`, pushedText(request.local));
  const remoteUri = ctx.azureDocuments.show(`${request.label}/properties.json (Azure)`, pushedText(request.loaded));
  await vscode.commands.executeCommand('vscode.diff', remoteUri, localUri, `${request.label}: Azure ↔ ${path.relative(analysis.folder.uri.fsPath, file)}`, { preview: false });
  return localUri;
}

export type ApplyResult = PushToAzureResult | { status: 'cancelled' | 'nothing-to-push' | 'refused' };

/**
 * Apply to Azure: pushes a local policy file to the scope it is deployed to, or an API's properties
 * (protocols, subscription requirement) from the file that declares them, after a diff preview and a
 * modal confirmation, with If-Match on the ETag of the snapshot and a backup of what it replaces; a
 * concurrent change in Azure shows a comparison and overwrites nothing.
 */
export const applyToAzure: CommandFactory = (ctx) => async (argument?: PolicyArgument): Promise<ApplyResult | undefined> => {
  if (refuseUntrusted('Apply to Azure')) return { status: 'refused' };
  const file = policyFile(argument);
  if (!file) return undefined;
  // What is pushed is what is on disk: save first, and analyse that text.
  const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.fsPath === file);
  if (document?.isDirty) await document.save();
  await ctx.analyzeAll();
  const analysis = await ctx.scannedFolderOf(file);
  const deployed = analysis && deployedOf(comparisonOf(analysis.result, file));
  if (!analysis || !deployed) return { status: 'nothing-to-push' };
  if (refuseOtherCloud(ctx, deployed.snapshot.snapshot)) return { status: 'refused' };
  const api = deployed.local.apis.find((candidate) => candidate.declaration.file === file);
  const request = api ? apiPropertiesPush(api, deployed.service, deployed.mappings) : policyPush(policyDriftOf(analysis, file), file, fs.readFileSync(file, 'utf8'));
  if ('nothing' in request) {
    void vscode.window.showInformationMessage(`APIM Posture: ${request.nothing}`);
    return { status: 'nothing-to-push' };
  }
  const ours = await showPushDiff(ctx, analysis, request, file);
  const backupFolder = ctx.azure.backupFolder(analysis.folder);
  const what = api ? `the properties of API ${api.name}` : path.relative(analysis.folder.uri.fsPath, file);
  const hasRemote = request.kind === 'api-properties' || request.loaded !== undefined;
  if (!(await confirmPush(analysis, what, request.label, hasRemote, request.kind === 'policy' ? request.etag : undefined, backupFolder))) return { status: 'cancelled' };
  const subject = `${request.kind === 'policy' ? 'the policy' : 'the properties'} of ${request.label}`;
  await ensureSignedIn(ctx);
  const { clients, cloud } = ctx.azure.current();
  const snapshot = deployed.snapshot.snapshot;
  const result = await withCancellableProgress(`APIM Posture: pushing ${subject}`, (_report, abortSignal) =>
    pushToAzure(clients.apim(request.target.subscriptionId), snapshot, request, backupFolder, { endpoint: cloud.armEndpoint, abortSignal }),
  );
  ctx.output.appendLine(`Push of ${subject}: ${result.status}${result.status === 'pushed' && result.backupFile ? `, backup ${result.backupFile}` : ''}.`);
  if (result.status === 'conflict') {
    const deletedInAzure = request.kind === 'policy' ? '<!-- deleted in Azure -->\n' : '// deleted in Azure\n';
    await showConflict(ctx, request.label, request.kind === 'policy' ? 'policy.xml' : 'properties.json', ours, {
      base: result.base === undefined ? undefined : pushedText(result.base),
      remote: result.remote === undefined ? deletedInAzure : pushedText(result.remote),
    });
    return result;
  }
  await saveSnapshot(ctx, analysis, snapshot);
  reportPushed(request.label, result);
  return result;
};

/** Asks before a push: the diff is on screen, the dialog says what is replaced and where the backup goes. */
async function confirmPush(analysis: FolderAnalysis, what: string, where: string, hasRemote: boolean, etag: string | undefined, backupFolder: string): Promise<boolean> {
  const confirm = await vscode.window.showWarningMessage(
    `Push ${what} to ${where} in Azure?`,
    {
      modal: true,
      detail: hasRemote
        ? `What is deployed is replaced only if it has not changed since it was loaded${etag ? ` (ETag ${etag})` : ''}; a backup of it is saved in ${path.relative(analysis.folder.uri.fsPath, backupFolder)}.`
        : 'Azure has nothing there yet.',
    },
    'Push to Azure',
  );
  return confirm === 'Push to Azure';
}

function reportPushed(label: string, result: { status: 'pushed' | 'unchanged'; backupFile?: string }): void {
  const backup = result.status === 'pushed' ? result.backupFile : undefined;
  void vscode.window
    .showInformationMessage(result.status === 'pushed' ? `APIM Posture: pushed ${label} to Azure.` : `APIM Posture: ${label} in Azure already is what the repository has; nothing was written.`, ...(backup ? ['Open Backup'] : []))
    .then((choice) => {
      if (choice && backup) void vscode.window.showTextDocument(vscode.Uri.file(backup));
    });
}

/** Someone changed it in Azure since it was loaded: show theirs against ours, and what they changed. */
async function showConflict(ctx: Ctx, label: string, name: string, ours: vscode.Uri, texts: { base?: string; remote: string }): Promise<void> {
  const remote = ctx.azureDocuments.show(`${label}/${name} (Azure now)`, texts.remote);
  await vscode.commands.executeCommand('vscode.diff', remote, ours, `${label}: Azure now ↔ yours (conflict)`, { preview: false });
  // Not awaited: the command reports the conflict at once; the buttons lead on from there.
  void vscode.window
    .showWarningMessage(
      `APIM Posture: ${label} was changed in Azure since it was loaded; nothing was pushed. Merge their change into your file, load from Azure, and push again.`,
      ...(texts.base !== undefined ? ['Show Their Change'] : []),
      'Load from Azure',
    )
    .then(async (choice) => {
      if (choice === 'Show Their Change') {
        const base = ctx.azureDocuments.show(`${label}/${name} (Azure when loaded)`, texts.base ?? '');
        await vscode.commands.executeCommand('vscode.diff', base, remote, `${label}: Azure when loaded ↔ Azure now`, { preview: false });
      } else if (choice === 'Load from Azure') {
        await vscode.commands.executeCommand('apimPosture.azure.load');
      }
    });
}
