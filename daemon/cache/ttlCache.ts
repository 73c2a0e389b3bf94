// The one cache primitive every daemon cache is built on (issue #4, part 1).
//
// quick-lru supplies the entry bound; expiry is tracked here rather than with quick-lru's maxAge
// because that one reads Date.now() and the clock must be injectable. A cache is an optimisation,
// so every path below is arranged such that a failure of the cache machinery costs at most the
// cached answer: the caller then gets exactly what compute() gives, never an error of ours.
import QuickLRU from 'quick-lru';
import type { CacheStats } from '../../shared/types';
import { systemClock, type Clock } from './clock';
import { errorMessage, nullLogger, type Logger } from './logger';

export interface TtlCacheOptions {
  name: string;
  /** quick-lru keeps between maxEntries and 2 × maxEntries items (its two-generation design) */
  maxEntries: number;
  ttlMs: number;
  /** lifetime of a negative (failure) entry; 0 disables them. Default 15 s. */
  errorTtlMs?: number;
  clock?: Clock;
  /** serve an expired value (flagged stale) while one refresh runs */
  staleWhileRevalidate?: boolean;
  /** how long past its TTL an expired value may still be served stale. Default: forever. */
  maxStaleMs?: number;
  log?: Logger;
  /** called when the entry bound pushes a key out (not on delete/expiry) */
  onEvict?: (key: string) => void;
}

export interface CacheRead<V> {
  value: V;
  fresh: boolean;
  stale: boolean;
  storedAt: number;
}

export interface ComputeResult<V> {
  value: V;
  /** the value came from the cache rather than from a computation this call waited for */
  cached: boolean;
  /** an expired value served while a refresh runs in the background */
  stale: boolean;
  /** when the value was computed (absent when the cache machinery failed) */
  storedAt?: number;
}

export interface ComputeOptions {
  /** ignore a cached value or negative entry (an in-flight computation is still joined) */
  force?: boolean;
  ttlMs?: number;
}

type Entry<V> =
  | { kind: 'value'; value: V; storedAt: number; ttlMs?: number; refreshBlockedUntil?: number }
  | { kind: 'error'; error: Error; storedAt: number; ttlMs: number };

interface Flight<V> {
  promise: Promise<V>;
  /** tells a settling computation whether it is still the one the cache waits for */
  token: number;
}

type Plan<V> =
  | { kind: 'hit'; result: ComputeResult<V> }
  | { kind: 'negative'; error: Error }
  | { kind: 'wait'; promise: Promise<V> };

const DEFAULT_ERROR_TTL_MS = 15_000;
/** Logging every failure of a broken cache would flood the log; the counter keeps the total. */
const MACHINERY_ERRORS_LOGGED = 3;

export class TtlCache<V> {
  readonly name: string;
  private readonly lru: QuickLRU<string, Entry<V>>;
  private readonly inflight = new Map<string, Flight<V>>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly swr: boolean;
  private readonly maxStaleMs: number;
  private readonly errorTtlMs: number;
  private readonly onEvict?: (key: string) => void;
  private ttlMs: number;
  private flightSeq = 0;
  private hits = 0;
  private misses = 0;
  private staleServed = 0;
  private negativeHits = 0;
  private evictions = 0;
  private computations = 0;
  private machineryErrors = 0;

  constructor(opts: TtlCacheOptions) {
    this.name = opts.name;
    this.ttlMs = opts.ttlMs;
    this.errorTtlMs = opts.errorTtlMs ?? DEFAULT_ERROR_TTL_MS;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? nullLogger;
    this.swr = opts.staleWhileRevalidate ?? false;
    this.maxStaleMs = opts.maxStaleMs ?? Infinity;
    this.onEvict = opts.onEvict;
    this.lru = new QuickLRU<string, Entry<V>>({
      maxSize: Math.max(1, Math.floor(opts.maxEntries)),
      onEviction: (key) => this.evicted(key),
    });
  }

  /** A fresh entry, or (staleWhileRevalidate) an expired one still kept; counts hit/miss. */
  get(key: string): CacheRead<V> | undefined {
    try {
      const entry = this.lru.get(key);
      const read = entry && this.read(key, entry, this.clock.now());
      if (!read) {
        this.misses++;
        return undefined;
      }
      this.hits++;
      if (read.stale) this.staleServed++;
      return read;
    } catch (e) {
      this.machineryFailed('get', e);
      return undefined;
    }
  }

  /** Like get() without touching counters or recency. */
  peek(key: string): CacheRead<V> | undefined {
    try {
      const entry = this.lru.peek(key);
      return entry && this.read(key, entry, this.clock.now());
    } catch (e) {
      this.machineryFailed('peek', e);
      return undefined;
    }
  }

