// A plain LSP client over stdio, as editors other than VS Code (Neovim's built-in client) speak to the
// server: the server bundle is built into a temporary folder and run as its own process.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-languageserver/node';
import { pathToFileURL } from 'url';

const REPOSITORY = path.join(__dirname, '..', '..', '..');
let bundle: string | undefined;

/** The server and its engine worker, bundled once per test run as esbuild.js bundles them. */
function serverBundle(): string {
  if (bundle) return bundle;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-server-'));
  for (const entry of ['server', 'engine']) {
    buildSync({ entryPoints: [path.join(REPOSITORY, 'src', 'server', `${entry}.ts`)], outfile: path.join(folder, `${entry}.js`), bundle: true, platform: 'node', target: 'node20', format: 'cjs', mainFields: ['module', 'main'], logLevel: 'error' });
  }
  return (bundle = path.join(folder, 'server.js'));
}

export interface LspSession {
  connection: MessageConnection;
  process: ChildProcess;
  /** Every publishDiagnostics the server sent, by file URI (the last one wins). */
  diagnostics: Map<string, { message: string; code?: string | number; source?: string; severity?: number; range: { start: { line: number; character: number } } }[]>;
  notifications: { method: string; params: unknown }[];
  close(): Promise<void>;
}

export async function startServer(folder: string, initializationOptions?: unknown): Promise<LspSession> {
  const child = spawn(process.execPath, [serverBundle(), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const diagnostics: LspSession['diagnostics'] = new Map();
  const notifications: LspSession['notifications'] = [];
  connection.onNotification('textDocument/publishDiagnostics', (params: { uri: string; diagnostics: LspSession['diagnostics'] extends Map<string, infer D> ? D : never }) => diagnostics.set(params.uri, params.diagnostics));
  connection.onNotification((method, params) => notifications.push({ method, params }));
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  const uri = pathToFileURL(folder).toString();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: uri, workspaceFolders: [{ uri, name: path.basename(folder) }], capabilities: {}, initializationOptions });
  await connection.sendNotification('initialized', {});
  return {
    connection,
    process: child,
    diagnostics,
    notifications,
    async close() {
      await connection.sendRequest('shutdown').catch(() => undefined);
      await connection.sendNotification('exit').catch(() => undefined);
      connection.dispose();
      child.kill();
    },
  };
}
