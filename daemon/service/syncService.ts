// The daemon's brain: answers status/counts/upstream requests from the engine through the caches,
// and turns watcher batches into exactly the invalidations they imply, recomputation of the
// subscribed folders, and didChange notifications carrying the keys that really changed.
import * as path from 'node:path';
import type { CheckUpstreamParams, CheckUpstreamResult, DaemonSettings, DaemonStatusParams, DidChangeParams, InvalidateParams, InvalidateResult, UpstreamResultRow } from '../../shared/protocol';
import type { CacheStats, CollectionCounts, CountsResult, RateLimitInfo, StatusResult, UpstreamInfo, WorkspaceStatus } from '../../shared/types';
import { CountsCache } from '../cache/countsCache';
import { HashCache } from '../cache/hashCache';
import { PersistentStore } from '../cache/persistentStore';
import { UpstreamCache } from '../cache/upstreamCache';
import type { Logger } from '../log';
import {
  computeCounts,
  computeWorkspaceStatus,
  readHome,
  recordKey,
  type CollectionSnapshot,
  type HomeSnapshot,
  type ManifestArtifact,
  type TrackerSnapshot,
} from '../skillmeat';
import { resolveToken, UpstreamChecker, type TokenInfo, type UpstreamSubject } from '../upstream';
import { ChangeWatcher, type ChangeEvent } from '../watch/changeWatcher';
import { FolderState } from './folderState';
import { readTrackersSettled, SETTLE_MS } from './settledTrackers';

export interface SyncServiceOptions {
  home: string;
  log: Logger;
  /** upstream cache file; undefined = no persistence */
  upstreamStoreFile?: string;
  settings?: DaemonSettings;
  env?: NodeJS.ProcessEnv;
  /** false in --no-daemon mode: nothing outlives the request */
  watch?: boolean;
}

const serializedRows = new WeakMap<WorkspaceStatus, string>();
const RAW_PLACEHOLDER = '__skillmeat_sync_raw_workspaces__';

/** Folders asked about without a subscription stay watched this long (CLI use). */
const UNSUBSCRIBED_KEEP_MS = 10 * 60_000;
const MAX_FOLDERS = 64;

export class SyncService {
  readonly home: string;
  private readonly log: Logger;
  private readonly env: NodeJS.ProcessEnv;
  private homeSnap: HomeSnapshot | undefined;
  private homeGeneration = 0;
  private homeSnapGeneration = -1;
  private homeInflight: Promise<HomeSnapshot> | undefined;
  private readonly folders = new Map<string, FolderState>();
  readonly hashCache: HashCache;
  readonly countsCache: CountsCache;
  readonly upstreamCache: UpstreamCache;
  readonly upstream: UpstreamChecker;
  readonly store: PersistentStore | undefined;
  private watcher: ChangeWatcher | undefined;
  private settings: Required<Pick<DaemonSettings, 'countsTtlSeconds' | 'upstreamTtlSeconds' | 'upstreamErrorTtlSeconds' | 'autoCheckIntervalMinutes' | 'githubApiUrl'>>;
  private editorToken: { token: string; source: string } | undefined;
  private tokenInfo: TokenInfo = { source: 'anonymous' };
  private autoTimer: NodeJS.Timeout | undefined;
  private gcTimer: NodeJS.Timeout | undefined;
  private lastStatus: DaemonStatusParams = { state: 'ok' };
  private rateLimitInfo: RateLimitInfo | undefined;
  private closed = false;
  /** status requests answered from still-valid rows, and those that had to recompute */
  private statusHits = 0;
  private statusMisses = 0;

  /** set by the server: deliver a didChange to the clients subscribed to these folders */
  onDidChange: (params: DidChangeParams) => void = () => undefined;
  onDaemonStatus: (params: DaemonStatusParams) => void = () => undefined;

