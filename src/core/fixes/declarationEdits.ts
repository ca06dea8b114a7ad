// The one way fixes change a declared resource's properties, whatever the format: JSON declarations
// (APIOps files, ARM templates) are edited here keeping the file's own formatting (indentation, key
// order); Bicep and Terraform declarations bring their own editor (`Declaration.editProperties`).
import { applyEdits, modify, type FormattingOptions } from 'jsonc-parser';
import type { FileEdit } from '../text';
import type { Declaration } from '../model';
import type { JsonPath, ParsedDocument } from '../parse/document';
import type { PropertyChange } from './writtenProperties';

/** Sets (or, with `undefined`, removes) a property of a declared resource; undefined when it cannot be edited where it is written. */
export function setDeclaredProperty(declaration: Declaration, property: JsonPath, value: unknown): FileEdit | undefined {
  return setDeclaredProperties(declaration, [[property, value]]);
}

/**
 * Several property changes of one declaration as one edit: each change is made on the text the previous
 * one left (JSON edits of one object cannot be computed independently), and the result is the one
 * replacement of the part of the file that differs.
 */
export function setDeclaredProperties(declaration: Declaration, changes: readonly PropertyChange[]): FileEdit | undefined {
  const document = declaration.document;
  if (!document || document.format !== 'json') return declaration.editProperties?.(changes);
  const propertiesPath = declaration.propertiesPath ?? [];
  // A removed value may be anything (an APIOps named value's `value` can start with `[`): only overwrites are checked.
  if (changes.some(([property, value]) => value !== undefined && writtenAsExpression(document, [...propertiesPath, ...property]))) return undefined;
  const formattingOptions = formattingOf(document.text);
  let text = document.text;
  try {
    for (const [property, value] of changes) {
      text = applyEdits(text, modify(text, [...propertiesPath, ...property], value, { formattingOptions }));
    }
  } catch {
    // A file the edit cannot be placed in (a key written twice, the first time as a string): no fix, not a failed report.
    return undefined;
  }
  if (text === document.text) return undefined;
  return { file: declaration.file, edits: [differingPart(document.text, text)] };
}

/**
 * An ARM template expression (`"[parameters('protocols')]"`) at the path, above it or in the list
 * there: the value comes from elsewhere, and writing a literal over it would change what it means.
 */
function writtenAsExpression(document: ParsedDocument, jsonPath: JsonPath): boolean {
  const isExpression = (value: unknown) => typeof value === 'string' && value.startsWith('[') && !value.startsWith('[[');
  let value: unknown = document.value;
  for (const key of jsonPath) {
    if (isExpression(value)) return true;
    if (typeof value !== 'object' || value === null) return false;
    value = (value as Record<string | number, unknown>)[key];
  }
  return isExpression(value) || (Array.isArray(value) && value.some(isExpression));
}

function differingPart(before: string, after: string): { span: { start: number; end: number }; newText: string } {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { span: { start, end: before.length - end }, newText: after.slice(start, after.length - end) };
}

function formattingOf(text: string): FormattingOptions {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  return {
    insertSpaces: !indent.startsWith('\t'),
    tabSize: indent.startsWith('\t') ? 1 : indent.length,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
}
