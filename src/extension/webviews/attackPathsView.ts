// The attack path view: Internet → gateway → APIs and operations → backends, for one API or a whole
// service, with the findings on each step and Defender's observed paths over the predicted ones. A
// webview from the inventory's and the findings' context menus; it follows the analysis while open.
import * as vscode from 'vscode';
import { attackGraph, type AttackGraph, type GraphScope } from '../../core/paths/attackGraph';
import { ATTACK_GRAPH_CSS, renderAttackGraphSvg } from '../../core/paths/renderGraph';
import type { AnalysisReport } from '../../core/report/contract';
import { escapeHtml as escapeText, oneLine } from '../../core/report/common';
import type { Ctx, FolderReport } from '../ctx';
import { contentSecurityPolicy, LivePanel, nonce, openScript, pickFolder } from './webview';

/** Text from files in the page: on one line, escaped. */
const escapeHtml = (text: string) => escapeText(oneLine(text));

/** What the command is given: an inventory node (service, API, operation), a finding node, a finding id, or nothing (the whole service). */
type Target =
  | { analysis?: FolderReport; service?: { label?: string }; api?: { id: string }; kind?: string; located?: { finding: { resource: string; service?: string }; folder: vscode.WorkspaceFolder } }
  | undefined;

export class AttackPathsView implements vscode.Disposable {
  private scope: GraphScope = {};
  private readonly panel: LivePanel;

  constructor(private readonly ctx: Ctx) {
    this.panel = new LivePanel(ctx, { viewType: 'apimPosture.attackPaths', title: 'Attack paths', localResourceRoots: [] }, (panel, report) => {
      const graph = attackGraph(report, this.scope);
      panel.title = this.scope.api ? `Attack paths: ${this.scope.api.slice('apis/'.length)}` : 'Attack paths';
      panel.webview.html = attackPathsHtml(panel.webview, graph, report);
    });
  }

  async show(target: Target): Promise<void> {
    const folder = target?.analysis?.folder ?? target?.located?.folder ?? (await pickFolder(await this.ctx.reports(), 'The attack paths of which folder?'));
    if (!folder) return;
    const resource = target?.api?.id ?? target?.located?.finding.resource;
    const api = resource?.startsWith('apis/') ? resource.split('/').slice(0, 2).join('/') : undefined;
    this.scope = { service: target?.service?.label ?? target?.located?.finding.service, api };
    await this.panel.show(folder);
  }

  dispose(): void {
    this.panel.dispose();
  }
}

const THEME = `
:root {
  --graph-font: var(--vscode-font-family);
  --graph-node: var(--vscode-editorWidget-background);
  --graph-border: var(--vscode-editorWidget-border, var(--vscode-panel-border));
  --graph-text: var(--vscode-editor-foreground);
  --graph-muted: var(--vscode-descriptionForeground);
  --graph-open: var(--vscode-problemsErrorIcon-foreground, var(--vscode-errorForeground));
  --graph-warn: var(--vscode-problemsWarningIcon-foreground);
  --graph-safe: var(--vscode-testing-iconPassed);
  --graph-observed: var(--vscode-charts-purple);
  --graph-focus: var(--vscode-focusBorder);
  --graph-badge-text: var(--vscode-editor-background);
}
body { color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 16px 24px; }
h1 { font-size: 1.4em; font-weight: 600; }
h2 { font-size: 1.1em; font-weight: 600; margin-top: 1.5em; }
.legend { display: flex; gap: 16px; flex-wrap: wrap; color: var(--vscode-descriptionForeground); margin-bottom: 8px; }
.legend span::before { content: ''; display: inline-block; width: 22px; height: 0; margin-right: 6px; vertical-align: middle; border-top: 3px solid var(--swatch); }
.legend .open { --swatch: var(--graph-open); }
.legend .warn { --swatch: var(--graph-warn); }
.legend .safe { --swatch: var(--graph-safe); }
.legend .observed::before { border-top-style: dashed; --swatch: var(--graph-observed); }
.graph { overflow-x: auto; }
/* Shrunk to fit down to a readable size, scrolled sideways below it. */
.graph .attack-graph { min-width: 900px; }
li { margin: 4px 0; }
.muted { color: var(--vscode-descriptionForeground); }
`;

/** The page: the graph, then the same in words (ways in without authentication, Defender's paths) and what it assumes. */
export function attackPathsHtml(webview: vscode.Webview, graph: AttackGraph, report: AnalysisReport): string {
  const scriptNonce = nonce();
  const observed = graph.observed.map((path) => {
    const steps = path.nodes.map((id) => graph.nodes.find((node) => node.id === id)?.label ?? id).join(' → ');
    return `<li><strong>${escapeHtml(path.riskLevel ?? 'Risk not given')}</strong> · ${escapeHtml(path.title)}<br><span class="muted">${escapeHtml(steps)}${path.riskFactors.length > 0 ? ` · ${escapeHtml(path.riskFactors.join(', '))}` : ''}</span></li>`;
  });
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview, scriptNonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${scriptNonce}">${THEME}${ATTACK_GRAPH_CSS}</style>
<title>${escapeHtml(graph.title)}</title>
</head>
<body>
<main>
<h1>${escapeHtml(graph.title)}</h1>
<p class="legend" aria-label="Legend"><span class="open">no authentication</span><span class="warn">conditional or unknown</span><span class="safe">authenticated on the call</span><span class="observed">Defender's attack path</span></p>
<div class="graph">${renderAttackGraphSvg(graph, { interactive: true })}</div>
<h2>Ways in without authentication (${graph.openPaths.length})</h2>
${graph.openPaths.length > 0 ? `<ul>${graph.openPaths.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>` : '<p>None predicted: every operation needs a subscription key or authenticates the call.</p>'}
<h2>Defender's attack paths (${graph.observed.length})</h2>
${observed.length > 0 ? `<ul>${observed.join('')}</ul>` : `<p>${report.attackPaths ? 'Defender reports none through this service.' : 'Not known: load a snapshot of Azure (APIM Posture: Load from Azure) to see them.'}</p>`}
<h2>Assumed and left out</h2>
<ul>${graph.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>
</main>
${openScript(scriptNonce)}
</body>
</html>`;
}
