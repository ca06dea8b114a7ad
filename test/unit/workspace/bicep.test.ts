import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ApimService } from '../../../src/core/model';
import { bicepValueAt, parseBicepResources, plainValue } from '../../../src/core/workspace/bicepParser';
import { scan } from '../../../src/core/scan';
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

describe('readService: Bicep deployments', () => {
  const root = path.join(FIXTURES, 'bicep-deployments');
  const module = path.join(root, 'modules/apim/v2/inference-api.bicep');
  const openLab = path.join(root, 'labs/open-lab/main.bicep');
  const accessApi = 'inference-api (labs:access-controlling:main.bicep)';
  const openApi = 'inference-api (labs:open-lab:main.bicep)';
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('reads each entry file with its modules as one deployment: the same name in two deployments is two APIs', () => {
    assert.strictEqual(service.layout, 'bicep');
    assert.deepStrictEqual(service.apis.map((a) => a.name).sort(), [accessApi, openApi, 'keyless', 'oncall-mcp-server', 'weather-mcp-server']);
    // Module params: the path comes from a .bicepparam file in one deployment, from the default in the other.
    assert.strictEqual(api(service, accessApi).path, 'inference/openai');
    assert.strictEqual(api(service, openApi).path, 'open/openai');
    assert.strictEqual(api(service, accessApi).declaration.file, module);
    for (const name of [accessApi, openApi]) {
      assert.strictEqual(api(service, name).spec?.file, path.join(root, 'modules/apim/v2/specs/AIFoundryOpenAI.json'));
      assert.deepStrictEqual(api(service, name).operations.map((operation) => operation.id), [`apis/${name}/operations/chat-completions`, `apis/${name}/operations/embeddings`]);
    }
  });

  it('attaches each deployment its own policies, passed through module params, vars and replace()', () => {
    const accessPolicy = api(service, accessApi).policy;
    assert.strictEqual(accessPolicy?.file, path.join(root, 'labs/access-controlling/policy.xml'));
    assert.ok(accessPolicy?.xml.text.includes('<validate-jwt'));
    assert.ok(accessPolicy?.xml.text.includes('backend-id="foundry1"'), 'replace() of {backend-id} with the only backend');
    assert.ok(accessPolicy?.xml.text.includes('<audience>00000000-0000-0000-0000-000000000001</audience>'), 'clientId from main.parameters.json');

    const openPolicy = api(service, openApi).policy;
    assert.strictEqual(openPolicy?.file, openLab);
    assert.ok(openPolicy?.xml.text.includes('backend-id="inference-backend-pool"'), 'two backends: the pool');
    // Escapes are decoded, and the policy stands where the module param is written.
    assert.ok(openPolicy?.xml.text.includes("<value>it's ${open} \u263A"));
    assert.strictEqual(slice({ file: openLab, span: openPolicy!.xml.root!.span })?.slice(0, 10), '<policies>');
    assert.deepStrictEqual(service.problems.filter((problem) => problem.kind === 'malformed-xml'), []);

    // `toLower('${apiManagementName}/${inferenceAPIName}/Chat-Completions/policy')`, the service name unknown.
    for (const name of [accessApi, openApi]) assert.strictEqual(api(service, name).operations[0].policy?.file, module);
    assert.deepStrictEqual(
      ['weather-mcp-server', 'oncall-mcp-server'].map((name) => [api(service, name).path, api(service, name).policy?.file]),
      [
        ['weather/mcp', path.join(root, 'modules/apim-streamable-mcp/policy.xml')],
        ['oncall/mcp', path.join(root, 'modules/apim-streamable-mcp/policy.xml')],
      ],
    );
  });

  it('reads existing resources as references only, loops over literal arrays, apiLinks and any()', () => {
    assert.ok(!service.apis.some((a) => a.name === 'legacy' || a.name === 'apim'));
    assert.deepStrictEqual(service.backends.map((backend) => [backend.name, backend.url]).sort(), [
      ['foundry1 (labs:access-controlling:main.bicep)', 'https://foundry1.example.com/openai'],
      ['foundry1 (labs:open-lab:main.bicep)', 'https://foundry1.example.com/openai'],
      ['foundry2', 'https://foundry2.example.com/openai'],
    ]);
    const open = byName(service.products, 'open');
    assert.strictEqual(open.subscriptionRequired?.value, false);
    assert.deepStrictEqual(open.apiNames, [openApi]);
    assert.deepStrictEqual(api(service, openApi).productNames, ['open']);
    assert.deepStrictEqual(api(service, accessApi).productNames, []);

    const keyless = api(service, 'keyless');
    assert.strictEqual(keyless.subscriptionRequired?.value, false);
    assert.strictEqual(slice(keyless.subscriptionRequired?.location), 'false');
    assert.deepStrictEqual(keyless.protocols?.value, ['http']);
    assert.strictEqual(byName(service.fragments, 'banner').policy?.xml.root?.name, 'fragment');
  });

  it('reports what the files do not determine where it is written, and nothing else', () => {
    assert.deepStrictEqual(
      service.problems.map((problem) => [problem.kind, path.relative(root, problem.file).split(path.sep).join('/'), slice({ file: problem.file, span: problem.span! })]),
      [
        // tenant().tenantId reaches the policy through two replace()s, a module param and a var.
        ['unresolved-value', 'modules/apim/v2/inference-api.bicep', 'updatedPolicyXml'],
        ['unresolved-value', 'labs/open-lab/main.bicep', 'backendUrl'],
      ],
    );
    assert.match(service.problems[0].message, /tenant\(\) is known only when Azure deploys.*deployment of labs\/access-controlling\/main\.bicep/);
  });
});

