// Property edits of declarations written in Bicep or Terraform: each reader describes the object it
// read (keys, spans, which values are literals) and the syntax to write values in; the edit is made
// here, the same way for both. A value that is not a literal (a parameter, a variable, an expression)
// is never overwritten: the fix would change what the code means, so none is offered.
import type { JsonPath } from '../parse/document';
import type { Span, TextEdit } from '../text';

/** An object written in the file (a Bicep object, a Terraform block body or object expression). */
export interface WrittenObject {
  entries: Map<string, WrittenEntry>;
  /** New objects inside it are blocks (`tls { ... }`, a Terraform resource body), not `key = { ... }`. */
  holdsBlocks?: boolean;
}

export interface WrittenEntry {
  /** From the key to the end of the value. */
  span: Span;
  value: WrittenObject | WrittenValue;
}

export interface WrittenValue {
  span: Span;
  /** Written as it is meant (a string without interpolation, a boolean, a list of those). */
  literal: boolean;
}

export interface PropertySyntax {
  /** A string, boolean, number or list of them as the format writes it; `multiline` lists one item a line. */
  value(value: unknown, layout: { indent: string; unit: string; multiline: boolean }): string | undefined;
  /** `key: value` / `key = value`, or a block header `key {` when `value` is `{` of a block. */
  entry(key: string, value: string, block: boolean): string;
}

export type PropertyChange = readonly [JsonPath, unknown];

