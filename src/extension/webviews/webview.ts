// What every webview of the extension shares: a strict Content Security Policy with a fresh nonce,
// the theme's colours, and opening a file named by the page only when it is inside the folder.
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { isInside } from '../../core/workspace/files';
import type { AnalysisReport } from '../../core/report/contract';
import type { Ctx, FolderReport } from '../ctx';

export function nonce(): string {
  return crypto.randomBytes(18).toString('base64');
}

/** No remote content and nothing inline without the nonce: the page shows text from repositories, which may be hostile. */
export function contentSecurityPolicy(webview: vscode.Webview, scriptNonce: string): string {
  return `default-src 'none'; img-src ${webview.cspSource} data:; font-src ${webview.cspSource}; style-src ${webview.cspSource} 'nonce-${scriptNonce}'; script-src 'nonce-${scriptNonce}';`;
}

/** A message a page sends to open a place: `file#line`, the file relative to the folder's root. */
export interface OpenMessage {
  type: 'open';
  target: string;
}

export function isOpenMessage(message: unknown): message is OpenMessage {
  return typeof message === 'object' && message !== null && (message as OpenMessage).type === 'open' && typeof (message as OpenMessage).target === 'string';
}

/** Opens `file#line` below `root`; a target outside it (a crafted page, a hostile report) is refused. */
export async function openTarget(root: string, target: string): Promise<boolean> {
  const match = /^(.*)#(\d+)$/.exec(target);
  const file = vscode.Uri.joinPath(vscode.Uri.file(root), match ? match[1] : target).fsPath;
  if (!isInside(root, file)) return false;
  const line = Math.max(0, Number(match?.[2] ?? 1) - 1);
  await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(line, 0, line, 0), preview: false });
  return true;
}

/** The body of a script that posts `{ type: 'open', target }` when an element with `data-open` is clicked or activated with Enter or Space. */
export const OPEN_SCRIPT = `
const vscode = acquireVsCodeApi();
function open(element) { vscode.postMessage({ type: 'open', target: element.getAttribute('data-open') }); }
document.addEventListener('click', (event) => {
  const element = event.target.closest && event.target.closest('[data-open]');
  if (element) { event.preventDefault(); open(element); }
});
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' && event.key !== ' ') return;
  const element = event.target.closest && event.target.closest('[data-open]');
  if (element) { event.preventDefault(); open(element); }
});
`;

export function openScript(scriptNonce: string): string {
  return `<script nonce="${scriptNonce}">${OPEN_SCRIPT}</script>`;
}

/** The folder a view shows: the only one analysed, else the one the user picks. */
export async function pickFolder(reports: FolderReport[], placeHolder: string): Promise<vscode.WorkspaceFolder | undefined> {
  if (reports.length <= 1) return reports[0]?.folder;
  return (await vscode.window.showQuickPick(reports.map((report) => ({ label: report.folder.name, report })), { placeHolder }))?.report.folder;
}

/**
 * One webview panel showing one folder's report, drawn again after every analysis while it is open;
 * the page's `data-open` items open the code. The views say only how to draw (`render`).
 */
export class LivePanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private folder?: vscode.WorkspaceFolder;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly ctx: Ctx,
    private readonly options: { viewType: string; title: string; localResourceRoots: vscode.Uri[]; enableFindWidget?: boolean; iconPath?: vscode.Uri },
    private readonly render: (panel: vscode.WebviewPanel, report: AnalysisReport, folder: vscode.WorkspaceFolder) => void,
  ) {
    this.subscription = ctx.onDidAnalyze(() => void this.refresh());
  }

  async show(folder: vscode.WorkspaceFolder): Promise<void> {
    this.folder = folder;
    if (!this.panel) {
      const { viewType, title, localResourceRoots, enableFindWidget, iconPath } = this.options;
      this.panel = vscode.window.createWebviewPanel(viewType, title, vscode.ViewColumn.Active, { enableScripts: true, enableFindWidget, localResourceRoots });
      if (iconPath) this.panel.iconPath = iconPath;
      this.panel.onDidDispose(() => (this.panel = undefined));
      this.panel.webview.onDidReceiveMessage((message: unknown) => {
        if (isOpenMessage(message) && this.folder) void openTarget(this.folder.uri.fsPath, message.target);
      });
    }
    this.panel.reveal();
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    const { panel, folder } = this;
    if (!panel || !folder) return;
    const shown = (await this.ctx.reports()).find((candidate) => candidate.folder.uri.toString() === folder.uri.toString());
    if (shown) this.render(panel, shown.report, folder);
  }

  dispose(): void {
    this.subscription.dispose();
    this.panel?.dispose();
  }
}
