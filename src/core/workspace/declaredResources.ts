// Infrastructure as code (Bicep, ARM templates, Terraform) declares APIM resources in ARM's shape: a
// type below `Microsoft.ApiManagement/`, a name per type segment, and `properties`. Each format's
// reader resolves its own syntax into `DeclaredResource`s; this one builder turns them into a service.
import type { ApiResource, ApiSource, Declaration, PolicyAttachment, ProductResource, WorkspaceResource } from '../model';
import type { SourceLocation, Span } from '../text';
import type { ReadContext } from './context';
import { stringAt, type Properties } from './declaration';
import { mergeOperations, readDefinition, type DeclaredOperation } from './operations';
import {
  addWorkspaceContent,
  apiResource,
  backendResource,
  emptyContent,
  moveIntoWorkspace,
  nameTags,
  namedValueResource,
  productResource,
  subscriptionResource,
  tagApi,
  versionSetResource,
  type ServiceContent,
} from './resources';

export interface DeclaredResource {
  file: string;
  /** The whole resource declaration. */
  span: Span;
  /** Lower-case type below `Microsoft.ApiManagement/`: `service/apis/operations`. */
  kind: string;
  /** One name per type segment: the service, the API, the operation... */
  names: string[];
  /** ARM's `properties`, as plain values. */
  properties: Properties;
  declaration: Declaration;
  /** The local file an API's definition is loaded from, when there is one. */
  definitionFile?: () => string | undefined;
  /** The policy of a `.../policies` or `policyFragments` resource. */
  policy?: () => PolicyAttachment | undefined;
  /** The version set an API belongs to, by name, when the reader could tell. */
  versionSetName?: string;
}

/** The resource kinds the model is built from, in the service or a workspace; others (diagnostics, loggers) are not read. */
export const READ_KINDS = new Set([
  'service/workspaces',
  'service/apis',
  'service/apis/policies',
  'service/apis/operations',
  'service/apis/operations/policies',
  'service/apis/tags',
  'service/tags',
  'service/policies',
  'service/products',
  'service/products/apis',
  'service/products/apilinks',
  'service/products/policies',
  'service/subscriptions',
  'service/backends',
  'service/namedvalues',
  'service/apiversionsets',
  'service/policyfragments',
]);

const WORKSPACE_KIND_PREFIX = 'service/workspaces/';

/**
 * The kind a workspace's resource has at the service (`service/workspaces/apis` -> `service/apis`):
 * a workspace holds the same kinds of resources as the service. Other kinds are returned as they are.
 */
export function kindInScope(kind: string): string {
  return kind.startsWith(WORKSPACE_KIND_PREFIX) ? `service/${kind.slice(WORKSPACE_KIND_PREFIX.length)}` : kind;
}

/**
 * The service the declared resources make. A workspace's resources are built like the service's,
 * then moved into the workspace (ids `workspaces/<ws>/...`), as the APIOps reader does with its folders.
 */
export function buildDeclaredContent(declared: readonly DeclaredResource[], ctx: ReadContext, source: ApiSource): ServiceContent {
  const serviceResources: DeclaredResource[] = [];
  const workspaceResources = new Map<string, DeclaredResource[]>();
  const workspaceDeclarations = new Map<string, DeclaredResource>();
  for (const resource of declared) {
    if (resource.kind === 'service/workspaces') {
      workspaceDeclarations.set(resource.names[1], resource);
      continue;
    }
    if (!resource.kind.startsWith(WORKSPACE_KIND_PREFIX)) {
      serviceResources.push(resource);
      continue;
    }
    const [serviceName, workspace, ...names] = resource.names;
    const inWorkspace = workspaceResources.get(workspace) ?? [];
    workspaceResources.set(workspace, inWorkspace);
    inWorkspace.push({ ...resource, kind: kindInScope(resource.kind), names: [serviceName, ...names] });
  }

  const content = buildScope(serviceResources, ctx, source);
  // A workspace declared elsewhere (Bicep's `existing`) still holds the policies declared for it here.
  for (const workspace of new Set([...workspaceDeclarations.keys(), ...workspaceResources.keys()])) {
    const workspaceContent = buildScope(workspaceResources.get(workspace) ?? [], ctx, source);
    moveIntoWorkspace(workspaceContent, workspace);
    const declaredWorkspace = workspaceDeclarations.get(workspace);
    const resource: WorkspaceResource = {
      id: `workspaces/${workspace}`,
      name: workspace,
      displayName: declaredWorkspace && stringAt(declaredWorkspace.properties, ['displayName']),
      policy: workspaceContent.policy,
      unreadPolicy: workspaceContent.unreadPolicy,
      declaration: declaredWorkspace?.declaration,
    };
    content.workspaces.push(resource);
    addWorkspaceContent(content, workspaceContent);
  }
  return content;
}

