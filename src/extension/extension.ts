// The VS Code layer: thin adapters from the core (src/core) to the editor.
import * as vscode from 'vscode';
import * as azureCommands from './azure/commands';
import { AZURE_DOCUMENT_SCHEME } from './azure/azureDocuments';
import { FindingCodeActions } from './codeActions';
import { OperationCodeLenses } from './codeLens';
import * as commands from './commands';
import { wrapCommand } from './commandWrapper';
import { Ctx } from './ctx';
import { EFFECTIVE_POLICY_SCHEME, EffectivePolicyDocuments } from './effectivePolicyDocument';
import { FindingHovers } from './hover';
import { StatusBar } from './statusBar';
import { DriftTree } from './trees/driftTree';
import { FindingsTree } from './trees/findingsTree';
import { InventoryTree } from './trees/inventoryTree';
import { AttackPathsView } from './webviews/attackPathsView';
import { PostureDashboard } from './webviews/postureDashboard';

const DOCUMENTS: vscode.DocumentSelector = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', language: 'json' },
  { scheme: 'file', language: 'jsonc' },
  { scheme: 'file', language: 'xml' },
  { scheme: 'file', pattern: '**/*.{xml,bicep}' },
];

export interface ApimPostureApi {
  ctx: Ctx;
  inventory: InventoryTree;
  findings: FindingsTree;
  drift: DriftTree;
}

export function activate(context: vscode.ExtensionContext): ApimPostureApi {
  const ctx = new Ctx(context);
  const inventory = new InventoryTree(ctx);
  const findings = new FindingsTree(ctx);
  const drift = new DriftTree(ctx);
  const findingsView = vscode.window.createTreeView('apimPosture.findings', { treeDataProvider: findings, showCollapseAll: true });
  findings.view = findingsView;

  const factories: Record<string, commands.CommandFactory> = {
    'apimPosture.analyze': commands.analyze,
    'apimPosture.showEffectivePolicy': commands.showEffectivePolicy,
    'apimPosture.applyFix': commands.applyFix,
    'apimPosture.applyScopedFix': commands.applyScopedFix,
    'apimPosture.suppressFinding': commands.suppressFinding,
    'apimPosture.copyFindingAsMarkdown': commands.copyFindingAsMarkdown,
    'apimPosture.fixAllOfKind': commands.fixAllOfKind,
    'apimPosture.openSample': commands.openSample,
    'apimPosture.showOutput': commands.showOutput,
    'apimPosture.editGoals': commands.editGoals,
    'apimPosture.explainRule': commands.explainRule,
    'apimPosture.revealFinding': commands.revealFinding,
    'apimPosture.azure.signIn': azureCommands.signIn,
    'apimPosture.azure.selectSubscriptions': azureCommands.selectSubscriptions,
    'apimPosture.azure.load': azureCommands.load,
    'apimPosture.azure.showMappings': azureCommands.showMappings,
    'apimPosture.azure.onboardApi': azureCommands.onboardApi,
    'apimPosture.azure.enableDefenderPlan': azureCommands.enableDefenderPlan,
    'apimPosture.azure.openInPortal': azureCommands.openInPortal,
    'apimPosture.azure.comparePolicy': azureCommands.comparePolicy,
    'apimPosture.azure.apply': azureCommands.applyToAzure,
  };
  // Every command through one wrapper: its title (as the palette shows it) names it when it fails.
  const titles = new Map<string, string>((context.extension.packageJSON as { contributes: { commands: { command: string; title: string }[] } }).contributes.commands.map((entry) => [entry.command, entry.title]));
  const register = (id: string, handler: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, wrapCommand(ctx, titles.get(id) ?? id, handler)));
  for (const [id, factory] of Object.entries(factories)) register(id, factory(ctx));
  for (const [id, handler] of Object.entries(commands.findingsTreeCommands(findings))) register(id, handler);
  const attackPaths = new AttackPathsView(ctx);
  register('apimPosture.showAttackPaths', (target?: Parameters<AttackPathsView['show']>[0]) => attackPaths.show(target));
  const dashboard = new PostureDashboard(ctx);
  register('apimPosture.showDashboard', () => dashboard.show());

  // Edits, saves, file events and folder changes reach the language server through its client; settings through the extension.
  context.subscriptions.push(
    ctx,
    attackPaths,
    dashboard,
    findingsView,
    vscode.window.registerTreeDataProvider('apimPosture.inventory', inventory),
    vscode.window.registerTreeDataProvider('apimPosture.drift', drift),
    vscode.workspace.registerTextDocumentContentProvider(AZURE_DOCUMENT_SCHEME, ctx.azureDocuments),
    vscode.languages.registerCodeActionsProvider(DOCUMENTS, new FindingCodeActions(ctx), FindingCodeActions.metadata),
    vscode.languages.registerHoverProvider(DOCUMENTS, new FindingHovers(ctx)),
    vscode.languages.registerCodeLensProvider(DOCUMENTS, new OperationCodeLenses(ctx)),
    vscode.workspace.registerTextDocumentContentProvider(EFFECTIVE_POLICY_SCHEME, new EffectivePolicyDocuments(ctx)),
    new StatusBar(ctx),
    vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('apimPosture') && void ctx.settingsChanged()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void ctx.settingsChanged()),
  );
  // Menus that act on Azure show only when there is a snapshot of it.
  context.subscriptions.push(ctx.onDidAnalyze(() => void vscode.commands.executeCommand('setContext', 'apimPosture.hasSnapshot', ctx.folderAnalyses.some((analysis) => analysis.summary.snapshot))));
  void ctx.analyzeAll();
  return { ctx, inventory, findings, drift };
}

export function deactivate(): void {}
