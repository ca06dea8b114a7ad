// The Posture dashboard: the HTML report's content (goals, coverage, exposure × sensitivity, trend,
// fix first, every finding) in a webview that follows the analysis, whose items open the code.
import * as vscode from 'vscode';
import { formatHtml } from '../../core/report/html';
import type { Ctx } from '../ctx';
import { isOpenMessage, nonce, OPEN_SCRIPT, openTarget, pickFolder } from './webview';

export class PostureDashboard implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private folder?: vscode.WorkspaceFolder;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly ctx: Ctx) {
    this.subscription = ctx.onDidAnalyze(() => void this.refresh());
  }

  async show(): Promise<void> {
    const reports = await this.ctx.reports();
    this.folder = await pickFolder(reports, 'The posture of which folder?');
    if (!this.folder) {
      void vscode.window.showInformationMessage('APIM Posture has not analysed a folder yet: open a repository with APIM files, or the sample.');
      return;
    }
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('apimPosture.dashboard', 'Posture', vscode.ViewColumn.Active, { enableScripts: true, enableFindWidget: true, localResourceRoots: [this.codiconsFolder()] });
      this.panel.iconPath = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'media', 'icon.png');
      this.panel.onDidDispose(() => (this.panel = undefined));
      this.panel.webview.onDidReceiveMessage((message: unknown) => {
        if (isOpenMessage(message) && this.folder) void openTarget(this.folder.uri.fsPath, message.target);
      });
    }
    this.panel.reveal();
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    if (!this.panel || !this.folder) return;
    const shown = (await this.ctx.reports()).find((candidate) => candidate.folder.uri.toString() === this.folder!.uri.toString());
    if (!shown) return;
    this.panel.title = `Posture: ${this.folder.name}`;
    const codicons = this.panel.webview.asWebviewUri(vscode.Uri.joinPath(this.codiconsFolder(), 'codicon.css')).toString();
    this.panel.webview.html = formatHtml(shown.report, { mode: 'webview', nonce: nonce(), cspSource: this.panel.webview.cspSource, script: OPEN_SCRIPT, codicons });
  }

  /** VS Code's icon font, copied into dist/ by the build (esbuild.js). */
  private codiconsFolder(): vscode.Uri {
    return vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'codicons');
  }

  dispose(): void {
    this.subscription.dispose();
    this.panel?.dispose();
  }
}
