// Reads APIM resources declared in Bicep: `Microsoft.ApiManagement/service/...` resources, top-level
// or nested, with specs and policies from `loadTextContent(...)` (or inline policy strings).
import * as path from 'path';
import type { ApiResource, Declaration, PolicyAttachment, ProductResource } from '../model';
import { parsePolicyXml } from '../policy/xml';
import { MAX_NESTING_DEPTH } from '../limits';
import type { ReadContext } from './context';
import { declarationOf, isObject, stringAt, type Properties } from './declaration';
import { bicepValueAt, parseBicepResources, plainValue, type BicepResource, type BicepValue } from './bicepParser';
import { mergeOperations, readDefinition, type DeclaredOperation } from './operations';
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

const PROVIDER = 'microsoft.apimanagement/';

/** A resource with its type and name resolved through its parents: `service/apis/policies`, [svc, orders, policy]. */
interface ResolvedResource {
  file: string;
  text: string;
  resource: BicepResource;
  /** Lower-case type below the provider: `service/apis/operations`. */
  kind: string;
  /** One name per type segment: the service, the API, the operation... */
  names: string[];
  properties: Properties;
  declaration: Declaration;
}

/** The APIM resources of the `.bicep` files among `files` (the others are not read). */
export function readBicep(files: readonly string[], ctx: ReadContext): ServiceContent {
  const resolved: ResolvedResource[] = [];
  for (const file of files) {
    if (!file.endsWith('.bicep')) continue;
    const text = ctx.files.read(file).text;
    if (text === undefined || !/Microsoft\.ApiManagement\/service/i.test(text)) continue;
    ctx.noteRead(file);
    for (const resource of ctx.isolate(file, path.basename(file), () => resolveResources(file, text, ctx)) ?? []) resolved.push(resource);
  }
  // Parents before children: an API before its policy, a product before its API links.
  resolved.sort((a, b) => a.names.length - b.names.length);
  return ctx.isolate(resolved[0]?.file ?? '', 'The Bicep declarations', () => buildContent(resolved, ctx)) ?? emptyContent();
}

function resolveResources(file: string, text: string, ctx: ReadContext): ResolvedResource[] {
  const resources = parseBicepResources(text, (span) =>
    ctx.report([{ file, span, kind: 'too-deep', message: `Values are nested more than ${MAX_NESTING_DEPTH} levels deep: what is below is read as empty.` }]),
  );
  const bySymbol = new Map(resources.map((resource) => [resource.symbol, resource]));
  const cache = new Map<BicepResource, { type: string; names: string[] }>();
  const resolve = (resource: BicepResource, depth = 0): { type: string; names: string[] } => {
    const cached = cache.get(resource);
    if (cached) return cached;
    const parentSymbol = bicepValueAt(resource.body, ['parent']);
    const parent =
      resource.lexicalParent ?? (parentSymbol?.kind === 'expression' ? bySymbol.get(parentSymbol.text) : undefined);
    // A parent chain this deep is a cycle (`a.parent = b`, `b.parent = a`): stop following it.
    const parentResolved = parent && depth < 8 ? resolve(parent, depth + 1) : undefined;
    const isFullType = resource.type.toLowerCase().startsWith('microsoft.');
    const type = isFullType || !parentResolved ? resource.type : `${parentResolved.type}/${resource.type}`;
    const name = nameText(bicepValueAt(resource.body, ['name']));
    const names = parentResolved ? [...parentResolved.names, name.split('/').pop()!] : name.split('/');
    const result = { type, names };
    cache.set(resource, result);
    return result;
  };
  const resolved: ResolvedResource[] = [];
  for (const resource of resources) {
    const { type, names } = resolve(resource);
    if (!type.toLowerCase().startsWith(PROVIDER + 'service')) continue;
    const propertiesNode = bicepValueAt(resource.body, ['properties']);
    const propertiesKey = resource.body?.properties.get('properties')?.keySpan;
    const declaration = declarationOf(
      file,
      resource.span,
      (property) => bicepValueAt(propertiesNode, property)?.span,
      propertiesKey ?? resource.span,
    );
    const properties = plainValue(propertiesNode);
    resolved.push({
      file,
      text,
      resource,
      kind: type.slice(PROVIDER.length).toLowerCase(),
      names,
      properties: isObject(properties) ? properties : {},
      declaration,
    });
  }
  return resolved;
}

function nameText(value: BicepValue | undefined): string {
  if (value?.kind === 'string') return value.value;
  return value?.kind === 'expression' ? value.text : '';
}