  constructor(opts: SyncServiceOptions) {
    this.home = opts.home;
    this.log = opts.log;
    this.env = opts.env ?? process.env;
    const s = opts.settings ?? {};
    this.settings = {
      countsTtlSeconds: s.countsTtlSeconds ?? 300,
      upstreamTtlSeconds: s.upstreamTtlSeconds ?? 300,
      upstreamErrorTtlSeconds: s.upstreamErrorTtlSeconds ?? 60,
      autoCheckIntervalMinutes: s.autoCheckIntervalMinutes ?? 0,
      githubApiUrl: s.githubApiUrl ?? this.env.SKILLMEAT_SYNC_GITHUB_API_URL ?? 'https://api.github.com',
    };
    this.hashCache = new HashCache({ log: this.log });
    this.countsCache = new CountsCache({ ttlMs: this.settings.countsTtlSeconds * 1000, log: this.log });
    this.store = opts.upstreamStoreFile ? new PersistentStore(opts.upstreamStoreFile, this.log) : undefined;
    this.upstreamCache = new UpstreamCache({
      ttlMs: this.settings.upstreamTtlSeconds * 1000,
      errorTtlMs: this.settings.upstreamErrorTtlSeconds * 1000,
      log: this.log,
      store: this.store,
    });
    this.upstream = new UpstreamChecker({
      apiUrl: this.settings.githubApiUrl,
      token: () => this.tokenInfo,
      cache: this.upstreamCache,
      log: this.log,
      onStatus: (s) => this.upstreamStatus(s),
    });
    if (opts.watch !== false) {
      const disabled = this.env.SKILLMEAT_SYNC_DISABLE_WATCH;
      this.watcher = new ChangeWatcher({ log: this.log, ...(disabled && disabled !== '0' ? { disabledReason: 'disabled by $SKILLMEAT_SYNC_DISABLE_WATCH' } : {}) });
      this.watcher.onBatch((events) => {
        this.applyChanges(events).catch((err) => this.log.error(`applying changes: ${(err as Error).stack ?? err}`));
      });
      this.watcher.watchHome(this.home);
      this.gcTimer = setInterval(() => this.collectUnusedFolders(), 60_000);
      this.gcTimer.unref();
    }
    this.scheduleAutoCheck();
  }

  async init(): Promise<void> {
    await this.upstreamCache.ready;
    await this.refreshToken();
  }

  // ------------------------------------------------------------------ home snapshot

  private get watching(): boolean {
    return this.watcher !== undefined && this.watcher.healthy;
  }

  /**
   * Without healthy watchers nothing tells us anything changed: every request starts by forgetting
   * what was read before. Called once per request, never inside a computation (that would chase
   * its own tail).
   */
  private beginRequest(folders: FolderState[] = []): void {
    if (this.watching) return;
    this.homeGeneration++;
    for (const st of folders) st.invalidate();
  }

  /** A snapshot read no earlier than the latest invalidation before this call. */
  private async homeSnapshot(): Promise<HomeSnapshot> {
    const needed = this.homeGeneration;
    for (;;) {
      if (this.homeSnap && this.homeSnapGeneration >= needed) return this.homeSnap;
      if (!this.homeInflight) {
        const gen = this.homeGeneration;
        this.homeInflight = readHome(this.home)
          .then((snap) => {
            if (gen >= this.homeSnapGeneration) {
              this.homeSnap = snap;
              this.homeSnapGeneration = gen;
            }
            return snap;
          })
          .finally(() => {
            this.homeInflight = undefined;
          });
      }
      await this.homeInflight;
    }
  }

  // ------------------------------------------------------------------ status

  private folderState(folder: string): FolderState {
    let st = this.folders.get(folder);
    if (!st) {
      st = new FolderState(folder);
      this.folders.set(folder, st);
      if (this.watcher) {
        this.watcher.watchWorkspace(folder);
        st.watched = true;
      }
      if (this.folders.size > MAX_FOLDERS) this.collectUnusedFolders();
    }
    st.lastUsed = Date.now();
    return st;
  }

