// The drift between git and Azure: observed findings the files no longer (or never) predict, and
// policies whose deployed text differs from the repository's.
import type { DefenderMapping, Finding } from '../findings';
import type { ApimService, PolicyAttachment, ResourceId } from '../model';
import { DEFENDER, matchesDefender } from '../rules/defender';
import type { SourceLocation } from '../text';
import { FailedReads } from './failedReads';
import { mappedService, routeKey, type ApiMapping } from './mapping';
import type { PolicyScope, PolicyScopeRef } from './policies';
import type { DeployedPolicy, DeployedService, DeployedSnapshot } from './snapshot';

export type DriftKind = 'not-deployed' | 'awaiting-evaluation' | 'not-predicted' | 'policy-differs';

export interface DriftItem {
  kind: DriftKind;
  resource: ResourceId;
  message: string;
  location: SourceLocation;
  /** The observed finding this is about (`not-deployed`, `not-predicted`). */
  findingId?: string;
  /** `policy-differs`: both texts, the deployed ETag, and where to push the local one. */
  local?: string;
  deployed?: string;
  etag?: string;
  target?: PolicyScopeRef;
}

/**
 * The plan, onboarding and unused endpoints are about Azure's own state (the plan, onboarding, traffic), which no file
 * holds: git and Azure cannot disagree on them, so an assessment of theirs is never drift. What the
 * rules reading the deployment facts report of them comes from the same snapshot as the assessment.
 */
const AZURE_ONLY: DefenderMapping[] = [DEFENDER.plan, DEFENDER.onboarding, DEFENDER.unusedEndpoints];

/**
 * The differences between git and Azure: observed findings the files no longer predict (fixed
 * locally but not deployed, when the local definition differs from the deployed one), observed
 * findings no rule predicts (a gap in the rules, or a change made in Azure), and policies whose
 * text differs (whitespace aside).
 */
export function drift(service: ApimService, snapshot: DeployedSnapshot, mappings: readonly ApiMapping[], predicted: readonly Finding[], observed: readonly Finding[]): DriftItem[] {
  const deployed = mappedService(snapshot, mappings);
  if (!deployed) return [];
  const items: DriftItem[] = [];
  const failed = new FailedReads(snapshot, deployed);
  const policyDrift = policyDifferences(service, deployed, mappings, failed);
  const differs = new Set(policyDrift.map((item) => item.resource.toLowerCase()));
  const unread = unreadPolicies(service, deployed, mappings, failed);
  const predictedKeys = new Set(predicted.filter((finding) => finding.origin === 'predicted').map((finding) => `${finding.ruleId}|${finding.resource.toLowerCase()}`));

  for (const finding of observed) {
    const assessment = { key: finding.defender?.assessmentKey ?? '', displayName: finding.defender?.displayName };
    if (AZURE_ONLY.some((defender) => matchesDefender(assessment, defender))) continue;
    if (predictedKeys.has(`${finding.ruleId}|${finding.resource.toLowerCase()}`)) continue;
    const localRule = !finding.ruleId.startsWith('defender-');
    // A policy up the chain that could not be read leaves open whether the files match Azure.
    if (localRule && postureScopes(service, finding.resource).some((scope) => unread.has(scope.toLowerCase()))) continue;
    const changedLocally = localRule && localDefinitionDiffers(service, deployed, mappings, finding.resource, differs);
    const pushed = localRule && !changedLocally && pushedSinceAssessed(service, deployed, mappings, finding.resource);
    items.push({
      kind: changedLocally ? 'not-deployed' : pushed ? 'awaiting-evaluation' : 'not-predicted',
      resource: finding.resource,
      findingId: finding.id,
      location: finding.location,
      message: changedLocally
        ? `Fixed in the repository but still Unhealthy in Azure: ${finding.resource} differs from what is deployed. Deploy the change.`
        : pushed
          ? `Pushed to Azure after Defender assessed it: ${finding.resource} now matches the repository, and Defender's next assessment should clear it.`
          : localRule
            ? `Unhealthy in Azure but not predicted from the files, which match what is deployed: a gap in the rule ${finding.ruleId}, or a change made outside git.`
            : `Unhealthy in Azure and no rule predicts it from the files.`,
    });
  }
  return [...items, ...policyDrift];
}

