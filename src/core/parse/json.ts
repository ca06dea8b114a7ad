import { parse as parseTolerant, printParseErrorCode, type ParseError, type ParseErrorCode } from 'jsonc-parser';
import type { InputProblem } from '../problems';
import type { Span } from '../text';
import type { JsonPath, ParsedDocument, ParseResult } from './document';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const BOM = 0xfeff;

/** Property name → [keyStart, keyEnd, valueStart, valueEnd]. */
type ObjectIndex = Map<string, readonly [number, number, number, number]>;
/** Container start → just past its end, for containers at least REMEMBERED_CONTAINER_LENGTH long. */
type ContainerEnds = Map<number, number>;
/** Shorter containers are cheaper to rescan than to remember. */
const REMEMBERED_CONTAINER_LENGTH = 256;
/** Item i spans [offsets[2i], offsets[2i+1]). */
type ArrayIndex = number[];

/**
 * Parses strict JSON with the native parser and finds positions on demand: each container is
 * scanned once, the first time a path goes through it, and its children's offsets are cached.
 */
export function parseJson(file: string, text: string): ParseResult {
  // An unsaved editor buffer may still start with a BOM: a space keeps the offsets (as FileReader does).
  const source = text.charCodeAt(0) === BOM ? ' ' + text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    return { problems: [syntaxProblem(file, source, error as Error)] };
  }
  return { document: new JsonDocument(file, text, value), problems: [] };
}

class JsonDocument implements ParsedDocument {
  readonly format = 'json';
  private readonly objects = new Map<number, ObjectIndex>();
  private readonly arrays = new Map<number, ArrayIndex>();
  private readonly containerEnds: ContainerEnds = new Map();
  private rootSpan?: Span;

  constructor(
    readonly file: string,
    readonly text: string,
    readonly value: unknown,
  ) {}

  valueSpan(path: JsonPath): Span | undefined {
    const found = this.locate(path);
    return found && { start: found[2], end: found[3] };
  }

  keySpan(path: JsonPath): Span | undefined {
    const found = this.locate(path);
    return found && { start: found[0], end: found[1] };
  }

  /** [keyStart, keyEnd, valueStart, valueEnd]; the key is the value for the root and array items. */
  private locate(path: JsonPath): readonly [number, number, number, number] | undefined {
    this.rootSpan ??= this.findRoot();
    let found: readonly [number, number, number, number] = [this.rootSpan.start, this.rootSpan.end, this.rootSpan.start, this.rootSpan.end];
    for (const segment of path) {
      const start = found[2];
      const opener = this.text.charCodeAt(start);
      if (opener === OPEN_BRACE) {
        const entry = this.objectIndex(start).get(String(segment));
        if (!entry) return undefined;
        found = entry;
      } else if (opener === OPEN_BRACKET) {
        const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
        const items = this.arrayIndex(start);
        if (index < 0 || 2 * index >= items.length) return undefined;
        const itemStart = items[2 * index];
        const itemEnd = items[2 * index + 1];
        found = [itemStart, itemEnd, itemStart, itemEnd];
      } else {
        return undefined;
      }
    }
    return found;
  }

  private findRoot(): Span {
    const start = skipWhitespace(this.text, 0);
    return { start, end: skipValue(this.text, start, this.containerEnds) };
  }

  private objectIndex(start: number): ObjectIndex {
    let index = this.objects.get(start);
    if (index) return index;
    index = new Map();
    const text = this.text;
    let position = skipWhitespace(text, start + 1);
    while (text.charCodeAt(position) === QUOTE) {
      const keyStart = position;
      const keyEnd = skipString(text, keyStart);
      const raw = text.slice(keyStart + 1, keyEnd - 1);
      const key = raw.includes('\\') ? (JSON.parse(text.slice(keyStart, keyEnd)) as string) : raw;
      position = skipWhitespace(text, keyEnd);
      if (text.charCodeAt(position) !== COLON) break;
      const valueStart = skipWhitespace(text, position + 1);
      const valueEnd = skipValue(text, valueStart, this.containerEnds);
      index.set(key, [keyStart, keyEnd, valueStart, valueEnd]); // the last duplicate wins, as in JSON.parse
      position = skipWhitespace(text, valueEnd);
      if (text.charCodeAt(position) !== COMMA) break;
      position = skipWhitespace(text, position + 1);
    }
    this.objects.set(start, index);
    return index;
  }

