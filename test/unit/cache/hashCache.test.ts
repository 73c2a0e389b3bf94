import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HashCache } from '../../../daemon/cache/hashCache';
import { BackgroundHashValidation } from '../../../daemon/cache/hashValidation';
import { WatchCoverage } from '../../../daemon/watch/coverage';
import { contentHash } from '../../../daemon/skillmeat/contentHash';

const OLD = new Date('2024-01-01T00:00:00Z');

function write(file: string, text: string, mtime: Date | null = OLD): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  if (mtime) fs.utimesSync(file, mtime, mtime);
}

describe('HashCache', () => {
  let root: string;
  let skill: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
    skill = path.join(root, 'skills', 'demo');
    write(path.join(skill, 'SKILL.md'), '# demo\n');
    write(path.join(skill, 'lib', 'a.py'), 'print(1)\n');
  });

  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('answers the SkillMeat content hash and hashes an unchanged tree only once', async () => {
    const cache = new HashCache();
    const expected = await contentHash(skill);
    assert.equal(await cache.hash(skill), expected);
    assert.equal(await cache.hash(skill), expected);
    assert.equal(await cache.hash(path.join(skill, 'SKILL.md')), await contentHash(path.join(skill, 'SKILL.md')));
    const s = cache.stats();
    assert.deepEqual([s.hits, s.misses, s.filesHashed, s.size], [1, 2, 3, 2]);
  });

  it('re-hashes when a file changes size, appears or disappears', async () => {
    const cache = new HashCache();
    const h1 = await cache.hash(skill);
    write(path.join(skill, 'SKILL.md'), '# demo, edited\n');
    const h2 = await cache.hash(skill);
    assert.notEqual(h2, h1);
    assert.equal(h2, await contentHash(skill));
    write(path.join(skill, 'new.txt'), 'x');
    assert.equal(await cache.hash(skill), await contentHash(skill));
    fs.rmSync(path.join(skill, 'new.txt'));
    assert.equal(await cache.hash(skill), h2);
  });

  it('does not trust an entry hashed within the racy window of a file mtime', async () => {
    const cache = new HashCache();
    write(path.join(skill, 'SKILL.md'), '# just written\n', null);
    await cache.hash(skill);
    await cache.hash(skill);
    const s = cache.stats();
    assert.equal(s.misses, 2, 'the racy entry was hashed again');
    assert.equal(s.racyHashes, 2);
  });

  it('a same-size, same-mtime edit inside the racy window is still seen', async () => {
    const cache = new HashCache();
    const file = path.join(skill, 'SKILL.md');
    const now = new Date();
    write(file, 'AAAA', now);
    const h1 = await cache.hash(skill);
    write(file, 'BBBB', now);
    const h2 = await cache.hash(skill);
    assert.notEqual(h2, h1);
    assert.equal(h2, await contentHash(skill));
  });

  /** a coverage registry that watches these directories (as the watchers would) */
  function covering(...dirs: string[]): WatchCoverage {
    const cov = new WatchCoverage();
    for (const d of dirs) cov.add(d);
    return cov;
  }

  it('with trustWatchers it skips the walk of a covered entry until the watcher drops it', async () => {
    const cache = new HashCache({ coverage: covering(skill, path.join(skill, 'lib')) });
    cache.trustWatchers = true;
    const file = path.join(skill, 'lib', 'a.py');
    const h1 = await cache.hash(skill);
    assert.ok(cache.isCovered(skill));
    write(file, 'print(2)\n');
    assert.equal(await cache.hash(skill), h1, 'no walk: the unchanged entry is answered as is');
    assert.equal(cache.stats().walksSkipped, 1);
    assert.equal(cache.invalidatePath(file), 1, 'the ancestor entry is dropped');
    assert.equal(await cache.hash(skill), await contentHash(skill));
  });

  it('never skips the walk without a coverage registry, or for a directory no watch covers', async () => {
    for (const cache of [new HashCache(), new HashCache({ coverage: covering(skill) /* not lib/ */ })]) {
      cache.trustWatchers = true;
      await cache.hash(skill);
      write(path.join(skill, 'lib', 'a.py'), 'print(3)\n');
      assert.equal(await cache.hash(skill), await contentHash(skill));
      assert.equal(cache.stats().walksSkipped, 0);
      write(path.join(skill, 'lib', 'a.py'), 'print(1)\n');
    }
  });

  it('a directory moved away and back, or dropped from watching and watched again, loses its trust', async () => {
    const lib = path.join(skill, 'lib');
    const cov = covering(skill, lib);
    const cache = new HashCache({ coverage: cov });
    cache.trustWatchers = true;
    await cache.hash(skill);
    // mv skill t; edit; mv t skill — the watcher removes and re-adds the handles, no event is kept
    cov.remove(lib);
    write(path.join(lib, 'a.py'), 'print("moved")\n');
    cov.add(lib);
    assert.equal(await cache.hash(skill), await contentHash(skill), 'a new epoch means a stat walk');
    assert.ok(cache.isCovered(skill), 'validated under the new watch: trusted again');
    // everything lost (overflow, stall)
    cov.renewAll();
    assert.ok(!cache.isCovered(skill));
  });

  it('an input reached through a symlink, or with other hard links, is always walked', async () => {
    const outside = path.join(root, 'outside.md');
    write(outside, 'outside\n');
    fs.symlinkSync(outside, path.join(skill, 'linked.md'));
    const cov = covering(skill, path.join(skill, 'lib'));
    const cache = new HashCache({ coverage: cov });
    cache.trustWatchers = true;
    await cache.hash(skill);
    assert.ok(!cache.isCovered(skill), 'the symlinked file lives where no watcher looks');
    write(outside, 'outside, edited\n');
    assert.equal(await cache.hash(skill), await contentHash(skill));

    fs.rmSync(path.join(skill, 'linked.md'));
    const twin = path.join(root, 'twin.py');
    fs.linkSync(path.join(skill, 'lib', 'a.py'), twin);
    await cache.hash(skill);
    assert.ok(!cache.isCovered(skill), 'a hard-linked file can change through its other name');
    fs.appendFileSync(twin, '# via the twin\n');
    assert.equal(await cache.hash(skill), await contentHash(skill));
  });

  it('sees a same-size edit whose old mtime was put back (ctime is in the signature)', async () => {
    const cache = new HashCache();
    const file = path.join(skill, 'SKILL.md');
    const h1 = await cache.hash(skill);
    await new Promise((r) => setTimeout(r, 20));
    write(file, '# DEMO\n'); // same size, OLD mtime restored by write()
    const h2 = await cache.hash(skill);
    assert.notEqual(h2, h1);
    assert.equal(h2, await contentHash(skill));
  });

  it('distrust() makes every entry walk once, keeping the hash when nothing changed', async () => {
    const cache = new HashCache({ coverage: covering(skill, path.join(skill, 'lib')) });
    cache.trustWatchers = true;
    await cache.hash(skill);
    cache.distrust();
    assert.ok(!cache.isCovered(skill));
    await cache.hash(skill);
    assert.ok(cache.isCovered(skill));
    assert.equal(cache.stats().filesHashed, 2, 'validated by stat, not re-hashed');
  });

  it('the background validation finds a change no event reported (a hard link made later)', async () => {
    const cov = covering(skill, path.join(skill, 'lib'));
    const cache = new HashCache({ coverage: cov });
    cache.trustWatchers = true;
    const stale: string[][] = [];
    const bg = new BackgroundHashValidation(cache, { onStale: (p) => stale.push(p), roundMs: 1000, tickMs: 1000 });
    await cache.hash(skill);
    await cache.hash(path.join(skill, 'SKILL.md'));
    const pass0 = await bg.tick();
    assert.deepEqual(pass0?.stale, []);
    assert.equal(pass0?.checked, 2);
    const twin = path.join(root, 'twin.md');
    fs.linkSync(path.join(skill, 'SKILL.md'), twin);
    fs.writeFileSync(twin, '# changed through the twin\n');
    assert.equal(cache.isCovered(skill), true, 'no event: still trusted until validated');
    const pass = await bg.tick();
    assert.deepEqual(pass?.stale.sort(), [skill, path.join(skill, 'SKILL.md')].sort());
    assert.deepEqual(stale, [pass?.stale]);
    assert.equal(await cache.hash(skill), await contentHash(skill));
    assert.ok(cache.stats().background);
  });

  it('invalidates a path, its ancestors and its descendants but nothing else', async () => {
    const cache = new HashCache();
    const other = path.join(root, 'skills', 'other');
    write(path.join(other, 'SKILL.md'), 'o');
    for (const p of [skill, path.join(skill, 'SKILL.md'), path.join(skill, 'lib', 'a.py'), other]) await cache.hash(p);
    assert.equal(cache.invalidatePath(path.join(skill, 'lib')), 2);
    assert.equal(cache.invalidatePaths([path.join(root, 'skills')]), 2);
    assert.equal(cache.stats().size, 0);
    await cache.hash(other);
    assert.equal(cache.invalidateAll(), 1);
  });

  it('concurrent hashes of one path share one computation', async () => {
    const cache = new HashCache();
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.hash(skill)));
    assert.ok(results.every((h) => h === results[0]));
    assert.equal(cache.stats().filesHashed, 2);
  });

  it('a path that vanished is an error, not its old hash', async () => {
    const cache = new HashCache();
    await cache.hash(skill);
    fs.rmSync(skill, { recursive: true });
    await assert.rejects(cache.hash(skill), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    assert.equal(cache.stats().size, 0);
    await assert.rejects(cache.hash(path.join(root, 'nope')), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  });
});
