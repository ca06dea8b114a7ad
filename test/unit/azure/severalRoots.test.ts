// A repository of two APIOps roots (envs/dev, envs/prod: test/fixtures/workspace/apiops-environments)
// and a snapshot of Azure holding two deployed services: each root is compared with its own, or
// named with why it is not; a root's own .apim-posture.json applies to its findings. Expected values
// are read off the fixture's files (see its README) and the snapshots written here.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_SNAPSHOT_PATH, writeSnapshotFile, type DeployedAssessment, type DeployedService, type DeployedSnapshot } from '../../../src/core/azure/snapshot';
import { findingSources, type Finding } from '../../../src/core/findings';
import { applyTextEdits } from '../../../src/core/fixes/apply';
import { suppressionEdit } from '../../../src/core/fixes/suppression';
import { snapshotNotices } from '../../../src/core/report/common';
import type { ScanResult } from '../../../src/core/report/scanResult';
import { scan } from '../../../src/core/scan';
import { DIRECT_MANAGEMENT, ENDPOINT_AUTH } from '../../azure/fixtures';

const FIXTURE = path.resolve(__dirname, '../../fixtures/workspace/apiops-environments');
const NOW = new Date('2026-01-02T00:00:00Z');
const serviceId = (name: string) => `/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/${name}`;

function deployedService(name: string, apis: string[], policy?: string): DeployedService {
  return {
    id: serviceId(name),
    subscriptionId: 's',
    resourceGroup: 'rg',
    name,
    apis: apis.map((api) => ({ name: api, displayName: api === 'orders' ? 'Orders' : api, path: api, operations: [{ name: 'get-order', method: 'GET', urlTemplate: '/orders/{id}' }] })),
    ...(policy ? { policy: { value: policy } } : {}),
    products: [],
    subscriptions: [],
    backends: [],
    namedValues: [],
    fragments: [],
    apiCollections: [],
    errors: [],
  };
}

function snapshotOf(services: DeployedService[], assessments: DeployedAssessment[] = []): DeployedSnapshot {
  // An export lists every subscription it read: their plan and onboarding are known.
  const subscriptions = [...new Set(services.map((service) => service.subscriptionId))].map((id) => ({ id, errors: [] }));
  return { kind: 'apim-posture/deployed-snapshot', version: 1, createdAt: '2026-01-01T00:00:00Z', endpoint: 'https://management.azure.com', subscriptions, services, assessments, errors: [] };
}

/** The fixture copied to a fresh folder, with more files (path → text) and the snapshot in its default place. */
function repository(snapshot: DeployedSnapshot, files: Record<string, string> = {}): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-roots-'));
  fs.cpSync(FIXTURE, folder, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    fs.writeFileSync(path.join(folder, file), text);
  }
  writeSnapshotFile(path.join(folder, DEFAULT_SNAPSHOT_PATH), snapshot);
  return folder;
}

const run = (folder: string) => scan(folder, { snapshot: 'auto', now: NOW });
const relative = (result: ScanResult, file: string) => path.relative(result.root, file).split(path.sep).join('/') || '.';
const compared = (result: ScanResult) => (result.deployed ?? []).map((comparison) => [relative(result, comparison.local.root), comparison.service?.name, comparison.matchedBy]);
const notCompared = (result: ScanResult) => result.findings.filter((finding) => finding.properties?.problemKind === 'not-compared').map((finding): [string | undefined, string] => [finding.service, finding.message]);
const line = (finding: Finding) => `${finding.service} ${finding.ruleId} ${finding.resource}`;

const DEV = deployedService('apim-orders-dev', ['orders']);
const PROD_POLICY = '<policies><inbound><base /><ip-filter action="allow"><address>10.0.0.1</address></ip-filter></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';
const PROD = deployedService('apim-orders-prod', ['orders'], PROD_POLICY);
const ASSESSMENTS: DeployedAssessment[] = [
  // dev's get-order takes keyless calls (the fixture's README): predicted there too.
  { key: ENDPOINT_AUTH.assessmentKey!, displayName: ENDPOINT_AUTH.displayName, resourceId: `${DEV.id}/apis/orders/operations/get-order`.toLowerCase(), status: 'Unhealthy', severity: 'High' },
  // No local rule predicts the direct management endpoint.
  { key: DIRECT_MANAGEMENT.key, displayName: DIRECT_MANAGEMENT.displayName, resourceId: PROD.id.toLowerCase(), status: 'Unhealthy', severity: 'Low' },
];
const BOTH_NAMED = JSON.stringify({ services: { 'envs/dev': 'apim-orders-dev', 'envs/prod': PROD.id } });

