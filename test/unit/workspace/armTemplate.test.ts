import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ApimService } from '../../../src/core/model';
import { descendants } from '../../../src/core/policy/xml';
import { scan } from '../../../src/core/scan';
import { evaluate, parseExpression, PartialString, Unknown, type ArmValue, type ExpressionScope } from '../../../src/core/workspace/armExpression';
import { decodeJsonString, placeXmlText } from '../../../src/core/workspace/armText';
import { readService } from '../../../src/core/workspace/readService';
import { FIXTURES, api, byName, operationSummary, problemSummary, slice } from './helpers';

const ARM = path.join(FIXTURES, 'arm');

/** Evaluates `expression` (the text of a JSON string) with parameters and variables from plain maps. */
function evaluateText(expression: string, parameters: Record<string, ArmValue> = {}, variables: Record<string, string> = {}): ArmValue {
  const offsets = [...expression].map((_, index) => index);
  const scope: ExpressionScope = {
    parameter: (name, at) => (name in parameters ? parameters[name] : new Unknown(at.span, at.text, 'no value')),
    variable: (name, at) => {
      const text = variables[name];
      if (text === undefined) return new Unknown(at.span, at.text, 'no such variable');
      const node = parseExpression(text, offsets);
      return 'error' in node ? new Unknown(node.span, text, node.error) : evaluate(node, scope, text, offsets);
    },
  };
  const node = parseExpression(expression, offsets);
  if ('error' in node) throw new Error(node.error);
  return evaluate(node, scope, expression, offsets);
}

