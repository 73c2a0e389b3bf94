// Everything the upstream checker learns from GitHub, split by how long it stays true:
//  - ref answers (which commit a ref points at, with its ETag) — mutable, TTL'd, revalidated with a
//    conditional request (a 304 is free with a token; without one it costs 1 of the 60 an hour);
//  - failures — short TTL so a broken or rate-limited GitHub is not hammered;
//  - default branches — change rarely, hours; only asked for where `commits/HEAD` is refused;
//  - which repositories refuse `commits/HEAD` (some GitHub Enterprise versions) — hours, like branches;
//  - whether a named ref is a tag or a branch (SkillMeat resolves tags first) — hours, like branches;
//  - renamed/transferred repositories (a 301 named the new one) — until invalidated;
//  - path entries at a commit — keyed by an immutable commit SHA, never expire, kept on disk;
//  - commits a repository cannot serve (tree 404/422) — like an entry, but dropped with the token,
//    since a 404 may only mean "not with these credentials".
// Nothing secret is stored: no token, no headers other than the ETag.
import type { CacheStats } from '../../shared/types';
import { systemClock, type Clock } from './clock';
import { nullLogger, type Logger } from './logger';
import type { PersistentStore, StoreData } from './persistentStore';

export interface RefAnswer {
  /** commit SHA the ref pointed at */
  sha: string;
  etag?: string;
  /** ms epoch of the last GitHub answer (200 or 304) */
  checkedAt: number;
  /** loaded from disk: usable for a conditional request and as a stale answer, never fresh */
  revalidate?: boolean;
}

export type FailureKind = 'rate-limited' | 'network' | 'server' | 'not-found' | 'auth' | 'bad-ref' | 'moved' | 'other';

/** How a named ref resolved: `tags/NAME` or `heads/NAME`. */
export type RefKind = 'tags' | 'heads';

export interface RefFailure {
  kind: FailureKind;
  reason: string;
  at: number;
  /** ms epoch until which the failure is the answer */
  until: number;
}

/** The git object at a path of a commit, or the fact that nothing is there. */
export type PathEntry = { type: 'tree' | 'blob' | 'commit'; sha: string } | { missing: true };

export interface RefLookup {
  answer?: RefAnswer;
  fresh: boolean;
  /** a failure still inside its TTL */
  failure?: RefFailure;
}

const STORE_VERSION = 1;
const MAX_IMMUTABLE = 100_000;

export interface UpstreamCacheOptions {
  ttlMs?: number;
  errorTtlMs?: number;
  defaultBranchTtlMs?: number;
  clock?: Clock;
  log?: Logger;
  store?: PersistentStore;
}

export class UpstreamCache {
  ttlMs: number;
  errorTtlMs: number;
  readonly defaultBranchTtlMs: number;
  /** resolves when the persisted state has been read (immediately without a store) */
  readonly ready: Promise<void>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly store?: PersistentStore;
  private readonly refs = new Map<string, RefAnswer>();
  private readonly failures = new Map<string, RefFailure>();
  private readonly branches = new Map<string, { branch: string; at: number }>();
  /** repository key → when `commits/HEAD` was refused there */
  private readonly headRefused = new Map<string, number>();
  /** source key → which kind of ref a name resolved to, and when */
  private readonly refKinds = new Map<string, { kind: RefKind; at: number }>();
  /** repository key → its current owner/name after a 301 */
  private readonly moves = new Map<string, { owner: string; repo: string }>();
  /** `github:<host>/<owner>/<repo>#<commitSha>` → why its tree cannot be read */
  private readonly unservable = new Map<string, { status: number; reason: string }>();
  private readonly immutable = new Map<string, PathEntry>();
  private hits = 0;
  private misses = 0;
  private notModified = 0;
  private staleServed = 0;

  constructor(opts: UpstreamCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 300_000;
    this.errorTtlMs = opts.errorTtlMs ?? 60_000;
    this.defaultBranchTtlMs = opts.defaultBranchTtlMs ?? 6 * 3600_000;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? nullLogger;
    this.store = opts.store;
    this.ready = this.store ? this.load(this.store) : Promise.resolve();
  }

  /** New TTLs from the settings; the answer TTL also applies to answers already cached. */
  configure(opts: { ttlMs?: number; errorTtlMs?: number }): void {
    if (opts.ttlMs !== undefined && opts.ttlMs >= 0) this.ttlMs = opts.ttlMs;
    if (opts.errorTtlMs !== undefined && opts.errorTtlMs >= 0) this.errorTtlMs = opts.errorTtlMs;
  }

