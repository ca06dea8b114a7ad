// A property or policy that is not written literally (a variable, a parameter, an expression) gets no
// fix: writing a literal over it would change what the code means, not fix what it says.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { scan } from '../../../src/core/scan';

function fixIdsOf(files: Record<string, string>, rule: string): string[] {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-literal-'));
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(root, name), text);
    const finding = scan(root).findings.find((candidate) => candidate.ruleId === rule);
    assert.ok(finding, `no ${rule} finding`);
    return finding.fixes.map((fix) => fix.id);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** A Terraform folder is read as APIM's when it declares an API. */
const TERRAFORM_API = `resource "azurerm_api_management_api" "orders" {
  name                = "orders"
  api_management_name = "contoso"
  resource_group_name = "rg"
  revision            = "1"
}
`;

const ARM_HEADER = '"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0"';

describe('no fix for values not written literally', () => {
  it('Terraform: protocols from a variable', () => {
    const tf = `variable "protocols" {
  default = ["http", "https"]
}

resource "azurerm_api_management_api" "orders" {
  name                = "orders"
  api_management_name = "contoso"
  resource_group_name = "rg"
  revision            = "1"
  protocols           = var.protocols
}
`;
    assert.deepStrictEqual(fixIdsOf({ 'main.tf': tf }, 'encrypted-protocols'), []);
  });

  it('Terraform: certificate validation from a local', () => {
    const tf = `locals {
  validate = false
}

resource "azurerm_api_management_backend" "legacy" {
  name                = "legacy"
  api_management_name = "contoso"
  resource_group_name = "rg"
  protocol            = "http"
  url                 = "https://legacy.contoso.example"
  tls {
    validate_certificate_chain = local.validate
  }
}
`;
    assert.deepStrictEqual(fixIdsOf({ 'main.tf': tf + TERRAFORM_API }, 'backend-certificate-validation'), []);
  });

  it('Terraform: a subscription scope (api_id and product_id name resources, not literals)', () => {
    const tf = `resource "azurerm_api_management_product" "starter" {
  product_id          = "starter"
  api_management_name = "contoso"
  resource_group_name = "rg"
  display_name        = "Starter"
}

resource "azurerm_api_management_subscription" "all" {
  subscription_id     = "all"
  api_management_name = "contoso"
  resource_group_name = "rg"
  display_name        = "All"
  state               = "active"
}
`;
    assert.deepStrictEqual(fixIdsOf({ 'main.tf': tf + TERRAFORM_API }, 'subscription-all-apis'), []);
  });

  it('Bicep: a parameter and an interpolated string', () => {
    const bicep = `param requireKey bool = false
param scheme string = 'http'

resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' existing = {
  name: 'contoso'
}

resource orders 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {
  parent: apim
  name: 'orders'
  properties: {
    path: 'orders'
    protocols: [
      '\${scheme}'
    ]
    subscriptionRequired: requireKey
  }
}
`;
    assert.deepStrictEqual(fixIdsOf({ 'main.bicep': bicep }, 'encrypted-protocols'), []);
    assert.ok(!fixIdsOf({ 'main.bicep': bicep }, 'endpoint-authentication').includes('require-subscription-key'));
  });

  it('ARM: a parameter, and a policy from a variable', () => {
    const template = `{ ${ARM_HEADER},
  "parameters": { "protocols": { "type": "array", "defaultValue": ["http", "https"] } },
  "variables": { "policy": "<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>" },
  "resources": [
    { "type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2022-08-01", "name": "contoso/orders",
      "properties": { "path": "orders", "protocols": "[parameters('protocols')]", "subscriptionRequired": false } },
    { "type": "Microsoft.ApiManagement/service/apis/policies", "apiVersion": "2022-08-01", "name": "contoso/orders/policy",
      "properties": { "format": "rawxml", "value": "[variables('policy')]" } }
  ]
}
`;
    assert.deepStrictEqual(fixIdsOf({ 'azuredeploy.json': template }, 'encrypted-protocols'), []);
    // The subscription key is written literally; no auth policy goes into the variable, and no policy.xml is created.
    assert.deepStrictEqual(fixIdsOf({ 'azuredeploy.json': template }, 'endpoint-authentication'), ['require-subscription-key']);
  });
});
