// Measures each goal on a finished scan: the same analyses the rules used (authentication, sensitive
// data, risk), the findings after settings and suppressions, and what the snapshot of Azure said.
// A goal that cannot be measured says why ("not evaluated"), and is never met.
import type { OperationAuth } from '../analysis/authentication';
import { typeNames, type OperationExposure } from '../analysis/dataExposure';
import { highestSensitivity } from '../analysis/sensitiveData';
import { excludeMatcher, suppressionExpired, type SuppressionEntry } from '../config';
import type { Finding } from '../findings';
import type { ApiResource, ApimService, OperationResource } from '../model';
import { authenticationSummary } from '../report/analysisReport';
import { relativePath, serviceLabel } from '../report/common';
import type { ScanResult } from '../report/scanResult';
import { onboardingOf } from '../rules/apiOnboarding';
import { apiRisk, type Priority } from '../priority/priority';
import { assessedOperations } from '../rules/endpointAuthentication';
import { allApisSubscriptions } from '../rules/subscriptionScope';
import type { SourceLocation } from '../text';
import { baselineGoals } from './baseline';
import type { ApiGoalPart, FindingHistory, Goal, GoalResult, GoalSelection, GoalViolation, KeptGoalParts, Requirement } from './goal';
import { SHARE_METRICS } from './parse';

/** What a goal is measured on: the scan without its goals, and the suppressions it applied. */
export type GoalScan = Pick<ScanResult, 'root' | 'services' | 'findings' | 'rules' | 'analyses' | 'deployed'>;

/**
 * The scan with its goals measured: those of `.apim-posture.json` (`undefined` when it has no
 * `"goals"`, or there is no file: then the built-in baseline's).
 */
export function withGoals(result: ScanResult, goals: readonly Goal[] | undefined, suppressions: readonly SuppressionEntry[], now: Date, history?: FindingHistory, kept?: KeptGoalParts): ScanResult {
  result.goalsSource = goals ? 'repository' : 'baseline';
  result.goals = evaluateGoals(goals ?? baselineGoals((result.deployed ?? []).length > 0), result, suppressions, now, history, kept);
  return result;
}

export function evaluateGoals(goals: readonly Goal[], scan: GoalScan, suppressions: readonly SuppressionEntry[], now: Date, history?: FindingHistory, kept?: KeptGoalParts): GoalResult[] {
  return goals.map((goal) => {
    const measured = goal.invalid !== undefined ? notEvaluated(`the goal is written wrongly: ${goal.invalid}`) : measure(goal, scan, suppressions, now, history, kept);
    const unit = goal.metric === 'api-risk' ? 'score' : goal.metric === 'finding-age-days' ? 'days' : SHARE_METRICS.has(goal.metric) ? 'share' : 'count';
    const met = measured.reason === undefined && measured.value !== undefined && withinTarget(measured.value, goal);
    return {
      id: goal.id,
      title: goal.title,
      metric: goal.metric,
      status: measured.reason !== undefined ? 'not-evaluated' : met ? 'met' : 'not-met',
      met,
      value: measured.reason === undefined ? measured.value : undefined,
      target: goal.target,
      unit,
      blocking: goal.blocking,
      reason: measured.reason,
      notes: measured.notes,
      violations: measured.violations,
      location: goal.location,
    };
  });
}

interface Measured {
  value?: number;
  reason?: string;
  notes: string[];
  violations: GoalViolation[];
}

const notEvaluated = (reason: string, notes: string[] = []): Measured => ({ reason, notes, violations: [] });

/** Shares are compared with a little slack, so that 2 of 3 meets a target of 0.6667. */
function withinTarget(value: number, goal: Goal): boolean {
  const slack = SHARE_METRICS.has(goal.metric) ? 1e-9 : 0;
  return (goal.target.min === undefined || value >= goal.target.min - slack) && (goal.target.max === undefined || value <= goal.target.max + slack);
}

/** One selected API of one root, with its selected operations. */
interface Selected {
  service: ApimService;
  label?: string;
  api: ApiResource;
  operations: OperationResource[];
}

