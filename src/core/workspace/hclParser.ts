// A tolerant reader of HCL2 (Terraform's `.tf` and `.tfvars`) that keeps the span of everything it
// reads: blocks, attributes, strings and heredocs with their `${...}` interpolations, lists, objects,
// function calls, references, operators, conditionals and `for` expressions. Splats are kept as raw
// text (`other`): the reader of Terraform only evaluates what it can know statically. Nothing here
// throws, and unfinished input ends where the text does.
import { MAX_NESTING_DEPTH } from '../limits';
import type { Span } from '../text';

export interface HclBody {
  attributes: HclAttribute[];
  blocks: HclBlock[];
}

export interface HclAttribute {
  name: string;
  nameSpan: Span;
  /** From the name to the end of the value. */
  span: Span;
  value: HclExpression;
}

export interface HclBlock {
  type: string;
  labels: string[];
  /** From the type to the last label: where a property that is not written is reported. */
  headerSpan: Span;
  /** From the type to the closing brace. */
  span: Span;
  body: HclBody;
}

export type HclExpression = HclLiteral | HclTemplate | HclTuple | HclObject | HclCall | HclTraversal | HclConditional | HclOperation | HclFor | HclOther;

export interface HclLiteral {
  kind: 'literal';
  span: Span;
  value: boolean | number | null;
}

/** A quoted string or a heredoc. */
export interface HclTemplate {
  kind: 'template';
  span: Span;
  /** Between the quotes, or the heredoc's lines (without its closing marker line). */
  contentSpan: Span;
  parts: HclTemplatePart[];
  /** `<<EOT` (false for quoted strings); `indented` for `<<-EOT`, whose lines lose their common indentation. */
  heredoc?: { indented: boolean };
}

export type HclTemplatePart =
  /** Literal text, escapes resolved (`\n`, `$${`); `span` is where it is written. */
  | { kind: 'text'; span: Span; value: string }
  /** `${expression}`. */
  | { kind: 'interpolation'; span: Span; expression: HclExpression }
  /** `%{ if ... }`, `%{ for ... }`: not evaluated. */
  | { kind: 'directive'; span: Span };

export interface HclTuple {
  kind: 'tuple';
  span: Span;
  items: HclExpression[];
}

export interface HclObjectItem {
  /** The key when it is an identifier or a string without interpolation. */
  key?: string;
  keySpan: Span;
  value: HclExpression;
}

export interface HclObject {
  kind: 'object';
  span: Span;
  items: HclObjectItem[];
}

export interface HclCall {
  kind: 'call';
  span: Span;
  name: string;
  args: HclExpression[];
  /** `f(a, list...)`: the last argument's items are the arguments. */
  expandsLast?: boolean;
}

/** `test ? then : otherwise`. */
export interface HclConditional {
  kind: 'conditional';
  span: Span;
  test: HclExpression;
  then: HclExpression;
  otherwise: HclExpression;
}

/** `left operator right`, or `operator right` (`!x`, `-x`) without `left`. */
export interface HclOperation {
  kind: 'operation';
  span: Span;
  operator: string;
  left?: HclExpression;
  right: HclExpression;
}

/** `[for k, v in collection : value if condition]` or `{for k, v in collection : key => value... if condition}`. */
export interface HclFor {
  kind: 'for';
  span: Span;
  keyName?: string;
  valueName: string;
  collection: HclExpression;
  /** An object's keys; a tuple has none. */
  key?: HclExpression;
  value: HclExpression;
  /** `key => value...`: values of the same key are grouped into a list. */
  grouped: boolean;
  condition?: HclExpression;
}

export type HclTraversalStep = { kind: 'attribute'; name: string; span: Span } | { kind: 'index'; key: HclExpression; span: Span };

/** `var.name`, `azurerm_api_management_api.orders["v1"].name`, `each.value`. */
export interface HclTraversal {
  kind: 'traversal';
  span: Span;
  root: string;
  steps: HclTraversalStep[];
}

/** Anything else (`a[*].b`, an index into a literal, what is not an expression), as written, with why it is not read. */
export interface HclOther {
  kind: 'other';
  span: Span;
  text: string;
  reason: string;
}

