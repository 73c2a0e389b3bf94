import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeClock } from '../../daemon/cache/clock';
import { formatHHMM, subjectKey, type UpstreamSubject } from '../../daemon/upstream';
import { FakeGitHub } from '../fakeGithub/server';
import { closeRigs, ghSubject, makeRig } from './upstreamHelpers';

describe('upstream checks against the fake GitHub', function () {
  this.timeout(30_000);
  let gh: FakeGitHub;
  let api: string;
  let tmp: string;

  beforeEach(async () => {
    gh = new FakeGitHub();
    api = await gh.start();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
  });
  afterEach(async () => {
    await closeRigs();
    await gh.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** 6 repositories × 10 skills each, all collected at the repositories' first commits. */
  function sixtyArtifacts(): { subjects: UpstreamSubject[]; shas: Map<string, string> } {
    gh.rateLimit({ who: 'anonymous', remaining: 5000, limit: 5000 });
    const subjects: UpstreamSubject[] = [];
    const shas = new Map<string, string>();
    for (let r = 0; r < 6; r++) {
      const files: Record<string, string> = {};
      for (let i = 0; i < 10; i++) {
        files[`skills/s${i}/SKILL.md`] = `# skill ${r}-${i}\n`;
        files[`skills/s${i}/notes.txt`] = `notes ${r}-${i}\n`;
      }
      const sha = gh.addRepo('org', `repo${r}`, { files });
      shas.set(`repo${r}`, sha);
      for (let i = 0; i < 10; i++) {
        subjects.push(ghSubject({ name: `r${r}s${i}`, owner: 'org', repo: `repo${r}`, path: `skills/s${i}`, resolvedSha: sha }));
      }
    }
    return { subjects, shas };
  }

  it('60 artifacts in 6 repositories: a cold check costs one commits/HEAD per repository + the trees of moved commits, 0 inside the TTL, only 304s after it', async () => {
    const clock = new FakeClock(Date.now());
    const rig = makeRig(api, { clock, token: 't0k3n-cold' });
    const { subjects } = sixtyArtifacts();
    // Two repositories moved on: one in an artifact's folder, one elsewhere.
    gh.commit('org', 'repo0', 'main', { 'skills/s3/SKILL.md': 'changed\n' });
    gh.commit('org', 'repo1', 'main', { 'README.md': 'docs only\n' });

    const cold = await rig.checker.check(subjects);
    const commitReqs = gh.requests({ pathIncludes: '/commits/' });
    assert.equal(commitReqs.length, 6, 'one commit request per (repository, ref)');
    assert.deepEqual(
      commitReqs.map((r) => r.path).sort(),
      [0, 1, 2, 3, 4, 5].map((i) => `/repos/org/repo${i}/commits/HEAD`),
      'latest is asked as HEAD: no default-branch lookup first',
    );
    for (const r of commitReqs) {
      // A first check sends the recorded SHA as the ETag: unchanged repositories answer 304.
      const i = Number(/repo(\d)/.exec(r.path)![1]);
      assert.equal(r.status, i < 2 ? 200 : 304, r.path);
      assert.equal(r.headers.accept, 'application/vnd.github.sha');
      assert.match(r.headers['if-none-match'] ?? '', /^"[0-9a-f]{40}"$/);
    }
    const treeReqs = gh.requests({ pathIncludes: '/git/trees/' });
    // Only the two repositories that moved need trees: their old and their new commit.
    assert.equal(treeReqs.length, 4);
    const repoReqs = gh.requests().filter((r) => /^\/repos\/[^/]+\/[^/]+$/.test(r.path));
    assert.equal(repoReqs.length, 0, 'no GET /repos/{o}/{r}');
    assert.equal(gh.requestLog.length, 6 + 4, 'nothing but the commit requests and the trees of moved commits');
    assert.equal(cold.requests, gh.requestLog.length, 'the checker counts exactly what reached GitHub');
    assert.equal(rig.cache.stats().defaultBranches, 0);
    assert.equal(cold.results.size, 60);
    assert.equal(cold.results.get('default/r0s3::skill')?.state, 'update-available');
    assert.equal(cold.results.get('default/r0s4::skill')?.state, 'repo-moved');
    assert.equal(cold.results.get('default/r1s0::skill')?.state, 'repo-moved');
    assert.equal(cold.results.get('default/r2s0::skill')?.state, 'current');
    assert.equal(cold.results.get('default/r2s0::skill')?.source, 'github:github.com/org/repo2@latest');
    assert.ok(cold.results.get('default/r2s0::skill')?.checkedAt);

    gh.clearLog();
    const warm = await rig.checker.check(subjects);
    assert.equal(warm.requests, 0);
    assert.equal(gh.requestLog.length, 0);
    assert.deepEqual(
      [...warm.results.values()].map((r) => r.state),
      [...cold.results.values()].map((r) => r.state),
    );

    clock.advance(301_000);
    const after = await rig.checker.check(subjects);
    assert.equal(after.requests, 6);
    assert.ok(gh.requestLog.every((r) => r.status === 304 && r.path.endsWith('/commits/HEAD') && r.headers['if-none-match']), JSON.stringify(gh.requestLog.map((r) => [r.path, r.status])));
    assert.equal(after.results.get('default/r0s3::skill')?.state, 'update-available');
    const stats = rig.cache.stats();
    assert.ok(stats.hits > 0 && (stats.notModified as number) === 6);
    assert.equal(gh.budget('token').used, 2 + 4, 'with a token, only the two 200s and the four trees cost units');
  });

  it('a change in another folder is repo-moved, a change in the artifact folder is update-available, removal too', async () => {
    const rig = makeRig(api);
    const base = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a', 'skills/b/SKILL.md': 'b', 'commands/review.md': 'r', 'commands/gone.md': 'g' } });
    const subjects = [
      ghSubject({ name: 'a', owner: 'acme', repo: 'tools', path: 'skills/a', resolvedSha: base }),
      ghSubject({ name: 'b', owner: 'acme', repo: 'tools', path: 'skills/b', resolvedSha: base }),
      ghSubject({ name: 'review', type: 'command', owner: 'acme', repo: 'tools', path: 'commands/review.md', resolvedSha: base }),
      ghSubject({ name: 'gone', type: 'command', owner: 'acme', repo: 'tools', path: 'commands/gone.md', resolvedSha: base }),
      ghSubject({ name: 'root', owner: 'acme', repo: 'tools', path: '', resolvedSha: base }),
    ];
    const first = await rig.checker.check(subjects);
    for (const r of first.results.values()) assert.equal(r.state, 'current');

    gh.commit('acme', 'tools', 'main', { 'skills/a/extra.md': 'new file', 'commands/gone.md': null });
    const second = await rig.checker.check(subjects, { force: true });
    const st = (n: string, t = 'skill'): string | undefined => second.results.get(`default/${n}::${t}`)?.state;
    assert.equal(st('a'), 'update-available');
    assert.equal(st('b'), 'repo-moved');
    assert.match(second.results.get('default/b::skill')!.reason!, /did not change/);
    assert.equal(st('review', 'command'), 'repo-moved');
    assert.equal(st('gone', 'command'), 'update-available');
    assert.match(second.results.get('default/gone::command')!.reason!, /removed upstream/);
    assert.equal(st('root'), 'update-available');
  });

  it('tags, branches (also with a slash), pinned commits, and a vanished pinned path', async () => {
    const rig = makeRig(api);
    const c1 = gh.addRepo('acme', 'tools', { files: { 'skills/x/SKILL.md': 'x1', 'skills/y/SKILL.md': 'y1' } });
    gh.tag('acme', 'tools', 'v1.0.0', c1);
    gh.tag('acme', 'tools', 'v1.1.0', c1, true);
    const dev1 = gh.commit('acme', 'tools', 'feature/new', { 'skills/y/SKILL.md': 'y-dev' });
    const c2 = gh.commit('acme', 'tools', 'main', { 'skills/x/SKILL.md': 'x2' });
    gh.tag('acme', 'tools', 'v1.1.0', c2, true); // moved annotated tag
    const subjects = [
      ghSubject({ name: 'tag-still', owner: 'acme', repo: 'tools', path: 'skills/x', versionSpec: 'v1.0.0', resolvedSha: c1 }),
      ghSubject({ name: 'tag-moved', owner: 'acme', repo: 'tools', path: 'skills/x', versionSpec: 'v1.1.0', resolvedSha: c1 }),
      ghSubject({ name: 'branch', owner: 'acme', repo: 'tools', path: 'skills/x', versionSpec: 'feature/new', resolvedSha: c1 }),
      ghSubject({ name: 'branch-y', owner: 'acme', repo: 'tools', path: 'skills/y', versionSpec: 'feature/new', resolvedSha: dev1 }),
      ghSubject({ name: 'pinned-short', owner: 'acme', repo: 'tools', path: 'skills/x', versionSpec: c1.slice(0, 7), resolvedSha: c1 }),
      ghSubject({ name: 'pinned-full', owner: 'acme', repo: 'tools', path: 'skills/y', versionSpec: c1, resolvedSha: c1 }),
      ghSubject({ name: 'pinned-vanished', owner: 'acme', repo: 'tools', path: 'skills/nope', versionSpec: c1, resolvedSha: c1 }),
      ghSubject({ name: 'no-such-tag', owner: 'acme', repo: 'tools', path: 'skills/x', versionSpec: 'v9.9.9', resolvedSha: c1 }),
    ];
    // The URL of a branch artifact carries the branch, slash included, as marketplace entries do.
    subjects[2].upstream = 'https://github.com/acme/tools/tree/feature/new/skills/x';
    const { results } = await rig.checker.check(subjects);
    const st = (n: string): string | undefined => results.get(`default/${n}::skill`)?.state;
    assert.equal(st('tag-still'), 'current');
    assert.equal(st('tag-moved'), 'update-available');
    assert.equal(st('branch'), 'repo-moved', JSON.stringify(results.get('default/branch::skill')));
    assert.equal(st('branch-y'), 'current');
    assert.equal(st('pinned-short'), 'current');
    assert.equal(st('pinned-full'), 'current');
    assert.equal(st('pinned-vanished'), 'unknown');
    assert.match(results.get('default/pinned-vanished::skill')!.reason!, /not found at the pinned commit/);
    assert.equal(st('no-such-tag'), 'unknown');
    assert.match(results.get('default/no-such-tag::skill')!.reason!, /no tag or branch named v9\.9\.9/);
    // Pinned artifacts never ask about a ref.
    assert.ok(!gh.requestLog.some((r) => r.path.includes(`/commits/${c1.slice(0, 7)}`)));
  });

  it('rate-limited: unknown with the reset time, no request until the reset, then checks resume', async () => {
    const clock = new FakeClock(Date.now());
    const rig = makeRig(api, { clock });
    const sha = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a' } });
    const resetAt = clock.now() + 45 * 60_000;
    gh.rateLimit({ remaining: 0, resetAt, limit: 60 });
    const subjects = [ghSubject({ name: 'a', owner: 'acme', repo: 'tools', path: 'skills/a', resolvedSha: sha })];
    const r1 = await rig.checker.check(subjects);
    const info = r1.results.get('default/a::skill')!;
    assert.equal(info.state, 'unknown');
    assert.equal(info.reason, `rate-limited until ${formatHHMM(Math.floor(resetAt / 1000) * 1000)}`);
    assert.equal(r1.requests, 1);
    assert.ok(rig.checker.rateLimitedUntil());
    const last = rig.statuses[rig.statuses.length - 1];
    assert.equal(last.rateLimitedUntil, new Date(Math.floor(resetAt / 1000) * 1000).toISOString());
    assert.equal(last.rateLimit?.remaining, 0);
    assert.equal(last.rateLimit?.anonymous, true);
    assert.match(last.message ?? '', /no GitHub token: 0 of 60 anonymous requests left until \d\d:\d\d/);

    gh.clearLog();
    clock.advance(10 * 60_000);
    const r2 = await rig.checker.check(subjects, { force: true });
    assert.equal(r2.requests, 0, 'nothing is sent before the reset, even when forced');
    assert.equal(gh.requestLog.length, 0);
    assert.equal(r2.results.get('default/a::skill')!.state, 'unknown');

    gh.rateLimit({ remaining: 60, resetAt: clock.now() + 3600_000 });
    clock.advance(36 * 60_000);
    const r3 = await rig.checker.check(subjects, { force: true });
    assert.ok(r3.requests > 0);
    assert.equal(r3.results.get('default/a::skill')!.state, 'current');
  });

  it('429 and secondary 403 with Retry-After hold requests back; an earlier answer is served stale', async () => {
    const clock = new FakeClock(Date.now());
    const rig = makeRig(api, { clock, token: 'tok-429' });
    const sha = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a' } });
    const subjects = [ghSubject({ name: 'a', owner: 'acme', repo: 'tools', path: 'skills/a', resolvedSha: sha })];
    assert.equal((await rig.checker.check(subjects)).results.get('default/a::skill')!.state, 'current');

    gh.failNext(429, { 'retry-after': '120' });
    const r = await rig.checker.check(subjects, { force: true });
    const info = r.results.get('default/a::skill')!;
    assert.equal(info.state, 'current');
    assert.equal(info.stale, true);
    assert.match(info.reason!, /rate-limited until \d\d:\d\d; showing the answer from/);
    assert.equal(r.requests, 1, 'a 429 is not retried');

    gh.clearLog();
    clock.advance(60_000);
    await rig.checker.check(subjects, { force: true });
    assert.equal(gh.requestLog.length, 0);
    clock.advance(61_000);
    gh.failNext(403, { 'retry-after': '30' }, { body: { message: 'You have exceeded a secondary rate limit.' } });
    const s = await rig.checker.check(subjects, { force: true });
    assert.equal(s.requests, 1);
    assert.equal(s.results.get('default/a::skill')!.stale, true);
    gh.clearLog();
    clock.advance(31_000);
    const ok = await rig.checker.check(subjects, { force: true });
    assert.equal(ok.results.get('default/a::skill')!.stale, undefined);
    assert.equal(gh.requests({ status: 304 }).length, 1);
  });

  it('5xx is retried; a persistent 5xx is unknown with the status, never "current"', async () => {
    const rig = makeRig(api);
    const sha = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a' } });
    const subjects = [ghSubject({ name: 'a', owner: 'acme', repo: 'tools', path: 'skills/a', resolvedSha: sha })];
    gh.failNext(502, {}, { match: '/commits/' });
    const r1 = await rig.checker.check(subjects);
    assert.equal(r1.results.get('default/a::skill')!.state, 'current');
    assert.equal(gh.requests({ status: 502 }).length, 1);

    const rig2 = makeRig(api);
    gh.failNext(503, {}, { match: '/commits/', times: 10 });
    const r2 = await rig2.checker.check(subjects);
    const info = r2.results.get('default/a::skill')!;
    assert.equal(info.state, 'unknown');
    assert.equal(info.reason, 'GitHub error 503');
    assert.equal(gh.requests({ status: 503 }).length, 3, 'first try + 2 retries');
  });

  it('server unreachable: the last answer is served, marked stale; with none, unknown "network unreachable"', async () => {
    const clock = new FakeClock(Date.now());
    const rig = makeRig(api, { clock });
    const base = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a', 'skills/b/SKILL.md': 'b' } });
    gh.commit('acme', 'tools', 'main', { 'skills/a/SKILL.md': 'a2' });
    const subjects = [
      ghSubject({ name: 'a', owner: 'acme', repo: 'tools', path: 'skills/a', resolvedSha: base }),
      ghSubject({ name: 'b', owner: 'acme', repo: 'tools', path: 'skills/b', resolvedSha: base }),
    ];
    await rig.checker.check(subjects);
    await gh.stop();
    clock.advance(400_000);
    const r = await rig.checker.check(subjects);
    const a = r.results.get('default/a::skill')!;
    assert.equal(a.state, 'update-available');
    assert.equal(a.stale, true);
    assert.match(a.reason!, /network unreachable.*showing the answer from/);
    assert.equal(r.results.get('default/b::skill')!.state, 'repo-moved');
    assert.equal(rig.statuses[rig.statuses.length - 1].offline, true);
    // peek agrees and stays offline-safe
    assert.equal(rig.checker.peek(subjects[0]).stale, true);

    const fresh = makeRig(api, { clock });
    const r2 = await fresh.checker.check(subjects);
    assert.equal(r2.results.get('default/a::skill')!.state, 'unknown');
    assert.match(r2.results.get('default/a::skill')!.reason!, /^network unreachable/);
  });

  it('private repositories: 404 without a token says so; bad credentials; with the token it works and the token is in no log or file', async () => {
    const token = 'ghp_SECRET_abcdef0123456789';
    const stateFile = path.join(tmp, 'state', 'upstream.json');
    const sha = gh.addRepo('acme', 'secret', { private: true, files: { 'skills/a/SKILL.md': 'a' } });
    gh.requireToken(token);
    const subjects = [ghSubject({ name: 'a', owner: 'acme', repo: 'secret', path: 'skills/a', resolvedSha: sha })];

    const anon = makeRig(api);
    const r1 = await anon.checker.check(subjects);
    assert.equal(r1.results.get('default/a::skill')!.state, 'unknown');
    assert.match(r1.results.get('default/a::skill')!.reason!, /not found, or private \(no GitHub token\)/);

    const bad = makeRig(api, { token: 'wrong-token' });
    const r2 = await bad.checker.check(subjects);
    assert.match(r2.results.get('default/a::skill')!.reason!, /bad credentials/);

    const good = makeRig(api, { token, stateFile });
    gh.commit('acme', 'secret', 'main', { 'skills/a/SKILL.md': 'a2' });
    gh.failNext(500, {}, { match: '/git/trees/' });
    const r3 = await good.checker.check(subjects);
    assert.equal(r3.results.get('default/a::skill')!.state, 'update-available');
    assert.ok(gh.requestLog.some((r) => r.headers.authorization === `Bearer ${token}`), 'the token was sent');
    await good.cache.flush();
    assert.ok(fs.existsSync(stateFile));
    for (const f of fs.readdirSync(path.dirname(stateFile))) {
      assert.ok(!fs.readFileSync(path.join(path.dirname(stateFile), f), 'utf8').includes(token), `token in ${f}`);
    }
    for (const rig of [anon, bad, good]) {
      assert.ok(rig.log.lines.length > 0);
      for (const line of rig.log.lines) assert.ok(!line.includes(token) && !line.includes('wrong-token'), line);
      for (const s of rig.statuses) assert.ok(!JSON.stringify(s).includes(token));
    }
    for (const r of [...r1.results.values(), ...r2.results.values(), ...r3.results.values()]) assert.ok(!JSON.stringify(r).includes(token));
  });

  it('a token change drops answers that depended on the old token', async () => {
    const token = 'tok-new';
    const sha = gh.addRepo('acme', 'secret', { private: true, files: { 'skills/a/SKILL.md': 'a' } });
    gh.requireToken(token);
    const rig = makeRig(api);
    const subjects = [ghSubject({ name: 'a', owner: 'acme', repo: 'secret', path: 'skills/a', resolvedSha: sha })];
    assert.equal((await rig.checker.check(subjects)).results.get('default/a::skill')!.state, 'unknown');
    rig.token.current = { token, source: 'vscode' };
    const r = await rig.checker.check(subjects);
    assert.equal(r.results.get('default/a::skill')!.state, 'current', 'the cached 404 was not reused under the new token');
    assert.ok(r.requests > 0);
  });

  it('a changed default branch is followed through commits/HEAD without any repository lookup', async () => {
    const clock = new FakeClock(Date.now());
    const rig = makeRig(api, { clock });
    const base = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a', 'skills/b/SKILL.md': 'b' } });
    gh.commit('acme', 'tools', 'next', { 'skills/a/SKILL.md': 'a on next' });
    const subjects = [
      ghSubject({ name: 'a', owner: 'acme', repo: 'tools', path: 'skills/a', resolvedSha: base }),
      ghSubject({ name: 'b', owner: 'acme', repo: 'tools', path: 'skills/b', resolvedSha: base }),
    ];
    const first = await rig.checker.check(subjects);
    assert.equal(first.results.get('default/a::skill')!.state, 'current');

    gh.setDefaultBranch('acme', 'tools', 'next');
    gh.clearLog();
    clock.advance(301_000);
    const second = await rig.checker.check(subjects);
    assert.equal(second.results.get('default/a::skill')!.state, 'update-available');
    assert.equal(second.results.get('default/b::skill')!.state, 'repo-moved');
    assert.equal(second.results.get('default/a::skill')!.source, 'github:github.com/acme/tools@latest');
    const commits = gh.requests({ pathIncludes: '/commits/' });
    assert.deepEqual(commits.map((r) => [r.path, r.status]), [['/repos/acme/tools/commits/HEAD', 200]], 'the old ETag no longer matches');
    assert.ok(commits[0].headers['if-none-match'], 'still a conditional request');
    assert.equal(gh.requests().filter((r) => /^\/repos\/[^/]+\/[^/]+$/.test(r.path)).length, 0);
  });

  for (const refusal of [422, 404] as const) {
    it(`a server that refuses commits/HEAD with ${refusal}: the default branch is looked up once, the choice is kept per repository and across a restart`, async () => {
      const clock = new FakeClock(Date.now());
      const stateFile = path.join(tmp, 'upstream.json');
      const rig = makeRig(api, { clock, stateFile, token: 'tok-ghe' });
      const tools = gh.addRepo('acme', 'tools', { defaultBranch: 'trunk', files: { 'skills/a/SKILL.md': 'a', 'skills/b/SKILL.md': 'b' } });
      const other = gh.addRepo('acme', 'other', { files: { 'skills/c/SKILL.md': 'c' } });
      gh.commit('acme', 'tools', 'trunk', { 'skills/a/SKILL.md': 'a2' });
      gh.refuseHead(refusal);
      const subjects = [
        ghSubject({ name: 'a', owner: 'acme', repo: 'tools', path: 'skills/a', resolvedSha: tools }),
        ghSubject({ name: 'b', owner: 'acme', repo: 'tools', path: 'skills/b', resolvedSha: tools }),
        ghSubject({ name: 'c', owner: 'acme', repo: 'other', path: 'skills/c', resolvedSha: other }),
      ];
      const cold = await rig.checker.check(subjects);
      const st = (r: typeof cold, n: string): string | undefined => r.results.get(`default/${n}::skill`)?.state;
      assert.equal(st(cold, 'a'), 'update-available');
      assert.equal(st(cold, 'b'), 'repo-moved');
      assert.equal(st(cold, 'c'), 'current');
      assert.equal(cold.results.get('default/a::skill')!.source, 'github:github.com/acme/tools@latest', 'cache keys do not change');
      const nonTree = (): [string, number][] =>
        gh.requestLog.filter((r) => !r.path.includes('/git/trees/')).map((r): [string, number] => [r.path, r.status]).sort((x, y) => x[0].localeCompare(y[0]));
      assert.deepEqual(nonTree(), [
        ['/repos/acme/other', 200],
        ['/repos/acme/other/commits/HEAD', refusal],
        ['/repos/acme/other/commits/main', 304],
        ['/repos/acme/tools', 200],
        ['/repos/acme/tools/commits/HEAD', refusal],
        ['/repos/acme/tools/commits/trunk', 200],
      ]);
      assert.equal(gh.requests({ pathIncludes: '/git/trees/' }).length, 2, 'trees of the moved repository only');
      assert.equal(cold.requests, gh.requestLog.length);
      assert.ok(rig.log.lines.some((l) => l.includes(`commits/HEAD refused (${refusal})`)));

      // After the TTL: one conditional request per repository, by branch name, HEAD not tried again.
      gh.clearLog();
      clock.advance(301_000);
      const later = await rig.checker.check(subjects);
      assert.deepEqual(nonTree(), [
        ['/repos/acme/other/commits/main', 304],
        ['/repos/acme/tools/commits/trunk', 304],
      ]);
      assert.equal(gh.requestLog.length, 2);
      assert.equal(st(later, 'a'), 'update-available');

      // A restart keeps the choice: still one 304 per repository.
      await rig.cache.flush();
      gh.clearLog();
      const restarted = makeRig(api, { clock, stateFile, token: 'tok-ghe' });
      const again = await restarted.checker.check(subjects);
      assert.deepEqual(nonTree(), [
        ['/repos/acme/other/commits/main', 304],
        ['/repos/acme/tools/commits/trunk', 304],
      ]);
      assert.equal(gh.requestLog.length, 2);
      assert.equal(st(again, 'b'), 'repo-moved');
    });
  }

  it('HEAD refused for a repository that does not exist or is private (an Enterprise server): the usual "not found" reason, no fallback kept', async () => {
    const clock = new FakeClock(Date.now());
    const rig = makeRig(api, { clock, apiFlavor: 'enterprise' });
    const sha = gh.addRepo('acme', 'secret', { private: true, files: { 'skills/a/SKILL.md': 'a' } });
    gh.requireToken('tok-real');
    const subjects = [
      ghSubject({ name: 'a', owner: 'acme', repo: 'secret', path: 'skills/a', resolvedSha: sha }),
      ghSubject({ name: 'gone', owner: 'acme', repo: 'gone', path: 'skills/a', resolvedSha: sha }),
    ];
    const r = await rig.checker.check(subjects);
    for (const n of ['a', 'gone']) {
      const info = r.results.get(`default/${n}::skill`)!;
      assert.equal(info.state, 'unknown');
      assert.match(info.reason!, /^repository acme\/(secret|gone) not found, or private \(no GitHub token\)$/);
    }
    assert.equal(gh.requests({ pathIncludes: '/commits/HEAD', status: 404 }).length, 2);
    assert.equal(gh.requests().filter((x) => /^\/repos\/[^/]+\/[^/]+$/.test(x.path)).length, 2, 'the repository lookup tells a missing repository from a refused HEAD');
    assert.equal(gh.requestLog.length, 4);

    // Once readable, the repository is asked by HEAD again: the 404 was not taken for a refusal.
    rig.token.current = { token: 'tok-real', source: 'GITHUB_TOKEN' };
    gh.clearLog();
    const ok = await rig.checker.check(subjects.slice(0, 1));
    assert.equal(ok.results.get('default/a::skill')!.state, 'current');
    assert.deepEqual(gh.requestLog.map((x) => [x.path, x.status]), [['/repos/acme/secret/commits/HEAD', 304]]);
  });

  it('other answers to commits/HEAD (409 empty repository, 5xx) are not taken for a refusal and never give "current"', async () => {
    const rig = makeRig(api);
    const sha = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a' } });
    const subjects = [ghSubject({ name: 'a', owner: 'acme', repo: 'tools', path: 'skills/a', resolvedSha: sha })];
    gh.failNext(409, {}, { match: '/commits/HEAD', body: { message: 'Git Repository is empty.' } });
    const r = await rig.checker.check(subjects);
    const info = r.results.get('default/a::skill')!;
    assert.equal(info.state, 'unknown');
    assert.equal(info.reason, 'the default branch of acme/tools not found');
    assert.deepEqual(gh.requestLog.map((x) => [x.path, x.status]), [['/repos/acme/tools/commits/HEAD', 409]]);

    const rig2 = makeRig(api);
    gh.clearLog();
    gh.failNext(503, {}, { match: '/commits/HEAD', times: 3 });
    const r2 = await rig2.checker.check(subjects);
    assert.equal(r2.results.get('default/a::skill')!.state, 'unknown');
    assert.equal(r2.results.get('default/a::skill')!.reason, 'GitHub error 503');
    assert.ok(gh.requestLog.every((x) => x.path === '/repos/acme/tools/commits/HEAD'), JSON.stringify(gh.requestLog.map((x) => x.path)));
  });

  it('persistence: after a restart only conditional requests are sent and no tree is fetched again', async () => {
    const stateFile = path.join(tmp, 'upstream.json');
    const base = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a', 'skills/b/SKILL.md': 'b' } });
    gh.commit('acme', 'tools', 'main', { 'skills/a/SKILL.md': 'a2' });
    const subjects = [
      ghSubject({ name: 'a', owner: 'acme', repo: 'tools', path: 'skills/a', resolvedSha: base }),
      ghSubject({ name: 'b', owner: 'acme', repo: 'tools', path: 'skills/b', resolvedSha: base }),
    ];
    const first = makeRig(api, { stateFile });
    const r1 = await first.checker.check(subjects);
    await first.cache.flush();
    assert.equal((fs.statSync(stateFile).mode & 0o777).toString(8), process.platform === 'win32' ? (fs.statSync(stateFile).mode & 0o777).toString(8) : '600');

    gh.clearLog();
    const second = makeRig(api, { stateFile });
    // Before any request, the persisted answer is visible but flagged stale.
    await second.cache.ready;
    const peeked = second.checker.peek(subjects[0]);
    assert.equal(peeked.state, 'update-available');
    assert.equal(peeked.stale, true);
    const r2 = await second.checker.check(subjects);
    assert.deepEqual(
      gh.requestLog.map((r) => [r.path.replace(/\?.*/, ''), r.status]),
      [['/repos/acme/tools/commits/HEAD', 304]],
    );
    assert.equal(r2.results.get('default/a::skill')!.state, r1.results.get('default/a::skill')!.state);
    assert.equal(r2.results.get('default/b::skill')!.state, 'repo-moved');
    assert.equal(r2.results.get('default/a::skill')!.stale, undefined);
  });

  it('a corrupt state file is discarded with a log line, not a crash', async () => {
    const stateFile = path.join(tmp, 'upstream.json');
    fs.writeFileSync(stateFile, '{"version":1,"refs":{"x": tru');
    const sha = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a' } });
    const rig = makeRig(api, { stateFile });
    const r = await rig.checker.check([ghSubject({ name: 'a', owner: 'acme', repo: 'tools', path: 'skills/a', resolvedSha: sha })]);
    assert.equal(r.results.get('default/a::skill')!.state, 'current');
    assert.ok(rig.log.lines.some((l) => l.startsWith('warn') && l.includes('corrupt')));
  });

  it('a truncated recursive tree is handled by walking the path', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`aaa/filler${i}.txt`] = `f${i}`;
    files['zzz/skills/deep/SKILL.md'] = 'deep';
    files['zzz/skills/other/SKILL.md'] = 'other';
    const base = gh.addRepo('big', 'mono', { files });
    gh.truncateTrees('big', 'mono', 10);
    gh.commit('big', 'mono', 'main', { 'zzz/skills/other/SKILL.md': 'other2' });
    const rig = makeRig(api);
    const subjects = [
      ghSubject({ name: 'deep', owner: 'big', repo: 'mono', path: 'zzz/skills/deep', resolvedSha: base }),
      ghSubject({ name: 'other', owner: 'big', repo: 'mono', path: 'zzz/skills/other', resolvedSha: base }),
      ghSubject({ name: 'ghost', owner: 'big', repo: 'mono', path: 'zzz/skills/ghost', resolvedSha: base }),
    ];
    const { results } = await rig.checker.check(subjects);
    assert.equal(results.get('default/deep::skill')!.state, 'repo-moved');
    assert.equal(results.get('default/other::skill')!.state, 'update-available');
    assert.equal(results.get('default/ghost::skill')!.state, 'unknown');
    assert.ok(gh.requests({ pathIncludes: '/git/trees/' }).some((r) => !r.path.includes('recursive')), 'walked with non-recursive trees');
  });

  it('untracked and bad input are answered per item without a request', async () => {
    const rig = makeRig(api);
    const subjects: UpstreamSubject[] = [
      { collection: 'default', name: 'review', type: 'command', origin: 'local' },
      {
        collection: 'work',
        name: 'supabase-helper.md',
        type: 'command',
        origin: 'marketplace',
        originSource: 'github',
        upstream: 'https://github.com/acme/catalog/tree/main/commands/supabase-helper.md',
        versionSpec: 'latest',
      },
      { collection: 'default', name: 'bad', type: 'skill', origin: 'github', upstream: 'not a url at all', resolvedSha: 'a'.repeat(40) },
      { collection: 'default', name: 'badsha', type: 'skill', origin: 'github', upstream: 'https://github.com/a/b/tree/x/y', resolvedSha: 'latest' },
    ];
    const r = await rig.checker.check(subjects);
    assert.equal(r.requests, 0);
    for (const s of subjects) {
      const info = r.results.get(subjectKey(s))!;
      assert.equal(info.state, 'untracked');
      assert.ok(info.reason && info.reason.length > 0);
    }
  });

  it('caps concurrent requests and dedupes concurrent checks of the same ref', async () => {
    gh.setLatency(30);
    const subjects: UpstreamSubject[] = [];
    for (let i = 0; i < 12; i++) {
      const sha = gh.addRepo('org', `r${i}`, { files: { 'skills/a/SKILL.md': 'a' } });
      subjects.push(ghSubject({ name: `a${i}`, owner: 'org', repo: `r${i}`, path: 'skills/a', resolvedSha: sha }));
    }
    const rig = makeRig(api, { concurrency: 3 });
    const [x, y] = await Promise.all([rig.checker.check(subjects), rig.checker.check(subjects)]);
    assert.ok(gh.maxInFlight <= 3, `max in flight ${gh.maxInFlight}`);
    assert.equal(gh.requests({ pathIncludes: '/commits/' }).length, 12);
    assert.equal(x.requests + y.requests, gh.requestLog.length);
    for (const s of subjects) assert.equal(y.results.get(subjectKey(s))!.state, 'current');
  });

  it('peek before a check, force, invalidate and a new API URL', async () => {
    const sha = gh.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'a' } });
    const subjects = [ghSubject({ name: 'a', owner: 'acme', repo: 'tools', path: 'skills/a', resolvedSha: sha })];
    const rig = makeRig(api);
    assert.deepEqual(rig.checker.peek(subjects[0]), { state: 'unknown', reason: 'not checked yet', source: 'github:github.com/acme/tools@latest' });
    await rig.checker.check(subjects);
    assert.equal(rig.checker.peek(subjects[0]).state, 'current');
    assert.equal(rig.checker.peek(subjects[0]).stale, undefined);

    gh.clearLog();
    await rig.checker.check(subjects, { force: true });
    assert.deepEqual(gh.requestLog.map((r) => r.status), [304], 'force asks again, conditionally');

    assert.equal(rig.checker.invalidate(subjects), 1);
    gh.clearLog();
    await rig.checker.check(subjects);
    assert.deepEqual(gh.requestLog.map((r) => r.status), [304], 'the stored ETag is gone; the recorded SHA is sent as one');
    assert.equal(gh.requestLog[0].headers['if-none-match'], `"${sha}"`);

    const other = new FakeGitHub();
    const otherUrl = await other.start();
    try {
      other.addRepo('acme', 'tools', { files: { 'skills/a/SKILL.md': 'another history' } });
      rig.checker.setApiUrl(`${otherUrl}/`);
      assert.equal(rig.checker.apiUrl, otherUrl);
      const r = await rig.checker.check(subjects);
      assert.ok(other.requestLog.length > 0, 'the new server is asked');
      assert.equal(r.results.get('default/a::skill')!.state, 'unknown', 'the other server has different commits');
    } finally {
      await other.stop();
    }
  });
});
