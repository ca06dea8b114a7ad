// Which findings to fix first. A finding's priority is 100 × severity × exploitability × impact, each
// side a sum of named factors of the operation the finding is about (its riskiest one when it is about
// several): exploitability is how easily a caller from the internet reaches it through the gateway
// (no key or token, a condition, clear text, a key for every API, a backend that needs no gateway),
// impact what the call carries and touches (sensitive data, a write, a data store behind it). An
// API's risk is the same product without a finding's severity. Each factor's contribution is its
// Shapley share of the product (a term of the product shared equally by the factors in it), so the
// contributions add up to the score, and every score can be explained factor by factor.
import type { OperationAuth } from '../analysis/authentication';
import { typeNames, type OperationExposure } from '../analysis/dataExposure';
import { directlyReachable } from '../analysis/hostedExposure';
import { highestSensitivity } from '../analysis/sensitiveData';
import { callableDirectly, DATA_STORE_KINDS, type ResolvedBackend } from '../backends/resolve';
import { defenderRiskText, type DefenderRisk, type Finding, type Severity } from '../findings';
import { apiIdOf, type ApiResource, type ApimService, type HostedProject, type HttpTrigger, type OperationResource } from '../model';
import { assessedOperations } from '../rules/endpointAuthentication';
import { INPUT_PROBLEM_RULE } from '../rules/inputProblem';
import { EXPIRED_SUPPRESSION_RULE } from '../rules/suppressionExpired';
import { allApisSubscriptions } from '../rules/subscriptionScope';

export type PrioritySide = 'severity' | 'exploitability' | 'impact';

export interface PriorityFactor {
  /** Stable: `unauthenticated`, `http`, `sensitive-high`, `write`, `backend-direct`, ... */
  id: string;
  side: PrioritySide;
  /** What the factor is, in words: `callable without a key or token`. */
  label: string;
  /** Its share of its side (a side's weights add up to at most 1). */
  weight: number;
  /** Its points of the score (one decimal); the contributions add up to the score. */
  contribution: number;
}

export interface Priority {
  /** 0 to 100, higher first. */
  score: number;
  factors: PriorityFactor[];
  /** The operation whose factors these are, when the finding or API concerns several. */
  operation?: string;
  /** What the factors could not take into account, and why (an unresolved backend, a finding tied to no operation). */
  notes: string[];
}

/** The analyses priorities read: those of the rules' context. */
export interface PriorityAnalyses {
  auth(api: ApiResource, operation: OperationResource): OperationAuth;
  exposure(api: ApiResource, operation: OperationResource): OperationExposure;
  backends(api: ApiResource, operation: OperationResource): ResolvedBackend[];
  /** The operation's `operationRisk`, worked out once per operation: a finding about the whole service weighs every operation. */
  risk(api: ApiResource, operation: OperationResource): OperationRisk;
  /** The API's `apiRiskSummary`, worked out once per API's analyses. */
  riskSummary(api: ApiResource): ApiRiskSummary;
}

/** An operation's factors and its exploitability × impact; plain data, which the editor's re-analysis keeps while the operation's API does not change. */
export interface OperationRisk {
  factors: Draft[];
  notes: string[];
  risk: number;
  /** The priorities already explained from these factors, by severity: findings of one rule and severity on one operation share theirs. */
  explained: Map<string, Priority>;
}

const NOT_ABOUT_CALLS: ReadonlySet<string> = new Set([INPUT_PROBLEM_RULE.id, EXPIRED_SUPPRESSION_RULE.id]);

export const SEVERITY_WEIGHT: Record<Severity, number> = { high: 1, medium: 0.7, low: 0.4, info: 0.15 };

