// Reads the APIOps extractor layout (Azure/apiops) and its successor's (Azure/apiops-cli): one folder
// per resource kind, one folder per resource, an `*Information.json` with ARM `properties` in each.
// Every version of the extractor is read: the older ones (display-name folders with
// `<version>/<revision>/` inside, `apiVersionSetInformation.json`), v4+ (`products/<p>/apis.json`)
// and v7 (APIM workspaces under `workspaces/<ws>/`); an API's tags wherever a version wrote them (see readTags).
import * as path from 'path';
import type { ApiResource, ApiTag, Declaration, FragmentResource, ProductResource, RepositoryLayout, WorkspaceResource } from '../model';
import type { ReadContext } from './context';
import { documentDeclaration, fileDeclaration, isObject, isString, stringAt, type Properties } from './declaration';
import { mergeOperations, policyLocation, readDefinition, type DeclaredOperation } from './operations';
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

/** `apis/<api>/apiInformation.json`, or older extractors' `apis/<displayName>/<version>/<revision>/apiInformation.json`. */
const API_INFORMATION = /(?:^|\/)apis\/[^/]+\/(?:[^/]+\/\d+\/)?apiInformation\.json$/;
/** Older extractors' `<version or Original>/<revision>/` folders inside an API's folder. */
const REVISION_FOLDER = /^([^/]+)\/(\d+)\/(.+)$/;
/** Folders whose `apis/<api>/` link to APIs declared elsewhere (APIOps v7 names some links `apiInformation.json` too). */
const LINK_FOLDER = /(?:^|\/)(?:products|tags|gateways)\/[^/]+$/;
/** An APIM workspace's folder: it belongs to the service around it. */
const WORKSPACE_FOLDER = /(?:^|\/)workspaces\/[^/]+$/;
const SPECIFICATION = /^specification\.(ya?ml|json|graphql|gql|wsdl|wadl|xml)$/i;
/** Folders only apiops-cli writes (the extractor spells them with spaces). */
const CLI_FOLDERS = ['namedValues', 'policyFragments', 'versionSets'];
/** A resource name as APIM spells one: older extractors named folders by display name and wrote this inside. */
const RESOURCE_NAME = /^[^/\\]+$/;

/** name -> (path inside the resource's folder -> absolute file), e.g. `basic-api` -> `operations/get-items/policy.xml`. */
type ResourceFolders = Map<string, Map<string, string>>;

/**
 * The APIOps roots below `root` (folders holding `apis/<api>/apiInformation.json`), outermost
 * first. An APIM workspace's folder is not a root: the folder holding `workspaces/` is, and a root
 * nested in another belongs to the outer one.
 */
export function findApiopsRoots(root: string, files: readonly string[]): readonly string[] {
  return perListing(rootsByListing, root, files, () => apiopsRoots(root, files));
}

/** The files below an APIOps root. */
export function filesInRoot(apiopsRoot: string, files: readonly string[]): readonly string[] {
  return perListing(filesByListing, apiopsRoot, files, () => files.filter((file) => file.startsWith(apiopsRoot + path.sep)));
}

/**
 * What is worked out from a listing, kept with it: the editor's listing stays the same object until a
 * file is created or deleted, and working these out again on each edit costs as much as reading.
 */
function perListing<T>(kept: WeakMap<readonly string[], Map<string, T>>, root: string, files: readonly string[], compute: () => T): T {
  let byRoot = kept.get(files);
  if (!byRoot) kept.set(files, (byRoot = new Map()));
  let value = byRoot.get(root);
  if (value === undefined) byRoot.set(root, (value = compute()));
  return value;
}

const rootsByListing = new WeakMap<readonly string[], Map<string, readonly string[]>>();
const filesByListing = new WeakMap<readonly string[], Map<string, readonly string[]>>();
const foldersByListing = new WeakMap<readonly string[], Map<string, Map<string, ResourceFolders>>>();

function apiopsRoots(root: string, files: readonly string[]): string[] {
  const candidates = new Set<string>();
  for (const file of files) {
    const relative = toRelative(root, file);
    const match = API_INFORMATION.exec(relative);
    if (!match) continue;
    const folder = relative.slice(0, match.index);
    if (!LINK_FOLDER.test(folder)) candidates.add(folder.replace(WORKSPACE_FOLDER, ''));
  }
  const sorted = [...candidates].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  const roots: string[] = [];
  for (const candidate of sorted) {
    if (!roots.some((outer) => outer === '' || candidate.startsWith(outer + '/'))) roots.push(candidate);
  }
  return roots.map((relative) => path.join(root, relative));
}

