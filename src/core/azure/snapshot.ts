// A snapshot of what Azure has: the deployed APIM inventory and what Defender says about it. It is
// plain, versioned JSON so that `scan --snapshot` and the editor can work offline from it. It never
// holds tokens, subscription keys, secret named values or backend credentials.
import * as fs from 'fs';
import * as path from 'path';
import type { ParsedDocument } from '../parse/document';
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
}

/** Reads and checks a snapshot file; throws with a message fit for a user when it is not one. */
export function readSnapshotFile(file: string, text = fs.readFileSync(file, 'utf8')): LoadedSnapshot {
  const { document, problems } = parseJson(file, text);
  if (!document) throw new Error(`${file} is not a snapshot: ${problems[0]?.message ?? 'it is not JSON'}.`);
  const value = document.value as Partial<DeployedSnapshot> | null;
  if (!value || typeof value !== 'object' || value.kind !== SNAPSHOT_KIND) throw new Error(`${file} is not an APIM Posture snapshot (no "kind": "${SNAPSHOT_KIND}").`);
  if (value.version !== SNAPSHOT_VERSION) throw new Error(`${file} is a snapshot of version ${value.version}; this version of APIM Posture reads version ${SNAPSHOT_VERSION}.`);
  const snapshot: DeployedSnapshot = {
    ...(value as DeployedSnapshot),
    subscriptions: value.subscriptions ?? [],
    services: value.services ?? [],
    assessments: value.assessments ?? [],
    errors: value.errors ?? [],
  };
  return { file, snapshot, document };
}
