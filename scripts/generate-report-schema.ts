// npm run docs (with the rule docs): writes docs/report.schema.json, the JSON schema of the analysis
// contract (src/core/report/contract.ts), from its TypeScript types; a unit test checks it is current.
import * as fs from 'fs';
import * as path from 'path';
import { createGenerator } from 'ts-json-schema-generator';

const repository = path.join(__dirname, '..');
export const REPORT_SCHEMA_FILE = path.join(repository, 'docs', 'report.schema.json');

export function reportSchemaText(): string {
  const schema = createGenerator({
    path: path.join(repository, 'src', 'core', 'report', 'contract.ts'),
    tsconfig: path.join(repository, 'tsconfig.json'),
    type: 'AnalysisReport',
    skipTypeCheck: true,
    additionalProperties: false,
  }).createSchema('AnalysisReport');
  return JSON.stringify({ $id: 'https://github.com/apim-posture/apim-posture/blob/main/docs/report.schema.json', title: 'APIM Posture analysis report', ...schema }, null, 2) + '\n';
}

if (require.main === module) fs.writeFileSync(REPORT_SCHEMA_FILE, reportSchemaText());
