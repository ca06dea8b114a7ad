import * as assert from 'assert';
import type { Coverage } from '../../../src/core/coverage';
import { formatJson } from '../../../src/core/report';
import {
  AUTH_FINDING,
  INPUT_PROBLEM_FINDING,
  ROOT,
  RULES,
  SECRET_FINDING,
  SUPPRESSED_FINDING,
  sampleCoverage,
  sampleScan,
} from '../../fixtures/report/sampleScan';

describe('formatJson', () => {
  const report = JSON.parse(formatJson(sampleScan()));

  it('writes the header and summary', () => {
    assert.deepStrictEqual(Object.keys(report), ['contractVersion', 'tool', 'version', 'root', 'summary', 'coverage', 'rules', 'findings', 'services', 'drift']);
    assert.strictEqual(report.tool, 'APIM Posture');
    assert.strictEqual(report.version, '0.1.0');
    assert.strictEqual(report.root, ROOT);
    assert.deepStrictEqual(report.summary, {
      findings: 3,
      bySeverity: { high: 1, medium: 1, low: 0, info: 1 },
      suppressed: 1,
      filesRead: 3,
      durationMs: 42,
    });
  });

  it('lists every rule that ran, sorted, with its Defender mapping', () => {
    assert.deepStrictEqual(
      report.rules.map((rule: { id: string }) => rule.id),
      ['api-auth-missing', 'api-http-allowed', 'backend-tls-unvalidated', 'input-problem', 'named-value-secret-plaintext'],
    );
    assert.deepStrictEqual(report.rules[0], {
      id: 'api-auth-missing',
      title: 'API endpoints should be authenticated',
      severity: 'high',
      description: 'Calls reach the backend without a subscription key or a validated token.',
      remediation: 'Require a subscription key, or add `validate-jwt` to the API policy.',
      helpUri: 'https://example.test/rules#api-auth-missing',
      defender: {
        displayName: 'API endpoints in Azure API Management should be authenticated',
        assessmentKey: '00000000-test-0000-0000-000000000001',
        keyConfirmed: true,
        severity: 'High',
      },
    });
    // An unconfirmed mapping has no key to write.
    assert.deepStrictEqual(report.rules[1].defender, {
      displayName: 'APIs should only be exposed over HTTPS',
      keyConfirmed: false,
      severity: 'Medium',
    });
    assert.ok(!('defender' in report.rules[2]));
  });

  it('writes findings in file order with relative paths and 1-based UTF-16 regions', () => {
    assert.deepStrictEqual(report.findings, [
      {
        id: 'bbbbbbbbbbbbbbbbbbbb',
        ruleId: 'input-problem',
        severity: 'info',
        origin: 'predicted',
        sources: ['predicted'],
        resource: 'apis/broken',
        message: 'specification.yaml is a binary file, not text; it was not read.',
        remediation: 'Fix the file.',
        location: { file: 'apis/broken/specification.yaml', startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
        related: [],
        fixes: [],
      },
      {
        id: 'f1a2b3c4d5e6f7a8b9c0',
        ruleId: 'api-auth-missing',
        severity: 'high',
        origin: 'predicted',
        sources: ['predicted'],
        resource: 'apis/orders;rev=2',
        message: 'API orders;rev=2 lets calls in without a subscription key or a token.',
        remediation: 'Require a subscription key, or add `validate-jwt` to the API policy.',
        location: { file: 'apis/orders;rev=2/apiInformation.json', startLine: 4, startColumn: 5, endLine: 4, endColumn: 34 },
        related: [
          {
            // After "Orders 🚀 ": the rocket is two UTF-16 code units, so API starts at column 31, not 30.
            location: { file: 'apis/orders;rev=2/apiInformation.json', startLine: 3, startColumn: 31, endLine: 3, endColumn: 35 },
            message: 'The API is declared here.',
          },
        ],
        fixes: [
          { id: 'require-subscription@apis/orders;rev=2', title: 'Require a subscription key', preferred: true, kind: 'edit' },
          { id: 'add-validate-jwt@apis/orders;rev=2', title: 'Add a validate-jwt policy', preferred: false, kind: 'edit' },
        ],
        properties: { auth: 'unauthenticated' },
      },
      {
        id: 'aaaaaaaaaaaaaaaaaaaa',
        ruleId: 'api-http-allowed',
        severity: 'low',
        origin: 'predicted',
        sources: ['predicted'],
        resource: 'apis/orders;rev=2',
        message: 'API orders;rev=2 accepts HTTP.',
        remediation: 'Remove `http` from the protocols.',
        location: { file: 'apis/orders;rev=2/apiInformation.json', startLine: 5, startColumn: 5, endLine: 5, endColumn: 35 },
        related: [],
        fixes: [],
        suppression: {
          reason: 'Legacy clients until Q3',
          expires: '2026-09-30',
          location: { file: '.apim-posture.json', startLine: 3, startColumn: 5, endLine: 3, endColumn: 13 },
        },
      },
      {
        id: '0123456789abcdef0123',
        ruleId: 'named-value-secret-plaintext',
        severity: 'medium',
        origin: 'predicted',
        sources: ['predicted'],
        resource: 'namedValues/db-password',
        message: 'Named value `db-password` holds a *plain* <password> | not a secret.',
        remediation: 'Mark the named value `secret` and move its value to Key Vault.',
        location: { file: 'named values/db-password/namedValueInformation.json', startLine: 5, startColumn: 5, endLine: 5, endColumn: 23 },
        related: [],
        fixes: [],
      },
    ]);
  });

  it('writes what the reading assumed after the summary, and no key when it assumed nothing', () => {
    const assuming = JSON.parse(formatJson(sampleScan([], ["Each spec requires a subscription key, APIM's default."])));
    assert.deepStrictEqual(Object.keys(assuming), ['contractVersion', 'tool', 'version', 'root', 'summary', 'assumptions', 'coverage', 'rules', 'findings', 'services', 'drift']);
    assert.deepStrictEqual(assuming.assumptions, ["Each spec requires a subscription key, APIM's default."]);
    assert.ok(!('assumptions' in report));
  });

  it('writes the coverage in full: every file not read, path excluded and path skipped', () => {
    assert.deepStrictEqual(report.coverage, sampleCoverage());
    const many = { ...sampleCoverage(), notRead: Array.from({ length: 150 }, (_, index) => ({ file: `p/${index}.xml`, kind: 'policy-not-used', reason: 'unused' })) };
    const written = JSON.parse(formatJson(sampleScan([], [], many as Coverage)));
    assert.strictEqual(written.coverage.notRead.length, 150);
  });

  it('does not depend on the order findings and rules come in', () => {
    const shuffled = {
      ...sampleScan([AUTH_FINDING, SECRET_FINDING, INPUT_PROBLEM_FINDING, SUPPRESSED_FINDING]),
      rules: [...RULES].reverse(),
    };
    assert.strictEqual(formatJson(shuffled), formatJson(sampleScan()));
  });
});
