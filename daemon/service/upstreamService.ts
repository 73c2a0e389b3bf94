// Everything upstream: the subjects (collection artifacts with a GitHub source), checks on request
// and on a timer, the token, the upstream cache and its invalidation, and the rate-limit / offline
// state clients hear as daemonStatus. Rows only peek at the cached answers (no network); a check
// makes every folder's rows stale, which the status side recomputes.
import * as path from 'node:path';
import type { CheckUpstreamParams, CheckUpstreamResult, DaemonStatusParams, DiffParams, FileContentParams, UpstreamResultRow } from '../../shared/protocol';
import type { CacheStats, DiffResult, FileContentResult, RateLimitInfo, StatusResult, UpstreamInfo } from '../../shared/types';
import { BlobStore } from '../cache/blobStore';
import { PersistentStore } from '../cache/persistentStore';
import { UpstreamCache } from '../cache/upstreamCache';
import type { Logger } from '../log';
import type { CollectionSnapshot, ManifestArtifact } from '../skillmeat';
import { checkApiUrl, DEFAULT_API_URL, resolveApiUrl, resolveToken, subjectKey, UpstreamChecker, type EditorToken, type TokenInfo, type UpstreamSubject } from '../upstream';
import { TreeListings } from '../upstream/treeListings';
import { UpstreamContent } from '../upstream/upstreamContent';
import { DiffService } from './diffService';
import type { HomeState } from './homeState';
import { resolveArtifacts, subjectOf } from './artifactResolver';

export interface UpstreamSettings {
  upstreamTtlSeconds: number;
  upstreamErrorTtlSeconds: number;
  autoCheckIntervalMinutes: number;
  /** the editor setting (`configure`); the daemon's flag and environment beat it */
  githubApiUrl?: string;
}

/** Requests for API URLs other than the daemon's own get a checker of their own (memory only), a few at most. */
const MAX_OTHER_APIS = 4;

export interface UpstreamServiceOptions {
  home: HomeState;
  log: Logger;
  env: NodeJS.ProcessEnv;
  settings: UpstreamSettings;
  /** upstream cache file; undefined = no persistence */
  storeFile?: string;
  /** the daemon's `--github-api-url`: beats `$SKILLMEAT_SYNC_GITHUB_API_URL` and the editor setting */
  apiUrlFlag?: string;
  /** folder of the upstream content store (blobs by SHA, tree listings); undefined = not kept */
  contentStoreDir?: string;
  /** the rows of these folders (to find the collections they deploy from) */
  rows: (folders: string[]) => Promise<StatusResult>;
  /** every folder's rows show upstream states: called after a check changed them */
  rowsStale: () => Promise<void>;
  /** the periodic check (`autoCheckIntervalMinutes`); it begins like any request */
  autoCheck: () => Promise<void>;
}

export class UpstreamService {
  readonly cache: UpstreamCache;
  readonly checker: UpstreamChecker;
  readonly store: PersistentStore | undefined;
  readonly blobStore: BlobStore;
  readonly treeListings: TreeListings;
  readonly content: UpstreamContent;
  private readonly diffs: DiffService;
  private readonly settings: UpstreamSettings;
  private editorToken: EditorToken | undefined;
  /** API URL → the token for it (see resolveToken: a token goes only where it was issued) */
  private readonly tokens = new Map<string, TokenInfo>();
  /** checkers for API URLs a request named (the CLI's `--github-api-url`), beside the daemon's own */
  private readonly others = new Map<string, UpstreamChecker>();
  private apiUrl: string;
  private autoTimer: NodeJS.Timeout | undefined;
  private lastStatus: DaemonStatusParams = { state: 'ok' };
  private rateLimitInfo: RateLimitInfo | undefined;
  private closed = false;

  /** set by the server: broadcast the rate-limit / offline state */
  onDaemonStatus: (params: DaemonStatusParams) => void = () => undefined;

