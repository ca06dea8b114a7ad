// Writes a suppression into the repository's `.apim-posture.json`, so the decision lives in git.
import { modify } from 'jsonc-parser';
import * as path from 'path';
import { CONFIG_FILE_NAME } from '../config';
import type { FileEdit } from '../findings';

export interface NewSuppression {
  rule: string;
  resource: string;
  reason: string;
  expires?: string;
}

/** Appends a suppression; `configText` is the file's current text, undefined when it does not exist. */
export function suppressionEdit(root: string, configText: string | undefined, suppression: NewSuppression): FileEdit {
  const file = path.join(root, CONFIG_FILE_NAME);
  const entry = { rule: suppression.rule, resource: suppression.resource, reason: suppression.reason, ...(suppression.expires ? { expires: suppression.expires } : {}) };
  if (configText === undefined || configText.trim() === '') {
    return { file, create: configText === undefined, edits: [{ span: { start: 0, end: configText?.length ?? 0 }, newText: JSON.stringify({ suppressions: [entry] }, null, 2) + '\n' }] };
  }
  const edits = modify(configText, ['suppressions', -1], entry, { formattingOptions: { insertSpaces: true, tabSize: 2, eol: configText.includes('\r\n') ? '\r\n' : '\n' } });
  return { file, edits: edits.map((edit) => ({ span: { start: edit.offset, end: edit.offset + edit.length }, newText: edit.content })) };
}
