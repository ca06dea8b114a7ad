// A local HTTPS emulator of the ARM endpoints the Azure layer calls, for tests and the benchmark:
// API Management (2024-05-01 shapes), Defender's pricings, assessment metadata and apiCollections
// (2023-11-15), Resource Graph, and the resources behind backends (Resource Graph's `resources` rows;
// App Service sites' config/web, config/authsettingsV2 and privateEndpointConnections, 2023-12-01). It pages with `nextLink` / `$skipToken`, checks the bearer token,
// can answer 429 with Retry-After, 5xx, and 401/403 for chosen subscriptions, keeps policy and API
// ETags (If-Match → 412 on a policy PUT or an API PATCH), runs the apiCollections PUT as a long-running operation, and records every request.
import * as https from 'https';
import type { AddressInfo } from 'net';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { testCertificate } from './certificate';

export interface EmulatorOperation {
  name: string;
  displayName?: string;
  method: string;
  urlTemplate: string;
  policy?: string;
}

export interface EmulatorApi {
  /** API id; `;rev=N` for non-current revisions. */
  name: string;
  displayName?: string;
  path: string;
  protocols?: string[];
  serviceUrl?: string;
  subscriptionRequired?: boolean;
  apiRevision?: string;
  isCurrent?: boolean;
  apiType?: string;
  apiVersion?: string;
  apiVersionSetId?: string;
  operations: EmulatorOperation[];
  policy?: string;
}

export interface EmulatorService {
  resourceGroup: string;
  name: string;
  location?: string;
  policy?: string;
  apis: EmulatorApi[];
  products?: { name: string; displayName?: string; subscriptionRequired?: boolean; state?: string; apis: string[]; policy?: string }[];
  subscriptions?: { name: string; displayName?: string; scope: string; state: string; primaryKey?: string; secondaryKey?: string }[];
  backends?: { name: string; url: string; protocol?: string; tls?: { validateCertificateChain?: boolean; validateCertificateName?: boolean }; credentials?: Record<string, unknown> }[];
  namedValues?: { name: string; displayName?: string; secret: boolean; value?: string; keyVault?: { secretIdentifier: string } }[];
  fragments?: { name: string; description?: string; value: string }[];
  /** Names of the APIs onboarded to Defender for APIs, with their endpoint counts. */
  apiCollections?: { apiName: string; numberOfApiEndpoints?: number; numberOfInactiveApiEndpoints?: number; numberOfUnauthenticatedApiEndpoints?: number; numberOfExternalApiEndpoints?: number; numberOfApiEndpointsWithSensitiveDataExposed?: number; sensitivityLabel?: string }[];
}

export interface EmulatorSubscription {
  id: string;
  displayName: string;
  /** Every request below `/subscriptions/{id}` answers this status instead (401: wrong tenant; 403: no role). */
  deny?: 401 | 403;
  apiPricingTier?: 'Free' | 'Standard';
  services: EmulatorService[];
}

export interface EmulatorAssessment {
  key: string;
  /** ARM id of the assessed resource. */
  resourceId: string;
  status: 'Healthy' | 'Unhealthy' | 'NotApplicable';
  severity: 'High' | 'Medium' | 'Low';
  displayName: string;
  cause?: string;
  description?: string;
  /** `properties.status.firstEvaluationDate` and `statusChangeDate` (ISO times). */
  firstEvaluationDate?: string;
  statusChangeDate?: string;
  /** `properties.additionalData`: what Defender adds about the assessed resource (an endpoint of a Function App). */
  additionalData?: Record<string, string>;
  /** `properties.risk` (assessments api-version 2025-05-04). */
  risk?: { level: 'Low' | 'Medium' | 'High' | 'Critical'; riskFactors: string[]; attackPathsReferences: string[]; isContextualRisk?: boolean };
}

/** An attack path as Resource Graph's `securityresources` row has it: `properties` in either of Defender's shapes. */
export interface EmulatorAttackPath {
  id: string;
  name: string;
  properties: Record<string, unknown>;
}

/**
 * An Azure resource a backend calls, in its ARM REST shape (azure-rest-api-specs): what Resource
 * Graph's `resources` table returns for it, and for an App Service site what ARM answers below it.
 */
export interface EmulatorBackendResource {
  /** ARM id, as ARM writes it. */
  id: string;
  name: string;
  /** `Microsoft.Web/sites`, `Microsoft.App/containerApps`… */
  type: string;
  kind?: string;
  location?: string;
  identity?: { type: string; principalId?: string; tenantId?: string };
  properties: Record<string, unknown>;
  /** Sites: `config/web` (SiteConfig) and `config/authsettingsV2` (SiteAuthSettingsV2Properties); absent: ARM's defaults. */
  siteConfig?: Record<string, unknown>;
  authSettingsV2?: Record<string, unknown>;
  /** Sites: `privateEndpointConnections` (RemotePrivateEndpointConnectionARMResource). */
  privateEndpointConnections?: { name: string; privateEndpointId: string; status: 'Approved' | 'Pending' | 'Rejected' | 'Disconnected' }[];
}

export interface EmulatorMetadata {
  key: string;
  displayName: string;
  severity: 'High' | 'Medium' | 'Low';
  description?: string;
  remediationDescription?: string;
}

