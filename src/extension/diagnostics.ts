// Findings as diagnostics: range, severity (per the user's mapping), the rule as a code linking to its
// documentation, the Defender recommendation, and the policy files of the chain as related information.
import * as vscode from 'vscode';
import type { Finding, Severity } from '../core/findings';
import type { ScanResult } from '../core/report/scanResult';
import type { SourceLocation } from '../core/text';

export const DIAGNOSTIC_SOURCE = 'APIM Posture';

export function severityOf(severity: Severity): vscode.DiagnosticSeverity {
  switch (severity) {
    case 'high':
      return vscode.workspace.getConfiguration('apimPosture').get('highSeverityAs') === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error;
    case 'medium':
      return vscode.DiagnosticSeverity.Warning;
    case 'low':
      return vscode.DiagnosticSeverity.Information;
    case 'info':
      return vscode.DiagnosticSeverity.Hint;
  }
}

export function rangeOf(result: ScanResult, location: SourceLocation): vscode.Range {
  const index = result.lineIndex(location.file);
  const start = index.positionAt(location.span.start);
  const end = index.positionAt(location.span.end);
  return new vscode.Range(start.line, start.character, end.line, end.character);
}

export function toDiagnostic(finding: Finding, result: ScanResult): vscode.Diagnostic {
  const rule = result.rules.find((candidate) => candidate.id === finding.ruleId);
  const defender = rule?.defender ? `\nDefender for Cloud: ${rule.defender.displayName}` : '';
  const diagnostic = new vscode.Diagnostic(rangeOf(result, finding.location), finding.message + defender, severityOf(finding.severity));
  diagnostic.source = finding.origin === 'observed' ? 'Defender for APIs' : DIAGNOSTIC_SOURCE;
  diagnostic.code = rule ? { value: finding.ruleId, target: vscode.Uri.parse(rule.helpUri) } : finding.ruleId;
  diagnostic.relatedInformation = finding.related.map(
    (related) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(related.location.file), rangeOf(result, related.location)), related.message),
  );
  return diagnostic;
}

/** The finding a diagnostic shows: the code actions get copies of diagnostics, so match by place and rule. */
export function sameFinding(diagnostic: vscode.Diagnostic, finding: Finding, result: ScanResult): boolean {
  const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
  return code === finding.ruleId && diagnostic.range.isEqual(rangeOf(result, finding.location)) && diagnostic.message.startsWith(finding.message);
}
