// What stands behind an API: the backend each operation's calls go to (the API's serviceUrl, an APIM
// backend, or a set-backend-service policy), the kind of Azure resource its host name is, and, when the
// repository's Bicep or Terraform declares that resource, what the declaration says about reaching it
// without the gateway. Whatever is not resolved says why (`unresolved`): never taken for safe or unsafe.
import * as path from 'path';
import type { EffectivePolicy } from '../analysis/effectivePolicy';
import type { ApiResource, ApimService, BackendResource, Declaration } from '../model';
import { attribute, descendants, type XmlElement } from '../policy/xml';
import type { SourceLocation } from '../text';
import { bicepValueAt, parseBicepFile, type BicepResource, type BicepValue } from '../workspace/bicepParser';
import { literalString, parseHcl, type HclBlock, type HclBody, type HclExpression } from '../workspace/hclParser';

/** The kinds of resource a backend host name or a declaration tells. */
export type BackendKind =
  | 'function-app'
  | 'app-service'
  | 'container-app'
  | 'aks'
  | 'logic-app'
  | 'azure-openai'
  | 'ai-foundry'
  | 'cognitive-services'
  | 'machine-learning'
  | 'ai-search'
  | 'service-bus'
  | 'event-hubs'
  | 'storage'
  | 'cosmos-db'
  | 'sql'
  | 'key-vault'
  | 'api-management'
  | 'private-address'
  | 'external'
  | 'unknown';

/** Kinds that hold data themselves: a call that reaches one reaches the data. */
export const DATA_STORE_KINDS: ReadonlySet<BackendKind> = new Set(['storage', 'service-bus', 'event-hubs', 'cosmos-db', 'sql', 'key-vault', 'ai-search']);

/** What the repository's declaration of the backend's resource says about reaching it without the gateway; absent fields are not written (or not literal: `notKnown`). */
export interface BackendResourceFacts {
  /** The resource's name as written (its Bicep symbol or Terraform address when the name is computed). */
  name: string;
  /** The declared type: `Microsoft.Web/sites`, `azurerm_linux_function_app`. */
  type: string;
  declaredAt: SourceLocation;
  /** `Disabled` when public network access is turned off. */
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  /** IP / network rules deny by default, or access restrictions are listed. */
  accessRestricted?: boolean;
  /** A private endpoint declared for it in the same files. */
  privateEndpoint?: boolean;
  /** App Service / Container Apps authentication requires callers to sign in (authsettingsV2, auth_settings_v2, authConfigs). */
  appServiceAuth?: boolean;
  managedIdentity?: boolean;
  /** Exposure properties written as expressions the files do not determine. */
  notKnown: string[];
}

/** One backend calls may reach. */
export interface ResolvedBackend {
  kind: BackendKind;
  /** The host name, when written literally. */
  host?: string;
  /** How the calls reach it: the API's `serviceUrl`, an APIM backend (`backends/<name>`), or a `set-backend-service` policy. */
  via: 'service-url' | 'backend' | 'set-backend-service';
  /** The APIM backend resource, when `via` names one. */
  backend?: string;
  /** Where the URL or the policy is written. */
  location: SourceLocation;
  /** The declaration of the resource behind it, when the repository has it. */
  resource?: BackendResourceFacts;
  /** Why the kind, or the resource, is not known (an unknown host, a computed URL, a declaration not found). */
  unresolved?: string;
}

/** Reachable from the internet without the gateway, as far as the declaration says: public access on, nothing restricting, no sign-in. */
export function callableDirectly(backend: ResolvedBackend): boolean {
  const resource = backend.resource;
  if (!resource || resource.notKnown.length > 0) return false;
  return resource.publicNetworkAccess !== 'Disabled' && !resource.accessRestricted && !resource.privateEndpoint && !resource.appServiceAuth;
}

