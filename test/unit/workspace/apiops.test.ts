import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { ApimService } from '../../../src/core/model';
import { FileReader } from '../../../src/core/workspace/files';
import { readService, readServices } from '../../../src/core/workspace/readService';
import { APIOPS_SAMPLE, FIXTURES, api, byName, operationSummary, problemSummary, slice } from './helpers';

const sample = (relative: string) => path.join(APIOPS_SAMPLE, relative);

describe('readService: APIOps extractor export (apiops-sample)', () => {
  let service: ApimService;
  before(() => {
    service = readService(APIOPS_SAMPLE);
  });

  it('reads the layout, the root and no problems', () => {
    assert.strictEqual(service.layout, 'apiops');
    assert.strictEqual(service.root, APIOPS_SAMPLE);
    assert.deepStrictEqual(service.problems, []);
  });

  it('reads every API, revisions included', () => {
    assert.deepStrictEqual(service.apis.map((a) => a.id).sort(), [
      'apis/basic-api',
      'apis/graphql-api',
      'apis/revisioned-api',
      'apis/revisioned-api;rev=2',
      'apis/soap-api',
      'apis/versioned-api-v1',
      'apis/versioned-api-v2',
      'apis/wadl-api',
    ]);
    const revision2 = api(service, 'revisioned-api;rev=2');
    assert.strictEqual(revision2.revision, '2');
    assert.strictEqual(revision2.isCurrent, false);
    assert.strictEqual(revision2.path, 'revisioned-api');
    const revision1 = api(service, 'revisioned-api');
    assert.strictEqual(revision1.revision, '1');
    assert.strictEqual(revision1.isCurrent, true);
  });

  it('reads API properties with where they are written', () => {
    const basic = api(service, 'basic-api');
    assert.strictEqual(basic.displayName, 'basic-api');
    assert.strictEqual(basic.path, 'basic-api');
    assert.strictEqual(basic.type, 'http');
    assert.strictEqual(basic.serviceUrl, 'https://httpbin.org');
    assert.deepStrictEqual(basic.protocols?.value, ['https']);
    assert.strictEqual(slice(basic.protocols?.location)?.replace(/\s/g, ''), '["https"]');
    assert.strictEqual(basic.subscriptionRequired?.value, true);
    assert.strictEqual(slice(basic.subscriptionRequired?.location), 'true');
    assert.strictEqual(basic.subscriptionRequired?.location.file, sample('apis/basic-api/apiInformation.json'));

    const graphql = api(service, 'graphql-api');
    assert.strictEqual(graphql.type, 'graphql');
    assert.strictEqual(graphql.subscriptionRequired?.value, false);
    assert.strictEqual(slice(graphql.subscriptionRequired?.location), 'false');
    assert.strictEqual(api(service, 'soap-api').type, 'soap');

    const v1 = api(service, 'versioned-api-v1');
    assert.strictEqual(v1.apiVersion, 'v1');
    assert.strictEqual(v1.versionSetId, 'apiVersionSets/versionSet1');
  });

  it('gives each declaration the JSON document, and locates unwritten properties at the properties key', () => {
    const { declaration } = api(service, 'basic-api');
    assert.strictEqual(declaration.file, sample('apis/basic-api/apiInformation.json'));
    assert.deepStrictEqual(declaration.propertiesPath, ['properties']);
    assert.ok(declaration.document);
    assert.strictEqual(slice({ file: declaration.file, span: declaration.span }), fs.readFileSync(declaration.file, 'utf8').trim());
    assert.strictEqual(slice(declaration.locate(['isCurrent']))?.replace(/"/g, ''), 'properties');
    assert.strictEqual(slice(declaration.locate(['displayName'])), '"basic-api"');
  });

  it('reads definitions: OpenAPI YAML and JSON into specs, GraphQL only as a file', () => {
    const basic = api(service, 'basic-api');
    assert.strictEqual(basic.definitionFile, sample('apis/basic-api/specification.yaml'));
    assert.strictEqual(basic.spec?.file, sample('apis/basic-api/specification.yaml'));
    assert.strictEqual(api(service, 'versioned-api-v2').spec?.title, 'versioned-api-v2');
    const graphql = api(service, 'graphql-api');
    assert.strictEqual(graphql.definitionFile, sample('apis/graphql-api/specification.graphql'));
    assert.strictEqual(graphql.spec, undefined);
    assert.deepStrictEqual(graphql.operations, []);
    assert.strictEqual(api(service, 'soap-api').definitionFile, undefined);
    assert.deepStrictEqual(api(service, 'soap-api').operations, []);
  });

  it('reads operations from the specs, with their operation-folder policies', () => {
    const basic = api(service, 'basic-api');
    assert.deepStrictEqual(operationSummary(basic), ['get-items GET /items', 'create-item POST /items']);
    const getItems = byName(basic.operations, 'get-items');
    assert.strictEqual(getItems.id, 'apis/basic-api/operations/get-items');
    assert.strictEqual(getItems.policy?.file, sample('apis/basic-api/operations/get-items/policy.xml'));
    assert.strictEqual(getItems.specOperation?.operationId, 'get-items');
    assert.strictEqual(getItems.location.file, sample('apis/basic-api/specification.yaml'));
    assert.strictEqual(byName(basic.operations, 'create-item').policy?.file, sample('apis/basic-api/operations/create-item/policy.xml'));

    const revision2 = api(service, 'revisioned-api;rev=2');
    assert.deepStrictEqual(operationSummary(revision2), ['get-revision-v2 GET /revision', 'get-revision-details GET /revision/details']);
    assert.strictEqual(byName(revision2.operations, 'get-revision-v2').id, 'apis/revisioned-api;rev=2/operations/get-revision-v2');
    assert.strictEqual(
      byName(revision2.operations, 'get-revision-v2').policy?.file,
      sample('apis/revisioned-api;rev=2/operations/get-revision-v2/policy.xml'),
    );
    assert.strictEqual(byName(revision2.operations, 'get-revision-details').policy, undefined);

    assert.deepStrictEqual(operationSummary(api(service, 'revisioned-api')), ['get-revision GET /revision']);
    assert.ok(byName(api(service, 'revisioned-api').operations, 'get-revision').policy);
    assert.deepStrictEqual(operationSummary(api(service, 'versioned-api-v1')), ['get-version-v1 GET /version']);
    assert.deepStrictEqual(operationSummary(api(service, 'versioned-api-v2')), ['get-version-v2 GET /version']);
  });

  it('reads WADL methods as operations', () => {
    const wadl = api(service, 'wadl-api');
    assert.strictEqual(wadl.spec, undefined);
    assert.deepStrictEqual(operationSummary(wadl), ['get-wadl-status GET /status']);
    assert.strictEqual(slice(wadl.operations[0].location), '<method id="get-wadl-status" name="GET">');
  });

  it('attaches policies at the global, API and product scopes', () => {
    assert.strictEqual(service.policy?.file, sample('policy.xml'));
    assert.strictEqual(service.policy?.xml.root?.name, 'policies');
    assert.strictEqual(api(service, 'basic-api').policy?.file, sample('apis/basic-api/policy.xml'));
    assert.strictEqual(api(service, 'revisioned-api;rev=2').policy?.file, sample('apis/revisioned-api;rev=2/policy.xml'));
    assert.strictEqual(api(service, 'graphql-api').policy, undefined);
    assert.strictEqual(byName(service.products, 'product1').policy?.file, sample('products/product1/policy.xml'));
    assert.strictEqual(byName(service.products, 'product2').policy?.file, sample('products/product2/policy.xml'));
  });

  it('reads products and links them with their APIs, every revision included', () => {
    const product1 = byName(service.products, 'product1');
    assert.strictEqual(product1.id, 'products/product1');
    assert.strictEqual(product1.displayName, 'product1');
    assert.strictEqual(product1.state, 'published');
    assert.strictEqual(product1.subscriptionRequired?.value, true);
    assert.strictEqual(slice(product1.subscriptionRequired?.location), 'true');
    assert.deepStrictEqual(product1.apiNames, ['basic-api', 'revisioned-api', 'versioned-api-v1']);
    const product2 = byName(service.products, 'product2');
    assert.strictEqual(product2.subscriptionRequired?.value, false);
    assert.deepStrictEqual(product2.apiNames, ['graphql-api', 'soap-api', 'versioned-api-v2', 'wadl-api']);

    assert.deepStrictEqual(api(service, 'basic-api').productNames, ['product1']);
    assert.deepStrictEqual(api(service, 'revisioned-api;rev=2').productNames, ['product1']);
    assert.deepStrictEqual(api(service, 'wadl-api').productNames, ['product2']);
  });

  it('reads subscriptions with their scopes', () => {
    assert.deepStrictEqual(
      service.subscriptions.map((s) => [s.id, s.scope?.value, s.state?.value]),
      [
        ['subscriptions/subscription1', '/products/product1', 'active'],
        ['subscriptions/subscription2', '/apis/basic-api', 'active'],
      ],
    );
    assert.strictEqual(slice(service.subscriptions[1].scope?.location), '"/apis/basic-api"');
  });

  it('reads backends, named values, fragments and version sets', () => {
    assert.deepStrictEqual(
      service.backends.map((b) => [b.id, b.url, b.protocol, b.hasCredentials, b.validateCertificateChain]),
      [
        ['backends/backend1', 'https://httpbin.org', 'http', false, undefined],
        ['backends/backend2', 'https://postman-echo.com', 'http', false, undefined],
      ],
    );
    assert.deepStrictEqual(
      service.namedValues.map((n) => [n.id, n.secret?.value, n.hasValue, n.keyVaultSecretIdentifier]),
      [
        ['namedValues/allowed-ip-address', false, true, undefined],
        ['namedValues/environment-name', false, true, undefined],
        ['namedValues/intranet-proxy-url', false, true, undefined],
        ['namedValues/rewrite-search-term', false, true, undefined],
      ],
    );
    assert.strictEqual(slice(service.namedValues[0].secret?.location), 'false');
    assert.deepStrictEqual(
      service.fragments.map((f) => [f.id, f.policy?.xml.root?.name, path.basename(f.declaration.file)]),
      [
        ['policyFragments/policyFragment1', 'fragment', 'policyFragmentInformation.json'],
        ['policyFragments/policyFragment2', 'fragment', 'policyFragmentInformation.json'],
      ],
    );
    assert.deepStrictEqual(
      service.versionSets.map((v) => [v.id, v.displayName, v.versioningScheme]),
      [['apiVersionSets/versionSet1', 'versionSet1', 'Segment']],
    );
  });

  it('lists the files it read, and not the ones it has no use for', () => {
    for (const file of ['policy.xml', 'apis/basic-api/apiInformation.json', 'apis/wadl-api/specification.wadl', 'products/product2/apis/wadl-api/productApiInformation.json']) {
      assert.ok(service.filesRead.includes(sample(file)), file);
    }
    // Tags are read (their display names and the APIs they tag); the products they tag are not used.
    for (const file of ['tags/tag1/tagInformation.json', 'tags/tag2/apis/graphql-api/tagApiInformation.json']) assert.ok(service.filesRead.includes(sample(file)), file);
    assert.ok(!service.filesRead.includes(sample('tags/tag1/products/product1/tagProductInformation.json')));
    assert.ok(!service.filesRead.includes(sample('apis/graphql-api/specification.graphql')));
  });

  it('honours exclusions and unsaved editor buffers', () => {
    const info = sample('apis/basic-api/apiInformation.json');
    const unsaved = fs.readFileSync(info, 'utf8').replace('"subscriptionRequired": true', '"subscriptionRequired": false');
    const edited = readService(APIOPS_SAMPLE, {
      files: new FileReader(APIOPS_SAMPLE, new Map([[info, unsaved]])),
      isExcluded: (relative) => relative === 'apis/soap-api/',
    });
    assert.strictEqual(api(edited, 'basic-api').subscriptionRequired?.value, false);
    assert.strictEqual(edited.apis.length, 7);
    assert.ok(!edited.apis.some((a) => a.name === 'soap-api'));
  });
});

describe('readService: apiops-cli export in a subfolder', () => {
  const root = path.join(FIXTURES, 'apiops-cli/apimartifacts');
  const file = (relative: string) => path.join(root, relative);
  let service: ApimService;
  before(() => {
    service = readService(path.join(FIXTURES, 'apiops-cli'));
  });

  it('finds the root below the scanned folder and tells the layout', () => {
    assert.strictEqual(service.root, root);
    assert.strictEqual(service.layout, 'apiops-cli');
    assert.deepStrictEqual(service.problems, []);
    assert.strictEqual(service.policy?.file, file('policy.xml'));
  });

  it('reads operations from operationInformation.json when the API has no spec', () => {
    const orders = api(service, 'orders');
    assert.strictEqual(orders.spec, undefined);
    assert.deepStrictEqual(operationSummary(orders).sort(), ['create-order POST /orders', 'get-order GET /orders/{id}']);
    const getOrder = byName(orders.operations, 'get-order');
    assert.strictEqual(getOrder.policy?.file, file('apis/orders/operations/get-order/policy.xml'));
    assert.strictEqual(slice(getOrder.location), '<policies>');
    const createOrder = byName(orders.operations, 'create-order');
    assert.strictEqual(createOrder.policy, undefined);
    assert.strictEqual(createOrder.location.file, file('apis/orders/operations/create-order/operationInformation.json'));
    assert.ok(slice(createOrder.location)?.startsWith('{'));
  });

  it('reads an API\'s tags from apis/<api>/tags/<t>/apiTagInformation.json, with the display name of tags/<t>/', () => {
    assert.deepStrictEqual(api(service, 'orders').tags, [{ name: 'public', displayName: 'Public' }]);
    assert.deepStrictEqual(api(service, 'inventory').tags, []);
    assert.ok(service.filesRead.includes(file('apis/orders/tags/public/apiTagInformation.json')));
  });

  it('names spec operations without operationId after method and path', () => {
    const inventory = api(service, 'inventory');
    assert.strictEqual(inventory.spec?.file, file('apis/inventory/specification.json'));
    assert.deepStrictEqual(operationSummary(inventory), ['get-stock-sku GET /stock/{sku}']);
  });

  it('reads API properties, and products from apis.json', () => {
    const orders = api(service, 'orders');
    assert.deepStrictEqual(orders.protocols?.value, ['http', 'https']);
    assert.strictEqual(slice(orders.protocols?.location), '["http", "https"]');
    assert.strictEqual(slice(orders.subscriptionRequired?.location), 'false');
    assert.strictEqual(orders.versionSetId, 'apiVersionSets/orders-vs');
    assert.strictEqual(api(service, 'inventory').subscriptionRequired, undefined);
    assert.deepStrictEqual(byName(service.products, 'starter').apiNames, ['orders', 'inventory']);
    assert.deepStrictEqual(orders.productNames, ['starter']);
    assert.deepStrictEqual(api(service, 'inventory').productNames, ['starter']);
  });

  it('reads camelCase folders: named values, fragments, version sets', () => {
    const apiKey = byName(service.namedValues, 'api-key');
    assert.strictEqual(apiKey.secret?.value, true);
    assert.strictEqual(apiKey.hasValue, true);
    const keyVault = byName(service.namedValues, 'kv-secret');
    assert.strictEqual(keyVault.hasValue, false);
    assert.strictEqual(keyVault.keyVaultSecretIdentifier, 'https://contoso.vault.azure.net/secrets/kv-secret');
    assert.strictEqual(byName(service.fragments, 'auth').policy?.xml.root?.name, 'fragment');
    assert.strictEqual(byName(service.versionSets, 'orders-vs').versioningScheme, 'Segment');
  });

  it('reads backend TLS validation and credentials', () => {
    const backend = byName(service.backends, 'orders-backend');
    assert.strictEqual(backend.validateCertificateChain?.value, false);
    assert.strictEqual(slice(backend.validateCertificateChain?.location), 'false');
    assert.strictEqual(backend.validateCertificateName?.value, true);
    assert.strictEqual(slice(backend.validateCertificateName?.location), 'true');
    assert.strictEqual(backend.hasCredentials, true);
    assert.strictEqual(byName(service.backends, 'plain').hasCredentials, false, 'empty credential lists configure nothing');
    const subscription = byName(service.subscriptions, 'all-apis');
    assert.strictEqual(subscription.scope?.value, '/apis');
    assert.strictEqual(slice(subscription.scope?.location), '"/apis"');
  });
});

describe('readService: broken input', () => {
  const root = path.join(FIXTURES, 'broken');
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('reports every problem instead of throwing', () => {
    assert.deepStrictEqual(
      problemSummary(service, root).map((problem) => problem.replace(/^malformed-(xml|json) /, 'malformed ')),
      [
        'invalid-artifact apis/no-properties/apiInformation.json',
        'invalid-artifact apis/orphan/policy.xml',
        'malformed apis/malformed/apiInformation.json',
        'malformed apis/no-properties/policy.xml',
        'unreadable apis/binary-spec/specification.yaml',
      ],
    );
    const malformedJson = service.problems.find((problem) => problem.file.endsWith('malformed/apiInformation.json'));
    assert.strictEqual(malformedJson?.kind, 'malformed-json');
  });

  it('keeps what could be read', () => {
    assert.deepStrictEqual(service.apis.map((a) => a.name).sort(), ['binary-spec', 'no-properties']);
    const noProperties = api(service, 'no-properties');
    assert.strictEqual(noProperties.path, undefined);
    assert.ok(noProperties.policy, 'a malformed policy is still attached');
    const binary = api(service, 'binary-spec');
    assert.strictEqual(binary.spec, undefined);
    assert.strictEqual(binary.definitionFile, path.join(root, 'apis/binary-spec/specification.yaml'));
    assert.deepStrictEqual(binary.operations, []);
    assert.strictEqual(slice(binary.subscriptionRequired?.location), 'false');
  });
});

describe('readServices', () => {
  it('returns one service per outermost APIOps root', () => {
    const roots = readServices(FIXTURES).map((service) => path.relative(FIXTURES, service.root).split(path.sep).join('/'));
    assert.deepStrictEqual(roots, [
      'apiops-older',
      'apiops-v4',
      'apiops-v7',
      'broken',
      'apiops-cli/apimartifacts',
      'mixed/apim',
      'apiops-environments/envs/dev',
      'apiops-environments/envs/prod',
    ]);
  });
});