  constructor(private readonly opts: UpstreamServiceOptions) {
    this.settings = { ...opts.settings };
    this.store = opts.storeFile ? new PersistentStore(opts.storeFile, opts.log) : undefined;
    this.cache = new UpstreamCache({
      ttlMs: this.settings.upstreamTtlSeconds * 1000,
      errorTtlMs: this.settings.upstreamErrorTtlSeconds * 1000,
      log: opts.log,
      store: this.store,
    });
    this.apiUrl = this.defaultApiUrl();
    this.checker = new UpstreamChecker({
      apiUrl: this.apiUrl,
      token: () => this.tokenFor(this.apiUrl),
      cache: this.cache,
      log: opts.log,
      onStatus: (s) => this.upstreamStatus(s),
      onTrees: (t, base, head) => this.content.onTrees(t, base, head),
      describe: (t, info) => this.content.describe(t, info),
    });
    const dir = opts.contentStoreDir;
    this.blobStore = new BlobStore(dir ? path.join(dir, 'blobs') : undefined, { log: opts.log });
    this.treeListings = new TreeListings(dir ? new PersistentStore(path.join(dir, 'listings.json'), opts.log) : undefined, opts.log);
    this.content = new UpstreamContent(this.checker, this.treeListings, this.blobStore, opts.log);
    this.diffs = new DiffService({
      home: () => opts.home.snapshot(),
      status: (folders) => opts.rows(folders),
      subjectOf,
      content: this.content,
    });
    this.scheduleAutoCheck();
  }

  async init(): Promise<void> {
    await this.cache.ready;
    await this.treeListings.ready;
    await this.refreshToken(this.apiUrl);
  }

  /**
   * The daemon's API URL: its `--github-api-url` → its `$SKILLMEAT_SYNC_GITHUB_API_URL` → the editor
   * setting → api.github.com. A bad flag or variable is reported and skipped, not fatal.
   */
  private defaultApiUrl(): string {
    try {
      return resolveApiUrl({ flag: this.opts.apiUrlFlag, env: this.opts.env, setting: this.settings.githubApiUrl });
    } catch (err) {
      this.opts.log.warn(`GitHub API URL: ${(err as Error).message}; using the editor setting or ${DEFAULT_API_URL}`);
      try {
        return resolveApiUrl({ env: {}, setting: this.settings.githubApiUrl });
      } catch {
        return DEFAULT_API_URL;
      }
    }
  }

  /** The checker for one request: the daemon's own, or one for the API URL the request named. */
  private checkerFor(url: string): UpstreamChecker {
    if (url === this.apiUrl) return this.checker;
    let c = this.others.get(url);
    if (c) {
      // most recently used last
      this.others.delete(url);
      this.others.set(url, c);
      return c;
    }
    c = new UpstreamChecker({
      apiUrl: url,
      token: () => this.tokenFor(url),
      cache: new UpstreamCache({ ttlMs: this.cache.ttlMs, errorTtlMs: this.cache.errorTtlMs, log: this.opts.log }),
      log: this.opts.log,
    });
    this.others.set(url, c);
    if (this.others.size > MAX_OTHER_APIS) this.others.delete(this.others.keys().next().value as string);
    return c;
  }

  private tokenFor(url: string): TokenInfo {
    return this.tokens.get(url) ?? { source: 'anonymous' };
  }

  // ------------------------------------------------------------------ answers

  /** The last known answer for one artifact, without any network (what a row shows). */
  upstreamOf(col: CollectionSnapshot, art: ManifestArtifact): UpstreamInfo {
    try {
      return this.checker.peek(subjectOf(col, art));
    } catch (err) {
      return { state: 'unknown', reason: `upstream state unavailable: ${(err as Error).message}` };
    }
  }

