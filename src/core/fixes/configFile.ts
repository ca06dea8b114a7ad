// Edits of the repository's `.apim-posture.json` (suppressions, mappings), so decisions live in git.
// jsonc-parser keeps the user's comments and formatting around the change.
import { modify, type JSONPath } from 'jsonc-parser';
import * as path from 'path';
import { CONFIG_FILE_NAME } from '../config';
import type { FileEdit } from '../text';

/**
 * Sets `value` at `jsonPath` of the configuration (`[key, -1]` appends to an array, `undefined`
 * removes); `configText` is the file's current text, undefined when it does not exist yet.
 */
export function configEdit(root: string, configText: string | undefined, jsonPath: JSONPath, value: unknown): FileEdit {
  const file = path.join(root, CONFIG_FILE_NAME);
  if (configText === undefined || configText.trim() === '') {
    const created = JSON.parse(modify('{}', jsonPath, value, {}).reduce((text, edit) => text.slice(0, edit.offset) + edit.content + text.slice(edit.offset + edit.length), '{}')) as unknown;
    return { file, create: configText === undefined, edits: [{ span: { start: 0, end: configText?.length ?? 0 }, newText: JSON.stringify(created, null, 2) + '\n' }] };
  }
  const edits = modify(configText, jsonPath, value, { formattingOptions: { insertSpaces: true, tabSize: 2, eol: configText.includes('\r\n') ? '\r\n' : '\n' } });
  return { file, edits: edits.map((edit) => ({ span: { start: edit.offset, end: edit.offset + edit.length }, newText: edit.content })) };
}
