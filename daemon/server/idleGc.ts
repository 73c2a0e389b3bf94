// The daemon lives for hours but works in bursts (a cold status hashes thousands of files and
// builds answers of megabytes). V8 keeps the heap it grew for a long while after; a full GC once a
// burst is over gives it back. Only when the runtime exposes gc (--expose-gc in the daemon's flags).
const QUIET_MS = 1000;
const MIN_INTERVAL_MS = 10_000;

export class IdleGc {
  private timer: NodeJS.Timeout | undefined;
  private lastGc = 0;
  private busy = 0;
  private readonly gc = (globalThis as { gc?: () => void }).gc;

  get available(): boolean {
    return typeof this.gc === 'function';
  }

  begin(): void {
    this.busy++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  end(): void {
    this.busy = Math.max(0, this.busy - 1);
    if (this.busy > 0 || !this.gc) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = Date.now();
      if (this.busy > 0 || now - this.lastGc < MIN_INTERVAL_MS) return;
      this.lastGc = now;
      this.gc?.();
    }, QUIET_MS);
    this.timer.unref();
  }
}
