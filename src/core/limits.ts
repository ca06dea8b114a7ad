// Bounds on the work one scan does, whatever the repository holds: repositories come from pull
// requests and strangers, so every walk, expansion and list has a limit that yields an input problem
// at the place it was reached, never a crash, a hang or unbounded memory.

/** Nesting depth of JSON/YAML values, XML elements, Bicep values and schema walks. */
export const MAX_NESTING_DEPTH = 256;

/** `$ref`s followed in one chain before it is taken for a cycle or an attack. */
export const MAX_REF_CHAIN = 64;

/** Policy elements one operation's effective policy may hold after fragment expansion. */
export const MAX_EFFECTIVE_ELEMENTS = 20_000;

/** Fragments included inside one another before the chain is refused (APIM itself refuses deep chains). */
export const MAX_FRAGMENT_DEPTH = 32;

/** Related locations kept on one finding; the rest are counted ("and N more"). */
export const MAX_RELATED_LOCATIONS = 50;

/** Input problems kept per file; the rest are counted in one last problem. */
export const MAX_PROBLEMS_PER_FILE = 100;

/** Entries of each coverage list (files not read, paths excluded or skipped) that SARIF and Markdown reports keep; the rest are counted. */
export const MAX_COVERAGE_ENTRIES = 100;

/** Files one scan lists; a repository with more is read up to here, and says so. */
export const MAX_LISTED_FILES = 200_000;

/**
 * A deadline for one analysis, checked between files, APIs and rules: a repository that is slow to
 * analyse (by accident or on purpose) yields a partial result that says so, never a frozen editor.
 */
export class TimeBudget {
  private readonly deadline: number;

  constructor(
    readonly milliseconds: number = Infinity,
    /** Whether whoever asked for the analysis no longer wants it (a newer edit arrived): it then stops as if out of time. */
    private readonly isCancelled: () => boolean = () => false,
  ) {
    this.deadline = performance.now() + milliseconds;
  }

  /** Whether some work was left out for lack of time. */
  stopped = false;

  /** Whether the analysis was stopped because it was no longer wanted; its result is then thrown away. */
  cancelled = false;

  /** Whether the time is up; asking when it is marks the analysis as stopped. */
  get exceeded(): boolean {
    if (this.isCancelled()) this.cancelled = this.stopped = true;
    else if (performance.now() > this.deadline) this.stopped = true;
    return this.stopped;
  }
}
