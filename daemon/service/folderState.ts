// What the daemon remembers about one workspace folder between requests. `generation` is bumped by
// every invalidation; a computation that started under an older generation is not trusted, which
// is how "no stale answer after an invalidation event was processed" holds even while a
// recomputation is already running.
import type { TrackerFileResult } from '../skillmeat';
import type { WorkspaceStatus } from '../../shared/types';

export class FolderState {
  generation = 0;
  /** generation the cached rows were computed under */
  rowsGeneration = -1;
  /** the daemon's home generation the cached rows were computed under */
  rowsHomeGeneration = -1;
  rows: WorkspaceStatus | undefined;
  inflight: Promise<{ rows: WorkspaceStatus; gen: number; homeGen: number }> | undefined;
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
  }
}
