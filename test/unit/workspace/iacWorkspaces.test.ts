// APIM workspaces declared in infrastructure code: the same two workspaces in Bicep, an ARM template
// and Terraform (azurerm for the workspaces and their policy, azapi for the APIs). Expected values
// are read off the fixtures' files.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { RepositoryLayout } from '../../../src/core/model';
import { WORKSPACE_API_NOTE } from '../../../src/core/rules/rule';
import { scan } from '../../../src/core/scan';
import { readService } from '../../../src/core/workspace/readService';
import { FIXTURES, api, byName } from './helpers';

const ROOT = path.join(FIXTURES, 'iac-workspaces');

const FORMATS: { layout: RepositoryLayout; file: string }[] = [
  { layout: 'bicep', file: 'bicep/main.bicep' },
  { layout: 'arm', file: 'arm/azuredeploy.json' },
  { layout: 'terraform', file: 'terraform/main.tf' },
];

for (const { layout, file } of FORMATS) {
  const root = path.join(ROOT, layout);
  const declaredIn = path.join(ROOT, file);

  describe(`readService: workspaces declared in ${file}`, () => {
    it('reads both workspaces, the partners policy inline, and no problems', () => {
      const service = readService(root);
      assert.strictEqual(service.layout, layout);
      assert.deepStrictEqual(service.problems, []);
      assert.deepStrictEqual(
        service.workspaces.map((workspace) => [workspace.id, workspace.name, workspace.displayName, workspace.policy?.file, workspace.declaration?.file]),
        [
          ['workspaces/public', 'public', 'Public', undefined, declaredIn],
          ['workspaces/partners', 'partners', 'Partners', declaredIn, declaredIn],
        ],
      );
      assert.ok(byName(service.workspaces, 'partners').policy?.inline, 'the policy is a string in the deployment file');
    });

    it("gives each workspace its API and the API's operation, with ids below workspaces/<ws>/", () => {
      const service = readService(root);
      assert.deepStrictEqual(
        service.apis.map((resource) => [resource.id, resource.workspace, resource.subscriptionRequired?.value, resource.operations.map((operation) => `${operation.id} ${operation.method} ${operation.urlTemplate}`)]),
        [
          ['workspaces/public/apis/catalog', 'public', false, ['workspaces/public/apis/catalog/operations/list-items GET /items']],
          ['workspaces/partners/apis/orders', 'partners', false, ['workspaces/partners/apis/orders/operations/get-order GET /orders/{id}']],
        ],
      );
    });

    it('links the workspace API to the workspace product with apiLinks', () => {
      const service = readService(root);
      assert.deepStrictEqual(service.products.map((product) => [product.id, product.workspace, product.apiNames]), [['workspaces/public/products/starter', 'public', ['catalog']]]);
      assert.deepStrictEqual(api(service, 'catalog').productNames, ['starter']);
    });
  });

  describe(`scan: workspaces declared in ${file}`, () => {
    it('authenticates the partners API through the workspace policy, and not the public one', () => {
      const { analyses, services: [service] } = scan(root);
      const orders = api(service, 'orders');
      const ordersAuth = analyses.auth(orders, orders.operations[0]);
      assert.strictEqual(ordersAuth.state, 'authenticated', 'the partners workspace policy validates a JWT');
      assert.deepStrictEqual(ordersAuth.policies.map((use) => [use.policy, use.statement.scope.kind, use.statement.scope.resource, use.file]), [
        ['validate-jwt', 'workspace', 'workspaces/partners', declaredIn],
      ]);
      const catalog = api(service, 'catalog');
      assert.strictEqual(analyses.auth(catalog, catalog.operations[0]).state, 'unauthenticated');
    });

    it('finds the public API unauthenticated, saying Defender for APIs does not assess workspace APIs', () => {
      const findings = scan(root).findings.filter((finding) => finding.severity !== 'info');
      assert.deepStrictEqual(findings.map((finding) => `${finding.ruleId} ${finding.resource}`), ['endpoint-authentication workspaces/public/apis/catalog/operations/list-items']);
      const [catalog] = findings;
      assert.ok(catalog.message.endsWith(WORKSPACE_API_NOTE), catalog.message);
      assert.deepStrictEqual([catalog.properties?.workspace, catalog.properties?.assessedByDefenderForApis], ['public', false]);
    });
  });
}

/** Reads a folder holding `files`, removed afterwards. */
function inFolder<T>(files: Record<string, string>, read: (root: string) => T): T {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'iac-workspaces-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(root, name), text);
  try {
    return read(root);
  } finally {
    fs.rmSync(root, { recursive: true });
  }
}

const workspaceApi = (workspace: string) =>
  [
    `resource ${workspace} 'Microsoft.ApiManagement/service/workspaces@2024-05-01' = {`,
    `  name: 'svc/${workspace}'`,
    '}',
    "resource orders 'Microsoft.ApiManagement/service/workspaces/apis@2024-05-01' = {",
    `  name: 'svc/${workspace}/orders'`,
    "  properties: { path: 'orders', subscriptionRequired: false }",
    "  resource getOrder 'operations@2024-05-01' = {",
    "    name: 'get-order'",
    "    properties: { method: 'GET', urlTemplate: '/orders/{id}' }",
    '  }',
    '}',
    '',
  ].join('\n');

