// Reads the APIOps extractor layout (Azure/apiops) and its successor's (Azure/apiops-cli): one folder
// per resource kind, one folder per resource, an `*Information.json` with ARM `properties` in each.
import * as path from 'path';
import type { Declaration, FragmentResource, ProductResource, RepositoryLayout } from '../model';
import type { ReadContext } from './context';
import { documentDeclaration, fileDeclaration, isObject, isString, stringAt, type Properties } from './declaration';
import { mergeOperations, policyLocation, readDefinition, type DeclaredOperation } from './operations';
import {
  apiResource,
  backendResource,
  emptyContent,
  namedValueResource,
  productResource,
  subscriptionResource,
  versionSetResource,
  type ServiceContent,
} from './resources';

const API_INFORMATION = /(?:^|\/)apis\/[^/]+\/apiInformation\.json$/;
const SPECIFICATION = /^specification\.(ya?ml|json|graphql|gql|wsdl|wadl|xml)$/i;
/** Folders only apiops-cli writes (the extractor spells them with spaces). */
const CLI_FOLDERS = ['namedValues', 'policyFragments', 'versionSets'];

/** name -> (path inside the resource's folder -> absolute file), e.g. `basic-api` -> `operations/get-items/policy.xml`. */
type ResourceFolders = Map<string, Map<string, string>>;

/**
 * The APIOps roots below `root` (folders holding `apis/<api>/apiInformation.json`), outermost
 * first; a root nested in another (an APIM workspace's folder) belongs to the outer one.
 */
export function findApiopsRoots(root: string, files: readonly string[]): string[] {
  const candidates = new Set<string>();
  for (const file of files) {
    const relative = toRelative(root, file);
    const match = API_INFORMATION.exec(relative);
    if (match) candidates.add(relative.slice(0, match.index));
  }
  const sorted = [...candidates].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  const roots: string[] = [];
  for (const candidate of sorted) {
    if (!roots.some((outer) => outer === '' || candidate.startsWith(outer + '/'))) roots.push(candidate);
  }
  return roots.map((relative) => path.join(root, relative));
}

export function readApiops(root: string, files: readonly string[], ctx: ReadContext): { layout: RepositoryLayout; content: ServiceContent } {
  const kinds = indexResourceFolders(root, files);
  const folders = (...names: string[]): ResourceFolders => new Map(names.flatMap((name) => [...(kinds.get(name) ?? [])]));
  const content = emptyContent();

  const globalPolicy = path.join(root, 'policy.xml');
  if (files.includes(globalPolicy)) content.policy = ctx.readPolicy(globalPolicy);

  for (const [name, apiFiles] of folders('apis')) {
    const [someFile] = apiFiles.values();
    const api = ctx.isolate(someFile, `API ${name}`, () => {
      const information = readInformation(ctx, apiFiles, 'apiInformation.json', name);
      if (!information) return undefined;
      const api = apiResource(name, information.properties, information.declaration, 'apiops');
      const specification = [...apiFiles.keys()].find((file) => SPECIFICATION.test(file));
      const definedOperations = specification ? readDefinition(ctx, api, apiFiles.get(specification)!) : [];
      const policy = apiFiles.get('policy.xml');
      if (policy) api.policy = ctx.readPolicy(policy);
      api.operations = mergeOperations(api, [...definedOperations, ...readOperationFolders(ctx, apiFiles)]);
      return api;
    });
    if (api) content.apis.push(api);
  }

  let hasApisJson = false;
  for (const [name, productFiles] of folders('products')) {
    const [someFile] = productFiles.values();
    const product = ctx.isolate(someFile, `Product ${name}`, () => readProduct(ctx, name, productFiles));
    if (!product) continue;
    hasApisJson ||= productFiles.has('apis.json');
    content.products.push(product);
  }

  content.subscriptions = readResources(ctx, folders('subscriptions'), 'subscriptionInformation.json', subscriptionResource);
  content.backends = readResources(ctx, folders('backends'), 'backendInformation.json', backendResource);
  content.namedValues = readResources(ctx, folders('named values', 'namedValues'), 'namedValueInformation.json', namedValueResource);
  content.versionSets = readResources(ctx, folders('version sets', 'versionSets'), 'versionSetInformation.json', versionSetResource);

  for (const [name, fragmentFiles] of folders('policy fragments', 'policyFragments')) {
    const [someFile] = fragmentFiles.values();
    const fragment = ctx.isolate(someFile, `The policy fragment ${name}`, () => readFragment(ctx, name, fragmentFiles));
    if (fragment) content.fragments.push(fragment);
  }

  const isCli =
    hasApisJson ||
    CLI_FOLDERS.some((folder) => kinds.has(folder)) ||
    [...folders('apis').values()].some((apiFiles) => [...apiFiles.keys()].some((file) => file.endsWith('/operationInformation.json')));
  return { layout: isCli ? 'apiops-cli' : 'apiops', content };
}

