// Edits to APIOps JSON declarations that keep the file's own formatting (indentation, key order).
import { modify, type FormattingOptions } from 'jsonc-parser';
import type { FileEdit } from '../findings';
import type { Declaration } from '../model';
import type { JsonPath } from '../parse/document';

/** Sets (or, with `undefined`, removes) a property of a declared resource; undefined when the declaration is not JSON. */
export function setDeclaredProperty(declaration: Declaration, property: JsonPath, value: unknown): FileEdit | undefined {
  const document = declaration.document;
  if (!document || document.format !== 'json') return undefined;
  const edits = modify(document.text, [...(declaration.propertiesPath ?? []), ...property], value, { formattingOptions: formattingOf(document.text) });
  if (edits.length === 0) return undefined;
  return {
    file: declaration.file,
    edits: edits.map((edit) => ({ span: { start: edit.offset, end: edit.offset + edit.length }, newText: edit.content })),
  };
}

function formattingOf(text: string): FormattingOptions {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  return {
    insertSpaces: !indent.startsWith('\t'),
    tabSize: indent.startsWith('\t') ? 1 : indent.length,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
}
