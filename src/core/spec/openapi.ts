// OpenAPI 2.0 / 3.0 / 3.1 reading with source locations through $refs.
import type { JsonPath, ParsedDocument } from '../parse/document';
import type { DocumentReader } from '../parse/index';
import { MAX_NESTING_DEPTH } from '../limits';
import type { InputProblem } from '../problems';
import type { SourceLocation, Span } from '../text';
import { isReference, RefResolver, resolverOf, sameNode, samePointer, type FollowedReference, type Located } from './refs';

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
  /** The method key in its path item (the file may differ from the root when the path item is a $ref; the operation itself may be a $ref to yet another file). */
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

/** Whether a parsed document says it is OpenAPI (of some version): it has a top-level `openapi` or `swagger` field. */
export function declaresOpenApi(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && (value.openapi !== undefined || value.swagger !== undefined);
}

function detectVersion(value: unknown): OpenApiVersion | { reason: string } {
  if (!declaresOpenApi(value)) return { reason: 'Not an OpenAPI definition: it has no `openapi` or `swagger` field.' };
  // YAML reads `openapi: 3.0` and `swagger: 2.0` as numbers.
  const declared = String(value.openapi ?? value.swagger);
  if (value.openapi === undefined) return /^2(\.0)?$/.test(declared) ? '2.0' : { reason: `Swagger version ${declared} is not supported (2.0 is).` };
  if (/^3(\.0(\..*)?)?$/.test(declared)) return '3.0';
  if (/^3\.\d+/.test(declared)) return '3.1';
  return { reason: `OpenAPI version ${declared} is not supported (2.0, 3.0 and 3.1 are).` };
}

/** A path item's operations, and what they were read from. */
interface ReadPathItem {
  template: string;
  root: ParsedDocument;
  version: OpenApiVersion;
  rootInputs: unknown[];
  references: FollowedReference[];
  operations: SpecOperation[];
}

/**
 * Per path item object of a live document (the editor's), its operations as the latest load read
 * them. A later load reuses them when the path item is the same object (the parse shares what an edit
 * left alone) under the same template and its $refs lead to the same objects; the operations'
 * locations find their spans again in the new text.
 */
const readPathItems = new WeakMap<object, ReadPathItem>();

class SpecReader {
  private readonly rootValue: Record<string, unknown>;
  /** The root's values that operations depend on besides their path item: `security`, and Swagger's `consumes` and `produces`. */
  private readonly rootInputs: unknown[];
  /** Where the $refs followed while reading a path item are noted. */
  private followed?: FollowedReference[];

