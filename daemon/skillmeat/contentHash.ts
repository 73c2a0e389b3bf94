// SkillMeat's canonical content hash (utils/filesystem.py compute_content_hash), byte for byte:
// a file is sha256(bytes); a directory is one running sha256 over utf8(relpath) + bytes of every
// regular file, in the order Python sorts Path objects. Nothing is excluded.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readDirEntries, type DirListingCache } from './dirListing';
import { READ_NONBLOCK } from './readFlags';
import { Slicer } from './slicer';

export interface HashInput {
  /** path relative to the hashed directory, with the OS separator ('' for a single file) */
  rel: string;
  abs: string;
  size: number;
  mtimeMs: number;
  /** status change time: moves with every write and chmod, and cannot be set back (git's index uses it) */
  ctimeMs: number;
  ino: number;
  dev: number;
  /** hard links to the inode: a write through another name changes these bytes without an event here */
  nlink: number;
  /** reached through a symlink: its bytes live at a path no watcher of ours covers */
  viaLink: boolean;
}

export interface HashInputList {
  kind: 'file' | 'dir';
  files: HashInput[];
  /** every directory the listing read (the hashed one and its subdirectories); a file: its parent */
  dirs: string[];
  /** the hashed path itself is a symlink */
  rootIsLink: boolean;
}

export interface Hasher {
  hash(absPath: string): Promise<string>;
}

