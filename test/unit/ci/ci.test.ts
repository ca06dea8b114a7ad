// The CI integrations as far as they run offline: the GitHub Action's own shell steps (taken from
// action.yml, with its ${{ }} expressions filled in as the runner would) against the bundled sample,
// and the Azure Pipelines template, which must parse and name only options the CLI has.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Writable } from 'stream';
import * as yaml from 'js-yaml';
import { run } from '../../../src/cli/main';

const REPOSITORY = path.join(__dirname, '..', '..', '..');

interface Step {
  id?: string;
  name?: string;
  run?: string;
  bash?: string;
  script?: string;
  env?: Record<string, string>;
  uses?: string;
  task?: string;
  condition?: string;
  inputs?: Record<string, string>;
}

const action = yaml.load(fs.readFileSync(path.join(REPOSITORY, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
};
const pipeline = yaml.load(fs.readFileSync(path.join(REPOSITORY, 'ci', 'azure-pipelines', 'apim-posture.yml'), 'utf8')) as { parameters: { name: string }[]; steps: Step[] };

/** `--help` of the CLI: every option a CI script passes must be in it. */
function cliHelp(): string {
  let out = '';
  run(['--help'], { out: new Writable({ write: (chunk, _encoding, done) => ((out += String(chunk)), done()) }), err: process.stderr });
  return out;
}

function optionsIn(script: string): string[] {
  return [...new Set(script.match(/(?<![\w-])--[a-z][a-z-]+/g) ?? [])].filter((option) => !['--no-audit', '--no-fund', '--silent', '--repo', '--body-file', '--edit-last'].includes(option));
}

describe('CI: the GitHub Action', () => {
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-action-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  /** Fills in `${{ ... }}` as the runner would, from these inputs, contexts and earlier steps' outputs. */
  function expand(text: string, values: Record<string, string>): string {
    return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_whole, expression: string) => {
      assert.ok(expression in values, `the test does not know ${expression}`);
      return values[expression];
    });
  }

  function runStep(step: Step, values: Record<string, string>, environment: Record<string, string>) {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: os.homedir(), ...environment };
    for (const [name, value] of Object.entries(step.env ?? {})) env[name] = expand(value, values);
    return spawnSync('bash', ['-e', '-c', step.run!], { cwd: REPOSITORY, env, encoding: 'utf8' });
  }

  it('is a composite action on Node 20 that builds the CLI from its own checkout and uploads the SARIF', () => {
    assert.strictEqual(action.runs.using, 'composite');
    const [setup, build] = action.runs.steps;
    assert.match(setup.uses ?? '', /^actions\/setup-node@/);
    assert.match(build.run ?? '', /npm ci[^\n]*\n\s*npm run build/);
    assert.ok(action.runs.steps.some((step) => /^github\/codeql-action\/upload-sarif@/.test(step.uses ?? '')));
    assert.deepStrictEqual(Object.keys(action.inputs).sort(), ['fail-on', 'fail-on-goals', 'github-token', 'path', 'sarif-upload', 'snapshot']);
    const help = cliHelp();
    for (const step of action.runs.steps.filter((candidate) => candidate.run)) for (const option of optionsIn(step.run!)) assert.ok(help.includes(option), `${option} is not a CLI option`);
  });

  it('runs the scan on the sample: the goals summary in the job summary and the comment, SARIF written, exit code 1 for the unmet blocking goal', function () {
    this.timeout(180_000);
    // The built CLI (dist/cli.js) stands in for the bundle the action builds: the same entry point, run from the sources.
    const actionPath = path.join(temp, 'action');
    fs.mkdirSync(path.join(actionPath, 'dist'), { recursive: true });
    fs.writeFileSync(
      path.join(actionPath, 'dist', 'cli.js'),
      `require(${JSON.stringify(require.resolve('tsx/cjs'))});
const { run } = require(${JSON.stringify(path.join(REPOSITORY, 'src', 'cli', 'main.ts'))});
Promise.resolve(run(process.argv.slice(2), { out: process.stdout, err: process.stderr })).then((code) => (process.exitCode = code));
`,
    );
    const summaryFile = path.join(temp, 'step-summary.md');
    const outputFile = path.join(temp, 'output.txt');
    fs.writeFileSync(summaryFile, '');
    fs.writeFileSync(outputFile, '');
    const values: Record<string, string> = {
      ...Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [`inputs.${name}`, input.default])),
      'inputs.path': 'samples',
      'inputs.fail-on': 'none',
      'github.action_path': actionPath,
      'runner.temp': temp,
      'github.server_url': 'https://github.com',
      'github.repository': 'contoso/outfitters',
      'github.sha': '0123abc',
    };
    const scanStep = action.runs.steps.find((step) => step.id === 'scan')!;
    const scanned = runStep(scanStep, values, { GITHUB_STEP_SUMMARY: summaryFile, GITHUB_OUTPUT: outputFile });
    assert.strictEqual(scanned.status, 0, scanned.stderr);
    assert.match(scanned.stderr, /A blocking goal is not met: all-authenticated\./);

    const outputs = Object.fromEntries(fs.readFileSync(outputFile, 'utf8').trim().split('\n').map((line) => line.split('=', 2) as [string, string]));
    // samples/.apim-posture.json: all-authenticated is blocking and not met (test/unit/goals/goals.test.ts works it out), so 1 even with fail-on none.
    assert.strictEqual(outputs['exit-code'], '1');
    assert.strictEqual(outputs['sarif-file'], path.join(temp, 'apim-posture', 'apim-posture.sarif'));
    assert.strictEqual(JSON.parse(fs.readFileSync(outputs['sarif-file'], 'utf8')).runs[0].properties.goalsSource, 'repository');

    const summary = fs.readFileSync(summaryFile, 'utf8');
    assert.strictEqual(fs.readFileSync(outputs['comment-file'], 'utf8'), summary);
    assert.match(summary, /^# APIM Posture\n/);
    // max-risk is met (39, test/unit/goals/goals.test.ts works it out), and 4 more.
    assert.match(summary, /\n## Goals \(5 of 12 met\)\n/);
    assert.match(summary, /\| ❌ NOT MET \| Every operation requires authentication \(blocking\) `all-authenticated` \| 66\.7% \| ≥ 100% \|/);
    // The copy is not a git repository: the findings are dated by Defender's statusChangeDate in the snapshot (2026-04-20), months ago.
    assert.match(summary, /\| ❌ NOT MET \| high-within-30-days `high-within-30-days` \| \d{3} \| ≤ 30 \|/);
    // Links point at the file in the repository at the commit.
    assert.ok(summary.includes('](https://github.com/contoso/outfitters/blob/0123abc/samples/apis/orders/specification.yaml#L87)'), summary);
    assert.match(summary, /\*\*A blocking goal is not met: all-authenticated\.\*\*\n$/);

    // The last step passes the scan's exit code on.
    const verdict = action.runs.steps[action.runs.steps.length - 1];
    const passed = runStep(verdict, { ...values, 'steps.scan.outputs.exit-code': outputs['exit-code'] }, {});
    assert.strictEqual(passed.status, 1);
  });
});

describe('CI: the Azure Pipelines template', () => {
  it('parses, takes the documented parameters and names only options the CLI has', () => {
    assert.deepStrictEqual(pipeline.parameters.map((parameter) => parameter.name), ['path', 'repositoryPath', 'toolPath', 'failOn', 'failOnGoals', 'snapshot']);
    const help = cliHelp();
    const scripts = pipeline.steps.map((step) => step.bash ?? step.script ?? '').filter(Boolean);
    assert.strictEqual(scripts.length, 2);
    for (const script of scripts) for (const option of optionsIn(script)) assert.ok(help.includes(option), `${option} is not a CLI option`);
    assert.match(scripts[1], /##vso\[task\.uploadsummary\]\$OUT\/goals\.md/);
    const publish = pipeline.steps.find((step) => step.task?.startsWith('PublishBuildArtifacts'))!;
    assert.strictEqual(publish.condition, 'succeededOrFailed()');
    assert.strictEqual(publish.inputs?.ArtifactName, 'CodeAnalysisLogs');
  });
});
