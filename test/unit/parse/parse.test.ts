import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createDocumentReader, parseDocument, type ParsedDocument } from '../../../src/core/parse/index';
import { LineIndex, type Span } from '../../../src/core/text';
import { MAX_COLLECTION_ALIASES } from '../../../src/core/parse/yaml';
import { FileReader } from '../../../src/core/workspace/files';

const FIXTURES = path.join(__dirname, '../../fixtures/spec');

function textAt(document: ParsedDocument, span: Span | undefined): string | undefined {
  return span && document.text.slice(span.start, span.end);
}

function parsed(text: string, format: 'json' | 'yaml'): ParsedDocument {
  const result = parseDocument(`/virtual/file.${format}`, text);
  assert.deepStrictEqual(result.problems, []);
  return result.document!;
}

describe('parseDocument: JSON', () => {
  const text = '{"a": {"b\\"c": [1, "x\\\\", {"d": null}], "e": true}, "f": -1.5e3, "g": {}, "h": []}';

  it('keeps the native value and finds key and value spans on demand', () => {
    const document = parsed(text, 'json');
    assert.strictEqual(document.format, 'json');
    assert.deepStrictEqual(document.value, JSON.parse(text));
    assert.strictEqual(textAt(document, document.valueSpan([])), text);
    assert.strictEqual(textAt(document, document.keySpan(['a', 'b"c'])), '"b\\"c"');
    assert.strictEqual(textAt(document, document.valueSpan(['a', 'b"c'])), '[1, "x\\\\", {"d": null}]');
    assert.strictEqual(textAt(document, document.valueSpan(['a', 'b"c', 1])), '"x\\\\"');
    assert.strictEqual(textAt(document, document.keySpan(['a', 'b"c', 2, 'd'])), '"d"');
    assert.strictEqual(textAt(document, document.valueSpan(['a', 'b"c', 2, 'd'])), 'null');
    assert.strictEqual(textAt(document, document.valueSpan(['f'])), '-1.5e3');
    assert.strictEqual(textAt(document, document.valueSpan(['g'])), '{}');
    assert.strictEqual(textAt(document, document.valueSpan(['h'])), '[]');
  });

  it('answers undefined for paths that do not exist', () => {
    const document = parsed(text, 'json');
    assert.strictEqual(document.valueSpan(['missing']), undefined);
    assert.strictEqual(document.valueSpan(['a', 'b"c', 3]), undefined);
    assert.strictEqual(document.valueSpan(['f', 'x']), undefined);
    assert.strictEqual(document.keySpan(['h', 0]), undefined);
  });

  it('reads a text whose BOM became a space, and one that still has its BOM', () => {
    for (const first of [' ', '\ufeff']) {
      const document = parsed(`${first}{"k": 1}`, 'json');
      assert.deepStrictEqual(document.value, { k: 1 });
      assert.deepStrictEqual(document.keySpan(['k']), { start: 2, end: 5 });
    }
  });

  it('reports malformed JSON where it breaks', () => {
    const file = path.join(FIXTURES, 'malformed.json');
    const result = parseDocument(file, fs.readFileSync(file, 'utf8'));
    assert.strictEqual(result.document, undefined);
    assert.strictEqual(result.problems.length, 1);
    const [problem] = result.problems;
    assert.strictEqual(problem.kind, 'malformed-json');
    assert.strictEqual(problem.file, file);
    assert.match(problem.message, /comma expected/);
    assert.deepStrictEqual(new LineIndex(fs.readFileSync(file, 'utf8')).positionAt(problem.span!.start), { line: 5, character: 4 });
  });

  it('guesses the format from the extension, else from the first character', () => {
    assert.strictEqual(parseDocument('/a/spec.txt', '  {"x": 1}').document?.format, 'json');
    assert.strictEqual(parseDocument('/a/spec.txt', 'x: 1').document?.format, 'yaml');
    assert.strictEqual(parseDocument('/a/spec.yml', '{"x": 1}').document?.format, 'yaml');
    assert.strictEqual(parseDocument('/a/spec.JSON', '{"x": 1}').document?.format, 'json');
    assert.strictEqual(parseDocument('/a/spec.json', 'x: 1', 'yaml').document?.format, 'yaml');
  });
});

