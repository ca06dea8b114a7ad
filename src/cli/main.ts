// apim-posture: the posture engine on the command line, for CI and for people who prefer a terminal.
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import type { TokenCredential } from '@azure/core-auth';
import type { ArmConnection } from '../core/azure/arm';
import type { ReadableSubscription } from '../core/azure/resourceGraph';
import { DEFAULT_SNAPSHOT_PATH, writeSnapshotFile } from '../core/azure/snapshot';
import { describeSnapshotError, summarizeSnapshot } from '../core/azure/summary';
import { SEVERITY_ORDER, type Finding, type Severity } from '../core/findings';
import { describePriority } from '../core/priority/priority';
import { jsonReportPieces } from '../core/report/json';
import { chunked } from '../core/report/jsonStream';
import { toAnalysisReport } from '../core/report/analysisReport';
import { formatHtml } from '../core/report/html';
import { formatGoalsSummary, formatMarkdown } from '../core/report/markdown';
import { sarifReportPieces } from '../core/report/sarif';
import type { ScanResult } from '../core/report/scanResult';
import { relativePath } from '../core/report/common';
import { failingGoals, goalsVerdict } from '../core/report/goals';
import { formatGoals, formatTable } from '../core/report/table';
import { RULE_CATALOG, ruleById } from '../core/rules/catalog';
import { scan, TOOL_VERSION } from '../core/scan';
import { HistoryUnavailable } from '../core/history/git';
import { DEFAULT_MAX_COMMITS, walkHistory, type HistoryWalk, type WalkOptions } from '../core/history/walk';
import { ParseCache } from '../core/parse/cache';
import { formatTrendMarkdown, formatTrendTable } from '../core/report/trend';

/** Documented in the README and in `--help`. */
export const EXIT = { ok: 0, findings: 1, usage: 2, failure: 3, partial: 4 } as const;

const FORMATS = ['table', 'json', 'sarif', 'markdown', 'html'] as const;
/** The `goals` command's: the goals section of the table alone, or the goals summary in Markdown. */
const GOALS_FORMATS = ['table', 'markdown'] as const;
type Format = (typeof FORMATS)[number] | 'goals' | 'goals-markdown';

const HELP = `APIM Posture ${TOOL_VERSION}: predicts Defender for APIs findings from an API Management repository.

Usage:
  apim-posture scan [path] [--format table|json|sarif|markdown|html] [--output file] [--fail-on high|medium|low|info|none] [--no-color]
                    [--snapshot file | --no-snapshot] [--snapshot-max-age days] [--coverage] [--fail-on-goals] [--sort priority|severity]
                    [--summary file] [--link-base url] [--exit-zero]
  apim-posture goals [path] [--format table|markdown] [--output file] [--snapshot file | --no-snapshot] [--fail-on-goals]
                     [--exit-zero] [--no-color]
  apim-posture trend [path] [--since 90d|YYYY-MM-DD] [--per commit|day] [--max-commits n] [--format table|json|markdown]
  apim-posture snapshot export [--subscription id ...] [--output file] [--endpoint url] [--credential default|cli] [--include-healthy]
                               [--allow-partial]
  apim-posture explain <rule>
  apim-posture explain <finding id> [path] [--snapshot file | --no-snapshot]
  apim-posture rules
  apim-posture --help | --version

scan      Reads OpenAPI specs, policy XML, APIOps and Bicep files below path (default: .) and reports findings;
          path may also be one OpenAPI file: it is read as the one API, with the files it $refs below its folder.
          With a snapshot of Azure (--snapshot, or ${DEFAULT_SNAPSHOT_PATH} below path when present),
          Defender's findings on the deployed service (origin "observed") and the drift between git
          and Azure join the predicted findings; every report says when the snapshot was taken, which
          parts of it Azure did not answer, and that it is stale past --snapshot-max-age days (default 7).
          Every report says what was read and what was not;
          --coverage lists, in the table, each APIM file not read with its reason (JSON always does).
          Every report measures the posture goals of .apim-posture.json ("goals"), or, when it has none, the
          built-in baseline (not blocking); --fail-on-goals makes every goal blocking.
          --summary writes the goals summary in Markdown to a file as well (a CI job summary, a pull-request comment);
          --link-base prefixes the file links of Markdown (the repository's blob URL at the commit, ending in /).
          --exit-zero: the exit code is 0 whatever the findings and goals (the report alone; 2 and 3 still apply).
          --format html writes one self-contained page (no script, nothing fetched): goals, coverage, exposure, findings.
          Every finding has a priority, 0-100: severity × exploitability × impact of the operations it is about;
          the table lists the highest first with its score and id (--sort severity groups by severity instead).
goals     Measures the posture goals alone (the exit code as for scan, findings aside); --format markdown writes
          the goals summary that scan --summary writes.
          A finding-age-days goal walks the git history (as trend does) to date each finding's first commit.
trend     The posture over the git history of path: one point per first-parent commit up to HEAD
          (--per day: the last commit of each day), oldest first, with the unsuppressed findings by
          severity and the goals met, each commit's files read from git (the working tree is not touched).
          --since: a number of days (90d) or a date; --max-commits (default ${DEFAULT_MAX_COMMITS}): the newest ones.
          --format json: the report of path as scan writes it, with the points as "trend".
snapshot  export: reads the deployed API Management inventory and Defender's findings from Azure
          (signed in with the Azure CLI or DefaultAzureCredential) into a JSON file, by default
          ${DEFAULT_SNAPSHOT_PATH}. Subscriptions: --subscription (repeatable), else every one the
          sign-in can read. The file holds no tokens, keys or secret values. When parts could not be
          read, the file is written with them listed, and the exit code is 4 unless --allow-partial.
explain   Says what a rule checks, why, how to fix it, and which Defender recommendation it predicts;
          defender-<assessment key> names a recommendation of Defender's that no rule predicts.
          Given a finding's id (or its first characters, as the table shows them), scans path (default: .)
          and says why the finding has its priority: each factor with its share of the score.
rules     Lists the rules.

Exit codes:
  0  no unsuppressed finding at or above --fail-on (default: high), and every blocking goal met (or --exit-zero)
  1  at least one unsuppressed finding at or above --fail-on, or a blocking goal not met (or not evaluated)
  2  wrong usage (unknown command, option or rule)
  3  the scan could not run (path missing, unexpected error)
  4  snapshot export: parts of Azure could not be read (the snapshot is written; --allow-partial exits 0)`;

