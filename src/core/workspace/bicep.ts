// Reads APIM resources declared in Bicep: `Microsoft.ApiManagement/service/...` resources, top-level
// or nested, with specs and policies from `loadTextContent(...)` (or inline policy strings).
import * as path from 'path';
import type { PolicyAttachment } from '../model';
import { parsePolicyXml } from '../policy/xml';
import { MAX_NESTING_DEPTH } from '../limits';
import type { ReadContext } from './context';
import { declarationOf, isObject } from './declaration';
import { buildDeclaredContent, type DeclaredResource } from './declaredResources';
import { bicepValueAt, parseBicepResources, plainValue, type BicepResource, type BicepValue } from './bicepParser';
import { emptyContent, type ServiceContent } from './resources';

const PROVIDER = 'microsoft.apimanagement/';

/** The APIM resources of the `.bicep` files among `files` (the others are not read). */
export function readBicep(files: readonly string[], ctx: ReadContext): ServiceContent {
  const declared: BicepDeclared[] = [];
  for (const file of files) {
    if (!file.endsWith('.bicep')) continue;
    const text = ctx.files.read(file).text;
    if (text === undefined || !/Microsoft\.ApiManagement\/service/i.test(text)) continue;
    ctx.noteRead(file);
    for (const resource of ctx.isolate(file, path.basename(file), () => resolveResources(file, text, ctx)) ?? []) declared.push(resource);
  }
  linkVersionSets(declared);
  return ctx.isolate(declared[0]?.file ?? '', 'The Bicep declarations', () => buildDeclaredContent(declared, ctx)) ?? emptyContent();
}

/** A declared resource with the Bicep resource it was read from. */
interface BicepDeclared extends DeclaredResource {
  resource: BicepResource;
}

/** `apiVersionSetId: versionSet.id` names the version set by its symbol. */
function linkVersionSets(declared: BicepDeclared[]): void {
  const versionSetNames = new Map<string, string>();
  for (const { kind, resource, names } of declared) if (kind === 'service/apiversionsets') versionSetNames.set(resource.symbol, names[names.length - 1]);
  for (const api of declared) {
    if (api.kind !== 'service/apis') continue;
    const versionSet = bicepValueAt(api.resource.body, ['properties', 'apiVersionSetId']);
    const symbol = versionSet?.kind === 'expression' ? /^(\w+)\.id$/.exec(versionSet.text)?.[1] : undefined;
    api.versionSetName = symbol && versionSetNames.get(symbol);
  }
}

function resolveResources(file: string, text: string, ctx: ReadContext): BicepDeclared[] {
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
  const resolved: BicepDeclared[] = [];
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
      span: resource.span,
      resource,
      kind: type.slice(PROVIDER.length).toLowerCase(),
      names,
      properties: isObject(properties) ? properties : {},
      declaration,
      definitionFile: () => loadedFile(file, resource, ctx),
      policy: () => readPolicy(file, text, resource, ctx),
    });
  }
  return resolved;
}

function nameText(value: BicepValue | undefined): string {
  if (value?.kind === 'string') return value.value;
  return value?.kind === 'expression' ? value.text : '';
}

/** The file of `loadTextContent('./x')` / `loadJsonContent('./x')` at `property`, resolved from the Bicep file. */
function loadedFile(file: string, resource: BicepResource, ctx: ReadContext): string | undefined {
  const value = bicepValueAt(resource.body, ['properties', 'value']);
  if (value?.kind !== 'expression') return undefined;
  // A JSON path argument (`loadJsonContent('x.json', '$.spec')`) selects part of the file: not the definition.
  const match = /^load(?:TextContent\(\s*'([^']+)'\s*(?:,\s*'[^']*'\s*)?|JsonContent\(\s*'([^']+)'\s*)\)$/.exec(value.text);
  const relative = match?.[1] ?? match?.[2];
  if (relative === undefined) return undefined;
  const loaded = path.resolve(path.dirname(file), relative);
  if (ctx.files.isInside(loaded)) return loaded;
  ctx.report([{ file, span: value.span, kind: 'outside-root', message: `${value.text} points outside the scanned folder; it was not opened.` }]);
  return undefined;
}

/** The policy of a `.../policies` or `policyFragments` resource: a loaded file, or an inline string. */
function readPolicy(file: string, text: string, resource: BicepResource, ctx: ReadContext): PolicyAttachment | undefined {
  const loaded = loadedFile(file, resource, ctx);
  if (loaded) return ctx.readPolicy(loaded);
  const value = bicepValueAt(resource.body, ['properties', 'value']);
  if (value?.kind !== 'string') return undefined;
  // Blank out the rest of the Bicep file so that the policy's offsets are offsets into the .bicep file.
  const before = text.slice(0, value.contentSpan.start).replace(/[^\n]/g, ' ');
  const xml = parsePolicyXml(file, before + value.value);
  ctx.report(xml.problems);
  return { file, xml };
}
