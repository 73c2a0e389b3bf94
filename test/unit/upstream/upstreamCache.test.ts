import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeClock } from '../../../daemon/cache/clock';
import { PersistentStore } from '../../../daemon/cache/persistentStore';
import { UpstreamCache } from '../../../daemon/cache/upstreamCache';
import { MemoryLogger } from '../../integration/upstreamHelpers';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const KEY = 'github:github.com/acme/tools@latest';

describe('UpstreamCache', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('answers are fresh for the TTL, failures for the error TTL, default branches for hours', () => {
    const clock = new FakeClock();
    const c = new UpstreamCache({ clock, ttlMs: 300_000, errorTtlMs: 60_000 });
    c.setRef(KEY, A, 'W/"e1"');
    assert.equal(c.getRef(KEY).fresh, true);
    clock.advance(299_999);
    assert.equal(c.getRef(KEY).fresh, true);
    clock.advance(1);
    const expired = c.getRef(KEY);
    assert.equal(expired.fresh, false);
    assert.equal(expired.answer?.etag, 'W/"e1"', 'the ETag outlives the TTL for a conditional request');
    c.confirmRef(KEY);
    assert.equal(c.getRef(KEY).fresh, true);

    c.setFailure(KEY, 'network', 'network unreachable');
    assert.equal(c.getRef(KEY).failure?.reason, 'network unreachable');
    assert.equal(c.getRef(KEY).fresh, false, 'a failure hides the answer from "fresh"');
    clock.advance(60_000);
    assert.equal(c.getRef(KEY).failure, undefined);

    c.setDefaultBranch('github:github.com/acme/tools', 'main');
    clock.advance(5 * 3600_000);
    assert.equal(c.getDefaultBranch('github:github.com/acme/tools'), 'main');
    clock.advance(3600_000);
    assert.equal(c.getDefaultBranch('github:github.com/acme/tools'), undefined);
  });

  it('remembers a repository that refuses commits/HEAD for hours, per repository, until invalidated', () => {
    const clock = new FakeClock();
    const c = new UpstreamCache({ clock });
    const repo = 'github:ghe.example/acme/tools';
    assert.equal(c.isHeadRefused(repo), false);
    c.setHeadRefused(repo);
    assert.equal(c.isHeadRefused(repo), true);
    assert.equal(c.isHeadRefused('github:ghe.example/acme/other'), false, 'per repository');
    clock.advance(6 * 3600_000 - 1);
    assert.equal(c.isHeadRefused(repo), true);
    clock.advance(1);
    assert.equal(c.isHeadRefused(repo), false, 'an upgraded server is tried again');
    c.setHeadRefused(repo);
    c.invalidate([`${repo}@latest`]);
    assert.equal(c.isHeadRefused(repo), true, 'dropping one ref answer keeps the repository fact');
    c.invalidate([repo]);
    assert.equal(c.isHeadRefused(repo), false);
    c.setHeadRefused(repo);
    c.invalidateAll();
    assert.equal(c.isHeadRefused(repo), false, 'a new API URL or token starts over');
  });

  it('invalidates by source key or by repository, keeps immutable entries unless cleared', () => {
    const c = new UpstreamCache({ clock: new FakeClock() });
    c.setRef(KEY, A, undefined);
    c.setRef('github:github.com/acme/tools@v1', A, undefined);
    c.setRef('github:github.com/acme/other@latest', B, undefined);
    c.setEntry(`github:github.com/acme/tools#${A}:skills/x`, { type: 'tree', sha: B });
    assert.equal(c.invalidate([KEY]), 1);
    assert.equal(c.getRef(KEY).answer, undefined);
    assert.ok(c.getRef('github:github.com/acme/tools@v1').answer);
    assert.equal(c.invalidate(['github:github.com/acme/tools']), 1);
    assert.ok(c.getRef('github:github.com/acme/other@latest').answer);
    assert.equal(c.invalidateAll(), 1);
    assert.deepEqual(c.getEntry(`github:github.com/acme/tools#${A}:skills/x`), { type: 'tree', sha: B });
    assert.equal(c.clear(), 1);
    assert.equal(c.getEntry(`github:github.com/acme/tools#${A}:skills/x`), undefined);
    const s = c.stats();
    assert.equal(s.name, 'upstream');
    assert.equal(s.ttlSeconds, 300);
  });

  it('persists immutable entries, ETags and default branches; reloaded answers must be revalidated', async () => {
    const file = path.join(dir, 'upstream.json');
    const clock = new FakeClock();
    const c1 = new UpstreamCache({ clock, store: new PersistentStore(file, undefined, { debounceMs: 5 }) });
    await c1.ready;
    c1.setRef(KEY, A, 'W/"e1"');
    c1.setEntry(`github:github.com/acme/tools#${A}:skills/x`, { missing: true });
    c1.setDefaultBranch('github:github.com/acme/tools', 'trunk');
    c1.setHeadRefused('github:github.com/acme/tools');
    c1.setFailure(KEY, 'auth', 'bad credentials');
    await c1.flush();
    const onDisk = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.ok(!JSON.stringify(onDisk).includes('bad credentials'), 'failures are not persisted');

    const c2 = new UpstreamCache({ clock, store: new PersistentStore(file) });
    await c2.ready;
    const look = c2.getRef(KEY);
    assert.equal(look.answer?.sha, A);
    assert.equal(look.answer?.etag, 'W/"e1"');
    assert.equal(look.fresh, false);
    assert.deepEqual(c2.getEntry(`github:github.com/acme/tools#${A}:skills/x`), { missing: true });
    assert.equal(c2.getDefaultBranch('github:github.com/acme/tools'), 'trunk');
    assert.equal(c2.isHeadRefused('github:github.com/acme/tools'), true);
    assert.equal(c2.isHeadRefused('github:github.com/acme/other'), false);
  });

  it('malformed entries in the state file are dropped one by one with a log line', async () => {
    const file = path.join(dir, 'upstream.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ version: 1, refs: { [KEY]: { sha: 'nope', checkedAt: 1 }, ok: { sha: A, checkedAt: 1 } }, entries: { e: { type: 'tree' } }, branches: 7, headRefused: { x: 'yes', y: Date.now() } }),
    );
    const log = new MemoryLogger();
    const c = new UpstreamCache({ store: new PersistentStore(file, log), log });
    await c.ready;
    assert.equal(c.getRef(KEY).answer, undefined);
    assert.equal(c.getRef('ok').answer?.sha, A);
    assert.ok(log.lines.some((l) => l.includes('3 malformed entries')));
    assert.equal(c.isHeadRefused('y'), true);
    assert.equal(c.isHeadRefused('x'), false);
  });

  it('tag-or-branch per source (hours), moved repositories and unservable commits: kept, persisted where safe, dropped on invalidation', async () => {
    const clock = new FakeClock();
    const file = path.join(dir, 'state.json');
    const log = new MemoryLogger();
    const c = new UpstreamCache({ clock, store: new PersistentStore(file, log, { debounceMs: 1 }) });
    await c.ready;
    const named = 'github:github.com/acme/tools@release';
    const repo = 'github:github.com/acme/tools';
    c.setRefKind(named, 'heads');
    c.setMove(repo, { owner: 'neworg', repo: 'tools' });
    c.setUnservable(`${repo}#${A}`, 404, 'commit aaaaaaa not found');
    assert.equal(c.getRefKind(named), 'heads');
    assert.deepEqual(c.getMove(repo), { owner: 'neworg', repo: 'tools' });
    assert.equal(c.getUnservable(`${repo}#${A}`)?.status, 404);
    await c.flush();
    const written = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.ok(!JSON.stringify(written).includes('not found'), 'an unservable commit may depend on the token: never written');

    const reloaded = new UpstreamCache({ clock, store: new PersistentStore(file, log, { debounceMs: 1 }) });
    await reloaded.ready;
    assert.equal(reloaded.getRefKind(named), 'heads');
    assert.deepEqual(reloaded.getMove(repo), { owner: 'neworg', repo: 'tools' });
    assert.equal(reloaded.getUnservable(`${repo}#${A}`), undefined);

    clock.advance(6 * 3600_000);
    assert.equal(reloaded.getRefKind(named), undefined, 'asked tags-first again after hours: a tag may have appeared');

    c.invalidate([repo]);
    assert.equal(c.getRefKind(named), undefined);
    assert.equal(c.getMove(repo), undefined);
    assert.equal(c.getUnservable(`${repo}#${A}`), undefined);
    c.setMove(repo, { owner: 'x', repo: 'y' });
    c.setUnservable(`${repo}#${B}`, 422, 'no');
    c.invalidateAll();
    assert.equal(c.getMove(repo), undefined);
    assert.equal(c.getUnservable(`${repo}#${B}`), undefined);
    await c.flush();
    await reloaded.flush();
  });

  it('drops malformed moves and ref kinds from the state file', async () => {
    const file = path.join(dir, 'state.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, refKinds: { a: { kind: 'branch', at: Date.now() }, b: { kind: 'tags', at: Date.now() } }, moves: { r: { owner: '../x', repo: 'y' } } }));
    const log = new MemoryLogger();
    const c = new UpstreamCache({ log, store: new PersistentStore(file, log, { debounceMs: 1 }) });
    await c.ready;
    assert.equal(c.getRefKind('b'), 'tags');
    assert.equal(c.getRefKind('a'), undefined);
    assert.equal(c.getMove('r'), undefined);
    assert.ok(log.lines.some((l) => /2 malformed entries/.test(l)), log.lines.join('\n'));
  });
});