/** The resources of one scope (the service, or one workspace), parents read before their children. */
function buildScope(declared: readonly DeclaredResource[], ctx: ReadContext, source: ApiSource): ServiceContent {
  const resources = [...declared].sort((a, b) => a.names.length - b.names.length);
  const content = emptyContent();
  const apis = new Map<string, ApiResource>();
  const products = new Map<string, ProductResource>();
  const declaredOperations = new Map<ApiResource, DeclaredOperation[]>();
  const tagDisplayNames = new Map<string, string | undefined>();
  const operationsOf = (apiName: string): DeclaredOperation[] | undefined => {
    const api = apis.get(apiName);
    if (!api) return undefined;
    const operations = declaredOperations.get(api) ?? [];
    declaredOperations.set(api, operations);
    return operations;
  };

  for (const resource of resources) {
    const { kind, names, properties, declaration } = resource;
    const name = names[names.length - 1];
    // A policy resource whose policy is not read is kept as unread: analyses must not take it for absent.
    const attached = (): { policy?: PolicyAttachment; unreadPolicy?: SourceLocation } => {
      const policy = resource.policy?.();
      return policy ? { policy } : { unreadPolicy: { file: resource.file, span: resource.span } };
    };
    switch (kind) {
      case 'service/apis': {
        const api = apiResource(name, properties, declaration, source);
        if (resource.versionSetName) api.versionSetId = `apiVersionSets/${resource.versionSetName}`;
        const definition = resource.definitionFile?.();
        declaredOperations.set(api, definition ? readDefinition(ctx, api, definition, stringAt(properties, ['format'])) : []);
        apis.set(name, api);
        content.apis.push(api);
        break;
      }
      case 'service/apis/policies': {
        const api = apis.get(names[1]);
        if (api) Object.assign(api, attached());
        break;
      }
      case 'service/apis/operations':
        operationsOf(names[1])?.push({
          name,
          method: stringAt(properties, ['method']),
          urlTemplate: stringAt(properties, ['urlTemplate']),
          location: { file: resource.file, span: resource.span },
        });
        break;
      case 'service/apis/operations/policies':
        operationsOf(names[1])?.push({ name: names[2], ...attached() });
        break;
      case 'service/apis/tags':
        tagApi(content.apis, names[1], name);
        break;
      case 'service/tags':
        tagDisplayNames.set(name, stringAt(properties, ['displayName']));
        break;
      case 'service/policies':
        Object.assign(content, attached());
        break;
      case 'service/products': {
        const product = productResource(name, properties, declaration);
        products.set(name, product);
        content.products.push(product);
        break;
      }
      case 'service/products/apis':
        products.get(names[1])?.apiNames.push(name);
        break;
      case 'service/products/apilinks': {
        // ARM templates and azapi link an API by its id; Bicep's reader makes these `products/apis` itself.
        const apiName = /\/apis\/([^/]+)\/?$/i.exec(stringAt(properties, ['apiId']) ?? '')?.[1];
        if (apiName !== undefined) products.get(names[1])?.apiNames.push(apiName);
        break;
      }
      case 'service/products/policies': {
        const product = products.get(names[1]);
        if (product) Object.assign(product, attached());
        break;
      }
      case 'service/subscriptions':
        content.subscriptions.push(subscriptionResource(name, properties, declaration));
        break;
      case 'service/backends':
        content.backends.push(backendResource(name, properties, declaration));
        break;
      case 'service/namedvalues':
        content.namedValues.push(namedValueResource(name, properties, declaration));
        break;
      case 'service/apiversionsets':
        content.versionSets.push(versionSetResource(name, properties, declaration));
        break;
      case 'service/policyfragments':
        content.fragments.push({ id: `policyFragments/${name}`, name, policy: resource.policy?.(), declaration });
        break;
    }
  }

  for (const api of content.apis) api.operations = mergeOperations(api, declaredOperations.get(api) ?? []);
  nameTags(content.apis, tagDisplayNames);
  return content;
}
