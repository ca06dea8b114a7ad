// What a history walk found, kept between runs under the system's temporary folder, keyed by the
// scanned folder, the tool's version and how commits are scanned; it holds the last commit walked, so
// that the next run walks only the commits after it. Not in the repository (`.apim-posture/cache/`):
// a walk must leave the working tree as it found it, and `.apim-posture/` is often committed (the
// snapshot). It is derived data: a cache that is missing, foreign or unreadable is walked again.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { FirstAppearance } from '../goals/goal';
import type { TrendPoint } from '../report/contract';

/** What was found up to `head`, starting at `first`: each finding's first appearance and each commit's point. */
export interface WalkRecord {
  first: string;
  head: string;
  firstSeen: [string, FirstAppearance][];
  points: TrendPoint[];
}

const FORMAT = 1;

/** The user's own folder for it: another user of the machine must not be able to plant ages. */
function cacheFolder(): string | undefined {
  const uid = process.getuid?.();
  const folder = path.join(os.tmpdir(), `apim-posture-${uid ?? 'user'}`, 'history');
  try {
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    const parent = fs.lstatSync(path.dirname(folder));
    if (!parent.isDirectory() || (uid !== undefined && parent.uid !== uid) || (uid !== undefined && (parent.mode & 0o022) !== 0)) return undefined;
    return folder;
  } catch {
    return undefined;
  }
}

function cacheFile(key: string): string | undefined {
  const folder = cacheFolder();
  return folder && path.join(folder, createHash('sha256').update(`${FORMAT}\0${key}`).digest('hex') + '.json');
}

export function readWalkRecord(key: string): WalkRecord | undefined {
  const file = cacheFile(key);
  if (!file) return undefined;
  try {
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as WalkRecord;
    return typeof record.first === 'string' && typeof record.head === 'string' && Array.isArray(record.firstSeen) && Array.isArray(record.points) ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole or not at all; a cache that cannot be written only costs the next run a walk. */
export function writeWalkRecord(key: string, record: WalkRecord): void {
  const file = cacheFile(key);
  if (!file) return;
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, JSON.stringify(record), { mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}
