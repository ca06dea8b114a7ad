// editor-large: the editor's side of the language server on the generated 1,000-API × 10-operation
// tree. This process plays the extension host: it speaks LSP to dist/server.js as VS Code's client
// does (document sync, diagnostics, the report after each analysis) while edits are typed into one
// API's spec and policy, and it measures how long its own event loop is ever blocked meanwhile.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';
import { pathToFileURL } from 'url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { generateApiopsTree } from './generateApiops';
import { percentile } from './stats';

const EDITS = 10;

export async function editorLargeCase(serverModule: string): Promise<string> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-bench-'));
  const child = spawn(process.execPath, [serverModule, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    generateApiopsTree(folder, { apis: 1000, operationsPerApi: 10 });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    // As the extension does after each analysis (its views of everything closed, as while typing): the
    // code lenses and the findings of the open document. Diagnostics are published before the notification.
    const uri = pathToFileURL(folder).toString();
    let openFile: string | undefined;
    let answered: (() => void) | undefined;
    let analyses = 0;
    // How long each analysis took in the engine, of the time from an edit to its diagnostics (not those that opening a file asks for).
    const scanMs: number[] = [];
    let editPending = false;
    connection.onNotification('apimPosture/analyzed', (params: { summary: { durationMs: number } }) => {
      analyses++;
      if (!openFile) return;
      if (editPending) scanMs.push(params.summary.durationMs);
      void Promise.all([connection.sendRequest('apimPosture/fileOperations', { file: openFile }), connection.sendRequest('apimPosture/fileFindings', { file: openFile })]).then(() => answered?.());
    });
    connection.onRequest('client/registerCapability', () => null);
    connection.listen();
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: uri, workspaceFolders: [{ uri, name: 'large' }], capabilities: {}, initializationOptions: { analysisTimeBudgetMs: 60_000, analysisDelayMs: 300 } });
    await connection.sendNotification('initialized', {});
    const firstStarted = performance.now();
    await connection.sendRequest('apimPosture/analyze');
    const firstMs = performance.now() - firstStarted;

    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const latencies: number[] = [];
    // api-0003 sets a header in its policy (a secured API's validate-jwt has no value to type into).
    const files = ['apis/api-0003/specification.yaml', 'apis/api-0003/policy.xml'];
    for (const relative of files) {
      const file = path.join(folder, relative);
      const documentUri = pathToFileURL(file).toString();
      openFile = file;
      let text = fs.readFileSync(file, 'utf8');
      // Typing starts once the opened file shows its findings: opening it asks for an analysis too, whose answer must not pass for the first edit's.
      const opened = new Promise<void>((resolve) => (answered = resolve));
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: documentUri, languageId: relative.endsWith('.xml') ? 'xml' : 'yaml', version: 1, text } });
      await opened;
      for (let edit = 0; edit < EDITS; edit++) {
        // A word typed where it changes what is analysed: a description in the spec, a header value in the policy.
        const before = text;
        text = relative.endsWith('.xml') ? text.replace('</value>', `w${edit}</value>`) : text.replace('description:', `description: w${edit}`);
        if (text === before) throw new Error(`the edit of ${relative} changed nothing`);
        const started = performance.now();
        const shown = new Promise<void>((resolve) => (answered = resolve));
        editPending = true;
        await connection.sendNotification('textDocument/didChange', { textDocument: { uri: documentUri, version: edit + 2 }, contentChanges: [{ text }] });
        await shown;
        editPending = false;
        latencies.push(performance.now() - started);
      }
    }
    delay.disable();
    const maxBlockMs = delay.max / 1e6;
    const median = percentile(latencies, 0.5);
    const scanMedian = percentile(scanMs, 0.5);
    await connection.sendRequest('shutdown');
    connection.dispose();
    const verdict = maxBlockMs <= 50 && median <= 300 ? 'within target' : 'OVER TARGET';
    return (
      `Editor on the 1,000-API × 10-operation APIOps tree, through the language server (this process plays the extension host)\n` +
      `editor-large: max-block ${maxBlockMs.toFixed(0)} ms, diagnostics ${median.toFixed(0)} ms (targets ≤ 50 ms and ≤ 300 ms): ${verdict}\n` +
      `  ${latencies.length} edits into one API's spec and policy; edit to its diagnostics: median ${median.toFixed(0)} ms (each typed once the previous one's diagnostics are shown, so analysed at once), p90 ${percentile(latencies, 0.9).toFixed(0)} ms; ${analyses} analyses; first analysis ${firstMs.toFixed(0)} ms\n` +
      `  the engine's analysis after an edit (in the figures above): median ${scanMedian.toFixed(0)} ms`
    );
  } finally {
    child.kill();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
