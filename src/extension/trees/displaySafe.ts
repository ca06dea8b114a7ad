// Tree items show names and messages from the repository (folder names, titles, a snapshot's
// display names): control characters and bidi overrides are taken out before VS Code shows them, so
// a crafted name cannot break a line or reorder what is read (`gnp.exe` shown as `exe.png`).
import * as vscode from 'vscode';
import { oneLine, wellFormed } from '../../core/report/common';

/** The longest label or description shown; the tooltip has the rest. */
const MAX_LABEL_LENGTH = 300;

/** `item` with its label and description on one safe line, and a plain tooltip's lines made safe. */
export function displaySafe(item: vscode.TreeItem): vscode.TreeItem {
  if (typeof item.label === 'string') item.label = safeLine(item.label);
  if (typeof item.description === 'string') item.description = safeLine(item.description);
  if (typeof item.tooltip === 'string') item.tooltip = item.tooltip.split('\n').map((line) => oneLine(wellFormed(line))).join('\n');
  return item;
}

function safeLine(text: string): string {
  const line = oneLine(wellFormed(text));
  return line.length > MAX_LABEL_LENGTH ? line.slice(0, MAX_LABEL_LENGTH - 1) + '…' : line;
}
