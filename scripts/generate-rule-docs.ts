// npm run docs: writes docs/rules.md from the rules' metadata.
import * as fs from 'fs';
import * as path from 'path';
import { ruleDocsMarkdown } from '../src/core/report/ruleDocs';
import { ALL_RULES } from '../src/core/rules/index';
import { EXPIRED_SUPPRESSION_RULE, INPUT_PROBLEM_RULE } from '../src/core/scan';

fs.writeFileSync(path.join(__dirname, '..', 'docs', 'rules.md'), ruleDocsMarkdown([...ALL_RULES.map((rule) => rule.meta), INPUT_PROBLEM_RULE, EXPIRED_SUPPRESSION_RULE]));
