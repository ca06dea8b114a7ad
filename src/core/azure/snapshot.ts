// A snapshot of what Azure has: the deployed APIM inventory and what Defender says about it. It is
// plain, versioned JSON so that `scan --snapshot` and the editor can work offline from it. It never
// holds tokens, subscription keys, secret named values or backend credentials.
import * as fs from 'fs';
import * as path from 'path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { DefenderRisk } from '../findings';
import type { JsonPath, ParsedDocument } from '../parse/document';
import type { InputProblem } from '../problems';
import { SNAPSHOT_SCHEMA } from './snapshotSchema';
import { parseJson } from '../parse/json';

export const SNAPSHOT_KIND = 'apim-posture/deployed-snapshot';
export const SNAPSHOT_VERSION = 1;
/** Where `scan` looks for a snapshot when none is named. */
export const DEFAULT_SNAPSHOT_PATH = '.apim-posture/snapshot.json';

export interface DeployedSnapshot {
  kind: typeof SNAPSHOT_KIND;
  version: typeof SNAPSHOT_VERSION;
  /** ISO time the snapshot was taken. */
  createdAt: string;
  /** The ARM endpoint it was read from. */
  endpoint: string;
  subscriptions: SnapshotSubscription[];
  services: DeployedService[];
  /** Defender assessments of APIM resources (and of the subscriptions' Defender for APIs plan). */
  assessments: DeployedAssessment[];
  /** What could not be read outside any one subscription (Resource Graph, assessment metadata). */
  errors: SnapshotError[];
  /** Whether Healthy and NotApplicable assessments were asked for (`--include-healthy`); absent: they were not. */
  healthyAssessments?: boolean;
  /** Defender's attack paths that pass through an API Management service; absent: not read (a snapshot of an older version). */
  attackPaths?: DeployedAttackPath[];
  /** The host names the deployed services call (service URLs, backends, `set-backend-service` base URLs) that Resource Graph was asked about; absent: not asked (a snapshot of an older version). */
  backendHosts?: string[];
  /** The Azure resources behind those hosts that Resource Graph found; absent: not read (the failure, if any, is in `errors`). */
  backendResources?: DeployedBackendResource[];
}

/**
 * An Azure resource a deployed service calls, as Resource Graph (`resources`) and, for App Service
 * sites, ARM (`config/web`, `config/authsettingsV2`, `privateEndpointConnections`) describe it. Absent
 * fields were not told; a read that failed is in `errors`.
 */
export interface DeployedBackendResource {
  /** ARM id, lower case as Resource Graph returns it. */
  id: string;
  name: string;
  /** Lower case: `microsoft.web/sites`, `microsoft.app/containerapps`, `microsoft.logic/workflows`, `microsoft.cognitiveservices/accounts`, `microsoft.servicebus/namespaces`, `microsoft.storage/storageaccounts`. */
  type: string;
  /** `functionapp,linux`, `functionapp,workflowapp`, `OpenAI`, `StorageV2`… */
  kind?: string;
  /** The host names it answers on: its default host name(s), ingress FQDN, or endpoints' hosts. */
  hostNames: string[];
  /** A Consumption workflow's access endpoint (`https://prod-00.<region>.logic.azure.com:443/workflows/<id>`): its host is shared by every workflow of the region. */
  accessEndpoint?: string;
  /** `Enabled` or `Disabled` as Azure says; a container app without external ingress is `Disabled`. */
  publicNetworkAccess?: string;
  /** Inbound rules: a site's `ipSecurityRestrictions`, a container app's ingress `ipSecurityRestrictions`, an account's `networkAcls`, a workflow's allowed caller IPs. */
  accessRestrictions?: DeployedAccessRestrictions;
  /** Private endpoint connections and their state (`Approved`, `Pending`…). */
  privateEndpoints?: { id?: string; status?: string }[];
  /** `identity.type`: `SystemAssigned`, `UserAssigned`, `None`. */
  identity?: string;
  /** App Service authentication (`authsettingsV2`): sites only. */
  authentication?: { enabled?: boolean; requireAuthentication?: boolean; unauthenticatedClientAction?: string };
  /** Shared keys turned off (`disableLocalAuth`, `allowSharedKeyAccess: false`): only Entra ID tokens are accepted. */
  localAuthDisabled?: boolean;
  errors: SnapshotError[];
}

export interface DeployedAccessRestrictions {
  /** `Allow` or `Deny`: what applies to a call no rule matches. */
  defaultAction?: string;
  rules: DeployedAccessRule[];
}

