import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ApimService } from '../../../src/core/model';
import { scan } from '../../../src/core/scan';
import { readService } from '../../../src/core/workspace/readService';
import { FIXTURES, api, byName, operationSummary, slice } from './helpers';

const ROOT = path.join(FIXTURES, 'terraform');

/** Problems as `kind file "text at span"`, in the order reported. */
function problemsAt(service: ApimService, root: string): string[] {
  return service.problems.map((problem) => `${problem.kind} ${path.relative(root, problem.file).split(path.sep).join('/')} ${slice(problem.span && { file: problem.file, span: problem.span })}`);
}

describe('readService: Terraform', () => {
  const root = path.join(ROOT, 'contoso');
  const main = path.join(root, 'main.tf');
  const azapi = path.join(root, 'azapi.tf');
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('reads the APIM resources of the .tf files, azurerm and azapi', () => {
    assert.strictEqual(service.layout, 'terraform');
    assert.deepStrictEqual(service.apis.map((a) => a.id).sort(), ['apis/inventory-prod', 'apis/orders', 'apis/payments']);
    for (const file of ['main.tf', 'azapi.tf', 'variables.tf', 'locals.tf', 'terraform.tfvars']) assert.ok(service.filesRead.includes(path.join(root, file)), file);
  });

  it('locates each property at the Terraform attribute that writes it', () => {
    const orders = api(service, 'orders');
    assert.strictEqual(orders.declaration.file, main);
    assert.ok(slice({ file: main, span: orders.declaration.span })?.startsWith('resource "azurerm_api_management_api" "orders" {'));
    assert.deepStrictEqual(orders.protocols?.value, ['http', 'https']);
    assert.strictEqual(slice(orders.protocols?.location), '["http", "https"]');
    assert.strictEqual(orders.subscriptionRequired?.value, false);
    assert.strictEqual(slice(orders.subscriptionRequired?.location), 'false');
    assert.strictEqual(orders.displayName, 'Orders');
    assert.strictEqual(orders.revision, '1');
    // A property that is not written locates to the resource's header, where a fix would add it.
    assert.strictEqual(slice(orders.declaration.locate(['apiVersion'])), 'resource "azurerm_api_management_api" "orders"');
  });

  it('resolves locals, variables with .tfvars values and references between resources', () => {
    assert.strictEqual(api(service, 'orders').serviceUrl, 'https://orders.internal.contoso.com');
    const inventory = api(service, 'inventory-prod');
    assert.deepStrictEqual(inventory.protocols?.value, ['https']);
    assert.strictEqual(slice(inventory.protocols?.location), 'var.inventory_protocols');
    assert.strictEqual(inventory.apiVersion, 'v1');
    assert.strictEqual(inventory.versionSetId, 'apiVersionSets/inventory-versions');
    assert.deepStrictEqual(service.versionSets.map((v) => [v.id, v.versioningScheme]), [['apiVersionSets/inventory-versions', 'Segment']]);
    assert.deepStrictEqual(operationSummary(inventory), ['list-stock GET /stock']);
  });

  it('loads the definition from file() and policies from file(), templatefile(), heredocs and strings', () => {
    const orders = api(service, 'orders');
    assert.strictEqual(orders.spec?.file, path.join(root, 'specs/orders.yaml'));
    assert.deepStrictEqual(operationSummary(orders), ['getOrder GET /orders/{id}', 'post-orders POST /orders']);
    assert.strictEqual(orders.policy?.file, path.join(root, 'policies/orders.xml'));
    assert.strictEqual(service.policy?.file, path.join(root, 'policies/global.xml'));

    // The heredoc policy is read in place: its elements' offsets are the .tf file's.
    const listStock = api(service, 'inventory-prod').operations[0];
    assert.strictEqual(listStock.policy?.file, main);
    const validateJwt = listStock.policy?.xml.root?.children[0]?.children[1];
    assert.strictEqual(slice({ file: main, span: validateJwt!.span }), '<validate-jwt header-name="Authorization" />');

    // A quoted policy with escaped quotes keeps its offsets too.
    const starter = byName(service.products, 'starter');
    const rateLimit = starter.policy?.xml.root?.children[0]?.children[1];
    assert.strictEqual(rateLimit?.name, 'rate-limit');
    assert.strictEqual(slice({ file: main, span: rateLimit!.attributes[0].valueSpan }), '5');

    // azapi: a heredoc inside jsonencode({...}).
    const payments = api(service, 'payments');
    assert.strictEqual(payments.policy?.file, azapi);
    assert.strictEqual(payments.policy?.xml.root?.children[0]?.children[1]?.name, 'check-header');
  });

  it('reads products, subscriptions, backends per for_each instance, named values and fragments', () => {
    const starter = byName(service.products, 'starter');
    assert.strictEqual(starter.state, 'published');
    assert.deepStrictEqual(starter.apiNames, ['orders']);
    assert.deepStrictEqual(api(service, 'orders').productNames, ['starter']);

    const allApis = byName(service.subscriptions, 'all-apis');
    assert.strictEqual(allApis.scope?.value, '/apis');
    assert.strictEqual(slice(allApis.scope?.location), 'resource "azurerm_api_management_subscription" "all_apis"');
    assert.strictEqual(allApis.state?.value, 'active');
    // No subscription_id: Azure names it, the Terraform address stands for it; azurerm's default state is `submitted`.
    const starterSubscription = byName(service.subscriptions, 'azurerm_api_management_subscription.starter');
    assert.strictEqual(starterSubscription.scope?.value, '/products/starter');
    assert.strictEqual(slice(starterSubscription.scope?.location), 'azurerm_api_management_product.starter.id');
    assert.strictEqual(starterSubscription.state?.value, 'submitted');

    assert.deepStrictEqual(service.backends.map((b) => [b.name, b.url, b.validateCertificateName?.value]), [
      ['orders-eu', 'https://eu.orders.contoso.com', false],
      ['orders-us', 'https://us.orders.contoso.com', false],
    ]);
    assert.strictEqual(slice(service.backends[0].validateCertificateName?.location), 'false');
    // `validate_certificate_chain = each.key != "eu"`.
    assert.deepStrictEqual(service.backends.map((b) => b.validateCertificateChain?.value), [false, true]);

    const ordersKey = byName(service.namedValues, 'orders-key');
    assert.strictEqual(ordersKey.secret?.value, true);
    assert.strictEqual(slice(ordersKey.secret?.location), '"true"');
    assert.strictEqual(ordersKey.hasValue, true);
    const paymentsKey = byName(service.namedValues, 'payments-key');
    assert.strictEqual(paymentsKey.keyVaultSecretIdentifier, 'https://contoso-kv.vault.azure.net/secrets/payments-key');
    assert.strictEqual(paymentsKey.hasValue, false);

    assert.deepStrictEqual(service.fragments.map((f) => [f.id, f.policy]), [['policyFragments/cors', undefined]]);
  });

  it('says what the files do not determine, where it is written', () => {
    assert.deepStrictEqual(problemsAt(service, root).sort(), [
      'outside-root main.tf file("../../../../outside.xml")',
      'unresolved-value azapi.tf var.operation_count',
      'unresolved-value azapi.tf var.payments_url',
      'unresolved-value policies/orders.xml ${tenant}',
    ]);
    const tenant = service.problems.find((problem) => problem.file.endsWith('orders.xml'));
    assert.match(tenant!.message, /var\.tenant_id has no default/);
  });
});

