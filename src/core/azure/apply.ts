// Writes to Azure, only when called explicitly (after the user confirmed): a policy, or an API's
// protocols and subscription requirement, pushed with If-Match on the ETag read before, with a
// backup of what it replaces, and a three-way conflict instead of an overwrite when someone changed
// it meanwhile, then recorded in the snapshot (one pipeline for both, `pushToAzure`); onboarding an API to Defender for APIs (a long-running PUT); enabling the Defender
// for APIs plan (it costs money).
import * as fs from 'fs';
import * as path from 'path';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import type { SecurityCenter } from '@azure/arm-security';
import type { ApiResource } from '../model';
import { armEndpoint, sendArm, throwIfAborted, type ArmConnection, type ServiceRef } from './arm';
import { API_COLLECTIONS_API_VERSION, apiCollection } from './defenderQueries';
import { normalizePolicy, protocolSet, type DriftItem } from './drift';
import type { ApiMapping } from './mapping';
import { readPolicy, scopePath, type PolicyScopeRef } from './policies';
import { recordApiProperties, recordPolicy, scopeLabel } from './record';
import type { DeployedApiCollection, DeployedService, DeployedSnapshot } from './snapshot';

/** Changed since it was loaded (seen when reading before the write), or between that read and the write (412). */
export type ConflictReason = 'changed-since-loaded' | 'precondition-failed';

/**
 * The outcome of a push guarded by an ETag. `T` is what is compared and shown in a conflict: the
 * policy text for `pushPolicy`, the API's properties for `pushApiProperties`.
 */
export type PushResult<T = string> =
  | { status: 'pushed'; etag?: string; backupFile?: string }
  /** Azure already has what was to be pushed (a policy's whitespace aside): nothing was written. */
  | { status: 'unchanged'; etag?: string }
  /**
   * Someone changed the resource since it was read: nothing was written. `base` is what was read before
   * (when known), `local` what was to be pushed, `remote` what Azure has now (undefined: deleted).
   */
  | { status: 'conflict'; reason: ConflictReason; base?: T; local: T; remote?: T; remoteETag?: string };

export interface GuardedPushOptions<T> {
  /** What was loaded (from the snapshot): the base of a three-way conflict. */
  base?: T;
  abortSignal?: AbortSignal;
  /** Time stamp of the backup's name (tests). */
  now?: Date;
}

export interface PushOptions extends GuardedPushOptions<string>, Pick<ArmConnection, 'endpoint'> {}

/** What a guarded push needs to know about the resource it may replace. */
interface GuardedResource<T> {
  /** The deployed resource: its comparable value, its ETag and the text kept as a backup; undefined when it does not exist. */
  read(): Promise<{ value: T; etag?: string; backup: string } | undefined>;
  /** Whether two values are the same for this push (a policy's whitespace, the order of protocols, aside). */
  same(a: T, b: T): boolean;
  /** Writes with If-Match on `ifMatch` (a 412 throws) and returns the new ETag. */
  write(ifMatch: string | undefined): Promise<string | undefined>;
  backup: BackupName;
}

/**
 * What the push was prepared against: the ETag read with it, or, where the read carried no ETag (an
 * API list), the value read; then the resource counts as unchanged while its value is that one.
 */
type Loaded<T> = { etag: string | undefined } | { value: T };

/**
 * The contract every push shares: write only if the deployed resource is still what was loaded,
 * keep a backup of what is replaced, and answer a change made in the meantime (seen before writing,
 * or as a 412) with a three-way conflict instead of overwriting.
 */
async function guardedPush<T>(resource: GuardedResource<T>, local: T, loaded: Loaded<T>, backupFolder: string, options: GuardedPushOptions<T>): Promise<PushResult<T>> {
  const current = await resource.read();
  const conflict = (reason: ConflictReason, remote: { value: T; etag?: string } | undefined): PushResult<T> => ({
    status: 'conflict',
    reason,
    base: options.base ?? ('value' in loaded ? loaded.value : undefined),
    local,
    remote: remote?.value,
    remoteETag: remote?.etag,
  });
  const changed = 'etag' in loaded ? current?.etag !== loaded.etag : !current || !resource.same(current.value, loaded.value);
  if (changed) return conflict('changed-since-loaded', current);
  if (current && resource.same(current.value, local)) return { status: 'unchanged', etag: current.etag };

  const backupFile = current ? writeBackup(backupFolder, resource.backup, current.backup, options.now ?? new Date()) : undefined;
  throwIfAborted(options.abortSignal);
  try {
    // Loaded by value: If-Match on the ETag just read still stops a change between this read and the write.
    return { status: 'pushed', etag: await resource.write('etag' in loaded ? loaded.etag : current?.etag), backupFile };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 412) throw error;
    // Changed between the read and the write: show what it is now instead of overwriting.
    if (backupFile) fs.rmSync(backupFile, { force: true });
    return conflict('precondition-failed', await resource.read());
  }
}

