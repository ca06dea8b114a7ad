// Pure text edits to policy documents, for quick fixes. Every byte outside the inserted text is kept
// (comments, attribute order, line endings), and the inserted text follows the file's indentation.
import type { FileEdit, TextEdit } from '../text';
import { childElements, parsePolicyXml, POLICY_SECTIONS, policySection, type PolicySectionName, type PolicyXml, type XmlElement } from './xml';

export interface PolicySnippet {
  /** The policy element, indented with two spaces (re-indented to the target file when inserted). */
  xml: string;
  /** Named values (`{{name}}`) the snippet references: they must exist for the policy to deploy. */
  namedValues: string[];
}

export type AuthPolicyName = 'validate-jwt' | 'validate-azure-ad-token' | 'validate-client-certificate';

function snippet(xml: string): PolicySnippet {
  return { xml, namedValues: namedValueReferences(xml) };
}

/** The policies that authenticate a call, as snippets keyed by their element name. */
export const AUTH_POLICY_SNIPPETS: Readonly<Record<AuthPolicyName, PolicySnippet>> = {
  'validate-jwt': snippet(
    `<validate-jwt header-name="Authorization" failed-validation-httpcode="401" failed-validation-error-message="Unauthorized. Access token is missing or invalid.">
  <openid-config url="https://login.microsoftonline.com/{{tenant-id}}/v2.0/.well-known/openid-configuration" />
  <audiences><audience>{{api-audience}}</audience></audiences>
</validate-jwt>`,
  ),
  'validate-azure-ad-token': snippet(
    `<validate-azure-ad-token tenant-id="{{tenant-id}}">
  <client-application-ids><application-id>{{client-application-id}}</application-id></client-application-ids>
</validate-azure-ad-token>`,
  ),
  'validate-client-certificate': snippet(
    `<validate-client-certificate validate-revocation="true" validate-trust="true" validate-not-before="true" validate-not-after="true" ignore-error="false">
  <identities><identity thumbprint="{{client-cert-thumbprint}}" /></identities>
</validate-client-certificate>`,
  ),
};

/** Distinct `{{name}}` references in order of first use. */
export function namedValueReferences(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(/\{\{([^{}]+)\}\}/g), (match) => match[1].trim()))];
}

/**
 * Inserts `snippet` into `<inbound>`: right after `<base />` (and a `<cors>` leading the section), else
 * first in the section. Creates the
 * section (with `<base />`, which keeps the parent scopes' policies running) when it is
 * missing, and the whole document when `xml` is undefined. Returns undefined when the section already
 * has a direct child named like the snippet's root element (`options.elementName` overrides the name),
 * and when the document has problems or is no `<policies>` document: the place to insert is then unsure.
 */
export function insertIntoSection(
  file: string,
  xml: PolicyXml | undefined,
  section: 'inbound',
  snippet: string,
  options: { elementName?: string } = {},
): FileEdit | undefined {
  if (!xml) return { file, create: true, edits: [{ span: { start: 0, end: 0 }, newText: newPolicyDocument(section, snippet) }] };
  const root = xml.root;
  if (xml.problems.length > 0 || root?.name !== 'policies') return undefined;
  const style = detectStyle(xml.text);
  const target = policySection(root, section);
  // Inbound comes first in a policy document, so a missing one becomes the root's first child.
  if (!target) {
    const block = [`<${section}>`, ...['<base />', ...reindent(snippet, style.unit)].map((line) => style.unit + line), `</${section}>`];
    return { file, edits: [insertFirstChild(xml.text, root, block, style)] };
  }
  const elementName = options.elementName ?? snippetElementName(snippet);
  if (elementName !== undefined && childElements(target, elementName).length > 0) return undefined;
  // After <base /> and after a leading <cors>: CORS preflight requests carry no token, so cors must answer them first.
  const leading = target.children.findIndex((child) => child.name !== 'base' && child.name !== 'cors');
  const anchor = (leading === -1 ? target.children : target.children.slice(0, leading)).at(-1);
  const block = reindent(snippet, style.unit);
  const edit = anchor ? insertAfter(xml.text, target, anchor, block, style) : insertFirstChild(xml.text, target, block, style);
  return { file, edits: [edit] };
}

interface TextStyle {
  /** One level of indentation: a tab, or the file's smallest space indentation. */
  unit: string;
  eol: string;
}

