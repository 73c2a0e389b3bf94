import assert from 'node:assert/strict';
import type { CollectionCounts } from '../../../shared/types';
import { FakeClock } from '../../../daemon/cache/clock';
import { CountsCache, DEFAULT_COUNTS_TTL_MS } from '../../../daemon/cache/countsCache';
import type { Logger } from '../../../daemon/cache/logger';

function counts(name: string, total: number, extra: Partial<CollectionCounts> = {}): CollectionCounts {
  return { name, active: name === 'default', total, byType: { skill: total }, mcpServers: 0, ...extra };
}

describe('CountsCache', () => {
  it('splits a lookup into cached and missing ids', () => {
    const cache = new CountsCache({ clock: new FakeClock() });
    cache.setCounts([counts('default', 3), counts('work', 5)]);
    const { cached, missing } = cache.getCounts(['default', 'work', 'other', 'default']);
    assert.deepEqual([...cached.keys()].sort(), ['default', 'work']);
    assert.equal(cached.get('work')?.total, 5);
    assert.deepEqual([...missing], ['other']);
    const s = cache.stats();
    assert.deepEqual([s.name, s.hits, s.misses, s.size], ['counts', 2, 1, 2]);
    assert.equal(s.hitRate, 2 / 3);
  });

  it('accepts a Map and expires after the default 300 s TTL', () => {
    const clock = new FakeClock();
    const cache = new CountsCache({ clock });
    cache.setCounts(new Map([['a', counts('a', 1)]]));
    assert.equal(cache.stats().ttlSeconds, DEFAULT_COUNTS_TTL_MS / 1000);
    clock.advance(DEFAULT_COUNTS_TTL_MS - 1);
    assert.equal(cache.getCounts(['a']).cached.size, 1);
    clock.advance(1);
    assert.deepEqual([...cache.getCounts(['a']).missing], ['a']);
  });

  it('invalidates one collection or all of them', () => {
    const cache = new CountsCache();
    cache.setCounts([counts('a', 1), counts('b', 2), counts('c', 3)]);
    assert.equal(cache.invalidate('b'), true);
    assert.equal(cache.invalidate('b'), false);
    let r = cache.getCounts(['a', 'b', 'c']);
    assert.deepEqual([[...r.cached.keys()].sort(), [...r.missing]], [['a', 'c'], ['b']]);
    assert.equal(cache.invalidateAll(), 2);
    r = cache.getCounts(['a', 'c']);
    assert.deepEqual([r.cached.size, [...r.missing].sort()], [0, ['a', 'c']]);
  });

  it('does not keep counts that carry a read error', () => {
    const cache = new CountsCache();
    cache.setCounts([counts('a', 4)]);
    cache.setCounts([counts('a', 0, { error: 'collection.toml: parse error' })]);
    assert.deepEqual([...cache.getCounts(['a']).missing], ['a']);
  });

  it('logs the hit rate of each lookup batch at debug level, and honours setTtl', () => {
    const lines: string[] = [];
    const log: Logger = { debug: (m) => lines.push(m), info: () => undefined, warn: () => undefined, error: () => undefined };
    const clock = new FakeClock();
    const cache = new CountsCache({ log, clock, ttlMs: 10_000 });
    cache.setCounts([counts('a', 1)]);
    cache.getCounts(['a', 'b']);
    assert.deepEqual(lines, ['counts cache: 1 hits, 1 misses (hit rate 50.0%)']);
    cache.setTtl(1000);
    clock.advance(1000);
    assert.equal(cache.getCounts(['a']).cached.size, 0);
    assert.equal(cache.stats().ttlSeconds, 1);
  });
});
