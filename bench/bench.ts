// npm run bench: wall time and peak memory of a whole scan, each case in a fresh process so that one
// case's garbage does not count against the next. Targets (2-core machine) are printed beside each figure.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isMainThread, Worker } from 'worker_threads';
import { dump } from 'js-yaml';
import { ParseCache } from '../src/core/parse/cache';
import { jsonReportPieces } from '../src/core/report/json';
import { sarifReportPieces } from '../src/core/report/sarif';
import { scan } from '../src/core/scan';
import { ENGINE_RESOURCE_LIMITS } from '../src/server/engineLimits';
import { azureCase, measureClient, serveEmulator } from './azureBench';
import { editorLargeCase } from './editorBench';
import { percentile } from './stats';
import { trendCase } from './trendBench';
import { generateApiopsTree } from './generateApiops';
import { generateTerraformTree } from './generateTerraform';
import { removeHostileRepository, writeHostileRepository, writeManyPathsSpec } from '../test/hostile/repository';

interface Case {
  /** What `npm run bench -- <key>` runs alone. */
  key: string;
  name: string;
  /** Also write the JSON and SARIF reports (to nowhere): their size is part of the attack. */
  reports?: boolean;
  targetMs: number;
  targetMb: number;
  prepare(folder: string): void;
  /** The APIs the scan must find: a generated tree that is not read would be fast for the wrong reason. */
  expectApis?: number;
}

const GITHUB_SPEC = path.join(__dirname, '..', 'node_modules', '@octokit', 'openapi', 'generated', 'api.github.com.json');

const CASES: Case[] = [
  {
    key: 'github-json',
    name: 'GitHub REST description, JSON (13 MB)',
    targetMs: 1000,
    targetMb: 300,
    prepare: (folder) => fs.copyFileSync(GITHUB_SPEC, path.join(folder, 'api.github.com.json')),
  },
  {
    key: 'github-yaml',
    name: 'GitHub REST description, YAML',
    targetMs: 1500,
    targetMb: 300,
    prepare: (folder) => fs.writeFileSync(path.join(folder, 'api.github.com.yaml'), dump(JSON.parse(fs.readFileSync(GITHUB_SPEC, 'utf8')), { noRefs: true, lineWidth: -1 })),
  },
  {
    key: 'apiops',
    name: 'APIOps tree, 1,000 APIs × 10 operations with policies',
    targetMs: 5000,
    targetMb: 500,
    prepare: (folder) => generateApiopsTree(folder, { apis: 1000, operationsPerApi: 10 }),
  },
  {
    key: 'terraform',
    name: 'Terraform tree, 1,000 azurerm APIs × 10 operations, specs and policies by file()',
    targetMs: 5000,
    targetMb: 500,
    expectApis: 1000,
    prepare: (folder) => generateTerraformTree(folder, { apis: 1000, operationsPerApi: 10 }),
  },
  {
    key: 'hostile',
    name: 'Hostile repository: every attack of test/hostile at full size, scanned and reported as JSON and SARIF',
    targetMs: 10_000,
    targetMb: 1024,
    reports: true,
    prepare: (folder) => writeHostileRepository(folder),
  },
  {
    key: 'many-paths',
    name: 'A spec of 200,000 paths, scanned and reported as JSON and SARIF',
    targetMs: 10_000,
    targetMb: 1536,
    reports: true,
    prepare: (folder) => writeManyPathsSpec(path.join(folder, 'openapi.json'), 200_000),
  },
];

/** Where a case's files are scanned: the hostile repository keeps its outside files beside `repo/`. */
function scanRoot(folder: string): string {
  const repo = path.join(folder, 'repo');
  return fs.existsSync(repo) ? repo : folder;
}

function measureInThisProcess(folder: string, reports: boolean): void {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const result = scan(scanRoot(folder));
  let reportBytes = 0;
  if (reports) {
    for (const piece of jsonReportPieces(result)) reportBytes += piece.length;
    for (const piece of sarifReportPieces(result)) reportBytes += piece.length;
  }
  const wallMs = performance.now() - started;
  // CPU time as well as wall time: on a shared, loaded machine the wall time says more about the neighbours.
  const cpu = process.cpuUsage(cpuStarted);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const apis = result.services.flatMap((service) => service.apis);
  const operations = apis.reduce((count, api) => count + api.operations.length, 0);
  const problems = result.services.reduce((count, service) => count + service.problems.length, 0);
  process.stdout.write(JSON.stringify({ wallMs, cpuMs, peakMb, findings: result.findings.length, apis: apis.length, operations, problems, reportBytes }));
}

