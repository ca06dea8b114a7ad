// A synthetic Terraform tree for the benchmark: the azurerm resources a team writes for many APIs,
// one .tf file per API with its spec and policy loaded by file(), as real repositories do. The specs
// and policies are those of the APIOps tree, so the two cases do comparable work.
import * as fs from 'fs';
import * as path from 'path';
import { jwt, openApiSpec, policies } from './generateApiops';

const SERVICE = 'azurerm_api_management.apim';

export function generateTerraformTree(root: string, size: { apis: number; operationsPerApi: number }): void {
  const write = (relative: string, text: string) => {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };
  const parent = `  api_management_name = ${SERVICE}.name\n  resource_group_name = ${SERVICE}.resource_group_name\n`;

  write(
    'main.tf',
    `resource "azurerm_api_management" "apim" {\n  name                = "apim-bench"\n  location            = "westeurope"\n  resource_group_name = "rg-apim-bench"\n  publisher_name      = "Contoso"\n  publisher_email     = "api@contoso.com"\n  sku_name            = "Developer_1"\n}\n\n` +
      `resource "azurerm_api_management_policy" "global" {\n  api_management_id = ${SERVICE}.id\n  xml_content       = file("\${path.module}/policies/global.xml")\n}\n\n` +
      `resource "azurerm_api_management_product" "starter" {\n  product_id            = "starter"\n${parent}  display_name          = "Starter"\n  subscription_required = true\n  approval_required     = false\n  published             = true\n}\n\n` +
      `resource "azurerm_api_management_subscription" "all_apis" {\n${parent}  display_name        = "All APIs"\n  state               = "active"\n}\n\n` +
      `resource "azurerm_api_management_backend" "legacy" {\n  name     = "legacy"\n${parent}  protocol = "http"\n  url      = "https://legacy.contoso.test"\n\n  tls {\n    validate_certificate_chain = false\n    validate_certificate_name  = false\n  }\n}\n\n` +
      `resource "azurerm_api_management_named_value" "secret_key" {\n  name         = "secret-key"\n${parent}  display_name = "secret-key"\n  secret       = true\n  value        = var.secret_key\n}\n\n` +
      `variable "secret_key" {\n  type      = string\n  sensitive = true\n  default   = ""\n}\n`,
  );
  write('policies/global.xml', policies('<cors allow-credentials="false"><allowed-origins><origin>*</origin></allowed-origins></cors>', false));

  for (let a = 0; a < size.apis; a++) {
    const api = `api-${String(a).padStart(4, '0')}`;
    const address = api.replace('-', '_');
    const secured = a % 3 !== 0;
    const protocols = a % 10 === 0 ? '["http", "https"]' : '["https"]';
    let text =
      `resource "azurerm_api_management_api" "${address}" {\n  name                  = "${api}"\n${parent}  revision              = "1"\n  display_name          = "${api}"\n  path                  = "${api}"\n` +
      `  protocols             = ${protocols}\n  subscription_required = ${a % 2 === 0}\n  service_url           = "https://${api}.backend.test"\n\n` +
      `  import {\n    content_format = "openapi"\n    content_value  = file("\${path.module}/specs/${api}.yaml")\n  }\n}\n\n` +
      `resource "azurerm_api_management_api_policy" "${address}" {\n  api_name            = azurerm_api_management_api.${address}.name\n${parent}  xml_content         = file("\${path.module}/policies/${api}.xml")\n}\n`;
    if (a % 2 === 0) {
      text += `\nresource "azurerm_api_management_product_api" "${address}" {\n  product_id          = azurerm_api_management_product.starter.product_id\n  api_name            = azurerm_api_management_api.${address}.name\n${parent}}\n`;
    }
    write(`${api}.tf`, text);
    write(`specs/${api}.yaml`, openApiSpec(api, size.operationsPerApi));
    write(`policies/${api}.xml`, policies(secured ? jwt() : `<set-header name="X-Api" exists-action="override"><value>${api}</value></set-header>`, true));
  }
}