const HOST_KINDS: [RegExp, BackendKind][] = [
  [/\.azurewebsites\.net$/, 'app-service'],
  [/\.azurecontainerapps\.io$/, 'container-app'],
  [/\.logic\.azure\.com$/, 'logic-app'],
  [/\.openai\.azure\.com$/, 'azure-openai'],
  [/\.services\.ai\.azure\.com$/, 'ai-foundry'],
  [/\.cognitiveservices\.azure\.com$/, 'cognitive-services'],
  [/\.(inference\.)?ml\.azure\.com$/, 'machine-learning'],
  [/\.search\.windows\.net$/, 'ai-search'],
  [/\.servicebus\.windows\.net$/, 'service-bus'],
  [/\.(blob|queue|table|file|dfs|web)\.core\.windows\.net$/, 'storage'],
  [/\.documents\.azure\.com$/, 'cosmos-db'],
  [/\.database\.windows\.net$/, 'sql'],
  [/\.vault\.azure\.net$/, 'key-vault'],
  [/\.azure-api\.net$/, 'api-management'],
  // An ingress controller's public IP with a DNS label, or the cluster's API server.
  [/\.cloudapp\.azure\.com$|\.azmk8s\.io$/, 'aks'],
];

/** The kind of a host name: an Azure service's suffix, an address on a private network, or outside Azure. */
export function hostKind(host: string): BackendKind {
  const lower = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  for (const [pattern, kind] of HOST_KINDS) if (pattern.test(lower)) return kind;
  if (/^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(lower) || /\.(internal|local|svc\.cluster\.local)$/.test(lower)) return 'private-address';
  return 'external';
}

/** A host suffix tells a family (azurewebsites.net: App Service, Functions, Logic Apps Standard); the declaration tells which. */
const HOST_FAMILIES: Partial<Record<BackendKind, BackendKind[]>> = {
  'app-service': ['app-service', 'function-app', 'logic-app'],
  'cognitive-services': ['cognitive-services', 'azure-openai', 'ai-foundry'],
};

/** Declared types (ARM and azurerm) → kind; `kind`-dependent ones (sites, cognitive accounts) are refined by `refineKind`. */
const TYPE_KINDS: Record<string, BackendKind> = {
  'microsoft.web/sites': 'app-service',
  'microsoft.app/containerapps': 'container-app',
  'microsoft.logic/workflows': 'logic-app',
  'microsoft.cognitiveservices/accounts': 'cognitive-services',
  'microsoft.machinelearningservices/workspaces/onlineendpoints': 'machine-learning',
  'microsoft.search/searchservices': 'ai-search',
  'microsoft.servicebus/namespaces': 'service-bus',
  'microsoft.eventhub/namespaces': 'event-hubs',
  'microsoft.storage/storageaccounts': 'storage',
  'microsoft.documentdb/databaseaccounts': 'cosmos-db',
  'microsoft.sql/servers': 'sql',
  'microsoft.keyvault/vaults': 'key-vault',
  'microsoft.containerservice/managedclusters': 'aks',
  'microsoft.apimanagement/service': 'api-management',
  azurerm_linux_function_app: 'function-app',
  azurerm_windows_function_app: 'function-app',
  azurerm_function_app: 'function-app',
  azurerm_function_app_flex_consumption: 'function-app',
  azurerm_linux_web_app: 'app-service',
  azurerm_windows_web_app: 'app-service',
  azurerm_app_service: 'app-service',
  azurerm_container_app: 'container-app',
  azurerm_logic_app_standard: 'logic-app',
  azurerm_logic_app_workflow: 'logic-app',
  azurerm_cognitive_account: 'cognitive-services',
  azurerm_ai_services: 'ai-foundry',
  azurerm_search_service: 'ai-search',
  azurerm_servicebus_namespace: 'service-bus',
  azurerm_eventhub_namespace: 'event-hubs',
  azurerm_storage_account: 'storage',
  azurerm_cosmosdb_account: 'cosmos-db',
  azurerm_mssql_server: 'sql',
  azurerm_key_vault: 'key-vault',
  azurerm_kubernetes_cluster: 'aks',
  azurerm_api_management: 'api-management',
};

