// The Azure resources behind the deployed services' backends: which hosts the services call (service
// URLs, APIM backends, `set-backend-service` base URLs), the resources Resource Graph finds behind
// them, and, for App Service sites (Function Apps, Logic Apps Standard, web apps), what only ARM tells:
// access restrictions (`config/web`), App Service authentication (`config/authsettingsV2`) and private
// endpoint connections. No SDK of the snapshot's has Microsoft.Web, so those three reads go through the
// SecurityCenter client's own pipeline, as apiCollections do. Shapes: azure-rest-api-specs,
// Microsoft.Web/stable/2023-12-01 (WebApps.json: Site, SiteConfig, IpSecurityRestriction,
// SiteAuthSettingsV2), Microsoft.App ContainerApps.json (Ingress), Microsoft.Logic workflows
// (accessControl), CognitiveServices / ServiceBus / Storage accounts (networkAcls,
// privateEndpointConnections, disableLocalAuth / allowSharedKeyAccess).
import { hostKind, type BackendKind } from '../backends/resolve';
import { mapLimit, sendArm } from './arm';
import { attempt, type LoadContext } from './loadContext';
import { graphQuery } from './resourceGraph';
import type { DeployedAccessRule, DeployedBackendResource, DeployedService, SnapshotError } from './snapshot';

export const WEB_API_VERSION = '2023-12-01';

/** The kinds of host whose resources are looked up: the services the issue names. */
const LOOKED_UP_KINDS: ReadonlySet<BackendKind> = new Set(['app-service', 'container-app', 'logic-app', 'azure-openai', 'ai-foundry', 'cognitive-services', 'service-bus', 'storage']);

const RESOURCE_TYPES = ['microsoft.web/sites', 'microsoft.app/containerapps', 'microsoft.logic/workflows', 'microsoft.cognitiveservices/accounts', 'microsoft.servicebus/namespaces', 'microsoft.storage/storageaccounts'];

/** Hosts per query: each is written twice into its text, and a query's text is bounded. */
const HOSTS_PER_QUERY = 200;

/** What the deployed services call: host names of Azure services, and Consumption workflows' ids (their host is the region's). */
export interface BackendTargets {
  hosts: string[];
  workflowIds: string[];
}

