// APIM workspaces declared in infrastructure code: the same two workspaces in Bicep, an ARM template
// and Terraform (azurerm for the workspaces and their policy, azapi for the APIs). Expected values
// are read off the fixtures' files.
import * as assert from 'assert';
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

describe('readService: a Bicep workspace product linking its API with apiLinks', () => {
  it('links the workspace API to the workspace product', () => {
    const service = readService(path.join(ROOT, 'bicep'));
    assert.deepStrictEqual(service.products.map((product) => [product.id, product.workspace, product.apiNames]), [['workspaces/public/products/starter', 'public', ['catalog']]]);
    assert.deepStrictEqual(api(service, 'catalog').productNames, ['starter']);
  });
});
