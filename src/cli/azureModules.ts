// What `snapshot export` needs of Azure, in one module that main.ts requires only for that command:
// the Azure SDK clients cost a scan about 0.3 s of start-up.
export { armClientOptions } from '../core/azure/arm';
export { loadDeployedState } from '../core/azure/load';
export { discoverSubscriptions } from '../core/azure/resourceGraph';
