// What Bicep expressions evaluate to, as far as the files of one deployment tell: literals, params
// (passed by the calling module, from a parameter file, or defaults), vars, loop items, other
// resources' names and ids, string interpolation and a few pure functions. Strings keep the file
// offset of each character, so that a policy passed through params and vars is still read where it
// is written. What is not known is an `Unknown` carrying why; nothing is guessed.
import { MAX_EVALUATED_LENGTH } from './armExpression';
import type { BicepNode, StringChunk } from './bicepExpression';
import type { Span } from '../text';

export class Unknown {
  constructor(readonly reason: string) {}
}

/** Stands in a text for a part that is not known (`'${unknownParam}/orders'`), so names can still be split at `/`. */
export const HOLE = '\u0000';

/** A string; `source` when every character comes from one file (its offset there), `hole` when a part of it is not known. */
export class Text {
  constructor(
    readonly value: string,
    readonly source?: { file: string; offsets: readonly number[] },
    readonly hole?: Unknown,
  ) {}
}

/** `loadTextContent('x')`, `loadJsonContent('x')` or `loadYamlContent('x')`: a local file, read only when its text is needed. */
export class Loaded {
  constructor(
    readonly file: string,
    readonly call: string,
  ) {}
}

/** A resource symbol (`apim`, `apis[0]`): its name, id and written properties can be read; or a module symbol, its outputs. */
export class ResourceReference {
  constructor(
    readonly symbol: string,
    readonly member: (name: string) => Value,
    /** A looped resource not yet indexed. */
    readonly element?: (index: Value) => Value,
    /** Its type and names, for a child that names it as `parent`. */
    readonly identity?: (depth: number) => { type: string; names: (string | Unknown)[] } | undefined,
  ) {}
}

/** A spread (`...expr`) whose value is not known: the object it is merged into may hold any property. */
export interface UnknownPart {
  unknown: Unknown;
  file: string;
  span: Span;
}

// Kept beside the object rather than in it, so that its keys stay exactly the properties written.
const unknownParts = new WeakMap<object, UnknownPart>();

/** What an object may hold beyond its known properties, when a spread in it is not known. */
export function unknownPartOf(value: Value): UnknownPart | undefined {
  return isPlainObject(value) ? unknownParts.get(value) : undefined;
}

export type Value = Text | number | boolean | null | Value[] | { [key: string]: Value } | Loaded | ResourceReference | Unknown;

/** How names are resolved where an expression is written (one file instance of a deployment). */
export interface NameScope {
  file: string;
  lookup(name: string): Value;
  /** `parent::child`. */
  nested(parent: Value, child: string): Value;
  /** `loadTextContent('x')`'s file from this file, or a reason it is not opened. */
  loadedFile(relative: string, call: BicepNode): string | Unknown;
  /** The text of a loaded file. */
  readText(file: string): string | undefined;
}

/** Steps one deployment's evaluation may take: a bound on hostile chains of references. */
const MAX_EVALUATION_STEPS = 1_000_000;
const MAX_EVALUATION_DEPTH = 128;

const DEPLOY_TIME = new Set(['uniquestring', 'resourcegroup', 'subscription', 'tenant', 'managementgroup', 'deployment', 'environment', 'reference', 'resourceid', 'subscriptionresourceid', 'tenantresourceid', 'extensionresourceid', 'guid', 'newguid', 'utcnow', 'listkeys', 'listsecrets', 'readenvironmentvariable', 'getsecret']);

export class Evaluator {
  private steps = 0;
  private depth = 0;

  evaluate(node: BicepNode, scope: NameScope): Value {
    if (++this.steps > MAX_EVALUATION_STEPS) return new Unknown('the deployment takes too many steps to evaluate');
    if (this.depth >= MAX_EVALUATION_DEPTH) return new Unknown('references nest too deep (a cycle?)');
    this.depth++;
    try {
      return this.evaluateInner(node, scope);
    } finally {
      this.depth--;
    }
  }

