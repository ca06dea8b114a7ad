// OpenAPI 2.0 / 3.0 / 3.1 reading with source locations through $refs.
import type { JsonPath, ParsedDocument } from '../parse/document';
import type { DocumentReader } from '../parse/index';
import type { InputProblem } from '../problems';
import type { SourceLocation, Span } from '../text';
import { isReference, RefResolver, resolverOf, type Located } from './refs';

export type OpenApiVersion = '2.0' | '3.0' | '3.1';

export interface OpenApiSpec {
  /** Absolute path of the root file. */
  file: string;
  version: OpenApiVersion;
  title?: string;
  /** The root document. */
  document: ParsedDocument;
  /** Every document read for this spec: the root and the targets of relative $refs. */
  documents: ParsedDocument[];
  /** OpenAPI 3 `servers` (top level), or the URLs built from Swagger 2 `schemes` + `host` + `basePath`. */
  servers: SpecServer[];
  operations: SpecOperation[];
  /** Unresolved / remote / cyclic $refs and other problems met while reading. */
  problems: InputProblem[];
}

export interface SpecServer {
  url: string;
  location: SourceLocation;
}

export interface SpecOperation {
  /** Lower-case HTTP method. */
  method: string;
  /** URL template as written in `paths`. */
  path: string;
  operationId?: string;
  /** The method key in its path item (the file may differ from the root when the path item is a $ref). */
  location: SourceLocation;
  /** Where the operation object is, as document + path (for edits and further lookups). */
  document: ParsedDocument;
  pointer: JsonPath;
  /** Path-level and operation-level parameters merged (operation wins), $refs resolved. */
  parameters: SpecParameter[];
  /** Request body (3.x `requestBody`, 2.0 `in: body` / `formData`) and response bodies. */
  bodies: SpecBody[];
  /** Whether the spec declares a security requirement for this operation (informative only: APIM does not enforce it). */
  declaresSecurity: boolean;
}

export interface SpecParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie' | 'body' | 'formData';
  /** The parameter object after $ref resolution. */
  value: Record<string, unknown>;
  schema?: SchemaNode;
  /** The parameter's `name` value where written. */
  location: SourceLocation;
}

export interface SpecBody {
  direction: 'request' | 'response';
  /** Response status code (`200`, `default`), for responses. */
  status?: string;
  mediaType?: string;
  schema: SchemaNode;
  location: SourceLocation;
}

/** A schema object after $ref resolution, with where it is written. */
export interface SchemaNode {
  value: Record<string, unknown>;
  document: ParsedDocument;
  pointer: JsonPath;
  location: SourceLocation;
}

/** A property reachable from a schema (through properties, items, allOf/oneOf/anyOf, additionalProperties). */
export interface SchemaField {
  /** The property name. */
  name: string;
  /** Dotted path from the body root, `[]` for array items: `customer.cards[].number`. */
  path: string;
  schema: Record<string, unknown>;
  /** The property key where it is written. */
  location: SourceLocation;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const PARAMETER_LOCATIONS: ReadonlySet<string> = new Set(['path', 'query', 'header', 'cookie', 'body', 'formData']);

/**
 * Reads an OpenAPI 2.0/3.0/3.1 file and the files its relative $refs reach. A file without an
 * `openapi`/`swagger` key gives no spec and a 'not-a-spec' problem: callers decide whether that matters.
 * `problems` holds the root file's parse problems and, with a spec, is the spec's own `problems`
 * (which schemaFields may still append to, when a schema's $ref turns out broken).
 */
export function loadOpenApi(file: string, reader: DocumentReader): { spec?: OpenApiSpec; problems: InputProblem[] } {
  const parsed = reader.parse(file);
  const root = parsed.document;
  if (!root) return { problems: parsed.problems };
  const version = detectVersion(root.value);
  if (typeof version !== 'string') {
    return { problems: [...parsed.problems, { file: root.file, kind: 'not-a-spec', message: version.reason }] };
  }
  const problems = [...parsed.problems];
  const resolver = new RefResolver(reader, root, problems);
  const specReader = new SpecReader(root, version, resolver);
  const rootValue = root.value as Record<string, unknown>;
  const info = rootValue.info;
  const title = isRecord(info) && typeof info.title === 'string' ? info.title : undefined;
  const spec: OpenApiSpec = {
    file: root.file,
    version,
    title,
    document: root,
    documents: resolver.documents,
    servers: specReader.servers(),
    operations: specReader.operations(),
    problems,
  };
  return { spec, problems };
}

function detectVersion(value: unknown): OpenApiVersion | { reason: string } {
  if (!isRecord(value) || (value.openapi === undefined && value.swagger === undefined)) {
    return { reason: 'Not an OpenAPI definition: it has no `openapi` or `swagger` field.' };
  }
  // YAML reads `openapi: 3.0` and `swagger: 2.0` as numbers.
  const declared = String(value.openapi ?? value.swagger);
  if (value.openapi === undefined) return /^2(\.0)?$/.test(declared) ? '2.0' : { reason: `Swagger version ${declared} is not supported (2.0 is).` };
  if (/^3(\.0(\..*)?)?$/.test(declared)) return '3.0';
  if (/^3\.\d+/.test(declared)) return '3.1';
  return { reason: `OpenAPI version ${declared} is not supported (2.0, 3.0 and 3.1 are).` };
}

class SpecReader {
  private readonly rootValue: Record<string, unknown>;

