// Reads what Azure has into a snapshot: the APIM inventory through ApiManagementClient, Defender's
// assessments for all subscriptions at once through Resource Graph, their remediation text through
// assessmentsMetadata, the Defender for APIs plan through pricings, and onboarding through the
// apiCollections REST API (absent from @azure/arm-security, so sent through the client's own pipeline).
// A failure in one subscription or service is recorded in the snapshot and the rest goes on.
import { setMaxListeners } from 'events';
import { ApiManagementClient, type ApiContract } from '@azure/arm-apimanagement';
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { SecurityCenter } from '@azure/arm-security';
import type { TokenCredential } from '@azure/core-auth';
import { createPipelineRequest } from '@azure/core-rest-pipeline';
import {
  armClientOptions,
  armEndpoint,
  armFailure,
  collect,
  isAbort,
  mapLimit,
  parseApimResourceId,
  throwIfAborted,
  type ArmConnection,
} from './arm';
import { readPolicy, type PolicyScope } from './policies';
import {
  checkSnapshot,
  emptySnapshot,
  type DeployedApi,
  type DeployedApiCollection,
  type DeployedAssessment,
  type DeployedService,
  type DeployedSnapshot,
  type SnapshotError,
  type SnapshotSubscription,
} from './snapshot';

export const API_COLLECTIONS_API_VERSION = '2023-11-15';
/** Resource Graph accepts at most 1,000 subscriptions per query and returns at most 1,000 rows per page. */
const GRAPH_SUBSCRIPTIONS_PER_QUERY = 1000;
const GRAPH_PAGE_SIZE = 1000;

export interface LoadProgress {
  phase: 'subscriptions' | 'inventory' | 'assessments' | 'metadata';
  message: string;
  subscriptionId?: string;
}

export interface LoadOptions extends ArmConnection {
  abortSignal?: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
  /** Requests in flight at once per subscription (default 16). */
  concurrency?: number;
  /** Keep Healthy and NotApplicable assessments too; by default Resource Graph returns Unhealthy ones only. */
  includeHealthyAssessments?: boolean;
  /** Time stamp of the snapshot (tests). */
  now?: Date;
}

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
    graph: () => cached('graph', () => new ResourceGraphClient(credential, options)),
  };
}

/**
 * The deployed state of the given subscriptions. Never throws for what one subscription or service
 * refuses (401, 403, 5xx after retries): that is recorded in the snapshot's `errors`. Throws only when
 * cancelled through `abortSignal`.
 */
