import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChangeWatcher, type ChangeEvent } from '../../../daemon/watch/changeWatcher';

interface Recorder {
  batches: ChangeEvent[][];
  all(): ChangeEvent[];
  /** resolves with the first event (across batches, old ones included) that matches */
  waitFor(pred: (e: ChangeEvent) => boolean, timeoutMs?: number): Promise<ChangeEvent>;
}

function record(w: ChangeWatcher): Recorder {
  const batches: ChangeEvent[][] = [];
  const waiters: Array<() => void> = [];
  w.onBatch((events) => {
    batches.push(events);
    for (const wake of waiters.splice(0)) wake();
  });
  const all = () => batches.flat();
  return {
    batches,
    all,
    async waitFor(pred, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = all().find(pred);
        if (hit) return hit;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching event; got ${JSON.stringify(batches)}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** inotify set-up is synchronous, but give the loop a moment before producing events */
const settle = () => sleep(50);

function write(file: string, text = 'x'): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

describe('ChangeWatcher', function () {
  this.timeout(20_000);
  let tmp: string;
  let home: string;
  let ws: string;
  let watcher: ChangeWatcher;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
    home = path.join(tmp, 'home', '.skillmeat');
    ws = path.join(tmp, 'proj');
    write(path.join(home, 'config.toml'), '[settings]\n');
    write(path.join(home, 'collections', 'default', 'collection.toml'), '[collection]\n');
    write(path.join(home, 'collections', 'default', 'skills', 'demo', 'SKILL.md'), 'demo');
    write(path.join(ws, '.claude', '.skillmeat-deployed.toml'), '');
    write(path.join(ws, '.claude', 'skills', 'demo', 'SKILL.md'), 'demo');
    // This process writes files synchronously in bursts: its own stalls are not what these tests are about.
    watcher = new ChangeWatcher({ debounceMs: 100, stallMs: 60_000 });
  });

  afterEach(async () => {
    await watcher.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('reports a manifest, lock, config and artifact change in the home', async () => {
    const rec = record(watcher);
    watcher.watchHome(home);
    await settle();
    const c = path.join(home, 'collections', 'default');
    write(path.join(c, 'collection.toml'), '[collection]\nname = "default"\n');
    write(path.join(c, 'collection.lock'), '');
    write(path.join(home, 'config.toml'), '[settings]\ndefault-collection = "x"\n');
    const skillFile = path.join(c, 'skills', 'demo', 'SKILL.md');
    write(skillFile, 'changed');
    await rec.waitFor((e) => e.kind === 'manifest' && e.collection === 'default');
    await rec.waitFor((e) => e.kind === 'lock' && e.collection === 'default');
    await rec.waitFor((e) => e.kind === 'config');
    const files = await rec.waitFor((e) => e.kind === 'collectionFiles');
    assert.ok(files.kind === 'collectionFiles' && files.collection === 'default' && files.paths.includes(skillFile));
    assert.equal(watcher.healthy, true);
    assert.ok(watcher.watchedCount() >= 5);
  });

  it('ignores the manifest temp file and reports the rename as a manifest change', async () => {
    const rec = record(watcher);
    watcher.watchHome(home);
    await settle();
    const c = path.join(home, 'collections', 'default');
    const tmpFile = path.join(c, '.collection.toml.k3j2.tmp');
    write(tmpFile, '[collection]\n');
    await sleep(400);
    assert.deepEqual(rec.all(), [], 'a temp file alone is no change');
    fs.renameSync(tmpFile, path.join(c, 'collection.toml'));
    await rec.waitFor((e) => e.kind === 'manifest');
    assert.ok(!JSON.stringify(rec.all()).includes('.tmp'));
  });

  it('reports collections that appear and disappear, and files in a new collection', async () => {
    const rec = record(watcher);
    watcher.watchHome(home);
    await settle();
    fs.mkdirSync(path.join(home, 'collections', 'work'));
    await rec.waitFor((e) => e.kind === 'collectionAdded' && e.collection === 'work');
    write(path.join(home, 'collections', 'work', 'collection.toml'), '');
    await rec.waitFor((e) => e.kind === 'manifest' && e.collection === 'work');
    fs.rmSync(path.join(home, 'collections', 'default'), { recursive: true });
    await rec.waitFor((e) => e.kind === 'collectionRemoved' && e.collection === 'default');
  });

  it('picks up a home that does not exist yet', async () => {
    const rec = record(watcher);
    const later = path.join(tmp, 'other', 'nested', '.skillmeat');
    watcher.watchHome(later);
    await settle();
    assert.equal(watcher.healthy, true);
    write(path.join(later, 'collections', 'default', 'collection.toml'), '');
    await rec.waitFor((e) => e.kind === 'home');
    await sleep(300);
    write(path.join(later, 'collections', 'default', 'collection.toml'), 'changed');
    await rec.waitFor((e) => e.kind === 'manifest' && e.collection === 'default');
    fs.rmSync(path.join(tmp, 'other'), { recursive: true });
    const before = rec.all().filter((e) => e.kind === 'home').length;
    await rec.waitFor(() => rec.all().filter((e) => e.kind === 'home').length > before);
  });

  it('reports tracker and deployed-file changes in a workspace, not other files', async () => {
    const rec = record(watcher);
    watcher.watchWorkspace(ws);
    await settle();
    write(path.join(ws, 'README.md'), 'not watched');
    write(path.join(ws, 'src', 'index.ts'), 'not watched');
    write(path.join(ws, '.git', 'index'), 'ignored');
    const tracker = path.join(ws, '.claude', '.skillmeat-deployed.toml');
    write(tracker, '[[deployed]]\n');
    const deployed = path.join(ws, '.claude', 'skills', 'demo', 'SKILL.md');
    write(deployed, 'edited');
    const t = await rec.waitFor((e) => e.kind === 'tracker');
    assert.deepEqual(t, { kind: 'tracker', folder: ws, file: tracker });
    const d = await rec.waitFor((e) => e.kind === 'deployedFiles');
    assert.ok(d.kind === 'deployedFiles' && d.folder === ws && d.paths.includes(deployed));
    assert.ok(!JSON.stringify(rec.all()).includes('README'), 'files outside profile roots are not reported');
    assert.ok(!JSON.stringify(rec.all()).includes('.git'));
  });

  it('picks up a new hidden profile root and what is deployed into it', async () => {
    const rec = record(watcher);
    watcher.watchWorkspace(ws);
    await settle();
    fs.mkdirSync(path.join(ws, '.cursor'));
    await rec.waitFor((e) => e.kind === 'profileRoots' && e.folder === ws);
    await sleep(200);
    const file = path.join(ws, '.cursor', 'skills', 'demo', 'SKILL.md');
    write(file, 'demo');
    write(path.join(ws, '.cursor', '.skillmeat-deployed.toml'), '');
    await rec.waitFor((e) => e.kind === 'tracker' && e.file.includes('.cursor'));
    await rec.waitFor((e) => e.kind === 'deployedFiles' && e.paths.some((p) => p.startsWith(path.join(ws, '.cursor', 'skills'))));
    const n = rec.all().length;
    fs.rmSync(path.join(ws, '.cursor'), { recursive: true });
    await rec.waitFor(() => rec.all().slice(n).some((e) => e.kind === 'profileRoots'));
  });

  it('an unknown hidden dir becomes a profile root once a tracker appears in it', async () => {
    const rec = record(watcher);
    fs.mkdirSync(path.join(ws, '.myagent', 'skills', 'x'), { recursive: true });
    watcher.watchWorkspace(ws);
    await settle();
    write(path.join(ws, '.myagent', 'skills', 'x', 'SKILL.md'), 'before');
    await sleep(400);
    assert.ok(!rec.all().some((e) => e.kind === 'deployedFiles'), 'not a profile root yet');
    write(path.join(ws, '.myagent', '.skillmeat-deployed.toml'), '');
    await rec.waitFor((e) => e.kind === 'tracker');
    await sleep(200);
    const file = path.join(ws, '.myagent', 'skills', 'x', 'SKILL.md');
    write(file, 'after');
    await rec.waitFor((e) => e.kind === 'deployedFiles' && e.paths.includes(file));
  });

  it('a storm of thousands of writes is one batch of a few events', async () => {
    watcher = new ChangeWatcher({ debounceMs: 300, maxDelayMs: 10_000, stallMs: 60_000 });
    const rec = record(watcher);
    for (let i = 0; i < 30; i++) fs.mkdirSync(path.join(ws, '.claude', 'skills', `s${i}`));
    watcher.watchWorkspace(ws);
    watcher.watchHome(home);
    await settle();
    for (let i = 0; i < 1500; i++) write(path.join(ws, '.claude', 'skills', `s${i % 30}`, `f${i}.md`), String(i));
    write(path.join(ws, '.claude', '.skillmeat-deployed.toml'), 'x');
    await rec.waitFor((e) => e.kind === 'overflow' || e.kind === 'deployedFiles');
    await sleep(1000);
    assert.equal(rec.batches.length, 1, `batches: ${rec.batches.map((b) => b.length).join(',')}`);
    const [batch] = rec.batches;
    assert.ok(batch.length <= 3, JSON.stringify(batch).slice(0, 500));
    assert.deepEqual(batch, [{ kind: 'overflow', scope: ws }], 'over the path cap: the folder is re-checked whole');
  });

  it('stops reporting an unwatched workspace', async () => {
    const rec = record(watcher);
    watcher.watchWorkspace(ws);
    await settle();
    watcher.unwatchWorkspace(ws);
    assert.equal(watcher.watchedCount(), 0);
    write(path.join(ws, '.claude', '.skillmeat-deployed.toml'), 'changed');
    await sleep(400);
    assert.deepEqual(rec.all(), []);
  });

  it('a watcher that cannot cover its tree is unhealthy, says why, and reports overflow', async () => {
    watcher = new ChangeWatcher({ debounceMs: 50, maxDirsPerScope: 2, retryMs: 60_000, stallMs: 60_000 });
    const rec = record(watcher);
    watcher.watchWorkspace(ws);
    assert.equal(watcher.healthy, false);
    assert.match(watcher.message ?? '', /more than 2 directories/);
    await rec.waitFor((e) => e.kind === 'overflow' && e.scope === ws);
  });

  it('a listener that throws does not stop the others', async () => {
    watcher.onBatch(() => {
      throw new Error('listener bug');
    });
    const rec = record(watcher);
    watcher.watchHome(home);
    await settle();
    write(path.join(home, 'config.toml'), 'x');
    await rec.waitFor((e) => e.kind === 'config');
  });

  describe('sync barrier, coverage and lost events (issue #11)', () => {
    it('sync() applies an event that happened before it, without waiting for the debounce', async () => {
      await watcher.close();
      watcher = new ChangeWatcher({ debounceMs: 10_000, maxDelayMs: 60_000, cookieDir: path.join(tmp, 'cookies'), stallMs: 60_000 });
      const rec = record(watcher);
      watcher.watchWorkspace(ws);
      await settle();
      const file = path.join(ws, '.claude', 'skills', 'x', 'SKILL.md');
      for (let i = 0; i < 20; i++) {
        write(file, `v${i}`);
        assert.equal(await watcher.sync(), true);
        assert.ok(rec.all().filter((e) => e.kind === 'deployedFiles').length >= i + 1, `try ${i + 1}: the edit was applied before sync() resolved`);
      }
      assert.deepEqual(fs.readdirSync(path.join(tmp, 'cookies')), [], 'cookies are removed');
    });

    it('sync() is false without a cookie folder (the caller then reads the disk)', async () => {
      assert.equal(await watcher.sync(), false);
    });

    it('every watched directory has an epoch; a directory removed and re-created gets a new one', async () => {
      const dir = path.join(ws, '.claude', 'skills', 'demo');
      watcher.watchWorkspace(ws);
      await settle();
      const e1 = watcher.coverage.epoch(dir);
      assert.ok(e1 !== undefined);
      fs.renameSync(path.join(ws, '.claude'), path.join(ws, 't'));
      await sleep(300);
      assert.equal(watcher.coverage.epoch(dir), undefined, 'moved away: not covered');
      fs.renameSync(path.join(ws, 't'), path.join(ws, '.claude'));
      await sleep(300);
      const e2 = watcher.coverage.epoch(dir);
      assert.ok(e2 !== undefined && e2 !== e1, 'back: covered by a new watch');
      watcher.unwatchWorkspace(ws);
      assert.equal(watcher.coverage.epoch(dir), undefined, 'dropped from watching: not covered');
    });

    it('an event-loop stall is reported as an overflow of every scope, and every epoch changes', async () => {
      await watcher.close();
      watcher = new ChangeWatcher({ debounceMs: 50, stallMs: 300 });
      const rec = record(watcher);
      watcher.watchWorkspace(ws);
      watcher.watchHome(home);
      await settle();
      const dir = path.join(ws, '.claude', 'skills', 'demo');
      const before = watcher.coverage.epoch(dir);
      const until = Date.now() + 800;
      while (Date.now() < until) {
        // a stalled event loop
      }
      await rec.waitFor((e) => e.kind === 'overflow' && e.scope === ws);
      await rec.waitFor((e) => e.kind === 'overflow' && e.scope === 'home');
      assert.notEqual(watcher.coverage.epoch(dir), before);
      assert.equal(watcher.lossCount, 1);
    });

    it('the test hook drops events, then reports the loss as an overflow', async () => {
      const rec = record(watcher);
      watcher.watchWorkspace(ws);
      await settle();
      watcher.toggleEventLoss();
      write(path.join(ws, '.claude', 'skills', 'x', 'SKILL.md'), 'dropped');
      await sleep(300);
      assert.equal(rec.all().length, 0, 'dropped');
      watcher.toggleEventLoss();
      await rec.waitFor((e) => e.kind === 'overflow' && e.scope === ws);
    });
  });
});