/** Whether APIM Posture pushed what decides a resource's posture (a policy up its scope chain, its API's properties) after the snapshot was taken. */
function pushedSinceAssessed(service: ApimService, deployed: DeployedService, mappings: readonly ApiMapping[], resource: ResourceId): boolean {
  const parts = resource.split('/');
  const products = (names: readonly string[]) => deployed.products.filter((product) => names.some((name) => name.toLowerCase() === product.name.toLowerCase()));
  const pushed: (string | undefined)[] = [deployed.policy?.pushedAt];
  if (parts[0] === 'products') pushed.push(...products([parts[1]]).map((product) => product.policy?.pushedAt));
  if (parts[0] === 'apis') {
    const api = service.apis.find((candidate) => candidate.id === `apis/${parts[1]}`);
    const mapping = api && mappings.find((candidate) => candidate.local === api.name && candidate.deployed);
    const remote = mapping && deployed.apis.find((candidate) => candidate.name.toLowerCase() === mapping.deployed!.api.toLowerCase());
    if (api && remote) {
      const operation = parts[2] === 'operations' ? remote.operations.find((candidate) => candidate.name.toLowerCase() === parts[3]?.toLowerCase()) : undefined;
      pushed.push(remote.pushedAt, remote.policy?.pushedAt, operation?.policy?.pushedAt, ...products(api.productNames).map((product) => product.policy?.pushedAt));
    }
  }
  return pushed.some((time) => time !== undefined);
}

/** The policy scopes that decide a resource's posture: an API's or operation's chain (service, products, API, operation), else the resource itself. */
function postureScopes(service: ApimService, resource: ResourceId): ResourceId[] {
  const parts = resource.split('/');
  const api = parts[0] === 'apis' ? service.apis.find((candidate) => candidate.id === `apis/${parts[1]}`) : undefined;
  return api ? ['service', api.id, resource, ...api.productNames.map((product) => `products/${product}`)] : [resource];
}

/** Whether what decides a resource's posture (its policies up the scope chain, its API's properties) differs between git and Azure. */
function localDefinitionDiffers(service: ApimService, deployed: DeployedService, mappings: readonly ApiMapping[], resource: ResourceId, policyDiffers: Set<string>): boolean {
  if (postureScopes(service, resource).some((scope) => policyDiffers.has(scope.toLowerCase()))) return true;
  const parts = resource.split('/');
  const api = parts[0] === 'apis' ? service.apis.find((candidate) => candidate.id === `apis/${parts[1]}`) : undefined;
  if (!api) return false;
  const mapping = mappings.find((candidate) => candidate.local === api.name && candidate.deployed);
  const remote = mapping && deployed.apis.find((candidate) => candidate.name.toLowerCase() === mapping.deployed!.api.toLowerCase());
  if (!remote) return false;
  const localProtocols = api.protocols && protocolSet(api.protocols.value);
  const remoteProtocols = remote.protocols && protocolSet(remote.protocols);
  return (
    (api.subscriptionRequired?.value ?? true) !== (remote.subscriptionRequired ?? true) || (localProtocols !== undefined && remoteProtocols !== undefined && localProtocols !== remoteProtocols)
  );
}

/** An API's protocols as compared between git and Azure: case, order and repeats do not count. */
export function protocolSet(protocols: readonly string[] | undefined): string {
  return [...new Set((protocols ?? []).map((protocol) => protocol.toLowerCase()))].sort().join(',');
}

/** Policy text as compared for drift: whitespace between and inside tags does not count. */
export function normalizePolicy(text: string | undefined): string {
  return (text ?? '')
    .replace(/^\uFEFF/, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/>\s+</g, '><')
    .replace(/\s+/g, ' ')
    .replace(/\s*(\/?>)/g, '$1')
    .trim();
}

/** A scope whose policy git and Azure may both have: the local attachment, the deployed policy, and what the deployed one was read as. */
export interface ComparedPolicy {
  resource: ResourceId;
  local?: PolicyAttachment;
  remote?: DeployedPolicy;
  /** Where to point when the repository has no policy at the scope. */
  fallback: SourceLocation;
  scope: PolicyScope;
}

