// Commands as small factories over the one context (after rust-analyzer's editors/code).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { Finding, Fix } from '../core/findings';
import { missingNamedValueEdits } from '../core/fixes/namedValues';
import { suppressionEdit } from '../core/fixes/suppression';
import { AUTH_POLICY_SNIPPETS, type AuthPolicyName } from '../core/policy/edit';
import type { ApimService, OperationResource } from '../core/model';
import { serviceLabel, serviceOf } from '../core/report/common';
import { findingToMarkdown } from '../core/report/markdown';
import { operationKey, type Ctx, type FolderAnalysis, type LocatedFinding } from './ctx';
import { rangeOf } from './diagnostics';
import { applyAndSave, mergeFileEdits, toWorkspaceEdit } from './edits';
import { effectivePolicyUri } from './effectivePolicyDocument';
import { FIX_INPUTS, SCOPE_TRADE_OFFS, scopedFixes } from './fixCatalog';
import type { FindingsTree } from './trees/findingsTree';

export type CommandFactory = (ctx: Ctx) => (...args: never[]) => unknown;

/** A finding given by id (code actions), or as a tree item (the Findings view passes its node). */
type FindingArgument = string | { located: LocatedFinding } | undefined;

function resolveFinding(ctx: Ctx, argument: FindingArgument): LocatedFinding | undefined {
  if (argument === undefined) return undefined;
  if (typeof argument === 'object') return argument.located;
  return ctx.allFindings().find(({ finding }) => finding.id === argument);
}

export const analyze: CommandFactory = (ctx) => () =>
  vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'APIM Posture: analysing the workspace' }, () => ctx.analyzeAll());

export const revealFinding: CommandFactory = (ctx) => async (argument: FindingArgument) => {
  const located = resolveFinding(ctx, argument);
  if (!located) return;
  const range = rangeOf(located.analysis.result, located.finding.location);
  await vscode.window.showTextDocument(vscode.Uri.file(located.finding.location.file), { selection: range, preserveFocus: false });
};

export const applyFix: CommandFactory = (ctx) => async (argument: FindingArgument, fixId?: string) => {
  const located = resolveFinding(ctx, argument);
  if (!located) return;
  const fixes = located.finding.fixes;
  const fix =
    fixes.find((candidate) => candidate.id === fixId) ??
    (fixes.length === 1
      ? fixes[0]
      : (await vscode.window.showQuickPick(fixes.map((candidate) => ({ label: candidate.title, description: candidate.preferred ? 'recommended' : undefined, fix: candidate })), { placeHolder: `Fix: ${located.finding.message}` }))?.fix);
  if (fix) await applyWithFollowUp(ctx, located, fix);
};

export const applyScopedFix: CommandFactory = (ctx) => async (findingId: string, policy: string) => {
  const located = resolveFinding(ctx, findingId);
  if (!located) return;
  const choices = scopedFixes(located.finding.fixes, policy).map(({ scope, fix }) => ({
    label: SCOPE_TRADE_OFFS[scope]?.label ?? scope,
    detail: SCOPE_TRADE_OFFS[scope]?.detail,
    description: path.relative(located.analysis.folder.uri.fsPath, fix.edits[0].file),
    fix,
  }));
  const picked = choices.length === 1 ? choices[0] : await vscode.window.showQuickPick(choices, { placeHolder: `Where should ${policy} run?`, matchOnDetail: true });
  if (picked) await applyWithFollowUp(ctx, located, picked.fix);
};

