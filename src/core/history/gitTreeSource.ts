// The files of the scanned folder as one commit holds them, for the scan to read instead of the disk.
// Moved from commit to commit by the changes between them: only changed blobs are read again.
import * as path from 'path';
import type { FileSource, RegularFileRead, SourceEntry } from '../workspace/files';
import type { ObjectReader, TreeEntry } from './git';

/** The blob bytes one tree may hold in memory; files past it are said as not read, not silently dropped. */
export const MAX_HELD_BYTES = 512 * 1024 * 1024;

const LINK_MODE = '120000';
const SUBMODULE_MODE = '160000';

interface Blob {
  size: number;
  /** Absent when over the size limit, or past what a tree may hold: never read. */
  bytes?: Buffer;
}

export class GitTreeSource implements FileSource {
  private readonly entries = new Map<string, TreeEntry>();
  private readonly blobs = new Map<string, Blob>();
  /** Each folder's entries by name, rebuilt after a change of the tree's shape. */
  private folders?: Map<string, Map<string, SourceEntry>>;
  private heldBytes = 0;

  constructor(
    private readonly root: string,
    private readonly objects: ObjectReader,
    private readonly maxFileBytes: number,
    private readonly maxHeldBytes = MAX_HELD_BYTES,
  ) {}

  /** Moves to another commit's tree: `changes` maps each changed path to its new entry (undefined: deleted). */
  async apply(changes: ReadonlyMap<string, TreeEntry | undefined>): Promise<void> {
    const wanted: string[] = [];
    for (const [file, entry] of changes) {
      const before = this.entries.get(file);
      if (entry) this.entries.set(file, entry);
      else this.entries.delete(file);
      if (!before || !entry || (before.mode === LINK_MODE) !== (entry.mode === LINK_MODE)) this.folders = undefined;
      if (entry && entry.mode !== SUBMODULE_MODE && !this.blobs.has(entry.object)) wanted.push(entry.object);
    }
    // Blobs no path holds any more are let go first: memory stays that of one tree.
    const held = new Set([...this.entries.values()].map((entry) => entry.object));
    for (const [object, blob] of this.blobs) {
      if (held.has(object)) continue;
      this.heldBytes -= blob.bytes?.length ?? 0;
      this.blobs.delete(object);
    }
    const sizes = await Promise.all(wanted.map((object) => this.objects.size(object)));
    await Promise.all(
      wanted.map(async (object, index) => {
        const size = sizes[index];
        if (size === undefined) return;
        const fits = size <= this.maxFileBytes && this.heldBytes + size <= this.maxHeldBytes;
        if (fits) this.heldBytes += size;
        this.blobs.set(object, { size, bytes: fits ? await this.objects.bytes(object) : undefined });
      }),
    );
  }

  realPath(folder: string): string {
    return folder;
  }

  linkText(file: string): string | null | undefined {
    const relative = this.relative(file);
    const entry = this.entries.get(relative);
    if (entry?.mode === LINK_MODE) return this.blobs.get(entry.object)?.bytes?.toString('utf8') ?? '';
    return entry || this.folderMap().has(relative) ? null : undefined;
  }

  entryAt(file: string): SourceEntry | undefined {
    const relative = this.relative(file);
    const entry = this.entries.get(relative);
    if (entry) return entryKind(entry);
    return this.folderMap().has(relative) ? { kind: 'folder' } : undefined;
  }

  list(folder: string): { name: string; entry: SourceEntry }[] {
    const entries = this.folderMap().get(this.relative(folder));
    if (!entries) throw Object.assign(new Error(`no folder ${folder} in the commit`), { code: 'ENOENT' });
    return [...entries].map(([name, entry]) => ({ name, entry }));
  }

  read(file: string, limit: number): RegularFileRead {
    const entry = this.entries.get(this.relative(file));
    if (!entry) throw Object.assign(new Error(`no file ${file} in the commit`), { code: this.folderMap().has(this.relative(file)) ? 'EISDIR' : 'ENOENT' });
    const kind = entryKind(entry);
    if (kind.kind === 'other') return { notAFile: kind.what };
    const blob = this.blobs.get(entry.object);
    if (!blob) throw Object.assign(new Error(`git does not have the object ${entry.object}`), { code: 'ENOENT' });
    if (blob.size > limit) return { tooLarge: blob.size };
    if (!blob.bytes) throw new Error(`past the ${Math.round(this.maxHeldBytes / 1024 / 1024)} MB of files the history walk holds in memory for one commit`);
    return { bytes: blob.bytes };
  }

  /** A path below the root as the tree names it (`/`-separated, '' for the root). */
  private relative(file: string): string {
    return path.relative(this.root, file).split(path.sep).join('/');
  }

  private folderMap(): Map<string, Map<string, SourceEntry>> {
    if (this.folders) return this.folders;
    const folders = new Map<string, Map<string, SourceEntry>>([['', new Map()]]);
    for (const [file, entry] of this.entries) {
      const segments = file.split('/');
      let parent = '';
      for (let index = 0; index < segments.length; index++) {
        const name = segments[index];
        const own = parent === '' ? name : `${parent}/${name}`;
        const last = index === segments.length - 1;
        folders.get(parent)!.set(name, last ? entryKind(entry) : { kind: 'folder' });
        if (!last && !folders.has(own)) folders.set(own, new Map());
        parent = own;
      }
    }
    return (this.folders = folders);
  }
}

function entryKind(entry: TreeEntry): SourceEntry {
  if (entry.mode === LINK_MODE) return { kind: 'link' };
  if (entry.mode === SUBMODULE_MODE) return { kind: 'other', what: 'a git submodule (its files are another repository\'s history)' };
  return { kind: 'file' };
}