  /**
   * ttlMs = Infinity for immutable entries; without it the entry follows the cache's TTL, including
   * later setTtl() changes. storedAt lets a persistent layer restore an entry with its real age.
   */
  set(key: string, value: V, ttlMs?: number, storedAt?: number): void {
    try {
      this.put(key, { kind: 'value', value, storedAt: storedAt ?? this.clock.now(), ttlMs });
    } catch (e) {
      this.machineryFailed('set', e);
    }
  }

  /** Negative entry: getOrCompute rethrows this error until it expires. */
  setError(key: string, error: Error, ttlMs?: number): void {
    try {
      const ttl = ttlMs ?? this.errorTtlMs;
      if (ttl <= 0) return;
      this.put(key, { kind: 'error', error, storedAt: this.clock.now(), ttlMs: ttl });
    } catch (e) {
      this.machineryFailed('setError', e);
    }
  }

  /**
   * Single-flight read-through. A negative entry rethrows its error until it expires; with
   * staleWhileRevalidate an expired value comes back with stale:true while one background refresh
   * runs. If the cache machinery itself throws, the answer is simply `await compute()`.
   */
  async getOrCompute(key: string, compute: () => Promise<V>, opts: ComputeOptions = {}): Promise<ComputeResult<V>> {
    let plan: Plan<V>;
    try {
      plan = this.plan(key, compute, opts);
    } catch (e) {
      this.machineryFailed('getOrCompute', e);
      return { value: await compute(), cached: false, stale: false };
    }
    if (plan.kind === 'hit') return plan.result;
    if (plan.kind === 'negative') throw plan.error;
    const value = await plan.promise;
    let storedAt: number | undefined;
    try {
      storedAt = this.lru.peek(key)?.storedAt;
    } catch {
      // storedAt is informational only
    }
    return { value, cached: false, stale: false, storedAt };
  }

  delete(key: string): boolean {
    try {
      // A computation started before the invalidation may have read the old state: let it finish
      // for whoever awaits it, but it must not store its answer nor be joined by later callers.
      this.inflight.delete(key);
      return this.lru.delete(key);
    } catch (e) {
      this.machineryFailed('delete', e);
      return false;
    }
  }

  deleteWhere(pred: (key: string) => boolean): number {
    let dropped = 0;
    try {
      for (const key of [...this.inflight.keys()]) if (pred(key)) this.inflight.delete(key);
      for (const key of [...this.lru.keys()]) {
        if (pred(key) && this.lru.delete(key)) dropped++;
      }
    } catch (e) {
      this.machineryFailed('deleteWhere', e);
    }
    return dropped;
  }

  clear(): number {
    try {
      const n = this.lru.size;
      this.lru.clear();
      this.inflight.clear();
      return n;
    } catch (e) {
      this.machineryFailed('clear', e);
      return 0;
    }
  }

  keys(): string[] {
    try {
      return [...this.lru.keys()];
    } catch (e) {
      this.machineryFailed('keys', e);
      return [];
    }
  }

  /** Value entries (fresh and servable-stale) without touching counters: for persistence. */
  entries(): Array<[string, CacheRead<V>]> {
    const out: Array<[string, CacheRead<V>]> = [];
    try {
      const now = this.clock.now();
      for (const [key, entry] of [...this.lru.entries()]) {
        const read = this.read(key, entry, now);
        if (read) out.push([key, read]);
      }
    } catch (e) {
      this.machineryFailed('entries', e);
    }
    return out;
  }

  get size(): number {
    try {
      return this.lru.size;
    } catch {
      return 0;
    }
  }

  get ttl(): number {
    return this.ttlMs;
  }

  /** Applies to entries stored without their own TTL too (they keep their storedAt). */
  setTtl(ttlMs: number): void {
    if (!(ttlMs >= 0)) throw new RangeError(`${this.name}: TTL must be a non-negative number of ms, got ${ttlMs}`);
    this.ttlMs = ttlMs;
  }

  stats(): CacheStats {
    const lookups = this.hits + this.misses;
    return {
      name: this.name,
      size: this.size,
      // -1 = entries never expire (Infinity would not survive JSON)
      ttlSeconds: Number.isFinite(this.ttlMs) ? this.ttlMs / 1000 : -1,
      hits: this.hits,
      misses: this.misses,
      hitRate: lookups === 0 ? 0 : this.hits / lookups,
      stale: this.staleServed,
      evictions: this.evictions,
      negativeHits: this.negativeHits,
      computations: this.computations,
      inflight: this.inflight.size,
      cacheErrors: this.machineryErrors,
    };
  }

