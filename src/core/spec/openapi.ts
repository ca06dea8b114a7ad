// CONTRACT (to be implemented): OpenAPI 2.0 / 3.0 / 3.1 reading with source locations through $refs.
import type { ParsedDocument, JsonPath } from '../parse/document';
import type { InputProblem } from '../problems';
import type { SourceLocation } from '../text';

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
