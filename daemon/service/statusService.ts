// Status rows: the folders the daemon knows (subscribed or recently asked about), their rows
// computed from the home snapshot and their trackers — whole, or only the rows at changed deployed
// paths — and the didChange that follows a recomputation. Requests begin in SyncService, which
// invalidates first when nothing watches the disk; this service only serves and recomputes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { qualifiedKey } from '../../shared/artifactKey';
import type { DidChangeParams } from '../../shared/protocol';
import type { CacheStats, StatusResult, UpstreamInfo, WorkspaceStatus } from '../../shared/types';
import type { HashCache } from '../cache/hashCache';
import type { Logger } from '../log';
import {
  computeWorkspaceStatus,
  findTrackerFiles,
  recordKey,
  type CollectionSnapshot,
  type HomeSnapshot,
  type ManifestArtifact,
  type TrackerSnapshot,
} from '../skillmeat';
import type { Hasher } from '../skillmeat';
import type { ChangeWatcher } from '../watch/changeWatcher';
import type { CoverageView } from '../watch/coverage';
import { sameSignatures, signatures } from './fileSignature';
import { FolderState, type ComputedRows, type RowInputs } from './folderState';
import { isLink, parentWatched, type HomeState } from './homeState';
import { readTrackersSettled, SETTLE_MS } from './settledTrackers';

/** Folders asked about without a subscription stay watched this long (CLI use). */
const UNSUBSCRIBED_KEEP_MS = 10 * 60_000;
const MAX_FOLDERS = 64;

export interface StatusServiceOptions {
  home: HomeState;
  hashCache: HashCache;
  log: Logger;
  /** undefined in --no-daemon mode */
  watcher: ChangeWatcher | undefined;
  /** whether healthy watchers report every change (else every request re-reads) */
  watching: () => boolean;
  /** which directories live watches cover (undefined: none, in --no-daemon mode) */
  coverage?: CoverageView;
  /** the upstream state a row shows, without any network */
  upstreamOf: (col: CollectionSnapshot, art: ManifestArtifact) => UpstreamInfo;
  /** deliver a didChange to the clients subscribed to these folders */
  notify: (params: DidChangeParams) => void;
}

export class StatusService {
  private readonly folders = new Map<string, FolderState>();
  /** status requests answered from still-valid rows, and those that had to recompute */
  private hits = 0;
  private misses = 0;
  private closed = false;

  constructor(private readonly opts: StatusServiceOptions) {}

  // ------------------------------------------------------------------ folders

  /** The state of each folder, created (and watched) on first use. */
  track(folders: readonly string[]): FolderState[] {
    return folders.map((f) => this.folderState(path.resolve(f)));
  }

  /** A folder's state if the daemon knows it. */
  known(folder: string): FolderState | undefined {
    return this.folders.get(folder);
  }

  all(): FolderState[] {
    return [...this.folders.values()];
  }

  subscribedFolders(): string[] {
    return this.all()
      .filter((f) => f.subscribers > 0)
      .map((f) => f.folder);
  }

  private folderState(folder: string): FolderState {
    let st = this.folders.get(folder);
    if (!st) {
      st = new FolderState(folder, this.opts.home, (s, homeGen) => this.computeRows(s, homeGen));
      this.folders.set(folder, st);
      if (this.opts.watcher) {
        this.opts.watcher.watchWorkspace(folder);
        st.watched = true;
      }
      if (this.folders.size > MAX_FOLDERS) this.collectUnused();
    }
    st.lastUsed = Date.now();
    return st;
  }

  subscribe(folders: string[]): string[] {
    const out: string[] = [];
    for (const st of this.track(folders)) {
      st.subscribers++;
      out.push(st.folder);
    }
    return out;
  }

  unsubscribe(folders: string[]): string[] {
    const out: string[] = [];
    for (const f of folders) {
      const st = this.folders.get(path.resolve(f));
      if (st && st.subscribers > 0) {
        st.subscribers--;
        st.lastUsed = Date.now();
        out.push(st.folder);
      }
    }
    return out;
  }

