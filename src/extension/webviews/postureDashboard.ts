// The Posture dashboard: the HTML report's content (goals, coverage, exposure × sensitivity, trend,
// fix first, every finding) in a webview that follows the analysis, whose items open the code.
import * as vscode from 'vscode';
import { formatHtml } from '../../core/report/html';
import type { Ctx } from '../ctx';
import { LivePanel, nonce, OPEN_SCRIPT, pickFolder } from './webview';

export class PostureDashboard implements vscode.Disposable {
  private readonly panel: LivePanel;

  constructor(private readonly ctx: Ctx) {
    // VS Code's icon font, copied into dist/ by the build (esbuild.js).
    const codiconsFolder = vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'codicons');
    this.panel = new LivePanel(
      ctx,
      { viewType: 'apimPosture.dashboard', title: 'Posture', localResourceRoots: [codiconsFolder], enableFindWidget: true, iconPath: vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'icon.png') },
      (panel, report, folder) => {
        panel.title = `Posture: ${folder.name}`;
        const codicons = panel.webview.asWebviewUri(vscode.Uri.joinPath(codiconsFolder, 'codicon.css')).toString();
        panel.webview.html = formatHtml(report, { mode: 'webview', nonce: nonce(), cspSource: panel.webview.cspSource, script: OPEN_SCRIPT, codicons });
      },
    );
  }

  async show(): Promise<void> {
    const folder = await pickFolder(await this.ctx.reports(), 'The posture of which folder?');
    if (!folder) {
      void vscode.window.showInformationMessage('APIM Posture has not analysed a folder yet: open a repository with APIM files, or the sample.');
      return;
    }
    await this.panel.show(folder);
  }

  dispose(): void {
    this.panel.dispose();
  }
}