  constructor(
    private readonly root: ParsedDocument,
    private readonly version: OpenApiVersion,
    private readonly resolver: RefResolver,
  ) {
    this.rootValue = root.value as Record<string, unknown>;
    this.rootInputs = [this.rootValue.security, this.rootValue.consumes, this.rootValue.produces];
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

  /** Every operation; paths that yield none at all are a problem, told at `paths`: the API would look clean unread. */
  operations(): SpecOperation[] {
    const operations: SpecOperation[] = [];
    const paths = this.rootValue.paths;
    if (!isRecord(paths)) return operations;
    const templates = Object.keys(paths).filter((key) => key.startsWith('/')); // not `x-` extensions
    for (const template of templates) operations.push(...this.pathItemOperations(template, paths[template]));
    if (operations.length === 0 && templates.length > 0) {
      const [declared, them] = templates.length === 1 ? ['One path is', 'it'] : [`${templates.length} paths are`, 'them'];
      this.resolver.problems.push({
        file: this.root.file,
        span: this.root.keySpan(['paths']),
        kind: 'invalid-artifact',
        message: `${declared} declared, but no operation (${METHODS.join(', ')}) could be read from ${them}: this API has nothing to analyse.`,
      });
    }
    return operations;
  }

  /** A path item's operations: those read by the latest load when they were read from the same values, else read now. */
  private pathItemOperations(template: string, written: unknown): SpecOperation[] {
    if (this.root.revision === undefined) return this.readPathItem(template, written);
    const rootInputs = this.rootInputs;
    const kept = isObject(written) ? readPathItems.get(written) : undefined;
    if (
      kept?.template === template &&
      kept.root === this.root &&
      kept.version === this.version &&
      kept.rootInputs.every((input, index) => input === rootInputs[index]) &&
      kept.references.every(({ node, target }) => sameNode(this.resolver.peek(node), target))
    ) {
      return kept.operations;
    }
    const references: FollowedReference[] = [];
    const problems = this.resolver.problems.length;
    this.followed = references;
    const operations = this.readPathItem(template, written);
    this.followed = undefined;
    if (isObject(written)) {
      const intact = this.resolver.problems.length === problems && references.every((reference) => reference.target);
      if (intact) readPathItems.set(written, { template, root: this.root, version: this.version, rootInputs, references, operations });
      else readPathItems.delete(written);
    }
    return operations;
  }

  private readPathItem(template: string, written: unknown): SpecOperation[] {
    const operations: SpecOperation[] = [];
    const item = this.resolve({ value: written, document: this.root, pointer: ['paths', template] });
    if (!item || !isRecord(item.value)) return operations;
    for (const method of METHODS) {
      if (item.value[method] === undefined) continue;
      const listed: JsonPath = [...item.pointer, method];
      // An operation may be a $ref (DigitalOcean's spec keeps each in a file of its own): read where it
      // leads, located where the path item lists it.
      const node = this.resolve({ value: item.value[method], document: item.document, pointer: listed });
      if (!node || !isRecord(node.value)) continue;
      const operation = node.value;
      operations.push({
        method,
        path: template,
        operationId: typeof operation.operationId === 'string' ? operation.operationId : undefined,
        location: locate(item.document, listed, 'key'),
        document: node.document,
        pointer: node.pointer,
        parameters: this.parameters(item, node),
        bodies: this.version === '2.0' ? this.swaggerBodies(node) : this.openApiBodies(node),
        declaresSecurity: this.declaresSecurity(operation),
      });
    }
    return operations;
  }

  /** Path-level then operation-level parameters; an operation parameter replaces the path one with the same name and location. */
  private parameters(item: Located, operation: Located): SpecParameter[] {
    const merged = new Map<string, SpecParameter>();
    for (const owner of [item, operation]) {
      for (const parameterNode of this.children(owner, 'parameters')) {
        const parameter = this.resolve(parameterNode);
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
      const requestBody = this.resolve(this.child(operation, 'requestBody'));
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
      const media = this.resolve(this.child(content, mediaType));
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
      const parameter = this.resolve(parameterNode);
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
      const response = this.resolve(this.child(responses, status));
      if (response && isRecord(response.value)) resolved.push([status, response]);
    }
    return resolved;
  }

  private declaresSecurity(operation: Record<string, unknown>): boolean {
    // An operation's `security` (even `[]`) replaces the root's; `{}` is the anonymous alternative.
    const requirements = operation.security !== undefined ? operation.security : this.rootValue.security;
    return Array.isArray(requirements) && requirements.some((requirement) => isRecord(requirement) && Object.keys(requirement).length > 0);
  }

  private resolve(node: Located): Located | undefined {
    const target = this.resolver.resolve(node);
    if (isReference(node.value)) this.followed?.push({ node, target });
    return target;
  }

  private schemaAt(owner: Located, key: string): SchemaNode | undefined {
    if (!isRecord(owner.value) || owner.value[key] === undefined) return undefined;
    const schema = this.resolve(this.child(owner, key));
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
  /** What the list was read from, for a later load to reuse it; absent outside live documents, and when a cycle cut it or a $ref was broken. */
  source?: FieldSource;
}

interface FieldSource {
  document: ParsedDocument;
  pointer: JsonPath;
  /** Every $ref followed for the list, its nested lists' included, and where it led. */
  references: FollowedReference[];
  /** The lists of the schemas below, by schema object. */
  nested: [object, FieldList][];
}

/**
 * Per schema object, per resolver (that is per load of a spec): the GitHub spec's shared schemas are
 * walked once however often they are used.
 */
const fieldListsByResolver = new WeakMap<object, WeakMap<object, FieldList>>();
const fieldListsWithoutResolver = new WeakMap<object, FieldList>();
/**
 * Per schema object of a live document (the editor's), the list of the latest load, that a later load
 * reuses when the schema is read from the same place and its $refs still lead to the same objects:
 * the parse shares the objects an edit left alone, and their fields find their spans again.
 */
const keptFieldLists = new WeakMap<object, FieldList>();

/**
 * The properties reachable from a schema through properties, items (`[]`), allOf/oneOf/anyOf and
 * object-valued additionalProperties (`*`), following $refs; at most 8 levels deep and 2000 fields.
 * The result is shared between callers: do not modify it.
 */
export function schemaFields(node: SchemaNode): SchemaField[] {
  const resolver = resolverOf(node.document);
  let fieldLists = resolver ? fieldListsByResolver.get(resolver) : fieldListsWithoutResolver;
  if (!fieldLists) fieldListsByResolver.set(resolver!, (fieldLists = new WeakMap()));
  return (fieldLists.get(node.value) ?? new FieldCollector(resolver, fieldLists).collect(node)).fields;
}

/** The list of a schema with nothing below it (most property schemas), shared rather than built for each. */
const NO_FIELDS: FieldList = { fields: [], depths: [] };

class FieldCollector {
  private readonly visiting = new Set<object>();
  private reportedTooDeep = false;

  constructor(
    private readonly resolver: RefResolver | undefined,
    private readonly fieldLists: WeakMap<object, FieldList>,
  ) {}

  collect(schema: Located): FieldList {
    const value = schema.value as Record<string, unknown>;
    if (!hasNestedSchemas(value)) return NO_FIELDS;
    const known = this.fieldLists.get(value) ?? this.kept(schema);
    if (known) return known;
    // A schema that contains itself adds nothing new below itself. (Its memo, computed inside the cycle, is cut there too.)
    if (this.visiting.has(value)) return { fields: [], depths: [] };
    // Schemas nested through $refs can go on for ever without a cycle; fields past MAX_FIELD_DEPTH are dropped anyway.
    if (this.visiting.size === MAX_NESTING_DEPTH) return this.tooDeep(schema);
    this.visiting.add(value);
    const list = this.read(schema);
    this.visiting.delete(value);
    this.fieldLists.set(value, list);
    if (list.source) keptFieldLists.set(value, list);
    else if (schema.document.revision !== undefined) keptFieldLists.delete(value);
    return list;
  }

  /** The list of a schema past the depth limit: empty, not remembered, and reported once. */
  private tooDeep(schema: Located): FieldList {
    if (!this.reportedTooDeep && this.resolver) {
      this.reportedTooDeep = true;
      const message = `Schemas are nested more than ${MAX_NESTING_DEPTH} levels deep (through $refs): the fields below this one are not analysed.`;
      this.resolver.problems.push({ file: schema.document.file, span: schema.document.keySpan(schema.pointer), kind: 'too-deep', message });
    }
    return { fields: [], depths: [] };
  }

  /** The list a previous load read from the same place, when its $refs lead to the same objects now. */
  private kept(schema: Located): FieldList | undefined {
    const kept = keptFieldLists.get(schema.value as object);
    const resolver = this.resolver;
    if (!kept?.source || !resolver || kept.source.document !== schema.document || !samePointer(kept.source.pointer, schema.pointer)) return undefined;
    if (!kept.source.references.every(({ node, target }) => sameNode(resolver.peek(node), target))) return undefined;
    this.remember(schema.value as object, kept);
    return kept;
  }

  /** Takes over a kept list and the lists below it, as reading it again would have. */
  private remember(value: object, list: FieldList): void {
    if (this.fieldLists.has(value)) return;
    this.fieldLists.set(value, list);
    for (const [nestedValue, nested] of list.source!.nested) this.remember(nestedValue, nested);
  }

  private read(schema: Located): FieldList {
    const value = schema.value as Record<string, unknown>;
    const list: FieldList = { fields: [], depths: [] };
    let keepable = this.resolver !== undefined && schema.document.revision !== undefined;
    // A set: the lists below share their own $refs, which each list would otherwise repeat.
    const references = keepable ? new Set<FollowedReference>() : undefined;
    const nestedLists: [object, FieldList][] = [];
    const problems = this.resolver?.problems.length;
    const resolve = (node: Located): Located | undefined => {
      const target = this.resolver ? this.resolver.resolve(node) : isReference(node.value) ? undefined : node;
      if (keepable && isReference(node.value)) {
        references!.add({ node, target });
        if (!target) keepable = false;
      }
      return target;
    };
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
      const nested = this.collect(resolved);
      if (nested.source && keepable) {
        for (const reference of nested.source.references) references!.add(reference);
        nestedLists.push([resolved.value, nested]);
      } else if (nested !== NO_FIELDS) {
        keepable = false;
      }
      // Depth and room checked before a field is copied under its prefix: deep schemas have most of their fields past the limit.
      for (let index = 0; index < nested.fields.length && list.fields.length < MAX_FIELDS; index++) {
        const depth = nested.depths[index] + extraDepth;
        if (depth > MAX_FIELD_DEPTH) continue;
        const field = nested.fields[index];
        add(prefix === '' ? field : { ...field, path: joinFieldPath(prefix, field.path) }, depth);
      }
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

    if (keepable && this.resolver!.problems.length === problems) list.source = { document: schema.document, pointer: schema.pointer, references: [...references!], nested: nestedLists };
    return list;
  }
}

function hasNestedSchemas(schema: Record<string, unknown>): boolean {
  return isRecord(schema.properties) || isRecord(schema.items) || isRecord(schema.additionalProperties) || Array.isArray(schema.allOf) || Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf);
}

/** `cards` + `[].number` → `cards[].number`; `customer` + `name` → `customer.name`. */
function joinFieldPath(prefix: string, path: string): string {
  return path.startsWith('[') ? prefix + path : `${prefix}.${path}`;
}

/**
 * A location whose span is found when first read: a spec has far more parameters, bodies and fields
 * than findings, and finding a span scans the text. A class, not an object with its own getter: the
 * editor rebuilds tens of thousands of these on each edit, and each would otherwise cost a closure.
 */
class LazyLocation implements SourceLocation {
  readonly file: string;
  private found?: Span;
  /** The document's revision the span was found in: a live document's edit may move it. */
  private foundIn?: number;

  constructor(
    private readonly document: ParsedDocument,
    private readonly pointer: JsonPath,
    private readonly part: 'key' | 'value',
  ) {
    this.file = document.file;
  }

  get span(): Span {
    if (this.found === undefined || this.foundIn !== this.document.revision) {
      this.found = (this.part === 'key' ? this.document.keySpan(this.pointer) : this.document.valueSpan(this.pointer)) ?? { start: 0, end: 0 };
      this.foundIn = this.document.revision;
    }
    return this.found;
  }

  /** What JSON and copies see: a plain location. */
  toJSON(): SourceLocation {
    return { file: this.file, span: this.span };
  }
}

function locate(document: ParsedDocument, pointer: JsonPath, part: 'key' | 'value'): SourceLocation {
  return new LazyLocation(document, pointer, part);
}

function schemaNode(schema: Located): SchemaNode {
  return { value: schema.value as Record<string, unknown>, document: schema.document, pointer: schema.pointer, location: locate(schema.document, schema.pointer, 'key') };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