/** A site's or a cognitive account's `kind` property says which service it is. */
function refineKind(kind: BackendKind, declaredKind: string | undefined): BackendKind {
  const lower = declaredKind?.toLowerCase() ?? '';
  if (kind === 'app-service' && lower.includes('workflowapp')) return 'logic-app';
  if (kind === 'app-service' && lower.includes('functionapp')) return 'function-app';
  if (kind === 'cognitive-services' && lower === 'openai') return 'azure-openai';
  if (kind === 'cognitive-services' && lower === 'aiservices') return 'ai-foundry';
  return kind;
}

/** Where to look for declarations: the text of a file, and the infrastructure files of the repository. */
export interface BackendSources {
  readText(file: string): string | undefined;
  /** The repository's `.tf` files (declarations of a Terraform module may be in any file of its folder). */
  files: readonly string[];
}

/**
 * The backends of one service, resolved once each: its APIM backends, its APIs' service URLs, and
 * what each operation's effective policy sends calls to.
 */
export class BackendResolver {
  private readonly byBackend = new Map<BackendResource, ResolvedBackend>();
  private readonly byApi = new Map<ApiResource, ResolvedBackend | undefined>();
  private readonly bicep = new Map<string, BicepResource[]>();
  private readonly terraform = new Map<string, { file: string; blocks: HclBlock[] }[]>();

  constructor(
    private readonly service: ApimService,
    private readonly sources: BackendSources,
  ) {}

  /** An APIM backend resource's target. */
  backend(backend: BackendResource): ResolvedBackend {
    let resolved = this.byBackend.get(backend);
    if (!resolved) this.byBackend.set(backend, (resolved = { ...this.url(backend.url, backend.declaration, ['url']), via: 'backend', backend: backend.id }));
    return resolved;
  }

  /** The API's `serviceUrl`, when it is written. */
  serviceUrl(api: ApiResource): ResolvedBackend | undefined {
    if (this.byApi.has(api)) return this.byApi.get(api);
    const written = api.serviceUrl !== undefined || writtenText(api.declaration, ['serviceUrl'], this.sources) !== undefined;
    const resolved = written ? { ...this.url(api.serviceUrl, api.declaration, ['serviceUrl']), via: 'service-url' as const } : undefined;
    this.byApi.set(api, resolved);
    return resolved;
  }

  /**
   * Where one operation's calls go: each `set-backend-service` of its effective policy, and the API's
   * `serviceUrl` unless a `set-backend-service` that every call runs replaces it.
   */
  operation(api: ApiResource, effective: EffectivePolicy): ResolvedBackend[] {
    const resolved: ResolvedBackend[] = [];
    let replaced = false;
    for (const section of ['inbound', 'backend'] as const) {
      for (const statement of effective.sections[section].statements) {
        const elements = statement.element.name === 'set-backend-service' ? [statement.element] : descendants(statement.element, 'set-backend-service');
        for (const element of elements) {
          if (element === statement.element) replaced = true;
          resolved.push(this.policyTarget(api, element, { file: statement.file, span: element.startTagSpan }));
        }
      }
    }
    const serviceUrl = replaced ? undefined : this.serviceUrl(api);
    if (serviceUrl) return [serviceUrl, ...resolved];
    if (resolved.length > 0) return resolved;
    return [unresolved('service-url', api.declaration.locate(['serviceUrl']), `API ${api.name} writes no serviceUrl, and no set-backend-service sets a backend`)];
  }

