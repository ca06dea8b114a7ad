import * as path from 'path';
import type { ApiResource, OperationResource, PolicyAttachment } from '../model';
import type { SourceLocation } from '../text';
import type { ReadContext } from './context';

/** An operation as the repository declares it outside the spec (an APIOps folder, a Bicep resource, a WADL method). */
export interface DeclaredOperation {
  name: string;
  method?: string;
  urlTemplate?: string;
  policy?: PolicyAttachment;
  /** A policy declared for the operation that could not be read. */
  unreadPolicy?: SourceLocation;
  /** Where the operation itself is declared (an operationInformation.json, a Bicep block, a WADL method). */
  location?: SourceLocation;
}

/**
 * The name APIM would give an operation imported without an `operationId`: we use the method and the
 * path, lower-cased, every run of other characters turned into one `-` (`GET /items/{id}` ->
 * `get-items-id`). APIM's own generated names are not documented; an operation folder that names the
 * operation differently still becomes its own operation.
 */
export function defaultOperationName(method: string, urlTemplate: string): string {
  return `${method}-${urlTemplate}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Reads an API's definition file: OpenAPI (JSON/YAML) into `api.spec`, WADL into operations; others are only noted. */
export function readDefinition(ctx: ReadContext, api: ApiResource, file: string, format?: string): DeclaredOperation[] {
  api.definitionFile = file;
  const kind = definitionKind(file, format);
  if (kind === 'openapi') api.spec = ctx.readSpec(file);
  if (kind !== 'wadl') return [];
  const text = ctx.readText(file);
  return text === undefined ? [] : readWadlOperations(file, text);
}

function definitionKind(file: string, format?: string): 'openapi' | 'wadl' | 'other' {
  const lowerFormat = format?.toLowerCase() ?? '';
  if (lowerFormat.startsWith('wadl')) return 'wadl';
  if (/^(openapi|swagger)/.test(lowerFormat)) return 'openapi';
  if (lowerFormat !== '') return 'other';
  const extension = path.extname(file).toLowerCase();
  if (extension === '.wadl') return 'wadl';
  return ['.yaml', '.yml', '.json'].includes(extension) ? 'openapi' : 'other';
}

// `[^<>]*`, not a lazy `[^>]*?`: an unclosed tag fails at the next `<` instead of rescanning to the end (linear time).
const WADL_TAG = /<(\/?)(resource|method)\b([^<>]*)>/g;

/** `<resource path>` / `<method id name>` pairs of a WADL file; nested resources join their paths. */
export function readWadlOperations(file: string, text: string): DeclaredOperation[] {
  const operations: DeclaredOperation[] = [];
  const resourcePaths: string[] = [];
  for (const match of text.matchAll(WADL_TAG)) {
    const [tag, closing, element, attributes] = match;
    const selfClosing = attributes.endsWith('/');
    if (element === 'resource') {
      if (closing) resourcePaths.pop();
      else if (!selfClosing) resourcePaths.push(attributeValue(attributes, 'path') ?? '');
      continue;
    }
    if (closing) continue;
    const method = attributeValue(attributes, 'name')?.toUpperCase();
    if (!method) continue;
    const urlTemplate = '/' + resourcePaths.map((segment) => segment.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/');
    operations.push({
      name: attributeValue(attributes, 'id') ?? defaultOperationName(method, urlTemplate),
      method,
      urlTemplate,
      location: { file, span: { start: match.index, end: match.index + tag.length } },
    });
  }
  return operations;
}

function attributeValue(attributes: string, name: string): string | undefined {
  return new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(attributes)?.slice(2).find((value) => value !== undefined);
}

/**
 * The API's operations: those of its OpenAPI spec (named by operationId, else `defaultOperationName`),
 * merged by name with those declared elsewhere, which add policies and, when the spec lacks them,
 * become operations of their own.
 */
export function mergeOperations(api: ApiResource, declared: readonly DeclaredOperation[]): OperationResource[] {
  const byName = new Map<string, OperationResource>();
  const operation = (name: string) => {
    let found = byName.get(name);
    if (!found) {
      found = { id: `${api.id}/operations/${name}`, name, location: apiLocation(api) };
      byName.set(name, found);
    }
    return found;
  };
  for (const specOperation of api.spec?.operations ?? []) {
    const method = specOperation.method.toUpperCase();
    const resource = operation(specOperation.operationId ?? defaultOperationName(method, specOperation.path));
    Object.assign(resource, { method, urlTemplate: specOperation.path, specOperation, location: specOperation.location });
  }
  for (const declaration of declared) {
    const resource = operation(declaration.name);
    resource.method ??= declaration.method?.toUpperCase();
    resource.urlTemplate ??= declaration.urlTemplate;
    resource.policy = declaration.policy ?? resource.policy;
    resource.unreadPolicy ??= declaration.unreadPolicy;
    if (!resource.specOperation) resource.location = policyLocation(declaration.policy) ?? declaration.location ?? resource.location;
  }
  return [...byName.values()];
}

function apiLocation(api: ApiResource): SourceLocation {
  return { file: api.declaration.file, span: api.declaration.span };
}

/** The policy's root start tag (`<policies>`), or the top of the file when it has none. */
export function policyLocation(policy: PolicyAttachment | undefined): SourceLocation | undefined {
  if (!policy) return undefined;
  return { file: policy.file, span: policy.xml.root?.startTagSpan ?? { start: 0, end: 0 } };
}