export interface EmulatorState {
  subscriptions: EmulatorSubscription[];
  assessments: EmulatorAssessment[];
  metadata: EmulatorMetadata[];
  attackPaths?: EmulatorAttackPath[];
  backendResources?: EmulatorBackendResource[];
}

/** An injected failure: the next `times` requests matching `method`, `path` (and `body`, such as a Resource Graph query) answer `status`. */
export interface Fault {
  method?: string;
  path: RegExp;
  body?: RegExp;
  status: number;
  times: number;
  headers?: Record<string, string>;
}

export interface EmulatorOptions {
  /** The only bearer token accepted. */
  token?: string;
  /** Items per page of ARM lists (default 100, like APIM). */
  pageSize?: number;
  /** Polls of an apiCollections PUT that still say "running" before it completes (default 1). */
  lroPolls?: number;
  /** Retry-After (seconds) of the running LRO polls (default 0). */
  lroRetryAfter?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export const TEST_TOKEN = 'emulator-test-token';

/** A TokenCredential that always returns the same token: what the emulator accepts. */
export function fixedTokenCredential(token = TEST_TOKEN): TokenCredential & { scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    async getToken(requested: string | string[]): Promise<AccessToken> {
      scopes.push(...(Array.isArray(requested) ? requested : [requested]));
      return { token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 };
    },
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface Policy {
  value: string;
  etag: string;
}

export class ArmEmulator {
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  /** Called for each authenticated request before it is answered: tests change the state in between. */
  readonly onRequest: ((request: RecordedRequest) => void)[] = [];
  /** The certificate to trust (an https.Agent with `ca`). */
  readonly ca: string;
  private readonly server: https.Server;
  private readonly policies = new Map<string, Policy>();
  /** ETags of the APIs by ARM path (lower case). */
  private readonly apiETags = new Map<string, string>();
  private readonly operations = new Map<string, { polls: number; done: () => unknown }>();
  private etagCounter = 0;
  private operationCounter = 0;
  endpoint = '';

  constructor(
    readonly state: EmulatorState,
    private readonly options: EmulatorOptions = {},
  ) {
    const { key, cert } = testCertificate();
    this.ca = cert;
    this.server = https.createServer({ key, cert, keepAlive: true }, (request, response) => this.handle(request, response));
    for (const subscription of state.subscriptions) {
      for (const service of subscription.services) {
        const base = this.serviceId(subscription.id, service);
        if (service.policy !== undefined) this.setPolicy(`${base}/policies/policy`, service.policy);
        for (const api of service.apis) {
          if (api.policy !== undefined) this.setPolicy(`${base}/apis/${api.name}/policies/policy`, api.policy);
          for (const operation of api.operations) {
            if (operation.policy !== undefined) this.setPolicy(`${base}/apis/${api.name}/operations/${operation.name}/policies/policy`, operation.policy);
          }
        }
        for (const product of service.products ?? []) {
          if (product.policy !== undefined) this.setPolicy(`${base}/products/${product.name}/policies/policy`, product.policy);
        }
      }
    }
    // After the policies, so that adding API ETags left the policies' ETags as they were.
    for (const subscription of state.subscriptions) {
      for (const service of subscription.services) {
        for (const api of service.apis) this.apiETags.set(`${this.serviceId(subscription.id, service)}/apis/${api.name}`.toLowerCase(), this.nextETag());
      }
    }
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** An agent that trusts the emulator's certificate. */
  agent(): https.Agent {
    return new https.Agent({ ca: this.ca, keepAlive: true, maxSockets: 64 });
  }

  /** Changes a policy as someone else would (a new ETag). */
  setPolicy(armPath: string, value: string): string {
    const etag = this.nextETag();
    this.policies.set(armPath.toLowerCase(), { value, etag });
    return etag;
  }

  /** Changes an API as someone else would (a new ETag); `armPath` is the API's ARM id. */
  updateApi(armPath: string, changes: Partial<Pick<EmulatorApi, 'protocols' | 'subscriptionRequired' | 'displayName' | 'path' | 'serviceUrl'>>): string {
    const { service, api } = this.findApi(armPath);
    if (!api) throw new Error(`No API ${armPath} in the emulator (service ${service?.name ?? 'not found'}).`);
    Object.assign(api, changes);
    const etag = this.nextETag();
    this.apiETags.set(armPath.toLowerCase(), etag);
    return etag;
  }

  /** An API and its ETag by ARM id, as a test reads them. */
  api(armPath: string): (EmulatorApi & { etag: string }) | undefined {
    const { api } = this.findApi(armPath);
    return api && { ...api, etag: this.apiETags.get(armPath.toLowerCase())! };
  }

  private findApi(armPath: string): { service?: EmulatorService; api?: EmulatorApi } {
    for (const subscription of this.state.subscriptions) {
      for (const service of subscription.services) {
        const base = `${this.serviceId(subscription.id, service)}/apis/`.toLowerCase();
        if (!armPath.toLowerCase().startsWith(base)) continue;
        return { service, api: service.apis.find((api) => api.name.toLowerCase() === armPath.slice(base.length).toLowerCase()) };
      }
    }
    return {};
  }

  private nextETag(): string {
    return `"AAAAAAAA${(++this.etagCounter).toString(16).padStart(4, '0')}="`;
  }

  policy(armPath: string): Policy | undefined {
    return this.policies.get(armPath.toLowerCase());
  }

  count(filter: (request: RecordedRequest) => boolean = () => true): number {
    return this.requests.filter(filter).length;
  }

  serviceId(subscriptionId: string, service: EmulatorService): string {
    return `/subscriptions/${subscriptionId}/resourceGroups/${service.resourceGroup}/providers/Microsoft.ApiManagement/service/${service.name}`;
  }

  private handle(request: import('http').IncomingMessage, response: import('http').ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', this.endpoint);
      const body = Buffer.concat(chunks).toString('utf8');
      const record: RecordedRequest = { method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, status: 0, headers: request.headers, body };
      this.requests.push(record);
      let status = 200;
      let headers: Record<string, string> = {};
      let payload: unknown;
      try {
        const result = this.route(record, request.headers);
        status = result.status ?? 200;
        headers = result.headers ?? {};
        payload = result.body;
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        status = error.status;
        headers = error.headers;
        payload = { error: { code: error.code, message: error.message } };
      }
      record.status = status;
      const text = payload === undefined ? '' : JSON.stringify(payload);
      // A length on every answer, as ARM sends.
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-ms-request-id': String(this.requests.length), ...headers });
      response.end(text);
    });
  }

  private route(request: RecordedRequest, headers: import('http').IncomingHttpHeaders): { status?: number; headers?: Record<string, string>; body?: unknown } {
    const token = this.options.token ?? TEST_TOKEN;
    if (headers.authorization !== `Bearer ${token}`) {
      throw new HttpError(401, headers.authorization ? 'InvalidAuthenticationToken' : 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing or invalid.", {
        'www-authenticate': 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"',
      });
    }
    for (const hook of this.onRequest) hook(request);
    const fault = this.faults.find((candidate) => candidate.times > 0 && (!candidate.method || candidate.method === request.method) && candidate.path.test(request.path) && (!candidate.body || candidate.body.test(request.body)));
    if (fault) {
      fault.times--;
      throw new HttpError(fault.status, fault.status === 429 ? 'TooManyRequests' : 'InternalServerError', `Injected ${fault.status}.`, fault.headers);
    }
    const segments = request.path.split('/').filter(Boolean).map(decodeURIComponent);
    const lower = segments.map((segment) => segment.toLowerCase());

    if (request.method === 'POST' && lower.join('/') === 'providers/microsoft.resourcegraph/resources') {
      // The stable version the loader asks for: a preview one would be a regression.
      if (request.query.get('api-version') !== '2024-04-01') throw new HttpError(400, 'InvalidApiVersion', 'Resource Graph is emulated at api-version 2024-04-01.');
      return { body: this.resourceGraph(request) };
    }
    if (request.method === 'GET' && lower.join('/') === 'providers/microsoft.security/assessmentmetadata') return { body: this.page(request, this.state.metadata.map(metadataResource)) };

    if (lower[0] !== 'subscriptions' || segments.length < 2) throw notFound(request.path);
    const subscription = this.state.subscriptions.find((candidate) => candidate.id.toLowerCase() === lower[1]);
    if (!subscription) throw new HttpError(404, 'SubscriptionNotFound', `The subscription '${segments[1]}' could not be found.`);
    if (subscription.deny === 403) {
      throw new HttpError(403, 'AuthorizationFailed', `The client 'test' does not have authorization to perform action over scope '/subscriptions/${subscription.id}' or the scope is invalid.`);
    }
    if (subscription.deny === 401) throw new HttpError(401, 'InvalidAuthenticationTokenTenant', `The access token is from the wrong issuer for subscription '${subscription.id}'.`);

    const rest = lower.slice(2).join('/');
    if (rest === 'providers/microsoft.apimanagement/service' && request.method === 'GET') {
      return { body: this.page(request, subscription.services.map((service) => this.serviceResource(subscription, service))) };
    }
    if (rest === 'providers/microsoft.security/pricings/api') return this.pricing(request, subscription);
    if (rest === 'providers/microsoft.security/apicollections' && request.method === 'GET') {
      return { body: this.page(request, subscription.services.flatMap((service) => (service.apiCollections ?? []).map((collection) => this.collectionResource(subscription, service, collection)))) };
    }
    if (lower[2] === 'providers' && lower[4] === 'operationresults' && request.method === 'GET') return this.operationResult(segments[5]);
    if (lower[2] === 'resourcegroups' && lower[4] === 'providers' && lower[5] === 'microsoft.web' && lower[6] === 'sites' && segments.length >= 9 && request.method === 'GET') {
      return this.site(request, lower.slice(0, 8).join('/'), lower.slice(8).join('/'));
    }
    if (lower[2] === 'resourcegroups' && lower[4] === 'providers' && lower[5] === 'microsoft.apimanagement' && lower[6] === 'service' && segments.length >= 8) {
      const service = subscription.services.find((candidate) => candidate.resourceGroup.toLowerCase() === lower[3] && candidate.name.toLowerCase() === lower[7]);
      if (!service) throw notFound(request.path);
      return this.apim(request, subscription, service, segments.slice(8), lower.slice(8));
    }
    throw notFound(request.path);
  }