/** One inbound rule, in App Service's shape (`IpSecurityRestriction`); others are mapped to it. */
export interface DeployedAccessRule {
  name?: string;
  /** `Allow` or `Deny`. */
  action?: string;
  /** `Default` (an IP range), `ServiceTag` (`ipAddress` names the tag), `XffProxy`. */
  tag?: string;
  ipAddress?: string;
  vnetSubnetResourceId?: string;
  priority?: number;
}

/** A part of Azure as the snapshot knows it: read, failed (with the error), or not asked for (with why). */
export interface SnapshotPart {
  /** `assessments`, `healthyAssessments`, `attackPaths`, `backendResources`, or per subscription `plan`, `onboarding`, `services`. */
  part: 'assessments' | 'healthyAssessments' | 'attackPaths' | 'backendResources' | 'plan' | 'onboarding' | 'services';
  scope: string;
  state: 'read' | 'failed' | 'not-asked';
  error?: SnapshotError;
  reason?: string;
}

export interface SnapshotSubscription {
  id: string;
  displayName?: string;
  /** `Microsoft.Security/pricings/Api`; absent when it could not be read. */
  defenderForApis?: { pricingTier: string; subPlan?: string };
  /** What could not be read in this subscription: the rest of the snapshot stays usable. */
  errors: SnapshotError[];
}

export interface SnapshotError {
  /** What was being read: `services`, `pricing`, `apiCollections`, `inventory`, `assessments`, `assessmentsMetadata`. */
  operation: string;
  /** The ARM id (or scope) the failure is about. */
  scope: string;
  status?: number;
  code?: string;
  message: string;
}

export interface DeployedPolicy {
  /** The policy as APIM stores it (`format=rawxml`). */
  value: string;
  /** The ETag read with it: a push sends it as `If-Match`. */
  etag?: string;
  /** When APIM Posture pushed it (ISO time): Defender's assessments in the snapshot predate it. */
  pushedAt?: string;
}

export interface DeployedService {
  /** ARM id. */
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location?: string;
  sku?: string;
  gatewayUrl?: string;
  policy?: DeployedPolicy;
  apis: DeployedApi[];
  products: DeployedProduct[];
  subscriptions: DeployedApimSubscription[];
  backends: DeployedBackend[];
  namedValues: DeployedNamedValue[];
  fragments: DeployedFragment[];
  /** Defender for APIs onboarding (`Microsoft.Security/apiCollections`, one per onboarded API). */
  apiCollections: DeployedApiCollection[];
  errors: SnapshotError[];
}

export interface DeployedApi {
  /** APIM API id, `;rev=N` included for non-current revisions. */
  name: string;
  displayName?: string;
  path?: string;
  apiType?: string;
  protocols?: string[];
  serviceUrl?: string;
  subscriptionRequired?: boolean;
  apiRevision?: string;
  isCurrent?: boolean;
  apiVersion?: string;
  apiVersionSetId?: string;
  /** When APIM Posture last pushed its properties (ISO time): Defender's assessments in the snapshot predate it. */
  pushedAt?: string;
  operations: DeployedOperation[];
  policy?: DeployedPolicy;
}

export interface DeployedOperation {
  name: string;
  displayName?: string;
  method?: string;
  urlTemplate?: string;
  policy?: DeployedPolicy;
}

export interface DeployedProduct {
  name: string;
  displayName?: string;
  subscriptionRequired?: boolean;
  state?: string;
  apis: string[];
  policy?: DeployedPolicy;
}

/** An APIM subscription: its scope and state, never its keys. */
export interface DeployedApimSubscription {
  name: string;
  displayName?: string;
  scope?: string;
  state?: string;
}

/** A backend: its URL and TLS settings, and which kinds of credentials it has, never their values. */
export interface DeployedBackend {
  name: string;
  url?: string;
  protocol?: string;
  validateCertificateChain?: boolean;
  validateCertificateName?: boolean;
  credentialKinds: string[];
}

/** A named value; a secret one never has its value, only whether it comes from Key Vault. */
export interface DeployedNamedValue {
  name: string;
  displayName?: string;
  secret: boolean;
  keyVaultSecretIdentifier?: string;
  value?: string;
}

export interface DeployedFragment {
  name: string;
  description?: string;
  policy?: DeployedPolicy;
}

export interface DeployedApiCollection {
  /** The APIM API id the collection is named after. */
  apiName: string;
  displayName?: string;
  provisioningState?: string;
  discoveredVia?: string;
  baseUrl?: string;
  numberOfApiEndpoints?: number;
  numberOfInactiveApiEndpoints?: number;
  numberOfUnauthenticatedApiEndpoints?: number;
  numberOfExternalApiEndpoints?: number;
  numberOfApiEndpointsWithSensitiveDataExposed?: number;
  sensitivityLabel?: string;
}