/** Every policy scope of the local service that has a deployed counterpart (the service, mapped APIs and their operations, products). */
export function comparedPolicies(service: ApimService, deployed: DeployedService, mappings: readonly ApiMapping[]): ComparedPolicy[] {
  const compared: ComparedPolicy[] = [];
  compared.push({ resource: 'service', local: service.policy, remote: deployed.policy, fallback: { file: service.root, span: { start: 0, end: 0 } }, scope: { kind: 'global' } });
  for (const mapping of mappings) {
    if (!mapping.deployed || mapping.deployed.serviceId.toLowerCase() !== deployed.id.toLowerCase()) continue;
    const api = service.apis.find((candidate) => candidate.name === mapping.local);
    const remote = deployed.apis.find((candidate) => candidate.name.toLowerCase() === mapping.deployed!.api.toLowerCase());
    if (!api || !remote) continue;
    compared.push({ resource: api.id, local: api.policy, remote: remote.policy, fallback: api.declaration.locate([]), scope: { kind: 'api', api: remote.name } });
    for (const operation of api.operations) {
      const remoteOperation =
        remote.operations.find((candidate) => candidate.name.toLowerCase() === operation.name.toLowerCase()) ??
        remote.operations.find((candidate) => routeKey(candidate.method, candidate.urlTemplate) === routeKey(operation.method, operation.urlTemplate));
      if (!remoteOperation) continue;
      compared.push({ resource: operation.id, local: operation.policy, remote: remoteOperation.policy, fallback: operation.location, scope: { kind: 'operation', api: remote.name, operation: remoteOperation.name } });
    }
  }
  for (const product of service.products) {
    const remote = deployed.products.find((candidate) => candidate.name.toLowerCase() === product.name.toLowerCase());
    if (remote) compared.push({ resource: product.id, local: product.policy, remote: remote.policy, fallback: product.declaration.locate([]), scope: { kind: 'product', product: remote.name } });
  }
  return compared;
}

/** The policies git and Azure both answer for and that differ; a deployed policy whose read failed is compared with nothing. */
function policyDifferences(service: ApimService, deployed: DeployedService, mappings: readonly ApiMapping[], failed: FailedReads): DriftItem[] {
  const ref = { subscriptionId: deployed.subscriptionId, resourceGroup: deployed.resourceGroup, serviceName: deployed.name };
  const items: DriftItem[] = [];
  for (const { resource, local, remote, fallback, scope } of comparedPolicies(service, deployed, mappings)) {
    if (!local && !remote) continue;
    if (!remote && failed.policy(scope)) continue;
    if (normalizePolicy(local?.xml.text) === normalizePolicy(remote?.value)) continue;
    items.push({
      kind: 'policy-differs',
      resource,
      location: local ? wholeFile(local) : fallback,
      message: !remote
        ? `The ${scope.kind} policy of ${resource} is in the repository but not deployed.`
        : !local
          ? `${resource} has a ${scope.kind} policy in Azure that the repository does not have.`
          : `The ${scope.kind} policy of ${resource} in the repository differs from the deployed one.`,
      local: local?.xml.text,
      deployed: remote?.value,
      etag: remote?.etag,
      target: { ...ref, scope },
    });
  }
  return items;
}

/** Local resources (lower case) whose deployed policy could not be read: whether they differ from Azure is unknown. */
function unreadPolicies(service: ApimService, deployed: DeployedService, mappings: readonly ApiMapping[], failed: FailedReads): Set<string> {
  return new Set(comparedPolicies(service, deployed, mappings).filter((compared) => !compared.remote && failed.policy(compared.scope)).map((compared) => compared.resource.toLowerCase()));
}

/** Marks each observed finding with its drift kind and says it in the message, so every report format shows it. */
export function annotateDrift(observed: Finding[], items: readonly DriftItem[]): void {
  const byFinding = new Map(items.filter((item) => item.findingId).map((item) => [item.findingId!, item]));
  for (const finding of observed) {
    const item = byFinding.get(finding.id);
    if (!item) continue;
    finding.properties = { ...finding.properties, drift: item.kind };
    // Fixed in the repository: nothing is left to do in the code, only to deploy. The finding stays (Azure
    // is still unhealthy, and the Drift view lists it) as info, so that the fix clears the error and CI.
    if (item.kind !== 'not-predicted') {
      finding.properties = { ...finding.properties, defenderSeverity: finding.severity };
      finding.severity = 'info';
    }
    finding.message +=
      item.kind === 'not-deployed'
        ? ' Drift: fixed in the repository, not deployed yet.'
        : item.kind === 'awaiting-evaluation'
          ? ' Drift: the fix is deployed; Defender has not assessed it again yet.'
          : ' Drift: not predicted from the files.';
  }
}

/** A policy file's `<policies>` element, or its start when it has none. */
export function wholeFile(policy: PolicyAttachment): SourceLocation {
  return { file: policy.file, span: policy.xml.root?.span ?? { start: 0, end: 0 } };
}