  private apim(request: RecordedRequest, subscription: EmulatorSubscription, service: EmulatorService, segments: string[], lower: string[]) {
    const base = this.serviceId(subscription.id, service);
    const get = request.method === 'GET';
    const path = lower.join('/');
    const findApi = (name: string) => service.apis.find((api) => api.name.toLowerCase() === name.toLowerCase()) ?? (() => { throw notFound(`${base}/apis/${name}`); })();

    if (lower[0] === 'policies' || (lower[0] === 'apis' && (lower[2] === 'policies' || lower[4] === 'policies')) || (lower[0] === 'products' && lower[2] === 'policies')) {
      return this.policyRequest(request, `${base}/${segments.join('/')}`);
    }
    if (lower[0] === 'providers' && lower[1] === 'microsoft.security' && lower[2] === 'apicollections' && segments[3]) return this.apiCollection(request, subscription, service, segments[3]);
    if (lower[0] === 'apis' && segments.length === 2) return this.apiRequest(request, `${base}/apis/${findApi(segments[1]).name}`, findApi(segments[1]));
    if (!get) throw new HttpError(405, 'MethodNotAllowed', `${request.method} is not emulated on ${request.path}.`);
    // Like APIM, the list holds every revision (`$filter=isCurrent eq true` narrows it).
    if (path === 'apis') return { body: this.page(request, service.apis.map((api) => apiResource(base, api))) };
    if (lower[0] === 'apis' && lower[2] === 'revisions') {
      const root = segments[1].split(';')[0].toLowerCase();
      const revisions = service.apis.filter((api) => api.name.split(';')[0].toLowerCase() === root);
      return {
        body: this.page(
          request,
          revisions.map((api) => ({ apiId: `/apis/${api.name}`, apiRevision: api.apiRevision ?? '1', isCurrent: api.isCurrent !== false, isOnline: true, createdDateTime: '2025-01-01T00:00:00Z', updatedDateTime: '2025-01-01T00:00:00Z' })),
        ),
      };
    }
    if (lower[0] === 'apis' && lower[2] === 'operations' && segments.length === 3) {
      const api = findApi(segments[1]);
      return { body: this.page(request, api.operations.map((operation) => operationResource(base, api, operation))) };
    }
    if (path === 'products') return { body: this.page(request, (service.products ?? []).map((product) => resource(`${base}/products/${product.name}`, 'Microsoft.ApiManagement/service/products', product.name, { displayName: product.displayName ?? product.name, subscriptionRequired: product.subscriptionRequired, state: product.state ?? 'published' }))) };
    if (lower[0] === 'products' && lower[2] === 'apis') {
      const product = (service.products ?? []).find((candidate) => candidate.name.toLowerCase() === lower[1]);
      if (!product) throw notFound(request.path);
      return { body: this.page(request, product.apis.map((name) => apiResource(base, findApi(name)))) };
    }
    if (path === 'subscriptions') {
      return {
        body: this.page(
          request,
          (service.subscriptions ?? []).map((subscription_) =>
            // APIM's list does return keys as null; the snapshot must drop them anyway, so the emulator sends them.
            resource(`${base}/subscriptions/${subscription_.name}`, 'Microsoft.ApiManagement/service/subscriptions', subscription_.name, {
              displayName: subscription_.displayName,
              scope: `${base}${subscription_.scope}`,
              state: subscription_.state,
              primaryKey: subscription_.primaryKey,
              secondaryKey: subscription_.secondaryKey,
              createdDate: '2025-01-01T00:00:00Z',
            }),
          ),
        ),
      };
    }
    if (path === 'backends') return { body: this.page(request, (service.backends ?? []).map((backend) => resource(`${base}/backends/${backend.name}`, 'Microsoft.ApiManagement/service/backends', backend.name, { url: backend.url, protocol: backend.protocol ?? 'http', tls: backend.tls, credentials: backend.credentials }))) };
    if (path === 'namedvalues') {
      return {
        body: this.page(
          request,
          (service.namedValues ?? []).map((namedValue) =>
            resource(`${base}/namedValues/${namedValue.name}`, 'Microsoft.ApiManagement/service/namedValues', namedValue.name, {
              displayName: namedValue.displayName ?? namedValue.name,
              secret: namedValue.secret,
              // Like APIM: a secret's value is not listed; a deliberately leaky emulator would be a worse test.
              value: namedValue.secret ? undefined : namedValue.value,
              keyVault: namedValue.keyVault,
              tags: [],
            }),
          ),
        ),
      };
    }
    if (path === 'policyfragments') return { body: this.page(request, (service.fragments ?? []).map((fragment) => fragmentResource(base, fragment, 'xml'))) };
    if (lower[0] === 'policyfragments' && segments.length === 2) {
      const fragment = (service.fragments ?? []).find((candidate) => candidate.name.toLowerCase() === lower[1]);
      if (!fragment) throw notFound(request.path);
      return { headers: { etag: `"fragment-${fragment.name}"` }, body: fragmentResource(base, fragment, request.query.get('format') ?? 'xml') };
    }
    throw notFound(request.path);
  }