describe('scan: Bicep deployments', () => {
  it('judges each deployment’s API by its own policy', () => {
    const result = scan(path.join(FIXTURES, 'bicep-deployments'));
    const unauthenticated = result.findings.filter((finding) => finding.ruleId === 'endpoint-authentication').map((finding) => finding.resource);
    // validate-jwt, passed to the module as `policyXml`, protects the access-controlling deployment's API...
    assert.ok(!unauthenticated.some((resource) => resource.startsWith('apis/inference-api (labs:access-controlling')));
    // ...not the other deployment's API of the same name, whose policy authenticates nothing.
    assert.deepStrictEqual(unauthenticated.filter((resource) => resource.startsWith('apis/inference-api')).sort(), [
      'apis/inference-api (labs:open-lab:main.bicep)/operations/chat-completions',
      'apis/inference-api (labs:open-lab:main.bicep)/operations/embeddings',
    ]);
    assert.ok(!unauthenticated.some((resource) => resource.includes('mcp-server')));
  });
});

describe('Bicep evaluation on hostile input', () => {
  it('stops at module cycles, self-referencing vars and parent cycles', () => {
    const files = new Map<string, string>([
      ['a.bicep', "module b './b.bicep' = {\n  name: 'b'\n}\nvar x = y\nvar y = x\nresource api 'Microsoft.ApiManagement/service/apis@2024-06-01-preview' = {\n  name: 'svc/${x}'\n}\n"],
      ['b.bicep', "module a './a.bicep' = {\n  name: 'a'\n}\nresource p 'Microsoft.ApiManagement/service/apis/policies@2024-06-01-preview' = {\n  parent: q\n  name: 'policy'\n}\nresource q 'Microsoft.ApiManagement/service/apis@2024-06-01-preview' = {\n  parent: p\n  name: 'loop'\n}\n"],
    ]);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bicep-hostile-'));
    for (const [name, text] of files) fs.writeFileSync(path.join(root, name), text);
    const problems = readService(root).problems;
    fs.rmSync(root, { recursive: true });
    assert.ok(problems.some((problem) => problem.kind === 'ref-cycle'));
    assert.deepStrictEqual(problems.filter((problem) => problem.kind === 'analysis-error'), []);
    assert.ok(problems.some((problem) => problem.kind === 'unresolved-value' && /depends on itself/.test(problem.message)));
  });
});

