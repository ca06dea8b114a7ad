// How every Azure SDK client of the Azure layer is built, how a request the SDKs lack is sent, and how
// failures are read: one place for the endpoint, the TLS trust of a test server, retry timing, ARM ids
// and concurrency.
import type { Agent } from 'https';
import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient, PipelinePolicy, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';

export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';

/** Where and how to reach ARM. Only `endpoint` matters in production; the rest is for tests and benchmarks. */
export interface ArmConnection {
  /** ARM endpoint of the chosen cloud (`https://management.usgovcloudapi.net`); default: public Azure. */
  endpoint?: string;
  /** An https.Agent for every request, e.g. one that trusts a test server's self-signed certificate. */
  agent?: Agent;
  /** Replaces the SDK's HTTP client entirely. */
  httpClient?: HttpClient;
  /** Base delay of the SDK's exponential retry of 5xx and network errors (default 800 ms); 429s wait for Retry-After regardless. */
  retryDelayInMs?: number;
  /** Retries per request (the SDK's default: 3). */
  maxRetries?: number;
}

export interface ArmClientOptions {
  endpoint: string;
  $host: string;
  credentialScopes: string[];
  httpClient?: HttpClient;
  additionalPolicies?: { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[];
  retryOptions?: { retryDelayInMs?: number; maxRetries?: number };
}

export function armEndpoint(connection: ArmConnection): string {
  return (connection.endpoint ?? DEFAULT_ARM_ENDPOINT).replace(/\/+$/, '');
}

/** The token scope of an ARM endpoint: what every client asks its credential for. */
export function armScope(endpoint: string): string {
  return `${armEndpoint({ endpoint })}/.default`;
}

/**
 * Options for any ARM client of the SDK. The agent is set per request by a policy rather than by
 * replacing the HTTP client, so that the SDK's own pipeline (bearer token, retries, throttling) is
 * exactly the one used against Azure.
 */
export function armClientOptions(connection: ArmConnection): ArmClientOptions {
  const endpoint = armEndpoint(connection);
  const agent = connection.agent;
  return {
    endpoint,
    // Some generated clients build URLs from `$host`, others from `endpoint`: both name the cloud.
    $host: endpoint,
    credentialScopes: [armScope(endpoint)],
    httpClient: connection.httpClient,
    additionalPolicies: agent
      ? [{ position: 'perCall', policy: { name: 'apimPostureAgent', sendRequest: (request, next) => ((request.agent = agent), next(request)) } }]
      : undefined,
    retryOptions: connection.retryDelayInMs !== undefined || connection.maxRetries !== undefined ? { retryDelayInMs: connection.retryDelayInMs, maxRetries: connection.maxRetries } : undefined,
  };
}

export type { TokenCredential };

/** The parts of an APIM service's ARM id. */
export interface ServiceRef {
  subscriptionId: string;
  resourceGroup: string;
  serviceName: string;
}

const SERVICE_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)(?:\/(.*))?$/i;

/**
 * Splits an ARM id below an APIM service into the service and the resource relative to it
 * (`apis/orders/operations/get-order`, or `service` for the service itself), as the model names them.
 */
export function parseApimResourceId(id: string): (ServiceRef & { relative: string; serviceId: string }) | undefined {
  const match = SERVICE_ID.exec(id.replace(/\/+$/, ''));
  if (!match) return undefined;
  const [, subscriptionId, resourceGroup, serviceName, rest] = match;
  return {
    subscriptionId,
    resourceGroup,
    serviceName,
    serviceId: serviceArmId({ subscriptionId, resourceGroup, serviceName }),
    relative: rest ? rest : 'service',
  };
}

export function serviceArmId(service: ServiceRef): string {
  return `/subscriptions/${service.subscriptionId}/resourceGroups/${service.resourceGroup}/providers/Microsoft.ApiManagement/service/${service.serviceName}`;
}

/** A failure of one call, as the snapshot records it: no request or response bodies beyond ARM's message. */
export interface ArmFailure {
  status?: number;
  code?: string;
  message: string;
}

export function armFailure(error: unknown): ArmFailure {
  const rest = error as { statusCode?: number; code?: string; message?: string; details?: { error?: { code?: string; message?: string } } };
  const detail = rest.details?.error;
  return {
    status: rest.statusCode,
    code: detail?.code ?? rest.code,
    message: redact(detail?.message ?? rest.message ?? String(error)),
  };
}

/** Anything that looks like a bearer token or a signed URL's signature never reaches a snapshot. */
export function redact(text: string): string {
  return text.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1<redacted>').replace(/([?&]sig=)[^&\s]+/gi, '$1<redacted>');
}

export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return Boolean(signal?.aborted) || (error as { name?: string })?.name === 'AbortError';
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    const error = new Error('The operation was cancelled.');
    error.name = 'AbortError';
    throw error;
  }
}

/** Runs `work` over `items` with at most `concurrency` in flight, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** All items of an SDK pager. */
export async function collect<T>(pager: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of pager) items.push(item);
  return items;
}

/** An SDK client, whose pipeline (bearer token, retries, throttling) a request can go through. */
export interface ArmPipeline {
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
}

export interface ArmResponse {
  status: number;
  header(name: string): string | undefined;
  body: unknown;
}

/** Sends a request through an SDK client's own pipeline (bearer token, retries, throttling); 4xx/5xx throw like the SDK's errors. */
export async function sendArm(client: ArmPipeline, url: string, method: 'GET' | 'PUT' | 'DELETE', abortSignal?: AbortSignal): Promise<ArmResponse> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- required here, not imported above: a scan reads ARM ids with this module but sends nothing
  const { createPipelineRequest } = require('@azure/core-rest-pipeline') as typeof import('@azure/core-rest-pipeline');
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