  private policyRequest(request: RecordedRequest, armPath: string) {
    const key = armPath.toLowerCase();
    const current = this.policies.get(key);
    const scopeType = policyType(armPath);
    if (request.method === 'GET') {
      if (!current) throw new HttpError(404, 'ResourceNotFound', 'Policy not found.');
      const format = request.query.get('format') ?? 'xml';
      return { headers: { etag: current.etag }, body: resource(armPath, scopeType, 'policy', { format, value: format === 'rawxml' ? current.value : escapeExpressions(current.value) }) };
    }
    if (request.method === 'PUT') {
      const ifMatch = request.headers['if-match'];
      if (typeof ifMatch === 'string' && ifMatch !== '*' && ifMatch !== current?.etag) {
        throw new HttpError(412, 'PreconditionFailed', 'The policy was changed since it was read: the If-Match ETag does not match.');
      }
      const body = JSON.parse(request.body || '{}') as { properties?: { value?: string; format?: string } };
      const value = body.properties?.value;
      if (typeof value !== 'string') throw new HttpError(400, 'ValidationError', 'properties.value is required.');
      const etag = this.setPolicy(armPath, value);
      return { status: current ? 200 : 201, headers: { etag }, body: resource(armPath, scopeType, 'policy', { format: 'xml', value: escapeExpressions(value) }) };
    }
    throw new HttpError(405, 'MethodNotAllowed', `${request.method} is not emulated on policies.`);
  }

