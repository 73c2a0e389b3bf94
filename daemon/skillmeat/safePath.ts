// Paths written in manifests and tracker files are data, not trusted: they must stay inside their
// root lexically and, once symlinks are resolved, physically.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  if (rel === '') return true;
  if (path.isAbsolute(rel)) return false; // another drive on Windows
  return rel !== '..' && !rel.startsWith('..' + path.sep);
}

/** Joins a relative path under root; undefined when it is absolute or climbs out. */
export function joinInside(root: string, rel: string): string | undefined {
  if (rel === '' || path.isAbsolute(rel) || path.win32.isAbsolute(rel)) return undefined;
  const abs = path.resolve(root, rel);
  return isInside(root, abs) ? abs : undefined;
}

export type RealCheck =
  | { state: 'ok'; real: string }
  | { state: 'missing' }
  | { state: 'escape'; real: string }
  | { state: 'error'; error: NodeJS.ErrnoException };

/** Resolves symlinks of `p` and checks the target is inside one of `roots` (also resolved). */
export async function realpathInside(p: string, roots: readonly string[]): Promise<RealCheck> {
  let real: string;
  try {
    real = await fsp.realpath(p);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return { state: 'missing' };
    return { state: 'error', error: e };
  }
  for (const r of roots) {
    let realRoot: string;
    try {
      realRoot = await fsp.realpath(r);
    } catch {
      continue;
    }
    if (isInside(realRoot, real)) return { state: 'ok', real };
  }
  return { state: 'escape', real };
}

/** A profile root must be one hidden directory name directly inside the workspace folder. */
export function isHiddenDirName(name: string): boolean {
  return /^\.[^/\\]+$/.test(name) && name !== '..' && !name.includes('\0');
}
