// Where a deployed resource (an ARM id, as Defender names it) is in the repository.
import type { ApiResource, ApimService, OperationResource, ResourceId } from '../model';
import { API_PROTOCOLS_KEY, encryptedProtocols } from '../rules/encryptedProtocols';
import { globalPolicyLocation } from '../rules/rule';
import type { SourceLocation } from '../text';
import { parseApimResourceId } from './arm';
import { routeKey, type ApiMapping } from './mapping';
import type { DeployedApi, DeployedService } from './snapshot';

/** Where a deployed resource is in the repository. */
interface Placement {
  resource: ResourceId;
  location: SourceLocation;
  mapping?: ApiMapping;
  note?: string;
  /**
   * The key the rule's own finding on `resource` has (`findingId`), when `resource` is the assessed
   * resource itself: Defender's finding then has the id the prediction has, whatever reports it.
   */
  findingKey?: string;
}

/** Finds the local counterpart of deployed resources (ARM ids, any case: Resource Graph lowercases them). */
export class Placer {
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

  /**
   * The relative resource as APIM names it, where the snapshot's inventory has it: Resource Graph
   * lowercases ids (`apis/customers/operations/listcustomers`), messages keep APIM's casing.
   */
  deployedRelative(resourceId: string): string | undefined {
    const relative = this.relative(resourceId);
    if (relative === undefined) return undefined;
    const parts = relative.split('/');
    const restore = (index: number, segment: string, items: readonly { name: string }[] | undefined) => {
      parts[index] = segment;
      const found = parts[index + 1] !== undefined ? items?.find((item) => item.name.toLowerCase() === parts[index + 1].toLowerCase()) : undefined;
      if (found) parts[index + 1] = found.name;
    };
    const kind = parts[0].toLowerCase();
    if (kind === 'apis') {
      const api = parts[1] !== undefined ? this.deployedApi(parts[1]) : undefined;
      restore(0, 'apis', api && [api]);
      if (parts[2]?.toLowerCase() === 'operations') restore(2, 'operations', api?.operations);
    }
    const collections: Record<string, [string, readonly { name: string }[]]> = {
      subscriptions: ['subscriptions', this.deployed.subscriptions],
      backends: ['backends', this.deployed.backends],
      namedvalues: ['namedValues', this.deployed.namedValues],
      products: ['products', this.deployed.products],
    };
    if (collections[kind]) restore(0, ...collections[kind]);
    return parts.join('/');
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
      return location && { resource: 'service', location, findingKey: '' };
    }
    if (kind === 'apis' && parts[1]) {
      const local = this.api(parts[1]);
      if (!local) return undefined;
      if (parts[2]?.toLowerCase() === 'operations' && parts[3]) {
        const operation = this.localOperation(parts[1], parts[3]);
        if (operation) return { resource: operation.id, location: operation.location, mapping: local.mapping, findingKey: '' };
        return { resource: local.api.id, location: local.api.declaration.locate([]), mapping: local.mapping, note: `Operation ${parts[3]} is deployed but not in the repository.` };
      }
      const property = ruleId === 'encrypted-protocols' ? ['protocols'] : ruleId === 'endpoint-authentication' ? ['subscriptionRequired'] : [];
      // encrypted-protocols keys its finding on the API's own protocols apart from those of its spec's servers.
      return { resource: local.api.id, location: local.api.declaration.locate(property), mapping: local.mapping, findingKey: ruleId === encryptedProtocols.meta.id ? API_PROTOCOLS_KEY : '' };
    }
    const declared =
      kind === 'subscriptions' ? byName(this.service.subscriptions) : kind === 'backends' ? byName(this.service.backends) : kind === 'namedvalues' ? byName(this.service.namedValues) : kind === 'products' ? byName(this.service.products) : undefined;
    if (!declared) return undefined;
    const property = kind === 'subscriptions' ? ['scope'] : kind === 'backends' && ruleId === 'backend-certificate-validation' ? ['tls'] : [];
    return { resource: declared.id, location: declared.declaration.locate(property), findingKey: '' };
  }
}