export interface HclFile {
  body: HclBody;
  /** Where a construct could not be read (unbalanced or unexpected text): skipped to the end of its line. */
  skipped: Span[];
}

/**
 * The blocks and attributes of `text`. Values nested deeper than MAX_NESTING_DEPTH are read as
 * `other`, and `onTooDeep` is told where the first one is.
 */
export function parseHcl(text: string, onTooDeep?: (span: Span) => void): HclFile {
  const parser = new HclParser(text, onTooDeep);
  const body = parser.parseBody(false);
  return { body, skipped: parser.skipped };
}

/** The text of an expression written as a plain string: no interpolation, no directive. */
export function literalString(expression: HclExpression | undefined): string | undefined {
  if (expression?.kind !== 'template' || expression.parts.some((part) => part.kind !== 'text')) return undefined;
  return expression.parts.map((part) => (part.kind === 'text' ? part.value : '')).join('');
}

const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_-]*/y;
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEREDOC_HEADER = /<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/y;
// By precedence, lowest first; longest operators first, so that `>=` is not read as `>`.
const BINARY_OPERATORS: readonly (readonly string[])[] = [['||'], ['&&'], ['==', '!='], ['>=', '<=', '>', '<'], ['+', '-'], ['*', '/', '%']];
const FOR_HEADER = /for\s+([A-Za-z_][A-Za-z0-9_-]*)\s*(?:,\s*([A-Za-z_][A-Za-z0-9_-]*)\s*)?in\s/y;

class HclParser {
  private pos = 0;
  /** Blocks and values open around the current position. */
  private depth = 0;
  /** Heredocs whose closing marker is being looked for, one inside another's interpolation. */
  private heredocDepth = 0;
  readonly skipped: Span[] = [];

  constructor(
    private readonly text: string,
    private onTooDeep?: (span: Span) => void,
  ) {}

  /** Attributes and blocks up to `}` (inside a block) or the end of the text. */
  parseBody(inBlock: boolean): HclBody {
    const body: HclBody = { attributes: [], blocks: [] };
    while (this.skipTrivia(true), this.pos < this.text.length) {
      if (this.text[this.pos] === '}') {
        if (inBlock) return body;
        this.skipLine();
        continue;
      }
      const start = this.pos;
      this.parseBodyItem(body);
      if (this.pos === start) this.skipLine();
    }
    return body;
  }

  private parseBodyItem(body: HclBody): void {
    const start = this.pos;
    const name = this.identifier();
    if (name === undefined) return;
    const nameSpan = { start, end: this.pos };
    this.skipTrivia(false);
    if (this.text[this.pos] === '=' && this.text[this.pos + 1] !== '=') {
      this.pos++;
      this.skipTrivia(false);
      const value = this.parseExpression(false);
      body.attributes.push({ name, nameSpan, span: { start, end: value.span.end }, value });
      this.endOfItem();
      return;
    }
    const labels: string[] = [];
    let headerEnd = nameSpan.end;
    while (this.pos < this.text.length && this.text[this.pos] !== '{') {
      if (this.text[this.pos] === '"') {
        const label = this.parseQuoted();
        labels.push(label.parts.map((part) => (part.kind === 'text' ? part.value : '')).join(''));
      } else {
        const label = this.identifier();
        if (label === undefined) return this.skipLineFrom(start);
        labels.push(label);
      }
      headerEnd = this.pos;
      this.skipTrivia(false);
    }
    if (this.text[this.pos] !== '{') return this.skipLineFrom(start);
    const headerSpan = { start, end: headerEnd };
    if (this.tooDeep()) {
      body.blocks.push({ type: name, labels, headerSpan, span: { start, end: this.pos }, body: { attributes: [], blocks: [] } });
      return;
    }
    this.pos++;
    this.depth++;
    const blockBody = this.parseBody(true);
    this.depth--;
    if (this.text[this.pos] === '}') this.pos++;
    body.blocks.push({ type: name, labels, headerSpan, span: { start, end: this.pos }, body: blockBody });
  }

