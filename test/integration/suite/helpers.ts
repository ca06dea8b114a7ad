// Shared by the integration tests: the workspace, polling, and the extension's own API.
import * as fs from 'fs';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'apim-posture.apim-posture';
export const SOURCE = 'APIM Posture';

export function workspaceFile(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the tests need the sample workspace open');
  return vscode.Uri.joinPath(folder.uri, ...relativePath.split('/'));
}

export function readOnDisk(relativePath: string): string {
  return fs.readFileSync(workspaceFile(relativePath).fsPath, 'utf8');
}

export function codeOf(diagnostic: vscode.Diagnostic): string | number | undefined {
  const code = diagnostic.code;
  return typeof code === 'object' ? code.value : code;
}

export async function poll<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The extension's diagnostics on a workspace file (an empty list when there are none). */
export function postureDiagnostics(relativePath: string, rule?: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(workspaceFile(relativePath)).filter((diagnostic) => diagnostic.source === SOURCE && (!rule || codeOf(diagnostic) === rule));
}

export async function extensionApi(): Promise<{ inventory: vscode.TreeDataProvider<unknown>; findings: vscode.TreeDataProvider<unknown> }> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed`);
  return extension.activate();
}
