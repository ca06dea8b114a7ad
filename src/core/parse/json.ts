import { parse as parseTolerant, printParseErrorCode, type ParseError, type ParseErrorCode } from 'jsonc-parser';
import { MAX_NESTING_DEPTH } from '../limits';
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

/** [keyStart, keyEnd, valueStart, valueEnd]; the key is the value for the root and array items. */
type Entry = readonly [number, number, number, number];
/**
 * Property name → its entry, relative to the object's start: an edit before the object moves the
 * object, not its index, which the next version of the document takes over as it is.
 */
type ObjectIndex = Map<string, Entry>;
/** Container start → just past its end, for containers at least REMEMBERED_CONTAINER_LENGTH long. */
type ContainerEnds = Map<number, number>;
/** Shorter containers are cheaper to rescan than to remember. */
const REMEMBERED_CONTAINER_LENGTH = 256;
/** Item i spans [offsets[2i], offsets[2i+1]), relative to the array's start. */
type ArrayIndex = number[];

/**
 * What a document reparsed after an edit takes over from the previous version: the indexes of the
 * containers whose text the edit left alone. Containers before the reparsed value stay, those after
 * it move by `shift`; in the containers that hold the value, the entries from the value on move.
 */
interface InheritedIndexes {
  objects: ReadonlyMap<number, ObjectIndex>;
  arrays: ReadonlyMap<number, ArrayIndex>;
  ends: ReadonlyMap<number, number>;
  /** The reparsed value, in the previous text. */
  start: number;
  end: number;
  shift: number;
  /** Starts of the containers that hold the reparsed value (in both texts: they start before it). */
  holders: ReadonlySet<number>;
}

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
  // JSON.parse reads any depth; the walks over the value must not have to.
  const ends: ContainerEnds = new Map();
  const tooDeep = tooDeepContainer(source, 0, ends);
  if (tooDeep === -1) return { document: new JsonDocument(file, text, value, ends), problems: [] };
  const span = { start: tooDeep, end: skipValue(source, tooDeep, new Map()) };
  const message = `Values are nested more than ${MAX_NESTING_DEPTH} levels deep: what is below is not read.`;
  const document = new JsonDocument(file, text, withoutDeepValues(value), ends);
  document.pruned = true;
  return { document, problems: [{ file, kind: 'too-deep', span, message }] };
}

/**
 * Where the first container nested deeper than MAX_NESTING_DEPTH (counting from `depth`) opens in `text`, or -1.
 * The ends of the large containers closed on the way go into `ends`: the one pass over the text that
 * the depth check makes anyway spares every later lookup a scan of the containers it skips.
 */
function tooDeepContainer(text: string, depth: number, ends?: ContainerEnds): number {
  const opened: number[] = [];
  for (let position = nextStructural(text, 0); position !== -1; position = nextStructural(text, position + 1)) {
    const code = text.charCodeAt(position);
    if (code === QUOTE) position = skipString(text, position) - 1;
    else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > MAX_NESTING_DEPTH) return position;
      opened.push(position);
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
      const open = opened.pop()!;
      if (ends && position - open >= REMEMBERED_CONTAINER_LENGTH) ends.set(open, position + 1);
    }
  }
  return -1;
}

/** `value` (freshly parsed, so changed in place) with every container below MAX_NESTING_DEPTH replaced by null. */
function withoutDeepValues(value: unknown): unknown {
  const pending: [Record<string, unknown>, number][] = typeof value === 'object' && value !== null ? [[value as Record<string, unknown>, 1]] : [];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [container, depth] = next;
    for (const key of Object.keys(container)) {
      const child = container[key];
      if (typeof child !== 'object' || child === null) continue;
      if (depth === MAX_NESTING_DEPTH) container[key] = null;
      else pending.push([child as Record<string, unknown>, depth + 1]);
    }
  }
  return value;
}

/**
 * Parses `text`, an edit of `previous`'s text, by parsing again only the innermost value that holds
 * the edit: every other object and array of `previous.value` is reused as is, so that what is
 * remembered per object (schema fields, classifications) outlives the edit, and the position
 * indexes of the untouched text are taken over instead of being rebuilt.
 */
export function reparseJson(previous: ParsedDocument, text: string): ParseResult {
  return (previous instanceof JsonDocument && previous.edited(text)) || parseJson(previous.file, text);
}

class JsonDocument implements ParsedDocument {
  readonly format = 'json';
  private readonly objects = new Map<number, ObjectIndex>();
  private readonly arrays = new Map<number, ArrayIndex>();
  private rootSpan?: Span;
  /** Values were cut below the depth limit: an edit elsewhere would silently keep the cut, so the next version is parsed whole. */
  pruned = false;