  /** After an attribute: the rest of its line must be empty (or a comment); anything else is skipped. */
  private endOfItem(): void {
    this.skipTrivia(false);
    const char = this.text[this.pos];
    if (this.pos >= this.text.length || char === '\n' || char === '}') return;
    this.skipLineFrom(this.pos);
  }

  private skipLineFrom(start: number): void {
    this.pos = start;
    this.skipLine();
  }

  /** To the next line break outside brackets and strings, noting what was skipped. */
  private skipLine(): void {
    const start = this.pos;
    while (this.pos < this.text.length && this.text[this.pos] !== '\n') {
      const char = this.text[this.pos];
      if (char === '(' || char === '[' || char === '{') this.skipBalanced();
      else if (char === '"') this.parseQuoted();
      else this.pos++;
    }
    if (this.pos > start) this.skipped.push({ start, end: this.pos });
  }

  /** Spaces, comments and (when `newlines`) line breaks. */
  private skipTrivia(newlines: boolean): void {
    const text = this.text;
    while (this.pos < text.length) {
      const char = text[this.pos];
      if (char === ' ' || char === '\t' || char === '\r' || (newlines && char === '\n')) this.pos++;
      else if (char === '#' || text.startsWith('//', this.pos)) this.pos = indexOrEnd(text, '\n', this.pos);
      else if (text.startsWith('/*', this.pos)) this.pos = Math.min(indexOrEnd(text, '*/', this.pos + 2) + 2, text.length);
      else break;
    }
  }

  private identifier(): string | undefined {
    IDENTIFIER.lastIndex = this.pos;
    const match = IDENTIFIER.exec(this.text);
    if (match) this.pos = IDENTIFIER.lastIndex;
    return match?.[0];
  }

  /**
   * One expression. `inBrackets`: inside `(`, `[` or `${`, where line breaks are spaces; outside,
   * an expression ends with its line.
   */
  private parseExpression(inBrackets: boolean): HclExpression {
    const start = this.pos;
    const test = this.parseBinary(0, inBrackets);
    const afterTest = this.pos;
    this.skipTrivia(inBrackets);
    if (this.text[this.pos] !== '?') {
      this.pos = afterTest;
      return test;
    }
    const tooDeep = this.tooDeepOperand(start, inBrackets);
    if (tooDeep) return tooDeep;
    this.pos++;
    this.skipTrivia(inBrackets);
    this.depth++;
    const then = this.parseExpression(inBrackets);
    this.skipTrivia(inBrackets);
    if (this.text[this.pos] !== ':') {
      this.depth--;
      this.skipExpressionRest(inBrackets);
      return this.other(start, this.pos, 'a conditional has no `:`');
    }
    this.pos++;
    this.skipTrivia(inBrackets);
    const otherwise = this.parseExpression(inBrackets);
    this.depth--;
    return { kind: 'conditional', span: { start, end: otherwise.span.end }, test, then, otherwise };
  }

