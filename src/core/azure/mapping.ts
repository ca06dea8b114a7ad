// Which deployed API each local API is. APIOps folders and Bicep declarations carry the APIM name, so
// those map with certainty; an explicit mapping from the workspace configuration wins over anything;
// bare specs are matched by heuristics (gateway URL + path, title, operations), each with its reason.
import type { ApiResource, ApimService } from '../model';
import type { DeployedApi, DeployedService, DeployedSnapshot } from './snapshot';

export type MappingReason = 'explicit' | 'apiops-folder' | 'bicep-name' | 'same-name' | 'server-url' | 'title-and-operations' | 'operations' | 'title' | 'unmapped';
export type MappingConfidence = 'high' | 'medium' | 'low' | 'none';

/** A mapping written by the user: `deployed` is an API name, `service/api`, or the API's ARM id. */
export interface ExplicitMapping {
  local: string;
  deployed: string;
}

export interface ApiMapping {
  /** Local API name (`ApiResource.name`). */
  local: string;
  /** The deployed API, when one was found. */
  deployed?: { serviceId: string; api: string };
  reason: MappingReason;
  confidence: MappingConfidence;
  /** Why, in words, for the mappings view. */
  detail: string;
}

export interface MapOptions {
  /** The deployed service the repository is for (ARM id); by default the one that matches it best. */
  serviceId?: string;
}

/** One mapping per local API, unmapped ones included (reason `unmapped`). A deployed API is mapped at most once. */
export function mapApis(service: ApimService, snapshot: DeployedSnapshot, explicit: ExplicitMapping[] = [], options: MapOptions = {}): ApiMapping[] {
  const target = chooseService(service, snapshot, explicit, options);
  const taken = new Set<string>();
  const mappings = new Map<string, ApiMapping>();
  const take = (local: ApiResource, deployedService: DeployedService, api: DeployedApi, reason: MappingReason, confidence: MappingConfidence, detail: string) => {
    taken.add(key(deployedService.id, api.name));
    mappings.set(local.name, { local: local.name, deployed: { serviceId: deployedService.id, api: api.name }, reason, confidence, detail });
  };

  for (const entry of explicit) {
    const local = service.apis.find((api) => api.name === entry.local);
    const resolved = resolveExplicit(entry.deployed, snapshot, target);
    if (local && resolved) take(local, resolved.service, resolved.api, 'explicit', 'high', `mapped in the workspace configuration to ${entry.deployed}`);
  }
  if (!target) return service.apis.map((api) => mappings.get(api.name) ?? unmapped(api.name, 'the snapshot has no API Management service'));

  // Names written by APIOps and Bicep are APIM's own names.
  for (const local of service.apis) {
    if (mappings.has(local.name)) continue;
    const api = findByName(target, local.name);
    if (!api || taken.has(key(target.id, api.name))) continue;
    const fromBicep = local.declaration.file.endsWith('.bicep');
    if (fromBicep) take(local, target, api, 'bicep-name', 'high', `the Bicep resource is named ${local.name}`);
    else if (service.layout === 'apiops' || service.layout === 'apiops-cli') take(local, target, api, 'apiops-folder', 'high', `the APIOps folder apis/${local.name} is the API's name`);
    else take(local, target, api, 'same-name', 'medium', `the spec file's API name ${local.name} equals a deployed API name`);
  }

  // Heuristics for the rest: the best-scoring deployed API not mapped yet, when it is not a tie.
  for (const local of service.apis) {
    if (mappings.has(local.name)) continue;
    const candidates = target.apis
      .filter((api) => !taken.has(key(target.id, api.name)))
      .map((api) => ({ api, ...score(local, api, target) }))
      .filter((candidate) => candidate.score > 0)
      .sort((a, b) => b.score - a.score);
    const [best, second] = candidates;
    if (!best) {
      mappings.set(local.name, unmapped(local.name, `no deployed API of ${target.name} matches its server URL, title or operations`));
    } else if (second && second.score === best.score) {
      mappings.set(local.name, unmapped(local.name, `ambiguous: ${best.api.name} and ${second.api.name} match equally (${best.detail})`));
    } else {
      take(local, target, best.api, best.reason, best.confidence, best.detail);
    }
  }
  return service.apis.map((api) => mappings.get(api.name)!);
}

function unmapped(local: string, detail: string): ApiMapping {
  return { local, reason: 'unmapped', confidence: 'none', detail };
}

function key(serviceId: string, api: string): string {
  return `${serviceId.toLowerCase()}|${api.toLowerCase()}`;
}

function findByName(service: DeployedService, name: string): DeployedApi | undefined {
  return service.apis.find((api) => api.name.toLowerCase() === name.toLowerCase());
}

/**
 * The deployed service the repository describes: the one named, else the one holding the most of the
 * local API names (then titles), else the only one.
 */
export function chooseService(service: ApimService, snapshot: DeployedSnapshot, explicit: ExplicitMapping[] = [], options: MapOptions = {}): DeployedService | undefined {
  if (options.serviceId) return snapshot.services.find((candidate) => candidate.id.toLowerCase() === options.serviceId!.toLowerCase());
  for (const entry of explicit) {
    const resolved = resolveExplicit(entry.deployed, snapshot, undefined);
    if (resolved) return resolved.service;
  }
  let best: { service: DeployedService; score: number } | undefined;
  for (const candidate of snapshot.services) {
    const score = serviceOverlap(service, candidate);
    if (!best || score > best.score) best = { service: candidate, score };
  }
  return best?.service;
}

