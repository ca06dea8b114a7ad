import * as path from 'path';
import type { FileReader } from '../workspace/files';
import type { ParseCache } from './cache';
import type { ParseResult } from './document';
import { parseJson } from './json';
import { parseYaml } from './yaml';

export type { JsonPath, ParsedDocument, ParseResult } from './document';

/** Parses JSON or YAML; the format comes from the extension, else from the first character (`{`/`[`: JSON). */
export function parseDocument(file: string, text: string, format?: 'json' | 'yaml'): ParseResult {
  return (format ?? guessFormat(file, text)) === 'json' ? parseJson(file, text) : parseYaml(file, text);
}

function guessFormat(file: string, text: string): 'json' | 'yaml' {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  const first = /\S/.exec(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)?.[0];
  return first === '{' || first === '[' ? 'json' : 'yaml';
}

/** Parses files by path: how spec loading reads the root file and the targets of relative $refs. */
export interface DocumentReader {
  parse(file: string): ParseResult;
}

/**
 * A reader that parses each file once (by absolute path) and reports unreadable files as parse problems;
 * with a cache, a file whose text has not changed since an earlier scan is not parsed again.
 */
export function createDocumentReader(files: FileReader, cache?: ParseCache): DocumentReader {
  const parsed = new Map<string, ParseResult>();
  return {
    parse(file: string): ParseResult {
      const absolute = path.resolve(file);
      let result = parsed.get(absolute);
      if (!result) {
        const read = files.read(absolute);
        const text = read.text;
        if (text === undefined) result = { problems: read.problem ? [read.problem] : [] };
        else result = cache ? cache.get('document', absolute, text, () => parseDocument(absolute, text)) : parseDocument(absolute, text);
        parsed.set(absolute, result);
      }
      return result;
    },
  };
}
