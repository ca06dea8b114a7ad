// What `snapshot export` needs of Azure, in one module that main.ts requires only for that command:
// the Azure SDK clients cost a scan about 0.3 s of start-up. The build bundles it apart, as
// dist/azureModules.js, so that a scan does not even read the SDK's 4 MB of code.
import type { TokenCredential } from '@azure/core-auth';
import { AzureCliCredential, DefaultAzureCredential } from '@azure/identity';

export { armClientOptions } from '../core/azure/arm';
export { loadDeployedState } from '../core/azure/load';
export { discoverSubscriptions } from '../core/azure/resourceGraph';

/** The Azure CLI's sign-in, or the usual chain (environment, managed identity, CLI, …). */
export function signIn(kind: 'default' | 'cli'): TokenCredential {
  return kind === 'cli' ? new AzureCliCredential() : new DefaultAzureCredential();
}
