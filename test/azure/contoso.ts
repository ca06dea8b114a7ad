// The deployed Contoso Outfitters service, for the emulator: built from the bundled sample (samples/)
// so that it stays in step with it, with the differences a real deployment shows against git:
// - payments/get-saved-card runs its old policy, without validate-azure-ad-token: fixed in git, not
//   deployed, so Defender still reports it unauthenticated;
// - the starter product's quota differs (a change made in the portal);
// - the direct management endpoint is on (Defender reports it; no local rule can predict it);
// - partners is not onboarded to Defender for APIs; inventory/list-warehouses had no traffic for 30 days;
// - the default Echo API is still deployed, unauthenticated, and is not in the repository;
// - the orders API's backend is the Function App func-contoso-orders (infra/orders-func.bicep, code in
//   functions/orders): public network access on, no access restriction, no private endpoint, no App
//   Service authentication, as Resource Graph and ARM tell; Defender finds its anonymous get-order
//   endpoint unauthenticated;
// - Defender's attack paths: the internet reaches the saved card through the unauthenticated
//   get-saved-card (Defender CSPM's documented shape), and the Echo API's backend over plain http
//   (Exposure Management's shape); get-saved-card's assessment carries the risk that names the first.
// `npx tsx test/azure/contoso.ts` turns it into samples/.apim-posture/snapshot.json (a test checks they agree).
import * as path from 'path';
import { loadDeployedState } from '../../src/core/azure/load';
import { writeSnapshotFile, type DeployedSnapshot } from '../../src/core/azure/snapshot';
import type { ApimService } from '../../src/core/model';
import { readService } from '../../src/core/workspace/readService';
import { ArmEmulator, fixedTokenCredential, type EmulatorAssessment, type EmulatorAttackPath, type EmulatorBackendResource, type EmulatorService, type EmulatorState } from './emulator';
import { DIRECT_MANAGEMENT, ENDPOINT_AUTH, METADATA, SUBSCRIPTION_SCOPE, UNUSED_ENDPOINTS } from './fixtures';
import { DEFENDER } from '../../src/core/rules/defender';

export const SAMPLES = path.join(__dirname, '..', '..', 'samples');
export const SAMPLE_SNAPSHOT = path.join(SAMPLES, '.apim-posture', 'snapshot.json');
export const CONTOSO_SUBSCRIPTION = '6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f';
export const CONTOSO_SERVICE_ID = `/subscriptions/${CONTOSO_SUBSCRIPTION}/resourceGroups/rg-contoso-apis/providers/Microsoft.ApiManagement/service/apim-contoso-outfitters`;
/** The Function App behind the orders API (samples/backends/orders-func names it by this id). */
export const ORDERS_FUNCTION_APP_ID = `/subscriptions/${CONTOSO_SUBSCRIPTION}/resourceGroups/rg-contoso-orders/providers/Microsoft.Web/sites/func-contoso-orders`;

const OLD_GET_SAVED_CARD_POLICY = `<policies>
	<inbound>
		<base />
	</inbound>
	<backend>
		<base />
	</backend>
	<outbound>
		<base />
	</outbound>
	<on-error>
		<base />
	</on-error>
</policies>
`;

