// What every reader of HTTP triggers in code shares: the trigger it reads, before the project and
// the app it belongs to are known, and the source text, tokenized within bounds.
import * as path from 'path';
import type { HttpTrigger } from '../../model';
import type { ReadContext } from '../context';
import { MAX_SOURCE_CHARS, TokenizedSource, type SourceSyntax } from './sourceTokens';

export type TriggerDraft = Omit<HttpTrigger, 'id' | 'project'>;

/** One reader per input format: the files it reads, and the triggers of one of them. */
export interface TriggerReader {
  /** Whether `file` is of this reader's format (by name; `text` tells apart the files worth tokenizing). */
  reads(file: string): boolean;
  read(file: string, ctx: ReadContext): TriggerDraft[];
}

/** The Functions levels (`anonymous`, `function`, `admin`, and the internal `system`) as access. */
export function functionLevelAccess(level: string): HttpTrigger['access'] {
  switch (level.toLowerCase()) {
    case 'anonymous':
      return 'anonymous';
    case 'function':
    case 'admin':
    case 'system':
      return 'key';
    default:
      return 'unknown';
  }
}

/**
 * The source of `file`, tokenized, when it mentions `marker` (files that do not are not tokenized);
 * a file past MAX_SOURCE_CHARS is said not searched.
 */
export function tokenizedSource(file: string, ctx: ReadContext, marker: string, syntax: SourceSyntax): TokenizedSource | undefined {
  const text = ctx.files.read(file).text;
  if (text === undefined || !text.includes(marker)) return undefined;
  ctx.noteRead(file);
  if (text.length > MAX_SOURCE_CHARS) {
    ctx.report([{ file, kind: 'over-budget', message: `${path.basename(file)} mentions ${marker} but is longer than ${MAX_SOURCE_CHARS} characters: it is not searched for HTTP triggers.` }]);
    return undefined;
  }
  return new TokenizedSource(text, syntax);
}

/** Said where a trigger's level is computed: what depends on it is not concluded. */
export function reportComputedLevel(ctx: ReadContext, file: string, trigger: TriggerDraft): void {
  ctx.report([
    {
      file,
      span: trigger.location.span,
      kind: 'unresolved-value',
      message: `The authorization level of HTTP trigger ${trigger.name} is computed (${trigger.authLevel.slice(0, 80)}): whether it admits anonymous calls is not known from the files.`,
    },
  ]);
}
