// The VS Code layer: thin. It asks the core for a scan and shows the findings as diagnostics.
import * as vscode from 'vscode';
import type { Finding } from '../core/findings';
import type { ScanResult } from '../core/report/scanResult';
import { scan } from '../core/scan';

const SEVERITY: Record<Finding['severity'], vscode.DiagnosticSeverity> = {
  high: vscode.DiagnosticSeverity.Error,
  medium: vscode.DiagnosticSeverity.Warning,
  low: vscode.DiagnosticSeverity.Information,
  info: vscode.DiagnosticSeverity.Hint,
};

export function activate(context: vscode.ExtensionContext): void {
  const diagnostics = vscode.languages.createDiagnosticCollection('apim-posture');
  const output = vscode.window.createOutputChannel('APIM Posture');
  context.subscriptions.push(diagnostics, output);

  const scanWorkspace = async () => {
    diagnostics.clear();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `APIM Posture: scanning ${folder.name}` },
        async () => scan(folder.uri.fsPath),
      );
      output.appendLine(`${folder.name}: ${result.service.filesRead.length} files read, ${result.findings.length} findings in ${Math.round(result.durationMs)} ms.`);
      showDiagnostics(diagnostics, result);
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('apimPosture.scanWorkspace', scanWorkspace),
    vscode.workspace.onDidSaveTextDocument(() => void scanWorkspace()),
  );
  void scanWorkspace();
}

function showDiagnostics(collection: vscode.DiagnosticCollection, result: ScanResult): void {
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const finding of result.findings) {
    if (finding.suppression) continue;
    const index = result.lineIndex(finding.location.file);
    const start = index.positionAt(finding.location.span.start);
    const end = index.positionAt(finding.location.span.end);
    const diagnostic = new vscode.Diagnostic(new vscode.Range(start.line, start.character, end.line, end.character), finding.message, SEVERITY[finding.severity]);
    diagnostic.source = 'APIM Posture';
    diagnostic.code = finding.ruleId;
    const list = byFile.get(finding.location.file) ?? [];
    list.push(diagnostic);
    byFile.set(finding.location.file, list);
  }
  for (const [file, list] of byFile) collection.set(vscode.Uri.file(file), list);
}

export function deactivate(): void {}
