// Merges a snapshot of Azure into the local model: the facts only Azure knows (Defender plan,
// onboarding, inactive operations), Defender's Unhealthy assessments as "observed" findings placed on
// the mapped local files, and the drift between git and Azure.
import type { DefenderMapping, Finding, RuleMetadata, Severity } from '../findings';
import type { ApiResource, ApimService, DeploymentFacts, OperationResource, PolicyAttachment, ResourceId } from '../model';
import { DEFENDER } from '../rules/defender';
import { ALL_RULES, DEPLOYMENT_FACT_RULES } from '../rules/index';
import { findingId, globalPolicyLocation, ruleHelpUri } from '../rules/rule';
import type { SourceLocation } from '../text';
import { parseApimResourceId } from './arm';
import { routeKey, type ApiMapping } from './mapping';
import { scopePath, type PolicyScope, type PolicyScopeRef } from './policies';
import type { DeployedApi, DeployedAssessment, DeployedPolicy, DeployedService, DeployedSnapshot, LoadedSnapshot, SnapshotError } from './snapshot';
import { describeSnapshotError } from './summary';
import type { InputProblem } from '../problems';

export const OBSERVED_SOURCE = 'Defender for APIs';
export const POLICY_DRIFT_RULE: RuleMetadata = {
  id: 'deployed-policy-differs',
  title: 'The deployed policy differs from the repository',
  severity: 'info',
  description: 'The policy API Management runs (read from Azure) is not the one in the repository, whitespace aside: either the repository has changes not deployed yet, or someone changed the service outside git.',
  remediation: 'Deploy the repository, or bring the change made in Azure into the repository.',
  helpUri: ruleHelpUri('deployed-policy-differs'),
};

/** The deployed service the mappings point at (the one the repository is for). */
export function mappedService(snapshot: DeployedSnapshot, mappings: readonly ApiMapping[]): DeployedService | undefined {
  const counts = new Map<string, number>();
  for (const mapping of mappings) if (mapping.deployed) counts.set(mapping.deployed.serviceId.toLowerCase(), (counts.get(mapping.deployed.serviceId.toLowerCase()) ?? 0) + 1);
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return best ? snapshot.services.find((service) => service.id.toLowerCase() === best[0]) : snapshot.services.length === 1 ? snapshot.services[0] : undefined;
}

/** Fills `service.deployment` from the snapshot and returns it. */
export function applySnapshot(service: ApimService, snapshot: DeployedSnapshot, mappings: readonly ApiMapping[]): DeploymentFacts {
  const deployed = mappedService(snapshot, mappings);
  const facts: DeploymentFacts = {};
  if (deployed) {
    const failed = new FailedReads(snapshot, deployed);
    // A plan that could not be read has no tier: unknown, not off.
    const tier = snapshot.subscriptions.find((subscription) => subscription.id.toLowerCase() === deployed.subscriptionId.toLowerCase())?.defenderForApis?.pricingTier;
    if (tier) facts.defenderForApisEnabled = tier === 'Standard';
    const mapped = mappings.filter((mapping) => mapping.deployed?.serviceId.toLowerCase() === deployed.id.toLowerCase());
    facts.deployedApis = mapped.map((mapping) => mapping.local);
    // Onboarding and inactive operations stay unknown when their read failed: an empty list would claim none.
    if (!failed.inSubscription('apiCollections')) {
      const collections = new Set(deployed.apiCollections.map((collection) => collection.apiName.toLowerCase()));
      facts.onboardedApis = mapped.filter((mapping) => collections.has(baseApiName(mapping.deployed!.api))).map((mapping) => mapping.local);
    }
    if (!failed.assessments()) {
      const placer = new Placer(service, deployed, mappings);
      facts.inactiveOperations = snapshot.assessments
        .filter((assessment) => assessment.status === 'Unhealthy' && matchesDefender(assessment, DEFENDER.unusedEndpoints))
        .map((assessment) => placer.operation(assessment.resourceId)?.id)
        .filter((id): id is ResourceId => Boolean(id));
    }
  }
  service.deployment = facts;
  return facts;
}

