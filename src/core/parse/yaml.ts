import { CORE_SCHEMA, loadAll, Type, YAMLException, type EventType, type LoadOptions, type State } from 'js-yaml';
import { MAX_NESTING_DEPTH } from '../limits';
import type { InputProblem, InputProblemKind } from '../problems';
import type { Span } from '../text';
import type { JsonPath, ParsedDocument, ParseResult } from './document';

/**
 * YAML 1.2 core schema plus merge keys (`<<`). Not js-yaml's DEFAULT_SCHEMA: its timestamps would
 * turn `example: 2024-01-01` into Date objects, which no JSON-shaped spec expects.
 */
const SCHEMA = CORE_SCHEMA.extend({
  implicit: [new Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (data: unknown) => data === '<<' || data === null })],
});

/** More aliases to collections than any hand-written spec has. */
export const MAX_COLLECTION_ALIASES = 10_000;
/** Nodes a naive walk would visit (aliases expanded) before the expansion ratio is checked... */
const EXPANSION_FLOOR = 2_000_000;
/** ...and the ratio of that walk to the nodes actually written that marks an alias bomb. */
const MAX_EXPANSION_RATIO = 20;

/**
 * Child positions of one mapping or sequence, as the parser reported them (raw: before leading
 * whitespace and properties are skipped, which happens on lookup). Mappings hold
 * [keyStart, keyEnd, valueStart, valueEnd] per entry, sequences [start, end] per item; -1 when absent.
 */
interface CollectionSpans {
  keys?: string[];
  offsets: number[];
  /** Values of `<<` entries: merged keys are found in their own collections. */
  merges?: unknown[];
  /** Node count if aliases were expanded, for the alias bomb check. */
  expandedSize: number;
  keyLookup?: Map<string, number>;
}

class AliasLimitError extends Error {}

/** Parses YAML with js-yaml, recording where each collection's children are through the parser's open/close events. */
export function parseYaml(file: string, text: string): ParseResult {
  if (text.charCodeAt(0) === 0xfeff) return parseFrom(file, text, 1);
  const result = parseFrom(file, text, 0);
  // FileReader turns a BOM into a space, which would indent the first line only: read past it when that is what broke.
  if (!result.document && result.problems[0]?.kind === 'malformed-yaml' && /^ \S/.test(text)) {
    const retried = parseFrom(file, text, 1);
    if (retried.document) return retried;
  }
  return result;
}

/** Parses `text` from offset `skip` (0, or 1 past a BOM), with offsets into the whole text. */
function parseFrom(file: string, text: string, skip: number): ParseResult {
  const recorder = new PositionRecorder(skip);
  let documents: unknown[];
  try {
    documents = loadAll(skip === 0 ? text : text.slice(skip), null, { schema: SCHEMA, listener: recorder.listener, maxDepth: MAX_NESTING_DEPTH } as LoadOptions);
  } catch (error) {
    if (error instanceof AliasLimitError) {
      const at = skipProperties(text, recorder.position);
      const span = { start: at, end: Math.min(text.length, at + 1) };
      return { problems: [{ file, kind: 'yaml-alias-limit', span, message: error.message }] };
    }
    if (error instanceof YAMLException) return { problems: [yamlProblem(file, text, error, skip)] };
    throw error;
  }
  const problems: InputProblem[] = [];
  const document = new YamlDocument(file, text, documents.length === 0 ? null : documents[0], recorder);
  // Only aliases make a value deeper than its text, or make it contain itself.
  const aliasProblem = text.includes('&') ? aliasNestingProblem(document) : undefined;
  if (aliasProblem) return { problems: [aliasProblem] };
  if (documents.length > 1) {
    const second = document.spanOf(recorder.roots[2], recorder.roots[3], documents[1]);
    problems.push({ file, kind: 'malformed-yaml', span: second, message: `The file holds ${documents.length} YAML documents; only the first is read.` });
  }
  return { document, problems };
}

function yamlProblem(file: string, text: string, error: YAMLException, skip: number): InputProblem {
  const offset = Math.min((error.mark?.position ?? 0) + skip, text.length);
  const span = { start: offset, end: Math.min(text.length, offset + 1) };
  // js-yaml stops at `maxDepth` with this reason.
  if (error.reason.startsWith('nesting exceeded maxDepth')) return { file, kind: 'too-deep', span, message: `Values are nested more than ${MAX_NESTING_DEPTH} levels deep: the file is not read.` };
  return { file, kind: 'malformed-yaml', span, message: `Invalid YAML: ${error.reason}.` };
}

