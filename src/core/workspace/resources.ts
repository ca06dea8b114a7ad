// Builds model resources from a resource's properties, whatever declared them (APIOps JSON, Bicep):
// property names are ARM's in both, so one builder per resource kind serves every layout.
import type {
  ApiResource,
  ApimService,
  ApiSource,
  BackendResource,
  Declaration,
  NamedValueResource,
  ProductResource,
  SubscriptionResource,
  VersionSetResource,
  WorkspaceMember,
} from '../model';
import type { Span } from '../text';
import { declaredAt, isBoolean, isObject, isString, isStringArray, NOT_KNOWN, stringAt, valueAt, type Properties } from './declaration';

/** The parts of a service every layout reader fills; `readService` adds root, layout, problems and files. */
export type ServiceContent = Pick<
  ApimService,
  'policy' | 'unreadPolicy' | 'apis' | 'products' | 'subscriptions' | 'backends' | 'namedValues' | 'fragments' | 'versionSets' | 'workspaces'
>;

export function emptyContent(): ServiceContent {
  return { apis: [], products: [], subscriptions: [], backends: [], namedValues: [], fragments: [], versionSets: [], workspaces: [] };
}

/**
 * Makes what a workspace's folder declares the workspace's own: ids below `workspaces/<ws>/`
 * (operations and version set references included), each resource naming its workspace.
 */
export function moveIntoWorkspace(content: ServiceContent, workspace: string): void {
  const prefix = `workspaces/${workspace}/`;
  const move = (resource: { id: string } & WorkspaceMember) => {
    resource.id = prefix + resource.id;
    resource.workspace = workspace;
  };
  for (const api of content.apis) {
    move(api);
    if (api.versionSetId !== undefined) api.versionSetId = prefix + api.versionSetId;
    for (const operation of api.operations) operation.id = prefix + operation.id;
  }
  for (const resource of [...content.products, ...content.subscriptions, ...content.backends, ...content.namedValues, ...content.fragments, ...content.versionSets]) move(resource);
}

/** Adds a workspace's resources, already moved into it, to the lists of the service holding it. */
export function addWorkspaceContent(into: ServiceContent, workspace: ServiceContent): void {
  for (const kind of ['apis', 'products', 'subscriptions', 'backends', 'namedValues', 'fragments', 'versionSets'] as const) {
    (into[kind] as unknown[]).push(...workspace[kind]);
  }
}

const REVISION_SUFFIX = /;rev=([^/]+)$/;

/** `orders;rev=2` -> `orders`: products and subscriptions name the API, not one of its revisions. */
export function baseApiName(name: string): string {
  return name.replace(REVISION_SUFFIX, '');
}

export function apiResource(name: string, properties: Properties, declaration: Declaration, source: ApiSource): ApiResource {
  const revision = stringAt(properties, ['apiRevision']) ?? REVISION_SUFFIX.exec(name)?.[1];
  const isCurrent = valueAt(properties, ['isCurrent']);
  const versionSetId = stringAt(properties, ['apiVersionSetId']);
  return {
    id: `apis/${name}`,
    name,
    displayName: stringAt(properties, ['displayName']),
    path: stringAt(properties, ['path']),
    // ARM reads `type`; Bicep templates often write the create-time `apiType` instead.
    type: stringAt(properties, ['type']) ?? stringAt(properties, ['apiType']) ?? 'http',
    source,
    revision,
    // APIOps and ARM name a non-current revision `api;rev=N`; the current one carries the plain name.
    isCurrent: isBoolean(isCurrent) ? isCurrent : !REVISION_SUFFIX.test(name),
    apiVersion: stringAt(properties, ['apiVersion']),
    versionSetId: versionSetId === undefined ? undefined : versionSetResourceId(versionSetId),
    serviceUrl: stringAt(properties, ['serviceUrl']),
    protocols: declaredAt(properties, declaration, ['protocols'], isStringArray),
    subscriptionRequired: declaredAt(properties, declaration, ['subscriptionRequired'], isBoolean),
    declaration,
    operations: [],
    productNames: [],
    tags: [],
  };
}

/** Tags API `apiName` (every revision of it) with `tag`, once; a link to an API the scope does not declare is dropped, as for products. */
export function tagApi(apis: readonly ApiResource[], apiName: string, tag: string): void {
  const base = baseApiName(apiName);
  for (const api of apis) {
    if (baseApiName(api.name) !== base) continue;
    api.tags ??= [];
    if (!api.tags.some((existing) => existing.name === tag)) api.tags.push({ name: tag });
  }
}

/** Gives the APIs' tags the display names their tag resources declare (`tags/<t>/tagInformation.json`, `service/tags`). */
export function nameTags(apis: readonly ApiResource[], displayNames: ReadonlyMap<string, string | undefined>): void {
  for (const tag of apis.flatMap((api) => api.tags ?? [])) {
    const displayName = displayNames.get(tag.name);
    if (displayName !== undefined) tag.displayName = displayName;
  }
}

/** `/apiVersionSets/v1`, or a full ARM id ending so, as the `apiVersionSets/v1` id of `VersionSetResource`. */
export function versionSetResourceId(reference: string): string {
  const name = /apiVersionSets\/([^/]+)\/?$/i.exec(reference)?.[1];
  return `apiVersionSets/${name ?? reference}`;
}

