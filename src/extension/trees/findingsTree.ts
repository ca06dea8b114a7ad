// Findings, grouped by severity or by Defender recommendation, filterable, with counts. Items reveal
// their location; context actions apply a fix, suppress, or copy the finding as Markdown.
import * as path from 'path';
import * as vscode from 'vscode';
import { displaySafe } from './displaySafe';
import { SEVERITY_ORDER, type Severity } from '../../core/findings';
import { reportedBy } from '../../core/report/common';
import type { ReportFinding } from '../../core/report/contract';
import type { Ctx, LocatedFinding } from '../ctx';
import { rangeOf } from '../diagnostics';

export type Grouping = 'severity' | 'recommendation';

type Node = { kind: 'group'; label: string; key: string; members: LocatedFinding[]; icon: vscode.ThemeIcon } | { kind: 'finding'; located: LocatedFinding };

const SEVERITY_ICONS: Record<Severity, vscode.ThemeIcon> = {
  high: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  medium: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  low: new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground')),
  info: new vscode.ThemeIcon('lightbulb'),
};

export class FindingsTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private grouping: Grouping = 'severity';
  filterText = '';
  view?: vscode.TreeView<Node>;

  constructor(private readonly ctx: Ctx) {
    ctx.onDidAnalyze(() => this.refresh());
    void vscode.commands.executeCommand('setContext', 'apimPosture.findingsGrouping', this.grouping);
  }

  setGrouping(grouping: Grouping): void {
    this.grouping = grouping;
    void vscode.commands.executeCommand('setContext', 'apimPosture.findingsGrouping', grouping);
    this.refresh();
  }

  setFilter(text: string): void {
    this.filterText = text.trim();
    void vscode.commands.executeCommand('setContext', 'apimPosture.findingsFiltered', this.filterText !== '');
    this.refresh();
  }

  /** The badge from the analyses' counts: the findings themselves are fetched only when the view shows them. */
  private refresh(): void {
    this.changed.fire();
    if (!this.view) return;
    const high = this.ctx.folderAnalyses.reduce((total, analysis) => total + analysis.summary.bySeverity.high, 0);
    this.view.badge = high ? { value: high, tooltip: `${high} high-severity findings` } : undefined;
  }

  private async visibleFindings(): Promise<LocatedFinding[]> {
    const needle = this.filterText.toLowerCase();
    const active = (await this.ctx.allFindings()).filter(({ finding }) => !finding.suppression);
    const shown = active.filter(
      ({ finding, folder, root }) =>
        !needle || [finding.message, finding.resource, finding.ruleId, path.relative(folder.uri.fsPath, this.ctx.fileOf(root, finding.location))].some((text) => text.toLowerCase().includes(needle)),
    );
    if (this.view) this.view.message = this.filterText ? `Filtered by "${this.filterText}": ${shown.length} of ${active.length} findings` : undefined;
    return shown;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node?.kind === 'group') return node.members.map((located) => ({ kind: 'finding', located }));
    if (node) return [];
    const findings = await this.visibleFindings();
    if (this.grouping === 'severity') {
      return SEVERITY_ORDER.map((severity) => ({
        kind: 'group' as const,
        key: severity,
        label: severity[0].toUpperCase() + severity.slice(1),
        members: findings.filter(({ finding }) => finding.severity === severity),
        icon: SEVERITY_ICONS[severity],
      })).filter((group) => group.members.length > 0);
    }
    const groups = new Map<string, LocatedFinding[]>();
    for (const located of findings) {
      const rule = located.rule;
      const label = rule?.defender?.displayName ?? rule?.title ?? located.finding.ruleId;
      groups.set(label, [...(groups.get(label) ?? []), located]);
    }
    return [...groups]
      .sort((a, b) => SEVERITY_ORDER.indexOf(worst(a[1])) - SEVERITY_ORDER.indexOf(worst(b[1])) || a[0].localeCompare(b[0]))
      .map(([label, members]) => ({ kind: 'group', key: label, label, members, icon: SEVERITY_ICONS[worst(members)] }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return displaySafe(this.itemOf(node));
  }

  private itemOf(node: Node): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.label, node.key === 'info' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
      item.description = String(node.members.length);
      item.iconPath = node.icon;
      item.id = `group:${this.grouping}:${node.key}`;
      return item;
    }
    const { finding, folder, root } = node.located;
    const item = new vscode.TreeItem(findingTitle(finding), vscode.TreeItemCollapsibleState.None);
    const file = this.ctx.fileOf(root, finding.location);
    item.description = `${finding.resource} · ${path.relative(folder.uri.fsPath, file)}:${finding.location.startLine}`;
    item.tooltip = new vscode.MarkdownString().appendText(finding.message).appendMarkdown(`\n\n\`${finding.ruleId}\` · ${finding.severity}${reportedBy(finding)}`);
    item.iconPath = SEVERITY_ICONS[finding.severity];
    item.contextValue = finding.fixes.length > 0 ? 'finding.fixable' : 'finding';
    item.id = `${folder.uri.toString()}#${finding.id}`;
    item.command = {
      command: 'vscode.open',
      title: 'Reveal',
      arguments: [vscode.Uri.file(file), { selection: rangeOf(finding.location) } satisfies vscode.TextDocumentShowOptions],
    };
    return item;
  }
}

function worst(members: LocatedFinding[]): Severity {
  return SEVERITY_ORDER.find((severity) => members.some(({ finding }) => finding.severity === severity)) ?? 'info';
}

/** A finding's message, cut to what a tree row shows. */
function findingTitle(finding: ReportFinding): string {
  return finding.message.length > 120 ? finding.message.slice(0, 117) + '…' : finding.message;
}
