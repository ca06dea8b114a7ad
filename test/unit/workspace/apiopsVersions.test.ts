// Exports of every APIOps extractor version: the older layout (display-name folders with
// `<version>/<revision>/` inside), v4 (`apis.json`, `apiVersionSetInformation.json`, tags) and v7
// (APIM workspaces). Expected values are read off the fixtures' files.
import * as assert from 'assert';
import * as path from 'path';
import type { ApimService } from '../../../src/core/model';
import { WORKSPACE_API_NOTE } from '../../../src/core/rules/rule';
import { scan } from '../../../src/core/scan';
import { readService, readServices } from '../../../src/core/workspace/readService';
import { FIXTURES, api, byName, operationSummary, slice } from './helpers';

describe('readService: an older APIOps extractor export (apis/<displayName>/<version>/<revision>/)', () => {
  const root = path.join(FIXTURES, 'apiops-older');
  const file = (relative: string) => path.join(root, relative);
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('finds the root from revision folders, with no problems', () => {
    assert.strictEqual(service.root, root);
    assert.strictEqual(service.layout, 'apiops');
    assert.deepStrictEqual(service.problems, []);
  });

  it('reads one API per revision folder, named by the "name" the file writes', () => {
    assert.deepStrictEqual(
      service.apis.map((a) => [a.id, a.revision, a.isCurrent, a.apiVersion]),
      [
        ['apis/demo-conference-api', '1', true, undefined],
        ['apis/myversionedapi', '1', true, undefined],
        ['apis/myversionedapi-v2', '1', true, 'v2'],
        ['apis/testapi', '1', true, undefined],
        ['apis/testapi;rev=2', '2', false, undefined],
      ],
    );
    const testapi = api(service, 'testapi');
    assert.strictEqual(testapi.declaration.file, file('apis/testapi/Original/1/apiInformation.json'));
    assert.strictEqual(testapi.spec?.file, file('apis/testapi/Original/1/specification.yaml'));
    assert.strictEqual(slice(api(service, 'testapi;rev=2').subscriptionRequired?.location), 'true');
    assert.strictEqual(api(service, 'demo-conference-api').displayName, 'Demo Conference API');
  });

  it('reads the version set kept beside a versioned API, and links its versions to it', () => {
    assert.deepStrictEqual(
      service.versionSets.map((v) => [v.id, v.displayName, v.versioningScheme, path.relative(root, v.declaration.file)]),
      [['apiVersionSets/6286439d9a310d01468c083c', 'myversionedapi', 'Segment', path.join('apis', 'myversionedapi', 'apiVersionSet.json')]],
    );
    assert.strictEqual(api(service, 'myversionedapi-v2').versionSetId, 'apiVersionSets/6286439d9a310d01468c083c');
  });

  it('names products and named values as their files do, not after their display-name folders', () => {
    assert.deepStrictEqual(service.products.map((p) => [p.id, p.displayName]), [['products/starter', 'Starter']]);
    assert.deepStrictEqual(service.namedValues.map((n) => [n.id, n.secret?.value, n.hasValue]), [['namedValues/testSecret', true, false]]);
    assert.strictEqual(service.policy?.file, file('policy.xml'));
  });
});

describe('readService: an APIOps v4 export (apis.json, apiVersionSetInformation.json, tags)', () => {
  const root = path.join(FIXTURES, 'apiops-v4');
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('reads apiVersionSetInformation.json like versionSetInformation.json, and tags are no problem', () => {
    assert.deepStrictEqual(service.problems, []);
    assert.deepStrictEqual(
      service.versionSets.map((v) => [v.id, v.displayName, v.versioningScheme]),
      [['apiVersionSets/6286439d9a310d01468c083c', 'myversionedapi', 'Segment']],
    );
    assert.strictEqual(api(service, 'myversionedapi-v2').versionSetId, 'apiVersionSets/6286439d9a310d01468c083c');
  });

  it('links products and APIs through products/<p>/apis.json', () => {
    assert.deepStrictEqual(byName(service.products, 'starter').apiNames, ['myversionedapi-v2']);
    assert.deepStrictEqual(api(service, 'myversionedapi-v2').productNames, ['starter']);
    assert.deepStrictEqual(api(service, 'demo-conference-api').productNames, []);
  });

  it('reads an API\'s tags from apis/<api>/tags.json, with the display names of tags/<t>/tagInformation.json', () => {
    // tags.json lists booking and tag2; only tags/booking/ is in the export ("Booking").
    assert.deepStrictEqual(api(service, 'demo-conference-api').tags, [{ name: 'booking', displayName: 'Booking' }, { name: 'tag2' }]);
    assert.deepStrictEqual(api(service, 'myversionedapi-v2').tags, []);
  });
});

