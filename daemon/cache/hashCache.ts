// Content-hash cache (issue #4, part 3; trust model: issue #11): an unchanged workspace costs a
// stat walk, or nothing at all while the watchers cover it.
//
// SkillMeat's directory hash is one running SHA-256, so it cannot be patched per file: an entry is
// keyed by the stat signature (rel path, size, mtime, ctime, inode, device) of every file under the
// path, and any difference means a full re-hash. Like git's racy-clean check, an entry whose files
// were modified within racyWindowMs of the moment they were hashed is never trusted: the file may
// have changed again within the same mtime tick.
//
// When is an entry answered WITHOUT the stat walk? Only when all of these hold (else: stat walk):
//  - trustWatchers (the service: every watcher scope is healthy),
//  - the entry was stat-validated after the last distrust() (overflow, stall, `status --verify`),
//  - every directory the listing read was under a live watch when the entry was validated, and
//    still is under that same watch (coverage epochs, daemon/watch/coverage.ts): a folder moved,
//    replaced, deleted or dropped from watching since then has a new epoch or none,
//  - no input is reached through a symlink (its bytes live where no watcher looks) and none has
//    other hard links (a write through another name sends no event for this one),
//  - it is not racy.
// Anything no event reveals (a hard link made later, a bind mount) is bounded by validateSome(),
// the throttled background stat walk the service runs.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { CacheStats } from '../../shared/types';
import { hashInputs, listHashInputs, type Hasher, type HashInputList } from '../skillmeat/contentHash';
import { DirListingCache, type PersistedListing } from '../skillmeat/dirListing';
import type { HashPool } from '../skillmeat/hashWorkers';
import { epochsOf, stillCovered, type CoverageView } from '../watch/coverage';
import { systemClock, type Clock } from './clock';
import { nullLogger, type Logger } from './logger';
import { PersistentStore } from './persistentStore';
import { TtlCache } from './ttlCache';

export interface HashCacheOptions {
  clock?: Clock;
  maxEntries?: number;
  /** files modified this close to (or after) the hashing moment make the entry untrusted */
  racyWindowMs?: number;
  log?: Logger;
  /** which directories live watches cover; without it no entry is ever trusted without a stat */
  coverage?: CoverageView;
  /** worker threads for cold hashes (nothing cached to compare with); without it, in-thread */
  pool?: HashPool;
  /**
   * The persisted hash index (issue #15): entries are written here after changes settle and loaded
   * at start, so a restarted daemon's first answer is a stat walk, not a re-hash. Undefined: none.
   */
  indexFile?: string;
  /** how long changes settle before the index is written (default 2 s) */
  indexDebounceMs?: number;
}

/** On-disk shape of the hash index; `format` changes whenever statSignature() does. */
interface IndexFile {
  version: 1;
  format: string;
  /** [absolute path, stat signature, content hash] */
  entries: [string, string, string][];
  /** directory listings of the stat walks (DirListingCache), so a restart stats directories instead of reading them */
  dirs?: PersistedListing[];
}

/** Directories (and their watch epochs) an entry relies on being told about. */
interface Cover {
  dirs: string[];
  epochs: number[];
}

interface HashEntry {
  /** digest of the stat signature of every input file */
  signature: string;
  hash: string;
  racy: boolean;
  /** undefined: some input is out of the watchers' sight; validated by stat on every use */
  cover: Cover | undefined;
  /** the distrust() generation this entry was last stat-validated in */
  trustGen: number;
  /**
   * Loaded from the persisted index and not stat-validated in this process yet: never trusted
   * (no cover), answered only once a stat walk matches its signature — nothing watched the disk
   * while no daemon ran.
   */
  fromIndex?: boolean;
}

export const DEFAULT_RACY_WINDOW_MS = 2000;

export function statSignature(list: HashInputList): string {
  const h = createHash('sha1');
  h.update(list.kind);
  if (list.rootIsLink) h.update('\0link');
  for (const f of list.files) h.update(`\n${f.rel}\0${f.size}\0${f.mtimeMs}\0${f.ctimeMs}\0${f.ino}\0${f.dev}`);
  return h.digest('hex');
}