function measure(goal: Goal, scan: GoalScan, suppressions: readonly SuppressionEntry[], now: Date, history: FindingHistory | undefined, kept: KeptGoalParts | undefined): Measured {
  // APIs the rest of the selection picks whose layout has no tags (specs alone): whether they have the tag is not known.
  const untagged = goal.select?.tag ? selectApis(scan, { ...goal.select, tag: undefined }).map((item) => item.api) : [];
  const notKnown = untagged.filter((api) => api.tags === undefined);
  if (notKnown.length > 0 && notKnown.length === untagged.length) {
    return notEvaluated(`API tags come from APIOps, Bicep, Terraform or ARM files; ${tagless(notKnown)}, so a selection by "tag" cannot be measured: select by "api", "product" or "workspace" instead.`);
  }
  const measured = measureSelected(goal, scan, suppressions, now, history, kept);
  if (notKnown.length > 0) measured.notes.unshift(`Left out of the selection by tag: ${tagless(notKnown)}.`);
  return measured;
}

function tagless(apis: ApiResource[]): string {
  const names = apis.slice(0, 5).map((api) => api.name).join(', ') + (apis.length > 5 ? ` and ${apis.length - 5} more` : '');
  return `${apis.length === 1 ? 'API' : `${apis.length} APIs`} (${names}) ${apis.length === 1 ? 'is' : 'are'} read from a spec alone, which carries no APIM tags`;
}

function measureSelected(goal: Goal, scan: GoalScan, suppressions: readonly SuppressionEntry[], now: Date, history: FindingHistory | undefined, kept: KeptGoalParts | undefined): Measured {
  switch (goal.metric) {
    case 'authenticated-operations': {
      const parts = apiParts(scan, goal, kept, (item) => ({
        operations: item.operations.length,
        violations: item.operations.flatMap((operation) => {
          const auth = scan.analyses.auth(item.api, operation);
          return auth.state === 'authenticated' ? [] : [violation(item, operation.id, `${operationName(item.api, operation)}: ${authenticationSummary(auth)}.`, operation.location)];
        }),
      }));
      const operations = parts.reduce((sum, part) => sum + part.operations, 0);
      if (operations === 0) return notEvaluated('there is no operation to measure in the selection.');
      const violations = parts.flatMap((part) => part.violations);
      return { value: (operations - violations.length) / operations, notes: [], violations };
    }
    case 'onboarded-apis':
      return onboarded(scan, goal.select);
    case 'defender-plan':
      return defenderPlan(scan, goal.select);
    case 'api-risk':
      return risk(scan, goal);
    case 'findings':
      return findingBudget(scan, goal);
    case 'suppressions':
    case 'suppressions-without-expiry':
      return suppressionBudget(goal, suppressions, now);
    case 'finding-age-days':
      return findingAges(scan, goal, now, history);
    case 'requirements':
      return requirements(scan, goal, kept);
  }
}

/** The share of items that pass; the failing ones are the violations. */
function share<T>(items: T[], passes: (item: T) => boolean, toViolation: (item: T) => GoalViolation, noun: string, notes: string[] = []): Measured {
  if (items.length === 0) return notEvaluated(`there is no ${noun} to measure in the selection.`, notes);
  const failing = items.filter((item) => !passes(item));
  return { value: (items.length - failing.length) / items.length, notes, violations: failing.map(toViolation) };
}