/** APIM onboards an API, not a revision: `orders;rev=2` is onboarded when `orders` is. */
function baseApiName(name: string): string {
  return name.split(';')[0].toLowerCase();
}

/** The reads about a deployed service that failed: what they would have told is unknown, never absent. */
class FailedReads {
  constructor(
    private readonly snapshot: DeployedSnapshot,
    private readonly deployed: DeployedService,
  ) {}

  /** The failed read of a scope's policy (recorded at `<service id>/…/policies/policy`). */
  policy(scope: PolicyScope): SnapshotError | undefined {
    const below = scope.kind === 'global' ? [] : scopePath(scope);
    const wanted = [this.deployed.id, ...below, 'policies', 'policy'].join('/').toLowerCase();
    return this.deployed.errors.find((error) => error.operation === 'policy' && error.scope.toLowerCase() === wanted);
  }

  /** A failed read of the service's subscription: `pricing` (the plan) or `apiCollections` (onboarding). */
  inSubscription(operation: 'pricing' | 'apiCollections'): SnapshotError | undefined {
    const subscription = this.snapshot.subscriptions.find((candidate) => candidate.id.toLowerCase() === this.deployed.subscriptionId.toLowerCase());
    return subscription?.errors.find((error) => error.operation === operation);
  }

  /** A failed Resource Graph query of Defender's assessments. */
  assessments(): SnapshotError | undefined {
    return this.snapshot.errors.find((error) => error.operation === 'assessments');
  }
}

function matchesDefender(assessment: Pick<DeployedAssessment, 'key' | 'displayName'>, defender: DefenderMapping): boolean {
  return (
    (defender.assessmentKey !== undefined && defender.assessmentKey.toLowerCase() === assessment.key.toLowerCase()) ||
    (assessment.displayName !== undefined && assessment.displayName.toLowerCase() === defender.displayName.toLowerCase())
  );
}

/** The local rule that predicts an assessment, by key or (for unconfirmed keys) by display name. */
export function predictingRule(assessment: DeployedAssessment, rules: readonly RuleMetadata[] = ALL_RULES.map((rule) => rule.meta)): RuleMetadata | undefined {
  return rules.find((rule) => rule.defender && matchesDefender(assessment, rule.defender));
}

/** The rule id of an observed finding: the predicting rule's, else `defender-<key>`. */
export function observedRuleId(assessment: DeployedAssessment, rules?: readonly RuleMetadata[]): string {
  return predictingRule(assessment, rules)?.id ?? `defender-${assessment.key.toLowerCase()}`;
}

/** Metadata for the `defender-<key>` rules of a snapshot's assessments, so that reports can describe them. */
export function observedRules(snapshot: DeployedSnapshot, rules: readonly RuleMetadata[] = ALL_RULES.map((rule) => rule.meta)): RuleMetadata[] {
  const byId = new Map<string, RuleMetadata>();
  for (const assessment of snapshot.assessments) {
    if (predictingRule(assessment, rules)) continue;
    const id = observedRuleId(assessment, rules);
    if (byId.has(id)) continue;
    const known = Object.values(DEFENDER).find((defender: DefenderMapping) => matchesDefender(assessment, defender));
    const severity = severityOf(assessment.severity);
    byId.set(id, {
      id,
      title: assessment.displayName ?? `Defender for Cloud recommendation ${assessment.key}`,
      severity,
      description: `Reported by Defender for Cloud on the deployed service; no rule of APIM Posture predicts it from the files.`,
      remediation: assessment.remediation ?? 'See the recommendation in Defender for Cloud.',
      defender: known ?? { number: 0, displayName: assessment.displayName ?? assessment.key, assessmentKey: assessment.key, keyConfirmed: true, severity: capitalized(severity) },
      helpUri: httpsUrl(assessment.portalUri) ?? ruleHelpUri(id),
    });
  }
  return [...byId.values()];
}

function severityOf(severity: string | undefined): Severity {
  const lower = (severity ?? '').toLowerCase();
  return lower === 'high' || lower === 'medium' || lower === 'low' ? lower : 'medium';
}