/**
 * Pushes `localXml` to a policy scope if, and only if, the deployed policy still has `expectedETag`
 * (undefined: there was no policy). Before writing, the deployed policy is saved under `backupFolder`
 * as `<service>/<scope path>/policy.<time>.xml`.
 */
export async function pushPolicy(
  client: ApiManagementClient,
  target: PolicyScopeRef,
  localXml: string,
  expectedETag: string | undefined,
  backupFolder: string,
  options: PushOptions = {},
): Promise<PushResult> {
  const { abortSignal } = options;
  const endpoint = armEndpoint(options);
  const { resourceGroup: rg, serviceName: name, scope } = target;
  return guardedPush(
    {
      read: async () => {
        const policy = await readPolicy(client, endpoint, target, abortSignal);
        return policy && { ...policy, backup: policy.value };
      },
      same: (a, b) => normalizePolicy(a) === normalizePolicy(b),
      write: async (ifMatch) => {
        const parameters = { format: 'rawxml' as const, value: localXml };
        const write = { ifMatch, abortSignal };
        const response =
          scope.kind === 'global'
            ? await client.policy.createOrUpdate(rg, name, 'policy', parameters, write)
            : scope.kind === 'product'
              ? await client.productPolicy.createOrUpdate(rg, name, scope.product, 'policy', parameters, write)
              : scope.kind === 'api'
                ? await client.apiPolicy.createOrUpdate(rg, name, scope.api, 'policy', parameters, write)
                : await client.apiOperationPolicy.createOrUpdate(rg, name, scope.api, scope.operation, 'policy', parameters, write);
        return response.eTag;
      },
      backup: { serviceName: name, segments: scopePath(scope), name: 'policy', extension: 'xml' },
    },
    localXml,
    { etag: expectedETag },
    backupFolder,
    options,
  );
}

/** An API of a service (`orders`, `catalog;rev=2`). */
export type ApiRef = ServiceRef & { api: string };

/** The API properties a push may change: those Defender's recommendations on authenticated endpoints (subscription key) and encrypted protocols read. */
export interface ApiProperties {
  protocols?: string[];
  subscriptionRequired?: boolean;
}

/**
 * Changes an API's `protocols` and/or `subscriptionRequired` (PATCH, only the properties given) if,
 * and only if, the API still has the values of those properties it had when loaded (`loaded`, from
 * the snapshot: APIM's API list carries no ETags, and a request per API to read them would double the
 * cost of a load). The PATCH sends If-Match with the ETag read just before it, so a change in between
 * is a 412, reported as a conflict too. The API's JSON as ARM returned it is saved under
 * `backupFolder` as `<service>/apis/<api>/api.<time>.json` before writing.
 */
export async function pushApiProperties(
  client: ApiManagementClient,
  target: ApiRef,
  properties: ApiProperties,
  loaded: ApiProperties,
  backupFolder: string,
  options: GuardedPushOptions<ApiProperties> = {},
): Promise<PushResult<ApiProperties>> {
  const { abortSignal } = options;
  const { resourceGroup: rg, serviceName: name, api } = target;
  // Only the properties being pushed count: a change of another one in Azure is no conflict.
  const same = (a: ApiProperties, b: ApiProperties) =>
    (properties.protocols === undefined || protocolSet(a.protocols) === protocolSet(b.protocols)) &&
    (properties.subscriptionRequired === undefined || (a.subscriptionRequired ?? true) === (b.subscriptionRequired ?? true));
  return guardedPush(
    {
      read: () => readApi(client, target, abortSignal),
      same,
      write: async (ifMatch) => {
        const update = { protocols: properties.protocols, subscriptionRequired: properties.subscriptionRequired };
        return (await client.api.update(rg, name, api, ifMatch ?? '*', update, { abortSignal })).eTag;
      },
      backup: { serviceName: name, segments: ['apis', api], name: 'api', extension: 'json' },
    },
    properties,
    { value: loaded },
    backupFolder,
    options,
  );
}