class UsageError extends Error {}

type Io = { out: NodeJS.WritableStream & { isTTY?: boolean }; err: NodeJS.WritableStream & { isTTY?: boolean } };

/** What `snapshot export` signs in with and connects to; tests pass a fixed credential and a local emulator. */
export interface AzureAccess {
  credential?: TokenCredential;
  connection?: Omit<ArmConnection, 'endpoint'>;
}

/** Runs one command; every command but `snapshot export` (which talks to Azure) returns synchronously. */
export function run(argv: string[], io: Io, azure: AzureAccess = {}): number | Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out.write(HELP + '\n');
        return command === undefined ? EXIT.usage : EXIT.ok;
      case '--version':
      case '-v':
        io.out.write(TOOL_VERSION + '\n');
        return EXIT.ok;
      case 'scan':
        return runScan(rest, io);
      case 'goals':
        return runScan(rest, io, 'goals');
      case 'trend':
        return runTrend(rest, io);
      case 'snapshot':
        return runSnapshot(rest, io, azure);
      case 'explain':
        return runExplain(rest, io);
      case 'rules':
        for (const rule of RULE_CATALOG) io.out.write(`${rule.id.padEnd(32)} ${rule.severity.padEnd(7)} ${rule.title}\n`);
        return EXIT.ok;
      default:
        throw new UsageError(`unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof UsageError) return usageResult(error, io);
    io.err.write(`apim-posture: the scan failed: ${(error as Error).stack ?? error}\n`);
    return EXIT.failure;
  }
}

function usageResult(error: unknown, io: Io): number {
  if (error instanceof UsageError) {
    io.err.write(`apim-posture: ${error.message}\nRun "apim-posture --help" for usage.\n`);
    return EXIT.usage;
  }
  throw error;
}

interface ScanArguments {
  target: string;
  format: Format;
  output?: string;
  failOn?: Severity;
  color: boolean;
  /** A snapshot file; `auto`: the repository's own when present; `none`: no snapshot. */
  snapshot: string;
  /** `--coverage`: the table lists every file not read, with its reason. */
  fullCoverage?: boolean;
  /** `--snapshot-max-age`: days after which the snapshot is reported as stale. */
  snapshotMaxAgeDays?: number;
  /** `--fail-on-goals`: every goal is blocking. */
  failOnGoals?: boolean;
  /** `--summary`: a file for the goals summary in Markdown. */
  summary?: string;
  /** `--link-base`: the prefix of file links in Markdown. */
  linkBase?: string;
  /** `--exit-zero`: findings and goals never fail the command. */
  exitZero?: boolean;
  /** `--sort`: the table's order. */
  sort?: 'priority' | 'severity';
}

/** Splits `--flag=value` and hands out values, for every command's arguments. */
function argumentReader(args: string[]) {
  let i = -1;
  let sawTarget = false;
  return {
    /** The one positional argument (a folder or a file): an unknown flag, or a second one, is a usage error. */
    target(argument: { flag: string; raw: string }): string {
      if (argument.flag.startsWith('-') || sawTarget) throw new UsageError(`unexpected argument "${argument.raw}".`);
      sawTarget = true;
      return argument.flag;
    },
    next(): { flag: string; value: () => string; raw: string } | undefined {
      if (++i >= args.length) return undefined;
      const raw = args[i];
      const split = raw.startsWith('--') && raw.includes('=');
      const flag = split ? raw.slice(0, raw.indexOf('=')) : raw;
      const inlineValue = split ? raw.slice(raw.indexOf('=') + 1) : undefined;
      return {
        flag,
        raw,
        value: () => {
          const next = inlineValue ?? args[++i];
          if (next === undefined) throw new UsageError(`${flag} needs a value.`);
          return next;
        },
      };
    },
  };
}

function parseScanArguments(args: string[], colorDefault: boolean): ScanArguments {
  const parsed: ScanArguments = { target: '.', format: 'table', failOn: 'high', color: colorDefault, snapshot: 'auto' };
  const reader = argumentReader(args);
  for (let argument = reader.next(); argument; argument = reader.next()) {
    const { flag, value } = argument;
    switch (flag) {
      case '--format':
      case '-f': {
        const format = value();
        if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}.`);
        parsed.format = format as Format;
        break;
      }
      case '--output':
      case '-o':
        parsed.output = value();
        break;
      case '--fail-on': {
        const severity = value();
        if (severity === 'none') parsed.failOn = undefined;
        else if ((SEVERITY_ORDER as readonly string[]).includes(severity)) parsed.failOn = severity as Severity;
        else throw new UsageError(`--fail-on must be one of ${SEVERITY_ORDER.join(', ')}, none.`);
        break;
      }
      case '--no-color':
        parsed.color = false;
        break;
      case '--snapshot':
        parsed.snapshot = path.resolve(value());
        break;
      case '--no-snapshot':
        parsed.snapshot = 'none';
        break;
      case '--coverage':
        parsed.fullCoverage = true;
        break;
      case '--fail-on-goals':
        parsed.failOnGoals = true;
        break;
      case '--summary':
        parsed.summary = value();
        break;
      case '--link-base':
        parsed.linkBase = value();
        break;
      case '--exit-zero':
        parsed.exitZero = true;
        break;
      case '--sort': {
        const order = value();
        if (order !== 'priority' && order !== 'severity') throw new UsageError('--sort must be priority or severity.');
        parsed.sort = order;
        break;
      }
      case '--snapshot-max-age': {
        const days = value();
        if (!/^\d+$/.test(days)) throw new UsageError(`--snapshot-max-age takes a whole number of days; "${days}" is not one.`);
        parsed.snapshotMaxAgeDays = Number(days);
        break;
      }
      default:
        parsed.target = reader.target(argument);
    }
  }
  return parsed;
}