export function readApiops(root: string, files: readonly string[], ctx: ReadContext): { layout: RepositoryLayout; content: ServiceContent } {
  const kinds = perListing(foldersByListing, root, files, () => indexResourceFolders(root, files));
  const { content, hasApisJson } = readScope(kinds, ctx, root);
  for (const [name, workspaceFiles] of kinds.get('workspaces') ?? []) {
    const [someFile] = workspaceFiles.values();
    const workspace = ctx.isolate(someFile, `Workspace ${name}`, () => readWorkspace(root, name, workspaceFiles, ctx));
    if (!workspace) continue;
    content.workspaces.push(workspace.resource);
    addWorkspaceContent(content, workspace.content);
  }

  const isCli =
    hasApisJson ||
    CLI_FOLDERS.some((folder) => kinds.has(folder)) ||
    [...(kinds.get('apis')?.values() ?? [])].some((apiFiles) => [...apiFiles.keys()].some((file) => file.endsWith('/operationInformation.json')));
  return { layout: isCli ? 'apiops-cli' : 'apiops', content };
}

/**
 * The resources of one scope: the service's folder, or a workspace's, which holds the same kinds of
 * folders. The service's APIs an earlier scan read from the same files are taken as they were
 * (`ctx.keptApis`); a workspace's are read again, since moveIntoWorkspace renames them once read.
 */
function readScope(kinds: Map<string, ResourceFolders>, ctx: ReadContext, serviceRoot?: string): { content: ServiceContent; hasApisJson: boolean } {
  const folders = (...names: string[]): ResourceFolders => new Map(names.flatMap((name) => [...(kinds.get(name) ?? [])]));
  const content = emptyContent();

  const scopePolicy = kinds.get('')?.get('')?.get('policy.xml');
  if (scopePolicy) content.policy = ctx.readPolicy(scopePolicy);

  const keptApis = serviceRoot === undefined ? undefined : ctx.keptApis;
  for (const [folder, apiFiles] of apiFolders(folders('apis'))) {
    const [someFile] = apiFiles.values();
    const api = ctx.isolate(someFile, `API ${folder}`, () => {
      if (!keptApis) return readApi(ctx, folder, apiFiles);
      const reused = keptApis.reuse(serviceRoot!, folder, apiFiles, ctx);
      if (reused) return reused;
      const { value: read, trace } = ctx.traced(() => readApi(ctx, folder, apiFiles));
      if (read && trace) keptApis.keep(serviceRoot!, folder, apiFiles, read, trace);
      return read;
    });
    if (api) content.apis.push(api);
  }
  readTagFolders(ctx, content, folders('tags'));

  let hasApisJson = false;
  for (const [name, productFiles] of folders('products')) {
    const [someFile] = productFiles.values();
    const product = ctx.isolate(someFile, `Product ${name}`, () => readProduct(ctx, name, productFiles));
    if (!product) continue;
    hasApisJson ||= productFiles.has('apis.json');
    content.products.push(product);
  }

  content.subscriptions = readResources(ctx, folders('subscriptions'), ['subscriptionInformation.json'], subscriptionResource);
  content.backends = readResources(ctx, folders('backends'), ['backendInformation.json'], backendResource);
  content.namedValues = readResources(ctx, folders('named values', 'namedValues'), ['namedValueInformation.json'], namedValueResource);
  content.versionSets = [
    ...readResources(ctx, folders('version sets', 'versionSets'), ['versionSetInformation.json', 'apiVersionSetInformation.json'], versionSetResource),
    ...readResources(ctx, apiVersionSetFiles(folders('apis')), ['apiVersionSet.json'], versionSetResource),
  ];

  for (const [name, fragmentFiles] of folders('policy fragments', 'policyFragments')) {
    const [someFile] = fragmentFiles.values();
    const fragment = ctx.isolate(someFile, `The policy fragment ${name}`, () => readFragment(ctx, name, fragmentFiles));
    if (fragment) content.fragments.push(fragment);
  }
  return { content, hasApisJson };
}