describe('readService: Terraform from hashicorp/terraform-provider-azurerm examples', () => {
  const root = path.join(ROOT, 'hashicorp-examples');
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('reads the api-management example with the values of its terraform.tfvars', () => {
    const example = api(service, 'contoso-api');
    assert.strictEqual(example.path, 'example');
    assert.deepStrictEqual(example.protocols?.value, ['https', 'http']);
    assert.strictEqual(example.subscriptionRequired, undefined);
    assert.deepStrictEqual(example.productNames, ['contoso-product']);
    assert.strictEqual(byName(service.products, 'contoso-product').subscriptionRequired?.value, true);
    // The global policy is the inline `policy { xml_content = <<XML ... }` of azurerm_api_management.
    assert.strictEqual(service.policy?.file, path.join(root, 'api-management/main.tf'));
    assert.deepStrictEqual(service.policy?.xml.root?.children.map((child) => child.name), ['inbound', 'backend', 'outbound', 'on-error']);
  });

  it('reads the function app example: operations, a templatefile() policy and a backend', () => {
    const example = api(service, 'example-api');
    assert.strictEqual(example.subscriptionRequired?.value, false);
    assert.deepStrictEqual(operationSummary(example), ['op1 GET funcfromcli']);
    assert.strictEqual(example.policy?.file, path.join(root, 'api-integration-function-app/policy.xml'));
    assert.strictEqual(byName(service.backends, 'example-backend').protocol, 'http');
  });

  it('says what only Terraform knows when it runs', () => {
    assert.deepStrictEqual(problemsAt(service, root).sort(), [
      'remote-ref api-management/terraform.tfvars "https://contoso.example/openapi.yaml"',
      'unresolved-value api-integration-function-app/main.tf "https://${azurerm_linux_function_app.example.default_hostname}/api"',
      'unresolved-value api-integration-function-app/policy.xml ${base-url}',
    ]);
  });
});

