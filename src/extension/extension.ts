// The VS Code layer: thin adapters from the core (src/core) to the editor.
import * as vscode from 'vscode';
import * as azureCommands from './azure/commands';
import { AZURE_DOCUMENT_SCHEME } from './azure/azureDocuments';
import { FindingCodeActions } from './codeActions';
import { OperationCodeLenses } from './codeLens';
import * as commands from './commands';
import { Ctx } from './ctx';
import { EFFECTIVE_POLICY_SCHEME, EffectivePolicyDocuments } from './effectivePolicyDocument';
import { FindingHovers } from './hover';
import { StatusBar } from './statusBar';
import { DriftTree } from './trees/driftTree';
import { FindingsTree } from './trees/findingsTree';
import { InventoryTree } from './trees/inventoryTree';

/** The files whose changes can change findings. */
const WATCHED = '**/{*.json,*.yaml,*.yml,*.xml,*.bicep,*.tf,*.tfvars,*.graphql,*.wsdl,*.wadl,.apim-posture.json}';
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
  for (const [id, factory] of Object.entries(factories)) context.subscriptions.push(vscode.commands.registerCommand(id, factory(ctx)));
  for (const [id, handler] of Object.entries(commands.findingsTreeCommands(findings))) context.subscriptions.push(vscode.commands.registerCommand(id, handler));

  const watcher = vscode.workspace.createFileSystemWatcher(WATCHED);
  const onFile = (uri: vscode.Uri) => ctx.schedule(uri.fsPath);
  context.subscriptions.push(
    ctx,
    findingsView,
    vscode.window.registerTreeDataProvider('apimPosture.inventory', inventory),
    vscode.window.registerTreeDataProvider('apimPosture.drift', drift),
    vscode.workspace.registerTextDocumentContentProvider(AZURE_DOCUMENT_SCHEME, ctx.azureDocuments),
    vscode.languages.registerCodeActionsProvider(DOCUMENTS, new FindingCodeActions(ctx), FindingCodeActions.metadata),
    vscode.languages.registerHoverProvider(DOCUMENTS, new FindingHovers(ctx)),
    vscode.languages.registerCodeLensProvider(DOCUMENTS, new OperationCodeLenses(ctx)),
    vscode.workspace.registerTextDocumentContentProvider(EFFECTIVE_POLICY_SCHEME, new EffectivePolicyDocuments(ctx)),
    new StatusBar(ctx),
    watcher,
    watcher.onDidCreate(onFile),
    watcher.onDidDelete(onFile),
    watcher.onDidChange(onFile),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document.uri.scheme === 'file' && event.contentChanges.length > 0) ctx.schedule(event.document.uri.fsPath);
    }),
    // Closing an unsaved document reverts the analysis to what is on disk.
    vscode.workspace.onDidCloseTextDocument((document) => document.uri.scheme === 'file' && ctx.schedule(document.uri.fsPath)),
    vscode.workspace.onDidRenameFiles(() => ctx.schedule()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => ctx.schedule()),
    vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('apimPosture') && ctx.schedule()),
  );
  // Menus that act on Azure show only when there is a snapshot of it that a root was compared with.
  context.subscriptions.push(ctx.onDidAnalyze(() => void vscode.commands.executeCommand('setContext', 'apimPosture.hasSnapshot', ctx.folderAnalyses.some((analysis) => analysis.result.deployed?.length))));
  void ctx.analyzeAll();
  return { ctx, inventory, findings, drift };
}

export function deactivate(): void {}
