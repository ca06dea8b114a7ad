// Runs the integration suite inside a real VS Code on an offline machine (shared/docs/testing.md):
// code-server (installed by scripts/install-vscode-test.sh into .vscode-test/) serves the workbench,
// Debian's Chromium driven by playwright-core opens it with the extension-development/test payload,
// and the suite (test/integration/suite) runs in VS Code's Node extension host. Then Playwright UI
// checks (the Problems panel, the side bar, the quick-fix menu, a hover, the welcome view) save
// screenshots into test-results/. A last one installs the .vsix (npm run package) with code-server's CLI
// into a second, fresh code-server and checks that the sample shows its findings there.
//
//   npx tsx test/integration/run.ts [--workspace DIR]
//
// Environment: INTEGRATION_WORKSPACE (fixture folder, default samples/), INTEGRATION_TIMEOUT_MS
// (default 300000), INTEGRATION_VERBOSE=1 (print the whole workbench console, not only the tests'),
// INTEGRATION_ONLY=<screenshot name> (one UI check alone, no suite, e.g. azure-loaded),
// INTEGRATION_KEEP=1 (keep the temporary run folder), CHROMIUM_PATH (default /usr/bin/chromium).
// Logs: test-results/code-server.log, code-server-vsix.log (the fresh one) and workbench.log.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import * as util from 'util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { contosoState, CONTOSO_SERVICE_ID } from '../azure/contoso';
import { ArmEmulator, TEST_TOKEN } from '../azure/emulator';
import { buildAll, Check, fixtureWorkspace, prepareRun, printSummary, readResults, ROOT, SUITE_INDEX, runAsMain } from './build';
import { generateApiopsTree } from '../../bench/generateApiops';

const VSCODE_TEST = path.join(ROOT, '.vscode-test');
const NODE24 = path.join(VSCODE_TEST, 'node24', 'bin', 'node');
const CODE_SERVER = path.join(VSCODE_TEST, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
/** Test-only: the authentication provider that stands in for VS Code's `microsoft` one, signing in to the emulator. */
const AUTH_EXTENSION = path.join(ROOT, 'test', 'integration', 'auth-extension');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RESULTS_DIR = path.join(ROOT, 'test-results');
const TIMEOUT_MS = Number(process.env.INTEGRATION_TIMEOUT_MS ?? 300_000);
const VERBOSE = process.env.INTEGRATION_VERBOSE === '1';
/** INTEGRATION_ONLY=<screenshot name> (e.g. azure-loaded): that UI check alone, without the suite; for working on one check. */
const ONLY = process.env.INTEGRATION_ONLY;
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
  'editor.stickyScroll.enabled': false,
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  // The tests edit documents and expect them unsaved until they save or revert them.
  'files.autoSave': 'off',
  // The 1,000-API tree of the "large" check takes longer than the default 5 s on a loaded 2-core machine.
  'apimPosture.analysisTimeBudget': 60_000,
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

/** The process groups this run started (code-servers, packaging, code-server's CLI), killed on exit or on a signal. */
const groups = new Set<ChildProcess>();

/** Kills a process group this run started, e.g. code-server's (its extension hosts otherwise linger waiting to reconnect). */
async function killGroup(child: ChildProcess | undefined): Promise<void> {
  if (!child) return;
  groups.delete(child);
  if (!child.pid) return;
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

const killAllGroups = () => Promise.all([...groups].map((child) => killGroup(child)));

/** The environment of what runs with Node 24: none of the outer VS Code's or Node's settings. */
function serverEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE' || key === 'NODE_OPTIONS') delete env[key];
  return env;
}

/** code-server's options for a server folder `dir`: its config (else it writes into ~/.config), user data and extensions. */
function codeServerDirs(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'config.yaml');
  if (!fs.existsSync(config)) fs.writeFileSync(config, 'auth: none\ncert: false\n');
  return ['--config', config, '--user-data-dir', path.join(dir, 'ud'), '--extensions-dir', path.join(dir, 'exts')];
}

/**
 * Starts code-server as its own process group (registered in `groups`) on a free port, with its config,
 * user data and extensions in `dir` (`settings`, if any, as the user settings), logging into
 * test-results/`logName`; resolves once /healthz answers.
 */
async function startCodeServer(dir: string, logName: string, settings?: object, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const dirs = codeServerDirs(dir);
  if (settings) {
    fs.mkdirSync(path.join(dir, 'ud', 'User'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'ud', 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  }
  const serverLog = fs.openSync(path.join(RESULTS_DIR, logName), 'w');
  const child = spawn(
    NODE24,
    [
      CODE_SERVER,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      ...dirs,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--vscode-option', 'enable-smoke-test-driver',
    ],
    { cwd: dir, env: { ...serverEnv(), ...env }, detached: true, stdio: ['ignore', serverLog, serverLog] },
  );
  groups.add(child);
  fs.closeSync(serverLog); // the child has its own copy
  let serverExit: number | null | undefined;
  child.on('exit', (code) => (serverExit = code));
  for (let deadline = Date.now() + 60_000; !(await healthy(port)); await sleep(200)) {
    if (serverExit !== undefined) throw new Error(`code-server exited with ${serverExit} before answering; see test-results/${logName}.`);
    if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 60 s; see test-results/${logName}.`);
  }
  return { child, port };
}

/** Runs a command to its end as its own process group (killed after `timeoutMs`); resolves with its exit code and output. */
function runCommand(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    groups.add(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timeoutMs = options.timeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs / 1000} s)`;
      void killGroup(child);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      groups.delete(child);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      void killGroup(child).then(() => resolve({ code, output })); // whatever it left behind in its group
    });
  });
}

/** The last lines of a command's output, for an error message. */
const tail = (output: string, lines = 25) => output.trim().split('\n').slice(-lines).join('\n');

/**
 * `npm run package` (the production bundle, then vsce), the .vsix copied to `out`. It leaves dist/ with the
 * production bundle: run it before buildAll.
 */
