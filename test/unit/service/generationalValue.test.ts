import assert from 'node:assert/strict';
import { covers, GenerationalValue } from '../../../daemon/service/generationalValue';
import { deferred } from '../../helpers/deferred';

/** A value over two counters whose computations are released by hand, in any order. */
function harness() {
  const gens = [0, 0];
  const runs: { stamp: number[]; done: ReturnType<typeof deferred<string>> }[] = [];
  const stored: string[] = [];
  const value = new GenerationalValue<string>({
    generations: () => [...gens],
    compute: (stamp) => {
      const done = deferred<string>();
      runs.push({ stamp: [...stamp], done });
      return done.promise;
    },
    onStored: (v) => stored.push(v),
  });
  return { gens, runs, stored, value };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GenerationalValue', () => {
  it('covers compares every counter', () => {
    assert.equal(covers([1, 2], [1, 2]), true);
    assert.equal(covers([2, 3], [1, 2]), true);
    assert.equal(covers([2, 1], [1, 2]), false);
    assert.equal(covers([1], [1, 0]), false, 'stamps of different shapes never cover each other');
  });

  it('computes once for concurrent callers and serves the kept value until an invalidation', async () => {
    const h = harness();
    const a = h.value.get();
    const b = h.value.get();
    await tick();
    assert.equal(h.runs.length, 1, 'single flight');
    h.runs[0].done.resolve('v1');
    assert.deepEqual(await Promise.all([a, b]), ['v1', 'v1']);
    assert.equal(h.value.isFresh(), true);
    assert.equal(await h.value.get(), 'v1');
    assert.equal(h.runs.length, 1, 'a fresh value is served without computing');
    h.gens[1]++;
    assert.equal(h.value.isFresh(), false, 'any counter bump makes it stale');
    assert.equal(h.value.last, 'v1', 'the stale value stays readable');
    const c = h.value.get();
    await tick();
    assert.equal(h.runs.length, 2);
    assert.deepEqual(h.runs[1].stamp, [0, 1]);
    h.runs[1].done.resolve('v2');
    assert.equal(await c, 'v2');
    assert.deepEqual(h.value.lastStamp, [0, 1]);
  });

  it('a caller that asks after an invalidation never gets the computation that started before it', async () => {
    const h = harness();
    const early = h.value.get();
    await tick();
    h.gens[0]++; // the data changed while the first computation was reading
    const late = h.value.get();
    await tick();
    assert.equal(h.runs.length, 1, 'the late caller waits for the running computation first');
    h.runs[0].done.resolve('old');
    assert.equal(await early, 'old', 'the early caller asked before the change: the old answer is right for it');
    await tick();
    assert.equal(h.runs.length, 2, 'the late caller starts a new computation');
    assert.deepEqual(h.runs[1].stamp, [1, 0]);
    h.runs[1].done.resolve('new');
    assert.equal(await late, 'new');
    assert.deepEqual(h.stored, ['old', 'new']);
  });

  it('a failed computation rejects its callers and the next call tries again', async () => {
    const h = harness();
    const a = h.value.get();
    await tick();
    h.runs[0].done.reject(new Error('boom'));
    await assert.rejects(a, /boom/);
    assert.equal(h.value.last, undefined);
    const b = h.value.get();
    await tick();
    assert.equal(h.runs.length, 2);
    h.runs[1].done.resolve('ok');
    assert.equal(await b, 'ok');
  });
});