// Exploitability: each weight is its share of the worst case (1: keyless, clear text, backend open).
const GATEWAY = 0.2;
const AUTH_WEIGHT = { unauthenticated: 0.4, conditional: 0.25, unknown: 0.2 } as const;
const ALL_APIS_KEY = 0.1;
const CLEAR_TEXT = 0.15;
const BACKEND_DIRECT = 0.25;
// Impact: the worst case (1) is a write of highly sensitive data to a data store.
const ANY_CALL = 0.3;
const SENSITIVITY_WEIGHT = { high: 0.4, medium: 0.2 } as const;
const WRITE = 0.15;
const DATA_STORE = 0.15;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type Draft = Omit<PriorityFactor, 'contribution'>;

/** The score and each factor's share of it. */
function explain(factors: Draft[], notes: string[], operation?: string): Priority {
  // Each side's total once: an estate's findings are explained by the thousand on every analysis.
  const totals = new Map<PrioritySide, number>();
  for (const factor of factors) totals.set(factor.side, (totals.get(factor.side) ?? 0) + factor.weight);
  let product = 1;
  for (const total of totals.values()) product *= total;
  return {
    score: Math.round(100 * product),
    factors: factors.map((factor) => {
      let others = 1;
      for (const [side, total] of totals) if (side !== factor.side) others *= total;
      return { id: factor.id, side: factor.side, label: factor.label, weight: factor.weight, contribution: Math.round((1000 * factor.weight * others) / totals.size) / 10 };
    }),
    operation,
    notes,
  };
}

/** Exploitability and impact of calls to one operation. */
function operationFactors(analyses: Omit<PriorityAnalyses, 'risk' | 'riskSummary'>, service: ApimService, api: ApiResource, operation: OperationResource): { factors: Draft[]; notes: string[] } {
  const factors: Draft[] = [{ id: 'gateway', side: 'exploitability', label: 'reachable through the gateway', weight: GATEWAY }];
  const notes: string[] = [];
  const auth = analyses.auth(api, operation);
  if (auth.state === 'unauthenticated') factors.push({ id: 'unauthenticated', side: 'exploitability', label: 'callable without a key or token', weight: AUTH_WEIGHT.unauthenticated });
  else if (auth.state === 'conditional') factors.push({ id: 'conditional', side: 'exploitability', label: 'authenticated only on some paths (inside <choose>)', weight: AUTH_WEIGHT.conditional });
  else if (auth.state === 'unknown') factors.push({ id: 'auth-unknown', side: 'exploitability', label: 'authentication not known: a policy on the call path was not read', weight: AUTH_WEIGHT.unknown });
  else if (!auth.keyless && allApisSubscriptions(service).some((subscription) => subscription.workspace === api.workspace)) {
    factors.push({ id: 'all-apis-key', side: 'exploitability', label: 'an active subscription key opens every API', weight: ALL_APIS_KEY });
  }
  if (api.protocols?.value.some((protocol) => /^(http|ws)$/i.test(protocol))) factors.push({ id: 'http', side: 'exploitability', label: 'unencrypted protocols accepted', weight: CLEAR_TEXT });
  const backends = analyses.backends(api, operation);
  const direct = backends.find(callableDirectly);
  const azureFacts = direct?.azure?.found ? direct.azure.facts : undefined;
  const directName = azureFacts?.name ?? direct?.resource?.name;
  if (direct && directName !== undefined) {
    factors.push({ id: 'backend-direct', side: 'exploitability', label: `backend ${directName} (${direct.kind}) callable directly: public, unrestricted, no sign-in${azureFacts ? ', as Azure says' : ''}`, weight: BACKEND_DIRECT });
  }
  for (const backend of backends) {
    if (backend.unresolved) notes.push(`backend not resolved: ${backend.unresolved}`);
    else if (backend.azure?.found) {
      if (backend.azure.facts.notRead.length > 0) notes.push(`whether backend ${backend.azure.facts.name} is callable directly is not known: not read from Azure: ${backend.azure.facts.notRead.join(', ')}`);
    } else if (backend.azure && !backend.resource) notes.push(`whether the ${backend.kind} backend ${backend.host ?? ''} is callable directly is not known: ${backend.azure.why}`.replace('  ', ' '));
    else if (!backend.resource && backend.kind !== 'private-address') notes.push(`whether the ${backend.kind} backend ${backend.host ?? ''} is callable directly is not known: the repository does not declare it`.replace('  ', ' '));
    else if (backend.resource && backend.resource.notKnown.length > 0) notes.push(`whether backend ${backend.resource.name} is callable directly is not known: ${backend.resource.notKnown.join(', ')} not determined by the files`);
  }

  factors.push({ id: 'any-call', side: 'impact', label: 'what any call can read or change', weight: ANY_CALL });
  const exposure = analyses.exposure(api, operation);
  const classifications = [...exposure.inUrl, ...exposure.inBodies].flatMap((entry) => entry.classifications);
  const sensitivity = highestSensitivity(classifications);
  if (sensitivity) factors.push({ id: `sensitive-${sensitivity}`, side: 'impact', label: `${sensitivity} sensitivity data (${typeNames(classifications).join(', ')})`, weight: SENSITIVITY_WEIGHT[sensitivity] });
  if (operation.method && WRITE_METHODS.has(operation.method.toUpperCase())) factors.push({ id: 'write', side: 'impact', label: `a write (${operation.method.toUpperCase()})`, weight: WRITE });
  const store = backends.find((backend) => DATA_STORE_KINDS.has(backend.kind));
  if (store) factors.push({ id: 'data-store', side: 'impact', label: `a data store behind it (${store.kind}${store.resource ? ` ${store.resource.name}` : ''})`, weight: DATA_STORE });
  return { factors, notes };
}