  private evaluateInner(node: BicepNode, scope: NameScope): Value {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'string':
        return this.interpolate(node.parts, scope);
      case 'identifier':
        return scope.lookup(node.name);
      case 'array':
        return node.items.map((item) => this.evaluate(item, scope));
      case 'object': {
        const object: { [key: string]: Value } = {};
        for (const entry of node.properties) {
          if (entry.key !== undefined) {
            object[entry.key] = this.evaluate(entry.value, scope);
            continue;
          }
          const spread = this.evaluate(entry.spread, scope);
          if (isPlainObject(spread)) Object.assign(object, spread);
          const part = isPlainObject(spread)
            ? unknownParts.get(spread)
            : { unknown: spread instanceof Unknown ? spread : new Unknown('a spread of something else than an object'), file: scope.file, span: entry.span };
          if (part && !unknownParts.has(object)) unknownParts.set(object, part);
        }
        return object;
      }
      case 'member':
        return member(this.evaluate(node.target, scope), node.name, node.safe);
      case 'nested':
        return scope.nested(this.evaluate(node.target, scope), node.name);
      case 'index':
        return index(this.evaluate(node.target, scope), this.evaluate(node.index, scope));
      case 'call':
        return this.call(node, scope);
      case 'ternary': {
        const test = this.evaluate(node.test, scope);
        if (typeof test === 'boolean') return this.evaluate(test ? node.then : node.otherwise, scope);
        return test instanceof Unknown ? test : new Unknown('a condition is not a boolean');
      }
      case 'binary': {
        const [left, right] = [this.evaluate(node.left, scope), this.evaluate(node.right, scope)];
        // A loaded file compared with a string (`spec != 'NA'`) is compared by its text.
        const compared = (value: Value) => (value instanceof Loaded && (node.operator === '==' || node.operator === '!=') ? this.loadedText(value, scope) : value);
        return binary(node.operator, compared(left), compared(right));
      }
      case 'unary': {
        const operand = this.evaluate(node.operand, scope);
        if (node.operator === '!' && typeof operand === 'boolean') return !operand;
        if (node.operator === '-' && typeof operand === 'number') return -operand;
        return operand instanceof Unknown ? operand : new Unknown(`${node.operator} of something else than ${node.operator === '!' ? 'a boolean' : 'a number'}`);
      }
      case 'unsupported':
        return new Unknown(node.reason);
    }
  }

  /** `'a${b}c'`: the written characters keep their offsets, an inserted value keeps its own when from the same file. */
  private interpolate(parts: readonly (StringChunk | BicepNode)[], scope: NameScope): Value {
    const pieces: Text[] = [];
    for (const part of parts) {
      if (part.kind === 'text') {
        pieces.push(new Text(part.value, { file: scope.file, offsets: part.offsets }));
        continue;
      }
      const value = this.textOf(this.evaluate(part, scope), scope);
      // An unknown part leaves a hole: the rest (`'${svc}/orders'`) may still name something.
      pieces.push(value instanceof Unknown ? new Text(HOLE, { file: scope.file, offsets: [part.span.start] }, value) : placed(value, scope.file, part.span.start));
    }
    return joinTexts(pieces);
  }

  /** A loaded file's whole text, however long: only compared, never kept. */
  private loadedText(loaded: Loaded, scope: NameScope): Text | Unknown {
    const text = scope.readText(loaded.file);
    return text === undefined ? new Unknown(`${loaded.call} could not be read`) : new Text(text);
  }

  /** A value as text: strings, numbers and booleans; a loaded file's text. */
  textOf(value: Value, scope: NameScope): Text | Unknown {
    if (value instanceof Text || value instanceof Unknown) return value;
    if (typeof value === 'number' || typeof value === 'boolean') return new Text(String(value));
    if (value instanceof Loaded) {
      const text = scope.readText(value.file);
      if (text === undefined) return new Unknown(`${value.call} could not be read`);
      if (text.length > MAX_EVALUATED_LENGTH) return new Unknown(`${value.call} is longer than ${MAX_EVALUATED_LENGTH} characters`);
      return new Text(text, { file: value.file, offsets: Array.from({ length: text.length }, (_, offset) => offset) });
    }
    return new Unknown('a list, an object or a resource is used as a string');
  }

  private call(node: Extract<BicepNode, { kind: 'call' }>, scope: NameScope): Value {
    const name = node.name.toLowerCase();
    if (DEPLOY_TIME.has(name)) return new Unknown(`${node.name}() is known only when Azure deploys`);
    const args = node.args.map((arg) => this.evaluate(arg, scope));
    switch (name) {
      case 'any':
        return args[0] ?? null;
      case 'loadtextcontent':
      case 'loadjsoncontent':
      case 'loadyamlcontent': {
        const relative = args[0];
        if (!(relative instanceof Text) || relative.hole) return relative instanceof Unknown ? relative : (relative instanceof Text && relative.hole) || new Unknown('the path is not a string');
        // A path argument (`loadJsonContent('x.json', '$.spec')`) selects part of the file.
        if (name !== 'loadtextcontent' && args.length > 1) return new Unknown(`a part of a ${name === 'loadjsoncontent' ? 'JSON' : 'YAML'} file is not read`);
        const file = scope.loadedFile(relative.value, node);
        return file instanceof Unknown ? file : new Loaded(file, `${node.name}('${relative.value}')`);
      }
      case 'string':
        return args[0] instanceof Loaded || args[0] instanceof Unknown ? args[0] : this.textOf(args[0] ?? null, scope);
      case 'replace':
        return this.replace(args, scope);
      case 'concat':
        if (args.length > 0 && args.every(Array.isArray)) return (args as Value[][]).flat();
        return this.concatenate(args, scope);
      case 'format':
        return this.format(args, scope);
      case 'tolower':
      case 'toupper': {
        const text = this.textOf(args[0] ?? null, scope);
        if (text instanceof Unknown) return text;
        const changed = name === 'tolower' ? text.value.toLowerCase() : text.value.toUpperCase();
        // A character whose case form is longer (`İ`) shifts the offsets: then they are dropped.
        return new Text(changed, changed.length === text.value.length ? text.source : undefined, text.hole);
      }
      case 'length':
      case 'empty': {
        const [value] = args;
        const length = value instanceof Text && !value.hole ? value.value.length : Array.isArray(value) ? value.length : isPlainObject(value) ? Object.keys(value).length : undefined;
        if (length === undefined) return value instanceof Unknown ? value : new Unknown(`${node.name}() of a value that is not known`);
        return name === 'length' ? length : length === 0;
      }
    }
    return new Unknown(`${node.name}() is not evaluated`);
  }

  /** `replace(text, old, new)`: inserted characters stand where the replaced ones were written. */
  private replace(args: Value[], scope: NameScope): Value {
    const [subject, search, replacement] = args.map((arg) => this.textOf(arg ?? null, scope));
    if (subject instanceof Unknown) return subject;
    if (search instanceof Unknown || search.hole) return search instanceof Unknown ? search : search.hole!;
    if (search.value === '') return subject;
    if (replacement instanceof Unknown || replacement.hole) {
      // The text is kept as written, with what is not known said.
      return new Text(subject.value, subject.source, replacement instanceof Unknown ? replacement : replacement.hole);
    }
    const pieces: Text[] = [];
    let from = 0;
    for (let at = subject.value.indexOf(search.value); at !== -1; at = subject.value.indexOf(search.value, at + search.value.length)) {
      pieces.push(slice(subject, from, at));
      const offset = subject.source?.offsets[at];
      pieces.push(subject.source && offset !== undefined ? placed(replacement, subject.source.file, offset) : new Text(replacement.value));
      from = at + search.value.length;
      if (pieces.length > MAX_EVALUATED_LENGTH) return new Unknown('replace() makes too many replacements');
    }
    pieces.push(slice(subject, from, subject.value.length));
    return joinTexts(pieces, subject.hole);
  }

  private concatenate(args: Value[], scope: NameScope): Value {
    const texts: Text[] = [];
    for (const arg of args) {
      const text = this.textOf(arg, scope);
      if (text instanceof Unknown) return text;
      texts.push(text);
    }
    return joinTexts(texts);
  }

  /** `format('{0}/{1}', a, b)`. */
  private format(args: Value[], scope: NameScope): Value {
    const pattern = this.textOf(args[0] ?? null, scope);
    if (pattern instanceof Unknown || pattern.hole) return pattern instanceof Unknown ? pattern : pattern.hole!;
    const pieces: Text[] = [];
    let from = 0;
    for (const match of pattern.value.matchAll(/\{(\d+)\}|\{\{|\}\}/g)) {
      pieces.push(slice(pattern, from, match.index));
      from = match.index + match[0].length;
      if (match[1] === undefined) {
        pieces.push(slice(pattern, match.index, match.index + 1));
        continue;
      }
      const value = this.textOf(args[Number(match[1]) + 1] ?? new Unknown(`format() has no argument ${match[1]}`), scope);
      if (value instanceof Unknown) return value;
      const offset = pattern.source?.offsets[match.index];
      pieces.push(pattern.source && offset !== undefined ? placed(value, pattern.source.file, offset) : new Text(value.value));
    }
    pieces.push(slice(pattern, from, pattern.value.length));
    return joinTexts(pieces);
  }
}

