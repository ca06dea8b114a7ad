// The status bar shows the workspace's posture at a glance and opens the Findings view.
import * as vscode from 'vscode';
import type { Ctx } from './ctx';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('apimPosture.status', vscode.StatusBarAlignment.Left, 50);

  constructor(ctx: Ctx) {
    this.item.name = 'APIM Posture';
    this.item.command = 'apimPosture.findings.focus';
    ctx.onDidAnalyze(() => {
      const active = ctx.allFindings().filter(({ finding }) => !finding.suppression);
      const count = (severity: string) => active.filter(({ finding }) => finding.severity === severity).length;
      const high = count('high');
      const medium = count('medium');
      this.item.text = `$(shield) ${high} $(warning) ${medium}`;
      this.item.tooltip = `APIM Posture: ${high} high, ${medium} medium, ${count('low')} low findings. Click to show them.`;
      this.item.backgroundColor = high ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      this.item.show();
    });
  }

  dispose(): void {
    this.item.dispose();
  }
}
