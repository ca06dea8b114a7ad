// ARM template expressions (`"[concat(parameters('svc'), '/orders')]"`), evaluated as far as the
// repository tells their values: literals, parameters (defaults and parameter files), variables, a
// few string functions, and the logical and comparison functions conditions and copy counts use. What cannot be known (an unset parameter, `reference(...)`) becomes an
// `Unknown` that names the sub-expression and where it is written; nothing is guessed.
import type { Span } from '../text';

export type ExpressionNode =
  | { kind: 'string'; value: string; span: Span; /** The file offset of each character of `value`. */ offsets: number[] }
  | { kind: 'number'; value: number; span: Span }
  | { kind: 'call'; name: string; args: ExpressionNode[]; span: Span }
  | { kind: 'member'; target: ExpressionNode; key: ExpressionNode; span: Span };

/** A value the repository does not tell, with the sub-expression it comes from. */
export class Unknown {
  constructor(
    readonly span: Span,
    /** The sub-expression as written: `parameters('ApimServiceName')`. */
    readonly text: string,
    readonly reason: string,
  ) {}
}

/** A string some of whose parts are unknown: `concat(parameters('base'), '/orders.xml')`. */
export class PartialString {
  constructor(readonly parts: readonly (string | Unknown)[]) {}

  get firstUnknown(): Unknown {
    return this.parts.find((part): part is Unknown => part instanceof Unknown)!;
  }
}

export type ArmValue = string | number | boolean | null | ArmValue[] | { [key: string]: ArmValue } | PartialString | Unknown;

/** What `parameters(...)`, `variables(...)` and `copyIndex(...)` read; names are case-insensitive, as in ARM. */
export interface ExpressionScope {
  parameter(name: string, at: Unknown): ArmValue;
  variable(name: string, at: Unknown): ArmValue;
  /** The index of the copy loop named `loop` (the innermost one when undefined); absent outside copy loops. */
  copyIndex?(loop: string | undefined, at: Unknown): number | Unknown;
}

/** Calls nested inside one another, and characters of one evaluated string, before giving up. */
const MAX_EXPRESSION_DEPTH = 32;
export const MAX_EVALUATED_LENGTH = 1024 * 1024;

/** A JSON string value that ARM evaluates: `[...]`, but not `[[...` (an escaped literal `[`). */
export function isExpression(value: string): boolean {
  return value.startsWith('[') && !value.startsWith('[[') && value.trimEnd().endsWith(']');
}

/**
 * Parses the expression in `text` (a JSON string's characters, `[` and `]` included), whose
 * character i is at file offset `offsets[i]`: the expression, or what is wrong and where.
 */
export function parseExpression(text: string, offsets: readonly number[]): ExpressionNode | { error: string; span: Span } {
  return new ExpressionParser(text, offsets).parseWhole();
}

class ExpressionParser {
  private pos = 1;

  constructor(
    private readonly text: string,
    private readonly offsets: readonly number[],
  ) {}

  parseWhole(): ExpressionNode | { error: string; span: Span } {
    try {
      const node = this.parseNode(0);
      this.skipSpaces();
      if (this.pos !== this.text.trimEnd().length - 1) this.fail('unexpected text after the expression');
      return node;
    } catch (error) {
      if (error instanceof ParseError) return { error: error.message, span: error.span };
      throw error;
    }
  }

  private span(start: number, end = this.pos): Span {
    const at = (index: number) => this.offsets[Math.min(index, this.offsets.length - 1)] ?? 0;
    return { start: at(start), end: end > start ? at(end - 1) + 1 : at(start) };
  }

  private fail(message: string): never {
    throw new ParseError(message, this.span(this.pos, this.pos + 1));
  }

  private skipSpaces(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') this.pos++;
  }

  private parseNode(depth: number): ExpressionNode {
    if (depth > MAX_EXPRESSION_DEPTH) this.fail(`calls are nested more than ${MAX_EXPRESSION_DEPTH} deep`);
    this.skipSpaces();
    const start = this.pos;
    let node = this.parsePrimary(depth);
    for (;;) {
      this.skipSpaces();
      const char = this.text[this.pos];
      if (char === '.') {
        this.pos++;
        const keyStart = this.pos;
        const name = this.identifier();
        const keySpan = this.span(keyStart);
        node = { kind: 'member', target: node, key: { kind: 'string', value: name, span: keySpan, offsets: [] }, span: this.span(start) };
      } else if (char === '[') {
        this.pos++;
        const key = this.parseNode(depth + 1);
        this.skipSpaces();
        if (this.text[this.pos] !== ']') this.fail("']' expected");
        this.pos++;
        node = { kind: 'member', target: node, key, span: this.span(start) };
      } else return node;
    }
  }