describe('ARM template expressions', () => {
  it('evaluates literals, nested calls, parameters and variables', () => {
    assert.strictEqual(evaluateText("[concat(parameters('svc'), '/', 'orders')]", { svc: 'apim' }), 'apim/orders');
    assert.strictEqual(evaluateText("[format('{0}/{1}-api', parameters('svc'), toLower('ORDERS'))]", { svc: 'apim' }), 'apim/orders-api');
    assert.strictEqual(evaluateText("['It''s here']"), "It's here");
    assert.strictEqual(evaluateText("[toUpper(variables('name'))]", {}, { name: "[concat('a', 'b')]" }), 'AB');
    assert.strictEqual(evaluateText("[parameters('settings').tier]", { settings: { Tier: 'gold' } }), 'gold');
    assert.strictEqual(evaluateText("[parameters('list')[1]]", { list: ['a', 'b'] }), 'b');
    assert.strictEqual(
      evaluateText("[resourceId('Microsoft.ApiManagement/service/apis', 'svc', 'orders')]"),
      '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ApiManagement/service/svc/apis/orders',
    );
  });

  it('keeps what is known of a string around what is not, and names the unknown sub-expression where it is written', () => {
    const expression = "[concat(parameters('base'), '/orders.xml')]";
    const value = evaluateText(expression);
    assert.ok(value instanceof PartialString);
    const [unknown, known] = value.parts;
    assert.ok(unknown instanceof Unknown);
    assert.strictEqual(unknown.text, "parameters('base')");
    assert.strictEqual(expression.slice(unknown.span.start, unknown.span.end), "parameters('base')");
    assert.strictEqual(known, '/orders.xml');

    const call = evaluateText("[reference('app').hostName]");
    assert.ok(call instanceof Unknown);
    assert.strictEqual(call.text, "reference('app')");
  });

  it('evaluates copyIndex() in its loops, length() and uri() as ARM does', () => {
    const offsets = (text: string) => [...text].map((_, index) => index);
    const inLoops = (expression: string): ArmValue => {
      const scope: ExpressionScope = {
        parameter: (_name, at) => new Unknown(at.span, at.text, 'no value'),
        variable: (_name, at) => new Unknown(at.span, at.text, 'no value'),
        copyIndex: (loop, at) => (loop === undefined ? 2 : loop === 'outer' ? 5 : new Unknown(at.span, at.text, 'no such loop')),
      };
      const node = parseExpression(expression, offsets(expression));
      if ('error' in node) throw new Error(node.error);
      return evaluate(node, scope, expression, offsets(expression));
    };
    assert.strictEqual(inLoops("[concat('api-', copyIndex())]"), 'api-2');
    assert.strictEqual(inLoops("[concat('api-', copyIndex(1))]"), 'api-3');
    assert.strictEqual(inLoops("[copyIndex('outer', 10)]"), 15);
    assert.ok(inLoops("[copyIndex('other')]") instanceof Unknown);
    assert.match((evaluateText('[copyIndex()]') as Unknown).reason, /outside a copy loop/);
    assert.strictEqual(evaluateText("[length(parameters('list'))]", { list: ['a', 'b', 'c'] }), 3);
    assert.strictEqual(evaluateText("[length('abcd')]"), 4);
    assert.strictEqual(evaluateText("[uri('https://host/templates/main.json', 'nested/apis.json')]"), 'https://host/templates/nested/apis.json');
    const linked = evaluateText("[uri(parameters('base'), 'apis.json')]");
    assert.ok(linked instanceof PartialString);
    assert.deepStrictEqual(linked.parts.slice(1), ['/apis.json']);
  });

  it('evaluates the logical and comparison functions where the arguments they need are known', () => {
    const config = { apis: [{ name: 'orders' }], lock: { kind: 'None' }, empty: {} };
    assert.strictEqual(evaluateText("[if(not(empty(parameters('apis'))), length(parameters('apis')), 0)]", config), 1);
    assert.strictEqual(evaluateText("[if(empty(parameters('none')), 0, 1)]", { none: [] }), 0);
    // Only the branch taken needs to be known.
    assert.strictEqual(evaluateText("[if(true(), 'kept', parameters('unset'))]"), 'kept');
    assert.strictEqual(evaluateText("[coalesce(parameters('nothing'), createArray('a'))[0]]", { nothing: null }), 'a');
    assert.ok(evaluateText("[coalesce(parameters('unset'), 'b')]") instanceof Unknown);
    assert.strictEqual(evaluateText("[tryGet(parameters('lock'), 'kind')]", config), 'None');
    assert.strictEqual(evaluateText("[tryGet(parameters('lock'), 'notes')]", config), null);
    assert.strictEqual(evaluateText("[and(not(empty(coalesce(parameters('lock'), createObject()))), not(equals(tryGet(parameters('lock'), 'kind'), 'None')))]", config), false);
    assert.strictEqual(evaluateText("[empty(parameters('empty'))]", config), true);
    assert.strictEqual(evaluateText("[greater(length(parameters('apis')), 1)]", config), false);
    assert.strictEqual(evaluateText("[lessOrEquals(length(parameters('apis')), 1)]", config), true);
    assert.strictEqual(evaluateText("[contains(createArray('a', 'b'), 'b')]"), true);
    assert.strictEqual(evaluateText("[equals(createObject('a', createArray(1)), createObject('a', createArray(1)))]"), true);
    // A decisive argument decides whatever the others; otherwise what is not known stays unknown.
    assert.strictEqual(evaluateText("[and(false(), parameters('unset'))]"), false);
    assert.strictEqual(evaluateText("[or(parameters('unset'), true())]"), true);
    assert.ok(evaluateText("[and(true(), parameters('unset'))]") instanceof Unknown);
    // How ARM compares strings that differ only in case is not guessed.
    assert.ok(evaluateText("[equals('None', 'none')]") instanceof Unknown);
  });

  it('refuses deep nesting and broken expressions with a message, without throwing', () => {
    const deep = '[' + 'concat('.repeat(100) + "'x'" + ')'.repeat(100) + ']';
    const parsed = parseExpression(deep, [...deep].map((_, index) => index));
    assert.ok('error' in parsed && /nested more than/.test(parsed.error));
    for (const broken of ["[concat('a'", '[concat(,)]', "[parameters('a'", '[1 2]', '[]', '[.x]', "['unterminated]"]) {
      assert.ok('error' in parseExpression(broken, [...broken].map((_, index) => index)), broken);
    }
  });
});

describe('ARM template text', () => {
  it('decodes a JSON string with the file offset of each character', () => {
    const text = '{"v": "a\\"b\\u003cc\\n"}';
    const span = { start: text.indexOf('"a'), end: text.length - 1 };
    const { value, offsets } = decodeJsonString(text, span);
    assert.strictEqual(value, 'a"b<c\n');
    assert.deepStrictEqual(offsets.map((offset) => text[offset]), ['a', '\\', 'b', '\\', 'c', '\\']);
  });

  it('places XML so that tags start and end where the template writes them', () => {
    const text = '{"value": "<a x=\\"1\\" y=\\"2\\">\\r\\n<b />\\r\\n</a>"}';
    const span = { start: text.indexOf('"<'), end: text.length - 1 };
    const { value, offsets } = decodeJsonString(text, span);
    const placed = placeXmlText(text, value, offsets);
    assert.strictEqual(placed.indexOf('<a'), text.indexOf('<a'));
    assert.strictEqual(placed.indexOf('<b'), text.indexOf('<b'));
    assert.strictEqual(placed.indexOf('</a>'), text.indexOf('</a>'));
    assert.strictEqual(placed.indexOf('>'), text.indexOf('>'));
  });
});