describe('Bicep object spreads', () => {
  // The shape of Azure/bicep-registry-modules avm/res/api-management/service/backend/main.bicep:82.
  const backendModule = [
    'param name string',
    'param credentials object?',
    'param tls object?',
    'param url string?',
    "param type string = 'Single'",
    "resource service 'Microsoft.ApiManagement/service@2024-05-01' existing = {",
    "  name: 'svc'",
    '}',
    "resource backend 'Microsoft.ApiManagement/service/backends@2024-05-01' = {",
    '  name: name',
    '  parent: service',
    '  properties: {',
    '    type: type',
    "    ...(type == 'Single'",
    '      ? {',
    '          credentials: credentials',
    '          tls: tls ?? { validateCertificateChain: true }',
    '          url: url',
    '        }',
    '      : {})',
    '  }',
    '}',
    '',
  ].join('\n');

  // Without an API, the folder would be read as specs only.
  const api = "resource api 'Microsoft.ApiManagement/service/apis@2024-05-01' = {\n  name: 'svc/orders'\n  properties: { path: 'orders' }\n}\n";

  function inFolder<T>(files: Record<string, string>, read: (root: string) => T): T {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bicep-spread-'));
    for (const [name, text] of Object.entries({ ...files, 'api.bicep': api })) fs.writeFileSync(path.join(root, name), text);
    try {
      return read(root);
    } finally {
      fs.rmSync(root, { recursive: true });
    }
  }
  const read = (files: Record<string, string>) => inFolder(files, readService);

  it('reads the properties a known spread merges, where the spread writes them', () => {
    const main = [
      "var common = { authorization: { scheme: 'Basic', parameter: 'dXNlcjpwYXNz' } }",
      "module basic 'backend.bicep' = {",
      "  name: 'basic'",
      "  params: { ...{ name: 'backend1' }, credentials: { ...common }, tls: { validateCertificateChain: false }, url: 'https://b1' }",
      '}',
      "module plain 'backend.bicep' = {",
      "  name: 'plain'",
      "  params: { name: 'backend2', url: 'https://b2', credentials: {}.?missing }",
      '}',
      '',
    ].join('\n');
    const service = read({ 'main.bicep': main, 'backend.bicep': backendModule });
    const basic = byName(service.backends, 'backend1');
    assert.strictEqual(basic.hasCredentials, true);
    assert.strictEqual(basic.url, 'https://b1');
    assert.strictEqual(basic.validateCertificateChain?.value, false);
    // Located inside the spread's branch, where a reader would look.
    assert.strictEqual(basic.declaration.locate(['credentials']).span.start, backendModule.indexOf('credentials: credentials') + 'credentials: '.length);
    const plain = byName(service.backends, 'backend2');
    assert.strictEqual(plain.hasCredentials, false, '`.?` of a missing property is null, not unknown');
    assert.strictEqual(plain.validateCertificateChain?.value, true, 'the default applies');
    assert.deepStrictEqual(service.problems, []);
  });

  it('says a spread whose condition is not known, and leaves what it may set unknown rather than absent', () => {
    const main = ["module b 'backend.bicep' = {", "  name: 'b'", "  params: { name: 'backend1', type: backendType }", '}', 'param backendType string', ''].join('\n');
    const service = read({ 'main.bicep': main, 'backend.bicep': backendModule });
    const backend = byName(service.backends, 'backend1');
    assert.strictEqual(backend.hasCredentials, 'unknown');
    const spread = service.problems.find((problem) => /a spread in properties is not known/.test(problem.message));
    assert.strictEqual(spread?.kind, 'unresolved-value');
    assert.match(spread!.message, /param backendType has no default/);
    assert.ok(backendModule.slice(spread!.span!.start).startsWith("...(type == 'Single'"));

    // backend-authentication says what it did not know, at info, instead of asserting "no credentials".
    const findings = inFolder({ 'main.bicep': main, 'backend.bicep': backendModule }, (root) => scan(root).findings).filter((finding) => finding.ruleId === 'backend-authentication');
    assert.deepStrictEqual(findings.map((finding) => [finding.resource, finding.severity]), [['backends/backend1', 'info']]);
    assert.match(findings[0].message, /is not known from the files/);
  });
});

