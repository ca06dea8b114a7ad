// A tolerant, linear-time tokenizer of JavaScript/TypeScript, C# and Python source, enough to read
// the arguments of HTTP trigger declarations: identifiers, string literals (decoded when they hold
// no interpolation), numbers and punctuation, comments skipped. No regular expression runs on the
// source and nothing recurses, so a hostile file costs one pass over its characters; files past
// MAX_SOURCE_CHARS are not tokenized at all (the caller says so).
import type { Span } from '../../text';

/** Longest source file searched for triggers: function code is small, and tokens cost memory. */
export const MAX_SOURCE_CHARS = 1_000_000;

export type SourceSyntax = 'c' | 'python';

export interface Token {
  kind: 'identifier' | 'string' | 'number' | 'punctuation';
  text: string;
  span: Span;
  /** A string's value; absent when it interpolates (`${x}`, f-strings, `$"..."`): not known from the text. */
  value?: string;
}

const isIdentifierStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$' || c > '\u007f';
const isIdentifierPart = (c: string) => isIdentifierStart(c) || (c >= '0' && c <= '9');
const isDigit = (c: string) => c >= '0' && c <= '9';

export function tokenize(text: string, syntax: SourceSyntax): Token[] {
  const tokens: Token[] = [];
  const length = text.length;
  let i = 0;
  while (i < length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (syntax === 'c' && c === '/' && text[i + 1] === '/') {
      i = lineEnd(text, i);
      continue;
    }
    if (syntax === 'c' && c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? length : end + 2;
      continue;
    }
    if (syntax === 'python' && c === '#') {
      i = lineEnd(text, i);
      continue;
    }
    const prefix = stringPrefix(text, i, syntax);
    if (prefix !== undefined) {
      const token = readString(text, i, prefix, syntax);
      tokens.push(token);
      i = token.span.end;
      continue;
    }
    if (isIdentifierStart(c)) {
      let end = i + 1;
      while (end < length && isIdentifierPart(text[end])) end++;
      tokens.push({ kind: 'identifier', text: text.slice(i, end), span: { start: i, end } });
      i = end;
      continue;
    }
    if (isDigit(c)) {
      let end = i + 1;
      while (end < length && (isIdentifierPart(text[end]) || text[end] === '.')) end++;
      tokens.push({ kind: 'number', text: text.slice(i, end), span: { start: i, end } });
      i = end;
      continue;
    }
    tokens.push({ kind: 'punctuation', text: c, span: { start: i, end: i + 1 } });
    i++;
  }
  return tokens;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end === -1 ? text.length : end;
}

/** The length of a string literal's prefix when one starts at `i` (0 for a bare quote); undefined when none does. */
function stringPrefix(text: string, i: number, syntax: SourceSyntax): number | undefined {
  let j = i;
  // Python's r/b/f/u prefixes, C#'s $ and @ (in either order): at most two characters.
  while (j - i < 2 && j < text.length && (syntax === 'python' ? 'rRbBfFuU'.includes(text[j]) : '$@'.includes(text[j]))) j++;
  const quote = text[j];
  if (quote !== '"' && quote !== "'" && !(quote === '`' && syntax === 'c' && j === i)) return undefined;
  // A prefix must not be the end of an identifier (`self'` is no string prefix).
  if (j > i && i > 0 && isIdentifierPart(text[i - 1])) return undefined;
  return j - i;
}