/**
 * A fingerprint of statSignature() itself: an index written by a daemon that built signatures
 * differently (other fields, other order) is discarded rather than compared with.
 */
function signatureFormat(): string {
  return statSignature({
    kind: 'dir',
    files: [{ rel: 'a', abs: '/a', size: 1, mtimeMs: 2.5, ctimeMs: 3.5, ino: 4, dev: 5, nlink: 1, viaLink: false }],
    dirs: ['/'],
    rootIsLink: false,
  });
}

export interface ValidationPass {
  /** entries whose files no longer match their signature (dropped) */
  stale: string[];
  checked: number;
  files: number;
  ms: number;
}

export class HashCache implements Hasher {
  /**
   * Set by the service from watcher health: while true, a covered entry not dropped by a watcher
   * is answered without even the stat walk (see the conditions above).
   */
  trustWatchers = false;

  private readonly cache: TtlCache<HashEntry>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly racyWindowMs: number;
  private readonly coverage: CoverageView | undefined;
  private trustGen = 0;
  private hits = 0;
  private misses = 0;
  private walksSkipped = 0;
  private racyHashes = 0;
  private filesHashed = 0;
  private uncovered = 0;
  /** background validation: where the round-robin pass stands, and what it has cost */
  private pending: string[] = [];
  private bgChecked = 0;
  private bgFiles = 0;
  private bgMs = 0;
  private bgStale = 0;
  private readonly pool: HashPool | undefined;
  /**
   * Directory listings for the stat walks (validate, validateSome): a directory whose own stat is
   * unchanged is not read again, its files are still stat'ed (see DirListingCache).
   */
  private readonly listings = new DirListingCache();
  private readonly index: PersistentStore | undefined;
  /** the persisted index is loaded (or there is none) */
  private readonly ready: Promise<void>;
  private indexLoaded = 0;
  private indexUsed = 0;
  private indexStale = 0;
  private indexWrites = 0;

  constructor(opts: HashCacheOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? nullLogger;
    this.racyWindowMs = opts.racyWindowMs ?? DEFAULT_RACY_WINDOW_MS;
    this.coverage = opts.coverage;
    this.cache = new TtlCache<HashEntry>({
      name: 'hashes',
      maxEntries: opts.maxEntries ?? 50_000,
      // validity comes from the stat signature and the watchers, not from age
      ttlMs: Infinity,
      errorTtlMs: 0,
      clock: this.clock,
      log: this.log,
    });
    this.pool = opts.pool;
    this.index = opts.indexFile ? new PersistentStore(opts.indexFile, this.log, { debounceMs: opts.indexDebounceMs ?? 2000 }) : undefined;
    this.ready = this.index
      ? this.loadIndex(this.index).catch((e) => this.log.warn(`hash index ${opts.indexFile}: not loaded (${(e as Error).message})`))
      : Promise.resolve();
  }

  /** SkillMeat content hash of a file or directory; throws like contentHash() (ENOENT, EACCES, …). */
  async hash(absPath: string): Promise<string> {
    const key = path.resolve(absPath);
    await this.ready;
    if (this.trustWatchers) {
      const entry = this.cache.peek(key)?.value;
      if (entry && this.trusted(entry)) {
        this.hits++;
        this.walksSkipped++;
        return entry.hash;
      }
    }
    // force: every call validates against the disk; concurrent calls on one path share that work
    const r = await this.cache.getOrCompute(key, () => this.validate(key), { force: true });
    return r.value.hash;
  }

  /**
   * Whether hash(absPath) would now be answered without a stat walk (trustWatchers aside): false
   * for a path with no entry or one out of the watchers' sight. The service uses it to know whether
   * rows computed from these hashes may be reused until an event says otherwise.
   */
  isCovered(absPath: string): boolean {
    const entry = this.cache.peek(path.resolve(absPath))?.value;
    return entry !== undefined && this.trusted(entry);
  }