describe('Bicep: specs through string(loadYamlContent(...))', () => {
  it("reads the spec ai-hub-gateway passes as string(loadYamlContent(...)), through `!= 'NA'`", () => {
    // The shape of ai-hub-gateway-solution-accelerator infra/modules/apim/apim.bicep:166 and api.bicep:80-81.
    const files: Record<string, string> = {
      'main.bicep': ["module api 'api.bicep' = {", "  name: 'api'", "  params: { openApiSpecification: string(loadYamlContent('./spec.yaml')) }", '}', ''].join('\n'),
      'api.bicep': [
        'param openApiSpecification string',
        "resource api 'Microsoft.ApiManagement/service/apis@2022-08-01' = {",
        "  name: 'svc/openai'",
        '  properties: {',
        "    path: 'openai'",
        "    format: (openApiSpecification != 'NA') ? 'openapi' : null",
        "    value: (openApiSpecification != 'NA') ? openApiSpecification : null",
        '  }',
        '}',
        '',
      ].join('\n'),
      'spec.yaml': ['openapi: 3.0.1', 'info:', '  title: OpenAI', "  version: '1'", 'paths:', '  /chat:', '    post:', '      operationId: chat', '      responses:', "        '200':", '          description: OK', ''].join('\n'),
    };
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bicep-yaml-'));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(root, name), text);
    try {
      const service = readService(root);
      assert.deepStrictEqual(service.problems, []);
      assert.deepStrictEqual(operationSummary(api(service, 'openai')), ['chat POST /chat']);
      assert.strictEqual(api(service, 'openai').definitionFile, path.join(root, 'spec.yaml'));
    } finally {
      fs.rmSync(root, { recursive: true });
    }
  });
});

describe('readService: Bicep module outputs and conditions (AI-Gateway)', () => {
  const root = path.join(FIXTURES, 'bicep-conditions');
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it("links the product to the API a module's output `apiId` names, in a loop whose condition holds", () => {
    assert.deepStrictEqual(service.apis.map((a) => a.name), ['inference-api']);
    assert.deepStrictEqual(byName(service.products, 'platinum').apiNames, ['inference-api']);
    assert.deepStrictEqual(api(service, 'inference-api').productNames, ['platinum']);
    assert.strictEqual(api(service, 'inference-api').policy?.file, path.join(root, 'labs/finops-framework/policy.xml'));
  });

  it("does not read what a false condition leaves undeployed (authType is 'ApiKey' in apikey.bicepparam), and says so as skipped", () => {
    assert.ok(!service.apis.some((a) => a.name === 'oauth-protected-resource-metadata'));
    assert.deepStrictEqual(
      service.problems.map((problem) => [problem.kind, path.relative(root, problem.file).split(path.sep).join('/'), slice({ file: problem.file, span: problem.span! })]),
      [
        ['skipped', 'labs/ghcp-byok-foundry/main.bicep', "authType == 'EntraID'"],
        ['skipped', 'labs/ghcp-byok-foundry/main.bicep', "authType == 'EntraID'"],
        ['skipped', 'labs/ghcp-byok-foundry/main.bicep', "authType == 'EntraID'"],
      ],
    );
    assert.match(service.problems[0].message, /^prmApi: the condition `authType == 'EntraID'` is false: it is not deployed, and not read\.$/);
  });
});

