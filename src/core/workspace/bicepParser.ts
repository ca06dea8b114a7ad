// A tolerant reader of Bicep files: enough of the language to find `param`, `var`, `output`, `module`
// and `resource` declarations (and a `.bicepparam` file's `using`), with their names, types and literal
// values at exact spans. Expressions are kept as raw text for bicepExpression; nothing here throws.
import { MAX_NESTING_DEPTH } from '../limits';
import type { JsonPath } from '../parse/document';
import type { Span } from '../text';

export type BicepValue = BicepObject | BicepArray | BicepString | BicepLiteral | BicepExpression;

export interface BicepObject {
  kind: 'object';
  span: Span;
  properties: Map<string, { keySpan: Span; value: BicepValue }>;
  /** `...expr` entries: their properties are known only by evaluating them. */
  spreads: BicepValue[];
}

export interface BicepArray {
  kind: 'array';
  span: Span;
  items: BicepValue[];
}

export interface BicepString {
  kind: 'string';
  span: Span;
  /** The text between the quotes as written: escapes and `${...}` interpolations are kept. */
  value: string;
  contentSpan: Span;
  /** `'''...'''`: verbatim, no escapes. */
  multiline: boolean;
}

export interface BicepLiteral {
  kind: 'literal';
  span: Span;
  value: boolean | number | null;
}

/** Anything else (`apim.id`, `loadTextContent('./spec.yaml')`, `cond ? 'a' : 'b'`), as written. */
export interface BicepExpression {
  kind: 'expression';
  span: Span;
  text: string;
}

export interface BicepResource {
  symbol: string;
  /** The type as written, without `@api-version`: `Microsoft.ApiManagement/service/apis`, or `apis` when nested. */
  type: string;
  span: Span;
  body?: BicepObject;
  /** The resource this one is declared inside of. */
  lexicalParent?: BicepResource;
  /** `existing`: a reference to a resource deployed elsewhere, not a declaration. */
  existing: boolean;
  loop?: BicepLoop;
  /** `= if (condition) {...}`: the condition, without its parentheses. */
  condition?: BicepExpression;
}

/** `[for item in collection: ...]` or `[for (item, index) in collection: ...]`. */
export interface BicepLoop {
  item: string;
  index?: string;
  collection: BicepExpression;
}

export interface BicepModule {
  symbol: string;
  /** The module reference as written: `./apis/orders.bicep`, `br/public:...`. */
  path: string;
  pathSpan: Span;
  span: Span;
  body?: BicepObject;
  loop?: BicepLoop;
  condition?: BicepExpression;
}

/** A `param` (with its default, if any), a `var` or an `output`; in a `.bicepparam` file, `param x = value` is the value. */
export interface BicepBinding {
  name: string;
  span: Span;
  value?: BicepValue;
  /** `param x string?`: null when nothing gives it a value. */
  nullable?: boolean;
}

export interface BicepFile {
  resources: BicepResource[];
  modules: BicepModule[];
  params: Map<string, BicepBinding>;
  vars: Map<string, BicepBinding>;
  /** What a module gives its caller, as `module.outputs.name`. */
  outputs: Map<string, BicepBinding>;
  /** A `.bicepparam` file's `using './main.bicep'`. */
  using?: { path: string; span: Span };
}

const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
const RESOURCE_HEADER = /resource\s+([A-Za-z_][A-Za-z0-9_]*)\s+'([^'@]*)(?:@[^']*)?'\s*(existing\s*)?=/y;
const MODULE_HEADER = /module\s+([A-Za-z_][A-Za-z0-9_]*)\s+'([^']*)'\s*=/y;
// `param name type = default`, `param name = value` (.bicepparam), `var name = value`, `output name type = value`; a type may be `string[]` or `'a' | 'b'`.
const BINDING_HEADER = /(param|var|output)\s+([A-Za-z_][A-Za-z0-9_]*)\b[^=\n]*(=)?/y;
const USING_HEADER = /using\s+'([^']*)'/y;
const LOOP_HEADER = /for\s+(?:([A-Za-z_][A-Za-z0-9_]*)|\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\))\s+in\s+/y;

