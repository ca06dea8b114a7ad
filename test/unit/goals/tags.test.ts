// Selection by tag: APIM tags read from every layout that has them, and said when a layout has none.
// The infrastructure code below is written for these tests: two APIs, orders tagged "public" (display
// name "Public APIs") and billing untagged, in Terraform, Bicep and an ARM template.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { GoalResult } from '../../../src/core/goals/goal';
import { scan } from '../../../src/core/scan';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

const LAYOUTS: Record<string, Record<string, string>> = {
  terraform: { 'main.tf': `resource "azurerm_api_management" "apim" {
  name                = "apim-tags"
  location            = "westeurope"
  resource_group_name = "rg"
  publisher_name      = "Contoso"
  publisher_email     = "api@contoso.example"
  sku_name            = "Developer_1"
}

resource "azurerm_api_management_api" "orders" {
  name                = "orders"
  resource_group_name = "rg"
  api_management_name = azurerm_api_management.apim.name
  revision            = "1"
  display_name        = "Orders"
  path                = "orders"
  protocols           = ["https"]
}

resource "azurerm_api_management_api" "billing" {
  name                = "billing"
  resource_group_name = "rg"
  api_management_name = azurerm_api_management.apim.name
  revision            = "1"
  display_name        = "Billing"
  path                = "billing"
  protocols           = ["https"]
}

resource "azurerm_api_management_tag" "public" {
  api_management_id = azurerm_api_management.apim.id
  name              = "public"
  display_name      = "Public APIs"
}

resource "azurerm_api_management_api_tag" "orders_public" {
  api_id = azurerm_api_management_api.orders.id
  name   = azurerm_api_management_tag.public.name
}
` },
  bicep: { 'main.bicep': `resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'apim-tags'
  location: 'westeurope'
  sku: { name: 'Developer', capacity: 1 }
  properties: { publisherEmail: 'api@contoso.example', publisherName: 'Contoso' }
}

resource orders 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {
  parent: apim
  name: 'orders'
  properties: { displayName: 'Orders', path: 'orders', protocols: ['https'] }

  resource ordersPublic 'tags' = {
    name: 'public'
  }
}

resource billing 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {
  parent: apim
  name: 'billing'
  properties: { displayName: 'Billing', path: 'billing', protocols: ['https'] }
}

resource publicTag 'Microsoft.ApiManagement/service/tags@2023-05-01-preview' = {
  parent: apim
  name: 'public'
  properties: { displayName: 'Public APIs' }
}
` },
  arm: { 'azuredeploy.json': `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    { "type": "Microsoft.ApiManagement/service", "apiVersion": "2023-05-01-preview", "name": "apim-tags", "location": "westeurope",
      "sku": { "name": "Developer", "capacity": 1 }, "properties": { "publisherEmail": "api@contoso.example", "publisherName": "Contoso" } },
    { "type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2023-05-01-preview", "name": "apim-tags/orders",
      "properties": { "displayName": "Orders", "path": "orders", "protocols": ["https"] } },
    { "type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2023-05-01-preview", "name": "apim-tags/billing",
      "properties": { "displayName": "Billing", "path": "billing", "protocols": ["https"] } },
    { "type": "Microsoft.ApiManagement/service/tags", "apiVersion": "2023-05-01-preview", "name": "apim-tags/public",
      "properties": { "displayName": "Public APIs" } },
    { "type": "Microsoft.ApiManagement/service/apis/tags", "apiVersion": "2023-05-01-preview", "name": "[concat('apim-tags', '/orders/', 'public')]" }
  ]
}
` },
};

const GOALS = JSON.stringify({
  goals: [
    { id: 'public-by-name', select: { tag: 'public' }, require: ['https-only'] },
    { id: 'public-by-display-name', metric: 'authenticated-operations', select: { tag: 'Public APIs' }, target: { min: 1 } },
    { id: 'internal', metric: 'api-risk', select: { tag: 'internal' }, target: { max: 100 } },
  ],
});

function scanWithGoals(root: string, config = GOALS) {
  return scan(root, { overlay: new Map([[path.join(root, '.apim-posture.json'), config]]) });
}

const byId = (goals: GoalResult[] | undefined) => new Map((goals ?? []).map((goal) => [goal.id, goal]));

describe('goals selected by tag', () => {
  for (const [layout, files] of Object.entries(LAYOUTS)) {
    it(`${layout}: the API's tags are read, and a goal selects by the tag's name or display name`, () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), `apim-posture-tags-${layout}-`));
      try {
        for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(root, file), text);
        const result = scanWithGoals(root);
        const apis = result.services.flatMap((service) => service.apis);
        assert.deepStrictEqual(apis.map((api) => [api.name, api.tags]).sort(), [
          ['billing', []],
          ['orders', [{ name: 'public', displayName: 'Public APIs' }]],
        ]);
        const goals = byId(result.goals);
        // orders alone: https only; no operation declared, so the API counts as one, which needs a subscription key (APIM's default).
        assert.strictEqual(goals.get('public-by-name')?.status, 'met');
        assert.strictEqual(goals.get('public-by-display-name')?.status, 'met');
        assert.strictEqual(goals.get('public-by-display-name')?.value, 1);
        assert.strictEqual(goals.get('internal')?.status, 'not-evaluated');
        assert.match(goals.get('internal')?.reason ?? '', /no API to measure in the selection/);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  }

  it('APIOps: tags/<t>/apis/<api>/ links select the APIs (every revision), by name or display name', () => {
    // test/fixtures/apiops-sample/tags: tag1 tags basic-api and revisioned-api; tag2 graphql-api and versioned-api-v1, -v2.
    const result = scanWithGoals(
      path.join(FIXTURES, 'apiops-sample'),
      JSON.stringify({ goals: [{ id: 'tag1', metric: 'api-risk', select: { tag: 'tag1' }, target: { max: 100 } }, { id: 'versioned', metric: 'findings', select: { tag: ['tag2'], api: 'versioned-*' }, target: { max: 100 } }] }),
    );
    const tagged = result.services.flatMap((service) => service.apis).filter((api) => api.tags?.some((tag) => tag.name === 'tag1'));
    assert.deepStrictEqual(tagged.map((api) => api.name).sort(), ['basic-api', 'revisioned-api', 'revisioned-api;rev=2']);
    const goals = byId(result.goals);
    assert.strictEqual(goals.get('tag1')?.status, 'met');
    assert.deepStrictEqual(goals.get('tag1')?.notes, []);
    // The endpoint-authentication finding of versioned-api-v2's get-version-v2 (test/unit/golden.test.ts), and no other finding about tag2's versioned APIs but info ones.
    assert.ok(goals.get('versioned')!.violations.every((violation) => /^apis\/versioned-api-v[12]/.test(violation.resource)));
    assert.ok(goals.get('versioned')!.violations.some((violation) => violation.resource === 'apis/versioned-api-v2/operations/get-version-v2'));
  });

  it('specs alone carry no APIM tags: a selection by tag is not evaluated, and says why', () => {
    const result = scanWithGoals(path.join(FIXTURES, 'workspace', 'specs-only'), JSON.stringify({ goals: [{ id: 'by-tag', metric: 'api-risk', select: { tag: 'public' }, target: { max: 50 } }] }));
    assert.ok(result.services.flatMap((service) => service.apis).every((api) => api.tags === undefined));
    const goal = byId(result.goals).get('by-tag')!;
    assert.strictEqual(goal.status, 'not-evaluated');
    assert.match(goal.reason ?? '', /read from a spec alone, which carries no APIM tags, so a selection by "tag" cannot be measured/);
  });
});
