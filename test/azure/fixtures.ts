// Emulator states for tests and the benchmark: a generated estate of many subscriptions and APIs.
import { DEFENDER } from '../../src/core/rules/defender';
import type { EmulatorAssessment, EmulatorMetadata, EmulatorState, EmulatorSubscription } from './emulator';

export const ENDPOINT_AUTH = DEFENDER.endpointAuthentication;
export const UNUSED_ENDPOINTS = DEFENDER.unusedEndpoints;
export const SUBSCRIPTION_SCOPE = DEFENDER.subscriptionScope;
/** An assessment no local rule predicts (the direct management endpoint). */
export const DIRECT_MANAGEMENT = { key: 'e2aeced9-6ef0-410e-b948-4aaa65ded9a7', displayName: 'API Management direct management endpoint should not be enabled', severity: 'Low' as const };

export function subscriptionId(index: number): string {
  return `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`;
}

export const METADATA: EmulatorMetadata[] = [
  { key: ENDPOINT_AUTH.assessmentKey, displayName: ENDPOINT_AUTH.displayName, severity: 'High', remediationDescription: 'Require a subscription key, or validate a JWT, an Entra token or a client certificate on every call.' },
  { key: UNUSED_ENDPOINTS.assessmentKey, displayName: UNUSED_ENDPOINTS.displayName, severity: 'Low', remediationDescription: 'Disable or remove API endpoints without traffic for 30 days.' },
  { key: SUBSCRIPTION_SCOPE.assessmentKey, displayName: SUBSCRIPTION_SCOPE.displayName, severity: 'Medium', remediationDescription: 'Scope subscriptions to a product or a single API.' },
  { key: DIRECT_MANAGEMENT.key, displayName: DIRECT_MANAGEMENT.displayName, severity: 'Low', remediationDescription: 'Disable the direct management endpoint of the service.' },
  // Unrelated built-in metadata, as the real list holds hundreds of entries.
  ...Array.from({ length: 40 }, (_, index) => ({ key: `10000000-0000-4000-8000-${String(index).padStart(12, '0')}`, displayName: `Unrelated recommendation ${index}`, severity: 'Low' as const })),
];

export interface EstateShape {
  subscriptions: number;
  apisPerSubscription: number;
  operationsPerApi: number;
  /** Every n-th operation is unauthenticated (an Unhealthy assessment); 0: none. */
  unhealthyEvery?: number;
}

/** Subscriptions with one APIM service each, APIs with operations and policies, and Defender's assessments. */
export function generatedEstate(shape: EstateShape): EmulatorState {
  const subscriptions: EmulatorSubscription[] = [];
  const assessments: EmulatorAssessment[] = [];
  let counter = 0;
  for (let s = 0; s < shape.subscriptions; s++) {
    const id = subscriptionId(s);
    const serviceName = `apim-${s + 1}`;
    const base = `/subscriptions/${id}/resourceGroups/rg-apis/providers/Microsoft.ApiManagement/service/${serviceName}`;
    const apis = Array.from({ length: shape.apisPerSubscription }, (_, a) => {
      const name = `api-${s + 1}-${a + 1}`;
      return {
        name,
        displayName: `API ${s + 1}.${a + 1}`,
        path: `api${a + 1}`,
        subscriptionRequired: a % 2 === 0,
        serviceUrl: `https://backend-${a + 1}.example.net`,
        policy: '<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
        operations: Array.from({ length: shape.operationsPerApi }, (_, o) => {
          const operation = { name: `op-${o + 1}`, method: o % 2 ? 'POST' : 'GET', urlTemplate: `/items${o + 1}/{id}`, policy: o === 0 ? '<policies><inbound><base /><set-header name="x-op" exists-action="override"><value>1</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>' : undefined };
          counter++;
          if (shape.unhealthyEvery && counter % shape.unhealthyEvery === 0) {
            assessments.push({ key: ENDPOINT_AUTH.assessmentKey, resourceId: `${base}/apis/${name}/operations/${operation.name}`, status: 'Unhealthy', severity: 'High', displayName: ENDPOINT_AUTH.displayName });
          } else {
            assessments.push({ key: ENDPOINT_AUTH.assessmentKey, resourceId: `${base}/apis/${name}/operations/${operation.name}`, status: 'Healthy', severity: 'High', displayName: ENDPOINT_AUTH.displayName });
          }
          return operation;
        }),
      };
    });
    subscriptions.push({
      id,
      displayName: `Contoso ${s + 1}`,
      apiPricingTier: s % 2 === 0 ? 'Standard' : 'Free',
      services: [
        {
          resourceGroup: 'rg-apis',
          name: serviceName,
          policy: '<policies><inbound><cors><allowed-origins><origin>*</origin></allowed-origins></cors></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>',
          apis,
          products: [{ name: 'starter', displayName: 'Starter', subscriptionRequired: true, state: 'published', apis: apis.slice(0, 3).map((api) => api.name) }],
          subscriptions: [{ name: 'all-apis', scope: '/apis', state: 'active', primaryKey: 'emulator-primary-key-SECRET', secondaryKey: 'emulator-secondary-key-SECRET' }],
          backends: [{ name: 'orders', url: 'https://orders.example.net', tls: { validateCertificateChain: true, validateCertificateName: false }, credentials: { header: { 'x-functions-key': ['emulator-backend-credential-SECRET'] } } }],
          namedValues: [
            { name: 'plain', secret: false, value: 'visible' },
            { name: 'secret', secret: true, value: 'emulator-named-value-SECRET' },
            { name: 'vault', secret: true, keyVault: { secretIdentifier: 'https://vault.vault.azure.net/secrets/x' } },
          ],
          fragments: [{ name: 'jwt', value: '<fragment><validate-jwt header-name="Authorization" /></fragment>' }],
          apiCollections: apis.slice(0, Math.ceil(apis.length / 2)).map((api) => ({ apiName: api.name, numberOfInactiveApiEndpoints: 1 })),
        },
      ],
    });
    assessments.push({ key: SUBSCRIPTION_SCOPE.assessmentKey, resourceId: `${base}/subscriptions/all-apis`, status: 'Unhealthy', severity: 'Medium', displayName: SUBSCRIPTION_SCOPE.displayName });
  }
  return { subscriptions, assessments, metadata: METADATA };
}