  async check(params: CheckUpstreamParams): Promise<CheckUpstreamResult> {
    // Precedence per request: the requester's own URL (CLI flag / environment) → the daemon's.
    const url = params.githubApiUrl ? checkApiUrl(params.githubApiUrl) : this.apiUrl;
    const checker = this.checkerFor(url);
    await this.refreshToken(url);
    const home = await this.opts.home.snapshot();
    const workspaces = params.folders?.length ? (await this.opts.rows(params.folders)).workspaces : [];
    let subjects: UpstreamSubject[];
    if (params.keys?.length) {
      // The keys name the artifacts; the folders only place a row key (`name::type::profile`).
      subjects = resolveArtifacts(home, params.keys, workspaces).map((r) => subjectOf(r.collection, r.artifact));
    } else {
      // The folders' artifacts: every artifact of the collections they deploy from (and the active one).
      let collections: Set<string> | undefined;
      if (params.folders?.length) {
        collections = new Set<string>();
        if (home.collections.has(home.activeCollection)) collections.add(home.activeCollection);
        for (const ws of workspaces) {
          for (const row of ws.artifacts) {
            for (const col of home.collections.values()) if (col.name === row.collection || col.id === row.collection) collections.add(col.id);
          }
        }
      }
      subjects = [];
      for (const col of home.collections.values()) {
        if (collections && !collections.has(col.id)) continue;
        for (const art of col.artifacts) subjects.push(subjectOf(col, art));
      }
    }
    const { results, requests, counter } = await checker.check(subjects, { force: params.force });
    const rows: UpstreamResultRow[] = [];
    for (const s of subjects) {
      const artifact = subjectKey(s);
      const upstream = results.get(artifact) ?? checker.peek(s);
      rows.push({ artifact, collection: s.collection, name: s.name, type: s.type, upstream });
    }
    // Rows carry the upstream state: the cached ones are out of date now, subscribed or not.
    await this.opts.rowsStale();
    const out: CheckUpstreamResult = { results: rows, requests, answered: counter.answered ?? 0 };
    if (counter.networkError) out.networkError = counter.networkError;
    if (counter.cachedFailures && counter.cachedFailureUntil !== undefined) {
      out.cachedFailures = { sources: counter.cachedFailures, reason: counter.cachedFailureReason ?? '', retryAt: new Date(counter.cachedFailureUntil).toISOString() };
    }
    const rl = checker.rateLimit();
    if (rl) out.rateLimit = rl;
    return out;
  }

  // ------------------------------------------------------------------ what changed

  /** `diff`: one artifact compared file by file across project, collection and upstream. */
  async diff(p: DiffParams): Promise<DiffResult> {
    await this.refreshToken(this.apiUrl);
    return this.diffs.diff(p);
  }

  /** `fileContent`: one file of one side, for the editor's diff documents. */
  async fileContent(p: FileContentParams): Promise<FileContentResult> {
    await this.refreshToken(this.apiUrl);
    return this.diffs.fileContent(p);
  }

  contentStats(): CacheStats {
    return { ...this.blobStore.stats(), ...this.treeListings.stats(), downloads: this.content.downloads };
  }

  // ------------------------------------------------------------------ invalidation

  /** `invalidate --upstream`: every answer is re-validated on next use; failures are dropped. */
  revalidateAll(): { answers: number; failures: number } {
    const failures = this.cache.dropFailures();
    return { answers: this.cache.revalidate(), failures };
  }

  /**
   * `invalidate --upstream KEY…`: source keys (`github:…`) as given, artifact keys through their
   * sources. A key that names no artifact, or several, fails the request (nothing is dropped).
   */
  async revalidateKeys(keys: string[]): Promise<{ answers: number; failures: number }> {
    const home = await this.opts.home.snapshot();
    const sources: string[] = [];
    const sourceKeys = new Set<string>();
    for (const r of resolveArtifacts(home, keys, [], sources)) {
      const info = this.checker.peek(subjectOf(r.collection, r.artifact));
      if (info.source) sourceKeys.add(info.source);
    }
    for (const s of sources) sourceKeys.add(s);
    if (!sourceKeys.size) return { answers: 0, failures: 0 };
    const failures = this.cache.dropFailures([...sourceKeys]);
    return { answers: this.cache.revalidate([...sourceKeys]), failures };
  }

  /** SkillMeat's update/sync/deploy rewrote these sources' resolved_sha/version_spec/upstream. */
  dropMoved(sourceKeys: string[]): void {
    if (!sourceKeys.length) return;
    const n = this.cache.invalidate(sourceKeys);
    this.opts.log.info(`manifest changed upstream fields: dropped ${n} upstream cache entries`);
  }