async function packageVsix(out: string): Promise<void> {
  const built = path.join(ROOT, 'apim-posture.vsix');
  fs.rmSync(built, { force: true });
  const { code, output } = await runCommand('npm', ['run', 'package'], { cwd: ROOT });
  if (code !== 0 || !fs.existsSync(built)) throw new Error(`npm run package exited with ${code}${fs.existsSync(built) ? '' : ' and wrote no apim-posture.vsix'}:\n${tail(output)}`);
  fs.copyFileSync(built, out);
}

/** Installs a .vsix into the extensions folder of the code-server folder `dir` with code-server's own CLI. */
async function installVsix(dir: string, vsix: string, source = ROOT): Promise<void> {
  const args = [CODE_SERVER, ...codeServerDirs(dir), '--install-extension', vsix];
  const { code, output } = await runCommand(NODE24, args, { cwd: dir, env: serverEnv(), timeoutMs: 60_000 });
  if (code !== 0 || !/successfully installed/i.test(output)) throw new Error(`code-server --install-extension ${path.basename(vsix)} exited with ${code}:\n${tail(output)}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const folder = path.join(dir, 'exts', `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  if (!fs.existsSync(path.join(folder, 'package.json'))) throw new Error(`code-server --install-extension said it installed ${path.basename(vsix)}, but there is no ${folder}:\n${tail(output)}`);
}

/**
 * Installs the test sign-in extension into the code-server folder `dir` (code-server loads one
 * development extension only, and that is APIM Posture): packaged with vsce from a copy outside the repository.
 */
async function installTestSignIn(dir: string): Promise<void> {
  const copy = path.join(dir, 'auth-extension');
  fs.cpSync(AUTH_EXTENSION, copy, { recursive: true });
  const vsix = path.join(dir, 'apim-posture-test-sign-in.vsix');
  const vsce = path.join(ROOT, 'node_modules', '.bin', 'vsce');
  const { code, output } = await runCommand(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix], { cwd: copy });
  if (code !== 0) throw new Error(`vsce package of the test sign-in extension exited with ${code}:\n${tail(output)}`);
  await installVsix(dir, vsix, AUTH_EXTENSION);
}

/** Marks the suite's reporter lines among the workbench console lines (see suite/index.ts). */
const LOG_PREFIX = '[apim-posture-it] ';

/** One console call of the workbench, as the smoke-test driver mirrors it (printf-style arguments). */
function consoleText(args: unknown): string {
  const list = Array.isArray(args) ? args : [args];
  return util.format(...list);
}

/** Opens the Problems panel (Ctrl+Shift+M) until it lists an APIM Posture endpoint-authentication finding; screenshot `<name>.png`. */
async function uiCheckProblemsPanel(page: Page, name = 'problems'): Promise<void> {
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
      await page.screenshot({ path: path.join(RESULTS_DIR, `${name}-failed.png`) }).catch(() => undefined);
      throw new Error(`The Problems panel shows no APIM Posture endpoint-authentication finding; it shows:\n${text || '(nothing)'}`);
    }
    await sleep(500);
  }
  await sleep(500); // let the list settle (badges, icons)
  await page.screenshot({ path: path.join(RESULTS_DIR, `${name}.png`) });
}

// --- UI checks: what the extension API cannot observe, each with a screenshot in test-results/. ---

const UI_WAIT_MS = 30_000;
const UI_SCREENSHOTS = ['problems', 'sidebar', 'quick-fix', 'hover', 'quick-fix-applied', 'welcome', 'vsix', 'azure-loaded', 'azure-push-diff', 'azure-conflict', 'vsix-jwt', 'large', 'attack-paths', 'dashboard'];

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(RESULTS_DIR, `${name}.png`) });
}

/** Polls `probe` until it returns something truthy (errors count as no), else throws after `timeoutMs` naming `what`. */
async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = UI_WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}.`);
    await sleep(250);
  }
}

/** The line (1-based) and column of the first `method:` key under `pathKey:` in an OpenAPI YAML file, inside the word. */
function operationKeyPosition(file: string, pathKey: string, method: string): { line: number; column: number } {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  const pathLine = lines.findIndex((line) => line.trim() === `${pathKey}:`);
  const methodLine = lines.findIndex((line, index) => index > pathLine && line.trim() === `${method}:`);
  if (pathLine < 0 || methodLine < 0) throw new Error(`No ${method} under ${pathKey} in ${file}.`);
  return { line: methodLine + 1, column: lines[methodLine].indexOf(method) + 2 };
}

/** Shows the APIM Posture view container (a second click on an active activity bar item would hide the side bar). */
async function showPostureSidebar(page: Page): Promise<void> {
  const item = page.locator('.part.activitybar li.action-item[aria-label^="APIM Posture"]');
  await item.waitFor({ state: 'visible', timeout: 60_000 });
  if ((await item.getAttribute('aria-selected')) !== 'true' || !(await page.locator('.part.sidebar').isVisible())) await item.click();
  await page.locator('.part.sidebar .pane-header', { hasText: 'API Inventory' }).waitFor({ state: 'visible', timeout: UI_WAIT_MS });
}

/** A view of the side bar by its title. */
function sidebarView(page: Page, title: string) {
  return page.locator('.part.sidebar .pane').filter({ has: page.locator('.pane-header', { hasText: title }) });
}

/** Ctrl+P, the workspace-relative path, Enter once the first match is that file; waits for its breadcrumbs. */
async function quickOpen(page: Page, relativePath: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await input.fill(relativePath);
  // Each result reads "<file name> <folder>"; the first one must be the file asked for, not a recently opened namesake.
  const folder = path.dirname(relativePath).split('/').join(path.sep);
  await waitUntil(`Quick Open to list ${relativePath} first`, async () => {
    const first = await page.locator('.quick-input-widget .monaco-list-row').first().innerText();
    return first.includes(path.basename(relativePath)) && first.includes(folder);
  });
  await page.keyboard.press('Enter');
  await waitUntil(`the editor of ${relativePath}`, () => isActiveEditor(page, relativePath));
}

/** Whether the active editor shows the file (its breadcrumbs) and has the focus. */
async function isActiveEditor(page: Page, relativePath: string): Promise<boolean> {
  const shown = (await page.locator('.part.editor .editor-group-container.active .breadcrumbs-control').innerText()).split(/\s+/);
  return relativePath.split('/').every((crumb) => shown.includes(crumb)) && (await page.locator('.part.editor .monaco-editor.focused').isVisible());
}

/** Ctrl+G, `:line:column`, Enter; waits for the status bar to show the cursor there. */
async function goToLine(page: Page, line: number, column: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await waitUntil('the Go to Line box', async () => (await input.isVisible()) && (await input.inputValue()) === ':');
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.part.statusbar', { hasText: `Ln ${line}, Col ${column}` }).waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await input.waitFor({ state: 'hidden', timeout: UI_WAIT_MS });
  await page.locator('.part.editor .monaco-editor.focused').waitFor({ state: 'visible', timeout: UI_WAIT_MS });
}

/** Ctrl+. in the focused editor until the quick-fix menu opens (a key pressed while the focus moves is lost). */
async function openQuickFixMenu(page: Page) {
  const menu = page.locator('.action-widget:not(.action-list-submenu-panel)');
  await waitUntil('the quick-fix menu (Ctrl+.)', async () => {
    await page.keyboard.press('Control+.');
    await menu.waitFor({ state: 'visible', timeout: 3000 });
    return true;
  });
  return menu;
}

/** The number of errors in the status bar's problems item ("Errors: 15, Warnings: 7"). */
async function statusBarErrors(page: Page): Promise<number> {
  const label = (await page.locator('.part.statusbar [id="status.problems"]').getAttribute('aria-label')) ?? '';
  const match = /Errors: (\d+)/.exec(label);
  if (!match) throw new Error(`The status bar's problems item reads "${label}".`);
  return Number(match[1]);
}

