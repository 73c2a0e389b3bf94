// One local copy of an artifact (the collection's or the project's) as a diff side: every file
// the content hash would read (same listing, so "modified" in the status and the files listed
// here agree), with its git blob SHA and bytes. Reads never block (O_NONBLOCK, regular files only)
// and never follow a path that was swapped for something else after it was listed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listHashInputs } from '../skillmeat/contentHash';
import { GitBlobHasher, gitBlobSha } from '../cache/gitBlobSha';
import type { SideFile } from './diffEngine';
import { READ_NONBLOCK } from '../skillmeat/readFlags';

/** Files larger than this are compared by SHA only (no line counts, no text). */
export const MAX_COMPARED_BYTES = 16 * 1024 * 1024;

export interface LocalSide {
  kind: 'file' | 'dir' | 'missing';
  files: Map<string, SideFile>;
}

/** The bytes of one regular file, or an error text; `limit` bounds what is kept in memory. */
export function readRegularFile(abs: string, limit = MAX_COMPARED_BYTES): { sha: string; bytes?: Buffer; size: number; error?: string } {
  const fd = fs.openSync(abs, READ_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error(`not a regular file: ${abs}`), { code: 'EINVAL' });
    if (st.size > limit) {
      // Too big to keep: hash it through a small buffer, so equal files are still known as equal.
      const h = new GitBlobHasher(st.size);
      const buf = Buffer.allocUnsafe(1024 * 1024);
      let total = 0;
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        h.update(buf.subarray(0, n));
        total += n;
      }
      if (total !== st.size) throw Object.assign(new Error(`file changed while read: ${abs}`), { code: 'EAGAIN' });
      return { sha: h.digest(), size: st.size, error: `too large to compare (${st.size} bytes)` };
    }
    const bytes = Buffer.allocUnsafe(st.size);
    let total = 0;
    while (total < st.size) {
      const n = fs.readSync(fd, bytes, total, st.size - total, null);
      if (n === 0) break;
      total += n;
    }
    const exact = total === st.size ? bytes : bytes.subarray(0, total);
    return { sha: gitBlobSha(exact), bytes: exact, size: exact.length };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The files of a local copy. A directory's files are keyed by their path relative to it with `/`;
 * a single-file artifact is one file named by `singleName` (default its own file name).
 */
export async function readLocalSide(abs: string, singleName?: string): Promise<LocalSide> {
  let list;
  try {
    list = await listHashInputs(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing', files: new Map() };
    throw e;
  }
  const files = new Map<string, SideFile>();
  for (const f of list.files) {
    const rel = list.kind === 'file' ? (singleName ?? path.basename(abs)) : f.rel.split(path.sep).join('/');
    try {
      const r = readRegularFile(f.abs);
      files.set(rel, r.error ? { sha: r.sha, error: r.error } : { sha: r.sha, bytes: r.bytes });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Gone since it was listed: it is not part of this side any more.
      if (code === 'ENOENT') continue;
      throw e;
    }
  }
  return { kind: list.kind, files };
}
