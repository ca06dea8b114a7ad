// Policy scopes of an APIM service and how their policies are read. Reads go through the
// ApiManagementClient's own pipeline (auth, retries, throttling) but not through its generated
// `get` methods: in @azure/arm-apimanagement 10.0.0, `apiPolicy.get` is generated with `isXML: true`
// and drops `properties.value` from ARM's JSON answer, so one request shape serves every scope.
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { sendArm, type ServiceRef } from './arm';
import type { DeployedPolicy } from './snapshot';

export type PolicyScope = { kind: 'global' } | { kind: 'product'; product: string } | { kind: 'api'; api: string } | { kind: 'operation'; api: string; operation: string };

export interface PolicyScopeRef extends ServiceRef {
  scope: PolicyScope;
}

/** The scope's path below the service: `apis/orders/operations/get-order` (`global` for the service). */
export function scopePath(scope: PolicyScope): string[] {
  switch (scope.kind) {
    case 'global':
      return ['global'];
    case 'product':
      return ['products', scope.product];
    case 'api':
      return ['apis', scope.api];
    case 'operation':
      return ['apis', scope.api, 'operations', scope.operation];
  }
}

/** ARM URL of a scope's policy (`…/policies/policy`), names encoded (`catalog;rev=2`). */
export function policyUrl(endpoint: string, target: PolicyScopeRef, apiVersion: string): string {
  const service = `${endpoint}/subscriptions/${target.subscriptionId}/resourceGroups/${encodeURIComponent(target.resourceGroup)}/providers/Microsoft.ApiManagement/service/${encodeURIComponent(target.serviceName)}`;
  const below = target.scope.kind === 'global' ? [] : scopePath(target.scope);
  return [service, ...below.map(encodeURIComponent), 'policies', 'policy'].join('/') + `?format=rawxml&api-version=${apiVersion}`;
}

/** The deployed policy of a scope (`format=rawxml`) with its ETag, or undefined when the scope has none. */
export async function readPolicy(client: ApiManagementClient, endpoint: string, target: PolicyScopeRef, abortSignal?: AbortSignal): Promise<DeployedPolicy | undefined> {
  try {
    const response = await sendArm(client, policyUrl(endpoint, target, client.apiVersion), 'GET', abortSignal);
    const value = (response.body as { properties?: { value?: unknown } } | undefined)?.properties?.value;
    return typeof value === 'string' ? { value, etag: response.header('etag') } : undefined;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}
