import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HashCache } from '../../../daemon/cache/hashCache';
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

  it('with trustWatchers it skips the walk until the watcher drops the entry', async () => {
    const cache = new HashCache();
    cache.trustWatchers = true;
    const file = path.join(skill, 'lib', 'a.py');
    const h1 = await cache.hash(skill);
    write(file, 'print(2)\n');
    assert.equal(await cache.hash(skill), h1, 'no walk: the unchanged entry is answered as is');
    assert.equal(cache.stats().walksSkipped, 1);
    assert.equal(cache.invalidatePath(file), 1, 'the ancestor entry is dropped');
    assert.equal(await cache.hash(skill), await contentHash(skill));
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