  constructor(
    readonly file: string,
    readonly text: string,
    readonly value: unknown,
    private readonly containerEnds: ContainerEnds = new Map(),
    private readonly inherited?: InheritedIndexes,
  ) {
    if (inherited) {
      // Eagerly, unlike the other indexes: there are few large containers, and the skip loops look them up often.
      for (const [start, end] of inherited.ends) {
        if (start < inherited.start) this.containerEnds.set(start, inherited.holders.has(start) ? end + inherited.shift : end);
        else if (start >= inherited.end) this.containerEnds.set(start + inherited.shift, end + inherited.shift);
      }
    }
  }

  /** This document after an edit, when the edit is inside one value whose text still parses; else undefined. */
  edited(text: string): ParseResult | undefined {
    const previous = this.text;
    if (this.pruned || previous.charCodeAt(0) === BOM || text.charCodeAt(0) === BOM) return undefined;
    const editStart = commonPrefixLength(previous, text);
    const editEnd = previous.length - commonSuffixLength(previous, text, Math.min(previous.length, text.length) - editStart);
    // The innermost value whose first and last characters are outside the edit: its new text is one value again or the edit is not local.
    const holds = (start: number, end: number) => start < editStart && end > editEnd;
    this.rootSpan ??= this.findRoot();
    let { start, end } = this.rootSpan;
    if (!holds(start, end)) return undefined;
    const path: (string | number)[] = [];
    const holders: number[] = [];
    for (;;) {
      const opener = previous.charCodeAt(start);
      let child: { key: string | number; start: number; end: number } | undefined;
      if (opener === OPEN_BRACE) {
        for (const [key, entry] of this.objectIndex(start)) {
          if (holds(start + entry[2], start + entry[3])) {
            child = { key, start: start + entry[2], end: start + entry[3] };
            break;
          }
        }
      } else if (opener === OPEN_BRACKET) {
        const items = this.arrayIndex(start);
        for (let index = 0; index < items.length / 2 && !child; index++) {
          if (holds(start + items[2 * index], start + items[2 * index + 1])) child = { key: index, start: start + items[2 * index], end: start + items[2 * index + 1] };
        }
      }
      if (!child) break;
      // A copied object would take `__proto__` as its prototype, not as a property.
      if (child.key === '__proto__') return undefined;
      holders.push(start);
      path.push(child.key);
      ({ start, end } = child);
    }
    const shift = text.length - previous.length;
    // A replacement too deep for its place is refused by a whole parse, which says where.
    if (tooDeepContainer(text.slice(start, end + shift), path.length) !== -1) return undefined;
    let replacement: unknown;
    try {
      replacement = JSON.parse(text.slice(start, end + shift));
    } catch {
      return undefined;
    }
    const inherited = { objects: this.objects, arrays: this.arrays, ends: this.containerEnds, start, end, shift, holders: new Set(holders) };
    return { document: new JsonDocument(this.file, text, withReplacement(this.value, path, replacement), new Map(), inherited), problems: [] };
  }

  valueSpan(path: JsonPath): Span | undefined {
    const found = this.locate(path);
    return found && { start: found[2], end: found[3] };
  }

  keySpan(path: JsonPath): Span | undefined {
    const found = this.locate(path);
    return found && { start: found[0], end: found[1] };
  }

  private locate(path: JsonPath): Entry | undefined {
    this.rootSpan ??= this.findRoot();
    let { start: keyStart, end: keyEnd } = this.rootSpan;
    let [valueStart, valueEnd] = [keyStart, keyEnd];
    for (const segment of path) {
      const container = valueStart;
      const opener = this.text.charCodeAt(container);
      if (opener === OPEN_BRACE) {
        const entry = this.objectIndex(container).get(String(segment));
        if (!entry) return undefined;
        [keyStart, keyEnd, valueStart, valueEnd] = [container + entry[0], container + entry[1], container + entry[2], container + entry[3]];
      } else if (opener === OPEN_BRACKET) {
        const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
        const items = this.arrayIndex(container);
        if (index < 0 || 2 * index >= items.length) return undefined;
        [keyStart, keyEnd] = [valueStart, valueEnd] = [container + items[2 * index], container + items[2 * index + 1]];
      } else {
        return undefined;
      }
    }
    return [keyStart, keyEnd, valueStart, valueEnd];
  }

  private findRoot(): Span {
    const start = skipWhitespace(this.text, 0);
    return { start, end: skipValue(this.text, start, this.containerEnds) };
  }

