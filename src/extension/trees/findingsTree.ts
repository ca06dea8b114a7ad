// Findings, grouped by severity, by Defender recommendation, by goal not met or by priority (the top ones first, in
// "Fix first"), filterable, with counts. Items reveal
// their location; context actions apply a fix, suppress, or copy the finding as Markdown.
import * as path from 'path';
import * as vscode from 'vscode';
import { displaySafe } from './displaySafe';
import { SEVERITY_ORDER, type Severity } from '../../core/findings';
import { reportedBy } from '../../core/report/common';
import type { ReportFinding } from '../../core/report/contract';
import { concernsGoal } from '../../core/report/goals';
import type { Ctx, FolderReport, LocatedFinding } from '../ctx';
import { rangeOf } from '../diagnostics';

export type Grouping = 'severity' | 'recommendation' | 'priority' | 'goal';

/** How many findings "Fix first" holds: the highest priorities, one screen's worth. */
export const FIX_FIRST = 10;

/** The priority bands below "Fix first", by lowest score. */
const PRIORITY_BANDS = [
  { key: 'priority-high', label: 'Priority 50–100', min: 50 },
  { key: 'priority-medium', label: 'Priority 20–49', min: 20 },
  { key: 'priority-low', label: 'Priority 0–19', min: 0 },
];

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
    if (this.grouping === 'priority') return priorityGroups(findings);
    if (this.grouping === 'goal') return goalGroups(await this.ctx.reports(), findings);
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
    const score = finding.priority ? `${finding.priority.score} · ` : '';
    item.description = `${this.grouping === 'priority' ? score : ''}${finding.resource} · ${path.relative(folder.uri.fsPath, file)}:${finding.location.startLine}`;
    item.tooltip = new vscode.MarkdownString().appendText(finding.message).appendMarkdown(`\n\n\`${finding.ruleId}\` · ${finding.severity}${finding.priority ? ` · priority ${finding.priority.score}` : ''}${reportedBy(finding)}`);
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

/**
 * One group per goal not met, blocking ones first, holding the findings on what keeps it from being
 * met; a goal whose violations carry no finding (a share of operations) shows with none.
 */
function goalGroups(reports: FolderReport[], findings: LocatedFinding[]): Node[] {
  const groups: Node[] = [];
  for (const { folder, report } of reports) {
    const ofFolder = findings.filter((located) => located.folder.uri.toString() === folder.uri.toString());
    const goals = (report.goals ?? []).filter((goal) => goal.status !== 'met').sort((a, b) => Number(b.blocking) - Number(a.blocking));
    for (const goal of goals) {
      const members = ofFolder.filter(({ finding }) => concernsGoal(goal, finding));
      const prefix = reports.length > 1 ? `${folder.name}: ` : '';
      const status = goal.status === 'not-met' ? 'not met' : 'not evaluated';
      groups.push({
        kind: 'group',
        key: `${folder.uri.toString()}#${goal.id}`,
        label: `${prefix}${goal.title}${goal.blocking ? ' (blocking)' : ''}: ${status}`,
        members,
        icon: new vscode.ThemeIcon('target', new vscode.ThemeColor(goal.status === 'not-met' ? 'problemsErrorIcon.foreground' : 'problemsWarningIcon.foreground')),
      });
    }
  }
  return groups;
}

/** "Fix first" (the highest priorities), then the rest in bands of score, each highest first. */
function priorityGroups(findings: LocatedFinding[]): Node[] {
  const score = ({ finding }: LocatedFinding) => finding.priority?.score ?? 0;
  const sorted = [...findings].sort((a, b) => score(b) - score(a));
  const first = sorted.slice(0, FIX_FIRST).filter((located) => score(located) > 0);
  const rest = sorted.slice(first.length);
  const groups: Node[] = [];
  if (first.length > 0) groups.push({ kind: 'group', key: 'fix-first', label: 'Fix first', members: first, icon: new vscode.ThemeIcon('flame', new vscode.ThemeColor('problemsErrorIcon.foreground')) });
  PRIORITY_BANDS.forEach((band, index) => {
    const members = rest.filter((located) => score(located) >= band.min && (index === 0 || score(located) < PRIORITY_BANDS[index - 1].min));
    if (members.length > 0) groups.push({ kind: 'group', key: band.key, label: band.label, members, icon: SEVERITY_ICONS[worst(members)] });
  });
  return groups;
}

function worst(members: LocatedFinding[]): Severity {
  return SEVERITY_ORDER.find((severity) => members.some(({ finding }) => finding.severity === severity)) ?? 'info';
}

/** A finding's message, cut to what a tree row shows. */
function findingTitle(finding: ReportFinding): string {
  return finding.message.length > 120 ? finding.message.slice(0, 117) + '…' : finding.message;
}