/** The API of `apis/<folder>/`: its information, definition, policies, operations and tags. */
function readApi(ctx: ReadContext, folder: string, apiFiles: Map<string, string>): ApiResource | undefined {
  const information = readInformation(ctx, apiFiles, ['apiInformation.json'], olderApiName(folder));
  if (!information) return undefined;
  const api = apiResource(information.name, information.properties, information.declaration, 'apiops');
  const specification = [...apiFiles.keys()].find((file) => SPECIFICATION.test(file));
  const definedOperations = specification ? readDefinition(ctx, api, apiFiles.get(specification)!) : [];
  const policy = apiFiles.get('policy.xml');
  if (policy) api.policy = ctx.readPolicy(policy);
  api.operations = mergeOperations(api, [...definedOperations, ...readOperationFolders(ctx, apiFiles)]);
  api.tags = readApiTags(ctx, apiFiles, folder);
  return api;
}

/** `workspaces/<name>/`: its policy, and resources that are its own (ids below `workspaces/<name>/`). */
function readWorkspace(root: string, name: string, workspaceFiles: Map<string, string>, ctx: ReadContext): { resource: WorkspaceResource; content: ServiceContent } {
  const workspaceRoot = path.join(root, 'workspaces', name);
  const { content } = readScope(indexResourceFolders(workspaceRoot, [...workspaceFiles.values()]), ctx);
  moveIntoWorkspace(content, name);
  const informationFile = workspaceFiles.get('workspaceInformation.json');
  const information = informationFile ? readInformationFile(ctx, informationFile) : undefined;
  const resource: WorkspaceResource = {
    id: `workspaces/${name}`,
    name,
    displayName: information && stringAt(information.properties, ['displayName']),
    policy: content.policy,
    declaration: information?.declaration,
  };
  return { resource, content };
}

/**
 * One entry per API: `apis/<api>/`, or, as older extractors wrote them, each
 * `apis/<displayName>/<version or Original>/<revision>/` that holds an apiInformation.json
 * (keyed `<displayName>/<version>/<revision>`).
 */
function apiFolders(apis: ResourceFolders): ResourceFolders {
  const folders: ResourceFolders = new Map();
  for (const [name, apiFiles] of apis) {
    const revisions: ResourceFolders = new Map();
    if (!apiFiles.has('apiInformation.json')) {
      for (const [file, absolute] of apiFiles) {
        const match = REVISION_FOLDER.exec(file);
        if (!match) continue;
        const key = `${name}/${match[1]}/${match[2]}`;
        let revisionFiles = revisions.get(key);
        if (!revisionFiles) revisions.set(key, (revisionFiles = new Map()));
        revisionFiles.set(match[3], absolute);
      }
    }
    const older = [...revisions].filter(([, revisionFiles]) => revisionFiles.has('apiInformation.json'));
    if (older.length === 0) folders.set(name, apiFiles);
    for (const [key, revisionFiles] of older) folders.set(key, revisionFiles);
  }
  return folders;
}

/**
 * The name of an API whose information file does not write it: the folder's, and for older
 * extractors' `<displayName>/<version>/<revision>` the version and a non-first revision added as APIM adds them.
 */
function olderApiName(folder: string): string {
  const [name, version, revision] = folder.split('/');
  if (version === undefined) return name;
  return `${name}${version === 'Original' ? '' : `-${version}`}${revision === '1' ? '' : `;rev=${revision}`}`;
}

/** Older extractors' `apis/<displayName>/apiVersionSet.json`, keyed by the API folder's name. */
function apiVersionSetFiles(apis: ResourceFolders): ResourceFolders {
  const files: ResourceFolders = new Map();
  for (const [name, apiFiles] of apis) {
    const file = apiFiles.get('apiVersionSet.json');
    if (file) files.set(name, new Map([['apiVersionSet.json', file]]));
  }
  return files;
}

function readProduct(ctx: ReadContext, name: string, productFiles: Map<string, string>): ProductResource | undefined {
  const information = readInformation(ctx, productFiles, ['productInformation.json'], name);
  if (!information) return undefined;
  const product = productResource(information.name, information.properties, information.declaration);
  for (const [file, absolute] of productFiles) {
    // A workspace's product links its APIs with `apiInformation.json` (APIOps v7).
    const linked = /^apis\/([^/]+)\/(?:productApiInformation|apiInformation)\.json$/.exec(file);
    if (!linked) continue;
    ctx.noteRead(absolute);
    product.apiNames.push(linked[1]);
  }
  const apisJson = productFiles.get('apis.json');
  for (const api of apisJson ? readNameList(ctx, apisJson, `the APIs of product ${name}`) : []) if (!product.apiNames.includes(api)) product.apiNames.push(api);
  const policy = productFiles.get('policy.xml');
  if (policy) product.policy = ctx.readPolicy(policy);
  return product;
}