/** F1, the command's title, Enter once the palette lists it first. */
async function runPaletteCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await input.fill(`>${title}`);
  await waitUntil(`the command palette to list "${title}" first`, async () => (await page.locator('.quick-input-widget .monaco-list-row').first().innerText()).includes(title));
  await page.keyboard.press('Enter');
}

/** Waits for a modal dialog offering `button` (its message matching `message`), and clicks it as the user would. */
async function confirmDialog(page: Page, message: RegExp, button: string, screenshotName?: string): Promise<void> {
  const dialog = page.locator('.monaco-dialog-box');
  // isVisible first: innerText would wait for a dialog that is not there yet.
  await waitUntil(`a dialog "${message.source}" with the button ${button}`, async () => (await dialog.isVisible()) && message.test(await dialog.innerText()), 60_000);
  if (screenshotName) await screenshot(page, screenshotName);
  await dialog.locator('.dialog-buttons .monaco-button', { hasText: button }).first().click();
  await dialog.waitFor({ state: 'hidden', timeout: UI_WAIT_MS });
}

/**
 * Waits for a notification whose text matches, as a toast or in the notification center (the
 * workbench may send it there directly); leaves the center closed.
 */
async function notification(page: Page, text: RegExp, timeoutMs = 60_000): Promise<string> {
  const center = page.locator('.notifications-center');
  const bell = page.locator('.part.statusbar [id="status.notifications"]');
  const found = await waitUntil(
    `a notification matching ${text.source}`,
    async () => {
      const toasts = await page.locator('.notifications-toasts').innerText({ timeout: 1000 }).catch(() => '');
      if (text.test(toasts)) return toasts;
      if (!(await center.isVisible())) await bell.click();
      const listed = await center.innerText();
      return text.test(listed) ? listed : undefined;
    },
    timeoutMs,
  );
  if (await center.isVisible()) await bell.click();
  return found;
}

/**
 * Done means of the Azure issue, as a user does it in the workbench (the tests window refuses modal
 * dialogs): sign in through VS Code (its consent dialog), load the deployed state from the ARM
 * emulator (pick the subscription), see Defender's findings and the drift, onboard an API, push a
 * policy after the diff and the confirmation (with a backup), and meet a change made in Azure
 * meanwhile without overwriting it. What reached "Azure" is read from the emulator itself.
 */