/** The edits that make `changes` (`undefined` removes) in `root`, written in `text`; undefined when one cannot be made. */
export function writtenPropertyEdits(text: string, root: WrittenObject, changes: readonly PropertyChange[], syntax: PropertySyntax): TextEdit[] | undefined {
  const removed = new Set(changes.filter(([, value]) => value === undefined).map(([property]) => property.join('.')));
  const edits: TextEdit[] = [];
  const change = (object: WrittenObject, at: JsonPath, property: JsonPath, value: unknown): boolean => {
    const [key, ...rest] = property;
    const entry = object.entries.get(String(key));
    if (!entry) return value === undefined || insertEntry(text, object, [...at, key], nested(rest, value), syntax, removed, edits);
    if (rest.length > 0 || isPlainObject(value)) {
      if (!('entries' in entry.value)) return false;
      const inner = entry.value;
      if (rest.length > 0) return change(inner, [...at, key], rest, value);
      return Object.entries(value as Record<string, unknown>).every(([innerKey, innerValue]) => change(inner, [...at, key], [innerKey], innerValue));
    }
    if (value === undefined) return removeEntry(text, entry, edits);
    if ('entries' in entry.value || !entry.value.literal) return false;
    const span = entry.value.span;
    const written = syntax.value(value, { indent: lineIndent(text, entry.span.start), unit: indentUnit(text), multiline: text.slice(span.start, span.end).includes('\n') });
    if (written === undefined) return false;
    edits.push({ span, newText: written });
    return true;
  };
  return changes.every(([property, value]) => change(root, [], property, value)) ? edits : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nested(path: JsonPath, value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

/** A new entry, on its own line after the object's last entry that stays (with that entry's indentation). */
function insertEntry(text: string, object: WrittenObject, at: JsonPath, value: unknown, syntax: PropertySyntax, removed: ReadonlySet<string>, edits: TextEdit[]): boolean {
  const kept = [...object.entries].filter(([key]) => !removed.has([...at.slice(0, -1), key].join('.'))).map(([, entry]) => entry);
  const anchor = kept.sort((a, b) => b.span.end - a.span.end)[0];
  if (!anchor) return false;
  const indent = lineIndent(text, anchor.span.start);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const rendered = renderEntry(String(at[at.length - 1]), value, indent, indentUnit(text), object.holdsBlocks ?? false, syntax, eol);
  if (rendered === undefined) return false;
  const lineEnd = endOfLine(text, anchor.span.end);
  edits.push({ span: { start: lineEnd, end: lineEnd }, newText: eol + indent + rendered });
  return true;
}

function renderEntry(key: string, value: unknown, indent: string, unit: string, asBlock: boolean, syntax: PropertySyntax, eol: string): string | undefined {
  if (!isPlainObject(value)) {
    const written = syntax.value(value, { indent, unit, multiline: false });
    return written === undefined ? undefined : syntax.entry(key, written, false);
  }
  const inner = Object.entries(value).map(([innerKey, innerValue]) => renderEntry(innerKey, innerValue, indent + unit, unit, asBlock, syntax, eol));
  if (inner.some((line) => line === undefined)) return undefined;
  return syntax.entry(key, '{', asBlock) + inner.map((line) => eol + indent + unit + line).join('') + eol + indent + '}';
}

/** Removes the lines an entry is written on; undefined when it shares them with anything else. */
function removeEntry(text: string, entry: WrittenEntry, edits: TextEdit[]): boolean {
  const start = text.lastIndexOf('\n', entry.span.start - 1) + 1;
  const end = endOfLine(text, entry.span.end);
  if (text.slice(start, entry.span.start).trim() !== '' || text.slice(entry.span.end, end).replace(/^\s*,?/, '').trim() !== '') return false;
  edits.push({ span: { start, end: Math.min(text.length, text[end] === '\r' ? end + 2 : end + 1) }, newText: '' });
  return true;
}

/** The offset of the line break (or end of text) after `offset`, before a CR of CRLF. */
function endOfLine(text: string, offset: number): number {
  const lineFeed = text.indexOf('\n', offset);
  const end = lineFeed < 0 ? text.length : lineFeed;
  return text[end - 1] === '\r' ? end - 1 : end;
}

export function lineIndent(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', offset - 1) + 1))![0];
}

/** A tab, or the file's smallest space indentation. */
function indentUnit(text: string): string {
  const indents = Array.from(text.matchAll(/^[ \t]+(?=\S)/gm), (match) => match[0]);
  if (indents.some((indent) => indent.startsWith('\t'))) return '\t';
  return indents.length > 0 ? ' '.repeat(Math.min(...indents.map((indent) => indent.length))) : '  ';
}

/** Writes a scalar or a list of scalars with `scalar`, a list on one line or one item a line. */
function listOrScalar(scalar: (value: string | number | boolean) => string, multilineItemEnd: string) {
  return (value: unknown, { indent, unit, multiline }: { indent: string; unit: string; multiline: boolean }): string | undefined => {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return scalar(value);
    if (!Array.isArray(value) || !value.every((item) => ['string', 'number', 'boolean'].includes(typeof item))) return undefined;
    const items = (value as (string | number | boolean)[]).map(scalar);
    return multiline ? `[${items.map((item) => `\n${indent}${unit}${item}${multilineItemEnd}`).join('')}\n${indent}]` : `[${items.join(', ')}]`;
  };
}

/** Bicep: `'...'` with `\\`, `\'` and `\${` escaped; multi-line arrays have no commas. */
export const BICEP_SYNTAX: PropertySyntax = {
  value: listOrScalar((scalar) => (typeof scalar === 'string' ? `'${escapeBicepString(scalar)}'` : String(scalar)), ''),
  entry: (key, value) => `${key}: ${value}`,
};

/** Terraform: `"..."` with `\\`, `\"` escaped and `${` / `%{` doubled; lists with commas. */
export const HCL_SYNTAX: PropertySyntax = {
  value: listOrScalar((scalar) => (typeof scalar === 'string' ? `"${escapeHclString(scalar)}"` : String(scalar)), ','),
  entry: (key, value, block) => (block ? `${key} ${value}` : `${key} = ${value}`),
};

export function escapeBicepString(value: string): string {
  return value.replace(/[\\'\n\r\t]|\$\{/g, (match) => BICEP_ESCAPES[match]);
}

const BICEP_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t', '${': '\\${' };

export function escapeHclString(value: string): string {
  return escapeHclTemplate(value.replace(/[\\"\n\r\t]/g, (match) => HCL_ESCAPES[match]));
}

const HCL_ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Text in a Terraform template (a heredoc, a string): `${` and `%{` would start an interpolation or directive. */
export function escapeHclTemplate(value: string): string {
  return value.replace(/([$%])\{/g, '$1$1{');
}