export function isPlainObject(value: Value | undefined): value is { [key: string]: Value } {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** `.name` of an object (ARM's property names are case-insensitive) or a resource. */
function member(target: Value, name: string, safe = false): Value {
  if (target instanceof Unknown) return target;
  if (target instanceof ResourceReference) return target.member(name);
  if (isPlainObject(target)) {
    if (name in target) return target[name];
    const key = Object.keys(target).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (key !== undefined) return target[key];
    return unknownParts.get(target)?.unknown ?? (safe ? null : new Unknown(`it has no "${name}"`));
  }
  return new Unknown(`.${name} of a value that has no properties`);
}

function index(target: Value, key: Value): Value {
  if (target instanceof Unknown) return target;
  if (key instanceof Unknown) return key;
  if (target instanceof ResourceReference && target.element) return target.element(key);
  if (Array.isArray(target) && typeof key === 'number') return target[key] ?? new Unknown(`index ${key} is past the end`);
  if (key instanceof Text && !key.hole) return member(target, key.value);
  return new Unknown('an index that does not apply to the value');
}

function binary(operator: string, left: Value, right: Value): Value {
  if (operator === '??') return left === null ? right : left;
  if (left instanceof Unknown) return left;
  if (right instanceof Unknown) return right;
  const plain = (value: Value) => (value instanceof Text ? (value.hole ? undefined : value.value) : value);
  const [a, b] = [plain(left), plain(right)];
  if (a === undefined || b === undefined) return ((left as Text).hole ?? (right as Text).hole)!;
  const primitive = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);
  switch (operator) {
    case '==':
    case '!=':
      if (!primitive(a) || !primitive(b)) break;
      return (a === b) === (operator === '==');
    case '=~':
    case '!~':
      if (typeof a !== 'string' || typeof b !== 'string') break;
      return (a.toLowerCase() === b.toLowerCase()) === (operator === '=~');
    case '&&':
    case '||':
      if (typeof a !== 'boolean' || typeof b !== 'boolean') break;
      return operator === '&&' ? a && b : a || b;
  }
  if (typeof a !== 'number' || typeof b !== 'number') return new Unknown(`\`${operator}\` of values it is not evaluated for`);
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? new Unknown('a division by zero') : Math.trunc(a / b);
    case '%':
      return b === 0 ? new Unknown('a division by zero') : a % b;
  }
  return new Unknown(`\`${operator}\` is not evaluated`);
}

