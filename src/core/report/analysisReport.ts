// A scan's result as the plain-data contract (contract.ts): what the JSON report writes and what the
// language server sends the editor. Everything a surface shows is decided here, once.
import type { OperationAuth } from '../analysis/authentication';
import type { EffectivePolicy } from '../analysis/effectivePolicy';
import { highestSensitivity } from '../analysis/sensitiveData';
import { exposureFacts } from '../backends/azureFacts';
import { callableDirectly, type ResolvedBackend } from '../backends/resolve';
import { apiRisk, type Priority } from '../priority/priority';
import { findingSources, type Finding, type Fix, type RuleMetadata } from '../findings';
import type { GoalResult } from '../goals/goal';
import type { ApiResource, ApimService, OperationResource } from '../model';
import { POLICY_SECTIONS } from '../policy/xml';
import type { SourceLocation } from '../text';
import { assumptionsOf, compareFindings, regionOf, relativePath, serviceLabel, snapshotSection, sortedRules, summarize, TOOL_NAME, type LineIndexOf } from './common';
import {
  CONTRACT_VERSION,
  type AnalysisReport,
  type ReportApi,
  type ReportAttackPath,
  type ReportAuthentication,
  type ReportBackend,
  type ReportEffectivePolicy,
  type ReportFinding,
  type ReportFix,
  type ReportGoal,
  type ReportLocation,
  type ReportOperation,
  type ReportPriority,
  type ReportResource,
  type ReportRule,
  type ReportService,
} from './contract';
import type { ScanResult } from './scanResult';

export interface ReportOptions {
  /** Each operation's effective policy, statement by statement (the JSON report has it; the editor asks for one at a time). */
  effectivePolicy?: boolean;
  /** Snapshot failures listed at most to a bound (SARIF's size limits). */
  boundedSnapshot?: boolean;
}

/** The whole report; the findings and coverage lists are built lazily by `reportParts` for streaming writers. */
export function toAnalysisReport(result: ScanResult, options: ReportOptions = {}): AnalysisReport {
  const parts = reportParts(result, options);
  return { ...parts.head, findings: parts.findings.map(parts.finding), services: parts.services.map(parts.service), drift: parts.drift(), attackPaths: parts.attackPaths() };
}

/** The report's parts: the head (small), and the long lists with the function that turns each entry into its contract form. */
export function reportParts(result: ScanResult, options: ReportOptions = {}) {
  const locate = locator(result.root, result.lineIndex);
  const assumptions = assumptionsOf(result);
  const head = {
    contractVersion: CONTRACT_VERSION,
    tool: TOOL_NAME,
    version: result.toolVersion,
    root: result.root,
    summary: summarize(result),
    assumptions: assumptions.length > 0 ? assumptions : undefined,
    coverage: result.coverage,
    snapshot: snapshotSection(result, options.boundedSnapshot),
    rules: sortedRules(result.rules).map(reportRule),
    goalsSource: result.goalsSource,
    goals: result.goals?.map((goal) => reportGoal(goal, locate)),
    trend: result.trend,
  };
  return {
    head,
    findings: [...result.findings].sort(compareFindings),
    finding: (finding: Finding) => reportFinding(finding, locate),
    services: result.services,
    service: (service: ApimService) => reportService(result, service, locate, options),
    drift: () =>
      (result.deployed ?? []).flatMap((comparison) =>
        comparison.drift.map((item) => ({
          kind: item.kind,
          service: serviceLabel(result.root, result.services, comparison.local),
        resource: item.resource,
        message: item.message,
        location: locate(item.location),
          findingId: item.findingId,
          inRepository: item.kind === 'policy-differs' ? item.local !== undefined : undefined,
        })),
      ),
    attackPaths: () => reportAttackPaths(result, locate),
  };
}

/** Defender's attack paths through the compared services; absent when the snapshot did not read them (or there is none). */
export function reportAttackPaths(result: ScanResult, locate: (location: SourceLocation) => ReportLocation): ReportAttackPath[] | undefined {
  if (!result.deployed?.some((comparison) => comparison.snapshot.snapshot.attackPaths)) return undefined;
  return result.deployed.flatMap((comparison) =>
    comparison.attackPaths.map((path) => ({
      id: path.id,
      source: 'observed' as const,
      service: serviceLabel(result.root, result.services, comparison.local),
      title: path.title,
      description: path.description,
      riskLevel: path.riskLevel,
      riskFactors: path.riskFactors,
      remediation: path.remediation,
      steps: path.steps.map((step) => ({ name: step.name, type: step.type, resourceId: step.resourceId, resource: step.resource, location: step.location && locate(step.location) })),
      location: locate(path.snapshotLocation),
    })),
  );
}

