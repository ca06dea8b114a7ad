import * as assert from 'assert';
import { ParseCache } from '../../../src/core/parse/cache';
import { parseDocument, reparseDocument, type JsonPath, type ParsedDocument } from '../../../src/core/parse/index';

const FILE = '/virtual/spec.json';

function parsed(text: string): ParsedDocument {
  const result = parseDocument(FILE, text);
  assert.deepStrictEqual(result.problems, []);
  return result.document!;
}

/** Every path of a value: the root, then each property and item, depth first. */
function pathsOf(value: unknown, prefix: JsonPath = []): JsonPath[] {
  const children = Array.isArray(value) ? value.map((item, index) => pathsOf(item, [...prefix, index])) : typeof value === 'object' && value !== null ? Object.entries(value).map(([key, child]) => pathsOf(child, [...prefix, key])) : [];
  return [prefix, ...children.flat()];
}

/** Reparses `text` from `previous` and checks it against a parse from scratch: value, and every key and value span. */
function reparsedLikeFresh(previous: ParsedDocument, text: string): ParsedDocument {
  const result = reparseDocument(previous, text);
  const fresh = parseDocument(FILE, text);
  assert.deepStrictEqual(result.problems, fresh.problems);
  if (!fresh.document) {
    assert.strictEqual(result.document, undefined);
    return previous;
  }
  const document = result.document!;
  assert.deepStrictEqual(document.value, fresh.document.value);
  assert.deepStrictEqual(Object.keys(document.value as object), Object.keys(fresh.document.value as object));
  for (const path of [...pathsOf(fresh.document.value), ['missing'], [0, 'missing']]) {
    assert.deepStrictEqual(document.valueSpan(path), fresh.document.valueSpan(path), `value span of ${JSON.stringify(path)}`);
    assert.deepStrictEqual(document.keySpan(path), fresh.document.keySpan(path), `key span of ${JSON.stringify(path)}`);
  }
  return document;
}

/** Reads every span, so that the next version has indexes to take over. */
function indexed(document: ParsedDocument): ParsedDocument {
  for (const path of pathsOf(document.value)) document.keySpan(path);
  return document;
}

const SPEC = {
  openapi: '3.0.3',
  paths: {
    '/a': { get: { description: 'Reads a.', parameters: [{ name: 'id', in: 'path' }] } },
    '/b': { get: { description: 'Reads b.', responses: { '200': { description: 'OK' } } } },
  },
  components: { schemas: { A: { type: 'object', properties: { email: { type: 'string' } } } } },
};

describe('reparseDocument: JSON', () => {
  const text = JSON.stringify(SPEC, null, 2);

  it('parses again only the value that holds the edit, and shares every other object with the previous version', () => {
    const previous = indexed(parsed(text));
    const document = reparsedLikeFresh(previous, text.replace('Reads a.', 'Reads the a, longer.'));
    const [before, after] = [previous.value, document.value] as (typeof SPEC)[];
    assert.strictEqual(after.paths['/b'], before.paths['/b']);
    assert.strictEqual(after.components, before.components);
    assert.strictEqual(after.paths['/a'].get.parameters, before.paths['/a'].get.parameters);
    assert.notStrictEqual(after.paths['/a'], before.paths['/a']);
    assert.strictEqual(before.paths['/a'].get.description, 'Reads a.', 'the previous version is left as it was');
  });

  it('reads edits that add, remove and rename, and whitespace, like a parse from scratch', () => {
    const edits: [string, string][] = [
      ['"Reads b."', '"Reads b.", "summary": "b"'],
      ['"email"', '"mail"'],
      ['"name": "id",\n', ''],
      ['"200"', '"201"'],
      ['"/b": {', '"/b":    {'],
      ['"openapi": "3.0.3"', '"openapi": "3.1.0"'],
      ['"A": {', '"A": {"__proto__": {"x": 1}, '],
      ['"Reads a."', '"Reads \\"a\\"."'],
    ];
    for (const [from, to] of edits) {
      assert.ok(text.includes(from), from);
      reparsedLikeFresh(indexed(parsed(text)), text.replace(from, to));
      reparsedLikeFresh(parsed(text), text.replace(from, to));
    }
  });

  it('reports an edit that breaks the JSON as a parse from scratch does, and recovers from the last good version', () => {
    const previous = parsed(text);
    const broken = reparseDocument(previous, text.replace('"Reads a."', '"Reads a.'));
    assert.strictEqual(broken.document, undefined);
    assert.deepStrictEqual(broken.problems, parseDocument(FILE, text.replace('"Reads a."', '"Reads a.')).problems);
    reparsedLikeFresh(previous, text.replace('Reads a.', 'Reads a, fixed.'));
  });

  it('keeps spans right through a series of edits, in a text longer than the blocks it is compared by', () => {
    const paths: Record<string, unknown> = {};
    for (let index = 0; index < 200; index++) paths[`/items${index}`] = { get: { operationId: `get-${index}`, description: `Item ${index}.`, tags: ['items', index] } };
    let current = JSON.stringify({ openapi: '3.0.3', paths }, null, 2);
    let document = indexed(parsed(current));
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let step = 0; step < 60; step++) {
      const at = Math.floor(random() * current.length);
      const insert = ['x', ' ', '1', '"', ',', '"k": 2, '][Math.floor(random() * 6)];
      const next = current.slice(0, at) + insert + current.slice(at + Math.floor(random() * 3));
      const reparsed = reparsedLikeFresh(document, next);
      if (reparsed !== document) [current, document] = [next, step % 2 ? indexed(reparsed) : reparsed];
    }
  });

  it('parses YAML from scratch', () => {
    const previous = parseDocument('/virtual/spec.yaml', 'a: {b: 1}\nc: [2]\n').document!;
    const result = reparseDocument(previous, 'a: {b: 1}\nc: [3]\n');
    assert.deepStrictEqual(result.document?.value, { a: { b: 1 }, c: [3] });
  });
});

describe('ParseCache', () => {
  it('computes again only when the text changed, from the value of the previous text', () => {
    const cache = new ParseCache();
    const seen: (string | undefined)[] = [];
    const compute = (text: string) => (previous?: string) => (seen.push(previous), `parsed ${text}`);
    assert.strictEqual(cache.get('document', FILE, 'one', compute('one')), 'parsed one');
    assert.strictEqual(cache.get('document', FILE, 'one', compute('one')), 'parsed one');
    assert.strictEqual(cache.get('document', FILE, 'two', compute('two')), 'parsed two');
    assert.deepStrictEqual(seen, [undefined, 'parsed one']);
  });

  it('forgets the files that a scan did not ask for', () => {
    const cache = new ParseCache();
    let computed = 0;
    const compute = () => ++computed;
    cache.get('document', FILE, 'text', compute);
    cache.prune();
    cache.prune();
    assert.strictEqual(cache.get('document', FILE, 'text', compute), 2);
  });
});
