// The composition root of the daemon's service and the one place where a request begins. It
// builds the parts — home state, status rows, counts, upstream — over shared caches and one change
// watcher, and turns watcher batches into the invalidations the planner derives from them. The
// server (daemon.ts) and `--no-daemon` (cli/inProcess.ts) call only this class.
//
//   homeState.ts           home snapshot + its generation
//   statusService.ts       folders, rows (whole or at changed paths), didChange
//   countsService.ts       collection counts
//   upstreamService.ts     subjects, checks, token, automatic checks, upstream cache, rate limit
//   invalidationPlanner.ts (pure) watcher events → what to drop
//   generationalValue.ts   the "served only if computed after the latest invalidation" primitive
import type { CheckUpstreamParams, CheckUpstreamResult, DaemonSettings, DaemonStatusParams, DidChangeParams, DiffParams, FileContentParams, InvalidateParams, InvalidateResult } from '../../shared/protocol';
import type { CacheStats, CountsResult, DiffResult, FileContentResult, RateLimitInfo, StatusResult, StatusTextFormat } from '../../shared/types';
import { daemonDefault, SETTINGS } from '../../shared/settings';
import { CountsCache } from '../cache/countsCache';
import * as path from 'node:path';
import { HashCache } from '../cache/hashCache';
import { HashPool } from '../skillmeat/hashWorkers';
import { BackgroundHashValidation } from '../cache/hashValidation';
import type { PersistentStore } from '../cache/persistentStore';
import type { UpstreamCache } from '../cache/upstreamCache';
import type { Logger } from '../log';
import type { UpstreamChecker } from '../upstream';
import { ChangeWatcher, type ChangeEvent } from '../watch/changeWatcher';
import { CountsService } from './countsService';
import type { FolderState } from './folderState';
import { HomeState } from './homeState';
import { planHomeChange, planInvalidation } from './invalidationPlanner';
import { StatusTexts, statusToJson, type StatusTextAnswer } from './statusJson';
import { StatusService } from './statusService';
import { UpstreamService } from './upstreamService';

export interface SyncServiceOptions {
  home: string;
  log: Logger;
  /** upstream cache file; undefined = no persistence */
  upstreamStoreFile?: string;
  /** folder of the upstream content store (blobs, tree listings); undefined = not kept */
  contentStoreDir?: string;
  /** persisted hash index (daemon/cache/hashCache.ts); undefined = none */
  hashIndexFile?: string;
  settings?: DaemonSettings;
  /** `--github-api-url`: beats `$SKILLMEAT_SYNC_GITHUB_API_URL` and the `githubApiUrl` setting */
  githubApiUrlFlag?: string;
  env?: NodeJS.ProcessEnv;
  /** false in --no-daemon mode: nothing outlives the request */
  watch?: boolean;
  /** the daemon's own folder for sync-barrier cookies (never SkillMeat's or a workspace) */
  cookieDir?: string;
}

export interface StatusOptions {
  /** validate every file by stat, whatever the watchers say */
  verify?: boolean;
}

export class SyncService {
  readonly home: string;
  private readonly log: Logger;
  private readonly homeState: HomeState;
  readonly hashCache: HashCache;
  readonly countsCache: CountsCache;
  readonly rows: StatusService;
  readonly countsService: CountsService;
  readonly upstreamService: UpstreamService;
  private readonly watcher: ChangeWatcher | undefined;
  /** the last `statusText` answers, kept while their rows are the same objects */
  private readonly statusTexts = new StatusTexts();
  private readonly validation: BackgroundHashValidation | undefined;
  /** requests whose sync barrier failed (answered from the disk instead) */
  private barrierFailures = 0;
  private gcTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /** set by the server: deliver a didChange to the clients subscribed to these folders */
  onDidChange: (params: DidChangeParams) => void = () => undefined;
  onDaemonStatus: (params: DaemonStatusParams) => void = () => undefined;

