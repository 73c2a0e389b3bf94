// Content-hash cache (issue #4, part 3): an unchanged workspace costs a stat walk, or nothing at all
// while the watchers are healthy.
//
// SkillMeat's directory hash is one running SHA-256, so it cannot be patched per file: an entry is
// keyed by the stat signature (rel path, size, mtime, inode) of every file under the path, and any
// difference means a full re-hash. Like git's racy-clean check, an entry whose files were modified
// within racyWindowMs of the moment they were hashed is never trusted: the file may have changed
// again within the same mtime tick.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { CacheStats } from '../../shared/types';
import { hashInputs, listHashInputs, type Hasher, type HashInputList } from '../skillmeat/contentHash';
import { systemClock, type Clock } from './clock';
import { nullLogger, type Logger } from './logger';
import { TtlCache } from './ttlCache';

export interface HashCacheOptions {
  clock?: Clock;
  maxEntries?: number;
  /** files modified this close to (or after) the hashing moment make the entry untrusted */
  racyWindowMs?: number;
  log?: Logger;
}

interface HashEntry {
  /** digest of the stat signature of every input file */
  signature: string;
  hash: string;
  racy: boolean;
}

export const DEFAULT_RACY_WINDOW_MS = 2000;

export function statSignature(list: HashInputList): string {
  const h = createHash('sha1');
  h.update(list.kind);
  for (const f of list.files) h.update(`\n${f.rel}\0${f.size}\0${f.mtimeMs}\0${f.ino}`);
  return h.digest('hex');
}

export class HashCache implements Hasher {
  /**
   * Set by the service from watcher health: while true, an entry not dropped by a watcher is
   * answered without even the stat walk. Racy entries are walked regardless.
   */
  trustWatchers = false;

  private readonly cache: TtlCache<HashEntry>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly racyWindowMs: number;
  private hits = 0;
  private misses = 0;
  private walksSkipped = 0;
  private racyHashes = 0;
  private filesHashed = 0;

  constructor(opts: HashCacheOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? nullLogger;
    this.racyWindowMs = opts.racyWindowMs ?? DEFAULT_RACY_WINDOW_MS;
    this.cache = new TtlCache<HashEntry>({
      name: 'hashes',
      maxEntries: opts.maxEntries ?? 50_000,
      // validity comes from the stat signature and the watchers, not from age
      ttlMs: Infinity,
      errorTtlMs: 0,
      clock: this.clock,
      log: this.log,
    });
  }

  /** SkillMeat content hash of a file or directory; throws like contentHash() (ENOENT, EACCES, …). */
  async hash(absPath: string): Promise<string> {
    const key = path.resolve(absPath);
    if (this.trustWatchers) {
      const entry = this.cache.peek(key)?.value;
      if (entry && !entry.racy) {
        this.hits++;
        this.walksSkipped++;
        return entry.hash;
      }
    }
    // force: every call validates against the disk; concurrent calls on one path share that work
    const r = await this.cache.getOrCompute(key, () => this.validate(key), { force: true });
    return r.value.hash;
  }

  /** Drops the entries for that path, its ancestors and its descendants. */
  invalidatePath(absPath: string): number {
    return this.invalidatePaths([absPath]);
  }

  /** One pass over the entries for a whole watcher batch. */
  invalidatePaths(absPaths: Iterable<string>): number {
    const changed = new Set<string>();
    const ancestors = new Set<string>();
    for (const p of absPaths) {
      const r = path.resolve(p);
      changed.add(r);
      for (let a = path.dirname(r); !ancestors.has(a); a = path.dirname(a)) {
        ancestors.add(a);
        if (path.dirname(a) === a) break;
      }
    }
    if (changed.size === 0) return 0;
    return this.cache.deleteWhere((key) => {
      if (changed.has(key) || ancestors.has(key)) return true;
      for (let a = path.dirname(key); ; a = path.dirname(a)) {
        if (changed.has(a)) return true;
        if (path.dirname(a) === a) return false;
      }
    });
  }

  invalidateAll(): number {
    return this.cache.clear();
  }

  stats(): CacheStats {
    const base = this.cache.stats();
    const lookups = this.hits + this.misses;
    return {
      name: 'hashes',
      size: base.size,
      ttlSeconds: -1,
      hits: this.hits,
      misses: this.misses,
      hitRate: lookups === 0 ? 0 : this.hits / lookups,
      evictions: base.evictions,
      walksSkipped: this.walksSkipped,
      racyHashes: this.racyHashes,
      filesHashed: this.filesHashed,
      trustWatchers: this.trustWatchers,
    };
  }

  private async validate(key: string): Promise<HashEntry> {
    try {
      const list = await listHashInputs(key);
      const signature = statSignature(list);
      const prev = this.cache.peek(key)?.value;
      if (prev && prev.signature === signature && !prev.racy) {
        this.hits++;
        return prev;
      }
      this.misses++;
      const hashedAt = this.clock.now();
      const hash = await hashInputs(list.kind, list.files);
      this.filesHashed += list.files.length;
      const racy = list.files.some((f) => hashedAt - f.mtimeMs < this.racyWindowMs);
      if (racy) this.racyHashes++;
      return { signature, hash, racy };
    } catch (e) {
      // a path that cannot be hashed now must not keep answering with its old hash
      this.cache.delete(key);
      throw e;
    }
  }
}
