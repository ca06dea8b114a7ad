import * as assert from 'assert';
import { findingToMarkdown, formatMarkdown } from '../../../src/core/report';
import { locator, reportFinding } from '../../../src/core/report/analysisReport';
import { codeSpan, markdownText } from '../../../src/core/report/markdown';
import type { Finding } from '../../../src/core/findings';
import { AUTH_FINDING, ROOT, RULES, SECRET_FINDING, sampleCoverage, sampleScan } from '../../fixtures/report/sampleScan';

const rule = (id: string) => RULES.find((candidate) => candidate.id === id);

/** A finding as the contract carries it (paths relative to ROOT, 1-based regions): what findingToMarkdown writes. */
const contract = (finding: Finding) => reportFinding(finding, locator(ROOT, sampleScan().lineIndex));

describe('findingToMarkdown', () => {
  it('writes a finding with its location links, Defender recommendation, related locations and fixes', () => {
    assert.strictEqual(
      findingToMarkdown(contract(AUTH_FINDING), rule('api-auth-missing')),
      [
        '**High** · [API endpoints should be authenticated](https://example.test/rules#api-auth-missing) `api-auth-missing`',
        '',
        'API orders;rev=2 lets calls in without a subscription key or a token.',
        '',
        '- Location: [apis/orders;rev=2/apiInformation.json:4:5](apis/orders%3Brev%3D2/apiInformation.json#L4)',
        '- Resource: `apis/orders;rev=2`',
        '- Defender for Cloud: API endpoints in Azure API Management should be authenticated (High)',
        '- Related: [apis/orders;rev=2/apiInformation.json:3:31](apis/orders%3Brev%3D2/apiInformation.json#L3): The API is declared here.',
        '- Fix: Require a subscription key',
        '- Fix: Add a validate-jwt policy',
        '- Remediation: Require a subscription key, or add `validate-jwt` to the API policy.',
      ].join('\n'),
    );
  });

  it('escapes Markdown in messages but keeps their code spans, and links under a base URL', () => {
    const markdown = findingToMarkdown(contract(SECRET_FINDING), rule('named-value-secret-plaintext'), {
      linkBase: 'https://github.com/o/r/blob/abc/',
    });
    assert.ok(markdown.includes('\nNamed value `db-password` holds a \\*plain\\* \\<password\\> \\| not a secret.\n'));
    assert.ok(
      markdown.includes(
        '- Location: [named values/db-password/namedValueInformation.json:5:5]' +
          '(https://github.com/o/r/blob/abc/named%20values/db-password/namedValueInformation.json#L5)',
      ),
    );
  });

  it('still writes a finding whose rule is unknown', () => {
    const markdown = findingToMarkdown({ ...contract(SECRET_FINDING), ruleId: 'gone' }, undefined);
    assert.ok(markdown.startsWith('**Medium** · gone `gone`\n'));
    assert.ok(!markdown.includes('Remediation'));
  });
});

describe('markdownText and codeSpan', () => {
  it('keep text literal', () => {
    assert.strictEqual(markdownText('a_b [x](y) `c|d` <e> & f\nnext'), 'a\\_b \\[x\\](y) `c|d` \\<e\\> \\& f next');
    assert.strictEqual(markdownText('unbalanced ` tick'), 'unbalanced \\` tick');
    assert.strictEqual(codeSpan('apis/a`b'), '`` apis/a`b ``');
  });
});

describe('formatMarkdown', () => {
  const markdown = formatMarkdown(sampleScan());

  it('starts with a summary table', () => {
    assert.ok(
      markdown.startsWith(
        [
          '# APIM Posture report',
          '',
          '| Severity | Findings |',
          '| --- | ---: |',
          '| High | 1 |',
          '| Medium | 1 |',
          '| Low | 0 |',
          '| Info | 1 |',
          '| **Total** | **3** |',
          '| Suppressed | 1 |',
          '',
          '3 files read in 42 ms by APIM Posture 0.1.0.',
          '',
          '## High (1)',
          '',
        ].join('\n'),
      ),
    );
  });

  it('lists findings by severity, then suppressed ones, each as findingToMarkdown writes it', () => {
    const headings = markdown.split('\n').filter((line) => line.startsWith('## '));
    assert.deepStrictEqual(headings, ['## High (1)', '## Medium (1)', '## Info (1)', '## Suppressed (1)', '## Coverage']);
    assert.ok(markdown.includes(`## High (1)\n\n${findingToMarkdown(contract(AUTH_FINDING), rule('api-auth-missing'))}\n\n## Medium`));
    assert.ok(markdown.includes('- Suppressed: Legacy clients until Q3 (until 2026-09-30)\n\n## Coverage\n'));
    assert.ok(markdown.includes('- Location: [apis/broken/specification.yaml:1:1](apis/broken/specification.yaml#L1)'));
  });

  it('says what the reading assumed below the summary', () => {
    assert.ok(formatMarkdown(sampleScan([], ['Each spec requires a subscription_key.'])).includes('3 files read in 42 ms by APIM Posture 0.1.0.\n\n**Assumed:** Each spec requires a subscription\\_key.\n\nNo findings.'));
  });

  it('says so when there is nothing to report', () => {
    assert.ok(formatMarkdown(sampleScan([])).includes('3 files read in 42 ms by APIM Posture 0.1.0.\n\nNo findings.\n\n## Coverage\n'));
  });

  it('ends with the coverage: the summary, then each list cut to 100 entries', () => {
    assert.ok(
      markdown.endsWith(
        [
          '## Coverage',
          '',
          'Read: 1 service (apiops at .); 1 API, 2 operations, 1 policy from APIOps; 0 shared policies (global, workspaces, products, fragments).  ',
          'Not read: 1 policy file no scope uses, 1 path excluded.',
          '',
          '**Not read:**',
          '',
          '- `policies/unused.xml`: No API, operation, product, fragment or the global scope uses this policy.',
          '',
          '**Excluded:**',
          '',
          '- `legacy/`',
          '',
        ].join('\n'),
      ),
    );
    const notRead = Array.from({ length: 101 }, (_, index) => ({ file: `p/*${index}*.xml`, kind: 'policy-not-used' as const, reason: 'un_used' }));
    const long = formatMarkdown(sampleScan([], [], { ...sampleCoverage(), notRead }));
    assert.ok(long.includes('- `p/*99*.xml`: un\\_used\n- and 1 more\n'));
    assert.ok(!long.includes('p/*100*.xml'));
  });
});