/**
 * The declarations of a Bicep file: resources (nested ones included, after their parent), modules,
 * params and vars. Objects and arrays nested deeper than MAX_NESTING_DEPTH are read as empty, and
 * `onTooDeep` is told where the first one is.
 */
export function parseBicepFile(text: string, onTooDeep?: (span: Span) => void): BicepFile {
  return new BicepParser(text, onTooDeep).parseFile();
}

/** Every resource declared in `text`, nested ones included (after their parent). */
export function parseBicepResources(text: string, onTooDeep?: (span: Span) => void): BicepResource[] {
  return parseBicepFile(text, onTooDeep).resources;
}

/** The plain value of a Bicep value: objects, arrays, strings and literals; expressions become undefined. */
export function plainValue(value: BicepValue | undefined): unknown {
  switch (value?.kind) {
    case 'object':
      return Object.fromEntries([...value.properties].map(([key, property]) => [key, plainValue(property.value)]));
    case 'array':
      return value.items.map(plainValue);
    case 'string':
    case 'literal':
      return value.value;
    default:
      return undefined;
  }
}

/** The value at `path` below `value` (property names and array indexes). */
export function bicepValueAt(value: BicepValue | undefined, path: JsonPath): BicepValue | undefined {
  let current = value;
  for (const key of path) {
    if (current?.kind === 'object' && typeof key === 'string') current = current.properties.get(key)?.value;
    else if (current?.kind === 'array' && typeof key === 'number') current = current.items[key];
    else return undefined;
  }
  return current;
}

class BicepParser {
  private pos = 0;
  private readonly file: BicepFile = { resources: [], modules: [], params: new Map(), vars: new Map(), outputs: new Map() };
  /** Objects and arrays open around the current position. */
  private depth = 0;

  constructor(
    private readonly text: string,
    private onTooDeep?: (span: Span) => void,
  ) {}

  parseFile(): BicepFile {
    while (this.skipTrivia(true), this.pos < this.text.length) {
      const start = this.pos;
      if (!this.tryResource() && !this.tryModule() && !this.tryBinding() && !this.tryUsing()) this.skipStatement();
      if (this.pos === start) this.pos++;
    }
    return this.file;
  }

  /** Spaces, comments and (when `newlines`) line breaks. */
  private skipTrivia(newlines: boolean): void {
    const text = this.text;
    while (this.pos < text.length) {
      const char = text[this.pos];
      if (char === ' ' || char === '\t' || char === '\r' || (newlines && char === '\n')) this.pos++;
      else if (text.startsWith('//', this.pos)) this.pos = indexOrEnd(text, '\n', this.pos);
      else if (text.startsWith('/*', this.pos)) this.pos = indexOrEnd(text, '*/', this.pos + 2) + 2;
      else break;
    }
    this.pos = Math.min(this.pos, text.length);
  }

  private tryResource(parent?: BicepResource): boolean {
    RESOURCE_HEADER.lastIndex = this.pos;
    const header = RESOURCE_HEADER.exec(this.text);
    if (!header) return false;
    const resource: BicepResource = { symbol: header[1], type: header[2], span: { start: this.pos, end: this.pos }, lexicalParent: parent, existing: header[3] !== undefined };
    this.file.resources.push(resource);
    this.pos = RESOURCE_HEADER.lastIndex;
    Object.assign(resource, this.parseDeclarationBody(resource));
    resource.span.end = this.pos;
    return true;
  }

  private tryModule(): boolean {
    MODULE_HEADER.lastIndex = this.pos;
    const header = MODULE_HEADER.exec(this.text);
    if (!header) return false;
    const start = this.pos;
    const pathStart = this.text.indexOf("'", start) + 1;
    this.pos = MODULE_HEADER.lastIndex;
    const declaration = this.parseDeclarationBody();
    this.file.modules.push({ symbol: header[1], path: header[2], pathSpan: { start: pathStart, end: pathStart + header[2].length }, span: { start, end: this.pos }, ...declaration });
    return true;
  }