describe('readService: ARM templates of the APIM DevOps resource kit', () => {
  const root = path.join(ARM, 'resource-kit');
  const calculatorFile = path.join(root, 'APIs/basic-calculator/contosobob-basic-calculator-prod-basic-calculator-api.template.json');
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('reads top-level resources named by concat(parameters(...)) when the service name has no value', () => {
    assert.strictEqual(service.layout, 'arm');
    assert.deepStrictEqual(service.problems, []);
    assert.deepStrictEqual(service.apis.map((a) => a.id), ['apis/basic-calculator', 'apis/httpBinAPI']);
    const calculator = api(service, 'basic-calculator');
    assert.strictEqual(calculator.declaration.file, calculatorFile);
    assert.strictEqual(calculator.displayName, 'Basic Calculator');
    assert.strictEqual(calculator.serviceUrl, 'http://calcapi.cloudapp.net/api');
    assert.deepStrictEqual(calculator.protocols?.value, ['https']);
    assert.strictEqual(slice(calculator.protocols?.location)?.replace(/\s+/g, ''), '["https"]');
    assert.strictEqual(slice(calculator.subscriptionRequired?.location), 'true');
    assert.deepStrictEqual(operationSummary(calculator), ['61703724217d200db0e83e1a GET /add?a={a}&b={b}', '61703724217d200db0e83e1d GET /div?a={a}&b={b}']);
  });

  it('reads rawxml policies with escaped quotes in place: tags where the template writes them, attributes as APIM reads them', () => {
    const add = api(service, 'basic-calculator').operations[0];
    assert.strictEqual(add.policy?.file, calculatorFile);
    const jwt = descendants(add.policy!.xml.root!, 'validate-jwt')[0];
    assert.strictEqual(
      slice({ file: calculatorFile, span: jwt.startTagSpan }),
      '<validate-jwt header-name=\\"Authorization\\" failed-validation-httpcode=\\"401\\" failed-validation-error-message=\\"Unauthorized. Access token is missing or invalid.\\">',
    );
    assert.deepStrictEqual(
      jwt.attributes.map((attribute) => [attribute.name, attribute.value]),
      [
        ['header-name', 'Authorization'],
        ['failed-validation-httpcode', '401'],
        ['failed-validation-error-message', 'Unauthorized. Access token is missing or invalid.'],
      ],
    );
    assert.strictEqual(slice(add.location), '<policies>');

    const div = api(service, 'basic-calculator').operations[1];
    const when = descendants(div.policy!.xml.root!, 'when')[0];
    assert.strictEqual(when.attributes[0].value, '@(context.Request.Url.Query.GetValueOrDefault("version") == "2013-05")');
  });

  it('reads a policy written as concat of literals in place, and a policyContent rawxml-link from the file of that name', () => {
    const httpbin = api(service, 'httpBinAPI');
    const file = path.join(root, 'example/api-httpbin/v1/api-httpbin.v1.template.json');
    assert.strictEqual(httpbin.policy?.file, file);
    const rewrite = descendants(httpbin.policy!.xml.root!, 'rewrite-uri')[0];
    assert.strictEqual(slice({ file, span: rewrite.startTagSpan }), '<rewrite-uri template=\\"/metrics.json\\" />');
    assert.deepStrictEqual(operationSummary(httpbin), ['get GET /get']);

    const unlimited = byName(service.products, 'unlimited');
    assert.strictEqual(unlimited.policy?.file, path.join(root, 'example/products/product-unlimited.policy.xml'));
    assert.strictEqual(unlimited.subscriptionRequired?.value, true);
  });

  it('evaluates a subscription scope from resourceId() with the parameter file beside the template', () => {
    const subscription = byName(service.subscriptions, '<subscriptionName>');
    assert.strictEqual(subscription.scope?.value, '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ApiManagement/service/<ApimServiceName>/apis');
    assert.strictEqual(slice(subscription.scope?.location), '"[concat(resourceId(\'Microsoft.ApiManagement/service\', parameters(\'ApimServiceName\')), \'/apis\')]"');
    assert.ok(service.filesRead.includes(path.join(root, 'example/subscriptions/subscriptions.scope.AllAPI.parameters.json')));
  });
});

