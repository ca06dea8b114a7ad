// The same integration suite in desktop VS Code through @vscode/test-electron, for machines with
// internet access (it downloads VS Code into .vscode-test/). Offline, use run.ts (code-server).
//
//   npx tsx test/integration/runElectron.ts [--workspace DIR]
import { runTests } from '@vscode/test-electron';
import * as fs from 'fs';
import { buildAll, Check, fixtureWorkspace, prepareRun, printSummary, readResults, ROOT, SUITE_INDEX, runAsMain } from './build';

async function main(): Promise<number> {
  const checks: Check[] = [];
  const fixture = fixtureWorkspace();
  await buildAll();
  const { runDir, workspace, resultsFile } = prepareRun(fixture);
  try {
    const code = await runTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: SUITE_INDEX,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
      extensionTestsEnv: { RESULTS_FILE: resultsFile },
    }).catch((error: unknown) => {
      checks.push({ title: 'VS Code ran the suite', state: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      return undefined;
    });
    const results = readResults(resultsFile);
    checks.push(...(results?.tests ?? []));
    if (code !== undefined && !results) checks.push({ title: 'the suite wrote its results', state: 'failed', error: `VS Code exited with ${code} and no ${resultsFile}.` });
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
  const failed = printSummary(checks);
  return failed > 0 || checks.length === 0 ? 1 : 0;
}

runAsMain(main);
