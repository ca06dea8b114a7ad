// The Drift view: where git and Azure disagree, from the snapshot of Azure. Fixed locally but still
// Unhealthy in Azure (not deployed yet); Unhealthy in Azure but not predicted (a gap in the rules or
// a change made outside git); policies whose text differs (compare, or apply to Azure).
import * as path from 'path';
import * as vscode from 'vscode';
import { displaySafe } from './displaySafe';
import type { DriftKind } from '../../core/azure/drift';
import type { ReportDrift } from '../../core/report/contract';
import type { Ctx, FolderReport } from '../ctx';
import { rangeOf } from '../diagnostics';

type Node = { kind: 'group'; drift: DriftKind; members: { item: ReportDrift; analysis: FolderReport }[] } | { kind: 'item'; item: ReportDrift; analysis: FolderReport };

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

  async getChildren(node?: Node): Promise<Node[]> {
    if (node?.kind === 'group') return node.members.map((member) => ({ kind: 'item', ...member }));
    if (node) return [];
    const members = (await this.ctx.reports()).flatMap((analysis) => analysis.report.drift.map((item) => ({ item, analysis })));
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
    const { item: drift, analysis } = node;
    const file = vscode.Uri.file(this.ctx.fileOf(analysis.report.root, drift.location));
    const item = new vscode.TreeItem(drift.resource, vscode.TreeItemCollapsibleState.None);
    item.description = path.relative(analysis.folder.uri.fsPath, file.fsPath);
    item.tooltip = drift.message;
    item.contextValue = drift.inRepository ? 'drift.policy' : 'drift';
    item.id = `${analysis.folder.uri.toString()}#${drift.service ?? ''}#${drift.kind}#${drift.resource}#${drift.findingId ?? ''}`;
    // The same resource may drift in two roots (environments) of one folder: the id names the root.
    // Compare and Apply are given the policy file: they find its drift in the snapshot themselves.
    item.command = drift.inRepository
      ? { command: 'apimPosture.azure.comparePolicy', title: 'Compare with Azure', arguments: [file] }
      : { command: 'vscode.open', title: 'Open', arguments: [file, { selection: rangeOf(drift.location) } satisfies vscode.TextDocumentShowOptions] };
    return item;
  }
}
