// The SDK clients of a load or a push: one per subscription and kind, all on the same connection.
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { SecurityCenter } from '@azure/arm-security';
import type { TokenCredential } from '@azure/core-auth';
import { armClientOptions, type ArmConnection } from './arm';

/**
 * The stable Resource Graph API (azure-rest-api-specs: Microsoft.ResourceGraph/stable/2024-04-01):
 * @azure/arm-resourcegraph 5.0.0-beta.4 defaults to 2021-06-01-preview, and its `apiVersion` option
 * rewrites the query string of every request it sends.
 */
export const RESOURCE_GRAPH_API_VERSION = '2024-04-01';

export interface LoadClients {
  apim(subscriptionId: string): ApiManagementClient;
  security(subscriptionId: string): SecurityCenter;
  graph(): ResourceGraphClient;
}

/** One client per subscription and kind, all on the same connection. */
export function createClients(credential: TokenCredential, connection: ArmConnection): LoadClients {
  const options = armClientOptions(connection);
  const cache = new Map<string, ApiManagementClient | SecurityCenter | ResourceGraphClient>();
  const cached = <T extends ApiManagementClient | SecurityCenter | ResourceGraphClient>(key: string, make: () => T): T => {
    let client = cache.get(key) as T | undefined;
    if (!client) cache.set(key, (client = make()));
    return client;
  };
  return {
    apim: (subscriptionId) => cached(`apim:${subscriptionId}`, () => new ApiManagementClient(credential, subscriptionId, options)),
    security: (subscriptionId) => cached(`security:${subscriptionId}`, () => new SecurityCenter(credential, subscriptionId, options)),
    graph: () => cached('graph', () => new ResourceGraphClient(credential, { ...options, apiVersion: RESOURCE_GRAPH_API_VERSION })),
  };
}