describe('scan: Terraform', () => {
  it('gives the findings the rules give, at the spans of the .tf attributes', () => {
    const root = path.join(ROOT, 'contoso');
    const main = path.join(root, 'main.tf');
    const result = scan(root);
    const at = (ruleId: string, resource: string) => {
      const finding = result.findings.find((candidate) => candidate.ruleId === ruleId && candidate.resource === resource);
      assert.ok(finding, `${ruleId} on ${resource}`);
      return { file: path.relative(root, finding.location!.file), text: slice(finding.location) };
    };
    assert.deepStrictEqual(at('encrypted-protocols', 'apis/orders'), { file: 'main.tf', text: '["http", "https"]' });
    assert.deepStrictEqual(at('named-value-key-vault', 'namedValues/orders-key'), { file: 'main.tf', text: '"true"' });
    assert.deepStrictEqual(at('subscription-all-apis', 'subscriptions/all-apis'), { file: 'main.tf', text: 'resource "azurerm_api_management_subscription" "all_apis"' });
    assert.deepStrictEqual(at('backend-certificate-validation', 'backends/orders-us'), { file: 'main.tf', text: 'false' });
    // subscription_required = false and no authenticating policy: each operation of the spec is open.
    assert.deepStrictEqual(at('endpoint-authentication', 'apis/orders/operations/getOrder'), { file: 'specs/orders.yaml', text: 'get' });
    // The Key Vault reference and the submitted subscription are no findings.
    assert.ok(!result.findings.some((finding) => finding.resource === 'namedValues/payments-key' || finding.resource === 'subscriptions/azurerm_api_management_subscription.starter'));
    assert.ok(result.findings.some((finding) => finding.ruleId === 'input-problem' && finding.location?.file === main));
  });
});

describe('readService: Terraform modules', () => {
  const root = path.join(FIXTURES, 'terraform-modules');
  const at = (relative: string) => path.join(root, relative);
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('follows local module calls, once per for_each instance, with the arguments as var.*', () => {
    // modules/api is called by env/lab, so it is not read as a root of its own: each API once.
    assert.deepStrictEqual(service.apis.map((a) => a.id).sort(), ['apis/azurerm_api_management_api.api', 'apis/legacy', 'apis/orders']);
    const legacy = api(service, 'legacy');
    assert.deepStrictEqual(legacy.protocols?.value, ['http', 'https']);
    assert.strictEqual(slice(legacy.protocols?.location), 'var.protocols');
    // A variable the call does not set takes the module's default.
    assert.strictEqual(legacy.subscriptionRequired?.value, true);
    // modules/loop calls itself back: what it declares is read once.
    assert.deepStrictEqual(service.namedValues.map((value) => value.name), ['loop']);
  });

  it('resolves path.module from the module, file() paths from the root module, and module outputs', () => {
    const orders = api(service, 'orders');
    assert.strictEqual(orders.spec?.file, at('modules/api/specs/orders.yaml'));
    assert.deepStrictEqual(operationSummary(orders), ['list-orders GET /orders']);
    // templatefile("../../policies/base.xml") in modules/policy is from env/lab; api_name is module.apis["orders"].name.
    assert.strictEqual(orders.policy?.file, at('policies/base.xml'));
    assert.strictEqual(api(service, 'legacy').policy, undefined);
  });

  it('keeps a resource whose name is not known under its address, with environment .tfvars', () => {
    const standalone = api(service, 'azurerm_api_management_api.api');
    assert.deepStrictEqual(standalone.protocols?.value, ['http']);
    // Only environments/prod.tfvars sets backend_url: it is read as the -var-file.
    assert.strictEqual(standalone.serviceUrl, 'https://backend.contoso.com');
  });

  it('says what it does not follow: remote modules given APIs, sources outside the root, cycles', () => {
    assert.deepStrictEqual(problemsAt(service, root).sort(), [
      'outside-root env/lab/main.tf module "shared"',
      'ref-cycle modules/loop/main.tf module "again"',
      'remote-ref env/lab/main.tf module "gateway"',
      'unresolved-value standalone/main.tf "${var.prefix}-api"',
    ]);
    const name = service.problems.find((problem) => problem.kind === 'unresolved-value');
    assert.match(name!.message, /set differently by \.\.\/environments\/dev\.tfvars and \.\.\/environments\/prod\.tfvars\); it is read under the name "azurerm_api_management_api\.api"/);
  });

  it('gives the findings of APIs declared through modules', () => {
    const result = scan(root);
    const protocols = result.findings.filter((finding) => finding.ruleId === 'encrypted-protocols').map((finding) => finding.resource).sort();
    assert.deepStrictEqual(protocols, ['apis/azurerm_api_management_api.api', 'apis/legacy']);
  });
});