  async status(folders: string[]): Promise<StatusResult> {
    const states = folders.map((f) => this.folderState(path.resolve(f)));
    this.beginRequest(states);
    const home = await this.homeSnapshot();
    this.hashCache.trustWatchers = this.watching;
    const workspaces: WorkspaceStatus[] = [];
    for (const st of states) {
      if (this.rowsFresh(st)) this.statusHits++;
      else this.statusMisses++;
      workspaces.push(await this.folderRows(st));
    }
    const result: StatusResult = { home: home.home, homeExists: home.exists, activeCollection: home.activeCollection, workspaces };
    if (home.warnings.length) result.warnings = [...home.warnings];
    if (!this.watching && this.watcher) {
      (result.warnings ??= []).push(`file watching is not available (${this.watcher.message ?? 'unknown reason'}): every request re-reads the disk`);
    }
    return result;
  }

  private rowsFresh(st: FolderState): boolean {
    return st.rows !== undefined && st.rowsGeneration >= st.generation && st.rowsHomeGeneration >= this.homeGeneration;
  }

  /** Rows computed from data read no earlier than the latest invalidation before this call. */
  /**
   * The status answer as JSON text, reusing each folder's serialised rows while they are the same
   * object (rows are never mutated once computed). Same content and key order as status().
   */
  async statusJson(folders: string[]): Promise<string> {
    const result = await this.status(folders);
    const parts = result.workspaces.map((ws) => {
      let json = serializedRows.get(ws);
      if (json === undefined) {
        json = JSON.stringify(ws);
        serializedRows.set(ws, json);
      }
      return json;
    });
    const head = JSON.stringify(result, (key, value) => (key === 'workspaces' && value === result.workspaces ? RAW_PLACEHOLDER : value));
    // The placeholder can only appear as this exact quoted token: inside any other string its
    // quotes would be escaped.
    return head.replace(`"${RAW_PLACEHOLDER}"`, () => `[${parts.join(',')}]`);
  }

  private async folderRows(st: FolderState): Promise<WorkspaceStatus> {
    const needed = st.generation;
    const neededHome = this.homeGeneration;
    for (;;) {
      if (st.rows && st.rowsGeneration >= needed && st.rowsHomeGeneration >= neededHome) return st.rows;
      if (!st.inflight) {
        const gen = st.generation;
        const homeGen = this.homeGeneration;
        st.inflight = this.computeRows(st)
          .then(({ rows, trackers }) => {
            if (gen >= st.rowsGeneration && homeGen >= st.rowsHomeGeneration) {
              st.rows = rows;
              st.trackers = trackers;
              st.rowsGeneration = gen;
              st.rowsHomeGeneration = homeGen;
              // Every change counted in `changed` happened before `gen` was read, so all of it is
              // in these rows; a later change would have bumped the generation.
              if (st.generation === gen) st.changed = new Set();
            }
            return { rows, gen, homeGen };
          })
          .finally(() => {
            st.inflight = undefined;
          });
      }
      const done = await st.inflight;
      if (done.gen >= needed && done.homeGen >= neededHome) return done.rows;
    }
  }

  private async computeRows(st: FolderState): Promise<{ rows: WorkspaceStatus; trackers: TrackerSnapshot }> {
    const homeGen = this.homeGeneration;
    const home = await this.homeSnapshot();
    const opts = { hasher: this.hashCache, upstream: (col: CollectionSnapshot, art: ManifestArtifact) => this.upstreamOf(col, art) };
    const changed = st.changed;
    if (changed !== 'all' && st.rows && st.trackers && st.rowsHomeGeneration === homeGen) {
      // Only deployed files changed: the tracker parse and every other row still hold.
      return { rows: await this.recomputeRowsAt(home, st.rows, st.trackers, changed, opts), trackers: st.trackers };
    }
    const { snapshot, unsettled } = await readTrackersSettled(st);
    if (unsettled) this.scheduleRetry(st);
    return { rows: await computeWorkspaceStatus(home, snapshot, opts), trackers: snapshot };
  }