/** Places as the contract writes them: relative to `root`, 1-based. */
export function locator(root: string, lineIndex: LineIndexOf): (location: SourceLocation) => ReportLocation {
  // Per file: a report locates thousands of places in a few files, and path.relative is not cheap.
  const relativeFiles = new Map<string, string>();
  return (location) => {
    let file = relativeFiles.get(location.file);
    if (file === undefined) relativeFiles.set(location.file, (file = relativePath(root, location.file)));
    return { file, ...regionOf(lineIndex, location) };
  };
}

export function reportRule(rule: RuleMetadata): ReportRule {
  return {
    id: rule.id,
    title: rule.title,
    severity: rule.severity,
    description: rule.description,
    remediation: rule.remediation,
    helpUri: rule.helpUri,
    defender: rule.defender && {
      displayName: rule.defender.displayName,
      assessmentKey: rule.defender.assessmentKey,
      keyConfirmed: rule.defender.keyConfirmed,
      severity: rule.defender.severity,
    },
  };
}

export function reportFix(fix: Fix): ReportFix {
  return { id: fix.id, title: fix.title, preferred: fix.preferred ?? false, kind: fix.adds ? 'add-policy' : 'edit', policy: fix.adds?.policy, scope: fix.adds?.scope };
}

export function reportFinding(finding: Finding, locate: (location: SourceLocation) => ReportLocation): ReportFinding {
  return {
    id: finding.id,
    ruleId: finding.ruleId,
    severity: finding.severity,
    origin: finding.origin,
    sources: findingSources(finding),
    defender: finding.defender,
    resource: finding.resource,
    service: finding.service,
    message: finding.message,
    remediation: finding.remediation,
    location: locate(finding.location),
    related: finding.related.map((related) => ({ location: locate(related.location), message: related.message })),
    relatedOmitted: finding.relatedOmitted,
    fixes: finding.fixes.map(reportFix),
    suppression: finding.suppression && { reason: finding.suppression.reason, expires: finding.suppression.expires, location: locate(finding.suppression.location) },
    properties: finding.properties,
    priority: finding.priority && reportPriority(finding.priority),
  };
}

export function reportPriority(priority: Priority): ReportPriority {
  return { score: priority.score, factors: priority.factors, operation: priority.operation, notes: priority.notes };
}

export function reportBackend(backend: ResolvedBackend, locate: (location: SourceLocation) => ReportLocation): ReportBackend {
  const { resource } = backend;
  return {
    kind: backend.kind,
    host: backend.host,
    via: backend.via,
    backend: backend.backend,
    location: locate(backend.location),
    resource: resource && {
      name: resource.name,
      type: resource.type,
      declaredAt: locate(resource.declaredAt),
      publicNetworkAccess: resource.publicNetworkAccess,
      accessRestricted: resource.accessRestricted,
      privateEndpoint: resource.privateEndpoint,
      appServiceAuth: resource.appServiceAuth,
      managedIdentity: resource.managedIdentity,
      notKnown: resource.notKnown,
    },
    callableDirectly: callableDirectly(backend),
    unresolved: backend.unresolved,
    azure: backend.azure && (backend.azure.found ? { found: true, ...backend.azure.facts } : { found: false, why: backend.azure.why }),
    exposure: exposureFacts(backend),
  };
}

export function reportGoal(goal: GoalResult, locate: (location: SourceLocation) => ReportLocation): ReportGoal {
  return {
    id: goal.id,
    title: goal.title,
    metric: goal.metric,
    status: goal.status,
    met: goal.met,
    value: goal.value,
    target: goal.target,
    unit: goal.unit,
    blocking: goal.blocking,
    reason: goal.reason,
    notes: goal.notes,
    violations: goal.violations.map((violation) => ({ resource: violation.resource, service: violation.service, message: violation.message, location: locate(violation.location) })),
    location: goal.location && locate(goal.location),
  };
}

/** How commands name an operation: its id, after its service's root when the folder holds several services. */
export function operationKey(result: ScanResult, service: ApimService, operation: OperationResource): string {
  const label = serviceLabel(result.root, result.services, service);
  return label === undefined ? operation.id : `${label}:${operation.id}`;
}

