// The effective policy (global → product → API → operation, `<base />`, fragments) and APIM's answer
// to "does a call have to authenticate?", on small repositories written for each test.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzeOperationAuth } from '../../../src/core/analysis/authentication';
import { effectivePolicy, type EffectiveStatement } from '../../../src/core/analysis/effectivePolicy';
import type { ApimService } from '../../../src/core/model';
import { attribute } from '../../../src/core/policy/xml';
import { scan } from '../../../src/core/scan';
import { readService } from '../../../src/core/workspace/readService';

const SPEC = ['openapi: 3.0.1', 'info:', '  title: Orders', "  version: '1.0'", 'paths:', '  /orders:', '    get:', '      operationId: list-orders', '      responses:', "        '200':", '          description: OK', ''].join('\n');
const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';
const policy = (inbound: string, outbound = '<base />') =>
  `<policies>\n  <inbound>\n    ${inbound}\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    ${outbound}\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>\n`;
const header = (name: string) => `<set-header name="${name}" exists-action="override"><value>1</value></set-header>`;
const JWT = '<validate-jwt header-name="Authorization"><openid-config url="https://login.example.com/.well-known/openid-configuration" /></validate-jwt>';

const roots: string[] = [];
function repository(files: Record<string, string>): ApimService {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-analysis-'));
  roots.push(root);
  for (const [relative, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    fs.writeFileSync(path.join(root, relative), text);
  }
  const service = readService(root);
  assert.deepStrictEqual(service.problems.map((problem) => problem.message), []);
  return service;
}
after(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

const ordersApi = (properties: Record<string, unknown> = {}) => ({
  'apis/orders/apiInformation.json': json({ properties: { displayName: 'Orders', path: 'orders', protocols: ['https'], ...properties } }),
  'apis/orders/specification.yaml': SPEC,
});
const product = (name: string, subscriptionRequired: boolean, policyXml?: string) => ({
  [`products/${name}/productInformation.json`]: json({ properties: { displayName: name, state: 'published', subscriptionRequired } }),
  [`products/${name}/apis/orders/productApiInformation.json`]: '{}\n',
  ...(policyXml ? { [`products/${name}/policy.xml`]: policyXml } : {}),
});
/** `kind:name` of each statement: set-header names, else the element name. */
const summary = (statements: EffectiveStatement[]) =>
  statements.map((statement) => `${statement.scope.kind}:${attribute(statement.element, 'name')?.value ?? statement.element.name}`);

function only(service: ApimService) {
  const api = service.apis.find((candidate) => candidate.name === 'orders')!;
  return { api, operation: api.operations.find((candidate) => candidate.name === 'list-orders')! };
}

describe('effectivePolicy', () => {
  const layered = () =>
    repository({
      ...ordersApi(),
      'policy.xml': policy(header('global')),
      ...product('public', false, policy(`${header('product-before')}\n    <base />\n    ${header('product-after')}`)),
      'apis/orders/policy.xml': policy(`${header('api-before')}\n    <base />\n    ${header('api-after')}`),
      'apis/orders/operations/list-orders/policy.xml': policy(`<base />\n    ${header('operation')}`),
    });

  it('runs each scope\'s <base /> where it is written: global → product → API → operation', () => {
    const service = layered();
    const { api, operation } = only(service);
    const effective = effectivePolicy(service, api, operation, service.products[0]);
    assert.deepStrictEqual(summary(effective.sections.inbound.statements), [
      'api:api-before',
      'product:product-before',
      'global:global',
      'product:product-after',
      'api:api-after',
      'operation:operation',
    ]);
    assert.deepStrictEqual(effective.sections.inbound.scopesReached.map((scope) => scope.kind), ['global', 'product', 'api', 'operation']);
    assert.deepStrictEqual(effective.sections.inbound.inheritanceCutAt, []);
    assert.strictEqual(effective.product, 'products/public');
    assert.strictEqual(effective.operation, 'apis/orders/operations/list-orders');
  });

  it('leaves the product out of a call made without that product', () => {
    const service = layered();
    const { api, operation } = only(service);
    const effective = effectivePolicy(service, api, operation);
    assert.deepStrictEqual(summary(effective.sections.inbound.statements), ['api:api-before', 'global:global', 'api:api-after', 'operation:operation']);
    assert.strictEqual(effective.product, undefined);
  });

  it('tells which file each statement comes from', () => {
    const service = layered();
    const { api, operation } = only(service);
    const files = effectivePolicy(service, api, operation, service.products[0]).sections.inbound.statements.map((statement) => path.relative(service.root, statement.file).split(path.sep).join('/'));
    assert.deepStrictEqual(files, ['apis/orders/policy.xml', 'products/public/policy.xml', 'policy.xml', 'products/public/policy.xml', 'apis/orders/policy.xml', 'apis/orders/operations/list-orders/policy.xml']);
  });

  it('stops at a scope without <base />, and says where', () => {
    const service = repository({
      ...ordersApi(),
      'policy.xml': policy(JWT),
      'apis/orders/policy.xml': policy(header('api')),
      'apis/orders/operations/list-orders/policy.xml': policy(`<base />\n    ${header('operation')}`),
    });
    const { api, operation } = only(service);
    const inbound = effectivePolicy(service, api, operation).sections.inbound;
    assert.deepStrictEqual(summary(inbound.statements), ['api:api', 'operation:operation']);
    assert.deepStrictEqual(inbound.inheritanceCutAt.map((scope) => scope.kind), ['api']);
    assert.deepStrictEqual(inbound.scopesReached.map((scope) => scope.kind), ['api', 'operation']);
  });

  it('composes each section on its own: a missing <base /> in <inbound> does not cut <outbound>', () => {
    const service = repository({
      ...ordersApi(),
      'policy.xml': policy('<base />', `<base />\n    ${header('global-out')}`),
      'apis/orders/policy.xml': policy(header('api-in'), `<base />\n    ${header('api-out')}`),
    });
    const { api, operation } = only(service);
    const effective = effectivePolicy(service, api, operation);
    assert.deepStrictEqual(summary(effective.sections.inbound.statements), ['api:api-in']);
    assert.deepStrictEqual(summary(effective.sections.outbound.statements), ['global:global-out', 'api:api-out']);
  });

  it('treats a scope without the section (or without a policy) like <base /> alone', () => {
    const service = repository({
      ...ordersApi(),
      'policy.xml': policy(header('global')),
      'apis/orders/policy.xml': '<policies>\n  <outbound>\n    <base />\n  </outbound>\n</policies>\n',
    });
    const { api, operation } = only(service);
    const inbound = effectivePolicy(service, api, operation).sections.inbound;
    assert.deepStrictEqual(summary(inbound.statements), ['global:global']);
    assert.deepStrictEqual(inbound.inheritanceCutAt, []);
  });

  it('replaces <include-fragment> with the fragment\'s body, nested fragments included, and keeps the chain', () => {
    const service = repository({
      ...ordersApi(),
      'apis/orders/policy.xml': policy(`<base />\n    <include-fragment fragment-id="outer" />`),
      'policy fragments/outer/policy.xml': `<fragment>\n  ${header('outer')}\n  <include-fragment fragment-id="inner" />\n</fragment>\n`,
      'policy fragments/outer/policyFragmentInformation.json': json({ properties: { format: 'rawxml' } }),
      'policy fragments/inner/policy.xml': `<fragment>\n  ${JWT}\n</fragment>\n`,
      'policy fragments/inner/policyFragmentInformation.json': json({ properties: { format: 'rawxml' } }),
    });
    const { api, operation } = only(service);
    const statements = effectivePolicy(service, api, operation).sections.inbound.statements;
    assert.deepStrictEqual(summary(statements), ['api:outer', 'api:validate-jwt']);
    assert.deepStrictEqual(statements.map((statement) => statement.viaFragments), [['outer'], ['outer', 'inner']]);
    assert.strictEqual(path.relative(service.root, statements[1].file).split(path.sep).join('/'), 'policy fragments/inner/policy.xml');
  });

  it('does not expand a fragment that includes itself again', () => {
    const service = repository({
      ...ordersApi(),
      'apis/orders/policy.xml': policy(`<base />\n    <include-fragment fragment-id="loop" />`),
      'policy fragments/loop/policy.xml': `<fragment>\n  ${header('loop')}\n  <include-fragment fragment-id="loop" />\n</fragment>\n`,
      'policy fragments/loop/policyFragmentInformation.json': json({ properties: { format: 'rawxml' } }),
    });
    const { api, operation } = only(service);
    assert.deepStrictEqual(summary(effectivePolicy(service, api, operation).sections.inbound.statements), ['api:loop']);
  });

  it('keeps an include of an unknown fragment as it is', () => {
    const service = repository({ ...ordersApi(), 'apis/orders/policy.xml': policy(`<base />\n    <include-fragment fragment-id="nowhere" />`) });
    const { api, operation } = only(service);
    assert.deepStrictEqual(summary(effectivePolicy(service, api, operation).sections.inbound.statements), ['api:include-fragment']);
  });
});

describe('analyzeOperationAuth', () => {
  it('a key is required by default: authenticated, not keyless', () => {
    const service = repository(ordersApi());
    const { api, operation } = only(service);
    const auth = analyzeOperationAuth(service, api, operation);
    assert.strictEqual(auth.state, 'authenticated');
    assert.strictEqual(auth.keyless, false);
  });

  it('subscriptionRequired false without an auth policy: unauthenticated', () => {
    const service = repository(ordersApi({ subscriptionRequired: false }));
    const { api, operation } = only(service);
    const auth = analyzeOperationAuth(service, api, operation);
    assert.strictEqual(auth.state, 'unauthenticated');
    assert.strictEqual(auth.keyless, true);
    assert.strictEqual(auth.openProduct, undefined);
    assert.deepStrictEqual(auth.policies, []);
  });

  it('an open product makes an API that requires a key keyless, and its policies run on those calls', () => {
    const service = repository({ ...ordersApi({ subscriptionRequired: true }), ...product('public', false, policy(`<base />\n    ${JWT}`)) });
    const { api, operation } = only(service);
    const auth = analyzeOperationAuth(service, api, operation);
    assert.strictEqual(auth.keyless, true);
    assert.strictEqual(auth.openProduct?.name, 'public');
    assert.strictEqual(auth.state, 'authenticated');
    assert.deepStrictEqual(auth.policies.map((use) => [use.policy, use.statement.scope.kind, use.conditional]), [['validate-jwt', 'product', false]]);
    assert.deepStrictEqual(auth.productPolicies, []);
  });

  it('a protected product\'s auth policy does not run on keyless calls, and is listed apart', () => {
    const service = repository({ ...ordersApi({ subscriptionRequired: false }), ...product('partners', true, policy(`<base />\n    ${JWT}`)) });
    const { api, operation } = only(service);
    const auth = analyzeOperationAuth(service, api, operation);
    assert.strictEqual(auth.state, 'unauthenticated');
    assert.strictEqual(auth.openProduct, undefined);
    assert.deepStrictEqual(auth.productPolicies.map(({ product: owner, use }) => [owner.name, use.policy]), [['partners', 'validate-jwt']]);
  });

  it('check-header is noted, and is not authentication', () => {
    const service = repository({ ...ordersApi({ subscriptionRequired: false }), 'apis/orders/policy.xml': policy('<base />\n    <check-header name="Authorization" failed-check-httpcode="401" failed-check-error-message="No" ignore-case="true" />') });
    const { api, operation } = only(service);
    const auth = analyzeOperationAuth(service, api, operation);
    assert.strictEqual(auth.state, 'unauthenticated');
    assert.deepStrictEqual(auth.checkHeaders.map((statement) => statement.element.name), ['check-header']);
  });

  it('auth inside <choose> is conditional unless every branch, <otherwise> included, authenticates', () => {
    const chooses: [string, string][] = [
      [`<choose><when condition="@(true)">${JWT}</when></choose>`, 'conditional'],
      [`<choose><when condition="@(true)">${JWT}</when><otherwise /></choose>`, 'conditional'],
      [`<choose><when condition="@(true)">${JWT}</when><when condition="@(false)">${header('x')}</when><otherwise>${JWT}</otherwise></choose>`, 'conditional'],
      [`<choose><when condition="@(true)">${JWT}</when><otherwise>${JWT}</otherwise></choose>`, 'authenticated'],
      [`<choose><when condition="@(true)"><choose><when condition="@(1 > 0)">${JWT}</when><otherwise>${JWT}</otherwise></choose></when><otherwise>${JWT}</otherwise></choose>`, 'authenticated'],
      [`<choose><when condition="@(true)"><choose><when condition="@(1 > 0)">${JWT}</when></choose></when><otherwise>${JWT}</otherwise></choose>`, 'conditional'],
    ];
    for (const [inbound, state] of chooses) {
      const service = repository({ ...ordersApi({ subscriptionRequired: false }), 'apis/orders/policy.xml': policy(`<base />\n    ${inbound}`) });
      const { api, operation } = only(service);
      assert.strictEqual(analyzeOperationAuth(service, api, operation).state, state, inbound);
    }
  });

  it('an unconditional auth policy next to a conditional one authenticates', () => {
    const service = repository({
      ...ordersApi({ subscriptionRequired: false }),
      'apis/orders/policy.xml': policy(`<base />\n    <choose><when condition="@(true)">${JWT}</when></choose>\n    ${JWT}`),
    });
    const { api, operation } = only(service);
    const auth = analyzeOperationAuth(service, api, operation);
    assert.strictEqual(auth.state, 'authenticated');
    assert.deepStrictEqual(auth.policies.map((use) => use.conditional), [true, false]);
  });
});

describe('authentication fixes of an API assessed as a whole', () => {
  // A GraphQL API lists no operations: the finding stands for the API, and there is no operation
  // whose policy could be written (APIM has no operation named after the API).
  it('offers no operation-scope policy for an API without operations', () => {
    const service = repository({
      'apis/product-graph/apiInformation.json': json({ properties: { displayName: 'Graph', path: 'graph', type: 'graphql', protocols: ['https'], subscriptionRequired: false } }),
      'apis/product-graph/specification.graphql': 'type Query {\n  hello: String\n}\n',
    });
    const finding = scan(service.root).findings.find((candidate) => candidate.ruleId === 'endpoint-authentication' && candidate.resource === 'apis/product-graph');
    assert.ok(finding);
    assert.deepStrictEqual(finding.fixes.filter((fix) => fix.id.endsWith('@operation')).map((fix) => fix.id), []);
    assert.ok(finding.fixes.every((fix) => fix.edits.every((edit) => !edit.file.includes(`${path.sep}operations${path.sep}`))));
    assert.ok(finding.fixes.some((fix) => fix.id === 'add-validate-jwt@api'));
  });
});

describe('authentication when a policy is not read', () => {
  // The shape of AI-Gateway labs/backend-pool-load-balancing-tf/main.tf:200: the API's policy is declared but computed.
  const main = [
    'param policyXml string',
    "resource api 'Microsoft.ApiManagement/service/apis@2024-05-01' = {",
    "  name: 'svc/orders'",
    "  properties: { path: 'orders', subscriptionRequired: false }",
    '}',
    "resource apiPolicy 'Microsoft.ApiManagement/service/apis/policies@2024-05-01' = {",
    "  name: 'svc/orders/policy'",
    "  properties: { format: 'rawxml', value: policyXml }",
    '}',
    '',
  ].join('\n');

  it('does not call a keyless API unauthenticated: it says which policy it did not read', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-analysis-'));
    roots.push(root);
    fs.writeFileSync(path.join(root, 'main.bicep'), main);
    const result = scan(root);
    const api = result.services[0].apis[0];
    const operation = { id: api.id, name: api.name, location: api.declaration.locate([]) };
    const auth = analyzeOperationAuth(result.services[0], api, operation);
    assert.strictEqual(auth.state, 'unknown');
    assert.deepStrictEqual(auth.unreadPolicies.map((entry) => [entry.scope, main.slice(entry.location.span.start, entry.location.span.end).split('\n')[0]]), [
      ['api', "resource apiPolicy 'Microsoft.ApiManagement/service/apis/policies@2024-05-01' = {"],
    ]);
    const finding = result.findings.find((candidate) => candidate.ruleId === 'endpoint-authentication')!;
    assert.strictEqual(finding.severity, 'info');
    assert.match(finding.message, /not known from the files: the api policy declared in main\.bicep could not be read/);
    assert.ok(result.findings.some((candidate) => candidate.ruleId === 'input-problem' && /the policy `policyXml` is not known/.test(candidate.message)));
  });
});