  /** Forgets folders nobody subscribes to that were not asked about lately (or too many). */
  collectUnused(): void {
    const now = Date.now();
    const candidates = this.all()
      .filter((f) => f.subscribers === 0)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    for (const st of candidates) {
      const tooMany = this.folders.size > MAX_FOLDERS;
      if (!tooMany && now - st.lastUsed < UNSUBSCRIBED_KEEP_MS) continue;
      this.opts.watcher?.unwatchWorkspace(st.folder);
      if (st.retryTimer) clearTimeout(st.retryTimer);
      this.folders.delete(st.folder);
    }
  }

  // ------------------------------------------------------------------ status

  async status(states: FolderState[]): Promise<StatusResult> {
    const home = await this.opts.home.snapshot();
    this.opts.hashCache.trustWatchers = this.opts.watching();
    const workspaces: WorkspaceStatus[] = [];
    for (const st of states) {
      if (st.rowsFresh()) this.hits++;
      else this.misses++;
      workspaces.push(await st.currentRows());
    }
    const result: StatusResult = { home: home.home, homeExists: home.exists, activeCollection: home.activeCollection, workspaces };
    if (home.warnings.length) result.warnings = [...home.warnings];
    const watcher = this.opts.watcher;
    if (watcher && !this.opts.watching()) {
      (result.warnings ??= []).push(`file watching is not available (${watcher.message ?? 'unknown reason'}): every request re-reads the disk`);
    }
    return result;
  }

  private async computeRows(st: FolderState, homeGen: number): Promise<ComputedRows> {
    const home = await this.opts.home.snapshot();
    // Which paths the rows were computed from, to know whether watchers cover all of them.
    const hashed = new Map<string, string>();
    const failed: string[] = [];
    const cache = this.opts.hashCache;
    const hasher: Hasher = {
      hash: async (p) => {
        try {
          const h = await cache.hash(p);
          hashed.set(p, h);
          return h;
        } catch (err) {
          failed.push(p);
          throw err;
        }
      },
    };
    const opts = { hasher, upstream: this.opts.upstreamOf };
    const changed = st.changed;
    const rows = st.rows;
    const trackers = st.trackers;
    const inputsOf = (before: RowInputs | undefined, tracked: Map<string, string>): RowInputs => {
      const inputs: RowInputs = { hashes: new Map(before?.hashes), missing: new Set(before?.missing), trackers: tracked };
      for (const p of failed) {
        inputs.hashes.delete(p);
        inputs.missing.add(p);
      }
      for (const [p, h] of hashed) {
        inputs.missing.delete(p);
        inputs.hashes.set(p, h);
      }
      return inputs;
    };
    const prevInputs = st.inputs;
    const prevVolatile = st.volatilePaths;
    if (changed !== 'all' && rows && trackers && prevInputs && st.rowsHomeGeneration === homeGen && (!st.volatile || prevVolatile)) {
      // Only deployed files changed: the tracker parse and every other row still hold. Rows that
      // rested on an uncovered path (a file still inside the racy window after an edit, a linked
      // input) are recomputed with them; the others were covered when computed, and any event
      // since would have invalidated their paths or the whole folder.
      const wanted = new Set(changed);
      for (const p of prevVolatile ?? []) wanted.add(p);
      const partial = await recomputeRowsAt(home, rows, trackers, wanted, opts);
      const paths = [...hashed.keys()];
      return { rows: partial, trackers, ...this.volatility(st.folder, trackers, paths, failed), inputs: inputsOf(prevInputs, prevInputs.trackers) };
    }
    const { snapshot, unsettled } = await readTrackersSettled(st);
    if (unsettled) this.scheduleRetry(st);
    const computed = await computeWorkspaceStatus(home, snapshot, opts);
    const tracked = signatures(snapshot.files.map((f) => f.file));
    const paths = [...hashed.keys()];
    return { rows: computed, trackers: snapshot, ...(unsettled ? { volatile: true } : this.volatility(st.folder, snapshot, paths, failed)), inputs: inputsOf(undefined, tracked) };
  }