  /** Recomputes the rows whose project copy is at, above or below one of the changed paths. */
  private async recomputeRowsAt(
    home: HomeSnapshot,
    rows: WorkspaceStatus,
    trackers: TrackerSnapshot,
    changed: Set<string>,
    opts: Parameters<typeof computeWorkspaceStatus>[2],
  ): Promise<WorkspaceStatus> {
    const related = (p: string | null) => {
      if (p === null) return false;
      for (const c of changed) {
        if (c === p || c.startsWith(p + path.sep) || p.startsWith(c + path.sep)) return true;
      }
      return false;
    };
    const keys = new Set(rows.artifacts.filter((r) => related(r.projectPath)).map((r) => r.key));
    if (keys.size === 0) return rows;
    const records = trackers.files.flatMap((f) => f.records.filter((r) => keys.has(recordKey(r))));
    const subset: TrackerSnapshot = { folder: trackers.folder, files: [{ file: records[0]?.file ?? '', profileRoot: '', records }] };
    const partial = await computeWorkspaceStatus(home, subset, opts);
    const fresh = new Map(partial.artifacts.map((r) => [r.key, r]));
    return { ...rows, artifacts: rows.artifacts.map((r) => fresh.get(r.key) ?? r) };
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

  // ------------------------------------------------------------------ counts

  async counts(ids?: string[]): Promise<CountsResult> {
    this.beginRequest();
    const home = await this.homeSnapshot();
    const wanted = ids && ids.length ? ids : [...home.collections.keys()].sort();
    let cached = new Map<string, CollectionCounts>();
    let missing = new Set<string>(wanted);
    if (this.watching) {
      ({ cached, missing } = this.countsCache.getCounts(wanted));
    }
    if (missing.size) {
      const fresh = computeCounts(home, [...missing]);
      this.countsCache.setCounts(fresh.filter((c) => !c.error));
      for (const c of fresh) cached.set(c.name, c);
    }
    const collections: CollectionCounts[] = [];
    const unknown: string[] = [];
    for (const id of wanted) {
      const c = cached.get(id);
      if (c) collections.push(c);
      else unknown.push(id);
    }
    const result: CountsResult = { home: home.home, collections };
    const warnings = [...home.warnings];
    if (!home.exists) warnings.push(`no SkillMeat home at ${home.home}`);
    for (const id of unknown) warnings.push(`no collection named ${id} (no ${path.join('collections', id, 'collection.toml')})`);
    if (warnings.length) result.warnings = warnings;
    return result;
  }

  // ------------------------------------------------------------------ upstream

  private subjectOf(col: CollectionSnapshot, art: ManifestArtifact): UpstreamSubject {
    return {
      collection: col.id,
      name: art.name,
      type: art.type,
      origin: art.origin,
      upstream: art.upstream,
      versionSpec: art.versionSpec,
      resolvedSha: art.resolvedSha,
      originSource: art.originSource,
    };
  }

  private upstreamOf(col: CollectionSnapshot, art: ManifestArtifact): UpstreamInfo {
    try {
      return this.upstream.peek(this.subjectOf(col, art));
    } catch (err) {
      return { state: 'unknown', reason: `upstream state unavailable: ${(err as Error).message}` };
    }
  }

  async checkUpstream(params: CheckUpstreamParams): Promise<CheckUpstreamResult> {
    await this.refreshToken();
    this.beginRequest();
    const home = await this.homeSnapshot();
    const subjects: UpstreamSubject[] = [];
    let collections: Set<string> | undefined;
    if (params.folders?.length) {
      collections = new Set<string>();
      if (home.collections.has(home.activeCollection)) collections.add(home.activeCollection);
      const status = await this.status(params.folders);
      for (const ws of status.workspaces) {
        for (const row of ws.artifacts) {
          for (const col of home.collections.values()) if (col.name === row.collection || col.id === row.collection) collections.add(col.id);
        }
      }
    }
    const keys = params.keys?.length ? new Set(params.keys.map((k) => k.split('::').slice(0, 2).join('::'))) : undefined;
    for (const col of home.collections.values()) {
      if (collections && !collections.has(col.id)) continue;
      for (const art of col.artifacts) {
        if (keys && !keys.has(`${art.name}::${art.type}`) && !keys.has(`${col.id}/${art.name}::${art.type}`)) continue;
        subjects.push(this.subjectOf(col, art));
      }
    }
    const { results, requests } = await this.upstream.check(subjects, { force: params.force });
    const rows: UpstreamResultRow[] = [];
    for (const s of subjects) {
      const artifact = `${s.collection}/${s.name}::${s.type}`;
      const upstream = results.get(artifact) ?? this.upstream.peek(s);
      rows.push({ artifact, collection: s.collection, name: s.name, type: s.type, upstream });
    }
    // Rows carry the upstream state: the cached ones are out of date now, subscribed or not.
    for (const st of this.folders.values()) st.invalidate();
    await this.recomputeAndNotify([...this.folders.values()], [], false);
    const out: CheckUpstreamResult = { results: rows, requests };
    const rl = this.upstream.rateLimit();
    if (rl) out.rateLimit = rl;
    return out;
  }

  private upstreamStatus(s: { rateLimit?: RateLimitInfo; rateLimitedUntil?: string; offline?: boolean; message?: string }): void {
    if (s.rateLimit) this.rateLimitInfo = s.rateLimit;
    const st: DaemonStatusParams = { state: s.rateLimitedUntil || s.offline ? 'warning' : 'ok' };
    if (s.message) st.message = s.message;
    if (s.offline) st.offline = true;
    if (s.rateLimitedUntil) st.rateLimitedUntil = s.rateLimitedUntil;
    if (this.rateLimitInfo) st.rateLimit = this.rateLimitInfo;
    this.lastStatus = st;
    this.onDaemonStatus(st);
  }

  currentStatus(): DaemonStatusParams {
    const st = { ...this.lastStatus };
    if (this.watcher && !this.watcher.healthy) {
      st.state = st.state === 'ok' ? 'warning' : st.state;
      st.message = `file watching unavailable (${this.watcher.message ?? 'unknown'}); re-checking on each request`;
    }
    return st;
  }

  async setEditorToken(token: string | null, source: string): Promise<void> {
    const before = this.tokenInfo.token;
    this.editorToken = token ? { token, source } : undefined;
    await this.refreshToken();
    if (before !== this.tokenInfo.token) this.upstream.tokenChanged();
  }

  private async refreshToken(): Promise<void> {
    const before = this.tokenInfo.token;
    this.tokenInfo = await resolveToken({ editorToken: this.editorToken?.token, home: this.home, env: this.env });
    if (this.editorToken && this.tokenInfo.source === 'vscode') this.tokenInfo = { ...this.tokenInfo };
    if (before !== undefined && before !== this.tokenInfo.token) this.upstream.tokenChanged();
  }

  tokenSource(): string {
    return this.tokenInfo.source;
  }

  private scheduleAutoCheck(): void {
    if (this.autoTimer) clearInterval(this.autoTimer);
    this.autoTimer = undefined;
    const minutes = this.settings.autoCheckIntervalMinutes;
    if (minutes > 0 && !this.closed) {
      this.autoTimer = setInterval(() => {
        const folders = [...this.folders.values()].filter((f) => f.subscribers > 0).map((f) => f.folder);
        if (!folders.length) return;
        this.checkUpstream({ folders }).catch((err) => this.log.warn(`automatic upstream check failed: ${(err as Error).message}`));
      }, minutes * 60_000);
      this.autoTimer.unref();
    }
  }

  // ------------------------------------------------------------------ settings

  configure(s: DaemonSettings): void {
    if (s.countsTtlSeconds !== undefined) {
      this.settings.countsTtlSeconds = s.countsTtlSeconds;
      this.countsCache.setTtl(s.countsTtlSeconds * 1000);
    }
    if (s.upstreamTtlSeconds !== undefined || s.upstreamErrorTtlSeconds !== undefined) {
      if (s.upstreamTtlSeconds !== undefined) this.settings.upstreamTtlSeconds = s.upstreamTtlSeconds;
      if (s.upstreamErrorTtlSeconds !== undefined) this.settings.upstreamErrorTtlSeconds = s.upstreamErrorTtlSeconds;
      this.upstreamCache.ttlMs = this.settings.upstreamTtlSeconds * 1000;
      this.upstreamCache.errorTtlMs = this.settings.upstreamErrorTtlSeconds * 1000;
    }
    if (s.githubApiUrl !== undefined && s.githubApiUrl !== this.settings.githubApiUrl) {
      this.settings.githubApiUrl = s.githubApiUrl;
      this.upstream.setApiUrl(s.githubApiUrl);
    }
    if (s.autoCheckIntervalMinutes !== undefined && s.autoCheckIntervalMinutes !== this.settings.autoCheckIntervalMinutes) {
      this.settings.autoCheckIntervalMinutes = s.autoCheckIntervalMinutes;
      this.scheduleAutoCheck();
    }
  }

  githubApiUrl(): string {
    return this.settings.githubApiUrl;
  }

  // ------------------------------------------------------------------ subscriptions

  subscribe(folders: string[]): string[] {
    const out: string[] = [];
    for (const f of folders) {
      const st = this.folderState(path.resolve(f));
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

  private collectUnusedFolders(): void {
    const now = Date.now();
    const candidates = [...this.folders.values()]
      .filter((f) => f.subscribers === 0)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    for (const st of candidates) {
      const tooMany = this.folders.size > MAX_FOLDERS;
      if (!tooMany && now - st.lastUsed < UNSUBSCRIBED_KEEP_MS) continue;
      this.watcher?.unwatchWorkspace(st.folder);
      if (st.retryTimer) clearTimeout(st.retryTimer);
      this.folders.delete(st.folder);
    }
  }

  // ------------------------------------------------------------------ invalidation

  async invalidate(p: InvalidateParams): Promise<InvalidateResult> {
    const dropped: Record<string, number> = {};
    const collections: string[] = [];
    if (p.scope === 'counts' || p.scope === 'all') {
      if (p.keys?.length && p.scope === 'counts') {
        dropped.counts = p.keys.filter((k) => this.countsCache.invalidate(k)).length;
        collections.push(...p.keys);
      } else {
        dropped.counts = this.countsCache.invalidateAll();
        collections.push(...(this.homeSnap ? this.homeSnap.collections.keys() : []));
      }
    }
    if (p.scope === 'hashes' || p.scope === 'all') {
      dropped.hashes = this.hashCache.invalidateAll();
    }
    if (p.scope === 'upstream' || p.scope === 'all') {
      if (p.keys?.length && p.scope === 'upstream') {
        dropped.upstream = await this.invalidateUpstreamKeys(p.keys);
      } else {
        dropped.upstream = this.upstreamCache.revalidate();
      }
    }
    if (p.scope === 'all') {
      this.homeGeneration++;
    }
    for (const st of this.folders.values()) st.invalidate();
    await this.recomputeAndNotify([...this.folders.values()], collections, p.scope === 'all');
    return { dropped };
  }

  private async invalidateUpstreamKeys(keys: string[]): Promise<number> {
    const home = await this.homeSnapshot();
    const sourceKeys = new Set<string>();
    for (const k of keys) {
      if (k.startsWith('github:')) {
        sourceKeys.add(k);
        continue;
      }
      const nt = k.split('::').slice(0, 2).join('::');
      for (const col of home.collections.values()) {
        for (const art of col.artifacts) {
          if (`${art.name}::${art.type}` === nt || `${col.id}/${art.name}::${art.type}` === nt) {
            const info = this.upstream.peek(this.subjectOf(col, art));
            if (info.source) sourceKeys.add(info.source);
          }
        }
      }
    }
    return sourceKeys.size ? this.upstreamCache.revalidate([...sourceKeys]) : 0;
  }

  // ------------------------------------------------------------------ watcher batches

  /** Maps a batch of file events to the exact cache entries to drop, then recomputes. */
  async applyChanges(events: ChangeEvent[]): Promise<void> {
    if (this.closed) return;
    let homeChanged = false;
    let allFolders = false;
    const countsChanged = new Set<string>();
    const folderSet = new Set<FolderState>();
    const deployedPaths = new Map<FolderState, string[]>();
    const oldHome = this.homeSnap;
    for (const e of events) {
      switch (e.kind) {
        case 'config':
          homeChanged = true;
          allFolders = true;
          // The active collection marks every count.
          this.countsCache.invalidateAll();
          break;
        case 'home':
        case 'overflow':
          homeChanged = true;
          allFolders = true;
          this.countsCache.invalidateAll();
          if (e.kind === 'overflow') this.hashCache.invalidateAll();
          break;
        case 'collectionAdded':
        case 'collectionRemoved':
        case 'manifest':
          homeChanged = true;
          allFolders = true;
          this.countsCache.invalidate(e.collection);
          countsChanged.add(e.collection);
          break;
        case 'lock':
          homeChanged = true;
          allFolders = true;
          break;
        case 'collectionFiles':
          for (const p of e.paths) this.hashCache.invalidatePath(p);
          allFolders = true;
          break;
        case 'tracker':
        case 'profileRoots': {
          const st = this.folders.get(e.folder);
          if (st) folderSet.add(st);
          break;
        }
        case 'deployedFiles': {
          for (const p of e.paths) this.hashCache.invalidatePath(p);
          const st = this.folders.get(e.folder);
          if (st) {
            let list = deployedPaths.get(st);
            if (!list) deployedPaths.set(st, (list = []));
            list.push(...e.paths);
          }
          break;
        }
      }
    }
    if (homeChanged) this.homeGeneration++;
    const affected = allFolders ? [...this.folders.values()] : [...new Set([...folderSet, ...deployedPaths.keys()])];
    for (const st of affected) {
      const paths = deployedPaths.get(st);
      // Only deployed files changed in this folder: its other rows and its tracker parse stay.
      if (!allFolders && !folderSet.has(st) && paths) st.invalidatePaths(paths);
      else st.invalidate();
    }
    if (homeChanged) {
      const newHome = await this.homeSnapshot().catch(() => undefined);
      if (oldHome && newHome) this.invalidateMovedUpstreams(oldHome, newHome);
      // A manifest event that did not change membership still changes nothing for counts.
      if (oldHome && newHome) {
        for (const id of [...countsChanged]) {
          const before = oldHome.collections.get(id);
          const after = newHome.collections.get(id);
          if (before && after && sameMembership(before, after) && before.mcpServers.length === after.mcpServers.length) countsChanged.delete(id);
        }
      }
    }
    await this.recomputeAndNotify(affected, [...countsChanged], homeChanged && events.some((e) => e.kind === 'home' || e.kind === 'config'));
  }

  /** SkillMeat's update/sync/deploy rewrite resolved_sha/version_spec/upstream: drop those answers. */
  private invalidateMovedUpstreams(before: HomeSnapshot, after: HomeSnapshot): void {
    const keys: string[] = [];
    for (const [id, col] of before.collections) {
      const next = after.collections.get(id);
      for (const art of col.artifacts) {
        const now = next?.artifacts.find((a) => a.name === art.name && a.type === art.type);
        if (!now || now.resolvedSha !== art.resolvedSha || now.versionSpec !== art.versionSpec || now.upstream !== art.upstream) {
          const info = this.upstream.peek(this.subjectOf(col, art));
          if (info.source) keys.push(info.source);
        }
      }
    }
    if (keys.length) {
      const n = this.upstreamCache.invalidate(keys);
      this.log.info(`manifest changed upstream fields: dropped ${n} upstream cache entries`);
    }
  }

  private async recomputeAndNotify(folders: FolderState[], collections: string[], home: boolean): Promise<void> {
    if (this.closed) return;
    const workspaces: { folder: string; keys: string[] }[] = [];
    for (const st of folders) {
      // Only folders someone listens to are recomputed eagerly; others on their next request.
      if (st.subscribers === 0) continue;
      const before = st.rows;
      let after: WorkspaceStatus;
      try {
        after = await this.folderRows(st);
      } catch (err) {
        this.log.error(`recomputing ${st.folder}: ${(err as Error).message}`);
        continue;
      }
      const keys = changedKeys(before, after);
      if (keys.length) workspaces.push({ folder: st.folder, keys });
    }
    if (workspaces.length || collections.length || home) {
      this.log.debug(`didChange: ${workspaces.map((w) => `${w.folder} (${w.keys.length})`).join(', ')} collections=[${collections.join(',')}]`);
      this.onDidChange({ workspaces, collections, ...(home ? { home: true } : {}) });
    }
  }

  // ------------------------------------------------------------------ stats / life

  cacheStats(): CacheStats[] {
    const rows = [...this.folders.values()];
    return [
      this.countsCache.stats(),
      this.hashCache.stats(),
      this.upstreamCache.stats(),
      {
        name: 'status',
        size: rows.filter((r) => this.rowsFresh(r)).length,
        ttlSeconds: 0,
        hits: this.statusHits,
        misses: this.statusMisses,
        hitRate: this.statusHits + this.statusMisses === 0 ? 0 : this.statusHits / (this.statusHits + this.statusMisses),
        folders: rows.length,
        subscribed: rows.filter((r) => r.subscribers > 0).length,
      },
    ];
  }

  watcherInfo(): { healthy: boolean; watched: number; message?: string } {
    if (!this.watcher) return { healthy: false, watched: 0, message: 'not watching (in-process mode)' };
    const info: { healthy: boolean; watched: number; message?: string } = { healthy: this.watcher.healthy, watched: this.watcher.watchedCount() };
    if (this.watcher.message) info.message = this.watcher.message;
    return info;
  }

  rateLimit(): RateLimitInfo | undefined {
    return this.upstream.rateLimit() ?? this.rateLimitInfo;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.autoTimer) clearInterval(this.autoTimer);
    if (this.gcTimer) clearInterval(this.gcTimer);
    for (const st of this.folders.values()) if (st.retryTimer) clearTimeout(st.retryTimer);
    await this.watcher?.close();
    await this.upstreamCache.flush();
  }
}

function sameMembership(a: CollectionSnapshot, b: CollectionSnapshot): boolean {
  if (a.artifacts.length !== b.artifacts.length) return false;
  const set = new Set(a.artifacts.map((x) => `${x.name}::${x.type}`));
  return b.artifacts.every((x) => set.has(`${x.name}::${x.type}`));
}

function changedKeys(before: WorkspaceStatus | undefined, after: WorkspaceStatus): string[] {
  const keys: string[] = [];
  const old = new Map((before?.artifacts ?? []).map((r) => [r.key, JSON.stringify(r)]));
  const now = new Map(after.artifacts.map((r) => [r.key, JSON.stringify(r)]));
  for (const [k, v] of now) if (old.get(k) !== v) keys.push(k);
  for (const k of old.keys()) if (!now.has(k)) keys.push(k);
  const nd = (ws: WorkspaceStatus | undefined) => new Map((ws?.notDeployed ?? []).map((r) => [`notDeployed:${r.collection}/${r.name}::${r.type}`, JSON.stringify(r)]));
  const oldNd = nd(before);
  const nowNd = nd(after);
  for (const [k, v] of nowNd) if (oldNd.get(k) !== v) keys.push(k);
  for (const k of oldNd.keys()) if (!nowNd.has(k)) keys.push(k);
  if (JSON.stringify(before?.warnings ?? []) !== JSON.stringify(after.warnings ?? [])) keys.push('warnings');
  return keys;
}