/** The hosts (and workflow ids) of every URL the services send calls to, as far as the deployed configuration writes them. */
export function backendTargets(services: readonly DeployedService[]): BackendTargets {
  const urls: string[] = [];
  for (const service of services) {
    for (const api of service.apis) if (api.serviceUrl) urls.push(api.serviceUrl);
    for (const backend of service.backends) if (backend.url) urls.push(backend.url);
    const policies = [service.policy, ...service.apis.flatMap((api) => [api.policy, ...api.operations.map((operation) => operation.policy)]), ...service.products.map((product) => product.policy), ...service.fragments.map((fragment) => fragment.policy)];
    for (const policy of policies) for (const match of (policy?.value ?? '').matchAll(/base-url\s*=\s*"([^"@{]+)"/g)) urls.push(match[1]);
  }
  const hosts = new Set<string>();
  const workflowIds = new Set<string>();
  for (const url of urls) {
    const parsed = /^https?:\/\/([a-z0-9.-]+)(?::\d+)?(\/[^?#]*)?/i.exec(url.trim());
    if (!parsed) continue;
    const host = parsed[1].toLowerCase().replace(/\.$/, '');
    if (!LOOKED_UP_KINDS.has(hostKind(host))) continue;
    hosts.add(host);
    const workflow = hostKind(host) === 'logic-app' ? /\/workflows\/([0-9a-f]{16,64})(?:\/|$)/i.exec(parsed[2] ?? '')?.[1] : undefined;
    if (workflow) workflowIds.add(workflow.toLowerCase());
  }
  return { hosts: [...hosts].sort(), workflowIds: [...workflowIds].sort() };
}

/**
 * The Resource Graph query for the resources behind `hosts`: by name (the host's first label is the
 * resource's name for every type looked up), by default host name or ingress FQDN (a site's unique
 * default host name `<name>-<hash>.<region>.azurewebsites.net`), by custom subdomain (Cognitive
 * Services), and Consumption workflows by the id in their access endpoint. Host names are checked to
 * be letters, digits, dots and dashes before they are written into the query.
 */
export function backendResourcesQuery(hosts: readonly string[], workflowIds: readonly string[] = []): string {
  const safeHosts = hosts.filter((host) => /^[a-z0-9.-]+$/.test(host));
  const labels = [...new Set(safeHosts.map((host) => host.split('.')[0]))];
  const list = (values: readonly string[]) => `(${values.map((value) => `'${value}'`).join(', ')})`;
  const conditions = [
    ...(labels.length > 0 ? [`name in~ ${list(labels)}`, `subdomain in~ ${list(labels)}`] : []),
    ...(safeHosts.length > 0 ? [`defaultHostName in~ ${list(safeHosts)}`, `fqdn in~ ${list(safeHosts)}`] : []),
    ...(workflowIds.length > 0 ? [`accessEndpoint has_any ${list(workflowIds.filter((id) => /^[0-9a-f]+$/.test(id)))}`] : []),
  ];
  return [
    'resources',
    `| where type in~ ${list(RESOURCE_TYPES)}`,
    '| extend defaultHostName = tostring(properties.defaultHostName), fqdn = tostring(properties.configuration.ingress.fqdn), subdomain = tostring(properties.customSubDomainName), accessEndpoint = tostring(properties.accessEndpoint)',
    `| where ${conditions.join(' or ')}`,
    '| project id, name, type, kind, identity, properties',
    '| order by id asc',
  ].join('\n');
}

/**
 * The resources behind the services' backends, each site completed from ARM; undefined when the query
 * failed (recorded in `errors` as `backendResources`, so that no list stands for "none found").
 */
export async function loadBackendResources(context: LoadContext, subscriptions: string[], targets: BackendTargets, errors: SnapshotError[]): Promise<DeployedBackendResource[] | undefined> {
  if (targets.hosts.length === 0) return [];
  context.progress({ phase: 'inventory', message: `Reading the Azure resources behind ${targets.hosts.length} backend host(s)` });
  const before = errors.length;
  const rows: Record<string, unknown>[] = [];
  for (let start = 0; start < targets.hosts.length; start += HOSTS_PER_QUERY) {
    const chunk = targets.hosts.slice(start, start + HOSTS_PER_QUERY);
    const workflowIds = start === 0 ? targets.workflowIds : [];
    rows.push(...(await graphQuery(context, subscriptions, backendResourcesQuery(chunk, workflowIds), errors, 'backendResources')));
  }
  if (errors.length > before) return undefined;
  const byId = new Map<string, DeployedBackendResource>();
  for (const row of rows) {
    const resource = backendResource(row);
    if (resource && !byId.has(resource.id)) byId.set(resource.id, resource);
  }
  const resources = [...byId.values()];
  await mapLimit(
    resources.filter((resource) => resource.type === 'microsoft.web/sites'),
    context.options.concurrency ?? 16,
    (site) => completeSite(context, site),
  );
  return resources;
}

/** One Resource Graph row as the snapshot keeps it; undefined for a row without id, name or type. */
export function backendResource(row: Record<string, unknown>): DeployedBackendResource | undefined {
  const id = text(row.id);
  const name = text(row.name);
  const type = text(row.type)?.toLowerCase();
  if (!id || !name || !type) return undefined;
  const p = record(row.properties);
  const resource: DeployedBackendResource = { id: id.toLowerCase(), name, type, kind: text(row.kind), hostNames: [], identity: text(record(row.identity).type), errors: [] };
  const hosts = new Set<string>();
  const addHost = (value: unknown) => {
    const host = hostOf(value);
    if (host) hosts.add(host);
  };
  resource.publicNetworkAccess = text(p.publicNetworkAccess);
  resource.privateEndpoints = connections(p.privateEndpointConnections);
  switch (type) {
    case 'microsoft.web/sites':
      addHost(p.defaultHostName);
      for (const host of array(p.hostNames)) addHost(host);
      break;
    case 'microsoft.app/containerapps': {
      const ingress = record(record(p.configuration).ingress);
      addHost(ingress.fqdn);
      for (const domain of array(ingress.customDomains)) addHost(record(domain).name);
      if (typeof ingress.external === 'boolean') resource.publicNetworkAccess = ingress.external ? 'Enabled' : 'Disabled';
      const rules = array(ingress.ipSecurityRestrictions).map(record);
      // Container Apps: all rules Allow, or all Deny; with Allow rules, whatever they do not list is denied.
      if (rules.length > 0) resource.accessRestrictions = { defaultAction: rules.some((rule) => rule.action === 'Allow') ? 'Deny' : 'Allow', rules: rules.map((rule) => ({ name: text(rule.name), action: text(rule.action), tag: 'Default', ipAddress: text(rule.ipAddressRange) })) };
      // Private endpoints of a container app are its environment's, which is not read.
      resource.privateEndpoints = undefined;
      break;
    }
    case 'microsoft.logic/workflows': {
      resource.accessEndpoint = text(p.accessEndpoint);
      addHost(p.accessEndpoint);
      const allowed = array(record(record(p.accessControl).triggers).allowedCallerIpAddresses).map(record);
      if (allowed.length > 0) resource.accessRestrictions = { defaultAction: 'Deny', rules: allowed.map((rule) => ({ action: 'Allow', tag: 'Default', ipAddress: text(rule.addressRange) })) };
      break;
    }
    case 'microsoft.cognitiveservices/accounts':
      addHost(p.endpoint);
      for (const endpoint of Object.values(record(p.endpoints))) addHost(endpoint);
      resource.accessRestrictions = networkAcls(p.networkAcls);
      if (typeof p.disableLocalAuth === 'boolean') resource.localAuthDisabled = p.disableLocalAuth;
      break;
    case 'microsoft.servicebus/namespaces':
      addHost(p.serviceBusEndpoint);
      // Its IP rules are a resource of their own (networkRuleSets/default), not read.
      if (typeof p.disableLocalAuth === 'boolean') resource.localAuthDisabled = p.disableLocalAuth;
      break;
    case 'microsoft.storage/storageaccounts':
      for (const endpoint of Object.values(record(p.primaryEndpoints))) addHost(endpoint);
      resource.accessRestrictions = networkAcls(p.networkAcls);
      if (typeof p.allowSharedKeyAccess === 'boolean') resource.localAuthDisabled = !p.allowSharedKeyAccess;
      break;
  }
  resource.hostNames = [...hosts].sort();
  return resource;
}

/** A site's access restrictions, App Service authentication and private endpoints, from ARM; each failed read is recorded on the site. */
async function completeSite(context: LoadContext, site: DeployedBackendResource): Promise<void> {
  const subscriptionId = site.id.split('/')[2];
  const client = context.clients.security(subscriptionId);
  const get = async (url: string) => (await sendArm(client, url, 'GET', context.options.abortSignal)).body;
  const at = (path: string) => `${context.endpoint}${site.id}/${path}?api-version=${WEB_API_VERSION}`;
  // A list, page after page (`nextLink`).
  const all = async (url: string | undefined) => {
    const items: unknown[] = [];
    while (url) {
      const page = record(await get(url));
      items.push(...array(page.value));
      url = text(page.nextLink);
    }
    return items;
  };
  const [web, auth, endpoints] = await Promise.all([
    attempt(context, site.errors, 'siteConfig', `${site.id}/config/web`, () => get(at('config/web'))),
    attempt(context, site.errors, 'authsettingsV2', `${site.id}/config/authsettingsV2`, () => get(at('config/authsettingsV2'))),
    attempt(context, site.errors, 'privateEndpointConnections', `${site.id}/privateEndpointConnections`, () => all(at('privateEndpointConnections'))),
  ]);
  if (web !== undefined) {
    const config = record(record(web).properties);
    site.publicNetworkAccess ??= text(config.publicNetworkAccess);
    site.accessRestrictions = { defaultAction: text(config.ipSecurityRestrictionsDefaultAction), rules: array(config.ipSecurityRestrictions).map(accessRule) };
  }
  if (auth !== undefined) {
    const properties = record(record(auth).properties);
    const validation = record(properties.globalValidation);
    site.authentication = {
      enabled: boolean(record(properties.platform).enabled),
      requireAuthentication: boolean(validation.requireAuthentication),
      unauthenticatedClientAction: text(validation.unauthenticatedClientAction),
    };
  }
  if (endpoints !== undefined) site.privateEndpoints = connections(endpoints);
}

function accessRule(value: unknown): DeployedAccessRule {
  const rule = record(value);
  return {
    name: text(rule.name),
    action: text(rule.action),
    tag: text(rule.tag),
    ipAddress: text(rule.ipAddress),
    vnetSubnetResourceId: text(rule.vnetSubnetResourceId),
    priority: typeof rule.priority === 'number' && Number.isInteger(rule.priority) ? rule.priority : undefined,
  };
}

/** `networkAcls` of Cognitive Services and Storage accounts, as App Service's rules. */
function networkAcls(value: unknown): DeployedBackendResource['accessRestrictions'] {
  const acls = record(value);
  if (Object.keys(acls).length === 0) return undefined;
  const rules: DeployedAccessRule[] = [
    ...array(acls.ipRules).map((rule) => ({ action: text(record(rule).action) ?? 'Allow', tag: 'Default', ipAddress: text(record(rule).value) })),
    ...array(acls.virtualNetworkRules).map((rule) => ({ action: text(record(rule).action) ?? 'Allow', vnetSubnetResourceId: text(record(rule).id) })),
  ];
  return { defaultAction: text(acls.defaultAction), rules };
}

function connections(value: unknown): DeployedBackendResource['privateEndpoints'] {
  if (!Array.isArray(value)) return undefined;
  return value.map(record).map((connection) => {
    const properties = record(connection.properties);
    return { id: text(record(properties.privateEndpoint).id) ?? text(connection.id), status: text(record(properties.privateLinkServiceConnectionState).status) };
  });
}

/** The host of a URL (`https://x.servicebus.windows.net:443/`) or of a bare host name, lower case. */
function hostOf(value: unknown): string | undefined {
  const written = text(value);
  if (!written) return undefined;
  const host = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^/:?#]+)/i.exec(written.trim())?.[1]?.toLowerCase();
  return host && /^[a-z0-9.-]+$/.test(host) ? host : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value.slice(0, 10_000) : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function boolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}
