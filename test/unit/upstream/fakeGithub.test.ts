import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FakeGitHub } from '../../fakeGithub/server';

describe('fake GitHub', function () {
  this.timeout(20_000);
  let gh: FakeGitHub;
  let base: string;
  beforeEach(async () => {
    gh = new FakeGitHub();
    base = await gh.start();
  });
  afterEach(() => gh.stop());

  it('hashes blobs like git and changes tree SHAs only along changed paths', async () => {
    assert.equal(gh.git.blob('hello\n'), createHash('sha1').update('blob 6\0hello\n').digest('hex'));
    const c1 = gh.addRepo('o', 'r', { files: { 'a/x.md': '1', 'b/y.md': '2' } });
    const c2 = gh.commit('o', 'r', 'main', { 'a/x.md': 'changed' });
    const tree = async (sha: string): Promise<Map<string, string>> => {
      const res = await fetch(`${base}/repos/o/r/git/trees/${sha}?recursive=1`);
      const body = (await res.json()) as { tree: { path: string; sha: string }[] };
      return new Map(body.tree.map((e) => [e.path, e.sha]));
    };
    const t1 = await tree(c1);
    const t2 = await tree(c2);
    assert.equal(t1.get('b'), t2.get('b'));
    assert.notEqual(t1.get('a'), t2.get('a'));
  });

  it('answers commits as a bare SHA with ETags and 304s that do not spend the budget', async () => {
    const c1 = gh.addRepo('o', 'r');
    const h = { accept: 'application/vnd.github.sha' };
    const r1 = await fetch(`${base}/repos/o/r/commits/main`, { headers: h });
    assert.equal(await r1.text(), c1);
    const etag = r1.headers.get('etag')!;
    const remaining = Number(r1.headers.get('x-ratelimit-remaining'));
    const r2 = await fetch(`${base}/repos/o/r/commits/main`, { headers: { ...h, 'if-none-match': etag } });
    assert.equal(r2.status, 304);
    assert.equal(Number(r2.headers.get('x-ratelimit-remaining')), remaining);
    const c2 = gh.commit('o', 'r', 'main', { 'x.md': 'x' });
    const r3 = await fetch(`${base}/repos/o/r/commits/main`, { headers: { ...h, 'if-none-match': etag } });
    assert.equal(r3.status, 200);
    assert.equal(await r3.text(), c2);
    assert.deepEqual(gh.requestLog.map((r) => r.status), [200, 304, 200]);
  });

  it('private repositories are 404 without the token; exhausted budgets are 403 with reset headers', async () => {
    gh.addRepo('o', 'p', { private: true });
    gh.requireToken('t');
    assert.equal((await fetch(`${base}/repos/o/p`)).status, 404);
    assert.equal((await fetch(`${base}/repos/o/p`, { headers: { authorization: 'Bearer t' } })).status, 200);
    assert.equal((await fetch(`${base}/repos/o/p`, { headers: { authorization: 'token bad' } })).status, 401);
    const reset = Date.now() + 600_000;
    gh.rateLimit({ remaining: 0, resetAt: reset });
    const r = await fetch(`${base}/repos/o/p`, { headers: { authorization: 'Bearer t' } });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(r.headers.get('x-ratelimit-reset'), String(Math.floor(reset / 1000)));
  });

  it('resolves tags before branches, annotated tags to their commit, and serves branches and refs', async () => {
    const c1 = gh.addRepo('o', 'r');
    const c2 = gh.commit('o', 'r', 'same', { 'f.md': 'x' });
    gh.tag('o', 'r', 'same', c1, true);
    const h = { accept: 'application/vnd.github.sha' };
    assert.equal(await (await fetch(`${base}/repos/o/r/commits/same`, { headers: h })).text(), c1);
    const b = (await (await fetch(`${base}/repos/o/r/branches/same`)).json()) as { commit: { sha: string } };
    assert.equal(b.commit.sha, c2);
    const ref = (await (await fetch(`${base}/repos/o/r/git/ref/tags/same`)).json()) as { object: { type: string } };
    assert.equal(ref.object.type, 'tag');
    assert.equal((await fetch(`${base}/repos/o/r/commits/nope`, { headers: h })).status, 422);
  });

  it('resolves commits/HEAD to the default branch head, follows a default-branch change, and can refuse HEAD', async () => {
    const c1 = gh.addRepo('o', 'r', { defaultBranch: 'trunk' });
    const c2 = gh.commit('o', 'r', 'dev', { 'f.md': 'x' });
    const h = { accept: 'application/vnd.github.sha' };
    const head = async (): Promise<Response> => fetch(`${base}/repos/o/r/commits/HEAD`, { headers: h });
    assert.equal(await (await head()).text(), c1);
    gh.setDefaultBranch('o', 'r', 'dev');
    assert.equal(await (await head()).text(), c2);
    gh.refuseHead(422);
    assert.equal((await head()).status, 422);
    assert.equal(await (await fetch(`${base}/repos/o/r/commits/dev`, { headers: h })).text(), c2, 'named refs still resolve');
    gh.refuseHead(404);
    assert.equal((await head()).status, 404);
    gh.refuseHead(undefined);
    assert.equal(await (await head()).text(), c2);
  });
});
