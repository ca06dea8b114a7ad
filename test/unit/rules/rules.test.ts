// Every rule is tested on fixture repositories: test/fixtures/rules/<rule>/<case>/ holds a small
// repository and expected.json, the exact findings that rule must give there (nothing more, nothing less).
// A case may hold a snapshot of Azure (.apim-posture/snapshot.json) for the rules that read deployment
// facts; Defender's own findings from it count too when they carry the rule's id.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ALL_RULES } from '../../../src/core/rules/catalog';
import { scan } from '../../../src/core/scan';

interface ExpectedFinding {
  resource: string;
  severity?: string;
  /** The text the finding's location spans, e.g. the operation's method key or a JSON value. */
  at?: string;
  /** File of the location, relative to the case folder. */
  file?: string;
  messageIncludes?: string[];
  /** Ids of fixes that must be offered. */
  fixes?: string[];
}

interface Expected {
  findings: ExpectedFinding[];
}

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'rules');

describe('rules on fixture repositories', () => {
  it('every rule has fixtures', () => {
    const withFixtures = new Set(fs.readdirSync(FIXTURES));
    assert.deepStrictEqual(ALL_RULES.map((rule) => rule.meta.id).filter((id) => !withFixtures.has(id)), []);
  });

  for (const ruleId of fs.readdirSync(FIXTURES)) {
    const rule = ALL_RULES.find((candidate) => candidate.meta.id === ruleId);
    describe(ruleId, () => {
      it('is a known rule', () => assert.ok(rule, `test/fixtures/rules/${ruleId} names no rule`));
      for (const caseName of fs.readdirSync(path.join(FIXTURES, ruleId))) {
        it(caseName, () => {
          const folder = path.join(FIXTURES, ruleId, caseName);
          const expected = JSON.parse(fs.readFileSync(path.join(folder, 'expected.json'), 'utf8')) as Expected;
          const result = scan(folder, { rules: [rule!], snapshot: 'auto' });
          assert.deepStrictEqual(
            // A part of the snapshot Azure did not answer is what some fixtures are about (plan-unknown).
            result.findings.filter((finding) => finding.ruleId === 'input-problem' && finding.properties?.problemKind !== 'unread-in-azure').map((finding) => finding.message),
            [],
            'the fixture itself must read cleanly',
          );
          const actual = result.findings.filter((finding) => finding.ruleId === ruleId);
          assert.deepStrictEqual(
            actual.map((finding) => finding.resource).sort(),
            expected.findings.map((finding) => finding.resource).sort(),
            `findings of ${ruleId}:\n${actual.map((finding) => `  ${finding.resource}: ${finding.message}`).join('\n')}`,
          );
          for (const want of expected.findings) {
            const candidates = actual.filter((finding) => finding.resource === want.resource);
            const matches = candidates.filter((finding) => {
              const text = fs.readFileSync(finding.location.file, 'utf8').slice(finding.location.span.start, finding.location.span.end);
              return (
                (!want.severity || finding.severity === want.severity) &&
                (!want.at || text === want.at) &&
                (!want.file || path.relative(folder, finding.location.file).split(path.sep).join('/') === want.file) &&
                (want.messageIncludes ?? []).every((part) => finding.message.includes(part)) &&
                (want.fixes ?? []).every((fixId) => finding.fixes.some((fix) => fix.id === fixId))
              );
            });
            assert.ok(
              matches.length > 0,
              `no finding matches ${JSON.stringify(want)}; got:\n${candidates
                .map((finding) => `  ${finding.severity} ${path.relative(folder, finding.location.file)} "${fs.readFileSync(finding.location.file, 'utf8').slice(finding.location.span.start, finding.location.span.end)}" ${finding.message} fixes=${finding.fixes.map((fix) => fix.id).join(',')}`)
                .join('\n')}`,
            );
          }
        });
      }
    });
  }
});
