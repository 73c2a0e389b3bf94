// The files below an artifact's folder upstream, keyed by that folder's git tree SHA. A tree SHA
// names its content exactly, so a listing is never stale and serves every commit and repository
// where the folder has that SHA. Listings come from the commit listing the check already fetched
// (no request) or, when that is gone, from one recursive request for the folder's tree; they are
// kept on disk so that a restarted daemon asks nothing again.
import type { PersistentStore, StoreData } from '../cache/persistentStore';
import { nullLogger, type Logger } from '../cache/logger';

const STORE_VERSION = 1;
const MAX_LISTINGS = 20_000;
const SHA = /^[0-9a-f]{40}$/;

/** relative path (with `/`) → git blob SHA */
export type FileListing = ReadonlyMap<string, string>;

export class TreeListings {
  readonly ready: Promise<void>;
  private readonly trees = new Map<string, FileListing>();
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly store?: PersistentStore,
    private readonly log: Logger = nullLogger,
  ) {
    this.ready = store ? this.load(store) : Promise.resolve();
  }

  get size(): number {
    return this.trees.size;
  }

  has(treeSha: string): boolean {
    return this.trees.has(treeSha.toLowerCase());
  }

  get(treeSha: string): FileListing | undefined {
    const l = this.trees.get(treeSha.toLowerCase());
    if (l) this.hits++;
    else this.misses++;
    return l;
  }

  set(treeSha: string, files: FileListing): void {
    const key = treeSha.toLowerCase();
    if (this.trees.has(key)) return;
    this.trees.set(key, files);
    if (this.trees.size > MAX_LISTINGS) {
      const [oldest] = this.trees.keys();
      this.trees.delete(oldest);
    }
    if (this.store?.enabled) void this.store.save(() => this.snapshot());
  }

  stats(): { listings: number; listingHits: number; listingMisses: number } {
    return { listings: this.trees.size, listingHits: this.hits, listingMisses: this.misses };
  }

  async flush(): Promise<void> {
    if (!this.store) return;
    await this.ready;
    await this.store.flush();
  }

  private snapshot(): StoreData {
    const trees: Record<string, [string, string][]> = {};
    for (const [k, files] of this.trees) trees[k] = [...files];
    return { version: STORE_VERSION, trees };
  }

  private async load(store: PersistentStore): Promise<void> {
    const data = await store.load();
    if (Object.keys(data).length === 0) return;
    if (data.version !== STORE_VERSION || typeof data.trees !== 'object' || data.trees === null) {
      this.log.info('tree listings: state file of another version ignored');
      return;
    }
    let bad = 0;
    for (const [k, v] of Object.entries(data.trees as Record<string, unknown>)) {
      const ok =
        SHA.test(k) &&
        Array.isArray(v) &&
        v.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && e[0] !== '' && typeof e[1] === 'string' && SHA.test(e[1]));
      if (!ok) {
        bad++;
        continue;
      }
      if (!this.trees.has(k)) this.trees.set(k, new Map(v as [string, string][]));
    }
    if (bad) this.log.warn(`tree listings: ${bad} malformed entries in the state file discarded`);
  }
}