async function uiCheckAzure(page: Page, workspace: string, emulator: ArmEmulator): Promise<void> {
  const snapshotFile = path.join(workspace, '.apim-posture', 'snapshot.json');
  // The Defender for APIs plan starts off here, so that enabling it is a change.
  const subscription = emulator.state.subscriptions[0];
  subscription.apiPricingTier = 'Free';
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  await showPostureSidebar(page);
  const drift = sidebarView(page, 'Drift');
  const driftHeader = page.locator('.part.sidebar .pane-header', { hasText: 'Drift' });
  if ((await driftHeader.getAttribute('aria-expanded')) !== 'true') await driftHeader.click();
  await drift.getByText('Load from Azure').first().waitFor({ state: 'visible', timeout: UI_WAIT_MS });

  // Sign in: VS Code asks whether APIM Posture may sign in with the (test) provider.
  await runPaletteCommand(page, 'APIM Posture: Sign In to Azure');
  await confirmDialog(page, /wants to sign in/, 'Allow');
  await notification(page, /signed in to Azure as tester@contoso\.example/);

  // Load: no subscription remembered yet, so the picker lists what the account can read.
  await runPaletteCommand(page, 'APIM Posture: Load from Azure');
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  await waitUntil('the subscription picker', async () => /Contoso/.test((await rows.allInnerTexts()).join('\n')));
  await rows.filter({ hasText: 'Contoso' }).first().click();
  await page.locator('.quick-input-widget', { hasText: '1 Selected' }).waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).click();
  await notification(page, /loaded 1 API Management service/);
  const snapshot = JSON.parse(fs.readFileSync(snapshotFile, 'utf8')) as { endpoint: string };
  if (snapshot.endpoint !== emulator.endpoint) throw new Error(`The snapshot was read from ${snapshot.endpoint}, not from the emulator.`);
  await drift.getByText('Fixed locally, not deployed').waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await page.keyboard.press('Control+Shift+M');
  await waitUntil('Defender for APIs findings in the Problems panel', async () => /Defender for APIs/.test((await page.locator('.markers-panel .monaco-list-row').allInnerTexts()).join('\n')));
  await screenshot(page, 'azure-loaded');
  await page.keyboard.press('Control+J');

  // Onboard partners to Defender for APIs.
  const service = emulator.state.subscriptions.flatMap((subscription) => subscription.services).find((candidate) => candidate.name === 'apim-contoso-outfitters');
  if (service?.apiCollections?.some((collection) => collection.apiName === 'partners')) throw new Error('partners should start not onboarded');
  await runPaletteCommand(page, 'APIM Posture: Onboard API to Defender for APIs');
  await page.locator('.quick-input-widget input').fill('partners');
  await waitUntil('the API picker to offer partners', async () => (await rows.first().innerText()).startsWith('partners'));
  await page.keyboard.press('Enter');
  await confirmDialog(page, /Onboard partners/, 'Onboard');
  await notification(page, /partners is onboarded/);
  if (!service?.apiCollections?.some((collection) => collection.apiName === 'partners')) throw new Error('The emulator has no apiCollection for partners.');

  // Enable the Defender for APIs plan: it is billed, so the dialog says so.
  await runPaletteCommand(page, 'APIM Posture: Enable the Defender for APIs Plan on a Subscription');
  await waitUntil('the subscription picker with the plan off', async () => /Defender for APIs: Free/.test((await rows.allInnerTexts()).join('\n')));
  await page.keyboard.press('Enter');
  await confirmDialog(page, /Enable Microsoft Defender for APIs on subscription/, 'Enable (billed)');
  await waitUntil('the plan to be Standard in Azure and in the snapshot', async () => {
    const saved = JSON.parse(fs.readFileSync(snapshotFile, 'utf8')) as { subscriptions: { defenderForApis?: { pricingTier: string } }[] };
    return subscription.apiPricingTier === 'Standard' && saved.subscriptions[0].defenderForApis?.pricingTier === 'Standard';
  });

  // Push get-saved-card's policy (fixed in git, not deployed): a diff, then the confirmation.
  const policy = 'apis/payments/operations/get-saved-card/policy.xml';
  const armPolicy = `${CONTOSO_SERVICE_ID}/apis/payments/operations/get-saved-card/policies/policy`;
  const before = emulator.policy(armPolicy)?.value;
  await quickOpen(page, policy);
  await runPaletteCommand(page, 'APIM Posture: Apply to Azure');
  await confirmDialog(page, /Push .*get-saved-card.* to .* in Azure\?/, 'Push to Azure', 'azure-push-diff');
  await notification(page, /pushed .*get-saved-card to Azure/);
  const local = fs.readFileSync(path.join(workspace, policy), 'utf8');
  if (emulator.policy(armPolicy)?.value !== local) throw new Error('The emulator does not have the pushed policy.');
  const backups = fs.readdirSync(path.join(workspace, '.apim-posture', 'backups'), { recursive: true }).map(String).filter((file) => file.endsWith('.xml'));
  const backup = backups.map((file) => fs.readFileSync(path.join(workspace, '.apim-posture', 'backups', file), 'utf8'));
  if (!backup.includes(before!)) throw new Error(`No backup holds the replaced policy (backups: ${backups.join(', ') || 'none'}).`);

  // Someone changes it in the portal; we change the file; the push finds out and writes nothing.
  const theirs = local.replace('<inbound>', '<inbound>\n\t\t<rate-limit calls="10" renewal-period="60" />');
  emulator.setPolicy(armPolicy, theirs);
  fs.writeFileSync(path.join(workspace, policy), local.replace('<inbound>', '<inbound>\n\t\t<set-header name="X-Api-Owner" exists-action="override"><value>payments</value></set-header>'));
  await waitUntil('the editor to show the changed file', async () => /X-Api-Owner/.test(await page.locator('.part.editor').innerText()));
  await runPaletteCommand(page, 'APIM Posture: Apply to Azure');
  await confirmDialog(page, /Push .*get-saved-card.* to .* in Azure\?/, 'Push to Azure');
  await notification(page, /was changed in Azure since it was loaded; nothing was pushed/);
  if (emulator.policy(armPolicy)?.value !== theirs) throw new Error('The change made in Azure was overwritten.');
  await screenshot(page, 'azure-conflict');

  // An API property: store-locator drops http in git (what the encrypted-protocols fix writes), then in Azure.
  const storeLocator = 'apis/store-locator/apiInformation.json';
  const armApi = `${CONTOSO_SERVICE_ID}/apis/store-locator`;
  fs.writeFileSync(path.join(workspace, storeLocator), fs.readFileSync(path.join(workspace, storeLocator), 'utf8').replace(/"http",\s*/, ''));
  await quickOpen(page, storeLocator);
  await runPaletteCommand(page, 'APIM Posture: Apply to Azure');
  await confirmDialog(page, /Push the properties of API store-locator to .*store-locator in Azure\?/, 'Push to Azure');
  await notification(page, /pushed .*store-locator to Azure/);
  const protocols = emulator.api(armApi)?.protocols;
  if (JSON.stringify(protocols) !== '["https"]') throw new Error(`The emulator's store-locator has protocols ${JSON.stringify(protocols)}.`);
}

async function uiCheckSidebar(page: Page): Promise<void> {
  await showPostureSidebar(page);
  const inventory = sidebarView(page, 'API Inventory');
  const findings = sidebarView(page, 'Findings');
  const orders = inventory.locator('.monaco-list-row', { hasText: 'Orders' }).first();
  await orders.waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await findings.locator('.monaco-list-row', { hasText: /^High\s*\d+/ }).first().waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  // A wider side bar, so that the descriptions (path, protocols, finding count) read in the screenshot.
  const box = await page.locator('.part.sidebar').boundingBox();
  if (box && box.width < 480) {
    await page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 500, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
  }
  // Expand Orders: its operations appear with their lock (authenticated) and unlock (unauthenticated) icons.
  if ((await orders.getAttribute('aria-expanded')) !== 'true') await orders.locator('.monaco-tl-twistie').click();
  const operation = (id: string) => inventory.locator(`.monaco-list-row[aria-label^="apis/orders/operations/${id}"]`);
  await operation('track-shipment').locator('.codicon-unlock').waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await operation('get-order').locator('.codicon-lock').waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  // Clicking an operation opens its spec where the operation is declared.
  await operation('track-shipment').locator('.label-name').click();
  await page.locator('.tabs-container .tab.active', { hasText: 'specification.yaml' }).waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await page.mouse.move(20, 600); // off the tree: no tooltip in the screenshot
  await sleep(1500); // squiggles, code lenses, sticky scroll
  await screenshot(page, 'sidebar');
}

