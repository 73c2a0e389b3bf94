import assert from 'node:assert/strict';
import { FakeClock, type Clock } from '../../../daemon/cache/clock';
import type { Logger } from '../../../daemon/cache/logger';
import { TtlCache } from '../../../daemon/cache/ttlCache';
import { deferred } from '../../helpers/deferred';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

describe('TtlCache', () => {
  it('expires entries after their TTL on the injected clock', () => {
    const clock = new FakeClock();
    const cache = new TtlCache<number>({ name: 't', maxEntries: 10, ttlMs: 1000, clock });
    cache.set('a', 1);
    clock.advance(999);
    assert.deepEqual(cache.get('a'), { value: 1, fresh: true, stale: false, storedAt: clock.now() - 999 });
    clock.advance(1);
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.size, 0, 'an expired entry of a non-SWR cache is dropped');
    const s = cache.stats();
    assert.equal(s.hits, 1);
    assert.equal(s.misses, 1);
    assert.equal(s.hitRate, 0.5);
    assert.equal(s.ttlSeconds, 1);
  });

  it('honours per-entry TTLs, Infinity included, and setTtl for default-TTL entries', () => {
    const clock = new FakeClock();
    const cache = new TtlCache<string>({ name: 't', maxEntries: 10, ttlMs: 1000, clock });
    cache.set('short', 's', 10);
    cache.set('forever', 'f', Infinity);
    cache.set('default', 'd');
    clock.advance(10);
    assert.equal(cache.get('short'), undefined);
    cache.setTtl(500);
    clock.advance(490);
    assert.equal(cache.get('default'), undefined, 'a shorter TTL applies to entries already stored');
    clock.advance(1e12);
    assert.equal(cache.get('forever')?.value, 'f');
  });

  it('bounds the number of entries and counts evictions', () => {
    const evicted: string[] = [];
    const cache = new TtlCache<number>({ name: 't', maxEntries: 10, ttlMs: 1e9, onEvict: (k) => evicted.push(k) });
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, i);
    assert.ok(cache.size <= 20, `size ${cache.size} exceeds twice the bound`);
    assert.equal(cache.stats().evictions, evicted.length);
    assert.ok(evicted.length >= 80);
    assert.equal(cache.get('k99')?.value, 99, 'the newest entry survives');
    assert.equal(cache.peek('k0'), undefined, 'the oldest entry is gone');
  });

  it('re-setting a key does not later report it evicted', () => {
    const cache = new TtlCache<number>({ name: 't', maxEntries: 2, ttlMs: 1e9 });
    cache.set('a', 1);
    cache.set('b', 2); // generation flip: a, b now old
    cache.set('a', 3);
    cache.set('c', 4); // flip again: old generation (b) discarded
    assert.equal(cache.peek('a')?.value, 3);
    assert.equal(cache.stats().evictions, 1);
  });

  it('single-flight: 100 concurrent getters run one computation', async () => {
    const cache = new TtlCache<number>({ name: 't', maxEntries: 10, ttlMs: 1000, clock: new FakeClock() });
    let calls = 0;
    const gate = deferred<number>();
    const compute = () => {
      calls++;
      return gate.promise;
    };
    const all = Promise.all(Array.from({ length: 100 }, () => cache.getOrCompute('k', compute)));
    gate.resolve(42);
    const results = await all;
    assert.equal(calls, 1);
    assert.ok(results.every((r) => r.value === 42 && !r.stale));
    const again = await cache.getOrCompute('k', compute);
    assert.deepEqual([again.value, again.cached, calls], [42, true, 1]);
    assert.equal(cache.stats().computations, 1);
  });

  it('serves the stale value while exactly one refresh runs, then the new value', async () => {
    const clock = new FakeClock();
    const cache = new TtlCache<string>({ name: 't', maxEntries: 10, ttlMs: 1000, clock, staleWhileRevalidate: true });
    await cache.getOrCompute('k', async () => 'v1');
    clock.advance(1500);
    let refreshes = 0;
    const gate = deferred<string>();
    const refresh = () => {
      refreshes++;
      return gate.promise;
    };
    const reads = await Promise.all(Array.from({ length: 20 }, () => cache.getOrCompute('k', refresh)));
    assert.ok(reads.every((r) => r.value === 'v1' && r.stale && r.cached));
    assert.equal(refreshes, 1);
    assert.equal(cache.get('k')?.stale, true);
    gate.resolve('v2');
    await gate.promise;
    await new Promise((r) => setImmediate(r));
    const after = await cache.getOrCompute('k', refresh);
    assert.deepEqual([after.value, after.stale, after.cached], ['v2', false, true]);
    assert.equal(refreshes, 1);
    assert.ok((cache.stats().stale ?? 0) >= 20);
  });

  it('a failed background refresh keeps the stale value and holds off retries for errorTtlMs', async () => {
    const clock = new FakeClock();
    const cache = new TtlCache<string>({ name: 't', maxEntries: 10, ttlMs: 1000, errorTtlMs: 5000, clock, staleWhileRevalidate: true });
    cache.set('k', 'old');
    clock.advance(2000);
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error('offline');
    };
    assert.equal((await cache.getOrCompute('k', failing)).value, 'old');
    await new Promise((r) => setImmediate(r));
    assert.equal((await cache.getOrCompute('k', failing)).value, 'old');
    assert.equal(calls, 1, 'no second refresh within errorTtlMs');
    clock.advance(5000);
    await cache.getOrCompute('k', failing);
    assert.equal(calls, 2);
  });

  it('maxStaleMs bounds how long an expired value is served', async () => {
    const clock = new FakeClock();
    const cache = new TtlCache<string>({ name: 't', maxEntries: 10, ttlMs: 1000, maxStaleMs: 1000, clock, staleWhileRevalidate: true });
    cache.set('k', 'old');
    clock.advance(2500);
    const r = await cache.getOrCompute('k', async () => 'new');
    assert.deepEqual([r.value, r.stale, r.cached], ['new', false, false]);
  });

  it('caches failures briefly as negative entries and rethrows the same error', async () => {
    const clock = new FakeClock();
    const cache = new TtlCache<number>({ name: 't', maxEntries: 10, ttlMs: 60_000, errorTtlMs: 1000, clock });
    let calls = 0;
    const boom = new Error('boom');
    const failing = async (): Promise<number> => {
      calls++;
      throw boom;
    };
    await assert.rejects(cache.getOrCompute('k', failing), (e) => e === boom);
    await assert.rejects(cache.getOrCompute('k', failing), (e) => e === boom);
    assert.equal(calls, 1);
    assert.equal(cache.get('k'), undefined, 'a negative entry is not a value');
    await assert.rejects(cache.getOrCompute('k', failing, { force: true }));
    assert.equal(calls, 2, 'force bypasses the negative entry');
    clock.advance(1000);
    assert.equal((await cache.getOrCompute('k', async () => 7)).value, 7);
    assert.equal(cache.stats().negativeHits, 1);
  });

  it('a computation invalidated while in flight answers its callers but is not stored', async () => {
    const cache = new TtlCache<string>({ name: 't', maxEntries: 10, ttlMs: 60_000, clock: new FakeClock() });
    const gate = deferred<string>();
    const first = cache.getOrCompute('k', () => gate.promise);
    cache.delete('k');
    const second = cache.getOrCompute('k', async () => 'after');
    gate.resolve('before');
    assert.equal((await first).value, 'before');
    assert.equal((await second).value, 'after');
    assert.equal(cache.peek('k')?.value, 'after');
  });

  it('force recomputes a fresh value', async () => {
    const cache = new TtlCache<number>({ name: 't', maxEntries: 10, ttlMs: 60_000, clock: new FakeClock() });
    await cache.getOrCompute('k', async () => 1);
    const r = await cache.getOrCompute('k', async () => 2, { force: true });
    assert.deepEqual([r.value, r.cached], [2, false]);
    assert.equal(cache.peek('k')?.value, 2);
  });

  it('delete, deleteWhere, clear and keys', () => {
    const cache = new TtlCache<number>({ name: 't', maxEntries: 100, ttlMs: 60_000 });
    for (const k of ['a/1', 'a/2', 'b/1', 'c']) cache.set(k, 1);
    assert.equal(cache.delete('c'), true);
    assert.equal(cache.delete('c'), false);
    assert.equal(cache.deleteWhere((k) => k.startsWith('a/')), 2);
    assert.deepEqual(cache.keys(), ['b/1']);
    assert.equal(cache.clear(), 1);
    assert.equal(cache.size, 0);
  });

  it('entries() lists servable values for persistence and set() restores their age', () => {
    const clock = new FakeClock();
    const cache = new TtlCache<number>({ name: 't', maxEntries: 10, ttlMs: 1000, clock });
    cache.set('old', 1, undefined, clock.now() - 5000);
    cache.set('new', 2);
    assert.deepEqual(cache.entries().map(([k]) => k), ['new']);
  });

  describe('a throwing cache gives the same answers as no cache', () => {
    const brokenClock: Clock = {
      now() {
        throw new Error('clock broke');
      },
    };
    const compute = async (k: string) => `value of ${k}`;

    it('with a clock that throws', async () => {
      const log = recordingLogger();
      const cache = new TtlCache<string>({ name: 'broken', maxEntries: 10, ttlMs: 1000, clock: brokenClock, log });
      for (const k of ['a', 'b', 'a']) {
        const cached = await cache.getOrCompute(k, () => compute(k));
        assert.equal(cached.value, await compute(k));
      }
      cache.set('x', 'y');
      assert.equal(cache.get('x'), undefined);
      assert.equal(cache.peek('x'), undefined);
      const failure = new Error('real failure');
      await assert.rejects(cache.getOrCompute('f', async () => { throw failure; }), (e) => e === failure);
      assert.ok(log.lines.some((l) => l.startsWith('warn') && l.includes('clock broke')));
      assert.ok(Number(cache.stats().cacheErrors) > 0);
    });

    it('with a clock that fails only when storing', async () => {
      let calls = 0;
      const clock: Clock = {
        now() {
          calls++;
          if (calls > 1) throw new Error('late failure');
          return 0;
        },
      };
      const cache = new TtlCache<string>({ name: 'broken', maxEntries: 10, ttlMs: 1000, clock });
      assert.equal((await cache.getOrCompute('a', () => compute('a'))).value, 'value of a');
      assert.equal((await cache.getOrCompute('a', () => compute('a'))).value, 'value of a');
    });

    it('with an onEvict hook that throws', async () => {
      const cache = new TtlCache<string>({ name: 'broken', maxEntries: 2, ttlMs: 1e9, onEvict: () => { throw new Error('hook'); } });
      for (let i = 0; i < 20; i++) {
        const k = `k${i}`;
        assert.equal((await cache.getOrCompute(k, () => compute(k))).value, await compute(k));
      }
    });
  });
});
