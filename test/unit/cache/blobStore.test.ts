// The content-addressed store of upstream blobs: verified on every read, bounded with the least
// recently used going first, kept across instances (restarts), private files, atomic writes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BlobStore } from '../../../daemon/cache/blobStore';
import { gitBlobSha } from '../../../daemon/cache/gitBlobSha';

describe('BlobStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-blobs-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const blob = (text: string) => {
    const bytes = Buffer.from(text);
    return { sha: gitBlobSha(bytes), bytes };
  };

  it('names content as git does', () => {
    // `printf 'hello\n' | git hash-object --stdin`
    assert.equal(gitBlobSha(Buffer.from('hello\n')), 'ce013625030ba8dba906f756967f9e9ca394464a');
    assert.equal(gitBlobSha(Buffer.alloc(0)), 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
  });

  it('stores by SHA in private files, survives a new instance, refuses content under a wrong name', async () => {
    const a = blob('alpha\n');
    const s1 = new BlobStore(path.join(dir, 'blobs'));
    assert.equal(await s1.get(a.sha), undefined);
    await s1.put(a.sha, a.bytes);
    assert.deepEqual(await s1.get(a.sha), a.bytes);
    const file = path.join(dir, 'blobs', a.sha.slice(0, 2), a.sha.slice(2));
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(dir, 'blobs')).mode & 0o777, 0o700);
    await assert.rejects(s1.put(blob('other').sha, a.bytes), /does not match/);

    const s2 = new BlobStore(path.join(dir, 'blobs'));
    assert.deepEqual(await s2.get(a.sha), a.bytes, 'kept across restarts');
    assert.equal(s2.stats().hits, 1);
  });

  it('a damaged entry is a miss, removed, so the caller fetches it again', async () => {
    const a = blob('alpha\n');
    const s = new BlobStore(dir);
    await s.put(a.sha, a.bytes);
    const file = path.join(dir, a.sha.slice(0, 2), a.sha.slice(2));
    fs.writeFileSync(file, 'alphA\n');
    assert.equal(await s.get(a.sha), undefined);
    assert.equal(fs.existsSync(file), false);
    assert.equal(s.stats().corrupt, 1);
    await s.put(a.sha, a.bytes);
    assert.deepEqual(await s.get(a.sha), a.bytes);
  });

  it('keeps the total under its bound, least recently used out, and remembers recency across restarts', async () => {
    const blobs = ['a', 'b', 'c', 'd'].map((x) => blob(x.repeat(100)));
    const s = new BlobStore(dir, { maxBytes: 300 });
    for (const b of blobs.slice(0, 3)) await s.put(b.sha, b.bytes);
    // use "a" so that "b" is the least recently used
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(await s.get(blobs[0].sha));
    await s.put(blobs[3].sha, blobs[3].bytes);
    assert.equal(s.bytes, 300);
    assert.equal(await s.get(blobs[1].sha), undefined, 'the least recently used went');
    assert.ok(await s.get(blobs[0].sha));
    assert.equal(s.stats().evictions, 1);

    await new Promise((r) => setTimeout(r, 20));
    assert.ok(await s.get(blobs[2].sha));
    await new Promise((r) => setTimeout(r, 50)); // the mtime update is not awaited
    const again = new BlobStore(dir, { maxBytes: 200 });
    await again.ready;
    assert.equal(again.size, 2, 'a smaller bound applies at start');
    assert.equal(again.has(blobs[3].sha), false, 'the oldest use goes first after a restart too');
    assert.ok(again.has(blobs[2].sha));
  });

  it('removes half-written temp files at start and turns itself off when its folder cannot be used', async () => {
    fs.mkdirSync(path.join(dir, 'ab'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'ab', 'cdef.123.tmp'), 'partial');
    const s = new BlobStore(dir);
    await s.ready;
    assert.equal(fs.existsSync(path.join(dir, 'ab', 'cdef.123.tmp')), false);
    assert.equal(s.size, 0);

    const notDir = path.join(dir, 'file');
    fs.writeFileSync(notDir, 'x');
    const off = new BlobStore(notDir);
    await off.ready;
    assert.equal(off.enabled, false);
    assert.match(off.message ?? '', /not kept/);
    const a = blob('alpha\n');
    await off.put(a.sha, a.bytes);
    assert.equal(await off.get(a.sha), undefined);

    const none = new BlobStore(undefined);
    assert.equal(none.enabled, false);
  });
});
