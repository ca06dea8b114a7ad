// Loading the deployed state through the real SDK clients against the local HTTPS ARM emulator.
import * as assert from 'assert';
import { loadDeployedState } from '../../../src/core/azure/load';
import { serializeSnapshot } from '../../../src/core/azure/snapshot';
import { fixedTokenCredential, TEST_TOKEN, withEmulator } from '../../azure/emulator';
import { ENDPOINT_AUTH, generatedEstate, SUBSCRIPTION_SCOPE, subscriptionId } from '../../azure/fixtures';

const SUBSCRIPTIONS = (count: number) => Array.from({ length: count }, (_, index) => subscriptionId(index));

describe('loadDeployedState (SDK clients against the ARM emulator)', function () {
  this.timeout(30000);

  it('reads the whole inventory, following nextLink on every list', async () => {
    const state = generatedEstate({ subscriptions: 2, apisPerSubscription: 5, operationsPerApi: 3, unhealthyEvery: 4 });
    await withEmulator(state, { pageSize: 2 }, async (emulator, connection) => {
      const snapshot = await loadDeployedState(fixedTokenCredential(), SUBSCRIPTIONS(2), connection);
      assert.deepStrictEqual(snapshot.errors, []);
      assert.strictEqual(snapshot.services.length, 2);
      const [service] = snapshot.services;
      assert.strictEqual(service.apis.length, 5, 'five APIs over three pages');
      assert.ok(service.apis.every((api) => api.operations.length === 3), 'three operations over two pages');
      assert.strictEqual(service.apis[0].operations[0].policy?.value.includes('<set-header name="x-op"'), true);
      assert.match(service.apis[0].operations[0].policy?.etag ?? '', /^"AAAA/);
      assert.match(service.apis[0].policy?.value ?? '', /^<policies>/, 'API-scope policies are read too');
      assert.strictEqual(service.apis[0].operations[1].policy, undefined, '404: no policy at that scope');
      assert.match(service.policy?.value ?? '', /<cors>/);
      assert.deepStrictEqual(service.products[0].apis, ['api-1-1', 'api-1-2', 'api-1-3']);
      assert.deepStrictEqual(service.subscriptions, [{ name: 'all-apis', displayName: undefined, scope: `${service.id}/apis`, state: 'active' }]);
      assert.deepStrictEqual(service.backends[0].credentialKinds, ['header']);
      assert.strictEqual(service.fragments[0].policy?.value, '<fragment><validate-jwt header-name="Authorization" /></fragment>');
      assert.deepStrictEqual(
        service.apiCollections.map((collection) => collection.apiName),
        ['api-1-1', 'api-1-2', 'api-1-3'],
      );
      assert.strictEqual(service.apiCollections[0].numberOfInactiveApiEndpoints, 1);
      assert.deepStrictEqual(snapshot.subscriptions.map((subscription) => [subscription.displayName, subscription.defenderForApis?.pricingTier]), [
        ['Contoso 1', 'Standard'],
        ['Contoso 2', 'Free'],
      ]);
      assert.ok(emulator.count((request) => request.query.has('$skiptoken')) > 10, 'later pages came from nextLink');
      // Every request carried the fixed token, for the endpoint's own scope.
      assert.ok(emulator.requests.every((request) => request.headers.authorization === `Bearer ${TEST_TOKEN}`));
    });
  });

  it('does not ask again for the names of subscriptions found with them, and records whether Healthy assessments were asked for', async () => {
    await withEmulator(generatedEstate({ subscriptions: 1, apisPerSubscription: 1, operationsPerApi: 2, unhealthyEvery: 2 }), {}, async (emulator, connection) => {
      const snapshot = await loadDeployedState(fixedTokenCredential(), [{ id: subscriptionId(0), name: 'Found before' }], connection);
      assert.strictEqual(snapshot.subscriptions[0].displayName, 'Found before');
      assert.strictEqual(emulator.count((request) => request.path === '/providers/Microsoft.ResourceGraph/resources' && /resourcecontainers/.test(request.body)), 0);
      assert.strictEqual(snapshot.healthyAssessments, undefined, 'Unhealthy assessments only: the others not asked for');
      const withHealthy = await loadDeployedState(fixedTokenCredential(), [subscriptionId(0)], { ...connection, includeHealthyAssessments: true });
      assert.strictEqual(withHealthy.healthyAssessments, true);
      assert.ok(withHealthy.assessments.some((assessment) => assessment.status === 'Healthy'));
    });
  });

  it('reads the assessments of 10 subscriptions in a few Resource Graph requests, with remediation text', async () => {
    const state = generatedEstate({ subscriptions: 10, apisPerSubscription: 30, operationsPerApi: 4, unhealthyEvery: 1 });
    await withEmulator(state, {}, async (emulator, connection) => {
      const snapshot = await loadDeployedState(fixedTokenCredential(), SUBSCRIPTIONS(10), connection);
      const unhealthy = state.assessments.filter((assessment) => assessment.status === 'Unhealthy').length;
      assert.strictEqual(snapshot.assessments.length, unhealthy, 'Unhealthy only, every one of them');
      assert.ok(unhealthy > 1000, 'more rows than one Resource Graph page');
      const graph = emulator.requests.filter((request) => request.path === '/providers/Microsoft.ResourceGraph/resources' && !/attackpaths/.test(request.body));
      assert.strictEqual(graph.length, 3, 'one query for names, two pages of assessments');
      assert.strictEqual(emulator.count((request) => /attackpaths/.test(request.body)), 1, 'one query for the attack paths of all subscriptions');
      assert.ok(graph.every((request) => request.query.get('api-version') === '2024-04-01'), 'the stable Resource Graph API, not the SDK\'s preview default');
      assert.ok(JSON.parse(graph[2].body).options.$skipToken, 'the second page asks with $skipToken');
      assert.strictEqual(emulator.count((request) => request.path.endsWith('/assessmentMetadata')), 1);
      assert.strictEqual(emulator.count((request) => /\/assessments\//i.test(request.path)), 0, 'no call per resource');
      const auth = snapshot.assessments.find((assessment) => assessment.key === ENDPOINT_AUTH.assessmentKey)!;
      assert.match(auth.remediation ?? '', /Require a subscription key/);
      assert.strictEqual(auth.resourceId, auth.resourceId.toLowerCase());
      assert.ok(snapshot.assessments.some((assessment) => assessment.key === SUBSCRIPTION_SCOPE.assessmentKey));
    });
  });

  it('keeps the other subscriptions when one answers 403 and another 401, and records both', async () => {
    const state = generatedEstate({ subscriptions: 4, apisPerSubscription: 2, operationsPerApi: 1, unhealthyEvery: 1 });
    state.subscriptions[1].deny = 403;
    state.subscriptions[2].deny = 401;
    await withEmulator(state, {}, async (_emulator, connection) => {
      const snapshot = await loadDeployedState(fixedTokenCredential(), SUBSCRIPTIONS(4), connection);
      assert.deepStrictEqual(
        snapshot.services.map((service) => service.name),
        ['apim-1', 'apim-4'],
      );
      const denied = snapshot.subscriptions[1];
      assert.deepStrictEqual(
        denied.errors.map((error) => [error.operation, error.status, error.code]).sort(),
        [
          ['apiCollections', 403, 'AuthorizationFailed'],
          ['pricing', 403, 'AuthorizationFailed'],
          ['services', 403, 'AuthorizationFailed'],
        ],
      );
      assert.ok(snapshot.subscriptions[2].errors.every((error) => error.status === 401));
      assert.deepStrictEqual(snapshot.subscriptions[0].errors, []);
      assert.ok(snapshot.assessments.every((assessment) => !assessment.resourceId.includes(subscriptionId(1))), 'Resource Graph leaves out what cannot be read');
      assert.ok(snapshot.assessments.some((assessment) => assessment.resourceId.includes(subscriptionId(3))));
    });
  });

  it('waits for Retry-After on 429 and retries a 5xx, through the SDK pipeline', async () => {
    const state = generatedEstate({ subscriptions: 1, apisPerSubscription: 2, operationsPerApi: 1 });
    await withEmulator(state, {}, async (emulator, connection) => {
      emulator.faults.push({ method: 'GET', path: /\/service\/apim-1\/apis$/, status: 429, times: 1, headers: { 'retry-after': '1' } });
      emulator.faults.push({ method: 'POST', path: /ResourceGraph/, status: 503, times: 1 });
      emulator.faults.push({ method: 'GET', path: /\/pricings\/Api$/, status: 500, times: 1 });
      const started = Date.now();
      const snapshot = await loadDeployedState(fixedTokenCredential(), SUBSCRIPTIONS(1), connection);
      const apisRequests = emulator.requests.filter((request) => request.path.endsWith('/service/apim-1/apis'));
      assert.deepStrictEqual(
        apisRequests.map((request) => request.status),
        [429, 200],
      );
      assert.ok(Date.now() - started >= 1000, 'the retry waited the second Retry-After asked for');
      assert.strictEqual(snapshot.services[0].apis.length, 2);
      assert.strictEqual(snapshot.subscriptions[0].defenderForApis?.pricingTier, 'Standard', 'the 500 was retried');
      assert.deepStrictEqual([...snapshot.errors, ...snapshot.subscriptions[0].errors, ...snapshot.services[0].errors], []);
    });
  });

  it('records a refused token instead of throwing, and never writes it into the snapshot', async () => {
    const state = generatedEstate({ subscriptions: 1, apisPerSubscription: 1, operationsPerApi: 1 });
    await withEmulator(state, { token: 'the-only-good-token' }, async (_emulator, connection) => {
      const snapshot = await loadDeployedState(fixedTokenCredential('a-stolen-token'), SUBSCRIPTIONS(1), connection);
      assert.strictEqual(snapshot.services.length, 0);
      assert.ok(snapshot.subscriptions[0].errors.some((error) => error.status === 401 && error.code === 'InvalidAuthenticationToken'));
      assert.doesNotMatch(serializeSnapshot(snapshot), /a-stolen-token|the-only-good-token/);
    });
  });

  it('holds no keys, secret values, backend credentials or tokens', async () => {
    const state = generatedEstate({ subscriptions: 2, apisPerSubscription: 2, operationsPerApi: 1, unhealthyEvery: 1 });
    await withEmulator(state, {}, async (_emulator, connection) => {
      const text = serializeSnapshot(await loadDeployedState(fixedTokenCredential(), SUBSCRIPTIONS(2), connection));
      assert.doesNotMatch(text, /SECRET/, 'subscription keys, the secret named value and the backend header value stay out');
      assert.doesNotMatch(text, new RegExp(TEST_TOKEN));
      assert.doesNotMatch(text, /primaryKey|secondaryKey|Bearer/);
      assert.match(text, /"value": "visible"/, 'non-secret named values are kept');
      assert.match(text, /"keyVaultSecretIdentifier": "https:\/\/vault/);
    });
  });

  it('stops when cancelled', async () => {
    const state = generatedEstate({ subscriptions: 3, apisPerSubscription: 30, operationsPerApi: 3 });
    await withEmulator(state, {}, async (emulator, connection) => {
      const controller = new AbortController();
      emulator.onRequest.push(() => emulator.requests.length === 20 && controller.abort());
      await assert.rejects(loadDeployedState(fixedTokenCredential(), SUBSCRIPTIONS(3), { ...connection, abortSignal: controller.signal }), (error: Error) => error.name === 'AbortError');
      const seen = emulator.requests.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(emulator.requests.length < 200 && emulator.requests.length - seen < 40, `stopped early (${emulator.requests.length} requests)`);
    });
  });
});