  /**
   * `status --verify` with healthy watchers: checks by stat, whatever the watchers say, that every
   * input of each folder's cached rows is unchanged — the tracker files (the set and each one's
   * signature), the missing paths (still missing), every hashed path (stat-walked: the caller has
   * distrusted the hash cache, so an unchanged signature keeps its hash and a changed one is
   * re-hashed) — and invalidates a folder whose inputs differ, so it is recomputed from the disk.
   */
  async verify(states: FolderState[]): Promise<void> {
    for (const st of states) {
      const inputs = st.inputs;
      if (!inputs || !st.rowsFresh() || st.volatile || !(await this.inputsHold(st.folder, inputs))) st.invalidate();
    }
  }

  private async inputsHold(folder: string, inputs: RowInputs): Promise<boolean> {
    const files = await findTrackerFiles(folder);
    if (files.length !== inputs.trackers.size || files.some((f) => !inputs.trackers.has(f))) return false;
    if (!sameSignatures(inputs.trackers)) return false;
    for (const p of inputs.missing) if (fs.existsSync(p)) return false;
    for (const [p, h] of inputs.hashes) {
      try {
        if ((await this.opts.hashCache.hash(p)) !== h) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether a watcher reports every change to what these rows read: the folder's root level, each
   * tracker file (not a symlink, its profile root watched), each hash entry (covered, see
   * HashCache), and for a path that could not be hashed (missing) its parent directory.
   */
  /**
   * Whether the watchers vouch for every input of these rows. Volatile as a whole when the folder,
   * a tracker or a missing path is not covered; volatile on `volatilePaths` when only some hashed
   * artifact paths are not (their rows alone need recomputing).
   */
  private volatility(folder: string, trackers: TrackerSnapshot, hashed: string[], failed: string[]): Pick<ComputedRows, 'volatile' | 'volatilePaths'> {
    const cov = this.opts.coverage;
    if (!cov || cov.epoch(folder) === undefined) return { volatile: true };
    for (const f of trackers.files) if (!parentWatched(cov, f.file) || isLink(f.file)) return { volatile: true };
    for (const p of failed) if (!parentWatched(cov, p)) return { volatile: true };
    const uncovered = hashed.filter((p) => !this.opts.hashCache.isCovered(p));
    return uncovered.length ? { volatile: true, volatilePaths: uncovered } : { volatile: false };
  }

  private scheduleRetry(st: FolderState): void {
    if (st.retryTimer) return;
    st.retryTimer = setTimeout(() => {
      st.retryTimer = undefined;
      st.invalidate();
      void this.recomputeAndNotify([st], [], false);
    }, SETTLE_MS);
    st.retryTimer.unref();
  }

  /**
   * Recomputes the subscribed ones of these folders (others on their next request) and tells the
   * clients which keys changed, and which collections' counts and whether the home did.
   */
  async recomputeAndNotify(folders: FolderState[], collections: string[], home: boolean): Promise<void> {
    if (this.closed) return;
    const workspaces: { folder: string; keys: string[] }[] = [];
    for (const st of folders) {
      if (st.subscribers === 0) continue;
      const before = st.rows;
      let after: WorkspaceStatus;
      try {
        after = await st.currentRows();
      } catch (err) {
        this.opts.log.error(`recomputing ${st.folder}: ${(err as Error).message}`);
        continue;
      }
      const keys = changedKeys(before, after);
      if (keys.length) workspaces.push({ folder: st.folder, keys });
    }
    if (workspaces.length || collections.length || home) {
      this.opts.log.debug(`didChange: ${workspaces.map((w) => `${w.folder} (${w.keys.length})`).join(', ')} collections=[${collections.join(',')}]`);
      this.opts.notify({ workspaces, collections, ...(home ? { home: true } : {}) });
    }
  }

  /** Every folder's rows are out of date (e.g. they show upstream states that just changed). */
  async invalidateAll(): Promise<void> {
    for (const st of this.folders.values()) st.invalidate();
    await this.recomputeAndNotify(this.all(), [], false);
  }

  stats(): CacheStats {
    const rows = this.all();
    return {
      name: 'status',
      size: rows.filter((r) => r.rowsFresh()).length,
      ttlSeconds: 0,
      hits: this.hits,
      misses: this.misses,
      hitRate: this.hits + this.misses === 0 ? 0 : this.hits / (this.hits + this.misses),
      folders: rows.length,
      subscribed: rows.filter((r) => r.subscribers > 0).length,
    };
  }

  close(): void {
    this.closed = true;
    for (const st of this.folders.values()) if (st.retryTimer) clearTimeout(st.retryTimer);
  }
}

/** Recomputes the rows whose project copy is at, above or below one of the changed paths. */
async function recomputeRowsAt(
  home: HomeSnapshot,
  rows: WorkspaceStatus,
  trackers: TrackerSnapshot,
  changed: Set<string>,
  opts: Parameters<typeof computeWorkspaceStatus>[2],
): Promise<WorkspaceStatus> {
  // A changed path relates to a row through its project copy (a deployed file) or its collection
  // copy (an uncovered collection input carried over as volatile): the same path, one below the
  // other, or one above. Checked for every row on every edit, so without building strings per row.
  const sep = path.sep;
  const paths = [...changed].map((c) => ({ c, under: c + sep }));
  const related = (p: string | null) => {
    if (p === null) return false;
    for (const { c, under } of paths) {
      if (c === p || p.startsWith(under) || (c.length > p.length && c.charCodeAt(p.length) === sep.charCodeAt(0) && c.startsWith(p))) return true;
    }
    return false;
  };
  const keys = new Set(rows.artifacts.filter((r) => related(r.projectPath) || related(r.collectionPath)).map((r) => r.key));
  if (keys.size === 0) return rows;
  const records = trackers.files.flatMap((f) => f.records.filter((r) => keys.has(recordKey(r))));
  const subset: TrackerSnapshot = { folder: trackers.folder, files: [{ file: records[0]?.file ?? '', profileRoot: '', records }] };
  const partial = await computeWorkspaceStatus(home, subset, opts);
  const fresh = new Map(partial.artifacts.map((r) => [r.key, r]));
  return { ...rows, artifacts: rows.artifacts.map((r) => fresh.get(r.key) ?? r) };
}

/**
 * The keys whose rows differ between two computations of one folder (for didChange). A row carried
 * over unchanged is the very same object (rows are never mutated once computed, and an incremental
 * recompute keeps the untouched ones), so only rows that are new objects are compared as JSON.
 */
export function changedKeys(before: WorkspaceStatus | undefined, after: WorkspaceStatus): string[] {
  const keys: string[] = [];
  const old = new Map((before?.artifacts ?? []).map((r) => [r.key, r]));
  const now = new Map(after.artifacts.map((r) => [r.key, r]));
  for (const [k, r] of now) {
    const o = old.get(k);
    if (o !== r && (o === undefined || JSON.stringify(o) !== JSON.stringify(r))) keys.push(k);
  }
  for (const k of old.keys()) if (!now.has(k)) keys.push(k);
  const nd = (ws: WorkspaceStatus | undefined) =>
    new Map((ws?.notDeployed ?? []).map((r) => [`notDeployed:${qualifiedKey(r.collection, r.name, r.type)}`, JSON.stringify(r)]));
  const oldNd = nd(before);
  const nowNd = nd(after);
  for (const [k, v] of nowNd) if (oldNd.get(k) !== v) keys.push(k);
  for (const k of oldNd.keys()) if (!nowNd.has(k)) keys.push(k);
  if (JSON.stringify(before?.warnings ?? []) !== JSON.stringify(after.warnings ?? [])) keys.push('warnings');
  return keys;
}