export function contosoState(samples = SAMPLES): EmulatorState {
  const local: ApimService = readService(samples);
  const text = (attachment: { xml: { text: string } } | undefined) => attachment?.xml.text;
  const service: EmulatorService = {
    resourceGroup: 'rg-contoso-apis',
    name: 'apim-contoso-outfitters',
    location: 'West Europe',
    policy: text(local.policy),
    apis: [
      ...local.apis.map((api) => ({
        name: api.name,
        displayName: api.displayName,
        path: api.path ?? api.name,
        protocols: api.protocols?.value,
        serviceUrl: api.serviceUrl,
        subscriptionRequired: api.subscriptionRequired?.value ?? true,
        apiRevision: api.revision ?? '1',
        isCurrent: api.isCurrent ?? !api.name.includes(';rev='),
        apiType: api.type,
        apiVersion: api.apiVersion,
        apiVersionSetId: api.versionSetId?.replace(/^versionSets\//, ''),
        policy: text(api.policy),
        operations: api.operations.map((operation) => ({
          name: operation.name,
          displayName: operation.specOperation?.operationId ?? operation.name,
          method: (operation.method ?? 'get').toUpperCase(),
          urlTemplate: operation.urlTemplate ?? '/',
          policy: api.name === 'payments' && operation.name === 'get-saved-card' ? OLD_GET_SAVED_CARD_POLICY : text(operation.policy),
        })),
      })),
      {
        name: 'echo-api',
        displayName: 'Echo API',
        path: 'echo',
        protocols: ['https'],
        serviceUrl: 'http://echoapi.cloudapp.net/api',
        subscriptionRequired: false,
        operations: [{ name: 'retrieve-resource', displayName: 'Retrieve resource', method: 'GET', urlTemplate: '/resource' }],
      },
    ],
    products: local.products.map((product) => ({
      name: product.name,
      displayName: product.displayName,
      subscriptionRequired: product.subscriptionRequired?.value ?? true,
      state: product.state ?? 'published',
      apis: product.apiNames,
      policy: product.name === 'starter' ? text(product.policy)?.replace('calls="200000"', 'calls="100000"') : text(product.policy),
    })),
    subscriptions: local.subscriptions.map((subscription) => ({
      name: subscription.name,
      displayName: subscription.displayName,
      scope: subscription.scope?.value ?? '/apis',
      state: subscription.state?.value ?? 'active',
      primaryKey: `sample-primary-key-of-${subscription.name}`,
      secondaryKey: `sample-secondary-key-of-${subscription.name}`,
    })),
    backends: local.backends.map((backend) => ({
      name: backend.name,
      url: backend.url ?? 'https://example.invalid',
      protocol: backend.protocol,
      tls: { validateCertificateChain: backend.validateCertificateChain?.value ?? true, validateCertificateName: backend.validateCertificateName?.value ?? true },
      credentials: backend.hasCredentials ? { header: { authorization: ['{{loyalty-legacy-basic-auth}}'] } } : undefined,
    })),
    namedValues: local.namedValues.map((namedValue) => ({
      name: namedValue.name,
      displayName: namedValue.displayName,
      secret: namedValue.secret?.value ?? false,
      value: namedValue.secret?.value ? 'sample-secret-value-never-exported' : `value-of-${namedValue.name}`,
      keyVault: namedValue.keyVaultSecretIdentifier ? { secretIdentifier: namedValue.keyVaultSecretIdentifier } : undefined,
    })),
    fragments: local.fragments.map((fragment) => ({ name: fragment.name, value: text(fragment.policy) ?? '<fragment />' })),
    apiCollections: local.apis
      .filter((api) => api.isCurrent !== false && !api.name.includes(';rev=') && api.name !== 'partners' && api.type !== 'graphql')
      .map((api) => ({
        apiName: api.name,
        numberOfApiEndpoints: api.operations.length,
        numberOfInactiveApiEndpoints: api.name === 'inventory' ? 1 : 0,
        numberOfUnauthenticatedApiEndpoints: api.name === 'inventory' ? 4 : api.name === 'orders' || api.name === 'payments' ? (api.name === 'payments' ? 2 : 1) : 0,
        numberOfExternalApiEndpoints: api.operations.length,
        numberOfApiEndpointsWithSensitiveDataExposed: api.name === 'customers' ? 4 : api.name === 'payments' ? 3 : 0,
        sensitivityLabel: api.name === 'customers' || api.name === 'payments' ? 'Highly Confidential' : '',
      })),
  };
  const base = CONTOSO_SERVICE_ID;
  const unhealthy = (defender: { assessmentKey?: string; displayName: string; severity: 'High' | 'Medium' | 'Low' }, resource: string, cause = ''): EmulatorAssessment => ({
    key: defender.assessmentKey!,
    resourceId: resource ? `${base}/${resource}` : base,
    status: 'Unhealthy',
    severity: defender.severity,
    displayName: defender.displayName,
    cause,
    // Assessed since the service went live; Unhealthy since a later change.
    firstEvaluationDate: '2026-02-02T06:00:00Z',
    statusChangeDate: '2026-04-20T14:12:00Z',
  });
  const assessments: EmulatorAssessment[] = [
    ...['adjust-stock', 'get-stock-level', 'list-stock-levels', 'list-warehouses'].map((operation) => unhealthy(ENDPOINT_AUTH, `apis/inventory/operations/${operation}`)),
    unhealthy(ENDPOINT_AUTH, 'apis/orders/operations/track-shipment'),
    ...['create-dropship-order', 'get-product-feed', 'get-stock-feed'].map((operation) => unhealthy(ENDPOINT_AUTH, `apis/partners/operations/${operation}`)),
    unhealthy(ENDPOINT_AUTH, 'apis/payments/operations/list-payment-methods'),
    {
      ...unhealthy(ENDPOINT_AUTH, 'apis/payments/operations/get-saved-card'),
      risk: { level: 'Critical', riskFactors: ['Internet exposure', 'Sensitive data'], attackPathsReferences: [SAVED_CARD_PATH], isContextualRisk: true },
    },
    unhealthy(ENDPOINT_AUTH, 'apis/echo-api/operations/retrieve-resource'),
    unhealthy(UNUSED_ENDPOINTS, 'apis/inventory/operations/list-warehouses', 'No traffic in the last 30 days.'),
    unhealthy(SUBSCRIPTION_SCOPE, 'subscriptions/ops-monitoring-all-apis'),
    unhealthy(DEFENDER.encryptedProtocols, 'apis/store-locator'),
    unhealthy(DEFENDER.backendCertificateValidation, 'backends/legacy-loyalty'),
    unhealthy({ assessmentKey: DIRECT_MANAGEMENT.key, displayName: DIRECT_MANAGEMENT.displayName, severity: DIRECT_MANAGEMENT.severity }, ''),
    { ...unhealthy(ENDPOINT_AUTH, 'apis/catalog/operations/search-products'), status: 'Healthy' },
    // On the Function App's endpoint, named as a sub-resource of the site.
    // Microsoft publishes no key for it: the sample's own, matched by display name as any would be.
    { ...unhealthy({ ...DEFENDER.functionAppEndpointAuthentication, assessmentKey: FUNCTION_APP_AUTH_KEY }, ''), resourceId: `${ORDERS_FUNCTION_APP_ID}/functions/get-order`, cause: 'The HTTP trigger admits anonymous calls and the app has no App Service authentication.' },
  ];
  const metadata = [
    ...METADATA,
    { key: DEFENDER.encryptedProtocols.assessmentKey, displayName: DEFENDER.encryptedProtocols.displayName, severity: 'High' as const, remediationDescription: 'Set the API\'s protocols to https (and wss) only.' },
    { key: DEFENDER.backendCertificateValidation.assessmentKey, displayName: DEFENDER.backendCertificateValidation.displayName, severity: 'Medium' as const, remediationDescription: 'Turn validateCertificateChain and validateCertificateName back on for the backend.' },
  ];
  return {
    subscriptions: [{ id: CONTOSO_SUBSCRIPTION, displayName: 'Contoso Outfitters Production', apiPricingTier: 'Standard', services: [service] }],
    assessments,
    metadata,
    attackPaths: contosoAttackPaths(),
    backendResources: [ordersFunctionApp()],
  };
}

/** func-contoso-orders as ARM describes it (Microsoft.Web/sites 2023-12-01): nothing in front of it, so ARM's defaults below it. */
function ordersFunctionApp(): EmulatorBackendResource {
  return {
    id: ORDERS_FUNCTION_APP_ID,
    name: 'func-contoso-orders',
    type: 'Microsoft.Web/sites',
    kind: 'functionapp,linux',
    location: 'West Europe',
    properties: {
      name: 'func-contoso-orders',
      state: 'Running',
      hostNames: ['func-contoso-orders.azurewebsites.net'],
      enabledHostNames: ['func-contoso-orders.azurewebsites.net', 'func-contoso-orders.scm.azurewebsites.net'],
      defaultHostName: 'func-contoso-orders.azurewebsites.net',
      httpsOnly: true,
      publicNetworkAccess: 'Enabled',
      serverFarmId: `/subscriptions/${CONTOSO_SUBSCRIPTION}/resourceGroups/rg-contoso-orders/providers/Microsoft.Web/serverfarms/plan-contoso-orders`,
      reserved: true,
    },
  };
}

const FUNCTION_APP_AUTH_KEY = '5f0e7d3c-2b1a-4c9d-8e7f-6a5b4c3d2e1f';

const SAVED_CARD_PATH = '3c1f8a52-6d0e-4b7a-9e21-5f4a7c9d0b13';

function contosoAttackPaths(): EmulatorAttackPath[] {
  const base = CONTOSO_SERVICE_ID;
  const pathId = (name: string) => `/subscriptions/${CONTOSO_SUBSCRIPTION}/providers/Microsoft.Security/attackPaths/${name}`;
  const entity = (entityInternalId: string, entityName: string, entityType: string, azureResourceId?: string) => ({
    entityInternalId,
    entityName,
    entityType,
    ...(azureResourceId ? { entityIdentifiers: { azureResourceId } } : {}),
  });
  return [
    {
      id: pathId(SAVED_CARD_PATH),
      name: SAVED_CARD_PATH,
      properties: {
        displayName: 'Internet exposed APIs that are unauthenticated carry sensitive data',
        description: 'The API endpoint get-saved-card of apim-contoso-outfitters is reachable from the internet without authentication and returns payment card data.',
        attackPathType: 'InternetExposedApi',
        potentialImpact: 'Critical',
        riskCategories: ['Internet exposure', 'Unauthenticated access', 'Sensitive data'],
        manualRemediationSteps: ['Require authentication on the endpoint (validate-jwt or validate-azure-ad-token in its policy).'],
        entryPointEntityInternalID: 'internet',
        targetEntityInternalID: 'get-saved-card',
        graphComponent: {
          entities: [
            entity('get-saved-card', 'get-saved-card', 'microsoft.apimanagement/service/apis/operations', `${base}/apis/payments/operations/get-saved-card`),
            entity('internet', 'Internet', 'Internet'),
            entity('payments', 'payments', 'microsoft.apimanagement/service/apis', `${base}/apis/payments`),
            entity('gateway', 'apim-contoso-outfitters', 'microsoft.apimanagement/service', base),
          ],
          connections: [
            { sourceEntityInternalId: 'internet', targetEntityInternalId: 'gateway', title: 'Exposed to the internet' },
            { sourceEntityInternalId: 'gateway', targetEntityInternalId: 'payments', title: 'Serves' },
            { sourceEntityInternalId: 'payments', targetEntityInternalId: 'get-saved-card', title: 'Has endpoint' },
          ],
          insights: [],
        },
      },
    },
    {
      id: pathId('9b2e4d71-0c3a-4f8e-b6d5-2a1c7e9f4d20'),
      name: '9b2e4d71-0c3a-4f8e-b6d5-2a1c7e9f4d20',
      properties: {
        displayName: 'Internet exposed API forwards calls to a backend over unencrypted http',
        riskLevel: 'High',
        riskFactors: ['Internet exposure', 'Unencrypted traffic'],
        entryPoint: { name: 'Internet', type: 'Internet' },
        attackPathSteps: [
          { name: 'apim-contoso-outfitters', type: 'microsoft.apimanagement/service', azureResourceId: base },
          { name: 'echo-api', type: 'microsoft.apimanagement/service/apis', azureResourceId: `${base}/apis/echo-api` },
        ],
        target: { name: 'echoapi.cloudapp.net', type: 'Host' },
        isPartialAttackPath: false,
      },
    },
  ];
}

/** The sample snapshot as `snapshot export` would write it against the Contoso emulator. */
export async function makeSampleSnapshot(): Promise<DeployedSnapshot> {
  const emulator = await new ArmEmulator(contosoState()).start();
  const agent = emulator.agent();
  try {
    const snapshot = await loadDeployedState(fixedTokenCredential(), [CONTOSO_SUBSCRIPTION], { endpoint: emulator.endpoint, agent, now: new Date('2026-05-04T09:30:00Z') });
    // As if read from public Azure, not from the emulator's random port.
    return JSON.parse(JSON.stringify(snapshot).split(emulator.endpoint).join('https://management.azure.com')) as DeployedSnapshot;
  } finally {
    agent.destroy();
    await emulator.stop();
  }
}

if (require.main === module) {
  void makeSampleSnapshot().then((snapshot) => {
    writeSnapshotFile(SAMPLE_SNAPSHOT, snapshot);
    console.log(`Wrote ${path.relative(process.cwd(), SAMPLE_SNAPSHOT)}`);
  });
}
