// Tolerant reader for APIM policy XML with exact UTF-16 offsets. APIOps stores policies as `rawxml`:
// C# policy expressions (`@(...)`, `@{...}`) hold unescaped `<`, `>`, `&` and nested quotes, so a strict
// XML parser is the wrong tool. DTDs are refused and entities are never expanded: values stay raw.
import { MAX_NESTING_DEPTH } from '../limits';
import type { InputProblem, InputProblemKind } from '../problems';
import type { Span } from '../text';

export interface XmlAttribute {
  name: string;
  /** Raw attribute text between the quotes (APIM `rawxml`: may hold C# with unescaped <, >, & and quotes). */
  value: string;
  nameSpan: Span;
  /** Span of the value without its quotes. */
  valueSpan: Span;
}

export interface XmlElement {
  name: string;
  attributes: XmlAttribute[];
  children: XmlElement[];
  parent?: XmlElement;
  /** From `<` of the start tag to `>` of the end tag (or of the self-closing tag). */
  span: Span;
  /** The start tag alone, `<name ...>` or `<name ... />`. */
  startTagSpan: Span;
  /** Between the start and end tags; undefined for a self-closing element. */
  contentSpan?: Span;
  selfClosing: boolean;
  /** Runs of character data directly inside the element (CDATA contents included, comments not): see `elementText`. */
  textSpans: Span[];
}

export interface PolicyXml {
  file: string;
  text: string;
  /** The root element (`policies` or `fragment`), undefined when none could be read. */
  root?: XmlElement;
  problems: InputProblem[];
}

export type PolicySectionName = 'inbound' | 'backend' | 'outbound' | 'on-error';
/** In execution order. */
export const POLICY_SECTIONS: readonly PolicySectionName[] = ['inbound', 'backend', 'outbound', 'on-error'];

export function parsePolicyXml(file: string, text: string): PolicyXml {
  return new PolicyXmlReader(file, text).read();
}

export function childElements(element: XmlElement, name?: string): XmlElement[] {
  return name === undefined ? element.children : element.children.filter((child) => child.name === name);
}

export function findChild(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child) => child.name === name);
}

/** Every element below `element` (depth first, document order), optionally only those named `name`. */
export function descendants(element: XmlElement, name?: string): XmlElement[] {
  const found: XmlElement[] = [];
  const pending = [...element.children].reverse();
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (name === undefined || next.name === name) found.push(next);
    for (let i = next.children.length - 1; i >= 0; i--) pending.push(next.children[i]);
  }
  return found;
}

/** Per parse (kept between scans while the text stays the same): a policy's `<include-fragment>`s, each with the fragment it names. */
const includesByPolicy = new WeakMap<PolicyXml, { element: XmlElement; fragmentId?: string }[]>();

/** A policy's `<include-fragment>`s in document order, each with its `fragment-id` (undefined when it has none). */
export function fragmentIncludes(xml: PolicyXml): readonly { element: XmlElement; fragmentId?: string }[] {
  let includes = includesByPolicy.get(xml);
  if (!includes) {
    includes = xml.root ? descendants(xml.root, 'include-fragment').map((element) => ({ element, fragmentId: attribute(element, 'fragment-id')?.value })) : [];
    includesByPolicy.set(xml, includes);
  }
  return includes;
}

/** The nearest ancestor named `name`, if any. */
export function findAncestor(element: XmlElement, name: string): XmlElement | undefined {
  let current = element.parent;
  while (current && current.name !== name) current = current.parent;
  return current;
}

export function attribute(element: XmlElement, name: string): XmlAttribute | undefined {
  return element.attributes.find((candidate) => candidate.name === name);
}

/** A section of a `<policies>` document; undefined for fragments and when the section is not written. */
export function policySection(root: XmlElement | undefined, section: PolicySectionName): XmlElement | undefined {
  return root?.name === 'policies' ? findChild(root, section) : undefined;
}

/** The element's own character data, raw (entities unexpanded) and trimmed. */
export function elementText(xml: PolicyXml, element: XmlElement): string {
  return element.textSpans
    .map((span) => xml.text.slice(span.start, span.end))
    .join('')
    .trim();
}

const enum Nesting {
  Paren,
  Brace,
  Bracket,
  InterpolatedString,
  VerbatimInterpolatedString,
}

