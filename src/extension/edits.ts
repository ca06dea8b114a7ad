// Core text edits (offsets) to VS Code workspace edits (positions in the documents as they are now).
import * as vscode from 'vscode';
import { LineIndex, type FileEdit } from '../core/text';

export async function toWorkspaceEdit(fileEdits: readonly FileEdit[], metadata?: vscode.WorkspaceEditEntryMetadata): Promise<vscode.WorkspaceEdit> {
  const edit = new vscode.WorkspaceEdit();
  for (const fileEdit of fileEdits) {
    const uri = vscode.Uri.file(fileEdit.file);
    if (fileEdit.create) {
      edit.createFile(uri, { ignoreIfExists: false, overwrite: false }, metadata);
      edit.insert(uri, new vscode.Position(0, 0), fileEdit.edits.map((textEdit) => textEdit.newText).join(''), metadata);
      continue;
    }
    // Offsets were computed on the text the analysis read: the open document's, when it is open.
    const document = await vscode.workspace.openTextDocument(uri);
    const index = new LineIndex(document.getText());
    for (const textEdit of fileEdit.edits) {
      const start = index.positionAt(textEdit.span.start);
      const end = index.positionAt(textEdit.span.end);
      edit.replace(uri, new vscode.Range(start.line, start.character, end.line, end.character), textEdit.newText, metadata);
    }
  }
  return edit;
}

/** Applies edits and saves what they touched, so the files on disk (and git) have the fix. */
export async function applyAndSave(fileEdits: readonly FileEdit[], metadata?: vscode.WorkspaceEditEntryMetadata): Promise<boolean> {
  const applied = await vscode.workspace.applyEdit(await toWorkspaceEdit(fileEdits, metadata));
  if (!applied) return false;
  for (const fileEdit of fileEdits) {
    const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.fsPath === fileEdit.file);
    if (document?.isDirty) await document.save();
  }
  return true;
}

/** Several fixes' edits as one set: identical edits (one API setting fixed for many operations) count once. */
export function mergeFileEdits(fileEdits: readonly FileEdit[]): { merged: FileEdit[]; skipped: number } {
  const byFile = new Map<string, FileEdit>();
  let skipped = 0;
  for (const fileEdit of fileEdits) {
    const existing = byFile.get(fileEdit.file);
    if (!existing) {
      byFile.set(fileEdit.file, { ...fileEdit, edits: [...fileEdit.edits] });
      continue;
    }
    for (const textEdit of fileEdit.edits) {
      const same = existing.edits.some((other) => other.span.start === textEdit.span.start && other.span.end === textEdit.span.end && other.newText === textEdit.newText);
      const overlaps = existing.edits.some((other) => other.span.start < textEdit.span.end && textEdit.span.start < other.span.end);
      if (same) continue;
      if (overlaps || existing.create || fileEdit.create) skipped++;
      else existing.edits.push(textEdit);
    }
  }
  return { merged: [...byFile.values()], skipped };
}
