import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareCodePoints, contentHash, directHasher, hashInputs, hashTreeSync, listHashInputs } from '../../../daemon/skillmeat';
import { HASH_VECTORS as VECTORS } from '../../helpers/fixtures';

interface Vector { id: string; kind: 'file' | 'dir'; files: { path: string; base64: string }[]; sha256: string }

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

describe('skillmeat content hash', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
  });
  afterEach(() => {
    fs.chmodSync(tmp, 0o755);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function tree(name: string, files: Record<string, string | Buffer>): string {
    const root = path.join(tmp, name);
    fs.mkdirSync(root, { recursive: true });
    for (const [rel, c] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), c);
    }
    return root;
  }

  it('reproduces every published vector', async () => {
    const { vectors } = JSON.parse(fs.readFileSync(VECTORS, 'utf8')) as { vectors: Vector[] };
    assert.ok(vectors.length >= 12);
    for (const v of vectors) {
      let p: string;
      if (v.kind === 'file') {
        p = path.join(tmp, v.id);
        fs.writeFileSync(p, Buffer.from(v.files[0].base64, 'base64'));
      } else {
        p = tree(v.id, Object.fromEntries(v.files.map((f) => [f.path, Buffer.from(f.base64, 'base64')])));
      }
      assert.equal(await contentHash(p), v.sha256, v.id);
      assert.equal(await directHasher.hash(p), v.sha256, `${v.id} via directHasher`);
      // the one-pass hash of the worker threads (hashWorkers.ts) must give the same bytes
      assert.equal(hashTreeSync(p).hash, v.sha256, `${v.id} via hashTreeSync`);
    }
  });

  it('orders path components, not strings: a/x before a-b/x (V4)', async () => {
    const root = tree('v4', { 'a-b/x': '2', 'a/x': '1' });
    const list = await listHashInputs(root);
    assert.deepEqual(list.files.map((f) => f.rel), [path.join('a', 'x'), path.join('a-b', 'x')]);
    assert.equal(await contentHash(root), sha('a/x1a-b/x2'));
  });

  it('hashes dotfiles first and excludes nothing', async () => {
    const root = tree('dots', { 'SKILL.md': 'a', '.hidden': 'b', '.git/HEAD': 'c', 'node_modules/m.js': 'd' });
    assert.equal(await contentHash(root), sha('.git/HEADc.hiddenbSKILL.mdanode_modules/m.jsd'));
  });

  it('orders non-ASCII names by code point, astral characters after U+FFxx', async () => {
    const root = tree('utf', { 'z.md': 'z', 'é.md': 'e', '😀.md': 's', '\uff01.md': 'f' });
    assert.equal(await contentHash(root), sha(Buffer.concat(['z.mdz', 'é.mde', '\uff01.mdf', '😀.mds'].map((s) => Buffer.from(s, 'utf8')))));
    assert.ok(compareCodePoints('\uff01', '😀') < 0);
    assert.ok(compareCodePoints('a', 'ab') < 0);
  });

  it('ignores empty directories', async () => {
    const root = tree('empty', { 'SKILL.md': 'hello\n' });
    fs.mkdirSync(path.join(root, 'empty/deeper'), { recursive: true });
    assert.equal(await contentHash(root), '32558c601120f0fa81b3c4745f32d8dee5187a5a96fe7b28ff70fb3d7a032933');
  });

  it('follows symlinked files, does not descend symlinked directories, skips broken links', async () => {
    const target = tree('target', { 'inner.txt': 'inner' });
    const root = tree('links', { 'SKILL.md': 'x' });
    fs.writeFileSync(path.join(tmp, 'outside.txt'), 'linked');
    fs.symlinkSync(path.join(tmp, 'outside.txt'), path.join(root, 'file-link'));
    fs.symlinkSync(target, path.join(root, 'dir-link'));
    fs.symlinkSync(path.join(tmp, 'nope'), path.join(root, 'broken'));
    assert.equal(await contentHash(root), sha('SKILL.mdxfile-linklinked'));
    const one = hashTreeSync(root);
    assert.equal(one.hash, sha('SKILL.mdxfile-linklinked'));
    assert.deepEqual(one.list, await listHashInputs(root), 'the same listing, viaLink included');
  });

  it('keeps CRLF bytes as they are (V12 differs from V10)', async () => {
    const p = path.join(tmp, 'crlf.md');
    fs.writeFileSync(p, 'Review the diff.\r\n');
    assert.equal(await contentHash(p), '3c695a5a8644835ff96bb457801c6521ba982b3052a97313dc97cb4e32ccdf8e');
  });

  it('does not include the file name for single files', async () => {
    const a = path.join(tmp, 'a.md');
    const b = path.join(tmp, 'b.md');
    fs.writeFileSync(a, 'same');
    fs.writeFileSync(b, 'same');
    assert.equal(await contentHash(a), await contentHash(b));
  });

  it('lists stat signatures and hashInputs gives the same answer as contentHash', async () => {
    const root = tree('sig', { 'SKILL.md': 'hello\n', 'scripts/run.py': 'print(1)\n' });
    const list = await listHashInputs(root);
    assert.equal(list.kind, 'dir');
    assert.equal(list.files.length, 2);
    for (const f of list.files) {
      const st = fs.statSync(f.abs);
      assert.equal(f.size, st.size);
      assert.equal(f.mtimeMs, st.mtimeMs);
      assert.equal(f.ino, st.ino);
      assert.equal(path.join(root, f.rel), f.abs);
    }
    assert.equal(await hashInputs(list.kind, list.files), await contentHash(root));
    const single = await listHashInputs(path.join(root, 'SKILL.md'));
    assert.equal(single.kind, 'file');
    assert.equal(single.files[0].rel, '');
  });

  it('streams a file larger than one read chunk', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 17, 7);
    const p = path.join(tmp, 'big.bin');
    fs.writeFileSync(p, big);
    assert.equal(await contentHash(p), sha(big));
    assert.equal(hashTreeSync(p, Buffer.alloc(4096)).hash, sha(big));
  });

  it('hashTreeSync lists what listHashInputs lists, with the same stat fields, in one pass', async () => {
    const root = tree('one-pass', { 'SKILL.md': 'hello\n', 'scripts/run.py': 'print(1)\n', 'a-b/x': '2', 'a/x': '1', '.dot': '' });
    fs.mkdirSync(path.join(root, 'empty'));
    const listed = await listHashInputs(root);
    const one = hashTreeSync(root);
    assert.deepEqual(one.list, listed);
    assert.equal(one.hash, await hashInputs(listed.kind, listed.files));
    const file = hashTreeSync(path.join(root, 'SKILL.md'));
    assert.deepEqual(file.list, await listHashInputs(path.join(root, 'SKILL.md')));
    assert.equal(file.hash, sha('hello\n'));
    if (process.platform !== 'win32') {
      const link = path.join(tmp, 'root-link');
      fs.symlinkSync(root, link);
      assert.deepEqual(hashTreeSync(link).list, await listHashInputs(link), 'a linked root is marked as one');
      assert.equal(hashTreeSync(link).list.rootIsLink, true);
    }
  });

  it('hashTreeSync refuses what is neither a file nor a directory, and skips a fifo inside a tree', function () {
    if (process.platform === 'win32') this.skip();
    const fifo = path.join(tmp, 'fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) this.skip();
    assert.throws(() => hashTreeSync(fifo), (e: NodeJS.ErrnoException) => e.code === 'EINVAL');
    const root = tree('with-fifo', { 'a.md': 'a' });
    spawnSync('mkfifo', [path.join(root, 'pipe')]);
    assert.equal(hashTreeSync(root).hash, sha('a.mda'));
  });

  it('throws ENOENT for a missing path', async () => {
    await assert.rejects(contentHash(path.join(tmp, 'missing')), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    assert.throws(() => hashTreeSync(path.join(tmp, 'missing')), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  });
});