const CLOSER_OF: Record<string, Nesting> = { ')': Nesting.Paren, '}': Nesting.Brace, ']': Nesting.Bracket };

/**
 * Where the C# policy expression whose opening `(` or `{` is at `open` ends (just after the matching
 * close), or -1 when it never closes. String, verbatim, interpolated and char literals and comments are
 * skipped, so brackets and quotes inside them do not count. Iterative: nesting depth cannot overflow.
 */
export function policyExpressionEnd(text: string, open: number): number {
  const nesting: Nesting[] = [];
  let i = open;
  while (i < text.length) {
    const top = nesting[nesting.length - 1];
    const c = text[i];
    const next = text[i + 1];
    if (top === Nesting.InterpolatedString || top === Nesting.VerbatimInterpolatedString) {
      const verbatim = top === Nesting.VerbatimInterpolatedString;
      if (c === '"') {
        if (verbatim && next === '"') i += 2;
        else {
          nesting.pop();
          i++;
        }
      } else if (c === '\\' && !verbatim) i += 2;
      else if ((c === '{' && next === '{') || (c === '}' && next === '}')) i += 2;
      else if (c === '{') {
        nesting.push(Nesting.Brace);
        i++;
      } else i++;
      continue;
    }
    switch (c) {
      case '(':
        nesting.push(Nesting.Paren);
        i++;
        break;
      case '{':
        nesting.push(Nesting.Brace);
        i++;
        break;
      case '[':
        nesting.push(Nesting.Bracket);
        i++;
        break;
      case ')':
      case '}':
      case ']':
        // A closer that does not match is ignored: the expression is broken either way.
        if (top === CLOSER_OF[c]) {
          nesting.pop();
          if (nesting.length === 0) return i + 1;
        }
        i++;
        break;
      case '"':
        i = stringLiteralEnd(text, i + 1, false);
        break;
      case '@':
        if (next === '"') i = stringLiteralEnd(text, i + 2, true);
        else if (next === '$' && text[i + 2] === '"') {
          nesting.push(Nesting.VerbatimInterpolatedString);
          i += 3;
        } else i++;
        break;
      case '$':
        if (next === '"') {
          nesting.push(Nesting.InterpolatedString);
          i += 2;
        } else if (next === '@' && text[i + 2] === '"') {
          nesting.push(Nesting.VerbatimInterpolatedString);
          i += 3;
        } else i++;
        break;
      case "'":
        i = charLiteralEnd(text, i);
        break;
      case '/':
        if (next === '/') i = endOfLine(text, i);
        else if (next === '*') {
          const close = text.indexOf('*/', i + 2);
          i = close === -1 ? text.length : close + 2;
        } else i++;
        break;
      default:
        i++;
    }
  }
  return -1;
}

/** Just after the closing quote of a string literal whose body starts at `from`. */
function stringLiteralEnd(text: string, from: number, verbatim: boolean): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      if (verbatim && text[i + 1] === '"') i += 2;
      else return i + 1;
    } else if (c === '\\' && !verbatim) i += 2;
    // A regular string cannot span lines: ending it here limits the damage of a stray quote.
    else if (c === '\n' && !verbatim) return i;
    else i++;
  }
  return text.length;
}

/** Just after a char literal (`'a'`, `'\''`, `'\u0041'`) at `quote`; a lone apostrophe is skipped alone. */
function charLiteralEnd(text: string, quote: number): number {
  const bodyEnd = quote + (text[quote + 1] === '\\' ? 3 : 2);
  for (let i = bodyEnd; i < Math.min(text.length, quote + 10); i++) {
    if (text[i] === "'") return i + 1;
    if (text[i] === '\n') break;
  }
  return quote + 1;
}

function endOfLine(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  return newline === -1 ? text.length : newline;
}

function isWhitespace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\uFEFF';
}

function isNameStart(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || c === '_' || c === ':' || code >= 0x80;
}

function isNameChar(c: string): boolean {
  switch (c) {
    case '/':
    case '>':
    case '=':
    case '<':
    case '"':
    case "'":
      return false;
    default:
      return !isWhitespace(c);
  }
}

function isExpressionStart(text: string, i: number): boolean {
  return text[i] === '@' && (text[i + 1] === '(' || text[i + 1] === '{');
}

