// One watched directory tree built from non-recursive fs.watch handles, one per directory.
//
// Node 20's recursive fs.watch on Linux is a JS emulation with known gaps around directories that
// are created or deleted while watching; here those cases are explicit: a new directory is watched
// as soon as its parent reports it, a vanished one has its handles closed, and a directory that
// was replaced (rm + mkdir, git checkout) is detected by its inode. The root may not exist: then
// the nearest existing ancestor is watched until it appears. A slow stat poll of the root backs up
// the events that the OS does not deliver for the root itself.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WatchCoverage } from './coverage';
import { errorMessage } from '../../shared/errors';

/** dirChanged: something in that directory changed but the OS did not say what */
export type TreeEventType = 'file' | 'dirAdded' | 'dirRemoved' | 'dirChanged' | 'rootAdded' | 'rootRemoved';

export interface TreeEvent {
  type: TreeEventType;
  abs: string;
  /** path components below the root ([] for the root itself) */
  rel: string[];
}

export interface DirTreeOptions {
  root: string;
  /** whether the subdirectory at rel (components below the root) is watched */
  descend(rel: readonly string[]): boolean;
  onEvent(e: TreeEvent): void;
  /** watch handles could not be set up (EMFILE, ENOSPC, too many dirs, …): the tree is incomplete */
  onError(err: Error): void;
  maxDirs?: number;
  pollMs?: number;
  /** told about every directory a live handle watches (what cached answers may rely on) */
  coverage?: WatchCoverage;
}

interface Watched {
  watcher: fs.FSWatcher;
  rel: string[];
  ino: number;
}

export const DEFAULT_MAX_DIRS = 20_000;

export class DirTree {
  private readonly root: string;
  private readonly opts: DirTreeOptions;
  private readonly maxDirs: number;
  private readonly dirs = new Map<string, Watched>();
  private ancestor?: { dir: string; watcher: fs.FSWatcher };
  private pollTimer?: NodeJS.Timeout;
  private polling = false;
  private closed = false;

  constructor(opts: DirTreeOptions) {
    this.opts = opts;
    this.root = path.resolve(opts.root);
    this.maxDirs = opts.maxDirs ?? DEFAULT_MAX_DIRS;
  }

  /** Throws nothing: failures go to onError. */
  start(): void {
    this.syncRoot(false);
    const pollMs = this.opts.pollMs ?? 2000;
    if (pollMs > 0) {
      this.pollTimer = setInterval(() => this.poll(), pollMs);
      this.pollTimer.unref();
    }
  }

  get rootExists(): boolean {
    return this.dirs.has(this.root);
  }

  /** open fs.watch handles */
  get count(): number {
    return this.dirs.size + (this.ancestor ? 1 : 0);
  }

  /**
   * Re-checks the root now (a symlinked root retargeted, a root replaced while its handle saw
   * nothing): the sync barrier calls it so such a change is applied before the answer, not at the
   * next poll.
   */
  checkRoot(): void {
    this.syncRoot(true);
  }

  /** Re-applies descend() below a watched directory (its policy may have changed). */
  rescan(absDir: string): void {
    const w = this.dirs.get(absDir);
    if (w) this.scanChildren(absDir, w.rel);
  }

  close(): void {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.closeAncestor();
    for (const [dir, w] of this.dirs) {
      safeClose(w.watcher);
      this.opts.coverage?.remove(dir);
    }
    this.dirs.clear();
  }

  // ------------------------------------------------------------------ internals

  private poll(): void {
    if (this.closed || this.polling) return;
    this.polling = true;
    fs.stat(this.root, (err, st) => {
      this.polling = false;
      if (this.closed) return;
      const watched = this.dirs.get(this.root);
      const ino = !err && st.isDirectory() ? st.ino : undefined;
      if (watched?.ino !== ino) this.syncRoot(true);
    });
  }

  /** Brings the watch state of the root in line with the disk. */
  private syncRoot(announce: boolean): void {
    if (this.closed) return;
    const st = statOrNull(this.root); // a symlinked home is followed
    const watched = this.dirs.get(this.root);
    if (st?.isDirectory()) {
      if (watched && watched.ino === st.ino) return;
      if (watched) this.removeSubtree(this.root);
      this.closeAncestor();
      if (this.addDir(this.root, []) && announce) this.emit({ type: 'rootAdded', abs: this.root, rel: [] });
      return;
    }
    if (watched) {
      this.removeSubtree(this.root);
      if (announce) this.emit({ type: 'rootRemoved', abs: this.root, rel: [] });
    }
    this.watchAncestor();
  }

  private watchAncestor(): void {
    let dir = path.dirname(this.root);
    while (!statOrNull(dir)?.isDirectory()) {
      const up = path.dirname(dir);
      if (up === dir) return;
      dir = up;
    }
    if (this.ancestor?.dir === dir) return;
    this.closeAncestor();
    try {
      const watcher = fs.watch(dir, { persistent: false }, () => this.syncRoot(true));
      watcher.on('error', () => {
        this.closeAncestor();
        this.syncRoot(true);
      });
      this.ancestor = { dir, watcher };
    } catch (e) {
      this.fail(e, `cannot watch ${dir}`);
    }
  }

