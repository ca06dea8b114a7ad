// Reading a folder's git history without touching its working tree: git is run with fixed argument
// lists (never through a shell) in the scanned folder: one `git log --raw` lists every commit and its
// changes, `git ls-tree` the first commit's files, and blobs come from one long-lived
// `git cat-file --batch` process (and its `--batch-check` twin for sizes) instead of checkouts.
import type { ChildProcessWithoutNullStreams } from 'child_process';

/** Why the history cannot be read, said plainly: git is missing, or the folder is not in a repository. */
export class HistoryUnavailable extends Error {}

/** What git is run with: no prompt for credentials, no lock taken on the index for a read. */
const GIT_ENVIRONMENT = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };
/** A listing of the whole history or a tree larger than this is refused rather than held in memory. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/** Node's child_process, loaded when git is first run: most scans read no history, and loading it costs a CLI's start-up. */
function childProcess(): typeof import('child_process') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- required here, not imported above (see the comment)
  return require('child_process') as typeof import('child_process');
}

/** One git command's standard output; a missing git is a HistoryUnavailable. */
export function runGit(folder: string, args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    childProcess().execFile('git', args, { cwd: folder, encoding: 'buffer', maxBuffer: MAX_OUTPUT_BYTES, env: GIT_ENVIRONMENT, windowsHide: true }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new HistoryUnavailable('git is not installed (or not on the PATH), so the history cannot be read.'));
      reject(new Error(`git ${args[0]} failed: ${stderr.toString('utf8').trim() || error.message}`));
    });
  });
}

/** A commit of the walked history: its id, its committer date (ISO) and what it changed below the folder since its first parent. */
export interface Commit {
  id: string;
  date: string;
  changes: Map<string, TreeEntry | undefined>;
}