/** Past this many, `@(` and `@{` are read as plain text: keeps hostile input linear. */
const MAX_BROKEN_EXPRESSIONS = 8;

class PolicyXmlReader {
  private pos = 0;
  private readonly open: XmlElement[] = [];
  /** How many open elements have each name: finds an end tag's element without walking a deep stack. */
  private readonly openNames = new Map<string, number>();
  private root?: XmlElement;
  private readonly problems: InputProblem[] = [];
  private brokenExpressions = 0;
  private reportedTooDeep = false;

  constructor(
    private readonly file: string,
    private readonly text: string,
  ) {}

  read(): PolicyXml {
    while (this.pos < this.text.length) {
      const start = this.pos;
      this.pos = this.textEnd(start);
      this.addText(start, this.pos);
      if (this.pos < this.text.length) this.readMarkup();
    }
    for (let i = this.open.length - 1; i >= 0; i--) {
      this.reportUnclosed(this.open[i]);
      this.close(this.open[i], this.text.length, this.text.length);
    }
    this.reportRepeatedBase();
    return { file: this.file, text: this.text, root: this.root, problems: this.problems };
  }

  /** Scans character data from `from` to the next markup, skipping policy expressions and stray `<`s. */
  private textEnd(from: number): number {
    const text = this.text;
    let i = from;
    while (i < text.length) {
      if (text[i] === '<') {
        const next = text[i + 1];
        if (next === '!' || next === '?' || next === '/' || isNameStart(next)) return i;
        this.report('malformed-xml', i, i + 1, "'<' does not start a tag (write &lt; in text)");
        i++;
      } else if (this.open.length > 0 && isExpressionStart(text, i)) {
        i = this.skipExpression(i);
      } else i++;
    }
    return i;
  }

  /** Just after the policy expression at `at` (`@(` or `@{`); a broken one is reported and only its `@` skipped. */
  private skipExpression(at: number): number {
    // Each broken expression is scanned to the end of text: a few are enough to say the file is broken.
    if (this.brokenExpressions >= MAX_BROKEN_EXPRESSIONS) return at + 1;
    const end = policyExpressionEnd(this.text, at + 1);
    if (end !== -1) return end;
    this.brokenExpressions++;
    this.report('malformed-xml', at, at + 2, `Policy expression '${this.text.slice(at, at + 2)}' is never closed`);
    return at + 1;
  }