describe('parseDocument: YAML', () => {
  const text = [
    '# leading comment',
    'base: &base',
    '  x: 1   # trailing comment',
    '  y: [1, 2]',
    'merged:',
    '  <<: *base',
    '  z: "quoted"',
    'empty:',
    'flow: {a, b: c, "d e": \'f\'}',
    '? explicit key',
    ': explicit value',
    'literal: |',
    '  line one',
    '  line two',
    '',
    '# a comment between entries',
    'list:',
    '  - plain',
    '  - &item { k: v }',
    '  - *item',
    '  - - nested',
    '    - two',
    'folded: multi',
    '  line plain',
    'alias: *base # comment',
    'tagged: !!str 12',
    'date: 2024-01-01',
  ].join('\n');

  const cases: [string, (string | number)[], string, string][] = [
    ['block mapping', ['base'], 'base', 'x: 1   # trailing comment\n  y: [1, 2]'],
    ['scalar with a trailing comment', ['base', 'x'], 'x', '1'],
    ['merge key: found where it is written', ['merged', 'x'], 'x', '1'],
    ['merged mapping', ['merged'], 'merged', '<<: *base\n  z: "quoted"'],
    ['quoted scalar', ['merged', 'z'], 'z', '"quoted"'],
    ['flow mapping entry', ['flow', 'b'], 'b', 'c'],
    ['flow mapping quoted key', ['flow', 'd e'], '"d e"', "'f'"],
    ['explicit key', ['explicit key'], 'explicit key', 'explicit value'],
    ['block scalar', ['literal'], 'literal', '|\n  line one\n  line two'],
    ['block sequence', ['list'], 'list', '- plain\n  - &item { k: v }\n  - *item\n  - - nested\n    - two'],
    ['anchored flow item (anchor skipped)', ['list', 1], '{ k: v }', '{ k: v }'],
    ['alias item', ['list', 2], '*item', '*item'],
    ['through an alias: where the anchor is', ['list', 2, 'k'], 'k', 'v'],
    ['nested sequence item', ['list', 3, 1], 'two', 'two'],
    ['multi-line plain scalar', ['folded'], 'folded', 'multi\n  line plain'],
    ['alias value (comment excluded)', ['alias'], 'alias', '*base'],
    ['tagged scalar', ['tagged'], 'tagged', '12'],
  ];
  for (const [name, path, key, value] of cases) {
    it(`spans: ${name}`, () => {
      const document = parsed(text, 'yaml');
      assert.strictEqual(textAt(document, document.keySpan(path)), key);
      assert.strictEqual(textAt(document, document.valueSpan(path)), value);
    });
  }

  it('gives empty values an empty span after the colon', () => {
    const document = parsed(text, 'yaml');
    const span = document.valueSpan(['empty'])!;
    assert.deepStrictEqual(span, { start: text.indexOf('empty:') + 6, end: text.indexOf('empty:') + 6 });
    assert.strictEqual(textAt(document, document.keySpan(['flow', 'a'])), 'a');
  });

  it('reads JSON-compatible values: aliases shared, merge keys applied, no timestamps', () => {
    const value = parsed(text, 'yaml').value as Record<string, unknown>;
    assert.deepStrictEqual(value.merged, { x: 1, y: [1, 2], z: 'quoted' });
    assert.strictEqual(value.alias, value.base);
    const list = value.list as unknown[];
    assert.strictEqual(list[1], list[2]);
    assert.strictEqual(value.date, '2024-01-01');
    assert.strictEqual(value.tagged, '12');
    assert.strictEqual(value.empty, null);
  });

  it('reads past a BOM, and past the space FileReader puts in its place', () => {
    for (const first of ['\ufeff', ' ']) {
      const text = `${first}a: 1\nb: [2]\n`;
      const document = parsed(text, 'yaml');
      assert.deepStrictEqual(document.value, { a: 1, b: [2] });
      assert.strictEqual(textAt(document, document.keySpan(['b'])), 'b');
      assert.strictEqual(textAt(document, document.valueSpan(['b', 0])), '2');
    }
    assert.deepStrictEqual(parsed(' - a\n - b\n', 'yaml').value, ['a', 'b'], 'a document indented as a whole is read as written');
  });

  it('reads the first of several documents and says so', () => {
    const result = parseDocument('/virtual/multi.yaml', 'a: 1\n---\nb: 2\n');
    assert.deepStrictEqual(result.document?.value, { a: 1 });
    assert.strictEqual(result.problems.length, 1);
    assert.strictEqual(result.problems[0].kind, 'malformed-yaml');
    assert.deepStrictEqual(result.problems[0].span, { start: 9, end: 13 });
  });

  it('reports malformed YAML with its line', () => {
    const file = path.join(FIXTURES, 'malformed.yaml');
    const source = fs.readFileSync(file, 'utf8');
    const result = parseDocument(file, source);
    assert.strictEqual(result.document, undefined);
    assert.strictEqual(result.problems[0].kind, 'malformed-yaml');
    assert.match(result.problems[0].message, /flow collection/);
    assert.strictEqual(new LineIndex(source).positionAt(result.problems[0].span!.start).line, 6);
  });

  it('refuses a billion laughs quickly', () => {
    const file = path.join(FIXTURES, 'alias-bomb.yaml');
    const started = performance.now();
    const result = parseDocument(file, fs.readFileSync(file, 'utf8'));
    assert.ok(performance.now() - started < 500, 'took too long');
    assert.strictEqual(result.document, undefined);
    assert.strictEqual(result.problems.length, 1);
    assert.strictEqual(result.problems[0].kind, 'yaml-alias-limit');
    assert.ok(result.problems[0].span);
  });

  it('refuses many aliases to collections even without exponential expansion', () => {
    const lines = ['shared: &s {a: 1}', 'list:'];
    for (let i = 0; i <= MAX_COLLECTION_ALIASES; i++) lines.push('  - *s');
    const result = parseDocument('/virtual/aliases.yaml', lines.join('\n'));
    assert.strictEqual(result.problems[0]?.kind, 'yaml-alias-limit');
  });

  it('accepts a reasonable number of aliases', () => {
    const lines = ['shared: &s {a: 1}', 'list:'];
    for (let i = 0; i < 100; i++) lines.push('  - *s');
    const result = parseDocument('/virtual/aliases.yaml', lines.join('\n'));
    assert.deepStrictEqual(result.problems, []);
    assert.strictEqual((result.document!.value as { list: unknown[] }).list.length, 100);
  });
});

describe('createDocumentReader', () => {
  it('parses each file once and turns unreadable files into problems', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-parse-'));
    try {
      const file = path.join(folder, 'spec.json');
      fs.writeFileSync(file, '\ufeff{"openapi": "3.0.0"}');
      const reader = createDocumentReader(new FileReader(folder));
      const first = reader.parse(file);
      assert.deepStrictEqual(first.document?.value, { openapi: '3.0.0' });
      assert.strictEqual(reader.parse(path.join(folder, '.', 'spec.json')), first);
      const missing = reader.parse(path.join(folder, 'missing.yaml'));
      assert.strictEqual(missing.document, undefined);
      assert.strictEqual(missing.problems[0].kind, 'unreadable');
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('prefers unsaved editor contents', () => {
    const file = path.resolve('/virtual/unsaved.yaml');
    const reader = createDocumentReader(new FileReader(path.dirname(file), new Map([[file, 'a: [1]']])));
    assert.deepStrictEqual(reader.parse(file).document?.value, { a: [1] });
  });
});
