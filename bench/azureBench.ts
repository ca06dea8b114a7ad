// The Azure case of `npm run bench`: load inventory + Defender findings for 1,000 APIs in 10
// subscriptions from the ARM emulator, through the real SDK clients. The emulator runs in its own
// process, as ARM would, so that the client's time is the client's alone.
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { loadDeployedState } from '../src/core/azure/load';
import { ArmEmulator, fixedTokenCredential, TEST_TOKEN } from '../test/azure/emulator';
import { generatedEstate, subscriptionId } from '../test/azure/fixtures';

export const AZURE_SHAPE = { subscriptions: 10, apisPerSubscription: 100, operationsPerApi: 3, unhealthyEvery: 5 };
const TARGET_MS = 3000;
const TARGET_FINDINGS_REQUESTS = 10;

interface Figures {
  wallMs: number;
  apis: number;
  operations: number;
  assessments: number;
  errors: number;
}

/** `bench.js --azure-emulator`: serve the estate and print where. */
export async function serveEmulator(): Promise<void> {
  const emulator = await new ArmEmulator(generatedEstate(AZURE_SHAPE)).start();
  process.stdout.write(JSON.stringify({ endpoint: emulator.endpoint, ca: emulator.ca }) + '\n');
  // Counts by kind, asked for by the parent (a line on stdin) once the client is done.
  process.stdin.on('data', () => {
    const kinds = { graph: 0, metadata: 0, plan: 0, apiCollections: 0, inventory: 0, total: emulator.requests.length };
    for (const request of emulator.requests) {
      if (request.path.includes('/Microsoft.ResourceGraph/')) kinds.graph++;
      else if (request.path.endsWith('/assessmentMetadata')) kinds.metadata++;
      else if (request.path.endsWith('/pricings/Api')) kinds.plan++;
      else if (/\/apiCollections$/i.test(request.path)) kinds.apiCollections++;
      else kinds.inventory++;
    }
    process.stdout.write(JSON.stringify(kinds) + '\n');
  });
}

/** `bench.js --azure-client <endpoint> <ca file>`: the measured load, in a fresh process. */
export async function measureClient(endpoint: string, caFile: string): Promise<void> {
  const agent = new https.Agent({ ca: fs.readFileSync(caFile, 'utf8'), keepAlive: true, maxSockets: 64 });
  const started = performance.now();
  const snapshot = await loadDeployedState(
    fixedTokenCredential(TEST_TOKEN),
    Array.from({ length: AZURE_SHAPE.subscriptions }, (_, index) => subscriptionId(index)),
    { endpoint, agent, concurrency: 16 },
  );
  const wallMs = performance.now() - started;
  agent.destroy();
  const apis = snapshot.services.reduce((count, service) => count + service.apis.length, 0);
  const operations = snapshot.services.reduce((count, service) => count + service.apis.reduce((sum, api) => sum + api.operations.length, 0), 0);
  const errors = snapshot.errors.length + snapshot.subscriptions.reduce((count, subscription) => count + subscription.errors.length, 0) + snapshot.services.reduce((count, service) => count + service.errors.length, 0);
  const figures: Figures = { wallMs, apis, operations, assessments: snapshot.assessments.length, errors };
  process.stdout.write(JSON.stringify(figures));
}

/** Runs the case and returns its report lines. */
export async function azureCase(script: string): Promise<string> {
  const server = spawn(process.execPath, [script, '--azure-emulator'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = lineReader(server.stdout!);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-bench-azure-'));
  try {
    const { endpoint, ca } = JSON.parse(await lines.next()) as { endpoint: string; ca: string };
    const caFile = path.join(folder, 'ca.pem');
    fs.writeFileSync(caFile, ca);
    const figures = JSON.parse(execFileSync(process.execPath, [script, '--azure-client', endpoint, caFile], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })) as Figures;
    server.stdin!.write('counts\n');
    const kinds = JSON.parse(await lines.next()) as { graph: number; metadata: number; plan: number; apiCollections: number; inventory: number; total: number };
    const findingsRequests = kinds.graph + kinds.metadata;
    const verdict = figures.wallMs <= TARGET_MS && findingsRequests <= TARGET_FINDINGS_REQUESTS && figures.errors === 0 ? 'within target' : 'OVER TARGET';
    return (
      `Azure: inventory + Defender findings, ${AZURE_SHAPE.subscriptions} subscriptions × ${AZURE_SHAPE.apisPerSubscription} APIs × ${AZURE_SHAPE.operationsPerApi} operations, from the ARM emulator\n` +
      `  wall ${figures.wallMs.toFixed(0)} ms (target ≤ ${TARGET_MS} ms); findings ${findingsRequests} requests (Resource Graph ${kinds.graph}, assessment metadata ${kinds.metadata}; target ≤ ${TARGET_FINDINGS_REQUESTS}): ${verdict}\n` +
      `  ${kinds.total} requests in all: inventory ${kinds.inventory}, Defender plan ${kinds.plan}, apiCollections ${kinds.apiCollections}; ` +
      `${figures.apis} APIs, ${figures.operations} operations, ${figures.assessments} Unhealthy assessments, ${figures.errors} errors`
    );
  } finally {
    server.kill();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

function lineReader(stream: NodeJS.ReadableStream) {
  let buffer = '';
  const waiting: ((line: string) => void)[] = [];
  const ready: string[] = [];
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    for (let index = buffer.indexOf('\n'); index !== -1; index = buffer.indexOf('\n')) {
      const line = buffer.slice(0, index);
      buffer = buffer.slice(index + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else ready.push(line);
    }
  });
  return { next: () => (ready.length ? Promise.resolve(ready.shift()!) : new Promise<string>((resolve) => waiting.push(resolve))) };
}
