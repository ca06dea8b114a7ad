// The scan of every commit of a folder's first-parent history, oldest first, incrementally: each
// commit's tree is the previous one moved by their difference, only changed blobs are read, and the
// parse cache is shared, so that a file no commit touched is parsed once for the whole walk.
import * as path from 'path';
import { SEVERITY_ORDER, type Severity } from '../findings';
import type { FirstAppearance, FindingHistory } from '../goals/goal';
import { ParseCache } from '../parse/cache';
import type { TrendPoint } from '../report/contract';
import type { ScanResult } from '../report/scanResult';
import { scan, TOOL_VERSION, type ScanOptions } from '../scan';
import { DEFAULT_MAX_FILE_BYTES } from '../workspace/files';
import { readWalkRecord, writeWalkRecord } from './cache';
import { checkRepository, firstParentHistory, listTree, ObjectReader, type Commit } from './git';
import { GitTreeSource } from './gitTreeSource';

/** The commits walked at most: the newest ones; older ones are said as left out. */
export const DEFAULT_MAX_COMMITS = 1000;

export interface WalkOptions {
  /** Only commits at or after this date. */
  since?: Date;
  maxCommits?: number;
  /** One point per commit, or per day (the day's last commit, in UTC). */
  per?: 'commit' | 'day';
  /** How each commit is scanned (the snapshot, the rules); files, cache and "now" are the walk's. */
  scan?: Pick<ScanOptions, 'snapshot' | 'snapshotMaxAgeDays' | 'settings'>;
  /** Keep what the walk found for the next run, and start from what the last one kept (cache.ts). */
  keep?: boolean;
}

export interface HistoryWalk {
  points: TrendPoint[];
  /** When each finding id first appeared among the walked commits. */
  history: FindingHistory;
  /** How many commits the walk covers (scanned now, or by an earlier run that kept them). */
  commits: number;
}

/** Walks the history of `folder` up to HEAD; throws HistoryUnavailable when git or the repository is missing. */
export async function walkHistory(folder: string, options: WalkOptions = {}): Promise<HistoryWalk> {
  const root = path.resolve(folder);
  await checkRepository(root);
  const maxCommits = options.maxCommits ?? DEFAULT_MAX_COMMITS;
  const { commits, cut } = await firstParentHistory(root, { since: options.since, maxCount: maxCommits });
  const firstSeen = new Map<string, FirstAppearance>();
  // Each commit's goals are measured as of its date, with the first appearances found before it.
  const history: FindingHistory = { firstSeen, notes: [] };
  const points: TrendPoint[] = [];
  // A walk cut by --since is kept apart from the whole history's, which scan and goals continue.
  const key = `${root}\0${TOOL_VERSION}\0${JSON.stringify(options.scan ?? {})}\0${options.since ? 'since' : ''}\0${maxCommits}`;
  const kept = options.keep ? readWalkRecord(key) : undefined;
  // A kept walk is continued when it started at the same commit and its last commit is still in the history.
  const resumeAt = kept && kept.first === commits[0]?.id ? commits.findIndex((commit) => commit.id === kept.head) : -1;
  if (kept && resumeAt >= 0 && kept.points.length === resumeAt + 1) {
    for (const [id, appearance] of kept.firstSeen) firstSeen.set(id, appearance);
    points.push(...kept.points);
  }
  const objects = new ObjectReader(root);
  try {
    const source = new GitTreeSource(root, objects, DEFAULT_MAX_FILE_BYTES);
    const cache = new ParseCache();
    let previous: Commit | undefined;
    if (points.length > 0 && points.length < commits.length) {
      previous = commits[points.length - 1];
      await source.apply(await listTree(root, previous.id));
    }
    for (const commit of commits.slice(points.length)) {
      await source.apply(previous ? commit.changes : await listTree(root, commit.id));
      const result = scan(root, { ...options.scan, source, cache, now: new Date(commit.date), history });
      for (const finding of result.findings) if (!finding.suppression && !firstSeen.has(finding.id)) firstSeen.set(finding.id, { commit: commit.id, date: commit.date });
      points.push(trendPoint(commit, result));
      previous = commit;
    }
  } finally {
    objects.close();
  }
  if (options.keep && commits.length > 0) writeWalkRecord(key, { first: commits[0].id, head: commits[commits.length - 1].id, firstSeen: [...firstSeen], points });
  const notes: string[] = [];
  const first = commits[0];
  if (cut || options.since) {
    const why = cut ? `the ${maxCommits} newest commits were walked` : `commits before ${options.since!.toISOString().slice(0, 10)} were not walked`;
    notes.push(`${why}: a finding already present in ${first ? `the first walked commit (${first.id.slice(0, 12)} of ${first.date.slice(0, 10)})` : 'the history'} may be older than its age says.`);
  }
  history.notes.push(...notes);
  const shown = new Set((options.per === 'day' ? lastOfEachDay(commits) : commits).map((commit) => commit.id));
  return { points: points.filter((point) => shown.has(point.commit)), history, commits: commits.length };
}

/** The last commit of each day (UTC) of the committer dates. */
function lastOfEachDay(commits: readonly Commit[]): Commit[] {
  const byDay = new Map<string, Commit>();
  for (const commit of commits) byDay.set(commit.date.slice(0, 10), commit);
  return [...byDay.values()];
}

/** A commit's unsuppressed findings by severity and its goals met. */
function trendPoint(commit: Commit, result: ScanResult): TrendPoint {
  const findings = Object.fromEntries(SEVERITY_ORDER.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const finding of result.findings) if (!finding.suppression) findings[finding.severity]++;
  return { date: commit.date, commit: commit.id, findings, goalsMet: (result.goals ?? []).filter((goal) => goal.met).length, goals: result.goals?.length };
}
