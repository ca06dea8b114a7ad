// Property-based: a small repository of every input kind (spec with a $ref, policies, a fragment, APIOps
// JSON, Bicep, Terraform, an ARM template, the repository's settings and a snapshot of Azure), its files mutated at random, as a
// pull request could. Whatever the mutation, no exception escapes the scan, and every report format
// stays valid: JSON parses, SARIF is valid against its schema, table and Markdown are written.
// Runs FUZZ_RUNS cases (10,000 by default, as in CI); the mutations are unsaved-buffer overlays, so
// nothing is written to disk per case.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { formatJson } from '../../src/core/report/json';
import { formatMarkdown } from '../../src/core/report/markdown';
import { formatSarif } from '../../src/core/report/sarif';
import { formatTable } from '../../src/core/report/table';
import { scan } from '../../src/core/scan';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
// CI runs one fixed seed, so that what lands is what was tested; FUZZ_SEED=random explores new cases.
const SEED = process.env.FUZZ_SEED === 'random' ? undefined : Number(process.env.FUZZ_SEED ?? 20261207);
const SARIF_SCHEMA = path.join(__dirname, '..', 'fixtures', 'report', 'sarif-schema-2.1.0.json');
const SAMPLE_SNAPSHOT = path.join(__dirname, '..', '..', 'samples', '.apim-posture', 'snapshot.json');