describe('readService: the quickstart template with nested child resources', () => {
  const root = path.join(ARM, 'quickstart');
  const template = path.join(root, 'azuredeploy.json');
  const parameters = path.join(root, 'azuredeploy.parameters.json');
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('reads nested resources with short types below the service', () => {
    assert.deepStrictEqual(service.apis.map((a) => a.id), ['apis/PetStoreSwaggerImportExample', 'apis/exampleApi', 'apis/exampleApiWithPolicy']);
    assert.deepStrictEqual(operationSummary(api(service, 'exampleApi')), ['exampleOperationsDELETE DELETE /resource', 'exampleOperationsGET GET /resource']);
    assert.deepStrictEqual(byName(service.products, 'exampleProduct').apiNames, ['exampleApi']);
    assert.deepStrictEqual(api(service, 'exampleApi').productNames, ['exampleProduct']);
    assert.strictEqual(byName(service.namedValues, 'exampleproperties').hasValue, true);
    assert.strictEqual(byName(service.subscriptions, 'examplesubscription1').scope?.value.endsWith('/products/exampleProduct'), true);
  });

  it('reads policies given by the parameter file in place there', () => {
    assert.strictEqual(service.policy?.file, parameters);
    const operationPolicy = api(service, 'exampleApi').operations[1].policy;
    assert.strictEqual(operationPolicy?.file, parameters);
    const forward = descendants(operationPolicy!.xml.root!, 'forward-request')[0];
    assert.strictEqual(slice({ file: parameters, span: forward.span }), '<forward-request />');
    assert.strictEqual(api(service, 'exampleApiWithPolicy').policy?.file, parameters);
    assert.strictEqual(byName(service.products, 'exampleProduct').policy?.file, parameters);
  });

  it('reports a definition linked to a URL with no local file of its name, where the link is written', () => {
    assert.deepStrictEqual(problemSummary(service, root), ['remote-ref azuredeploy.json']);
    assert.strictEqual(slice({ file: template, span: service.problems[0].span! }), '"http://petstore.swagger.io/v2/swagger.json"');
    assert.strictEqual(api(service, 'PetStoreSwaggerImportExample').spec, undefined);
  });
});

describe('readService: a hand-written ARM template', () => {
  const root = path.join(ARM, 'contoso');
  const template = path.join(root, 'orders.template.json');
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('locates properties at their exact spans in the template', () => {
    const orders = api(service, 'orders-api');
    assert.strictEqual(orders.displayName, 'Orders (Prod)');
    assert.deepStrictEqual(orders.protocols?.value, ['http', 'https']);
    assert.strictEqual(slice(orders.protocols?.location), '["http", "https"]');
    assert.strictEqual(slice(orders.subscriptionRequired?.location), 'false');
    assert.strictEqual(orders.serviceUrl, undefined);
    assert.strictEqual(orders.declaration.document?.file, template);
    assert.strictEqual(slice(orders.declaration.locate(['apiVersion'])), '"properties"');
  });

  it('uses the parameter file that names the template, not the other one beside it', () => {
    assert.ok(service.filesRead.includes(path.join(root, 'orders.parameters.json')));
    assert.ok(!service.filesRead.includes(path.join(root, 'shared.parameters.json')));
    assert.strictEqual(byName(service.namedValues, 'orders-key').hasValue, true);
  });

  it('merges nested and top-level operations, and reads an extractor rawxml-link policy from the file of that name', () => {
    const orders = api(service, 'orders-api');
    assert.deepStrictEqual(operationSummary(orders), ['get-order GET /orders/{id}', 'create-order POST /orders']);
    assert.strictEqual(orders.policy?.file, path.join(root, 'policies/orders-api-apiPolicy.xml'));
  });

  it('links an openapi+json-link definition to the local spec, and reads a policy from a variable in place', () => {
    const catalog = api(service, 'catalog');
    assert.strictEqual(catalog.definitionFile, path.join(root, 'specs/catalog.openapi.json'));
    assert.deepStrictEqual(operationSummary(catalog), ['list-items GET /items', 'get-item GET /items/{id}']);
    assert.strictEqual(catalog.policy?.file, template);
    const jwt = descendants(catalog.policy!.xml.root!, 'validate-jwt')[0];
    assert.strictEqual(slice({ file: template, span: jwt.startTagSpan }), '<validate-jwt header-name=\\"Authorization\\" />');
  });

  it('reads resources of an inline nested deployment with its own parameters', () => {
    const subscription = byName(service.subscriptions, 'all-apis');
    assert.strictEqual(subscription.scope?.value, '/apis');
    assert.strictEqual(slice(subscription.scope?.location), '"[concat(\'/\', parameters(\'scopeSuffix\'))]"');
  });

  it('reports what cannot be evaluated at the sub-expression, and refuses a link out of the scanned folder', () => {
    assert.deepStrictEqual(problemSummary(service, root), ['outside-root orders.template.json', 'unresolved-value orders.template.json', 'unresolved-value orders.template.json']);
    const spans = service.problems.map((problem) => slice({ file: problem.file, span: problem.span! })).sort();
    assert.deepStrictEqual(spans, ['"../../outside-policy.xml"', "parameters('refundOperation')", "reference('ordersApp')"]);
    assert.strictEqual(byName(service.products, 'partners').policy, undefined);
  });

  it('never takes an APIOps *Information.json file for a template', () => {
    assert.ok(!service.filesRead.includes(path.join(root, 'notes/backendInformation.json')));
    assert.deepStrictEqual(service.backends.map((backend) => backend.name), ['orders-backend']);
  });
});