/**
 * A value that contains itself through an alias (`&a [*a]`), or that aliases nest deeper than
 * MAX_NESTING_DEPTH: every walk over it would loop or overflow. Iterative, each collection once.
 */
function aliasNestingProblem(document: YamlDocument): InputProblem | undefined {
  const finished = new Map<object, number>(); // collection → its nesting depth
  const onPath = new Set<object>();
  const path: (string | number)[] = [];
  const problem = (kind: InputProblemKind, message: string): InputProblem => {
    const span = document.valueSpan(path) ?? { start: 0, end: 0 };
    return { file: document.file, kind, span, message };
  };
  type Frame = { collection: object; keys: (string | number)[]; next: number; depth: number };
  const root = document.value;
  if (!isCollection(root)) return undefined;
  const open = (collection: object): Frame => {
    onPath.add(collection);
    return { collection, keys: Array.isArray(collection) ? collection.map((_, index) => index) : Object.keys(collection), next: 0, depth: 1 };
  };
  const stack: Frame[] = [open(root)];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.next === frame.keys.length) {
      stack.pop();
      path.pop();
      onPath.delete(frame.collection);
      finished.set(frame.collection, frame.depth);
      const parent = stack[stack.length - 1];
      if (parent) parent.depth = Math.max(parent.depth, frame.depth + 1);
      continue;
    }
    const key = frame.keys[frame.next++];
    const child = (frame.collection as Record<string | number, unknown>)[key];
    if (!isCollection(child)) continue;
    path.push(key);
    if (onPath.has(child)) return problem('yaml-alias-limit', 'An alias makes this value contain itself: the file is not read.');
    const known = finished.get(child);
    if (known === undefined) {
      if (stack.length >= MAX_NESTING_DEPTH) return problem('too-deep', `Aliases nest values more than ${MAX_NESTING_DEPTH} levels deep: the file is not read.`);
      stack.push(open(child));
      continue;
    }
    frame.depth = Math.max(frame.depth, known + 1);
    if (stack.length + known > MAX_NESTING_DEPTH) return problem('too-deep', `Aliases nest values more than ${MAX_NESTING_DEPTH} levels deep: the file is not read.`);
    path.pop();
  }
  return undefined;
}

class PositionRecorder {
  // A Map, not a WeakMap: it lives as long as the document anyway, and a million weak entries make GC slow.
  readonly collections = new Map<object, CollectionSpans>();
  /** Raw [start, end] of each document's root node. */
  readonly roots: number[] = [];
  /** Start of the last node read: where the parser was stopped. */
  position = 0;
  private collectionAliases = 0;
  private nodeCount = 0;
  // One shared stack of finished children, so that scalars cost no allocation: a node's children
  // are the entries pushed since it opened.
  private readonly openStarts: number[] = [];
  private readonly openChildBase: number[] = [];
  private readonly childStarts: number[] = [];
  private readonly childEnds: number[] = [];
  private readonly childResults: unknown[] = [];
  private readonly childSizes: number[] = [];
  /** Entries in use in the child arrays (never shrunk: truncating arrays costs more than it saves). */
  private childTop = 0;

  /** @param offset where the parsed text starts in the file's text */
  constructor(private readonly offset: number) {}

  readonly listener = (event: EventType, state: State): void => {
    if (event === 'open') {
      this.openStarts.push(state.position + this.offset);
      this.openChildBase.push(this.childTop);
    } else {
      this.close(state.position + this.offset, state.result);
    }
  };

