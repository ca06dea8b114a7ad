// The repository's settings at work in a scan: suppressions (active, expired, wildcard) and
// per-rule settings (`off`, or a severity that replaces the rule's own).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Finding } from '../../../src/core/findings';
import { scan } from '../../../src/core/scan';

const SPEC = (operations: string[]) =>
  ['openapi: 3.0.1', 'info:', '  title: T', "  version: '1.0'", 'paths:']
    .concat(operations.flatMap((name) => [`  /${name}:`, '    get:', `      operationId: ${name}`, '      responses:', "        '200':", '          description: OK']))
    .join('\n') + '\n';

const keylessApi = (name: string, protocols = ['https']) => JSON.stringify({ properties: { displayName: name, path: name, protocols, subscriptionRequired: false } }, null, 2) + '\n';

const CONFIG = {
  rules: { 'encrypted-protocols': 'off', 'backend-authentication': 'low' },
  suppressions: [
    { rule: 'endpoint-authentication', resource: 'apis/orders/operations/list-orders', reason: 'Public status page, nothing behind it', expires: '2027-01-31' },
    { rule: 'endpoint-authentication', resource: 'apis/orders/operations/get-order', reason: 'Until the partner migrates', expires: '2026-01-01' },
    { rule: 'endpoint-authentication', resource: 'apis/payments/*', reason: 'Only reachable through the private gateway' },
  ],
};

