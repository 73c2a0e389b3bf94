// Issue 12: the upstream checks against GitHub's documented behaviour, played by the fake GitHub over
// real HTTP — secondary limits, what anonymous 304s cost, commits a repository cannot serve, 404s
// on commits/HEAD, renamed repositories, a tag and a branch with one name, the sha media type.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { FakeClock } from '../../daemon/cache/clock';
import { formatHHMM } from '../../daemon/upstream';
import { FakeGitHub } from '../fakeGithub/server';
import { closeRigs, ghSubject, makeRig } from './upstreamHelpers';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('upstream checks hold against GitHub as documented (issue 12)', function () {
  this.timeout(30_000);
  let gh: FakeGitHub;
  let api: string;

  beforeEach(async () => {
    gh = new FakeGitHub();
    api = await gh.start();
  });
  afterEach(async () => {
    await closeRigs();
    await gh.stop();
  });

  const one = (sha: string, over: Partial<Parameters<typeof ghSubject>[0]> = {}) =>
    ghSubject({ name: 'a', owner: 'acme', repo: 'tools', path: 'skills/a', resolvedSha: sha, ...over });

  describe('secondary rate limits (item 4)', () => {
    for (const status of [403, 429] as const) {
      it(`a ${status} without Retry-After while the hourly budget is fine holds requests for one minute, not until the hourly reset`, async () => {
        const clock = new FakeClock(Date.now());
        const rig = makeRig(api, { clock, token: `tok-${status}` });
        const sha = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a' } });
        gh.rateLimit({ who: 'token', remaining: 4000, resetAt: clock.now() + 55 * 60_000 });
        gh.secondaryLimit({ forMs: 150, status });
        const r = await rig.checker.check([one(sha)]);
        const info = r.results.get('default/a::skill')!;
        assert.equal(info.state, 'unknown');
        assert.equal(info.reason, `rate-limited until ${formatHHMM(clock.now() + 60_000)}`);
        assert.equal(r.requests, 1, 'not retried');
        const until = Date.parse(rig.checker.rateLimitedUntil()!);
        assert.ok(until - clock.now() >= 59_000 && until - clock.now() <= 61_000, `waits one minute, got ${until - clock.now()} ms`);

        gh.clearLog();
        clock.advance(30_000);
        await rig.checker.check([one(sha)], { force: true });
        assert.equal(gh.requestLog.length, 0, 'nothing is sent inside the minute');
        await sleep(200);
        clock.advance(31_000);
        const ok = await rig.checker.check([one(sha)], { force: true });
        assert.equal(ok.results.get('default/a::skill')!.state, 'current', 'after a minute, not 55, checks resume');
      });
    }

    it('Retry-After, when given, is the wait', async () => {
      const clock = new FakeClock(Date.now());
      const rig = makeRig(api, { clock, token: 'tok-ra' });
      const sha = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a' } });
      gh.secondaryLimit({ forMs: 150, retryAfterSeconds: 7 });
      await rig.checker.check([one(sha)]);
      const until = Date.parse(rig.checker.rateLimitedUntil()!);
      assert.ok(Math.abs(until - (clock.now() + 7_000)) < 1500, `Retry-After 7 s, got ${until - clock.now()} ms`);
      await sleep(200);
      clock.advance(8_000);
      assert.equal((await rig.checker.check([one(sha)], { force: true })).results.get('default/a::skill')!.state, 'current');
    });

    it('a 403 that is no rate limit is "forbidden", and does not stop other checks', async () => {
      const rig = makeRig(api, { token: 'tok-403' });
      const sha = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a' } });
      gh.failNext(403, {}, { body: { message: 'Resource not accessible by personal access token' } });
      const r = await rig.checker.check([one(sha)]);
      assert.match(r.results.get('default/a::skill')!.reason!, /forbidden/);
      assert.equal(rig.checker.rateLimitedUntil(), undefined);
    });
  });

  describe('anonymous budget (item 5)', () => {
    it('304s cost 1 of 60 without a token; what the budget cannot cover goes to the oldest answers, the rest is answered without a request', async () => {
      const clock = new FakeClock(Date.now());
      const rig = makeRig(api, { clock });
      const resetAt = Math.floor((clock.now() + 40 * 60_000) / 1000) * 1000;
      gh.rateLimit({ who: 'anonymous', remaining: 16, limit: 60, resetAt });
      const shas: string[] = [];
      for (let i = 0; i < 11; i++) shas.push(gh.addRepo('acme', `r${i}`, { files: { 'skills/a/SKILL.md': `a${i}` } }));
      const subj = (i: number) => ghSubject({ name: `s${i}`, owner: 'acme', repo: `r${i}`, path: 'skills/a', resolvedSha: shas[i] });
      const first = Array.from({ length: 10 }, (_, i) => subj(i));

      const c1 = await rig.checker.check(first);
      assert.equal(c1.requests, 10);
      assert.ok(gh.requestLog.every((r) => r.status === 304), 'unchanged repositories answer 304 even cold');
      assert.equal(gh.budget('anonymous').used, 60 - 16 + 10, 'and each anonymous 304 cost a unit');
      assert.equal(rig.checker.rateLimit()?.remaining, 6, 'the budget is read from 304s too');
      assert.match(rig.checker.status().message!, new RegExp(`6 of 60 anonymous requests left until ${formatHHMM(resetAt)}`));

      clock.advance(100_000);
      await rig.checker.check(first.slice(7), { force: true }); // r7..r9 now have newer answers
      assert.equal(rig.checker.rateLimit()?.remaining, 3);

      clock.advance(301_000);
      gh.clearLog();
      const all = [...first, subj(10)]; // r10 has never been asked
      const c3 = await rig.checker.check(all);
      assert.equal(c3.requests, 3, 'exactly what the budget covers');
      assert.equal(gh.requests({ status: 403 }).length, 0, 'no request GitHub would refuse');
      const asked = gh.requestLog.map((r) => /\/repos\/acme\/(r\d+)\//.exec(r.path)![1]).sort();
      assert.deepEqual(asked, ['r0', 'r1', 'r10'], 'the never-answered source, then the oldest answers');
      for (const i of [2, 3, 4, 5, 6, 7, 8, 9]) {
        const info = c3.results.get(`default/s${i}::skill`)!;
        assert.equal(info.state, 'current', `s${i}`);
        assert.equal(info.stale, true, `s${i} is an earlier answer, labelled`);
        assert.match(info.reason!, new RegExp(`^rate-limited until ${formatHHMM(resetAt)}; showing the answer from \\d\\d:\\d\\d$`));
      }
      assert.equal(c3.results.get('default/s10::skill')!.state, 'current');

      gh.clearLog();
      const c4 = await rig.checker.check(all, { force: true });
      assert.equal(c4.requests, 0, 'budget spent: nothing is sent, not even forced');
      assert.equal(gh.requestLog.length, 0);
      assert.equal(rig.checker.rateLimitedUntil(), new Date(resetAt).toISOString());

      // Signing in: a new identity, a new budget; everything is asked again.
      rig.token.current = { token: 'tok-new', source: 'vscode' };
      const c5 = await rig.checker.check(all);
      assert.equal(c5.requests, 11);
      assert.ok([...c5.results.values()].every((r) => r.state === 'current' && !r.stale));
    });

    it('requests waiting for a concurrency slot ask the budget again before they go', async () => {
      const rig = makeRig(api, { concurrency: 1 });
      gh.rateLimit({ who: 'anonymous', remaining: 2, limit: 60 });
      const subjects = [];
      for (let i = 0; i < 5; i++) {
        const sha = gh.addRepo('acme', `q${i}`, { files: { 'skills/a/SKILL.md': `a${i}` } });
        subjects.push(ghSubject({ name: `q${i}`, owner: 'acme', repo: `q${i}`, path: 'skills/a', resolvedSha: sha }));
      }
      const r = await rig.checker.check(subjects);
      assert.equal(gh.requestLog.length, 2, 'the budget (unknown at first) allowed two');
      assert.equal(gh.requests({ status: 403 }).length, 0);
      assert.equal(r.requests, 2);
      const states = [...r.results.values()].map((x) => x.state).sort();
      assert.deepEqual(states, ['current', 'current', 'unknown', 'unknown', 'unknown']);
      for (const x of r.results.values()) if (x.state === 'unknown') assert.match(x.reason!, /^rate-limited until \d\d:\d\d$/);
    });

    it('two requests passing the gate together: the first is counted before the second is let through', async () => {
      const rig = makeRig(api);
      gh.setLatency(30);
      const c1 = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a' } });
      gh.commit('acme', 'tools', 'main', { 'skills/a/SKILL.md': 'a2' });
      // One unit left after the commit request, and two trees wanted at once.
      gh.rateLimit({ who: 'anonymous', remaining: 2, limit: 60 });
      const r = await rig.checker.check([one(c1)]);
      await sleep(150); // the tree request that was let through may still be on its way
      assert.equal(gh.requests({ status: 403 }).length, 0, JSON.stringify(gh.requestLog.map((x) => [x.path, x.status])));
      assert.equal(gh.requestLog.length, 2);
      assert.equal(r.results.get('default/a::skill')!.state, 'unknown');
      assert.match(r.results.get('default/a::skill')!.reason!, /^rate-limited until \d\d:\d\d$/);
    });
  });

  describe('a recorded commit the repository cannot serve (item 6)', () => {
    for (const status of [404, 422] as const) {
      it(`tree ${status}: cached against the commit, so a check inside the TTL sends nothing; a token change asks again`, async () => {
        const clock = new FakeClock(Date.now());
        const rig = makeRig(api, { clock, token: 'tok-tree' });
        gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a' } });
        // The recorded commit came from a fork: this repository does not know it.
        const foreign = 'f'.repeat(40);
        gh.refuseTree('acme', 'tools', foreign, status);
        const r1 = await rig.checker.check([one(foreign)]);
        const info = r1.results.get('default/a::skill')!;
        assert.equal(info.state, 'unknown');
        assert.match(info.reason!, /commit fffffff not found in acme\/tools/);
        assert.equal(gh.requests({ pathIncludes: `/git/trees/${foreign}` }).length, 1);
        assert.equal(gh.requests({ pathIncludes: `/git/trees/${foreign}`, status }).length, 1);

        gh.clearLog();
        const r2 = await rig.checker.check([one(foreign)]);
        assert.equal(r2.requests, 0, 'inside the TTL: no request at all');
        assert.equal(r2.results.get('default/a::skill')!.reason, info.reason);

        gh.clearLog();
        clock.advance(301_000);
        const r3 = await rig.checker.check([one(foreign)]);
        assert.equal(gh.requests({ pathIncludes: '/git/trees/' }).length, 0, 'after the TTL only the ref is asked again');
        assert.equal(r3.results.get('default/a::skill')!.state, 'unknown');

        rig.token.current = { token: 'tok-other', source: 'GITHUB_TOKEN' };
        gh.clearLog();
        await rig.checker.check([one(foreign)]);
        assert.equal(gh.requests({ pathIncludes: `/git/trees/${foreign}` }).length, 1, 'another identity may be allowed to read it');
      });
    }
  });

  describe('commits/HEAD on github.com (item 7)', () => {
    it('a 404 means missing or private: one request, no GET /repos/{o}/{r} fallback', async () => {
      const rig = makeRig(api, { apiFlavor: 'github.com' });
      const sha = gh.addRepo('acme', 'secret', { private: true, files: { 'skills/a/SKILL.md': 'a' } });
      gh.requireToken('tok-real');
      const subjects = [
        ghSubject({ name: 'a', owner: 'acme', repo: 'secret', path: 'skills/a', resolvedSha: sha }),
        ghSubject({ name: 'gone', owner: 'acme', repo: 'gone', path: 'skills/a', resolvedSha: sha }),
      ];
      const r = await rig.checker.check(subjects);
      assert.equal(r.requests, 2);
      assert.deepEqual(gh.requestLog.map((x) => [x.path, x.status]).sort(), [
        ['/repos/acme/gone/commits/HEAD', 404],
        ['/repos/acme/secret/commits/HEAD', 404],
      ]);
      for (const n of ['a', 'gone']) assert.match(r.results.get(`default/${n}::skill`)!.reason!, /not found, or private \(no GitHub token\)$/);
      assert.equal(rig.cache.stats().defaultBranches, 0);
    });

    it('a 422 on HEAD is still taken for a refusal there (a server that cannot resolve HEAD)', async () => {
      const rig = makeRig(api, { apiFlavor: 'github.com', token: 'tok' });
      const sha = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a' } });
      gh.refuseHead(422);
      const r = await rig.checker.check([one(sha)]);
      assert.equal(r.results.get('default/a::skill')!.state, 'current');
      assert.deepEqual(gh.requestLog.map((x) => x.path), ['/repos/acme/tools/commits/HEAD', '/repos/acme/tools', '/repos/acme/tools/commits/main']);
    });
  });

  describe('renamed or transferred repositories (item 9)', () => {
    it('counts every request really made, says "acme/old moved to neworg/new", and asks the new name from then on', async () => {
      const clock = new FakeClock(Date.now());
      const rig = makeRig(api, { clock, token: 'tok-moved' });
      const c1 = gh.addRepo('acme', 'old', { files: { 'skills/a/SKILL.md': 'a', 'skills/b/SKILL.md': 'b' } });
      gh.commit('acme', 'old', 'main', { 'skills/a/SKILL.md': 'a2' });
      gh.renameRepo('acme', 'old', 'neworg', 'new');
      const subjects = ['a', 'b'].map((n) => ghSubject({ name: n, owner: 'acme', repo: 'old', path: `skills/${n}`, resolvedSha: c1 }));
      const r1 = await rig.checker.check(subjects);
      assert.equal(r1.requests, gh.requestLog.length, 'the redirect and the lookup are counted');
      const paths = gh.requestLog.map((x) => [x.path.replace(/\/repositories\/\d+/, '/repositories/ID').replace(/[0-9a-f]{40}/, 'SHA'), x.status]);
      assert.deepEqual(paths.slice(0, 3), [
        ['/repos/acme/old/commits/HEAD', 301],
        ['/repositories/ID', 200],
        ['/repos/neworg/new/commits/HEAD', 200],
      ]);
      assert.ok(gh.requests({ pathIncludes: '/git/trees/' }).every((x) => x.path.startsWith('/repos/neworg/new/')), 'trees by the new name');
      const a = r1.results.get('default/a::skill')!;
      const b = r1.results.get('default/b::skill')!;
      assert.equal(a.state, 'update-available');
      assert.match(a.reason!, /skills\/a changed upstream .*; acme\/old moved to neworg\/new$/);
      assert.equal(b.state, 'repo-moved');
      assert.match(b.reason!, /acme\/old moved to neworg\/new$/);
      assert.equal(a.source, 'github:github.com/acme/old@latest', 'keys keep the recorded name');
      assert.match(rig.checker.peek(subjects[1]).reason!, /acme\/old moved to neworg\/new$/);

      gh.clearLog();
      clock.advance(301_000);
      const r2 = await rig.checker.check(subjects);
      assert.deepEqual(gh.requestLog.map((x) => [x.path, x.status]), [['/repos/neworg/new/commits/HEAD', 304]]);
      assert.equal(r2.requests, 1);
      assert.match(r2.results.get('default/b::skill')!.reason!, /acme\/old moved to neworg\/new$/);
    });

    it('a pinned commit in a renamed repository: the tree request follows the move too', async () => {
      const rig = makeRig(api, { token: 'tok-pin' });
      const c1 = gh.addRepo('acme', 'old', { files: { 'skills/a/SKILL.md': 'a' } });
      gh.renameRepo('acme', 'old', 'acme', 'renamed');
      const r = await rig.checker.check([ghSubject({ name: 'a', owner: 'acme', repo: 'old', path: 'skills/a', versionSpec: c1, resolvedSha: c1 })]);
      const info = r.results.get('default/a::skill')!;
      assert.equal(info.state, 'current');
      assert.equal(info.reason, 'acme/old moved to acme/renamed');
      assert.equal(r.requests, 3);
    });
  });

  describe('a branch and a tag with the same name (item 10)', () => {
    for (const bare of [['tags', 'heads'], ['heads', 'tags']] as const) {
      it(`resolves the tag first, like SkillMeat, whatever GitHub does with the bare name (${bare.join(' before ')})`, async () => {
        const clock = new FakeClock(Date.now());
        const rig = makeRig(api, { clock, token: 'tok-refs' });
        const c1 = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a' } });
        gh.tag('acme', 'tools', 'release', c1, true);
        const c2 = gh.commit('acme', 'tools', 'release', { 'skills/a/SKILL.md': 'a on the release branch' });
        const dev = gh.commit('acme', 'tools', 'dev', { 'README.md': 'dev' });
        gh.setBareRefOrder('acme', 'tools', [...bare]);
        const subjects = [
          one(c1, { name: 'tagged', versionSpec: 'release' }),
          one(dev, { name: 'branch', versionSpec: '@dev' }),
        ];
        const r1 = await rig.checker.check(subjects);
        assert.equal(r1.results.get('default/tagged::skill')!.state, 'current', `the tag (${c1.slice(0, 7)}), not the branch (${c2.slice(0, 7)})`);
        assert.equal(r1.results.get('default/branch::skill')!.state, 'current');
        assert.deepEqual(gh.requestLog.map((x) => [decodeURIComponent(x.path), x.status]).sort(), [
          ['/repos/acme/tools/commits/heads/dev', 304],
          ['/repos/acme/tools/commits/tags/dev', 422],
          ['/repos/acme/tools/commits/tags/release', 304],
        ]);

        gh.clearLog();
        clock.advance(301_000);
        await rig.checker.check(subjects);
        assert.deepEqual(gh.requestLog.map((x) => decodeURIComponent(x.path)).sort(), [
          '/repos/acme/tools/commits/heads/dev',
          '/repos/acme/tools/commits/tags/release',
        ], 'which kind answered is remembered per source');
      });
    }
  });

  it('reads the SHA answer with and without "; charset=utf-8" (item 12)', async () => {
    for (const withCharset of [true, false]) {
      const rig = makeRig(api, { token: `tok-${String(withCharset)}` });
      const name = `cs${String(withCharset)}`;
      const c1 = gh.addRepo('acme', name, { files: { 'skills/a/SKILL.md': 'a' } });
      gh.commit('acme', name, 'main', { 'skills/a/SKILL.md': 'a2' });
      gh.shaWithCharset(withCharset);
      const r = await rig.checker.check([ghSubject({ name: 'a', owner: 'acme', repo: name, path: 'skills/a', resolvedSha: c1 })]);
      const info = r.results.get('default/a::skill')!;
      assert.equal(info.state, 'update-available', `${String(withCharset)}: ${JSON.stringify(info)}`);
    }
  });

  it('Octokit is loaded on the first upstream request only (issue 15)', async () => {
    // A fresh Node process records every @octokit module it loads, through require or import.
    const script = `
      const Module = require('node:module');
      const { MessageChannel } = require('node:worker_threads');
      const seen = new Set();
      const { port1, port2 } = new MessageChannel();
      port1.on('message', (m) => seen.add(m));
      port1.unref();
      const hooks = 'let port; export function initialize(d) { port = d.port; }' +
        ' export async function load(url, ctx, next) { if (url.includes("@octokit")) port.postMessage(url); return next(url, ctx); }';
      Module.register('data:text/javascript,' + encodeURIComponent(hooks), { data: { port: port2 }, transferList: [port2] });
      const load = Module._load;
      Module._load = function (req, ...rest) { if (String(req).includes('@octokit')) seen.add(req); return load.call(this, req, ...rest); };
      const settle = () => new Promise((r) => setTimeout(r, 100));
      const { UpstreamCache } = require('./daemon/cache/upstreamCache');
      const { UpstreamChecker } = require('./daemon/upstream');
      const checker = new UpstreamChecker({ apiUrl: process.argv[1], token: () => ({ source: 'anonymous' }), cache: new UpstreamCache() });
      (async () => {
        await settle();
        const before = seen.size;
        await checker.check([{ collection: 'c', name: 'l', type: 'skill', origin: 'local' }]);
        await settle();
        const afterUntracked = seen.size;
        const r = await checker.check([{ collection: 'c', name: 'a', type: 'skill', origin: 'github', upstream: 'acme/tools/x', resolvedSha: process.argv[2] }]);
        await settle();
        process.stdout.write(JSON.stringify({ before, afterUntracked, after: seen.size, flag: checker.octokitLoaded, state: r.results.get('c/a::skill').state }));
      })();`;
    const sha = gh.addRepo('acme', 'tools', { files: { 'x/SKILL.md': 'x' } });
    const root = path.resolve(__dirname, '../..');
    const { stdout } = await promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', '-e', script, api, sha], { cwd: root });
    const out = JSON.parse(stdout) as { before: number; afterUntracked: number; after: number; flag: boolean; state: string };
    assert.equal(out.before, 0, 'loading the upstream module and constructing the checker loads no @octokit module');
    assert.equal(out.afterUntracked, 0, 'a check that needs no request does not load it either');
    assert.ok(out.after > 0, 'the first request loads it');
    assert.equal(out.flag, true);
    assert.equal(out.state, 'current');
  });
});
