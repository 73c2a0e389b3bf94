// Collection counts: from the counts cache while the watchers vouch for it, else computed from the
// home snapshot (which the request has already made current).
import * as path from 'node:path';
import type { CollectionCounts, CountsResult } from '../../shared/types';
import type { CountsCache } from '../cache/countsCache';
import { computeCounts } from '../skillmeat';
import type { HomeState } from './homeState';

export class CountsService {
  constructor(
    private readonly home: HomeState,
    readonly cache: CountsCache,
    private readonly watching: () => boolean,
  ) {}

  async counts(ids?: string[]): Promise<CountsResult> {
    const home = await this.home.snapshot();
    const wanted = ids && ids.length ? ids : [...home.collections.keys()].sort();
    let cached = new Map<string, CollectionCounts>();
    let missing = new Set<string>(wanted);
    if (this.watching()) {
      ({ cached, missing } = this.cache.getCounts(wanted));
    }
    if (missing.size) {
      const fresh = computeCounts(home, [...missing]);
      this.cache.setCounts(fresh.filter((c) => !c.error));
      for (const c of fresh) cached.set(c.name, c);
    }
    const collections: CollectionCounts[] = [];
    const unknown: string[] = [];
    for (const id of wanted) {
      const c = cached.get(id);
      if (c) collections.push(c);
      else unknown.push(id);
    }
    const result: CountsResult = { home: home.home, collections };
    const warnings = [...home.warnings];
    if (!home.exists) warnings.push(`no SkillMeat home at ${home.home}`);
    for (const id of unknown) warnings.push(`no collection named ${id} (no ${path.join('collections', id, 'collection.toml')})`);
    if (warnings.length) result.warnings = warnings;
    return result;
  }
}