describe('readService: Terraform expressions in the AVM API Management module', () => {
  const root = path.join(FIXTURES, 'terraform-expressions');
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it("fills the apis variable's optional() attributes with their defaults, and reads a conditional version set and dynamic import", () => {
    assert.deepStrictEqual(
      service.apis.map((a) => [a.name, a.path, a.protocols?.value, a.subscriptionRequired?.value]),
      [
        ['echo-api', 'echo', ['https'], true],
        ['status-api', 'status', ['http', 'https'], false],
      ],
    );
    assert.strictEqual(slice(api(service, 'echo-api').protocols?.location), 'each.value.protocols');
  });

  it('makes one operation per entry of merge([for ... : {for ... : key => merge(...)}]...)', () => {
    assert.deepStrictEqual(operationSummary(api(service, 'echo-api')), ['echo-api-get-resource GET /resource']);
    assert.deepStrictEqual(operationSummary(api(service, 'status-api')), ['status-api-ping GET /ping', 'status-api-health GET /health']);
  });

  it('scopes a subscription by the conditional that is not null, or to all APIs when both are', () => {
    assert.deepStrictEqual(
      service.subscriptions.map((subscription) => [subscription.name, subscription.scope?.value]),
      [
        ['echo-subscription', '/apis/echo-api'],
        ['all-apis', '/apis'],
      ],
    );
  });

  it('says that count = 0 leaves the global policy out, and which API policy the for filter keeps but is not read', () => {
    assert.strictEqual(service.policy, undefined);
    assert.deepStrictEqual(problemsAt(service, root), [
      'skipped modules/apim/main.tf var.policy != null ? 1 : 0',
      'unresolved-value modules/apim/main.tf each.value.policy.xml_content',
    ]);
    assert.match(service.problems[0].message, /^module\.apim\.azurerm_api_management_policy\.this: count = `var\.policy != null \? 1 : 0` is 0: it is not deployed, and not read\.$/);
    // status-api has no policy: `{ for k, v in var.apis : k => v if v.policy != null }` leaves it out.
    assert.match(service.problems[1].message, /azurerm_api_management_api_policy\.this\["echo-api"\]/);
  });
});

