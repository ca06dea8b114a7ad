// After an explicit write to Azure succeeded, the snapshot in hand says what Azure now has, so that
// drift and findings follow at once instead of waiting for the next full load.
import type { ServiceRef } from './arm';
import { scopePath, type PolicyScopeRef } from './policies';
import type { DeployedApiCollection, DeployedPolicy, DeployedService, DeployedSnapshot } from './snapshot';

function serviceOf(snapshot: DeployedSnapshot, target: ServiceRef): DeployedService | undefined {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  return snapshot.services.find((service) => same(service.subscriptionId, target.subscriptionId) && same(service.resourceGroup, target.resourceGroup) && same(service.name, target.serviceName));
}

/** Records the policy now deployed at a scope (give it `pushedAt`); false when the snapshot does not hold that scope. */
export function recordPolicy(snapshot: DeployedSnapshot, target: PolicyScopeRef, policy: DeployedPolicy): boolean {
  const service = serviceOf(snapshot, target);
  if (!service) return false;
  const scope = target.scope;
  const named = <T extends { name: string }>(list: T[], name: string) => list.find((item) => item.name.toLowerCase() === name.toLowerCase());
  const holder =
    scope.kind === 'global'
      ? service
      : scope.kind === 'product'
        ? named(service.products, scope.product)
        : scope.kind === 'api'
          ? named(service.apis, scope.api)
          : named(named(service.apis, scope.api)?.operations ?? [], scope.operation);
  if (!holder) return false;
  holder.policy = policy;
  return true;
}

/** Records the properties an API now has in Azure, pushed at `pushedAt` (ISO time). */
export function recordApiProperties(snapshot: DeployedSnapshot, target: ServiceRef & { api: string }, properties: { protocols?: string[]; subscriptionRequired?: boolean }, pushedAt: string): boolean {
  const api = serviceOf(snapshot, target)?.apis.find((candidate) => candidate.name.toLowerCase() === target.api.toLowerCase());
  if (!api) return false;
  if (properties.protocols) api.protocols = properties.protocols;
  if (properties.subscriptionRequired !== undefined) api.subscriptionRequired = properties.subscriptionRequired;
  api.pushedAt = pushedAt;
  return true;
}

/** Records an API onboarded to Defender for APIs. */
export function recordApiCollection(snapshot: DeployedSnapshot, target: ServiceRef, collection: DeployedApiCollection): boolean {
  const service = serviceOf(snapshot, target);
  if (!service) return false;
  service.apiCollections = [...service.apiCollections.filter((existing) => existing.apiName.toLowerCase() !== collection.apiName.toLowerCase()), collection];
  return true;
}

/** Records the Defender for APIs plan of a subscription. */
export function recordDefenderPlan(snapshot: DeployedSnapshot, subscriptionId: string, plan: { pricingTier: string; subPlan?: string }): boolean {
  const subscription = snapshot.subscriptions.find((candidate) => candidate.id.toLowerCase() === subscriptionId.toLowerCase());
  if (!subscription) return false;
  subscription.defenderForApis = plan;
  return true;
}

/** A readable name of a policy scope: `global`, `products/starter`, `apis/orders/operations/get-order`. */
export function scopeLabel(target: PolicyScopeRef): string {
  return `${target.serviceName}/${scopePath(target.scope).join('/')}`;
}