function selectApis(scan: GoalScan, selection: GoalSelection | undefined): Selected[] {
  const matches = (patterns: string[] | undefined, ...names: (string | undefined)[]) => {
    if (!patterns) return true;
    const matcher = excludeMatcher(patterns);
    return names.some((name) => name !== undefined && matcher(name));
  };
  const operationCriteria = selection?.sensitivity !== undefined || selection?.informationType !== undefined || selection?.keyless !== undefined;
  const informationTypes = new Set(selection?.informationType?.map((name) => name.toLowerCase()));
  const selected: Selected[] = [];
  for (const service of scan.services) {
    const label = serviceLabel(scan.root, scan.services, service);
    if (!matches(selection?.service, relativePath(scan.root, service.root) || '.')) continue;
    for (const api of service.apis) {
      if (!matches(selection?.api, api.name)) continue;
      if (selection?.product && !api.productNames.some((product) => matches(selection.product, product))) continue;
      if (selection?.workspace && !matches(selection.workspace, api.workspace)) continue;
      if (selection?.tag && !(api.tags ?? []).some((tag) => matches(selection.tag, tag.name, tag.displayName))) continue;
      if (selection?.source && !selection.source.includes(api.source)) continue;
      const operations = assessedOperations(api).filter((operation) => {
        if (!operationCriteria) return true;
        if (selection?.keyless !== undefined && scan.analyses.auth(api, operation).keyless !== selection.keyless) return false;
        const exposure = scan.analyses.exposure(api, operation);
        const classifications = [...exposure.inUrl, ...exposure.inBodies].flatMap((entry) => entry.classifications);
        if (selection?.sensitivity === 'high' && highestSensitivity(classifications) !== 'high') return false;
        if (selection?.sensitivity === 'medium' && classifications.length === 0) return false;
        if (informationTypes.size > 0 && !classifications.some((entry) => informationTypes.has(entry.type.id.toLowerCase()) || informationTypes.has(entry.type.displayName.toLowerCase()))) return false;
        return true;
      });
      if (operations.length > 0 || !operationCriteria) selected.push({ service, label, api, operations });
    }
  }
  return selected;
}

/**
 * Each selected API's part of a goal measured operation by operation: the part kept with the API's
 * results when there is one (they are reused while the API's files and all that APIs share read the
 * same, and the part follows from them and the goal), else measured now, and kept.
 */
function apiParts(scan: GoalScan, goal: Goal, kept: KeptGoalParts | undefined, measureApi: (item: Selected) => ApiGoalPart): ApiGoalPart[] {
  const key = JSON.stringify([goal.metric, goal.select, goal.require]);
  return selectApis(scan, goal.select).map((item) => {
    const parts = kept?.(item.service, item.api);
    let part = parts?.get(key);
    if (!part) {
      part = measureApi(item);
      parts?.set(key, part);
    }
    return part;
  });
}

function violation(item: Pick<Selected, 'label'>, resource: string, message: string, location: SourceLocation): GoalViolation {
  return { resource, service: item.label, message, location };
}

function operationName(api: ApiResource, operation: OperationResource): string {
  if (operation.id === api.id) return `API ${api.name} (no operations listed)`;
  const call = operation.method && operation.urlTemplate ? `${operation.method.toUpperCase()} ${operation.urlTemplate} (${operation.name})` : operation.name;
  return `Operation ${call} of API ${api.name}`;
}

const apiLocation = (api: ApiResource) => api.declaration.locate(['displayName']);

function onboarded(scan: GoalScan, selection: GoalSelection | undefined): Measured {
  const selected = selectApis(scan, selection);
  const notes: string[] = [];
  const items: { item: Selected; onboarded: boolean }[] = [];
  let known = false;
  for (const service of new Set(selected.map((item) => item.service))) {
    const onboarding = onboardingOf(service);
    const label = serviceLabel(scan.root, scan.services, service);
    if (!onboarding) {
      if (scan.services.length > 1) notes.push(`${label}: whether its APIs are onboarded is not known (no snapshot of Azure compared with it, or Defender's API collections could not be read); not counted.`);
      continue;
    }
    known = true;
    for (const entry of onboarding) {
      const item = selected.find((candidate) => candidate.api === entry.api);
      if (item) items.push({ item, onboarded: entry.onboarded });
    }
  }
  if (!known) return notEvaluated('whether APIs are onboarded to Defender for APIs comes from Azure: it needs a snapshot of Azure (apim-posture snapshot export) in which Defender\'s API collections were read.', notes);
  return share(items, (entry) => entry.onboarded, ({ item }) => violation(item, item.api.id, `API ${item.api.name} is deployed but not onboarded to Defender for APIs.`, apiLocation(item.api)), 'deployed REST API', notes);
}

