// The effective policy of an operation as a read-only virtual XML document, refreshed on each analysis.
import * as vscode from 'vscode';
import { renderEffectivePolicy } from '../core/analysis/renderEffectivePolicy';
import type { Ctx } from './ctx';

export const EFFECTIVE_POLICY_SCHEME = 'apim-posture-effective';

export function effectivePolicyUri(operationId: string): vscode.Uri {
  const name = operationId.split('/').pop() ?? operationId;
  return vscode.Uri.from({ scheme: EFFECTIVE_POLICY_SCHEME, path: `/${name} (effective policy).xml`, query: encodeURIComponent(operationId) });
}

export class EffectivePolicyDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly ctx: Ctx) {
    ctx.onDidAnalyze(() => {
      for (const document of vscode.workspace.textDocuments) if (document.uri.scheme === EFFECTIVE_POLICY_SCHEME) this.changed.fire(document.uri);
    });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const key = decodeURIComponent(uri.query);
    const found = this.ctx.findOperation(key);
    if (!found) return `<!-- ${key} is not in the current analysis. -->\n`;
    const { analysis, service, api, operation } = found;
    const result = analysis.result;
    const auth = result.analyses.auth(api, operation);
    return renderEffectivePolicy(auth.effective, service.root, (file) => result.sourceText(file));
  }
}