const REPOSITORY: Record<string, string> = {
  '.apim-posture.json': JSON.stringify(
    {
      rules: { 'backend-authentication': 'low' },
      exclude: ['legacy/**'],
      sensitiveData: { customTypes: [{ id: 'loyalty-number', namePatterns: ['^loyalty_?(number|id)$'], valuePatterns: ['^LY[0-9]{8}$'], sensitivity: 'high' }] },
      suppressions: [{ rule: 'encrypted-protocols', resource: 'apis/orders', reason: 'internal only', expires: '2030-01-01' }],
    },
    null,
    2,
  ),
  'policy.xml': '<policies>\n  <inbound>\n    <cors><allowed-origins><origin>*</origin></allowed-origins></cors>\n    <include-fragment fragment-id="jwt" />\n  </inbound>\n  <backend><forward-request /></backend>\n  <outbound />\n  <on-error />\n</policies>\n',
  'policy fragments/jwt/policyFragmentInformation.json': '{ "properties": { "format": "rawxml" } }',
  'policy fragments/jwt/policy.xml': '<fragment>\n  <choose>\n    <when condition="@(context.Request.Headers.ContainsKey(&quot;Authorization&quot;))">\n      <validate-jwt header-name="Authorization"><openid-config url="https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration" /></validate-jwt>\n    </when>\n  </choose>\n</fragment>\n',
  'apis/orders/apiInformation.json': JSON.stringify({ properties: { displayName: 'Orders', path: 'orders', protocols: ['http', 'https'], subscriptionRequired: false, serviceUrl: 'https://func-orders.azurewebsites.net/api' } }, null, 2),
  'apis/orders/specification.yaml': [
    'openapi: 3.0.1',
    'info: {title: Orders, version: "1"}',
    'servers: [{url: "http://orders.example.com"}]',
    'paths:',
    '  /orders/{orderId}:',
    '    get:',
    '      operationId: getOrder',
    '      parameters:',
    '        - {name: orderId, in: path, required: true, schema: {type: string}}',
    '        - {name: email, in: query, schema: {type: string, format: email}}',
    '        - {name: loyalty_number, in: query, schema: {type: string}}',
    '      responses:',
    "        '200': {description: OK, content: {application/json: {schema: {$ref: 'schemas/order.yaml'}}}}",
    '    delete:',
    '      operationId: deleteOrder',
    "      responses: {'204': {description: gone}}",
    '',
  ].join('\n'),
  'apis/orders/schemas/order.yaml': 'type: object\nproperties:\n  cardNumber: {type: string}\n  customer: {$ref: "#/definitions/Customer"}\ndefinitions:\n  Customer: {type: object, properties: {phone: {type: string}}}\n',
  'apis/orders/policy.xml': '<policies>\n  <inbound>\n    <base />\n    <set-backend-service backend-id="orders" />\n  </inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>\n',
  'apis/orders/operations/deleteOrder/policy.xml': '<policies>\n  <inbound>\n    <base />\n    <validate-jwt header-name="Authorization" />\n  </inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>\n',
  'backends/orders/backendInformation.json': JSON.stringify({ properties: { url: 'https://func-orders.azurewebsites.net/api', protocol: 'http', tls: { validateCertificateChain: false } } }, null, 2),
  'named values/orders-key/namedValueInformation.json': JSON.stringify({ properties: { displayName: 'orders-key', secret: true } }, null, 2),
  'subscriptions/all/subscriptionInformation.json': JSON.stringify({ properties: { displayName: 'All APIs', scope: '/apis', state: 'active' } }, null, 2),
  'products/open/productInformation.json': JSON.stringify({ properties: { displayName: 'Open', subscriptionRequired: false, state: 'published' } }, null, 2),
  'products/open/apis/orders/productApiInformation.json': '{}',
  'infra/main.bicep': [
    "resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' existing = { name: 'apim' }",
    "resource loyalty 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {",
    '  parent: apim',
    "  name: 'loyalty'",
    "  properties: { path: 'loyalty', protocols: [ 'https' ], subscriptionRequired: false, format: 'openapi', value: loadTextContent('loyalty.yaml') }",
    '}',
    "resource loyaltyPolicy 'Microsoft.ApiManagement/service/apis/policies@2023-05-01-preview' = {",
    '  parent: loyalty',
    "  name: 'policy'",
    "  properties: { format: 'rawxml', value: '<policies><inbound><base /><check-header name=\"x\" failed-check-httpcode=\"401\" failed-check-error-message=\"no\" /></inbound></policies>' }",
    '}',
    '',
  ].join('\n'),
  'infra/main.tf': [
    'variable "apim" { default = "apim" }',
    'locals { suffix = "tf" }',
    'resource "azurerm_api_management_api" "payments" {',
    '  name                  = "payments-${local.suffix}"',
    '  api_management_name   = var.apim',
    '  resource_group_name   = "rg"',
    '  revision              = "1"',
    '  path                  = "payments"',
    '  protocols             = ["http", "https"]',
    '  subscription_required = false',
    '  import {',
    '    content_format = "openapi"',
    '    content_value  = file("${path.module}/loyalty.yaml")',
    '  }',
    '}',
    'resource "azurerm_api_management_api_policy" "payments" {',
    '  api_name            = azurerm_api_management_api.payments.name',
    '  api_management_name = var.apim',
    '  resource_group_name = "rg"',
    '  xml_content         = <<XML',
    '<policies><inbound><base /><validate-jwt header-name="Authorization" /></inbound></policies>',
    'XML',
    '}',
    'resource "azurerm_api_management_named_value" "secret" {',
    '  name                = "payments-key"',
    '  api_management_name = var.apim',
    '  resource_group_name = "rg"',
    '  display_name        = "payments-key"',
    '  secret              = true',
    '  value               = "s3cr3t"',
    '}',
    '',
  ].join('\n'),
  'infra/billing.template.json': JSON.stringify(
    {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      parameters: { apim: { type: 'string', defaultValue: 'apim' } },
      resources: [
        { type: 'Microsoft.ApiManagement/service/apis', apiVersion: '2022-08-01', name: "[concat(parameters('apim'), '/billing')]", properties: { path: 'billing', protocols: ['http'], subscriptionRequired: false } },
        {
          type: 'Microsoft.ApiManagement/service/apis/policies',
          apiVersion: '2022-08-01',
          name: "[concat(parameters('apim'), '/billing/policy')]",
          properties: { format: 'rawxml', value: '<policies>\r\n<inbound><base /><check-header name="x" failed-check-httpcode="401" failed-check-error-message="no" /></inbound></policies>' },
        },
      ],
    },
    null,
    2,
  ),
  'infra/loyalty.yaml': 'openapi: 3.0.1\ninfo: {title: Loyalty, version: "1"}\npaths:\n  /points/{loyalty_number}:\n    get:\n      operationId: getPoints\n      parameters: [{name: loyalty_number, in: path, required: true, schema: {type: string}}]\n      responses: {"200": {description: OK}}\n',
};

/** What a hostile or careless edit inserts: structure, references out of the root, escapes, odd characters. */
const FRAGMENTS = [
  '<', '>', '&', '"', "'", '{', '}', '[', ']', ':', ',', '\n', '\r', '\t', ' ', '#', '-', '*', '&a', '*a', '!!binary', '\ufeff', '\u0000', '\u001b[2J', '\u009b', '\u202e', '\ud800', '\udfff',
  '$ref: "../../../../etc/passwd"', '{"$ref": "/etc/shadow#/x"}', '{"$ref": "#/"}', '$ref: "#/paths"', '<!DOCTYPE x [<!ENTITY e "e">]>', '&e;', '<base />', '<choose><when condition="@(true)">', '</when></choose>',
  '<include-fragment fragment-id="jwt" />', '<include-fragment fragment-id="missing" />', '<validate-jwt header-name="Authorization" />', '@(context.Request.Headers["x"] < 3 && a > "<")', '<![CDATA[', ']]>', '<!--', '-->',
  "loadTextContent('../../outside.txt')", "loadTextContent('loyalty.yaml')", '${', "'''", 'null', 'true', '1e400', '-0', '"protocols": ["http"]', '"subscriptionRequired": false', '"scope": "/apis"', 'x'.repeat(300), '(a+)+$', '[[[[[[[[', '{{{{{{{{',
];

