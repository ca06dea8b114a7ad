// The attack graph of the sample: predicted ways in from its files, Defender's paths from its snapshot.
import * as assert from 'assert';
import { attackGraph } from '../../../src/core/paths/attackGraph';
import { renderAttackGraphSvg } from '../../../src/core/paths/renderGraph';
import { toAnalysisReport } from '../../../src/core/report/analysisReport';
import type { AnalysisReport } from '../../../src/core/report/contract';
import { scan } from '../../../src/core/scan';
import { SAMPLES } from '../../azure/contoso';

describe('attack graph', function () {
  this.timeout(60000);
  let report: AnalysisReport;
  before(() => {
    report = toAnalysisReport(scan(SAMPLES, { snapshot: 'auto', now: new Date('2026-05-05T00:00:00Z') }));
  });

  it("draws one API's operations with how calls get in and the data they carry, and Defender's path through it", () => {
    const graph = attackGraph(report, { api: 'apis/payments' });
    const operations = graph.nodes.filter((node) => node.column === 'operation');
    // From the sample: list-payment-methods has no authentication policy and its API needs no key
    // (apis/payments/apiInformation.json: subscriptionRequired false); the three others validate a token.
    assert.deepStrictEqual(
      operations.map((node) => [node.resource, node.exposure]),
      [
        ['apis/payments/operations/list-payment-methods', 'open'],
        ['apis/payments/operations/create-payment', 'token'],
        ['apis/payments/operations/refund-payment', 'token'],
        ['apis/payments/operations/get-saved-card', 'token'],
      ],
    );
    assert.deepStrictEqual(operations.find((node) => node.resource?.endsWith('/create-payment'))?.sensitive, ['Payment card number']);
    assert.deepStrictEqual(graph.openPaths, ['Internet → gateway → payments → list-payment-methods: no authentication, no subscription key']);
    // Defender's path (from the snapshot) reaches get-saved-card, deployed without its token check.
    assert.deepStrictEqual(
      graph.observed.map((path) => [path.title, path.nodes]),
      [['Internet exposed APIs that are unauthenticated carry sensitive data', ['internet', 'gateway:', ':apis/payments', ':apis/payments/operations/get-saved-card']]],
    );
    const observedEdge = graph.edges.find((edge) => edge.to === ':apis/payments/operations/get-saved-card');
    assert.deepStrictEqual(observedEdge?.sources, ['predicted', 'observed']);
    assert.ok(graph.nodes.find((node) => node.id === ':apis/payments/operations/get-saved-card')?.observed);
  });

  it("draws the service's APIs, the ways in without authentication, and Defender's paths to what the repository lacks", () => {
    const graph = attackGraph(report);
    assert.ok(!graph.nodes.some((node) => node.column === 'operation'), 'a service is drawn down to its APIs');
    assert.strictEqual(graph.nodes.find((node) => node.resource === 'apis/inventory')?.exposure, 'open');
    assert.strictEqual(graph.nodes.find((node) => node.resource === 'apis/customers')?.exposure, 'token');
    assert.ok(graph.openPaths.includes('Internet → gateway → partners → create-dropship-order: no authentication, no subscription key; carries Postal address'));
    // The Echo API is deployed, not in the repository: Defender's step stays as it names it.
    const echo = graph.nodes.find((node) => node.label === 'echo-api');
    assert.deepStrictEqual([echo?.column, echo?.detail, echo?.location], ['api', ['microsoft.apimanagement/service/apis', 'not in the repository'], undefined]);
    assert.strictEqual(graph.nodes.find((node) => node.label === 'echoapi.cloudapp.net')?.column, 'backend');
  });

  it('draws the way around the gateway: the orders Function App, whose anonymous get-order anyone can call', () => {
    // apis/orders sends its calls to https://func-contoso-orders.azurewebsites.net/api (apiInformation.json); the app's
    // code (functions/orders/src/functions/orders.js) has get-order anonymous and create-order behind a function key;
    // infra/orders-func.bicep declares the app (kind 'functionapp,linux'), which names the node.
    const graph = attackGraph(report, { api: 'apis/orders' });
    const app = graph.nodes.find((node) => node.column === 'backend')!;
    assert.strictEqual(app.label, 'func-contoso-orders');
    assert.strictEqual(app.exposure, 'open');
    assert.deepStrictEqual(
      app.findings.map((finding) => finding.ruleId).sort(),
      ['function-app-endpoint-authentication', 'function-app-endpoint-authentication', 'gateway-bypass'],
    );
    assert.deepStrictEqual(
      graph.edges.filter((edge) => edge.to === app.id && edge.from === 'internet').map((edge) => [edge.exposure, edge.sources]),
      [['open', ['predicted']]],
    );
    assert.ok(graph.openPaths.includes('Internet → func-contoso-orders (function-app): anonymous triggers callable around the gateway (gateway-bypass)'), graph.openPaths.join('\n'));
    // The sample's snapshot finds the app in Azure: the node cites Azure's facts.
    assert.deepStrictEqual(app.detail.slice(2), [
      'Azure: func-contoso-orders — publicNetworkAccess Enabled (Azure), accessRestricted false (Azure), privateEndpoint false (Azure), appServiceAuth false (Azure), managedIdentity false (Azure)',
    ]);
    // Every operation of orders reaches the app through the gateway too.
    assert.strictEqual(graph.edges.filter((edge) => edge.to === app.id && edge.from !== 'internet').length, 5);
  });

  it('says when there are no Defender paths to show, rather than drawing none', () => {
    const withoutSnapshot = toAnalysisReport(scan(SAMPLES, { now: new Date('2026-05-05T00:00:00Z') }));
    const graph = attackGraph(withoutSnapshot);
    assert.deepStrictEqual(graph.observed, []);
    assert.ok(graph.notes.some((note) => /Defender's attack paths are not shown/.test(note)));
  });

  it('renders names from files as text in the SVG, never as markup', () => {
    const hostile = structuredClone(report);
    hostile.services[0].apis[0].displayName = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';
    const svg = renderAttackGraphSvg(attackGraph(hostile), { interactive: true });
    assert.ok(!svg.includes('<script>'));
    assert.ok(!svg.includes('<img'));
    assert.ok(svg.includes('&lt;script&gt;'));
    const payments = report.services[0].apis.find((api) => api.id === 'apis/payments')!;
    assert.ok(svg.includes(`data-open="apis/payments/apiInformation.json#${payments.location.startLine}" tabindex="0" role="link"`), 'a node opens its declaration');
    assert.match(svg, /<svg class="attack-graph"[^>]* role="img" aria-labelledby="attack-graph-title">/);
  });
});
