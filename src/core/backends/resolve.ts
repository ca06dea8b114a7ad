// What stands behind an API: the backend each operation's calls go to (the API's serviceUrl, an APIM
// backend, or a set-backend-service policy), the kind of Azure resource its host name is, and, when the
// repository's Bicep, Terraform or ARM templates declare that resource (the declared apps of the scan,
// workspace/declaredApps.ts), what the declaration says about reaching it without the gateway.
// Whatever is not resolved says why (`unresolved`): never taken for safe or unsafe.
import * as path from 'path';
import type { EffectivePolicy } from '../analysis/effectivePolicy';
import type { ApiResource, ApimService, BackendResource, DeclaredApp, Declaration } from '../model';
import { attribute, descendants, type XmlElement } from '../policy/xml';
import type { SourceLocation } from '../text';
import { callableDirectlyInAzure, lookupAzure, type AzureLookup } from './azureFacts';
import { declaredAs, declaredNamed, refineKind, TYPE_KINDS } from '../workspace/declaredApps';

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
  /** The declared app it is, when the repository declares it. */
  app?: DeclaredApp;
  /** Why the kind, or the resource, is not known (an unknown host, a computed URL, a declaration not found). */
  unresolved?: string;
  /** With a snapshot: what Azure says of the resource (preferred over the declaration), or why the snapshot does not tell. */
  azure?: AzureLookup;
}