  /** GET answers the API with its ETag; PATCH needs If-Match (412 when it is stale) and changes only the properties sent. */
  private apiRequest(request: RecordedRequest, armPath: string, api: EmulatorApi) {
    const base = armPath.slice(0, armPath.toLowerCase().lastIndexOf('/apis/'));
    const etag = () => this.apiETags.get(armPath.toLowerCase())!;
    if (request.method === 'GET') return { headers: { etag: etag() }, body: apiResource(base, api) };
    if (request.method === 'PATCH') {
      const ifMatch = request.headers['if-match'];
      if (typeof ifMatch !== 'string') throw new HttpError(400, 'InvalidRequest', 'The If-Match header is required to update an API.');
      if (ifMatch !== '*' && ifMatch !== etag()) throw new HttpError(412, 'PreconditionFailed', 'The API was changed since it was read: the If-Match ETag does not match.');
      const properties = (JSON.parse(request.body || '{}') as { properties?: Record<string, unknown> }).properties ?? {};
      const writable = ['protocols', 'subscriptionRequired', 'displayName', 'path', 'serviceUrl'] as const;
      const changes = Object.fromEntries(writable.filter((key) => properties[key] !== undefined).map((key) => [key, properties[key]]));
      const newETag = this.updateApi(armPath, changes);
      return { headers: { etag: newETag }, body: apiResource(base, api) };
    }
    throw new HttpError(405, 'MethodNotAllowed', `${request.method} is not emulated on APIs.`);
  }

  private pricing(request: RecordedRequest, subscription: EmulatorSubscription) {
    const id = `/subscriptions/${subscription.id}/providers/Microsoft.Security/pricings/Api`;
    if (request.method === 'PUT') {
      const body = JSON.parse(request.body || '{}') as { properties?: { pricingTier?: string } };
      if (body.properties?.pricingTier !== 'Standard' && body.properties?.pricingTier !== 'Free') throw new HttpError(400, 'InvalidInput', 'pricingTier must be Free or Standard.');
      subscription.apiPricingTier = body.properties.pricingTier;
    }
    const tier = subscription.apiPricingTier ?? 'Free';
    return { body: resource(id, 'Microsoft.Security/pricings', 'Api', { pricingTier: tier, subPlan: tier === 'Standard' ? 'P1' : undefined, freeTrialRemainingTime: 'PT0S' }) };
  }

  private serviceResource(subscription: EmulatorSubscription, service: EmulatorService) {
    return {
      id: this.serviceId(subscription.id, service),
      name: service.name,
      type: 'Microsoft.ApiManagement/service',
      location: service.location ?? 'West Europe',
      etag: 'AAAAAAAAAAA=',
      sku: { name: 'Developer', capacity: 1 },
      properties: {
        publisherEmail: 'apis@contoso.example',
        publisherName: 'Contoso',
        provisioningState: 'Succeeded',
        targetProvisioningState: '',
        createdAtUtc: '2025-01-01T00:00:00Z',
        gatewayUrl: `https://${service.name}.azure-api.net`,
        managementApiUrl: `https://${service.name}.management.azure-api.net`,
        virtualNetworkType: 'None',
        publicNetworkAccess: 'Enabled',
        platformVersion: 'stv2',
      },
    };
  }

  private collectionResource(subscription: EmulatorSubscription, service: EmulatorService, collection: NonNullable<EmulatorService['apiCollections']>[number]) {
    const base = this.serviceId(subscription.id, service);
    const api = service.apis.find((candidate) => candidate.name === collection.apiName);
    return resource(`${base}/providers/Microsoft.Security/apiCollections/${collection.apiName}`, 'Microsoft.Security/apiCollections', collection.apiName, {
      provisioningState: 'Succeeded',
      displayName: api?.displayName ?? collection.apiName,
      discoveredVia: base,
      baseUrl: `https://${service.name}.azure-api.net/${api?.path ?? collection.apiName}`,
      numberOfApiEndpoints: collection.numberOfApiEndpoints ?? api?.operations.length ?? 0,
      numberOfInactiveApiEndpoints: collection.numberOfInactiveApiEndpoints ?? 0,
      numberOfUnauthenticatedApiEndpoints: collection.numberOfUnauthenticatedApiEndpoints ?? 0,
      numberOfExternalApiEndpoints: collection.numberOfExternalApiEndpoints ?? 0,
      numberOfApiEndpointsWithSensitiveDataExposed: collection.numberOfApiEndpointsWithSensitiveDataExposed ?? 0,
      sensitivityLabel: collection.sensitivityLabel ?? '',
    });
  }

