// The language server publishes the findings as diagnostics (src/server/server.ts); here, how the
// extension's own features find a report's places and findings again in the editor.
import * as vscode from 'vscode';
import type { ReportFinding, ReportLocation } from '../core/report/contract';

export const DIAGNOSTIC_SOURCE = 'APIM Posture';

/** A report's 1-based region as an editor range. */
export function rangeOf(location: ReportLocation): vscode.Range {
  return new vscode.Range(location.startLine - 1, location.startColumn - 1, location.endLine - 1, location.endColumn - 1);
}

/** The finding a diagnostic shows: code actions get copies of diagnostics, so match by place and rule. */
export function sameFinding(diagnostic: vscode.Diagnostic, finding: ReportFinding): boolean {
  const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
  return code === finding.ruleId && diagnostic.range.isEqual(rangeOf(finding.location)) && diagnostic.message.startsWith(finding.message);
}
