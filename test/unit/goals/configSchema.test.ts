// The JSON schema of `.apim-posture.json` (schemas/apim-posture.schema.json, which VS Code uses for
// completion, hovers and validation): every config in the repository is valid against it, and it
// names exactly the keys the reader reads, so that the two cannot drift apart.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { CONFIG_KEYS } from '../../../src/core/config';
import { GOAL_KEYS, GOAL_METRICS, REQUIREMENTS, SELECTION_KEYS, TARGET_KEYS } from '../../../src/core/goals/goal';

const REPOSITORY = path.join(__dirname, '..', '..', '..');
const SCHEMA_FILE = path.join(REPOSITORY, 'schemas', 'apim-posture.schema.json');
const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

const keysOf = (object: { properties: Record<string, unknown> }) => Object.keys(object.properties).sort();
const sorted = (keys: readonly string[]) => [...keys].sort();

/** Every `.apim-posture.json` below a folder (node_modules and git aside). */
function configFiles(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === '.git') return [];
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? configFiles(full) : entry.name === '.apim-posture.json' ? [full] : [];
  });
}

/** The README's JSON examples of the file: the code blocks of its configuration and goals sections that are objects with settings. */
function readmeExamples(): unknown[] {
  const readme = fs.readFileSync(path.join(REPOSITORY, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1]) as Record<string, unknown>);
  return blocks.filter((block) => Object.keys(block).some((key) => CONFIG_KEYS.file.includes(key as never)));
}

describe('.apim-posture.json schema', () => {
  it('is contributed to VS Code for .apim-posture.json', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPOSITORY, 'package.json'), 'utf8'));
    assert.deepStrictEqual(manifest.contributes.jsonValidation, [{ fileMatch: '.apim-posture.json', url: './schemas/apim-posture.schema.json' }]);
  });

  it('accepts every config file in the repository and every example in the README', () => {
    const files = [...configFiles(path.join(REPOSITORY, 'test')), ...configFiles(path.join(REPOSITORY, 'samples'))];
    assert.ok(files.length >= 2);
    for (const file of files) assert.ok(validate(JSON.parse(fs.readFileSync(file, 'utf8'))), `${path.relative(REPOSITORY, file)}: ${JSON.stringify(validate.errors)}`);
    const examples = readmeExamples();
    // The configuration section's example and the posture goals section's.
    assert.ok(examples.length >= 2, `${examples.length} README examples`);
    for (const example of examples) assert.ok(validate(example), `README: ${JSON.stringify(validate.errors)}`);
  });

  it('names the keys the reader reads, at every level, and no others', () => {
    assert.deepStrictEqual(keysOf(schema), sorted(CONFIG_KEYS.file));
    assert.deepStrictEqual(keysOf(schema.properties.sensitiveData), sorted(CONFIG_KEYS.sensitiveData));
    assert.deepStrictEqual(keysOf(schema.definitions.customType), sorted(CONFIG_KEYS.customType));
    assert.deepStrictEqual(keysOf(schema.definitions.suppression), sorted(CONFIG_KEYS.suppression));
    assert.deepStrictEqual(keysOf(schema.definitions.mapping), sorted(CONFIG_KEYS.mapping));
    assert.deepStrictEqual(keysOf(schema.definitions.goal), sorted(GOAL_KEYS));
    assert.deepStrictEqual(keysOf(schema.definitions.selection), sorted(SELECTION_KEYS));
    assert.deepStrictEqual(keysOf(schema.definitions.target), sorted(TARGET_KEYS));
    assert.deepStrictEqual(schema.definitions.goal.properties.metric.enum, [...GOAL_METRICS]);
    assert.deepStrictEqual(schema.definitions.goal.properties.require.items.enum, [...REQUIREMENTS]);
  });

  it('the reader reads no top-level key the list leaves out (config.ts as written)', () => {
    const source = fs.readFileSync(path.join(REPOSITORY, 'src', 'core', 'config.ts'), 'utf8');
    const read = new Set([...source.matchAll(/root_\.(\w+)/g)].map((match) => match[1]));
    assert.ok(read.has('goals') && read.has('suppressions'));
    for (const key of read) assert.ok(CONFIG_KEYS.file.includes(key as never), `config.ts reads "${key}", which CONFIG_KEYS (and so the schema) leaves out`);
  });

  it('rejects what the reader reports: an unknown key, a goal with neither metric nor require or with both, an unknown target bound', () => {
    assert.ok(!validate({ suppresions: [] }));
    assert.ok(!validate({ goals: [{ id: 'g', target: { max: 0 } }] }));
    assert.ok(!validate({ goals: [{ id: 'g', metric: 'findings', require: ['https-only'], target: { max: 0 } }] }));
    assert.ok(!validate({ goals: [{ id: 'g', metric: 'findings', target: { maximum: 0 } }] }));
    assert.ok(validate({ goals: [{ id: 'g', require: ['https-only'], select: { api: 'orders-*', keyless: true } }] }));
  });
});
