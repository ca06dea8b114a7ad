// Shared by the two integration runners: builds the extension and the suite, copies the fixture
// workspace, prints the summary.
import { spawnSync } from 'child_process';
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { SuiteResults } from './suite/index';

export const ROOT = path.resolve(__dirname, '..', '..');
export const SUITE_OUT = path.join(ROOT, 'dist', 'test', 'integration');
export const SUITE_INDEX = path.join(SUITE_OUT, 'suite', 'index.js');

function sources(folder: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) files.push(...sources(full));
    else if (entry.name.endsWith('.test.ts')) files.push(full);
  }
  return files;
}

/** Builds dist/extension.js (the project's esbuild.js) and the suite (index + every *.test.ts, `vscode` and mocha external). */
export async function buildAll(): Promise<void> {
  const extension = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.js')], { cwd: ROOT, stdio: 'inherit' });
  if (extension.status !== 0) throw new Error('Building the extension (node esbuild.js) failed.');
  const suite = path.join(ROOT, 'test', 'integration', 'suite');
  fs.rmSync(SUITE_OUT, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [path.join(suite, 'index.ts'), ...sources(suite)],
    outbase: path.join(ROOT, 'test', 'integration'),
    outdir: SUITE_OUT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
}

/** The fixture workspace: argument `--workspace DIR`, else $INTEGRATION_WORKSPACE, else samples/. */
export function fixtureWorkspace(argv = process.argv.slice(2)): string {
  const index = argv.indexOf('--workspace');
  const chosen = (index >= 0 ? argv[index + 1] : undefined) ?? process.env.INTEGRATION_WORKSPACE ?? 'samples';
  const folder = path.resolve(ROOT, chosen);
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`Fixture workspace ${folder} is not a folder.`);
  return folder;
}

/** A fresh run folder with a copy of the fixture workspace (tests may modify files). */
export function prepareRun(fixture: string): { runDir: string; workspace: string; resultsFile: string } {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-it-'));
  const workspace = path.join(runDir, path.basename(fixture));
  fs.cpSync(fixture, workspace, { recursive: true });
  return { runDir, workspace, resultsFile: path.join(runDir, 'results.json') };
}

export interface Check {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export function readResults(file: string): SuiteResults | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as SuiteResults;
  } catch {
    return undefined;
  }
}

/** Prints each check and the closing line `N passed, N failed`; returns the number failed. */
export function printSummary(checks: Check[]): number {
  console.log('\nIntegration summary:');
  for (const check of checks) {
    const mark = check.state === 'passed' ? 'ok  ' : check.state === 'pending' ? 'skip' : 'FAIL';
    const time = check.durationMs !== undefined ? ` (${check.durationMs} ms)` : '';
    console.log(`  ${mark} ${check.title}${time}`);
    if (check.error) console.log(check.error.replace(/^/gm, '         '));
  }
  const passed = checks.filter((check) => check.state === 'passed').length;
  const failed = checks.filter((check) => check.state === 'failed').length;
  const skipped = checks.filter((check) => check.state === 'pending').length;
  if (skipped) console.log(`(${skipped} skipped)`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed;
}

/** Runs a runner's main: its exit code, or, when it throws, a failed summary line the CI can read. */
export function runAsMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      console.log('0 passed, 1 failed');
      process.exit(1);
    },
  );
}
