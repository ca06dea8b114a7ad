// A repository may hold several Bicep deployments (labs, environments, teams) that reuse names: each
// is its own scope, so the same API name in two deployments is two APIs, each with its own policies
// and operations. The model has one service, so a name that more than one deployment declares is
// qualified with the deployment's entry file, `orders (labs:weather:main.bicep)`, in every deployment
// that declares it: no deployment is preferred by file order, each is judged by its own policies, and
// a name only one deployment uses stays as written (what Azure mapping and suppressions match).
import type { ApiResource } from '../model';
import { baseApiName, emptyContent, type ServiceContent } from './resources';

type Named = { id: string; name: string };
type Collection = 'apis' | 'products' | 'subscriptions' | 'backends' | 'namedValues' | 'fragments' | 'versionSets';

const COLLECTIONS: readonly Collection[] = ['apis', 'products', 'subscriptions', 'backends', 'namedValues', 'fragments', 'versionSets'];

/**
 * The deployments' resources as one service. The global policy is the first deployment's: the
 * model has one service-level policy.
 */
export function qualifyDeployments(deployments: readonly { entry: string; content: ServiceContent }[], relativePath: (file: string) => string): ServiceContent {
  const declaredBy = new Map<string, Set<string>>();
  for (const { entry, content } of deployments) {
    for (const collection of COLLECTIONS) {
      for (const resource of content[collection] as Named[]) {
        const key = `${collection}\0${baseName(collection, resource.name)}`;
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
        if ((declaredBy.get(`${collection}\0${base}`)?.size ?? 0) < 2) continue;
        const qualified = `${base} (${label})${resource.name.slice(base.length)}`;
        renamed.set(base, `${base} (${label})`);
        for (const operation of collection === 'apis' ? (resource as ApiResource).operations : []) {
          operation.id = `apis/${qualified}${operation.id.slice(`apis/${resource.name}`.length)}`;
        }
        resource.id = resource.id.slice(0, resource.id.length - resource.name.length) + qualified;
        resource.name = qualified;
      }
      renames.set(collection, renamed);
    }
    const apiNames = renames.get('apis')!;
    const versionSetNames = renames.get('versionSets')!;
    for (const product of content.products) product.apiNames = product.apiNames.map((name) => apiNames.get(name) ?? name);
    for (const api of content.apis) {
      const versionSet = api.versionSetId?.slice('apiVersionSets/'.length);
      if (versionSet !== undefined && versionSetNames.has(versionSet)) api.versionSetId = `apiVersionSets/${versionSetNames.get(versionSet)}`;
    }
    service.policy ??= content.policy;
    for (const collection of COLLECTIONS) (service[collection] as Named[]).push(...(content[collection] as Named[]));
  }
  return service;
}

/** Revisions of an API (`orders;rev=2`) share its name. */
function baseName(collection: Collection, name: string): string {
  return collection === 'apis' ? baseApiName(name) : name;
}
