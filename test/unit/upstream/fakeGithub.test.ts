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

  it('answers commits as a bare SHA whose ETag is the SHA; a 304 is free with a token and costs 1 of 60 without', async () => {
    const c1 = gh.addRepo('o', 'r');
    const h = { accept: 'application/vnd.github.sha' };
    const auth = { ...h, authorization: 'Bearer t' };
    const r1 = await fetch(`${base}/repos/o/r/commits/main`, { headers: auth });
    assert.equal(await r1.text(), c1);
    const etag = r1.headers.get('etag')!;
    assert.equal(etag, `"${c1}"`, 'the SHA is the ETag, so a local SHA can be sent as one');
    assert.equal(r1.headers.get('content-type'), 'application/vnd.github.sha; charset=utf-8');
    const remaining = Number(r1.headers.get('x-ratelimit-remaining'));
    assert.equal(r1.headers.get('x-ratelimit-limit'), '5000');
    const r2 = await fetch(`${base}/repos/o/r/commits/main`, { headers: { ...auth, 'if-none-match': etag } });
    assert.equal(r2.status, 304);
    assert.equal(Number(r2.headers.get('x-ratelimit-remaining')), remaining, 'authorized 304: free');
    // Anonymous: 60 an hour, and a 304 costs one of them.
    const a1 = await fetch(`${base}/repos/o/r/commits/main`, { headers: { ...h, 'if-none-match': `"${c1}"` } });
    assert.equal(a1.status, 304, 'a cold request with the local SHA as ETag is answered 304');
    assert.equal(a1.headers.get('x-ratelimit-limit'), '60');
    assert.equal(a1.headers.get('x-ratelimit-remaining'), '59', 'anonymous 304: charged');
    assert.deepEqual(gh.budget('anonymous'), { ...gh.budget('anonymous'), remaining: 59, used: 1 });
    const c2 = gh.commit('o', 'r', 'main', { 'x.md': 'x' });
    const r3 = await fetch(`${base}/repos/o/r/commits/main`, { headers: { ...auth, 'if-none-match': etag } });
    assert.equal(r3.status, 200);
    assert.equal(await r3.text(), c2);
    assert.equal(gh.budget('token').used, 2);
    gh.shaWithCharset(false);
    const r4 = await fetch(`${base}/repos/o/r/commits/main`, { headers: auth });
    assert.equal(r4.headers.get('content-type'), 'application/vnd.github.sha');
    assert.deepEqual(gh.requestLog.map((r) => r.status), [200, 304, 304, 200, 200]);
  });

  it('secondary rate limits: 403 or 429 with a healthy budget, with or without Retry-After, then normal again', async () => {
    gh.addRepo('o', 'r');
    gh.secondaryLimit({ forMs: 300, retryAfterSeconds: 7 });
    const r1 = await fetch(`${base}/repos/o/r`);
    assert.equal(r1.status, 403);
    assert.equal(r1.headers.get('retry-after'), '7');
    assert.equal(r1.headers.get('x-ratelimit-remaining'), '60', 'primary budget untouched');
    assert.match(((await r1.json()) as { message: string }).message, /secondary rate limit/);
    gh.secondaryLimit({ forMs: 300, status: 429 });
    const r2 = await fetch(`${base}/repos/o/r`);
    assert.equal(r2.status, 429);
    assert.equal(r2.headers.get('retry-after'), null);
    await new Promise((r) => setTimeout(r, 320));
    assert.equal((await fetch(`${base}/repos/o/r`)).status, 200);
  });

  it('a renamed or transferred repository answers 301 to /repositories/{id}/…, which answers as the new name', async () => {
    const c1 = gh.addRepo('acme', 'old');
    gh.renameRepo('acme', 'old', 'neworg', 'new');
    const h = { accept: 'application/vnd.github.sha' };
    const r = await fetch(`${base}/repos/acme/old/commits/HEAD`, { headers: h, redirect: 'manual' });
    assert.equal(r.status, 301);
    const location = r.headers.get('location')!;
    assert.match(location, /\/repositories\/\d+\/commits\/HEAD$/);
    const followed = await fetch(location, { headers: h });
    assert.equal(await followed.text(), c1);
    const id = /repositories\/(\d+)/.exec(location)![1];
    const meta = (await (await fetch(`${base}/repositories/${id}`)).json()) as { full_name: string };
    assert.equal(meta.full_name, 'neworg/new');
    assert.equal(await (await fetch(`${base}/repos/neworg/new/commits/HEAD`, { headers: h })).text(), c1);
    assert.equal((await fetch(`${base}/repos/acme/nothing`)).status, 404);
  });

  it('trees a repository cannot serve answer 404 or 422', async () => {
    const c1 = gh.addRepo('o', 'r');
    assert.equal((await fetch(`${base}/repos/o/r/git/trees/${c1}?recursive=1`)).status, 200);
    gh.refuseTree('o', 'r', c1, 422);
    assert.equal((await fetch(`${base}/repos/o/r/git/trees/${c1}?recursive=1`)).status, 422);
    gh.refuseTree('o', 'r', c1, 404);
    assert.equal((await fetch(`${base}/repos/o/r/git/trees/${c1}?recursive=1`)).status, 404);
    assert.equal((await fetch(`${base}/repos/o/r/git/trees/${'e'.repeat(40)}`)).status, 404);
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

  it('a branch and a tag with the same name: tags/NAME and heads/NAME are distinct; the bare name follows the data', async () => {
    const c1 = gh.addRepo('o', 'r');
    const c2 = gh.commit('o', 'r', 'same', { 'f.md': 'x' });
    gh.tag('o', 'r', 'same', c1, true);
    const h = { accept: 'application/vnd.github.sha' };
    const sha = async (ref: string): Promise<string> => (await fetch(`${base}/repos/o/r/commits/${ref}`, { headers: h })).text();
    assert.equal(await sha('tags/same'), c1, 'annotated tag resolved to its commit');
    assert.equal(await sha('heads/same'), c2);
    assert.equal(await sha('same'), c1);
    gh.setBareRefOrder('o', 'r', ['heads', 'tags']);
    assert.equal(await sha('same'), c2, 'the bare name is data, not a fixed rule');
    const b = (await (await fetch(`${base}/repos/o/r/branches/same`)).json()) as { commit: { sha: string } };
    assert.equal(b.commit.sha, c2);
    const ref = (await (await fetch(`${base}/repos/o/r/git/ref/tags/same`)).json()) as { object: { type: string } };
    assert.equal(ref.object.type, 'tag');
    assert.equal((await fetch(`${base}/repos/o/r/commits/nope`, { headers: h })).status, 422);
    assert.equal((await fetch(`${base}/repos/o/r/commits/tags/main`, { headers: h })).status, 422, 'a branch is no tag');
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
