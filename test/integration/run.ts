// Runs the integration suite inside a real VS Code on an offline machine (shared/docs/testing.md):
// code-server (installed by scripts/install-vscode-test.sh into .vscode-test/) serves the workbench,
// Debian's Chromium driven by playwright-core opens it with the extension-development/test payload,
// and the suite (test/integration/suite) runs in VS Code's Node extension host. Then a UI check
// screenshots the Problems panel into test-results/.
//
//   npx tsx test/integration/run.ts [--workspace DIR]
//
// Environment: INTEGRATION_WORKSPACE (fixture folder, default samples/), INTEGRATION_TIMEOUT_MS
// (default 300000), INTEGRATION_VERBOSE=1 (print the whole workbench console, not only the tests'),
// INTEGRATION_KEEP=1 (keep the temporary run folder), CHROMIUM_PATH (default /usr/bin/chromium).
// Logs: test-results/code-server.log and test-results/workbench.log.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import * as util from 'util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildAll, Check, fixtureWorkspace, prepareRun, printSummary, readResults, ROOT, SUITE_INDEX } from './build';

const VSCODE_TEST = path.join(ROOT, '.vscode-test');
const NODE24 = path.join(VSCODE_TEST, 'node24', 'bin', 'node');
const CODE_SERVER = path.join(VSCODE_TEST, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RESULTS_DIR = path.join(ROOT, 'test-results');
const TIMEOUT_MS = Number(process.env.INTEGRATION_TIMEOUT_MS ?? 300_000);
const VERBOSE = process.env.INTEGRATION_VERBOSE === '1';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

// A quiet workbench: no chat side bar, no welcome page, no gallery traffic.
const USER_SETTINGS = {
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
};

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (message: string) => console.log(`[integration ${elapsed()}] ${message}`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => {
      request.destroy();
      resolve(false);
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Kills code-server's whole process group (its extension hosts otherwise linger waiting to reconnect). */
async function killGroup(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
      return true;
    } catch {
      return false; // the group is gone
    }
  };
  if (!signal('SIGTERM')) return;
  for (let i = 0; i < 30; i++) {
    await sleep(100);
    if (!signal(0 as unknown as NodeJS.Signals)) return;
  }
  signal('SIGKILL');
}

/** Marks the suite's reporter lines among the workbench console lines (see suite/index.ts). */
const LOG_PREFIX = '[apim-posture-it] ';

/** One console call of the workbench, as the smoke-test driver mirrors it (printf-style arguments). */
function consoleText(args: unknown): string {
  const list = Array.isArray(args) ? args : [args];
  return util.format(...list);
}

async function uiCheckProblemsPanel(page: Page): Promise<void> {
  // Focus the workbench, open the Problems panel (Ctrl+Shift+M) and wait for the findings to render.
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  const rows = page.locator('.markers-panel .monaco-list-row');
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (!(await page.locator('.markers-panel').isVisible().catch(() => false))) {
      await page.locator('.monaco-workbench .part.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
      await page.keyboard.press('Control+Shift+M');
    }
    const text = (await rows.allInnerTexts().catch(() => [] as string[])).join('\n');
    if (/endpoint-authentication/.test(text) && /APIM Posture/.test(text)) break;
    if (Date.now() > deadline) {
      await page.screenshot({ path: path.join(RESULTS_DIR, 'problems-failed.png') }).catch(() => undefined);
      throw new Error(`The Problems panel shows no APIM Posture endpoint-authentication finding; it shows:\n${text || '(nothing)'}`);
    }
    await sleep(500);
  }
  await sleep(500); // let the list settle (badges, icons)
  await page.screenshot({ path: path.join(RESULTS_DIR, 'problems.png') });
}

async function main(): Promise<number> {
  const checks: Check[] = [];
  let codeServer: ChildProcess | undefined;
  let browser: Browser | undefined;
  let runDir: string | undefined;
  let interrupted = false;
  const onSignal = (name: NodeJS.Signals) => {
    interrupted = true;
    log(`${name}: cleaning up`);
    void Promise.all([browser?.close().catch(() => undefined), killGroup(codeServer)]).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    for (const [what, file] of [
      ['Node 24', NODE24],
      ['code-server', CODE_SERVER],
      ['Chromium', CHROMIUM],
    ]) {
      if (!fs.existsSync(file)) throw new Error(`${what} not found at ${file}: run scripts/install-vscode-test.sh first (npm run test:integration does).`);
    }
    const fixture = fixtureWorkspace();
    await buildAll();
    log(`built the extension and the suite (${path.relative(ROOT, SUITE_INDEX)})`);
    const run = prepareRun(fixture);
    runDir = run.runDir;
    const { workspace, resultsFile } = run;
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    for (const old of ['problems.png', 'problems-failed.png', 'workbench.log', 'code-server.log']) fs.rmSync(path.join(RESULTS_DIR, old), { force: true });
    log(`workspace: ${path.relative(ROOT, fixture) || '.'} copied to ${workspace}`);

    // 1. code-server, as its own process group.
    const port = await freePort();
    fs.writeFileSync(path.join(runDir, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    fs.mkdirSync(path.join(runDir, 'ud', 'User'), { recursive: true });
    fs.writeFileSync(path.join(runDir, 'ud', 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
    const env = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE' || key === 'NODE_OPTIONS') delete env[key];
    const serverLog = fs.openSync(path.join(RESULTS_DIR, 'code-server.log'), 'w');
    codeServer = spawn(
      NODE24,
      [
        CODE_SERVER,
        '--bind-addr', `127.0.0.1:${port}`,
        '--auth', 'none',
        '--config', path.join(runDir, 'config.yaml'),
        '--user-data-dir', path.join(runDir, 'ud'),
        '--extensions-dir', path.join(runDir, 'exts'),
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--vscode-option', 'enable-smoke-test-driver',
      ],
      { cwd: runDir, env, detached: true, stdio: ['ignore', serverLog, serverLog] },
    );
    let serverExit: number | null | undefined;
    codeServer.on('exit', (code) => (serverExit = code));
    for (let deadline = Date.now() + 60_000; !(await healthy(port)); await sleep(200)) {
      if (serverExit !== undefined) throw new Error(`code-server exited with ${serverExit} before answering; see test-results/code-server.log.`);
      if (Date.now() > deadline) throw new Error('code-server did not answer /healthz within 60 s; see test-results/code-server.log.');
    }
    log(`code-server up on 127.0.0.1:${port}`);

    // 2. Chromium, with the smoke-test driver's two page functions.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const workbenchLog = fs.createWriteStream(path.join(RESULTS_DIR, 'workbench.log'));
    let onExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (onExit = resolve));
    await context.exposeFunction('codeAutomationExit', (code: number) => onExit(Number(code)));
    await context.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
      const text = consoleText(args);
      workbenchLog.write(`[${type}] ${text}\n`);
      if (VERBOSE) console.log(`[${type}] ${text}`);
      else if (text.includes(LOG_PREFIX)) console.log(text.split('\n').map((line) => `  | ${line.replace(LOG_PREFIX, '')}`).join('\n'));
    });

    // 3. The workbench with the development/test payload.
    const remote = (file: string) => `vscode-remote://127.0.0.1:${port}${file}`;
    const payload = [
      ['extensionDevelopmentPath', remote(ROOT)],
      ['extensionTestsPath', remote(SUITE_INDEX)],
      ['extensionEnvironment', JSON.stringify({ RESULTS_FILE: resultsFile, INTEGRATION_LOG_PREFIX: LOG_PREFIX })],
      ['skipWelcome', 'true'],
    ];
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const page = await context.newPage();
    await page.goto(url);
    log('workbench opened; running the suite in the extension host');

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS)));
    const code = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    const results = readResults(resultsFile);
    checks.push(...(results?.tests ?? []));
    if (code === 'timeout') {
      checks.push({ title: `the suite finished within ${TIMEOUT_MS / 1000} s`, state: 'failed', error: 'Timed out; see test-results/workbench.log and code-server.log.' });
    } else if (!results) {
      checks.push({ title: 'the suite wrote its results', state: 'failed', error: `The tests module exited with ${code} and wrote no ${resultsFile}; see test-results/workbench.log.` });
    } else if (code !== 0 && results.failures === 0) {
      checks.push({ title: 'the tests module exited with 0', state: 'failed', error: `It exited with ${code}; see test-results/workbench.log.` });
    }
    log(code === 'timeout' ? 'the suite timed out' : `the suite exited with ${code}`);
    await page.close();

    // 4. UI check, in a fresh workbench with the extension under development (no tests module):
    //    the Problems panel shows the findings.
    if (code !== 'timeout') {
      const title = 'ui: the Problems panel (Ctrl+Shift+M) shows the APIM Posture findings';
      const uiStarted = Date.now();
      try {
        const uiPage = await context.newPage();
        const uiPayload = [['extensionDevelopmentPath', remote(ROOT)], ['skipWelcome', 'true']];
        await uiPage.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(uiPayload))}`);
        await uiCheckProblemsPanel(uiPage);
        checks.push({ title, state: 'passed', durationMs: Date.now() - uiStarted });
        log('screenshot: test-results/problems.png');
      } catch (error) {
        checks.push({ title, state: 'failed', durationMs: Date.now() - uiStarted, error: (error as Error).stack ?? String(error) });
      }
    }
    workbenchLog.end();
  } catch (error) {
    checks.push({ title: 'the integration harness', state: 'failed', error: (error as Error).stack ?? String(error) });
  } finally {
    await Promise.race([browser?.close().catch(() => undefined), sleep(10_000)]);
    await killGroup(codeServer);
    // The run folder (workspace copy, user data) goes unless asked to keep it for a post-mortem.
    if (runDir && process.env.INTEGRATION_KEEP !== '1') fs.rmSync(runDir, { recursive: true, force: true });
  }
  if (interrupted) return 130;
  log('done');
  const failed = printSummary(checks);
  return failed > 0 || checks.length === 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
