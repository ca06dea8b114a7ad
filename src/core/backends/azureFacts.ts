// What Azure says about the resource behind a backend, from a snapshot's Resource Graph and ARM reads:
// its public network access, access restrictions (and whether only API Management may call), private
// endpoints, App Service authentication and managed identity. With a snapshot these are preferred over
// what the repository declares; each fact says where it came from, and a backend the snapshot does not
// find says why.
import type { DeployedBackendResource, DeployedSnapshot } from '../azure/snapshot';
import type { ResolvedBackend } from './resolve';

/** What a snapshot read about the resources behind backends, as the resolver needs it. */
export type AzureBackendsRead = { state: 'read'; hosts: readonly string[]; resources: readonly DeployedBackendResource[]; subscriptions: readonly string[] } | { state: 'unread'; why: string };

/** Azure's facts about one resource; an absent fact was not told (see `notRead`). */
export interface AzureBackendFacts {
  /** ARM id (lower case). */
  resourceId: string;
  name: string;
  type: string;
  kind?: string;
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  /** Inbound calls are restricted: a default action of Deny, or rules with an implicit deny after them. */
  accessRestricted?: boolean;
  /** Every rule that admits calls admits API Management only (its `ApiManagement` service tag); undefined when rules admit addresses or subnets that may or may not be the gateway's. */
  onlyApiManagement?: boolean;
  /** An approved private endpoint connection. */
  privateEndpoint?: boolean;
  /** App Service authentication (authsettingsV2) is on and rejects unauthenticated calls. */
  appServiceAuth?: boolean;
  managedIdentity?: boolean;
  /** Shared keys are turned off: only Entra ID tokens are accepted (Cognitive Services, Service Bus, Storage). */
  localAuthDisabled?: boolean;
  /** What Azure was not read for, each with why. */
  notRead: string[];
}

export type AzureLookup = { found: true; facts: AzureBackendFacts } | { found: false; why: string };

/** The resolver's view of a snapshot's backend resources; undefined without a snapshot. */
export function azureBackendsRead(snapshot: DeployedSnapshot, backendResourcesError: string | undefined): AzureBackendsRead {
  if (backendResourcesError !== undefined) return { state: 'unread', why: backendResourcesError };
  if (!snapshot.backendResources || !snapshot.backendHosts) return { state: 'unread', why: 'the snapshot was taken by a version that did not read the resources behind the backends' };
  return { state: 'read', hosts: snapshot.backendHosts, resources: snapshot.backendResources, subscriptions: snapshot.subscriptions.map((subscription) => subscription.id) };
}

/** The kinds of host a snapshot looks up (the export's families: App Service, Container Apps, Logic Apps, Cognitive Services, Service Bus, Storage). */
const LOOKED_UP_FAMILIES = new Set(['app-service', 'function-app', 'container-app', 'logic-app', 'azure-openai', 'ai-foundry', 'cognitive-services', 'service-bus', 'storage']);

/**
 * Azure's facts about the resource behind `backend`: found by its host name (a Consumption workflow's
 * host is its region's, shared: found only when one workflow of the snapshot answers on it), else by
 * the name the repository declares it with. Undefined when no snapshot applies or the kind is not one
 * Azure is asked about and nothing names a resource.
 */
export function lookupAzure(read: AzureBackendsRead | undefined, backend: Pick<ResolvedBackend, 'kind' | 'host' | 'resource'>): AzureLookup | undefined {
  if (!read) return undefined;
  const declaredName = backend.resource && !backend.resource.name.includes('${') ? backend.resource.name.toLowerCase() : undefined;
  const host = backend.host?.toLowerCase().replace(/:\d+$/, '');
  // The resolver's kind comes from the host name's suffix, or from the declaration.
  if (!LOOKED_UP_FAMILIES.has(backend.kind)) return undefined;
  if (read.state === 'unread') return { found: false, why: `Azure's facts about it are not known: ${read.why}` };
  const byHost = host ? read.resources.filter((resource) => resource.hostNames.includes(host)) : [];
  const byName = byHost.length === 0 && declaredName ? read.resources.filter((resource) => resource.name.toLowerCase() === declaredName) : [];
  const found = byHost.length > 0 ? byHost : byName;
  if (found.length === 1) return { found: true, facts: azureFacts(found[0]) };
  if (found.length > 1) return { found: false, why: `${found.length} resources of the snapshot answer on ${host ?? declaredName} (${found.map((resource) => resource.name).join(', ')}): which one is behind the backend is not known` };
  const subscriptions = read.subscriptions.length > 0 ? `subscription ${read.subscriptions.join(', ')}` : 'the snapshot';
  if (host === undefined) return { found: false, why: `its host name is not known from the files, and no resource named ${declaredName ?? '(no literal name)'} is in ${subscriptions}` };
  if (!read.hosts.includes(host)) return { found: false, why: `the deployed service does not call ${host}, so the snapshot did not look it up` };
  return { found: false, why: `Resource Graph found no resource answering on ${host} in ${subscriptions}` };
}

