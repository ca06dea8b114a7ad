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
const errors = { type: 'array', items: error, default: [] } as const;

const policy = {
  type: 'object',
  required: ['value'],
  properties: { value: { type: 'string' }, etag: text, pushedAt: text },
} as const;

// Definitions are written in place, not by $ref: ajv then gathers the errors of every item in one
// list instead of concatenating a copy per item, which made thousands of invalid items quadratic.
const operation = {
  type: 'object',
  required: ['name'],
  properties: { name, displayName: text, method: text, urlTemplate: text, policy: policy },
} as const;

const api = {
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
    operations: { type: 'array', items: operation, default: [] },
    policy: policy,
  },
} as const;

const product = {
  type: 'object',
  required: ['name'],
  properties: { name, displayName: text, subscriptionRequired: { type: 'boolean' }, state: text, apis: { type: 'array', items: name, default: [] }, policy: policy },
} as const;

const apimSubscription = { type: 'object', required: ['name'], properties: { name, displayName: text, scope: text, state: text } } as const;

const backend = {
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
} as const;

const namedValue = {
  type: 'object',
  required: ['name', 'secret'],
  properties: { name, displayName: text, secret: { type: 'boolean' }, keyVaultSecretIdentifier: text, value: text },
} as const;

const fragment = { type: 'object', required: ['name'], properties: { name, description: text, policy: policy } } as const;

const apiCollection = {
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
} as const;

const service = {
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
    policy: policy,
    apis: { type: 'array', items: api, default: [] },
    products: { type: 'array', items: product, default: [] },
    subscriptions: { type: 'array', items: apimSubscription, default: [] },
    backends: { type: 'array', items: backend, default: [] },
    namedValues: { type: 'array', items: namedValue, default: [] },
    fragments: { type: 'array', items: fragment, default: [] },
    apiCollections: { type: 'array', items: apiCollection, default: [] },
    errors,
  },
} as const;

const subscription = {
  type: 'object',
  required: ['id'],
  properties: {
    id: name,
    displayName: text,
    defenderForApis: { type: 'object', required: ['pricingTier'], properties: { pricingTier: text, subPlan: text } },
    errors,
  },
} as const;

const assessment = {
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
    firstEvaluationDate: text,
    statusChangeDate: text,
    risk: {
      type: 'object',
      properties: { level: text, riskFactors: { ...strings, default: [] }, attackPathsReferences: { ...strings, default: [] }, isContextualRisk: { type: 'boolean' } },
    },
    details: { type: 'object', additionalProperties: text, maxProperties: 100 },
  },
} as const;

const attackPathStep = { type: 'object', properties: { resourceId: text, name: text, type: text } } as const;

const attackPath = {
  type: 'object',
  required: ['id', 'shape'],
  properties: {
    id: name,
    displayName: text,
    description: text,
    riskLevel: text,
    riskFactors: { ...strings, default: [] },
    attackPathType: text,
    remediation: text,
    steps: { type: 'array', items: attackPathStep, maxItems: 1_000, default: [] },
    shape: { enum: ['defender-cspm', 'exposure-management'] },
  },
} as const;

const accessRule = {
  type: 'object',
  properties: { name: text, action: text, tag: text, ipAddress: text, vnetSubnetResourceId: text, priority: { type: 'integer' } },
} as const;

const backendResource = {
  type: 'object',
  required: ['id', 'name', 'type'],
  properties: {
    id: name,
    name,
    type: name,
    kind: text,
    hostNames: { type: 'array', items: name, maxItems: 1_000, default: [] },
    accessEndpoint: text,
    publicNetworkAccess: text,
    accessRestrictions: { type: 'object', properties: { defaultAction: text, rules: { type: 'array', items: accessRule, maxItems: 10_000, default: [] } } },
    privateEndpoints: { type: 'array', items: { type: 'object', properties: { id: text, status: text } }, maxItems: 10_000 },
    identity: text,
    authentication: { type: 'object', properties: { enabled: { type: 'boolean' }, requireAuthentication: { type: 'boolean' }, unauthenticatedClientAction: text } },
    localAuthDisabled: { type: 'boolean' },
    errors,
  },
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
    subscriptions: { type: 'array', items: subscription, default: [] },
    services: { type: 'array', items: service, default: [] },
    assessments: { type: 'array', items: assessment, default: [] },
    errors,
    healthyAssessments: { type: 'boolean' },
    attackPaths: { type: 'array', items: attackPath },
    backendHosts: { type: 'array', items: name, maxItems: 100_000 },
    backendResources: { type: 'array', items: backendResource },
  },
} as const;
