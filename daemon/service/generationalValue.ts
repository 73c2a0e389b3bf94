// One value computed from data that can change under it, with the rule every cached answer in the
// service follows: an answer is served only if it was computed from data read after the latest
// invalidation that preceded the request. Validity is a stamp of generation counters (one per
// input: the home, a folder, …); every invalidation bumps a counter, a computation is stamped with
// the counters it started under, and a value is fresh when its stamp is at least the counters a
// caller saw when it asked. Concurrent callers share one computation (single flight); a caller
// whose computation started before an invalidation it must reflect waits for the next one.

/** One generation per input; compared component by component. */
export type Stamp = readonly number[];

/** Whether a value stamped `have` reflects every invalidation counted in `need`. */
export function covers(have: Stamp, need: Stamp): boolean {
  if (have.length !== need.length) return false;
  for (let i = 0; i < have.length; i++) if (have[i] < need[i]) return false;
  return true;
}

export interface GenerationalValueOptions<T> {
  /** The current counters, read when a caller asks and when a computation starts. */
  generations: () => Stamp;
  /** Computes the value from data read now; `stamp` is the counters it started under. */
  compute: (stamp: Stamp) => Promise<T>;
  /** Called when a computed value is kept (it is at least as new as the one before). */
  onStored?: (value: T, stamp: Stamp) => void;
}

export class GenerationalValue<T> {
  private current: { value: T; stamp: Stamp } | undefined;
  private inflight: Promise<{ value: T; stamp: Stamp }> | undefined;

  constructor(private readonly opts: GenerationalValueOptions<T>) {}

  /** The last kept value, fresh or not (for diffs and incremental recomputation). */
  get last(): T | undefined {
    return this.current?.value;
  }

  /** The stamp of the last kept value. */
  get lastStamp(): Stamp | undefined {
    return this.current?.stamp;
  }

  /** Whether the kept value reflects every invalidation so far. */
  isFresh(): boolean {
    return this.current !== undefined && covers(this.current.stamp, this.opts.generations());
  }

  /** A value computed from data read no earlier than the latest invalidation before this call. */
  async get(): Promise<T> {
    const needed = this.opts.generations();
    for (;;) {
      if (this.current && covers(this.current.stamp, needed)) return this.current.value;
      if (!this.inflight) {
        const stamp = this.opts.generations();
        this.inflight = this.opts
          .compute(stamp)
          .then((value) => {
            // An older computation that finishes late never replaces a newer value.
            if (!this.current || covers(stamp, this.current.stamp)) {
              this.current = { value, stamp };
              this.opts.onStored?.(value, stamp);
            }
            return { value, stamp };
          })
          .finally(() => {
            this.inflight = undefined;
          });
      }
      const done = await this.inflight;
      if (covers(done.stamp, needed)) return done.value;
    }
  }
}
