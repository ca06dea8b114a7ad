// apim-posture: the posture engine on the command line, for CI and for people who prefer a terminal.
import * as fs from 'fs';
import * as path from 'path';
import { SEVERITY_ORDER, type Severity } from '../core/findings';
import { formatJson } from '../core/report/json';
import { formatMarkdown } from '../core/report/markdown';
import { formatSarif } from '../core/report/sarif';
import type { ScanResult } from '../core/report/scanResult';
import { formatTable } from '../core/report/table';
import { ALL_RULES } from '../core/rules/index';
import { EXPIRED_SUPPRESSION_RULE, INPUT_PROBLEM_RULE, scan, TOOL_VERSION } from '../core/scan';

/** Documented in the README and in `--help`. */
export const EXIT = { ok: 0, findings: 1, usage: 2, failure: 3 } as const;

const FORMATS = ['table', 'json', 'sarif', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

const HELP = `APIM Posture ${TOOL_VERSION}: predicts Defender for APIs findings from an API Management repository.

Usage:
  apim-posture scan [path] [--format table|json|sarif|markdown] [--output file] [--fail-on high|medium|low|info|none] [--no-color]
  apim-posture explain <rule>
  apim-posture rules
  apim-posture --help | --version

scan      Reads OpenAPI specs, policy XML, APIOps and Bicep files below path (default: .) and reports findings.
explain   Says what a rule checks, why, how to fix it, and which Defender recommendation it predicts.
rules     Lists the rules.

Exit codes:
  0  no unsuppressed finding at or above --fail-on (default: high)
  1  at least one unsuppressed finding at or above --fail-on
  2  wrong usage (unknown command, option or rule)
  3  the scan could not run (path missing, unexpected error)`;

class UsageError extends Error {}

export function run(argv: string[], io: { out: NodeJS.WritableStream & { isTTY?: boolean }; err: NodeJS.WritableStream & { isTTY?: boolean } }): number {
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
      case 'explain':
        return runExplain(rest, io);
      case 'rules':
        for (const rule of allRuleMetadata()) io.out.write(`${rule.id.padEnd(32)} ${rule.severity.padEnd(7)} ${rule.title}\n`);
        return EXIT.ok;
      default:
        throw new UsageError(`unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err.write(`apim-posture: ${error.message}\nRun "apim-posture --help" for usage.\n`);
      return EXIT.usage;
    }
    io.err.write(`apim-posture: the scan failed: ${(error as Error).stack ?? error}\n`);
    return EXIT.failure;
  }
}

interface ScanArguments {
  target: string;
  format: Format;
  output?: string;
  failOn?: Severity;
  color: boolean;
}

function parseScanArguments(args: string[], colorDefault: boolean): ScanArguments {
  const parsed: ScanArguments = { target: '.', format: 'table', failOn: 'high', color: colorDefault };
  let sawTarget = false;
  for (let i = 0; i < args.length; i++) {
    const [flag, inlineValue] = args[i].startsWith('--') && args[i].includes('=') ? [args[i].slice(0, args[i].indexOf('=')), args[i].slice(args[i].indexOf('=') + 1)] : [args[i], undefined];
    const value = () => {
      const next = inlineValue ?? args[++i];
      if (next === undefined) throw new UsageError(`${flag} needs a value.`);
      return next;
    };
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
      default:
        if (flag.startsWith('-') || sawTarget) throw new UsageError(`unexpected argument "${args[i]}".`);
        parsed.target = flag;
        sawTarget = true;
    }
  }
  return parsed;
}

function runScan(args: string[], io: Parameters<typeof run>[1]): number {
  const options = parseScanArguments(args, Boolean(io.out.isTTY) && !process.env.NO_COLOR);
  const target = path.resolve(options.target);
  if (!fs.existsSync(target) || !fs.statSync(target).isDirectory()) {
    io.err.write(`apim-posture: ${options.target} is not a folder.\n`);
    return EXIT.failure;
  }
  const showProgress = Boolean(io.err.isTTY);
  if (showProgress) io.err.write(`Scanning ${target} …`);
  const result = scan(target);
  if (showProgress) io.err.write('\r\x1b[K');
  const report = render(result, options);
  if (options.output) {
    fs.mkdirSync(path.dirname(path.resolve(options.output)), { recursive: true });
    fs.writeFileSync(options.output, report);
    io.err.write(`Wrote ${options.format} report to ${options.output} (${result.findings.length} findings).\n`);
  } else {
    io.out.write(report.endsWith('\n') ? report : report + '\n');
  }
  const failing = options.failOn ? SEVERITY_ORDER.slice(0, SEVERITY_ORDER.indexOf(options.failOn) + 1) : [];
  return result.findings.some((finding) => !finding.suppression && failing.includes(finding.severity)) ? EXIT.findings : EXIT.ok;
}

function render(result: ScanResult, options: ScanArguments): string {
  switch (options.format) {
    case 'json':
      return formatJson(result);
    case 'sarif':
      return formatSarif(result);
    case 'markdown':
      return formatMarkdown(result);
    case 'table':
      return formatTable(result, { color: options.color });
  }
}

function allRuleMetadata() {
  return [...ALL_RULES.map((rule) => rule.meta), INPUT_PROBLEM_RULE, EXPIRED_SUPPRESSION_RULE];
}

function runExplain(args: string[], io: Parameters<typeof run>[1]): number {
  if (args.length !== 1) throw new UsageError('explain takes one rule id (see "apim-posture rules").');
  const rule = allRuleMetadata().find((candidate) => candidate.id === args[0]);
  if (!rule) throw new UsageError(`no rule "${args[0]}". Rules: ${allRuleMetadata().map((candidate) => candidate.id).join(', ')}.`);
  const lines = [`${rule.id}: ${rule.title}`, `Severity: ${rule.severity}`, ''];
  if (rule.defender) {
    lines.push(`Defender for Cloud recommendation: ${rule.defender.displayName} (${rule.defender.severity})`);
    lines.push(`Assessment key: ${rule.defender.assessmentKey ?? 'not published'}${rule.defender.assessmentKey && !rule.defender.keyConfirmed ? ' (unconfirmed)' : ''}`, '');
  }
  lines.push(rule.description, '', `How to fix: ${rule.remediation}`, '', `More: ${rule.helpUri}`);
  io.out.write(lines.join('\n') + '\n');
  return EXIT.ok;
}

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2), { out: process.stdout, err: process.stderr });
}