export async function loadDeployedState(credential: TokenCredential, subscriptionIds: string[], options: LoadOptions = {}): Promise<DeployedSnapshot> {
  const clients = createClients(credential, options);
  // Every request in flight listens to the one signal: dozens at a time is expected, not a leak.
  if (options.abortSignal) setMaxListeners(Math.max(100, (options.concurrency ?? 16) * 8), options.abortSignal);
  const snapshot = emptySnapshot(armEndpoint(options), (options.now ?? new Date()).toISOString());
  const context: LoadContext = { clients, options, endpoint: armEndpoint(options), progress: (progress) => options.onProgress?.(progress) };
  const subscriptions = [...new Set(subscriptionIds.map((id) => id.trim()).filter(Boolean))];

  // Defender's side is a few requests for all subscriptions; it runs beside the inventory.
  const [names, assessments, perSubscription] = await Promise.all([
    subscriptionNames(context, subscriptions, snapshot.errors),
    loadAssessments(context, subscriptions, snapshot.errors),
    mapLimit(subscriptions, 4, (subscriptionId) => loadSubscription(context, subscriptionId)),
  ]);
  for (const { subscription, services } of perSubscription) {
    subscription.displayName = names.get(subscription.id.toLowerCase());
    snapshot.subscriptions.push(subscription);
    snapshot.services.push(...services);
  }
  snapshot.assessments = assessments;
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

interface LoadContext {
  clients: LoadClients;
  options: LoadOptions;
  endpoint: string;
  progress(progress: LoadProgress): void;
}

/** Runs one read; a failure becomes a recorded error (cancellation still throws). */
async function attempt<T>(context: LoadContext, errors: SnapshotError[], operation: string, scope: string, read: () => Promise<T>): Promise<T | undefined> {
  throwIfAborted(context.options.abortSignal);
  try {
    return await read();
  } catch (error) {
    if (isAbort(error, context.options.abortSignal)) throw error;
    errors.push({ operation, scope, ...armFailure(error) });
    return undefined;
  }
}

async function loadSubscription(context: LoadContext, subscriptionId: string): Promise<{ subscription: SnapshotSubscription; services: DeployedService[] }> {
  const { clients, options } = context;
  const subscription: SnapshotSubscription = { id: subscriptionId, errors: [] };
  const scope = `/subscriptions/${subscriptionId}`;
  const abortSignal = options.abortSignal;
  context.progress({ phase: 'inventory', subscriptionId, message: `Reading API Management services in subscription ${subscriptionId}` });

  const [pricing, collections, serviceResources] = await Promise.all([
    attempt(context, subscription.errors, 'pricing', `${scope}/providers/Microsoft.Security/pricings/Api`, () => clients.security(subscriptionId).pricings.get('Api', { abortSignal })),
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

async function loadService(
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

interface ApiCollectionResource {
  id?: string;
  name?: string;
  properties?: Omit<DeployedApiCollection, 'apiName'>;
}

/** All apiCollections of a subscription, following `nextLink`, through the SecurityCenter client's pipeline. */
async function listApiCollections(context: LoadContext, subscriptionId: string): Promise<{ serviceId: string; collection: DeployedApiCollection }[]> {
  const client = context.clients.security(subscriptionId);
  const found: { serviceId: string; collection: DeployedApiCollection }[] = [];
  let url: string | undefined = `${context.endpoint}/subscriptions/${subscriptionId}/providers/Microsoft.Security/apiCollections?api-version=${API_COLLECTIONS_API_VERSION}`;
  while (url) {
    const page = (await sendArm(client, url, 'GET', context.options.abortSignal)).body as { value?: ApiCollectionResource[]; nextLink?: string };
    for (const resource of page.value ?? []) {
      const ref = resource.id ? parseApimResourceId(resource.id.replace(/\/providers\/Microsoft\.Security\/apiCollections\/[^/]+$/i, '')) : undefined;
      if (!ref || !resource.name) continue;
      found.push({ serviceId: ref.serviceId, collection: apiCollection(resource) });
    }
    url = page.nextLink ?? undefined;
  }
  return found;
}

export function apiCollection(resource: ApiCollectionResource): DeployedApiCollection {
  const p = resource.properties ?? {};
  return {
    apiName: resource.name!,
    displayName: p.displayName,
    provisioningState: p.provisioningState,
    discoveredVia: p.discoveredVia,
    baseUrl: p.baseUrl,
    numberOfApiEndpoints: p.numberOfApiEndpoints,
    numberOfInactiveApiEndpoints: p.numberOfInactiveApiEndpoints,
    numberOfUnauthenticatedApiEndpoints: p.numberOfUnauthenticatedApiEndpoints,
    numberOfExternalApiEndpoints: p.numberOfExternalApiEndpoints,
    numberOfApiEndpointsWithSensitiveDataExposed: p.numberOfApiEndpointsWithSensitiveDataExposed,
    sensitivityLabel: p.sensitivityLabel,
  };
}

export interface ArmResponse {
  status: number;
  header(name: string): string | undefined;
  body: unknown;
}

/** Sends a request through an SDK client's own pipeline (bearer token, retries, throttling); 4xx/5xx throw like the SDK's errors. */
export async function sendArm(client: SecurityCenter | ApiManagementClient, url: string, method: 'GET' | 'PUT' | 'DELETE', abortSignal?: AbortSignal): Promise<ArmResponse> {
  const response = await client.sendRequest(createPipelineRequest({ url, method, abortSignal }));
  const text = response.bodyAsText ?? '';
  const body = text ? safeJson(text) : undefined;
  if (response.status >= 400) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw Object.assign(new Error(error?.message ?? `${method} ${url.split('?')[0]} failed with ${response.status}`), { statusCode: response.status, code: error?.code });
  }
  return { status: response.status, header: (name) => response.headers.get(name), body };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A subscription the credential can read. */
export interface ReadableSubscription {
  id: string;
  name?: string;
}

/** Every subscription the credential can read, with its display name (one Resource Graph query without a subscription list). */
export async function discoverSubscriptions(credential: TokenCredential, options: ArmConnection & { abortSignal?: AbortSignal } = {}): Promise<ReadableSubscription[]> {
  return readableSubscriptions(await allRows(createClients(credential, options).graph(), SUBSCRIPTIONS_QUERY, undefined, options.abortSignal));
}

const SUBSCRIPTIONS_QUERY = "resourcecontainers | where type == 'microsoft.resources/subscriptions' | project subscriptionId, name";

function readableSubscriptions(rows: Record<string, unknown>[]): ReadableSubscription[] {
  return rows.flatMap((row) => (typeof row.subscriptionId === 'string' ? [{ id: row.subscriptionId, name: typeof row.name === 'string' ? row.name : undefined }] : []));
}

/** Every row of a Resource Graph query, page after page (`skipToken`); over every readable subscription when `subscriptions` is undefined. */
async function allRows(graph: ResourceGraphClient, query: string, subscriptions: string[] | undefined, abortSignal?: AbortSignal): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let skipToken: string | undefined;
  do {
    const response = await graph.resources({ subscriptions, query, options: { resultFormat: 'objectArray', top: GRAPH_PAGE_SIZE, skipToken } }, { abortSignal });
    rows.push(...graphRows(response.data));
    skipToken = response.skipToken;
  } while (skipToken);
  return rows;
}

// The SDK's mapper types `data` as a dictionary, so an objectArray page arrives keyed "0", "1", ….
function graphRows(data: unknown): Record<string, unknown>[] {
  return data && typeof data === 'object' ? ((Array.isArray(data) ? data : Object.values(data)) as Record<string, unknown>[]) : [];
}

/** Subscription display names, for all subscriptions in one Resource Graph query. */
async function subscriptionNames(context: LoadContext, subscriptions: string[], errors: SnapshotError[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const rows = await graphQuery(context, subscriptions, SUBSCRIPTIONS_QUERY, errors, 'subscriptions');
  for (const subscription of readableSubscriptions(rows)) if (subscription.name) names.set(subscription.id.toLowerCase(), subscription.name);
  return names;
}

/** The assessments query of domain.md §2, with the status filtered by Resource Graph rather than here. */
export function assessmentsQuery(includeHealthy: boolean): string {
  return [
    'securityresources',
    "| where type == 'microsoft.security/assessments'",
    '| extend resourceId = tolower(tostring(properties.resourceDetails.Id)), status = tostring(properties.status.code)',
    "| where resourceId has '/providers/microsoft.apimanagement/service/'",
    ...(includeHealthy ? [] : ["| where status == 'Unhealthy'"]),
    '| project assessmentKey = name, resourceId, status, severity = tostring(properties.metadata.severity), displayName = tostring(properties.displayName),',
    '  cause = tostring(properties.status.cause), description = tostring(properties.status.description), portalUri = tostring(properties.links.azurePortalUri)',
    '| order by resourceId asc, assessmentKey asc',
  ].join('\n');
}

async function loadAssessments(context: LoadContext, subscriptions: string[], errors: SnapshotError[]): Promise<DeployedAssessment[]> {
  context.progress({ phase: 'assessments', message: `Reading Defender assessments for ${subscriptions.length} subscription(s)` });
  const rows = await graphQuery(context, subscriptions, assessmentsQuery(Boolean(context.options.includeHealthyAssessments)), errors, 'assessments');
  return rows
    .filter((row) => typeof row.assessmentKey === 'string' && typeof row.resourceId === 'string')
    .map((row) => ({
      key: row.assessmentKey as string,
      resourceId: row.resourceId as string,
      status: String(row.status ?? ''),
      severity: nonEmpty(row.severity),
      displayName: nonEmpty(row.displayName),
      cause: nonEmpty(row.cause),
      description: nonEmpty(row.description),
      portalUri: nonEmpty(row.portalUri),
    }));
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Every row of a Resource Graph query over the subscriptions, 1,000 subscriptions a query; a failed query is recorded in `errors`. */
async function graphQuery(context: LoadContext, subscriptions: string[], query: string, errors: SnapshotError[], operation: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const graph = context.clients.graph();
  for (let start = 0; start < subscriptions.length; start += GRAPH_SUBSCRIPTIONS_PER_QUERY) {
    const chunk = subscriptions.slice(start, start + GRAPH_SUBSCRIPTIONS_PER_QUERY);
    const chunkRows = await attempt(context, errors, operation, 'Microsoft.ResourceGraph/resources', () => allRows(graph, query, chunk, context.options.abortSignal));
    for (const row of chunkRows ?? []) rows.push(row);
  }
  return rows;
}

/** Remediation text (and missing display names and severities) from the built-in assessment metadata. */
async function addRemediation(context: LoadContext, subscriptionId: string, assessments: DeployedAssessment[], errors: SnapshotError[]): Promise<void> {
  context.progress({ phase: 'metadata', message: 'Reading remediation steps of Defender recommendations' });
  const wanted = new Set(assessments.map((assessment) => assessment.key.toLowerCase()));
  const metadata = await attempt(context, errors, 'assessmentsMetadata', '/providers/Microsoft.Security/assessmentMetadata', async () => {
    const found = new Map<string, { displayName?: string; severity?: string; remediation?: string }>();
    for await (const entry of context.clients.security(subscriptionId).assessmentsMetadata.list({ abortSignal: context.options.abortSignal })) {
      if (entry.name && wanted.has(entry.name.toLowerCase())) {
        found.set(entry.name.toLowerCase(), { displayName: entry.displayName, severity: entry.severity, remediation: entry.remediationDescription });
      }
    }
    return found;
  });
  for (const assessment of assessments) {
    const entry = metadata?.get(assessment.key.toLowerCase());
    if (!entry) continue;
    assessment.remediation = entry.remediation;
    assessment.displayName ??= entry.displayName;
    assessment.severity ??= entry.severity;
  }
}