describe('readService: an APIOps v7 export with a workspace', () => {
  const root = path.join(FIXTURES, 'apiops-v7');
  const file = (relative: string) => path.join(root, relative);
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('reads the service and its workspace as one service; tag links are no problem', () => {
    assert.strictEqual(service.root, root);
    assert.deepStrictEqual(service.problems, []);
    assert.deepStrictEqual(
      service.workspaces.map((w) => [w.id, w.name, w.displayName, w.policy?.file, w.declaration?.file]),
      [['workspaces/payments', 'payments', 'Payments', file('workspaces/payments/policy.xml'), file('workspaces/payments/workspaceInformation.json')]],
    );
    assert.strictEqual(service.policy?.file, file('policy.xml'));
  });

  it('reads the tags that link APIs under tags/<t>/apis/<api>/, in the service and in the workspace', () => {
    // tags/public/apis/catalog/ ("Public"); workspaces/payments/tags/finance/apis/refunds/ (no tagInformation.json).
    assert.deepStrictEqual(api(service, 'catalog').tags, [{ name: 'public', displayName: 'Public' }]);
    assert.deepStrictEqual(api(service, 'refunds').tags, [{ name: 'finance' }]);
    assert.deepStrictEqual(api(service, 'payouts').tags, []);
  });

  it('gives the workspace its APIs, operations, products, subscriptions, named values and fragments', () => {
    assert.deepStrictEqual(service.apis.map((a) => [a.id, a.workspace]), [
      ['apis/catalog', undefined],
      ['workspaces/payments/apis/payouts', 'payments'],
      ['workspaces/payments/apis/refunds', 'payments'],
    ]);
    const payouts = api(service, 'payouts');
    assert.deepStrictEqual(operationSummary(payouts), ['list-payouts GET /payouts']);
    assert.strictEqual(payouts.operations[0].id, 'workspaces/payments/apis/payouts/operations/list-payouts');
    assert.deepStrictEqual(service.products.map((p) => [p.id, p.workspace, p.apiNames]), [['workspaces/payments/products/partners', 'payments', ['payouts']]]);
    assert.deepStrictEqual(payouts.productNames, ['partners']);
    assert.deepStrictEqual(service.subscriptions.map((s) => [s.id, s.workspace]), [['workspaces/payments/subscriptions/all-payments', 'payments']]);
    assert.deepStrictEqual(service.namedValues.map((n) => [n.id, n.workspace]), [['workspaces/payments/namedValues/payout-key', 'payments']]);
    assert.deepStrictEqual(service.fragments.map((f) => [f.id, f.workspace]), [
      ['policyFragments/jwt', undefined],
      ['workspaces/payments/policyFragments/jwt', 'payments'],
    ]);
  });

  it('is the service around a lone workspaces/<ws> folder', () => {
    const [alone] = readServices(root, { isExcluded: (relative) => relative === 'apis/' || relative === 'policy.xml' });
    assert.strictEqual(alone.root, root);
    assert.strictEqual(alone.policy, undefined);
    assert.deepStrictEqual(alone.apis.map((a) => a.id), ['workspaces/payments/apis/payouts', 'workspaces/payments/apis/refunds']);
  });
});

describe('scan: an APIOps v7 workspace', () => {
  const root = path.join(FIXTURES, 'apiops-v7');
  const result = () => scan(root);

  it('composes global → workspace → product → API → operation, each with its own fragments', () => {
    const { analyses, services: [service] } = result();
    const refunds = api(service, 'refunds');
    const auth = analyses.auth(refunds, refunds.operations[0]);
    assert.strictEqual(auth.state, 'authenticated', 'the workspace policy includes the workspace fragment jwt, which validates a JWT');
    assert.deepStrictEqual(auth.effective.sections.inbound.scopesReached.map((scope) => scope.kind), ['global', 'workspace']);
    assert.deepStrictEqual(auth.policies.map((use) => [use.policy, use.statement.scope.resource, path.relative(root, use.file)]), [
      ['validate-jwt', 'workspaces/payments', path.join('workspaces', 'payments', 'policy fragments', 'jwt', 'policy.xml')],
    ]);
  });

  it('gives the findings of the workspace resources, saying Defender for APIs does not assess workspace APIs', () => {
    const findings = result().findings.filter((finding) => finding.severity !== 'info');
    assert.deepStrictEqual(findings.map((finding) => `${finding.ruleId} ${finding.resource}`).sort(), [
      'encrypted-protocols apis/catalog',
      'endpoint-authentication workspaces/payments/apis/payouts/operations/list-payouts',
      'named-value-key-vault workspaces/payments/namedValues/payout-key',
      'subscription-all-apis workspaces/payments/subscriptions/all-payments',
    ]);
    const payouts = findings.find((finding) => finding.ruleId === 'endpoint-authentication')!;
    assert.ok(payouts.message.endsWith(WORKSPACE_API_NOTE), payouts.message);
    assert.deepStrictEqual([payouts.properties?.workspace, payouts.properties?.assessedByDefenderForApis], ['payments', false]);
    const catalog = findings.find((finding) => finding.ruleId === 'encrypted-protocols')!;
    assert.ok(!catalog.message.includes(WORKSPACE_API_NOTE));
    const subscription = findings.find((finding) => finding.ruleId === 'subscription-all-apis')!;
    assert.ok(subscription.message.includes('every API of workspace payments'), subscription.message);
  });
});
