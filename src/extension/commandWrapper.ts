// One wrapper for every command (after vscode-azuretools' callWithTelemetryAndErrorHandling): a
// cancelled command ends silently, a failed one says so once, with its details in the output channel,
// and the status bar shows the failure until the next command succeeds.
import * as vscode from 'vscode';
import { isAbort } from '../core/azure/arm';
import type { Ctx } from './ctx';

export function wrapCommand(ctx: Ctx, title: string, handler: (...args: never[]) => unknown): (...args: never[]) => Promise<unknown> {
  return async (...args) => {
    try {
      const value = await handler(...args);
      ctx.commandSucceeded();
      return value;
    } catch (error) {
      if (isAbort(error) || error instanceof vscode.CancellationError) {
        ctx.output.appendLine(`${title}: cancelled.`);
        return undefined;
      }
      const message = (error as Error).message ?? String(error);
      ctx.output.appendLine(`${title} failed: ${(error as Error).stack ?? message}`);
      ctx.commandFailed(title, message);
      void vscode.window.showErrorMessage(`APIM Posture: ${title} failed: ${message}`, 'Show Output').then((choice) => choice && ctx.output.show());
      return undefined;
    }
  };
}