  // ------------------------------------------------------------------ internals

  private plan(key: string, compute: () => Promise<V>, opts: ComputeOptions): Plan<V> {
    const now = this.clock.now();
    if (!opts.force) {
      const entry = this.lru.get(key);
      if (entry?.kind === 'error' && !this.expired(entry, now)) {
        this.hits++;
        this.negativeHits++;
        return { kind: 'negative', error: entry.error };
      }
      const read = entry && this.read(key, entry, now);
      if (read && entry?.kind === 'value') {
        this.hits++;
        if (read.fresh) return { kind: 'hit', result: { value: read.value, cached: true, stale: false, storedAt: read.storedAt } };
        this.staleServed++;
        if (!this.inflight.has(key) && !(entry.refreshBlockedUntil !== undefined && now < entry.refreshBlockedUntil)) {
          this.startFlight(key, compute, opts.ttlMs);
        }
        return { kind: 'hit', result: { value: read.value, cached: true, stale: true, storedAt: read.storedAt } };
      }
    }
    this.misses++;
    const flight = this.inflight.get(key);
    if (flight) return { kind: 'wait', promise: flight.promise };
    return { kind: 'wait', promise: this.startFlight(key, compute, opts.ttlMs) };
  }

  /** compute() is invoked last so that nothing here can throw after it has started. */
  private startFlight(key: string, compute: () => Promise<V>, ttlMs: number | undefined): Promise<V> {
    const token = ++this.flightSeq;
    const flight: Flight<V> = { promise: Promise.resolve(undefined as unknown as V), token };
    this.inflight.set(key, flight);
    this.computations++;
    flight.promise = new Promise<V>((resolve) => resolve(compute())).then(
      (value) => {
        this.settle(key, token, () => this.put(key, { kind: 'value', value, storedAt: this.clock.now(), ttlMs }));
        return value;
      },
      (err: unknown) => {
        this.settle(key, token, () => this.storeFailure(key, err));
        throw err;
      },
    );
    // background refreshes have no awaiting caller; their failure is recorded by storeFailure
    flight.promise.catch(() => undefined);
    return flight.promise;
  }

  private settle(key: string, token: number, store: () => void): void {
    try {
      if (this.inflight.get(key)?.token !== token) return;
      this.inflight.delete(key);
      store();
    } catch (e) {
      this.machineryFailed('store', e);
    }
  }

  /** A failed refresh keeps a servable value (SWR) and holds off further refreshes for errorTtlMs. */
  private storeFailure(key: string, err: unknown): void {
    const now = this.clock.now();
    const existing = this.lru.peek(key);
    if (existing?.kind === 'value' && this.read(key, existing, now)) {
      existing.refreshBlockedUntil = now + this.errorTtlMs;
      return;
    }
    if (this.errorTtlMs <= 0) return;
    const error = err instanceof Error ? err : new Error(String(err));
    this.put(key, { kind: 'error', error, storedAt: now, ttlMs: this.errorTtlMs });
  }

  private put(key: string, entry: Entry<V>): void {
    // quick-lru would otherwise keep a shadow copy in its old generation and later report it evicted
    this.lru.delete(key);
    this.lru.set(key, entry);
  }

  private expired(entry: Entry<V>, now: number): boolean {
    const ttl = entry.ttlMs ?? this.ttlMs;
    return now - entry.storedAt >= ttl;
  }

  /** undefined for negative entries and for values past serving; drops what can never be served again. */
  private read(key: string, entry: Entry<V>, now: number): CacheRead<V> | undefined {
    if (entry.kind === 'error') {
      if (this.expired(entry, now)) this.lru.delete(key);
      return undefined;
    }
    if (!this.expired(entry, now)) return { value: entry.value, fresh: true, stale: false, storedAt: entry.storedAt };
    const ttl = entry.ttlMs ?? this.ttlMs;
    if (this.swr && now - entry.storedAt < ttl + this.maxStaleMs) {
      return { value: entry.value, fresh: false, stale: true, storedAt: entry.storedAt };
    }
    this.lru.delete(key);
    return undefined;
  }

  private evicted(key: string): void {
    this.evictions++;
    if (!this.onEvict) return;
    try {
      this.onEvict(key);
    } catch (e) {
      this.machineryFailed('onEvict', e);
    }
  }

  private machineryFailed(op: string, e: unknown): void {
    this.machineryErrors++;
    if (this.machineryErrors <= MACHINERY_ERRORS_LOGGED) {
      this.log.warn(`${this.name} cache: ${op} failed, answering uncached: ${errorMessage(e)}`);
    }
  }
}