function capitalized(severity: Severity): 'High' | 'Medium' | 'Low' {
  return severity === 'high' ? 'High' : severity === 'low' ? 'Low' : 'Medium';
}

/** Where a deployed resource is in the repository. */
interface Placement {
  resource: ResourceId;
  location: SourceLocation;
  mapping?: ApiMapping;
  note?: string;
}

/** Finds the local counterpart of deployed resources (ARM ids, any case: Resource Graph lowercases them). */
class Placer {
  private readonly localByDeployed = new Map<string, { api: ApiResource; mapping: ApiMapping }>();

  constructor(
    private readonly service: ApimService,
    private readonly deployed: DeployedService,
    mappings: readonly ApiMapping[],
  ) {
    for (const mapping of mappings) {
      const api = service.apis.find((candidate) => candidate.name === mapping.local);
      if (api && mapping.deployed && mapping.deployed.serviceId.toLowerCase() === deployed.id.toLowerCase()) this.localByDeployed.set(mapping.deployed.api.toLowerCase(), { api, mapping });
    }
  }

  /** The relative resource (`apis/x/operations/y`) when the id is below the mapped service. */
  relative(resourceId: string): string | undefined {
    const parsed = parseApimResourceId(resourceId);
    return parsed && parsed.serviceId.toLowerCase() === this.deployed.id.toLowerCase() ? parsed.relative : undefined;
  }

  api(deployedName: string) {
    return this.localByDeployed.get(deployedName.toLowerCase());
  }

  deployedApi(name: string): DeployedApi | undefined {
    return this.deployed.apis.find((api) => api.name.toLowerCase() === name.toLowerCase());
  }

  operation(resourceId: string): OperationResource | undefined {
    const parts = this.relative(resourceId)?.split('/');
    if (!parts || parts[0].toLowerCase() !== 'apis' || parts[2]?.toLowerCase() !== 'operations') return undefined;
    return this.localOperation(parts[1], parts[3]);
  }

  localOperation(deployedApi: string, deployedOperation: string): OperationResource | undefined {
    const local = this.api(deployedApi);
    if (!local) return undefined;
    const byName = local.api.operations.find((operation) => operation.name.toLowerCase() === deployedOperation.toLowerCase());
    if (byName) return byName;
    const remote = this.deployedApi(deployedApi)?.operations.find((operation) => operation.name.toLowerCase() === deployedOperation.toLowerCase());
    if (!remote) return undefined;
    const route = routeKey(remote.method, remote.urlTemplate);
    return local.api.operations.find((operation) => routeKey(operation.method, operation.urlTemplate) === route);
  }

  place(resourceId: string, ruleId: string): Placement | undefined {
    const relative = this.relative(resourceId);
    if (!relative) return undefined;
    const parts = relative.split('/');
    const kind = parts[0].toLowerCase();
    const byName = <T extends { name: string }>(items: T[]) => items.find((item) => item.name.toLowerCase() === parts[1]?.toLowerCase());
    if (kind === 'service') {
      const location = globalPolicyLocation(this.service);
      return location && { resource: 'service', location };
    }
    if (kind === 'apis' && parts[1]) {
      const local = this.api(parts[1]);
      if (!local) return undefined;
      if (parts[2]?.toLowerCase() === 'operations' && parts[3]) {
        const operation = this.localOperation(parts[1], parts[3]);
        if (operation) return { resource: operation.id, location: operation.location, mapping: local.mapping };
        return { resource: local.api.id, location: local.api.declaration.locate([]), mapping: local.mapping, note: `Operation ${parts[3]} is deployed but not in the repository.` };
      }
      const property = ruleId === 'encrypted-protocols' ? ['protocols'] : ruleId === 'endpoint-authentication' ? ['subscriptionRequired'] : [];
      return { resource: local.api.id, location: local.api.declaration.locate(property), mapping: local.mapping };
    }
    const declared =
      kind === 'subscriptions' ? byName(this.service.subscriptions) : kind === 'backends' ? byName(this.service.backends) : kind === 'namedvalues' ? byName(this.service.namedValues) : kind === 'products' ? byName(this.service.products) : undefined;
    if (!declared) return undefined;
    const property = kind === 'subscriptions' ? ['scope'] : kind === 'backends' && ruleId === 'backend-certificate-validation' ? ['tls'] : [];
    return { resource: declared.id, location: declared.declaration.locate(property) };
  }
}