/** The exploitability and impact of calls to one operation. */
export function operationRisk(analyses: Omit<PriorityAnalyses, 'risk' | 'riskSummary'>, service: ApimService, api: ApiResource, operation: OperationResource): OperationRisk {
  const { factors, notes } = operationFactors(analyses, service, api, operation);
  const sum = (side: PrioritySide) => factors.filter((factor) => factor.side === side).reduce((total, factor) => total + factor.weight, 0);
  return { factors, notes, risk: sum('exploitability') * sum('impact'), explained: new Map() };
}

/** Some operations a finding concerns: how many, and the riskiest of them (the first of equals, in the service's order). */
interface Concerned {
  count: number;
  riskiest?: { operation: OperationResource; entry: OperationRisk };
}

/**
 * What findings about several APIs (the service, a product, a key, a backend) weigh of one API: its
 * assessed operations, and those whose calls go to each backend (by id). Worked out once per API's
 * analyses, and kept with them: an edit of one API does not weigh every operation of the others again.
 */
export interface ApiRiskSummary {
  all: Concerned;
  byBackend: Map<string, Concerned>;
}

export function apiRiskSummary(analyses: Pick<PriorityAnalyses, 'risk' | 'backends'>, api: ApiResource): ApiRiskSummary {
  const all: Concerned = { count: 0 };
  const byBackend = new Map<string, Concerned>();
  const add = (concerned: Concerned, operation: OperationResource, entry: OperationRisk) => {
    concerned.count++;
    if (!concerned.riskiest || entry.risk > concerned.riskiest.entry.risk) concerned.riskiest = { operation, entry };
  };
  for (const operation of assessedOperations(api)) {
    const entry = analyses.risk(api, operation);
    add(all, operation, entry);
    for (const backend of new Set(analyses.backends(api, operation).flatMap((target) => target.backend ?? []))) {
      let concerned = byBackend.get(backend);
      if (!concerned) byBackend.set(backend, (concerned = { count: 0 }));
      add(concerned, operation, entry);
    }
  }
  return { all, byBackend };
}

/** The operations of `apis` (those whose calls go to the backend of id `backend`, when given), from each API's summary. */
function concernedOf(analyses: PriorityAnalyses, apis: readonly ApiResource[], backend?: string): Concerned {
  const concerned: Concerned = { count: 0 };
  for (const api of apis) {
    const summary = analyses.riskSummary(api);
    const ofApi = backend === undefined ? summary.all : summary.byBackend.get(backend);
    if (!ofApi?.riskiest) continue;
    concerned.count += ofApi.count;
    if (!concerned.riskiest || ofApi.riskiest.entry.risk > concerned.riskiest.entry.risk) concerned.riskiest = ofApi.riskiest;
  }
  return concerned;
}

