import type { TextEdit } from '../text';

/** Applies non-overlapping edits computed against `text` (in any order) and returns the new text. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const ordered = [...edits].sort((a, b) => b.span.start - a.span.start || b.span.end - a.span.end);
  let result = text;
  let limit = Infinity;
  for (const edit of ordered) {
    if (edit.span.end > limit) throw new Error('overlapping edits');
    result = result.slice(0, edit.span.start) + edit.newText + result.slice(edit.span.end);
    limit = edit.span.start;
  }
  return result;
}