  constructor(
    private readonly root: ParsedDocument,
    private readonly version: OpenApiVersion,
    private readonly resolver: RefResolver,
  ) {
    this.rootValue = root.value as Record<string, unknown>;
  }

  servers(): SpecServer[] {
    return this.version === '2.0' ? this.swaggerServers() : this.openApiServers();
  }

  /** OpenAPI 3 top-level servers, with `{variables}` replaced by their defaults. */
  private openApiServers(): SpecServer[] {
    const servers: SpecServer[] = [];
    const declared = this.rootValue.servers;
    if (!Array.isArray(declared)) return servers;
    declared.forEach((server, index) => {
      if (!isRecord(server) || typeof server.url !== 'string') return;
      const variables = isRecord(server.variables) ? server.variables : {};
      const url = server.url.replace(/\{([^}]+)\}/g, (written, name: string) => {
        const variable = variables[name];
        return isRecord(variable) && typeof variable.default === 'string' ? variable.default : written;
      });
      servers.push({ url, location: locate(this.root, ['servers', index, 'url'], 'value') });
    });
    return servers;
  }

  /** Swagger 2: one URL per scheme (https when none is given) from `host` and `basePath`. */
  private swaggerServers(): SpecServer[] {
    const { schemes, host, basePath } = this.rootValue;
    const hostText = typeof host === 'string' ? host : '';
    const basePathText = typeof basePath === 'string' ? basePath : '';
    const declaredSchemes = Array.isArray(schemes) ? schemes : undefined;
    if (!declaredSchemes && !hostText) {
      return basePathText ? [{ url: basePathText, location: locate(this.root, ['basePath'], 'value') }] : [];
    }
    const fallback: JsonPath = hostText ? ['host'] : ['basePath'];
    return (declaredSchemes ?? ['https']).flatMap((scheme, index) =>
      typeof scheme === 'string'
        ? [{ url: `${scheme.toLowerCase()}://${hostText}${basePathText}`, location: locate(this.root, declaredSchemes ? ['schemes', index] : fallback, 'value') }]
        : [],
    );
  }

  operations(): SpecOperation[] {
    const operations: SpecOperation[] = [];
    const paths = this.rootValue.paths;
    if (!isRecord(paths)) return operations;
    for (const [template, written] of Object.entries(paths)) {
      if (!template.startsWith('/')) continue; // `x-` extensions
      const item = this.resolver.resolve({ value: written, document: this.root, pointer: ['paths', template] });
      if (!item || !isRecord(item.value)) continue;
      for (const method of METHODS) {
        const operation = item.value[method];
        if (!isRecord(operation)) continue;
        const node: Located = { value: operation, document: item.document, pointer: [...item.pointer, method] };
        operations.push({
          method,
          path: template,
          operationId: typeof operation.operationId === 'string' ? operation.operationId : undefined,
          location: locate(item.document, node.pointer, 'key'),
          document: item.document,
          pointer: node.pointer,
          parameters: this.parameters(item, node),
          bodies: this.version === '2.0' ? this.swaggerBodies(node) : this.openApiBodies(node),
          declaresSecurity: this.declaresSecurity(operation),
        });
      }
    }
    return operations;
  }

  /** Path-level then operation-level parameters; an operation parameter replaces the path one with the same name and location. */
  private parameters(item: Located, operation: Located): SpecParameter[] {
    const merged = new Map<string, SpecParameter>();
    for (const owner of [item, operation]) {
      for (const parameterNode of this.children(owner, 'parameters')) {
        const parameter = this.resolver.resolve(parameterNode);
        if (!parameter || !isRecord(parameter.value)) continue;
        const { name, in: where } = parameter.value;
        if (typeof name !== 'string' || typeof where !== 'string' || !PARAMETER_LOCATIONS.has(where)) continue;
        merged.set(`${where}\0${name}`, {
          name,
          in: where as SpecParameter['in'],
          value: parameter.value,
          schema: this.parameterSchema(parameter),
          location: locate(parameter.document, [...parameter.pointer, 'name'], 'value'),
        });
      }
    }
    return [...merged.values()];
  }