function readProduct(ctx: ReadContext, name: string, productFiles: Map<string, string>): ProductResource | undefined {
  const information = readInformation(ctx, productFiles, 'productInformation.json', name);
  if (!information) return undefined;
  const product = productResource(name, information.properties, information.declaration);
  for (const [file, absolute] of productFiles) {
    const linked = /^apis\/([^/]+)\/productApiInformation\.json$/.exec(file);
    if (!linked) continue;
    ctx.noteRead(absolute);
    product.apiNames.push(linked[1]);
  }
  const apisJson = productFiles.get('apis.json');
  for (const api of apisJson ? readApiList(ctx, apisJson) : []) if (!product.apiNames.includes(api)) product.apiNames.push(api);
  const policy = productFiles.get('policy.xml');
  if (policy) product.policy = ctx.readPolicy(policy);
  return product;
}

function toRelative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

/** `<kind>/<name>/<rest>` files, indexed as kind -> name -> rest -> absolute path. */
function indexResourceFolders(root: string, files: readonly string[]): Map<string, ResourceFolders> {
  const kinds = new Map<string, ResourceFolders>();
  for (const file of files) {
    const segments = toRelative(root, file).split('/');
    if (segments.length < 3 || segments[0] === '..') continue;
    const [kind, name, ...rest] = segments;
    let resources = kinds.get(kind);
    if (!resources) kinds.set(kind, (resources = new Map()));
    let resourceFiles = resources.get(name);
    if (!resourceFiles) resources.set(name, (resourceFiles = new Map()));
    resourceFiles.set(rest.join('/'), file);
  }
  return kinds;
}

interface Information {
  properties: Properties;
  declaration: Declaration;
}

/** Resources that are their information file and nothing else. */
function readResources<T>(
  ctx: ReadContext,
  resourceFolders: ResourceFolders,
  fileName: string,
  build: (name: string, properties: Properties, declaration: Declaration) => T,
): T[] {
  const resources: T[] = [];
  for (const [name, resourceFiles] of resourceFolders) {
    const [someFile] = resourceFiles.values();
    const resource = ctx.isolate(someFile, name, () => {
      const information = readInformation(ctx, resourceFiles, fileName, name);
      return information && build(name, information.properties, information.declaration);
    });
    if (resource) resources.push(resource);
  }
  return resources;
}

/** The information file `fileName` of resource `name`; a folder without one is reported and skipped. */
function readInformation(ctx: ReadContext, resourceFiles: Map<string, string>, fileName: string, name: string): Information | undefined {
  const file = resourceFiles.get(fileName);
  if (file) return readInformationFile(ctx, file);
  const [someFile] = resourceFiles.values();
  ctx.invalidArtifact(someFile, `'${name}' has no ${fileName}; the resource was not read.`);
  return undefined;
}

/**
 * An `*Information.json` file. One that does not parse declares nothing (its problem says why); one
 * without a `properties` object is reported but still declares the resource, so that its policies
 * and operations are read.
 */
function readInformationFile(ctx: ReadContext, file: string): Information | undefined {
  const document = ctx.parseDocument(file);
  if (!document) return undefined;
  const properties = isObject(document.value) ? document.value.properties : undefined;
  if (!isObject(properties)) {
    ctx.report([
      { file, span: document.valueSpan([]), kind: 'invalid-artifact', message: `${path.basename(file)} has no "properties" object.` },
    ]);
  }
  return { properties: isObject(properties) ? properties : {}, declaration: documentDeclaration(document) };
}

/** `operations/<op>/policy.xml` and apiops-cli's `operations/<op>/operationInformation.json`. */
function readOperationFolders(ctx: ReadContext, apiFiles: Map<string, string>): DeclaredOperation[] {
  const operations = new Map<string, DeclaredOperation>();
  for (const [file, absolute] of apiFiles) {
    const match = /^operations\/([^/]+)\/(policy\.xml|operationInformation\.json)$/.exec(file);
    if (!match) continue;
    const [, name, kind] = match;
    const operation = operations.get(name) ?? { name };
    operations.set(name, operation);
    if (kind === 'policy.xml') {
      operation.policy = ctx.readPolicy(absolute);
      continue;
    }
    const information = readInformationFile(ctx, absolute);
    if (!information) continue;
    operation.method = stringAt(information.properties, ['method']);
    operation.urlTemplate = stringAt(information.properties, ['urlTemplate']);
    operation.location = { file: absolute, span: information.declaration.span };
  }
  return [...operations.values()];
}

/** apiops-cli's `products/<p>/apis.json`: API names, or objects with a `name`. */
function readApiList(ctx: ReadContext, file: string): string[] {
  const document = ctx.parseDocument(file);
  if (!document) return [];
  if (!Array.isArray(document.value)) {
    ctx.invalidArtifact(file, 'apis.json should be an array of API names.');
    return [];
  }
  return document.value.map((entry: unknown) => (isObject(entry) ? entry.name : entry)).filter(isString);
}

function readFragment(ctx: ReadContext, name: string, fragmentFiles: Map<string, string>): FragmentResource | undefined {
  const policyFile = fragmentFiles.get('policy.xml');
  const informationFile = fragmentFiles.get('policyFragmentInformation.json');
  const policy = policyFile ? ctx.readPolicy(policyFile) : undefined;
  const information = informationFile ? ctx.parseDocument(informationFile) : undefined;
  const declaration = information
    ? documentDeclaration(information)
    : policyFile && fileDeclaration(policyFile, policyLocation(policy)?.span ?? { start: 0, end: 0 });
  if (!declaration) return undefined;
  return { id: `policyFragments/${name}`, name, policy, declaration };
}
