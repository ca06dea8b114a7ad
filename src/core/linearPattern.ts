// Regular expressions a repository supplies (custom information types in `.apim-posture.json`,
// Terraform's `replace(x, "/re/", y)`) run on
// RE2's linear-time engine: a pattern such as `^(a+)+$` cannot freeze a scan or the editor, whatever
// it is matched against. RE2 has no backreferences or lookaround; such patterns are refused.
import type { RE2JS } from 're2js';

/** The part of a compiled pattern the analyses use. */
export interface TextPattern {
  test(text: string): boolean;
}

/** Longest pattern accepted: compiling is linear in it too, but a repository's config has no use for more. */
const MAX_PATTERN_LENGTH = 1_000;

/** `source` compiled case-insensitively for a linear-time match; throws with why it cannot be. */
export function linearPattern(source: string): TextPattern {
  const compiled = compile(source, true);
  return { test: (text) => compiled.test(text) };
}

/** `text` with every match of `source` replaced (`$1` for a group), in linear time; throws with why it cannot be. */
export function linearReplace(source: string, text: string, replacement: string): string {
  return compile(source, false).matcher(text).replaceAll(replacement);
}

function compile(source: string, caseInsensitive: boolean): RE2JS {
  if (source.length > MAX_PATTERN_LENGTH) throw new Error(`a pattern is at most ${MAX_PATTERN_LENGTH} characters long`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- required here, not imported above: most scans have no pattern to compile
  const { RE2JS } = require('re2js') as typeof import('re2js');
  return RE2JS.compile(source, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
}

/** The first of `sources` that cannot be run in linear time, and why; undefined when all can. */
export function refusedPattern(sources: readonly string[]): { pattern: string; reason: string } | undefined {
  for (const pattern of sources) {
    try {
      linearPattern(pattern);
    } catch (error) {
      return { pattern, reason: (error as Error).message };
    }
  }
  return undefined;
}
