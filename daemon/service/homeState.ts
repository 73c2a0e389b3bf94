// The SkillMeat home as the service last read it (config + every collection's manifest and lock),
// with its generation counter: every home invalidation bumps it, and both the snapshot and every
// folder's rows are stamped with it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectionsDir, configPath, listCollectionIds, readHome, type HomeSnapshot } from '../skillmeat';
import { sameSignatures, signatures } from './fileSignature';
import type { CoverageView } from '../watch/coverage';
import { GenerationalValue } from './generationalValue';

export class HomeState {
  private gen = 0;
  private readonly snap: GenerationalValue<HomeSnapshot>;

  /**
   * The last snapshot read files no watcher covers (a symlinked config.toml, collection or
   * manifest; a home not watched yet): it is read again for every request.
   */
  volatile = true;
  /** what the last snapshot was read from, for `status --verify` to check by stat */
  private read: { exists: boolean; ids: string; files: Map<string, string> } | undefined;

  constructor(
    readonly home: string,
    private readonly coverage?: CoverageView,
  ) {
    this.snap = new GenerationalValue({
      generations: () => [this.gen],
      compute: async () => {
        const snap = await readHome(this.home);
        this.volatile = !this.covered(snap);
        const files = [configPath(this.home), ...[...snap.collections.values()].flatMap((c) => [c.manifestFile, c.lockFile])];
        this.read = { exists: snap.exists, ids: [...snap.collections.keys()].sort().join('\0'), files: signatures(files) };
        return snap;
      },
    });
  }

  /**
   * `status --verify` with healthy watchers: by stat, whatever the watchers say, is the snapshot
   * still what the disk holds — the same collections, and config, manifests and locks with the same
   * signatures? If not (or it rests on files no watcher covers), it is read again.
   */
  async verify(): Promise<void> {
    const read = this.read;
    if (!read || !this.snap.isFresh() || this.volatile) {
      this.invalidate();
      return;
    }
    let exists = false;
    try {
      exists = fs.statSync(this.home).isDirectory();
    } catch {
      exists = false;
    }
    const ids = exists ? (await listCollectionIds(this.home)).join('\0') : '';
    if (exists !== read.exists || ids !== read.ids || !sameSignatures(read.files)) this.invalidate();
  }

  /** Whether a watcher reports every change to what this snapshot read. */
  private covered(snap: HomeSnapshot): boolean {
    const cov = this.coverage;
    if (!cov || !snap.exists || cov.epoch(this.home) === undefined || isLink(configPath(this.home))) return false;
    const cols = collectionsDir(this.home);
    if (fs.existsSync(cols) && cov.epoch(cols) === undefined) return false;
    for (const col of snap.collections.values()) {
      if (cov.epoch(col.dir) === undefined || isLink(col.manifestFile) || isLink(col.lockFile)) return false;
    }
    return true;
  }

  get generation(): number {
    return this.gen;
  }

  /** Something under the home changed (or may have): the next snapshot is read again. */
  invalidate(): void {
    this.gen++;
  }

  /** A snapshot read no earlier than the latest invalidation before this call. */
  snapshot(): Promise<HomeSnapshot> {
    return this.snap.get();
  }

  /** The last snapshot read, fresh or not (the "before" of a change). */
  get last(): HomeSnapshot | undefined {
    return this.snap.last;
  }
}

/** A symlink's target changes without an event where the link lives. */
export function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

export function parentWatched(cov: CoverageView, p: string): boolean {
  return cov.epoch(path.dirname(p)) !== undefined;
}
