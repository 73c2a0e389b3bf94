// The SkillMeat home as the service last read it (config + every collection's manifest and lock),
// with its generation counter: every home invalidation bumps it, and both the snapshot and every
// folder's rows are stamped with it.
import { readHome, type HomeSnapshot } from '../skillmeat';
import { GenerationalValue } from './generationalValue';

export class HomeState {
  private gen = 0;
  private readonly snap: GenerationalValue<HomeSnapshot>;

  constructor(readonly home: string) {
    this.snap = new GenerationalValue({ generations: () => [this.gen], compute: () => readHome(this.home) });
  }

  get generation(): number {
    return this.gen;
  }

  /** Something under the home changed (or may have): the next snapshot is read again. */
  invalidate(): void {
    this.gen++;
  }

  /** A snapshot read no earlier than the latest invalidation before this call. */
  snapshot(): Promise<HomeSnapshot> {
    return this.snap.get();
  }

  /** The last snapshot read, fresh or not (the "before" of a change). */
  get last(): HomeSnapshot | undefined {
    return this.snap.last;
  }
}