  // ------------------------------------------------------------------ token

  /**
   * The editor's sign-in. `apiUrl` is the API it was issued for (absent = api.github.com, VS Code's
   * `github` provider); the token is used for that API only.
   */
  async setEditorToken(token: string | null, _source: string, apiUrl?: string): Promise<void> {
    this.editorToken = token ? { token, apiUrl: apiUrl ? checkApiUrl(apiUrl) : DEFAULT_API_URL } : undefined;
    await this.refreshToken(this.apiUrl);
    for (const url of this.others.keys()) await this.refreshToken(url);
  }

  private async refreshToken(url: string): Promise<void> {
    const before = this.tokens.get(url);
    const now = await resolveToken({ apiUrl: url, editor: this.editorToken, home: this.opts.home.home, env: this.opts.env });
    this.tokens.set(url, now);
    if (before !== undefined && before.token !== now.token) this.checkerFor(url).tokenChanged();
  }

  tokenSource(): string {
    return this.tokenFor(this.apiUrl).source;
  }

  // ------------------------------------------------------------------ settings

  configure(s: Partial<UpstreamSettings>): void {
    if (s.upstreamTtlSeconds !== undefined || s.upstreamErrorTtlSeconds !== undefined) {
      if (s.upstreamTtlSeconds !== undefined) this.settings.upstreamTtlSeconds = s.upstreamTtlSeconds;
      if (s.upstreamErrorTtlSeconds !== undefined) this.settings.upstreamErrorTtlSeconds = s.upstreamErrorTtlSeconds;
      this.cache.ttlMs = this.settings.upstreamTtlSeconds * 1000;
      this.cache.errorTtlMs = this.settings.upstreamErrorTtlSeconds * 1000;
    }
    if (s.githubApiUrl !== undefined && s.githubApiUrl !== this.settings.githubApiUrl) {
      this.settings.githubApiUrl = s.githubApiUrl;
      // The setting only decides when neither the daemon's flag nor its environment does.
      const url = this.defaultApiUrl();
      if (url !== this.apiUrl) {
        this.apiUrl = url;
        this.checker.setApiUrl(url);
        void this.refreshToken(url).catch((err) => this.opts.log.warn(`GitHub token: ${(err as Error).message}`));
      } else if (this.opts.apiUrlFlag || this.opts.env.SKILLMEAT_SYNC_GITHUB_API_URL) {
        this.opts.log.info(`githubApiUrl setting ${s.githubApiUrl} not used: the daemon's --github-api-url / $SKILLMEAT_SYNC_GITHUB_API_URL says ${url}`);
      }
    }
    if (s.autoCheckIntervalMinutes !== undefined && s.autoCheckIntervalMinutes !== this.settings.autoCheckIntervalMinutes) {
      this.settings.autoCheckIntervalMinutes = s.autoCheckIntervalMinutes;
      this.scheduleAutoCheck();
    }
  }

  githubApiUrl(): string {
    return this.apiUrl;
  }

  private scheduleAutoCheck(): void {
    if (this.autoTimer) clearInterval(this.autoTimer);
    this.autoTimer = undefined;
    const minutes = this.settings.autoCheckIntervalMinutes;
    if (minutes > 0 && !this.closed) {
      this.autoTimer = setInterval(() => {
        this.opts.autoCheck().catch((err) => this.opts.log.warn(`automatic upstream check failed: ${(err as Error).message}`));
      }, minutes * 60_000);
      this.autoTimer.unref();
    }
  }

  // ------------------------------------------------------------------ rate limit / daemon status

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

  /** The last upstream-side daemon status (rate limit, offline). */
  currentStatus(): DaemonStatusParams {
    return { ...this.lastStatus };
  }

  rateLimit(): RateLimitInfo | undefined {
    return this.checker.rateLimit() ?? this.rateLimitInfo;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.autoTimer) clearInterval(this.autoTimer);
    await this.cache.flush();
    await this.treeListings.flush();
  }
}