function runScan(args: string[], io: Io, command: 'scan' | 'goals' = 'scan'): number | Promise<number> {
  const options = parseScanArguments(args, Boolean(io.out.isTTY) && !process.env.NO_COLOR);
  if (command === 'goals') {
    if (args.some((argument) => /^(--fail-on|--coverage|--summary)(=|$)/.test(argument))) {
      throw new UsageError('goals prints the goals only: it takes a path, --format table|markdown, --output, --link-base, --snapshot, --no-snapshot, --snapshot-max-age, --fail-on-goals, --exit-zero and --no-color.');
    }
    if (!(GOALS_FORMATS as readonly string[]).includes(options.format)) throw new UsageError(`goals --format must be one of ${GOALS_FORMATS.join(', ')}.`);
    options.format = options.format === 'markdown' ? 'goals-markdown' : 'goals';
    options.failOn = undefined;
  }
  const target = path.resolve(options.target);
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  // One spec is scanned from its folder, so that its $refs stay confined to that folder.
  const spec = stat?.isFile() && /\.(ya?ml|json)$/i.test(target) ? target : undefined;
  if (!stat?.isDirectory() && !spec) {
    io.err.write(`apim-posture: ${options.target} is neither a folder nor an OpenAPI file (.yaml, .yml, .json).\n`);
    return EXIT.failure;
  }
  const showProgress = Boolean(io.err.isTTY);
  if (showProgress) io.err.write(`Scanning ${target} …`);
  if (options.snapshot !== 'auto' && options.snapshot !== 'none' && !fs.existsSync(options.snapshot)) {
    io.err.write(`apim-posture: the snapshot ${options.snapshot} does not exist.\n`);
    return EXIT.failure;
  }
  const scanOptions = { snapshot: options.snapshot === 'none' ? undefined : options.snapshot, snapshotMaxAgeDays: options.snapshotMaxAgeDays, spec, cache: new ParseCache() };
  const result = scan(spec ? path.dirname(spec) : target, scanOptions);
  if (showProgress) io.err.write('\r\x1b[K');
  // Only a finding-age-days goal needs the history: then it is walked, and the folder scanned again with it (its parses kept).
  if (!spec && result.goals?.some((goal) => goal.metric === 'finding-age-days')) {
    return historyOf(target, { scan: { snapshot: scanOptions.snapshot, snapshotMaxAgeDays: scanOptions.snapshotMaxAgeDays }, keep: true }, io).then((walk) =>
      finishScan(walk ? scan(target, { ...scanOptions, history: walk.history }) : result, options, io, command),
    );
  }
  return finishScan(result, options, io, command);
}