function detectStyle(text: string): TextStyle {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indents = Array.from(text.matchAll(/^[ \t]+(?=\S)/gm), (match) => match[0]);
  const tabbed = indents.filter((indent) => indent.startsWith('\t')).length;
  const spaced = indents.filter((indent) => indent.startsWith(' '));
  if (tabbed >= spaced.length) return { unit: '\t', eol };
  return { unit: ' '.repeat(Math.min(...spaced.map((indent) => indent.length))), eol };
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The whitespace that starts the line `offset` is on. */
function lineIndent(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStartOf(text, offset), offset))![0];
}

/** The indentation of `child`'s line when the child starts it, else one level below `parent`'s line. */
function childIndent(text: string, parent: XmlElement, child: XmlElement | undefined, style: TextStyle): string {
  if (child && /^[ \t]*$/.test(text.slice(lineStartOf(text, child.span.start), child.span.start))) {
    return lineIndent(text, child.span.start);
  }
  return lineIndent(text, parent.span.start) + style.unit;
}

function indentBlock(lines: string[], indent: string, eol: string): string {
  return lines.map((line) => (line ? indent + line : line)).join(eol);
}

/**
 * The snippet's lines with their leading indentation rewritten in units of `unit`. The snippet's own
 * unit is a tab, or its smallest space indentation; its first line is level 0.
 */
function reindent(snippet: string, unit: string): string[] {
  const lines = snippet.trim().split(/\r?\n/);
  const spaceIndents = lines.map((line) => /^ */.exec(line)![0].length).filter((width) => width > 0);
  const snippetUnit = spaceIndents.length > 0 ? Math.min(...spaceIndents) : 1;
  return lines.map((line) => {
    const body = line.trimStart();
    const leading = line.slice(0, line.length - body.length);
    const tabs = leading.split('\t').length - 1;
    const spaces = leading.length - tabs;
    return unit.repeat(tabs + Math.floor(spaces / snippetUnit)) + body;
  });
}

/** Puts `block` on the lines after `sibling`, leaving what follows it on its line (a comment about it) in place. */
function insertAfter(text: string, parent: XmlElement, sibling: XmlElement, block: string[], style: TextStyle): TextEdit {
  const lineEnd = text.slice(sibling.span.end).search(/\r?\n|$/) + sibling.span.end;
  const at = /^([ \t]*<!--.*?-->)*[ \t]*$/.test(text.slice(sibling.span.end, lineEnd)) ? lineEnd : sibling.span.end;
  return { span: { start: at, end: at }, newText: style.eol + indentBlock(block, childIndent(text, parent, sibling, style), style.eol) };
}

/** Makes `block` (lines relative to the child indentation) the first child of `parent`, expanding a self-closing parent. */
function insertFirstChild(text: string, parent: XmlElement, block: string[], style: TextStyle): TextEdit {
  const parentIndent = lineIndent(text, parent.span.start);
  const blockText = style.eol + indentBlock(block, childIndent(text, parent, parent.children[0], style), style.eol);
  const closing = style.eol + parentIndent + `</${parent.name}>`;
  if (!parent.contentSpan) {
    const startTag = text.slice(parent.startTagSpan.start, parent.startTagSpan.end).replace(/\s*\/>$/, '>');
    return { span: parent.span, newText: startTag + blockText + closing };
  }
  const content = parent.contentSpan;
  // Empty (or blank) content is replaced, so that the end tag gets its own line.
  if (!text.slice(content.start, content.end).trim()) return { span: content, newText: blockText + style.eol + parentIndent };
  return { span: { start: content.start, end: content.start }, newText: blockText };
}

function snippetElementName(snippet: string): string | undefined {
  return parsePolicyXml('snippet', snippet).root?.name;
}

function newPolicyDocument(section: PolicySectionName, snippet: string): string {
  const sectionBody = (name: PolicySectionName) => (name === section ? ['<base />', ...reindent(snippet, '\t')] : ['<base />']);
  const sections = POLICY_SECTIONS.flatMap((name) => [
    `\t<${name}>`,
    ...sectionBody(name).map((line) => `\t\t${line}`),
    `\t</${name}>`,
  ]);
  return ['<policies>', ...sections, '</policies>', ''].join('\n');
}
