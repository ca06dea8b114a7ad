// Commands as small factories over the one context (after rust-analyzer's editors/code).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { FileEdit } from '../core/text';
import { CONFIG_FILE_NAME } from '../core/config';
import { suppressionEdit } from '../core/fixes/suppression';
import type { ReportFix, ReportOperation } from '../core/report/contract';
import { findingToMarkdown } from '../core/report/markdown';
import type { Ctx, LocatedFinding } from './ctx';
import { rangeOf } from './diagnostics';
import { applyAndSave, mergeFileEdits, toWorkspaceEdit } from './edits';
import { effectivePolicyUri } from './effectivePolicyDocument';
import { FIX_INPUTS, SCOPE_TRADE_OFFS, scopedFixes } from './fixCatalog';
import type { FindingsTree } from './trees/findingsTree';

export type CommandFactory = (ctx: Ctx) => (...args: never[]) => unknown;

/** A finding given by id (code actions), or as a tree item (the Findings view passes its node). */
type FindingArgument = string | { located: LocatedFinding } | undefined;

async function resolveFinding(ctx: Ctx, argument: FindingArgument): Promise<LocatedFinding | undefined> {
  if (argument === undefined) return undefined;
  if (typeof argument === 'object') return argument.located;
  return (await ctx.allFindings()).find(({ finding }) => finding.id === argument);
}

export const analyze: CommandFactory = (ctx) => () =>
  vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'APIM Posture: analysing the workspace' }, () => ctx.analyzeAll());

export const revealFinding: CommandFactory = (ctx) => async (argument: FindingArgument) => {
  const located = await resolveFinding(ctx, argument);
  if (!located) return;
  const range = rangeOf(located.finding.location);
  await vscode.window.showTextDocument(vscode.Uri.file(ctx.fileOf(located.root, located.finding.location)), { selection: range, preserveFocus: false });
};

export const applyFix: CommandFactory = (ctx) => async (argument: FindingArgument, fixId?: string) => {
  const located = await resolveFinding(ctx, argument);
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
  const located = await resolveFinding(ctx, findingId);
  if (!located) return;
  const choices = scopedFixes(located.finding.fixes, policy).map(({ scope, fix }) => ({
    label: SCOPE_TRADE_OFFS[scope]?.label ?? scope,
    detail: SCOPE_TRADE_OFFS[scope]?.detail,
    fix,
  }));
  const picked = choices.length === 1 ? choices[0] : await vscode.window.showQuickPick(choices, { placeHolder: `Where should ${policy} run?`, matchOnDetail: true });
  if (picked) await applyWithFollowUp(ctx, located, picked.fix);
};

/** Applies a fix, saves it, and offers what the fix leaves to do (named values an auth policy refers to). */
async function applyWithFollowUp(ctx: Ctx, located: LocatedFinding, fix: ReportFix): Promise<void> {
  const [computed] = await ctx.fixEdits(located, [fix.id]);
  let edits: FileEdit[] = computed?.edits ?? [];
  const input = FIX_INPUTS[fix.id];
  if (input) {
    const placeholder = edits.flatMap((fileEdit) => fileEdit.edits).map((edit) => input.placeholder.exec(edit.newText)?.[0]).find(Boolean);
    const value = await vscode.window.showInputBox({ prompt: input.prompt, value: placeholder, validateInput: input.validate, ignoreFocusOut: true });
    if (!value || !placeholder) return;
    const fill = (text: string) => text.split(placeholder).join(value);
    edits = edits.map((fileEdit) => ({ ...fileEdit, edits: fileEdit.edits.map((edit) => ({ ...edit, newText: fill(edit.newText) })) }));
  }
  if (edits.length === 0 || !(await applyAndSave(edits))) {
    void vscode.window.showErrorMessage(`APIM Posture could not apply "${fix.title}": the file changed or cannot be written.`);
    return;
  }
  ctx.output.appendLine(`Applied "${fix.title}" to ${edits.map((edit) => path.relative(located.folder.uri.fsPath, edit.file)).join(', ')}`);
  const policy = fix.policy;
  const missing = computed?.missingNamedValues ?? [];
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
  const findings = await ctx.allFindings();
  const rule = ruleId ?? (await vscode.window.showQuickPick([...new Set(findings.map(({ finding }) => finding.ruleId))], { placeHolder: 'Fix all findings of which rule?' }));
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
  const chosen = findings
    .filter(({ finding, root }) => finding.ruleId === rule && !finding.suppression && (!where.files || where.files.includes(ctx.fileOf(root, finding.location))))
    .flatMap((located) => located.finding.fixes.filter((fix) => fix.preferred).map((fix) => ({ located, fix })));
  if (chosen.length === 0) {
    void vscode.window.showInformationMessage(`No ${rule} finding ${where.files ? 'in this file ' : ''}has a recommended fix.`);
    return;
  }
  const fixEdits = (await Promise.all(chosen.map(({ located, fix }) => ctx.fixEditsOf(located, fix.id)))).flat();
  const { merged, skipped } = mergeFileEdits(fixEdits);
  // Several files at once go through the refactor preview: the user sees every change before it lands.
  const edit = await toWorkspaceEdit(merged, merged.length > 1 ? { needsConfirmation: true, label: `Fix ${rule}` } : undefined);
  if (await vscode.workspace.applyEdit(edit)) {
    await vscode.workspace.saveAll(false);
    if (skipped > 0) void vscode.window.showWarningMessage(`${skipped} edit(s) overlapped others and were left out; analyse again and repeat.`);
    await ctx.analyzeAll();
  }
};

