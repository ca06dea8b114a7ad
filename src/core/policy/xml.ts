// CONTRACT (to be implemented): tolerant policy XML reader with exact offsets.
import type { InputProblem } from '../problems';
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
}

export interface PolicyXml {
  file: string;
  text: string;
  /** The root element (`policies` or `fragment`), undefined when none could be read. */
  root?: XmlElement;
  problems: InputProblem[];
}
