// One rule catalog, every surface: docs/rules.md, `apim-posture rules` and `explain`, and the SARIF
// rule metadata of a scan with a snapshot of Azure all name the same rules, and every help link lands
// on a section of docs/rules.md.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
import { run } from '../../src/cli/main';
import { ruleDocsMarkdown } from '../../src/core/report/ruleDocs';
import { formatSarif } from '../../src/core/report/sarif';
import { RULE_CATALOG } from '../../src/core/rules/catalog';
import { OBSERVED_RECOMMENDATION_RULE, UNPREDICTED_RECOMMENDATIONS } from '../../src/core/rules/observedRecommendation';
import { DOCS_BASE, headingAnchor } from '../../src/core/rules/rule';
import { scan } from '../../src/core/scan';
import { SAMPLES } from '../azure/contoso';

const DOCS = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'rules.md'), 'utf8');
const DOCS_ANCHORS = new Set([...DOCS.matchAll(/^#{2,6} (.+)$/gm)].map((match) => headingAnchor(match[1])));
const DOCS_RULES = [...DOCS.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
const catalogIds = RULE_CATALOG.map((rule) => rule.id);

function cli(args: string[]): { code: number; out: string } {
  let out = '';
  const stream = new Writable({ write: (chunk, _encoding, done) => ((out += String(chunk)), done()) });
  const code = run(args, { out: stream, err: new Writable({ write: (_chunk, _encoding, done) => done() }) }) as number;
  return { code, out };
}

/** The anchor of a help link into docs/rules.md. */
function docsAnchor(helpUri: string): string {
  assert.ok(helpUri.startsWith(`${DOCS_BASE}#`), helpUri);
  return helpUri.slice(DOCS_BASE.length + 1);
}

describe('the rule catalog', () => {
  it('is docs/rules.md (run `npm run docs` after changing a rule)', () => {
    assert.strictEqual(DOCS, ruleDocsMarkdown(RULE_CATALOG));
    assert.deepStrictEqual(DOCS_RULES, catalogIds);
  });

  it('names each rule once, each with a help link to its section of docs/rules.md', () => {
    assert.strictEqual(new Set(catalogIds).size, catalogIds.length);
    for (const rule of RULE_CATALOG) assert.ok(DOCS_ANCHORS.has(docsAnchor(rule.helpUri)), `${rule.id}: ${rule.helpUri}`);
    assert.strictEqual(docsAnchor(OBSERVED_RECOMMENDATION_RULE.helpUri), 'defender-assessment-key');
  });

  it('is what `apim-posture rules` lists', () => {
    const listed = cli(['rules']).out.trimEnd().split('\n').map((line) => line.split(/\s+/)[0]);
    assert.deepStrictEqual(listed, catalogIds);
  });

  it('explains every rule, and every recommendation of Defender by its key', () => {
    for (const rule of RULE_CATALOG) {
      const { code, out } = cli(['explain', rule.id]);
      assert.strictEqual(code, 0, rule.id);
      assert.ok(out.startsWith(`${rule.id}: ${rule.title}\n`) && out.includes(`More: ${rule.helpUri}`), rule.id);
    }
    const direct = cli(['explain', 'defender-e2aeced9-6ef0-410e-b948-4aaa65ded9a7']);
    assert.strictEqual(direct.code, 0);
    assert.match(direct.out, /^defender-e2aeced9-6ef0-410e-b948-4aaa65ded9a7: API Management direct management endpoint should not be enabled\n/);
    assert.match(direct.out, /More: \S+#defender-assessment-key\n/);
    const unknown = cli(['explain', 'defender-0f0f0f0f-0000-4000-8000-000000000000']);
    assert.strictEqual(unknown.code, 0);
    assert.match(unknown.out, /^defender-0f0f0f0f-0000-4000-8000-000000000000: Defender for Cloud recommendation 0f0f0f0f-0000-4000-8000-000000000000\n/);
    assert.notStrictEqual(cli(['explain', 'defender-']).code, 0);
  });

  it('lists the recommendations of Defender no rule predicts in their section', () => {
    for (const recommendation of UNPREDICTED_RECOMMENDATIONS) assert.ok(OBSERVED_RECOMMENDATION_RULE.description.includes(recommendation.displayName));
  });

  it('is the SARIF rule metadata of a scan with a snapshot of Azure, and every finding has its rule there', () => {
    const sarif = JSON.parse(formatSarif(scan(SAMPLES, { snapshot: 'auto' })));
    const rules: { id: string; helpUri: string }[] = sarif.runs[0].tool.driver.rules;
    const family = (id: string) => (id.startsWith('defender-') && !catalogIds.includes(id) ? OBSERVED_RECOMMENDATION_RULE.id : id);
    assert.deepStrictEqual([...new Set(rules.map((rule) => family(rule.id)))].sort(), [...catalogIds].sort());
    for (const rule of rules) assert.ok(DOCS_ANCHORS.has(docsAnchor(rule.helpUri)), `${rule.id}: ${rule.helpUri}`);
    const ruleIds = new Set(rules.map((rule) => rule.id));
    for (const result of sarif.runs[0].results) assert.ok(ruleIds.has(result.ruleId), result.ruleId);
  });
});
