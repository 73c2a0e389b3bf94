// Upstream file contents, kept on disk by their git blob SHA. A blob never changes, so an entry
// is never stale; it is checked against its SHA on every read (a damaged file is removed and the
// caller fetches it again), written atomically (temp + rename, 0600, in a 0700 folder), bounded in
// total size with the least recently used entries going first, and kept across restarts (recency
// survives as the files' mtimes). Any failure here only costs a download: the store then reports
// a miss, or turns itself off with a log line when its folder cannot be used.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { CacheStats } from '../../shared/types';
import { gitBlobSha } from './gitBlobSha';
import { errorMessage, nullLogger, type Logger } from './logger';

export const DEFAULT_BLOB_STORE_BYTES = 256 * 1024 * 1024;

const SHA = /^[0-9a-f]{40}$/;

export interface BlobStoreOptions {
  maxBytes?: number;
  log?: Logger;
}

export class BlobStore {
  readonly maxBytes: number;
  /** resolves once the folder has been scanned (immediately without a folder) */
  readonly ready: Promise<void>;
  private readonly log: Logger;
  /** sha → size, least recently used first (Map keeps insertion order) */
  private readonly index = new Map<string, number>();
  private total = 0;
  private _enabled: boolean;
  private _message?: string;
  private hits = 0;
  private misses = 0;
  private corrupt = 0;
  private evictions = 0;

  constructor(
    readonly dir: string | undefined,
    opts: BlobStoreOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_BLOB_STORE_BYTES;
    this.log = opts.log ?? nullLogger;
    this._enabled = dir !== undefined;
    if (!dir) this._message = 'no state folder';
    this.ready = dir ? this.scan(dir) : Promise.resolve();
  }

  get enabled(): boolean {
    return this._enabled;
  }

  get message(): string | undefined {
    return this._message;
  }

  get size(): number {
    return this.index.size;
  }

  get bytes(): number {
    return this.total;
  }

  has(sha: string): boolean {
    return this.index.has(sha);
  }

  private file(sha: string): string {
    return path.join(this.dir!, sha.slice(0, 2), sha.slice(2));
  }

  /** The blob's bytes, or undefined (not stored, unreadable, or damaged — then removed). */
  async get(sha: string): Promise<Buffer | undefined> {
    await this.ready;
    sha = sha.toLowerCase();
    if (!this._enabled || !SHA.test(sha) || !this.index.has(sha)) {
      this.misses++;
      return undefined;
    }
    const file = this.file(sha);
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(file);
    } catch (e) {
      this.forget(sha);
      this.misses++;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`blob store: cannot read ${sha} (${errorMessage(e)}); fetching it again`);
      return undefined;
    }
    if (gitBlobSha(bytes) !== sha) {
      this.corrupt++;
      this.misses++;
      this.log.warn(`blob store: ${sha} is damaged (its content does not hash to its name); removed, fetching it again`);
      this.forget(sha);
      await fsp.rm(file, { force: true }).catch(() => undefined);
      return undefined;
    }
    this.hits++;
    // Most recently used: last in the map, and newest mtime for the next start.
    this.index.delete(sha);
    this.index.set(sha, bytes.length);
    const now = new Date();
    void fsp.utimes(file, now, now).catch(() => undefined);
    return bytes;
  }

  /** Stores bytes under their SHA (checked: a wrong SHA is refused). */
  async put(sha: string, bytes: Buffer): Promise<void> {
    await this.ready;
    sha = sha.toLowerCase();
    if (!this._enabled || this.index.has(sha)) return;
    if (gitBlobSha(bytes) !== sha) throw new Error(`blob store: content does not match ${sha}`);
    if (bytes.length > this.maxBytes) return;
    const file = this.file(sha);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const fh = await fsp.open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(bytes);
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, file);
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      this.disable(`blob store folder not writable: contents are not kept (${errorMessage(e)})`);
      return;
    }
    this.index.set(sha, bytes.length);
    this.total += bytes.length;
    await this.evict();
  }

  private forget(sha: string): void {
    const size = this.index.get(sha);
    if (size === undefined) return;
    this.index.delete(sha);
    this.total -= size;
  }

  private async evict(): Promise<void> {
    while (this.total > this.maxBytes && this.index.size > 0) {
      const [oldest] = this.index.keys();
      this.forget(oldest);
      this.evictions++;
      await fsp.rm(this.file(oldest), { force: true }).catch(() => undefined);
    }
  }

  private disable(message: string): void {
    if (!this._enabled) return;
    this._enabled = false;
    this._message = message;
    this.log.warn(message);
  }

  private async scan(dir: string): Promise<void> {
    try {
      await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
      const st = await fsp.lstat(dir);
      if (!st.isDirectory()) throw new Error(`${dir} is not a folder`);
      if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw new Error(`${dir} belongs to another user`);
    } catch (e) {
      this.disable(`blob store folder unusable: contents are not kept (${errorMessage(e)})`);
      return;
    }
    const found: { sha: string; size: number; mtime: number }[] = [];
    let prefixes: string[] = [];
    try {
      prefixes = await fsp.readdir(dir);
    } catch (e) {
      this.log.warn(`blob store: cannot list ${dir} (${errorMessage(e)})`);
    }
    for (const p of prefixes) {
      if (!/^[0-9a-f]{2}$/.test(p)) continue;
      let names: string[];
      try {
        names = await fsp.readdir(path.join(dir, p));
      } catch {
        continue;
      }
      for (const n of names) {
        const file = path.join(dir, p, n);
        if (n.endsWith('.tmp')) {
          // a write that never finished (crash): never renamed into place, so never used
          await fsp.rm(file, { force: true }).catch(() => undefined);
          continue;
        }
        const sha = p + n;
        if (!SHA.test(sha)) continue;
        try {
          const st = await fsp.lstat(file);
          if (st.isFile()) found.push({ sha, size: st.size, mtime: st.mtimeMs });
        } catch {
          // gone meanwhile
        }
      }
    }
    found.sort((a, b) => a.mtime - b.mtime);
    for (const f of found) {
      this.index.set(f.sha, f.size);
      this.total += f.size;
    }
    await this.evict();
    this.log.debug(`blob store: ${this.index.size} blobs, ${this.total} bytes in ${dir}`);
  }

  stats(): CacheStats {
    const lookups = this.hits + this.misses;
    return {
      name: 'blobs',
      size: this.index.size,
      ttlSeconds: 0,
      hits: this.hits,
      misses: this.misses,
      hitRate: lookups === 0 ? 0 : this.hits / lookups,
      evictions: this.evictions,
      bytes: this.total,
      maxBytes: this.maxBytes,
      corrupt: this.corrupt,
      persistent: this._enabled,
    };
  }
}
