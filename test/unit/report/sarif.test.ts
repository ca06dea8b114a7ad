import * as assert from 'assert';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { formatSarif } from '../../../src/core/report';
import { API_FILE, BROKEN_FILE, CONFIG_FILE, NAMED_VALUE_FILE, POLICY_FILE, sampleCoverage, sampleScan } from '../../fixtures/report/sampleScan';

// The official schema, offline (see test/fixtures/report/README.md). strict: false because the schema
// lists properties in `required` that some branches do not define, which Ajv's strict mode refuses.
const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/report/sarif-schema-2.1.0.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(schema);

function schemaErrors(log: unknown): string {
  return validateSarif(log) ? '' : ajv.errorsText(validateSarif.errors, { separator: '\n' });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed log is walked freely in assertions
type Json = any;

describe('formatSarif', () => {
  const log: Json = JSON.parse(formatSarif(sampleScan()));
  const run = log.runs[0];
  const resultOf = (ruleId: string) => run.results.find((result: Json) => result.ruleId === ruleId);

  it('is valid against the SARIF 2.1.0 schema', () => {
    assert.strictEqual(schemaErrors(log), '');
  });

  it('is checked by a validator that catches a 0-based line', () => {
    const broken = JSON.parse(formatSarif(sampleScan()));
    broken.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    assert.match(schemaErrors(broken), /startLine must be >= 1/);
  });

  it('writes one run with the tool and its rules', () => {
    assert.strictEqual(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.strictEqual(log.version, '2.1.0');
    assert.strictEqual(log.runs.length, 1);
    const driver = run.tool.driver;
    assert.strictEqual(driver.name, 'APIM Posture');
    assert.strictEqual(driver.version, '0.1.0');
    assert.strictEqual(driver.informationUri, 'https://github.com/apim-posture/apim-posture');
    assert.deepStrictEqual(
      driver.rules.map((rule: Json) => [rule.id, rule.defaultConfiguration.level]),
      [
        ['api-auth-missing', 'error'],
        ['api-http-allowed', 'note'],
        ['backend-tls-unvalidated', 'warning'],
        ['input-problem', 'note'],
        ['named-value-secret-plaintext', 'warning'],
      ],
    );
    assert.deepStrictEqual(driver.rules[0], {
      id: 'api-auth-missing',
      name: 'ApiAuthMissing',
      shortDescription: { text: 'API endpoints should be authenticated' },
      fullDescription: { text: 'Calls reach the backend without a subscription key or a validated token.' },
      help: {
        text:
          'Calls reach the backend without a subscription key or a validated token.\n\n' +
          'Remediation: Require a subscription key, or add `validate-jwt` to the API policy.\n\n' +
          'Defender for Cloud recommendation: API endpoints in Azure API Management should be authenticated (High).',
        markdown:
          'Calls reach the backend without a subscription key or a validated token.\n\n' +
          '**Remediation:** Require a subscription key, or add `validate-jwt` to the API policy.\n\n' +
          '**Defender for Cloud recommendation:** API endpoints in Azure API Management should be authenticated (High)',
      },
      helpUri: 'https://example.test/rules#api-auth-missing',
      defaultConfiguration: { level: 'error' },
      properties: {
        tags: ['security', 'apim', 'defender-for-apis'],
        'security-severity': '8.0',
        defender: {
          recommendation: 'API endpoints in Azure API Management should be authenticated',
          assessmentKey: '00000000-test-0000-0000-000000000001',
          keyConfirmed: true,
          severity: 'High',
        },
      },
    });
    assert.deepStrictEqual(driver.rules[3].properties, { tags: ['security', 'apim'] });
  });

  it("writes what the reading assumed in the run's properties, valid against the schema", () => {
    const assuming = JSON.parse(formatSarif(sampleScan(undefined, ["Each spec requires a subscription key, APIM's default."])));
    assert.deepStrictEqual(assuming.runs[0].properties.assumptions, ["Each spec requires a subscription key, APIM's default."]);
    assert.strictEqual(schemaErrors(assuming), '');
    assert.ok(!('assumptions' in run.properties));
  });

  it("writes the coverage in the run's properties, each list cut to 100 entries and the rest counted", () => {
    assert.deepStrictEqual(run.properties.coverage, { ...sampleCoverage(), notReadByKind: { 'policy-not-used': 1 } });
    const notRead = Array.from({ length: 250 }, (_, index) => ({ file: `p/${index}.xml`, kind: 'policy-not-used' as const, reason: 'unused' }));
    const bounded = JSON.parse(formatSarif(sampleScan([], [], { ...sampleCoverage(), notRead }))).runs[0].properties.coverage;
    assert.strictEqual(bounded.notRead.length, 100);
    assert.strictEqual(bounded.notRead[99].file, 'p/99.xml');
    assert.strictEqual(bounded.notReadOmitted, 150);
    assert.deepStrictEqual(bounded.notReadByKind, { 'policy-not-used': 250 });
    assert.ok(!('excludedOmitted' in bounded));
  });

  it('points every result at its rule, with the level of its own severity', () => {
    assert.deepStrictEqual(
      run.results.map((result: Json) => [result.ruleId, run.tool.driver.rules[result.ruleIndex].id, result.level]),
      [
        ['input-problem', 'input-problem', 'note'],
        ['api-auth-missing', 'api-auth-missing', 'error'],
        ['api-http-allowed', 'api-http-allowed', 'note'],
        ['named-value-secret-plaintext', 'named-value-secret-plaintext', 'warning'],
      ],
    );
  });

  it('writes URIs relative to SRCROOT, encoded, that resolve back to the files', () => {
    assert.strictEqual(run.originalUriBaseIds.SRCROOT.uri, 'file:///srv/apim%20repo/');
    const base = run.originalUriBaseIds.SRCROOT.uri;
    const locations: [Json, string][] = [
      [resultOf('api-auth-missing').locations[0].physicalLocation.artifactLocation, API_FILE],
      [resultOf('named-value-secret-plaintext').locations[0].physicalLocation.artifactLocation, NAMED_VALUE_FILE],
      [resultOf('input-problem').locations[0].physicalLocation.artifactLocation, BROKEN_FILE],
      [resultOf('api-http-allowed').suppressions[0].location.physicalLocation.artifactLocation, CONFIG_FILE],
      [resultOf('api-auth-missing').fixes[1].artifactChanges[0].artifactLocation, POLICY_FILE],
    ];
    assert.deepStrictEqual(
      locations.map(([location]) => location.uri),
      [
        'apis/orders%3Brev%3D2/apiInformation.json',
        'named%20values/db-password/namedValueInformation.json',
        'apis/broken/specification.yaml',
        '.apim-posture.json',
        'apis/orders%3Brev%3D2/policy.xml',
      ],
    );
    for (const [location, file] of locations) {
      assert.strictEqual(location.uriBaseId, 'SRCROOT');
      assert.strictEqual(fileURLToPath(new URL(location.uri, base)), file);
    }
  });

  it('writes 1-based regions in UTF-16 columns, the resource, related locations and the fingerprint', () => {
    assert.strictEqual(run.columnKind, 'utf16CodeUnits');
    const result = resultOf('api-auth-missing');
    assert.deepStrictEqual(result.message, { text: 'API orders;rev=2 lets calls in without a subscription key or a token.' });
    assert.deepStrictEqual(result.locations[0].physicalLocation.region, { startLine: 4, startColumn: 5, endLine: 4, endColumn: 34 });
    assert.deepStrictEqual(result.locations[0].logicalLocations, [{ fullyQualifiedName: 'apis/orders;rev=2', kind: 'resource' }]);
    assert.deepStrictEqual(result.relatedLocations, [
      {
        id: 1,
        physicalLocation: {
          artifactLocation: { uri: 'apis/orders%3Brev%3D2/apiInformation.json', uriBaseId: 'SRCROOT' },
          region: { startLine: 3, startColumn: 31, endLine: 3, endColumn: 35 },
        },
        message: { text: 'The API is declared here.' },
      },
    ]);
    assert.deepStrictEqual(result.partialFingerprints, { 'apimPosture/v1': 'f1a2b3c4d5e6f7a8b9c0' });
    assert.deepStrictEqual(result.properties, { auth: 'unauthenticated', origin: 'predicted', sources: ['predicted'] });
  });

  it('gives a whole-file input problem the region of line 1', () => {
    assert.deepStrictEqual(resultOf('input-problem').locations[0].physicalLocation.region, {
      startLine: 1,
      startColumn: 1,
      endLine: 1,
      endColumn: 1,
    });
  });

  it('writes suppressions as external, with their reason and where they are written', () => {
    assert.deepStrictEqual(resultOf('api-http-allowed').suppressions, [
      {
        kind: 'external',
        justification: 'Legacy clients until Q3',
        location: {
          physicalLocation: {
            artifactLocation: { uri: '.apim-posture.json', uriBaseId: 'SRCROOT' },
            region: { startLine: 3, startColumn: 5, endLine: 3, endColumn: 13 },
          },
        },
        properties: { expires: '2026-09-30' },
      },
    ]);
    assert.strictEqual(resultOf('api-auth-missing').suppressions, undefined);
  });

  it('writes fixes as replacements, including one that creates a file', () => {
    assert.deepStrictEqual(resultOf('api-auth-missing').fixes, [
      {
        description: { text: 'Require a subscription key' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'apis/orders%3Brev%3D2/apiInformation.json', uriBaseId: 'SRCROOT' },
            replacements: [
              { deletedRegion: { startLine: 4, startColumn: 29, endLine: 4, endColumn: 34 }, insertedContent: { text: 'true' } },
            ],
          },
        ],
      },
      {
        description: { text: 'Add a validate-jwt policy' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'apis/orders%3Brev%3D2/policy.xml', uriBaseId: 'SRCROOT' },
            replacements: [
              {
                deletedRegion: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
                insertedContent: { text: '<policies>\n</policies>\n' },
              },
            ],
            properties: { create: true },
          },
        ],
      },
    ]);
    assert.strictEqual(resultOf('named-value-secret-plaintext').fixes, undefined);
  });
});
