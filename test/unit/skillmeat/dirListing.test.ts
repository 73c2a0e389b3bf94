// DirListingCache: a directory's names are reused only while its own stat is unchanged, and never
// when it changed within the racy window; whatever changes in it is seen on the next listing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contentHash, hashInputs, listHashInputs } from '../../../daemon/skillmeat/contentHash';
import { DirListingCache } from '../../../daemon/skillmeat/dirListing';

describe('directory listing cache', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-dirs-'));
  });
  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const names = (c: DirListingCache, d: string): string[] => c.entries(d).map((e) => `${e.name}:${e.kind}`).sort();

  it('reuses an unchanged, settled listing and reads it again once an entry is added, removed, renamed or retyped', () => {
    const c = new DirListingCache(0);
    fs.writeFileSync(path.join(tmp, 'a'), 'a');
    assert.deepEqual(names(c, tmp), ['a:file']);
    assert.deepEqual(names(c, tmp), ['a:file']);
    assert.deepEqual(c.stats(), { reused: 1, read: 1 });
    fs.writeFileSync(path.join(tmp, 'b'), 'b');
    assert.deepEqual(names(c, tmp), ['a:file', 'b:file']);
    fs.renameSync(path.join(tmp, 'b'), path.join(tmp, 'c'));
    assert.deepEqual(names(c, tmp), ['a:file', 'c:file']);
    fs.rmSync(path.join(tmp, 'c'));
    fs.mkdirSync(path.join(tmp, 'c'));
    assert.deepEqual(names(c, tmp), ['a:file', 'c:dir']);
    fs.rmSync(path.join(tmp, 'a'));
    fs.symlinkSync(path.join(tmp, 'c'), path.join(tmp, 'a'));
    assert.deepEqual(names(c, tmp), ['a:link', 'c:dir']);
    assert.equal(c.stats().read, 5);
  });

  it('export() and load() carry listings to another cache (the hash index), which still checks each directory\'s stat', () => {
    const a = new DirListingCache(0);
    for (const n of ['plain.md', 'with space.md', 'ünïcode-✓.md', '-dash']) fs.writeFileSync(path.join(tmp, n), n);
    fs.mkdirSync(path.join(tmp, 'sub'));
    fs.symlinkSync(path.join(tmp, 'sub'), path.join(tmp, 'link'));
    const listed = names(a, tmp);
    const rows = a.export();
    assert.equal(a.unsaved, false, 'exported: nothing new to save');
    const b = new DirListingCache(0);
    assert.equal(b.load([...rows, ['x'], [1, 2, 3], [tmp + '/bad', 'sig', 'zname'], ['relative', 'sig', 'fa'], [tmp + '/empty', 'sig', '']]), 4, 'four malformed rows');
    assert.deepEqual(names(b, tmp), listed);
    assert.deepEqual(b.stats(), { reused: 1, read: 0 }, 'answered from the loaded listing');
    fs.writeFileSync(path.join(tmp, 'new.md'), 'x');
    assert.deepEqual(names(b, tmp), [...listed, 'new.md:file'].sort(), 'a changed directory is read again');
    assert.equal(b.stats().read, 1);
  });

  it('never stores a listing of a directory changed within the racy window', () => {
    const c = new DirListingCache(60_000);
    fs.writeFileSync(path.join(tmp, 'a'), 'a');
    names(c, tmp);
    names(c, tmp);
    assert.deepEqual(c.stats(), { reused: 0, read: 2 });
    assert.equal(c.size, 0);
  });

  it('a directory that becomes unreadable is not answered from its old listing', function () {
    if (process.getuid?.() === 0) this.skip();
    const c = new DirListingCache(0);
    const d = path.join(tmp, 'd');
    fs.mkdirSync(d);
    names(c, d);
    fs.chmodSync(d, 0o000);
    try {
      assert.throws(() => c.entries(d), /EACCES/);
    } finally {
      fs.chmodSync(d, 0o755);
    }
  });

  it('listHashInputs with the cache lists what it lists without, after changes deep in the tree', async () => {
    const c = new DirListingCache(0);
    const root = path.join(tmp, 'art');
    fs.mkdirSync(path.join(root, 'sub', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(root, 'SKILL.md'), 'x');
    fs.writeFileSync(path.join(root, 'sub', 'deep', 'f.txt'), 'y');
    const rels = async (): Promise<string[]> => (await listHashInputs(root, c)).files.map((f) => f.rel);
    const plain = async (): Promise<string[]> => (await listHashInputs(root)).files.map((f) => f.rel);
    assert.deepEqual(await rels(), await plain());
    assert.deepEqual(await rels(), await plain());
    fs.writeFileSync(path.join(root, 'sub', 'deep', 'g.txt'), 'z');
    assert.deepEqual(await rels(), await plain());
    assert.ok((await rels()).includes(path.join('sub', 'deep', 'g.txt')));
    fs.rmSync(path.join(root, 'sub', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(root, 'sub', 'deep'), 'now a file');
    assert.deepEqual(await rels(), [path.join('SKILL.md'), path.join('sub', 'deep')].sort());
    assert.deepEqual(await rels(), await plain());
    // the hash of the cached listing is the uncached one's
    const list = await listHashInputs(root, c);
    assert.equal(await hashInputs(list.kind, list.files), await contentHash(root));
  });
});