/**
 * Code-point order, as Python compares str. JS `<` compares UTF-16 code units, which disagrees for
 * astral characters versus U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      const pa = a.codePointAt(i) ?? ca;
      const pb = b.codePointAt(i) ?? cb;
      return pa < pb ? -1 : pa > pb ? 1 : 0;
    }
  }
  return a.length - b.length;
}

// Python's PureWindowsPath compares lower-cased parts; POSIX paths compare as they are.
const caseFold = process.platform === 'win32' ? (s: string) => s.toLowerCase() : (s: string) => s;

/** Component-wise comparison, so `a/x` sorts before `a-b/x` although '-' < '/'. */
export function comparePathParts(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareCodePoints(caseFold(a[i]), caseFold(b[i]));
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

interface Found {
  parts: string[];
  abs: string;
  st: fs.Stats;
  viaLink: boolean;
}

function input(rel: string, abs: string, st: fs.Stats, viaLink: boolean): HashInput {
  return { rel, abs, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, dev: st.dev, nlink: st.nlink, viaLink };
}

// Cold hashing is thousands of tiny files; an async call per stat/open/read/close is a thread-pool
// round trip each, which cost twice what `sha256sum` spends on the same bytes (bench/RESULTS.md).
// So the file system work is done synchronously, in slices (Slicer).

async function walk(dir: string, parts: string[], out: Found[], dirs: string[], slicer: Slicer, listings: DirListingCache | undefined): Promise<void> {
  dirs.push(dir);
  const entries = listings ? listings.entries(dir) : readDirEntries(dir);
  for (const e of entries) {
    await slicer.tick();
    const abs = path.join(dir, e.name);
    const childParts = [...parts, e.name];
    if (e.kind === 'dir') {
      await walk(abs, childParts, out, dirs, slicer, listings);
    } else if (e.kind === 'file' || e.kind === 'link') {
      // Symlinks: a link to a file counts with its target's bytes; a link to a directory is listed
      // by rglob but not descended; a broken link is skipped (is_file() is false).
      let st;
      try {
        st = fs.statSync(abs);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (e.kind === 'link' && (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP')) continue;
        throw err;
      }
      if (!st.isFile()) continue;
      out.push({ parts: childParts, abs, st, viaLink: e.kind === 'link' });
    }
    // sockets, fifos, devices: not regular files, skipped like SkillMeat's is_file() filter
  }
}

/**
 * What a hash of `p` would read, in SkillMeat's order. Throws (ENOENT, EACCES, …) like the hash would.
 * `listings`: reuse the listing of a directory whose own stat is unchanged (DirListingCache).
 */
export async function listHashInputs(p: string, listings?: DirListingCache): Promise<HashInputList> {
  // Synchronous like the walk below: a thread-pool round trip per listed path doubled the cost of
  // a stat-only validation (status --verify, the background validation) of many small entries.
  const lst = fs.lstatSync(p);
  const rootIsLink = lst.isSymbolicLink();
  const st = rootIsLink ? fs.statSync(p) : lst;
  if (st.isFile()) {
    return { kind: 'file', files: [input('', p, st, rootIsLink)], dirs: [path.dirname(p)], rootIsLink };
  }
  if (!st.isDirectory()) {
    const err = new Error(`not a regular file or directory: ${p}`) as NodeJS.ErrnoException;
    err.code = 'EINVAL';
    err.path = p;
    throw err;
  }
  const found: Found[] = [];
  const dirs: string[] = [];
  await walk(p, [], found, dirs, new Slicer(), listings);
  found.sort((a, b) => comparePathParts(a.parts, b.parts));
  return { kind: 'dir', files: found.map((f) => input(f.parts.join(path.sep), f.abs, f.st, f.viaLink)), dirs, rootIsLink };
}

/** Largest read buffer one hash holds; bigger files go through it in pieces. */
const MAX_CHUNK = 1024 * 1024;

function notRegular(p: string): NodeJS.ErrnoException {
  const err = new Error(`not a regular file: ${p}`) as NodeJS.ErrnoException;
  err.code = 'EINVAL';
  err.path = p;
  return err;
}

/**
 * Feeds every input into one SHA-256 through one reused buffer; files are never read whole into
 * memory (a big file goes through the buffer in 1 MiB pieces, a slice each).
 */
export async function hashInputs(kind: 'file' | 'dir', files: readonly HashInput[]): Promise<string> {
  const h = createHash('sha256');
  let largest = 0;
  for (const f of files) largest = Math.max(largest, f.size);
  // +1: a file that grew since it was listed is still read to its real end below
  const buf = Buffer.allocUnsafe(Math.min(MAX_CHUNK, largest + 1));
  const slicer = new Slicer();
  for (const f of files) {
    await slicer.tick();
    if (kind === 'dir') h.update(Buffer.from(f.rel, 'utf8'));
    const fd = fs.openSync(f.abs, READ_NONBLOCK);
    try {
      if (!fs.fstatSync(fd).isFile()) throw notRegular(f.abs);
      let total = 0;
      for (;;) {
        const bytesRead = fs.readSync(fd, buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        h.update(buf.subarray(0, bytesRead));
        total += bytesRead;
        // A short read that reached the listed size is the end: saves the read that returns 0,
        // a quarter of the system calls for small files. A file that shrank still reads on to 0.
        if (bytesRead < buf.length && total >= f.size) break;
        await slicer.tick();
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  return h.digest('hex');
}

export async function contentHash(p: string): Promise<string> {
  const list = await listHashInputs(p);
  return hashInputs(list.kind, list.files);
}

export const directHasher: Hasher = { hash: contentHash };

/** A hash together with the listing it read: the hash cache's stat signature comes from it. */
export interface HashedTree {
  list: HashInputList;
  hash: string;
}

/**
 * Hashes one file into `h` through `buf`, returning the open file's own stat. One system call fewer
 * per file than listing (stat) and then hashing (open + fstat): the fstat of the open file is both
 * the "is it still a regular file" check and the listing's stat. Undefined: not a regular file.
 */
function hashOpenFile(abs: string, h: ReturnType<typeof createHash>, buf: Buffer, rel: string | undefined): fs.Stats | undefined {
  const fd = fs.openSync(abs, READ_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return undefined;
    if (rel !== undefined) h.update(Buffer.from(rel, 'utf8'));
    let total = 0;
    for (;;) {
      const bytesRead = fs.readSync(fd, buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      total += bytesRead;
      // as in hashInputs: a short read that reached the size is the end
      if (bytesRead < buf.length && total >= st.size) break;
    }
    return st;
  } finally {
    fs.closeSync(fd);
  }
}

interface Named {
  parts: string[];
  abs: string;
  link: boolean;
}

function namesUnder(dir: string, parts: string[], out: Named[], dirs: string[]): void {
  dirs.push(dir);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) namesUnder(abs, [...parts, e.name], out, dirs);
    else if (e.isFile() || e.isSymbolicLink()) out.push({ parts: [...parts, e.name], abs, link: e.isSymbolicLink() });
  }
}

/**
 * contentHash() and listHashInputs() in one synchronous pass, for a cold hash (nothing cached to
 * compare with) off the main thread (hashWorker.ts): the walk reads names and types only, and each
 * file's stat is the fstat of its open descriptor. Same bytes in the same order as contentHash(),
 * the same skips (a broken link, a link to a directory, a non-regular entry), the same errors, and
 * the same listing fields (the signature of what was actually read).
 */
export function hashTreeSync(p: string, buf: Buffer = Buffer.allocUnsafe(MAX_CHUNK)): HashedTree {
  const h = createHash('sha256');
  const lst = fs.lstatSync(p);
  const rootIsLink = lst.isSymbolicLink();
  const st = rootIsLink ? fs.statSync(p) : lst;
  if (st.isFile()) {
    const own = hashOpenFile(p, h, buf, undefined);
    if (!own) throw notRegular(p);
    return { list: { kind: 'file', files: [input('', p, own, rootIsLink)], dirs: [path.dirname(p)], rootIsLink }, hash: h.digest('hex') };
  }
  if (!st.isDirectory()) {
    const err = new Error(`not a regular file or directory: ${p}`) as NodeJS.ErrnoException;
    err.code = 'EINVAL';
    err.path = p;
    throw err;
  }
  const names: Named[] = [];
  const dirs: string[] = [];
  namesUnder(p, [], names, dirs);
  names.sort((a, b) => comparePathParts(a.parts, b.parts));
  const files: HashInput[] = [];
  for (const n of names) {
    const rel = n.parts.join(path.sep);
    let fst: fs.Stats | undefined;
    try {
      fst = hashOpenFile(n.abs, h, buf, rel);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // a broken or looping link is skipped, as by is_file(); a regular file that vanished is an error
      if (n.link && (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP')) continue;
      throw err;
    }
    if (!fst) {
      // a link to a directory (or to a fifo, …) is not hashed; a regular entry turned into
      // something else since the listing is an error, as in hashInputs()
      if (n.link) continue;
      throw notRegular(n.abs);
    }
    files.push(input(rel, n.abs, fst, n.link));
  }
  return { list: { kind: 'dir', files, dirs, rootIsLink }, hash: h.digest('hex') };
}