/** An API's properties and ETag (`client.api.get`), and its JSON exactly as ARM sent it for the backup; undefined on 404. */
async function readApi(client: ApiManagementClient, target: ApiRef, abortSignal?: AbortSignal): Promise<{ value: ApiProperties; etag?: string; backup: string } | undefined> {
  let body = '';
  try {
    const api = await client.api.get(target.resourceGroup, target.serviceName, target.api, { abortSignal, onResponse: (response) => void (body = response.bodyAsText ?? '') });
    return { value: { protocols: api.protocols, subscriptionRequired: api.subscriptionRequired }, etag: api.eTag, backup: body };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** A push the repository asks for: a policy file to the scope it is deployed to, or an API's properties from the file that declares them. */
export type PushRequest = PolicyPush | ApiPropertiesPush;

export interface PolicyPush {
  kind: 'policy';
  /** The scope, as `scopeLabel` names it. */
  label: string;
  target: PolicyScopeRef;
  /** The policy text to push. */
  local: string;
  /** The deployed policy and its ETag as the snapshot has them; undefined when the scope had none. */
  loaded?: string;
  etag?: string;
}

export interface ApiPropertiesPush {
  kind: 'api-properties';
  /** `<service>/apis/<deployed api>`. */
  label: string;
  target: ApiRef;
  local: ApiProperties;
  /** The same properties as the snapshot has them deployed. */
  loaded: ApiProperties;
}

/** Why there is nothing to push. */
export interface NothingToPush {
  nothing: string;
}

/** The push of a policy file whose deployed counterpart differs (`drift`: its `policy-differs` item, if any), with `text` the file's. */
export function policyPush(drift: DriftItem | undefined, file: string, text: string): PolicyPush | NothingToPush {
  if (!drift?.target || drift.local === undefined) {
    return {
      nothing: drift
        ? 'this scope has a policy in Azure but none in the repository; removing it is not done from here.'
        : `${path.basename(file)} is what is deployed (or it is not mapped to a deployed scope); nothing to push.`,
    };
  }
  return { kind: 'policy', label: scopeLabel(drift.target), target: drift.target, local: text, loaded: drift.deployed, etag: drift.etag };
}

/** The push of the protocols and subscription requirement a local API declares to the deployed API it is mapped to. */
export function apiPropertiesPush(api: ApiResource, service: DeployedService, mappings: readonly ApiMapping[]): ApiPropertiesPush | NothingToPush {
  const deployedName = mappings.find((mapping) => mapping.local === api.name)?.deployed?.api;
  const remote = deployedName && service.apis.find((candidate) => candidate.name.toLowerCase() === deployedName.toLowerCase());
  const local: ApiProperties = {};
  if (api.protocols) local.protocols = api.protocols.value;
  if (api.subscriptionRequired) local.subscriptionRequired = api.subscriptionRequired.value;
  if (!remote || Object.keys(local).length === 0) {
    return { nothing: `API ${api.name} ${remote ? 'declares no protocols or subscription requirement' : 'is not mapped to a deployed API'}; nothing to push.` };
  }
  const loaded: ApiProperties = {
    ...(local.protocols ? { protocols: remote.protocols } : {}),
    ...(local.subscriptionRequired !== undefined ? { subscriptionRequired: remote.subscriptionRequired ?? true } : {}),
  };
  const target = { subscriptionId: service.subscriptionId, resourceGroup: service.resourceGroup, serviceName: service.name, api: remote.name };
  return { kind: 'api-properties', label: `${service.name}/apis/${remote.name}`, target, local, loaded };
}

export type PushToAzureResult = PushResult | PushResult<ApiProperties>;

/**
 * Pushes what a request asks for, guarded by what was loaded and with a backup of what it replaces,
 * and records what Azure then has in `snapshot` (a conflict leaves it as it is), so that the drift and
 * the findings follow before the next load.
 */
export async function pushToAzure(client: ApiManagementClient, snapshot: DeployedSnapshot, request: PushRequest, backupFolder: string, options: Omit<PushOptions, 'base'> = {}): Promise<PushToAzureResult> {
  const now = options.now ?? new Date();
  const guarded = { abortSignal: options.abortSignal, now };
  if (request.kind === 'policy') {
    const result = await pushPolicy(client, request.target, request.local, request.etag, backupFolder, { ...guarded, endpoint: options.endpoint, base: request.loaded });
    if (result.status !== 'conflict') recordPolicy(snapshot, request.target, { value: request.local, etag: result.etag, pushedAt: now.toISOString() });
    return result;
  }
  const result = await pushApiProperties(client, request.target, request.local, request.loaded, backupFolder, guarded);
  if (result.status !== 'conflict') recordApiProperties(snapshot, request.target, request.local, now.toISOString());
  return result;
}

/** What a push compares, as the text a diff shows: the policy, or the API's properties as JSON. */
export function pushedText(value: string | ApiProperties): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2) + '\n';
}

