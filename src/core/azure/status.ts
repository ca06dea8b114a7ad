// How much a merged snapshot of Azure can be trusted: when it was taken, and what Azure did not
// answer then. Every report shows it, so that a partial or old view of Defender is never silent.
import { snapshotParts } from './failedReads';
import type { LoadedSnapshot, SnapshotError, SnapshotPart } from './snapshot';
import { summarizeSnapshot } from './summary';

/** Past this many days a snapshot is called stale, unless configured otherwise. */
export const DEFAULT_SNAPSHOT_MAX_AGE_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface SnapshotStatus {
  /** Absolute path of the snapshot file. */
  file: string;
  /** When it was taken, as the snapshot says (ISO time). */
  createdAt: string;
  /** Whole days between `createdAt` and the scan; absent when `createdAt` is no date. */
  ageDays?: number;
  maxAgeDays: number;
  /** Older than `maxAgeDays`, or of no known age: Defender's view may have changed since. */
  stale: boolean;
  /** Every read that failed when it was taken: what depends on them is missing or unknown. */
  unread: SnapshotError[];
  /** Each part of Azure: read, failed (with the error) or not asked for (with why). */
  parts: SnapshotPart[];
}

export function snapshotStatus(loaded: LoadedSnapshot, now: Date, maxAgeDays = DEFAULT_SNAPSHOT_MAX_AGE_DAYS): SnapshotStatus {
  const taken = Date.parse(loaded.snapshot.createdAt);
  // A snapshot from a clock ahead of this one is of age 0, not negative.
  const ageDays = Number.isNaN(taken) ? undefined : Math.max(0, Math.floor((now.getTime() - taken) / DAY_MS));
  return {
    file: loaded.file,
    createdAt: loaded.snapshot.createdAt,
    ageDays,
    maxAgeDays,
    stale: ageDays === undefined || ageDays > maxAgeDays,
    unread: summarizeSnapshot(loaded.snapshot).errors,
    parts: snapshotParts(loaded.snapshot),
  };
}
