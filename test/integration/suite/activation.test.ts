// Smoke test in the real extension host: the extension activates on the sample workspace and
// publishes the scan's findings as diagnostics.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { EXTENSION_ID, poll, postureDiagnostics } from './helpers';

describe('activation', () => {
  it('activates the extension on the sample workspace', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is not installed in the test instance`);
    await extension.activate();
    assert.strictEqual(extension.isActive, true);
  });

  it('reports the unauthenticated operation track-shipment in apis/orders/specification.yaml', async () => {
    const diagnostics = await poll('APIM Posture diagnostics on apis/orders/specification.yaml', () => {
      const found = postureDiagnostics('apis/orders/specification.yaml', 'endpoint-authentication');
      return found.length > 0 ? found : undefined;
    }, 45_000);
    assert.strictEqual(diagnostics.length, 1, `expected one endpoint-authentication diagnostic, got: ${JSON.stringify(diagnostics.map((d) => d.message))}`);
    const [finding] = diagnostics;
    assert.match(finding.message, /track-shipment/);
    assert.strictEqual(finding.severity, vscode.DiagnosticSeverity.Error);
    // The range starts on the `get:` of /orders/{orderId}/shipment (line 87, column 5, 1-based).
    assert.strictEqual(finding.range.start.line, 86);
    assert.strictEqual(finding.range.start.character, 4);
  });
});