  private objectIndex(start: number): ObjectIndex {
    let index = this.objects.get(start) ?? this.inheritedObjectIndex(start);
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
      index.set(key, [keyStart - start, keyEnd - start, valueStart - start, valueEnd - start]); // the last duplicate wins, as in JSON.parse
      position = skipWhitespace(text, valueEnd);
      if (text.charCodeAt(position) !== COMMA) break;
      position = skipWhitespace(text, position + 1);
    }
    this.objects.set(start, index);
    return index;
  }

  private arrayIndex(start: number): ArrayIndex {
    let index = this.arrays.get(start) ?? this.inheritedArrayIndex(start);
    if (index) return index;
    index = [];
    const text = this.text;
    let position = skipWhitespace(text, start + 1);
    if (text.charCodeAt(position) !== CLOSE_BRACKET) {
      while (position < text.length) {
        const itemEnd = skipValue(text, position, this.containerEnds);
        index.push(position - start, itemEnd - start);
        position = skipWhitespace(text, itemEnd);
        if (text.charCodeAt(position) !== COMMA) break;
        position = skipWhitespace(text, position + 1);
      }
    }
    this.arrays.set(start, index);
    return index;
  }

  private inheritedObjectIndex(start: number): ObjectIndex | undefined {
    const inherited = this.inherited;
    const previousStart = inherited && previousOffset(inherited, start);
    let index = previousStart !== undefined ? inherited!.objects.get(previousStart) : undefined;
    if (!index) return undefined;
    if (inherited!.shift !== 0 && inherited!.holders.has(start)) {
      const move = (offset: number) => (start + offset >= inherited!.end ? offset + inherited!.shift : offset);
      const held = index;
      index = new Map();
      for (const [key, entry] of held) index.set(key, [move(entry[0]), move(entry[1]), move(entry[2]), move(entry[3])]);
    }
    this.objects.set(start, index);
    return index;
  }

  private inheritedArrayIndex(start: number): ArrayIndex | undefined {
    const inherited = this.inherited;
    const previousStart = inherited && previousOffset(inherited, start);
    let index = previousStart !== undefined ? inherited!.arrays.get(previousStart) : undefined;
    if (!index) return undefined;
    if (inherited!.shift !== 0 && inherited!.holders.has(start)) index = index.map((offset) => (start + offset >= inherited!.end ? offset + inherited!.shift : offset));
    this.arrays.set(start, index);
    return index;
  }
}

/** Strings are compared a block at a time first: block equality is a memory comparison, much faster than a loop over characters. */
const COMPARED_BLOCK = 4096;

function commonPrefixLength(a: string, b: string): number {
  const shortest = Math.min(a.length, b.length);
  let length = 0;
  while (length + COMPARED_BLOCK <= shortest && a.slice(length, length + COMPARED_BLOCK) === b.slice(length, length + COMPARED_BLOCK)) length += COMPARED_BLOCK;
  while (length < shortest && a.charCodeAt(length) === b.charCodeAt(length)) length++;
  return length;
}

/** At most `limit`, so that the common prefix and suffix do not overlap. */
function commonSuffixLength(a: string, b: string, limit: number): number {
  let length = 0;
  while (length + COMPARED_BLOCK <= limit && a.slice(a.length - length - COMPARED_BLOCK, a.length - length) === b.slice(b.length - length - COMPARED_BLOCK, b.length - length)) length += COMPARED_BLOCK;
  while (length < limit && a.charCodeAt(a.length - 1 - length) === b.charCodeAt(b.length - 1 - length)) length++;
  return length;
}

/** Where a container of the new text started in the previous text; undefined inside the reparsed value. */
function previousOffset(inherited: InheritedIndexes, offset: number): number | undefined {
  if (offset < inherited.start) return offset;
  return offset >= inherited.end + inherited.shift ? offset - inherited.shift : undefined;
}

/** `root` with the value at `path` replaced: the containers on the path are copied, everything else is shared. */
function withReplacement(root: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copyOf = (container: unknown) => (Array.isArray(container) ? container.slice() : { ...(container as object) }) as Record<string | number, unknown>;
  const copiedRoot = copyOf(root);
  let copy = copiedRoot;
  path.forEach((key, index) => {
    copy[key] = index === path.length - 1 ? replacement : copyOf(copy[key]);
    copy = copy[key] as Record<string | number, unknown>;
  });
  return copiedRoot;
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
  for (let position = start; position !== -1; position = nextStructural(text, position + 1)) {
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
  return text.length;
}

/** Quotes and brackets: what the scans over the text stop at. */
const STRUCTURAL = /["[\]{}]/g;

/**
 * The first quote or bracket at or after `position`, or -1: the regular expression skips whitespace,
 * numbers and punctuation much faster than a loop over characters (test, not exec: no match to allocate).
 */
function nextStructural(text: string, position: number): number {
  STRUCTURAL.lastIndex = position;
  return STRUCTURAL.test(text) ? STRUCTURAL.lastIndex - 1 : -1;
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
