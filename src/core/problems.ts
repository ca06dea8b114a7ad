import type { Span } from './text';

/**
 * Something in the input that could not be read as intended: a file that does not parse, a `$ref`
 * that does not resolve, a hostile construct that was refused. Problems never throw out of the core;
 * they travel with the model and are reported like findings (rule `input-problem`).
 */
export interface InputProblem {
  /** Absolute path of the file the problem is in. */
  file: string;
  /** Where in the file, when known; absent for whole-file problems (unreadable, too large, binary). */
  span?: Span;
  kind: InputProblemKind;
  message: string;
  /** For `analysis-error`: the stack, shown in verbose mode only. */
  detail?: string;
}

/** An unexpected exception while reading or analysing `what` in `file`, as a problem: the scan goes on without it. */
export function analysisError(file: string, what: string, error: unknown): InputProblem {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    file,
    kind: 'analysis-error',
    message: `${what} could not be analysed (${message.slice(0, 200)}); the rest of the repository was.`,
    detail: error instanceof Error ? error.stack : undefined,
  };
}

export type InputProblemKind =
  | 'unreadable' // I/O error, binary content, over the size limit
  | 'malformed-json'
  | 'malformed-yaml'
  | 'malformed-xml'
  | 'forbidden-xml' // DOCTYPE / entity declarations: refused, never expanded
  | 'yaml-alias-limit' // alias bombs and other alias abuse
  | 'unresolved-ref' // missing file or pointer
  | 'remote-ref' // http(s) $ref: never fetched
  | 'ref-cycle' // a $ref chain that only leads back to itself
  | 'not-a-spec' // a YAML/JSON file that is neither OpenAPI nor a known APIOps artifact where one was expected
  | 'invalid-artifact' // an APIOps/Bicep file or a spec with a wrong shape (apiInformation.json without properties, paths without operations)
  | 'unresolved-value' // infrastructure code (Terraform, ARM) whose value the files do not determine (a variable or parameter without a value, an attribute Azure sets, reference()): what depends on it is not analysed
  | 'outside-root' // a reference (or symlink) leading outside the scanned folder: refused before opening
  | 'not-a-file' // a FIFO, device, socket or unlistable folder where a file or folder was expected
  | 'too-deep' // nesting past a depth limit: the part below the limit is not analysed
  | 'over-budget' // expansion or work past its budget: the rest is not analysed
  | 'skipped' // a folder not read by design (build output, dependencies) or reached a second way, a resource a false condition (Bicep `if`, Terraform `count = 0`) leaves undeployed: said, so that a clean report never hides it
  | 'unsafe-pattern' // a repository-supplied regular expression that cannot be run in linear time
  | 'duplicate-declaration' // the same resource declared by two kinds of infrastructure code (Bicep and Terraform): the first reader's declaration is analysed, the other is not
  | 'not-compared' // a root of the repository that no deployed service of the snapshot of Azure could be matched with: predicted from its files alone
  | 'unread-in-azure' // a part of the snapshot Azure did not answer (a policy, the plan, onboarding, assessments): what depends on it is not concluded
  | 'analysis-error'; // an unexpected exception while reading or analysing one file or API: the others are unaffected