/** The priority of a flaw on some operations: the factors of the riskiest (the severity multiplies them all alike). */
function concernedPriority(count: number, { entry, operation }: NonNullable<Concerned['riskiest']>, severity?: Draft): Priority {
  const factors = () => [...(severity ? [severity] : []), ...entry.factors];
  if (count > 1) return explain(factors(), [`${count} operations concerned; the factors are those of the riskiest, ${operation.id}`, ...entry.notes], operation.id);
  // Findings of one rule and severity on one operation share their priority: an estate has thousands.
  const key = severity?.label ?? '';
  let priority = entry.explained.get(key);
  if (!priority) entry.explained.set(key, (priority = explain(factors(), entry.notes, operation.id)));
  return priority;
}

/** An API's risk: the riskiest of its operations, as a flaw of the highest severity there would rank. */
export function apiRisk(analyses: PriorityAnalyses, api: ApiResource): Priority {
  // An API without operations is assessed as a whole: there is always one.
  const { count, riskiest } = analyses.riskSummary(api).all;
  return concernedPriority(count, riskiest!);
}

/** One factor object per rule and severity: the thousands of findings of a rule share it. */
const severityFactors = new Map<string, Partial<Record<Severity, Draft>>>();

function severityFactor(severity: Severity, ruleId: string): Draft {
  let ofRule = severityFactors.get(ruleId);
  if (!ofRule) severityFactors.set(ruleId, (ofRule = {}));
  return (ofRule[severity] ??= { id: 'severity', side: 'severity', label: `${severity} severity (${ruleId})`, weight: SEVERITY_WEIGHT[severity] });
}

/** A finding's priority: its severity, and the exploitability and impact of the operations it is about. */
export function findingPriority(finding: Pick<Finding, 'severity' | 'resource' | 'ruleId' | 'defender'>, analyses: PriorityAnalyses | undefined, service: ApimService | undefined): Priority {
  const severity = severityFactor(finding.severity, finding.ruleId);
  // A file that could not be read, or a suppression past its date, is about the repository, not about what is called.
  const aboutCalls = !NOT_ABOUT_CALLS.has(finding.ruleId);
  const targets = service && analyses && aboutCalls ? operationsOf(finding.resource, service, analyses) : undefined;
  if (targets?.riskiest) return withDefenderRisk(concernedPriority(targets.count, targets.riskiest, severity), finding.defender?.risk);
  const hosted = analyses && service && aboutCalls ? hostedTriggerOf(finding.resource, service) : undefined;
  if (hosted) return withDefenderRisk(triggerPriority(analyses!, service!, hosted.project, hosted.trigger, severity), finding.defender?.risk);
  const why = !aboutCalls ? `${finding.ruleId} is about the repository's files` : targets ? `no operation's calls go through ${finding.resource}` : `${finding.resource} is not an API, product, subscription or backend`;
  return explain(
    [severity, { id: 'gateway', side: 'exploitability', label: 'a part of the service', weight: GATEWAY }, { id: 'any-call', side: 'impact', label: 'no operation concerned', weight: ANY_CALL }],
    [`${why}: no operation's exposure or data weighs in`],
  );
}

function hostedTriggerOf(resource: string, service: ApimService): { project: HostedProject; trigger: HttpTrigger } | undefined {
  for (const project of service.hosted?.projects ?? []) {
    const trigger = project.triggers.find((candidate) => candidate.id === resource);
    if (trigger) return { project, trigger };
  }
  return undefined;
}

/**
 * A Function App's or Logic App's HTTP trigger is called straight, not through the gateway: its own
 * level and the app's network say how easily; its impact is that of the riskiest operation whose
 * backend is the app (what the gateway would have guarded), else what any call can read or change.
 */
