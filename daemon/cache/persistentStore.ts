// A JSON file in the daemon's state folder that survives restarts. Losing it only costs requests,
// so every failure here degrades to "no persistence" with a log line instead of an error.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { errorMessage, nullLogger, type Logger } from './logger';

export type StoreData = Record<string, unknown>;

export class PersistentStore {
  private _enabled = true;
  private _message?: string;
  private timer?: NodeJS.Timeout;
  private pending?: StoreData | (() => StoreData);
  private waiters: { resolve: () => void }[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly log: Logger = nullLogger,
    private readonly opts: { debounceMs?: number } = {},
  ) {}

  get enabled(): boolean {
    return this._enabled;
  }

  /** Why persistence is off, for `stats` and the status bar. */
  get message(): string | undefined {
    return this._message;
  }

  /** The saved object; {} when there is none, it is unreadable, or it is not what we wrote. */
  async load(): Promise<StoreData> {
    const dir = path.dirname(this.file);
    try {
      await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
      await fs.promises.access(dir, fs.constants.W_OK);
    } catch (e) {
      this.disable(`state folder not writable: running without persistence (${errorMessage(e)})`);
    }
    let text: string;
    try {
      text = await fs.promises.readFile(this.file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') this.log.warn(`persistent store ${this.file}: cannot read (${errorMessage(e)}); starting empty`);
      return {};
    }
    try {
      const data: unknown = JSON.parse(text);
      if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error('not a JSON object');
      return data as StoreData;
    } catch (e) {
      this.log.warn(`persistent store ${this.file}: corrupt, discarded (${errorMessage(e)})`);
      if (this._enabled) await fs.promises.rm(this.file, { force: true }).catch(() => undefined);
      return {};
    }
  }

  /**
   * Schedules a write; calls within the debounce window coalesce into one. A function is evaluated
   * only when the write happens, so callers can hand over a snapshot builder cheaply on every change.
   */
  save(data: StoreData | (() => StoreData)): Promise<void> {
    if (!this._enabled) return Promise.resolve();
    this.pending = data;
    const done = new Promise<void>((resolve) => this.waiters.push({ resolve }));
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.opts.debounceMs ?? 1000);
      // A pending save must not keep the daemon alive; shutdown calls flush() explicitly.
      this.timer.unref();
    }
    return done;
  }

  /** Writes what is pending now. Resolves after the file is on disk (or the write failed and was logged). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const data = this.pending;
    const waiters = this.waiters;
    this.pending = undefined;
    this.waiters = [];
    this.writing = this.writing.then(async () => {
      if (data !== undefined && this._enabled) await this.write(typeof data === 'function' ? data() : data);
    });
    await this.writing;
    for (const w of waiters) w.resolve();
  }

  private async write(data: StoreData): Promise<void> {
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fs.promises.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const fh = await fs.promises.open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(JSON.stringify(data));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.promises.rename(tmp, this.file);
    } catch (e) {
      await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
      this.disable(`state folder not writable: running without persistence (${errorMessage(e)})`);
    }
  }

  private disable(message: string): void {
    if (!this._enabled) return;
    this._enabled = false;
    this._message = message;
    this.log.warn(`persistent store ${this.file}: ${message}`);
  }
}