  private closeAncestor(): void {
    if (!this.ancestor) return;
    safeClose(this.ancestor.watcher);
    this.ancestor = undefined;
  }

  /** false when the directory could not be watched (already reported) */
  private addDir(abs: string, rel: string[]): boolean {
    if (this.dirs.has(abs)) return true;
    if (this.dirs.size >= this.maxDirs) {
      this.fail(new Error(`more than ${this.maxDirs} directories under ${this.root}`), 'watch limit');
      return false;
    }
    let watcher: fs.FSWatcher;
    let ino: number;
    try {
      ino = fs.statSync(abs).ino;
      watcher = fs.watch(abs, { persistent: false }, (_type, name) => this.onRaw(abs, rel, name));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // gone again before we got to it: its parent reports the removal
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      this.fail(e, `cannot watch ${abs}`);
      return false;
    }
    watcher.on('error', (err) => this.onWatchError(abs, err));
    this.dirs.set(abs, { watcher, rel, ino });
    this.opts.coverage?.add(abs);
    this.scanChildren(abs, rel);
    return true;
  }

  private scanChildren(abs: string, rel: string[]): void {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch {
      return; // vanished meanwhile; the parent's event removes it
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const childRel = [...rel, e.name];
      if (this.opts.descend(childRel)) this.addDir(path.join(abs, e.name), childRel);
    }
  }

  private onRaw(dirAbs: string, dirRel: string[], name: string | Buffer | null): void {
    if (this.closed) return;
    const own = this.dirs.get(dirAbs);
    if (!own) return;
    const dirSt = statOrNull(dirAbs);
    if (!dirSt?.isDirectory() || dirSt.ino !== own.ino) {
      // the watched directory itself went away or was replaced
      if (dirAbs === this.root) this.syncRoot(true);
      else this.checkChild(path.dirname(dirAbs), dirRel.slice(0, -1), path.basename(dirAbs));
      return;
    }
    if (name === null) {
      this.emit({ type: 'dirChanged', abs: dirAbs, rel: dirRel });
      return;
    }
    this.checkChild(dirAbs, dirRel, name.toString());
  }

  private checkChild(dirAbs: string, dirRel: string[], name: string): void {
    const abs = path.join(dirAbs, name);
    const rel = [...dirRel, name];
    const st = lstatOrNull(abs);
    const watched = this.dirs.get(abs);
    if (st?.isDirectory() && this.opts.descend(rel)) {
      if (watched && watched.ino === st.ino) {
        this.emit({ type: 'file', abs, rel });
        return;
      }
      if (watched) {
        this.removeSubtree(abs);
        this.emit({ type: 'dirRemoved', abs, rel });
      }
      if (this.dirs.has(dirAbs) && this.addDir(abs, rel)) this.emit({ type: 'dirAdded', abs, rel });
      return;
    }
    if (watched) {
      this.removeSubtree(abs);
      this.emit({ type: 'dirRemoved', abs, rel });
      if (!st) return;
    }
    this.emit({ type: 'file', abs, rel });
  }

  private onWatchError(abs: string, err: Error): void {
    if (this.closed) return;
    const w = this.dirs.get(abs);
    if (w) {
      safeClose(w.watcher);
      this.dirs.delete(abs);
      this.opts.coverage?.remove(abs);
    }
    const st = statOrNull(abs);
    if (!st?.isDirectory()) {
      // a deleted directory (Windows reports EPERM); not a failure of the watcher
      if (abs === this.root) this.syncRoot(true);
      else {
        this.removeSubtree(abs);
        this.emit({ type: 'dirRemoved', abs, rel: w?.rel ?? [] });
      }
      return;
    }
    this.fail(err, `watcher error on ${abs}`);
  }

  private removeSubtree(abs: string): void {
    const prefix = abs + path.sep;
    for (const [dir, w] of this.dirs) {
      if (dir === abs || dir.startsWith(prefix)) {
        safeClose(w.watcher);
        this.dirs.delete(dir);
        this.opts.coverage?.remove(dir);
      }
    }
  }

  private emit(e: TreeEvent): void {
    try {
      this.opts.onEvent(e);
    } catch (err) {
      this.fail(err, 'event handler');
    }
  }

  private fail(e: unknown, context: string): void {
    const code = (e as NodeJS.ErrnoException)?.code;
    const msg = errorMessage(e);
    const err = new Error(`${context}: ${code && !msg.includes(code) ? `${code} ` : ''}${msg}`);
    try {
      this.opts.onError(err);
    } catch {
      // the error sink must not take the tree down
    }
  }
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

function safeClose(w: fs.FSWatcher): void {
  try {
    w.close();
  } catch {
    // already closed
  }
}