  constructor(opts: SyncServiceOptions) {
    this.home = opts.home;
    this.log = opts.log;
    const env = opts.env ?? process.env;
    const s = opts.settings ?? {};
    if (opts.watch !== false) {
      const disabled = env.SKILLMEAT_SYNC_DISABLE_WATCH;
      this.watcher = new ChangeWatcher({
        log: this.log,
        cookieDir: opts.cookieDir,
        ...(disabled && disabled !== '0' ? { disabledReason: 'disabled by $SKILLMEAT_SYNC_DISABLE_WATCH' } : {}),
      });
    }
    const coverage = this.watcher?.coverage;
    this.homeState = new HomeState(this.home, coverage);
    this.hashCache = new HashCache({ log: this.log, coverage, pool: new HashPool({ log: (m) => this.log.warn(m) }), indexFile: opts.hashIndexFile });
    this.countsCache = new CountsCache({ ttlMs: (s.countsTtlSeconds ?? daemonDefault(SETTINGS.countsTtlSeconds)) * 1000, log: this.log });
    this.upstreamService = new UpstreamService({
      home: this.homeState,
      log: this.log,
      env,
      storeFile: opts.upstreamStoreFile,
      apiUrlFlag: opts.githubApiUrlFlag,
      contentStoreDir: opts.contentStoreDir,
      settings: {
        upstreamTtlSeconds: s.upstreamTtlSeconds ?? daemonDefault(SETTINGS.upstreamTtlSeconds),
        upstreamErrorTtlSeconds: s.upstreamErrorTtlSeconds ?? daemonDefault(SETTINGS.upstreamErrorTtlSeconds),
        autoCheckIntervalMinutes: s.autoCheckIntervalMinutes ?? daemonDefault(SETTINGS.autoCheckIntervalMinutes),
        githubApiUrl: s.githubApiUrl,
      },
      rows: (folders) => this.rows.status(this.rows.track(folders)),
      rowsStale: () => this.rows.invalidateAll(),
      autoCheck: async () => {
        const folders = this.rows.subscribedFolders();
        if (folders.length) await this.checkUpstream({ folders });
      },
    });
    this.upstreamService.onDaemonStatus = (p) => this.onDaemonStatus(p);
    this.rows = new StatusService({
      home: this.homeState,
      hashCache: this.hashCache,
      log: this.log,
      watcher: this.watcher,
      watching: () => this.watching,
      coverage,
      upstreamOf: (col, art) => this.upstreamService.upstreamOf(col, art),
      notify: (p) => this.onDidChange(p),
    });
    // counts cached only while the manifests they come from are watched
    this.countsService = new CountsService(this.homeState, this.countsCache, () => this.watching && !this.homeState.volatile);
    if (this.watcher) {
      this.watcher.onBatch((events) => {
        this.applyChanges(events).catch((err) => this.log.error(`applying changes: ${(err as Error).stack ?? err}`));
      });
      this.watcher.watchHome(this.home);
      this.gcTimer = setInterval(() => this.rows.collectUnused(), 60_000);
      this.gcTimer.unref();
      this.validation = new BackgroundHashValidation(this.hashCache, { log: this.log, onStale: (paths) => this.applyStale(paths) });
      this.validation.start();
    }
  }

  async init(): Promise<void> {
    await this.upstreamService.init();
  }

  get upstreamCache(): UpstreamCache {
    return this.upstreamService.cache;
  }

  get upstream(): UpstreamChecker {
    return this.upstreamService.checker;
  }

  get store(): PersistentStore | undefined {
    return this.upstreamService.store;
  }

  // ------------------------------------------------------------------ requests

  private get watching(): boolean {
    return this.watcher !== undefined && this.watcher.healthy;
  }

  /**
   * Where every request begins: the sync barrier first — every file system event that happened
   * before the request is applied before it is answered (the debounce is for didChange, not for
   * answers). What the watchers do not cover is then forgotten: inputs they cannot see (symlinks,
   * hard links, unwatched folders: `volatile`), everything when the watchers are unhealthy or the
   * barrier failed, and everything for a `verify` request, whose cached hashes are all validated
   * by stat. Called once per request, never inside a computation (that would chase its own tail).
   */
  private async beginRequest(folders: FolderState[] = [], verify = false): Promise<void> {
    const synced = this.watcher ? await this.watcher.sync() : false;
    if (this.watcher && !synced && this.watching) this.barrierFailures++;
    if (this.watching && synced && !verify) {
      if (this.homeState.volatile) this.homeState.invalidate();
      for (const st of folders) if (st.volatile) st.invalidateVolatile();
      return;
    }
    if (this.watching && synced && verify) {
      // Every input checked by stat; only what differs is read again (a full re-read costs as
      // much as --no-daemon minus the hashing).
      this.hashCache.distrust();
      await this.homeState.verify();
      await this.rows.verify(folders);
      return;
    }
    if (this.watcher) this.hashCache.distrust();
    this.homeState.invalidate();
    for (const st of folders) st.invalidate();
  }