export interface DeployedAssessment {
  /** Assessment key (the `Microsoft.Security/assessments` resource name). */
  key: string;
  /** ARM id of the assessed resource (lower case, as Resource Graph returns it). */
  resourceId: string;
  /** `Healthy`, `Unhealthy` or `NotApplicable`. */
  status: string;
  severity?: string;
  displayName?: string;
  cause?: string;
  description?: string;
  /** From `assessmentsMetadata`. */
  remediation?: string;
  portalUri?: string;
  /** When Defender first assessed the resource, and when its status last changed (ISO times). */
  firstEvaluationDate?: string;
  statusChangeDate?: string;
  /** Defender's risk of the finding (assessments api-version 2025-05-04), when it gives one. */
  risk?: DefenderRisk;
  /** The assessment's `additionalData`, string values only: where Defender names the endpoint of a Function App or Logic App it assessed. */
  details?: Record<string, string>;
}

/**
 * One of Defender's attack paths through an API Management service, read from Resource Graph. Rows
 * come in two shapes: Defender CSPM's documented one (`potentialImpact`, `riskCategories`,
 * `graphComponent` with entry and target by internal id) and Exposure Management's (`riskLevel`,
 * `riskFactors`, `entryPoint`, `target`, `attackPathSteps`); both are mapped to this.
 */
export interface DeployedAttackPath {
  /** The attack path's ARM id. */
  id: string;
  displayName?: string;
  description?: string;
  /** `riskLevel`, or the classic shape's `potentialImpact`. */
  riskLevel?: string;
  /** `riskFactors`, or the classic shape's `riskCategories`. */
  riskFactors: string[];
  attackPathType?: string;
  remediation?: string;
  /** The resources on the path from the entry point to the target, in order where Defender gives it. */
  steps: AttackPathStep[];
  shape: 'defender-cspm' | 'exposure-management';
}

export interface AttackPathStep {
  /** The ARM id of the resource, where Defender names one (the internet, an identity have none). */
  resourceId?: string;
  name?: string;
  /** What it is, as Defender says (`microsoft.apimanagement/service/apis`, `Internet`). */
  type?: string;
}

export function emptySnapshot(endpoint: string, createdAt = new Date().toISOString()): DeployedSnapshot {
  return { kind: SNAPSHOT_KIND, version: SNAPSHOT_VERSION, createdAt, endpoint, subscriptions: [], services: [], assessments: [], errors: [] };
}

export function serializeSnapshot(snapshot: DeployedSnapshot): string {
  return JSON.stringify(snapshot, null, 2) + '\n';
}

/** Writes a snapshot file, its folder created, atomically: an editor re-analysing meanwhile never reads half a file. */
export function writeSnapshotFile(file: string, snapshot: DeployedSnapshot): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, serializeSnapshot(snapshot));
  fs.renameSync(temporary, file);
}

/** A snapshot read from a file, with its parsed document so that findings can point into it. */
export interface LoadedSnapshot {
  file: string;
  snapshot: DeployedSnapshot;
  document: ParsedDocument;
  /** The parts of the file the schema refused: dropped, each named by its JSON path. */
  problems: InputProblem[];
}

/** Dropped parts listed one by one; past this, counted. */
const MAX_LISTED_DROPS = 20;

/** Reads and checks a snapshot file; throws with a message fit for a user when it is not one. */
export function readSnapshotFile(file: string, text = fs.readFileSync(file, 'utf8')): LoadedSnapshot {
  const { document, problems } = parseJson(file, text);
  if (!document) throw new Error(`${file} is not a snapshot: ${problems[0]?.message ?? 'it is not JSON'}.`);
  const value = document.value as Partial<DeployedSnapshot> | null;
  if (!value || typeof value !== 'object' || value.kind !== SNAPSHOT_KIND) throw new Error(`${file} is not an APIM Posture snapshot (no "kind": "${SNAPSHOT_KIND}").`);
  if (value.version !== SNAPSHOT_VERSION) throw new Error(`${file} is a snapshot of version ${String(value.version).slice(0, 20)}; this version of APIM Posture reads version ${SNAPSHOT_VERSION}.`);
  // The document keeps the text's values for locations; the snapshot is a checked copy of them.
  const { snapshot, dropped } = checkSnapshot(structuredClone(value));
  if (!snapshot) throw new Error(`${file} is not a valid snapshot: ${dropped[0]?.message ?? 'its root is refused'}.`);
  const listed = dropped.slice(0, MAX_LISTED_DROPS).map(
    (part): InputProblem => ({
      file,
      span: document.valueSpan(part.path),
      kind: 'invalid-artifact',
      message: `The snapshot's ${pointerOf(part.path)} was left out: ${part.message}.`,
    }),
  );
  if (dropped.length > MAX_LISTED_DROPS) listed.push({ file, kind: 'invalid-artifact', message: `${dropped.length - MAX_LISTED_DROPS} more invalid parts of the snapshot were left out.` });
  return { file, snapshot, document, problems: listed };
}