describe('several APIOps roots and a snapshot of several services', () => {
  it('compares each root with the service .apim-posture.json names for it, each with its own mappings, findings and drift', () => {
    const result = run(repository(snapshotOf([DEV, PROD], ASSESSMENTS), { '.apim-posture.json': BOTH_NAMED }));
    assert.deepStrictEqual(compared(result), [
      ['envs/dev', 'apim-orders-dev', 'named in .apim-posture.json'],
      ['envs/prod', 'apim-orders-prod', 'named in .apim-posture.json'],
    ]);
    const [dev, prod] = result.deployed!;
    assert.deepStrictEqual(
      [dev, prod].map((comparison) => comparison.mappings.map((mapping) => [mapping.local, mapping.deployed?.serviceId, mapping.reason])),
      [[['orders', DEV.id, 'apiops-folder']], [['orders', PROD.id, 'apiops-folder']]],
    );
    assert.deepStrictEqual(dev.drift, []);
    assert.deepStrictEqual(prod.drift.map((item) => `${item.kind} ${item.resource}`).sort(), ['not-predicted service', 'policy-differs service']);
    // Each snapshot holds the whole file, whatever root it is compared with.
    assert.strictEqual(dev.snapshot, prod.snapshot);
    assert.strictEqual(dev.snapshot.snapshot.services.length, 2);

    // Neither deployed service has onboarded orders (no apiCollections): each root says it of its own.
    const observed = result.findings.filter((finding) => findingSources(finding).includes('observed')).map((finding) => `${line(finding)} ${relative(result, finding.location.file)} ${findingSources(finding).join('+')}`);
    assert.deepStrictEqual(observed.sort(), [
      'envs/dev api-onboarding apis/orders envs/dev/apis/orders/apiInformation.json observed',
      // Predicted in dev and confirmed by Defender there: one finding, with the prediction's id in that root.
      'envs/dev endpoint-authentication apis/orders/operations/get-order envs/dev/apis/orders/specification.yaml predicted+observed',
      'envs/prod api-onboarding apis/orders envs/prod/apis/orders/apiInformation.json observed',
      `envs/prod defender-${DIRECT_MANAGEMENT.key} service .apim-posture/snapshot.json observed`,
      'envs/prod deployed-policy-differs service envs/prod observed',
    ]);
    assert.deepStrictEqual(notCompared(result), []);
    assert.ok(
      snapshotNotices(result).includes('Compared with Azure: envs/dev with apim-orders-dev (named in .apim-posture.json); envs/prod with apim-orders-prod (named in .apim-posture.json).'),
      snapshotNotices(result).join('\n'),
    );
  });

  it('compares neither root when both hold the same APIs as both services, and says so for each', () => {
    const result = run(repository(snapshotOf([DEV, PROD], ASSESSMENTS)));
    assert.deepStrictEqual(result.deployed, []);
    assert.ok(result.snapshot, 'the snapshot is still reported');
    const hint = (root: string) => `name it in .apim-posture.json: "services": {"${root}": "<service name or ARM id>"}`;
    assert.deepStrictEqual(notCompared(result), [
      ['envs/dev', `The snapshot of Azure is not compared with envs/dev: apim-orders-dev and apim-orders-prod hold as many of its APIs; ${hint('envs/dev')}. It is predicted from its files alone.`],
      ['envs/prod', `The snapshot of Azure is not compared with envs/prod: apim-orders-dev and apim-orders-prod hold as many of its APIs; ${hint('envs/prod')}. It is predicted from its files alone.`],
    ]);
    assert.deepStrictEqual(
      result.findings.filter((finding) => finding.origin === 'observed'),
      [],
    );
  });

  it('matches a root with the service its environment’s APIOps configuration names', () => {
    const result = run(
      repository(snapshotOf([DEV, PROD]), {
        'configuration.dev.yaml': 'apimServiceName: apim-orders-dev\n',
        'configuration.prod.yaml': 'apimServiceName: apim-orders-prod\nnamedValues: []\n',
        'configuration.extractor.yaml': 'apiNames:\n  - orders\n',
      }),
    );
    assert.deepStrictEqual(compared(result), [
      ['envs/dev', 'apim-orders-dev', 'the APIOps configuration configuration.dev.yaml names it'],
      ['envs/prod', 'apim-orders-prod', 'the APIOps configuration configuration.prod.yaml names it'],
    ]);
  });

  it('matches a root with the service named as its folder', () => {
    const result = run(repository(snapshotOf([deployedService('prod', ['orders']), deployedService('dev', ['orders'])])));
    assert.deepStrictEqual(compared(result), [
      ['envs/dev', 'dev', 'its folder is named dev'],
      ['envs/prod', 'prod', 'its folder is named prod'],
    ]);
  });

  it('matches by the APIs held, the clearest first, so that the other root gets the service left', () => {
    const payments = JSON.stringify({ properties: { displayName: 'Payments', path: 'payments', protocols: ['https'] } });
    const result = run(repository(snapshotOf([DEV, deployedService('apim-orders-prod', ['orders', 'payments'])]), { 'envs/prod/apis/payments/apiInformation.json': payments }));
    assert.deepStrictEqual(compared(result), [
      ['envs/dev', 'apim-orders-dev', 'apim-orders-dev holds the most of its APIs'],
      ['envs/prod', 'apim-orders-prod', 'apim-orders-prod holds the most of its APIs'],
    ]);
  });

  it('compares no root with a service both hold as much of', () => {
    const result = run(repository(snapshotOf([PROD])));
    assert.deepStrictEqual(compared(result), []);
    assert.deepStrictEqual(
      notCompared(result).map(([service, message]) => [service, message.split(';')[0]]),
      [
        ['envs/dev', 'The snapshot of Azure is not compared with envs/dev: apim-orders-prod holds as many APIs of envs/prod'],
        ['envs/prod', 'The snapshot of Azure is not compared with envs/prod: apim-orders-prod holds as many APIs of envs/dev'],
      ],
    );
  });

  it('names what the configuration names wrongly: a service the snapshot lacks, a folder that is no root', () => {
    const config = JSON.stringify({ services: { 'envs/dev': 'apim-nope', 'envs/test': 'apim-orders-prod', 'envs/prod/': 'apim-orders-prod' } });
    const result = run(repository(snapshotOf([DEV, PROD]), { '.apim-posture.json': config }));
    assert.deepStrictEqual(compared(result), [['envs/prod', 'apim-orders-prod', 'named in .apim-posture.json']]);
    assert.deepStrictEqual(notCompared(result), [
      ['envs/dev', 'The snapshot of Azure is not compared with envs/dev: .apim-posture.json names apim-nope for it, but the snapshot of Azure does not hold it. It is predicted from its files alone.'],
    ]);
    const wrongRoot = result.findings.find((finding) => finding.properties?.problemKind === 'invalid-artifact')!;
    assert.strictEqual(wrongRoot.message, '.apim-posture.json: "services" names envs/test, which is not a root of this repository (envs/dev, envs/prod).');
  });

  it('keeps a repository of one root as it was, unless the configuration names its service', () => {
    const folder = repository(snapshotOf([DEV, PROD]));
    fs.cpSync(path.join(folder, '.apim-posture'), path.join(folder, 'envs/prod/.apim-posture'), { recursive: true });
    // Both services hold orders: mapping picks the first that holds the most, as it always did.
    assert.deepStrictEqual(compared(run(path.join(folder, 'envs/prod'))), [['.', 'apim-orders-dev', undefined]]);
    fs.writeFileSync(path.join(folder, 'envs/prod/.apim-posture.json'), JSON.stringify({ services: { '.': 'apim-orders-prod' } }));
    assert.deepStrictEqual(compared(run(path.join(folder, 'envs/prod'))), [['.', 'apim-orders-prod', 'named in .apim-posture.json']]);
  });
});