function reportService(result: ScanResult, service: ApimService, locate: (location: SourceLocation) => ReportLocation, options: ReportOptions): ReportService {
  const resource = (id: string, label: string, location: SourceLocation, icon: ReportResource['icon'], description?: string): ReportResource => ({ id, label, description, icon, location: locate(location) });
  return {
    label: serviceLabel(result.root, result.services, service),
    root: relativePath(result.root, service.root) || '.',
    layout: service.layout,
    empty: service.apis.length === 0 && service.products.length === 0 && !service.policy,
    apis: service.apis.map((api) => reportApi(result, service, api, locate, options)),
    products: service.products.map((product) =>
      resource(product.id, product.displayName ?? product.name, product.declaration.locate([]), 'package', `${product.subscriptionRequired?.value === false ? 'open' : 'key required'} · ${product.apiNames.length} APIs`),
    ),
    subscriptions: service.subscriptions.map((subscription) =>
      resource(subscription.id, subscription.displayName ?? subscription.name, subscription.declaration.locate(['scope']), 'key', `${subscription.scope?.value ?? ''} · ${subscription.state?.value ?? ''}`),
    ),
    backends: service.backends.map((backend) => ({ ...resource(backend.id, backend.name, backend.declaration.locate(['url']), 'server', backend.url), backend: reportBackend(result.analyses.backend(backend), locate) })),
    namedValues: service.namedValues.map((namedValue) =>
      resource(
        namedValue.id,
        namedValue.displayName ?? namedValue.name,
        namedValue.declaration.locate([]),
        namedValue.keyVaultSecretIdentifier ? 'lock' : namedValue.secret?.value ? 'unlock' : 'symbol-constant',
        namedValue.keyVaultSecretIdentifier ? 'Key Vault' : namedValue.secret?.value ? 'secret' : undefined,
      ),
    ),
    fragments: service.fragments.map((fragment) => resource(fragment.id, fragment.name, fragment.policy ? { file: fragment.policy.file, span: { start: 0, end: 0 } } : fragment.declaration.locate([]), 'symbol-snippet')),
    onlyInAzure: onlyInAzure(result, service).map(({ name, displayName, location, description }) => resource(`apis/${name}`, displayName ?? name, location, 'cloud', description)),
  };
}

function reportApi(result: ScanResult, service: ApimService, api: ApiResource, locate: (location: SourceLocation) => ReportLocation, options: ReportOptions): ReportApi {
  const onboarded = service.deployment?.onboardedApis;
  const mapping = result.deployed?.find((comparison) => comparison.local === service)?.mappings.find((candidate) => candidate.local === api.name);
  return {
    id: api.id,
    name: api.name,
    displayName: api.displayName,
    source: api.source,
    location: locate(api.declaration.locate(['displayName'])),
    path: api.path,
    type: api.type,
    revision: api.name.includes(';rev=') ? api.revision : undefined,
    apiVersion: api.apiVersion,
    protocols: api.protocols?.value,
    subscriptionRequired: api.subscriptionRequired?.value,
    workspace: api.workspace,
    products: api.productNames,
    azure: mapping && {
      deployedApi: mapping.deployed?.api,
      reason: mapping.reason,
      confidence: mapping.confidence,
      detail: mapping.detail,
      onboarded: onboarded && mapping.deployed ? onboarded.includes(api.name) : undefined,
    },
    risk: reportPriority(apiRisk(result.analyses, api)),
    operations: api.operations.map((operation) => reportOperation(result, service, api, operation, locate, options)),
  };
}

/** The operations Defender saw no traffic to, as a set per service: asked once per operation of every API. */
const inactiveByService = new WeakMap<ApimService, ReadonlySet<string>>();

function inactiveOperations(service: ApimService): ReadonlySet<string> {
  let inactive = inactiveByService.get(service);
  if (!inactive) inactiveByService.set(service, (inactive = new Set(service.deployment?.inactiveOperations ?? [])));
  return inactive;
}