describe('readService: linked templates of the resource kit\'s master template', () => {
  const root = path.join(ARM, 'linked/resource-kit');
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('reads the templates the master links by concat(base, path) once, with the service name from the master\'s parameter file', () => {
    assert.deepStrictEqual(service.problems, []);
    assert.deepStrictEqual(service.apis.map((a) => a.id), ['apis/httpBinAPI']);
    const httpbin = api(service, 'httpBinAPI');
    assert.strictEqual(httpbin.declaration.file, path.join(root, 'api-httpbin/v1/api-httpbin.v1.template.json'));
    assert.deepStrictEqual(operationSummary(httpbin), ['get GET /get']);
    // resourceId('Microsoft.ApiManagement/service', parameters('ApimServiceName')) in the linked template: the master passes contosoapim-dev.
    assert.ok(httpbin.versionSetId?.includes('/service/contosoapim-dev/api-version-sets/versionset-httpbin-api'), httpbin.versionSetId);
    assert.ok(service.filesRead.includes(path.join(root, 'master.parameters.json')));
  });

  it('reads a linked template\'s inline policy in place', () => {
    const starter = byName(service.products, 'starter');
    const file = path.join(root, 'products/product-starter.template.json');
    assert.strictEqual(starter.policy?.file, file);
    assert.strictEqual(slice({ file, span: descendants(starter.policy!.xml.root!, 'rate-limit')[0].startTagSpan }), '<rate-limit calls=\\"3\\" renewal-period=\\"10\\" />');
  });
});