function defenderPlan(scan: GoalScan, selection: GoalSelection | undefined): Measured {
  const roots = selection?.service ? excludeMatcher(selection.service) : () => true;
  const notes: string[] = [];
  const subscriptions = new Map<string, { on: boolean; label?: string; location: SourceLocation }>();
  for (const comparison of scan.deployed ?? []) {
    if (!roots(relativePath(scan.root, comparison.local.root) || '.') || !comparison.service) continue;
    const id = comparison.service.subscriptionId.toLowerCase();
    const list = comparison.snapshot.snapshot.subscriptions;
    const index = list.findIndex((subscription) => subscription.id.toLowerCase() === id);
    const tier = list[index]?.defenderForApis?.pricingTier;
    if (!tier) {
      notes.push(`The Defender for APIs plan of subscription ${comparison.service.subscriptionId} could not be read; not counted.`);
      continue;
    }
    const span = (index >= 0 && comparison.snapshot.document.valueSpan(['subscriptions', index])) || { start: 0, end: 0 };
    subscriptions.set(id, { on: tier === 'Standard', label: serviceLabel(scan.root, scan.services, comparison.local), location: { file: comparison.snapshot.file, span } });
  }
  if (!scan.deployed || scan.deployed.length === 0) return notEvaluated('whether the Defender for APIs plan is on comes from Azure: it needs a snapshot of Azure (apim-posture snapshot export) compared with the repository.');
  return share([...subscriptions], ([, entry]) => entry.on, ([id, entry]) => violation(entry, `subscriptions/${id}`, `The Defender for APIs plan is off in subscription ${id}.`, entry.location), 'subscription whose plan was read', notes);
}

function risk(scan: GoalScan, goal: Goal): Measured {
  const apis = selectApis(scan, goal.select);
  if (apis.length === 0) return notEvaluated('there is no API to measure in the selection.');
  // The inventory's per-API risk (the contract's `risk` of each API), computed by the same function.
  const scored = apis.map((item) => ({ item, risk: apiRisk(scan.analyses, item.api) }));
  const value = Math.max(...scored.map((entry) => entry.risk.score));
  const over = scored.filter(({ risk }) => (goal.target.max !== undefined && risk.score > goal.target.max) || (goal.target.min !== undefined && risk.score < goal.target.min));
  const why = (risk: Priority) => [...risk.factors].sort((a, b) => b.contribution - a.contribution).map((factor) => factor.label).join('; ');
  return { value, notes: [], violations: over.map(({ item, risk }) => violation(item, item.api.id, `API ${item.api.name} has risk ${risk.score}/100: ${why(risk)}.`, apiLocation(item.api))) };
}

function findingBudget(scan: GoalScan, goal: Goal): Measured {
  const counted = goalFindings(scan, goal);
  if ('reason' in counted) return notEvaluated(counted.reason);
  return {
    value: counted.length,
    notes: [],
    violations: counted.map((finding) => ({ resource: finding.resource, service: finding.service, message: `[${finding.ruleId}] ${finding.message}`, location: finding.location })),
  };
}