/** Show Attack Paths on Payments in the API Inventory: the webview draws its operations and Defender's path; a node opens its spec. */
async function uiCheckAttackPaths(page: Page): Promise<void> {
  await showPostureSidebar(page);
  const payments = sidebarView(page, 'API Inventory').locator('.monaco-list-row', { hasText: 'Payments' }).first();
  await payments.waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  // The row's inline action (also in its context menu).
  await payments.hover();
  await payments.locator('.action-label[aria-label="Show Attack Paths"]').click();
  // A webview is an iframe holding the page's iframe.
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  await frame.locator('h1', { hasText: 'Attack paths to apis/payments' }).waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  const savedCard = frame.locator('g.node.observed', { hasText: 'GET /cards/{cardNumber}' });
  await savedCard.waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  const open = frame.locator('g.node.exposure-open', { hasText: 'GET /payment-methods' });
  await open.waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await frame.locator('li', { hasText: 'Internet exposed APIs that are unauthenticated carry sensitive data' }).waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await page.mouse.move(20, 880);
  await sleep(500);
  await screenshot(page, 'attack-paths');
  // Clicking a step opens where the repository declares it.
  await savedCard.click();
  await page.locator('.tabs-container .tab.active', { hasText: 'specification.yaml' }).waitFor({ state: 'visible', timeout: UI_WAIT_MS });
}

/** Show Posture Dashboard: the HTML report's content in a webview, live; a finding's place opens the code. */
async function uiCheckDashboard(page: Page): Promise<void> {
  await showPostureSidebar(page);
  await sidebarView(page, 'API Inventory').locator('.monaco-list-row', { hasText: 'Payments' }).first().waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await runPaletteCommand(page, 'APIM Posture: Show Posture Dashboard');
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  await frame.locator('h1', { hasText: 'APIM Posture report' }).waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  for (const section of ['goals', 'coverage', 'exposure', 'fix-first', 'attack-paths', 'findings']) await frame.locator(`section#${section}`).waitFor({ state: 'attached', timeout: UI_WAIT_MS });
  await frame.locator('article.goal').first().waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  // The goals' status icons are VS Code's codicon font, loaded from the extension.
  if (!(await frame.locator('body').evaluate("document.fonts.ready.then((fonts) => fonts.check('16px codicon'))"))) throw new Error('The codicon font did not load.');
  await page.mouse.move(20, 880);
  await sleep(500);
  await screenshot(page, 'dashboard');
  // The first place in the fix-first list opens its file.
  const place = frame.locator('section#fix-first a.loc').first();
  const label = (await place.innerText()).split(':')[0];
  await place.click();
  await page.locator('.tabs-container .tab.active', { hasText: path.basename(label) }).waitFor({ state: 'visible', timeout: UI_WAIT_MS });
}

async function uiCheckQuickFix(page: Page, workspace: string): Promise<void> {
  const spec = 'apis/partners/specification.yaml';
  const { line, column } = operationKeyPosition(path.join(workspace, spec), '/feeds/products', 'get');
  await quickOpen(page, spec);
  await goToLine(page, line, column);
  // The operation's code lens says how calls are authenticated: here, not at all.
  const lenses = page.locator('.part.editor .monaco-editor .codelens-decoration');
  await waitUntil('the code lens "unauthenticated"', async () => (await lenses.allInnerTexts()).some((lens) => lens.includes('unauthenticated')));
  const menu = await openQuickFixMenu(page);
  const expected = ['Require a subscription key for API partners', 'Require a JWT (validate-jwt)…'];
  const text = await waitUntil(`the quick-fix menu to list ${expected.join(' and ')}`, async () => {
    const shown = await menu.innerText();
    return expected.every((title) => shown.includes(title)) && shown;
  }).catch(async (error: Error) => {
    throw new Error(`${error.message} It lists:\n${await menu.innerText().catch(() => '(nothing)')}`);
  });
  if (!/Require a subscription key for API partners/.test(text.split('\n').find((row) => row.startsWith('Require')) ?? '')) throw new Error(`The subscription key fix is not the first one:\n${text}`);
  await sleep(300);
  await screenshot(page, 'quick-fix');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'hidden', timeout: UI_WAIT_MS });
}

async function uiCheckHover(page: Page, workspace: string): Promise<void> {
  // The last operation of the partners spec, scrolled towards the bottom of the editor: room above it for a tall hover.
  const spec = 'apis/partners/specification.yaml';
  const { line, column } = operationKeyPosition(path.join(workspace, spec), '/dropship-orders', 'post');
  if (!(await isActiveEditor(page, spec).catch(() => false))) await quickOpen(page, spec);
  await goToLine(page, line, column);
  for (let i = 0; i < 12; i++) await page.keyboard.press('Control+ArrowUp'); // scroll, the cursor stays
  const hover = page.locator('.monaco-hover').filter({ hasText: 'How to fix' }).first();
  await waitUntil('the hover (Ctrl+K Ctrl+I)', async () => {
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    await hover.waitFor({ state: 'visible', timeout: 3000 });
    return true;
  });
  const text = await hover.innerText();
  for (const part of ['API endpoints should be authenticated', 'create-dropship-order', 'How to fix']) if (!text.includes(part)) throw new Error(`The hover lacks "${part}":\n${text}`);
  // For the screenshot: the hover opens at most 250 px high; drag its top edge up, then scroll to the
  // extension's explanation (it comes after the problem's own hover).
  const edge = await page.locator('.monaco-resizable-hover .monaco-sash.orthogonal-edge-north:not(.disabled)').first().boundingBox().catch(() => null);
  const editor = await page.locator('.part.editor .monaco-editor.focused').boundingBox();
  if (edge && editor && edge.y - editor.y > 120) {
    const x = edge.x + edge.width / 2;
    await page.mouse.move(x, edge.y + edge.height / 2);
    await page.mouse.down();
    await page.mouse.move(x, editor.y + 40, { steps: 8 });
    await page.mouse.up();
  }
  await hover.getByText('API endpoints should be authenticated', { exact: true }).first().evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await sleep(500);
  await screenshot(page, 'hover');
  await page.keyboard.press('Escape');
}