describe('Terraform functions, conditionals and for expressions', () => {
  function read(mainTf: string): ApimService {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'terraform-expressions-'));
    fs.writeFileSync(path.join(folder, 'main.tf'), mainTf);
    const service = readService(folder);
    fs.rmSync(folder, { recursive: true });
    return service;
  }
  const apiFor = (label: string, forEach: string, name = 'each.key') =>
    `resource "azurerm_api_management_api" "${label}" {\n  for_each = ${forEach}\n  api_management_name = "svc"\n  resource_group_name = "rg"\n  name = ${name}\n  revision = "1"\n}\n`;

  it('evaluates the functions of collections and strings when their arguments are known', () => {
    const service = read(
      [
        'locals {',
        '  apis = { orders = { path = "Orders", tier = "gold" }, users = { path = "Users" } }',
        '  names = [for k, v in local.apis : v.path]',
        '}',
        apiFor('upper', 'toset([for k in keys(local.apis) : format("%s-%d", upper(k), length(local.apis))])'),
        apiFor('regex', 'toset(tolist(concat(values({ b = "b" }), [lower(local.names[0])], ["a", "a"])))', 'replace(each.key, "/^(.)$/", "x-$1")'),
        apiFor('filtered', '{ for k, v in local.apis : k => v if try(v.tier, null) != null }', '"${each.key}-${lookup(each.value, "tier", "none")}-${coalesce("", try(each.value.missing, ""), "c")}"'),
        apiFor('merged', 'merge({ a = 1 }, { b = 2 })', 'replace("${each.key}-${each.value}", "-", "_")'),
      ].join('\n'),
    );
    assert.deepStrictEqual(service.apis.map((a) => a.name).sort(), ['ORDERS-2', 'USERS-2', 'a_1', 'b_2', 'orders', 'orders-gold-c', 'x-a', 'x-b'].sort());
    assert.deepStrictEqual(service.problems, []);
  });

  it('declares count = var.enabled ? 1 : 0 per the variable, and says what it does not know at its span', () => {
    const service = read(
      [
        'variable "enabled" {\n  default = true\n}',
        'variable "unknown" {}',
        apiFor('on', 'var.enabled ? toset(["on"]) : toset([])'),
        'resource "azurerm_api_management_api" "off" {\n  count = !var.enabled ? 1 : 0\n  api_management_name = "svc"\n  resource_group_name = "rg"\n  name = "off"\n  revision = "1"\n}',
        'resource "azurerm_api_management_api" "maybe" {\n  count = var.unknown && true ? 1 : 0\n  api_management_name = "svc"\n  resource_group_name = "rg"\n  name = "maybe"\n  revision = "1"\n}',
        // `false && x` is false whatever x is.
        'resource "azurerm_api_management_api" "never" {\n  count = false && var.unknown ? 1 : 0\n  api_management_name = "svc"\n  resource_group_name = "rg"\n  name = "never"\n  revision = "1"\n}',
      ].join('\n'),
    );
    assert.deepStrictEqual(service.apis.map((a) => a.name), ['on']);
    assert.deepStrictEqual(
      service.problems.map((problem) => [problem.kind, /count = `([^`]*)` is 0/.exec(problem.message)?.[1] ?? problem.message]),
      [
        ['skipped', '!var.enabled ? 1 : 0'],
        ['unresolved-value', 'azurerm_api_management_api.maybe: `var.unknown && true ? 1 : 0` is not known from the files (var.unknown has no default and no value in a .tfvars file beside it or in an environment folder); the resource is not read.'],
        ['skipped', 'false && var.unknown ? 1 : 0'],
      ],
    );
  });

  it('says that count = 0 leaves out a module that declares APIM resources, at its count', () => {
    // Modelled on Azure/apim-landing-zone-accelerator scenarios/apim-baseline/terraform/main.tf: one region or several.
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'terraform-module-count-'));
    const files: Record<string, string> = {
      'main.tf': [
        'variable "multiRegionEnabled" {\n  default = false\n}',
        'module "single_region" {\n  count  = var.multiRegionEnabled ? 0 : 1\n  source = "./region"\n  name   = "single"\n}',
        'module "multi_region" {\n  count  = var.multiRegionEnabled ? 1 : 0\n  source = "./region"\n  name   = "multi"\n}',
        // A module of no APIM resource left out is not worth a problem.
        'module "network" {\n  count  = 0\n  source = "./network"\n}',
      ].join('\n'),
      'region/main.tf': 'variable "name" {}\nresource "azurerm_api_management_api" "api" {\n  api_management_name = "svc"\n  resource_group_name = "rg"\n  name = var.name\n  revision = "1"\n}\n',
      'network/main.tf': 'resource "azurerm_virtual_network" "vnet" {\n  name = "vnet"\n}\n',
    };
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
      fs.writeFileSync(path.join(folder, file), text);
    }
    const service = readService(folder);
    const problems = problemsAt(service, folder);
    fs.rmSync(folder, { recursive: true });
    assert.deepStrictEqual(service.apis.map((a) => a.name), ['single']);
    assert.deepStrictEqual(problems, ['skipped main.tf var.multiRegionEnabled ? 1 : 0']);
    assert.match(service.problems[0].message, /^module\.multi_region: count = `var\.multiRegionEnabled \? 1 : 0` is 0: it is not deployed, and what it declares is not read\.$/);
  });
});

describe('readService: Terraform references to resources that are not API Management', () => {
  it('takes the id of another provider resource for not known, and reads the rest', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'terraform-foreign-id-'));
    // As Azure/terraform-azurerm-avm-res-apimanagement-service examples/ai-foundry/main.tf:298 writes it.
    fs.writeFileSync(
      path.join(root, 'main.tf'),
      [
        'resource "azurerm_ai_services" "this" {',
        '  name = "ai"',
        '}',
        'resource "azurerm_api_management_backend" "ai" {',
        '  name                = "ai-foundry-backend"',
        '  api_management_name = "apim"',
        '  protocol            = "http"',
        '  url                 = "https://management.azure.com${azurerm_ai_services.this.id}"',
        '}',
        'resource "azurerm_api_management_api" "ai" {',
        '  name                = "ai"',
        '  api_management_name = "apim"',
        '  revision            = "1"',
        '}',
        '',
      ].join('\n'),
    );
    const service = readService(root);
    assert.strictEqual(service.layout, 'terraform');
    assert.deepStrictEqual(service.backends.map((backend) => backend.name), ['ai-foundry-backend']);
    assert.deepStrictEqual(problemsAt(service, root), ['unresolved-value main.tf "https://management.azure.com${azurerm_ai_services.this.id}"']);
    assert.match(service.problems[0].message, /the id of azurerm_ai_services\.this is not known/);
  });
});
