// Writes to Azure, only when called explicitly (after the user confirmed): a policy pushed with
// If-Match on the ETag read before, with a backup of what it replaces, and a three-way conflict
// instead of an overwrite when someone changed the policy meanwhile; onboarding an API to Defender
// for APIs (a long-running PUT); enabling the Defender for APIs plan (it costs money).
import * as fs from 'fs';
import * as path from 'path';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import type { SecurityCenter } from '@azure/arm-security';
import { armEndpoint, throwIfAborted, type ArmConnection, type ServiceRef } from './arm';
import { API_COLLECTIONS_API_VERSION, apiCollection, sendArm } from './load';
import { normalizePolicy } from './merge';
import { readPolicy, scopePath, type PolicyScopeRef } from './policies';
import type { DeployedApiCollection, DeployedPolicy } from './snapshot';

export type PushResult =
  | { status: 'pushed'; etag?: string; backupFile?: string }
  /** The deployed policy already is the local one (whitespace aside): nothing was written. */
  | { status: 'unchanged'; etag?: string }
  /**
   * Someone changed the policy since it was read: nothing was written. `base` is what was read before
   * (when known), `local` what was to be pushed, `remote` what Azure has now (undefined: deleted).
   */
  | { status: 'conflict'; reason: 'etag-changed' | 'precondition-failed'; base?: string; local: string; remote?: string; remoteETag?: string };

export interface PushOptions extends Pick<ArmConnection, 'endpoint'> {
  /** The deployed text read together with `expectedETag` (from the snapshot): the base of a three-way conflict. */
  base?: string;
  abortSignal?: AbortSignal;
  /** Time stamp of the backup's name (tests). */
  now?: Date;
}

/**
 * Pushes `localXml` to a policy scope if, and only if, the deployed policy still has `expectedETag`
 * (undefined: there was no policy). Before writing, the deployed policy is saved under `backupFolder`.
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
  const current = await readPolicy(client, endpoint, target, abortSignal);
  const conflict = (reason: 'etag-changed' | 'precondition-failed', remote: DeployedPolicy | undefined): PushResult => ({
    status: 'conflict',
    reason,
    base: options.base,
    local: localXml,
    remote: remote?.value,
    remoteETag: remote?.etag,
  });
  if (current?.etag !== expectedETag) return conflict('etag-changed', current);
  if (current && normalizePolicy(current.value) === normalizePolicy(localXml)) return { status: 'unchanged', etag: current.etag };

  const backupFile = current ? writeBackup(backupFolder, target, current, options.now ?? new Date()) : undefined;
  throwIfAborted(abortSignal);
  try {
    const parameters = { format: 'rawxml' as const, value: localXml };
    const write = { ifMatch: expectedETag, abortSignal };
    const { resourceGroup: rg, serviceName: name, scope } = target;
    const response =
      scope.kind === 'global'
        ? await client.policy.createOrUpdate(rg, name, 'policy', parameters, write)
        : scope.kind === 'product'
          ? await client.productPolicy.createOrUpdate(rg, name, scope.product, 'policy', parameters, write)
          : scope.kind === 'api'
            ? await client.apiPolicy.createOrUpdate(rg, name, scope.api, 'policy', parameters, write)
            : await client.apiOperationPolicy.createOrUpdate(rg, name, scope.api, scope.operation, 'policy', parameters, write);
    return { status: 'pushed', etag: response.eTag, backupFile };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 412) throw error;
    // The policy changed between the read and the write: show what it is now instead of overwriting.
    if (backupFile) fs.rmSync(backupFile, { force: true });
    return conflict('precondition-failed', await readPolicy(client, endpoint, target, abortSignal));
  }
}

/** `<backupFolder>/<service>/<scope path>/policy.<time>.xml`: a replaced policy is never lost. */
function writeBackup(backupFolder: string, target: PolicyScopeRef, policy: DeployedPolicy, now: Date): string {
  const folder = path.join(backupFolder, safeSegment(target.serviceName), ...scopePath(target.scope).map(safeSegment));
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `policy.${now.toISOString().replace(/[:.]/g, '-')}.xml`);
  fs.writeFileSync(file, policy.value, { flag: 'wx' });
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