function wholeFile(policy: PolicyAttachment): SourceLocation {
  return { file: policy.file, span: policy.xml.root?.span ?? { start: 0, end: 0 } };
}

/**
 * Defender's Unhealthy assessments of the mapped service as findings of origin `observed`, on the
 * local spec operation, API declaration or policy they are about; those with no local counterpart
 * point at their entry in the snapshot file. An assessment of recommendations 1 to 3 that a rule
 * reading the deployment facts already reports on the same resource is left out: both come from the
 * same snapshot, and one finding says it (`applySnapshot` must have run).
 */
export function observedFindings(service: ApimService, loaded: LoadedSnapshot, mappings: readonly ApiMapping[], rules?: readonly RuleMetadata[]): Finding[] {
  const { snapshot } = loaded;
  const deployed = mappedService(snapshot, mappings);
  if (!deployed) return [];
  const placer = new Placer(service, deployed, mappings);
  const reportedFromFacts = new Set(DEPLOYMENT_FACT_RULES.flatMap((rule) => rule.reportedResources(service).map((resource) => `${rule.meta.id}|${resource.toLowerCase()}`)));
  const findings: Finding[] = [];
  snapshot.assessments.forEach((assessment, index) => {
    if (assessment.status !== 'Unhealthy' || !placer.relative(assessment.resourceId)) return;
    const ruleId = observedRuleId(assessment, rules);
    const placement = placer.place(assessment.resourceId, ruleId);
    const relative = placer.relative(assessment.resourceId)!;
    const resource = placement?.resource ?? relative;
    if (reportedFromFacts.has(`${ruleId}|${resource.toLowerCase()}`)) return;
    const location = placement?.location ?? { file: loaded.file, span: loaded.document.valueSpan(['assessments', index]) ?? { start: 0, end: 0 } };
    const where = `${relative} in ${deployed.name}`;
    const detail = [assessment.cause, assessment.description].filter(Boolean).join(' ');
    findings.push({
      id: findingId(ruleId, resource, `observed:${assessment.key.toLowerCase()}:${assessment.resourceId.toLowerCase()}`),
      ruleId,
      severity: severityOf(assessment.severity),
      resource,
      remediation: assessment.remediation ?? rules?.find((rule) => rule.id === ruleId)?.remediation ?? 'See the recommendation in Defender for Cloud.',
      message: [
        // The resource first: lists (the Findings view, tables) cut long lines, and the recommendation is in the rule.
        `${where} is Unhealthy in Defender for Cloud: "${assessment.displayName ?? assessment.key}".`,
        detail,
        placement?.note,
        placement ? undefined : 'It has no counterpart in the repository.',
      ]
        .filter(Boolean)
        .join(' '),
      location,
      related: [],
      fixes: [],
      origin: 'observed',
      properties: {
        source: OBSERVED_SOURCE,
        assessmentKey: assessment.key,
        displayName: assessment.displayName,
        azureResourceId: assessment.resourceId,
        status: assessment.status,
        portalUri: assessment.portalUri,
        remediation: assessment.remediation,
        mapping: placement?.mapping && { reason: placement.mapping.reason, confidence: placement.mapping.confidence },
        // No local file declares the resource: the finding sits in the snapshot, shown in lists, not as a diagnostic.
        unmapped: !placement,
      },
    });
  });
  return findings;
}

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
 * Recommendations 1 to 3 are about Azure's own state (the plan, onboarding, traffic), which no file
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
    const assessment = { key: String(finding.properties?.assessmentKey ?? ''), displayName: finding.properties?.displayName as string | undefined };
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
interface ComparedPolicy {
  resource: ResourceId;
  local?: PolicyAttachment;
  remote?: DeployedPolicy;
  /** Where to point when the repository has no policy at the scope. */
  fallback: SourceLocation;
  scope: PolicyScope;
}

