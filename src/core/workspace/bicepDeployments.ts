// A repository may hold several Bicep deployments (labs, environments, teams) that reuse names: each
// is its own scope, so the same API name in two deployments is two APIs, each with its own policies
// and operations. The model has one service, so a name that more than one deployment declares is
// qualified with the deployment's entry file, `orders (labs:weather:main.bicep)`, in every deployment
// that declares it: no deployment is preferred by file order, each is judged by its own policies, and
// a name only one deployment uses stays as written (what Azure mapping and suppressions match).
// Names are a workspace's own: `orders` in two workspaces are two names.
import type { ApiResource, WorkspaceMember } from '../model';
import { baseApiName, emptyContent, type ServiceContent } from './resources';

type Named = { id: string; name: string } & WorkspaceMember;
type Collection = 'apis' | 'products' | 'subscriptions' | 'backends' | 'namedValues' | 'fragments' | 'versionSets';

const COLLECTIONS: readonly Collection[] = ['apis', 'products', 'subscriptions', 'backends', 'namedValues', 'fragments', 'versionSets'];

/** A name within its scope: the service's, or one workspace's. */
function scopedName(resource: WorkspaceMember, name: string): string {
  return `${resource.workspace ?? ''}\0${name}`;
}

/**
 * The deployments' resources as one service. The global policy is the first deployment's: the
 * model has one service-level policy. A workspace is one scope of that service too: what the first
 * deployment declaring it does not say of it (its policy), a later one may.
 */
export function qualifyDeployments(deployments: readonly { entry: string; content: ServiceContent }[], relativePath: (file: string) => string): ServiceContent {
  const declaredBy = new Map<string, Set<string>>();
  for (const { entry, content } of deployments) {
    for (const collection of COLLECTIONS) {
      for (const resource of content[collection] as Named[]) {
        const key = `${collection}\0${scopedName(resource, baseName(collection, resource.name))}`;
        declaredBy.set(key, (declaredBy.get(key) ?? new Set()).add(entry));
      }
    }
  }
  const service = emptyContent();
  for (const { entry, content } of deployments) {
    // `/` would read as a path inside APIM's names and ids.
    const label = relativePath(entry).split('/').join(':');
    const renames = new Map<Collection, Map<string, string>>();
    for (const collection of COLLECTIONS) {
      const renamed = new Map<string, string>();
      for (const resource of content[collection] as Named[]) {
        const base = baseName(collection, resource.name);
        if ((declaredBy.get(`${collection}\0${scopedName(resource, base)}`)?.size ?? 0) < 2) continue;
        const qualified = `${base} (${label})${resource.name.slice(base.length)}`;
        renamed.set(scopedName(resource, base), `${base} (${label})`);
        const id = resource.id.slice(0, resource.id.length - resource.name.length) + qualified;
        for (const operation of collection === 'apis' ? (resource as ApiResource).operations : []) operation.id = id + operation.id.slice(resource.id.length);
        resource.id = id;
        resource.name = qualified;
      }
      renames.set(collection, renamed);
    }
    const apiNames = renames.get('apis')!;
    const versionSetNames = renames.get('versionSets')!;
    for (const product of content.products) product.apiNames = product.apiNames.map((name) => apiNames.get(scopedName(product, name)) ?? name);
    for (const api of content.apis) {
      const prefix = `${api.workspace === undefined ? '' : `workspaces/${api.workspace}/`}apiVersionSets/`;
      const versionSet = api.versionSetId?.slice(prefix.length);
      const renamed = versionSet === undefined ? undefined : versionSetNames.get(scopedName(api, versionSet));
      if (renamed !== undefined) api.versionSetId = prefix + renamed;
    }
    service.policy ??= content.policy;
    for (const workspace of content.workspaces) {
      const known = service.workspaces.find((candidate) => candidate.id === workspace.id);
      if (!known) {
        service.workspaces.push(workspace);
        continue;
      }
      known.displayName ??= workspace.displayName;
      known.declaration ??= workspace.declaration;
      if (!known.policy && !known.unreadPolicy) Object.assign(known, { policy: workspace.policy, unreadPolicy: workspace.unreadPolicy });
    }
    for (const collection of COLLECTIONS) (service[collection] as Named[]).push(...(content[collection] as Named[]));
  }
  return service;
}

/** Revisions of an API (`orders;rev=2`) share its name. */
function baseName(collection: Collection, name: string): string {
  return collection === 'apis' ? baseApiName(name) : name;
}
