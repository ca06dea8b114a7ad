// trend: `apim-posture trend` over 200 commits of a repository the size of the sample: the sample
// committed once, then each commit changing one or two of its files as a team would (an operation
// policy, a spec's description, a subscription added or removed), the walk timed alone.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { walkHistory } from '../src/core/history/walk';

const COMMITS = 200;
const TARGET_MS = 30_000;
const SAMPLES = path.join(__dirname, '..', 'samples');

/** Commits of the sample, each a small change; dated a day apart so that dates and days are the history's. */
function buildHistory(folder: string): void {
  fs.cpSync(SAMPLES, folder, { recursive: true });
  const git = (args: string[], date?: string) =>
    execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: folder,
      stdio: 'ignore',
      env: { ...process.env, ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}) },
    });
  git(['init', '--quiet']);
  const spec = path.join(folder, 'apis', 'payments', 'specification.yaml');
  const specText = fs.readFileSync(spec, 'utf8');
  const policy = path.join(folder, 'apis', 'orders', 'operations', 'track-shipment', 'policy.xml');
  const policyText = fs.readFileSync(policy, 'utf8');
  const subscription = path.join(folder, 'subscriptions', 'bench-probe', 'subscriptionInformation.json');
  for (let index = 0; index < COMMITS; index++) {
    const change = index % 3;
    if (index === 0) {
      // The sample as it is.
    } else if (change === 0) {
      fs.writeFileSync(spec, specText.replace(/^( {2}description: .*)$/m, `$1 Revision ${index}.`));
    } else if (change === 1) {
      fs.writeFileSync(policy, index % 2 === 0 ? policyText : policyText.replace('<inbound>\n', '<inbound>\n\t\t<base />\n'));
    } else if (fs.existsSync(subscription)) {
      fs.rmSync(path.dirname(subscription), { recursive: true });
    } else {
      fs.mkdirSync(path.dirname(subscription), { recursive: true });
      fs.writeFileSync(subscription, JSON.stringify({ properties: { displayName: `Probe ${index}`, scope: '/apis', state: 'active' } }, null, 2));
    }
    git(['add', '--all', '.']);
    git(['commit', '--quiet', '--allow-empty', '--message', `change ${index}`], new Date(Date.UTC(2026, 0, 1) + index * 24 * 60 * 60 * 1000).toISOString());
  }
}

export async function trendCase(): Promise<string> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-bench-'));
  try {
    buildHistory(folder);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const walk = await walkHistory(folder);
    const ms = performance.now() - started;
    // CPU time as well: on a shared, loaded machine the wall time says more about the neighbours.
    const cpu = process.cpuUsage(cpuStarted);
    if (walk.points.length !== COMMITS) throw new Error(`trend: ${walk.points.length} points for ${COMMITS} commits`);
    return `trend: ${walk.points.length} commits in ${ms.toFixed(0)} ms (target ≤ ${TARGET_MS / 1000} s; this process's CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms): ${ms <= TARGET_MS ? 'within target' : 'OVER TARGET'}`;
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
