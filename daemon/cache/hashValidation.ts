// The background stat validation of trusted hash entries (issue #11, item 2): what no event
// reveals — a hard link made after hashing and written through its other name, a write on a
// bind mount or network file system the kernel does not report — is found within ROUND_MS plus one
// round, i.e. ≤ 60 s. Cheap and throttled: a slice every TICK_MS, sized so one round over the whole
// cache takes ROUND_MS; each entry costs one readdir per directory and one stat per file, done
// synchronously in 8 ms slices (contentHash.ts) so requests are still answered.
import type { HashCache, ValidationPass } from './hashCache';
import { errorMessage, nullLogger, type Logger } from './logger';

export const ROUND_MS = 25_000;
export const TICK_MS = 2_000;

export interface HashValidationOptions {
  /** the hash entries (paths) whose files changed unseen: the caller drops what they fed */
  onStale(paths: string[]): void;
  log?: Logger;
  roundMs?: number;
  tickMs?: number;
}

export class BackgroundHashValidation {
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly roundMs: number;
  private readonly tickMs: number;
  private readonly log: Logger;

  constructor(
    private readonly cache: HashCache,
    private readonly opts: HashValidationOptions,
  ) {
    this.roundMs = opts.roundMs ?? ROUND_MS;
    this.tickMs = opts.tickMs ?? TICK_MS;
    this.log = opts.log ?? nullLogger;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One slice; exported for tests. Nothing to do while entries are not trusted anyway. */
  async tick(): Promise<ValidationPass | undefined> {
    if (this.running || !this.cache.trustWatchers || this.cache.size === 0) return undefined;
    this.running = true;
    try {
      const max = Math.max(1, Math.ceil((this.cache.size * this.tickMs) / this.roundMs));
      const pass = await this.cache.validateSome(max);
      if (pass.stale.length) this.opts.onStale(pass.stale);
      return pass;
    } catch (e) {
      this.log.warn(`hash validation: ${errorMessage(e)}`);
      return undefined;
    } finally {
      this.running = false;
    }
  }
}
