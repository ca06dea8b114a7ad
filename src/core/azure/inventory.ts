// The inventory of one API Management service through ApiManagementClient: its APIs (every revision),
// operations, products, subscriptions, backends, named values, fragments and the policy of each scope.
import type { ApiContract } from '@azure/arm-apimanagement';
import { collect, mapLimit } from './arm';
import { attempt, type LoadContext } from './loadContext';
import { readPolicy, type PolicyScope } from './policies';
import type { DeployedApi, DeployedService } from './snapshot';

export async function loadService(
  context: LoadContext,
  ref: { subscriptionId: string; resourceGroup: string; serviceName: string; serviceId: string },
  extra: { location?: string; sku?: string; gatewayUrl?: string },
): Promise<DeployedService> {
  const client = context.clients.apim(ref.subscriptionId);
  const { resourceGroup: rg, serviceName: name } = ref;
  const abortSignal = context.options.abortSignal;
  const concurrency = context.options.concurrency ?? 16;
  const service: DeployedService = {
    id: ref.serviceId,
    subscriptionId: ref.subscriptionId,
    resourceGroup: rg,
    name,
    ...extra,
    apis: [],
    products: [],
    subscriptions: [],
    backends: [],
    namedValues: [],
    fragments: [],
    apiCollections: [],
    errors: [],
  };
  const read = <T>(operation: string, scope: string, run: () => Promise<T>) => attempt(context, service.errors, operation, `${ref.serviceId}/${scope}`, run);
  const policy = (scope: PolicyScope) => readPolicy(client, context.endpoint, { ...ref, scope }, abortSignal);

  const [globalPolicy, apis, products, subscriptions, backends, namedValues, fragments] = await Promise.all([
    read('policy', 'policies/policy', () => policy({ kind: 'global' })),
    read('apis', 'apis', () => collect(client.api.listByService(rg, name, { abortSignal }))),
    read('products', 'products', () => collect(client.product.listByService(rg, name, { abortSignal }))),
    read('subscriptions', 'subscriptions', () => collect(client.subscription.list(rg, name, { abortSignal }))),
    read('backends', 'backends', () => collect(client.backend.listByService(rg, name, { abortSignal }))),
    read('namedValues', 'namedValues', () => collect(client.namedValue.listByService(rg, name, { abortSignal }))),
    read('policyFragments', 'policyFragments', () => collect(client.policyFragment.listByService(rg, name, { abortSignal }))),
  ]);
  service.policy = globalPolicy;

  // APIM lists every revision as an API of its own (`orders;rev=2`, isCurrent false): no per-API revision calls.
  service.apis = (apis ?? []).map(deployedApi);
  await mapLimit(service.apis, concurrency, async (api) => {
    const [operations, apiPolicy] = await Promise.all([
      read('operations', `apis/${api.name}/operations`, () => collect(client.apiOperation.listByApi(rg, name, api.name, { abortSignal }))),
      read('policy', `apis/${api.name}/policies/policy`, () => policy({ kind: 'api', api: api.name })),
    ]);
    api.policy = apiPolicy;
    api.operations = (operations ?? []).map((operation) => ({ name: operation.name!, displayName: operation.displayName, method: operation.method, urlTemplate: operation.urlTemplate }));
  });
  const operations = service.apis.flatMap((api) => api.operations.map((operation) => ({ api, operation })));
  await mapLimit(operations, concurrency, async ({ api, operation }) => {
    operation.policy = await read('policy', `apis/${api.name}/operations/${operation.name}/policies/policy`, () => policy({ kind: 'operation', api: api.name, operation: operation.name }));
  });

  service.products = await mapLimit(products ?? [], concurrency, async (product) => {
    const [productApis, productPolicy] = await Promise.all([
      read('productApis', `products/${product.name}/apis`, () => collect(client.productApi.listByProduct(rg, name, product.name!, { abortSignal }))),
      read('policy', `products/${product.name}/policies/policy`, () => policy({ kind: 'product', product: product.name! })),
    ]);
    return {
      name: product.name!,
      displayName: product.displayName,
      subscriptionRequired: product.subscriptionRequired,
      state: product.state,
      apis: (productApis ?? []).map((api) => api.name!),
      policy: productPolicy,
    };
  });
  // Keys are never copied: only scope and state matter to the posture.
  service.subscriptions = (subscriptions ?? []).map((subscription) => ({ name: subscription.name!, displayName: subscription.displayName, scope: subscription.scope, state: subscription.state }));
  // Credentials are never copied: only which kinds are configured.
  service.backends = (backends ?? []).map((backend) => ({
    name: backend.name!,
    url: backend.url,
    protocol: backend.protocol,
    validateCertificateChain: backend.tls?.validateCertificateChain,
    validateCertificateName: backend.tls?.validateCertificateName,
    credentialKinds: Object.entries(backend.credentials ?? {})
      .filter(([, value]) => value !== undefined && value !== null && (!Array.isArray(value) || value.length > 0) && (typeof value !== 'object' || Object.keys(value).length > 0))
      .map(([kind]) => kind)
      .sort(),
  }));
  service.namedValues = (namedValues ?? []).map((namedValue) => ({
    name: namedValue.name!,
    displayName: namedValue.displayName,
    secret: namedValue.secret === true,
    keyVaultSecretIdentifier: namedValue.keyVault?.secretIdentifier,
    // A secret's value is never kept, whether or not ARM returned it.
    value: namedValue.secret === true || namedValue.keyVault?.secretIdentifier ? undefined : namedValue.value,
  }));
  service.fragments = await mapLimit(fragments ?? [], concurrency, async (fragment) => ({
    name: fragment.name!,
    description: fragment.description,
    policy: await read('policyFragment', `policyFragments/${fragment.name}`, async () => {
      const response = await client.policyFragment.get(rg, name, fragment.name!, { format: 'rawxml', abortSignal });
      return response.value !== undefined ? { value: response.value, etag: response.eTag } : undefined;
    }),
  }));
  return service;
}

function deployedApi(api: ApiContract): DeployedApi {
  return {
    name: api.name!,
    displayName: api.displayName,
    path: api.path,
    apiType: api.apiType,
    protocols: api.protocols,
    serviceUrl: api.serviceUrl,
    subscriptionRequired: api.subscriptionRequired,
    apiRevision: api.apiRevision,
    isCurrent: api.isCurrent,
    apiVersion: api.apiVersion,
    apiVersionSetId: api.apiVersionSetId,
    operations: [],
  };
}
