// The status bar shows the workspace's posture at a glance and opens the Findings view.
import * as vscode from 'vscode';
import { oneLine, wellFormed } from '../core/report/common';
import type { Severity } from '../core/findings';
import type { Ctx } from './ctx';
import type { AnalysisSummary } from '../server/protocol';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('apimPosture.status', vscode.StatusBarAlignment.Left, 50);

  private failure?: { title: string; message: string };

  constructor(private readonly ctx: Ctx) {
    this.item.name = 'APIM Posture';
    ctx.onDidChangeCommandFailure((failure) => {
      this.failure = failure;
      this.render();
    });
    ctx.onDidAnalyze(() => this.render());
  }

  /** The posture at a glance; a failed command shows instead, until a command succeeds. */
  private render(): void {
    const ctx = this.ctx;
    if (this.failure) {
      this.item.text = '$(error) APIM Posture';
      this.item.tooltip = `${oneLine(wellFormed(this.failure.title))} failed: ${oneLine(wellFormed(this.failure.message))}\nClick to show the output.`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      this.item.command = 'apimPosture.showOutput';
      this.item.show();
      return;
    }
    this.item.command = 'apimPosture.findings.focus';
    const summaries = ctx.folderAnalyses.map((analysis) => analysis.summary);
    const count = (severity: Severity) => summaries.reduce((total, summary) => total + summary.bySeverity[severity], 0);
    const high = count('high');
    const medium = count('medium');
    this.item.text = `$(shield) ${high} $(warning) ${medium}`;
    const observed = summaries.reduce((total, summary) => total + summary.observed, 0);
    // How old what Defender said is: a snapshot of last month is not today's Azure.
    const snapshots = summaries.flatMap((summary) => (summary.snapshot ? [summary.snapshot.createdAt] : []));
    const azure = snapshots.length ? `\n${observed} of them reported by Defender for APIs, in a snapshot of Azure taken ${age(snapshots.sort()[0])}.` : '\nNo snapshot of Azure: run "Load from Azure" to see what Defender for APIs reports.';
    // A stale or partial snapshot says so here too (its first notice, when it was taken, is the line above).
    const snapshotWarnings = summaries.flatMap((summary) => summary.snapshot?.notices.slice(1) ?? []).map((line) => oneLine(wellFormed(line)));
    // What was not read, so that few findings never pass for a clean bill when little was looked at.
    const coverage = ctx.folderAnalyses
      .flatMap((analysis) => [...(ctx.folderAnalyses.length > 1 ? [`${analysis.folder.name}:`] : []), ...analysis.summary.coverage])
      .map((line) => oneLine(wellFormed(line)));
    this.item.tooltip = [`APIM Posture: ${high} high, ${medium} medium, ${count('low')} low findings.${azure}`, ...goalLines(summaries), ...snapshotWarnings, ...coverage, 'Click to show them.'].join('\n');
    this.item.backgroundColor = high ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** `Goals: 3 of 5 met.` then each goal not met (blocking ones first), a few at most. */
function goalLines(summaries: AnalysisSummary[]): string[] {
  const measured = summaries.flatMap((summary) => (summary.goals ? [summary.goals] : []));
  if (measured.length === 0) return [];
  const met = measured.reduce((total, goals) => total + goals.met, 0);
  const total = measured.reduce((total, goals) => total + goals.total, 0);
  const notMet = measured.flatMap((goals) => goals.notMet).sort((a, b) => Number(b.blocking) - Number(a.blocking));
  const shown = notMet.slice(0, MAX_GOALS_SHOWN).map((goal) => `  ${goal.status === 'not-met' ? '✗' : '?'} ${oneLine(wellFormed(goal.title))}${goal.blocking ? ' (blocking)' : ''}${goal.status === 'not-evaluated' ? ' (not evaluated)' : ''}`);
  return [`Goals: ${met} of ${total} met.`, ...shown, ...(notMet.length > MAX_GOALS_SHOWN ? [`  and ${notMet.length - MAX_GOALS_SHOWN} more`] : [])];
}

const MAX_GOALS_SHOWN = 5;

/** `5 minutes ago`, `3 hours ago`, `12 days ago`. */
function age(isoTime: string): string {
  const minutes = Math.max(0, Math.round((Date.now() - Date.parse(isoTime)) / 60_000));
  if (!Number.isFinite(minutes)) return `at ${isoTime}`;
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  return `${Math.round(hours / 24)} days ago`;
}
