// Directory listings reused while the directory's own stat is unchanged (issue #11, item 3).
//
// A stat-only validation (`status --verify`, the background validation) of many small artifact
// folders is dominated by readdir: an open, getdents and close per directory cost ~3x the stat of
// every file in it. Adding, removing or renaming an entry updates the directory's mtime and ctime
// (POSIX, for link, unlink, rename, mkdir, rmdir, symlink, mknod), and ctime cannot be set from user
// space; a chmod that makes it unreadable changes ctime too. So while a directory's (inode, device,
// mtime, ctime, size) are those it had when it was listed, it holds the same names of the same types,
// and the listing is reused. Like the hash cache's racy-clean rule, a directory changed within
// racyWindowMs of being listed is never reused: a second change within the same timestamp tick
// would leave its stat unchanged. Only names and types are reused: every file is still stat'ed,
// every subdirectory checked the same way, every symlink followed again.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface DirEntry {
  name: string;
  kind: 'dir' | 'file' | 'link' | 'other';
}

interface Listing {
  signature: string;
  entries: DirEntry[];
}

const DEFAULT_MAX_DIRS = 200_000;

function kindOf(e: fs.Dirent): DirEntry['kind'] {
  if (e.isDirectory()) return 'dir';
  if (e.isFile()) return 'file';
  if (e.isSymbolicLink()) return 'link';
  return 'other';
}

/** Reads a directory's entries the way readdirSync(withFileTypes) does. */
export function readDirEntries(dir: string): DirEntry[] {
  return fs.readdirSync(dir, { withFileTypes: true }).map((e) => ({ name: e.name, kind: kindOf(e) }));
}

/** A listing as the hash index keeps it: [directory, stat signature, entries encoded]. */
export type PersistedListing = [string, string, string];

const KIND_CHAR: Record<DirEntry['kind'], string> = { dir: 'd', file: 'f', link: 'l', other: 'o' };
const CHAR_KIND: Record<string, DirEntry['kind']> = { d: 'dir', f: 'file', l: 'link', o: 'other' };

/** Entries as one string: a kind letter and the name, '/'-separated ('/' is in no file name). */
function encodeEntries(entries: DirEntry[]): string {
  return entries.map((e) => KIND_CHAR[e.kind] + e.name).join('/');
}

function decodeEntries(text: string): DirEntry[] | undefined {
  if (text === '') return [];
  const out: DirEntry[] = [];
  for (const part of text.split('/')) {
    const kind = CHAR_KIND[part[0]];
    if (!kind || part.length < 2) return undefined;
    out.push({ name: part.slice(1), kind });
  }
  return out;
}

export class DirListingCache {
  private readonly listings = new Map<string, Listing>();
  private reused = 0;
  private read = 0;
  /** listings stored since the last export(): the index has something new to write */
  private added = 0;

  constructor(
    private readonly racyWindowMs = 2000,
    private readonly maxDirs = DEFAULT_MAX_DIRS,
  ) {}

  /** The entries of `dir` (throws like readdirSync), from the last listing if its stat is unchanged. */
  entries(dir: string): DirEntry[] {
    // real time, not an injected clock: it is compared with the file system's own timestamps
    const now = Date.now();
    // stat BEFORE readdir: a change in between leaves a stored signature older than the names,
    // so the next stat differs and the directory is listed again
    const st = fs.statSync(dir);
    const signature = `${st.ino}\0${st.dev}\0${st.mtimeMs}\0${st.ctimeMs}\0${st.size}`;
    const prev = this.listings.get(dir);
    if (prev && prev.signature === signature) {
      this.reused++;
      return prev.entries;
    }
    const entries = readDirEntries(dir);
    this.read++;
    if (now - Math.max(st.mtimeMs, st.ctimeMs) >= this.racyWindowMs) {
      if (!prev && this.listings.size >= this.maxDirs) this.listings.clear();
      this.listings.set(dir, { signature, entries });
      this.added++;
    } else {
      this.listings.delete(dir);
    }
    return entries;
  }

  clear(): void {
    this.listings.clear();
  }

  /** Whether listings were stored since the last export(). */
  get unsaved(): boolean {
    return this.added > 0;
  }

  /**
   * Every stored listing, for the persisted hash index: a restarted daemon (or a CLI answering
   * itself) then stats each directory instead of reading it again. Only listings older than the
   * racy window are ever stored, and each is checked against its directory's stat on use.
   */
  export(): PersistedListing[] {
    this.added = 0;
    const out: PersistedListing[] = [];
    for (const [dir, l] of this.listings) out.push([dir, l.signature, encodeEntries(l.entries)]);
    return out;
  }

  /** Takes listings from the index (a listing read in this process meanwhile is newer); returns how many were malformed. */
  load(rows: unknown[]): number {
    let bad = 0;
    for (const row of rows) {
      const ok = Array.isArray(row) && row.length === 3 && row.every((x) => typeof x === 'string') && path.isAbsolute(row[0] as string);
      const entries = ok ? decodeEntries(row[2] as string) : undefined;
      if (!ok || !entries) {
        bad++;
        continue;
      }
      const [dir, signature] = row as PersistedListing;
      if (this.listings.has(dir) || this.listings.size >= this.maxDirs) continue;
      this.listings.set(dir, { signature, entries });
    }
    return bad;
  }

  get size(): number {
    return this.listings.size;
  }

  stats(): { reused: number; read: number } {
    return { reused: this.reused, read: this.read };
  }
}