  /**
   * Every entry is validated by a stat walk before it is trusted again (an overflow or stall may
   * have lost events; `status --verify` wants the disk, not the watchers). Keeps the hashes: a
   * matching signature costs a stat walk, not a re-hash.
   */
  distrust(): void {
    this.trustGen++;
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
    const n = this.cache.deleteWhere((key) => {
      if (changed.has(key) || ancestors.has(key)) return true;
      for (let a = path.dirname(key); ; a = path.dirname(a)) {
        if (changed.has(a)) return true;
        if (path.dirname(a) === a) return false;
      }
    });
    if (n) this.persistSoon();
    return n;
  }

  /**
   * One slice of the background validation: stat-walks up to `max` trusted entries, round-robin
   * over the whole cache, and drops those whose files changed without an event (hard links made
   * after hashing, writes the kernel did not report). The caller invalidates what the stale paths
   * feed. Entries not trusted anyway (uncovered, racy) are skipped: each use walks them already.
   */
  async validateSome(max: number): Promise<ValidationPass> {
    const started = performance.now();
    const pass: ValidationPass = { stale: [], checked: 0, files: 0, ms: 0 };
    // a round ends when the list empties; the next call starts the next round
    if (this.pending.length === 0) this.pending = this.cache.keys();
    while (pass.checked < max && this.pending.length > 0) {
      const key = this.pending.pop()!;
      const entry = this.cache.peek(key)?.value;
      if (!entry || !this.trusted(entry)) continue;
      pass.checked++;
      let same = false;
      try {
        const list = await listHashInputs(key, this.listings);
        pass.files += list.files.length;
        same = statSignature(list) === entry.signature;
      } catch {
        same = false;
      }
      // an entry replaced meanwhile (a fresh validation) is not ours to judge
      if (!same && this.cache.peek(key)?.value === entry) {
        this.cache.delete(key);
        pass.stale.push(key);
      }
    }
    pass.ms = performance.now() - started;
    this.bgChecked += pass.checked;
    this.bgFiles += pass.files;
    this.bgMs += pass.ms;
    this.bgStale += pass.stale.length;
    if (pass.stale.length) this.log.info(`hash validation: ${pass.stale.length} entries changed without an event (${pass.stale.slice(0, 3).join(', ')}${pass.stale.length > 3 ? ', …' : ''})`);
    return pass;
  }

  get size(): number {
    return this.cache.size;
  }

  private trusted(entry: HashEntry): boolean {
    return (
      !entry.racy &&
      entry.cover !== undefined &&
      entry.trustGen === this.trustGen &&
      this.coverage !== undefined &&
      stillCovered(this.coverage, entry.cover.dirs, entry.cover.epochs)
    );
  }

  /** The watch coverage of what the listing read, or undefined if any of it is out of sight. */
  private coverOf(list: HashInputList, versionBefore: number): Cover | undefined {
    const cov = this.coverage;
    if (!cov || cov.version !== versionBefore || list.rootIsLink) return undefined;
    for (const f of list.files) if (f.viaLink || f.nlink > 1) return undefined;
    const epochs = epochsOf(cov, list.dirs);
    return epochs ? { dirs: list.dirs, epochs } : undefined;
  }

  invalidateAll(): number {
    this.listings.clear();
    const n = this.cache.clear();
    if (n) this.persistSoon();
    return n;
  }

  /** Ends the hash workers and writes what the index still owes (the daemon is stopping). */
  async close(): Promise<void> {
    await this.pool?.close();
    await this.index?.flush();
  }

  /** Schedules a write of the index once changes settle (debounced; racy entries are left out). */
  private persistSoon(): void {
    if (!this.index?.enabled) return;
    void this.index.save(() => {
      this.indexWrites++;
      const entries: [string, string, string][] = [];
      for (const [key, read] of this.cache.entries()) {
        const e = read.value;
        // racy: a later write within the same mtime tick would go unseen; re-hashed after a restart
        if (!e.racy) entries.push([key, e.signature, e.hash]);
      }
      const data: IndexFile = { version: 1, format: signatureFormat(), entries, dirs: this.listings.export() };
      return data as unknown as Record<string, unknown>;
    });
  }