/** Every policy scope of the local service that has a deployed counterpart (the service, mapped APIs and their operations, products). */
function comparedPolicies(service: ApimService, deployed: DeployedService, mappings: readonly ApiMapping[]): ComparedPolicy[] {
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

/**
 * What the snapshot could not tell about the mapped service, as input problems in place of the
 * conclusions that would need it: a deployed policy that could not be read (where the repository has
 * one), the plan, onboarding, and Defender's assessments.
 */
export function unreadParts(service: ApimService, loaded: LoadedSnapshot, mappings: readonly ApiMapping[]): InputProblem[] {
  const deployed = mappedService(loaded.snapshot, mappings);
  if (!deployed) return [];
  const failed = new FailedReads(loaded.snapshot, deployed);
  // Azure's messages end in a period of their own.
  const why = (error: SnapshotError) => describeSnapshotError(error).replace(/\.+$/, '');
  const problems: InputProblem[] = [];
  for (const compared of comparedPolicies(service, deployed, mappings)) {
    const error = !compared.remote && compared.local ? failed.policy(compared.scope) : undefined;
    if (!error) continue;
    problems.push({
      file: compared.local!.file,
      span: wholeFile(compared.local!).span,
      kind: 'unread-in-azure',
      message: `The deployed ${compared.scope.kind} policy of ${compared.resource} is unknown, so it is not compared with the repository: ${why(error)}.`,
    });
  }
  const atSnapshot = (message: string): InputProblem => ({ file: loaded.file, kind: 'unread-in-azure', message });
  const pricing = failed.inSubscription('pricing');
  if (pricing) problems.push(atSnapshot(`Whether the Defender for APIs plan is on is unknown: ${why(pricing)}.`));
  const onboarding = failed.inSubscription('apiCollections');
  if (onboarding) problems.push(atSnapshot(`Which APIs are onboarded to Defender for APIs is unknown, so none is reported as not onboarded: ${why(onboarding)}.`));
  const assessments = failed.assessments();
  if (assessments) problems.push(atSnapshot(`Defender's findings and inactive endpoints are missing from this report: ${why(assessments)}.`));
  return problems;
}

/** Findings for the reports: `policy-differs` drift as info findings (the other kinds annotate observed findings). */
export function driftFindings(items: readonly DriftItem[]): Finding[] {
  return items
    .filter((item) => item.kind === 'policy-differs')
    .map((item) => ({
      id: findingId(POLICY_DRIFT_RULE.id, item.resource, 'policy'),
      remediation: POLICY_DRIFT_RULE.remediation,
      ruleId: POLICY_DRIFT_RULE.id,
      severity: POLICY_DRIFT_RULE.severity,
      resource: item.resource,
      message: item.message,
      location: item.location,
      related: [],
      fixes: [],
      origin: 'observed' as const,
      properties: { source: 'Azure', drift: item.kind, etag: item.etag },
    }));
}

/** Marks each observed finding with its drift kind and says it in the message, so every report format shows it. */
export function annotateDrift(observed: Finding[], items: readonly DriftItem[]): void {
  const byFinding = new Map(items.filter((item) => item.findingId).map((item) => [item.findingId!, item]));
  for (const finding of observed) {
    const item = byFinding.get(finding.id);
    if (!item) continue;
    finding.properties = { ...finding.properties, drift: item.kind };
    finding.message +=
      item.kind === 'not-deployed'
        ? ' Drift: fixed in the repository, not deployed yet.'
        : item.kind === 'awaiting-evaluation'
          ? ' Drift: the fix is deployed; Defender has not assessed it again yet.'
          : ' Drift: not predicted from the files.';
  }
}

/** `text` when it is an https URL: a snapshot in the repository is anyone's to write, and reports link to it. */
function httpsUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    // The parsed form: percent-encoded, so that it is a URI wherever it is written (SARIF checks).
    const url = new URL(text);
    return url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
