// The Drift view: where git and Azure disagree, from the snapshot of Azure. Fixed locally but still
// Unhealthy in Azure (not deployed yet); Unhealthy in Azure but not predicted (a gap in the rules or
// a change made outside git); policies whose text differs (compare, or apply to Azure).
import * as path from 'path';
import * as vscode from 'vscode';
import { displaySafe } from './displaySafe';
import type { DriftItem, DriftKind } from '../../core/azure/drift';
import type { Ctx, FolderAnalysis } from '../ctx';
import { rangeOf } from '../diagnostics';

/** A drift item, of the root (`root`) whose comparison with Azure showed it. */
type Member = { item: DriftItem; analysis: FolderAnalysis; root: string };
type Node = { kind: 'group'; drift: DriftKind; members: Member[] } | ({ kind: 'item' } & Member);

const GROUPS: Record<DriftKind, { label: string; icon: string; tooltip: string }> = {
  'not-deployed': { label: 'Fixed locally, not deployed', icon: 'cloud-upload', tooltip: 'Defender still reports these in Azure, but the repository no longer has the problem: deploy the change.' },
  'awaiting-evaluation': { label: 'Pushed, awaiting Defender', icon: 'watch', tooltip: 'Pushed to Azure from here after Defender assessed it: the next assessment should clear these.' },
  'not-predicted': { label: 'Unhealthy in Azure, not predicted', icon: 'question', tooltip: 'Defender reports these, but the files do not predict them: a gap in the local rules, or a change made outside git.' },
  'policy-differs': { label: 'Policy differs from Azure', icon: 'diff', tooltip: 'The policy in the repository is not the deployed one.' },
};

export class DriftTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly ctx: Ctx) {
    ctx.onDidAnalyze(() => this.changed.fire(undefined));
  }

  getChildren(node?: Node): Node[] {
    if (node?.kind === 'group') return node.members.map((member) => ({ kind: 'item', ...member }));
    if (node) return [];
    const members = this.ctx.folderAnalyses.flatMap((analysis) =>
      (analysis.result.deployed ?? []).flatMap((comparison) => comparison.drift.map((item) => ({ item, analysis, root: comparison.local.root }))),
    );
    return (Object.keys(GROUPS) as DriftKind[])
      .map((drift) => ({ kind: 'group' as const, drift, members: members.filter((member) => member.item.kind === drift) }))
      .filter((group) => group.members.length > 0);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return displaySafe(this.itemOf(node));
  }

  private itemOf(node: Node): vscode.TreeItem {
    if (node.kind === 'group') {
      const group = GROUPS[node.drift];
      const item = new vscode.TreeItem(group.label, vscode.TreeItemCollapsibleState.Expanded);
      item.description = String(node.members.length);
      item.iconPath = new vscode.ThemeIcon(group.icon);
      item.tooltip = group.tooltip;
      item.id = `drift:${node.drift}`;
      return item;
    }
    const { item: drift, analysis, root } = node;
    const item = new vscode.TreeItem(drift.resource, vscode.TreeItemCollapsibleState.None);
    item.description = path.relative(analysis.folder.uri.fsPath, drift.location.file);
    item.tooltip = drift.message;
    item.contextValue = drift.kind === 'policy-differs' && drift.local !== undefined ? 'drift.policy' : 'drift';
    // The same resource may drift in two roots (environments) of one folder.
    item.id = `${analysis.folder.uri.toString()}#${root}#${drift.kind}#${drift.resource}#${drift.findingId ?? ''}`;
    item.command =
      drift.kind === 'policy-differs' && drift.local !== undefined
        ? { command: 'apimPosture.azure.comparePolicy', title: 'Compare with Azure', arguments: [{ item: drift }] }
        : { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(drift.location.file), { selection: rangeOf(analysis.result, drift.location) } satisfies vscode.TextDocumentShowOptions] };
    return item;
  }
}
