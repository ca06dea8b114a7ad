// A repository holding several APIOps roots (envs/dev and envs/prod): each is read as a service of its
// own, and every finding names the root it belongs to. Expected values are read off the fixture's files.
import * as assert from 'assert';
import * as path from 'path';
import type { Finding } from '../../../src/core/findings';
import { formatJson } from '../../../src/core/report/json';
import { formatMarkdown } from '../../../src/core/report/markdown';
import { formatSarif } from '../../../src/core/report/sarif';
import { formatTable } from '../../../src/core/report/table';
import { scan } from '../../../src/core/scan';

const ROOT = path.resolve(__dirname, '../../fixtures/workspace/apiops-environments');

const graded = (findings: Finding[]) =>
  findings
    .filter((finding) => finding.severity !== 'info')
    .map((finding) => `${finding.service} ${finding.ruleId} ${finding.resource}`)
    .sort();

describe('scan: several APIOps roots in one repository', () => {
  const result = scan(ROOT);
  const find = (service: string, ruleId: string) => result.findings.find((finding) => finding.service === service && finding.ruleId === ruleId)!;

  it('reads each root as a service of its own', () => {
    assert.deepStrictEqual(
      result.services.map((service) => [path.relative(ROOT, service.root).split(path.sep).join('/'), service.apis.map((api) => api.id)]),
      [
        ['envs/dev', ['apis/orders']],
        ['envs/prod', ['apis/orders']],
      ],
    );
    assert.deepStrictEqual(result.services[1].subscriptions.map((subscription) => subscription.id), ['subscriptions/ops-all']);
  });

  it('gives the findings of both roots, each naming its own', () => {
    assert.deepStrictEqual(graded(result.findings), [
      'envs/dev encrypted-protocols apis/orders',
      'envs/dev endpoint-authentication apis/orders/operations/get-order',
      'envs/prod endpoint-authentication apis/orders/operations/get-order',
      'envs/prod subscription-all-apis subscriptions/ops-all',
    ]);
    assert.ok(result.findings.every((finding) => finding.service === 'envs/dev' || finding.service === 'envs/prod'));
    assert.strictEqual(find('envs/dev', 'encrypted-protocols').location.file, path.join(ROOT, 'envs/dev/apis/orders/apiInformation.json'));
  });

  it('gives the same finding in two roots two ids, stable from scan to scan', () => {
    const dev = find('envs/dev', 'endpoint-authentication');
    const prod = find('envs/prod', 'endpoint-authentication');
    assert.notStrictEqual(dev.id, prod.id);
    assert.deepStrictEqual(
      scan(ROOT).findings.map((finding) => finding.id),
      result.findings.map((finding) => finding.id),
    );
  });

  it('keeps the ids of a repository of one root, and names no service there', () => {
    const alone = scan(path.join(ROOT, 'envs/prod'));
    const prod = alone.findings.find((finding) => finding.ruleId === 'endpoint-authentication')!;
    assert.strictEqual(prod.service, undefined);
    assert.notStrictEqual(prod.id, find('envs/prod', 'endpoint-authentication').id);
    assert.deepStrictEqual(graded(alone.findings), ['undefined endpoint-authentication apis/orders/operations/get-order', 'undefined subscription-all-apis subscriptions/ops-all']);
  });

  it('names the service in every report format', () => {
    const table = formatTable(result);
    const prodLine = table.split('\n').find((line) => line.includes('[subscription-all-apis]'))!;
    assert.match(prodLine, /^ *\d+  MEDIUM\s+envs\/prod\s+envs\/prod\/subscriptions\/ops-all\/subscriptionInformation\.json:4:14\s+subscriptions\/ops-all\s/);

    const json = JSON.parse(formatJson(result)) as { findings: { id: string; service?: string }[] };
    assert.strictEqual(json.findings.find((finding) => finding.id === find('envs/prod', 'subscription-all-apis').id)?.service, 'envs/prod');

    const sarif = JSON.parse(formatSarif(result)) as {
      runs: { results: { partialFingerprints: Record<string, string>; properties: { service?: string }; locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }[] }[];
    };
    const prodResult = sarif.runs[0].results.find((entry) => Object.values(entry.partialFingerprints).includes(find('envs/prod', 'subscription-all-apis').id))!;
    assert.strictEqual(prodResult.properties.service, 'envs/prod');
    assert.strictEqual(prodResult.locations[0].logicalLocations[0].fullyQualifiedName, 'envs/prod:subscriptions/ops-all');

    assert.ok(formatMarkdown(result).includes('- Service: `envs/dev`'));
  });

  it('adds no service column to the table of a repository of one root', () => {
    const line = formatTable(scan(path.join(ROOT, 'envs/prod'))).split('\n').find((text) => text.includes('[subscription-all-apis]'))!;
    assert.match(line, /^ *\d+  MEDIUM\s+subscriptions\/ops-all\/subscriptionInformation\.json:4:14\s/);
  });
});