export function productResource(name: string, properties: Properties, declaration: Declaration): ProductResource {
  return {
    id: `products/${name}`,
    name,
    displayName: stringAt(properties, ['displayName']),
    subscriptionRequired: declaredAt(properties, declaration, ['subscriptionRequired'], isBoolean),
    state: stringAt(properties, ['state']),
    apiNames: [],
    declaration,
  };
}

export function subscriptionResource(name: string, properties: Properties, declaration: Declaration): SubscriptionResource {
  return {
    id: `subscriptions/${name}`,
    name,
    displayName: stringAt(properties, ['displayName']),
    scope: declaredAt(properties, declaration, ['scope'], isString),
    state: declaredAt(properties, declaration, ['state'], isString),
    declaration,
  };
}

const CREDENTIAL_KEYS = ['certificate', 'certificateIds', 'header', 'query', 'authorization', 'managedIdentity'];

export function backendResource(name: string, properties: Properties, declaration: Declaration): BackendResource {
  return {
    id: `backends/${name}`,
    name,
    url: stringAt(properties, ['url']),
    protocol: stringAt(properties, ['protocol']),
    validateCertificateChain: declaredAt(properties, declaration, ['tls', 'validateCertificateChain'], isBoolean),
    validateCertificateName: declaredAt(properties, declaration, ['tls', 'validateCertificateName'], isBoolean),
    hasCredentials: credentialsState(valueAt(properties, ['credentials'])),
    declaration,
  };
}

/** One credential written is enough; without one, a credential (or the whole) not known leaves it unknown. */
function credentialsState(credentials: unknown): boolean | 'unknown' {
  if (credentials === NOT_KNOWN) return 'unknown';
  if (!isObject(credentials)) return false;
  const values = CREDENTIAL_KEYS.map((key) => credentials[key]);
  if (values.some((value) => value !== NOT_KNOWN && isWritten(value))) return true;
  return values.includes(NOT_KNOWN) ? 'unknown' : false;
}

/** Written with content: an empty array, object or string configures nothing. */
function isWritten(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  if (isString(value)) return value.length > 0;
  return value !== undefined && value !== null;
}

export function namedValueResource(name: string, properties: Properties, declaration: Declaration): NamedValueResource {
  return {
    id: `namedValues/${name}`,
    name,
    displayName: stringAt(properties, ['displayName']),
    secret: declaredAt(properties, declaration, ['secret'], isBoolean),
    keyVaultSecretIdentifier: stringAt(properties, ['keyVault', 'secretIdentifier']),
    hasValue: isWritten(stringAt(properties, ['value'])),
    declaration,
  };
}

export function versionSetResource(name: string, properties: Properties, declaration: Declaration): VersionSetResource {
  return {
    id: `apiVersionSets/${name}`,
    name,
    displayName: stringAt(properties, ['displayName']),
    versioningScheme: stringAt(properties, ['versioningScheme']),
    declaration,
  };
}

/** Where a resource is declared: a file, and the declaration in it when known. */
export interface Place {
  file: string;
  span?: Span;
}

/** A resource two contents declare: the one kept, and the one dropped. */
export interface Collision {
  id: string;
  kept?: Place;
  dropped?: Place;
}

/**
 * Adds `from`'s resources whose ids `into` does not have yet (the first reader wins), and returns
 * those it drops, so that a caller for whom two declarations of one id are a conflict can say so.
 */
export function mergeContent(into: ServiceContent, from: ServiceContent): Collision[] {
  const collisions: Collision[] = [];
  if (into.policy && from.policy) collisions.push({ id: 'the global policy', kept: { file: into.policy.file }, dropped: { file: from.policy.file } });
  into.policy ??= from.policy;
  const addMissing = <T extends { id: string; declaration?: Declaration }>(target: T[], source: T[]) => {
    const byId = new Map(target.map((resource) => [resource.id, resource]));
    for (const resource of source) {
      const kept = byId.get(resource.id);
      if (!kept) target.push(resource);
      else collisions.push({ id: resource.id, kept: placeOf(kept.declaration), dropped: placeOf(resource.declaration) });
    }
  };
  addMissing(into.apis, from.apis);
  addMissing(into.products, from.products);
  addMissing(into.subscriptions, from.subscriptions);
  addMissing(into.backends, from.backends);
  addMissing(into.namedValues, from.namedValues);
  addMissing(into.fragments, from.fragments);
  addMissing(into.versionSets, from.versionSets);
  addMissing(into.workspaces, from.workspaces);
  return collisions;
}

function placeOf(declaration: Declaration | undefined): Place | undefined {
  return declaration && { file: declaration.file, span: declaration.span };
}

/**
 * Fills `ApiResource.productNames` from the products' API lists; every revision of an API is in its
 * products, and a workspace's products hold only the workspace's APIs.
 */
export function linkProducts(content: ServiceContent): void {
  for (const api of content.apis) {
    const base = baseApiName(api.name);
    api.productNames = content.products.filter((product) => product.workspace === api.workspace && product.apiNames.includes(base)).map((product) => product.name);
  }
}
