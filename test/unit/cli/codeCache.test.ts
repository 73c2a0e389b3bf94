// The CLI's V8 code cache (daemon/cli/codeCache.ts): used only when made from this very source by
// this Node, intact, and the user's own; otherwise ignored and made anew at exit.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { codeCachePath, readCodeCache, runtimeTag, writeCodeCache } from '../../../daemon/cli/codeCache';

const MODULE = path.join(__dirname, '..', '..', '..', 'daemon', 'cli', 'codeCache.ts');

describe('CLI code cache', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-cc-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff));

  const src = (s: string) => Buffer.from(s);

  it('reads back what it wrote, for the same source and Node only; the file is private', () => {
    const file = path.join(dir, 'state', 'c.cache');
    assert.equal(writeCodeCache(file, src('source one'), data), true);
    assert.deepEqual(readCodeCache(file, src('source one')), data);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['c.cache'], 'no temporary file left');
    // another source, even of the same length, or another Node: not ours
    assert.equal(readCodeCache(file, src('source two')), undefined);
    assert.equal(readCodeCache(file, src('source one'), `${runtimeTag()}x`), undefined);
    assert.equal(readCodeCache(file, src('source one!')), undefined);
  });

  it('ignores a damaged, truncated, foreign-writable or missing cache', () => {
    const file = path.join(dir, 'c.cache');
    const source = src('s');
    writeCodeCache(file, source, data);
    const whole = fs.readFileSync(file);
    for (const at of [whole.length - 10, whole.length - data.length - 10]) {
      const flipped = Buffer.from(whole);
      flipped[at] ^= 1;
      fs.writeFileSync(file, flipped);
      assert.equal(readCodeCache(file, source), undefined, `one flipped bit at ${at}`);
    }
    fs.writeFileSync(file, whole.subarray(0, whole.length - 1));
    assert.equal(readCodeCache(file, source), undefined, 'truncated');
    fs.writeFileSync(file, Buffer.concat([whole, Buffer.from([0])]));
    assert.equal(readCodeCache(file, source), undefined, 'longer');
    fs.writeFileSync(file, whole.subarray(0, 40));
    assert.equal(readCodeCache(file, source), undefined, 'cut inside the header');
    fs.writeFileSync(file, whole);
    assert.deepEqual(readCodeCache(file, source), data, 'restored');
    fs.chmodSync(file, 0o620);
    assert.equal(readCodeCache(file, source), undefined, 'group-writable');
    fs.chmodSync(file, 0o600);
    assert.equal(readCodeCache(path.join(dir, 'none.cache'), source), undefined, 'missing');
    assert.equal(readCodeCache(dir, source), undefined, 'a folder');
  });

  it('writing a cache drops the caches of other installs not rewritten for 30 days, and nothing else', () => {
    const state = path.join(dir, 'state');
    fs.mkdirSync(state);
    const old = Date.now() / 1000 - 31 * 24 * 3600;
    const files = {
      staleCache: 'cli-code-aaaaaaaaaaaa.cache',
      staleTmp: 'cli-code-aaaaaaaaaaaa.cache.123.tmp',
      recentCache: 'cli-code-bbbbbbbbbbbb.cache',
      oldOther: 'hashes-cccccccccccc.json',
    };
    for (const f of Object.values(files)) fs.writeFileSync(path.join(state, f), 'x');
    for (const f of [files.staleCache, files.staleTmp, files.oldOther]) fs.utimesSync(path.join(state, f), old, old);
    assert.equal(writeCodeCache(path.join(state, 'cli-code-dddddddddddd.cache'), src('s'), data), true);
    assert.deepEqual(fs.readdirSync(state).sort(), [files.recentCache, 'cli-code-dddddddddddd.cache', files.oldOther].sort());
  });

  it('one cache file per bundle path, in the state folder', () => {
    const a = codeCachePath('/state', '/opt/a/dist/cliMain.js');
    assert.equal(path.dirname(a), '/state');
    assert.notEqual(a, codeCachePath('/state', '/opt/b/dist/cliMain.js'));
    assert.equal(a, codeCachePath('/state', '/opt/a/dist/../dist/cliMain.js'));
  });

  it('runs a bundle: the first run makes the cache, the next uses it, a changed source of the same length does not', () => {
    const bundle = path.join(dir, 'bundle.js');
    const cacheFile = path.join(dir, 'state', 'b.cache');
    const run = () => {
      const r = spawnSync(
        process.execPath,
        ['--require', 'tsx/cjs', '-e', `const { loadBundle } = require(${JSON.stringify(MODULE)}); const b = loadBundle(${JSON.stringify(bundle)}, ${JSON.stringify(cacheFile)}); process.stdout.write(JSON.stringify({ answer: b.exports.answer(), fromCache: b.fromCache, dirname: b.exports.dirname, req: b.exports.req }));`],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { answer: string; fromCache: boolean; dirname: string; req: string };
    };
    const source = (word: string) =>
      `'use strict';\nfunction make(w) { return () => 'the answer is ' + w; }\nexports.answer = make('${word}');\nexports.dirname = __dirname;\nexports.req = typeof require('./sibling.js').x;\n`;
    fs.writeFileSync(path.join(dir, 'sibling.js'), 'exports.x = 1;\n');
    fs.writeFileSync(bundle, source('alpha'));
    assert.deepEqual(run(), { answer: 'the answer is alpha', fromCache: false, dirname: dir, req: 'number' });
    assert.ok(fs.existsSync(cacheFile), 'made at exit');
    assert.deepEqual(run(), { answer: 'the answer is alpha', fromCache: true, dirname: dir, req: 'number' });
    // Same length: V8's own check (the source's length) would take the old bytecode.
    fs.writeFileSync(bundle, source('gamma'));
    assert.deepEqual(run(), { answer: 'the answer is gamma', fromCache: false, dirname: dir, req: 'number' });
    assert.deepEqual(run(), { answer: 'the answer is gamma', fromCache: true, dirname: dir, req: 'number' });
  });
});
