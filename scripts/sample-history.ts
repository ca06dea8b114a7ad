// npx tsx scripts/sample-history.ts <folder>: builds a git repository in <folder> (which must not exist)
// from samples/, with dated commits that tell how the Contoso Outfitters service got where it is: the
// inventory API added without authentication, fixed, then rolled back; a key to every API given to
// the probes, taken away and given back; track-shipment opened to carriers. Its last commit holds
// the sample's files (but the snapshot of Azure, a separate export) and a `.apim-posture.json` with
// goals. `apim-posture trend <folder>` walks it; the trend tests check its points and ages by hand.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const SAMPLES = path.join(__dirname, '..', 'samples');

/** The goals of the story: no key to every API, and no high finding open more than 30 days. */
export const SAMPLE_HISTORY_GOALS = {
  goals: [
    { id: 'no-all-apis-keys', title: 'No subscription key opens every API', metric: 'findings', rule: 'subscription-all-apis', target: { max: 0 } },
    { id: 'high-within-30-days', title: 'High findings are fixed within 30 days', metric: 'finding-age-days', severity: 'high', target: { max: 30 } },
  ],
};

/** One commit of the story: its date (UTC), its message, and what it changes in the folder. */
interface Step {
  date: string;
  message: string;
  change: (files: Files) => void;
}

const JWT_ON_INVENTORY = `<policies>
	<inbound>
		<base />
		<include-fragment fragment-id="jwt-auth" />
	</inbound>
	<backend>
		<base />
	</backend>
	<outbound>
		<base />
	</outbound>
	<on-error>
		<base />
	</on-error>
</policies>
`;

const INVENTORY = ['apis/inventory', 'products/store-ops/apis/inventory'];
const PROBE_KEY = 'subscriptions/ops-monitoring-all-apis';
const PAYMENTS_SPEC = 'apis/payments/specification.yaml';
const TRACK_SHIPMENT_POLICY = 'apis/orders/operations/track-shipment/policy.xml';

export const SAMPLE_HISTORY: readonly Step[] = [
  {
    date: '2026-01-05T10:00:00Z',
    message: 'Extract the Contoso Outfitters service from API Management',
    change: (files) => {
      files.copyAll();
      for (const folder of [...INVENTORY, 'apis/product-graph', PROBE_KEY, '.apim-posture']) files.remove(folder);
      // The payments API had no description yet, and track-shipment kept the API's validate-jwt.
      files.edit(PAYMENTS_SPEC, (text) => text.replace(/^ {2}description: .*\n/m, ''));
      files.edit(TRACK_SHIPMENT_POLICY, (text) => text.replace('<inbound>\n', '<inbound>\n\t\t<base />\n'));
      files.write('.apim-posture.json', JSON.stringify(SAMPLE_HISTORY_GOALS, null, 2) + '\n');
    },
  },
  { date: '2026-01-19T10:00:00Z', message: 'Add the inventory API for the store apps (no authentication yet)', change: (files) => INVENTORY.forEach((folder) => files.restore(folder)) },
  { date: '2026-02-02T10:00:00Z', message: "Give the ops team's synthetic probes a key to every API", change: (files) => files.restore(PROBE_KEY) },
  { date: '2026-02-09T10:00:00Z', message: 'Describe the payments API (its operations move one line down)', change: (files) => files.restore(PAYMENTS_SPEC) },
  { date: '2026-02-16T10:00:00Z', message: 'Let carriers call track-shipment without a token', change: (files) => files.restore(TRACK_SHIPMENT_POLICY) },
  { date: '2026-02-23T10:00:00Z', message: 'Require a token on the inventory API (the jwt-auth fragment)', change: (files) => files.write('apis/inventory/policy.xml', JWT_ON_INVENTORY) },
  { date: '2026-03-02T10:00:00Z', message: 'Take the all-APIs key away from the probes: they use per-API keys now', change: (files) => files.remove(PROBE_KEY) },
  { date: '2026-03-09T10:00:00Z', message: 'Add the product-graph GraphQL API', change: (files) => files.restore('apis/product-graph') },
  { date: '2026-03-16T10:00:00Z', message: "Roll back the inventory API's token check: the store apps' tokens were refused", change: (files) => files.remove('apis/inventory/policy.xml') },
  { date: '2026-03-23T10:00:00Z', message: 'Give the probes their all-APIs key back until every API has its own', change: (files) => files.restore(PROBE_KEY) },
];

/** The folder being built, by paths relative to it (`/`-separated). */
class Files {
  constructor(private readonly root: string) {}

  copyAll(): void {
    fs.cpSync(SAMPLES, this.root, { recursive: true });
  }

  restore(relative: string): void {
    fs.cpSync(path.join(SAMPLES, relative), path.join(this.root, relative), { recursive: true });
  }

  remove(relative: string): void {
    fs.rmSync(path.join(this.root, relative), { recursive: true });
  }

  write(relative: string, text: string): void {
    fs.writeFileSync(path.join(this.root, relative), text);
  }

  edit(relative: string, change: (text: string) => string): void {
    const file = path.join(this.root, relative);
    const before = fs.readFileSync(file, 'utf8');
    const after = change(before);
    if (after === before) throw new Error(`the story's edit of ${relative} changed nothing: samples/ changed, update scripts/sample-history.ts`);
    fs.writeFileSync(file, after);
  }
}

/** Builds the repository; `steps` defaults to the whole story (tests may stop it early). */
export function buildSampleHistory(folder: string, steps: readonly Step[] = SAMPLE_HISTORY): void {
  if (fs.existsSync(folder)) throw new Error(`${folder} already exists: the history is built in a new folder.`);
  fs.mkdirSync(folder, { recursive: true });
  const git = (args: string[], env: NodeJS.ProcessEnv = {}) => execFileSync('git', args, { cwd: folder, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
  git(['init', '--quiet', '--initial-branch=main']);
  const files = new Files(folder);
  for (const step of steps) {
    step.change(files);
    git(['add', '--all', '.']);
    const date = step.date;
    git(['-c', 'user.name=Contoso Platform Team', '-c', 'user.email=platform@contoso.example', '-c', 'commit.gpgsign=false', 'commit', '--quiet', '--message', step.message], {
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    });
  }
}

if (require.main === module) {
  const folder = process.argv[2];
  if (!folder) {
    console.error('Usage: npx tsx scripts/sample-history.ts <new folder>');
    process.exit(2);
  }
  buildSampleHistory(path.resolve(folder));
  console.log(`Built ${SAMPLE_HISTORY.length} commits in ${folder}: try apim-posture trend ${folder}`);
}