/** Azure's facts about the App Service site a URL calls (`https://<app>.azurewebsites.net/...`), when the snapshot found it. */
export function azureFactsAt(read: AzureBackendsRead | undefined, url: string): AzureBackendFacts | undefined {
  const host = /^https?:\/\/([^/:?#]+)/i.exec(url.trim())?.[1]?.toLowerCase();
  const found = host ? lookupAzure(read, { kind: 'app-service', host }) : undefined;
  return found?.found ? found.facts : undefined;
}

/** Azure's facts about the App Service site named `name` (a Function App, a Logic App Standard), when the snapshot found it. */
export function azureFactsOfSite(read: AzureBackendsRead | undefined, name: string | undefined): AzureBackendFacts | undefined {
  if (read?.state !== 'read' || name === undefined) return undefined;
  const sites = read.resources.filter((resource) => resource.type === 'microsoft.web/sites' && resource.name.toLowerCase() === name.toLowerCase());
  return sites.length === 1 ? azureFacts(sites[0]) : undefined;
}

/** A resource of the snapshot as facts; what the snapshot did not tell is named in `notRead`. */
export function azureFacts(resource: DeployedBackendResource): AzureBackendFacts {
  const notRead: string[] = [];
  const failed = (operation: string) => resource.errors.find((error) => error.operation === operation);
  const site = resource.type === 'microsoft.web/sites';
  const facts: AzureBackendFacts = { resourceId: resource.id, name: resource.name, type: resource.type, kind: resource.kind, notRead };
  // Every type looked up is public unless told otherwise: Azure's default.
  facts.publicNetworkAccess = /^disabled$/i.test(resource.publicNetworkAccess ?? '') ? 'Disabled' : 'Enabled';
  const restrictions = resource.accessRestrictions;
  if (restrictions) {
    const admitting = restrictions.rules.filter((rule) => /^allow$/i.test(rule.action ?? 'Allow') && !admitsAll(rule));
    const restricted = /^deny$/i.test(restrictions.defaultAction ?? '') || (!/^allow$/i.test(restrictions.defaultAction ?? '') && restrictions.rules.some((rule) => !admitsAll(rule)));
    facts.accessRestricted = restricted;
    if (restricted) {
      const apimTag = (rule: (typeof admitting)[number]) => /^servicetag$/i.test(rule.tag ?? '') && /^apimanagement(\.|$)/i.test(rule.ipAddress ?? '');
      facts.onlyApiManagement = admitting.every(apimTag) ? true : admitting.some((rule) => /^servicetag$/i.test(rule.tag ?? '') && !apimTag(rule)) ? false : undefined;
    }
  } else if (site && failed('siteConfig')) notRead.push(`access restrictions (config/web: ${failed('siteConfig')!.message})`);
  else if (resource.type === 'microsoft.servicebus/namespaces') notRead.push('IP rules (networkRuleSets are not read)');
  else facts.accessRestricted = false;
  if (resource.privateEndpoints) facts.privateEndpoint = resource.privateEndpoints.some((connection) => /^approved$/i.test(connection.status ?? ''));
  else if (resource.type === 'microsoft.app/containerapps') notRead.push("private endpoints (its environment's, not read)");
  else if (site && failed('privateEndpointConnections')) notRead.push(`private endpoints (${failed('privateEndpointConnections')!.message})`);
  else facts.privateEndpoint = false;
  if (site) {
    if (resource.authentication) facts.appServiceAuth = resource.authentication.enabled === true && resource.authentication.requireAuthentication === true && !/^allowanonymous$/i.test(resource.authentication.unauthenticatedClientAction ?? '');
    else notRead.push(`App Service authentication (config/authsettingsV2${failed('authsettingsV2') ? `: ${failed('authsettingsV2')!.message}` : ''})`);
  } else if (resource.type === 'microsoft.app/containerapps') notRead.push('authentication (authConfigs are not read)');
  if (resource.identity !== undefined) facts.managedIdentity = !/^none$/i.test(resource.identity);
  else facts.managedIdentity = false;
  if (resource.localAuthDisabled !== undefined) facts.localAuthDisabled = resource.localAuthDisabled;
  return facts;
}

/** A rule admitting any address: App Service's implicit "Allow all" (`Any`), or 0.0.0.0/0. */
function admitsAll(rule: { action?: string; ipAddress?: string; vnetSubnetResourceId?: string }): boolean {
  return /^allow$/i.test(rule.action ?? 'Allow') && !rule.vnetSubnetResourceId && /^(any|0\.0\.0\.0\/0|\*)$/i.test(rule.ipAddress ?? '');
}

/** Reachable from the internet without the gateway, as Azure says: public, unrestricted, no private endpoint, no App Service authentication; not when a fact that could stop it was not read. */
export function callableDirectlyInAzure(facts: AzureBackendFacts): boolean {
  return reachableInAzure(facts).reachable === true;
}

/** Whether Azure's facts let a call from the internet reach the resource without the gateway, naming each fact that decides it (as `directlyReachable` does for declarations). */
export function reachableInAzure(facts: AzureBackendFacts): { reachable: boolean | 'unknown'; because: string[] } {
  const checks: [boolean | undefined, string, string][] = [
    [facts.publicNetworkAccess === undefined ? undefined : facts.publicNetworkAccess === 'Disabled', 'public network access is disabled', 'public network access is enabled'],
    [facts.accessRestricted, facts.onlyApiManagement ? 'access restrictions admit only API Management' : 'access restrictions are set', 'no access restriction'],
    [facts.privateEndpoint, 'a private endpoint is approved', 'no private endpoint'],
    [facts.appServiceAuth, 'App Service authentication is required', 'no App Service authentication'],
  ];
  const said = (text: string) => `${text} (Azure)`;
  const stopping = checks.filter(([value]) => value === true);
  if (stopping.length > 0) return { reachable: false, because: stopping.map(([, yes]) => said(yes)) };
  if (facts.notRead.length > 0) return { reachable: 'unknown', because: facts.notRead.map((what) => `not read from Azure: ${what}`) };
  return { reachable: true, because: checks.filter(([value]) => value === false).map(([, , no]) => said(no)) };
}

/** One exposure fact of a backend, and where it came from. */
export interface ExposureFact {
  fact: 'publicNetworkAccess' | 'accessRestricted' | 'onlyApiManagement' | 'privateEndpoint' | 'appServiceAuth' | 'managedIdentity';
  value?: string | boolean;
  /** `azure`: the snapshot's Resource Graph and ARM reads; `declaration`: the repository's Bicep or Terraform. */
  source: 'azure' | 'declaration';
}

/** The backend's exposure facts, Azure's preferred where the snapshot tells them, else the declaration's. */
export function exposureFacts(backend: Pick<ResolvedBackend, 'resource' | 'azure'>): ExposureFact[] {
  const azure = backend.azure?.found ? backend.azure.facts : undefined;
  const declared = backend.resource;
  const facts: ExposureFact[] = [];
  for (const fact of ['publicNetworkAccess', 'accessRestricted', 'onlyApiManagement', 'privateEndpoint', 'appServiceAuth', 'managedIdentity'] as const) {
    const fromAzure = azure?.[fact];
    const fromDeclaration = fact === 'onlyApiManagement' ? undefined : declared?.[fact];
    if (fromAzure !== undefined) facts.push({ fact, value: fromAzure, source: 'azure' });
    else if (fromDeclaration !== undefined) facts.push({ fact, value: fromDeclaration, source: 'declaration' });
  }
  return facts;
}