describe("a root's own .apim-posture.json", () => {
  const ORDER_ID = { id: 'order-id', displayName: 'Order id', namePatterns: ['^id$'], valuePatterns: [], sensitivity: 'high' };

  it('applies its rule settings, suppressions and information types to its findings only, over the repository’s', () => {
    const folder = repository(snapshotOf([]), {
      '.apim-posture.json': JSON.stringify({ rules: { 'encrypted-protocols': 'low' } }),
      'envs/prod/.apim-posture.json': JSON.stringify({
        rules: { 'endpoint-authentication': 'off' },
        suppressions: [{ rule: 'subscription-all-apis', resource: 'subscriptions/ops-all', reason: 'operations tooling' }],
        sensitiveData: { customTypes: [ORDER_ID] },
      }),
    });
    const result = scan(folder, { now: NOW });
    const graded = result.findings.filter((finding) => finding.severity !== 'info').map((finding) => `${line(finding)} ${finding.severity}${finding.suppression ? ' suppressed' : ''}`);
    assert.deepStrictEqual(graded.sort(), [
      'envs/dev encrypted-protocols apis/orders low',
      'envs/dev endpoint-authentication apis/orders/operations/get-order high',
      'envs/prod sensitive-data-in-url apis/orders/operations/get-order high',
      'envs/prod subscription-all-apis subscriptions/ops-all medium suppressed',
    ]);
  });

  it('reports the expired suppressions of two roots apart', () => {
    const expired = JSON.stringify({ suppressions: [{ rule: 'endpoint-authentication', resource: 'apis/orders/*', reason: 'until the gateway is ready', expires: '2025-12-31' }] });
    const result = scan(repository(snapshotOf([]), { 'envs/dev/.apim-posture.json': expired, 'envs/prod/.apim-posture.json': expired }), { now: NOW });
    const reported = result.findings.filter((finding) => finding.ruleId === 'suppression-expired');
    assert.deepStrictEqual(
      reported.map((finding) => [relative(result, finding.location.file), finding.message]),
      [
        ['envs/dev/.apim-posture.json', 'The suppression of endpoint-authentication on apis/orders/* in envs/dev expired on 2025-12-31; its findings are reported again.'],
        ['envs/prod/.apim-posture.json', 'The suppression of endpoint-authentication on apis/orders/* in envs/prod expired on 2025-12-31; its findings are reported again.'],
      ],
    );
    assert.notStrictEqual(reported[0].id, reported[1].id);
    assert.ok(result.findings.filter((finding) => finding.ruleId === 'endpoint-authentication').every((finding) => !finding.suppression));
  });

  it('says that the settings about the whole scan are read from the top-level file only', () => {
    const result = scan(repository(snapshotOf([]), { 'envs/prod/.apim-posture.json': JSON.stringify({ exclude: ['apis/**'], snapshotMaxAgeDays: 3 }) }), { now: NOW });
    const problems = result.findings.filter((finding) => finding.properties?.problemKind === 'invalid-artifact').map((finding) => `${finding.service} ${relative(result, finding.location.file)} ${finding.message.split(':')[1]}`);
    assert.deepStrictEqual(problems, [
      'envs/prod envs/prod/.apim-posture.json  "exclude" applies to the whole scan',
      'envs/prod envs/prod/.apim-posture.json  "snapshotMaxAgeDays" applies to the whole scan',
    ]);
    assert.ok(result.services[1].apis.length === 1, 'the root is read whole');
  });

  it('takes its API mappings over the repository’s, for its root only', () => {
    const prod = deployedService('apim-orders-prod', ['orders', 'orders-v2']);
    const folder = repository(snapshotOf([DEV, prod]), {
      '.apim-posture.json': BOTH_NAMED,
      'envs/prod/.apim-posture.json': JSON.stringify({ mappings: [{ local: 'orders', deployed: 'orders-v2' }] }),
    });
    const result = run(folder);
    assert.deepStrictEqual(
      result.deployed!.map((comparison) => comparison.mappings.map((mapping) => `${mapping.local} → ${mapping.deployed?.api} (${mapping.reason})`)),
      [['orders → orders (apiops-folder)'], ['orders → orders-v2 (explicit)']],
    );
  });
});

