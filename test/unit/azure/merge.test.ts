// Mapping local APIs to deployed ones, and merging a snapshot into the scan of the bundled sample.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applySnapshot } from '../../../src/core/azure/facts';
import { mapApis } from '../../../src/core/azure/mapping';
import { observedFindings } from '../../../src/core/azure/observed';
import { findingSources } from '../../../src/core/findings';
import { emptySnapshot, readSnapshotFile, serializeSnapshot, type DeployedService, type DeployedSnapshot } from '../../../src/core/azure/snapshot';
import { ALL_RULES } from '../../../src/core/rules/catalog';
import { observedRules } from '../../../src/core/rules/observedRecommendation';
import { scan } from '../../../src/core/scan';
import { readService } from '../../../src/core/workspace/readService';
import { CONTOSO_SERVICE_ID, makeSampleSnapshot, SAMPLE_SNAPSHOT, SAMPLES } from '../../azure/contoso';

function deployedService(name: string, apis: DeployedService['apis'], gatewayUrl = `https://${name}.azure-api.net`): DeployedService {
  return {
    id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/${name}`,
    subscriptionId: 's',
    resourceGroup: 'rg',
    name,
    gatewayUrl,
    apis,
    products: [],
    subscriptions: [],
    backends: [],
    namedValues: [],
    fragments: [],
    apiCollections: [],
    errors: [],
  };
}

function snapshotOf(...services: DeployedService[]): DeployedSnapshot {
  return { kind: 'apim-posture/deployed-snapshot', version: 1, createdAt: '2026-01-01T00:00:00Z', endpoint: 'https://management.azure.com', subscriptions: [], services, assessments: [], errors: [] };
}

function specsOnlyRepo(files: Record<string, string>): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-map-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(folder, name), text);
  return folder;
}

const spec = (title: string, server: string, operations: [string, string, string][]) =>
  [
    'openapi: 3.0.3',
    `info: { title: ${JSON.stringify(title)}, version: "1" }`,
    `servers: [{ url: ${JSON.stringify(server)} }]`,
    'paths:',
    ...operations.flatMap(([method, route, id]) => [`  ${route}:`, `    ${method}:`, `      operationId: ${id}`, '      responses: { "200": { description: ok } }']),
  ].join('\n');

describe('mapApis', () => {
  it('maps APIOps folders by name with high confidence, and picks the service that holds them', () => {
    const local = readService(SAMPLES);
    const other = deployedService('apim-other', [{ name: 'orders', operations: [] }]);
    const contoso = deployedService(
      'apim-contoso-outfitters',
      local.apis.map((api) => ({ name: api.name, operations: [] })),
    );
    const mappings = mapApis(local, snapshotOf(other, contoso));
    assert.ok(mappings.every((mapping) => mapping.reason === 'apiops-folder' && mapping.confidence === 'high'));
    assert.ok(mappings.every((mapping) => mapping.deployed?.serviceId === contoso.id));
    assert.strictEqual(mappings.find((mapping) => mapping.local === 'catalog;rev=2')?.deployed?.api, 'catalog;rev=2');
  });

  it('uses an explicit mapping before anything else', () => {
    const local = readService(SAMPLES);
    const contoso = deployedService('apim-contoso-outfitters', [{ name: 'orders-v2', operations: [] }, { name: 'orders', operations: [] }]);
    const mappings = mapApis(local, snapshotOf(contoso), [{ local: 'orders', deployed: 'apim-contoso-outfitters/orders-v2' }]);
    assert.deepStrictEqual(
      mappings.find((mapping) => mapping.local === 'orders'),
      { local: 'orders', deployed: { serviceId: contoso.id, api: 'orders-v2' }, reason: 'explicit', confidence: 'high', detail: 'mapped in the workspace configuration to apim-contoso-outfitters/orders-v2' },
    );
  });

  it('matches bare specs by gateway URL, by title and operations, and refuses ties', () => {
    const folder = specsOnlyRepo({
      'billing.yaml': spec('Billing', 'https://apim-prod.azure-api.net/billing/', [['get', '/invoices', 'list-invoices']]),
      'shipping.yaml': spec('Shipping API', 'https://shipping.example.com', [
        ['get', '/parcels/{parcelId}', 'getParcel'],
        ['post', '/parcels', 'createParcel'],
      ]),
      'ledger.yaml': spec('Ledger', 'https://ledger.example.com', [['get', '/entries', 'listEntries']]),
    });
    try {
      const local = readService(folder);
      const service = deployedService('apim-prod', [
        { name: 'billing-api', displayName: 'Invoices', path: 'billing', operations: [] },
        { name: 'shipping-v1', displayName: 'Shipping API', path: 'ship', operations: [{ name: 'get-parcel', method: 'GET', urlTemplate: '/parcels/{id}' }, { name: 'create-parcel', method: 'POST', urlTemplate: '/parcels' }] },
        { name: 'ledger-a', displayName: 'Ledger', path: 'la', operations: [] },
        { name: 'ledger-b', displayName: 'Ledger', path: 'lb', operations: [] },
      ]);
      const byLocal = new Map(mapApis(local, snapshotOf(service)).map((mapping) => [mapping.local, mapping]));
      const billing = [...byLocal.values()].find((mapping) => mapping.deployed?.api === 'billing-api');
      assert.strictEqual(billing?.reason, 'server-url');
      assert.strictEqual(billing?.confidence, 'high');
      const shipping = [...byLocal.values()].find((mapping) => mapping.deployed?.api === 'shipping-v1');
      assert.strictEqual(shipping?.reason, 'title-and-operations', 'method + URL template match although parameter names differ');
      assert.strictEqual(shipping?.confidence, 'medium');
      const ledger = [...byLocal.values()].find((mapping) => /ledger/.test(mapping.local));
      assert.strictEqual(ledger?.reason, 'unmapped');
      assert.match(ledger?.detail ?? '', /ambiguous: ledger-a and ledger-b/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('a snapshot merged into the scan of samples/', () => {
  const result = scan(SAMPLES, { snapshot: 'auto' });
  const observed = result.findings.filter((finding) => finding.origin === 'observed');
  const rel = (file: string) => path.relative(SAMPLES, file).split(path.sep).join('/');

  it('the bundled snapshot is what the export writes against the Contoso emulator', async () => {
    const made = serializeSnapshot(await makeSampleSnapshot());
    assert.strictEqual(fs.readFileSync(SAMPLE_SNAPSHOT, 'utf8'), made, 'run npx tsx test/azure/contoso.ts to regenerate it');
    assert.doesNotMatch(made, /sample-primary-key|sample-secret-value|emulator-test-token/);
  });

  it('fills the deployment facts: plan, onboarded APIs, inactive operations', () => {
    assert.strictEqual(result.services[0].deployment?.defenderForApisEnabled, true);
    assert.ok(!result.services[0].deployment?.onboardedApis?.includes('partners'));
    assert.ok(result.services[0].deployment?.onboardedApis?.includes('orders'));
    assert.deepStrictEqual(result.services[0].deployment?.inactiveOperations, ['apis/inventory/operations/list-warehouses']);
  });

  it('reports recommendations 1 to 3 from the deployment facts, once: by the rules (as observed), with the assessment they came from in them', () => {
    const fromFacts = result.findings
      .filter((finding) => ['defender-for-apis-plan', 'api-onboarding', 'unused-endpoint'].includes(finding.ruleId))
      .map((finding) => `${finding.origin} ${finding.ruleId} ${finding.resource} ${finding.severity}`);
    assert.deepStrictEqual(fromFacts.sort(), [
      // partners is deployed and not onboarded; product-graph is not either, but Defender onboards REST APIs only.
      'observed api-onboarding apis/partners high',
      // Defender's Unhealthy assessment of the same operation (key 4e8c00a2-…) is in it, not beside it.
      'observed unused-endpoint apis/inventory/operations/list-warehouses low',
    ]);
    const unused = result.findings.find((finding) => finding.ruleId === 'unused-endpoint')!;
    assert.strictEqual(rel(unused.location.file), 'apis/inventory/specification.json');
    assert.deepStrictEqual(
      result.findings.filter((finding) => finding.defender?.assessmentKey === '4e8c00a2-e8bc-42a8-9e12-99584a51ad10').map((finding) => finding.id),
      [unused.id],
    );
    assert.strictEqual(unused.defender?.azureResourceId, `${CONTOSO_SERVICE_ID}/apis/inventory/operations/list-warehouses`.toLowerCase());
    assert.deepStrictEqual(result.services[0].deployment?.deployedApis?.includes('partners'), true);
  });

  it('neither repeats nor calls drift an onboarding assessment: the rule reports partners, Defender alone reports product-graph', () => {
    const sample = JSON.parse(fs.readFileSync(SAMPLE_SNAPSHOT, 'utf8')) as DeployedSnapshot;
    const onboarding = (api: string) => ({ key: 'onboarding-key-unknown', resourceId: `${CONTOSO_SERVICE_ID}/apis/${api}`.toLowerCase(), status: 'Unhealthy', severity: 'High', displayName: 'Azure API Management APIs should be onboarded to Defender for APIs' });
    sample.assessments.push(onboarding('partners'), onboarding('product-graph'));
    const withOnboarding = scan(SAMPLES, { snapshot: readSnapshotFile(SAMPLE_SNAPSHOT, serializeSnapshot(sample)) });
    assert.deepStrictEqual(
      withOnboarding.findings
        .filter((finding) => finding.ruleId === 'api-onboarding')
        .map((finding) => `${finding.resource} ${/is Unhealthy in Defender for Cloud/.test(finding.message) ? 'by Defender alone' : 'by the rule'}, assessment ${finding.defender?.assessmentKey}`)
        .sort(),
      ['apis/partners by the rule, assessment onboarding-key-unknown', 'apis/product-graph by Defender alone, assessment onboarding-key-unknown'],
    );
    assert.deepStrictEqual(withOnboarding.deployed![0].drift.map((item) => `${item.kind} ${item.resource}`).sort(), result.deployed![0].drift.map((item) => `${item.kind} ${item.resource}`).sort(), 'no drift from onboarding');
  });

  it('places observed findings on the local spec operation, information file and policy', () => {
    // Placed alone, before they are merged into the predictions that say the same.
    const service = readService(SAMPLES);
    const loaded = readSnapshotFile(SAMPLE_SNAPSHOT);
    const mappings = mapApis(service, loaded.snapshot);
    applySnapshot(service, loaded.snapshot, mappings);
    const placed = observedFindings(service, loaded, mappings, SAMPLES);
    const at = (ruleId: string, resource: string) => placed.find((finding) => finding.ruleId === ruleId && finding.resource === resource);
    const trackShipment = at('endpoint-authentication', 'apis/orders/operations/track-shipment')!;
    assert.strictEqual(rel(trackShipment.location.file), 'apis/orders/specification.yaml');
    assert.strictEqual(fs.readFileSync(trackShipment.location.file, 'utf8').slice(trackShipment.location.span.start, trackShipment.location.span.end), 'get');
    assert.strictEqual(trackShipment.defender?.assessmentKey, '91af2040-7874-4659-abf0-578e1f8d07dc');
    assert.deepStrictEqual(trackShipment.properties?.mapping, { reason: 'apiops-folder', confidence: 'high' });
    const storeLocator = at('encrypted-protocols', 'apis/store-locator')!;
    assert.strictEqual(rel(storeLocator.location.file), 'apis/store-locator/apiInformation.json');
    assert.match(fs.readFileSync(storeLocator.location.file, 'utf8').slice(storeLocator.location.span.start, storeLocator.location.span.end), /^\[\s*"http"/);
    assert.strictEqual(rel(at('subscription-all-apis', 'subscriptions/ops-monitoring-all-apis')!.location.file), 'subscriptions/ops-monitoring-all-apis/subscriptionInformation.json');
    const direct = placed.find((finding) => finding.ruleId === 'defender-e2aeced9-6ef0-410e-b948-4aaa65ded9a7')!;
    assert.strictEqual(rel(direct.location.file), 'policy.xml', 'a service-level finding sits on the global policy');
    assert.strictEqual(fs.readFileSync(direct.location.file, 'utf8').slice(direct.location.span.start, direct.location.span.end), '<policies>');
  });

  it('leaves what the repository does not have at its entry in the snapshot file', () => {
    const echo = observed.find((finding) => finding.resource === 'apis/echo-api/operations/retrieve-resource')!;
    assert.strictEqual(rel(echo.location.file), '.apim-posture/snapshot.json');
    const text = fs.readFileSync(echo.location.file, 'utf8').slice(echo.location.span.start, echo.location.span.end);
    assert.match(text, /echo-api\/operations\/retrieve-resource/);
    assert.match(echo.message, /no counterpart in the repository/);
  });

  it('points at the service root, never outside the scanned folder, when the snapshot lives elsewhere', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-outside-'));
    try {
      const elsewhere = path.join(folder, 'snapshot.json');
      fs.copyFileSync(SAMPLE_SNAPSHOT, elsewhere);
      const outside = scan(SAMPLES, { snapshot: elsewhere });
      const echo = outside.findings.find((finding) => finding.resource === 'apis/echo-api/operations/retrieve-resource')!;
      assert.strictEqual(echo.location.file, SAMPLES);
      assert.strictEqual(echo.properties?.unmapped, true);
      assert.ok(outside.findings.filter((finding) => finding.ruleId !== 'input-problem').every((finding) => !finding.location.file.startsWith(folder)));
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('names deployed resources as APIM does, not as Resource Graph lowercases them', () => {
    const sample = JSON.parse(fs.readFileSync(SAMPLE_SNAPSHOT, 'utf8')) as DeployedSnapshot;
    const echo = sample.services[0].apis.find((api) => api.name === 'echo-api')!;
    echo.operations.find((operation) => operation.name === 'retrieve-resource')!.name = 'Retrieve-Resource';
    const named = scan(SAMPLES, { snapshot: readSnapshotFile(SAMPLE_SNAPSHOT, serializeSnapshot(sample)) });
    const finding = named.findings.find((candidate) => candidate.origin === 'observed' && /echo-api/.test(candidate.resource))!;
    assert.strictEqual(finding.resource, 'apis/echo-api/operations/Retrieve-Resource');
    assert.match(finding.message, /^apis\/echo-api\/operations\/Retrieve-Resource in apim-contoso-outfitters is Unhealthy/);
  });

  it('reports drift: fixed locally but not deployed, not predicted, and policies that differ', () => {
    const drift = result.deployed![0].drift.map((item) => `${item.kind} ${item.resource}`).sort();
    assert.deepStrictEqual(drift, [
      'not-deployed apis/payments/operations/get-saved-card',
      'not-predicted apis/echo-api/operations/retrieve-resource',
      'not-predicted service',
      'policy-differs apis/payments/operations/get-saved-card',
      'policy-differs products/starter',
    ]);
    const savedCard = observed.find((finding) => finding.resource === 'apis/payments/operations/get-saved-card' && finding.ruleId === 'endpoint-authentication')!;
    assert.strictEqual(savedCard.properties?.drift, 'not-deployed');
    assert.match(savedCard.message, /fixed in the repository, not deployed yet/);
    // Nothing is left to do in the code: info, with Defender's own severity kept beside it.
    assert.strictEqual(savedCard.severity, 'info');
    assert.strictEqual(savedCard.properties?.defenderSeverity, 'high');
    const starter = result.deployed![0].drift.find((item) => item.resource === 'products/starter')!;
    assert.deepStrictEqual(starter.target, { subscriptionId: '6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f', resourceGroup: 'rg-contoso-apis', serviceName: 'apim-contoso-outfitters', scope: { kind: 'product', product: 'starter' } });
    assert.match(starter.deployed ?? '', /calls="100000"/);
    assert.match(starter.etag ?? '', /^"/);
    assert.ok(result.findings.some((finding) => finding.ruleId === 'deployed-policy-differs' && finding.resource === 'products/starter'));
  });

  it('is one finding per problem: a prediction Defender confirms carries its assessment, with the prediction\'s id', () => {
    const withoutSnapshot = scan(SAMPLES);
    const inventory = result.findings.filter((finding) => finding.ruleId === 'endpoint-authentication' && finding.resource.startsWith('apis/inventory/'));
    // The snapshot holds an Unhealthy endpoint-authentication assessment of each of the four inventory operations.
    assert.deepStrictEqual(inventory.map((finding) => finding.resource).sort(), ['adjust-stock', 'get-stock-level', 'list-stock-levels', 'list-warehouses'].map((name) => `apis/inventory/operations/${name}`));
    for (const finding of inventory) {
      assert.deepStrictEqual(findingSources(finding), ['predicted', 'observed']);
      assert.ok(withoutSnapshot.findings.some((alone) => alone.id === finding.id), 'the id the prediction has without a snapshot');
      assert.strictEqual(finding.defender?.status, 'Unhealthy');
      assert.strictEqual(finding.defender?.statusChangeDate, '2026-04-20T14:12:00Z');
      assert.match(finding.defender?.portalUri ?? '', /^https:\/\/portal\.azure\.com\/.*91af2040-7874-4659-abf0-578e1f8d07dc$/);
      assert.match(finding.message, / Defender for APIs reports it too: Unhealthy since 2026-04-20 \(first assessed 2026-02-02\)\.$/);
      assert.strictEqual(finding.properties?.drift, undefined);
    }
    const twins = new Set<string>();
    for (const finding of result.findings) {
      const key = `${finding.service}|${finding.ruleId}|${finding.resource.toLowerCase()}|${finding.location.file}|${finding.location.span.start}`;
      assert.ok(!twins.has(key) || finding.ruleId === 'input-problem', `one finding at ${key}`);
      twins.add(key);
    }
    // The snapshot's 17 Unhealthy assessments, each once: 13 confirm a prediction (the Function App's get-order
    // endpoint among them), 1 is the unused endpoint the rule reports, 3 stand alone (echo-api, which the
    // repository lacks; get-saved-card, fixed locally; direct management).
    assert.deepStrictEqual(
      result.findings.filter((finding) => finding.defender).map((finding) => findingSources(finding).join('+')).sort(),
      [...Array(4).fill('observed'), ...Array(13).fill('predicted+observed')],
    );
    assert.ok(result.rules.some((rule) => rule.id === 'defender-e2aeced9-6ef0-410e-b948-4aaa65ded9a7' && rule.defender?.assessmentKey === 'e2aeced9-6ef0-410e-b948-4aaa65ded9a7'));
    assert.ok(result.findings.every((finding) => result.rules.some((rule) => rule.id === finding.ruleId)), 'every finding has its rule for the reports');
  });

  it('scans without a snapshot unless asked, and says so when the snapshot is not one', () => {
    assert.ok(scan(SAMPLES).findings.every((finding) => finding.origin === 'predicted'));
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-bad-snapshot-'));
    try {
      const file = path.join(folder, 'snapshot.json');
      fs.writeFileSync(file, '{"kind": "something-else"}');
      const broken = scan(SAMPLES, { snapshot: file });
      assert.ok(broken.findings.some((finding) => finding.ruleId === 'input-problem' && /not an APIM Posture snapshot/.test(finding.message)));
      assert.throws(() => readSnapshotFile(file), /not an APIM Posture snapshot/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('the sample snapshot is for the Contoso service', () => {
    assert.ok(result.deployed![0].mappings.every((mapping) => mapping.deployed?.serviceId === CONTOSO_SERVICE_ID));
  });
});

describe('observed recommendations no rule predicts', () => {
  it('link to their section of docs/rules.md, whatever the snapshot says', () => {
    const assessment = { key: '00000000-0000-0000-0000-000000000001', resourceId: '/subscriptions/s/x', status: 'Unhealthy', displayName: 'Something Defender says', portalUri: 'https://portal.azure.com/#blade/x' };
    const [rule] = observedRules({ ...emptySnapshot('https://management.azure.com'), assessments: [assessment] }, ALL_RULES.map((candidate) => candidate.meta));
    assert.strictEqual(rule.id, 'defender-00000000-0000-0000-0000-000000000001');
    assert.match(rule.helpUri, /\/docs\/rules\.md#defender-assessment-key$/);
  });

  it('carry the portal link of their findings only over https, percent-encoded', () => {
    const snapshot = JSON.parse(fs.readFileSync(SAMPLE_SNAPSHOT, 'utf8')) as DeployedSnapshot;
    for (const assessment of snapshot.assessments) {
      assessment.portalUri = assessment.key === 'e2aeced9-6ef0-410e-b948-4aaa65ded9a7' ? 'https://portal.azure.com/#blade/x°' : 'javascript:alert(1)';
    }
    const loaded = readSnapshotFile(SAMPLE_SNAPSHOT, serializeSnapshot(snapshot));
    const service = readService(SAMPLES);
    const mappings = mapApis(service, loaded.snapshot);
    applySnapshot(service, loaded.snapshot, mappings);
    const portalUris = new Set(observedFindings(service, loaded, mappings, SAMPLES).map((finding) => finding.defender?.portalUri));
    assert.deepStrictEqual([...portalUris].sort(), ['https://portal.azure.com/#blade/x%C2%B0', undefined]);
  });
});
