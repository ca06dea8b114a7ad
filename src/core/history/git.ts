// Reading a folder's git history without touching its working tree: git is run with fixed argument
// lists (never through a shell) in the scanned folder, and blobs come from one long-lived
// `git cat-file --batch` process (and its `--batch-check` twin for sizes) instead of checkouts.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'child_process';

/** Why the history cannot be read, said plainly: git is missing, or the folder is not in a repository. */
export class HistoryUnavailable extends Error {}

/** What git is run with: no prompt for credentials, no lock taken on the index for a read. */
const GIT_ENVIRONMENT = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };
/** A listing of the whole history or a tree larger than this is refused rather than held in memory. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/** One git command's standard output; a missing git is a HistoryUnavailable. */
export function runGit(folder: string, args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd: folder, encoding: 'buffer', maxBuffer: MAX_OUTPUT_BYTES, env: GIT_ENVIRONMENT, windowsHide: true }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new HistoryUnavailable('git is not installed (or not on the PATH), so the history cannot be read.'));
      reject(new Error(`git ${args[0]} failed: ${stderr.toString('utf8').trim() || error.message}`));
    });
  });
}

/** A commit of the walked history: its id and its committer date (ISO, as git writes it). */
export interface Commit {
  id: string;
  date: string;
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
 * The first-parent commits up to HEAD, oldest first: the states the branch went through (a merged
 * branch counts from its merge, when it reached this one). At most `maxCount`, the newest ones; `cut`
 * says when older ones were left out.
 */
export async function firstParentCommits(folder: string, options: { since?: Date; maxCount: number }): Promise<{ commits: Commit[]; cut: boolean }> {
  const args = ['rev-list', '--first-parent', '--reverse', `--max-count=${options.maxCount + 1}`, '--format=%cI'];
  if (options.since) args.push(`--since=${options.since.toISOString()}`);
  args.push('HEAD', '--');
  const lines = (await runGit(folder, args)).toString('utf8').split('\n');
  const commits: Commit[] = [];
  for (let index = 0; index + 1 < lines.length; index += 2) {
    const id = /^commit ([0-9a-f]{40,64})$/.exec(lines[index])?.[1];
    if (id) commits.push({ id, date: new Date(lines[index + 1]).toISOString() });
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

/** What changed below the folder from one commit to the next: each path's new entry, or undefined when it was deleted. */
export async function changedEntries(folder: string, from: string, to: string): Promise<Map<string, TreeEntry | undefined>> {
  const changes = new Map<string, TreeEntry | undefined>();
  const records = nulRecords(await runGit(folder, ['diff-tree', '-r', '-z', '--no-commit-id', '--no-renames', '--relative', from, to, '--']));
  for (let index = 0; index + 1 < records.length; index += 2) {
    const match = /^:\d{6} (\d{6}) [0-9a-f]+ ([0-9a-f]+) (\w)/.exec(records[index]);
    if (match) changes.set(records[index + 1], match[3] === 'D' ? undefined : { mode: match[1], object: match[2] });
  }
  return changes;
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
    this.child = spawn('git', ['cat-file', withContents ? '--batch' : '--batch-check'], { cwd: folder, env: GIT_ENVIRONMENT, windowsHide: true });
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
