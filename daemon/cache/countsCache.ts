// Per-collection artifact counts (issue #4, part 2). Keyed by collection directory name; the
// watcher-driven service invalidates an id when its manifest gains or loses an artifact, and
// everything when collections appear/vanish or the active collection changes.
import type { CacheStats, CollectionCounts } from '../../shared/types';
import type { Clock } from './clock';
import { nullLogger, type Logger } from './logger';
import { TtlCache } from './ttlCache';

export const DEFAULT_COUNTS_TTL_MS = 300_000;

export interface CountsCacheOptions {
  ttlMs?: number;
  clock?: Clock;
  log?: Logger;
  maxEntries?: number;
}

export class CountsCache {
  private readonly cache: TtlCache<CollectionCounts>;
  private readonly log: Logger;

  constructor(opts: CountsCacheOptions = {}) {
    this.log = opts.log ?? nullLogger;
    this.cache = new TtlCache<CollectionCounts>({
      name: 'counts',
      maxEntries: opts.maxEntries ?? 1000,
      ttlMs: opts.ttlMs ?? DEFAULT_COUNTS_TTL_MS,
      clock: opts.clock,
      log: this.log,
      // a count read from a broken manifest is not worth remembering once it is fixed
      errorTtlMs: 0,
    });
  }

  getCounts(ids: Iterable<string>): { cached: Map<string, CollectionCounts>; missing: Set<string> } {
    const cached = new Map<string, CollectionCounts>();
    const missing = new Set<string>();
    for (const id of new Set(ids)) {
      const hit = this.cache.get(id);
      if (hit) cached.set(id, hit.value);
      else missing.add(id);
    }
    if (cached.size + missing.size > 0) {
      const rate = (100 * cached.size) / (cached.size + missing.size);
      this.log.debug(`counts cache: ${cached.size} hits, ${missing.size} misses (hit rate ${rate.toFixed(1)}%)`);
    }
    return { cached, missing };
  }

  /** Counts that carry an error are not stored: the next request re-reads the manifest. */
  setCounts(counts: Iterable<CollectionCounts> | Map<string, CollectionCounts>): void {
    const list = counts instanceof Map ? counts.values() : counts;
    for (const c of list) {
      if (c.error !== undefined) {
        this.cache.delete(c.name);
        continue;
      }
      this.cache.set(c.name, c);
    }
  }

  invalidate(id: string): boolean {
    return this.cache.delete(id);
  }

  invalidateAll(): number {
    return this.cache.clear();
  }

  setTtl(ms: number): void {
    this.cache.setTtl(ms);
  }

  stats(): CacheStats {
    return this.cache.stats();
  }
}