  // ------------------------------------------------------------------ ref answers

  getRef(key: string): RefLookup {
    const now = this.clock.now();
    const answer = this.refs.get(key);
    let failure = this.failures.get(key);
    if (failure && failure.until <= now) {
      this.failures.delete(key);
      failure = undefined;
    }
    const fresh = !!answer && !answer.revalidate && now - answer.checkedAt < this.ttlMs && !failure;
    return { answer, fresh, failure };
  }

  /** Counts a lookup for the hit rate: `hit` = answered without a full GitHub response. */
  recordLookup(hit: boolean): void {
    if (hit) this.hits++;
    else this.misses++;
  }

  recordStaleServed(): void {
    this.staleServed++;
  }

  setRef(key: string, sha: string, etag: string | undefined): void {
    this.refs.set(key, { sha, etag, checkedAt: this.clock.now() });
    this.failures.delete(key);
    this.persist();
  }

  /** A 304: the stored answer is confirmed as of now. */
  confirmRef(key: string): void {
    const a = this.refs.get(key);
    if (!a) return;
    this.refs.set(key, { sha: a.sha, etag: a.etag, checkedAt: this.clock.now() });
    this.failures.delete(key);
    this.notModified++;
    this.persist();
  }

  setFailure(key: string, kind: FailureKind, reason: string, until?: number): RefFailure {
    const now = this.clock.now();
    const f: RefFailure = { kind, reason, at: now, until: until ?? now + this.errorTtlMs };
    this.failures.set(key, f);
    return f;
  }

  // ------------------------------------------------------------------ default branches

  /** `repoKey` = `github:<host>/<owner>/<repo>` */
  getDefaultBranch(repoKey: string): string | undefined {
    const b = this.branches.get(repoKey);
    if (!b) return undefined;
    if (this.clock.now() - b.at >= this.defaultBranchTtlMs) return undefined;
    return b.branch;
  }

  setDefaultBranch(repoKey: string, branch: string): void {
    this.branches.set(repoKey, { branch, at: this.clock.now() });
    this.persist();
  }

  // ------------------------------------------------------------------ HEAD refused

  /**
   * True while this repository is known to refuse `commits/HEAD`, so `latest` is asked by the
   * default branch's name. Expires like a default branch, so an upgraded server is tried again.
   */
  isHeadRefused(repoKey: string): boolean {
    const at = this.headRefused.get(repoKey);
    if (at === undefined) return false;
    if (this.clock.now() - at >= this.defaultBranchTtlMs) {
      this.headRefused.delete(repoKey);
      return false;
    }
    return true;
  }

  setHeadRefused(repoKey: string): void {
    this.headRefused.set(repoKey, this.clock.now());
    this.persist();
  }

  // ------------------------------------------------------------------ tag or branch

  /** `tags` or `heads` for a named source (`…@NAME`), while it is younger than the branch TTL. */
  getRefKind(sourceKey: string): RefKind | undefined {
    const k = this.refKinds.get(sourceKey);
    if (!k) return undefined;
    if (this.clock.now() - k.at >= this.defaultBranchTtlMs) {
      this.refKinds.delete(sourceKey);
      return undefined;
    }
    return k.kind;
  }

  setRefKind(sourceKey: string, kind: RefKind): void {
    this.refKinds.set(sourceKey, { kind, at: this.clock.now() });
    this.persist();
  }

  // ------------------------------------------------------------------ moved repositories

  getMove(repoKey: string): { owner: string; repo: string } | undefined {
    return this.moves.get(repoKey);
  }

  setMove(repoKey: string, to: { owner: string; repo: string }): void {
    this.moves.set(repoKey, { owner: to.owner, repo: to.repo });
    this.persist();
  }

  // ------------------------------------------------------------------ commits a repository cannot serve

  /** `commitKey` = `github:<host>/<owner>/<repo>#<commitSha>` */
  getUnservable(commitKey: string): { status: number; reason: string } | undefined {
    return this.unservable.get(commitKey);
  }

  setUnservable(commitKey: string, status: number, reason: string): void {
    this.unservable.set(commitKey, { status, reason });
  }

  // ------------------------------------------------------------------ immutable entries

  /** `key` = `github:<host>/<owner>/<repo>#<commitSha>:<path>` */
  getEntry(key: string): PathEntry | undefined {
    return this.immutable.get(key);
  }