/** Applies a fix, saves it, and offers what the fix leaves to do (named values an auth policy refers to). */
async function applyWithFollowUp(ctx: Ctx, located: LocatedFinding, fix: Fix): Promise<void> {
  const input = FIX_INPUTS[fix.id];
  if (input) {
    const placeholder = fix.edits.flatMap((fileEdit) => fileEdit.edits).map((edit) => input.placeholder.exec(edit.newText)?.[0]).find(Boolean);
    const value = await vscode.window.showInputBox({ prompt: input.prompt, value: placeholder, validateInput: input.validate, ignoreFocusOut: true });
    if (!value || !placeholder) return;
    const fill = (text: string) => text.split(placeholder).join(value);
    fix = { ...fix, edits: fix.edits.map((fileEdit) => ({ ...fileEdit, edits: fileEdit.edits.map((edit) => ({ ...edit, newText: fill(edit.newText) })) })) };
  }
  if (!(await applyAndSave(fix.edits))) {
    void vscode.window.showErrorMessage(`APIM Posture could not apply "${fix.title}": the file changed or cannot be written.`);
    return;
  }
  ctx.output.appendLine(`Applied "${fix.title}" to ${fix.edits.map((edit) => path.relative(located.analysis.folder.uri.fsPath, edit.file)).join(', ')}`);
  const policy = /^add-(.+)@/.exec(fix.id)?.[1] as AuthPolicyName | undefined;
  const snippet = policy ? AUTH_POLICY_SNIPPETS[policy] : undefined;
  const missing = snippet ? missingNamedValueEdits(serviceOf(located.analysis.result, located.finding), snippet.namedValues) : [];
  if (missing.length > 0) {
    const names = missing.map((edit) => path.basename(path.dirname(edit.file))).join(', ');
    // Not awaited: the fix is done; the offer stays in the notification center until answered.
    void vscode.window
      .showInformationMessage(`${policy} uses named values this repository does not declare: ${names}. Create them as placeholders?`, 'Create Named Values', 'Not Now')
      .then(async (answer) => {
        if (answer === 'Create Named Values' && (await applyAndSave(missing))) await ctx.analyzeAll();
      });
  }
  await ctx.analyzeAll();
}

export const fixAllOfKind: CommandFactory = (ctx) => async (ruleId?: string) => {
  const rule = ruleId ?? (await vscode.window.showQuickPick([...new Set(ctx.allFindings().map(({ finding }) => finding.ruleId))], { placeHolder: 'Fix all findings of which rule?' }));
  if (!rule) return;
  const active = vscode.window.activeTextEditor?.document.uri.fsPath;
  const where = await vscode.window.showQuickPick(
    [
      ...(active ? [{ label: 'In this file', files: [active] as string[] | undefined }] : []),
      { label: 'In the whole workspace', files: undefined },
    ],
    { placeHolder: `Fix every ${rule} finding that has a recommended fix` },
  );
  if (!where) return;
  const fixes = ctx
    .allFindings()
    .filter(({ finding }) => finding.ruleId === rule && !finding.suppression && (!where.files || where.files.includes(finding.location.file)))
    .flatMap(({ finding }) => finding.fixes.filter((fix) => fix.preferred));
  if (fixes.length === 0) {
    void vscode.window.showInformationMessage(`No ${rule} finding ${where.files ? 'in this file ' : ''}has a recommended fix.`);
    return;
  }
  const { merged, skipped } = mergeFileEdits(fixes.flatMap((fix) => fix.edits));
  // Several files at once go through the refactor preview: the user sees every change before it lands.
  const edit = await toWorkspaceEdit(merged, merged.length > 1 ? { needsConfirmation: true, label: `Fix ${rule}` } : undefined);
  if (await vscode.workspace.applyEdit(edit)) {
    await vscode.workspace.saveAll(false);
    if (skipped > 0) void vscode.window.showWarningMessage(`${skipped} edit(s) overlapped others and were left out; analyse again and repeat.`);
    await ctx.analyzeAll();
  }
};

export const suppressFinding: CommandFactory = (ctx) => async (argument: FindingArgument) => {
  const located = resolveFinding(ctx, argument);
  if (!located) return;
  const { finding, analysis } = located;
  const reason = await vscode.window.showInputBox({
    title: `Suppress ${finding.ruleId} for ${finding.resource}`,
    prompt: 'Why is this acceptable? The reason is written to .apim-posture.json, next to the code.',
    validateInput: (value) => (value.trim() ? undefined : 'A reason is required.'),
  });
  if (!reason) return;
  const expiry = await vscode.window.showQuickPick(
    [
      { label: 'No expiry', days: 0 },
      { label: 'For 30 days', days: 30 },
      { label: 'For 90 days', days: 90 },
      { label: 'For a year', days: 365 },
    ],
    { placeHolder: 'Until when?' },
  );
  if (!expiry) return;
  const expires = expiry.days ? new Date(Date.now() + expiry.days * 86_400_000).toISOString().slice(0, 10) : undefined;
  const root = analysis.folder.uri.fsPath;
  const configFile = path.join(root, '.apim-posture.json');
  const open = vscode.workspace.textDocuments.find((document) => document.uri.fsPath === configFile);
  const text = open?.getText() ?? (fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : undefined);
  // A finding of one root of several (an environment) is suppressed there only.
  await applyAndSave([suppressionEdit(root, text, { rule: finding.ruleId, resource: finding.resource, reason: reason.trim(), expires, service: finding.service })]);
  await ctx.analyzeAll();
};