/** A ~1 MB OpenAPI 3 spec: many operations with parameters and shared and inline schemas. */
function writeOneMegabyteSpec(folder: string): string {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (let index = 0; JSON.stringify({ paths, schemas }, null, 2).length < 1_000_000; index++) {
    schemas[`Customer${index}`] = {
      type: 'object',
      description: `Customer record ${index}`,
      properties: { id: { type: 'string' }, email: { type: 'string', format: 'email' }, phoneNumber: { type: 'string' }, address: { $ref: '#/components/schemas/Address' }, note: { type: 'string' } },
    };
    paths[`/customers${index}/{customerId}`] = {
      get: {
        operationId: `get-customer-${index}`,
        description: `Reads customer ${index}.`,
        parameters: [{ name: 'customerId', in: 'path', required: true, schema: { type: 'string' } }, { name: 'expand', in: 'query', schema: { type: 'string' } }],
        responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/Customer${index}` } } } } },
      },
      put: {
        operationId: `put-customer-${index}`,
        requestBody: { content: { 'application/json': { schema: { $ref: `#/components/schemas/Customer${index}` } } } },
        responses: { '204': { description: 'Updated' } },
      },
    };
  }
  schemas.Address = { type: 'object', properties: { street: { type: 'string' }, postalCode: { type: 'string' } } };
  const spec = { openapi: '3.0.3', info: { title: 'Customers', version: '1.0' }, servers: [{ url: 'https://contoso.azure-api.net/customers' }], paths, components: { schemas } };
  const file = path.join(folder, 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}

/** This benchmark run again with `argv` in a worker thread set up as the editor's engine is. */
function inEngineWorker(...argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { argv, resourceLimits: ENGINE_RESOURCE_LIMITS });
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the benchmark worker exited with ${code}`))));
  });
}

/** The editor's loop: a scan with the parse cache, then an edit of the spec (unsaved) and the scan again. */
function measureReanalysis(): void {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-bench-'));
  try {
    const file = writeOneMegabyteSpec(folder);
    const text = fs.readFileSync(file, 'utf8');
    const cache = new ParseCache();
    const before = scan(folder, { cache });
    if (before.services[0].apis[0]?.operations.length === 0) throw new Error('the generated spec was not read');
    // Typing: each edit adds to the previous text (a word typed into one description, then another),
    // and each is analysed as the editor would after its debounce.
    const timings: number[] = [];
    const cpuTimings: number[] = [];
    let edited = text;
    for (let edit = 0; edit < 30; edit++) {
      const customer = edit < 15 ? 7 : 42;
      edited = edited.replace(`"description": "Reads customer ${customer}.`, `"description": "Reads customer ${customer}. w${edit}`);
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      scan(folder, { cache, overlay: new Map([[file, edited]]) });
      const cpu = process.cpuUsage(cpuStarted);
      timings.push(performance.now() - started);
      cpuTimings.push((cpu.user + cpu.system) / 1000);
    }
    const first = timings[0];
    const median = percentile(timings, 0.5);
    const p90 = percentile(timings, 0.9);
    console.log(
      `Re-analysis after an edit of a ${(Buffer.byteLength(text) / 1024 / 1024).toFixed(1)} MB spec (editor, parse cache)
  median ${median.toFixed(0)} ms over ${timings.length} edits (first ${first.toFixed(0)} ms, p90 ${p90.toFixed(0)} ms; CPU median ${percentile(cpuTimings, 0.5).toFixed(0)} ms) (target ≤ 50 ms): ${median <= 50 ? 'within target' : 'OVER TARGET'}`,
    );
    const sample = path.join(__dirname, '..', 'samples');
    const started = performance.now();
    const result = scan(sample);
    console.log(`First analysis of the bundled sample (what the editor shows first)
  ${(performance.now() - started).toFixed(0)} ms for ${result.findings.length} findings (target: diagnostics ≤ 1 s after activation)`);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * GitHub's 13 MB description scanned by a whole `apim-posture scan` process (start-up, read, analyse,
 * the JSON report written), against an in-process JSON.parse of the same file: the best of 3 of each;
 * and beside them a bare process that only parses the file, the least any whole-process scan can take.
 */
function measureGithubProcess(): void {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-bench-'));
  try {
    const file = path.join(folder, 'api.github.com.json');
    fs.copyFileSync(GITHUB_SPEC, file);
    const text = fs.readFileSync(file, 'utf8');
    const parses: number[] = [];
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      JSON.parse(text);
      parses.push(performance.now() - started);
    }
    const scans: number[] = [];
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      execFileSync(process.execPath, [path.join(__dirname, 'cli.js'), 'scan', folder, '--format', 'json', '--fail-on', 'none'], { stdio: ['ignore', 'ignore', 'inherit'] });
      scans.push(performance.now() - started);
    }
    // What no whole-process scan can beat on this machine: Node starting, reading, decoding and parsing the file, nothing else.
    const bare: number[] = [];
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      execFileSync(process.execPath, ['-e', 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))', file], { stdio: 'ignore' });
      bare.push(performance.now() - started);
    }
    const parse = Math.min(...parses);
    const whole = Math.min(...scans);
    const floor = Math.min(...bare);
    console.log(
      `GitHub REST description (13 MB JSON): a whole \`apim-posture scan --format json\` process against an in-process JSON.parse\n` +
        `  ${whole.toFixed(0)} ms against ${parse.toFixed(0)} ms: ${(whole / parse).toFixed(1)}× (target ≤ 10×): ${whole <= 10 * parse ? 'within target' : 'OVER TARGET'}\n` +
        `  the floor: a bare \`node\` process that only reads and JSON.parses the file takes ${floor.toFixed(0)} ms, ${(floor / parse).toFixed(1)}×; the scan is ${(whole / floor).toFixed(1)}× the floor`,
    );
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** The vendored real files (every fixture workspace and the bundled sample), scanned one after another as a user would. */
function measureCorpus(): void {
  const repository = path.join(__dirname, '..');
  const fixtures = path.join(repository, 'test', 'fixtures', 'workspace');
  const folders = [
    ...fs
      .readdirSync(fixtures, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join(fixtures, entry.name)),
    path.join(repository, 'samples'),
  ];
  const started = performance.now();
  const lines: string[] = [];
  let findings = 0;
  let apis = 0;
  for (const folder of folders) {
    const folderStarted = performance.now();
    const result = scan(folder);
    findings += result.findings.length;
    const folderApis = result.services.reduce((count, service) => count + service.apis.length, 0);
    apis += folderApis;
    lines.push(`    ${path.relative(repository, folder)}: ${(performance.now() - folderStarted).toFixed(0)} ms, ${result.services.map((service) => service.layout).join('+')}, ${folderApis} APIs, ${result.findings.length} findings`);
  }
  const wallMs = performance.now() - started;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    `Corpus: the ${folders.length} vendored folders (test/fixtures/workspace/*, samples), scanned one after another\n` +
      `  total ${wallMs.toFixed(0)} ms, peak RSS ${peakMb.toFixed(0)} MB, ${apis} APIs, ${findings} findings\n${lines.join('\n')}`,
  );
}

