import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RealPaths } from '../../../daemon/skillmeat/realPaths';
import { joinInside, realpathInside, type RealCheck } from '../../../daemon/skillmeat/safePath';
import { canRunAsNobody, AS_NOBODY, openAncestors } from '../../reliability/support';

/** The parts of a RealCheck a caller reads (the errno of an error, not the Error object). */
function shape(c: RealCheck): unknown {
  return c.state === 'error' ? { state: 'error', code: c.error.code } : c;
}

describe('RealPaths (one computation’s symlink checks)', function () {
  if (process.platform === 'win32') return; // Windows keeps realpathInside itself (constructor default)
  let tmp: string;
  let root: string;
  beforeEach(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sms-rp-')));
    root = path.join(tmp, 'root');
    fs.mkdirSync(path.join(root, 'a/b'), { recursive: true });
    fs.writeFileSync(path.join(root, 'a/b/f.md'), 'x');
    fs.mkdirSync(path.join(tmp, 'outside'));
    fs.writeFileSync(path.join(tmp, 'outside/secret'), 's');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  async function both(p: string, roots: string[], real = new RealPaths()): Promise<RealCheck> {
    const got = await real.check(p, roots);
    assert.deepEqual(shape(got), shape(await realpathInside(p, roots)), `differs from realpathInside for ${p}`);
    return got;
  }

  it('a plain path: its own path, with the directories on the way remembered', async () => {
    const real = new RealPaths();
    assert.deepEqual(await both(path.join(root, 'a/b/f.md'), [root], real), { state: 'ok', real: path.join(root, 'a/b/f.md') });
    assert.deepEqual(await both(path.join(root, 'a/b'), [root], real), { state: 'ok', real: path.join(root, 'a/b') });
    assert.deepEqual(await both(root, [root], real), { state: 'ok', real: root });
  });

  it('a symlink component inside the root: the same real path as realpathSync.native', async () => {
    fs.symlinkSync('a/b', path.join(root, 'ln'));
    fs.symlinkSync('f.md', path.join(root, 'a/b/g.md'));
    const real = new RealPaths();
    for (const rel of ['ln/f.md', 'ln', 'a/b/g.md', 'ln/g.md']) {
      const p = path.join(root, rel);
      assert.deepEqual(await both(p, [root], real), { state: 'ok', real: fs.realpathSync.native(p) });
    }
    assert.equal(fs.realpathSync.native(path.join(root, 'ln/g.md')), path.join(root, 'a/b/f.md'));
  });

  it('a symlink pointing outside every root is an escape, with its real target', async () => {
    fs.symlinkSync(path.join(tmp, 'outside'), path.join(root, 'a/out'));
    fs.symlinkSync(path.relative(path.join(root, 'a/b'), path.join(tmp, 'outside/secret')), path.join(root, 'a/b/s')); // a relative link
    assert.deepEqual(await both(path.join(root, 'a/out/secret'), [root]), { state: 'escape', real: path.join(tmp, 'outside/secret') });
    assert.deepEqual(await both(path.join(root, 'a/b/s'), [root]), { state: 'escape', real: path.join(tmp, 'outside/secret') });
    // …and ok when the second root holds it, as for a collection copy under the home
    assert.deepEqual(await both(path.join(root, 'a/b/s'), [root, path.join(tmp, 'outside')]), { state: 'ok', real: path.join(tmp, 'outside/secret') });
  });

  it('a broken link, a missing name and a name under a file are missing', async () => {
    fs.symlinkSync('nowhere', path.join(root, 'a/broken'));
    const real = new RealPaths();
    assert.equal(await real.exists(path.join(root, 'a/broken')), true, 'exists() is lstat: a broken link exists');
    assert.deepEqual(await both(path.join(root, 'a/broken'), [root], real), { state: 'missing' }); // ENOENT via the link
    assert.deepEqual(await both(path.join(root, 'a/nope/x'), [root], real), { state: 'missing' }); // ENOENT
    assert.deepEqual(await both(path.join(root, 'a/b/f.md/x'), [root], real), { state: 'missing' }); // ENOTDIR
    assert.equal(await real.exists(path.join(root, 'a/nope')), false);
    assert.equal(await real.exists(path.join(root, 'a/b/f.md/x')), false);
  });

  it('other errors are errors with realpath’s errno (a loop, a name too long)', async () => {
    fs.symlinkSync('loop2', path.join(root, 'loop1'));
    fs.symlinkSync('loop1', path.join(root, 'loop2'));
    const loop = await both(path.join(root, 'loop1/x'), [root]);
    assert.equal(loop.state === 'error' && loop.error.code, 'ELOOP');
    const long = await both(path.join(root, 'a', 'n'.repeat(300)), [root]);
    assert.equal(long.state === 'error' && long.error.code, 'ENAMETOOLONG');
  });

  it('a directory it may not search is an error (EACCES), not missing', async function () {
    const locked = path.join(root, 'locked');
    fs.mkdirSync(locked);
    fs.writeFileSync(path.join(locked, 'f'), 'x');
    fs.chmodSync(locked, 0o600);
    if (process.getuid?.() !== 0) {
      const got = await both(path.join(locked, 'f'), [root]);
      assert.equal(got.state === 'error' && got.error.code, 'EACCES');
      return;
    }
    // Root searches everything: ask as nobody, through a child running the same module.
    const why = canRunAsNobody();
    if (why) this.skip();
    openAncestors(root);
    const script = `const { RealPaths } = require('./daemon/skillmeat/realPaths');
      new RealPaths().check(process.argv[1], [process.argv[2]]).then((c) => console.log(JSON.stringify({ state: c.state, code: c.error && c.error.code })));`;
    const r = spawnSync('setpriv', [...AS_NOBODY, process.execPath, '--require', 'tsx/cjs', '-e', script, path.join(locked, 'f'), root], {
      cwd: path.resolve(__dirname, '../../..'),
      encoding: 'utf8',
    });
    if (r.status !== 0 && /Cannot find module|EACCES: permission denied, open '\/work/.test(r.stderr)) this.skip(); // the repo is not readable by nobody
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { state: 'error', code: 'EACCES' });
  });

  it('a root that is itself a symlink: resolved once, paths under it are inside', async () => {
    const alias = path.join(tmp, 'alias');
    fs.symlinkSync(root, alias);
    const real = new RealPaths();
    assert.deepEqual(await both(path.join(alias, 'a/b/f.md'), [alias], real), { state: 'ok', real: path.join(root, 'a/b/f.md') });
    assert.deepEqual(await both(path.join(alias, 'a'), [alias], real), { state: 'ok', real: path.join(root, 'a') });
    // a root that does not resolve is skipped, as realpathInside skips it
    assert.deepEqual(await both(path.join(alias, 'a'), [path.join(tmp, 'gone'), alias], real), { state: 'ok', real: path.join(root, 'a') });
    assert.deepEqual(await both(path.join(tmp, 'gone/x'), [path.join(tmp, 'gone')], real), { state: 'missing' });
  });

  it('never sees `..`: joinInside normalises, and an unnormalised path goes to realpath itself', async () => {
    const p = joinInside(root, 'a/b/../b/./f.md');
    assert.equal(p, path.join(root, 'a/b/f.md'));
    fs.symlinkSync(path.join(tmp, 'outside'), path.join(root, 'a/out'));
    // realpath(3) resolves a/out before `..`: the lexical reading would say root/a, which is wrong
    const raw = `${root}/a/out/../outside/secret`;
    assert.deepEqual(await both(raw, [root]), { state: 'escape', real: path.join(tmp, 'outside/secret') });
  });

  it('remembers nothing between computations: a directory replaced by a link is seen by the next one', async () => {
    const p = path.join(root, 'a/b/f.md');
    assert.equal((await new RealPaths().check(p, [root])).state, 'ok');
    fs.renameSync(path.join(root, 'a/b'), path.join(tmp, 'outside/b'));
    fs.symlinkSync(path.join(tmp, 'outside/b'), path.join(root, 'a/b'));
    assert.deepEqual(await new RealPaths().check(p, [root]), { state: 'escape', real: path.join(tmp, 'outside/b/f.md') });
  });

  it('agrees with realpathInside and realpathSync.native on every path of a random tree with links', async function () {
    this.timeout(60_000);
    let seed = 20261130; // mulberry32: reproducible, and its low bits are not periodic
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const seen = new Map<string, number>();
    for (let round = 0; round < 6; round++) {
      const world = path.join(tmp, `w${round}`);
      const top = path.join(world, 'top');
      fs.mkdirSync(path.join(world, 'ext/d'), { recursive: true });
      fs.writeFileSync(path.join(world, 'ext/d/file'), 'e');
      const dirs = [top];
      const all: string[] = [top, path.join(world, 'ext'), path.join(world, 'ext/d'), path.join(world, 'ext/d/file')];
      fs.mkdirSync(top);
      for (let i = 0; i < 60; i++) {
        const parent = dirs[rand(dirs.length)];
        const p = path.join(parent, `n${i}`);
        const kind = rand(10);
        try {
          if (kind < 3) {
            fs.mkdirSync(p);
            dirs.push(p);
          } else if (kind < 6) {
            fs.writeFileSync(p, String(i));
          } else {
            // a link to anything made so far, outside, to nothing (broken) or to itself (a loop);
            // relative or absolute
            const pick = rand(8);
            const target =
              pick === 0 ? path.join(world, `none${i}`) : pick === 1 ? p : pick < 4 ? all[1 + rand(3)] : all[rand(all.length)];
            fs.symlinkSync(rand(2) ? target : path.relative(parent, target) || '.', p);
            if (rand(3) === 0) dirs.push(p); // make names through it too
          }
        } catch {
          continue; // the parent was a link to a file or to nothing: nothing made there
        }
        all.push(p);
      }
      const probes = [...all];
      for (const p of all) probes.push(path.join(p, 'x'), path.join(p, 'n1'));
      const roots = rand(2) ? [top] : [top, path.join(world, 'ext')];
      const shared = new RealPaths();
      for (const p of probes) {
        const ref = await realpathInside(p, roots);
        let native: string | NodeJS.ErrnoException;
        try {
          native = fs.realpathSync.native(p);
        } catch (e) {
          native = e as NodeJS.ErrnoException;
        }
        // shared: what earlier paths taught it; fresh: nothing; false: the Windows path (realpathInside)
        for (const got of [await shared.check(p, roots), await new RealPaths().check(p, roots), await new RealPaths(false).check(p, roots)]) {
          assert.deepEqual(shape(got), shape(ref), `round ${round}: ${p}`);
          seen.set(got.state, (seen.get(got.state) ?? 0) + 1);
          if (got.state === 'ok' || got.state === 'escape') assert.equal(got.real, native);
          else if (got.state === 'error') assert.equal(got.error.code, (native as NodeJS.ErrnoException).code);
          else assert.ok(['ENOENT', 'ENOTDIR'].includes((native as NodeJS.ErrnoException).code ?? ''), `${p}: ${String(native)}`);
        }
        let lexists = true;
        try {
          fs.lstatSync(p);
        } catch {
          lexists = false;
        }
        assert.equal(await shared.exists(p), lexists, p);
      }
    }
    // the tree is random, but this seed must have produced every answer
    for (const state of ['ok', 'missing', 'escape', 'error']) assert.ok((seen.get(state) ?? 0) >= 5, `${state}: ${seen.get(state)}`);
  });
});
