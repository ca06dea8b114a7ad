// Resource Graph: every row of a query, page after page and 1,000 subscriptions a query; the
// subscriptions a credential can read.
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { TokenCredential } from '@azure/core-auth';
import type { ArmConnection } from './arm';
import { createClients } from './clients';
import { attempt, type LoadContext } from './loadContext';
import type { SnapshotError } from './snapshot';

/** Resource Graph accepts at most 1,000 subscriptions per query and returns at most 1,000 rows per page. */
const GRAPH_SUBSCRIPTIONS_PER_QUERY = 1000;
const GRAPH_PAGE_SIZE = 1000;

/** A subscription the credential can read. */
export interface ReadableSubscription {
  id: string;
  name?: string;
}

/** Every subscription the credential can read, with its display name (one Resource Graph query without a subscription list). */
export async function discoverSubscriptions(credential: TokenCredential, options: ArmConnection & { abortSignal?: AbortSignal } = {}): Promise<ReadableSubscription[]> {
  return readableSubscriptions(await allRows(createClients(credential, options).graph(), SUBSCRIPTIONS_QUERY, undefined, options.abortSignal));
}

const SUBSCRIPTIONS_QUERY = "resourcecontainers | where type == 'microsoft.resources/subscriptions' | project subscriptionId, name";

function readableSubscriptions(rows: Record<string, unknown>[]): ReadableSubscription[] {
  return rows.flatMap((row) => (typeof row.subscriptionId === 'string' ? [{ id: row.subscriptionId, name: typeof row.name === 'string' ? row.name : undefined }] : []));
}

/** Every row of a Resource Graph query, page after page (`skipToken`); over every readable subscription when `subscriptions` is undefined. */
async function allRows(graph: ResourceGraphClient, query: string, subscriptions: string[] | undefined, abortSignal?: AbortSignal): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let skipToken: string | undefined;
  do {
    const response = await graph.resources({ subscriptions, query, options: { resultFormat: 'objectArray', top: GRAPH_PAGE_SIZE, skipToken } }, { abortSignal });
    rows.push(...graphRows(response.data));
    skipToken = response.skipToken;
  } while (skipToken);
  return rows;
}

// The SDK's mapper types `data` as a dictionary, so an objectArray page arrives keyed "0", "1", ….
function graphRows(data: unknown): Record<string, unknown>[] {
  return data && typeof data === 'object' ? ((Array.isArray(data) ? data : Object.values(data)) as Record<string, unknown>[]) : [];
}

/** Subscription display names, for all subscriptions in one Resource Graph query. */
export async function subscriptionNames(context: LoadContext, subscriptions: string[], errors: SnapshotError[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const rows = await graphQuery(context, subscriptions, SUBSCRIPTIONS_QUERY, errors, 'subscriptions');
  for (const subscription of readableSubscriptions(rows)) if (subscription.name) names.set(subscription.id.toLowerCase(), subscription.name);
  return names;
}

/** Every row of a Resource Graph query over the subscriptions, 1,000 subscriptions a query; a failed query is recorded in `errors`. */
export async function graphQuery(context: LoadContext, subscriptions: string[], query: string, errors: SnapshotError[], operation: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const graph = context.clients.graph();
  for (let start = 0; start < subscriptions.length; start += GRAPH_SUBSCRIPTIONS_PER_QUERY) {
    const chunk = subscriptions.slice(start, start + GRAPH_SUBSCRIPTIONS_PER_QUERY);
    const chunkRows = await attempt(context, errors, operation, 'Microsoft.ResourceGraph/resources', () => allRows(graph, query, chunk, context.options.abortSignal));
    for (const row of chunkRows ?? []) rows.push(row);
  }
  return rows;
}
