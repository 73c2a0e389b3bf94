// What the daemon remembers about one workspace folder between requests. `generation` is bumped by
// every invalidation; a computation that started under an older generation is not trusted, which
// is how "no stale answer after an invalidation event was processed" holds even while a
// recomputation is already running.
import type { TrackerFileResult, TrackerSnapshot } from '../skillmeat';

/** Past this many changed paths a folder is simply recomputed whole. */
const MAX_TRACKED_PATHS = 256;
import type { WorkspaceStatus } from '../../shared/types';

export class FolderState {
  generation = 0;
  /** generation the cached rows were computed under */
  rowsGeneration = -1;
  /** the daemon's home generation the cached rows were computed under */
  rowsHomeGeneration = -1;
  rows: WorkspaceStatus | undefined;
  inflight: Promise<{ rows: WorkspaceStatus; gen: number; homeGen: number }> | undefined;
  /** tracker records the cached rows were computed from */
  trackers: TrackerSnapshot | undefined;
  /**
   * What changed since the cached rows: deployed paths only (so only the rows whose project copy
   * is at, above or below one of them need recomputing), or 'all'.
   */
  changed: Set<string> | 'all' = 'all';
  /** last tracker read that parsed, per file: kept while a file is being rewritten */
  readonly lastGoodTracker = new Map<string, TrackerFileResult>();
  /** since when tracker reads have been deferred because a file looked mid-write */
  deferringSince: number | undefined;
  retryTimer: NodeJS.Timeout | undefined;
  lastUsed = Date.now();
  /** clients currently subscribed */
  subscribers = 0;
  watched = false;

  constructor(readonly folder: string) {}

  invalidate(): void {
    this.generation++;
    this.changed = 'all';
  }

  /** Only these deployed files or folders changed (no tracker, no home change). */
  invalidatePaths(paths: Iterable<string>): void {
    this.generation++;
    if (this.changed === 'all') return;
    for (const p of paths) this.changed.add(p);
    if (this.changed.size > MAX_TRACKED_PATHS) this.changed = 'all';
  }
}