  private parsePrimary(depth: number): ExpressionNode {
    const start = this.pos;
    const char = this.text[this.pos];
    if (char === "'") return this.parseString();
    const number = /-?\d+/y;
    number.lastIndex = this.pos;
    const digits = number.exec(this.text);
    if (digits) {
      this.pos = number.lastIndex;
      return { kind: 'number', value: Number(digits[0]), span: this.span(start) };
    }
    const name = this.identifier();
    this.skipSpaces();
    if (this.text[this.pos] !== '(') this.fail(`'(' expected after ${name}`);
    this.pos++;
    const args: ExpressionNode[] = [];
    for (this.skipSpaces(); this.text[this.pos] !== ')'; this.skipSpaces()) {
      if (args.length > 0) {
        if (this.text[this.pos] !== ',') this.fail("',' or ')' expected");
        this.pos++;
      }
      args.push(this.parseNode(depth + 1));
    }
    this.pos++;
    return { kind: 'call', name, args, span: this.span(start) };
  }

  private parseString(): ExpressionNode {
    const start = this.pos;
    let value = '';
    const offsets: number[] = [];
    for (this.pos++; ; this.pos++) {
      if (this.pos >= this.text.length) this.fail('unterminated string');
      if (this.text[this.pos] === "'") {
        if (this.text[this.pos + 1] !== "'") break;
        this.pos++; // '' is one quote
      }
      value += this.text[this.pos];
      offsets.push(this.offsets[this.pos]);
    }
    this.pos++;
    return { kind: 'string', value, span: this.span(start), offsets };
  }

  private identifier(): string {
    const match = /[A-Za-z_][A-Za-z0-9_]*/y;
    match.lastIndex = this.pos;
    const found = match.exec(this.text);
    if (!found) this.fail('a function name or a value expected');
    this.pos = match.lastIndex;
    return found[0];
  }
}

class ParseError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

/** Evaluates `node` in `scope`; `source` is the expression's JSON string, to name sub-expressions. */
export function evaluate(node: ExpressionNode, scope: ExpressionScope, source: string, offsets: readonly number[]): ArmValue {
  const textOf = (span: Span): string => {
    const start = offsets.indexOf(span.start);
    const end = offsets.findIndex((offset) => offset >= span.end);
    return start === -1 ? source : source.slice(start, end === -1 ? undefined : end);
  };
  const unknown = (at: ExpressionNode, reason: string) => new Unknown(at.span, textOf(at.span), reason);

  const run = (current: ExpressionNode): ArmValue => {
    switch (current.kind) {
      case 'string':
      case 'number':
        return current.value;
      case 'member':
        return member(run(current.target), run(current.key), current, unknown);
      case 'call': {
        const name = current.name.toLowerCase();
        const args = current.args.map(run);
        if (name === 'parameters' || name === 'variables') {
          const [key] = args;
          if (typeof key !== 'string') return firstUnknown(args) ?? unknown(current, `${current.name}() needs a name`);
          const at = unknown(current, '');
          return name === 'parameters' ? scope.parameter(key, at) : scope.variable(key, at);
        }
        if (name === 'copyindex') return copyIndex(args, scope, current, unknown);
        const call = FUNCTIONS[name];
        if (!call) return unknown(current, `${current.name}() is not evaluated from the repository`);
        return call(args, (reason) => unknown(current, reason));
      }
    }
  };
  return run(node);
}

type Call = (args: ArmValue[], unknown: (reason: string) => Unknown) => ArmValue;

/** `copyIndex()`, `copyIndex(offset)`, `copyIndex('loop')`, `copyIndex('loop', offset)`. */
function copyIndex(args: ArmValue[], scope: ExpressionScope, node: ExpressionNode, unknown: (at: ExpressionNode, reason: string) => Unknown): ArmValue {
  const unknownArg = firstUnknown(args);
  if (unknownArg) return unknownArg;
  const [first, second] = args;
  const loop = typeof first === 'string' ? first : undefined;
  const offset = typeof first === 'number' ? first : typeof second === 'number' ? second : 0;
  const index = scope.copyIndex?.(loop, unknown(node, '')) ?? unknown(node, 'copyIndex() is used outside a copy loop');
  return typeof index === 'number' ? index + offset : index;
}