  private addText(start: number, end: number): void {
    if (start === end) return;
    const parent = this.open[this.open.length - 1];
    if (parent) {
      parent.textSpans.push({ start, end });
      return;
    }
    const raw = this.text.slice(start, end);
    const leading = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed) this.report('malformed-xml', start + leading, start + leading + trimmed.length, 'Text outside the root element');
  }

  private readMarkup(): void {
    const text = this.text;
    const start = this.pos;
    if (text.startsWith('<!--', start)) {
      this.pos = this.skipPast('-->', start + 4, start, 'Comment is never closed');
    } else if (text.startsWith('<![CDATA[', start)) {
      const close = text.indexOf(']]>', start + 9);
      if (close === -1) this.report('malformed-xml', start, text.length, 'CDATA section is never closed');
      this.addText(start + 9, close === -1 ? text.length : close);
      this.pos = close === -1 ? text.length : close + 3;
    } else if (text.startsWith('<?', start)) {
      this.pos = this.skipPast('?>', start + 2, start, 'Processing instruction is never closed');
    } else if (/^<!(DOCTYPE|ENTITY)/i.test(text.slice(start, start + 9))) {
      this.pos = this.declarationEnd(start);
      const what = text.slice(start + 2, start + 9).toUpperCase() === 'DOCTYPE' ? 'DOCTYPE declaration' : 'Entity declaration';
      this.report('forbidden-xml', start, this.pos, `${what} refused: DTDs and entities are never processed`);
    } else if (text.startsWith('<!', start)) {
      this.pos = this.declarationEnd(start);
      this.report('malformed-xml', start, this.pos, 'Unknown markup declaration');
    } else if (text.startsWith('</', start)) {
      this.readEndTag();
    } else {
      this.readStartTag();
    }
  }

  /** Just after `terminator` searched from `from`; reports and returns the end of text when it is missing. */
  private skipPast(terminator: string, from: number, start: number, message: string): number {
    const found = this.text.indexOf(terminator, from);
    if (found !== -1) return found + terminator.length;
    this.report('malformed-xml', start, this.text.length, message);
    return this.text.length;
  }

  /** Just after the `>` that ends the `<!...>` declaration at `start`, internal subset and quoted literals included. */
  private declarationEnd(start: number): number {
    const text = this.text;
    let subsetDepth = 0;
    let i = start + 2;
    while (i < text.length) {
      const c = text[i];
      if (c === '"' || c === "'") {
        const close = text.indexOf(c, i + 1);
        i = close === -1 ? text.length : close + 1;
      } else if (text.startsWith('<!--', i)) {
        const close = text.indexOf('-->', i + 4);
        i = close === -1 ? text.length : close + 3;
      } else if (c === '[') {
        subsetDepth++;
        i++;
      } else if (c === ']') {
        subsetDepth = Math.max(0, subsetDepth - 1);
        i++;
      } else if (c === '>' && subsetDepth === 0) {
        return i + 1;
      } else i++;
    }
    return text.length;
  }

  private readName(from: number): number {
    let i = from;
    while (i < this.text.length && isNameChar(this.text[i])) i++;
    return i;
  }

  private skipWhitespace(from: number): number {
    let i = from;
    while (i < this.text.length && isWhitespace(this.text[i])) i++;
    return i;
  }

  private readStartTag(): void {
    const text = this.text;
    const start = this.pos;
    const nameEnd = this.readName(start + 1);
    const name = text.slice(start + 1, nameEnd);
    const attributes: XmlAttribute[] = [];
    const attributeNames = new Set<string>();
    let i = nameEnd;
    let selfClosing = false;
    for (;;) {
      i = this.skipWhitespace(i);
      const c = text[i];
      if (c === '>') {
        i++;
        break;
      }
      if (c === '/' && text[i + 1] === '>') {
        i += 2;
        selfClosing = true;
        break;
      }
      if (c === undefined || c === '<') {
        this.report('malformed-xml', start, i, `Start tag <${name}> is never closed with '>'`);
        // At the end of text there is no content to read; before another tag, the element stays open.
        selfClosing = c === undefined;
        break;
      }
      const attributeNameEnd = this.readName(i);
      if (attributeNameEnd === i) {
        this.report('malformed-xml', i, i + 1, `Unexpected '${c}' in start tag <${name}>`);
        i++;
        continue;
      }
      const parsed = this.readAttribute(i, attributeNameEnd, name);
      if (attributeNames.has(parsed.attribute.name)) {
        this.report('malformed-xml', i, attributeNameEnd, `Attribute '${parsed.attribute.name}' is written twice`);
      }
      attributeNames.add(parsed.attribute.name);
      attributes.push(parsed.attribute);
      i = parsed.end;
    }
    this.pos = i;
    this.openElement(name, attributes, { start, end: i }, selfClosing);
  }

  private readAttribute(nameStart: number, nameEnd: number, elementName: string): { attribute: XmlAttribute; end: number } {
    const text = this.text;
    const name = text.slice(nameStart, nameEnd);
    const nameSpan = { start: nameStart, end: nameEnd };
    const attribute = (valueStart: number, valueEnd: number) => ({
      name,
      value: text.slice(valueStart, valueEnd),
      nameSpan,
      valueSpan: { start: valueStart, end: valueEnd },
    });
    const equals = this.skipWhitespace(nameEnd);
    if (text[equals] !== '=') {
      this.report('malformed-xml', nameStart, nameEnd, `Attribute '${name}' of <${elementName}> has no value`);
      return { attribute: attribute(nameEnd, nameEnd), end: nameEnd };
    }
    const quoteAt = this.skipWhitespace(equals + 1);
    const quote = text[quoteAt];
    if (quote !== '"' && quote !== "'") {
      let end = quoteAt;
      while (end < text.length && !isWhitespace(text[end]) && text[end] !== '>' && !text.startsWith('/>', end)) end++;
      this.report('malformed-xml', nameStart, end, `Value of attribute '${name}' is not quoted`);
      return { attribute: attribute(quoteAt, end), end };
    }
    const valueStart = quoteAt + 1;
    let i = valueStart;
    while (i < text.length && text[i] !== quote) i = isExpressionStart(text, i) ? this.skipExpression(i) : i + 1;
    if (i < text.length) return { attribute: attribute(valueStart, i), end: i + 1 };
    // Unterminated: end the value at the next '>' so that the rest of the document can still be read.
    const tagClose = text.indexOf('>', valueStart);
    const valueEnd = tagClose === -1 ? text.length : tagClose;
    this.report('malformed-xml', nameStart, valueEnd, `Value of attribute '${name}' is never closed`);
    return { attribute: attribute(valueStart, valueEnd), end: valueEnd };
  }

  private openElement(name: string, attributes: XmlAttribute[], startTagSpan: Span, selfClosing: boolean): void {
    // Below the depth limit elements are read (their end tags must match) but left out of the tree, which every walk can then afford.
    const tooDeep = this.open.length >= MAX_NESTING_DEPTH;
    if (tooDeep && !this.reportedTooDeep) {
      this.reportedTooDeep = true;
      this.report('too-deep', startTagSpan.start, startTagSpan.end, `Elements are nested more than ${MAX_NESTING_DEPTH} levels deep: <${name}> and what it holds are not analysed`);
    }
    const parent = tooDeep ? undefined : this.open[this.open.length - 1];
    const element: XmlElement = {
      name,
      attributes,
      children: [],
      parent,
      span: { ...startTagSpan },
      startTagSpan,
      contentSpan: selfClosing ? undefined : { start: startTagSpan.end, end: startTagSpan.end },
      selfClosing,
      textSpans: [],
    };
    if (parent) parent.children.push(element);
    else if (tooDeep) return this.keepOpen(element);
    else if (!this.root) this.root = element;
    else this.report('malformed-xml', startTagSpan.start, startTagSpan.end, `Second root element <${name}>: only the first is read`);
    this.keepOpen(element);
  }

  private keepOpen(element: XmlElement): void {
    if (element.selfClosing) return;
    this.open.push(element);
    this.openNames.set(element.name, (this.openNames.get(element.name) ?? 0) + 1);
  }

  private readEndTag(): void {
    const text = this.text;
    const start = this.pos;
    const nameEnd = this.readName(start + 2);
    const name = text.slice(start + 2, nameEnd);
    const closeAt = this.skipWhitespace(nameEnd);
    let end = closeAt + 1;
    if (text[closeAt] !== '>') {
      end = closeAt;
      this.report('malformed-xml', start, end, `End tag </${name}> is never closed with '>'`);
    }
    // Always advance, even over a bare '</' at the end of text.
    this.pos = Math.max(end, start + 2);
    if (!this.openNames.get(name)) {
      this.report('malformed-xml', start, this.pos, name ? `End tag </${name}> closes no open element` : 'End tag without a name');
      return;
    }
    // A mismatched end tag closes everything up to its element: the elements in between were never closed.
    for (let element = this.open.pop()!; ; element = this.open.pop()!) {
      if (element.name === name) {
        this.close(element, start, this.pos);
        return;
      }
      this.reportUnclosed(element);
      this.close(element, start, start);
    }
  }

  /** APIM accepts one `<base />` per section; composing more would repeat the scope above once for each. */
  private reportRepeatedBase(): void {
    if (this.root?.name !== 'policies') return;
    for (const section of this.root.children) {
      const bases = section.children.filter((child) => child.name === 'base');
      if (bases.length < 2) continue;
      const { start, end } = bases[1].span;
      this.report('invalid-artifact', start, end, `<${section.name}> holds ${bases.length} <base /> elements: APIM accepts one, and only the first is analysed`);
    }
  }

  private reportUnclosed(element: XmlElement): void {
    this.report('malformed-xml', element.startTagSpan.start, element.startTagSpan.end, `<${element.name}> is never closed`);
  }

  private close(element: XmlElement, contentEnd: number, end: number): void {
    this.openNames.set(element.name, this.openNames.get(element.name)! - 1);
    if (element.contentSpan) element.contentSpan.end = contentEnd;
    element.span.end = end;
  }

  private report(kind: InputProblemKind, start: number, end: number, message: string): void {
    this.problems.push({ file: this.file, span: { start, end }, kind, message });
  }
}