  setEntry(key: string, entry: PathEntry): void {
    if (this.immutable.has(key)) return;
    this.immutable.set(key, entry);
    if (this.immutable.size > MAX_IMMUTABLE) {
      // Oldest first: Map keeps insertion order, and old commits are the least likely to be asked again.
      const drop = this.immutable.size - MAX_IMMUTABLE;
      let i = 0;
      for (const k of this.immutable.keys()) {
        if (i++ >= drop) break;
        this.immutable.delete(k);
      }
    }
    this.persist();
  }

  // ------------------------------------------------------------------ invalidation

  /**
   * Drops ref answers, ETags and failures for these source keys (`github:<host>/<owner>/<repo>@<ref>`)
   * or repository keys (`github:<host>/<owner>/<repo>`, every ref of it). Immutable entries stay:
   * they cannot become wrong.
   */
  invalidate(keys?: string[]): number {
    if (!keys) return this.invalidateAll();
    let n = 0;
    const matches = (k: string): boolean => keys.some((key) => k === key || k.startsWith(`${key}@`));
    for (const k of [...this.refs.keys()]) if (matches(k)) n += this.refs.delete(k) ? 1 : 0;
    for (const k of [...this.failures.keys()]) if (matches(k)) this.failures.delete(k);
    for (const k of [...this.refKinds.keys()]) if (matches(k)) this.refKinds.delete(k);
    for (const k of [...this.unservable.keys()]) if (keys.some((key) => k.startsWith(`${key}#`))) this.unservable.delete(k);
    for (const key of keys) {
      n += this.branches.delete(key) ? 1 : 0;
      this.headRefused.delete(key);
      this.moves.delete(key);
    }
    if (n > 0) this.persist();
    return n;
  }

  /**
   * What a user's "invalidate" means: these ref answers (all when absent) are no longer trusted,
   * so the next check asks GitHub again, but their ETags stay, so asking is a conditional request
   * (a 304 is free with a token, 1 of 60 without) and the old answer can still be shown, marked stale. A validator
   * cannot make an answer wrong: GitHub says 200 with the new data when it changed. Failures go;
   * default branches keep their own (hours) TTL. Keys as for invalidate(). Returns how many answers
   * were marked.
   */
  revalidate(keys?: string[]): number {
    const matches = (k: string): boolean => !keys || keys.some((key) => k === key || k.startsWith(`${key}@`));
    let n = 0;
    for (const [k, a] of this.refs) {
      if (!matches(k) || a.revalidate) continue;
      this.refs.set(k, { ...a, revalidate: true });
      n++;
    }
    for (const k of [...this.failures.keys()]) if (matches(k)) this.failures.delete(k);
    if (n > 0) this.persist();
    return n;
  }

  /** Drops the cached failures of these source keys (all when absent); returns how many. */
  dropFailures(keys?: string[]): number {
    const matches = (k: string): boolean => !keys || keys.some((key) => k === key || k.startsWith(`${key}@`));
    let n = 0;
    for (const k of [...this.failures.keys()]) if (matches(k) && this.failures.delete(k)) n++;
    return n;
  }

  /** Every mutable answer (refs, ETags, failures, default branches, moves); immutable entries stay. */
  invalidateAll(): number {
    const n = this.refs.size + this.branches.size;
    this.refs.clear();
    this.failures.clear();
    this.branches.clear();
    this.headRefused.clear();
    this.refKinds.clear();
    this.moves.clear();
    this.unservable.clear();
    this.persist();
    return n;
  }

  /** Everything, immutable entries included (the "clear all caches" command). */
  clear(): number {
    const n = this.invalidateAll() + this.immutable.size;
    this.immutable.clear();
    this.persist();
    return n;
  }

  stats(): CacheStats {
    const now = this.clock.now();
    let stale = 0;
    for (const a of this.refs.values()) if (a.revalidate || now - a.checkedAt >= this.ttlMs) stale++;
    const lookups = this.hits + this.misses;
    return {
      name: 'upstream',
      size: this.refs.size + this.immutable.size + this.branches.size,
      ttlSeconds: Math.round(this.ttlMs / 1000),
      errorTtlSeconds: Math.round(this.errorTtlMs / 1000),
      hits: this.hits,
      misses: this.misses,
      hitRate: lookups === 0 ? 0 : this.hits / lookups,
      stale,
      refs: this.refs.size,
      etags: [...this.refs.values()].filter((a) => a.etag).length,
      failures: this.failures.size,
      defaultBranches: this.branches.size,
      immutableEntries: this.immutable.size,
      notModified: this.notModified,
      staleServed: this.staleServed,
      persistent: this.store?.enabled ?? false,
    };
  }