  private policyTarget(api: ApiResource, element: XmlElement, location: SourceLocation): ResolvedBackend {
    const backendId = attribute(element, 'backend-id')?.value;
    const baseUrl = attribute(element, 'base-url')?.value;
    if (backendId !== undefined) {
      if (backendId.startsWith('@') || backendId.includes('{{')) return unresolved('set-backend-service', location, `backend-id="${backendId}" is computed when the call is made`);
      // A policy written in a Terraform or Bicep string may interpolate a value only the deployment knows.
      if (backendId.includes('${')) return unresolved('set-backend-service', location, `backend-id="${backendId}" is interpolated by the deployment from values the files do not determine`);
      // `{backend-id}`: a token the deployment replaces in the policy's text (AI-Gateway's labs call replace() on it).
      if (/^\{[^{}]*\}$/.test(backendId)) return unresolved('set-backend-service', location, `backend-id="${backendId}" is a placeholder the deployment replaces`);
      const backend = this.backendNamed(backendId, api);
      if (!backend) return unresolved('set-backend-service', location, `backend-id="${backendId}" names no backend the repository declares`);
      return { ...this.backend(backend), via: 'set-backend-service', location };
    }
    if (baseUrl === undefined) return unresolved('set-backend-service', location, 'set-backend-service names neither a base-url nor a backend-id');
    if (baseUrl.startsWith('@')) return unresolved('set-backend-service', location, 'base-url is computed when the call is made');
    if (baseUrl.includes('{{')) return unresolved('set-backend-service', location, `base-url "${baseUrl}" is a named value's, which is not resolved`);
    return { ...fromHost(baseUrl, location), via: 'set-backend-service' };
  }

  /**
   * The backend a policy names: in the API's workspace, else the service's. Bicep deployments that
   * declare the same name are told apart by their entry file (`name (main.bicep)`): the API's own first.
   */
  private backendNamed(name: string, api: ApiResource): BackendResource | undefined {
    const candidates = this.service.backends.filter((candidate) => candidate.name === name || candidate.name.startsWith(`${name} (`));
    const ranked = [...candidates].sort((a, b) => rank(a) - rank(b));
    return ranked[0];
    function rank(candidate: BackendResource): number {
      return (candidate.workspace === api.workspace ? 0 : 2) + (candidate.declaration.file === api.declaration.file || candidate.name === name ? 0 : 1);
    }
  }

  /** A URL property: its literal value, else what its written expression refers to. */
  private url(value: string | undefined, declaration: Declaration, property: string[]): Omit<ResolvedBackend, 'via'> {
    const location = declaration.locate(property);
    if (value !== undefined && !value.includes('${')) return this.declaredHost(fromHost(value, location), declaration.file);
    const text = writtenText(declaration, property, this.sources);
    if (text === undefined) return { kind: 'unknown', location, unresolved: `no ${property.join('.')} is written (a load-balanced pool, or a URL a policy sets)` };
    const host = literalHost(text);
    if (host) return fromHost(`https://${host}`, location);
    const fromDeclaration = declaration.file.endsWith('.tf') ? this.terraformReference(text, declaration.file, location) : declaration.file.endsWith('.bicep') ? this.bicepReference(text, declaration.file, location) : this.armReference(text, location);
    return fromDeclaration ?? { kind: 'unknown', location, unresolved: `\`${shortText(text)}\` is computed from values the files do not determine` };
  }

  /**
   * A literal host whose first label is the name of a resource of the same kind that the infrastructure
   * code beside it declares (`stdata.blob.core.windows.net` and a storage account named `stdata`): that resource.
   */
  private declaredHost(resolved: Omit<ResolvedBackend, 'via'>, file: string): Omit<ResolvedBackend, 'via'> {
    const name = resolved.host?.split('.')[0];
    if (!name || resolved.kind === 'external' || resolved.kind === 'private-address') return resolved;
    const family = HOST_FAMILIES[resolved.kind] ?? [resolved.kind];
    const matches = (type: string, declaredKind: string | undefined): BackendKind | undefined => {
      const base = TYPE_KINDS[type.toLowerCase()];
      const kind = base && refineKind(base, declaredKind);
      return kind && family.includes(kind) ? kind : undefined;
    };
    if (file.endsWith('.bicep')) {
      const resources = this.bicepResources(file);
      for (const resource of resources) {
        const kind = !resource.existing && stringValue(bicepValueAt(resource.body, ['name']))?.toLowerCase() === name ? matches(resource.type, stringValue(bicepValueAt(resource.body, ['kind']))) : undefined;
        if (kind) return { ...resolved, kind, resource: bicepFacts(resource, resources, file, this.sources.readText(file) ?? '') };
      }
    }
    if (file.endsWith('.tf')) {
      const files = this.terraformFiles(path.dirname(file));
      for (const { file: declaredIn, blocks } of files) {
        for (const block of blocks) {
          const kind = literalString(attributeOf(block.body, 'name'))?.toLowerCase() === name ? matches(block.labels[0], literalString(attributeOf(block.body, 'kind'))) : undefined;
          if (kind) return { ...resolved, kind, resource: terraformFacts(block, declaredIn, files) };
        }
      }
    }
    return resolved;
  }