/** Where a backup goes: `<backupFolder>/<service>/<segments>/<name>.<time>.<extension>`. */
interface BackupName {
  serviceName: string;
  segments: string[];
  name: string;
  extension: string;
}

/** Keeps what a push replaces, so that it is never lost; a policy and an API share the folder of their scope. */
function writeBackup(backupFolder: string, backup: BackupName, text: string, now: Date): string {
  const folder = path.join(backupFolder, safeSegment(backup.serviceName), ...backup.segments.map(safeSegment));
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `${backup.name}.${now.toISOString().replace(/[:.]/g, '-')}.${backup.extension}`);
  fs.writeFileSync(file, text, { flag: 'wx' });
  return file;
}

// Names come from Azure: never let one climb out of the backup folder or break a Windows path.
function safeSegment(segment: string): string {
  const safe = segment.replace(/[<>:"/\\|?*\u0000-\u001f]/g, '_');
  return safe === '.' || safe === '..' || safe === '' ? '_' : safe;
}

export interface OnboardOptions extends Pick<ArmConnection, 'endpoint'> {
  abortSignal?: AbortSignal;
  /** Wait between polls when the service sends no Retry-After (default 2 s). */
  pollIntervalMs?: number;
  /** Give up after this long (default 5 minutes). */
  timeoutMs?: number;
}

/**
 * Onboards an API to Defender for APIs: PUT `apiCollections/{api}` (api-version 2023-11-15) through the
 * SecurityCenter client's pipeline, then polls the `location` it returns until the collection exists.
 */
export async function onboardApi(client: SecurityCenter, service: ServiceRef, apiName: string, options: OnboardOptions = {}): Promise<DeployedApiCollection> {
  const { abortSignal } = options;
  const base = `${armEndpoint(options)}/subscriptions/${service.subscriptionId}/resourceGroups/${service.resourceGroup}/providers/Microsoft.ApiManagement/service/${service.serviceName}`;
  const url = `${base}/providers/Microsoft.Security/apiCollections/${encodeURIComponent(apiName)}?api-version=${API_COLLECTIONS_API_VERSION}`;
  let response = await sendArm(client, url, 'PUT', abortSignal);
  const deadline = Date.now() + (options.timeoutMs ?? 5 * 60 * 1000);
  const poll = response.header('location') ?? response.header('azure-asyncoperation');
  while (response.status === 202 || (response.status === 201 && !isCollection(response.body))) {
    if (!poll) break;
    if (Date.now() > deadline) throw new Error(`Onboarding ${apiName} did not finish in time; it may still complete in Azure.`);
    await delay(retryAfterMs(response.header('retry-after')) ?? options.pollIntervalMs ?? 2000, abortSignal);
    response = await sendArm(client, poll, 'GET', abortSignal);
  }
  // With final-state-via location the last poll holds the collection; if it did not, read it.
  if (!isCollection(response.body)) response = await sendArm(client, url, 'GET', abortSignal);
  return apiCollection(response.body as Parameters<typeof apiCollection>[0]);
}

function isCollection(body: unknown): boolean {
  return typeof body === 'object' && body !== null && typeof (body as { name?: unknown }).name === 'string';
}

function retryAfterMs(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(): Error {
  const error = new Error('The operation was cancelled.');
  error.name = 'AbortError';
  return error;
}

/** Turns the Defender for APIs plan on for the client's subscription (Standard tier; plan P1 unless told). It is billed. */
export async function enableDefenderForApis(client: SecurityCenter, options: { subPlan?: string; abortSignal?: AbortSignal } = {}): Promise<{ pricingTier?: string; subPlan?: string }> {
  const pricing = await client.pricings.update('Api', { pricingTier: 'Standard', subPlan: options.subPlan ?? 'P1' }, { abortSignal: options.abortSignal });
  return { pricingTier: pricing.pricingTier, subPlan: pricing.subPlan };
}