/** The history walk, or undefined with the reason said when there is no history to walk. */
async function historyOf(target: string, options: WalkOptions, io: Io): Promise<HistoryWalk | undefined> {
  try {
    return await walkHistory(target, options);
  } catch (error) {
    if (!(error instanceof HistoryUnavailable)) throw error;
    io.err.write(`apim-posture: the git history is not read: ${error.message}\n`);
    return undefined;
  }
}

function finishScan(result: ScanResult, options: ScanArguments, io: Io, command: 'scan' | 'goals'): number {
  const report = chunked(render(result, options));
  if (options.output) {
    fs.mkdirSync(path.dirname(path.resolve(options.output)), { recursive: true });
    const descriptor = fs.openSync(options.output, 'w');
    try {
      for (const chunk of report) fs.writeSync(descriptor, chunk);
    } finally {
      fs.closeSync(descriptor);
    }
    const written = command === 'goals' ? `the goals (${result.goals?.length ?? 0})` : `${options.format} report`;
    io.err.write(`Wrote ${written} to ${options.output} (${result.findings.length} findings).\n`);
  } else {
    for (const chunk of report) io.out.write(chunk);
  }
  if (options.summary) {
    fs.mkdirSync(path.dirname(path.resolve(options.summary)), { recursive: true });
    fs.writeFileSync(options.summary, formatGoalsSummary(result, { everyGoalBlocks: options.failOnGoals, linkBase: options.linkBase }));
    io.err.write(`Wrote the goals summary to ${options.summary}.\n`);
  }
  const failing = options.failOn ? SEVERITY_ORDER.slice(0, SEVERITY_ORDER.indexOf(options.failOn) + 1) : [];
  const failedGoals = failingGoals(result.goals, options.failOnGoals);
  if (failedGoals.length > 0) io.err.write(`apim-posture: ${goalsVerdict(failedGoals, options.failOnGoals)}\n`);
  if (options.exitZero) return EXIT.ok;
  return failedGoals.length > 0 || result.findings.some((finding) => !finding.suppression && failing.includes(finding.severity)) ? EXIT.findings : EXIT.ok;
}

const TREND_FORMATS = ['table', 'json', 'markdown'] as const;

interface TrendArguments {
  target: string;
  since?: Date;
  per: 'commit' | 'day';
  maxCommits: number;
  format: (typeof TREND_FORMATS)[number];
}