  private close(end: number, result: unknown): void {
    const start = this.openStarts.pop()!;
    const base = this.openChildBase.pop()!;
    const childCount = this.childTop - base;
    this.nodeCount++;
    this.position = start;
    let size = 1;
    if (isCollection(result)) {
      const known = this.collections.get(result);
      if (known) {
        size = known.expandedSize;
        // A node without children that yields a known collection is an alias (else: the parser re-reading a node).
        if (childCount === 0 && ++this.collectionAliases > MAX_COLLECTION_ALIASES) {
          throw new AliasLimitError(`More than ${MAX_COLLECTION_ALIASES} aliases to collections: refused as an alias bomb.`);
        }
      } else {
        for (let i = base; i < base + childCount; i++) size += this.childSizes[i];
        this.collections.set(result, this.describe(result, base, childCount, size));
      }
      if (size > EXPANSION_FLOOR && size > MAX_EXPANSION_RATIO * this.nodeCount) {
        throw new AliasLimitError(`Aliases expand ${this.nodeCount} written nodes to over ${size}: refused as an alias bomb.`);
      }
    }
    this.childTop = base;
    if (this.openStarts.length === 0) {
      this.roots.push(start, end);
    } else {
      this.childStarts[base] = start;
      this.childEnds[base] = end;
      this.childResults[base] = result;
      this.childSizes[base] = size;
      this.childTop = base + 1;
    }
  }

  private describe(collection: object, base: number, count: number, expandedSize: number): CollectionSpans {
    const offsets: number[] = [];
    if (Array.isArray(collection)) {
      // Empty block sequence entries (`- ` alone) have no node: match children to items by value.
      let child = base;
      for (const item of collection) {
        if (child < base + count && Object.is(this.childResults[child], item)) {
          offsets.push(this.childStarts[child], this.childEnds[child]);
          child++;
        } else {
          offsets.push(-1, -1);
        }
      }
      return { offsets, expandedSize };
    }
    // Keys are nodes too: children alternate key, value, except keys written without a value
    // (`? key`, `{a, b: c}`) and nodes the parser read and then re-read.
    const keys: string[] = [];
    let merges: unknown[] | undefined;
    const record = collection as Record<string, unknown>;
    const results = this.childResults;
    for (let child = base, limit = base + count; child < limit; ) {
      const keyNode = results[child];
      const key = String(keyNode);
      const isOwnKey = !isCollection(keyNode) && Object.prototype.hasOwnProperty.call(record, key);
      const value = child + 1 < limit ? child + 1 : -1;
      const isMerge = value !== -1 && key === '<<' && !isOwnKey;
      if (isMerge || (value !== -1 && isOwnKey && Object.is(record[key], results[value]))) {
        if (isMerge) (merges ??= []).push(results[value]);
        keys.push(key);
        offsets.push(this.childStarts[child], this.childEnds[child], this.childStarts[value], this.childEnds[value]);
        child += 2;
      } else {
        if (isOwnKey && record[key] === null) {
          keys.push(key);
          offsets.push(this.childStarts[child], this.childEnds[child], -1, -1);
        }
        child++;
      }
    }
    return { keys, offsets, merges, expandedSize };
  }
}

class YamlDocument implements ParsedDocument {
  readonly format = 'yaml';

  constructor(
    readonly file: string,
    readonly text: string,
    readonly value: unknown,
    private readonly recorder: PositionRecorder,
  ) {}

  valueSpan(path: JsonPath): Span | undefined {
    return this.locate(path, false);
  }

  keySpan(path: JsonPath): Span | undefined {
    return this.locate(path, true);
  }

  private locate(path: JsonPath, wantKey: boolean): Span | undefined {
    if (this.recorder.roots.length === 0) return undefined;
    let value = this.value;
    let keyStart = this.recorder.roots[0];
    let keyEnd = this.recorder.roots[1];
    let valueStart = keyStart;
    let valueEnd = keyEnd;
    for (const segment of path) {
      const found = this.child(value, segment);
      if (!found) return undefined;
      [keyStart, keyEnd, valueStart, valueEnd] = found.offsets;
      value = found.value;
    }
    if (wantKey && keyStart !== valueStart) return this.spanOf(keyStart, keyEnd, undefined);
    return valueStart === -1 ? this.emptyValueSpan(keyEnd) : this.spanOf(valueStart, valueEnd, value);
  }

