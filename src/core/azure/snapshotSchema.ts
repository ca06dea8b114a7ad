// The JSON schema of a snapshot of Azure. A snapshot in the repository is anyone's to write, and the
// one built from Azure's answers is only as sound as those: both are checked against this before use.
// Every part a rule or a report reads is typed here; unknown properties are allowed (newer writers).

const text = { type: 'string', maxLength: 100_000 } as const;
const name = { type: 'string', minLength: 1, maxLength: 1_000 } as const;
const strings = { type: 'array', items: text, maxItems: 10_000 } as const;
const count = { type: 'integer', minimum: 0 } as const;

const error = {
  type: 'object',
  required: ['operation', 'scope', 'message'],
  properties: { operation: text, scope: text, status: { type: 'integer' }, code: text, message: text },
} as const;
const errors = { type: 'array', items: { $ref: '#/definitions/error' }, default: [] } as const;

const policy = {
  type: 'object',
  required: ['value'],
  properties: { value: { type: 'string' }, etag: text, pushedAt: text },
} as const;

export const SNAPSHOT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'APIM Posture snapshot of Azure',
  type: 'object',
  required: ['kind', 'version'],
  properties: {
    kind: { const: 'apim-posture/deployed-snapshot' },
    version: { const: 1 },
    createdAt: text,
    endpoint: text,
    subscriptions: { type: 'array', items: { $ref: '#/definitions/subscription' }, default: [] },
    services: { type: 'array', items: { $ref: '#/definitions/service' }, default: [] },
    assessments: { type: 'array', items: { $ref: '#/definitions/assessment' }, default: [] },
    errors,
  },
  definitions: {
    error,
    policy,
    subscription: {
      type: 'object',
      required: ['id'],
      properties: {
        id: name,
        displayName: text,
        defenderForApis: { type: 'object', required: ['pricingTier'], properties: { pricingTier: text, subPlan: text } },
        errors,
      },
    },
    service: {
      type: 'object',
      required: ['id', 'name'],
      properties: {
        id: name,
        subscriptionId: text,
        resourceGroup: text,
        name,
        location: text,
        sku: text,
        gatewayUrl: text,
        policy: { $ref: '#/definitions/policy' },
        apis: { type: 'array', items: { $ref: '#/definitions/api' }, default: [] },
        products: { type: 'array', items: { $ref: '#/definitions/product' }, default: [] },
        subscriptions: { type: 'array', items: { $ref: '#/definitions/apimSubscription' }, default: [] },
        backends: { type: 'array', items: { $ref: '#/definitions/backend' }, default: [] },
        namedValues: { type: 'array', items: { $ref: '#/definitions/namedValue' }, default: [] },
        fragments: { type: 'array', items: { $ref: '#/definitions/fragment' }, default: [] },
        apiCollections: { type: 'array', items: { $ref: '#/definitions/apiCollection' }, default: [] },
        errors,
      },
    },
    api: {
      type: 'object',
      required: ['name'],
      properties: {
        name,
        displayName: text,
        path: text,
        apiType: text,
        protocols: strings,
        serviceUrl: text,
        subscriptionRequired: { type: 'boolean' },
        apiRevision: text,
        isCurrent: { type: 'boolean' },
        apiVersion: text,
        apiVersionSetId: text,
        pushedAt: text,
        operations: { type: 'array', items: { $ref: '#/definitions/operation' }, default: [] },
        policy: { $ref: '#/definitions/policy' },
      },
    },
    operation: {
      type: 'object',
      required: ['name'],
      properties: { name, displayName: text, method: text, urlTemplate: text, policy: { $ref: '#/definitions/policy' } },
    },
    product: {
      type: 'object',
      required: ['name'],
      properties: { name, displayName: text, subscriptionRequired: { type: 'boolean' }, state: text, apis: { type: 'array', items: name, default: [] }, policy: { $ref: '#/definitions/policy' } },
    },
    apimSubscription: { type: 'object', required: ['name'], properties: { name, displayName: text, scope: text, state: text } },
    backend: {
      type: 'object',
      required: ['name'],
      properties: {
        name,
        url: text,
        protocol: text,
        validateCertificateChain: { type: 'boolean' },
        validateCertificateName: { type: 'boolean' },
        credentialKinds: { ...strings, default: [] },
      },
    },
    namedValue: {
      type: 'object',
      required: ['name', 'secret'],
      properties: { name, displayName: text, secret: { type: 'boolean' }, keyVaultSecretIdentifier: text, value: text },
    },
    fragment: { type: 'object', required: ['name'], properties: { name, description: text, policy: { $ref: '#/definitions/policy' } } },
    apiCollection: {
      type: 'object',
      required: ['apiName'],
      properties: {
        apiName: name,
        displayName: text,
        provisioningState: text,
        discoveredVia: text,
        baseUrl: text,
        numberOfApiEndpoints: count,
        numberOfInactiveApiEndpoints: count,
        numberOfUnauthenticatedApiEndpoints: count,
        numberOfExternalApiEndpoints: count,
        numberOfApiEndpointsWithSensitiveDataExposed: count,
        sensitivityLabel: text,
      },
    },
    assessment: {
      type: 'object',
      required: ['key', 'resourceId', 'status'],
      properties: {
        // Assessment keys are GUIDs; they become rule ids and anchors of links in reports.
        key: { type: 'string', pattern: '^[0-9A-Za-z-]{1,64}$' },
        resourceId: name,
        status: text,
        severity: text,
        displayName: text,
        cause: text,
        description: text,
        remediation: text,
        portalUri: text,
      },
    },
  },
} as const;