  private parseBinary(level: number, inBrackets: boolean): HclExpression {
    if (level === BINARY_OPERATORS.length) return this.parseOperand(inBrackets);
    const start = this.pos;
    let left = this.parseBinary(level + 1, inBrackets);
    for (;;) {
      const afterLeft = this.pos;
      this.skipTrivia(inBrackets);
      const operator = BINARY_OPERATORS[level].find((candidate) => this.text.startsWith(candidate, this.pos));
      // `//` and `/*` start comments; `<<` a heredoc operand.
      if (!operator || (operator === '/' && /[/*]/.test(this.text[this.pos + 1] ?? '')) || (operator === '<' && this.text[this.pos + 1] === '<')) {
        this.pos = afterLeft;
        return left;
      }
      const tooDeep = this.tooDeepOperand(start, inBrackets);
      if (tooDeep) return tooDeep;
      this.pos += operator.length;
      this.skipTrivia(inBrackets);
      this.depth++;
      const right = this.parseBinary(level + 1, inBrackets);
      this.depth--;
      left = { kind: 'operation', span: { start, end: right.span.end }, operator, left, right };
    }
  }

  private parseOperand(inBrackets: boolean): HclExpression {
    const start = this.pos;
    const char = this.text[this.pos];
    if (char === '"') return this.parseQuoted();
    if (this.text.startsWith('<<', this.pos)) {
      const heredoc = this.parseHeredoc();
      if (heredoc) return heredoc;
    }
    if (char === '!' || (char === '-' && this.text[this.pos + 1] !== '-')) {
      const tooDeep = this.tooDeepOperand(start, inBrackets);
      if (tooDeep) return tooDeep;
      this.pos++;
      this.skipTrivia(inBrackets);
      this.depth++;
      const right = this.parseOperand(inBrackets);
      this.depth--;
      return { kind: 'operation', span: { start, end: right.span.end }, operator: char, right };
    }
    if (char === '[' || char === '{' || char === '(') {
      if (this.tooDeep()) return this.other(start, this.pos, 'values are nested too deep');
      if (/^[[{]\s*for\s/.test(this.text.slice(this.pos, this.pos + 16))) {
        this.depth++;
        const forExpression = this.parseFor();
        this.depth--;
        return forExpression;
      }
      this.depth++;
      const value = char === '[' ? this.parseTuple() : char === '{' ? this.parseObject() : this.parseParenthesized();
      this.depth--;
      return this.withPostfix(value, start);
    }
    NUMBER.lastIndex = this.pos;
    const number = NUMBER.exec(this.text);
    if (number) {
      this.pos = NUMBER.lastIndex;
      return { kind: 'literal', span: { start, end: this.pos }, value: Number(number[0]) };
    }
    const name = this.identifier();
    if (name === undefined) {
      // Text that is no expression: kept as written up to its end.
      this.skipExpressionRest(inBrackets);
      return this.other(start, this.pos, 'it is not an expression');
    }
    if (this.text.startsWith('::', this.pos)) {
      // A provider function: `provider::name::function(...)`.
      while (this.text.startsWith('::', this.pos)) {
        this.pos += 2;
        this.identifier();
      }
    }
    if (this.text[this.pos] === '(') return this.parseCall(this.text.slice(start, this.pos), start);
    if (name === 'true' || name === 'false' || name === 'null') {
      return { kind: 'literal', span: { start, end: this.pos }, value: name === 'null' ? null : name === 'true' };
    }
    return this.withPostfix({ kind: 'traversal', span: { start, end: this.pos }, root: name, steps: [] }, start);
  }

  /** `.name`, `[key]` after a value: a traversal; a splat makes it `other`. */
  private withPostfix(value: HclExpression, start: number): HclExpression {
    const current = value;
    for (;;) {
      const char = this.text[this.pos];
      if (char === '.' && this.text[this.pos + 1] === '*') {
        this.pos += 2;
        this.skipPostfix();
        return this.other(start, this.pos, 'splat expressions (`.*`) are not evaluated');
      }
      if (char === '[' && /^\[\s*\*\s*\]/.test(this.text.slice(this.pos, this.pos + 8))) {
        this.skipBalanced();
        this.skipPostfix();
        return this.other(start, this.pos, 'splat expressions (`[*]`) are not evaluated');
      }
      // `list...`: an expansion, read by the call or `for` around it.
      if ((char !== '.' && char !== '[') || this.text.startsWith('...', this.pos)) return current;
      const steps = current.kind === 'traversal' ? current.steps : undefined;
      if (!steps) {
        this.skipPostfix();
        return this.other(start, this.pos, 'an index into a value that is not a name is not evaluated');
      }
      const stepStart = this.pos;
      if (char === '.') {
        this.pos++;
        const name = this.identifier() ?? this.number();
        if (name === undefined) return current;
        steps.push({ kind: 'attribute', name, span: { start: stepStart, end: this.pos } });
      } else {
        if (this.tooDeep()) return this.other(start, this.pos, 'values are nested too deep');
        this.pos++;
        this.depth++;
        this.skipTrivia(true);
        const key = this.parseExpression(true);
        this.skipTrivia(true);
        this.depth--;
        if (this.text[this.pos] === ']') this.pos++;
        steps.push({ kind: 'index', key, span: { start: stepStart, end: this.pos } });
      }
      current.span = { start: current.span.start, end: this.pos };
    }
  }

  private number(): string | undefined {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match) this.pos = NUMBER.lastIndex;
    return match?.[0];
  }

  /** The `.name`, `[...]` and `.*` steps after a splat. */
  private skipPostfix(): void {
    while (this.pos < this.text.length) {
      const char = this.text[this.pos];
      if (char === '[') this.skipBalanced();
      else if (char === '.') {
        this.pos++;
        if (this.text[this.pos] === '*') this.pos++;
        else this.identifier();
      } else return;
    }
  }

  /** `[for ...]` or `{for ...}`; one that is not understood is kept as written. */
  private parseFor(): HclExpression {
    const start = this.pos;
    const isObject = this.text[start] === '{';
    const closer = isObject ? '}' : ']';
    const giveUp = (why: string) => this.skipUnread(start, `a for expression ${why}`);
    this.pos++;
    this.skipTrivia(true);
    FOR_HEADER.lastIndex = this.pos;
    const header = FOR_HEADER.exec(this.text);
    if (!header) return giveUp('has no `for name in`');
    this.pos = FOR_HEADER.lastIndex;
    this.skipTrivia(true);
    const collection = this.parseExpression(true);
    this.skipTrivia(true);
    if (this.text[this.pos] !== ':') return giveUp('has no `:`');
    this.pos++;
    this.skipTrivia(true);
    let key: HclExpression | undefined;
    if (isObject) {
      key = this.parseExpression(true);
      this.skipTrivia(true);
      if (!this.text.startsWith('=>', this.pos)) return giveUp('makes an object without `=>`');
      this.pos += 2;
      this.skipTrivia(true);
    }
    const value = this.parseExpression(true);
    this.skipTrivia(true);
    const grouped = isObject && this.text.startsWith('...', this.pos);
    if (grouped) {
      this.pos += 3;
      this.skipTrivia(true);
    }
    let condition: HclExpression | undefined;
    if (/^if\s/.test(this.text.slice(this.pos, this.pos + 3))) {
      this.pos += 2;
      this.skipTrivia(true);
      condition = this.parseExpression(true);
      this.skipTrivia(true);
    }
    if (this.text[this.pos] !== closer) return giveUp(`is not closed by \`${closer}\``);
    this.pos++;
    const [keyName, valueName] = header[2] === undefined ? [undefined, header[1]] : [header[1], header[2]];
    return { kind: 'for', span: { start, end: this.pos }, keyName, valueName, collection, key, value, grouped, ...(condition && { condition }) };
  }

  private parseTuple(): HclTuple {
    const start = this.pos;
    const items: HclExpression[] = [];
    this.pos++;
    while (this.skipTrivia(true), this.pos < this.text.length && this.text[this.pos] !== ']') {
      const itemStart = this.pos;
      items.push(this.parseExpression(true));
      this.skipTrivia(true);
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== ']') this.skipToAny(',]');
      if (this.pos === itemStart) this.pos++;
    }
    if (this.text[this.pos] === ']') this.pos++;
    return { kind: 'tuple', span: { start, end: this.pos }, items };
  }

  private parseObject(): HclObject {
    const start = this.pos;
    const items: HclObjectItem[] = [];
    this.pos++;
    while (this.skipTrivia(true), this.pos < this.text.length && this.text[this.pos] !== '}') {
      const itemStart = this.pos;
      const keyExpression = this.parseOperand(false);
      const keySpan = keyExpression.span;
      this.skipTrivia(false);
      const separator = this.text[this.pos];
      if (separator === '=' || separator === ':') {
        this.pos++;
        this.skipTrivia(true);
        const value = this.parseExpression(false);
        items.push({ key: objectKey(keyExpression), keySpan, value });
      } else this.skipToAny(',\n}');
      this.skipTrivia(false);
      if (this.text[this.pos] === ',') this.pos++;
      if (this.pos === itemStart) this.pos++;
    }
    if (this.text[this.pos] === '}') this.pos++;
    return { kind: 'object', span: { start, end: this.pos }, items };
  }

  private parseParenthesized(): HclExpression {
    const start = this.pos;
    this.pos++;
    this.skipTrivia(true);
    const inner = this.parseExpression(true);
    this.skipTrivia(true);
    if (this.text[this.pos] !== ')') return this.skipUnread(start, 'a parenthesis holds more than one expression');
    this.pos++;
    return inner;
  }

  private parseCall(name: string, start: number): HclExpression {
    if (this.tooDeep()) return this.other(start, this.pos, 'values are nested too deep');
    this.pos++;
    this.depth++;
    const args: HclExpression[] = [];
    let expanded = false;
    while (this.skipTrivia(true), this.pos < this.text.length && this.text[this.pos] !== ')') {
      const argumentStart = this.pos;
      args.push(this.parseExpression(true));
      this.skipTrivia(true);
      if (this.text.startsWith('...', this.pos)) {
        expanded = true;
        this.pos += 3;
        this.skipTrivia(true);
      }
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== ')') this.skipToAny(',)');
      if (this.pos === argumentStart) this.pos++;
    }
    if (this.text[this.pos] === ')') this.pos++;
    this.depth--;
    return this.withPostfix({ kind: 'call', span: { start, end: this.pos }, name, args, ...(expanded && { expandsLast: true }) }, start);
  }

  /** A quoted template: `"text ${expression} %{ directive }"`; an unterminated one ends with its line. */
  private parseQuoted(): HclTemplate {
    const start = this.pos;
    this.pos++;
    const parts = this.parseTemplateParts('"');
    const contentEnd = this.pos;
    if (this.text[this.pos] === '"') this.pos++;
    return { kind: 'template', span: { start, end: this.pos }, contentSpan: { start: start + 1, end: contentEnd }, parts };
  }

  private parseHeredoc(): HclTemplate | undefined {
    const start = this.pos;
    HEREDOC_HEADER.lastIndex = start;
    const header = HEREDOC_HEADER.exec(this.text);
    if (!header) return undefined;
    const contentStart = HEREDOC_HEADER.lastIndex;
    const closing = this.heredocClosing(contentStart, header[2]);
    const contentEnd = closing?.start ?? this.text.length;
    const end = closing?.end ?? this.text.length;
    this.pos = contentStart;
    const parts = this.parseTemplateParts(undefined, contentEnd);
    this.pos = end;
    return { kind: 'template', span: { start, end }, contentSpan: { start: contentStart, end: contentEnd }, parts, heredoc: { indented: header[1] === '-' } };
  }

  /**
   * The parts of a template up to `quote` (a quoted string: backslash escapes, ends at a line break)
   * or up to `end` (a heredoc: no escapes).
   */
  private parseTemplateParts(quote: '"' | undefined, end = this.text.length): HclTemplatePart[] {
    const text = this.text;
    const parts: HclTemplatePart[] = [];
    let textStart = this.pos;
    let value = '';
    const flushText = () => {
      if (this.pos > textStart) parts.push({ kind: 'text', span: { start: textStart, end: this.pos }, value });
      value = '';
    };
    while (this.pos < end) {
      const char = text[this.pos];
      if (quote && (char === quote || char === '\n')) break;
      if (quote && char === '\\') {
        const escaped = unescapeAt(text, this.pos);
        value += escaped.value;
        this.pos += escaped.length;
      } else if ((char === '$' || char === '%') && text[this.pos + 1] === char && text[this.pos + 2] === '{') {
        value += char + '{';
        this.pos += 3;
      } else if ((char === '$' || char === '%') && text[this.pos + 1] === '{') {
        flushText();
        const partStart = this.pos;
        if (char === '%') {
          this.pos += 2;
          this.skipNested('}');
          parts.push({ kind: 'directive', span: { start: partStart, end: this.pos } });
        } else if (this.tooDeep(2)) {
          parts.push({ kind: 'interpolation', span: { start: partStart, end: this.pos }, expression: this.other(partStart, this.pos, 'values are nested too deep') });
        } else {
          this.pos += 2;
          this.depth++;
          if (text[this.pos] === '~') this.pos++;
          this.skipTrivia(true);
          const expression = this.parseExpression(true);
          this.skipTrivia(true);
          if (text[this.pos] === '~') this.pos++;
          this.depth--;
          if (text[this.pos] === '}') this.pos++;
          else this.skipNested('}');
          parts.push({ kind: 'interpolation', span: { start: partStart, end: this.pos }, expression });
        }
        textStart = this.pos;
      } else {
        value += char;
        this.pos++;
      }
    }
    this.pos = Math.min(this.pos, end);
    flushText();
    return parts;
  }

  /**
   * The bracket opened at `start`, not understood, kept as written. What ran to the end of the text
   * is not scanned again: in unclosed nesting, each level would rescan all the rest.
   */
  private skipUnread(start: number, reason: string): HclOther {
    if (this.pos < this.text.length) {
      this.pos = start;
      this.skipBalanced();
    }
    return this.other(start, this.pos, reason);
  }

  /** Past the depth limit at an operator: the rest of the expression is skipped (the first such place reported). */
  private tooDeepOperand(start: number, inBrackets: boolean): HclOther | undefined {
    if (this.depth < MAX_NESTING_DEPTH) return undefined;
    this.skipExpressionRest(inBrackets);
    this.onTooDeep?.({ start, end: this.pos });
    this.onTooDeep = undefined;
    return this.other(start, this.pos, 'values are nested too deep');
  }

  /** At a bracket past the depth limit (`offset` is its length): skips it, reporting the first one. */
  private tooDeep(offset = 1): boolean {
    if (this.depth < MAX_NESTING_DEPTH) return false;
    const start = this.pos;
    this.pos += offset;
    this.skipNested(offset === 2 ? '}' : CLOSING[this.text[start]]);
    this.onTooDeep?.({ start, end: this.pos });
    this.onTooDeep = undefined;
    return true;
  }

  /** `(...)`, `[...]` or `{...}` with whatever they hold. */
  private skipBalanced(): void {
    const open = this.text[this.pos];
    this.pos++;
    this.skipNested(CLOSING[open] ?? ')');
  }

  /**
   * From inside a bracket to just past `closer`, its match: brackets, strings (and their `${...}`),
   * heredocs and comments inside are skipped whole. Iterative: one stack of what is open, so any
   * depth of nesting is only a longer stack.
   */
  private skipNested(closer: string): void {
    const text = this.text;
    const open: string[] = [closer]; // closers expected; '"' for a string
    while (this.pos < text.length && open.length > 0) {
      const char = text[this.pos];
      const top = open[open.length - 1];
      if (top === '"') {
        if (char === '\\') this.pos += 2;
        else if (char === '"' || char === '\n') {
          if (char === '"') this.pos++;
          open.pop(); // an unterminated string ends with its line
        } else if ((char === '$' || char === '%') && text[this.pos + 1] === '{') {
          this.pos += 2;
          open.push('}');
        } else this.pos++;
      } else if (char === top) {
        this.pos++;
        open.pop();
      } else if (char === '"') {
        this.pos++;
        open.push('"');
      } else if (char === '(' || char === '[' || char === '{') {
        this.pos++;
        open.push(CLOSING[char]);
      } else if (text.startsWith('<<', this.pos) && this.parseHeredocSkipping()) {
        // skipped whole
      } else if (char === '#' || text.startsWith('//', this.pos) || text.startsWith('/*', this.pos)) {
        this.skipTrivia(false);
      } else this.pos++;
    }
    this.pos = Math.min(this.pos, text.length);
  }

  /** A heredoc inside skipped text, without reading its parts. */
  private parseHeredocSkipping(): boolean {
    HEREDOC_HEADER.lastIndex = this.pos;
    const header = HEREDOC_HEADER.exec(this.text);
    if (!header) return false;
    this.pos = this.heredocClosing(HEREDOC_HEADER.lastIndex, header[2])?.end ?? this.text.length;
    return true;
  }

  /**
   * Where a heredoc's closing marker line (the marker alone on its line, after optional indentation)
   * starts and ends. Interpolations are skipped whole: one may hold a heredoc of the same marker
   * (`<<-EOT ... ${jsonencode({ text = <<-EOT ... EOT })} ... EOT`). Heredocs nested past the depth
   * limit are closed at the first marker line, as if their interpolations held none.
   */
  private heredocClosing(contentStart: number, marker: string): { start: number; end: number } | undefined {
    const text = this.text;
    const closing = new RegExp(`[ \\t]*${marker}[ \\t]*\\r?(?=\\n|$)`, 'y');
    const saved = this.pos;
    let lineStart = contentStart;
    this.pos = contentStart;
    this.heredocDepth++;
    try {
      while (this.pos < text.length) {
        if (this.pos === lineStart) {
          closing.lastIndex = lineStart;
          if (closing.test(text)) return { start: lineStart, end: closing.lastIndex };
        }
        const char = text[this.pos];
        if (char === '\n') lineStart = ++this.pos;
        else if ((char === '$' || char === '%') && text[this.pos + 1] === char && text[this.pos + 2] === '{') this.pos += 3;
        else if ((char === '$' || char === '%') && text[this.pos + 1] === '{' && this.heredocDepth <= MAX_NESTING_DEPTH) {
          this.pos += 2;
          this.skipNested('}');
        } else this.pos++;
      }
      return undefined;
    } finally {
      this.heredocDepth--;
      this.pos = saved;
    }
  }

  /**
   * To the end of an expression: a line break (outside brackets), `,`, or a closing bracket that
   * nothing here opened; brackets, strings and comments inside are skipped whole.
   */
  private skipExpressionRest(inBrackets: boolean): void {
    const text = this.text;
    while (this.pos < text.length) {
      const char = text[this.pos];
      if ((char === '\n' && !inBrackets) || char === ',' || char === ')' || char === ']' || char === '}') return;
      if (char === '"') this.parseQuoted();
      else if (char === '(' || char === '[' || char === '{') this.skipBalanced();
      else if (text.startsWith('<<', this.pos) && this.parseHeredocSkipping()) continue;
      else if (char === '#' || text.startsWith('//', this.pos) || text.startsWith('/*', this.pos)) {
        if (!inBrackets && !text.startsWith('/*', this.pos)) return;
        this.skipTrivia(false);
      } else this.pos++;
    }
  }

  /** To the next of `chars` at this level, brackets and strings skipped whole. */
  private skipToAny(chars: string): void {
    while (this.pos < this.text.length && !chars.includes(this.text[this.pos])) {
      const char = this.text[this.pos];
      if (char === '"') this.parseQuoted();
      else if (char === '(' || char === '[' || char === '{') this.skipBalanced();
      else if (char === ')' || char === ']' || char === '}') return;
      else this.pos++;
    }
  }

  private other(start: number, end: number, reason: string): HclOther {
    let trimmed = end;
    while (trimmed > start && /\s/.test(this.text[trimmed - 1])) trimmed--;
    return { kind: 'other', span: { start, end: trimmed }, text: this.text.slice(start, trimmed), reason };
  }
}

function objectKey(expression: HclExpression): string | undefined {
  if (expression.kind === 'traversal' && expression.steps.length === 0) return expression.root;
  if (expression.kind === 'literal') return String(expression.value);
  return literalString(expression);
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/** The escape at `at` (a backslash) in a quoted string: its value and how many characters it takes. */
export function unescapeAt(text: string, at: number): { value: string; length: number } {
  const next = text[at + 1];
  if (next !== undefined && next in ESCAPES) return { value: ESCAPES[next], length: 2 };
  const unicode = next === 'u' ? /^[0-9A-Fa-f]{4}/.exec(text.slice(at + 2, at + 6)) : next === 'U' ? /^[0-9A-Fa-f]{8}/.exec(text.slice(at + 2, at + 10)) : null;
  if (unicode) {
    const codePoint = parseInt(unicode[0], 16);
    return { value: codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : '\ufffd', length: 2 + unicode[0].length };
  }
  return { value: '\\', length: 1 };
}

function indexOrEnd(text: string, search: string, from: number): number {
  const index = text.indexOf(search, from);
  return index === -1 ? text.length : index;
}