export const copyFindingAsMarkdown: CommandFactory = (ctx) => async (argument: FindingArgument) => {
  const located = resolveFinding(ctx, argument);
  if (!located) return;
  const result = located.analysis.result;
  const rule = result.rules.find((candidate) => candidate.id === located.finding.ruleId);
  await vscode.env.clipboard.writeText(findingToMarkdown(located.finding, rule, result.root, (file) => result.lineIndex(file)));
  void vscode.window.setStatusBarMessage('APIM Posture: finding copied as Markdown', 3000);
};

/** An `operationKey`, or the Inventory view's operation node. */
type OperationArgument = string | { analysis: FolderAnalysis; service: ApimService; operation: OperationResource } | undefined;

export const showEffectivePolicy: CommandFactory = (ctx) => async (argument?: OperationArgument) => {
  let key = typeof argument === 'string' ? argument : argument && operationKey(argument.analysis.result, argument.service, argument.operation);
  if (!key) {
    const picks = ctx.folderAnalyses.flatMap(({ result }) =>
      result.services.flatMap((service) =>
        service.apis.flatMap((api) =>
          api.operations.map((operation) => ({ label: operation.name, description: `${operation.method ?? ''} ${operation.urlTemplate ?? ''}`.trim(), detail: [serviceLabel(result.root, result.services, service), api.name].filter(Boolean).join(': '), key: operationKey(result, service, operation) })),
        ),
      ),
    );
    key = (await vscode.window.showQuickPick(picks, { placeHolder: 'Show the effective policy of which operation?', matchOnDescription: true, matchOnDetail: true }))?.key;
  }
  if (!key) return;
  const document = await vscode.workspace.openTextDocument(effectivePolicyUri(key));
  await vscode.languages.setTextDocumentLanguage(document, 'xml');
  await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
};

export const openSample: CommandFactory = (ctx) => async () => {
  const bundled = path.join(ctx.extension.extensionPath, 'samples');
  const target = path.join(os.homedir(), 'apim-posture-sample');
  if (!fs.existsSync(target)) fs.cpSync(bundled, target, { recursive: true });
  await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(target), { forceNewWindow: !!vscode.workspace.workspaceFolders?.length });
};

export const showOutput: CommandFactory = (ctx) => () => ctx.output.show();

export const explainRule: CommandFactory = (ctx) => async (ruleId?: string) => {
  const rules = ctx.folderAnalyses[0]?.result.rules ?? [];
  const rule = rules.find((candidate) => candidate.id === ruleId) ?? (await vscode.window.showQuickPick(rules.map((candidate) => ({ label: candidate.id, description: candidate.title, rule: candidate }))))?.rule;
  if (!rule) return;
  const defender = rule.defender ? `\n\n**Defender for Cloud:** ${rule.defender.displayName} (${rule.defender.severity})${rule.defender.assessmentKey ? `, assessment \`${rule.defender.assessmentKey}\`` : ''}` : '';
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: `# ${rule.title}\n\n\`${rule.id}\` · ${rule.severity}${defender}\n\n${rule.description}\n\n## How to fix\n\n${rule.remediation}\n` });
  await vscode.commands.executeCommand('markdown.showPreview', document.uri);
};

export function findingsTreeCommands(tree: FindingsTree): Record<string, () => unknown> {
  return {
    'apimPosture.groupFindingsBySeverity': () => tree.setGrouping('severity'),
    'apimPosture.groupFindingsByRecommendation': () => tree.setGrouping('recommendation'),
    'apimPosture.filterFindings': async () => {
      const text = await vscode.window.showInputBox({ prompt: 'Show findings whose message, resource, file or rule contains…', value: tree.filterText });
      if (text !== undefined) tree.setFilter(text);
    },
    'apimPosture.clearFindingsFilter': () => tree.setFilter(''),
  };
}

export function findingTitle(finding: Finding): string {
  return finding.message.length > 120 ? finding.message.slice(0, 117) + '…' : finding.message;
}
