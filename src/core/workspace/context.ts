import * as path from 'path';
import type { ApiResource, PolicyAttachment } from '../model';
import type { ParseCache } from '../parse/cache';
import type { ParsedDocument } from '../parse/document';
import type { DocumentReader, ParseResult } from '../parse/index';
import { parsePolicyXml } from '../policy/xml';
import { MAX_PROBLEMS_PER_FILE, TimeBudget } from '../limits';
import { analysisError, type InputProblem } from '../problems';
import { loadOpenApi, type OpenApiSpec } from '../spec/openapi';
import type { FileReader, ReadResult } from './files';

/** What reading one part of the repository used, so that an earlier read of it can stand for reading it again. */
export interface ReadTrace {
  /** Every file whose text it read, as it read it. */
  reads: Map<string, ReadResult>;
  /** The files it noted as read, in order (some only noted: a link file whose name is all it says). */
  noted: string[];
  /** The problems it reported, in order. */
  problems: InputProblem[];
}

/**
 * The APIs of an APIOps root that an earlier scan read (the editor's re-analysis, analysisMemo.ts):
 * one read again from the same files may be taken as it was.
 */
export interface KeptApis {
  /** The API the folder `folder` (`apis/<folder>/`, its files by path inside it) of the APIOps root `root` gave, when reading it again would give the same. */
  reuse(root: string, folder: string, files: ReadonlyMap<string, string>, ctx: ReadContext): ApiResource | undefined;
  keep(root: string, folder: string, files: ReadonlyMap<string, string>, api: ApiResource, trace: ReadTrace): void;
}

/**
 * What every layout reader shares while building one service: the readers, and the problems and
 * files read so far. Problems are de-duplicated because the same document can be reached twice
 * (an API spec that a second spec `$ref`s, a policy read for two scopes).
 */
export class ReadContext {
  readonly problems: InputProblem[] = [];
  private readonly problemKeys = new Set<string>();
  /** Per file: how many problems were kept, and the last one, counting those dropped past the limit. */
  private readonly problemCounts = new Map<string, { kept: number; dropped: number; summary?: InputProblem }>();
  private readonly filesSeen = new Set<string>();

  private stoppedAt?: string;
  private trace?: ReadTrace;

  constructor(
    readonly files: FileReader,
    readonly documents: DocumentReader,
    private readonly parseCache?: ParseCache,
    private readonly budget = new TimeBudget(),
    /** The APIs an earlier scan read, when this one may reuse them. */
    readonly keptApis?: KeptApis,
  ) {}

  /** Runs `read`, and says what it read; undefined when reading stopped meanwhile (what it read is then not all it would). */
  traced<T>(read: () => T): { value: T; trace?: ReadTrace } {
    const trace: ReadTrace = { reads: new Map(), noted: [], problems: [] };
    this.trace = trace;
    try {
      const value = read();
      return { value, trace: this.stoppedAt === undefined ? trace : undefined };
    } finally {
      this.trace = undefined;
    }
  }

  /** Whether every file `trace` read reads the same now. */
  readsSame(trace: ReadTrace): boolean {
    for (const [file, then] of trace.reads) {
      const now = this.files.read(file);
      if (now !== then && (now.text !== then.text || now.problem?.message !== then.problem?.message)) return false;
    }
    return true;
  }

  /** Does what reading the part that `trace` comes from did to this context, without reading it again. */
  replay(trace: ReadTrace): void {
    for (const file of trace.noted) this.noteRead(file);
    this.report(trace.problems);
    this.parseCache?.keep(trace.reads.keys());
  }

  private traceRead(file: string): void {
    if (!this.trace) return;
    const absolute = path.resolve(file);
    if (!this.trace.reads.has(absolute)) this.trace.reads.set(absolute, this.files.read(absolute));
  }

  get filesRead(): string[] {
    return [...this.filesSeen];
  }

  noteRead(file: string): void {
    this.trace?.noted.push(file);
    this.filesSeen.add(file);
  }

  report(problems: readonly InputProblem[]): void {
    this.trace?.problems.push(...problems);
    for (const problem of problems) {
      const key = `${problem.file}\0${problem.kind}\0${problem.span?.start ?? ''}\0${problem.message}`;
      if (this.problemKeys.has(key)) continue;
      this.problemKeys.add(key);
      this.keepProblem(problem);
    }
  }

  /**
   * Reads one file or one resource: an exception (a parser's bug, a stack overflow on hostile
   * nesting) becomes a problem naming it, and the rest of the repository is still read.
   */
  isolate<T>(file: string, what: string, read: () => T): T | undefined {
    if (this.stoppedAt !== undefined) return undefined;
    if (this.budget.exceeded) {
      this.stoppedAt = what;
      this.report([{ file, kind: 'over-budget', message: `Reading stopped at ${what}: the analysis took longer than its ${this.budget.milliseconds} ms budget; it and what comes after it were not read.` }]);
      return undefined;
    }
    try {
      return read();
    } catch (error) {
      this.report([analysisError(file, what, error)]);
      return undefined;
    }
  }

  /** The first MAX_PROBLEMS_PER_FILE problems of a file, then one that counts the rest. */
  private keepProblem(problem: InputProblem): void {
    let count = this.problemCounts.get(problem.file);
    if (!count) this.problemCounts.set(problem.file, (count = { kept: 0, dropped: 0 }));
    if (count.kept < MAX_PROBLEMS_PER_FILE) {
      count.kept++;
      this.problems.push(problem);
      return;
    }
    count.dropped++;
    if (!count.summary) {
      count.summary = { file: problem.file, kind: 'over-budget', message: '' };
      this.problems.push(count.summary);
    }
    count.summary.message = `${count.dropped} more problem${count.dropped === 1 ? '' : 's'} in this file are not listed (only the first ${MAX_PROBLEMS_PER_FILE} are).`;
  }

  invalidArtifact(file: string, message: string): void {
    this.report([{ file, kind: 'invalid-artifact', message }]);
  }

  readText(file: string): string | undefined {
    this.noteRead(file);
    this.traceRead(file);
    const result = this.files.read(file);
    if (result.problem) this.report([result.problem]);
    return result.text;
  }

  parseDocument(file: string): ParsedDocument | undefined {
    this.noteRead(file);
    const result = this.isolate(file, path.basename(file), () => this.parse(file));
    if (!result) return undefined;
    this.report(result.problems);
    return result.document;
  }

  /** A policy file; a malformed one is still attached (what could be read counts), with its problems reported. */
  readPolicy(file: string): PolicyAttachment | undefined {
    const text = this.readText(file);
    if (text === undefined) return undefined;
    const xml = this.isolate(file, `The policy ${path.basename(file)}`, () =>
      this.parseCache ? this.parseCache.get('policy', file, text, () => parsePolicyXml(file, text)) : parsePolicyXml(file, text),
    );
    if (!xml) return undefined;
    this.report(xml.problems);
    return { file, xml };
  }

  /** An OpenAPI file; one that is not (or of a version not supported) is reported as `not-a-spec`. */
  readSpec(file: string): OpenApiSpec | undefined {
    this.noteRead(file);
    const loaded = this.isolate(file, `The spec ${path.basename(file)}`, () => loadOpenApi(file, { parse: (document) => this.parse(document) }));
    if (!loaded) return undefined;
    const { spec, problems } = loaded;
    this.report(problems);
    if (spec) {
      this.report(spec.problems);
      for (const document of spec.documents) this.noteRead(document.file);
    }
    return spec;
  }

  private parse(file: string): ParseResult {
    this.traceRead(file);
    return this.documents.parse(file);
  }
}