function member(target: ArmValue, key: ArmValue, node: ExpressionNode, unknown: (at: ExpressionNode, reason: string) => Unknown): ArmValue {
  const unknownPart = firstUnknown([target, key]);
  if (unknownPart) return unknownPart;
  if (Array.isArray(target) && typeof key === 'number') return target[key] ?? unknown(node, `index ${key} is past the end of the array`);
  if (isPlainObject(target) && typeof key === 'string') {
    const found = Object.keys(target).find((name) => name.toLowerCase() === key.toLowerCase());
    return found === undefined ? unknown(node, `the object has no property '${key}'`) : target[found];
  }
  return unknown(node, 'the value has no such property');
}

export function isPlainObject(value: ArmValue): value is { [key: string]: ArmValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Unknown) && !(value instanceof PartialString);
}

/** What is known of an evaluated value, as plain JSON: unknown values and strings with an unknown part are left out. */
export function knownValue(value: ArmValue): unknown {
  if (value instanceof Unknown || value instanceof PartialString) return undefined;
  if (Array.isArray(value)) return value.map(knownValue);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).flatMap(([key, item]) => (item instanceof Unknown || item instanceof PartialString ? [] : [[key, knownValue(item)]])));
  return value;
}

/** The first argument that is unknown as a whole (an unknown part of a partial string counts). */
function firstUnknown(args: readonly ArmValue[]): Unknown | undefined {
  for (const arg of args) {
    if (arg instanceof Unknown) return arg;
    if (arg instanceof PartialString) return arg.firstUnknown;
  }
  return undefined;
}

/** Strings and numbers as text parts; anything else is not a string. */
function stringParts(value: ArmValue): (string | Unknown)[] | undefined {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (value instanceof PartialString) return [...value.parts];
  if (value instanceof Unknown) return [value];
  return undefined;
}

/** Joins parts, merging neighbouring strings; a plain string when nothing is unknown. */
function joinParts(parts: readonly (string | Unknown)[], unknown: (reason: string) => Unknown): string | PartialString | Unknown {
  const merged: (string | Unknown)[] = [];
  let length = 0;
  for (const part of parts) {
    if (typeof part === 'string') length += part.length;
    const last = merged[merged.length - 1];
    if (typeof part === 'string' && typeof last === 'string') merged[merged.length - 1] = last + part;
    else merged.push(part);
  }
  if (length > MAX_EVALUATED_LENGTH) return unknown(`the value would be longer than ${MAX_EVALUATED_LENGTH} characters`);
  if (merged.length === 0) return '';
  return merged.every((part) => typeof part === 'string') ? merged.join('') : new PartialString(merged);
}

function mapKnownParts(value: ArmValue, map: (text: string) => string, unknown: (reason: string) => Unknown): ArmValue {
  const parts = stringParts(value);
  if (!parts) return unknown('the argument is not a string');
  return joinParts(parts.map((part) => (typeof part === 'string' ? map(part) : part)), unknown);
}

