import type { Finding, RuleMetadata } from '../findings';
import type { InputProblem, InputProblemKind } from '../problems';
import { findingId, ruleHelpUri } from './rule';

export const INPUT_PROBLEM_RULE: RuleMetadata = {
  id: 'input-problem',
  title: 'File could not be read as intended',
  severity: 'medium',
  description:
    'A file that is malformed, unreadable, hostile (DTD/entities, alias bombs) or refers to what cannot be resolved (remote or missing $refs) is left out of the analysis, so findings it would produce are missing.',
  remediation: 'Fix the file at the reported place; remote $refs are never fetched: vendor the referenced file into the repository.',
  helpUri: ruleHelpUri('input-problem'),
};

/** Problems that tell what was left unread rather than what went wrong: a file that is no spec, a build folder. */
const TELLING_PROBLEMS: ReadonlySet<InputProblemKind> = new Set(['not-a-spec', 'skipped', 'unread-in-azure']);

/** An input problem as a finding; `verbose` keeps the stack of an unexpected error. */
export function problemFinding(problem: InputProblem, verbose: boolean): Finding {
  return {
    id: findingId(INPUT_PROBLEM_RULE.id, problem.file, `${problem.kind}:${problem.message}`),
    ruleId: INPUT_PROBLEM_RULE.id,
    remediation: INPUT_PROBLEM_RULE.remediation,
    severity: TELLING_PROBLEMS.has(problem.kind) ? 'info' : INPUT_PROBLEM_RULE.severity,
    resource: 'service',
    message: problem.message,
    location: { file: problem.file, span: problem.span ?? { start: 0, end: 0 } },
    related: [],
    fixes: [],
    origin: 'predicted',
    properties: { problemKind: problem.kind, ...(verbose && problem.detail ? { stack: problem.detail } : {}) },
  };
}
