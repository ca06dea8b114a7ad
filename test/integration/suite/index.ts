// The tests module of the integration suite: the entry that VS Code's extension host loads
// (extensionTestsPath), under code-server (test/integration/run.ts) or desktop VS Code
// (test/integration/runElectron.ts, @vscode/test-electron). Contract: `run(): Promise<void>`,
// resolved when every test passed. Compiled by test/integration/build.ts to
// dist/test/integration/suite/index.js, next to the compiled *.test.js files.
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import Mocha from 'mocha';

/** What the runners read back: written to process.env.RESULTS_FILE. */
export interface SuiteResults {
  passes: number;
  failures: number;
  pending: number;
  durationMs: number;
  tests: { title: string; state: 'passed' | 'failed' | 'pending'; durationMs?: number; error?: string }[];
}

function testFiles(folder: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) files.push(...testFiles(full));
    else if (entry.name.endsWith('.test.js')) files.push(full);
  }
  return files.sort();
}

export function run(): Promise<void> {
  // Under code-server the reporter's lines reach the runner mixed with the workbench's console: a
  // prefix (passed through the extension environment) lets the runner pick them out.
  const prefix = process.env.INTEGRATION_LOG_PREFIX;
  if (prefix) {
    Mocha.reporters.Base.consoleLog = (...args: unknown[]) =>
      console.log(util.format(...args).split('\n').map((line) => prefix + line).join('\n'));
  }
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const files = testFiles(__dirname);
  for (const file of files) mocha.addFile(file);

  const results: SuiteResults = { passes: 0, failures: 0, pending: 0, durationMs: 0, tests: [] };
  const started = Date.now();
  const write = () => {
    results.durationMs = Date.now() - started;
    const target = process.env.RESULTS_FILE;
    if (target) fs.writeFileSync(target, JSON.stringify(results, null, 2));
  };

  return new Promise<void>((resolve, reject) => {
    if (files.length === 0) {
      write();
      reject(new Error(`No *.test.js files under ${__dirname}.`));
      return;
    }
    try {
      const runner = mocha.run((failures) => {
        write();
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed.`));
        else resolve();
      });
      runner.on('pass', (test) => {
        results.passes++;
        results.tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration });
      });
      runner.on('fail', (test, error: Error) => {
        results.failures++;
        results.tests.push({ title: test.fullTitle(), state: 'failed', durationMs: test.duration, error: error?.stack ?? String(error) });
      });
      runner.on('pending', (test) => {
        results.pending++;
        results.tests.push({ title: test.fullTitle(), state: 'pending' });
      });
    } catch (error) {
      results.failures++;
      results.tests.push({ title: 'loading the integration suite', state: 'failed', error: (error as Error)?.stack ?? String(error) });
      write();
      reject(error);
    }
  });
}