  /** 3.x `schema` or the first `content` entry's; 2.0 body parameters' `schema` (other 2.0 parameters carry type/format themselves). */
  private parameterSchema(parameter: Located): SchemaNode | undefined {
    const value = parameter.value as Record<string, unknown>;
    if (value.schema !== undefined) return this.schemaAt(parameter, 'schema');
    if (this.version === '2.0' || !isRecord(value.content)) return undefined;
    const [mediaType] = Object.keys(value.content);
    return mediaType === undefined ? undefined : this.schemaAt({ value: value.content[mediaType], document: parameter.document, pointer: [...parameter.pointer, 'content', mediaType] }, 'schema');
  }

  private openApiBodies(operation: Located): SpecBody[] {
    const bodies: SpecBody[] = [];
    const value = operation.value as Record<string, unknown>;
    if (value.requestBody !== undefined) {
      const requestBody = this.resolver.resolve(this.child(operation, 'requestBody'));
      if (requestBody) bodies.push(...this.contentBodies(requestBody, 'request'));
    }
    for (const [status, response] of this.responses(operation)) bodies.push(...this.contentBodies(response, 'response', status));
    return bodies;
  }

  private contentBodies(owner: Located, direction: SpecBody['direction'], status?: string): SpecBody[] {
    const bodies: SpecBody[] = [];
    if (!isRecord(owner.value) || !isRecord(owner.value.content)) return bodies;
    const content = this.child(owner, 'content');
    for (const mediaType of Object.keys(owner.value.content)) {
      const media = this.resolver.resolve(this.child(content, mediaType));
      const schema = media && this.schemaAt(media, 'schema');
      if (schema) bodies.push({ direction, status, mediaType, schema, location: locate(content.document, [...content.pointer, mediaType], 'key') });
    }
    return bodies;
  }

  /** Swagger 2: the `in: body` parameter, and each response's `schema`, with the first of `consumes`/`produces` as media type. */
  private swaggerBodies(operation: Located): SpecBody[] {
    const value = operation.value as Record<string, unknown>;
    const bodies: SpecBody[] = [];
    for (const parameterNode of this.children(operation, 'parameters')) {
      const parameter = this.resolver.resolve(parameterNode);
      if (!parameter || !isRecord(parameter.value) || parameter.value.in !== 'body') continue;
      const schema = this.schemaAt(parameter, 'schema');
      if (schema) bodies.push({ direction: 'request', mediaType: this.firstMediaType(value.consumes, 'consumes'), schema, location: locate(parameter.document, [...parameter.pointer, 'name'], 'value') });
    }
    const mediaType = this.firstMediaType(value.produces, 'produces');
    for (const [status, response] of this.responses(operation)) {
      const schema = this.schemaAt(response, 'schema');
      if (schema) bodies.push({ direction: 'response', status, mediaType, schema, location: locate(response.document, response.pointer, 'key') });
    }
    return bodies;
  }

  private firstMediaType(operationLevel: unknown, rootKey: 'consumes' | 'produces'): string | undefined {
    const declared = Array.isArray(operationLevel) ? operationLevel : this.rootValue[rootKey];
    return Array.isArray(declared) && typeof declared[0] === 'string' ? declared[0] : undefined;
  }

  /** Each response, $ref resolved, with its status code. */
  private responses(operation: Located): [string, Located][] {
    const value = operation.value as Record<string, unknown>;
    if (!isRecord(value.responses)) return [];
    const responses = this.child(operation, 'responses');
    const resolved: [string, Located][] = [];
    for (const status of Object.keys(value.responses)) {
      if (status.startsWith('x-')) continue;
      const response = this.resolver.resolve(this.child(responses, status));
      if (response && isRecord(response.value)) resolved.push([status, response]);
    }
    return resolved;
  }

  private declaresSecurity(operation: Record<string, unknown>): boolean {
    // An operation's `security` (even `[]`) replaces the root's; `{}` is the anonymous alternative.
    const requirements = operation.security !== undefined ? operation.security : this.rootValue.security;
    return Array.isArray(requirements) && requirements.some((requirement) => isRecord(requirement) && Object.keys(requirement).length > 0);
  }

  private schemaAt(owner: Located, key: string): SchemaNode | undefined {
    if (!isRecord(owner.value) || owner.value[key] === undefined) return undefined;
    const schema = this.resolver.resolve(this.child(owner, key));
    return schema && isRecord(schema.value) ? schemaNode(schema) : undefined;
  }

  private child(owner: Located, key: string | number): Located {
    return { value: (owner.value as Record<string, unknown>)[key], document: owner.document, pointer: [...owner.pointer, key] };
  }

  private children(owner: Located, key: string): Located[] {
    const list = (owner.value as Record<string, unknown>)[key];
    if (!Array.isArray(list)) return [];
    const node = this.child(owner, key);
    return list.map((_, index) => this.child(node, index));
  }
}

