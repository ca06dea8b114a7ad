import * as fs from 'fs';
import * as path from 'path';
import { MAX_LISTED_FILES } from '../limits';
import type { InputProblem } from '../problems';

/** Files above this size are reported, not read: a spec this large is almost certainly generated junk. */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Folders never read, and what they hold. They may hold a spec (a generated `dist/openapi.json`, a
 * dependency's), so each one met is reported: a clean report must not hide what was not looked at.
 */
const SKIPPED_FOLDERS: ReadonlyMap<string, string> = new Map([
  ['node_modules', 'dependencies'],
  ['dist', 'build output'],
  ['out', 'build output'],
  ['.vscode-test', 'the VS Code downloads of extension tests'],
]);
/** Git's own store and this tool's (snapshots, policy backups): nothing of the repository's APIs, so not worth a word. */
const IGNORED_FOLDERS: ReadonlySet<string> = new Set(['.git', '.apim-posture']);

export interface ReadResult {
  text?: string;
  problem?: InputProblem;
}

/** Symbolic links followed in one path before it is taken for a loop. */
const MAX_LINK_HOPS = 40;
// Where the platform has them: never follow a link at the last step (checked before), never block on a FIFO.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);
const READ_CHUNK_BYTES = 1024 * 1024;

/** Where a path leads once its symbolic links are followed, without ever touching anything outside the root. */
type Resolution = { real: string } | { problem: InputProblem };

/** What is at a path: a regular file, a folder, a symbolic link, or something else (`what` says what, for messages). */
export type SourceEntry = { kind: 'file' } | { kind: 'folder' } | { kind: 'link' } | { kind: 'other'; what: string };

/**
 * Where the files of a scanned folder come from: the disk, or one commit of its git history. The
 * reader asks only for paths it has already confined to the root, its links followed one by one.
 */
export interface FileSource {
  /** The folder's path once its own links are followed (the folder itself when that cannot be told). */
  realPath(folder: string): string;
  /** Undefined when nothing is at the path, null when it is not a symbolic link, else the link's own text. */
  linkText(file: string): string | null | undefined;
  /** What is at a path whose links are already followed; undefined when nothing is. */
  entryAt(file: string): SourceEntry | undefined;
  /** A folder's entries, links not followed; throws when the folder cannot be listed. */
  list(folder: string): { name: string; entry: SourceEntry }[];
  /** A regular file's bytes, at most `limit` of them, or why not; throws when it cannot be read. */
  read(file: string, limit: number): RegularFileRead;
}

/** The files as they are on disk. */
export const DISK_SOURCE: FileSource = {
  realPath: realPathOrSelf,
  linkText(file) {
    try {
      return fs.lstatSync(file).isSymbolicLink() ? fs.readlinkSync(file) : null;
    } catch {
      return undefined;
    }
  },
  entryAt(file) {
    try {
      return entryOf(fs.statSync(file));
    } catch {
      return undefined;
    }
  },
  list: (folder) => fs.readdirSync(folder, { withFileTypes: true }).map((entry) => ({ name: entry.name, entry: entryOf(entry) })),
  read: readRegularFile,
};

function entryOf(stat: fs.Stats | fs.Dirent): SourceEntry {
  if (stat.isSymbolicLink()) return { kind: 'link' };
  if (stat.isFile()) return { kind: 'file' };
  if (stat.isDirectory()) return { kind: 'folder' };
  return { kind: 'other', what: fileKind(stat) };
}

/**
 * Reads the files of one scanned folder, preferring unsaved editor contents (the overlay) over the
 * disk. Every read of the core goes through one of these, so this is where a hostile repository is
 * held: a path outside the root, or a symbolic link leading out of it, is refused before anything
 * there is opened or even looked up; only regular files are opened (a FIFO would block, a device
 * never ends), and the size limit is enforced while reading, not only by `stat`.
 */
export class FileReader {
  private readonly cache = new Map<string, ReadResult>();
  private readonly resolutions = new Map<string, Resolution>();
  private readonly links = new Map<string, string | null | undefined>();
  private readonly root: string;
  private realRoot?: string;

  constructor(
    root: string,
    private readonly overlay: ReadonlyMap<string, string> = new Map(),
    private readonly maxFileBytes = DEFAULT_MAX_FILE_BYTES,
    /** What earlier scans read from the disk and have not been told changed since (the editor's file index). */
    private readonly index?: FileIndex,
    /** Where the files are read from: the disk, or a commit (the history walk). */
    readonly source: FileSource = DISK_SOURCE,
  ) {
    this.root = path.resolve(root);
  }

  read(file: string): ReadResult {
    // Most callers pass the absolute path already read: found before resolving it again.
    const known = this.cache.get(file);
    if (known) return known;
    const absolute = path.resolve(file);
    let result = this.cache.get(absolute);
    if (!result) {
      const kept = this.overlay.has(absolute) ? undefined : this.index?.reads.get(absolute);
      result = kept ?? this.readUncached(absolute);
      if (!kept && !this.overlay.has(absolute)) this.index?.reads.set(absolute, result);
      this.cache.set(absolute, result);
    }
    return result;
  }

  /** What this reader read so far, by absolute path. */
  reads(): ReadonlyMap<string, ReadResult> {
    return this.cache;
  }

  /** Whether `file` is a regular file (or an unsaved buffer) inside the root. */
  exists(file: string): boolean {
    const absolute = path.resolve(file);
    const resolution = this.resolve(absolute);
    if ('problem' in resolution) return false;
    if (this.overlay.has(absolute)) return true;
    return this.source.entryAt(resolution.real)?.kind === 'file';
  }

  get rootFolder(): string {
    return this.root;
  }

  /** Where `file` really is, its links followed; a problem when that is outside the root. */
  realPath(file: string): Resolution {
    return this.resolve(path.resolve(file));
  }

  /** Whether `file` lies inside the scanned folder, by its path alone. */
  isInside(file: string): boolean {
    return isInside(this.root, path.resolve(file));
  }

  private readUncached(file: string): ReadResult {
    const resolution = this.resolve(file);
    if ('problem' in resolution) return { problem: resolution.problem };
    const unsaved = this.overlay.get(file);
    if (unsaved !== undefined) return { text: normalizeLineBreaks(unsaved) };
    let read: RegularFileRead;
    try {
      read = this.source.read(resolution.real, this.maxFileBytes);
    } catch (error) {
      return unreadable(file, `could not be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if ('notAFile' in read) return { problem: { file, kind: 'not-a-file', message: `${path.basename(file)} is ${read.notAFile}, not a regular file; it was not read.` } };
    if ('tooLarge' in read) return unreadable(file, `${read.tooLarge === undefined ? 'is' : formatBytes(read.tooLarge) + ' is'} over the ${formatBytes(this.maxFileBytes)} limit for one file; it was not read.`);
    const bytes = read.bytes;
    const text = decodeText(bytes);
    if (text === undefined) return unreadable(file, 'is a binary file, not text; it was not read.');
    return { text: normalizeLineBreaks(text) };
  }

  /**
   * Follows `file`'s symbolic links one path segment at a time from the root's real path, refusing
   * the first that leads outside: neither the target nor anything else outside is looked up, so a
   * repository cannot even learn whether a file outside exists.
   */
  private resolve(file: string): Resolution {
    const known = this.resolutions.get(file);
    if (known) return known;
    const resolution = this.resolveUncached(file);
    this.resolutions.set(file, resolution);
    return resolution;
  }

  private resolveUncached(file: string): Resolution {
    const outside = (message: string): Resolution => ({ problem: { file, kind: 'outside-root', message } });
    if (!isInside(this.root, file)) return outside(`${path.basename(file)} is outside the scanned folder; it was not opened.`);
    const realRoot = (this.realRoot ??= this.source.realPath(this.root));
    let remaining = segmentsBelow(this.root, file);
    let current = realRoot;
    for (let hops = 0; remaining.length > 0; ) {
      const candidate = path.join(current, remaining[0]);
      const link = this.linkAt(candidate);
      if (link === undefined) return { real: path.join(current, ...remaining) }; // missing: the read says so
      if (link === null) {
        current = candidate;
        remaining = remaining.slice(1);
        continue;
      }
      if (++hops > MAX_LINK_HOPS) return { problem: { file, kind: 'not-a-file', message: `${path.basename(file)}: too many symbolic links; it was not read.` } };
      const target = path.resolve(current, link);
      if (!isInside(realRoot, target)) return outside(`${path.relative(this.root, file) || file} is a symbolic link to a place outside the scanned folder; it was not followed.`);
      remaining = [...segmentsBelow(realRoot, target), ...remaining.slice(1)];
      current = realRoot;
    }
    return { real: current };
  }

  /**
   * What a path inside the root is, looked up once per scan: every file below a folder shares the
   * folder's segments. Undefined when missing, null when not a link, else the link's own text.
   */
  private linkAt(candidate: string): string | null | undefined {
    if (this.links.has(candidate)) return this.links.get(candidate);
    const link = this.source.linkText(candidate);
    this.links.set(candidate, link);
    return link;
  }
}

/**
 * Whether `file` is `root` or below it, by their paths, compared the platform's way (`paths`):
 * separators and, on Windows, drive letters and case, which a `startsWith(root + '/')` gets wrong.
 */
export function isInside(root: string, file: string, paths: path.PlatformPath = path): boolean {
  const relative = paths.relative(root, file);
  return relative === '' || (!relative.startsWith('..' + paths.sep) && relative !== '..' && !paths.isAbsolute(relative));
}

function segmentsBelow(root: string, file: string): string[] {
  return path.relative(root, file).split(path.sep).filter((segment) => segment !== '' && segment !== '.');
}

function realPathOrSelf(folder: string): string {
  try {
    return fs.realpathSync(folder);
  } catch {
    return folder;
  }
}

export type RegularFileRead = { bytes: Buffer } | { notAFile: string } | { tooLarge: number | undefined };

/** The bytes of a regular file, at most `limit` of them; otherwise why not (the size when known). */
function readRegularFile(file: string, limit: number): RegularFileRead {
  const fd = fs.openSync(file, OPEN_FLAGS);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { notAFile: fileKind(stat) };
    if (stat.size > limit) return { tooLarge: stat.size };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // Sizes on paper can lie (procfs, a file growing while read): the limit holds for what is read.
      // The first read asks for the size on paper (and one byte more, to see the end): small files cost one small buffer.
      const wanted = chunks.length === 0 ? stat.size + 1 : READ_CHUNK_BYTES;
      const chunk = Buffer.allocUnsafe(Math.min(wanted, limit + 1 - total));
      const count = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (count === 0) break;
      chunks.push(count === chunk.length ? chunk : chunk.subarray(0, count));
      total += count;
      if (total > limit) return { tooLarge: undefined };
    }
    // Most files come whole in the first read: no 13 MB copy for them.
    return { bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total) };
  } finally {
    fs.closeSync(fd);
  }
}

function fileKind(stat: fs.Stats | fs.Dirent): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'a special file';
}

/**
 * Text from bytes: UTF-8, or UTF-16 (LE or BE) when a byte order mark says so, as PowerShell writes;
 * undefined for binary content. A BOM becomes a space, so offsets stay those of the editor's text.
 */
export function decodeText(bytes: Buffer): string | undefined {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const littleEndian = bytes[0] === 0xff;
    const body = bytes.subarray(2, bytes.length - (bytes.length % 2));
    const swapped = littleEndian ? body : Buffer.from(body).swap16();
    return ' ' + swapped.toString('utf16le');
  }
  // A NUL byte in the first 8 KiB is how git and most editors tell binary from text.
  if (bytes.subarray(0, 8192).includes(0)) return undefined;
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
}

/** A lone CR is a line break (classic Mac files, some generators): made `\n`, same length, so offsets hold. */
function normalizeLineBreaks(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

function unreadable(file: string, message: string): ReadResult {
  return { problem: { file, kind: 'unreadable', message: `${path.basename(file)} ${message}` } };
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

export interface FileListing {
  /** Absolute paths below the root, as the repository names them (a link's own path, not its target's). */
  files: string[];
  /** Entries that were not listed and why: skipped folders, links out of the root, FIFOs and devices, folders that cannot be read. */
  problems: InputProblem[];
  /** Paths below the root, `/`-separated, that the `exclude` setting left out (folders end with `/`, and what is below them is not listed). */
  excluded: string[];
}

/**
 * Every regular file below the reader's root, but in build and dependency folders. Symbolic links that
 * stay inside the root are followed once everything else is listed, so that what they lead to is
 * listed under its own path and a folder reached twice is listed once. Whatever is not listed is a
 * problem, never skipped silently: skipped folders, second ways to a folder, links out of the root or
 * to nothing, what is not a regular file or a readable folder.
 */
export function listFiles(reader: FileReader, isExcluded: (relativePath: string) => boolean = () => false): FileListing {
  const root = reader.rootFolder;
  const files: string[] = [];
  const problems: InputProblem[] = [];
  const excluded: string[] = [];
  /** Per folder's real path, the path it is listed under. */
  const visitedFolders = new Map<string, string>();
  const links: string[] = [];
  let nextLink = 0;
  // Depth first, each folder's entries in name order, as a stack rather than recursion: nesting is the repository's to choose.
  const stack: { folder: string; entries: { name: string; entry: SourceEntry }[]; next: number }[] = [];
  const enter = (folder: string) => {
    const real = reader.realPath(folder);
    if ('problem' in real) {
      problems.push(real.problem);
      return;
    }
    const listedAs = visitedFolders.get(real.real);
    if (listedAs !== undefined) {
      const message = `${relativeOrSelf(root, folder)} leads to the folder ${relativeOrSelf(root, listedAs)}, which is read under that name; it was not read twice.`;
      problems.push({ file: folder, kind: 'skipped', message });
      return;
    }
    visitedFolders.set(real.real, folder);
    try {
      const entries = reader.source.list(real.real);
      stack.push({ folder, entries: entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), next: 0 });
    } catch (error) {
      problems.push({ file: folder, kind: 'unreadable', message: `The folder ${relativeOrSelf(root, folder)} could not be listed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); nothing in it was read.` });
    }
  };
  /** What a path inside the root is, its links followed; undefined (with a problem) when it leads out or to nothing. */
  const follow = (link: string, relative: string): SourceEntry | undefined => {
    const target = reader.realPath(link);
    if ('problem' in target) {
      if (!isExcluded(relative)) problems.push(target.problem);
      return undefined;
    }
    const entry = reader.source.entryAt(target.real);
    if (!entry && !isExcluded(relative)) problems.push({ file: link, kind: 'unreadable', message: `${relative} is a symbolic link to nothing (its target does not exist); it was not read.` });
    return entry;
  };
  enter(root);
  for (;;) {
    let full: string;
    let kind: SourceEntry | undefined;
    const top = stack[stack.length - 1];
    if (top) {
      if (top.next === top.entries.length) {
        stack.pop();
        continue;
      }
      const { name, entry } = top.entries[top.next++];
      full = path.join(top.folder, name);
      if (entry.kind === 'link') {
        links.push(full);
        continue;
      }
      kind = entry;
    } else {
      const link = links[nextLink++];
      if (link === undefined) break;
      full = link;
      kind = follow(link, relativeOrSelf(root, link));
      if (!kind) continue;
    }
    const name = path.basename(full);
    const relative = relativeOrSelf(root, full);
    if (kind.kind === 'folder') {
      const skipped = SKIPPED_FOLDERS.get(name);
      if (IGNORED_FOLDERS.has(name)) continue;
      if (isExcluded(relative + '/')) excluded.push(relative + '/');
      else if (skipped) problems.push({ file: full, kind: 'skipped', message: `The folder ${relative} was not read: it holds ${skipped}, not the repository's own APIs. To check a spec in it, scan that spec or folder by itself.` });
      else enter(full);
    } else if (isExcluded(relative)) {
      excluded.push(relative);
    } else if (kind.kind === 'file') {
      if (files.length === MAX_LISTED_FILES) {
        problems.push({ file: full, kind: 'over-budget', message: `The repository has more than ${MAX_LISTED_FILES} files; ${relative} and the files after it were not read.` });
        break;
      }
      files.push(full);
    } else {
      problems.push({ file: full, kind: 'not-a-file', message: `${relative} is ${kind.kind === 'other' ? kind.what : 'a symbolic link'}, not a regular file; it was not read.` });
    }
  }
  return { files, problems, excluded };
}

/** `file` below `root`, `/`-separated, as messages name it; `.` for the root itself. */
export function relativeOrSelf(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/') || '.';
}

/**
 * What the files of one folder were when last read, kept between scans and kept current by the
 * editor's file events: a re-analysis after an edit neither walks the tree nor reads unchanged files
 * again. Whatever a change could affect is forgotten: the file's text on a change, the listing too
 * when a file or folder appears, disappears or is renamed.
 */
export class FileIndex {
  /** Disk reads by absolute path; unsaved editor contents are never kept here. */
  readonly reads = new Map<string, ReadResult>();
  private walked?: { exclusions: string; listing: FileListing };

  /** A file changed on disk. */
  changed(file: string): void {
    this.reads.delete(path.resolve(file));
  }

  /** A file or folder appeared, disappeared or was renamed: the listing is walked again, and what was read below it read again. */
  created(file: string): void {
    this.walked = undefined;
    const absolute = path.resolve(file);
    for (const known of [...this.reads.keys()]) if (known === absolute || known.startsWith(absolute + path.sep)) this.reads.delete(known);
  }

  deleted(file: string): void {
    this.created(file);
  }

  /** Everything may have changed (a settings change, a folder re-opened). */
  clear(): void {
    this.walked = undefined;
    this.reads.clear();
  }

  /** The listing, walked again only after a structural change or under other exclusions (`exclusions` names them). */
  listing(exclusions: string, walk: () => FileListing): FileListing {
    if (this.walked?.exclusions !== exclusions) this.walked = { exclusions, listing: walk() };
    return this.walked.listing;
  }
}
