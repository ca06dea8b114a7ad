// The Azure resources behind backends: read by `snapshot export` through the real SDK clients from the
// HTTPS ARM emulator (Resource Graph, a site's config/web, authsettingsV2 and private endpoints), turned
// into facts the resolver prefers over the declarations, and Defender's Function App recommendations
// placed on the repository's triggers. Expected values are written from the emulator states below and
// from the sample's files.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { backendResource, backendResourcesQuery, backendTargets } from '../../../src/core/azure/backendResources';
import { hostedTarget, placeHosted } from '../../../src/core/azure/hostedPlacement';
import { loadDeployedState } from '../../../src/core/azure/load';
import { readSnapshotFile, serializeSnapshot, type DeployedAssessment, type DeployedBackendResource, type DeployedSnapshot } from '../../../src/core/azure/snapshot';
import { azureFacts, lookupAzure, reachableInAzure } from '../../../src/core/backends/azureFacts';
import { scan } from '../../../src/core/scan';
import { toAnalysisReport } from '../../../src/core/report/analysisReport';
import { fixedTokenCredential, withEmulator, type EmulatorBackendResource, type EmulatorState } from '../../azure/emulator';
import { CONTOSO_SUBSCRIPTION, contosoState, ORDERS_FUNCTION_APP_ID, SAMPLE_SNAPSHOT, SAMPLES } from '../../azure/contoso';

const RG = `/subscriptions/${CONTOSO_SUBSCRIPTION}/resourceGroups/rg-backends/providers`;

/** A Function App locked down every way App Service allows: only API Management's service tag, a private endpoint, authsettingsV2 requiring sign-in. */
const LOCKED_SITE: EmulatorBackendResource = {
  id: `${RG}/Microsoft.Web/sites/func-locked`,
  name: 'func-locked',
  type: 'Microsoft.Web/sites',
  kind: 'functionapp',
  identity: { type: 'SystemAssigned', principalId: '00000000-0000-0000-0000-0000000000aa' },
  properties: { defaultHostName: 'func-locked.azurewebsites.net', hostNames: ['func-locked.azurewebsites.net', 'api.contoso.example'], publicNetworkAccess: 'Enabled' },
  siteConfig: {
    ipSecurityRestrictionsDefaultAction: 'Deny',
    ipSecurityRestrictions: [
      { ipAddress: 'ApiManagement', tag: 'ServiceTag', action: 'Allow', priority: 100, name: 'apim' },
      { ipAddress: 'Any', action: 'Deny', priority: 2147483647, name: 'Deny all', description: 'Deny all access' },
    ],
  },
  authSettingsV2: { platform: { enabled: true }, globalValidation: { requireAuthentication: true, unauthenticatedClientAction: 'Return401' } },
  privateEndpointConnections: [{ name: 'pe-1', privateEndpointId: `${RG}/Microsoft.Network/privateEndpoints/pe-func-locked`, status: 'Approved' }],
};

/** A container app with internal ingress only; an OpenAI account by custom subdomain, denying by default; a storage account with public access off; a Service Bus namespace. */
const OTHER_RESOURCES: EmulatorBackendResource[] = [
  {
    id: `${RG}/Microsoft.App/containerApps/ca-orders`,
    name: 'ca-orders',
    type: 'Microsoft.App/containerApps',
    properties: { configuration: { ingress: { external: false, fqdn: 'ca-orders.internal.blue-sea-123.westeurope.azurecontainerapps.io', targetPort: 8080 } } },
  },
  {
    id: `${RG}/Microsoft.CognitiveServices/accounts/oai-contoso`,
    name: 'oai-contoso',
    type: 'Microsoft.CognitiveServices/accounts',
    kind: 'OpenAI',
    properties: { customSubDomainName: 'contoso-ai', endpoint: 'https://contoso-ai.openai.azure.com/', publicNetworkAccess: 'Enabled', networkAcls: { defaultAction: 'Deny', ipRules: [{ value: '20.50.1.1' }], virtualNetworkRules: [] }, disableLocalAuth: true, privateEndpointConnections: [] },
  },
  {
    id: `${RG}/Microsoft.Storage/storageAccounts/stcontoso`,
    name: 'stcontoso',
    type: 'Microsoft.Storage/storageAccounts',
    kind: 'StorageV2',
    properties: { primaryEndpoints: { blob: 'https://stcontoso.blob.core.windows.net/', queue: 'https://stcontoso.queue.core.windows.net/' }, publicNetworkAccess: 'Disabled', allowSharedKeyAccess: false, networkAcls: { defaultAction: 'Allow', ipRules: [] } },
  },
  {
    id: `${RG}/Microsoft.ServiceBus/namespaces/sb-contoso`,
    name: 'sb-contoso',
    type: 'Microsoft.ServiceBus/namespaces',
    properties: { serviceBusEndpoint: 'https://sb-contoso.servicebus.windows.net:443/', publicNetworkAccess: 'Enabled' },
  },
];