  private async loadIndex(store: PersistentStore): Promise<void> {
    const data = (await store.load()) as Partial<IndexFile>;
    if (Object.keys(data).length === 0) return;
    if (data.version !== 1 || data.format !== signatureFormat() || !Array.isArray(data.entries)) {
      this.log.warn(`hash index ${store.file}: written in another format, discarded`);
      return;
    }
    let bad = 0;
    for (const row of data.entries) {
      const ok = Array.isArray(row) && row.length === 3 && row.every((x) => typeof x === 'string') && path.isAbsolute(row[0]) && /^[0-9a-f]{64}$/.test(row[2]);
      if (!ok) {
        bad++;
        continue;
      }
      // an entry computed in this process meanwhile is newer
      if (this.cache.peek(row[0])) continue;
      this.cache.set(row[0], { signature: row[1], hash: row[2], racy: false, cover: undefined, trustGen: -1, fromIndex: true });
      this.indexLoaded++;
    }
    if (Array.isArray(data.dirs)) bad += this.listings.load(data.dirs);
    if (bad) this.log.warn(`hash index ${store.file}: ${bad} malformed entries ignored`);
    this.log.info(`hash index: ${this.indexLoaded} entries loaded from ${store.file}`);
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
      ...(this.index
        ? { index: { file: this.index.file, enabled: this.index.enabled, loaded: this.indexLoaded, used: this.indexUsed, stale: this.indexStale, writes: this.indexWrites } }
        : {}),
      ...(this.pool
        ? { workers: { size: this.pool.size, started: this.pool.started, jobs: this.pool.inWorkers, inThread: this.pool.inThread, ...(this.pool.unavailable ? { unavailable: this.pool.unavailable } : {}) } }
        : {}),
      uncoveredValidations: this.uncovered,
      listings: { size: this.listings.size, ...this.listings.stats() },
      background: { checked: this.bgChecked, files: this.bgFiles, ms: Math.round(this.bgMs), stale: this.bgStale },
    };
  }

  /**
   * Nothing to compare with: hash and list in one pass in a worker (no stat walk first, and the
   * open file's fstat is its listing stat). The signature is of what was actually read.
   */
  private async hashCold(key: string): Promise<HashEntry> {
    const versionBefore = this.coverage?.version ?? 0;
    const trustGen = this.trustGen;
    this.misses++;
    const hashedAt = this.clock.now();
    const { list, hash } = await this.pool!.hash(key, this.listings);
    const cover = this.coverOf(list, versionBefore);
    if (!cover) this.uncovered++;
    this.filesHashed += list.files.length;
    const racy = list.files.some((f) => hashedAt - f.mtimeMs < this.racyWindowMs);
    if (racy) this.racyHashes++;
    this.persistSoon();
    return { signature: statSignature(list), hash, racy, cover, trustGen };
  }

  private async validate(key: string): Promise<HashEntry> {
    try {
      if (this.pool && !this.cache.peek(key)) return await this.hashCold(key);
      // captured before the walk: a watch added or removed while we read makes the cover unknown
      const versionBefore = this.coverage?.version ?? 0;
      const trustGen = this.trustGen;
      const list = await listHashInputs(key, this.listings);
      // listings read now (not found in the index) are worth keeping for the next restart
      if (this.listings.unsaved) this.persistSoon();
      const signature = statSignature(list);
      const cover = this.coverOf(list, versionBefore);
      if (!cover) this.uncovered++;
      const prev = this.cache.peek(key)?.value;
      if (prev && prev.signature === signature && !prev.racy) {
        this.hits++;
        if (prev.fromIndex) this.indexUsed++;
        // validated now, under the watches that hold now (a persisted entry becomes like one hashed here)
        return { signature, hash: prev.hash, racy: false, cover, trustGen };
      }
      if (prev?.fromIndex) this.indexStale++;
      this.misses++;
      const hashedAt = this.clock.now();
      const hash = await hashInputs(list.kind, list.files);
      this.filesHashed += list.files.length;
      const racy = list.files.some((f) => hashedAt - f.mtimeMs < this.racyWindowMs);
      if (racy) this.racyHashes++;
      this.persistSoon();
      return { signature, hash, racy, cover, trustGen };
    } catch (e) {
      // a path that cannot be hashed now must not keep answering with its old hash
      this.cache.delete(key);
      throw e;
    }
  }
}
