import type { InputProblem } from '../problems';
import type { Span } from '../text';

/** A path into a parsed JSON/YAML value: property names and array indexes, as in a JSON pointer. */
export type JsonPath = readonly (string | number)[];

/**
 * A JSON or YAML file parsed to plain values, that can still say where each value came from.
 * Positions are looked up on demand so that a 13 MB spec costs little more than `JSON.parse`.
 */
export interface ParsedDocument {
  /** Absolute path. */
  readonly file: string;
  readonly text: string;
  readonly format: 'json' | 'yaml';
  /** The root value; objects may be shared (YAML aliases), never expanded copies. */
  readonly value: unknown;
  /** Span of the value at `path` (the whole object/array/scalar), or undefined when the path does not exist. */
  valueSpan(path: JsonPath): Span | undefined;
  /** Span of the property key that holds the value at `path` (for the root or array items: the value span). */
  keySpan(path: JsonPath): Span | undefined;
  /**
   * Counts the edits of a live document (the editor's parse cache: one object for every version of
   * the file, reading through to the newest); spans found earlier hold while it stays the same.
   * Undefined for a document that never changes.
   */
  readonly revision?: number;
}

export interface ParseResult {
  /** Undefined when the file could not be parsed at all. */
  document?: ParsedDocument;
  problems: InputProblem[];
}
