import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ruleDocsMarkdown } from '../../src/core/report/ruleDocs';
import { ALL_RULES } from '../../src/core/rules/index';
import { EXPIRED_SUPPRESSION_RULE, INPUT_PROBLEM_RULE } from '../../src/core/scan';

describe('docs/rules.md', () => {
  it('is what the rules say about themselves (run `npm run docs` after changing a rule)', () => {
    const rules = [...ALL_RULES.map((rule) => rule.meta), INPUT_PROBLEM_RULE, EXPIRED_SUPPRESSION_RULE];
    assert.strictEqual(fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'rules.md'), 'utf8'), ruleDocsMarkdown(rules));
    for (const rule of rules) assert.ok(rule.helpUri.endsWith(`docs/rules.md#${rule.id}`), rule.helpUri);
  });
});