  /** `symbol.properties.defaultHostName`, `items[i].properties.endpoint`, `workflow.listCallbackUrl()` → the resource the same file declares as `symbol`. */
  private bicepReference(text: string, file: string, location: SourceLocation): Omit<ResolvedBackend, 'via'> | undefined {
    const reference = /\b([A-Za-z_]\w*)(?:\[[^\]]*\])?\.(properties\b|list\w*\()/.exec(text);
    const moduleOutput = /\b([A-Za-z_]\w*)(?:\[[^\]]*\])?\.outputs\./.exec(text);
    if (!reference) return moduleOutput ? { kind: 'unknown', location, unresolved: `\`${shortText(text)}\` is an output of module ${moduleOutput[1]}, which is not followed` } : undefined;
    const resources = this.bicepResources(file);
    const resource = resources.find((candidate) => candidate.symbol === reference[1]);
    if (!resource) return { kind: 'unknown', location, unresolved: `${reference[1]} is not a resource declared in ${path.basename(file)}` };
    const baseKind = TYPE_KINDS[resource.type.toLowerCase()];
    const declaredKind = stringValue(bicepValueAt(resource.body, ['kind']));
    if (!baseKind) return { kind: 'unknown', location, unresolved: `${reference[1]} is a ${resource.type}, not a kind of backend this tool knows` };
    return { kind: refineKind(baseKind, declaredKind), location, resource: bicepFacts(resource, resources, file, this.sources.readText(file) ?? '') };
  }

  private bicepResources(file: string): BicepResource[] {
    let resources = this.bicep.get(file);
    if (!resources) this.bicep.set(file, (resources = parseBicepFile(this.sources.readText(file) ?? '').resources));
    return resources;
  }

  /** `azurerm_linux_function_app.x.default_hostname` → the block declared in the module's folder; `azapi_resource.x` → the kind its `type` names. */
  private terraformReference(text: string, file: string, location: SourceLocation): Omit<ResolvedBackend, 'via'> | undefined {
    const azapi = /\bazapi_resource\.([A-Za-z_][\w-]*)/.exec(text);
    if (azapi) {
      const block = this.terraformFiles(path.dirname(file)).flatMap(({ blocks }) => blocks).find((candidate) => candidate.labels[0] === 'azapi_resource' && candidate.labels[1] === azapi[1]);
      const type = literalString(block && attributeOf(block.body, 'type'))?.replace(/@.*$/, '');
      const kind = type ? TYPE_KINDS[type.toLowerCase()] : undefined;
      if (!kind) return { kind: 'unknown', location, unresolved: block ? `azapi_resource.${azapi[1]} is a ${type ?? 'type not written literally'}, not a kind of backend this tool knows` : `azapi_resource.${azapi[1]} is not declared in the folder of ${path.basename(file)}` };
      return { kind, location, unresolved: `azapi_resource.${azapi[1]} is a ${type}; what its body says about reaching it is not read` };
    }
    const reference = /\b(azurerm_\w+)\.([A-Za-z_][\w-]*)/.exec(text);
    const moduleOutput = /\bmodule\.([\w-]+)\./.exec(text);
    if (!reference) return moduleOutput ? { kind: 'unknown', location, unresolved: `\`${shortText(text)}\` is an output of module ${moduleOutput[1]}, which is not followed` } : undefined;
    const [, type, name] = reference;
    const baseKind = TYPE_KINDS[type];
    if (!baseKind) return { kind: 'unknown', location, unresolved: `${type} is not a kind of backend this tool knows` };
    const files = this.terraformFiles(path.dirname(file));
    for (const { file: declaredIn, blocks } of files) {
      const block = blocks.find((candidate) => candidate.labels[0] === type && candidate.labels[1] === name);
      if (block) return { kind: refineKind(baseKind, literalString(attributeOf(block.body, 'kind'))), location, resource: terraformFacts(block, declaredIn, files) };
    }
    return { kind: baseKind, location, unresolved: `${type}.${name} is not declared in the folder of ${path.basename(file)}` };
  }

  private terraformFiles(folder: string): { file: string; blocks: HclBlock[] }[] {
    let parsed = this.terraform.get(folder);
    if (!parsed) {
      parsed = this.sources.files
        .filter((file) => file.endsWith('.tf') && path.dirname(file) === folder)
        .map((file) => ({ file, blocks: parseHcl(this.sources.readText(file) ?? '').body.blocks.filter((block) => block.type === 'resource') }));
      this.terraform.set(folder, parsed);
    }
    return parsed;
  }

  /** ARM: `reference(resourceId('Microsoft.Web/sites', ...)).defaultHostName` tells the kind; the resource itself is not looked up. */
  private armReference(text: string, location: SourceLocation): Omit<ResolvedBackend, 'via'> | undefined {
    const type = /resourceId\(\s*(?:[^,()]+,\s*)*?'(Microsoft\.[\w.]+\/[\w./]+)'/i.exec(text)?.[1];
    const kind = type && TYPE_KINDS[type.toLowerCase()];
    if (!kind) return undefined;
    return { kind, location, unresolved: `the URL is an ARM expression over a ${type}; its declaration is not looked up` };
  }
}