const FUNCTIONS: Record<string, Call> = {
  concat(args, unknown) {
    if (args.length > 0 && args.every(Array.isArray)) return (args as ArmValue[][]).flat();
    const parts: (string | Unknown)[] = [];
    for (const arg of args) {
      const argParts = stringParts(arg);
      if (!argParts) return unknown('concat() of strings and other values');
      parts.push(...argParts);
    }
    return joinParts(parts, unknown);
  },
  format([template, ...args], unknown) {
    if (typeof template !== 'string') return firstUnknown([template]) ?? unknown('the format is not a string');
    const parts: (string | Unknown)[] = [];
    let last = 0;
    for (const match of template.matchAll(/\{(\d+)(:[^}]*)?\}|\{\{|\}\}/g)) {
      parts.push(template.slice(last, match.index));
      last = match.index + match[0].length;
      if (match[0] === '{{' || match[0] === '}}') {
        parts.push(match[0][0]);
        continue;
      }
      const argParts = stringParts(args[Number(match[1])]);
      if (!argParts || match[2]) return unknown(`the placeholder ${match[0]} is not evaluated`);
      parts.push(...argParts);
    }
    parts.push(template.slice(last));
    return joinParts(parts, unknown);
  },
  tolower: ([value], unknown) => mapKnownParts(value, (text) => text.toLowerCase(), unknown),
  toupper: ([value], unknown) => mapKnownParts(value, (text) => text.toUpperCase(), unknown),
  string: ([value], unknown) => mapKnownParts(value, (text) => text, unknown),
  length([value], unknown) {
    if (typeof value === 'string' || Array.isArray(value)) return value.length;
    if (isPlainObject(value)) return Object.keys(value).length;
    return firstUnknown([value]) ?? unknown('length() of a value that is no string, array or object');
  },
  /** `uri(base, relative)`: the relative reference resolved against the base's folder, as ARM does. */
  uri([base, relative], unknown) {
    const baseParts = stringParts(base);
    const relativeParts = stringParts(relative);
    if (!baseParts || !relativeParts) return unknown('uri() of values that are no strings');
    const last = baseParts[baseParts.length - 1];
    const folder = typeof last === 'string' ? [...baseParts.slice(0, -1), last.slice(0, last.lastIndexOf('/') + 1)] : [...baseParts, '/'];
    return joinParts([...folder, ...relativeParts], unknown);
  },
  true: () => true,
  false: () => false,
  null: () => null,
  createarray: (args) => args,
  createobject(args, unknown) {
    const object: { [key: string]: ArmValue } = {};
    for (let index = 0; index + 1 < args.length; index += 2) {
      const key = args[index];
      if (typeof key !== 'string') return firstUnknown([key]) ?? unknown('createObject() with a key that is not a string');
      object[key] = args[index + 1];
    }
    return args.length % 2 === 0 ? object : unknown('createObject() with a key without a value');
  },
  /** Only the branch taken needs to be known. */
  if([condition, whenTrue, whenFalse], unknown) {
    if (typeof condition === 'boolean') return condition ? whenTrue : whenFalse;
    return firstUnknown([condition]) ?? unknown('if() of a condition that is not a boolean');
  },
  /** The first argument that is not null; unknown when one before it is. */
  coalesce(args) {
    for (const arg of args) {
      if (arg instanceof Unknown || arg instanceof PartialString) return firstUnknown([arg])!;
      if (arg !== null) return arg;
    }
    return null;
  },
  empty([value], unknown) {
    if (value === null || typeof value === 'string' || Array.isArray(value)) return value === null || value.length === 0;
    if (isPlainObject(value)) return Object.keys(value).length === 0;
    if (value instanceof PartialString) return false;
    return firstUnknown([value]) ?? unknown('empty() of a value that is no string, array or object');
  },
  /** `tryGet(value, key, ...)`: the property or item at each key in turn, null where there is none. */
  tryget([target, ...keys], unknown) {
    let current = target;
    for (const key of keys) {
      const unknownPart = firstUnknown([current, key]);
      if (unknownPart) return unknownPart;
      if (Array.isArray(current) && typeof key === 'number') current = current[key] ?? null;
      else if (isPlainObject(current) && typeof key === 'string') {
        const found = Object.keys(current).find((name) => name.toLowerCase() === key.toLowerCase());
        current = found === undefined ? null : current[found];
      } else if (current === null) return null;
      else return unknown('tryGet() of a value that has no such key');
    }
    return current;
  },
  contains([container, item], unknown) {
    const unknownPart = firstUnknown([container, item]);
    if (unknownPart) return unknownPart;
    if (typeof container === 'string' && (typeof item === 'string' || typeof item === 'number')) return container.includes(String(item));
    if (Array.isArray(container)) return container.some((candidate) => equalValues(candidate, item) === true);
    if (isPlainObject(container) && typeof item === 'string') return Object.keys(container).some((key) => key.toLowerCase() === item.toLowerCase());
    return unknown('contains() of a value that is no string, array or object');
  },
  not([value], unknown) {
    if (typeof value === 'boolean') return !value;
    return firstUnknown([value]) ?? unknown('not() of a value that is not a boolean');
  },
  /** False as soon as one argument is false, whatever the others. */
  and: (args, unknown) => logical(args, false, unknown),
  /** True as soon as one argument is true, whatever the others. */
  or: (args, unknown) => logical(args, true, unknown),
  equals([left, right], unknown) {
    const equal = equalValues(left, right);
    if (equal === undefined) return firstUnknown([left, right]) ?? unknown('equals() of strings that differ only in case, which the files do not tell how ARM compares');
    return equal;
  },
  greater: (args, unknown) => compare(args, (order) => order > 0, unknown),
  greaterorequals: (args, unknown) => compare(args, (order) => order >= 0, unknown),
  less: (args, unknown) => compare(args, (order) => order < 0, unknown),
  lessorequals: (args, unknown) => compare(args, (order) => order <= 0, unknown),
  /**
   * `resourceId([subscriptionId], [resourceGroup], type, name...)`: what the id ends with is known;
   * where the subscription and resource group are not given, the id keeps ARM's documented
   * placeholders, which no rule reads.
   */
  resourceid(args, unknown) {
    const typeIndex = args.findIndex((arg) => typeof arg === 'string' && /^[^/]+\.[^/]+\/./.test(arg));
    if (typeIndex === -1) return firstUnknown(args) ?? unknown('resourceId() without a resource type');
    const [namespace, ...types] = (args[typeIndex] as string).split('/');
    const names = args.slice(typeIndex + 1);
    if (names.length !== types.length) return unknown(`resourceId() of ${types.length} type segment(s) with ${names.length} name(s)`);
    const [subscription, group] = typeIndex === 2 ? args : typeIndex === 1 ? ['{subscriptionId}', args[0]] : ['{subscriptionId}', '{resourceGroupName}'];
    const parts: (string | Unknown)[] = ['/subscriptions/', ...(stringParts(subscription) ?? []), '/resourceGroups/', ...(stringParts(group) ?? []), `/providers/${namespace}`];
    for (const [index, type] of types.entries()) {
      const nameParts = stringParts(names[index]);
      if (!nameParts) return unknown('a resource name is not a string');
      parts.push(`/${type}/`, ...nameParts);
    }
    return joinParts(parts, unknown);
  },
};