/** One operation as the contract has it: how it is authenticated, what sensitive data it carries, where its code lens goes. */
export function reportOperation(result: ScanResult, service: ApimService, api: ApiResource, operation: OperationResource, locate: (location: SourceLocation) => ReportLocation, options: ReportOptions = {}): ReportOperation {
  const auth = result.analyses.auth(api, operation);
  const exposure = result.analyses.exposure(api, operation);
  const classifications = [...exposure.inUrl, ...exposure.inBodies].flatMap((entry) => entry.classifications);
  const inUrl = exposure.inUrl.flatMap((entry) => entry.classifications.map((classification) => classification.type.displayName));
  const inBodies = exposure.inBodies.flatMap((entry) => entry.classifications.map((classification) => classification.type.displayName));
  return {
    id: operation.id,
    key: operationKey(result, service, operation),
    name: operation.name,
    method: operation.method,
    urlTemplate: operation.urlTemplate,
    location: locate(operation.location),
    specLocation: operation.specOperation && locate(operation.specOperation.location),
    authentication: reportAuthentication(auth, locate),
    sensitiveTypes: [...new Set([...inUrl, ...inBodies])],
    sensitivity: highestSensitivity(classifications),
    sensitiveInUrl: inUrl.length > 0,
    unused: inactiveOperations(service).has(operation.id),
    effectivePolicy: options.effectivePolicy ? reportEffectivePolicy(auth.effective, locate) : undefined,
    backends: result.analyses.backends(api, operation).map((backend) => reportBackend(backend, locate)),
  };
}

/** One line on how a keyless call is authenticated; the editor puts it in code lenses and the inventory. */
export function authenticationSummary(auth: OperationAuth): string {
  if (auth.state === 'conditional') return `conditional: ${[...new Set(auth.policies.map((use) => use.policy))].join(', ')} inside <choose>`;
  if (auth.state === 'unauthenticated') return 'unauthenticated';
  if (auth.state === 'unknown') return `not known: the ${auth.unreadPolicies.map((entry) => entry.scope).join(', ')} policy was not read`;
  const policy = auth.policies.find((use) => !use.conditional);
  if (policy) return `${policy.policy} (${policy.statement.scope.kind} scope${policy.statement.viaFragments.length ? `, fragment ${policy.statement.viaFragments.join(' → ')}` : ''})`;
  return 'subscription key required';
}

function reportAuthentication(auth: OperationAuth, locate: (location: SourceLocation) => ReportLocation): ReportAuthentication {
  return {
    state: auth.state,
    keyless: auth.keyless,
    summary: authenticationSummary(auth),
    policies: auth.policies.map((use) => ({
      policy: use.policy,
      scope: use.statement.scope.kind,
      conditional: use.conditional,
      viaFragments: use.statement.viaFragments,
      location: locate({ file: use.file, span: use.element.span }),
    })),
    unreadScopes: auth.unreadPolicies.map((entry) => entry.scope),
    openProduct: auth.openProduct?.name,
  };
}

function reportEffectivePolicy(effective: EffectivePolicy, locate: (location: SourceLocation) => ReportLocation): ReportEffectivePolicy {
  const sections: ReportEffectivePolicy['sections'] = {};
  for (const name of POLICY_SECTIONS) {
    const section = effective.sections[name];
    sections[name] = {
      scopesReached: section.scopesReached.map((scope) => scope.kind),
      inheritanceCutAt: section.inheritanceCutAt.map((scope) => scope.kind),
      statements: section.statements.map((statement) => ({
        name: statement.element.name,
        scope: statement.scope.kind,
        viaFragments: statement.viaFragments,
        location: locate({ file: statement.file, span: statement.element.span }),
      })),
    };
  }
  return { sections };
}

/** Deployed APIs of the mapped service that no local API maps to (the Echo API a portal created, say), located in the snapshot. */
function onlyInAzure(result: ScanResult, service: ApimService): { name: string; displayName?: string; location: SourceLocation; description: string }[] {
  const deployed = result.deployed?.find((comparison) => comparison.local === service);
  const deployedService = deployed?.service;
  if (!deployed || !deployedService) return [];
  const serviceIndex = deployed.snapshot.snapshot.services.indexOf(deployedService);
  const mapped = new Set(deployed.mappings.flatMap((mapping) => (mapping.deployed ? [mapping.deployed.api.toLowerCase()] : [])));
  const onboarded = new Set(deployedService.apiCollections.map((collection) => collection.apiName.toLowerCase()));
  return deployedService.apis.flatMap((api, index) => {
    if (mapped.has(api.name.toLowerCase()) || api.isCurrent === false) return [];
    const span = deployed.snapshot.document.valueSpan(['services', serviceIndex, 'apis', index]) ?? { start: 0, end: 0 };
    const description = [api.path !== undefined ? `/${api.path}` : undefined, api.protocols?.join('+'), onboarded.has(api.name.toLowerCase()) ? 'onboarded' : undefined].filter(Boolean).join(' · ');
    return [{ name: api.name, displayName: api.displayName, location: { file: deployed.snapshot.file, span }, description }];
  });
}
