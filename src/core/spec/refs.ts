import * as path from 'path';
import type { DocumentReader } from '../parse/index';
import type { JsonPath, ParsedDocument } from '../parse/document';
import { MAX_REF_CHAIN } from '../limits';
import type { InputProblem } from '../problems';

/** A value of a parsed document, with where it is. */
export interface Located {
  value: unknown;
  document: ParsedDocument;
  pointer: JsonPath;
}

/** A $ref met while reading, and where it led: what was read stays valid while the $ref leads there. */
export interface FollowedReference {
  node: Located;
  target: Located | undefined;
}

/** Whether two nodes are the same value at the same place. */
export function sameNode(a: Located | undefined, b: Located | undefined): boolean {
  if (!a || !b) return a === b;
  return a.value === b.value && a.document === b.document && samePointer(a.pointer, b.pointer);
}

export function samePointer(a: JsonPath, b: JsonPath): boolean {
  return a === b || (a.length === b.length && a.every((segment, index) => segment === b[index]));
}

type Reference = Record<string, unknown> & { $ref: string };

/** Each spec document's resolver, so that a SchemaNode's $refs can be followed after loading. */
const resolvers = new WeakMap<ParsedDocument, RefResolver>();

/** The resolver that read `document`, if a spec was loaded from it. */
export function resolverOf(document: ParsedDocument): RefResolver | undefined {
  return resolvers.get(document);
}

/** How many $refs in a row `peek` follows. */
const MAX_PEEKED_HOPS = 16;

/** A `$ref` target that could not be reached; memoized so that each bad $ref is reported once. */
const UNRESOLVED = null;

/**
 * Follows `$ref`s: local (`#/...`) and relative files (resolved against the referring file), never
 * remote ones. Remembers each $ref object's target, so shared schemas are resolved once, and every
 * document it read, so a spec knows all its files.
 */
export class RefResolver {
  readonly documents: ParsedDocument[] = [];
  private readonly targets = new WeakMap<object, Located | typeof UNRESOLVED>();
  private readonly filesSeen = new Set<string>();

  constructor(
    private readonly reader: DocumentReader,
    root: ParsedDocument,
    /** Where problems go (the spec's list): appended to, also after loading, when schemas are walked. */
    readonly problems: InputProblem[],
  ) {
    this.adopt(root);
  }

  /** The node itself, or the end of its $ref chain; undefined (with a problem reported) when the chain breaks. */
  resolve(node: Located): Located | undefined {
    if (!isReference(node.value)) return node;
    const known = this.targets.get(node.value);
    if (known !== undefined) return known ?? undefined;
    const chain: Reference[] = [];
    let current: Located | undefined = node;
    while (current && isReference(current.value)) {
      const reference: Reference = current.value;
      const memo = this.targets.get(reference);
      if (memo !== undefined) {
        current = memo ?? undefined;
        break;
      }
      if (chain.includes(reference)) {
        this.report(node, 'ref-cycle', `$ref "${(node.value as Reference).$ref}" only leads back to itself.`);
        current = undefined;
        break;
      }
      if (chain.length === MAX_REF_CHAIN) {
        this.report(node, 'too-deep', `$ref "${(node.value as Reference).$ref}" starts a chain of more than ${MAX_REF_CHAIN} $refs: it is not followed.`);
        current = undefined;
        break;
      }
      chain.push(reference);
      current = this.follow(current as Located & { value: Reference });
    }
    for (const reference of chain) this.targets.set(reference, current ?? UNRESOLVED);
    return current;
  }

  /**
   * Where `node` leads, found without side effects (no file read, no problem reported, nothing
   * remembered), or undefined when that is not enough: a $ref to another file not followed yet, or a
   * broken chain. Checks that what was read from an earlier version of the documents still holds.
   */
  peek(node: Located): Located | undefined {
    let current = node;
    for (let hops = 0; isReference(current.value); hops++) {
      const known = this.targets.get(current.value);
      if (known !== undefined) return known ?? undefined;
      const target = referenceTarget(current.value);
      // A chain this long is a cycle, or as good as one: resolving it again will tell.
      if (hops === MAX_PEEKED_HOPS || 'problem' in target || target.filePart !== '' || !target.pointer) return undefined;
      const value = valueAt(current.document.value, target.pointer);
      if (value === undefined) return undefined;
      current = { value, document: current.document, pointer: target.pointer };
    }
    return current;
  }

