// Smoke test in the real extension host: the extension activates on the sample workspace and
// publishes the scan's findings as diagnostics.
import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'apim-posture.apim-posture';
const SOURCE = 'APIM Posture';

/** A diagnostic's code, plain or with a link to the rule's documentation. */
function codeOf(diagnostic: vscode.Diagnostic): string | number | undefined {
  const code = diagnostic.code;
  return typeof code === 'object' ? code.value : code;
}

async function poll<T>(what: string, probe: () => T | undefined, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function postureDiagnostics(relativePath: string): vscode.Diagnostic[] | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return undefined;
  const target = vscode.Uri.joinPath(folder.uri, ...relativePath.split('/')).toString();
  const found = vscode.languages.getDiagnostics().find(([uri]) => uri.toString() === target);
  const ours = found?.[1].filter((diagnostic) => diagnostic.source === SOURCE) ?? [];
  return ours.length > 0 ? ours : undefined;
}

describe('activation', () => {
  it('activates the extension on the sample workspace', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is not installed in the test instance`);
    await extension.activate();
    assert.strictEqual(extension.isActive, true);
  });

  it('reports the unauthenticated operation track-shipment in apis/orders/specification.yaml', async () => {
    const diagnostics = await poll('APIM Posture diagnostics on apis/orders/specification.yaml', () =>
      postureDiagnostics('apis/orders/specification.yaml'),
    );
    const authentication = diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'endpoint-authentication');
    assert.strictEqual(authentication.length, 1, `expected one endpoint-authentication diagnostic, got: ${JSON.stringify(diagnostics.map((d) => [codeOf(d), d.message]))}`);
    const [finding] = authentication;
    assert.match(finding.message, /track-shipment/);
    assert.strictEqual(finding.severity, vscode.DiagnosticSeverity.Error);
    // The range starts on the `get:` of /orders/{orderId}/shipment (line 87, column 5, 1-based).
    assert.strictEqual(finding.range.start.line, 86);
    assert.strictEqual(finding.range.start.character, 4);
  });
});
