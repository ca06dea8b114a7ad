// The effective policy of an operation as a read-only virtual XML document, rendered by the server and
// refreshed on each analysis.
import * as vscode from 'vscode';
import type { Ctx } from './ctx';

export const EFFECTIVE_POLICY_SCHEME = 'apim-posture-effective';

export function effectivePolicyUri(operationKey: string): vscode.Uri {
  const name = operationKey.split('/').pop() ?? operationKey;
  return vscode.Uri.from({ scheme: EFFECTIVE_POLICY_SCHEME, path: `/${name} (effective policy).xml`, query: encodeURIComponent(operationKey) });
}

export class EffectivePolicyDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly ctx: Ctx) {
    ctx.onDidAnalyze(() => {
      for (const document of vscode.workspace.textDocuments) if (document.uri.scheme === EFFECTIVE_POLICY_SCHEME) this.changed.fire(document.uri);
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const key = decodeURIComponent(uri.query);
    return (await this.ctx.effectivePolicy(key)) ?? `<!-- ${key} is not in the current analysis. -->\n`;
  }
}