/**
 * The tags an API's own folder lists: `apis/<api>/tags/<t>/apiTagInformation.json`, or v4's
 * `apis/<api>/tags.json` (a list of names). Older extractors link them from the tag's folder instead (readTagFolders).
 */
function readApiTags(ctx: ReadContext, apiFiles: Map<string, string>, folder: string): ApiTag[] {
  const names = new Set<string>();
  for (const [file, absolute] of apiFiles) {
    const linked = /^tags\/([^/]+)\/apiTagInformation\.json$/.exec(file);
    if (linked) {
      ctx.noteRead(absolute);
      names.add(linked[1]);
    } else if (file === 'tags.json') {
      for (const name of readNameList(ctx, absolute, `the tags of API ${folder}`)) names.add(name);
    }
  }
  return [...names].map((name) => ({ name }));
}

/**
 * `tags/<t>/`: the tag's display name (`tagInformation.json`), and the APIs it tags
 * (`apis/<api>/tagApiInformation.json`, which v7 names `apiInformation.json`).
 */
function readTagFolders(ctx: ReadContext, content: ServiceContent, tagFolders: ResourceFolders): void {
  const displayNames = new Map<string, string | undefined>();
  for (const [tag, tagFiles] of tagFolders) {
    const informationFile = tagFiles.get('tagInformation.json');
    const information = informationFile ? readInformationFile(ctx, informationFile) : undefined;
    displayNames.set(tag, information && stringAt(information.properties, ['displayName']));
    for (const [file, absolute] of tagFiles) {
      const linked = /^apis\/([^/]+)\/(?:tagApiInformation|apiInformation)\.json$/.exec(file);
      if (!linked) continue;
      ctx.noteRead(absolute);
      tagApi(content.apis, linked[1], tag);
    }
  }
  nameTags(content.apis, displayNames);
}

function toRelative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

/**
 * `<kind>/<name>/<rest>` files, indexed as kind -> name -> rest -> absolute path; files directly in
 * `root` (the scope's policy.xml) are under kind '' and name ''.
 */
function indexResourceFolders(root: string, files: readonly string[]): Map<string, ResourceFolders> {
  const kinds = new Map<string, ResourceFolders>();
  for (const file of files) {
    const segments = toRelative(root, file).split('/');
    if (segments[0] === '..' || segments.length === 2) continue;
    const [kind, name, ...rest] = segments.length === 1 ? ['', '', ...segments] : segments;
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
  /** The `name` the file writes beside its properties (older extractors do), when it is one APIM could have. */
  name?: string;
}

/** Resources that are their information file and nothing else. */
function readResources<T>(
  ctx: ReadContext,
  resourceFolders: ResourceFolders,
  fileNames: readonly string[],
  build: (name: string, properties: Properties, declaration: Declaration) => T,
): T[] {
  const resources: T[] = [];
  for (const [folder, resourceFiles] of resourceFolders) {
    const [someFile] = resourceFiles.values();
    const resource = ctx.isolate(someFile, folder, () => {
      const information = readInformation(ctx, resourceFiles, fileNames, folder);
      return information && build(information.name, information.properties, information.declaration);
    });
    if (resource) resources.push(resource);
  }
  return resources;
}

/**
 * The information file of the resource in folder `folder` (the first of `fileNames` it has, as
 * extractor versions named it), named as the file says, else after the folder; a folder without
 * one is reported and skipped.
 */
function readInformation(ctx: ReadContext, resourceFiles: Map<string, string>, fileNames: readonly string[], folder: string): Required<Information> | undefined {
  const file = fileNames.map((fileName) => resourceFiles.get(fileName)).find(isString);
  if (file) {
    const information = readInformationFile(ctx, file);
    return information && { ...information, name: information.name ?? folder };
  }
  const [someFile] = resourceFiles.values();
  ctx.invalidArtifact(someFile, `'${folder}' has no ${fileNames[0]}; the resource was not read.`);
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
  const name = isObject(document.value) ? document.value.name : undefined;
  return {
    properties: isObject(properties) ? properties : {},
    declaration: documentDeclaration(document),
    name: isString(name) && RESOURCE_NAME.test(name) ? name : undefined,
  };
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

/** apiops-cli's `products/<p>/apis.json` and v4's `apis/<api>/tags.json`: names, or objects with a `name`. */
function readNameList(ctx: ReadContext, file: string, what: string): string[] {
  const document = ctx.parseDocument(file);
  if (!document) return [];
  if (!Array.isArray(document.value)) {
    ctx.invalidArtifact(file, `${path.basename(file)} (${what}) should be an array of names.`);
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
