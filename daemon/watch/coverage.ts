// Which directories a live watch handle covers right now, and since when (issue #11, item 2).
//
// A cached answer may be used without looking at the disk only while a watcher has seen every
// change to what it read, continuously, since it was read. Every directory the watchers hold gets
// a fresh epoch each time its handle is (re)opened; a reader records the epochs of the directories
// it read, and its answer stays trustworthy only while every one of them still holds the same epoch.
// A directory moved away, deleted, replaced, dropped from watching (folder limit, idle GC), or lost
// with a failed scope no longer has that epoch — whatever happened to it meanwhile cannot hide.
export interface CoverageView {
  /** epoch of the live watch on this directory; undefined: nothing watches it */
  epoch(absDir: string): number | undefined;
  /** bumped by every add and remove: a reader that saw it change while reading records nothing */
  readonly version: number;
}

export class WatchCoverage implements CoverageView {
  private readonly dirs = new Map<string, number>();
  private nextEpoch = 1;
  private v = 0;

  get version(): number {
    return this.v;
  }

  get size(): number {
    return this.dirs.size;
  }

  add(absDir: string): void {
    this.dirs.set(absDir, this.nextEpoch++);
    this.v++;
  }

  remove(absDir: string): void {
    if (this.dirs.delete(absDir)) this.v++;
  }

  epoch(absDir: string): number | undefined {
    return this.dirs.get(absDir);
  }

  /**
   * Everything lost at once (a queue overflow, a stall): every epoch changes, so nothing read before
   * is trusted again without a stat.
   */
  renewAll(): void {
    for (const k of this.dirs.keys()) this.dirs.set(k, this.nextEpoch++);
    this.v++;
  }
}

/** Epochs of these directories now, or undefined if one of them is not watched. */
export function epochsOf(view: CoverageView, dirs: readonly string[]): number[] | undefined {
  const out: number[] = new Array(dirs.length);
  for (let i = 0; i < dirs.length; i++) {
    const e = view.epoch(dirs[i]);
    if (e === undefined) return undefined;
    out[i] = e;
  }
  return out;
}

/** Whether every directory still holds the epoch recorded for it. */
export function stillCovered(view: CoverageView, dirs: readonly string[], epochs: readonly number[]): boolean {
  for (let i = 0; i < dirs.length; i++) if (view.epoch(dirs[i]) !== epochs[i]) return false;
  return true;
}
