// Bicep expressions (`'${apim.name}/orders'`, `replace(policyXml, '{id}', id)`, `cond ? a : b`,
// `any({ ... })`) parsed from the file text, every node at its span. Strings are decoded here (escapes,
// `'''...'''`), each character with its offset in the file, so that a policy written inline can be
// read at the place it is written. What is not understood becomes an `unsupported` node, never a throw.
import type { Span } from '../text';

export type BicepNode =
  | { kind: 'string'; span: Span; parts: (StringChunk | BicepNode)[] }
  | { kind: 'literal'; span: Span; value: boolean | number | null }
  | { kind: 'identifier'; span: Span; name: string }
  /** `a.b`, or `a.?b` (`safe`): null when `a` has no `b`. */
  | { kind: 'member'; span: Span; target: BicepNode; name: string; safe?: boolean }
  /** `parent::child`: a resource declared inside another. */
  | { kind: 'nested'; span: Span; target: BicepNode; name: string }
  | { kind: 'index'; span: Span; target: BicepNode; index: BicepNode }
  | { kind: 'call'; span: Span; name: string; args: BicepNode[] }
  | { kind: 'object'; span: Span; properties: ObjectEntry[] }
  | { kind: 'array'; span: Span; items: BicepNode[] }
  | { kind: 'ternary'; span: Span; test: BicepNode; then: BicepNode; otherwise: BicepNode }
  | { kind: 'binary'; span: Span; operator: string; left: BicepNode; right: BicepNode }
  | { kind: 'unary'; span: Span; operator: string; operand: BicepNode }
  | { kind: 'unsupported'; span: Span; reason: string };

/** A property of an object literal, or a spread (`...expr`) whose properties are merged in at its place. */
export type ObjectEntry = { key: string; keySpan: Span; value: BicepNode } | { key?: undefined; spread: BicepNode; span: Span };

/** Decoded string text; character i of `value` is written at file offset `offsets[i]`. */
export interface StringChunk {
  kind: 'text';
  value: string;
  offsets: number[];
}

/** Nesting of one expression before the rest of it is left unread (hostile input). */
const MAX_EXPRESSION_DEPTH = 64;

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", $: '$' };
// Longest operators first, so that `==` is not read as `=`.
const BINARY_OPERATORS: readonly (readonly string[])[] = [['??'], ['||'], ['&&'], ['==', '!=', '=~', '!~'], ['<=', '>=', '<', '>'], ['+', '-'], ['*', '/', '%']];

/** The expression written at `span` of `text`. */
export function parseBicepExpression(text: string, span: Span): BicepNode {
  const parser = new ExpressionParser(text, span.end);
  parser.pos = span.start;
  const node = parser.expression(0);
  parser.skipSpace();
  if (parser.pos < span.end && node.kind !== 'unsupported') return { kind: 'unsupported', span, reason: `\`${text.slice(parser.pos, Math.min(span.end, parser.pos + 20))}\` is not understood` };
  return node;
}

class ExpressionParser {
  pos = 0;

  constructor(
    private readonly text: string,
    private readonly end: number,
  ) {}

  skipSpace(): void {
    while (this.pos < this.end) {
      const char = this.text[this.pos];
      if (char === ' ' || char === '\t' || char === '\r' || char === '\n') this.pos++;
      else if (this.text.startsWith('//', this.pos)) this.pos = this.indexOrEnd('\n', this.pos);
      else if (this.text.startsWith('/*', this.pos)) this.pos = Math.min(this.indexOrEnd('*/', this.pos + 2) + 2, this.end);
      else break;
    }
  }

  expression(depth: number): BicepNode {
    const start = this.pos;
    if (depth > MAX_EXPRESSION_DEPTH) return this.giveUp(start, 'the expression nests too deep');
    const test = this.binary(0, depth);
    this.skipSpace();
    if (this.text[this.pos] !== '?' || this.text[this.pos + 1] === '?') return test;
    this.pos++;
    const then = this.expression(depth + 1);
    this.skipSpace();
    if (this.text[this.pos] !== ':') return this.giveUp(start, 'a conditional has no `:`');
    this.pos++;
    const otherwise = this.expression(depth + 1);
    return { kind: 'ternary', span: { start, end: this.pos }, test, then, otherwise };
  }