/** Reachable from the internet without the gateway, as far as the declaration says: public access on, nothing restricting, no sign-in. */
export function callableDirectly(backend: ResolvedBackend): boolean {
  if (backend.azure?.found) return callableDirectlyInAzure(backend.azure.facts);
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

/** The text of the files declarations are written in: the expression a URL is computed by. */
export interface BackendSources {
  readText(file: string): string | undefined;
}

/**
 * The backends of one service, resolved once each: its APIM backends, its APIs' service URLs, and
 * what each operation's effective policy sends calls to.
 */
export class BackendResolver {
  private readonly byBackend = new Map<BackendResource, ResolvedBackend>();
  private readonly byApi = new Map<ApiResource, ResolvedBackend | undefined>();
  private readonly apps: readonly DeclaredApp[];

  constructor(
    private readonly service: ApimService,
    private readonly sources: BackendSources,
  ) {
    this.apps = service.declaredApps ?? [];
  }

  /** An APIM backend resource's target. */
  backend(backend: BackendResource): ResolvedBackend {
    let resolved = this.byBackend.get(backend);
    if (!resolved) this.byBackend.set(backend, (resolved = this.withAzure({ ...this.url(backend.url, backend.declaration, ['url']), via: 'backend', backend: backend.id })));
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
    if (serviceUrl) return [serviceUrl, ...resolved].map((backend) => this.withAzure(backend));
    if (resolved.length > 0) return resolved.map((backend) => this.withAzure(backend));
    return [unresolved('service-url', api.declaration.locate(['serviceUrl']), `API ${api.name} writes no serviceUrl, and no set-backend-service sets a backend`)];
  }

  /** The one place Azure's facts join what the files say: a snapshot's resource behind the backend, or why it has none. */
  private withAzure(backend: ResolvedBackend): ResolvedBackend {
    if (backend.azure) return backend;
    const azure = lookupAzure(this.service.deployment?.azureBackends, backend);
    if (!azure) return backend;
    // Azure's `kind` tells which service of a host's family it is (a Function App among azurewebsites.net sites).
    return { ...backend, kind: azure.found ? refineKind(backend.kind, azure.facts.kind) : backend.kind, azure };
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
    const fromDeclaration = declaration.file.endsWith('.tf') ? this.terraformReference(text, declaration.file, location) : declaration.file.endsWith('.bicep') ? this.bicepReference(text, declaration.file, location) : this.armReference(text, declaration.file, location);
    return fromDeclaration ?? { kind: 'unknown', location, unresolved: `\`${shortText(text)}\` is computed from values the files do not determine` };
  }

  /**
   * A literal host whose first label is the name of a resource of the same kind that the scanned
   * folder declares (`stdata.blob.core.windows.net` and a storage account named `stdata`): that resource.
   */
  private declaredHost(resolved: Omit<ResolvedBackend, 'via'>, file: string): Omit<ResolvedBackend, 'via'> {
    const name = resolved.host?.split('.')[0];
    if (!name || resolved.kind === 'external' || resolved.kind === 'private-address') return resolved;
    const app = declaredNamed(this.apps, name, HOST_FAMILIES[resolved.kind] ?? [resolved.kind], file);
    return app ? { ...resolved, ...declared(app, resolved.location) } : resolved;
  }

  /** `symbol.properties.defaultHostName`, `items[i].properties.endpoint`, `workflow.listCallbackUrl()`, `site.outputs.defaultHostname` → what the same file declares as `symbol`. */
  private bicepReference(text: string, file: string, location: SourceLocation): Omit<ResolvedBackend, 'via'> | undefined {
    const reference = /\b([A-Za-z_]\w*)(?:\[[^\]]*\])?\.(properties\b|list\w*\()/.exec(text);
    const moduleOutput = /\b([A-Za-z_]\w*)(?:\[[^\]]*\])?\.outputs\./.exec(text);
    const moduleApp = moduleOutput && declaredAs(this.apps, moduleOutput[1], file);
    if (moduleApp) return declared(moduleApp, location);
    if (!reference) return moduleOutput ? { kind: 'unknown', location, unresolved: `\`${shortText(text)}\` is an output of module ${moduleOutput[1]}, which is not followed` } : undefined;
    const app = declaredAs(this.apps, reference[1], file);
    return app ? declared(app, location) : { kind: 'unknown', location, unresolved: `${reference[1]} is not a resource of a kind of backend this tool knows declared in ${path.basename(file)}` };
  }

  /** `azurerm_linux_function_app.x.default_hostname`, `azapi_resource.x` → what the module's folder declares as it. */
  private terraformReference(text: string, file: string, location: SourceLocation): Omit<ResolvedBackend, 'via'> | undefined {
    const reference = /\b(azapi_resource|azurerm_\w+)\.([A-Za-z_][\w-]*)/.exec(text);
    const moduleOutput = /\bmodule\.([\w-]+)\./.exec(text);
    if (!reference) return moduleOutput ? { kind: 'unknown', location, unresolved: `\`${shortText(text)}\` is an output of module ${moduleOutput[1]}, which is not followed` } : undefined;
    const [symbol, type] = reference;
    const app = declaredAs(this.apps, symbol, file);
    if (app) return declared(app, location);
    const kind = TYPE_KINDS[type];
    if (type !== 'azapi_resource' && !kind) return { kind: 'unknown', location, unresolved: `${type} is not a kind of backend this tool knows` };
    return { kind: kind ?? 'unknown', location, unresolved: `${symbol} is not declared in the folder of ${path.basename(file)}${kind ? '' : ' as a kind of backend this tool knows'}` };
  }

  /** ARM: `reference(resourceId('Microsoft.Web/sites', <name>)).defaultHostName` → the resource of that type the template declares with that name. */
  private armReference(text: string, file: string, location: SourceLocation): Omit<ResolvedBackend, 'via'> | undefined {
    const call = /resourceId\(\s*(?:[^,()]+,\s*)*?'(Microsoft\.[\w.]+\/[\w./]+)'\s*,\s*((?:[^()]|\([^()]*\))+?)\s*\)/i.exec(text);
    const type = call?.[1] ?? /resourceId\(\s*(?:[^,()]+,\s*)*?'(Microsoft\.[\w.]+\/[\w./]+)'/i.exec(text)?.[1];
    const kind = type && TYPE_KINDS[type.toLowerCase()];
    if (!kind) return undefined;
    const nameText = call?.[2];
    const literal = nameText && /^'([^']*)'$/.exec(nameText)?.[1];
    const app = this.apps.find(
      (candidate) => candidate.location.file === file && candidate.type.toLowerCase() === type.toLowerCase() && ((literal !== undefined && candidate.name === literal) || (nameText !== undefined && candidate.nameText === `[${nameText}]`)),
    );
    return app ? declared(app, location) : { kind, location, unresolved: `the URL is an ARM expression over a ${type} that ${path.basename(file)} does not declare under that name` };
  }
}

/** A backend that is `app`: its kind, and what its declaration says (or why it is not read). */
function declared(app: DeclaredApp, location: SourceLocation): Omit<ResolvedBackend, 'via'> {
  return { kind: app.kind, location, app, ...(app.facts ? { resource: app.facts } : { unresolved: app.unread }) };
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

/** The text a declaration writes for a property (a Bicep, Terraform or ARM expression), when it writes one. */
function writtenText(declaration: Declaration, property: string[], sources: BackendSources): string | undefined {
  const location = declaration.locate(property);
  const span = location.span;
  if (span.start === declaration.span.start || span.end - span.start > 2000) return undefined;
  const text = sources.readText(location.file)?.slice(span.start, span.end);
  if (text === undefined || /^(properties|resource)\b/.test(text) || text.trim() === 'null') return undefined;
  // In JSON, only an ARM template's expression (`"[concat(...)]"`) is written text to follow.
  return !declaration.document || text.startsWith('"[') ? text : undefined;
}

function shortText(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
