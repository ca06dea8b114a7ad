// Reports as JSON in pieces: a hostile or simply huge repository can make a report larger than the
// longest string V8 holds (about 512 MB), so the JSON and SARIF writers never build one string. The
// pieces joined are exactly `JSON.stringify(value, null, 2)`.

/** An array whose items are turned into JSON values one at a time, as they are written. */
export class LazyArray<T> {
  constructor(
    readonly items: readonly T[],
    readonly map: (item: T) => unknown,
  ) {}
}

/** Containers this close to a LazyArray are written piece by piece; everything else in one piece. */
const STREAMED_DEPTH = 4;

/** `value` as indented JSON, in pieces: each item of a LazyArray is one piece. */
export function* jsonPieces(value: unknown, indent = ''): Generator<string> {
  const inner = indent + '  ';
  if (value instanceof LazyArray) {
    if (value.items.length === 0) return yield '[]';
    for (let index = 0; index < value.items.length; index++) yield (index === 0 ? '[\n' : ',\n') + inner + indented(value.map(value.items[index]), inner);
    return yield `\n${indent}]`;
  }
  if (!holdsLazyArray(value, STREAMED_DEPTH)) return yield indented(value, indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return yield '[]';
    for (let index = 0; index < value.length; index++) {
      yield (index === 0 ? '[\n' : ',\n') + inner;
      yield* isWritten(value[index]) ? jsonPieces(value[index], inner) : ['null'];
    }
    return yield `\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => isWritten(item));
  if (entries.length === 0) return yield '{}';
  for (let index = 0; index < entries.length; index++) {
    yield `${index === 0 ? '{\n' : ',\n'}${inner}${JSON.stringify(entries[index][0])}: `;
    yield* jsonPieces(entries[index][1], inner);
  }
  yield `\n${indent}}`;
}

/** Pieces gathered into chunks of about `size` characters, for fewer writes. */
export function* chunked(pieces: Iterable<string>, size = 1 << 16): Generator<string> {
  let buffer: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    buffer.push(piece);
    length += piece.length;
    if (length >= size) {
      yield buffer.join('');
      buffer = [];
      length = 0;
    }
  }
  if (length > 0) yield buffer.join('');
}

/**
 * `value` as JSON whose lines after the first start with `indent` (two spaces per level): stringified
 * inside as many arrays as levels, which JSON.stringify indents itself, and cut out of them, rather
 * than indented again line by line (a copy of every piece).
 */
function indented(value: unknown, indent: string): string {
  const levels = indent.length / 2;
  let wrapped = value;
  for (let level = 0; level < levels; level++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2) as string | undefined;
  if (text === undefined) return 'null';
  // Each level opens with `[\n` after its own indent and closes likewise: levels × (levels + 1) characters either side.
  const brackets = levels * (levels + 1);
  return text.slice(brackets + indent.length, text.length - brackets);
}

function isWritten(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

function holdsLazyArray(value: unknown, depth: number): boolean {
  if (value instanceof LazyArray) return true;
  if (depth === 0 || typeof value !== 'object' || value === null) return false;
  return (Array.isArray(value) ? value : Object.values(value)).some((item) => holdsLazyArray(item, depth - 1));
}