async function main(): Promise<void> {
  const caseFolder = process.argv[2];
  // The editor analyses in the engine's worker thread: measured in one with the engine's heap limits.
  if (caseFolder === '--reanalysis') return isMainThread ? inEngineWorker('--reanalysis') : measureReanalysis();
  if (caseFolder === '--corpus') return measureCorpus();
  if (caseFolder === '--github-process') return measureGithubProcess();
  if (caseFolder === '--azure-emulator') return serveEmulator();
  if (caseFolder === '--azure-client') return measureClient(process.argv[3], process.argv[4]);
  if (caseFolder === '--azure') return void console.log(await azureCase(__filename));
  if (caseFolder === '--trend') return void console.log(await trendCase());
  if (caseFolder === '--case') return measureInThisProcess(process.argv[3], process.argv[4] === 'reports');
  const only = process.argv[2];
  const cases = only ? CASES.filter((benchCase) => benchCase.key === only) : CASES;
  const separate = ['reanalysis', 'editor-large', 'github-process', 'corpus', 'azure', 'trend'];
  if (only && cases.length === 0 && !separate.includes(only)) throw new Error(`No bench case ${only}: ${[...CASES.map((benchCase) => benchCase.key), ...separate].join(', ')}.`);
  const rows: string[] = [];
  for (const benchCase of cases) {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-bench-'));
    try {
      benchCase.prepare(folder);
      const output = execFileSync(process.execPath, [__filename, '--case', folder, benchCase.reports ? 'reports' : ''], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      const figures = JSON.parse(output) as { wallMs: number; cpuMs: number; peakMb: number; findings: number; apis: number; operations: number; problems: number; reportBytes: number };
      if (benchCase.expectApis !== undefined && figures.apis !== benchCase.expectApis) throw new Error(`${benchCase.key}: ${figures.apis} APIs read, ${benchCase.expectApis} expected`);
      const verdict = figures.wallMs <= benchCase.targetMs && figures.peakMb <= benchCase.targetMb ? 'within target' : 'OVER TARGET';
      rows.push(
        `${benchCase.name}\n  wall ${figures.wallMs.toFixed(0)} ms (target ≤ ${benchCase.targetMs} ms; CPU ${figures.cpuMs.toFixed(0)} ms), peak RSS ${figures.peakMb.toFixed(0)} MB (target ≤ ${benchCase.targetMb} MB): ${verdict}\n` +
          `  ${figures.apis} APIs, ${figures.operations} operations, ${figures.findings} findings, ${figures.problems} input problems` +
          (benchCase.reports ? `, ${(figures.reportBytes / 1024 / 1024).toFixed(1)} MB of JSON and SARIF` : ''),
      );
      console.log(rows[rows.length - 1]);
    } finally {
      removeHostileRepository(folder);
    }
  }
  if (!only || only === 'reanalysis') process.stdout.write(execFileSync(process.execPath, [__filename, '--reanalysis'], { encoding: 'utf8' }));
  if (!only || only === 'github-process') process.stdout.write(execFileSync(process.execPath, [__filename, '--github-process'], { encoding: 'utf8' }));
  if (!only || only === 'editor-large') console.log(await editorLargeCase(path.join(__dirname, 'server.js')));
  if (!only || only === 'corpus') process.stdout.write(execFileSync(process.execPath, [__filename, '--corpus'], { encoding: 'utf8' }));
  if (!only || only === 'azure') console.log(await azureCase(__filename));
  if (!only || only === 'trend') process.stdout.write(execFileSync(process.execPath, [__filename, '--trend'], { encoding: 'utf8' }));
}

void main();