describe('readService: workspaces in infrastructure code, edge cases', () => {
  it('takes a workspace policy that is not known from the files for not known, not for absent', () => {
    const policy = ['param policyXml string', "resource policy 'Microsoft.ApiManagement/service/workspaces/policies@2024-05-01' = {", "  name: 'svc/partners/policy'", "  properties: { format: 'rawxml', value: policyXml }", '}', ''].join('\n');
    inFolder({ 'main.bicep': workspaceApi('partners') + policy }, (root) => {
      const { analyses, services: [service] } = scan(root);
      assert.strictEqual(byName(service.workspaces, 'partners').policy, undefined);
      const orders = api(service, 'orders');
      const auth = analyses.auth(orders, orders.operations[0]);
      assert.strictEqual(auth.state, 'unknown');
      assert.deepStrictEqual(auth.unreadPolicies.map((entry) => [entry.scope, path.basename(entry.location.file)]), [['workspace', 'main.bicep']]);
    });
  });

  it('qualifies an API two Bicep deployments declare in the same workspace, its operations kept below it', () => {
    const service = inFolder({ 'a.bicep': workspaceApi('partners'), 'b.bicep': workspaceApi('partners') }, readService);
    assert.deepStrictEqual(service.workspaces.map((workspace) => workspace.id), ['workspaces/partners']);
    assert.deepStrictEqual(
      service.apis.map((resource) => [resource.id, resource.operations.map((operation) => operation.id)]),
      [
        ['workspaces/partners/apis/orders (a.bicep)', ['workspaces/partners/apis/orders (a.bicep)/operations/get-order']],
        ['workspaces/partners/apis/orders (b.bicep)', ['workspaces/partners/apis/orders (b.bicep)/operations/get-order']],
      ],
    );
  });

  it("does not qualify the same API name in two workspaces of two deployments: each workspace's names are its own", () => {
    const service = inFolder({ 'a.bicep': workspaceApi('partners'), 'b.bicep': workspaceApi('public') }, readService);
    assert.deepStrictEqual(service.apis.map((resource) => resource.id), ['workspaces/partners/apis/orders', 'workspaces/public/apis/orders']);
  });

  it("reads azurerm's workspace policy fragments and version sets into their workspace, and an azapi API's version set", () => {
    const main = [
      'resource "azurerm_api_management_workspace" "partners" {',
      '  name              = "partners"',
      '  api_management_id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc"',
      '}',
      'resource "azurerm_api_management_workspace_policy_fragment" "jwt" {',
      '  name                        = "jwt"',
      '  api_management_workspace_id = azurerm_api_management_workspace.partners.id',
      '  xml_content                 = "<fragment><validate-jwt header-name=\\"Authorization\\" /></fragment>"',
      '}',
      'resource "azurerm_api_management_workspace_api_version_set" "orders" {',
      '  name                        = "orders"',
      '  api_management_workspace_id = azurerm_api_management_workspace.partners.id',
      '  display_name                = "Orders"',
      '  versioning_scheme           = "Segment"',
      '}',
      // Without an API, the folder would be read as specs only.
      'resource "azapi_resource" "orders" {',
      '  type      = "Microsoft.ApiManagement/service/workspaces/apis@2024-05-01"',
      '  name      = "orders"',
      '  parent_id = azurerm_api_management_workspace.partners.id',
      '  body      = { properties = { path = "orders", apiVersionSetId = azurerm_api_management_workspace_api_version_set.orders.id } }',
      '}',
      '',
    ].join('\n');
    const service = inFolder({ 'main.tf': main }, readService);
    assert.deepStrictEqual(service.problems, []);
    assert.deepStrictEqual(service.fragments.map((fragment) => [fragment.id, fragment.workspace, fragment.policy?.xml.root?.name]), [['workspaces/partners/policyFragments/jwt', 'partners', 'fragment']]);
    assert.deepStrictEqual(service.versionSets.map((versionSet) => [versionSet.id, versionSet.workspace, versionSet.versioningScheme]), [['workspaces/partners/apiVersionSets/orders', 'partners', 'Segment']]);
    assert.strictEqual(api(service, 'orders').versionSetId, 'workspaces/partners/apiVersionSets/orders');
  });
});

describe('readService: the same workspaces declared by Bicep, Terraform and an ARM template together', () => {
  it('analyses the first reader\'s declarations and says at both places of each other one that it is not analysed', () => {
    const service = readService(ROOT);
    assert.strictEqual(service.layout, 'bicep');
    assert.deepStrictEqual(
      service.apis.map((resource) => [resource.id, path.relative(ROOT, resource.declaration.file)]),
      [
        ['workspaces/public/apis/catalog', 'bicep/main.bicep'],
        ['workspaces/partners/apis/orders', 'bicep/main.bicep'],
      ],
    );
    const duplicates = service.problems.filter((problem) => problem.kind === 'duplicate-declaration');
    const at = (file: string, id: string) => duplicates.filter((problem) => problem.file === path.join(ROOT, file) && problem.message.startsWith(`${id} is declared here`));
    for (const id of ['workspaces/public', 'workspaces/partners', 'workspaces/public/apis/catalog', 'workspaces/partners/apis/orders', 'workspaces/public/products/starter']) {
      // Bicep's is analysed: said once for Terraform's and once for the ARM template's.
      assert.deepStrictEqual(at('bicep/main.bicep', id).map((problem) => /this declaration is analysed, that one is not/.test(problem.message)), [true, true], id);
      for (const other of ['terraform/main.tf', 'arm/azuredeploy.json']) {
        const [problem] = at(other, id);
        assert.match(problem?.message ?? '', /in bicep\/main\.bicep:\d+, by another kind of infrastructure code: that declaration is analysed, this one is not/, `${id} in ${other}`);
      }
    }
    // Each is placed at its declaration.
    const orders = at('terraform/main.tf', 'workspaces/partners/apis/orders')[0];
    const text = fs.readFileSync(path.join(ROOT, 'terraform/main.tf'), 'utf8');
    assert.match(text.slice(orders.span!.start, orders.span!.end), /^resource "azapi_resource"/);
  });
});