function triggerPriority(analyses: PriorityAnalyses, service: ApimService, project: HostedProject, trigger: HttpTrigger, severity: Draft): Priority {
  const factors: Draft[] = [severity, { id: 'direct', side: 'exploitability', label: 'called straight, not through the gateway', weight: GATEWAY }];
  const notes: string[] = [];
  if (trigger.access === 'anonymous') factors.push({ id: 'unauthenticated', side: 'exploitability', label: 'callable without a key or token', weight: AUTH_WEIGHT.unauthenticated });
  else if (trigger.access === 'key') factors.push({ id: 'shared-key', side: 'exploitability', label: 'a shared key opens it (no identity)', weight: AUTH_WEIGHT.conditional });
  else if (trigger.access === 'unknown') factors.push({ id: 'auth-unknown', side: 'exploitability', label: 'its level is computed in code', weight: AUTH_WEIGHT.unknown });
  const reachable = directlyReachable(project);
  if (reachable.reachable === true) factors.push({ id: 'backend-direct', side: 'exploitability', label: `the app is callable from the internet: ${reachable.because.join(', ')}`, weight: BACKEND_DIRECT });
  else if (reachable.reachable === 'unknown') notes.push(`whether the app is callable from the internet is not known: ${reachable.because.join(', ')}`);
  const name = (project.appName ?? project.app?.name)?.toLowerCase();
  const caller = name === undefined ? undefined : riskiestCallerOf(analyses, service, name);
  if (caller) {
    if (caller.callers > 1) notes.push(`${caller.callers} operations route to the app; the impact is that of the riskiest, ${caller.operation.id}`);
    return explain([...factors, ...caller.impact], notes, caller.operation.id);
  }
  notes.push(name === undefined ? 'the app it runs in is not known: no operation\'s data weighs in' : `no API of the service routes to ${name}: no operation's data weighs in`);
  return explain([...factors, { id: 'any-call', side: 'impact', label: 'what any call can read or change', weight: ANY_CALL }], notes);
}

type Caller = { operation: OperationResource; impact: Draft[]; callers: number };

/** Per scan's analyses, service and app: the triggers of one app share it. */
const callersByAnalyses = new WeakMap<PriorityAnalyses, WeakMap<ApimService, Map<string, Caller | undefined>>>();

/** Of the operations whose backend is the app, the one whose calls carry the most (its impact factors), and how many there are. */
function riskiestCallerOf(analyses: PriorityAnalyses, service: ApimService, app: string): Caller | undefined {
  let byService = callersByAnalyses.get(analyses);
  if (!byService) callersByAnalyses.set(analyses, (byService = new WeakMap()));
  let known = byService.get(service);
  if (!known) byService.set(service, (known = new Map()));
  if (known.has(app)) return known.get(app);
  let best: (Caller & { total: number }) | undefined;
  let callers = 0;
  for (const api of service.apis) {
    for (const operation of assessedOperations(api)) {
      if (!analyses.backends(api, operation).some((backend) => servedBy(backend, app))) continue;
      callers++;
      const impact = analyses.risk(api, operation).factors.filter((factor) => factor.side === 'impact');
      const total = impact.reduce((sum, factor) => sum + factor.weight, 0);
      if (!best || total > best.total) best = { operation, impact, callers: 0, total };
    }
  }
  const caller = best && { operation: best.operation, impact: best.impact, callers };
  known.set(app, caller);
  return caller;
}

/** The backend is the app: resolved to its declaration, or its host is the app's default host name. */
function servedBy(backend: ResolvedBackend, app: string): boolean {
  return backend.resource?.name.toLowerCase() === app || backend.host?.toLowerCase().startsWith(`${app}.`) === true;
}

/** What Defender's own rating of a finding adds to its exploitability, by level (assessments' `risk`). */
const DEFENDER_RISK_WEIGHT: Record<string, number> = { critical: 0.2, high: 0.1 };

