// Above each operation in a spec: how calls to it are authenticated (and by what), and what sensitive
// data it carries, and whether Defender saw no traffic for 30 days. Clicking opens the operation's effective policy.
import * as vscode from 'vscode';
import type { OperationAuth } from '../core/analysis/authentication';
import { operationKey, type Ctx } from './ctx';
import { rangeOf } from './diagnostics';

export class OperationCodeLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly ctx: Ctx) {
    ctx.onDidAnalyze(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration('apimPosture').get<boolean>('codeLens.enabled', true)) return [];
    const analysis = this.ctx.analysisOf(document.uri.fsPath);
    if (!analysis) return [];
    const result = analysis.result;
    const lenses: vscode.CodeLens[] = [];
    for (const service of result.services) {
      const inactive = new Set(service.deployment?.inactiveOperations ?? []);
      for (const api of service.apis) {
        for (const operation of api.operations) {
          if (operation.specOperation?.location.file !== document.uri.fsPath) continue;
          const range = rangeOf(result, operation.specOperation.location);
          const auth = result.analyses.auth(api, operation);
          lenses.push(new vscode.CodeLens(range, { title: authLabel(auth), tooltip: 'Show the effective policy of this operation', command: 'apimPosture.showEffectivePolicy', arguments: [operationKey(result, service, operation)] }));
          const exposure = result.analyses.exposure(operation);
          const types = [...new Set([...exposure.inUrl, ...exposure.inBodies].flatMap((entry) => entry.classifications.map((classification) => classification.type.displayName)))];
          if (types.length > 0) lenses.push(new vscode.CodeLens(range, { title: `$(tag) ${types.join(', ')}${exposure.inUrl.length > 0 ? ' (in the URL)' : ''}`, command: '' }));
          // Defender's traffic view (from the snapshot of Azure): an endpoint nobody called for 30 days is attack surface only.
          if (inactive.has(operation.id)) lenses.push(new vscode.CodeLens(range, { title: '$(circle-slash) unused for 30 days (Defender for APIs)', tooltip: 'No traffic for 30 days: disable or remove the endpoint if nobody needs it.', command: '' }));
        }
      }
    }
    return lenses;
  }
}

/** Codicons rather than emoji: they render in every VS Code, web and desktop, with the theme's colours. */
export function authLabel(auth: OperationAuth): string {
  if (auth.state === 'conditional') return `$(shield) conditional: ${[...new Set(auth.policies.map((use) => use.policy))].join(', ')} inside <choose>`;
  if (auth.state === 'unauthenticated') return '$(warning) unauthenticated';
  if (auth.state === 'unknown') return `$(question) not known: the ${auth.unreadPolicies.map((entry) => entry.scope).join(', ')} policy was not read`;
  const policy = auth.policies.find((use) => !use.conditional);
  if (policy) return `$(lock) ${policy.policy} (${policy.statement.scope.kind} scope${policy.statement.viaFragments.length ? `, fragment ${policy.statement.viaFragments.join(' → ')}` : ''})`;
  return '$(key) subscription key required';
}