function parseTrendArguments(args: string[], now: Date): TrendArguments {
  const parsed: TrendArguments = { target: '.', per: 'commit', maxCommits: DEFAULT_MAX_COMMITS, format: 'table' };
  const reader = argumentReader(args);
  for (let argument = reader.next(); argument; argument = reader.next()) {
    const { flag, value } = argument;
    switch (flag) {
      case '--since': {
        const since = value();
        const days = /^(\d+)d$/.exec(since)?.[1];
        const date = days !== undefined ? new Date(now.getTime() - Number(days) * 24 * 60 * 60 * 1000) : /^\d{4}-\d{2}-\d{2}/.test(since) ? new Date(since) : undefined;
        if (!date || Number.isNaN(date.getTime())) throw new UsageError(`--since takes a number of days (90d) or a date (2026-01-31); "${since}" is neither.`);
        parsed.since = date;
        break;
      }
      case '--per': {
        const per = value();
        if (per !== 'commit' && per !== 'day') throw new UsageError('--per must be commit or day.');
        parsed.per = per;
        break;
      }
      case '--max-commits': {
        const count = value();
        if (!/^[1-9]\d*$/.test(count)) throw new UsageError(`--max-commits takes a positive whole number; "${count}" is not one.`);
        parsed.maxCommits = Number(count);
        break;
      }
      case '--format':
      case '-f': {
        const format = value();
        if (!(TREND_FORMATS as readonly string[]).includes(format)) throw new UsageError(`trend --format must be one of ${TREND_FORMATS.join(', ')}.`);
        parsed.format = format as TrendArguments['format'];
        break;
      }
      default:
        parsed.target = reader.target(argument);
    }
  }
  return parsed;
}

async function runTrend(args: string[], io: Io): Promise<number> {
  let options: TrendArguments;
  try {
    options = parseTrendArguments(args, new Date());
  } catch (error) {
    return usageResult(error, io);
  }
  const target = path.resolve(options.target);
  if (!fs.statSync(target, { throwIfNoEntry: false })?.isDirectory()) {
    io.err.write(`apim-posture: ${options.target} is not a folder.\n`);
    return EXIT.failure;
  }
  try {
    const walk = await historyOf(target, { since: options.since, maxCommits: options.maxCommits, per: options.per, scan: { snapshot: 'auto' }, keep: true }, io);
    if (!walk) return EXIT.failure;
    if (options.format === 'json') {
      const result = scan(target, { snapshot: 'auto', history: walk.history });
      result.trend = walk.points;
      for (const chunk of chunked(jsonReportPieces(result))) io.out.write(chunk);
    } else {
      const format = options.format === 'markdown' ? formatTrendMarkdown : formatTrendTable;
      io.out.write(format(target, walk.points, walk.history.notes));
    }
    return EXIT.ok;
  } catch (error) {
    io.err.write(`apim-posture: the trend could not be made: ${(error as Error).message ?? error}\n`);
    return EXIT.failure;
  }
}

interface SnapshotArguments {
  subscriptions: string[];
  output: string;
  endpoint?: string;
  credential: 'default' | 'cli';
  includeHealthy: boolean;
  /** `--allow-partial`: parts that could not be read do not make the export fail. */
  allowPartial: boolean;
}

export function parseSnapshotArguments(args: string[]): SnapshotArguments {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'export') throw new UsageError(subcommand === undefined ? 'snapshot needs a subcommand: export.' : `unknown snapshot subcommand "${subcommand}" (try export).`);
  const parsed: SnapshotArguments = { subscriptions: [], output: DEFAULT_SNAPSHOT_PATH, credential: 'default', includeHealthy: false, allowPartial: false };
  const reader = argumentReader(rest);
  for (let argument = reader.next(); argument; argument = reader.next()) {
    const { flag, value } = argument;
    switch (flag) {
      case '--subscription':
      case '-s':
        for (const id of value().split(',').map((part) => part.trim()).filter(Boolean)) {
          if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new UsageError(`--subscription takes subscription ids (GUIDs); "${id}" is not one.`);
          parsed.subscriptions.push(id);
        }
        break;
      case '--output':
      case '-o':
        parsed.output = value();
        break;
      case '--endpoint': {
        const endpoint = value();
        let url: URL | undefined;
        try {
          url = new URL(endpoint);
        } catch {
          url = undefined;
        }
        // Tokens only travel over TLS (the SDK refuses otherwise, with a less helpful message).
        if (!url || url.protocol !== 'https:') throw new UsageError(`--endpoint must be an https URL such as https://management.usgovcloudapi.net; "${endpoint}" is not.`);
        parsed.endpoint = url.origin;
        break;
      }
      case '--credential': {
        const credential = value();
        if (credential !== 'default' && credential !== 'cli') throw new UsageError('--credential must be default (DefaultAzureCredential) or cli (Azure CLI).');
        parsed.credential = credential;
        break;
      }
      case '--include-healthy':
        parsed.includeHealthy = true;
        break;
      case '--allow-partial':
        parsed.allowPartial = true;
        break;
      default:
        throw new UsageError(`unexpected argument "${argument.raw}".`);
    }
  }
  return parsed;
}