function writeRepository(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-suppressions-'));
  for (const [relative, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    fs.writeFileSync(path.join(root, relative), text);
  }
  return root;
}

describe('scan: .apim-posture.json suppressions and rule settings', () => {
  let root: string;
  const configFile = () => path.join(root, '.apim-posture.json');
  const textAt = (finding: Finding | { location: Finding['location'] }) =>
    fs.readFileSync(finding.location.file, 'utf8').slice(finding.location.span.start, finding.location.span.end);
  const find = (findings: Finding[], ruleId: string, resource: string) => findings.filter((finding) => finding.ruleId === ruleId && finding.resource === resource);

  before(() => {
    root = writeRepository({
      '.apim-posture.json': JSON.stringify(CONFIG, null, 2) + '\n',
      'apis/orders/apiInformation.json': keylessApi('orders'),
      'apis/orders/specification.yaml': SPEC(['list-orders', 'get-order', 'cancel-order']),
      'apis/payments/apiInformation.json': keylessApi('payments'),
      'apis/payments/specification.yaml': SPEC(['pay', 'refund']),
      'apis/payments-v2/apiInformation.json': keylessApi('payments-v2', ['http', 'https']),
      'apis/payments-v2/specification.yaml': SPEC(['pay']),
      'backends/bare/backendInformation.json': JSON.stringify({ properties: { url: 'https://bare.example.com', protocol: 'http' } }, null, 2) + '\n',
    });
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads the repository and its settings cleanly', () => {
    const result = scan(root, { now: new Date('2026-06-01T12:00:00Z') });
    assert.deepStrictEqual(result.findings.filter((finding) => finding.ruleId === 'input-problem').map((finding) => finding.message), []);
  });

  it('marks a finding under an active suppression, and keeps reporting it', () => {
    const result = scan(root, { now: new Date('2026-06-01T12:00:00Z') });
    const [finding] = find(result.findings, 'endpoint-authentication', 'apis/orders/operations/list-orders');
    assert.ok(finding, 'the suppressed finding is still in the result');
    assert.ok(finding.suppression);
    assert.strictEqual(finding.suppression.reason, 'Public status page, nothing behind it');
    assert.strictEqual(finding.suppression.expires, '2027-01-31');
    assert.strictEqual(finding.suppression.location.file, configFile());
    assert.deepStrictEqual(JSON.parse(textAt({ location: finding.suppression.location })), CONFIG.suppressions[0]);
  });

  it('no longer applies an expired suppression, and reports it as suppression-expired', () => {
    const result = scan(root, { now: new Date('2026-06-01T12:00:00Z') });
    const [finding] = find(result.findings, 'endpoint-authentication', 'apis/orders/operations/get-order');
    assert.ok(finding);
    assert.strictEqual(finding.suppression, undefined);
    const expired = result.findings.filter((candidate) => candidate.ruleId === 'suppression-expired');
    assert.deepStrictEqual(expired.map((candidate) => candidate.resource), ['apis/orders/operations/get-order']);
    assert.strictEqual(expired[0].severity, 'low');
    assert.ok(expired[0].message.includes('2026-01-01'), expired[0].message);
    assert.ok(expired[0].message.includes('endpoint-authentication'), expired[0].message);
    assert.strictEqual(expired[0].location.file, configFile());
    assert.deepStrictEqual(JSON.parse(textAt(expired[0])), CONFIG.suppressions[1]);
    assert.ok(result.rules.some((rule) => rule.id === 'suppression-expired'));
  });

  it('leaves unsuppressed findings alone', () => {
    const result = scan(root, { now: new Date('2026-06-01T12:00:00Z') });
    const [finding] = find(result.findings, 'endpoint-authentication', 'apis/orders/operations/cancel-order');
    assert.ok(finding);
    assert.strictEqual(finding.suppression, undefined);
  });

  it('suppresses every resource below a trailing-* pattern, and nothing beside it', () => {
    const result = scan(root, { now: new Date('2026-06-01T12:00:00Z') });
    for (const operation of ['pay', 'refund']) {
      const [finding] = find(result.findings, 'endpoint-authentication', `apis/payments/operations/${operation}`);
      assert.ok(finding?.suppression, `apis/payments/operations/${operation} is suppressed`);
      assert.strictEqual(finding.suppression.reason, 'Only reachable through the private gateway');
      assert.strictEqual(finding.suppression.expires, undefined);
    }
    const [other] = find(result.findings, 'endpoint-authentication', 'apis/payments-v2/operations/pay');
    assert.ok(other);
    assert.strictEqual(other.suppression, undefined, 'apis/payments/* does not reach apis/payments-v2');
  });

  it('a suppression names one rule: other rules on the same resource are not hidden', () => {
    const result = scan(root, { now: new Date('2026-06-01T12:00:00Z') });
    const others = result.findings.filter((finding) => finding.resource.startsWith('apis/payments/') && finding.ruleId !== 'endpoint-authentication');
    assert.ok(others.every((finding) => !finding.suppression));
  });

  it('expires a suppression once its date has passed', () => {
    const result = scan(root, { now: new Date('2027-02-01T00:00:01Z') });
    const [finding] = find(result.findings, 'endpoint-authentication', 'apis/orders/operations/list-orders');
    assert.strictEqual(finding.suppression, undefined);
    assert.deepStrictEqual(
      result.findings.filter((candidate) => candidate.ruleId === 'suppression-expired').map((candidate) => candidate.resource).sort(),
      ['apis/orders/operations/get-order', 'apis/orders/operations/list-orders'],
    );
  });

  // config.ts: "ISO date; after it the suppression no longer applies": on the day itself it still does.
  it('still applies a suppression on its expiry date', () => {
    const result = scan(root, { now: new Date('2027-01-31T12:00:00Z') });
    const [finding] = find(result.findings, 'endpoint-authentication', 'apis/orders/operations/list-orders');
    assert.ok(finding.suppression, 'suppressed through 2027-01-31');
    assert.ok(!result.findings.some((candidate) => candidate.ruleId === 'suppression-expired' && candidate.resource === 'apis/orders/operations/list-orders'));
  });

  it('turns a rule off: no findings, and not listed among the rules that ran', () => {
    const result = scan(root, { now: new Date('2026-06-01T12:00:00Z') });
    assert.deepStrictEqual(result.findings.filter((finding) => finding.ruleId === 'encrypted-protocols'), []);
    assert.ok(!result.rules.some((rule) => rule.id === 'encrypted-protocols'));
  });

  it('replaces a rule\'s severity', () => {
    const result = scan(root, { now: new Date('2026-06-01T12:00:00Z') });
    const findings = find(result.findings, 'backend-authentication', 'backends/bare');
    assert.strictEqual(findings.length, 1);
    assert.strictEqual(findings[0].severity, 'low');
    // Other rules keep theirs.
    assert.strictEqual(find(result.findings, 'endpoint-authentication', 'apis/orders/operations/cancel-order')[0].severity, 'high');
  });

  it('without a config, every rule runs with its own severity and nothing is suppressed', () => {
    const bare = writeRepository({
      'apis/orders/apiInformation.json': keylessApi('orders', ['http', 'https']),
      'apis/orders/specification.yaml': SPEC(['list-orders']),
      'backends/bare/backendInformation.json': JSON.stringify({ properties: { url: 'https://bare.example.com' } }, null, 2) + '\n',
    });
    try {
      const result = scan(bare, { now: new Date('2026-06-01T12:00:00Z') });
      assert.ok(result.findings.some((finding) => finding.ruleId === 'encrypted-protocols'));
      assert.strictEqual(find(result.findings, 'backend-authentication', 'backends/bare')[0].severity, 'medium');
      assert.ok(result.findings.every((finding) => !finding.suppression));
    } finally {
      fs.rmSync(bare, { recursive: true, force: true });
    }
  });

  it('reports a malformed suppression or rule setting as an input problem, and ignores it', () => {
    const broken = writeRepository({
      '.apim-posture.json': JSON.stringify({
        rules: { 'endpoint-authentication': 'loud' },
        suppressions: [
          { rule: 'endpoint-authentication', resource: 'apis/orders/*', reason: '' },
          { rule: 'endpoint-authentication', resource: 'apis/orders/*', reason: 'x', expires: 'next year' },
        ],
      }, null, 2) + '\n',
      'apis/orders/apiInformation.json': keylessApi('orders'),
      'apis/orders/specification.yaml': SPEC(['list-orders']),
    });
    try {
      const result = scan(broken, { now: new Date('2026-06-01T12:00:00Z') });
      const problems = result.findings.filter((finding) => finding.ruleId === 'input-problem');
      assert.strictEqual(problems.length, 3, problems.map((problem) => problem.message).join('\n'));
      assert.ok(problems.every((problem) => problem.location.file === path.join(broken, '.apim-posture.json')));
      assert.ok(result.findings.some((finding) => finding.ruleId === 'endpoint-authentication' && finding.severity === 'high'));
      assert.ok(result.findings.every((finding) => !finding.suppression));
    } finally {
      fs.rmSync(broken, { recursive: true, force: true });
    }
  });
});
