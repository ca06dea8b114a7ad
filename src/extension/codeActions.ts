// Quick fixes on findings: the report lists each finding's fixes; their edits come from the server.
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { DIAGNOSTIC_SOURCE, sameFinding } from './diagnostics';
import { toWorkspaceEdit } from './edits';
import { FIX_INPUTS, isScopedFix, SCOPED_FIX_GROUPS, scopedFixes } from './fixCatalog';

export class FindingCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly ctx: Ctx) {}

  async provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      const located = (await this.ctx.findingsIn(document.uri.fsPath)).find(({ finding }) => sameFinding(diagnostic, finding));
      if (!located) continue;
      const { finding } = located;
      const direct = finding.fixes.filter((candidate) => !isScopedFix(candidate));
      // A fix with a placeholder asks for the real value first; the others edit right away, with the edits the server computes.
      const edits = new Map((await this.ctx.fixEdits(located, direct.filter((fix) => !FIX_INPUTS[fix.id]).map((fix) => fix.id))).map((entry) => [entry.fixId, entry.edits]));
      for (const fix of direct) {
        const action = new vscode.CodeAction(FIX_INPUTS[fix.id] ? `${fix.title}…` : fix.title, vscode.CodeActionKind.QuickFix);
        const fileEdits = edits.get(fix.id);
        if (fileEdits) action.edit = await toWorkspaceEdit(fileEdits);
        else action.command = { command: 'apimPosture.applyFix', title: fix.title, arguments: [finding.id, fix.id] };
        action.diagnostics = [diagnostic];
        action.isPreferred = fix.preferred;
        actions.push(action);
      }
      for (const group of SCOPED_FIX_GROUPS) {
        if (scopedFixes(finding.fixes, group.policy).length === 0) continue;
        const action = new vscode.CodeAction(group.title, vscode.CodeActionKind.QuickFix);
        action.command = { command: 'apimPosture.applyScopedFix', title: group.title, arguments: [finding.id, group.policy] };
        action.diagnostics = [diagnostic];
        actions.push(action);
      }
      if (finding.fixes.length > 0) {
        // Counted by the server: the whole report is not fetched for a light bulb.
        const fixable = await this.ctx.fixableCount(finding.ruleId);
        if (fixable > 1) {
          const fixAll = new vscode.CodeAction(`Fix all ${finding.ruleId} findings in the workspace (${fixable})…`, vscode.CodeActionKind.QuickFix);
          fixAll.command = { command: 'apimPosture.fixAllOfKind', title: fixAll.title, arguments: [finding.ruleId] };
          actions.push(fixAll);
        }
      }
      const suppress = new vscode.CodeAction(`Suppress ${finding.ruleId} for ${finding.resource}…`, vscode.CodeActionKind.QuickFix);
      suppress.command = { command: 'apimPosture.suppressFinding', title: suppress.title, arguments: [finding.id] };
      suppress.diagnostics = [diagnostic];
      actions.push(suppress);
    }
    return actions;
  }
}