  /** The raw offsets of a child (key and value), and its value; merged keys are looked up where they are written. */
  private child(container: unknown, segment: string | number): { offsets: number[]; value: unknown } | undefined {
    if (!isCollection(container)) return undefined;
    const spans = this.recorder.collections.get(container);
    if (!spans) return undefined;
    if (Array.isArray(container)) {
      const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
      if (index < 0 || index >= container.length || spans.offsets[2 * index] === -1) return undefined;
      const start = spans.offsets[2 * index];
      const end = spans.offsets[2 * index + 1];
      return { offsets: [start, end, start, end], value: container[index] };
    }
    const key = String(segment);
    if (!Object.prototype.hasOwnProperty.call(container, key)) return undefined;
    const entry = findKey(spans, key);
    const value = (container as Record<string, unknown>)[key];
    if (entry !== -1) return { offsets: spans.offsets.slice(4 * entry, 4 * entry + 4), value };
    // As js-yaml merges: the first source that has the key provided it.
    for (const merged of spans.merges ?? []) {
      for (const source of Array.isArray(merged) ? merged : [merged]) {
        const found = this.child(source, key);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Span of a node from its raw parser offsets: without leading space, comments and properties, nor trailing space. */
  spanOf(rawStart: number, rawEnd: number, value: unknown): Span {
    const text = this.text;
    const start = skipProperties(text, rawStart);
    if (start >= rawEnd) return { start: rawStart, end: rawStart }; // an empty node
    const first = text.charCodeAt(start);
    if (first === 0x2a /* * */) return { start, end: skipName(text, start + 1) };
    if (first === 0x5b || first === 0x7b || first === 0x22 || first === 0x27) return { start, end: rawEnd }; // [ { " '
    // A block collection ends where its last entry does; trailing comments belong to no one.
    const lastEnd = isCollection(value) ? this.lastEntryEnd(value) : undefined;
    return { start, end: lastEnd ?? trimEnd(text, start, rawEnd) };
  }

  private lastEntryEnd(collection: object): number | undefined {
    const spans = this.recorder.collections.get(collection);
    if (!spans) return undefined;
    const width = spans.keys ? 4 : 2;
    const entry = spans.offsets.length / width - 1;
    if (entry < 0) return undefined;
    const offsets = spans.offsets;
    const valueAt = entry * width + width - 2;
    if (offsets[valueAt] !== -1) return this.spanOf(offsets[valueAt], offsets[valueAt + 1], entryValue(collection, spans, entry)).end;
    return spans.keys ? this.spanOf(offsets[valueAt - 2], offsets[valueAt - 1], undefined).end : undefined;
  }

  /** `key:` with nothing after it: an empty span just after the colon (or the key, for `? key` and `{key}`). */
  private emptyValueSpan(keyEnd: number): Span {
    let at = keyEnd;
    while (this.text.charCodeAt(at) === 0x20 || this.text.charCodeAt(at) === 0x09) at++;
    const end = this.text.charCodeAt(at) === 0x3a /* : */ ? at + 1 : keyEnd;
    return { start: end, end };
  }
}

function entryValue(collection: object, spans: CollectionSpans, entry: number): unknown {
  if (!spans.keys) return (collection as unknown[])[entry];
  const key = spans.keys[entry];
  // A trailing `<<` entry holds the last merge source.
  if (key === '<<' && !Object.prototype.hasOwnProperty.call(collection, key)) return spans.merges?.at(-1);
  return (collection as Record<string, unknown>)[key];
}

function isCollection(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function findKey(spans: CollectionSpans, key: string): number {
  const keys = spans.keys!;
  if (keys.length <= 8) return keys.lastIndexOf(key);
  if (!spans.keyLookup) {
    spans.keyLookup = new Map();
    keys.forEach((name, index) => spans.keyLookup!.set(name, index));
  }
  return spans.keyLookup.get(key) ?? -1;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0xfeff;
}

/** Past whitespace, comments, `---`, anchors (`&a`) and tags (`!t`) before a node's content. */
function skipProperties(text: string, position: number): number {
  for (;;) {
    const code = text.charCodeAt(position);
    if (isSpace(code)) {
      position++;
    } else if (code === 0x23 /* # */) {
      const lineEnd = text.indexOf('\n', position);
      position = lineEnd === -1 ? text.length : lineEnd + 1;
    } else if (code === 0x26 /* & */ || code === 0x21 /* ! */) {
      position = skipName(text, position + 1);
    } else {
      return position;
    }
  }
}

/** Anchor, alias and tag names end at whitespace or a flow indicator. */
function skipName(text: string, position: number): number {
  for (;;) {
    const code = text.charCodeAt(position);
    if (code !== code || isSpace(code) || code === 0x2c || code === 0x5b || code === 0x5d || code === 0x7b || code === 0x7d) return position;
    position++;
  }
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return end;
}