/** The unsuppressed findings a `findings` or `finding-age-days` goal is about, or why there are none to measure. */
function goalFindings(scan: GoalScan, goal: Goal): Finding[] | { reason: string } {
  if (goal.rule !== undefined && !scan.rules.some((rule) => rule.id === goal.rule)) {
    return { reason: `rule ${goal.rule} did not run in this scan: it is off in "rules", needs a snapshot of Azure, or no rule has that id (apim-posture rules lists them).` };
  }
  const inSelection = findingSelector(scan, goal.select);
  const matching = scan.findings.filter((finding) => !finding.suppression && (goal.rule === undefined || finding.ruleId === goal.rule) && (goal.severity === undefined || finding.severity === goal.severity) && inSelection(finding));
  // Defender's finding on a resource the files already show the same problem on is the same problem: counted once.
  const predicted = new Set(matching.filter((finding) => finding.origin === 'predicted').map(problemKey));
  return matching.filter((finding) => finding.origin === 'predicted' || !predicted.has(problemKey(finding)));
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The oldest age, in whole days, of the selected findings: since the first commit holding a finding of
 * the same id (the history walk), or since Defender marked its resource unhealthy, whichever is earlier.
 */
function findingAges(scan: GoalScan, goal: Goal, now: Date, history: FindingHistory | undefined): Measured {
  const counted = goalFindings(scan, goal);
  if ('reason' in counted) return notEvaluated(counted.reason);
  const aged = counted.map((finding) => ({ finding, ...findingSince(finding, history, now) }));
  const unknown = aged.filter((entry) => entry.since === undefined);
  if (unknown.length > 0) {
    return notEvaluated(
      `when ${unknown.length === 1 ? 'a finding' : `${unknown.length} findings`} first appeared is not known: ${history ? 'not found in the walked history' : 'the git history is not read here (apim-posture scan and goals walk it)'} and Defender gives no date for ${unknown.length === 1 ? 'it' : 'them'}. The goal is reported, not assumed met.`,
      history?.notes,
    );
  }
  const days = aged.map((entry) => ({ ...entry, days: Math.max(0, Math.floor((now.getTime() - entry.since!.getTime()) / DAY_MS)) }));
  const over = days.filter((entry) => (goal.target.max !== undefined && entry.days > goal.target.max) || (goal.target.min !== undefined && entry.days < goal.target.min));
  return {
    value: Math.max(0, ...days.map((entry) => entry.days)),
    notes: history?.notes ?? [],
    violations: over.map(({ finding, days, why }) => ({
      resource: finding.resource,
      service: finding.service,
      message: `[${finding.ruleId}] ${finding.message} Open ${days} day${days === 1 ? '' : 's'}: ${why}.`,
      location: finding.location,
    })),
  };
}

/** The earliest date a finding is known to exist from, and what says so. */
function findingSince(finding: Finding, history: FindingHistory | undefined, now: Date): { since?: Date; why?: string } {
  const known: { since: Date; why: string }[] = [];
  const first = history?.firstSeen.get(finding.id);
  if (first) known.push({ since: new Date(first.date), why: `first in commit ${first.commit.slice(0, 12)} of ${first.date.slice(0, 10)}` });
  else if (history && finding.origin === 'predicted') known.push({ since: now, why: 'not committed yet' });
  const defenderDate = finding.defender?.statusChangeDate ?? finding.defender?.firstEvaluationDate;
  if (defenderDate && !Number.isNaN(Date.parse(defenderDate))) known.push({ since: new Date(defenderDate), why: `unhealthy in Defender for APIs since ${defenderDate.slice(0, 10)}` });
  const earliest = known.sort((a, b) => a.since.getTime() - b.since.getTime())[0];
  return earliest ?? {};
}

const problemKey = (finding: Finding) => `${finding.service ?? ''}|${finding.ruleId}|${finding.resource.toLowerCase()}`;

/** Whether a finding is about the selected APIs or operations (all findings when nothing is selected). */
function findingSelector(scan: GoalScan, selection: GoalSelection | undefined): (finding: Finding) => boolean {
  if (!selection) return () => true;
  if (Object.keys(selection).every((key) => key === 'service')) {
    // Every finding of the selected roots, about an API or not.
    const inRoot = excludeMatcher(selection.service ?? []);
    const labels = new Set(scan.services.filter((service) => inRoot(relativePath(scan.root, service.root) || '.')).map((service) => serviceLabel(scan.root, scan.services, service)));
    return (finding) => labels.has(finding.service);
  }
  const selected = selectApis(scan, selection);
  const operationLevel = selection.sensitivity !== undefined || selection.informationType !== undefined || selection.keyless !== undefined;
  const prefixes = selected.flatMap((item) => (operationLevel ? [...item.operations.map((operation) => operation.id), item.api.id] : [item.api.id]).map((id) => ({ label: item.label, id: id.toLowerCase() })));
  return (finding) => {
    const resource = finding.resource.toLowerCase();
    return prefixes.some(({ label, id }) => label === finding.service && (resource === id || resource.startsWith(id + '/')));
  };
}

function suppressionBudget(goal: Goal, suppressions: readonly SuppressionEntry[], now: Date): Measured {
  const roots = goal.select?.service && excludeMatcher(goal.select.service);
  const counted = suppressions.filter(
    (entry) => (!entry.expires || !suppressionExpired(entry.expires, now)) && (goal.metric === 'suppressions' || !entry.expires) && (!roots || entry.service === undefined || roots(entry.service)),
  );
  return {
    value: counted.length,
    notes: [],
    violations: counted.map((entry) => ({
      resource: entry.resource,
      service: entry.service,
      message: `${entry.rule} on ${entry.resource} is suppressed${entry.expires ? ` until ${entry.expires}` : ' with no expiry'}: ${entry.reason}`,
      location: entry.location,
    })),
  };
}

/** What each requirement says of one selected operation: undefined when it holds, else why not (and where). */
type Check = (item: Selected, operation: OperationResource, auth: OperationAuth, exposure: OperationExposure) => { message: string; location?: SourceLocation } | undefined;

const TOKEN_POLICIES = 'validate-jwt, validate-azure-ad-token or validate-client-certificate';

/** Requirements about an API as a whole are checked once per API (on its first selected operation). */
const API_LEVEL: ReadonlySet<Requirement> = new Set(['https-only', 'not-in-open-product', 'no-all-apis-subscription']);

const CHECKS: Record<Requirement, Check> = {
  'token-authentication': (item, operation, auth) =>
    auth.policies.some((use) => !use.conditional)
      ? undefined
      : { message: `${operationName(item.api, operation)} is not authenticated by a token or certificate on every call (${authenticationSummary(auth)}); require ${TOKEN_POLICIES} outside any <choose>.` },
  'https-only': (item) => {
    const protocols = item.api.protocols;
    if (!protocols) return { message: `API ${item.api.name}: its files do not declare its protocols, so https only is not shown.` };
    const clear = protocols.value.filter((protocol) => !/^(https|wss)$/i.test(protocol));
    return clear.length > 0 ? { message: `API ${item.api.name} accepts ${clear.join(' and ')} (protocols: ${protocols.value.join(', ')}).`, location: protocols.location } : undefined;
  },
  'no-sensitive-data-in-url': (item, operation, _auth, exposure) => {
    const [first] = exposure.inUrl;
    if (!first) return undefined;
    const names = exposure.inUrl.map((entry) => `${entry.parameter.in} ${entry.parameter.name} (${typeNames(entry.classifications).join(', ')})`);
    return { message: `${operationName(item.api, operation)} carries sensitive data in its URL: ${names.join('; ')}.`, location: first.parameter.location };
  },
  'not-in-open-product': (item, _operation, auth) =>
    auth.openProduct
      ? { message: `API ${item.api.name} is in product ${auth.openProduct.name}, which requires no subscription.`, location: auth.openProduct.declaration.locate(['subscriptionRequired']) }
      : undefined,
  'request-validated': (item, operation, auth) => {
    const validated = auth.effective.sections.inbound.statements.some((statement) => statement.element.name === 'validate-content');
    if (validated) return undefined;
    const spec = operation.specOperation;
    const takesBody = spec ? spec.bodies.some((body) => body.direction === 'request') : /^(post|put|patch)$/i.test(operation.method ?? '');
    return takesBody ? { message: `${operationName(item.api, operation)} takes a request body${spec ? '' : ' (no spec describes it)'} that no validate-content checks.` } : undefined;
  },
  'no-all-apis-subscription': (item) => {
    const subscription = allApisSubscriptions(item.service).find((candidate) => candidate.workspace === item.api.workspace);
    return subscription
      ? { message: `API ${item.api.name} is reachable with subscription ${subscription.displayName ?? subscription.name}, scoped to all APIs.`, location: subscription.scope?.location }
      : undefined;
  },
};

function requirements(scan: GoalScan, goal: Goal, kept: KeptGoalParts | undefined): Measured {
  const violations = apiParts(scan, goal, kept, (item) => ({ operations: item.operations.length, violations: requirementViolations(scan, goal, item) })).flatMap((part) => part.violations);
  return { value: violations.length, notes: [], violations };
}

/** What one selected API violates of a goal's requirements, requirement by requirement. */
function requirementViolations(scan: GoalScan, goal: Goal, item: Selected): GoalViolation[] {
  const violations: GoalViolation[] = [];
  for (const requirement of goal.require ?? []) {
    const operations = API_LEVEL.has(requirement) ? item.operations.slice(0, 1) : item.operations;
    for (const operation of operations) {
      const failed = CHECKS[requirement](item, operation, scan.analyses.auth(item.api, operation), scan.analyses.exposure(item.api, operation));
      if (!failed) continue;
      const apiLevel = API_LEVEL.has(requirement);
      violations.push(violation(item, apiLevel ? item.api.id : operation.id, `${requirement}: ${failed.message}`, failed.location ?? (apiLevel ? apiLocation(item.api) : operation.location)));
    }
  }
  return violations;
}