  private arrayIndex(start: number): ArrayIndex {
    let index = this.arrays.get(start);
    if (index) return index;
    index = [];
    const text = this.text;
    let position = skipWhitespace(text, start + 1);
    if (text.charCodeAt(position) !== CLOSE_BRACKET) {
      while (position < text.length) {
        const itemEnd = skipValue(text, position, this.containerEnds);
        index.push(position, itemEnd);
        position = skipWhitespace(text, itemEnd);
        if (text.charCodeAt(position) !== COMMA) break;
        position = skipWhitespace(text, position + 1);
      }
    }
    this.arrays.set(start, index);
    return index;
  }
}

function skipWhitespace(text: string, position: number): number {
  for (;;) {
    const code = text.charCodeAt(position);
    if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09 || code === BOM) position++;
    else return position;
  }
}

/** From an opening quote to just after the closing one. */
function skipString(text: string, start: number): number {
  let position = start + 1;
  for (;;) {
    const quote = text.indexOf('"', position);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    position = quote + 1;
  }
}

function skipValue(text: string, start: number, ends: ContainerEnds): number {
  const code = text.charCodeAt(start);
  if (code === QUOTE) return skipString(text, start);
  if (code === OPEN_BRACE || code === OPEN_BRACKET) return ends.get(start) ?? skipContainer(text, start, ends);
  let position = start;
  for (;;) {
    const next = text.charCodeAt(position);
    // Numbers, true, false, null: up to the next delimiter (NaN at the end of the text).
    if (next !== next || next === COMMA || next === CLOSE_BRACE || next === CLOSE_BRACKET || next <= 0x20) return position;
    position++;
  }
}

/**
 * Past the bracket that closes the one at `start`, hopping over strings with indexOf. The ends of
 * the large containers met on the way are kept: indexing them later skips their children at once,
 * so nested lookups do not rescan the same text at every level.
 */
function skipContainer(text: string, start: number, ends: ContainerEnds): number {
  const opened: number[] = [];
  const length = text.length;
  for (let position = start; position < length; position++) {
    const code = text.charCodeAt(position);
    if (code === QUOTE) {
      position = skipString(text, position) - 1;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      const known = ends.get(position);
      if (known !== undefined) position = known - 1;
      else opened.push(position);
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      const open = opened.pop()!;
      if (position - open >= REMEMBERED_CONTAINER_LENGTH) ends.set(open, position + 1);
      if (opened.length === 0) return position + 1;
    }
  }
  return length;
}

/** The native parser's messages and positions differ between Node versions; jsonc-parser gives offsets. */
function syntaxProblem(file: string, text: string, error: Error): InputProblem {
  const errors: ParseError[] = [];
  parseTolerant(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const found = errors[0];
  if (found) {
    const span = { start: found.offset, end: Math.min(text.length, found.offset + Math.max(1, found.length)) };
    return { file, kind: 'malformed-json', span, message: `Invalid JSON: ${describeErrorCode(found.error)}.` };
  }
  // jsonc-parser accepts a few things JSON.parse refuses (control characters in strings): use the native position when given.
  const position = /position (\d+)/.exec(error.message);
  const offset = position ? Math.min(Number(position[1]), text.length) : 0;
  return { file, kind: 'malformed-json', span: { start: offset, end: Math.min(text.length, offset + 1) }, message: `Invalid JSON: ${error.message}` };
}

/** `PropertyNameExpected` → `property name expected`. */
function describeErrorCode(code: ParseErrorCode): string {
  return printParseErrorCode(code).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