function unresolved(via: ResolvedBackend['via'], location: SourceLocation, why: string): ResolvedBackend {
  return { kind: 'unknown', via, location, unresolved: why };
}

function fromHost(url: string, location: SourceLocation): Omit<ResolvedBackend, 'via'> {
  const host = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@]*@)?([^/?#]+)/i.exec(url.trim())?.[2];
  if (!host) return { kind: 'unknown', location, unresolved: `"${shortText(url)}" has no host name` };
  if (host.includes('{{')) return { kind: 'unknown', host, location, unresolved: `the host ${host} is a named value's, which is not resolved` };
  const kind = hostKind(host);
  return { kind, host: host.toLowerCase(), location, unresolved: kind === 'external' ? `${host} is not a host name of an Azure service this tool knows` : undefined };
}

/** The host of a written URL whose host has no interpolation in its suffix: `https://${name}.search.windows.net` is AI Search. */
function literalHost(text: string): string | undefined {
  const match = /^['"]?[a-z]+:\/\/([^/'"?#]+)/i.exec(text.trim());
  if (!match) return undefined;
  const host = match[1];
  // Only the suffix decides the kind: a computed prefix (`${name}-${suffix}.`) is enough when the suffix is written.
  const suffix = host.slice(host.lastIndexOf('}') + 1);
  return /^[\w-]*(\.[\w-]+){2,}$/.test(suffix) && hostKind(suffix) !== 'external' ? host : undefined;
}

/** The text a declaration writes for a property (a Bicep or Terraform expression), when it writes one. */
function writtenText(declaration: Declaration, property: string[], sources: BackendSources): string | undefined {
  if (declaration.document) return undefined;
  const location = declaration.locate(property);
  const span = location.span;
  if (span.start === declaration.span.start || span.end - span.start > 2000) return undefined;
  const text = sources.readText(location.file)?.slice(span.start, span.end);
  if (text === undefined || /^(properties|resource)\b/.test(text) || text.trim() === 'null') return undefined;
  return text;
}

function shortText(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

function stringValue(value: BicepValue | undefined): string | undefined {
  return value?.kind === 'string' && !value.value.includes('${') ? value.value : undefined;
}

/** What a Bicep declaration writes about reaching the resource. */
function bicepFacts(resource: BicepResource, resources: readonly BicepResource[], file: string, text: string): BackendResourceFacts {
  const notKnown: string[] = [];
  const at = (...keys: string[]) => bicepValueAt(resource.body, keys);
  const literal = (value: BicepValue | undefined, name: string): string | boolean | number | null | undefined => {
    if (!value) return undefined;
    if (value.kind === 'literal') return value.value;
    const known = stringValue(value);
    if (known === undefined && (value.kind === 'string' || value.kind === 'expression')) notKnown.push(name);
    return known;
  };
  const facts: BackendResourceFacts = {
    name: stringValue(at('name')) ?? resource.symbol,
    type: resource.type,
    declaredAt: { file, span: resource.span },
    notKnown,
  };
  const access = literal(at('properties', 'publicNetworkAccess'), 'publicNetworkAccess') ?? literal(at('properties', 'siteConfig', 'publicNetworkAccess'), 'siteConfig.publicNetworkAccess');
  if (typeof access === 'string') facts.publicNetworkAccess = /^disabled$/i.test(access) ? 'Disabled' : 'Enabled';
  const external = literal(at('properties', 'configuration', 'ingress', 'external'), 'configuration.ingress.external');
  if (external === false) facts.publicNetworkAccess = 'Disabled';
  const denyByDefault = [at('properties', 'networkAcls', 'defaultAction'), at('properties', 'siteConfig', 'ipSecurityRestrictionsDefaultAction')].some((value) => /^deny$/i.test(String(literal(value, 'defaultAction') ?? '')));
  const restrictions = [at('properties', 'siteConfig', 'ipSecurityRestrictions'), at('properties', 'configuration', 'ingress', 'ipSecurityRestrictions')].some((value) => value?.kind === 'array' && value.items.length > 0);
  if (denyByDefault || restrictions) facts.accessRestricted = true;
  const identity = literal(at('identity', 'type'), 'identity.type');
  if (typeof identity === 'string') facts.managedIdentity = /assigned/i.test(identity);
  else if (!at('identity')) facts.managedIdentity = false;
  const refersTo = (other: BicepResource) => new RegExp(`\\b${resource.symbol}(\\[[^\\]]*\\])?\\.(id|name)\\b`).test(text.slice(other.span.start, other.span.end));
  facts.privateEndpoint = resources.some((other) => /^microsoft\.network\/privateendpoints$/i.test(other.type) && refersTo(other));
  if (/^microsoft\.(web\/sites|app\/containerapps)$/i.test(resource.type)) {
    const auth = resources.find((other) => isAuthConfig(other, resource));
    const require = auth && literal(bicepValueAt(auth.body, ['properties', 'globalValidation', 'requireAuthentication']), 'authsettingsV2.globalValidation.requireAuthentication');
    const enabled = auth && literal(bicepValueAt(auth.body, ['properties', 'platform', 'enabled']), 'authsettingsV2.platform.enabled');
    facts.appServiceAuth = require === true && enabled !== false;
  }
  return facts;
}

/**
 * The site's `Microsoft.Web/sites/config` named `authsettingsV2`, or the container app's `authConfigs`:
 * declared inside it, with `parent: it`, or named `'${it.name}/...'`.
 */
function isAuthConfig(other: BicepResource, site: BicepResource): boolean {
  const name = bicepValueAt(other.body, ['name']);
  const written = name?.kind === 'string' ? name.value : '';
  const isSiteAuth = /^(microsoft\.web\/sites\/)?config$/i.test(other.type) && /authsettingsv2/i.test(written);
  if (!isSiteAuth && !/^(microsoft\.app\/containerapps\/)?authconfigs$/i.test(other.type)) return false;
  const parent = bicepValueAt(other.body, ['parent']);
  return other.lexicalParent === site || (parent?.kind === 'expression' && parent.text.trim() === site.symbol) || written.includes(`\${${site.symbol}.name}`);
}

function attributeOf(body: HclBody, name: string): HclExpression | undefined {
  return body.attributes.find((candidate) => candidate.name === name)?.value;
}

function blocksOf(body: HclBody, type: string): HclBlock[] {
  return body.blocks.filter((block) => block.type === type);
}

/** What a Terraform resource block writes about reaching the resource. */
function terraformFacts(block: HclBlock, file: string, files: readonly { file: string; blocks: HclBlock[] }[]): BackendResourceFacts {
  const notKnown: string[] = [];
  const boolean = (body: HclBody | undefined, name: string): boolean | undefined => {
    const value = body && attributeOf(body, name);
    if (!value) return undefined;
    if (value.kind === 'literal' && typeof value.value === 'boolean') return value.value;
    notKnown.push(name);
    return undefined;
  };
  const [type, address] = block.labels;
  const facts: BackendResourceFacts = { name: literalString(attributeOf(block.body, 'name')) ?? `${type}.${address}`, type, declaredAt: { file, span: block.span }, notKnown };
  const publicAccess = boolean(block.body, 'public_network_access_enabled');
  if (publicAccess !== undefined) facts.publicNetworkAccess = publicAccess ? 'Enabled' : 'Disabled';
  const ingress = blocksOf(block.body, 'ingress')[0];
  if (ingress && boolean(ingress.body, 'external_enabled') === false) facts.publicNetworkAccess = 'Disabled';
  const siteConfig = blocksOf(block.body, 'site_config')[0];
  const deny = (body: HclBody | undefined, name: string) => /^deny$/i.test(literalString(body && attributeOf(body, name)) ?? '');
  const rules = [...blocksOf(block.body, 'network_rules'), ...blocksOf(block.body, 'network_acls')];
  if ((siteConfig && (blocksOf(siteConfig.body, 'ip_restriction').length > 0 || deny(siteConfig.body, 'ip_restriction_default_action'))) || rules.some((rule) => deny(rule.body, 'default_action')) || (ingress && blocksOf(ingress.body, 'ip_security_restriction').length > 0)) {
    facts.accessRestricted = true;
  }
  const identity = blocksOf(block.body, 'identity')[0];
  facts.managedIdentity = identity !== undefined;
  if (/_(function|web)_app$|^azurerm_(app_service|function_app|logic_app_standard|container_app)$/.test(type)) {
    const v2 = blocksOf(block.body, 'auth_settings_v2')[0];
    const v1 = blocksOf(block.body, 'auth_settings')[0];
    facts.appServiceAuth = v2 ? boolean(v2.body, 'auth_enabled') === true && boolean(v2.body, 'require_authentication') !== false : v1 ? boolean(v1.body, 'enabled') === true : false;
  }
  // Labels are any text: compared as strings, never made into a pattern.
  const references = [`${type}.${address}.id`, `${type}.${address}[].id`];
  facts.privateEndpoint = files.some(({ blocks }) => blocks.some((other) => other.labels[0] === 'azurerm_private_endpoint' && blockMentions(other, references)));
  return facts;
}

function blockMentions(block: HclBlock, references: readonly string[]): boolean {
  const mentions = (text: string) => text.split(' ').some((part) => references.includes(part));
  const walk = (body: HclBody): boolean => body.attributes.some((item) => mentions(expressionText(item.value))) || body.blocks.some((child) => walk(child.body));
  return walk(block.body);
}

/** An expression's references as text, enough to find `type.name.id` in it. */
function expressionText(expression: HclExpression): string {
  switch (expression.kind) {
    case 'traversal':
      return [expression.root, ...expression.steps.map((step) => (step.kind === 'attribute' ? step.name : '[]'))].join('.').replace(/\.\[\]/g, '[]');
    case 'template':
      return expression.parts.map((part) => (part.kind === 'interpolation' ? expressionText(part.expression) : '')).join(' ');
    case 'tuple':
      return expression.items.map(expressionText).join(' ');
    case 'call':
      return expression.args.map(expressionText).join(' ');
    default:
      return '';
  }
}