  /** PUT onboards (long-running: 202 + Location, polled until done); GET reads; DELETE offboards. */
  private apiCollection(request: RecordedRequest, subscription: EmulatorSubscription, service: EmulatorService, apiName: string) {
    if (request.query.get('api-version') !== '2023-11-15') throw new HttpError(400, 'InvalidApiVersion', 'apiCollections needs api-version 2023-11-15.');
    const existing = (service.apiCollections ?? []).find((collection) => collection.apiName.toLowerCase() === apiName.toLowerCase());
    if (request.method === 'GET') {
      if (!existing) throw notFound(request.path);
      return { body: this.collectionResource(subscription, service, existing) };
    }
    if (request.method === 'PUT') {
      const api = service.apis.find((candidate) => candidate.name.toLowerCase() === apiName.toLowerCase());
      if (!api) throw new HttpError(404, 'ApiNotFound', `API ${apiName} does not exist in ${service.name}.`);
      const id = `op-${++this.operationCounter}`;
      this.operations.set(id, {
        polls: this.options.lroPolls ?? 1,
        done: () => {
          service.apiCollections ??= [];
          let collection = service.apiCollections.find((candidate) => candidate.apiName === api.name);
          if (!collection) service.apiCollections.push((collection = { apiName: api.name, numberOfApiEndpoints: api.operations.length }));
          return this.collectionResource(subscription, service, collection);
        },
      });
      return {
        status: 202,
        headers: { location: `${this.endpoint}/subscriptions/${subscription.id}/providers/Microsoft.Security/operationResults/${id}?api-version=2023-11-15`, 'retry-after': String(this.options.lroRetryAfter ?? 0) },
      };
    }
    throw new HttpError(405, 'MethodNotAllowed', `${request.method} is not emulated on apiCollections.`);
  }

  private operationResult(id: string) {
    const operation = this.operations.get(id);
    if (!operation) throw notFound(id);
    if (operation.polls > 0) {
      operation.polls--;
      return { status: 202, headers: { 'retry-after': String(this.options.lroRetryAfter ?? 0) } };
    }
    return { status: 200, body: operation.done() };
  }