describe('readService: copy loops and linked templates', () => {
  const root = path.join(ARM, 'linked/contoso');
  const main = path.join(root, 'main.json');
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('makes one resource per copy, with copyIndex(), copyIndex(offset) and copyIndex(loop) in names and properties', () => {
    assert.deepStrictEqual(service.apis.map((a) => a.id), ['apis/orders', 'apis/refunds', 'apis/legacy']);
    assert.deepStrictEqual(
      service.apis.map((a) => [a.displayName, a.path, a.protocols?.value]),
      [
        ['ORDERS', 'orders', ['https']],
        ['REFUNDS', 'refunds', ['http', 'https']],
        ['Legacy', 'legacy', ['http', 'https']],
      ],
    );
    assert.deepStrictEqual(operationSummary(api(service, 'orders')), ['get-order-1 GET /orders/v1', 'get-order-2 GET /orders/v2']);
    // Each copy is located at the resource that declares them all.
    assert.strictEqual(slice(api(service, 'refunds').subscriptionRequired?.location), 'false');
  });

  it('reports a copy count that is not known where it is written, and reads none of its copies', () => {
    assert.deepStrictEqual(service.backends, []);
    const problem = service.problems.find((candidate) => candidate.kind === 'unresolved-value' && candidate.file === main);
    assert.strictEqual(slice({ file: main, span: problem!.span! }), "parameters('backendCount')");
    assert.match(problem!.message, /number of copies is not known/);
  });

  it('reads a copied deployment\'s linked template once per copy, with the parameters of that copy', () => {
    const policyFile = path.join(root, 'nested/api-policy.json');
    for (const name of ['orders', 'refunds']) {
      const policy = api(service, name).policy;
      assert.strictEqual(policy?.file, policyFile, name);
      assert.strictEqual(descendants(policy!.xml.root!, 'validate-jwt').length, 1, name);
    }
  });

  it('follows a uri after an unknown base and uri(deployment().properties.templateLink.uri, ...) to the files of the folder', () => {
    const gold = byName(service.products, 'gold');
    assert.strictEqual(gold.declaration?.file, path.join(root, 'nested/products.json'));
    assert.strictEqual(gold.subscriptionRequired?.value, true);
    assert.deepStrictEqual(gold.apiNames, ['orders']);
    assert.deepStrictEqual(api(service, 'orders').productNames, ['gold']);
  });

  it('reads each linked template once, not again on its own, and says where a second deployment links it', () => {
    assert.strictEqual(service.products.length, 1);
    assert.deepStrictEqual(problemSummary(service, root), [
      'outside-root main.json',
      'ref-cycle nested/cycle.json',
      'skipped staging.json',
      'unresolved-value main.json',
      'unresolved-value nested/products.json',
    ]);
    const at = (kind: string) => {
      const problem = service.problems.find((candidate) => candidate.kind === kind)!;
      return slice({ file: problem.file, span: problem.span! });
    };
    assert.strictEqual(at('outside-root'), '"../../outside.json"');
    assert.strictEqual(at('ref-cycle'), '"cycle.json"');
    assert.strictEqual(at('skipped'), '"nested/products.json"');
    assert.match(service.problems.find((problem) => problem.kind === 'skipped')!.message, /in the deployment of main\.json/);
  });

  it('says at the linked template\'s use what the linking template could not tell it', () => {
    const products = path.join(root, 'nested/products.json');
    const problem = service.problems.find((candidate) => candidate.file === products)!;
    assert.strictEqual(slice({ file: products, span: problem.span! }), "parameters('issuer')");
    assert.match(problem.message, /main\.json passes parameters\('_artifactsLocation'\), which is not known/);
  });
});

describe('scan: an ARM template', () => {
  it('gives the rules their findings at the places the template writes them', () => {
    const root = path.join(ARM, 'contoso');
    const findings = scan(root)
      .findings.filter((finding) => finding.severity !== 'info')
      .map((finding) => [finding.ruleId, finding.resource, path.basename(finding.location.file), slice(finding.location)?.split('\n')[0]]);
    assert.deepStrictEqual(
      findings.sort((a, b) => String(a).localeCompare(String(b))),
      [
        ['backend-authentication', 'backends/orders-backend', 'orders.template.json', '"properties"'],
        ['backend-certificate-validation', 'backends/orders-backend', 'orders.template.json', 'false'],
        ['encrypted-protocols', 'apis/orders-api', 'orders.template.json', '["http", "https"]'],
        ['endpoint-authentication', 'apis/orders-api/operations/create-order', 'orders.template.json', '{'],
        ['endpoint-authentication', 'apis/orders-api/operations/get-order', 'orders.template.json', '{'],
        ['input-problem', 'service', 'orders.template.json', '"../../outside-policy.xml"'],
        ['input-problem', 'service', 'orders.template.json', "parameters('refundOperation')"],
        ['input-problem', 'service', 'orders.template.json', "reference('ordersApp')"],
        ['named-value-key-vault', 'namedValues/orders-key', 'orders.template.json', 'true'],
        ['subscription-all-apis', 'subscriptions/all-apis', 'orders.template.json', '"[concat(\'/\', parameters(\'scopeSuffix\'))]"'],
      ],
    );
  });
});