/** `text` inserted into `file` at `offset`: it keeps its own offsets when it comes from that file, else stands at `offset`. */
function placed(text: Text, file: string, offset: number): Text {
  if (text.source?.file === file) return text;
  return new Text(text.value, { file, offsets: Array.from({ length: text.value.length }, () => offset) }, text.hole);
}

function slice(text: Text, start: number, end: number): Text {
  return new Text(text.value.slice(start, end), text.source && { file: text.source.file, offsets: text.source.offsets.slice(start, end) }, text.value.slice(start, end).includes(HOLE) ? text.hole : undefined);
}

/** Texts joined: located when all come from one file (or are empty), with the first hole among them. */
function joinTexts(texts: readonly Text[], hole?: Unknown): Text | Unknown {
  const length = texts.reduce((sum, text) => sum + text.value.length, 0);
  if (length > MAX_EVALUATED_LENGTH) return new Unknown(`the value would be longer than ${MAX_EVALUATED_LENGTH} characters`);
  const nonEmpty = texts.filter((text) => text.value !== '');
  const files = new Set(nonEmpty.map((text) => text.source?.file));
  const [file] = files;
  const source = files.size === 1 && file !== undefined ? { file, offsets: nonEmpty.flatMap((text) => text.source!.offsets) } : undefined;
  return new Text(
    texts.map((text) => text.value).join(''),
    source,
    hole ?? texts.find((text) => text.hole)?.hole,
  );
}
