// Synchronous file-system work done in slices: an async call per stat is a thread-pool round trip
// each, which costs more than the syscall itself; doing them synchronously is cheaper, and every few
// milliseconds the event loop gets a turn, so the daemon's other clients are still answered while
// a big tree is hashed or a thousand paths are resolved.

const SLICE_MS = 8;

export class Slicer {
  private start = performance.now();

  /** Yields to the event loop when the current slice has run for SLICE_MS. */
  async tick(): Promise<void> {
    if (performance.now() - this.start < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.start = performance.now();
  }
}