  async status(folders: string[], opts: StatusOptions = {}): Promise<StatusResult> {
    const states = this.rows.track(folders);
    await this.beginRequest(states, opts.verify === true);
    return this.rows.status(states);
  }

  /**
   * The status answer as JSON parts, reusing each folder's serialised rows while they are the same
   * object. Concatenated: JSON.stringify(status()), byte for byte.
   */
  async statusJson(folders: string[], opts: StatusOptions = {}): Promise<Buffer[]> {
    return statusToJson(await this.status(folders, opts));
  }

  /** The `statusText` answer as bytes: the status rendered as the CLI prints it. */
  async statusText(folders: string[], format: StatusTextFormat, opts: StatusOptions & { attachText?: boolean } = {}): Promise<StatusTextAnswer> {
    return this.statusTexts.answer(await this.status(folders, opts), format, opts.attachText === true);
  }

  async counts(ids?: string[]): Promise<CountsResult> {
    await this.beginRequest();
    return this.countsService.counts(ids);
  }

  async checkUpstream(params: CheckUpstreamParams): Promise<CheckUpstreamResult> {
    await this.beginRequest(params.folders?.length ? this.rows.track(params.folders) : []);
    return this.upstreamService.check(params);
  }

  async diff(p: DiffParams): Promise<DiffResult> {
    await this.beginRequest(p.folders?.length ? this.rows.track(p.folders) : []);
    return this.upstreamService.diff(p);
  }

  async fileContent(p: FileContentParams): Promise<FileContentResult> {
    await this.beginRequest(p.folders?.length ? this.rows.track(p.folders) : []);
    return this.upstreamService.fileContent(p);
  }

  configure(s: DaemonSettings): void {
    if (s.countsTtlSeconds !== undefined) this.countsCache.setTtl(s.countsTtlSeconds * 1000);
    this.upstreamService.configure(s);
  }

  githubApiUrl(): string {
    return this.upstreamService.githubApiUrl();
  }

  subscribe(folders: string[]): string[] {
    return this.rows.subscribe(folders);
  }

  unsubscribe(folders: string[]): string[] {
    return this.rows.unsubscribe(folders);
  }

  setEditorToken(token: string | null, source: string, apiUrl?: string): Promise<void> {
    return this.upstreamService.setEditorToken(token, source, apiUrl);
  }

  tokenSource(): string {
    return this.upstreamService.tokenSource();
  }

  // ------------------------------------------------------------------ invalidation

  /** `invalidate`: drops what the client names, then recomputes every subscribed folder. */
  async invalidate(p: InvalidateParams): Promise<InvalidateResult> {
    // Keys are resolved against the home as it is now.
    await this.beginRequest();
    const dropped: Record<string, number> = {};
    const collections: string[] = [];
    if (p.scope === 'counts' || p.scope === 'all') {
      if (p.keys?.length && p.scope === 'counts') {
        dropped.counts = p.keys.filter((k) => this.countsCache.invalidate(k)).length;
        collections.push(...p.keys);
      } else {
        dropped.counts = this.countsCache.invalidateAll();
        collections.push(...(this.homeState.last ? this.homeState.last.collections.keys() : []));
      }
    }
    if (p.scope === 'hashes' || p.scope === 'all') {
      dropped.hashes = this.hashCache.invalidateAll();
    }
    if (p.scope === 'upstream' || p.scope === 'all') {
      // Failures are counted apart: "0 entries" after an offline check hid the ones it dropped.
      const r = p.keys?.length && p.scope === 'upstream' ? await this.upstreamService.revalidateKeys(p.keys) : this.upstreamService.revalidateAll();
      dropped.upstream = r.answers;
      dropped.upstreamFailures = r.failures;
    }
    if (p.scope === 'all') this.homeState.invalidate();
    const all = this.rows.all();
    for (const st of all) st.invalidate();
    await this.rows.recomputeAndNotify(all, collections, p.scope === 'all');
    return { dropped };
  }