describe('readService: hostile ARM templates', () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'arm-hostile-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads deeply nested child resources, self-referring and doubling variables within bounds', () => {
    let child: Record<string, unknown> = { type: 'policies', name: 'policy', properties: { value: '<policies />' } };
    for (let depth = 0; depth < 100; depth++) child = { type: 'apis', name: `a${depth}`, properties: {}, resources: [child] };
    // Each variable doubles the one before: evaluated once each, and refused once too long.
    const variables: Record<string, string> = { a: "[variables('b')]", b: "[variables('a')]", v0: 'xxxxxxxxxxxxxxxx' };
    for (let index = 1; index <= 30; index++) variables[`v${index}`] = `[concat(variables('v${index - 1}'), variables('v${index - 1}'))]`;
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      variables,
      resources: [
        { type: 'Microsoft.ApiManagement/service', name: 'svc', resources: [child] },
        { type: 'Microsoft.ApiManagement/service/apis', name: "[concat('svc/', variables('a'))]", properties: {} },
        { type: 'Microsoft.ApiManagement/service/apis', name: 'svc/long', properties: { description: "[variables('v30')]" } },
      ],
    };
    fs.writeFileSync(path.join(root, 'template.json'), JSON.stringify(template));
    const service = readService(root);
    assert.deepStrictEqual(service.apis.map((a) => a.name), ['a99', 'long']);
    const messages = service.problems.filter((problem) => problem.kind === 'unresolved-value').map((problem) => problem.message);
    assert.ok(messages.some((message) => /refers back to itself/.test(message)), messages.join('\n'));
    assert.ok(messages.some((message) => /longer than/.test(message)), messages.join('\n'));
  });
});

describe('readService: ARM conditions (the AI Gateway lab\'s compiled inference API)', () => {
  const CONDITIONS = path.join(ARM, 'conditions');

  it('does not read a resource whose condition is false, and says so at the condition', () => {
    const root = path.join(CONDITIONS, 'inference-api');
    const template = path.join(root, 'inference-api.json');
    const service = readService(root);
    // One AI service: its backend is deployed, the pool of more than one is not.
    assert.deepStrictEqual(service.backends.map((backend) => backend.name), ['foundry1']);
    assert.strictEqual(service.backends[0].url, 'https://foundry1.cognitiveservices.azure.com/openai');
    const skipped = service.problems.filter((problem) => problem.kind === 'skipped');
    assert.deepStrictEqual(skipped.map((problem) => slice({ file: template, span: problem.span! })), ["\"[greater(length(parameters('aiServicesConfig')), 1)]\""]);
    assert.match(skipped[0].message, /condition .* is false: it is not deployed, and not read/);
    // The diagnostic's condition (false too) is of a kind the model is not read from: not said.
    assert.deepStrictEqual(problemSummary(service, root), ['skipped inference-api.json']);
  });

  it('reads a resource whose condition is not known as deployed, and says so where the value comes from', () => {
    const root = path.join(CONDITIONS, 'azure-ml-models');
    const main = path.join(root, 'main.json');
    const service = readService(root);
    assert.deepStrictEqual(service.backends.map((backend) => backend.name), ['inference-backend-pool']);
    const conditions = service.problems.filter((problem) => /condition is not known/.test(problem.message));
    // The backends' copy count is not known either, so only the pool's condition is evaluated.
    assert.strictEqual(conditions.length, 1);
    for (const problem of conditions) {
      assert.strictEqual(problem.kind, 'unresolved-value');
      assert.match(slice({ file: main, span: problem.span! })!, /^reference\(resourceId\('Microsoft.Resources\/deployments', 'foundryModule'\)/);
    }
  });
});

describe('readService: a template compiled from a Bicep file beside it', () => {
  it('is not read a second time, and says so where the template names its generator', () => {
    const root = path.join(FIXTURES, 'bicep-compiled');
    const template = path.join(root, 'backend/main.json');
    const service = readService(root);
    const onTemplate = service.problems.filter((problem) => problem.file === template);
    assert.deepStrictEqual(onTemplate.map((problem) => [problem.kind, slice({ file: template, span: problem.span! })]), [['skipped', '"bicep"']]);
    assert.match(onTemplate[0].message, /compiler's output of main\.bicep beside it, which is read/);
    // The Bicep file is read: its backend's name is a param with no value, said there.
    assert.ok(service.problems.some((problem) => problem.file === path.join(root, 'backend/main.bicep') && problem.kind === 'unresolved-value'));
    assert.ok(service.filesRead.includes(path.join(root, 'backend/main.bicep')));
    assert.ok(!service.filesRead.includes(template));
  });
});
