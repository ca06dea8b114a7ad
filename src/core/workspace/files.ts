import * as fs from 'fs';
import * as path from 'path';
import type { InputProblem } from '../problems';

/** Files above this size are reported, not read: a spec this large is almost certainly generated junk. */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

// `.apim-posture` holds the tool's own files (snapshots, policy backups), never APIM artifacts.
const ALWAYS_SKIPPED_FOLDERS = new Set(['.git', 'node_modules', '.vscode-test', 'dist', 'out', '.apim-posture']);

export interface ReadResult {
  text?: string;
  problem?: InputProblem;
}

/**
 * Reads the workspace's files, preferring unsaved editor contents (the overlay) over the disk, and
 * refusing what is not text. Every read of the core goes through one of these.
 */
export class FileReader {
  private readonly cache = new Map<string, ReadResult>();

  constructor(
    private readonly overlay: ReadonlyMap<string, string> = new Map(),
    private readonly maxFileBytes = DEFAULT_MAX_FILE_BYTES,
  ) {}

  read(file: string): ReadResult {
    let result = this.cache.get(file);
    if (!result) {
      result = this.readUncached(file);
      this.cache.set(file, result);
    }
    return result;
  }

  exists(file: string): boolean {
    if (this.overlay.has(file)) return true;
    try {
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  }

  private readUncached(file: string): ReadResult {
    const unsaved = this.overlay.get(file);
    if (unsaved !== undefined) return { text: unsaved };
    let bytes: Buffer;
    try {
      const size = fs.statSync(file).size;
      if (size > this.maxFileBytes) {
        return unreadable(file, `${formatBytes(size)} is over the ${formatBytes(this.maxFileBytes)} limit for one file; it was not read.`);
      }
      bytes = fs.readFileSync(file);
    } catch (error) {
      return unreadable(file, `could not be read: ${(error as Error).message}`);
    }
    // A NUL byte in the first 8 KiB is how git and most editors tell binary from text.
    if (bytes.subarray(0, 8192).includes(0)) return unreadable(file, 'is a binary file, not text; it was not read.');
    let text = bytes.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = ' ' + text.slice(1); // keep offsets: the BOM becomes a space
    return { text };
  }
}

function unreadable(file: string, message: string): ReadResult {
  return { problem: { file, kind: 'unreadable', message: `${path.basename(file)} ${message}` } };
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** Every file below `root`, as absolute paths, skipping VCS and build folders and symbolic links. */
export function listFiles(root: string, isExcluded: (relativePath: string) => boolean = () => false): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      const relative = path.relative(root, full).split(path.sep).join('/');
      if (entry.isDirectory()) {
        if (!ALWAYS_SKIPPED_FOLDERS.has(entry.name) && !isExcluded(relative + '/')) walk(full);
      } else if (entry.isFile() && !isExcluded(relative)) {
        files.push(full);
      }
    }
  };
  walk(root);
  return files;
}