  /** Resource Graph: the queries the loader sends, recognised by their tables, paged with `$skipToken`. */
  private resourceGraph(request: RecordedRequest) {
    const body = JSON.parse(request.body || '{}') as { subscriptions?: string[]; query?: string; options?: { $top?: number; $skipToken?: string; resultFormat?: string } };
    const query = body.query ?? '';
    const allowed = new Set(
      (body.subscriptions ?? this.state.subscriptions.map((subscription) => subscription.id))
        .map((id) => this.state.subscriptions.find((subscription) => subscription.id.toLowerCase() === id.toLowerCase()))
        // Like Resource Graph, subscriptions the caller cannot read are left out, not an error.
        .filter((subscription): subscription is EmulatorSubscription => Boolean(subscription && !subscription.deny))
        .map((subscription) => subscription.id.toLowerCase()),
    );
    let rows: Record<string, unknown>[];
    if (/^\s*resourcecontainers/.test(query)) {
      rows = this.state.subscriptions.filter((subscription) => allowed.has(subscription.id.toLowerCase())).map((subscription) => ({ subscriptionId: subscription.id, name: subscription.displayName }));
    } else if (/securityresources/.test(query) && /microsoft\.security\/assessments/.test(query)) {
      const onlyStatus = /where status == '(\w+)'/.exec(query)?.[1];
      rows = this.state.assessments
        .filter((assessment) => allowed.has(assessment.resourceId.split('/')[2]?.toLowerCase()) && (/\/providers\/microsoft\.apimanagement\/service\//i.test(assessment.resourceId) || hostedAsked(query, assessment)))
        .filter((assessment) => !onlyStatus || assessment.status === onlyStatus)
        .map((assessment) => ({
          assessmentKey: assessment.key,
          resourceId: assessment.resourceId.toLowerCase(),
          status: assessment.status,
          severity: assessment.severity,
          displayName: assessment.displayName,
          cause: assessment.cause ?? '',
          description: assessment.description ?? '',
          firstEvaluationDate: assessment.firstEvaluationDate ?? '',
          statusChangeDate: assessment.statusChangeDate ?? '',
          // A dynamic column: null where the assessment has no risk, as Resource Graph gives it.
          risk: assessment.risk ?? null,
          portalUri: `https://portal.azure.com/#blade/Microsoft_Azure_Security/RecommendationsBlade/assessmentKey/${assessment.key}`,
          details: assessment.additionalData ?? null,
        }))
        .sort((a, b) => (a.resourceId < b.resourceId ? -1 : a.resourceId > b.resourceId ? 1 : a.assessmentKey.localeCompare(b.assessmentKey)));
    } else if (/securityresources/.test(query) && /microsoft\.security\/attackpaths/.test(query)) {
      const throughApim = /has '\/providers\/microsoft\.apimanagement\/service\/'/.test(query);
      rows = (this.state.attackPaths ?? [])
        .filter((attackPath) => allowed.has(attackPath.id.split('/')[2]?.toLowerCase()))
        .filter((attackPath) => !throughApim || JSON.stringify(attackPath.properties).toLowerCase().includes('/providers/microsoft.apimanagement/service/'))
        .map((attackPath) => ({ id: attackPath.id, name: attackPath.name, properties: attackPath.properties }))
        .sort((a, b) => a.id.localeCompare(b.id));
    } else if (/^\s*resources\b/.test(query)) {
      rows = this.backendResourceRows(query, allowed);
    } else {
      throw new HttpError(400, 'BadRequest', `Query not emulated: ${query.slice(0, 80)}`);
    }
    const top = Math.min(body.options?.$top ?? 100, 1000);
    const offset = Number(body.options?.$skipToken ? Buffer.from(body.options.$skipToken, 'base64').toString('utf8') : 0);
    const data = rows.slice(offset, offset + top);
    const next = offset + top < rows.length ? Buffer.from(String(offset + top)).toString('base64') : undefined;
    return { totalRecords: rows.length, count: data.length, data, facets: [], resultTruncated: 'false', ...(next ? { $skipToken: next } : {}) };
  }

  /**
   * Resource Graph's `resources` rows of the backends' resources the loader's query names: by type, then
   * by name, default host name, ingress FQDN, custom subdomain or the access endpoint's workflow id.
   */
  private backendResourceRows(query: string, allowed: ReadonlySet<string>): Record<string, unknown>[] {
    const list = (field: string, operator: string) => {
      const match = new RegExp(`${field} ${operator} \\(([^)]*)\\)`).exec(query);
      return new Set((match?.[1].match(/'[^']*'/g) ?? []).map((quoted) => quoted.slice(1, -1).toLowerCase()));
    };
    const types = list('type', 'in~');
    const names = list('name', 'in~');
    const hosts = new Set([...list('defaultHostName', 'in~'), ...list('fqdn', 'in~')]);
    const subdomains = list('subdomain', 'in~');
    const workflowIds = [...list('accessEndpoint', 'has_any')];
    const field = (resource: EmulatorBackendResource, ...keys: string[]) => {
      let value: unknown = resource.properties;
      for (const key of keys) value = (value as Record<string, unknown> | undefined)?.[key];
      return typeof value === 'string' ? value.toLowerCase() : '';
    };
    return (this.state.backendResources ?? [])
      .filter((resource) => allowed.has(resource.id.split('/')[2]?.toLowerCase()) && types.has(resource.type.toLowerCase()))
      .filter(
        (resource) =>
          names.has(resource.name.toLowerCase()) ||
          hosts.has(field(resource, 'defaultHostName')) ||
          hosts.has(field(resource, 'configuration', 'ingress', 'fqdn')) ||
          subdomains.has(field(resource, 'customSubDomainName')) ||
          workflowIds.some((id) => field(resource, 'accessEndpoint').includes(id)),
      )
      // As Resource Graph returns them: ids and types lower case, the resource's own properties.
      .map((resource) => ({ id: resource.id.toLowerCase(), name: resource.name, type: resource.type.toLowerCase(), kind: resource.kind ?? '', identity: resource.identity ?? null, properties: resource.properties }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** A site's `config/web`, `config/authsettingsV2` (without secrets) and `privateEndpointConnections`, at api-version 2023-12-01. */
  private site(request: RecordedRequest, sitePath: string, below: string) {
    if (request.query.get('api-version') !== '2023-12-01') throw new HttpError(400, 'InvalidApiVersion', 'Microsoft.Web is emulated at api-version 2023-12-01.');
    const site = (this.state.backendResources ?? []).find((resource) => resource.id.toLowerCase() === `/${sitePath}`);
    if (!site) throw new HttpError(404, 'ResourceNotFound', `The Resource 'Microsoft.Web/sites/${sitePath.split('/').pop()}' under resource group was not found.`);
    if (below === 'config/web') {
      // ARM's answer for a site without rules: the implicit "Allow all".
      const properties = { ipSecurityRestrictions: [{ ipAddress: 'Any', action: 'Allow', priority: 2147483647, name: 'Allow all', description: 'Allow all access' }], ipSecurityRestrictionsDefaultAction: 'Allow', publicNetworkAccess: site.properties.publicNetworkAccess ?? null, ...site.siteConfig };
      return { body: { id: `${site.id}/config/web`, name: 'web', type: 'Microsoft.Web/sites/config', location: site.location, properties } };
    }
    if (below === 'config/authsettingsv2') {
      const properties = site.authSettingsV2 ?? { platform: { enabled: false, runtimeVersion: '~1' }, globalValidation: { requireAuthentication: false, unauthenticatedClientAction: 'RedirectToLoginPage' }, identityProviders: {}, login: {}, httpSettings: {} };
      return { body: { id: `${site.id}/config/authsettingsV2`, name: 'authsettingsV2', type: 'Microsoft.Web/sites/config', location: site.location, properties } };
    }
    if (below === 'privateendpointconnections') {
      return {
        body: this.page(
          request,
          (site.privateEndpointConnections ?? []).map((connection) => ({
            id: `${site.id}/privateEndpointConnections/${connection.name}`,
            name: connection.name,
            type: 'Microsoft.Web/sites/privateEndpointConnections',
            properties: { provisioningState: 'Succeeded', privateEndpoint: { id: connection.privateEndpointId }, privateLinkServiceConnectionState: { status: connection.status, description: '', actionsRequired: 'None' }, ipAddresses: [] },
          })),
        ),
      };
    }
    throw notFound(request.path);
  }

  /** One page of an ARM list, with `nextLink` carrying the api-version as ARM's does. */
  private page(request: RecordedRequest, items: unknown[]) {
    const size = this.options.pageSize ?? 100;
    const offset = Number(request.query.get('$skiptoken') ?? 0);
    const value = items.slice(offset, offset + size);
    const result: { value: unknown[]; count?: number; nextLink?: string } = { value, count: items.length };
    if (offset + size < items.length) {
      const next = new URLSearchParams(request.query);
      next.set('$skiptoken', String(offset + size));
      result.nextLink = `${this.endpoint}${request.path}?${next.toString()}`;
    }
    return result;
  }
}

function resource(id: string, type: string, name: string, properties: Record<string, unknown>) {
  return { id, type, name, properties: Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== undefined)) };
}

function apiResource(base: string, api: EmulatorApi) {
  return resource(`${base}/apis/${api.name}`, 'Microsoft.ApiManagement/service/apis', api.name, {
    displayName: api.displayName ?? api.name,
    apiRevision: api.apiRevision ?? '1',
    isCurrent: api.isCurrent !== false,
    path: api.path,
    protocols: api.protocols ?? ['https'],
    serviceUrl: api.serviceUrl,
    subscriptionRequired: api.subscriptionRequired ?? true,
    type: api.apiType ?? 'http',
    apiVersion: api.apiVersion,
    apiVersionSetId: api.apiVersionSetId ? `${base}/apiVersionSets/${api.apiVersionSetId}` : undefined,
    subscriptionKeyParameterNames: { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' },
  });
}

function operationResource(base: string, api: EmulatorApi, operation: EmulatorOperation) {
  return resource(`${base}/apis/${api.name}/operations/${operation.name}`, 'Microsoft.ApiManagement/service/apis/operations', operation.name, {
    displayName: operation.displayName ?? operation.name,
    method: operation.method.toUpperCase(),
    urlTemplate: operation.urlTemplate,
    templateParameters: [...operation.urlTemplate.matchAll(/\{([^}]+)\}/g)].map((match) => ({ name: match[1], type: 'string', required: true, values: [] })),
    responses: [],
  });
}

function fragmentResource(base: string, fragment: { name: string; description?: string; value: string }, format: string) {
  return resource(`${base}/policyFragments/${fragment.name}`, 'Microsoft.ApiManagement/service/policyFragments', fragment.name, {
    format,
    value: format === 'rawxml' ? fragment.value : escapeExpressions(fragment.value),
    description: fragment.description,
    provisioningState: 'Succeeded',
  });
}

function metadataResource(metadata: EmulatorMetadata) {
  return resource(`/providers/Microsoft.Security/assessmentMetadata/${metadata.key}`, 'Microsoft.Security/assessmentMetadata', metadata.key, {
    displayName: metadata.displayName,
    policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${metadata.key}`,
    description: metadata.description ?? metadata.displayName,
    remediationDescription: metadata.remediationDescription,
    categories: ['Data'],
    severity: metadata.severity,
    userImpact: 'Low',
    implementationEffort: 'Low',
    assessmentType: 'BuiltIn',
  });
}

function policyType(armPath: string): string {
  if (/\/operations\/[^/]+\/policies\//i.test(armPath)) return 'Microsoft.ApiManagement/service/apis/operations/policies';
  if (/\/apis\/[^/]+\/policies\//i.test(armPath)) return 'Microsoft.ApiManagement/service/apis/policies';
  if (/\/products\/[^/]+\/policies\//i.test(armPath)) return 'Microsoft.ApiManagement/service/products/policies';
  return 'Microsoft.ApiManagement/service/policies';
}

/** APIM's `format=xml` escapes policy expressions; `rawxml` returns them as written. Enough to tell the two apart. */
function escapeExpressions(value: string): string {
  return value.replace(/@\(([^)]*)\)/g, (_, inner: string) => `@(${inner.replace(/"/g, '&quot;')})`);
}

/** Whether the assessments query asks for Defender's recommendations on a site's or a workflow's API endpoints, and this is one. */
function hostedAsked(query: string, assessment: EmulatorAssessment): boolean {
  return /\/providers\/microsoft\.(web\/sites|logic\/workflows)\//i.test(assessment.resourceId) && /microsoft\.web\/sites/.test(query) && query.toLowerCase().includes(`'${assessment.displayName.toLowerCase()}'`);
}

function notFound(path: string): HttpError {
  return new HttpError(404, 'ResourceNotFound', `The resource '${path}' was not found.`);
}

/** Runs `run` against a started emulator of `state`, with the connection the SDK clients take; stops it after. */
export async function withEmulator<T>(state: EmulatorState, options: EmulatorOptions, run: (emulator: ArmEmulator, connection: { endpoint: string; agent: https.Agent; retryDelayInMs: number }) => Promise<T>): Promise<T> {
  const emulator = await new ArmEmulator(state, options).start();
  const agent = emulator.agent();
  try {
    return await run(emulator, { endpoint: emulator.endpoint, agent, retryDelayInMs: 5 });
  } finally {
    agent.destroy();
    await emulator.stop();
  }
}