type Mutation = { kind: 'insert'; at: number; text: string } | { kind: 'delete'; at: number; length: number } | { kind: 'duplicate'; at: number; length: number } | { kind: 'truncate'; at: number } | { kind: 'json'; path: number[]; value: unknown };

function mutate(text: string, mutation: Mutation): string {
  const at = (fraction: number) => Math.floor(fraction % (text.length + 1));
  switch (mutation.kind) {
    case 'insert':
      return text.slice(0, at(mutation.at)) + mutation.text + text.slice(at(mutation.at));
    case 'delete':
      return text.slice(0, at(mutation.at)) + text.slice(at(mutation.at) + mutation.length);
    case 'duplicate':
      return text.slice(0, at(mutation.at) + mutation.length) + text.slice(at(mutation.at));
    case 'truncate':
      return text.slice(0, at(mutation.at));
    case 'json':
      return mutateJson(text, mutation.path, mutation.value);
  }
}

/** Replaces a value found by walking `path` (indexes into each level's keys) in JSON text; other text is left as it is. */
function mutateJson(text: string, pathChoices: number[], value: unknown): string {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return text;
  }
  // A root that is not an object is replaced whole; undefined leaves an empty file.
  if (typeof root !== 'object' || root === null) return JSON.stringify(value) ?? '';
  let parent = root as Record<string, unknown>;
  let key: string | undefined;
  for (const choice of pathChoices) {
    const keys = Object.keys(parent);
    if (keys.length === 0) break;
    key = keys[choice % keys.length];
    const child = parent[key];
    if (typeof child !== 'object' || child === null) break;
    parent = child as Record<string, unknown>;
    key = undefined;
  }
  if (key === undefined) {
    const keys = Object.keys(parent);
    key = keys.length ? keys[pathChoices.length % keys.length] : 'added';
  }
  if (value === undefined) delete parent[key];
  else parent[key] = value;
  return JSON.stringify(root, null, 2);
}

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'binary', maxLength: 12 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('json' as const), path: fc.array(fc.nat(), { maxLength: 6 }), value: fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(5, 'x', null, [], {}, [{}], '\ud800')) }),
);

describe('any mutation of a repository', function () {
  this.timeout(15 * 60_000);
  let root: string;
  const files = Object.keys(REPOSITORY).concat('.apim-posture/snapshot.json');

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-properties-'));
    for (const [relative, text] of Object.entries(REPOSITORY)) {
      fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
      fs.writeFileSync(path.join(root, relative), text);
    }
    fs.mkdirSync(path.join(root, '.apim-posture'));
    fs.copyFileSync(SAMPLE_SNAPSHOT, path.join(root, '.apim-posture', 'snapshot.json'));
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads every input kind of the unmutated repository, so that mutations reach every reader', () => {
    const apis = scan(root, { snapshot: 'auto' }).services.flatMap((service) => service.apis.map((api) => api.name));
    for (const name of ['orders', 'loyalty', 'payments-tf', 'billing']) assert.ok(apis.includes(name), `${name} is not read: ${apis.join(', ')}`);
  });

  it(`is scanned without an exception, into valid JSON, SARIF, table and Markdown (${RUNS} cases)`, () => {
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    const validSarif = ajv.compile(JSON.parse(fs.readFileSync(SARIF_SCHEMA, 'utf8')));
    const original = new Map(files.map((relative) => [relative, fs.readFileSync(path.join(root, relative), 'utf8')]));
    const now = new Date('2026-06-01T00:00:00Z');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...files), fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: 3 }), (edits) => {
        const overlay = new Map<string, string>();
        for (const [relative, mutations] of edits) {
          const file = path.join(root, relative);
          overlay.set(file, mutations.reduce(mutate, overlay.get(file) ?? original.get(relative)!));
        }
        const result = scan(root, { overlay, now, snapshot: 'auto' });
        JSON.parse(formatJson(result));
        const sarif = JSON.parse(formatSarif(result));
        assert.ok(validSarif(sarif), JSON.stringify(validSarif.errors?.slice(0, 2)));
        formatTable(result, { color: false });
        formatMarkdown(result);
        for (const finding of result.findings) assert.ok(finding.location.file === root || finding.location.file.startsWith(root + path.sep), `a finding outside the root: ${finding.location.file}`);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
