// npm run bench: wall time and peak memory of a whole scan, each case in a fresh process so that one
// case's garbage does not count against the next. Targets (2-core machine) are printed beside each figure.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { dump } from 'js-yaml';
import { scan } from '../src/core/scan';
import { generateApiopsTree } from './generateApiops';

interface Case {
  name: string;
  targetMs: number;
  targetMb: number;
  prepare(folder: string): void;
}

const GITHUB_SPEC = path.join(__dirname, '..', 'node_modules', '@octokit', 'openapi', 'generated', 'api.github.com.json');

const CASES: Case[] = [
  {
    name: 'GitHub REST description, JSON (13 MB)',
    targetMs: 1000,
    targetMb: 300,
    prepare: (folder) => fs.copyFileSync(GITHUB_SPEC, path.join(folder, 'api.github.com.json')),
  },
  {
    name: 'GitHub REST description, YAML',
    targetMs: 1500,
    targetMb: 300,
    prepare: (folder) => fs.writeFileSync(path.join(folder, 'api.github.com.yaml'), dump(JSON.parse(fs.readFileSync(GITHUB_SPEC, 'utf8')), { noRefs: true, lineWidth: -1 })),
  },
  {
    name: 'APIOps tree, 1,000 APIs × 10 operations with policies',
    targetMs: 5000,
    targetMb: 500,
    prepare: (folder) => generateApiopsTree(folder, { apis: 1000, operationsPerApi: 10 }),
  },
];

function measureInThisProcess(folder: string): void {
  const started = performance.now();
  const result = scan(folder);
  const wallMs = performance.now() - started;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const operations = result.service.apis.reduce((count, api) => count + api.operations.length, 0);
  process.stdout.write(JSON.stringify({ wallMs, peakMb, findings: result.findings.length, apis: result.service.apis.length, operations, problems: result.service.problems.length }));
}

function main(): void {
  const caseFolder = process.argv[2];
  if (caseFolder) return measureInThisProcess(caseFolder);
  const rows: string[] = [];
  for (const benchCase of CASES) {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-bench-'));
    try {
      benchCase.prepare(folder);
      const output = execFileSync(process.execPath, [__filename, folder], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      const figures = JSON.parse(output) as { wallMs: number; peakMb: number; findings: number; apis: number; operations: number; problems: number };
      const verdict = figures.wallMs <= benchCase.targetMs && figures.peakMb <= benchCase.targetMb ? 'within target' : 'OVER TARGET';
      rows.push(
        `${benchCase.name}\n  wall ${figures.wallMs.toFixed(0)} ms (target ≤ ${benchCase.targetMs} ms), peak RSS ${figures.peakMb.toFixed(0)} MB (target ≤ ${benchCase.targetMb} MB): ${verdict}\n` +
          `  ${figures.apis} APIs, ${figures.operations} operations, ${figures.findings} findings, ${figures.problems} input problems`,
      );
      console.log(rows[rows.length - 1]);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  }
}

main();
