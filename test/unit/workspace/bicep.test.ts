import * as assert from 'assert';
import * as path from 'path';
import type { ApimService } from '../../../src/core/model';
import { bicepValueAt, parseBicepResources, plainValue } from '../../../src/core/workspace/bicepParser';
import { readService } from '../../../src/core/workspace/readService';
import { FIXTURES, api, byName, operationSummary, slice } from './helpers';

describe('parseBicepResources', () => {
  it('reads nested resources, loops and conditions, and skips everything else', () => {
    const text = [
      "param names array = ['a', 'b']",
      "var x = { y: [1, 2] } // comment with 'quote",
      "resource svc 'Microsoft.ApiManagement/service@2023-05-01-preview' existing = {",
      '  name: apimName',
      "  resource api 'apis@2023-05-01-preview' = if (deploy) {",
      "    name: 'orders'",
      "    properties: { path: 'orders', protocols: ['https'], subscriptionRequired: true, description: 'It\\'s ${env}' }",
      '  }',
      '}',
      "resource many 'Microsoft.ApiManagement/service/namedValues@2023-05-01-preview' = [for n in names: {",
      '  parent: svc',
      "  name: n",
      '  properties: { secret: false }',
      '}]',
    ].join('\n');
    const resources = parseBicepResources(text);
    assert.deepStrictEqual(
      resources.map((resource) => [resource.symbol, resource.type, resource.lexicalParent?.symbol]),
      [
        ['svc', 'Microsoft.ApiManagement/service', undefined],
        ['api', 'apis', 'svc'],
        ['many', 'Microsoft.ApiManagement/service/namedValues', undefined],
      ],
    );
    assert.deepStrictEqual(plainValue(bicepValueAt(resources[1].body, ['properties'])), {
      path: 'orders',
      protocols: ['https'],
      subscriptionRequired: true,
      description: "It\\'s ${env}",
    });
    const subscriptionRequired = bicepValueAt(resources[1].body, ['properties', 'subscriptionRequired']);
    assert.strictEqual(text.slice(subscriptionRequired!.span.start, subscriptionRequired!.span.end), 'true');
    assert.deepStrictEqual(bicepValueAt(resources[2].body, ['parent']), { kind: 'expression', span: bicepValueAt(resources[2].body, ['parent'])!.span, text: 'svc' });
    assert.ok(text.slice(resources[2].span.start, resources[2].span.end).endsWith('}]'));
  });

  it('never hangs or throws on unfinished input', () => {
    for (const text of ["resource a 'Microsoft.ApiManagement/service/apis@1' = {\n  name: 'x\n  properties: {", 'resource', "@x(\n'", "resource a 'b' = [for"]) {
      assert.ok(Array.isArray(parseBicepResources(text)));
    }
  });
});

describe('readService: Bicep', () => {
  const root = path.join(FIXTURES, 'bicep');
  const main = path.join(root, 'main.bicep');
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('reads the APIM resources of the .bicep files', () => {
    assert.strictEqual(service.layout, 'bicep');
    assert.strictEqual(service.root, root);
    assert.deepStrictEqual(service.problems, []);
    assert.deepStrictEqual(service.apis.map((a) => a.id), ['apis/orders', 'apis/inventory']);
    assert.ok(service.filesRead.includes(main));
    assert.ok(service.filesRead.includes(path.join(root, 'specs/orders.yaml')));
  });

  it('reads API properties with their locations in the .bicep file', () => {
    const orders = api(service, 'orders');
    assert.strictEqual(orders.declaration.file, main);
    assert.ok(slice({ file: main, span: orders.declaration.span })?.startsWith("resource ordersApi 'apis@"));
    assert.strictEqual(orders.displayName, 'Orders');
    assert.strictEqual(orders.serviceUrl, 'https://orders.internal.contoso.com');
    assert.deepStrictEqual(orders.protocols?.value, ['http', 'https']);
    assert.strictEqual(slice(orders.protocols?.location)?.replace(/\s+/g, ' '), "[ 'http' 'https' ]");
    assert.strictEqual(orders.subscriptionRequired?.value, false);
    assert.strictEqual(slice(orders.subscriptionRequired?.location), 'false');
    assert.strictEqual(slice(orders.declaration.locate(['apiVersion'])), 'properties');

    const inventory = api(service, 'inventory');
    assert.strictEqual(slice(inventory.protocols?.location), "['https']");
    assert.strictEqual(inventory.subscriptionRequired, undefined);
    assert.strictEqual(inventory.apiVersion, 'v1');
    assert.strictEqual(inventory.versionSetId, 'apiVersionSets/inventory-versions');
  });

  it('loads specs and policies from loadTextContent, and inline policies in place', () => {
    const orders = api(service, 'orders');
    assert.strictEqual(orders.spec?.file, path.join(root, 'specs/orders.yaml'));
    assert.deepStrictEqual(operationSummary(orders), ['getOrder GET /orders/{id}', 'post-orders POST /orders']);
    assert.strictEqual(orders.policy?.file, path.join(root, 'policies/orders.xml'));
    assert.strictEqual(service.policy?.file, path.join(root, 'policies/global.xml'));

    const inventory = api(service, 'inventory');
    assert.deepStrictEqual(operationSummary(inventory), ['list-stock GET /stock']);
    const listStock = inventory.operations[0];
    assert.strictEqual(listStock.id, 'apis/inventory/operations/list-stock');
    assert.strictEqual(listStock.policy?.file, main);
    const policyRoot = listStock.policy?.xml.root;
    assert.strictEqual(policyRoot?.name, 'policies');
    assert.ok(slice({ file: main, span: policyRoot!.span })?.startsWith('<policies>\n  <inbound>'));
    assert.strictEqual(slice(listStock.location), '<policies>');
  });

  it('reads products, subscriptions, backends, named values and version sets', () => {
    const starter = byName(service.products, 'starter');
    assert.deepStrictEqual(starter.apiNames, ['orders']);
    assert.strictEqual(slice(starter.subscriptionRequired?.location), 'true');
    assert.deepStrictEqual(api(service, 'orders').productNames, ['starter']);
    assert.deepStrictEqual(api(service, 'inventory').productNames, []);

    const subscription = byName(service.subscriptions, 'all-apis');
    assert.strictEqual(subscription.scope?.value, '/apis');
    assert.strictEqual(slice(subscription.scope?.location), "'/apis'");

    const backend = byName(service.backends, 'orders-backend');
    assert.strictEqual(backend.validateCertificateChain?.value, false);
    assert.strictEqual(slice(backend.validateCertificateName?.location), 'false');
    assert.strictEqual(backend.hasCredentials, false);

    const namedValue = byName(service.namedValues, 'orders-key');
    assert.strictEqual(namedValue.secret?.value, true);
    assert.strictEqual(namedValue.hasValue, true);
    assert.deepStrictEqual(service.versionSets.map((v) => [v.id, v.versioningScheme]), [['apiVersionSets/inventory-versions', 'Segment']]);
  });
});

describe('readService: APIOps and Bicep together', () => {
  it('keeps the APIOps APIs and adds the Bicep ones it lacks', () => {
    const service = readService(path.join(FIXTURES, 'mixed'));
    assert.strictEqual(service.layout, 'apiops');
    assert.deepStrictEqual(
      service.apis.map((a) => [a.name, a.displayName, path.extname(a.declaration.file)]),
      [
        ['orders', 'Orders (APIOps)', '.json'],
        ['payments', 'Payments', '.bicep'],
      ],
    );
    assert.strictEqual(slice(api(service, 'payments').protocols?.location), "['http']");
  });
});