describe('Bicep module outputs and conditions', () => {
  const SERVICE = "resource apim 'Microsoft.ApiManagement/service@2024-06-01-preview' existing = {\n  name: 'svc'\n}\n";
  const API = "resource api 'Microsoft.ApiManagement/service/apis@2024-06-01-preview'";
  const POLICY = "resource policy 'Microsoft.ApiManagement/service/apis/policies@2024-06-01-preview'";
  function read(files: Record<string, string>): { service: ApimService; root: string } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bicep-outputs-'));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      fs.writeFileSync(path.join(root, name), text);
    }
    const service = readService(root);
    fs.rmSync(root, { recursive: true });
    return { service, root };
  }
  const written = (problem: { file: string; span?: { start: number; end: number } }, files: Record<string, string>, root: string) => files[path.relative(root, problem.file)].slice(problem.span!.start, problem.span!.end);

  it('passes a policy one module outputs to another, and names a child by an API module’s output', () => {
    const files = {
      'main.bicep': [
        "module policies 'policies.bicep' = {\n  name: 'policies'\n}",
        "module orders 'api.bicep' = {\n  name: 'orders'\n  params: {\n    policyXml: policies.outputs.jwtPolicy\n  }\n}",
        "resource operation 'Microsoft.ApiManagement/service/apis/operations@2024-06-01-preview' = {\n  name: 'svc/${orders.outputs.apiName}/list'\n  properties: {\n    method: 'GET'\n    urlTemplate: '/orders'\n  }\n}",
      ].join('\n'),
      'policies.bicep': "output jwtPolicy string = '<policies><inbound><validate-jwt header-name=\"Authorization\" /></inbound></policies>'\n",
      // `api.name` is the name as written: the module writes the API's own name, below its parent.
      'api.bicep': `param policyXml string\n${SERVICE}${API} = {\n  parent: apim\n  name: 'orders'\n  properties: {\n    path: 'orders'\n  }\n}\n${POLICY} = {\n  parent: api\n  name: 'policy'\n  properties: {\n    value: policyXml\n  }\n}\noutput apiName string = api.name\n`,
    };
    const { service } = read(files);
    const orders = api(service, 'orders');
    assert.deepStrictEqual(operationSummary(orders), ['list GET /orders']);
    // The policy is read where the module that outputs it writes it.
    assert.ok(orders.policy?.file.endsWith('policies.bicep'));
    assert.strictEqual(orders.policy?.xml.root?.children[0].children[0].name, 'validate-jwt');
    assert.deepStrictEqual(service.problems, []);
  });

  it('reads the outputs of a looped module by index, and says an output that is not there', () => {
    const files = {
      'main.bicep': [
        "module apis 'api.bicep' = [for name in ['a', 'b']: {\n  name: name\n  params: {\n    apiName: name\n  }\n}]",
        `${POLICY} = {\n  name: 'svc/\${apis[1].outputs.apiName}/policy'\n  properties: {\n    value: '<policies />'\n  }\n}`,
        `resource other 'Microsoft.ApiManagement/service/apis/policies@2024-06-01-preview' = {\n  name: 'svc/\${apis[0].outputs.missing}/policy'\n  properties: {\n    value: '<policies />'\n  }\n}`,
      ].join('\n'),
      'api.bicep': `param apiName string\n${SERVICE}${API} = {\n  parent: apim\n  name: apiName\n  properties: {\n    path: apiName\n  }\n}\noutput apiName string = api.name\n`,
    };
    const { service, root } = read(files);
    assert.deepStrictEqual(service.apis.map((a) => [a.name, a.policy !== undefined]), [
      ['a', false],
      ['b', true],
    ]);
    assert.deepStrictEqual(
      service.problems.map((problem) => [problem.kind, written(problem, files, root)]),
      [['unresolved-value', "'svc/${apis[0].outputs.missing}/policy'"]],
    );
    assert.match(service.problems[0].message, /api\.bicep has no output missing/);
  });

  it('declares a resource or module whose condition is not known, and says it is assumed deployed', () => {
    const files = {
      'main.bicep': [
        'param enabled bool',
        "param legacy bool = false",
        `${API} = if (enabled) {\n  name: 'svc/orders'\n  properties: {\n    path: 'orders'\n  }\n}`,
        "module more 'more.bicep' = if (!legacy) {\n  name: 'more'\n}",
        "module old 'old.bicep' = if (legacy) {\n  name: 'old'\n}",
        `resource uses 'Microsoft.ApiManagement/service/apis@2024-06-01-preview' = {\n  name: 'svc/\${old.outputs.name}'\n}`,
      ].join('\n'),
      'more.bicep': `resource api 'Microsoft.ApiManagement/service/apis@2024-06-01-preview' = if (length('x') == 1 ? true : false) {\n  name: 'svc/more'\n}\n`,
      'old.bicep': "resource api 'Microsoft.ApiManagement/service/apis@2024-06-01-preview' = {\n  name: 'svc/old'\n}\noutput name string = api.name\n",
    };
    const { service, root } = read(files);
    assert.deepStrictEqual(service.apis.map((a) => a.name).sort(), ['more', 'orders']);
    assert.deepStrictEqual(
      service.problems.map((problem) => [problem.kind, written(problem, files, root)]),
      [
        ['unresolved-value', 'enabled'],
        ['skipped', 'legacy'],
        ['unresolved-value', "'svc/${old.outputs.name}'"],
      ],
    );
    assert.match(service.problems[0].message, /^api: the condition `enabled` is not known from the files \(param enabled has no default.*\); it is read as deployed\.$/);
    assert.match(service.problems[2].message, /module old is not deployed/);
  });
});