async function runSnapshot(args: string[], io: Io, azure: AzureAccess): Promise<number> {
  let options: SnapshotArguments;
  try {
    options = parseSnapshotArguments(args);
  } catch (error) {
    return usageResult(error, io);
  }
  try {
    // The Azure SDK clients are loaded only by this command: a scan does not pay for them at start.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- required here, not imported above, so that a scan does not load the Azure SDK clients
    const azureModules = require('./azureModules') as typeof import('./azureModules');
    const { armClientOptions, loadDeployedState, discoverSubscriptions, signIn } = azureModules;
    const credential = azure.credential ?? signIn(options.credential);
    const connection = { ...azure.connection, endpoint: options.endpoint };
    // Fail once, clearly, when there is no sign-in, rather than once per subscription and call.
    try {
      await credential.getToken(armClientOptions(connection).credentialScopes);
    } catch (error) {
      io.err.write(`apim-posture: could not sign in to Azure (${options.credential === 'cli' ? 'Azure CLI: run "az login"' : 'DefaultAzureCredential'}): ${(error as Error).message}\n`);
      return EXIT.failure;
    }
    const controller = new AbortController();
    const cancel = () => controller.abort();
    process.once('SIGINT', cancel);
    try {
      let subscriptions: readonly (string | ReadableSubscription)[] = options.subscriptions;
      if (subscriptions.length === 0) {
        io.err.write('Finding the subscriptions you can read …\n');
        // Found with their names: the load does not ask for them again.
        subscriptions = await discoverSubscriptions(credential, { ...connection, abortSignal: controller.signal });
        if (subscriptions.length === 0) {
          io.err.write('apim-posture: the sign-in can read no subscription; name one with --subscription.\n');
          return EXIT.failure;
        }
      }
      const snapshot = await loadDeployedState(credential, subscriptions, {
        ...connection,
        abortSignal: controller.signal,
        includeHealthyAssessments: options.includeHealthy,
        onProgress: (progress) => io.err.write(`${progress.message} …\n`),
      });
      const summary = summarizeSnapshot(snapshot);
      for (const error of summary.errors) io.err.write(`warning: ${describeSnapshotError(error)}\n`);
      if (summary.everySubscriptionFailed) {
        // An empty snapshot must not replace a good one.
        io.err.write(`apim-posture: no subscription could be read; ${options.output} was not written.\n`);
        return EXIT.failure;
      }
      const output = path.resolve(options.output);
      writeSnapshotFile(output, snapshot);
      io.err.write(`Wrote ${options.output}: ${summary.text}.\n`);
      // A partial view of Azure must not pass for a whole one in CI: the scan reports what it lacks, and this says it first.
      if (summary.errors.length > 0 && !options.allowPartial) {
        io.err.write(`apim-posture: the snapshot is partial; exit code ${EXIT.partial} (--allow-partial accepts it).\n`);
        return EXIT.partial;
      }
      return EXIT.ok;
    } finally {
      process.removeListener('SIGINT', cancel);
    }
  } catch (error) {
    io.err.write(`apim-posture: the snapshot could not be made: ${(error as Error).message ?? error}\n`);
    return EXIT.failure;
  }
}

/** The report in pieces: JSON and SARIF are never one string, whatever their size. */
function render(result: ScanResult, options: ScanArguments): Iterable<string> {
  switch (options.format) {
    case 'json':
      return jsonReportPieces(result);
    case 'sarif':
      return sarifReportPieces(result);
    case 'markdown':
      return [withFinalNewline(formatMarkdown(result, { linkBase: options.linkBase }))];
    case 'html':
      return [formatHtml(toAnalysisReport(result))];
    case 'table':
      return [withFinalNewline(formatTable(result, { color: options.color, fullCoverage: options.fullCoverage, sort: options.sort }))];
    case 'goals':
      return [formatGoals(result, { color: options.color })];
    case 'goals-markdown':
      return [formatGoalsSummary(result, { everyGoalBlocks: options.failOnGoals, linkBase: options.linkBase })];
  }
}