/** `and()` or `or()`: `decisive` as soon as one argument is; unknown only when none is and one is not known. */
function logical(args: readonly ArmValue[], decisive: boolean, unknown: (reason: string) => Unknown): ArmValue {
  if (args.some((arg) => arg === decisive)) return decisive;
  if (args.every((arg) => typeof arg === 'boolean')) return !decisive;
  return firstUnknown(args) ?? unknown('a logical function of a value that is not a boolean');
}

/** Two numbers or two strings compared (strings by ordinal order); unknown for anything else. */
function compare([left, right]: readonly ArmValue[], holds: (order: number) => boolean, unknown: (reason: string) => Unknown): ArmValue {
  if (typeof left === 'number' && typeof right === 'number') return holds(left - right);
  if (typeof left === 'string' && typeof right === 'string') return holds(left < right ? -1 : left > right ? 1 : 0);
  return firstUnknown([left, right]) ?? unknown('a comparison of values that are not both numbers or both strings');
}

/**
 * Whether two known values are equal (arrays and objects by content); undefined when either is not
 * known, or when two strings differ only in case.
 */
function equalValues(left: ArmValue, right: ArmValue): boolean | undefined {
  if (firstUnknown([left, right])) return undefined;
  if (typeof left === 'string' && typeof right === 'string') return left === right ? true : left.toLowerCase() === right.toLowerCase() ? undefined : false;
  if (Array.isArray(left) && Array.isArray(right)) {
    if (left.length !== right.length) return false;
    let equal: boolean | undefined = true;
    for (const [index, item] of left.entries()) {
      const itemEqual = equalValues(item, right[index]);
      if (itemEqual === false) return false;
      if (itemEqual === undefined) equal = undefined;
    }
    return equal;
  }
  if (isPlainObject(left) && isPlainObject(right)) {
    const keys = Object.keys(left);
    if (keys.length !== Object.keys(right).length) return false;
    let equal: boolean | undefined = true;
    for (const key of keys) {
      if (!(key in right)) return false;
      const itemEqual = equalValues(left[key], right[key]);
      if (itemEqual === false) return false;
      if (itemEqual === undefined) equal = undefined;
    }
    return equal;
  }
  return left === right;
}