function buildContent(resources: readonly ResolvedResource[], ctx: ReadContext): ServiceContent {
  const content = emptyContent();
  const apis = new Map<string, ApiResource>();
  const products = new Map<string, ProductResource>();
  const declaredOperations = new Map<ApiResource, DeclaredOperation[]>();
  const versionSetNames = new Map<string, string>();
  const operationsOf = (apiName: string): DeclaredOperation[] | undefined => {
    const api = apis.get(apiName);
    if (!api) return undefined;
    const operations = declaredOperations.get(api) ?? [];
    declaredOperations.set(api, operations);
    return operations;
  };

  for (const resolved of resources) {
    const { kind, names, properties, declaration } = resolved;
    const name = names[names.length - 1];
    switch (kind) {
      case 'service/apis': {
        const api = apiResource(name, properties, declaration);
        const definition = loadedFile(resolved, ['properties', 'value'], ctx);
        const definitionOperations = definition ? readDefinition(ctx, api, definition, stringAt(properties, ['format'])) : [];
        declaredOperations.set(api, definitionOperations);
        apis.set(name, api);
        content.apis.push(api);
        break;
      }
      case 'service/apis/policies': {
        const api = apis.get(names[1]);
        if (api) api.policy = readPolicy(resolved, ctx);
        break;
      }
      case 'service/apis/operations':
        operationsOf(names[1])?.push({
          name,
          method: stringAt(properties, ['method']),
          urlTemplate: stringAt(properties, ['urlTemplate']),
          location: { file: resolved.file, span: resolved.resource.span },
        });
        break;
      case 'service/apis/operations/policies':
        operationsOf(names[1])?.push({ name: names[2], policy: readPolicy(resolved, ctx) });
        break;
      case 'service/policies':
        content.policy = readPolicy(resolved, ctx);
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
      case 'service/products/policies': {
        const product = products.get(names[1]);
        if (product) product.policy = readPolicy(resolved, ctx);
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
        versionSetNames.set(resolved.resource.symbol, name);
        content.versionSets.push(versionSetResource(name, properties, declaration));
        break;
      case 'service/policyfragments':
        content.fragments.push({ id: `policyFragments/${name}`, name, policy: readPolicy(resolved, ctx), declaration });
        break;
    }
  }

  for (const resolved of resources) {
    if (resolved.kind !== 'service/apis') continue;
    const api = apis.get(resolved.names[resolved.names.length - 1])!;
    // `apiVersionSetId: versionSet.id` names the version set by its symbol.
    const versionSet = bicepValueAt(resolved.resource.body, ['properties', 'apiVersionSetId']);
    const symbol = versionSet?.kind === 'expression' ? /^(\w+)\.id$/.exec(versionSet.text)?.[1] : undefined;
    const versionSetName = symbol && versionSetNames.get(symbol);
    if (versionSetName) api.versionSetId = `apiVersionSets/${versionSetName}`;
    api.operations = mergeOperations(api, declaredOperations.get(api) ?? []);
  }
  return content;
}

/** The file of `loadTextContent('./x')` / `loadJsonContent('./x')` at `property`, resolved from the Bicep file. */
function loadedFile(resolved: ResolvedResource, property: string[], ctx: ReadContext): string | undefined {
  const value = bicepValueAt(resolved.resource.body, property);
  if (value?.kind !== 'expression') return undefined;
  // A JSON path argument (`loadJsonContent('x.json', '$.spec')`) selects part of the file: not the definition.
  const match = /^load(?:TextContent\(\s*'([^']+)'\s*(?:,\s*'[^']*'\s*)?|JsonContent\(\s*'([^']+)'\s*)\)$/.exec(value.text);
  const relative = match?.[1] ?? match?.[2];
  if (relative === undefined) return undefined;
  const file = path.resolve(path.dirname(resolved.file), relative);
  if (ctx.files.isInside(file)) return file;
  ctx.report([{ file: resolved.file, span: value.span, kind: 'outside-root', message: `${value.text} points outside the scanned folder; it was not opened.` }]);
  return undefined;
}

/** The policy of a `.../policies` or `policyFragments` resource: a loaded file, or an inline string. */
function readPolicy(resolved: ResolvedResource, ctx: ReadContext): PolicyAttachment | undefined {
  const file = loadedFile(resolved, ['properties', 'value'], ctx);
  if (file) return ctx.readPolicy(file);
  const value = bicepValueAt(resolved.resource.body, ['properties', 'value']);
  if (value?.kind !== 'string') return undefined;
  // Blank out the rest of the Bicep file so that the policy's offsets are offsets into the .bicep file.
  const before = resolved.text.slice(0, value.contentSpan.start).replace(/[^\n]/g, ' ');
  const xml = parsePolicyXml(resolved.file, before + value.value);
  ctx.report(xml.problems);
  return { file: resolved.file, xml };
}
