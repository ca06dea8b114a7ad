// What every read of a load shares: its clients and options, progress, and how a failed read is recorded.
import { armFailure, isAbort, throwIfAborted, type ArmConnection } from './arm';
import type { LoadClients } from './clients';
import type { SnapshotError } from './snapshot';

export interface LoadProgress {
  phase: 'subscriptions' | 'inventory' | 'assessments' | 'metadata';
  message: string;
  subscriptionId?: string;
}

export interface LoadOptions extends ArmConnection {
  abortSignal?: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
  /** Requests in flight at once per subscription (default 16). */
  concurrency?: number;
  /** Keep Healthy and NotApplicable assessments too; by default Resource Graph returns Unhealthy ones only. */
  includeHealthyAssessments?: boolean;
  /** Time stamp of the snapshot (tests). */
  now?: Date;
}

export interface LoadContext {
  clients: LoadClients;
  options: LoadOptions;
  endpoint: string;
  progress(progress: LoadProgress): void;
}

/** Runs one read; a failure becomes a recorded error (cancellation still throws). */
export async function attempt<T>(context: LoadContext, errors: SnapshotError[], operation: string, scope: string, read: () => Promise<T>): Promise<T | undefined> {
  throwIfAborted(context.options.abortSignal);
  try {
    return await read();
  } catch (error) {
    if (isAbort(error, context.options.abortSignal)) throw error;
    errors.push({ operation, scope, ...armFailure(error) });
    return undefined;
  }
}
