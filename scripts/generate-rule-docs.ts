// npm run docs: writes docs/rules.md from the rules' metadata.
import * as fs from 'fs';
import * as path from 'path';
import { ruleDocsMarkdown } from '../src/core/report/ruleDocs';
import { RULE_CATALOG } from '../src/core/rules/catalog';

fs.writeFileSync(path.join(__dirname, '..', 'docs', 'rules.md'), ruleDocsMarkdown(RULE_CATALOG));
