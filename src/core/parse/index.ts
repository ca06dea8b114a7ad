import * as path from 'path';
import type { FileReader } from '../workspace/files';
import type { ParseCache } from './cache';
import type { Span } from '../text';
import type { JsonPath, ParsedDocument, ParseResult } from './document';
import { parseJson, reparseJson } from './json';
import { parseYaml } from './yaml';

export type { JsonPath, ParsedDocument, ParseResult } from './document';

/** Parses JSON or YAML; the format comes from the extension, else from the first character (`{`/`[`: JSON). */
export function parseDocument(file: string, text: string, format?: 'json' | 'yaml'): ParseResult {
  return (format ?? guessFormat(file, text)) === 'json' ? parseJson(file, text) : parseYaml(file, text);
}

/**
 * Parses `text`, the new text of the file `previous` was parsed from: a JSON edit inside one value
 * parses only that value again and shares everything else with `previous`.
 */
export function reparseDocument(previous: ParsedDocument, text: string): ParseResult {
  return previous.format === 'json' && guessFormat(previous.file, text) === 'json' ? reparseJson(previous, text) : parseDocument(previous.file, text);
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
 * with a cache, a file whose text has not changed since an earlier scan is not parsed again, and the
 * documents are live: one object per file across scans, that an edit moves to the new version.
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
        else if (!cache) result = parseDocument(absolute, text);
        else result = cache.get<ParseResult>('document', absolute, text, (previous) => LiveDocument.parse(previous?.document, absolute, text));
        parsed.set(absolute, result);
      }
      return result;
    },
  };
}

/**
 * One file's document across the editor's scans, reading through to the newest parse of its text.
 * What was built from an earlier version (spec operations, schema fields and their locations) refers
 * to this object, so that it can be reused once checked against the new values: the parse shares
 * the objects an edit left alone, and locations find their spans again in the new text.
 */
class LiveDocument implements ParsedDocument {
  revision = 0;

  constructor(private current: ParsedDocument) {}

  get file(): string {
    return this.current.file;
  }

  get text(): string {
    return this.current.text;
  }

  get format(): 'json' | 'yaml' {
    return this.current.format;
  }

  get value(): unknown {
    return this.current.value;
  }

  valueSpan(path: JsonPath): Span | undefined {
    return this.current.valueSpan(path);
  }

  keySpan(path: JsonPath): Span | undefined {
    return this.current.keySpan(path);
  }

  /** Parses the file's new text from the current version; a text that does not parse leaves this document as it was. */
  static parse(previous: ParsedDocument | undefined, file: string, text: string): ParseResult {
    const live = previous instanceof LiveDocument ? previous : undefined;
    const result = live ? reparseDocument(live.current, text) : parseDocument(file, text);
    if (!result.document) return result;
    if (!live) return { document: new LiveDocument(result.document), problems: result.problems };
    live.current = result.document;
    live.revision++;
    return { document: live, problems: result.problems };
  }
}
