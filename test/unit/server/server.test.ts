// The language server as any LSP client sees it (a process of its own, spoken to over stdio, as
// Neovim's built-in client does): diagnostics on the sample, unsaved text winning over the disk, the
// file index kept by file events rather than re-read, and a burst of edits analysed once for the last.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { AnalysisReport } from '../../../src/core/report/contract';
import { startServer, type LspSession } from './lspClient';

const SAMPLES = path.join(__dirname, '..', '..', '..', 'samples');

/** An LSP message as the base protocol frames it. */
const frame = (message: unknown) => {
  const body = JSON.stringify(message);
  return `Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`;
};

describe('language server', function () {
  this.timeout(120_000);
  let folder: string;
  let session: LspSession;
  const uriOf = (relative: string) => pathToFileURL(path.join(folder, relative)).toString();
  // Predicted findings only: the sample's snapshot of Azure adds Defender's own (source "Defender for APIs").
  const predicted = (relative: string, code: string) => (session.diagnostics.get(uriOf(relative)) ?? []).filter((diagnostic) => diagnostic.code === code && diagnostic.source === 'APIM Posture');
  const messages = (relative: string, code: string) => predicted(relative, code).map((diagnostic) => diagnostic.message);
  const analyzed = () => session.notifications.filter((notification) => notification.method === 'apimPosture/analyzed').length;

  before(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-lsp-'));
    fs.cpSync(SAMPLES, folder, { recursive: true });
    session = await startServer(folder, { analysisDelayMs: 50 });
    await session.connection.sendRequest('apimPosture/analyze');
  });

  after(async () => {
    await session.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('publishes the findings as diagnostics: track-shipment is unauthenticated at its operation in the spec', () => {
    // apis/orders: subscriptionRequired false; track-shipment's policy has no <base /> in inbound, so the API's validate-jwt does not run.
    const diagnostics = predicted('apis/orders/specification.yaml', 'endpoint-authentication');
    assert.deepStrictEqual(
      diagnostics.map((diagnostic) => [diagnostic.range.start.line, diagnostic.severity]),
      [[86, 1]],
    );
    assert.match(diagnostics[0].message, /track-shipment/);
  });

  it('answers the report (the plain-data contract) and an operation\'s effective policy', async () => {
    const answer = (await session.connection.sendRequest('apimPosture/report', { folder: pathToFileURL(folder).toString() })) as { version: number; report: AnalysisReport };
    assert.strictEqual(answer.report.root, folder);
    const orders = answer.report.services[0].apis.find((api) => api.name === 'orders');
    assert.strictEqual(orders?.operations.find((operation) => operation.name === 'get-order')?.authentication.summary, 'validate-jwt (api scope)');
    const policy = (await session.connection.sendRequest('apimPosture/effectivePolicy', { operation: 'apis/orders/operations/get-order' })) as string;
    assert.match(policy, /<validate-jwt header-name="Authorization"/);
    assert.match(policy, /api scope, apis\/orders\/policy\.xml/);
  });

  it('counts the active findings of a rule that have a recommended fix, as the report lists them', async () => {
    const answer = (await session.connection.sendRequest('apimPosture/report', { folder: pathToFileURL(folder).toString() })) as { report: AnalysisReport };
    const fixable = answer.report.findings.filter((finding) => finding.ruleId === 'endpoint-authentication' && !finding.suppression && finding.fixes.some((fix) => fix.preferred)).length;
    assert.ok(fixable > 1);
    assert.strictEqual(await session.connection.sendRequest('apimPosture/fixableCount', { ruleId: 'endpoint-authentication' }), fixable);
    assert.strictEqual(await session.connection.sendRequest('apimPosture/fixableCount', { ruleId: 'no-such-rule' }), 0);
  });

  it('reads an open document\'s text instead of the disk, and the disk again once it is closed', async () => {
    const relative = 'apis/orders/operations/track-shipment/policy.xml';
    const disk = fs.readFileSync(path.join(folder, relative), 'utf8');
    const withBase = disk.replace('<inbound>', '<inbound>\n\t\t<base />');
    const uri = uriOf(relative);
    await session.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'xml', version: 1, text: disk } });
    await session.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: withBase }] });
    await session.connection.sendRequest('apimPosture/analyze');
    assert.deepStrictEqual(messages('apis/orders/specification.yaml', 'endpoint-authentication'), []);
    await session.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await session.connection.sendRequest('apimPosture/analyze');
    assert.strictEqual(messages('apis/orders/specification.yaml', 'endpoint-authentication').length, 1);
  });

  it('keeps what it read until a file event says it changed: no re-read of unchanged files', async () => {
    const relative = 'apis/orders/operations/track-shipment/policy.xml';
    const file = path.join(folder, relative);
    const disk = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, disk.replace('<inbound>', '<inbound>\n\t\t<base />'));
    try {
      await session.connection.sendRequest('apimPosture/analyze');
      assert.strictEqual(messages('apis/orders/specification.yaml', 'endpoint-authentication').length, 1, 'the change is not seen before its event');
      await session.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(file).toString(), type: 2 }] });
      await session.connection.sendRequest('apimPosture/analyze');
      assert.deepStrictEqual(messages('apis/orders/specification.yaml', 'endpoint-authentication'), []);
    } finally {
      fs.writeFileSync(file, disk);
      await session.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(file).toString(), type: 2 }] });
      await session.connection.sendRequest('apimPosture/analyze');
    }
  });

  it('does not scan again for a document opened as the disk has it, and scans at once for an edit after it', async () => {
    const relative = 'apis/orders/operations/track-shipment/policy.xml';
    const uri = uriOf(relative);
    const disk = fs.readFileSync(path.join(folder, relative), 'utf8');
    const summaries = () => session.notifications.filter((notification) => notification.method === 'apimPosture/analyzed').map((notification) => (notification.params as { summary: { durationMs: number } }).summary);
    const next = async (count: number) => {
      for (let waited = 0; summaries().length < count; waited += 10) {
        assert.ok(waited < 60_000, 'no analysis');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return summaries()[count - 1];
    };
    const before = summaries().length;
    const last = summaries()[before - 1];
    await session.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'xml', version: 1, text: disk } });
    // The engine answers with the last analysis: the same duration, to the fraction of a millisecond.
    assert.strictEqual((await next(before + 1)).durationMs, last.durationMs);
    await session.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: disk.replace('<inbound>', '<inbound>\n\t\t<base />') }] });
    assert.notStrictEqual((await next(before + 2)).durationMs, last.durationMs);
    assert.deepStrictEqual(messages('apis/orders/specification.yaml', 'endpoint-authentication'), []);
    await session.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await next(before + 3);
    assert.strictEqual(messages('apis/orders/specification.yaml', 'endpoint-authentication').length, 1);
  });

  it('analyses a burst of edits once, for the last text', async () => {
    const relative = 'apis/orders/operations/track-shipment/policy.xml';
    const uri = uriOf(relative);
    const disk = fs.readFileSync(path.join(folder, relative), 'utf8');
    const before = analyzed();
    // The document opened and 20 edits, as one write: they arrive together, as keystrokes do during an analysis.
    const burst: unknown[] = [{ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'xml', version: 1, text: disk } } }];
    for (let version = 2; version < 22; version++) {
      // Every other text has <base />; the last one (version 21) has it.
      const text = version % 2 === 1 ? disk.replace('<inbound>', '<inbound>\n\t\t<base />') : disk;
      burst.push({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri, version }, contentChanges: [{ text }] } });
    }
    session.process.stdin!.write(burst.map((message) => frame(message)).join(''));
    await session.connection.sendRequest('apimPosture/analyze');
    assert.deepStrictEqual(messages('apis/orders/specification.yaml', 'endpoint-authentication'), []);
    // The burst cancels what it started and waits for the quiet time: one analysis for it, and the one asked for.
    assert.ok(analyzed() - before <= 2, `${analyzed() - before} analyses for 20 edits`);
    await session.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  });
});