/** How many property levels schemaFields follows, and how many fields one schema yields at most. */
const MAX_FIELD_DEPTH = 8;
const MAX_FIELDS = 2000;

/** A schema's fields and, for each, how many property levels below the schema it is. */
interface FieldList {
  fields: SchemaField[];
  depths: number[];
}

/**
 * Per schema object: the GitHub spec's shared schemas are walked once however often they are used.
 * Kept per resolver, that is per load of a spec: a document reused by a later scan (the editor's parse
 * cache) may $ref a file that changed since, so fields never outlive the load that resolved them.
 */
const fieldListsByResolver = new WeakMap<object, WeakMap<object, FieldList>>();
const fieldListsWithoutResolver = new WeakMap<object, FieldList>();

/**
 * The properties reachable from a schema through properties, items (`[]`), allOf/oneOf/anyOf and
 * object-valued additionalProperties (`*`), following $refs; at most 8 levels deep and 2000 fields.
 * The result is shared between callers: do not modify it.
 */
export function schemaFields(node: SchemaNode): SchemaField[] {
  const resolver = resolverOf(node.document);
  const resolve = (located: Located): Located | undefined => (resolver ? resolver.resolve(located) : isReference(located.value) ? undefined : located);
  let fieldLists = resolver ? fieldListsByResolver.get(resolver) : fieldListsWithoutResolver;
  if (!fieldLists) fieldListsByResolver.set(resolver!, (fieldLists = new WeakMap()));
  return collectFields(node, resolve, new Set(), fieldLists).fields;
}

function collectFields(schema: Located, resolve: (node: Located) => Located | undefined, visiting: Set<object>, fieldLists: WeakMap<object, FieldList>): FieldList {
  const value = schema.value as Record<string, unknown>;
  const known = fieldLists.get(value);
  if (known) return known;
  const list: FieldList = { fields: [], depths: [] };
  // A schema that contains itself adds nothing new below itself. (Its memo, computed inside the cycle, is cut there too.)
  if (visiting.has(value)) return list;
  visiting.add(value);
  const paths = new Set<string>();
  const add = (field: SchemaField, depth: number) => {
    if (depth > MAX_FIELD_DEPTH || list.fields.length >= MAX_FIELDS || paths.has(field.path)) return;
    paths.add(field.path);
    list.fields.push(field);
    list.depths.push(depth);
  };
  const addNested = (prefix: string, node: Located, extraDepth: number) => {
    const resolved = resolve(node);
    if (!resolved || !isRecord(resolved.value)) return;
    const nested = collectFields(resolved, resolve, visiting, fieldLists);
    nested.fields.forEach((field, index) => add(prefix === '' ? field : { ...field, path: joinFieldPath(prefix, field.path) }, nested.depths[index] + extraDepth));
  };
  const child = (key: string | number, parent: Located = schema): Located => ({
    value: (parent.value as Record<string, unknown>)[key],
    document: parent.document,
    pointer: [...parent.pointer, key],
  });

  if (isRecord(value.properties)) {
    const properties = child('properties');
    for (const name of Object.keys(value.properties)) {
      const property = child(name, properties);
      const resolved = resolve(property);
      add({ name, path: name, schema: resolved && isRecord(resolved.value) ? resolved.value : {}, location: locate(property.document, property.pointer, 'key') }, 1);
      addNested(name, property, 1);
    }
  }
  if (isRecord(value.items)) addNested('[]', child('items'), 0);
  for (const combinator of ['allOf', 'oneOf', 'anyOf']) {
    const branches = value[combinator];
    if (!Array.isArray(branches)) continue;
    const owner = child(combinator);
    branches.forEach((_, index) => addNested('', child(index, owner), 0));
  }
  if (isRecord(value.additionalProperties)) addNested('*', child('additionalProperties'), 1);

  visiting.delete(value);
  fieldLists.set(value, list);
  return list;
}

/** `cards` + `[].number` → `cards[].number`; `customer` + `name` → `customer.name`. */
function joinFieldPath(prefix: string, path: string): string {
  return path.startsWith('[') ? prefix + path : `${prefix}.${path}`;
}

/**
 * A location whose span is found when first read: a spec has far more parameters, bodies and fields
 * than findings, and finding a span scans the text.
 */
function locate(document: ParsedDocument, pointer: JsonPath, part: 'key' | 'value'): SourceLocation {
  let span: Span | undefined;
  return {
    file: document.file,
    get span(): Span {
      return (span ??= (part === 'key' ? document.keySpan(pointer) : document.valueSpan(pointer)) ?? { start: 0, end: 0 });
    },
  };
}

function schemaNode(schema: Located): SchemaNode {
  return { value: schema.value as Record<string, unknown>, document: schema.document, pointer: schema.pointer, location: locate(schema.document, schema.pointer, 'key') };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