  /** A watcher batch: drops exactly what the planner says, then recomputes and notifies. */
  async applyChanges(events: ChangeEvent[]): Promise<void> {
    if (this.closed) return;
    const plan = planInvalidation(events);
    const oldHome = this.homeState.last;
    if (plan.allCounts) this.countsCache.invalidateAll();
    for (const id of plan.counts) this.countsCache.invalidate(id);
    // Lost events (overflow, stall, a watcher re-established): every entry is validated by stat
    // before it is trusted again — a matching signature keeps its hash, no re-hash.
    if (plan.allHashes) this.hashCache.distrust();
    for (const p of plan.hashPaths) this.hashCache.invalidatePath(p);
    if (plan.home) this.homeState.invalidate();
    let affected: FolderState[];
    if (plan.allFolders) {
      affected = this.rows.all();
      for (const st of affected) st.invalidate();
    } else {
      affected = [];
      for (const f of plan.wholeFolders) {
        const st = this.rows.known(f);
        if (st) {
          st.invalidate();
          affected.push(st);
        }
      }
      for (const [f, paths] of plan.folderPaths) {
        const st = this.rows.known(f);
        // Only deployed files changed in this folder: its other rows and its tracker parse stay.
        if (st) {
          st.invalidatePaths(paths);
          affected.push(st);
        }
      }
    }
    let collections = plan.counts;
    if (plan.home) {
      const newHome = await this.homeState.snapshot().catch(() => undefined);
      const homePlan = planHomeChange(oldHome, newHome, plan.counts);
      this.upstreamService.dropMoved(homePlan.upstreamKeys);
      // A manifest event that did not change membership still changes nothing for counts.
      collections = homePlan.collections;
    }
    await this.rows.recomputeAndNotify(affected, collections, plan.notifyHome);
  }

  /**
   * The background validation found hash entries whose files changed without an event: the rows
   * that used them are recomputed as if the watcher had reported those paths.
   */
  private applyStale(paths: string[]): void {
    const events: ChangeEvent[] = [];
    for (const p of paths) {
      const st = this.rows.all().find((f) => p === f.folder || p.startsWith(f.folder + path.sep));
      events.push(st ? { kind: 'deployedFiles', folder: st.folder, paths: [p] } : { kind: 'collectionFiles', collection: '', paths: [p] });
    }
    this.applyChanges(events).catch((err) => this.log.error(`applying validation results: ${(err as Error).stack ?? err}`));
  }

  /** Test hook ($SKILLMEAT_SYNC_TEST_HOOKS): drop events until called again, then report the loss. */
  toggleEventLoss(): void {
    this.watcher?.toggleEventLoss();
  }

  // ------------------------------------------------------------------ stats / life

  currentStatus(): DaemonStatusParams {
    const st = this.upstreamService.currentStatus();
    if (this.watcher && !this.watcher.healthy) {
      st.state = st.state === 'ok' ? 'warning' : st.state;
      st.message = `file watching unavailable (${this.watcher.message ?? 'unknown'}); re-checking on each request`;
    }
    return st;
  }

  cacheStats(): CacheStats[] {
    // `rendered`: statusText answers (the CLI's output) given from the kept text, or made anew
    const status = { ...this.rows.stats(), rendered: { hits: this.statusTexts.hits, misses: this.statusTexts.misses } };
    return [this.countsCache.stats(), this.hashCache.stats(), this.upstreamService.cache.stats(), this.upstreamService.contentStats(), status];
  }

  watcherInfo(): { healthy: boolean; watched: number; message?: string } {
    if (!this.watcher) return { healthy: false, watched: 0, message: 'not watching (in-process mode)' };
    const info: { healthy: boolean; watched: number; message?: string } = { healthy: this.watcher.healthy, watched: this.watcher.watchedCount() };
    if (this.watcher.message) info.message = this.watcher.message;
    return info;
  }

  rateLimit(): RateLimitInfo | undefined {
    return this.upstreamService.rateLimit();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.gcTimer) clearInterval(this.gcTimer);
    this.rows.close();
    this.validation?.stop();
    await this.watcher?.close();
    await this.hashCache.close();
    await this.upstreamService.close();
  }
}
