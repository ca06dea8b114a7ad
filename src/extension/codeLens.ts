// Above each operation in a spec: how calls to it are authenticated (and by what), and what sensitive
// data it carries, and whether Defender saw no traffic for 30 days. Clicking opens the operation's effective policy.
import * as vscode from 'vscode';
import type { ReportAuthentication } from '../core/report/contract';
import type { Ctx } from './ctx';
import { rangeOf } from './diagnostics';

export class OperationCodeLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly ctx: Ctx) {
    ctx.onDidAnalyze(() => this.changed.fire());
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!vscode.workspace.getConfiguration('apimPosture').get<boolean>('codeLens.enabled', true)) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const operation of (await this.ctx.operationsIn(document.uri.fsPath)).operations) {
      if (!operation.specLocation) continue;
      const range = rangeOf(operation.specLocation);
      lenses.push(new vscode.CodeLens(range, { title: authLabel(operation.authentication), tooltip: 'Show the effective policy of this operation', command: 'apimPosture.showEffectivePolicy', arguments: [operation.key] }));
      if (operation.sensitiveTypes.length > 0) lenses.push(new vscode.CodeLens(range, { title: `$(tag) ${operation.sensitiveTypes.join(', ')}${operation.sensitiveInUrl ? ' (in the URL)' : ''}`, command: '' }));
      // Defender's traffic view (from the snapshot of Azure): an endpoint nobody called for 30 days is attack surface only.
      if (operation.unused) lenses.push(new vscode.CodeLens(range, { title: '$(circle-slash) unused for 30 days (Defender for APIs)', tooltip: 'No traffic for 30 days: disable or remove the endpoint if nobody needs it.', command: '' }));
    }
    return lenses;
  }
}

const AUTH_ICONS: Record<ReportAuthentication['state'], string> = { authenticated: '$(lock)', conditional: '$(shield)', unauthenticated: '$(warning)', unknown: '$(question)' };

/** Codicons rather than emoji: they render in every VS Code, web and desktop, with the theme's colours. */
export function authLabel(auth: ReportAuthentication): string {
  const icon = auth.state === 'authenticated' && auth.policies.length === 0 ? '$(key)' : AUTH_ICONS[auth.state];
  return `${icon} ${auth.summary}`;
}
