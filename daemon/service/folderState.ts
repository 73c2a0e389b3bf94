// What the daemon remembers about one workspace folder between requests. `generation` is bumped by
// every invalidation of the folder; its rows are a GenerationalValue stamped with [folder
// generation, home generation], so a computation that started before an invalidation is never
// served to a request that came after it — even while a recomputation is already running.
import type { WorkspaceStatus } from '../../shared/types';
import type { TrackerFileResult, TrackerSnapshot } from '../skillmeat';
import { GenerationalValue, type Stamp } from './generationalValue';
import type { HomeState } from './homeState';

/** Past this many changed paths a folder is simply recomputed whole. */
const MAX_TRACKED_PATHS = 256;

/** A folder's rows and the tracker records they were computed from. */
export interface ComputedRows {
  rows: WorkspaceStatus;
  trackers: TrackerSnapshot;
  /**
   * The rows rest on something no watcher reports changes of (a symlinked profile root or file,
   * a hard-linked file, a racy hash, a folder not watched): they are recomputed for every request.
   */
  volatile: boolean;
  /**
   * Set when the rows are volatile only because these hashed artifact paths are not covered (a
   * racy, symlinked or hard-linked input): recomputing the rows that rest on them is enough, the
   * rest of the folder still holds. Absent on a volatile folder: recompute it whole.
   */
  volatilePaths?: string[];
  /** what the rows were computed from, for `status --verify` to check by stat */
  inputs: RowInputs;
}

export interface RowInputs {
  /** content hash of every path the rows hashed (project and collection copies) */
  hashes: Map<string, string>;
  /** paths the rows found missing or unreadable */
  missing: Set<string>;
  /** every tracker file read, with its stat signature */
  trackers: Map<string, string>;
}

/** Computes a folder's rows; `homeGeneration` is the home generation the computation started under. */
export type ComputeRows = (st: FolderState, homeGeneration: number) => Promise<ComputedRows>;

export class FolderState {
  generation = 0;
  private readonly value: GenerationalValue<ComputedRows>;
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

  constructor(
    readonly folder: string,
    home: HomeState,
    compute: ComputeRows,
  ) {
    this.value = new GenerationalValue<ComputedRows>({
      generations: () => [this.generation, home.generation],
      compute: (stamp: Stamp) => compute(this, stamp[1]),
      onStored: (_v, stamp) => {
        // Every change counted in `changed` happened before stamp[0] was read, so all of it is
        // in these rows; a later change would have bumped the generation.
        if (this.generation === stamp[0]) this.changed = new Set();
      },
    });
  }

  /** Rows computed from data read no earlier than the latest invalidation before this call. */
  async currentRows(): Promise<WorkspaceStatus> {
    return (await this.value.get()).rows;
  }

  /** Whether the cached rows reflect every invalidation so far. */
  rowsFresh(): boolean {
    return this.value.isFresh();
  }

  /** The last rows computed, fresh or not. */
  get rows(): WorkspaceStatus | undefined {
    return this.value.last?.rows;
  }

  /** The last rows rest on inputs no watcher covers: every request recomputes them. */
  get volatile(): boolean {
    return this.value.last?.volatile ?? true;
  }

  /** See ComputedRows.volatilePaths: undefined when the folder is not volatile or volatile as a whole. */
  get volatilePaths(): string[] | undefined {
    const last = this.value.last;
    return last?.volatile ? last.volatilePaths : undefined;
  }

  /** Forgets what the watchers cannot vouch for: only the rows on uncovered paths where that is enough. */
  invalidateVolatile(): void {
    const paths = this.volatilePaths;
    if (paths) this.invalidatePaths(paths);
    else this.invalidate();
  }

  /** What the last rows were computed from. */
  get inputs(): RowInputs | undefined {
    return this.value.last?.inputs;
  }

  /** The tracker records the last rows were computed from. */
  get trackers(): TrackerSnapshot | undefined {
    return this.value.last?.trackers;
  }

  /** The home generation the last rows were computed under (-1: none yet). */
  get rowsHomeGeneration(): number {
    return this.value.lastStamp?.[1] ?? -1;
  }

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