/** The folder's place in its repository, checked before anything else is asked of git. */
export async function checkRepository(folder: string): Promise<void> {
  let inside: string;
  try {
    inside = (await runGit(folder, ['rev-parse', '--is-inside-work-tree'])).toString('utf8').trim();
  } catch (error) {
    if (error instanceof HistoryUnavailable) throw error;
    inside = 'false';
  }
  if (inside !== 'true') throw new HistoryUnavailable(`${folder} is not in a git repository (or is inside a .git folder), so it has no history to read.`);
  try {
    await runGit(folder, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  } catch {
    throw new HistoryUnavailable(`the git repository of ${folder} has no commit yet.`);
  }
}

/**
 * The first-parent commits up to HEAD, oldest first, each with its changes below the folder: the
 * states the branch went through (a merged branch counts from its merge, when it reached this one).
 * One git process for the whole history, not one per commit. At most `maxCount`, the newest ones;
 * `cut` says when older ones were left out.
 */
export async function firstParentHistory(folder: string, options: { since?: Date; maxCount: number }): Promise<{ commits: Commit[]; cut: boolean }> {
  // -m with --first-parent: a merge's changes against its first parent, as for any other commit.
  const args = ['log', '--first-parent', '-m', '--raw', '-z', '--no-renames', '--relative', '--no-abbrev', '--format=commit %H %cI', '--reverse', `--max-count=${options.maxCount + 1}`];
  if (options.since) args.push(`--since=${options.since.toISOString()}`);
  args.push('HEAD', '--');
  const commits: Commit[] = [];
  const records = nulRecords(await runGit(folder, args));
  for (let index = 0; index < records.length; index++) {
    const record = records[index].replace(/^\n/, '');
    const header = /^commit ([0-9a-f]{40,64}) (\S+)$/.exec(record);
    if (header) {
      commits.push({ id: header[1], date: new Date(header[2]).toISOString(), changes: new Map() });
      continue;
    }
    const change = /^:\d{6} (\d{6}) [0-9a-f]+ ([0-9a-f]+) (\w)/.exec(record);
    const file = records[++index];
    if (change && file !== undefined) commits[commits.length - 1]?.changes.set(file, change[3] === 'D' ? undefined : { mode: change[1], object: change[2] });
  }
  const cut = commits.length > options.maxCount;
  return { commits: cut ? commits.slice(1) : commits, cut };
}

/** A blob, link or submodule of a tree, by its path below the scanned folder (`/`-separated). */
export interface TreeEntry {
  mode: string;
  object: string;
}

/** Every entry of `commit`'s tree below the folder (git lists only what is below the folder it runs in). */
export async function listTree(folder: string, commit: string): Promise<Map<string, TreeEntry>> {
  const entries = new Map<string, TreeEntry>();
  for (const record of nulRecords(await runGit(folder, ['ls-tree', '-r', '-z', commit, '--']))) {
    const match = /^(\d{6}) \w+ ([0-9a-f]+)\t([^]*)$/.exec(record);
    if (match) entries.set(match[3], { mode: match[1], object: match[2] });
  }
  return entries;
}

function nulRecords(output: Buffer): string[] {
  const records = output.toString('utf8').split('\0');
  if (records[records.length - 1] === '') records.pop();
  return records;
}

/** An object as `git cat-file --batch` answers: its size, and its bytes unless only its size was asked. */
interface CatFileAnswer {
  size: number;
  bytes?: Buffer;
}

/**
 * A long-lived `git cat-file --batch` (or `--batch-check`) process: object ids in, objects out, in
 * order. One process for the whole walk, however many blobs it reads.
 */
class CatFile {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve: (answer: CatFileAnswer | undefined) => void; reject: (error: Error) => void }[] = [];
  private pending: Buffer = Buffer.alloc(0);
  private failure?: Error;

  constructor(folder: string, private readonly withContents: boolean) {
    this.child = childProcess().spawn('git', ['cat-file', withContents ? '--batch' : '--batch-check'], { cwd: folder, env: GIT_ENVIRONMENT, windowsHide: true });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      this.answer();
    });
    const fail = (error: Error) => {
      this.failure ??= (error as NodeJS.ErrnoException).code === 'ENOENT' ? new HistoryUnavailable('git is not installed (or not on the PATH), so the history cannot be read.') : error;
      for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
    };
    this.child.on('error', fail);
    this.child.on('exit', (code) => fail(new Error(`git cat-file stopped (exit code ${code}).`)));
    this.child.stdin.on('error', fail);
  }

  /** The object, or undefined when the repository does not have it. */
  get(object: string): Promise<CatFileAnswer | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(object + '\n');
    });
  }

  close(): void {
    this.child.stdin.end();
  }

  private answer(): void {
    while (this.waiting.length > 0) {
      const lineEnd = this.pending.indexOf(0x0a);
      if (lineEnd < 0) return;
      const header = this.pending.subarray(0, lineEnd).toString('utf8');
      const size = /^\S+ \S+ (\d+)$/.exec(header)?.[1];
      if (size === undefined) {
        // `<object> missing` (or ambiguous): no contents follow.
        this.pending = this.pending.subarray(lineEnd + 1);
        this.waiting.shift()!.resolve(undefined);
        continue;
      }
      const length = Number(size);
      if (!this.withContents) {
        this.pending = this.pending.subarray(lineEnd + 1);
        this.waiting.shift()!.resolve({ size: length });
        continue;
      }
      // The contents and the newline after them.
      if (this.pending.length < lineEnd + 1 + length + 1) return;
      const bytes = Buffer.from(this.pending.subarray(lineEnd + 1, lineEnd + 1 + length));
      this.pending = this.pending.subarray(lineEnd + 1 + length + 1);
      this.waiting.shift()!.resolve({ size: length, bytes });
    }
  }
}

/** The objects of one repository: sizes first, so that a blob over the size limit is never read. */
export class ObjectReader {
  private readonly sizes: CatFile;
  private readonly contents: CatFile;

  constructor(folder: string) {
    this.sizes = new CatFile(folder, false);
    this.contents = new CatFile(folder, true);
  }

  size(object: string): Promise<number | undefined> {
    return this.sizes.get(object).then((answer) => answer?.size);
  }

  bytes(object: string): Promise<Buffer | undefined> {
    return this.contents.get(object).then((answer) => answer?.bytes);
  }

  close(): void {
    this.sizes.close();
    this.contents.close();
  }
}
