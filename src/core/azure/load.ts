// Reads what Azure has into a snapshot: per subscription the Defender for APIs plan, onboarding and
// the inventory of each API Management service, beside Defender's assessments of all subscriptions.
// A failure in one subscription or service is recorded in the snapshot and the rest goes on.
import { setMaxListeners } from 'events';
import type { TokenCredential } from '@azure/core-auth';
import { armEndpoint, collect, mapLimit, parseApimResourceId } from './arm';
import { createClients } from './clients';
import { backendTargets, loadBackendResources } from './backendResources';
import { addRemediation, listApiCollections, loadAssessments, loadAttackPaths, readDefenderPlan } from './defenderQueries';
import { loadService } from './inventory';
import { attempt, type LoadContext, type LoadOptions } from './loadContext';
import { subscriptionNames, type ReadableSubscription } from './resourceGraph';
import { checkSnapshot, emptySnapshot, type DeployedService, type DeployedSnapshot, type SnapshotSubscription } from './snapshot';

/**
 * The deployed state of the given subscriptions: ids, or subscriptions found by `discoverSubscriptions`
 * whose names are then not asked for again. Never throws for what one subscription or service
 * refuses (401, 403, 5xx after retries): that is recorded in the snapshot's `errors`. Throws only when
 * cancelled through `abortSignal`.
 */
export async function loadDeployedState(credential: TokenCredential, given: readonly (string | ReadableSubscription)[], options: LoadOptions = {}): Promise<DeployedSnapshot> {
  const clients = createClients(credential, options);
  // Every request in flight listens to the one signal: dozens at a time is expected, not a leak.
  if (options.abortSignal) setMaxListeners(Math.max(100, (options.concurrency ?? 16) * 8), options.abortSignal);
  const snapshot = emptySnapshot(armEndpoint(options), (options.now ?? new Date()).toISOString());
  const context: LoadContext = { clients, options, endpoint: armEndpoint(options), progress: (progress) => options.onProgress?.(progress) };
  const subscriptions = [...new Set(given.map((subscription) => (typeof subscription === 'string' ? subscription : subscription.id).trim()).filter(Boolean))];
  const discovered = given.filter((subscription): subscription is ReadableSubscription => typeof subscription !== 'string');
  const unnamed = subscriptions.filter((id) => !discovered.some((subscription) => subscription.id.toLowerCase() === id.toLowerCase()));

  // Defender's side is a few requests for all subscriptions; it runs beside the inventory.
  const [names, assessments, attackPaths, perSubscription] = await Promise.all([
    unnamed.length > 0 ? subscriptionNames(context, unnamed, snapshot.errors) : new Map<string, string>(),
    loadAssessments(context, subscriptions, snapshot.errors),
    loadAttackPaths(context, subscriptions, snapshot.errors),
    mapLimit(subscriptions, 4, (subscriptionId) => loadSubscription(context, subscriptionId)),
  ]);
  for (const { subscription, services } of perSubscription) {
    subscription.displayName = names.get(subscription.id.toLowerCase()) ?? discovered.find((known) => known.id.toLowerCase() === subscription.id.toLowerCase())?.name;
    snapshot.subscriptions.push(subscription);
    snapshot.services.push(...services);
  }
  // The resources behind the backends, once the services tell which hosts they call.
  const targets = backendTargets(snapshot.services);
  snapshot.backendHosts = targets.hosts;
  const backendResources = await loadBackendResources(context, subscriptions, targets, snapshot.errors);
  if (backendResources) snapshot.backendResources = backendResources;
  snapshot.assessments = assessments;
  // Absent when the query failed: the failure is in `errors`, and no list stands for "none".
  if (!snapshot.errors.some((error) => error.operation === 'attackPaths')) snapshot.attackPaths = attackPaths;
  if (options.includeHealthyAssessments) snapshot.healthyAssessments = true;
  if (assessments.length > 0) await addRemediation(context, subscriptions[0], assessments, snapshot.errors);
  return checkedAnswers(snapshot);
}

/** Azure's answers, as the snapshot holds them, checked against its schema: what it refuses is dropped and recorded. */
function checkedAnswers(snapshot: DeployedSnapshot): DeployedSnapshot {
  const { snapshot: checked, dropped } = checkSnapshot(snapshot);
  if (!checked) throw new Error(`Azure's answers do not make a valid snapshot: ${dropped[0]?.message}.`);
  for (const part of dropped) {
    checked.errors.push({ operation: 'validation', scope: part.path.join('.'), message: `Left out an answer of an unexpected shape: ${part.message}.` });
  }
  return checked;
}

async function loadSubscription(context: LoadContext, subscriptionId: string): Promise<{ subscription: SnapshotSubscription; services: DeployedService[] }> {
  const { clients, options } = context;
  const subscription: SnapshotSubscription = { id: subscriptionId, errors: [] };
  const scope = `/subscriptions/${subscriptionId}`;
  const abortSignal = options.abortSignal;
  context.progress({ phase: 'inventory', subscriptionId, message: `Reading API Management services in subscription ${subscriptionId}` });

  const [pricing, collections, serviceResources] = await Promise.all([
    attempt(context, subscription.errors, 'pricing', `${scope}/providers/Microsoft.Security/pricings/Api`, () => readDefenderPlan(clients.security(subscriptionId), abortSignal)),
    attempt(context, subscription.errors, 'apiCollections', `${scope}/providers/Microsoft.Security/apiCollections`, () => listApiCollections(context, subscriptionId)),
    attempt(context, subscription.errors, 'services', scope, () => collect(clients.apim(subscriptionId).apiManagementService.list({ abortSignal }))),
  ]);
  if (pricing?.pricingTier) subscription.defenderForApis = { pricingTier: pricing.pricingTier, subPlan: pricing.subPlan ?? undefined };

  const services: DeployedService[] = [];
  for (const resource of serviceResources ?? []) {
    const ref = resource.id ? parseApimResourceId(resource.id) : undefined;
    if (!ref) continue;
    context.progress({ phase: 'inventory', subscriptionId, message: `Reading ${ref.serviceName}` });
    const service = await loadService(context, ref, { location: resource.location, sku: resource.sku?.name, gatewayUrl: resource.gatewayUrl });
    service.apiCollections = (collections ?? []).filter((collection) => collection.serviceId.toLowerCase() === service.id.toLowerCase()).map((collection) => collection.collection);
    services.push(service);
  }
  return { subscription, services };
}