/**
 * A priority with Defender's risk of the finding as a factor of its own (a Critical or High level,
 * from Azure's view of exposure and attack paths), within what exploitability can still take.
 */
function withDefenderRisk(priority: Priority, risk: DefenderRisk | undefined): Priority {
  const weight = DEFENDER_RISK_WEIGHT[risk?.level?.toLowerCase() ?? ''];
  if (!risk || weight === undefined) return priority;
  const drafts: Draft[] = priority.factors.map(({ contribution: _contribution, ...draft }) => draft);
  const room = 1 - drafts.filter((factor) => factor.side === 'exploitability').reduce((sum, factor) => sum + factor.weight, 0);
  if (room <= 0) return priority;
  const label = `Defender rates it ${defenderRiskText(risk)}`;
  return explain([...drafts, { id: 'defender-risk', side: 'exploitability', label, weight: Math.min(weight, room) }], priority.notes, priority.operation);
}

/**
 * The operations a finding's resource concerns: the operation, the API's, a product's or key's APIs',
 * a backend's callers, the whole service; undefined when it is none of these (a named value, a file).
 */
function operationsOf(resource: string, service: ApimService, analyses: PriorityAnalyses): Concerned | undefined {
  const lower = resource.toLowerCase();
  if (lower === 'service') return concernedOf(analyses, service.apis);
  const index = resourceIndex(service);
  const operation = findOperation(index, lower);
  if (operation) return { count: 1, riskiest: { operation: operation.operation, entry: analyses.risk(operation.api, operation.operation) } };
  // `apis/orders/policies/policy`, `apis/orders/operations/x` of an operation not listed: the API's.
  const apiId = apiIdOf(lower);
  const api = apiId !== undefined ? index.apis.get(apiId) : undefined;
  if (api) return concernedOf(analyses, [api]);
  const product = service.products.find((candidate) => lower === candidate.id.toLowerCase() || lower.startsWith(`${candidate.id.toLowerCase()}/`));
  if (product) return concernedOf(analyses, service.apis.filter((candidate) => candidate.workspace === product.workspace && candidate.productNames.includes(product.name)));
  const subscription = service.subscriptions.find((candidate) => lower === candidate.id.toLowerCase());
  if (subscription) return concernedOf(analyses, apisInScope(service, subscription.scope?.value ?? '/apis', subscription.workspace));
  const backend = service.backends.find((candidate) => lower === candidate.id.toLowerCase());
  if (backend) return concernedOf(analyses, service.apis, backend.id);
  return undefined;
}

/** An operation with its API. */
type Target = { api: ApiResource; operation: OperationResource };

/**
 * Each service's APIs by lower-case id: every finding looks its resource up. An operation is found
 * through its API (its id is below the API's), so that an edit's re-analysis does not index every
 * operation again; `operations` indexes them all when some ids are not as APIM writes them.
 */
interface ResourceIndex {
  apis: Map<string, ApiResource>;
  operations?: Map<string, Target>;
  operationIdsUnique: boolean;
}

const indexes = new WeakMap<ApimService, ResourceIndex>();

function resourceIndex(service: ApimService): ResourceIndex {
  let index = indexes.get(service);
  if (index) return index;
  const apis = new Map<string, ApiResource>();
  let byApi = true;
  for (const api of service.apis) {
    const ids = lowerCaseIds(api);
    if (!ids.wellFormed || apis.has(ids.api)) byApi = false;
    apis.set(ids.api, api);
  }
  index = { apis, operationIdsUnique: true };
  if (!byApi) {
    const operations = new Map<string, Target>();
    for (const api of service.apis) {
      for (const [id, operation] of lowerCaseIds(api).operations) {
        if (operations.has(id)) index.operationIdsUnique = false;
        operations.set(id, { api, operation });
      }
    }
    index.operations = operations;
  }
  indexes.set(service, index);
  return index;
}