describe('suppressions naming a root', () => {
  it('suppress in that root only, and one naming no root says so', () => {
    const suppressions = [
      { rule: 'endpoint-authentication', resource: 'apis/orders/operations/get-order', reason: 'dev is internal', service: 'envs/dev' },
      { rule: 'endpoint-authentication', resource: 'apis/orders/*', reason: 'a typo', service: 'envs/test' },
    ];
    const result = scan(repository(snapshotOf([]), { '.apim-posture.json': JSON.stringify({ suppressions }) }), { now: NOW });
    const auth = result.findings.filter((finding) => finding.ruleId === 'endpoint-authentication').map((finding) => `${finding.service} ${finding.suppression?.reason ?? 'reported'}`);
    assert.deepStrictEqual(auth.sort(), ['envs/dev dev is internal', 'envs/prod reported']);
    const problem = result.findings.find((finding) => finding.properties?.problemKind === 'invalid-artifact')!;
    assert.strictEqual(problem.message, '.apim-posture.json: the suppression names the service envs/test, which is not a root of this repository (envs/dev, envs/prod); it suppresses nothing.');
  });

  it("are what the editor's Suppress writes for a finding of one root of several", () => {
    const folder = repository(snapshotOf([]));
    const prod = scan(folder, { now: NOW }).findings.find((finding) => finding.service === 'envs/prod' && finding.ruleId === 'endpoint-authentication')!;
    const edit = suppressionEdit(folder, undefined, { rule: prod.ruleId, resource: prod.resource, reason: 'behind the VPN', service: prod.service });
    fs.writeFileSync(edit.file, applyTextEdits('', edit.edits));
    const auth = scan(folder, { now: NOW }).findings.filter((finding) => finding.ruleId === 'endpoint-authentication').map((finding) => `${finding.service} ${finding.suppression?.reason ?? 'reported'}`);
    assert.deepStrictEqual(auth.sort(), ['envs/dev reported', 'envs/prod behind the VPN']);
  });
});