  private follow(node: Located & { value: Reference }): Located | undefined {
    const reference = node.value.$ref;
    const target = referenceTarget(node.value);
    if ('problem' in target) {
      this.report(node, target.problem.kind, target.problem.message);
      return undefined;
    }
    const { filePart, fragment, pointer } = target;
    const document = filePart === '' ? node.document : this.documentAt(node, filePart);
    if (!document) return undefined;
    if (!pointer) {
      this.report(node, 'unresolved-ref', `$ref "${reference}": "#${fragment}" is not a JSON pointer.`);
      return undefined;
    }
    const value = valueAt(document.value, pointer);
    if (value === undefined) {
      this.report(node, 'unresolved-ref', `$ref "${reference}": ${path.basename(document.file)} has nothing at "#${fragment}".`);
      return undefined;
    }
    return { value, document, pointer };
  }

  private documentAt(node: Located & { value: Reference }, filePart: string): ParsedDocument | undefined {
    let relative: string;
    try {
      relative = decodeURI(filePart);
    } catch {
      relative = filePart;
    }
    const file = path.resolve(path.dirname(node.document.file), relative);
    const parsed = this.reader.parse(file);
    if (!this.filesSeen.has(file)) {
      this.filesSeen.add(file);
      // Whole-file problems (a missing file) are told by the unresolved-ref below; problems inside the file are its own.
      for (const problem of parsed.problems) if (parsed.document || problem.span) this.problems.push(problem);
      if (parsed.document) this.adopt(parsed.document);
    }
    if (!parsed.document) {
      const problem = parsed.problems[0];
      const refused = problem?.kind === 'outside-root' || problem?.kind === 'not-a-file';
      this.report(node, refused ? problem.kind : 'unresolved-ref', `$ref "${node.value.$ref}" points to ${relative}, which was not read: ${problem?.message ?? 'it could not be parsed.'}`);
    }
    return parsed.document;
  }

  private adopt(document: ParsedDocument): void {
    this.filesSeen.add(document.file);
    this.documents.push(document);
    resolvers.set(document, this);
  }

  private report(node: Located, kind: InputProblem['kind'], message: string): void {
    const span = node.document.valueSpan([...node.pointer, '$ref']);
    this.problems.push({ file: node.document.file, span, kind, message });
  }
}

export function isReference(value: unknown): value is Reference {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>).$ref === 'string';
}

/** What a `$ref` string says, independent of any document: a file and a pointer, or why it is not followed. */
type ReferenceTarget =
  | { problem: { kind: 'remote-ref' | 'unresolved-ref'; message: string } }
  /** `pointer` is undefined when the fragment is not a JSON pointer. */
  | { filePart: string; fragment: string; pointer?: string[] };

/**
 * Per `$ref` string, kept across loads: a spec writes the same $ref many times (GitHub's description
 * has 10,460 $ref objects for 1,764 strings), and a reparsed document the same
 * ones again. Emptied when full, so that a spec of endless distinct $refs costs no more than without.
 */
const referenceTargets = new Map<string, ReferenceTarget>();
const MAX_KEPT_REFERENCES = 10_000;

function referenceTarget(reference: Reference): ReferenceTarget {
  let target = referenceTargets.get(reference.$ref);
  if (!target) {
    if (referenceTargets.size === MAX_KEPT_REFERENCES) referenceTargets.clear();
    referenceTargets.set(reference.$ref, (target = readReference(reference.$ref)));
  }
  return target;
}

function readReference(reference: string): ReferenceTarget {
  if (/^https?:/i.test(reference) || reference.startsWith('//')) {
    return { problem: { kind: 'remote-ref', message: `Remote $ref "${reference}" is not fetched: only files in the workspace are read.` } };
  }
  if (/^[a-z][a-z0-9+.-]+:/i.test(reference)) {
    return { problem: { kind: 'unresolved-ref', message: `$ref "${reference}" is not a relative file or a local pointer.` } };
  }
  const hash = reference.indexOf('#');
  const fragment = hash === -1 ? '' : reference.slice(hash + 1);
  return { filePart: hash === -1 ? reference : reference.slice(0, hash), fragment, pointer: parsePointer(fragment) };
}

/** `/a~1b/c%20d` → ['a/b', 'c d']: percent-decoding (URI fragment) first, then JSON pointer escapes. */
function parsePointer(fragment: string): string[] | undefined {
  if (fragment === '') return [];
  if (!fragment.startsWith('/')) return undefined;
  return fragment
    .slice(1)
    .split('/')
    .map((segment) => {
      let decoded = segment;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        // A lone `%` is taken literally.
      }
      return decoded.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

function valueAt(root: unknown, pointer: readonly string[]): unknown {
  let value = root;
  for (const segment of pointer) {
    value = childOf(value, segment);
    if (value === undefined) return undefined;
  }
  return value;
}

function childOf(value: unknown, segment: string): unknown {
  if (Array.isArray(value)) return /^\d+$/.test(segment) ? value[Number(segment)] : undefined;
  if (typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, segment)) return (value as Record<string, unknown>)[segment];
  return undefined;
}