  private binary(level: number, depth: number): BicepNode {
    if (level === BINARY_OPERATORS.length) return this.unary(depth);
    const start = this.pos;
    let left = this.binary(level + 1, depth);
    for (;;) {
      this.skipSpace();
      const operator = BINARY_OPERATORS[level].find((candidate) => this.text.startsWith(candidate, this.pos) && !this.text.startsWith(candidate + '=', this.pos) && !(candidate === '/' && /[/*]/.test(this.text[this.pos + 1])));
      if (!operator || left.kind === 'unsupported') return left;
      this.pos += operator.length;
      const right = this.binary(level + 1, depth + 1);
      left = { kind: 'binary', span: { start, end: this.pos }, operator, left, right };
    }
  }

  private unary(depth: number): BicepNode {
    this.skipSpace();
    const start = this.pos;
    const char = this.text[this.pos];
    if (char === '!' || char === '-') {
      this.pos++;
      const operand = this.unary(depth + 1);
      return { kind: 'unary', span: { start, end: this.pos }, operator: char, operand };
    }
    return this.postfix(depth);
  }

  private postfix(depth: number): BicepNode {
    const start = this.pos;
    let node = this.primary(depth);
    while (node.kind !== 'unsupported' && this.pos < this.end) {
      const char = this.text[this.pos];
      if (char === '.' || this.text.startsWith('::', this.pos)) {
        const nested = char === ':';
        this.pos += nested ? 2 : 1;
        const safe = this.text[this.pos] === '?';
        if (safe) this.pos++;
        const name = this.identifier();
        if (name === undefined) return this.giveUp(start, 'a property name is missing');
        if (this.text[this.pos] === '(') {
          // `sys.concat(...)`, `az.resourceGroup()`: a namespaced function.
          const args = this.arguments(depth);
          node = args ? { kind: 'call', span: { start, end: this.pos }, name, args } : this.giveUp(start, 'a call is not closed');
        } else node = nested ? { kind: 'nested', span: { start, end: this.pos }, target: node, name } : { kind: 'member', span: { start, end: this.pos }, target: node, name, safe };
      } else if (char === '[') {
        this.pos++;
        if (this.text[this.pos] === '?') this.pos++;
        const index = this.expression(depth + 1);
        this.skipSpace();
        if (this.text[this.pos] !== ']') return this.giveUp(start, 'an index is not closed');
        this.pos++;
        node = { kind: 'index', span: { start, end: this.pos }, target: node, index };
      } else if (char === '!' && this.text[this.pos + 1] !== '=') this.pos++; // `a!`: non-null assertion
      else break;
    }
    return node;
  }

  private primary(depth: number): BicepNode {
    this.skipSpace();
    const start = this.pos;
    const char = this.text[this.pos];
    if (char === "'") return this.string(depth);
    if (char === '(') {
      this.pos++;
      const inner = this.expression(depth + 1);
      this.skipSpace();
      if (this.text[this.pos] !== ')') return this.giveUp(start, 'a parenthesis is not closed');
      this.pos++;
      return inner;
    }
    if (char === '{') return this.object(depth);
    if (char === '[') return this.array(depth);
    const number = /\d+(?:\.\d+)?/y;
    number.lastIndex = this.pos;
    const digits = number.exec(this.text);
    if (digits) {
      this.pos = number.lastIndex;
      return { kind: 'literal', span: { start, end: this.pos }, value: Number(digits[0]) };
    }
    const name = this.identifier();
    if (name === undefined) return this.giveUp(start, char === undefined ? 'a value is missing' : `\`${char}\` is not understood`);
    if (name === 'true' || name === 'false' || name === 'null') return { kind: 'literal', span: { start, end: this.pos }, value: name === 'null' ? null : name === 'true' };
    const end = this.pos;
    this.skipSpace();
    if (this.text.startsWith('=>', this.pos)) return this.giveUp(start, 'lambdas are not evaluated');
    if (this.text[this.pos] !== '(') {
      this.pos = end;
      return { kind: 'identifier', span: { start, end }, name };
    }
    const args = this.arguments(depth);
    return args ? { kind: 'call', span: { start, end: this.pos }, name, args } : this.giveUp(start, `${name}(...) is not closed`);
  }

  private arguments(depth: number): BicepNode[] | undefined {
    this.pos++;
    const args: BicepNode[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === ')') {
        this.pos++;
        return args;
      }
      const arg = this.expression(depth + 1);
      if (arg.kind === 'unsupported' && this.pos >= this.end) return undefined;
      args.push(arg);
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== ')') return undefined;
    }
  }

  private object(depth: number): BicepNode {
    const start = this.pos;
    this.pos++;
    const properties: ObjectEntry[] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.end) return this.giveUp(start, 'an object is not closed');
      if (this.text[this.pos] === '}') {
        this.pos++;
        return { kind: 'object', span: { start, end: this.pos }, properties };
      }
      if (this.text[this.pos] === '@') return this.giveUp(start, 'decorators in objects are not read');
      const keyStart = this.pos;
      if (this.text.startsWith('...', this.pos)) {
        this.pos += 3;
        const spread = this.expression(depth + 1);
        if (spread.kind === 'unsupported') return spread;
        properties.push({ spread, span: { start: keyStart, end: this.pos } });
        this.skipSpace();
        if (this.text[this.pos] === ',') this.pos++;
        continue;
      }
      let key: string | undefined;
      if (this.text[this.pos] === "'") {
        const keyNode = this.string(depth + 1);
        key = keyNode.kind === 'string' && keyNode.parts.every((part) => part.kind === 'text') ? keyNode.parts.map((part) => (part as StringChunk).value).join('') : undefined;
      } else key = this.identifier();
      const keySpan = { start: keyStart, end: this.pos };
      this.skipSpace();
      if (key === undefined || this.text[this.pos] !== ':') return this.giveUp(start, 'an object key is computed or missing');
      this.pos++;
      properties.push({ key, keySpan, value: this.expression(depth + 1) });
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
    }
  }

  private array(depth: number): BicepNode {
    const start = this.pos;
    this.pos++;
    this.skipSpace();
    if (/^for\s/.test(this.text.slice(this.pos, this.pos + 4))) return this.giveUp(start, 'for expressions in values are not evaluated');
    const items: BicepNode[] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.end) return this.giveUp(start, 'an array is not closed');
      if (this.text[this.pos] === ']') {
        this.pos++;
        return { kind: 'array', span: { start, end: this.pos }, items };
      }
      const item = this.expression(depth + 1);
      if (item.kind === 'unsupported') return item;
      items.push(item);
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
    }
  }

  /** A string: `'''verbatim'''`, or `'...'` with escapes and `${...}` interpolations. */
  private string(depth: number): BicepNode {
    const start = this.pos;
    const text = this.text;
    if (text.startsWith("'''", start)) {
      const close = this.indexOrEnd("'''", start + 3);
      this.pos = Math.min(close + 3, this.end);
      // Bicep drops a line break right after the opening quotes.
      const from = text[start + 3] === '\n' ? start + 4 : text.startsWith('\r\n', start + 3) ? start + 5 : start + 3;
      return { kind: 'string', span: { start, end: this.pos }, parts: [chunk(text, from, Math.max(from, close))] };
    }
    this.pos++;
    const parts: (StringChunk | BicepNode)[] = [];
    let current: StringChunk = { kind: 'text', value: '', offsets: [] };
    while (this.pos < this.end) {
      const char = text[this.pos];
      if (char === "'") {
        this.pos++;
        if (current.value !== '' || parts.length === 0) parts.push(current);
        return { kind: 'string', span: { start, end: this.pos }, parts };
      }
      if (char === '\\') {
        const escape = text[this.pos + 1];
        const unicode = escape === 'u' ? /^\{([0-9A-Fa-f]{1,6})\}/.exec(text.slice(this.pos + 2, this.pos + 10)) : null;
        const codePoint = unicode ? parseInt(unicode[1], 16) : undefined;
        const value = unicode ? (codePoint! <= 0x10ffff ? String.fromCodePoint(codePoint!) : '\ufffd') : ESCAPES[escape];
        if (value === undefined) return this.giveUp(start, `\\${escape ?? ''} is not a Bicep escape`);
        for (let index = 0; index < value.length; index++) current.offsets.push(this.pos);
        current.value += value;
        this.pos += unicode ? 3 + unicode[0].length - 1 : 2;
      } else if (text.startsWith('${', this.pos)) {
        if (current.value !== '') parts.push(current);
        current = { kind: 'text', value: '', offsets: [] };
        this.pos += 2;
        const interpolation = this.expression(depth + 1);
        this.skipSpace();
        if (interpolation.kind === 'unsupported' || text[this.pos] !== '}') return this.giveUp(start, 'an interpolation is not understood');
        this.pos++;
        parts.push(interpolation);
      } else if (char === '\n') return this.giveUp(start, 'a string is not closed');
      else {
        current.offsets.push(this.pos);
        current.value += char;
        this.pos++;
      }
    }
    return this.giveUp(start, 'a string is not closed');
  }

  private identifier(): string | undefined {
    const pattern = /[A-Za-z_][A-Za-z0-9_]*/y;
    pattern.lastIndex = this.pos;
    const match = pattern.exec(this.text);
    if (!match || pattern.lastIndex > this.end) return undefined;
    this.pos = pattern.lastIndex;
    return match[0];
  }

  /** Stops reading: the rest of the expression is not understood. */
  private giveUp(start: number, reason: string): BicepNode {
    this.pos = this.end;
    return { kind: 'unsupported', span: { start, end: this.end }, reason };
  }

  private indexOrEnd(search: string, from: number): number {
    const index = this.text.indexOf(search, from);
    return index === -1 || index > this.end ? this.end : index;
  }
}

function chunk(text: string, start: number, end: number): StringChunk {
  const offsets: number[] = [];
  for (let offset = start; offset < end; offset++) offsets.push(offset);
  return { kind: 'text', value: text.slice(start, end), offsets };
}