/** The Contoso estate whose orders API also calls the resources above (backends of its own). */
function estate(): EmulatorState {
  const state = contosoState();
  const service = state.subscriptions[0].services[0];
  service.backends = [
    ...(service.backends ?? []),
    { name: 'locked', url: 'https://func-locked.azurewebsites.net/api' },
    { name: 'orders-aca', url: 'https://ca-orders.internal.blue-sea-123.westeurope.azurecontainerapps.io' },
    { name: 'openai', url: 'https://contoso-ai.openai.azure.com/openai' },
    { name: 'blobs', url: 'https://stcontoso.blob.core.windows.net/exports' },
    { name: 'bus', url: 'https://sb-contoso.servicebus.windows.net/orders' },
    { name: 'gone', url: 'https://func-deleted.azurewebsites.net/api' },
  ];
  state.backendResources = [...(state.backendResources ?? []), LOCKED_SITE, ...OTHER_RESOURCES];
  return state;
}

describe('Azure resources behind backends', function () {
  this.timeout(60000);

  it('snapshot export reads them through the SDK clients: Resource Graph, then each site from ARM', async () => {
    await withEmulator(estate(), {}, async (emulator, connection) => {
      const snapshot = await loadDeployedState(fixedTokenCredential(), [CONTOSO_SUBSCRIPTION], connection);
      assert.deepStrictEqual(snapshot.errors, []);
      // The sample's service URLs and backends (apis/*/apiInformation.json, backends/*), and the six added above.
      assert.deepStrictEqual(snapshot.backendHosts, [
        'app-contoso-catalog.azurewebsites.net',
        'app-contoso-customers.azurewebsites.net',
        'app-contoso-partners.azurewebsites.net',
        'app-contoso-stores.azurewebsites.net',
        'ca-orders.internal.blue-sea-123.westeurope.azurecontainerapps.io',
        'contoso-ai.openai.azure.com',
        'func-contoso-orders.azurewebsites.net',
        'func-deleted.azurewebsites.net',
        'func-locked.azurewebsites.net',
        'sb-contoso.servicebus.windows.net',
        'stcontoso.blob.core.windows.net',
      ]);
      const byName = new Map(snapshot.backendResources!.map((resource) => [resource.name, resource]));
      assert.deepStrictEqual([...byName.keys()].sort(), ['ca-orders', 'func-contoso-orders', 'func-locked', 'oai-contoso', 'sb-contoso', 'stcontoso']);
      assert.deepStrictEqual(byName.get('func-locked'), {
        id: `${RG}/Microsoft.Web/sites/func-locked`.toLowerCase(),
        name: 'func-locked',
        type: 'microsoft.web/sites',
        kind: 'functionapp',
        hostNames: ['api.contoso.example', 'func-locked.azurewebsites.net'],
        identity: 'SystemAssigned',
        publicNetworkAccess: 'Enabled',
        privateEndpoints: [{ id: `${RG}/Microsoft.Network/privateEndpoints/pe-func-locked`, status: 'Approved' }],
        accessRestrictions: {
          defaultAction: 'Deny',
          rules: [
            { name: 'apim', action: 'Allow', tag: 'ServiceTag', ipAddress: 'ApiManagement', vnetSubnetResourceId: undefined, priority: 100 },
            { name: 'Deny all', action: 'Deny', tag: undefined, ipAddress: 'Any', vnetSubnetResourceId: undefined, priority: 2147483647 },
          ],
        },
        authentication: { enabled: true, requireAuthentication: true, unauthenticatedClientAction: 'Return401' },
        errors: [],
      });
      // Each site read three times from ARM, at Microsoft.Web's api-version; the other types from Resource Graph alone.
      const siteReads = emulator.requests.filter((request) => /\/microsoft\.web\/sites\//i.test(request.path)).map((request) => `${request.path.split('/sites/')[1]} ${request.query.get('api-version')}`);
      assert.deepStrictEqual(siteReads.sort(), [
        'func-contoso-orders/config/authsettingsV2 2023-12-01',
        'func-contoso-orders/config/web 2023-12-01',
        'func-contoso-orders/privateEndpointConnections 2023-12-01',
        'func-locked/config/authsettingsV2 2023-12-01',
        'func-locked/config/web 2023-12-01',
        'func-locked/privateEndpointConnections 2023-12-01',
      ]);
      assert.deepStrictEqual(byName.get('ca-orders')?.publicNetworkAccess, 'Disabled');
      assert.deepStrictEqual(byName.get('oai-contoso')?.hostNames, ['contoso-ai.openai.azure.com']);
      assert.deepStrictEqual(byName.get('stcontoso')?.hostNames, ['stcontoso.blob.core.windows.net', 'stcontoso.queue.core.windows.net']);
    });
  });

  it("turns each resource into facts, with what was not read named, and says whether only API Management may call", async () => {
    await withEmulator(estate(), {}, async (_emulator, connection) => {
      const snapshot = await loadDeployedState(fixedTokenCredential(), [CONTOSO_SUBSCRIPTION], connection);
      const facts = (name: string) => {
        const { resourceId: _id, type: _type, kind: _kind, name: _name, ...rest } = azureFacts(snapshot.backendResources!.find((resource) => resource.name === name)!);
        return rest;
      };
      assert.deepStrictEqual(facts('func-contoso-orders'), { notRead: [], publicNetworkAccess: 'Enabled', accessRestricted: false, privateEndpoint: false, appServiceAuth: false, managedIdentity: false });
      assert.deepStrictEqual(facts('func-locked'), { notRead: [], publicNetworkAccess: 'Enabled', accessRestricted: true, onlyApiManagement: true, privateEndpoint: true, appServiceAuth: true, managedIdentity: true });
      assert.deepStrictEqual(facts('ca-orders'), { notRead: ["private endpoints (its environment's, not read)", 'authentication (authConfigs are not read)'], publicNetworkAccess: 'Disabled', accessRestricted: false, managedIdentity: false });
      // An IP rule may or may not be the gateway's: not concluded either way.
      assert.deepStrictEqual(facts('oai-contoso'), { notRead: [], publicNetworkAccess: 'Enabled', accessRestricted: true, onlyApiManagement: undefined, privateEndpoint: false, managedIdentity: false, localAuthDisabled: true });
      assert.deepStrictEqual(facts('sb-contoso'), { notRead: ['IP rules (networkRuleSets are not read)'], publicNetworkAccess: 'Enabled', privateEndpoint: false, managedIdentity: false });
      assert.deepStrictEqual(reachableInAzure(azureFacts(snapshot.backendResources!.find((resource) => resource.name === 'sb-contoso')!)).reachable, 'unknown');
      assert.deepStrictEqual(reachableInAzure(azureFacts(snapshot.backendResources!.find((resource) => resource.name === 'func-contoso-orders')!)), {
        reachable: true,
        because: ['public network access is enabled (Azure)', 'no access restriction (Azure)', 'no private endpoint (Azure)', 'no App Service authentication (Azure)'],
      });
    });
  });

  it('a failed read of a site is recorded on it and leaves its fact unknown; a failed query leaves no list that reads as "none"', async () => {
    await withEmulator(estate(), {}, async (emulator, connection) => {
      emulator.faults.push({ method: 'GET', path: /func-locked\/config\/web$/, status: 403, times: 1 });
      const snapshot = await loadDeployedState(fixedTokenCredential(), [CONTOSO_SUBSCRIPTION], connection);
      const locked = snapshot.backendResources!.find((resource) => resource.name === 'func-locked')!;
      assert.deepStrictEqual(locked.errors.map((error) => [error.operation, error.status]), [['siteConfig', 403]]);
      assert.strictEqual(locked.accessRestrictions, undefined);
      assert.match(azureFacts(locked).notRead[0], /^access restrictions \(config\/web: Injected 403\.\)$/);
      // Stopped all the same by its private endpoint and authentication.
      assert.strictEqual(reachableInAzure(azureFacts(locked)).reachable, false);
    });
    await withEmulator(estate(), {}, async (emulator, connection) => {
      emulator.faults.push({ method: 'POST', path: /resourcegraph\/resources$/i, body: /microsoft\.web\/sites', /, status: 403, times: 1 });
      const snapshot = await loadDeployedState(fixedTokenCredential(), [CONTOSO_SUBSCRIPTION], connection);
      assert.strictEqual(snapshot.backendResources, undefined);
      assert.deepStrictEqual(snapshot.errors.map((error) => [error.operation, error.status]), [['backendResources', 403]]);
    });
  });

  it("follows the pages of a site's private endpoint connections", async () => {
    const state = estate();
    const locked = state.backendResources!.find((resource) => resource.name === 'func-locked')!;
    locked.privateEndpointConnections = [...locked.privateEndpointConnections!, { name: 'pe-2', privateEndpointId: `${RG}/Microsoft.Network/privateEndpoints/pe-2`, status: 'Pending' }, { name: 'pe-3', privateEndpointId: `${RG}/Microsoft.Network/privateEndpoints/pe-3`, status: 'Rejected' }];
    await withEmulator(
      state,
      { pageSize: 2 },
      async (_emulator, connection) => {
        const snapshot = await loadDeployedState(fixedTokenCredential(), [CONTOSO_SUBSCRIPTION], connection);
        assert.deepStrictEqual(snapshot.backendResources!.find((resource) => resource.name === 'func-locked')?.privateEndpoints?.map((endpoint) => endpoint.status), ['Approved', 'Pending', 'Rejected']);
      },
    );
  });

  it('a Consumption workflow is found by its access endpoint, and a host two workflows share is said ambiguous', () => {
    const workflow = (name: string, id: string) =>
      backendResource({ id: `${RG}/Microsoft.Logic/workflows/${name}`, name, type: 'Microsoft.Logic/workflows', properties: { accessEndpoint: `https://prod-12.westeurope.logic.azure.com:443/workflows/${id}`, accessControl: { triggers: { allowedCallerIpAddresses: [{ addressRange: '13.69.0.0/16' }] } } } })!;
    const intake = workflow('wf-intake', '0a1b2c3d4e5f60718293a4b5c6d7e8f9');
    assert.deepStrictEqual([intake.hostNames, intake.accessRestrictions], [['prod-12.westeurope.logic.azure.com'], { defaultAction: 'Deny', rules: [{ action: 'Allow', tag: 'Default', ipAddress: '13.69.0.0/16' }] }]);
    const host = 'prod-12.westeurope.logic.azure.com';
    const read = (resources: DeployedBackendResource[]) => ({ state: 'read' as const, hosts: [host], resources, subscriptions: [CONTOSO_SUBSCRIPTION] });
    const found = lookupAzure(read([intake]), { kind: 'logic-app', host });
    assert.deepStrictEqual(found?.found && [found.facts.name, found.facts.accessRestricted, found.facts.onlyApiManagement], ['wf-intake', true, undefined]);
    assert.deepStrictEqual(lookupAzure(read([intake, workflow('wf-refunds', 'ffeeddccbbaa99887766554433221100')]), { kind: 'logic-app', host }), {
      found: false,
      why: `2 resources of the snapshot answer on ${host} (wf-intake, wf-refunds): which one is behind the backend is not known`,
    });
    assert.deepStrictEqual(lookupAzure(read([]), { kind: 'app-service', host: 'func-other.azurewebsites.net' }), { found: false, why: 'the deployed service does not call func-other.azurewebsites.net, so the snapshot did not look it up' });
    // A kind the export does not look up (a SQL server) is not said to be missing from Azure.
    assert.strictEqual(lookupAzure(read([]), { kind: 'sql', host: 'db.database.windows.net' }), undefined);
  });

  it('the query names only host names it can write safely, and the targets come from every URL the service calls', () => {
    const query = backendResourcesQuery(["evil'.azurewebsites.net", 'func-a.azurewebsites.net'], ['0a1b2c3d4e5f60718293a4b5c6d7e8f9']);
    assert.ok(!query.includes('evil'));
    assert.match(query, /name in~ \('func-a'\)/);
    assert.match(query, /accessEndpoint has_any \('0a1b2c3d4e5f60718293a4b5c6d7e8f9'\)/);
    const targets = backendTargets([
      {
        id: 's',
        subscriptionId: 'x',
        resourceGroup: 'r',
        name: 'apim',
        apis: [{ name: 'a', serviceUrl: 'https://prod-12.westeurope.logic.azure.com:443/workflows/0a1b2c3d4e5f60718293a4b5c6d7e8f9/triggers/manual/paths/invoke', operations: [], policy: { value: '<set-backend-service base-url="https://fn.azurewebsites.net/api" />' } }],
        products: [],
        subscriptions: [],
        backends: [{ name: 'b', url: 'https://partner.example.com', credentialKinds: [] }],
        namedValues: [],
        fragments: [],
        apiCollections: [],
        errors: [],
      },
    ]);
    // The partner's own host is outside Azure: not looked up.
    assert.deepStrictEqual(targets, { hosts: ['fn.azurewebsites.net', 'prod-12.westeurope.logic.azure.com'], workflowIds: ['0a1b2c3d4e5f60718293a4b5c6d7e8f9'] });
    assert.strictEqual(backendResource({ id: '', name: 'x', type: 'microsoft.web/sites' }), undefined);
  });

  it("the resolver prefers Azure's facts over the sample's declaration, says their source, and says which backends Azure does not find", () => {
    const report = toAnalysisReport(scan(SAMPLES, { snapshot: 'auto', now: new Date('2026-05-05T00:00:00Z') }));
    const backends = report.services.flatMap((service) => service.apis.flatMap((api) => api.operations.flatMap((operation) => operation.backends.map((backend) => ({ api: api.name, backend })))));
    // apis/orders/policy.xml: set-backend-service backend-id="orders-func" → https://func-contoso-orders.azurewebsites.net/api.
    const orders = backends.find(({ api, backend }) => api === 'orders' && backend.via === 'set-backend-service')!.backend;
    assert.deepStrictEqual(orders.azure && [orders.azure.found, orders.azure.resourceId], [true, ORDERS_FUNCTION_APP_ID.toLowerCase()]);
    assert.deepStrictEqual(orders.exposure, [
      { fact: 'publicNetworkAccess', value: 'Enabled', source: 'azure' },
      { fact: 'accessRestricted', value: false, source: 'azure' },
      { fact: 'privateEndpoint', value: false, source: 'azure' },
      { fact: 'appServiceAuth', value: false, source: 'azure' },
      { fact: 'managedIdentity', value: false, source: 'azure' },
    ]);
    assert.strictEqual(orders.callableDirectly, true);
    // apis/catalog/apiInformation.json: serviceUrl https://app-contoso-catalog.azurewebsites.net, which the snapshot has no resource for.
    const catalog = backends.find(({ api }) => api === 'catalog')!.backend;
    assert.deepStrictEqual(catalog.azure, { found: false, why: `Resource Graph found no resource answering on app-contoso-catalog.azurewebsites.net in subscription ${CONTOSO_SUBSCRIPTION}` });
    // Without a snapshot nothing is said of Azure.
    const offline = toAnalysisReport(scan(SAMPLES));
    assert.ok(offline.services.every((service) => service.apis.every((api) => api.operations.every((operation) => operation.backends.every((backend) => backend.azure === undefined)))));
  });

  it('a snapshot of an older version says the resources were not read, on every backend Azure would be asked about', () => {
    const loaded = readSnapshotFile(SAMPLE_SNAPSHOT);
    delete loaded.snapshot.backendResources;
    const report = toAnalysisReport(scan(SAMPLES, { snapshot: loaded }));
    const catalog = report.services[0].apis.find((api) => api.name === 'catalog')!.operations[0].backends[0];
    assert.deepStrictEqual(catalog.azure, { found: false, why: "Azure's facts about it are not known: the snapshot was taken by a version that did not read the resources behind the backends" });
    assert.strictEqual(lookupAzure(undefined, { kind: 'app-service', host: 'x.azurewebsites.net' }), undefined);
  });

  it("gateway-bypass goes by Azure's facts: an app Azure shows restricted to API Management is no way around the gateway", () => {
    const gatewayBypass = (snapshot: DeployedSnapshot) =>
      scan(SAMPLES, { snapshot: readSnapshotFile(SAMPLE_SNAPSHOT, serializeSnapshot(snapshot)) })
        .findings.filter((finding) => finding.ruleId === 'gateway-bypass')
        .map((finding) => `${finding.resource} ${finding.severity} ${finding.properties?.reachabilityFrom}`);
    const sample = readSnapshotFile(SAMPLE_SNAPSHOT).snapshot;
    assert.deepStrictEqual(gatewayBypass(sample), ['apis/orders high azure', 'sites/func-contoso-orders/functions/get-order high azure']);
    const orders = sample.backendResources!.find((resource) => resource.name === 'func-contoso-orders')!;
    orders.accessRestrictions = { defaultAction: 'Deny', rules: [{ action: 'Allow', tag: 'ServiceTag', ipAddress: 'ApiManagement.WestEurope' }] };
    // infra/orders-func.bicep declares no restriction: Azure's rule decides.
    assert.deepStrictEqual(gatewayBypass(sample), []);
  });

  it("function-app-endpoint-authentication goes by Azure's authsettingsV2 when the snapshot found the site", () => {
    const predictions = (snapshot: DeployedSnapshot) =>
      scan(SAMPLES, { snapshot: readSnapshotFile(SAMPLE_SNAPSHOT, serializeSnapshot(snapshot)) })
        .findings.filter((finding) => finding.ruleId === 'function-app-endpoint-authentication' && finding.origin === 'predicted')
        .map((finding) => `${finding.resource} ${finding.severity} ${finding.properties?.appAuthenticationFrom}`);
    const sample = readSnapshotFile(SAMPLE_SNAPSHOT).snapshot;
    // functions/orders: get-order anonymous, create-order behind a function key; Azure shows authsettingsV2 off.
    assert.deepStrictEqual(predictions(sample).sort(), ['sites/func-contoso-orders/functions/create-order medium azure', 'sites/func-contoso-orders/functions/get-order high azure']);
    sample.backendResources!.find((resource) => resource.name === 'func-contoso-orders')!.authentication = { enabled: true, requireAuthentication: true, unauthenticatedClientAction: 'Return401' };
    // infra/orders-func.bicep declares no authsettingsV2: Azure's, turned on since, decides.
    assert.deepStrictEqual(predictions(sample), []);
  });

  describe("Defender's Function App and Logic App recommendations on the triggers", () => {
    const site = `/subscriptions/${CONTOSO_SUBSCRIPTION}/resourcegroups/rg-contoso-orders/providers/microsoft.web/sites/func-contoso-orders`;

    it('reads the endpoint from a sub-resource id or from the details, in either shape', () => {
      assert.deepStrictEqual(hostedTarget({ resourceId: `${site}/functions/get-order` }), { host: 'site', app: 'func-contoso-orders', endpoint: 'get-order' });
      assert.deepStrictEqual(hostedTarget({ resourceId: site, details: { FunctionName: 'create-order' } }), { host: 'site', app: 'func-contoso-orders', workflow: undefined, endpoint: 'create-order', route: undefined });
      assert.deepStrictEqual(hostedTarget({ resourceId: `${site}/workflows/orders/triggers/manual` }), { host: 'site', app: 'func-contoso-orders', workflow: 'orders', endpoint: 'manual' });
      assert.deepStrictEqual(hostedTarget({ resourceId: '/subscriptions/s/resourcegroups/r/providers/microsoft.logic/workflows/wf-intake' }), { host: 'workflow', app: 'wf-intake', workflow: 'wf-intake', endpoint: undefined });
      assert.strictEqual(hostedTarget({ resourceId: '/subscriptions/s/resourcegroups/r/providers/microsoft.apimanagement/service/x' }), undefined);
    });

    it("places an assessment of a Consumption workflow on its one trigger, and says when the repository lacks the workflow", () => {
      // test/fixtures/rules/logic-app-endpoint-authentication/consumption/azuredeploy.json declares la-refunds with a Request trigger named manual.
      const [service] = scan(path.join(__dirname, '..', '..', 'fixtures', 'rules', 'logic-app-endpoint-authentication', 'consumption')).services;
      const placed = placeHosted(service, hostedTarget({ resourceId: '/subscriptions/s/resourcegroups/r/providers/microsoft.logic/workflows/la-refunds' })!);
      assert.strictEqual('trigger' in placed && placed.trigger.id, 'workflows/la-refunds/triggers/manual');
      assert.deepStrictEqual(placeHosted(service, hostedTarget({ resourceId: '/subscriptions/s/resourcegroups/r/providers/microsoft.logic/workflows/la-gone/triggers/manual' })!), {
        resource: 'workflows/la-gone',
        why: 'no Consumption workflow named la-gone with an HTTP trigger is in the repository',
      });
    });

    function observedOnSites(assessments: DeployedAssessment[]) {
      const snapshot = readSnapshotFile(SAMPLE_SNAPSHOT).snapshot;
      snapshot.assessments.push(...assessments);
      return scan(SAMPLES, { snapshot: readSnapshotFile(SAMPLE_SNAPSHOT, serializeSnapshot(snapshot)) }).findings.filter((finding) => finding.defender?.azureResourceId?.includes('/microsoft.web/sites/'));
    }
    const unused = (resourceId: string, details?: Record<string, string>): DeployedAssessment => ({
      key: '0f0e0d0c-0b0a-4909-8807-060504030201',
      resourceId,
      status: 'Unhealthy',
      severity: 'Low',
      displayName: 'Unused API endpoints should be disabled and removed from Function Apps',
      details,
    });

    it("places Defender's finding at the trigger's range, by name or by route, merged with the prediction where one says the same", () => {
      const findings = observedOnSites([unused(site, { functionName: 'create-order' }), unused(site, { endpoint: 'https://func-contoso-orders.azurewebsites.net/api/orders/42' })]);
      const where = (finding: (typeof findings)[number]) => `${finding.ruleId} ${finding.resource} ${path.relative(SAMPLES, finding.location.file)}:${finding.location.span.start}`;
      const text = fs.readFileSync(path.join(SAMPLES, 'functions/orders/src/functions/orders.js'), 'utf8');
      // The trigger's location is its authLevel's value: 'function' (create-order, line 15) and 'anonymous' (get-order, line 7).
      const createOrder = text.indexOf("'function'");
      const getOrder = text.indexOf("'anonymous'");
      assert.deepStrictEqual(findings.map(where).sort(), [
        // The sample snapshot's own: on get-order, folded into function-app-endpoint-authentication's prediction.
        `defender-0f0e0d0c-0b0a-4909-8807-060504030201 sites/func-contoso-orders/functions/create-order functions/orders/src/functions/orders.js:${createOrder}`,
        `defender-0f0e0d0c-0b0a-4909-8807-060504030201 sites/func-contoso-orders/functions/get-order functions/orders/src/functions/orders.js:${getOrder}`,
        `function-app-endpoint-authentication sites/func-contoso-orders/functions/get-order functions/orders/src/functions/orders.js:${getOrder}`,
      ]);
      const merged = findings.find((finding) => finding.ruleId === 'function-app-endpoint-authentication')!;
      assert.strictEqual(merged.origin, 'predicted');
      assert.match(merged.message, /Defender for APIs reports it too: Unhealthy/);
      assert.ok(findings.every((finding) => finding.properties?.unmapped !== true));
    });

    it('says why an assessment cannot be placed, in the snapshot', () => {
      const [alone] = observedOnSites([unused(site, { functionName: 'cancel-order' })]).filter((finding) => finding.ruleId.startsWith('defender-'));
      assert.strictEqual(alone.properties?.unmapped, true);
      assert.strictEqual(alone.location.file, SAMPLE_SNAPSHOT);
      assert.strictEqual(alone.resource, 'sites/func-contoso-orders/functions/cancel-order');
      assert.match(alone.message, /^cancel-order of func-contoso-orders is Unhealthy in Defender for Cloud: "Unused API endpoints should be disabled and removed from Function Apps"\. It is not placed on the repository's code: the code mapped to func-contoso-orders has no HTTP trigger named cancel-order\. /);
      // An app the service does not call, whose code the repository does not have, belongs to no root: not reported here.
      assert.deepStrictEqual(observedOnSites([unused(site.replace('func-contoso-orders', 'func-elsewhere'), { functionName: 'x' })]).filter((finding) => finding.ruleId.startsWith('defender-')), []);
    });
  });
});