/** How much of a local service a deployed one holds: 2 per API name it has, 1 per API title. */
export function serviceOverlap(service: ApimService, candidate: DeployedService): number {
  const names = new Set(candidate.apis.map((api) => api.name.toLowerCase()));
  const titles = new Set(candidate.apis.map((api) => normalizeTitle(api.displayName)));
  return service.apis.reduce((sum, api) => sum + (names.has(api.name.toLowerCase()) ? 2 : 0) + (titles.has(normalizeTitle(api.spec?.title ?? api.displayName)) ? 1 : 0), 0);
}

/** `api`, `service/api` or an ARM id, resolved in the snapshot (a bare name in `target`). */
function resolveExplicit(deployed: string, snapshot: DeployedSnapshot, target: DeployedService | undefined): { service: DeployedService; api: DeployedApi } | undefined {
  const armMatch = /\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)\/apis\/([^/]+)$/i.exec(deployed);
  const [serviceName, apiName] = armMatch ? [armMatch[1], armMatch[2]] : deployed.includes('/') ? deployed.split('/', 2) : [undefined, deployed];
  const services = serviceName
    ? snapshot.services.filter((candidate) => candidate.name.toLowerCase() === serviceName.toLowerCase() && (!armMatch || deployed.toLowerCase().startsWith(candidate.id.toLowerCase())))
    : target
      ? [target]
      : snapshot.services;
  for (const candidate of services) {
    const api = findByName(candidate, apiName);
    if (api) return { service: candidate, api };
  }
  return undefined;
}

interface Score {
  score: number;
  reason: MappingReason;
  confidence: MappingConfidence;
  detail: string;
}

function score(local: ApiResource, api: DeployedApi, service: DeployedService): Score {
  const gatewayUrl = service.gatewayUrl && api.path !== undefined ? normalizeUrl(`${service.gatewayUrl}/${api.path}`) : undefined;
  const server = gatewayUrl ? local.spec?.servers.find((candidate) => normalizeUrl(candidate.url) === gatewayUrl) : undefined;
  if (server) return { score: 100, reason: 'server-url', confidence: 'high', detail: `the spec's server ${server.url} is the gateway URL of ${api.name}` };

  const localTitle = normalizeTitle(local.spec?.title ?? local.displayName);
  const titleMatches = localTitle !== '' && localTitle === normalizeTitle(api.displayName);
  const overlap = operationOverlap(local, api);
  const overlapText = `${Math.round(overlap * 100)}% of its operations (operationId or method + URL template)`;
  if (titleMatches && overlap >= 0.5) return { score: 50 + overlap * 10, reason: 'title-and-operations', confidence: 'medium', detail: `same title "${api.displayName}" and ${overlapText}` };
  if (overlap >= 0.8) return { score: 30 + overlap * 10, reason: 'operations', confidence: 'medium', detail: `${api.name} has ${overlapText}` };
  if (titleMatches) return { score: 20 + overlap * 10, reason: 'title', confidence: 'low', detail: `same title "${api.displayName}"` };
  if (overlap >= 0.5) return { score: 10 + overlap * 10, reason: 'operations', confidence: 'low', detail: `${api.name} has ${overlapText}` };
  return { score: 0, reason: 'unmapped', confidence: 'none', detail: '' };
}

/** Share of the local operations found in the deployed API, by name or by method + URL template. */
function operationOverlap(local: ApiResource, api: DeployedApi): number {
  if (local.operations.length === 0 || api.operations.length === 0) return 0;
  const names = new Set(api.operations.map((operation) => operation.name.toLowerCase()));
  const routes = new Set(api.operations.map((operation) => routeKey(operation.method, operation.urlTemplate)));
  const found = local.operations.filter((operation) => names.has(operation.name.toLowerCase()) || routes.has(routeKey(operation.method, operation.urlTemplate)));
  return found.length / local.operations.length;
}

/** `GET /orders/{}`: method and template with parameter names and a trailing slash left out. */
export function routeKey(method: string | undefined, urlTemplate: string | undefined): string {
  return `${(method ?? '').toUpperCase()} ${(urlTemplate ?? '').replace(/\{[^}]*\}/g, '{}').replace(/\/+$/, '').toLowerCase()}`;
}

function normalizeUrl(url: string): string {
  return url.trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/\/+/g, '/').replace(/\/$/, '');
}

function normalizeTitle(title: string | undefined): string {
  return (title ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '');
}

/**
 * The ARM id in Azure of a local resource (`apis/orders/operations/get-order`, `products/starter`,
 * `service`), through the API mappings; undefined for an API that is not mapped.
 */
export function deployedResourceId(resource: string, deployed: DeployedService, mappings: readonly ApiMapping[]): string | undefined {
  if (resource === 'service') return deployed.id;
  const parts = resource.split('/');
  if (parts[0] === 'apis') {
    const mapping = mappings.find((candidate) => candidate.local === parts[1] && candidate.deployed?.serviceId.toLowerCase() === deployed.id.toLowerCase());
    if (!mapping?.deployed) return undefined;
    parts[1] = mapping.deployed.api;
  }
  return `${deployed.id}/${parts.map(encodeURIComponent).join('/')}`;
}

/** The deployed service the mappings point at (the one the repository is for). */
export function mappedService(snapshot: DeployedSnapshot, mappings: readonly ApiMapping[]): DeployedService | undefined {
  const counts = new Map<string, number>();
  for (const mapping of mappings) if (mapping.deployed) counts.set(mapping.deployed.serviceId.toLowerCase(), (counts.get(mapping.deployed.serviceId.toLowerCase()) ?? 0) + 1);
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return best ? snapshot.services.find((service) => service.id.toLowerCase() === best[0]) : snapshot.services.length === 1 ? snapshot.services[0] : undefined;
}