export const suppressFinding: CommandFactory = (ctx) => async (argument: FindingArgument) => {
  const located = await resolveFinding(ctx, argument);
  if (!located) return;
  const { finding, folder } = located;
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
  const root = folder.uri.fsPath;
  const configFile = path.join(root, '.apim-posture.json');
  const open = vscode.workspace.textDocuments.find((document) => document.uri.fsPath === configFile);
  const text = open?.getText() ?? (fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : undefined);
  // A finding of one root of several (an environment) is suppressed there only.
  await applyAndSave([suppressionEdit(root, text, { rule: finding.ruleId, resource: finding.resource, reason: reason.trim(), expires, service: finding.service })]);
  await ctx.analyzeAll();
};

export const copyFindingAsMarkdown: CommandFactory = (ctx) => async (argument: FindingArgument) => {
  const located = await resolveFinding(ctx, argument);
  if (!located) return;
  await vscode.env.clipboard.writeText(findingToMarkdown(located.finding, located.rule));
  void vscode.window.setStatusBarMessage('APIM Posture: finding copied as Markdown', 3000);
};

/** An operation's key, or the Inventory view's operation node. */
type OperationArgument = string | { operation: ReportOperation } | undefined;

export const showEffectivePolicy: CommandFactory = (ctx) => async (argument?: OperationArgument) => {
  let key = typeof argument === 'string' ? argument : argument?.operation.key;
  if (!key) {
    const picks = (await ctx.reports()).flatMap(({ report }) =>
      report.services.flatMap((service) =>
        service.apis.flatMap((api) =>
          api.operations.map((operation) => ({ label: operation.name, description: `${operation.method ?? ''} ${operation.urlTemplate ?? ''}`.trim(), detail: [service.label, api.name].filter(Boolean).join(': '), key: operation.key })),
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

/** A first goal for a folder without `.apim-posture.json`: the file is then validated and completed from its schema. */
const STARTER_GOALS = `{
  "goals": [
    {
      "id": "all-authenticated",
      "title": "Every operation requires authentication",
      "metric": "authenticated-operations",
      "target": { "min": 1.0 },
      "blocking": true
    }
  ]
}
`;

/** Opens the folder's `.apim-posture.json` at its goals (created with a first goal when there is none), with completion and validation from its schema. */
export const editGoals: CommandFactory = () => async () => {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Edit the posture goals of which folder?' });
  if (!folder) return;
  const file = vscode.Uri.joinPath(folder.uri, CONFIG_FILE_NAME);
  const exists = await vscode.workspace.fs.stat(file).then(
    () => true,
    () => false,
  );
  if (!exists) await vscode.workspace.fs.writeFile(file, Buffer.from(STARTER_GOALS, 'utf8'));
  const document = await vscode.workspace.openTextDocument(file);
  const at = document.getText().indexOf('"goals"');
  const position = document.positionAt(Math.max(0, at));
  await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position) });
};

export const explainRule: CommandFactory = (ctx) => async (ruleId?: string) => {
  const rules = (await ctx.reports())[0]?.report.rules ?? [];
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
    'apimPosture.groupFindingsByPriority': () => tree.setGrouping('priority'),
    'apimPosture.groupFindingsByGoal': () => tree.setGrouping('goal'),
    'apimPosture.filterFindings': async () => {
      const text = await vscode.window.showInputBox({ prompt: 'Show findings whose message, resource, file or rule contains…', value: tree.filterText });
      if (text !== undefined) tree.setFilter(text);
    },
    'apimPosture.clearFindingsFilter': () => tree.setFilter(''),
  };
}
