import * as assert from 'assert';
import { formatTable } from '../../../src/core/report';
import { AUTH_FINDING, INPUT_PROBLEM_FINDING, SECRET_FINDING, sampleCoverage, sampleScan, SUPPRESSED_FINDING } from '../../fixtures/report/sampleScan';

describe('formatTable', () => {
  it('--sort severity: groups findings by severity, lists suppressed ones with their reason, and ends with a summary', () => {
    assert.strictEqual(
      formatTable(sampleScan(), { sort: 'severity' }),
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
        'Read: 1 service (apiops at .); 1 API, 2 operations, 1 policy from APIOps; 0 shared policies (global, workspaces, products, fragments).',
        'Not read: 1 policy file no scope uses, 1 path excluded (--coverage lists them).',
        '',
      ].join('\n'),
    );
  });

  it('by default lists the highest priority first, each row with its score and the id explain takes; ties keep the severity order', () => {
    const priority = (score: number) => ({ score, factors: [], notes: [] });
    const table = formatTable(sampleScan([{ ...INPUT_PROBLEM_FINDING, priority: priority(40) }, { ...SECRET_FINDING, priority: priority(12) }, { ...AUTH_FINDING, priority: priority(12) }, { ...SUPPRESSED_FINDING, priority: priority(90) }]));
    const rows = table.split('\n\n')[0].split('\n');
    assert.deepStrictEqual(rows.map((row) => row.slice(0, 13)), [' 40  INFO    ', ' 12  HIGH    ', ' 12  MEDIUM  ']);
    assert.ok(rows[0].endsWith('[input-problem] #bbbbbbbb'));
    assert.ok(rows[1].endsWith('[api-auth-missing] #f1a2b3c4'));
    // Suppressed findings stay apart, whatever their score, their reason under the message.
    assert.match(table, /Suppressed \(1\):\n 90  LOW {5}.*\n {13}reason: Legacy clients/);
  });

  it('lists every file not read, with its reason, when asked for the full coverage', () => {
    const coverage = { ...sampleCoverage(), unresolvedValues: 2, skipped: [{ path: 'node_modules', reason: 'The folder node_modules was not read: it holds dependencies.' }] };
    const table = formatTable(sampleScan([], [], coverage), { fullCoverage: true });
    assert.strictEqual(
      table,
      [
        'No findings.',
        '',
        'Coverage:',
        'Read: 1 service (apiops at .); 1 API, 2 operations, 1 policy from APIOps; 0 shared policies (global, workspaces, products, fragments).',
        '3 files read.',
        'Not read (1):',
        '  policies/unused.xml  No API, operation, product, fragment or the global scope uses this policy.',
        '2 values not known from the files; each is an input problem above.',
        'Excluded by the exclude setting (1):',
        '  legacy/',
        'Skipped (1):',
        '  node_modules  The folder node_modules was not read: it holds dependencies.',
        '',
        '0 findings (0 high, 0 medium, 0 low, 0 info), 0 suppressed; 3 files read in 42 ms.',
        '',
      ].join('\n'),
    );
  });

  it('keeps escape sequences in file names out of the coverage lines', () => {
    const coverage = { ...sampleCoverage(), notRead: [{ file: 'bad\u001b[2J\nname.xml', kind: 'policy-not-used' as const, reason: 'why\u202e' }] };
    const table = formatTable(sampleScan([], [], coverage), { fullCoverage: true });
    assert.ok(!table.includes('\u001b') && !table.includes('\u202e'));
    assert.ok(table.includes('  bad [2J name.xml  why\n'));
  });

  it('colors only when asked', () => {
    assert.ok(!formatTable(sampleScan()).includes('\u001b'));
    const colored = formatTable(sampleScan(), { color: true, sort: 'severity' });
    assert.ok(colored.startsWith('\u001b[1;31mHIGH  \u001b[0m  '));
    assert.ok(colored.includes('\u001b[33mMEDIUM\u001b[0m'));
  });

  it('keeps escape sequences and newlines from the repository out of the terminal', () => {
    const hostile = { ...INPUT_PROBLEM_FINDING, message: 'bad\u001b[2J\nname' };
    const table = formatTable(sampleScan([hostile]));
    assert.ok(!table.includes('\u001b'));
    assert.ok(table.startsWith('  0  INFO    apis/broken/specification.yaml:1:1  apis/broken  bad [2J name  [input-problem] #bbbbbbbb\n'));
  });

  it('ends with what the reading assumed', () => {
    assert.ok(formatTable(sampleScan([], ["Each spec requires a subscription key, APIM's default."])).endsWith("(--coverage lists them).\nAssumed: Each spec requires a subscription key, APIM's default.\n"));
  });

  it('says so when there is nothing to report', () => {
    const result = { ...sampleScan([], [], { ...sampleCoverage(), notRead: [], excluded: [] }), durationMs: 1500 };
    assert.strictEqual(
      formatTable(result),
      'No findings.\n\n0 findings (0 high, 0 medium, 0 low, 0 info), 0 suppressed; 3 files read in 1.5 s.\n' +
        'Read: 1 service (apiops at .); 1 API, 2 operations, 1 policy from APIOps; 0 shared policies (global, workspaces, products, fragments).\n' +
        'Not read: nothing; every APIM file found was read.\n',
    );
  });
});
