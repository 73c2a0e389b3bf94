// The symlink-escape check of one computation (a status pass, a manifest parse, a tracker scan).
// `realpathInside` asks the thread pool to realpath the path AND every root for every row: at a
// thousand artifacts that is a fifth of a status. Here each root is resolved once, and a path
// under a directory already known to be real is checked with synchronous lstats of the components
// below it only; when none is a symlink, its real path is the resolved directory plus those
// components, which is what realpath(3) would answer. Anything else (a symlink, an unexpected
// error, a file with components below it) falls back to realpath(3) for that path, so the answers
// are exactly `realpathInside`'s.
//
// What it learns is kept for this one computation only: a later request builds a new one, so it
// sees every change made before it was sent.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isInside, realpathInside, type RealCheck } from './safePath';
import { Slicer } from './slicer';

type Lstat = fs.Stats | NodeJS.ErrnoException;
type Real = { real: string } | { missing: true } | { error: NodeJS.ErrnoException };

function isMissing(e: NodeJS.ErrnoException): boolean {
  return e.code === 'ENOENT' || e.code === 'ENOTDIR';
}

export class RealPaths {
  /** lexical root → its real path, null when it does not resolve (skipped, as realpathInside does) */
  private readonly roots = new Map<string, string | null>();
  /** lexical absolute path → real path: resolved roots and the non-link directories found under them */
  private readonly dirs = new Map<string, string>();
  private readonly lstats = new Map<string, Lstat>();
  private readonly slicer = new Slicer();

  /**
   * @param fast false: every check is `realpathInside` itself. Windows keeps that path (its paths
   * compare case-insensitively, drive letters and 8.3 names are realpath's business there).
   */
  constructor(private readonly fast = process.platform !== 'win32') {}

  /** Whether `p` itself exists (lstat: a broken symlink exists). */
  async exists(p: string): Promise<boolean> {
    await this.slicer.tick(); // a manifest of missing copies is thousands of these in a row
    return !(this.lstat(p) instanceof Error);
  }

  /** `realpathInside(p, roots)`, answered from what this computation already resolved where it can. */
  async check(p: string, roots: readonly string[]): Promise<RealCheck> {
    if (!this.fast) return realpathInside(p, roots);
    const realRoots: string[] = [];
    for (const r of roots) {
      const rr = this.root(r);
      if (rr !== null) realRoots.push(rr);
    }
    const r = await this.resolve(p);
    if ('missing' in r) return { state: 'missing' };
    if ('error' in r) return { state: 'error', error: r.error };
    for (const rr of realRoots) if (isInside(rr, r.real)) return { state: 'ok', real: r.real };
    return { state: 'escape', real: r.real };
  }

  private lstat(p: string): Lstat {
    let st = this.lstats.get(p);
    if (st === undefined) {
      try {
        st = fs.lstatSync(p);
      } catch (err) {
        st = err as NodeJS.ErrnoException;
      }
      this.lstats.set(p, st);
    }
    return st;
  }

  private root(r: string): string | null {
    let real = this.roots.get(r);
    if (real === undefined) {
      const got = this.exact(r);
      real = 'real' in got ? got.real : null;
      this.roots.set(r, real);
      // Resolving r/x resolves r first: the real r is a base for every path under it.
      if (real !== null && path.isAbsolute(r) && path.resolve(r) === r) this.dirs.set(r, real);
    }
    return real;
  }

  /** What realpath(3) says of `p`. */
  private exact(p: string): Real {
    try {
      return { real: fs.realpathSync.native(p) };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return isMissing(e) ? { missing: true } : { error: e };
    }
  }

  private async resolve(p: string): Promise<Real> {
    if (!path.isAbsolute(p) || path.resolve(p) !== p) return this.exact(p);
    // The nearest ancestor (or p itself) already resolved, and the names below it.
    const below: string[] = [];
    let base = p;
    let real = this.dirs.get(base);
    while (real === undefined) {
      const parent = path.dirname(base);
      if (parent === base) return this.exact(p);
      below.push(path.basename(base));
      base = parent;
      real = this.dirs.get(base);
    }
    let lex = base;
    for (let i = below.length - 1; i >= 0; i--) {
      await this.slicer.tick();
      lex = path.join(lex, below[i]);
      const st = this.lstat(lex);
      if (st instanceof Error) {
        // realpath(3) walks the same components and stops at the same one with the same errno.
        if (isMissing(st)) return { missing: true };
        return this.exact(p);
      }
      real = path.join(real, below[i]);
      if (st.isDirectory()) {
        this.dirs.set(lex, real);
      } else if (i > 0 || st.isSymbolicLink()) {
        return this.exact(p);
      }
    }
    return { real };
  }
}