async function uiCheckApplyQuickFix(page: Page, workspace: string): Promise<void> {
  const spec = 'apis/partners/specification.yaml';
  const { line, column } = operationKeyPosition(path.join(workspace, spec), '/feeds/products', 'get');
  if (!(await isActiveEditor(page, spec).catch(() => false))) await quickOpen(page, spec);
  await goToLine(page, line, column);
  const before = await statusBarErrors(page);
  const menu = await openQuickFixMenu(page);
  await menu.locator('.monaco-list-row.focused', { hasText: 'Require a subscription key for API partners' }).waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await page.keyboard.press('Enter');
  // The fix makes the API require a key: its three unauthenticated operations stop being errors.
  await waitUntil(`the error count to go down from ${before}`, async () => (await statusBarErrors(page)) < before);
  // The operation's code lens follows: no longer unauthenticated. (What Defender reported stays, from the snapshot.)
  const lenses = page.locator('.part.editor .monaco-editor .codelens-decoration');
  await waitUntil('the code lens "subscription key required" and no "unauthenticated" one', async () => {
    const text = (await lenses.allInnerTexts()).join('\n');
    return /subscription key required/.test(text) && !/unauthenticated/.test(text);
  });
  await sleep(300);
  await screenshot(page, 'quick-fix-applied');
}

async function uiCheckWelcome(page: Page): Promise<void> {
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  await showPostureSidebar(page);
  const welcome = sidebarView(page, 'API Inventory').locator('.welcome-view-content');
  await welcome.waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await welcome.getByText('No API Management APIs', { exact: false }).waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await welcome.locator('.monaco-button', { hasText: 'Open the Sample Repository' }).waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await page.mouse.move(700, 600); // off the activity bar: no tooltip in the screenshot
  await sleep(300);
  await screenshot(page, 'welcome');
}

/**
 * The extension as users get it: the .vsix installed with code-server's CLI into a fresh code-server (its
 * own empty user data and extensions folders, no development payload, no test settings), a workbench on
 * a fresh copy of samples/. Its activity bar item, views and Problems panel findings; screenshot vsix.png.
 * `serverDir` is the new code-server's folder, `started` gets its process to stop it.
 */
