// Read-only documents of what Azure has (a deployed policy, the base or the remote side of a
// conflict), for diffs against the local files. Nothing here is written to disk.
import * as vscode from 'vscode';

export const AZURE_DOCUMENT_SCHEME = 'apim-posture-azure';

export class AzureDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  /** A document showing `text`, named `name` (`orders/policy.xml (Azure)`); the same name shows the latest text. */
  show(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: AZURE_DOCUMENT_SCHEME, path: `/${name}` });
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
}