/** The operation of id `lower` (lower-cased). */
function findOperation(index: ResourceIndex, lower: string): Target | undefined {
  if (index.operations) return index.operations.get(lower);
  const apiId = apiIdOf(lower);
  const api = apiId === undefined ? undefined : index.apis.get(apiId);
  const operation = api && lowerCaseIds(api).operations.get(lower);
  return operation && { api: api!, operation };
}

/**
 * Per API model (the editor's re-analysis keeps the models of the APIs an edit left alone): its id and
 * its operations by id, lower-cased; well formed when its id is an API's (`apis/x`, `workspaces/w/apis/x`)
 * and its operations' ids are below it, each once.
 */
const idsByApi = new WeakMap<ApiResource, { api: string; operations: Map<string, OperationResource>; wellFormed: boolean }>();

function lowerCaseIds(api: ApiResource) {
  let ids = idsByApi.get(api);
  if (!ids) {
    const id = api.id.toLowerCase();
    const operations = new Map(api.operations.map((operation) => [operation.id.toLowerCase(), operation]));
    const wellFormed = apiIdOf(id) === id && operations.size === api.operations.length && [...operations.keys()].every((operation) => operation.startsWith(`${id}/`));
    idsByApi.set(api, (ids = { api: id, operations, wellFormed }));
  }
  return ids;
}

/**
 * Whether a finding about `resource` weighs one operation of `api` alone, and no other operation of
 * the service has its id: its priority then stays the same while the API's analyses, the finding's
 * severity and the service's operation ids do (the editor's re-analysis keeps it with the API's results).
 */
export function weighsOneOperationOf(resource: string, service: ApimService, api: ApiResource): boolean {
  const index = resourceIndex(service);
  return index.operationIdsUnique && findOperation(index, resource.toLowerCase())?.api === api;
}

/** Whether no two operations of the service have one id (case aside): a finding's operation is then found by its id alone. */
export function operationIdsUnique(service: ApimService): boolean {
  return resourceIndex(service).operationIdsUnique;
}

/** The APIs a subscription scope opens: `/apis` (all), `/apis/{api}`, `/products/{product}`; ARM ids end the same way. */
function apisInScope(service: ApimService, scope: string, workspace: string | undefined): ApiResource[] {
  const inWorkspace = service.apis.filter((api) => api.workspace === workspace);
  const api = /\/apis\/([^/]+)\/?$/i.exec(scope)?.[1];
  if (api) return inWorkspace.filter((candidate) => candidate.name.toLowerCase() === api.toLowerCase());
  const product = /\/products\/([^/]+)\/?$/i.exec(scope)?.[1];
  if (product) return inWorkspace.filter((candidate) => candidate.productNames.some((name) => name.toLowerCase() === product.toLowerCase()));
  return inWorkspace;
}

/** Higher priority first; equal scores keep their order. */
export function byPriority(a: { priority?: Priority }, b: { priority?: Priority }): number {
  return (b.priority?.score ?? 0) - (a.priority?.score ?? 0);
}

const SIDE_TITLE: Record<PrioritySide, string> = { severity: 'Severity', exploitability: 'Exploitability', impact: 'Impact' };

/** A priority in words, one line per factor with its points, side by side: the CLI's `explain <id>` and the hover say it so. */
export function describePriority(priority: Pick<Priority, 'score' | 'factors' | 'operation' | 'notes'>): string[] {
  const lines = [`Priority ${priority.score}/100${priority.operation ? ` (operation ${priority.operation})` : ''}`];
  for (const side of ['severity', 'exploitability', 'impact'] as const) {
    const factors = priority.factors.filter((factor) => factor.side === side);
    if (factors.length === 0) continue;
    const total = factors.reduce((sum, factor) => sum + factor.weight, 0);
    lines.push(`  ${SIDE_TITLE[side]} ${total.toFixed(2)}:`);
    for (const factor of factors) lines.push(`    +${factor.contribution.toFixed(1).padStart(4)}  ${factor.label} (${factor.weight.toFixed(2)})`);
  }
  for (const note of priority.notes) lines.push(`  Not weighed: ${note}`);
  return lines;
}
