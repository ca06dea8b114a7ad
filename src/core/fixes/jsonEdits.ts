// Edits to APIOps JSON declarations that keep the file's own formatting (indentation, key order).
import { applyEdits, modify, type FormattingOptions } from 'jsonc-parser';
import type { FileEdit } from '../findings';
import type { Declaration } from '../model';
import type { JsonPath } from '../parse/document';

/** Sets (or, with `undefined`, removes) a property of a declared resource; undefined when the declaration is not JSON. */
export function setDeclaredProperty(declaration: Declaration, property: JsonPath, value: unknown): FileEdit | undefined {
  return setDeclaredProperties(declaration, [[property, value]]);
}

/**
 * Several property changes of one declaration as one edit: each change is made on the text the previous
 * one left (JSON edits of one object cannot be computed independently), and the result is the one
 * replacement of the part of the file that differs.
 */
export function setDeclaredProperties(declaration: Declaration, changes: readonly [JsonPath, unknown][]): FileEdit | undefined {
  const document = declaration.document;
  if (!document || document.format !== 'json') return undefined;
  const formattingOptions = formattingOf(document.text);
  let text = document.text;
  try {
    for (const [property, value] of changes) {
      text = applyEdits(text, modify(text, [...(declaration.propertiesPath ?? []), ...property], value, { formattingOptions }));
    }
  } catch {
    // A file the edit cannot be placed in (a key written twice, the first time as a string): no fix, not a failed report.
    return undefined;
  }
  if (text === document.text) return undefined;
  return { file: declaration.file, edits: [differingPart(document.text, text)] };
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