  async flush(): Promise<void> {
    if (!this.store) return;
    await this.ready;
    this.persist();
    await this.store.flush();
  }

  // ------------------------------------------------------------------ persistence

  private persist(): void {
    if (!this.store?.enabled) return;
    void this.store.save(() => this.snapshot());
  }

  private snapshot(): StoreData {
    const refs: Record<string, { sha: string; etag?: string; checkedAt: number }> = {};
    for (const [k, a] of this.refs) refs[k] = { sha: a.sha, etag: a.etag, checkedAt: a.checkedAt };
    const branches: Record<string, { branch: string; at: number }> = {};
    for (const [k, b] of this.branches) branches[k] = b;
    const headRefused: Record<string, number> = {};
    for (const [k, at] of this.headRefused) headRefused[k] = at;
    const refKinds: Record<string, { kind: RefKind; at: number }> = {};
    for (const [k, v] of this.refKinds) refKinds[k] = v;
    const moves: Record<string, { owner: string; repo: string }> = {};
    for (const [k, v] of this.moves) moves[k] = v;
    const entries: Record<string, PathEntry> = {};
    for (const [k, e] of this.immutable) entries[k] = e;
    return { version: STORE_VERSION, refs, branches, headRefused, refKinds, moves, entries };
  }

  private async load(store: PersistentStore): Promise<void> {
    const data = await store.load();
    if (Object.keys(data).length === 0) return;
    if (data.version !== STORE_VERSION) {
      this.log.info(`upstream cache: state file version ${String(data.version)} ignored`);
      return;
    }
    let bad = 0;
    const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    const sha = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{40}$/.test(v);
    if (isObj(data.refs)) {
      for (const [k, v] of Object.entries(data.refs)) {
        if (isObj(v) && sha(v.sha) && typeof v.checkedAt === 'number' && (v.etag === undefined || typeof v.etag === 'string')) {
          // An answer from an earlier run may predate a token change: only its ETag and stale value are trusted.
          if (!this.refs.has(k)) this.refs.set(k, { sha: v.sha, etag: v.etag, checkedAt: v.checkedAt, revalidate: true });
        } else bad++;
      }
    }
    if (isObj(data.branches)) {
      for (const [k, v] of Object.entries(data.branches)) {
        if (isObj(v) && typeof v.branch === 'string' && typeof v.at === 'number') {
          if (!this.branches.has(k)) this.branches.set(k, { branch: v.branch, at: v.at });
        } else bad++;
      }
    }
    if (isObj(data.headRefused)) {
      for (const [k, v] of Object.entries(data.headRefused)) {
        if (typeof v === 'number' && Number.isFinite(v)) {
          if (!this.headRefused.has(k)) this.headRefused.set(k, v);
        } else bad++;
      }
    }
    if (isObj(data.refKinds)) {
      for (const [k, v] of Object.entries(data.refKinds)) {
        if (isObj(v) && (v.kind === 'tags' || v.kind === 'heads') && typeof v.at === 'number') {
          if (!this.refKinds.has(k)) this.refKinds.set(k, { kind: v.kind, at: v.at });
        } else bad++;
      }
    }
    if (isObj(data.moves)) {
      const name = (x: unknown): x is string => typeof x === 'string' && /^[A-Za-z0-9_.-]+$/.test(x);
      for (const [k, v] of Object.entries(data.moves)) {
        if (isObj(v) && name(v.owner) && name(v.repo)) {
          if (!this.moves.has(k)) this.moves.set(k, { owner: v.owner, repo: v.repo });
        } else bad++;
      }
    }
    if (isObj(data.entries)) {
      for (const [k, v] of Object.entries(data.entries)) {
        if (isObj(v) && (v.missing === true || ((v.type === 'tree' || v.type === 'blob' || v.type === 'commit') && sha(v.sha)))) {
          if (!this.immutable.has(k)) this.immutable.set(k, v.missing === true ? { missing: true } : { type: v.type as 'tree', sha: v.sha as string });
        } else bad++;
      }
    }
    if (bad > 0) this.log.warn(`upstream cache: ${bad} malformed entries in the state file discarded`);
    this.log.debug(`upstream cache: loaded ${this.refs.size} refs, ${this.immutable.size} immutable entries`);
  }
}