function withFinalNewline(text: string): string {
  return text.endsWith('\n') ? text : text + '\n';
}

function runExplain(args: string[], io: Io): number {
  if (args.length === 0) throw new UsageError('explain takes a rule id (see "apim-posture rules") or a finding id.');
  const rule = ruleById(args[0]);
  if (!rule && /^[0-9a-f]{4,}$/i.test(args[0])) return explainFinding(args[0], args.slice(1), io);
  if (args.length !== 1) throw new UsageError('explain takes one rule id (see "apim-posture rules"), or a finding id and a path.');
  if (!rule) throw new UsageError(`no rule "${args[0]}". Rules: ${RULE_CATALOG.map((candidate) => candidate.id).join(', ')}.`);
  const lines = [`${rule.id}: ${rule.title}`, `Severity: ${rule.severity}`, ''];
  if (rule.defender) {
    lines.push(`Defender for Cloud recommendation: ${rule.defender.displayName} (${rule.defender.severity})`);
    lines.push(`Assessment key: ${rule.defender.assessmentKey ?? 'not published'}${rule.defender.assessmentKey && !rule.defender.keyConfirmed ? ' (unconfirmed)' : ''}`, '');
  }
  lines.push(rule.description, '', `How to fix: ${rule.remediation}`, '', `More: ${rule.helpUri}`);
  io.out.write(lines.join('\n') + '\n');
  return EXIT.ok;
}

/** `explain <finding id> [path]`: the finding's priority, factor by factor. */
function explainFinding(id: string, args: string[], io: Parameters<typeof run>[1]): number {
  const options = parseScanArguments(args, false);
  if (args.some((argument) => /^(--format|-f|--output|-o|--fail-on|--coverage|--fail-on-goals|--sort)(=|$)/.test(argument))) throw new UsageError('explain <finding id> takes a path, --snapshot, --no-snapshot and --snapshot-max-age.');
  const target = path.resolve(options.target);
  if (!fs.statSync(target, { throwIfNoEntry: false })?.isDirectory()) {
    io.err.write(`apim-posture: ${options.target} is not a folder.\n`);
    return EXIT.failure;
  }
  const result = scan(target, { snapshot: options.snapshot === 'none' ? undefined : options.snapshot, snapshotMaxAgeDays: options.snapshotMaxAgeDays });
  const matches = result.findings.filter((finding) => finding.id.toLowerCase().startsWith(id.toLowerCase()));
  if (matches.length !== 1) throw new UsageError(matches.length === 0 ? `no finding of ${options.target} has an id starting with "${id}" (the table shows them after the rule).` : `${matches.length} findings have an id starting with "${id}": give more of it.`);
  io.out.write(explainPriority(matches[0], result.root) + '\n');
  return EXIT.ok;
}

function explainPriority(finding: Finding, root: string): string {
  const header = [`${finding.id}  ${finding.severity.toUpperCase()}  [${finding.ruleId}]  ${finding.service === undefined ? '' : `${finding.service}:`}${finding.resource}`, `${relativePath(root, finding.location.file)}: ${finding.message}`, ''];
  const priority = finding.priority ?? { score: 0, factors: [], notes: ['the finding has no priority'] };
  return [...header, ...describePriority(priority), '', 'Score = 100 × severity × exploitability × impact; each factor\'s points are its share of the score.'].join('\n');
}

/**
 * How much bytecode a function runs before V8 compiles it optimized, six times V8's default: a CLI
 * run lasts seconds, and most of that compiling (on other threads, but CPU all the same) never paid
 * back. A 13 MB spec's scan takes a fifth less CPU; a long scan's hot loops are still optimized.
 */
const OPTIMIZE_AFTER_BYTECODE = 400_000;

if (require.main === module) {
  v8.setFlagsFromString(`--interrupt-budget=${OPTIMIZE_AFTER_BYTECODE}`);
  void Promise.resolve(run(process.argv.slice(2), { out: process.stdout, err: process.stderr })).then((code) => (process.exitCode = code));
}
