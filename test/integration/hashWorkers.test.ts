// The cold-hashing worker pool (daemon/skillmeat/hashWorkers.ts) with the real bundled worker
// (dist/hashWorker.js — `npm run build` first; `npm test` does): the same answers as hashing in this
// thread, errors carried over, work never lost when a worker dies, workers ended when idle.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contentHash } from '../../daemon/skillmeat/contentHash';
import { HashPool, hashTreeInThread } from '../../daemon/skillmeat/hashWorkers';
import { eventually, REPO_ROOT } from '../helpers/daemonHarness';

const SCRIPT = path.join(REPO_ROOT, 'dist', 'hashWorker.js');
// the machine running the tests may be busy: the pool is told it is idle, or busy, as a test needs
const idle = () => 0;

describe('hash worker pool (dist/hashWorker.js)', () => {
  let tmp: string;
  let pool: HashPool | undefined;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
  });
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function skills(n: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const dir = path.join(tmp, `skill-${i}`);
      fs.mkdirSync(path.join(dir, 'scripts'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'SKILL.md'), `---\nname: s${i}\n---\n${'x'.repeat(i * 37)}`);
      fs.writeFileSync(path.join(dir, 'scripts', 'run.py'), `print(${i})\n`);
      fs.writeFileSync(path.join(dir, '.hidden'), '');
      out.push(dir);
    }
    const single = path.join(tmp, 'agent.md');
    fs.writeFileSync(single, 'an agent\n');
    out.push(single);
    return out;
  }

  it('answers exactly what hashing in this thread answers, for many jobs at once, in batches', async () => {
    pool = new HashPool({ size: 2, script: SCRIPT, loadAverage: idle });
    assert.equal(pool.unavailable, undefined);
    const paths = skills(60);
    const got = await Promise.all(paths.map((p) => pool!.hash(p)));
    for (let i = 0; i < paths.length; i++) {
      const mine = await hashTreeInThread(paths[i]);
      assert.equal(got[i].hash, await contentHash(paths[i]), paths[i]);
      assert.deepEqual(got[i].list, mine.list, `${paths[i]}: the same listing, abs paths rebuilt`);
    }
    assert.equal(pool.inWorkers, paths.length);
    assert.equal(pool.inThread, 0);
    assert.ok(pool.started >= 1 && pool.started <= 2);
  });

  it('rejects with the file system error of the path (ENOENT), like contentHash', async () => {
    pool = new HashPool({ size: 1, script: SCRIPT, loadAverage: idle });
    const paths = skills(4);
    const missing = path.join(tmp, 'missing');
    const [bad, ...good] = [pool.hash(missing), ...paths.map((p) => pool!.hash(p))];
    await assert.rejects(bad, (e: NodeJS.ErrnoException) => e.code === 'ENOENT' && e.path === missing);
    for (const [i, g] of good.entries()) assert.equal((await g).hash, await contentHash(paths[i]));
    assert.equal(pool.inWorkers, paths.length + 1, 'answered by the worker');
  });

  it('redoes in this thread what a dying worker held, and keeps answering', async () => {
    pool = new HashPool({ size: 1, script: SCRIPT, loadAverage: idle });
    const paths = skills(40);
    const pending = paths.map((p) => pool!.hash(p));
    // kill the worker as soon as it holds jobs (it is still starting: it cannot have answered)
    const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots;
    while (slots.length === 0) await new Promise((r) => setImmediate(r));
    await slots[0].worker.terminate();
    const got = await Promise.all(pending);
    for (let i = 0; i < paths.length; i++) assert.equal(got[i].hash, await contentHash(paths[i]));
    assert.ok(pool.inThread > 0, 'the jobs the worker held were redone here');
    assert.equal(pool.inThread + pool.inWorkers, paths.length);
    assert.equal((await pool.hash(paths[0])).hash, got[0].hash);
  });

  it('ends its workers after the idle time and starts them again on demand', async () => {
    pool = new HashPool({ size: 1, script: SCRIPT, idleMs: 50, loadAverage: idle });
    const paths = skills(5);
    await Promise.all(paths.map((p) => pool!.hash(p)));
    const slots = () => (pool as unknown as { slots: unknown[] }).slots.length;
    assert.equal(slots(), 1);
    await eventually(() => slots() === 0, 3000, 'idle workers ended');
    // one job alone does not start a worker: it is hashed here
    await pool.hash(paths[0]);
    assert.equal(pool.started, 1);
    assert.equal(pool.inThread, 1);
    await Promise.all(paths.map((p) => pool!.hash(p)));
    assert.equal(pool.started, 2);
    assert.equal(pool.unavailable, undefined, 'an idle end is not a failure');
  });

  it('hashes a burst in this thread while every core is busy, with workers again once the load drops', async () => {
    let load = 64;
    pool = new HashPool({ size: 2, script: SCRIPT, loadAverage: () => load });
    const paths = skills(10);
    const busy = await Promise.all(paths.map((p) => pool!.hash(p)));
    assert.equal(pool.started, 0);
    assert.equal(pool.inThread, paths.length);
    load = 0;
    const calm = await Promise.all(paths.map((p) => pool!.hash(p)));
    assert.ok(pool.started >= 1);
    assert.equal(pool.inWorkers, paths.length);
    assert.deepEqual(calm.map((x) => x.hash), busy.map((x) => x.hash));
  });

  it('hashes in this thread when there is no worker script or workers are turned off', async () => {
    pool = new HashPool({ script: path.join(tmp, 'nope.js') });
    assert.match(pool.unavailable ?? '', /no worker script/);
    const [p] = skills(1);
    assert.equal((await pool.hash(p)).hash, await contentHash(p));
    assert.equal(pool.inThread, 1);
    await pool.close();
    pool = new HashPool({ size: 0, script: SCRIPT });
    assert.match(pool.unavailable ?? '', /turned off/);
    assert.equal((await pool.hash(p)).hash, await contentHash(p));
  });
});
