import * as assert from 'assert';
import { formatTable } from '../../../src/core/report';
import { INPUT_PROBLEM_FINDING, sampleScan } from '../../fixtures/report/sampleScan';

describe('formatTable', () => {
  it('groups findings by severity, lists suppressed ones with their reason, and ends with a summary', () => {
    assert.strictEqual(
      formatTable(sampleScan()),
      [
        'HIGH    apis/orders;rev=2/apiInformation.json:4:5                apis/orders;rev=2        API orders;rev=2 lets calls in without a subscription key or a token.  [api-auth-missing]',
        '',
        'MEDIUM  named values/db-password/namedValueInformation.json:5:5  namedValues/db-password  Named value `db-password` holds a *plain* <password> | not a secret.  [named-value-secret-plaintext]',
        '',
        'INFO    apis/broken/specification.yaml:1:1                       apis/broken              specification.yaml is a binary file, not text; it was not read.  [input-problem]',
        '',
        'Suppressed (1):',
        'LOW     apis/orders;rev=2/apiInformation.json:5:5                apis/orders;rev=2        API orders;rev=2 accepts HTTP.  [api-http-allowed]',
        '        reason: Legacy clients until Q3 (until 2026-09-30)',
        '',
        '3 findings (1 high, 1 medium, 0 low, 1 info), 1 suppressed; 3 files read in 42 ms.',
        '',
      ].join('\n'),
    );
  });

  it('colors only when asked', () => {
    assert.ok(!formatTable(sampleScan()).includes('\u001b'));
    const colored = formatTable(sampleScan(), { color: true });
    assert.ok(colored.startsWith('\u001b[1;31mHIGH  \u001b[0m  '));
    assert.ok(colored.includes('\u001b[33mMEDIUM\u001b[0m'));
  });

  it('keeps escape sequences and newlines from the repository out of the terminal', () => {
    const hostile = { ...INPUT_PROBLEM_FINDING, message: 'bad\u001b[2J\nname' };
    const table = formatTable(sampleScan([hostile]));
    assert.ok(!table.includes('\u001b'));
    assert.ok(table.startsWith('INFO    apis/broken/specification.yaml:1:1  apis/broken  bad [2J name  [input-problem]\n'));
  });

  it('ends with what the reading assumed', () => {
    assert.ok(formatTable(sampleScan([], ["Each spec requires a subscription key, APIM's default."])).endsWith("3 files read in 42 ms.\nAssumed: Each spec requires a subscription key, APIM's default.\n"));
  });

  it('says so when there is nothing to report', () => {
    const result = { ...sampleScan([]), durationMs: 1500 };
    assert.strictEqual(formatTable(result), 'No findings.\n\n0 findings (0 high, 0 medium, 0 low, 0 info), 0 suppressed; 3 files read in 1.5 s.\n');
  });
});