  /** After `=`: `{...}`, `if (condition) {...}` or `[for item in items: {...}]`; the body is the object inside. */
  private parseDeclarationBody(resource?: BicepResource): { body?: BicepObject; loop?: BicepLoop; condition?: BicepExpression } {
    this.skipTrivia(true);
    let loop: BicepLoop | undefined;
    const isLoop = this.text[this.pos] === '[';
    if (isLoop) {
      this.pos++;
      this.skipTrivia(true);
      LOOP_HEADER.lastIndex = this.pos;
      const header = LOOP_HEADER.exec(this.text);
      const collectionStart = header ? LOOP_HEADER.lastIndex : this.pos;
      this.pos = collectionStart;
      this.skipExpression(':');
      const end = this.trimmedEnd(collectionStart, this.pos);
      if (header) loop = { item: header[1] ?? header[2], index: header[3], collection: { kind: 'expression', span: { start: collectionStart, end }, text: this.text.slice(collectionStart, end) } };
      this.pos++;
      this.skipTrivia(true);
    }
    let condition: BicepExpression | undefined;
    if (/^if\s*\(/.test(this.text.slice(this.pos, this.pos + 32))) {
      this.pos = this.text.indexOf('(', this.pos);
      const open = this.pos;
      this.skipBalanced();
      const start = open + 1;
      const end = this.text[this.pos - 1] === ')' ? this.pos - 1 : this.pos;
      condition = { kind: 'expression', span: { start, end }, text: this.text.slice(start, end) };
      this.skipExpression('{');
    }
    const body = this.text[this.pos] === '{' ? this.parseObject(resource) : undefined;
    if (isLoop) {
      this.skipTrivia(true);
      if (this.text[this.pos] === ']') this.pos++;
    }
    return { body, loop, ...(condition && { condition }) };
  }

  private tryBinding(): boolean {
    BINDING_HEADER.lastIndex = this.pos;
    const header = BINDING_HEADER.exec(this.text);
    if (!header) return false;
    const start = this.pos;
    this.pos = BINDING_HEADER.lastIndex;
    let value: BicepValue | undefined;
    if (header[3]) {
      this.skipTrivia(true);
      value = this.parseValue();
    } else this.skipExpression();
    const nullable = header[1] === 'param' && !value && this.text.slice(start, this.pos).trimEnd().endsWith('?');
    const binding = { name: header[2], span: { start, end: this.pos }, value, ...(nullable && { nullable }) };
    (header[1] === 'param' ? this.file.params : header[1] === 'var' ? this.file.vars : this.file.outputs).set(binding.name, binding);
    return true;
  }

  private tryUsing(): boolean {
    USING_HEADER.lastIndex = this.pos;
    const header = USING_HEADER.exec(this.text);
    if (!header) return false;
    this.file.using = { path: header[1], span: { start: this.pos, end: USING_HEADER.lastIndex } };
    this.pos = USING_HEADER.lastIndex;
    return true;
  }

  private skipDecorator(): void {
    this.pos++;
    this.identifier();
    this.skipTrivia(false);
    if (this.text[this.pos] === '(') this.skipBalanced();
  }

  /** A statement that is not a declaration read here (`type`, `func`, `metadata`, ...): to the end of its last line. */
  private skipStatement(): void {
    if (this.text[this.pos] === '@') this.skipDecorator();
    else this.skipExpression();
  }

  /** A value; one that goes on past its first part (`'a' == b ? x : y`, `{...}.key`) is an expression. */
  private parseValue(): BicepValue {
    const start = this.pos;
    const value = this.parseFirstValue();
    if (value.kind === 'expression') return value;
    const end = this.pos;
    this.skipTrivia(false);
    const next = this.text[this.pos];
    if (next === undefined || '\n,)]}'.includes(next) || this.text.startsWith('//', this.pos)) {
      this.pos = end;
      return value;
    }
    this.pos = start;
    this.skipExpression();
    const expressionEnd = this.trimmedEnd(start, this.pos);
    return { kind: 'expression', span: { start, end: expressionEnd }, text: this.text.slice(start, expressionEnd) };
  }

  private parseFirstValue(): BicepValue {
    const start = this.pos;
    const char = this.text[this.pos];
    if (char === "'") return this.parseString();
    if (char === '{') return this.parseObject();
    if (char === '[' && !/^\[\s*for\b/.test(this.text.slice(this.pos, this.pos + 32))) return this.parseArray();
    const literal = /(true|false|null|-?\d+(?:\.\d+)?)(?![A-Za-z0-9_.(])/y;
    literal.lastIndex = start;
    const match = literal.exec(this.text);
    if (match) {
      this.pos = literal.lastIndex;
      const word = match[1];
      const value = word === 'true' ? true : word === 'false' ? false : word === 'null' ? null : Number(word);
      return { kind: 'literal', span: { start, end: this.pos }, value };
    }
    this.skipExpression();
    const end = this.trimmedEnd(start, this.pos);
    return { kind: 'expression', span: { start, end }, text: this.text.slice(start, end) };
  }

  private parseString(): BicepString {
    const start = this.pos;
    if (this.text.startsWith("'''", start)) {
      const close = indexOrEnd(this.text, "'''", start + 3);
      this.pos = Math.min(close + 3, this.text.length);
      return { kind: 'string', span: { start, end: this.pos }, value: this.text.slice(start + 3, close), contentSpan: { start: start + 3, end: close }, multiline: true };
    }
    this.pos++;
    this.skipStringBody();
    const contentEnd = this.text[this.pos - 1] === "'" ? this.pos - 1 : this.pos;
    return { kind: 'string', span: { start, end: this.pos }, value: this.text.slice(start + 1, contentEnd), contentSpan: { start: start + 1, end: contentEnd }, multiline: false };
  }

  /** From after an opening `'` to after the closing one; interpolations may hold strings of their own. */
  private skipStringBody(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const char = text[this.pos];
      if (char === '\\') this.pos += 2;
      else if (char === "'") {
        this.pos++;
        return;
      } else if (char === '\n') return; // an unterminated string ends with its line
      else if (text.startsWith('${', this.pos)) {
        this.pos += 2;
        this.skipNested('}');
      } else this.pos++;
    }
  }

  private parseObject(resource?: BicepResource): BicepObject {
    const start = this.pos;
    const properties = new Map<string, { keySpan: Span; value: BicepValue }>();
    const spreads: BicepValue[] = [];
    if (this.skippedTooDeep()) return { kind: 'object', span: { start, end: this.pos }, properties, spreads };
    this.pos++;
    this.depth++;
    while (this.skipTrivia(true), this.pos < this.text.length && this.text[this.pos] !== '}') {
      const entryStart = this.pos;
      if (this.text[this.pos] === '@') this.skipDecorator();
      else if (this.text.startsWith('...', this.pos)) {
        this.pos += 3;
        this.skipTrivia(true);
        spreads.push(this.parseValue());
      } else if (!this.tryResource(resource)) this.parseProperty(properties);
      if (this.text[this.pos] === ',') this.pos++;
      if (this.pos === entryStart) this.skipExpression();
      if (this.pos === entryStart) this.pos++;
    }
    if (this.text[this.pos] === '}') this.pos++;
    this.depth--;
    return { kind: 'object', span: { start, end: this.pos }, properties, spreads };
  }

  /** At an object or array past the depth limit: skips it (reporting the first one) and says so. */
  private skippedTooDeep(): boolean {
    if (this.depth < MAX_NESTING_DEPTH) return false;
    const start = this.pos;
    this.skipBalanced();
    this.onTooDeep?.({ start, end: this.pos });
    this.onTooDeep = undefined;
    return true;
  }

  private parseProperty(properties: BicepObject['properties']): void {
    const keyStart = this.pos;
    const key = this.text[this.pos] === "'" ? this.parseString().value : this.identifier();
    if (key === undefined) return;
    const keySpan = { start: keyStart, end: this.pos };
    this.skipTrivia(false);
    if (this.text[this.pos] !== ':') return;
    this.pos++;
    this.skipTrivia(true);
    properties.set(key, { keySpan, value: this.parseValue() });
  }

  private parseArray(): BicepArray {
    const start = this.pos;
    const items: BicepValue[] = [];
    if (this.skippedTooDeep()) return { kind: 'array', span: { start, end: this.pos }, items };
    this.pos++;
    this.depth++;
    while (this.skipTrivia(true), this.pos < this.text.length && this.text[this.pos] !== ']') {
      const itemStart = this.pos;
      items.push(this.parseValue());
      if (this.text[this.pos] === ',') this.pos++;
      if (this.pos === itemStart) this.pos++;
    }
    if (this.text[this.pos] === ']') this.pos++;
    this.depth--;
    return { kind: 'array', span: { start, end: this.pos }, items };
  }

  private identifier(): string | undefined {
    IDENTIFIER.lastIndex = this.pos;
    const match = IDENTIFIER.exec(this.text);
    if (match) this.pos = IDENTIFIER.lastIndex;
    return match?.[0];
  }

  /** `(...)`, `[...]` or `{...}` with whatever they hold. */
  private skipBalanced(): void {
    const open = this.text[this.pos];
    this.pos++;
    this.skipNested(CLOSING[open]);
  }

  /**
   * From inside a bracket to just past `closer`, its match: brackets, strings (and their `${...}`)
   * and comments inside are skipped whole, closers that match nothing are ignored. Iterative: one
   * stack of what is open, so any depth of nesting is only a longer stack.
   */
  private skipNested(closer: string): void {
    const text = this.text;
    const open: string[] = [closer]; // closers expected; "'" for a string
    while (this.pos < text.length && open.length > 0) {
      const char = text[this.pos];
      const top = open[open.length - 1];
      if (top === "'") {
        if (char === '\\') this.pos += 2;
        else if (char === "'" || char === '\n') {
          if (char === "'") this.pos++;
          open.pop(); // an unterminated string ends with its line
        } else if (text.startsWith('${', this.pos)) {
          this.pos += 2;
          open.push('}');
        } else this.pos++;
      } else if (char === top) {
        this.pos++;
        open.pop();
      } else if (text.startsWith("'''", this.pos)) {
        this.pos = Math.min(indexOrEnd(text, "'''", this.pos + 3) + 3, text.length);
      } else if (char === "'") {
        this.pos++;
        open.push("'");
      } else if (char === '(' || char === '[' || char === '{') {
        this.pos++;
        open.push(CLOSING[char]);
      } else if (text.startsWith('//', this.pos) || text.startsWith('/*', this.pos)) {
        this.skipTrivia(false);
        if (text[this.pos] === '\n') this.pos++;
      } else this.pos++;
    }
  }

  /**
   * To the end of an expression: a line break, `,` or a closing bracket outside brackets, or
   * `stopAt` (left unconsumed); brackets, strings and comments inside are skipped whole.
   */
  private skipExpression(stopAt?: string): void {
    const text = this.text;
    while (this.pos < text.length) {
      const char = text[this.pos];
      if (char === stopAt) return;
      if (char === '\n' || char === ',' || char === ')' || char === ']' || char === '}') {
        if (stopAt === undefined) return;
        this.pos++;
      } else if (char === "'") this.parseString();
      else if (char === '(' || char === '[' || char === '{') this.skipBalanced();
      else if (text.startsWith('//', this.pos) || text.startsWith('/*', this.pos)) {
        if (stopAt === undefined && text[this.pos + 1] === '/') return;
        this.skipTrivia(false);
      } else this.pos++;
    }
  }

  private trimmedEnd(start: number, end: number): number {
    while (end > start && /\s/.test(this.text[end - 1])) end--;
    return end;
  }
}

function indexOrEnd(text: string, search: string, from: number): number {
  const index = text.indexOf(search, from);
  return index === -1 ? text.length : index;
}