function readString(text: string, start: number, prefixLength: number, syntax: SourceSyntax): Token {
  const prefix = text.slice(start, start + prefixLength).toLowerCase();
  let i = start + prefixLength;
  const quote = text[i];
  const triple = syntax === 'python' && text[i + 1] === quote && text[i + 2] === quote;
  const verbatim = prefix.includes('@') || prefix.includes('r');
  let interpolated = prefix.includes('$') || prefix.includes('f');
  const close = triple ? quote.repeat(3) : quote;
  i += close.length;
  let value = '';
  // Single-line strings end at a line break: a quote inside a JavaScript regular expression literal
  // then costs one line, never the rest of the file.
  const multiline = triple || quote === '`' || prefix.includes('@');
  while (i < text.length) {
    const c = text[i];
    if (text.startsWith(close, i)) {
      if (prefix.includes('@') && text[i + 1] === quote) {
        value += quote;
        i += 2;
        continue;
      }
      i += close.length;
      return stringToken(text, start, i, interpolated ? undefined : value);
    }
    if (!multiline && (c === '\n' || c === '\r')) break;
    if (c === '\\' && !verbatim && i + 1 < text.length) {
      value += escaped(text[i + 1]);
      i += 2;
      continue;
    }
    if (quote === '`' && c === '$' && text[i + 1] === '{') interpolated = true;
    value += c;
    i++;
  }
  return stringToken(text, start, i, interpolated ? undefined : value);
}

function escaped(c: string): string {
  switch (c) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    default:
      return c;
  }
}

function stringToken(text: string, start: number, end: number, value: string | undefined): Token {
  return { kind: 'string', text: text.slice(start, end), span: { start, end }, ...(value !== undefined && { value }) };
}

/**
 * A tokenized source with each bracket's closing bracket found in one pass: looking arguments up
 * stays linear however many unclosed calls a hostile file holds.
 */
export class TokenizedSource {
  readonly tokens: Token[];
  /** For each opening bracket's index, its closing bracket's (the last token's when never closed). */
  private readonly closing: Int32Array;

  constructor(
    readonly text: string,
    syntax: SourceSyntax,
  ) {
    this.tokens = tokenize(text, syntax);
    this.closing = new Int32Array(this.tokens.length).fill(this.tokens.length - 1);
    const open: number[] = [];
    this.tokens.forEach((token, i) => {
      if (token.kind !== 'punctuation') return;
      if (token.text === '(' || token.text === '[' || token.text === '{') open.push(i);
      else if ((token.text === ')' || token.text === ']' || token.text === '}') && open.length > 0) this.closing[open.pop()!] = i;
    });
  }

  /** The top-level comma-separated parts inside the bracket at `open`, as [first, last) token ranges, and its closing bracket. */
  items(open: number): { items: [number, number][]; close: number } {
    const close = this.closing[open];
    const items: [number, number][] = [];
    let itemStart = open + 1;
    for (let i = open + 1; i < close; i++) {
      const token = this.tokens[i];
      if (token.kind !== 'punctuation') continue;
      // Nested brackets are skipped whole.
      if (token.text === '(' || token.text === '[' || token.text === '{') i = Math.max(i, this.closing[i]);
      else if (token.text === ',') {
        if (i > itemStart) items.push([itemStart, i]);
        itemStart = i + 1;
      }
    }
    if (close > itemStart) items.push([itemStart, close]);
    return { items, close };
  }

  /** The source text a range of tokens covers. */
  textOf([first, last]: [number, number]): string {
    return last > first ? this.text.slice(this.tokens[first].span.start, this.tokens[last - 1].span.end) : '';
  }

  /** The span a range of tokens covers. */
  spanOf([first, last]: [number, number]): Span {
    return { start: this.tokens[first].span.start, end: this.tokens[Math.max(first, last - 1)].span.end };
  }

  /** Whether the tokens from `at` on are exactly `texts`. */
  are(at: number, texts: readonly string[]): boolean {
    return texts.every((text, offset) => this.tokens[at + offset]?.text === text);
  }

  /** `key: value` / `key = value` items of the bracket at `open`: each key's value token range. */
  keyedItems(open: number, separator: ':' | '='): Map<string, [number, number]> {
    const keyed = new Map<string, [number, number]>();
    for (const [first, last] of this.items(open).items) {
      const key = this.tokens[first];
      if (this.tokens[first + 1]?.text !== separator || first + 2 > last) continue;
      const name = key.kind === 'string' ? key.value : key.kind === 'identifier' ? key.text : undefined;
      if (name !== undefined) keyed.set(name, [first + 2, last]);
    }
    return keyed;
  }
}