async function uiCheckInstalledVsix(page: Page, vsix: string, serverDir: string, workspace: string, started: (child: ChildProcess) => void): Promise<void> {
  await installVsix(serverDir, vsix);
  const server = await startCodeServer(serverDir, 'code-server-vsix.log');
  started(server.child);
  log(`vsix: installed ${path.basename(vsix)} into a fresh code-server on 127.0.0.1:${server.port}`);
  await page.goto(`http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  await showPostureSidebar(page); // the activity bar item, and its views open
  await uiCheckProblemsPanel(page, 'vsix');
  await page.keyboard.press('Control+J'); // the panel away again

  // "Require a JWT" on an unauthenticated operation, at the operation's scope: its finding goes.
  const spec = 'apis/partners/specification.yaml';
  const { line, column } = operationKeyPosition(path.join(workspace, spec), '/feeds/products', 'get');
  await quickOpen(page, spec);
  await goToLine(page, line, column);
  const before = await statusBarErrors(page);
  const menu = await openQuickFixMenu(page);
  await menu.locator('.monaco-list-row', { hasText: 'Require a JWT (validate-jwt)' }).first().click();
  const scopes = page.locator('.quick-input-widget .monaco-list-row');
  await waitUntil('the scope picker of validate-jwt', async () => (await scopes.first().innerText()).includes('This operation'));
  await page.keyboard.press('Enter');
  await waitUntil(`the error count to go down from ${before}`, async () => (await statusBarErrors(page)) < before);
  const policy = fs.readFileSync(path.join(workspace, 'apis/partners/operations/get-product-feed/policy.xml'), 'utf8');
  if (!policy.includes('<validate-jwt')) throw new Error(`The operation's policy.xml has no validate-jwt:\n${policy}`);
  await screenshot(page, 'vsix-jwt');
}

/**
 * The workbench on the generated 1,000-API × 10-operation tree stays responsive while the language
 * server analyses it: characters typed into one API's spec appear at once, and a command that runs in
 * the extension host (Show Output) answers within moments, both measured while re-analyses run.
 */
async function uiCheckLargeTree(page: Page, workspace: string): Promise<void> {
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  // The first analysis (a user setting gives it the time a tree this size takes on a loaded machine): the status bar item shows the counts when it is done.
  const status = page.locator('.part.statusbar [id$="apimPosture.status"]');
  await waitUntil('the first analysis of the 1,000 APIs', async () => /\d/.test(await status.innerText()), 180_000);
  const spec = 'apis/api-0001/specification.yaml';
  const lines = fs.readFileSync(path.join(workspace, spec), 'utf8').split('\n');
  const line = lines.findIndex((text) => text.includes('description:')) + 1;
  await quickOpen(page, spec);
  await goToLine(page, line, lines[line - 1].length + 1);
  const typed = 'responsive';
  const echoes: number[] = [];
  const hostAnswers: number[] = [];
  const viewLines = page.locator('.monaco-editor .view-lines').first();
  for (let index = 0; index < typed.length; index++) {
    const started = Date.now();
    await page.keyboard.type(typed[index]);
    await waitUntil(`"${typed.slice(0, index + 1)}" to appear in the editor`, async () => (await viewLines.innerText()).includes(typed.slice(0, index + 1)), 10_000);
    echoes.push(Date.now() - started);
    // Every third keystroke, a command that runs in the extension host, while the server analyses the last edits.
    if (index % 3 === 2) {
      const asked = Date.now();
      await runPaletteCommand(page, 'APIM Posture: Show Output');
      // The channel's lines say what each analysis read (an editor renders their spaces as no-break spaces).
      await waitUntil('the output channel', async () => /files\s+read/.test(await page.locator('.part.panel').first().innerText()), 10_000);
      hostAnswers.push(Date.now() - asked);
      await page.keyboard.press('Control+J');
      await quickOpen(page, spec);
      await goToLine(page, line, lines[line - 1].length + index + 2);
    }
    await sleep(150);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const maxEcho = Math.max(...echoes);
  const maxHost = Math.max(...hostAnswers);
  log(`large: typed ${typed.length} characters into ${spec} of the 1,000-API tree: echo median ${median(echoes)} ms, max ${maxEcho} ms (each ${echoes.join(', ')}); Show Output from the extension host median ${median(hostAnswers)} ms, max ${maxHost} ms (${hostAnswers.join(', ')})`);
  // Bounds for a loaded 2-core machine (the command's time includes typing its name into the palette); on the
  // extension host, before the language server, one analysis of this tree blocked everything for seconds.
  if (median(echoes) > 300 || maxEcho > 2500) throw new Error(`Typed characters took ${echoes.join(', ')} ms to appear.`);
  if (median(hostAnswers) > 3000 || maxHost > 10_000) throw new Error(`A command in the extension host took ${hostAnswers.join(', ')} ms to answer.`);
  await screenshot(page, 'large');
}

async function main(): Promise<number> {
  const checks: Check[] = [];
  let browser: Browser | undefined;
  let emulator: ArmEmulator | undefined;
  let runDir: string | undefined;
  let interrupted = false;
  const onSignal = (name: NodeJS.Signals) => {
    interrupted = true;
    log(`${name}: cleaning up`);
    void Promise.all([browser?.close().catch(() => undefined), killAllGroups()]).finally(() => process.exit(130));
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
    const run = prepareRun(fixture);
    runDir = run.runDir;
    const { workspace, resultsFile } = run;
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    for (const old of ['problems.png', 'problems-failed.png', 'workbench.log', 'code-server.log', 'code-server-vsix.log']) fs.rmSync(path.join(RESULTS_DIR, old), { force: true });
    // The .vsix first (npm run package leaves the production bundle in dist/; buildAll then rebuilds it).
    // A failure fails the .vsix check only.
    const vsix = path.join(runDir, 'apim-posture.vsix');
    const packaged = await (ONLY && ONLY !== 'vsix' ? Promise.reject(new Error(`not packaged: INTEGRATION_ONLY=${ONLY}`)) : packageVsix(vsix)).then(
      () => {
        log(`packaged apim-posture.vsix (${Math.round(fs.statSync(vsix).size / 1024)} KB) with npm run package`);
        return undefined;
      },
      (error: Error) => error,
    );
    await buildAll();
    log(`built the extension and the suite (${path.relative(ROOT, SUITE_INDEX)})`);
    log(`workspace: ${path.relative(ROOT, fixture) || '.'} copied to ${workspace}`);

    // 1. The ARM emulator (HTTPS, its certificate trusted by the extension host through NODE_EXTRA_CA_CERTS)
    //    serving the deployed Contoso service, and code-server, as its own process group, pointed at it
    //    by the user settings a user of another cloud would set.
    emulator = await new ArmEmulator(contosoState()).start();
    const caFile = path.join(runDir, 'emulator-ca.pem');
    fs.writeFileSync(caFile, emulator.ca);
    log(`ARM emulator up on ${emulator.endpoint}`);
    await installTestSignIn(runDir);
    const azureSettings = { 'apimPosture.azure.armEndpoint': emulator.endpoint, 'apimPosture.azure.authenticationProvider': 'apim-posture-test' };
    const { port } = await startCodeServer(runDir, 'code-server.log', { ...USER_SETTINGS, ...azureSettings }, { NODE_EXTRA_CA_CERTS: caFile, APIM_POSTURE_TEST_TOKEN: TEST_TOKEN });
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
      [
        'extensionEnvironment',
        JSON.stringify({
          RESULTS_FILE: resultsFile,
          INTEGRATION_LOG_PREFIX: LOG_PREFIX,
        }),
      ],
      ['skipWelcome', 'true'],
    ];
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    let code: number | 'timeout' = 0;
    if (!ONLY) {
      const page = await context.newPage();
      await page.goto(url);
      log('workbench opened; running the suite in the extension host');

      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS)));
      code = await Promise.race([exited, timeout]);
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
    }

    // 4. UI checks, in fresh workbenches with the extension under development (no tests module), on a
    //    fresh copy of the fixture (the suite changed its copy): the Problems panel, the APIM Posture side
    //    bar, the quick-fix menu, a hover, applying a quick fix; then the welcome view of an empty folder.
    if (code !== 'timeout') {
      for (const name of UI_SCREENSHOTS) for (const suffix of ['', '-failed']) fs.rmSync(path.join(RESULTS_DIR, `${name}${suffix}.png`), { force: true });
      const uiWorkspace = path.join(runDir, 'ui', path.basename(fixture));
      fs.cpSync(fixture, uiWorkspace, { recursive: true });
      const emptyFolder = path.join(runDir, 'empty');
      fs.mkdirSync(emptyFolder, { recursive: true });
      const uiPayload = encodeURIComponent(JSON.stringify([['extensionDevelopmentPath', remote(ROOT)], ['skipWelcome', 'true']]));
      const openWorkbench = async (folder: string): Promise<Page> => {
        const uiPage = await context.newPage();
        await uiPage.setViewportSize({ width: 1400, height: 900 });
        await uiPage.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}&payload=${uiPayload}`);
        return uiPage;
      };
      /** Runs one UI check as a test; on failure saves `<name>-failed.png`. A failed `needs` skips it. */
      const uiCheck = async (title: string, name: string, page: Page, body: () => Promise<void>, needs?: Check): Promise<Check> => {
        const uiStarted = Date.now();
        let check: Check;
        if ((needs && needs.state === 'failed') || (ONLY && name !== ONLY)) {
          check = { title, state: 'pending' };
        } else {
          try {
            await body();
            check = { title, state: 'passed', durationMs: Date.now() - uiStarted };
            log(`ui: ${name} (test-results/${name}.png)`);
          } catch (error) {
            await page.screenshot({ path: path.join(RESULTS_DIR, `${name}-failed.png`) }).catch(() => undefined);
            check = { title, state: 'failed', durationMs: Date.now() - uiStarted, error: (error as Error).stack ?? String(error) };
          }
        }
        checks.push(check);
        return check;
      };

      const samplePage = await openWorkbench(uiWorkspace);
      const problems = await uiCheck('ui: the Problems panel (Ctrl+Shift+M) shows the APIM Posture findings', 'problems', samplePage, () => uiCheckProblemsPanel(samplePage));
      await samplePage.keyboard.press('Control+J').catch(() => undefined); // hide the panel again, for the next screenshots
      await uiCheck('ui: the APIM Posture side bar lists the APIs, their operations with lock/unlock icons, and the findings by severity', 'sidebar', samplePage, () => uiCheckSidebar(samplePage), problems);
      const quickFix = await uiCheck('ui: Ctrl+. on an unauthenticated operation lists the subscription-key and validate-jwt fixes', 'quick-fix', samplePage, () => uiCheckQuickFix(samplePage, uiWorkspace), problems);
      await uiCheck('ui: hovering a finding (Ctrl+K Ctrl+I) explains it and how to fix it', 'hover', samplePage, () => uiCheckHover(samplePage, uiWorkspace), problems);
      await uiCheck('ui: Enter on the preferred quick fix removes the findings it fixes', 'quick-fix-applied', samplePage, () => uiCheckApplyQuickFix(samplePage, uiWorkspace), quickFix);
      await uiCheck('ui: Show Posture Dashboard shows goals, coverage, exposure, fix first, attack paths and findings in a webview; a place opens the code', 'dashboard', samplePage, () => uiCheckDashboard(samplePage), problems);
      await uiCheck("ui: Show Attack Paths on an API draws Internet → gateway → API → operations with Defender's path, and a step opens its spec", 'attack-paths', samplePage, () => uiCheckAttackPaths(samplePage), problems);
      await samplePage.close().catch(() => undefined);

      // Azure, on a copy of the sample without its snapshot (what Defender says must come from the load).
      const azureWorkspace = path.join(runDir, 'azure-ui', path.basename(fixture));
      fs.cpSync(fixture, azureWorkspace, { recursive: true });
      fs.rmSync(path.join(azureWorkspace, '.apim-posture'), { recursive: true, force: true });
      const azurePage = await context.newPage();
      await azurePage.setViewportSize({ width: 1400, height: 900 });
      await azurePage.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(azureWorkspace)}&payload=${uiPayload}`);
      await uiCheck(
        'ui: Azure: sign in, load Defender\'s findings and the drift, onboard an API, enable the plan, push a policy with a diff and a backup; a change made in Azure meanwhile is not overwritten; push an API property',
        'azure-loaded',
        azurePage,
        () => uiCheckAzure(azurePage, azureWorkspace, emulator!),
      );
      await azurePage.close().catch(() => undefined);

      // The generated 1,000-API tree (as the editor-large bench), typed into while it is analysed.
      const largeWorkspace = path.join(runDir, 'large');
      if (!ONLY || ONLY === 'large') generateApiopsTree(largeWorkspace, { apis: 1000, operationsPerApi: 10 });
      const largePage = await openWorkbench(largeWorkspace);
      await uiCheck('ui: typing into a spec of a 1,000-API tree while it is analysed: the characters appear at once and the extension host answers', 'large', largePage, () => uiCheckLargeTree(largePage, largeWorkspace));
      await largePage.close().catch(() => undefined);

      const emptyPage = await openWorkbench(emptyFolder);
      await uiCheck('ui: on an empty folder the API Inventory shows its welcome view with "Open the Sample Repository"', 'welcome', emptyPage, () => uiCheckWelcome(emptyPage));
      await emptyPage.close().catch(() => undefined);

      // The .vsix in a separate, fresh code-server, stopped right after (the failure screenshot first).
      const vsixWorkspace = path.join(runDir, 'vsix-ui', 'samples');
      fs.cpSync(path.join(ROOT, 'samples'), vsixWorkspace, { recursive: true });
      const vsixPage = await context.newPage();
      await vsixPage.setViewportSize({ width: 1400, height: 900 });
      let vsixServer: ChildProcess | undefined;
      try {
        await uiCheck('ui: installed from the .vsix into a fresh VS Code, the sample shows its findings, and "Require a JWT" on an operation makes its finding go', 'vsix', vsixPage, async () => {
          if (packaged) throw packaged;
          await uiCheckInstalledVsix(vsixPage, vsix, path.join(runDir!, 'vsix-server'), vsixWorkspace, (child) => (vsixServer = child));
        });
      } finally {
        await vsixPage.close().catch(() => undefined);
        await killGroup(vsixServer);
      }
    }
    workbenchLog.end();
  } catch (error) {
    checks.push({ title: 'the integration harness', state: 'failed', error: (error as Error).stack ?? String(error) });
  } finally {
    await Promise.race([browser?.close().catch(() => undefined), sleep(10_000)]);
    await killAllGroups();
    await emulator?.stop();
    // The run folder (workspace copy, user data) goes unless asked to keep it for a post-mortem.
    if (runDir && process.env.INTEGRATION_KEEP !== '1') fs.rmSync(runDir, { recursive: true, force: true });
  }
  if (interrupted) return 130;
  log('done');
  const failed = printSummary(checks);
  return failed > 0 || checks.length === 0 ? 1 : 0;
}

runAsMain(main);