/** A part of a snapshot the schema refused. */
export interface DroppedPart {
  path: JsonPath;
  message: string;
}

type Validator = ValidateFunction & { errors?: ErrorObject[] | null };
let validator: Validator | undefined;

/** Rounds of pruning: each drops what fails, which can make its container fail (a required name gone). */
const MAX_PRUNING_ROUNDS = 8;

/**
 * Checks `value` against the snapshot schema, dropping each part it refuses (an array item, or an
 * optional property) so that the rest stays usable; missing lists become empty. No snapshot when the
 * root itself is refused.
 */
export function checkSnapshot(value: unknown): { snapshot?: DeployedSnapshot; dropped: DroppedPart[] } {
  if (!validator) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- required here, not imported above: only a scan with a snapshot loads ajv
    const { default: Ajv } = require('ajv') as typeof import('ajv');
    validator = new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(SNAPSHOT_SCHEMA);
  }
  // Keyed by JSON pointer, as ajv names what it refuses: a required property dropped earlier is found in one lookup.
  const dropped = new Map<string, DroppedPart>();
  for (let round = 0; round < MAX_PRUNING_ROUNDS; round++) {
    if (validator(value)) return { snapshot: value as DeployedSnapshot, dropped: withoutCovered([...dropped.values()]) };
    const targets = new Map<string, DroppedPart>();
    for (const error of validator.errors ?? []) {
      const at = pathOf(value, error.instancePath);
      if (at.length === 0) return { dropped: [{ path: [], message: describe(error, dropped) }] };
      targets.set(pointerOf(at), { path: at, message: describe(error, dropped) });
    }
    // Deepest first, and the higher index of one array before the lower, so that each path still points where it did.
    const ordered = [...targets.values()].sort((a, b) => b.path.length - a.path.length || compareDescending(a.path, b.path));
    for (const target of ordered) {
      removeAt(value, target.path);
      dropped.set(pointerOf(target.path), target);
    }
  }
  return { dropped: [{ path: [], message: 'it is invalid in too many nested places' }] };
}

/** An error's message; a required property that was itself dropped tells why it was. */
function describe(error: ErrorObject, dropped: ReadonlyMap<string, DroppedPart>): string {
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    const earlier = dropped.get(`${error.instancePath}/${missing.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    return earlier ? `"${missing}" ${earlier.message}` : `it has no "${missing}"`;
  }
  return `${error.instancePath.split('/').pop() || 'the value'} ${error.message ?? 'is invalid'}`;
}

/** Parts whose container was dropped too are not listed again. */
function withoutCovered(parts: DroppedPart[]): DroppedPart[] {
  const pointers = new Set(parts.map((part) => pointerOf(part.path)));
  return parts.filter((part) => !part.path.some((_, index) => index < part.path.length - 1 && pointers.has(pointerOf(part.path.slice(0, index + 1)))));
}

function pathOf(root: unknown, pointer: string): JsonPath {
  const path: (string | number)[] = [];
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(node) ? Number(key) : key;
    path.push(segment);
    node = (node as Record<string | number, unknown> | undefined)?.[segment];
  }
  return path;
}

function removeAt(root: unknown, path: JsonPath): void {
  let parent = root as Record<string | number, unknown> | unknown[] | undefined;
  for (const segment of path.slice(0, -1)) parent = (parent as Record<string | number, unknown> | undefined)?.[segment] as typeof parent;
  const last = path[path.length - 1];
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else if (parent && typeof parent === 'object') delete (parent as Record<string | number, unknown>)[last];
}

function compareDescending(a: JsonPath, b: JsonPath): number {
  for (let index = 0; index < a.length; index++) {
    if (a[index] === b[index]) continue;
    return typeof a[index] === 'number' && typeof b[index] === 'number' ? (b[index] as number) - (a[index] as number) : String(b[index]).localeCompare(String(a[index]));
  }
  return 0;
}

function pointerOf(path: JsonPath): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('') || '/';
}
