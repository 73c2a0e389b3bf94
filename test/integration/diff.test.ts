// Issue #13 through the real daemon and CLI: every diff scope on a skill with added, modified,
// deleted, unchanged and binary files, local edits on both sides, a single-file command, upstream
// content fetched once (request counts first / again / after a restart), a refused blob, a damaged
// store entry, and the CLI's --json through the daemon equal to --no-daemon.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckUpstreamRequest, DiffRequest, FileContentRequest, StatsRequest } from '../../shared/protocol';
import type { DiffFile, DiffResult, StatusResult } from '../../shared/types';
import { FakeGitHub } from '../fakeGithub/server';
import { Harness } from '../helpers/daemonHarness';
import { buildDiffWorld, LOGO_2, type DiffWorld } from './diffWorld';

type Brief = Record<string, string>;

/** path → "status +a -d" (or "binary", or "error") for compact expectations */
function brief(files: DiffFile[]): Brief {
  const out: Brief = {};
  for (const f of files) {
    let s = f.status;
    if (f.binary) s += ' binary';
    else if (f.additions !== undefined) s += ` +${f.additions} -${f.deletions}`;
    if (f.error) s += ' error';
    out[f.path] = s;
  }
  return out;
}

function blobRequests(gh: FakeGitHub): number {
  return gh.requests({ pathIncludes: '/git/blobs/' }).length;
}

describe('what changed: diff through the daemon and the CLI (issue #13)', function () {
  this.timeout(60_000);
  let gh: FakeGitHub;
  let api: string;
  let h: Harness | undefined;
  let w: DiffWorld;

  beforeEach(async () => {
    gh = new FakeGitHub();
    api = await gh.start();
    h = new Harness({ daemonArgs: ['--github-api-url', api] });
    w = await buildDiffWorld(gh, h.home, h.workspace);
  });
  afterEach(async () => {
    await h?.cleanup();
    h = undefined;
    await gh.stop();
  });

  async function diff(args: string[], env: Record<string, string> = {}): Promise<DiffResult> {
    const r = await h!.cli(['diff', ...args, '--workspace', h!.workspace, '--json', '--github-api-url', api], env);
    assert.equal(r.code, 0, `diff ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as DiffResult;
  }

  it('collection-project: the project\'s edits, file by file, without asking GitHub', async () => {
    const r = await diff(['canvas']);
    assert.equal(r.key, 'canvas::skill::claude_code');
    assert.equal(r.scope, 'collection-project');
    assert.deepEqual(r.from, { side: 'collection' });
    assert.deepEqual(r.to, { side: 'project' });
    assert.deepEqual(brief(r.files), {
      'SKILL.md': 'modified +1 -0',
      'guide.md': 'unchanged',
      'keep.md': 'unchanged',
      'logo.png': 'unchanged',
      'old.md': 'deleted +0 -1',
      'proj.md': 'added +1 -0',
    });
    assert.deepEqual(r.summary, { added: 1, modified: 1, deleted: 1, unchanged: 3 });
    assert.equal(gh.requestLog.length, 0, 'a local comparison never asks GitHub');

    const u = await diff(['canvas::skill', '--unified']);
    assert.match(u.unified ?? '', /^diff --git a\/SKILL.md b\/SKILL.md\n/m);
    assert.match(u.unified ?? '', /^ s1\n\+proj\n/m);
    assert.match(u.unified ?? '', /^diff --git a\/old.md b\/old.md\ndeleted file mode 100644\n/m);
    assert.match(u.unified ?? '', /^--- \/dev\/null\n\+\+\+ b\/proj.md\n@@ -0,0 \+1 @@\n\+p\n/m);

    const human = await h!.cli(['diff', 'canvas', '--workspace', h!.workspace]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /3 files changed: 1 added, 1 modified, 1 deleted; 3 unchanged/);
  });

  it('every upstream scope, a single-file command, and a binary file', async () => {
    const c = h!.client();
    await c.start();
    await c.request(CheckUpstreamRequest, {});
    const folders = [h!.workspace];

    const uc = await c.request(DiffRequest, { key: 'canvas', folders, scope: 'upstream-collection' });
    assert.equal(uc.key, 'default/canvas::skill');
    assert.deepEqual(uc.from, { side: 'collection' });
    assert.deepEqual(uc.to, { side: 'upstream', commit: w.head, ref: 'HEAD' });
    assert.deepEqual(brief(uc.files), {
      'SKILL.md': 'modified +1 -1',
      'guide.md': 'modified +0 -1',
      'keep.md': 'unchanged',
      'logo.png': 'modified binary',
      'new.md': 'added +1 -0',
      'old.md': 'deleted +0 -1',
    });

    const up = await c.request(DiffRequest, { key: 'canvas::skill::claude_code', folders, scope: 'upstream-project' });
    assert.equal(up.key, 'canvas::skill::claude_code');
    assert.deepEqual(brief(up.files), {
      'SKILL.md': 'modified +1 -2',
      'guide.md': 'modified +0 -1',
      'keep.md': 'unchanged',
      'logo.png': 'modified binary',
      'new.md': 'added +1 -0',
      'proj.md': 'deleted +0 -1',
    });

    const ch = await c.request(DiffRequest, { key: 'default/canvas::skill', scope: 'upstream-changes', unified: true });
    assert.deepEqual(ch.from, { side: 'upstream', commit: w.base, ref: 'HEAD' });
    assert.deepEqual(ch.to, { side: 'upstream', commit: w.head, ref: 'HEAD' });
    assert.deepEqual(brief(ch.files), {
      'SKILL.md': 'modified +1 -1',
      'guide.md': 'unchanged',
      'keep.md': 'unchanged',
      'logo.png': 'modified binary',
      'new.md': 'added +1 -0',
      'old.md': 'deleted +0 -1',
    });
    assert.deepEqual(ch.summary, { added: 1, modified: 2, deleted: 1, unchanged: 2 });
    assert.match(ch.unified ?? '', /^Binary files a\/logo.png and b\/logo.png differ$/m);
    assert.match(ch.unified ?? '', /^-s1\n\+s2\n/m);

    const cmd = await c.request(DiffRequest, { key: 'review::command', folders, scope: 'upstream-collection' });
    assert.deepEqual(brief(cmd.files), { 'review.md': 'modified +1 -1' });
    const cmdLocal = await c.request(DiffRequest, { key: 'review', folders });
    assert.deepEqual(brief(cmdLocal.files), { 'review.md': 'unchanged' });

    // The rows carry the cheap summary and the links; the human status says it.
    const status = await c.request(StatsRequest, {});
    assert.ok(status.caches.some((x) => x.name === 'blobs'));
    const r = await h!.cli(['status', '--workspace', h!.workspace, '--json']);
    const rows = (JSON.parse(r.stdout) as StatusResult).workspaces[0].artifacts;
    const canvas = rows.find((x) => x.name === 'canvas')!;
    assert.equal(canvas.upstream.state, 'update-available');
    assert.deepEqual(canvas.upstream.changes, { added: 1, modified: 2, deleted: 1, unchanged: 2 });
    assert.equal(canvas.upstream.baseSha, w.base);
    assert.equal(canvas.upstream.headSha, w.head);
    assert.equal(canvas.upstream.ref, 'HEAD');
    assert.equal(canvas.upstream.webUrl, `https://github.com/acme/kit/tree/${w.head}/skills/canvas`);
    assert.equal(canvas.upstream.compareUrl, `https://github.com/acme/kit/compare/${w.base}...${w.head}`);
    const review = rows.find((x) => x.name === 'review')!;
    assert.deepEqual(review.upstream.changes, { added: 0, modified: 1, deleted: 0, unchanged: 0 });
    assert.equal(review.upstream.webUrl, `https://github.com/acme/kit/blob/${w.head}/commands/review.md`);
    const human = await h!.cli(['status', '--workspace', h!.workspace]);
    assert.match(human.stdout, /canvas .*4 files changed upstream/);
    assert.match(human.stdout, /review .*1 file changed upstream/);
  });

  it('fetches upstream content once: one request per changed file, then 0, then nothing after a restart', async () => {
    const c = h!.client();
    await c.start();
    await c.request(CheckUpstreamRequest, {});
    gh.clearLog();
    const first = await c.request(DiffRequest, { key: 'canvas', scope: 'upstream-collection' });
    // SKILL.md, guide.md, logo.png, new.md differ from the collection copy; keep.md does not, and
    // old.md exists only locally.
    assert.equal(blobRequests(gh), 4, gh.requestLog.map((x) => x.path).join('\n'));
    assert.equal(gh.requestLog.length, 4, `nothing but the 4 blobs: ${gh.requestLog.map((x) => x.path).join(', ')}`);
    gh.clearLog();
    const again = await c.request(DiffRequest, { key: 'canvas', scope: 'upstream-collection' });
    assert.equal(gh.requestLog.length, 0, 'the same diff again costs nothing');
    assert.deepEqual(again.files, first.files);

    await c.stopDaemon();
    gh.clearLog();
    const c2 = h!.client();
    await c2.start();
    const after = await c2.request(DiffRequest, { key: 'canvas', scope: 'upstream-collection' });
    assert.deepEqual(after.files, first.files);
    assert.equal(blobRequests(gh), 0, 'no blob is downloaded again after a restart');
    assert.equal(gh.requests({ pathIncludes: '/git/trees/' }).length, 0, 'no tree is listed again after a restart');
    // Only the ref is revalidated (its answer from the last run is not trusted as fresh): a 304.
    assert.deepEqual(gh.requestLog.map((x) => x.status), [304]);
  });

  it('a blob GitHub refuses is reported with the reason, never as deleted', async () => {
    const c = h!.client();
    await c.start();
    await c.request(CheckUpstreamRequest, {});
    gh.failNext(404, {}, { match: '/git/blobs/', times: 10 });
    const r = await c.request(DiffRequest, { key: 'canvas', scope: 'upstream-collection' });
    const byPath = new Map(r.files.map((f) => [f.path, f]));
    assert.equal(byPath.get('SKILL.md')?.status, 'modified');
    assert.equal(byPath.get('new.md')?.status, 'added');
    assert.match(byPath.get('SKILL.md')?.error ?? '', /upstream content not available: blob [0-9a-f]{7} not found in acme\/kit/);
    assert.equal(byPath.get('SKILL.md')?.additions, undefined, 'no made-up line counts');
    assert.equal(byPath.get('keep.md')?.status, 'unchanged');
    assert.equal(byPath.get('old.md')?.status, 'deleted', 'only what is really gone upstream is deleted');
    assert.deepEqual(r.summary, { added: 1, modified: 3, deleted: 1, unchanged: 1 });
  });

  it('a damaged store entry is noticed and fetched again', async () => {
    const c = h!.client();
    await c.start();
    await c.request(CheckUpstreamRequest, {});
    const first = await c.request(DiffRequest, { key: 'canvas', scope: 'upstream-collection' });
    await c.stopDaemon();
    const blobsDir = fs.readdirSync(h!.stateDir).find((d) => d.startsWith('content-'));
    assert.ok(blobsDir, 'the content store lives in the state folder');
    const stored: string[] = [];
    const root = path.join(h!.stateDir, blobsDir, 'blobs');
    for (const p of fs.readdirSync(root)) for (const n of fs.readdirSync(path.join(root, p))) stored.push(path.join(root, p, n));
    assert.equal(stored.length, 4);
    for (const f of stored) assert.equal(fs.statSync(f).mode & 0o777, 0o600);
    fs.writeFileSync(stored[0], 'garbage');
    gh.clearLog();
    const c2 = h!.client();
    await c2.start();
    const again = await c2.request(DiffRequest, { key: 'canvas', scope: 'upstream-collection' });
    assert.deepEqual(again.files, first.files);
    assert.equal(blobRequests(gh), 1, 'exactly the damaged blob is fetched again');
  });

  it('fileContent: project, collection and upstream text; binary says so; missing is exists:false', async () => {
    const c = h!.client();
    await c.start();
    const folders = [h!.workspace];
    const proj = await c.request(FileContentRequest, { key: 'canvas', folders, side: 'project', path: 'SKILL.md' });
    assert.deepEqual(proj, { path: 'SKILL.md', side: 'project', exists: true, size: 17, text: '# canvas\ns1\nproj\n' });
    const col = await c.request(FileContentRequest, { key: 'canvas', folders, side: 'collection', path: 'proj.md' });
    assert.deepEqual(col, { path: 'proj.md', side: 'collection', exists: false });
    const up = await c.request(FileContentRequest, { key: 'canvas', side: 'upstream', commit: w.head, path: 'new.md' });
    assert.deepEqual(up, { path: 'new.md', side: 'upstream', commit: w.head, exists: true, size: 2, text: 'n\n' });
    const base = await c.request(FileContentRequest, { key: 'canvas', side: 'upstream', commit: w.base, path: 'new.md' });
    assert.equal(base.exists, false);
    const bin = await c.request(FileContentRequest, { key: 'canvas', side: 'upstream', path: 'logo.png' });
    assert.deepEqual(bin, { path: 'logo.png', side: 'upstream', commit: w.head, exists: true, size: LOGO_2.length, binary: true });
    const cmd = await c.request(FileContentRequest, { key: 'review::command', folders, side: 'project', path: 'review.md' });
    assert.equal(cmd.text, 'review\nr1\n');
    await assert.rejects(c.request(FileContentRequest, { key: 'canvas', folders, side: 'project', path: '../../etc/passwd' }), /must be relative to the artifact/);
  });

  it('a scope that does not apply, an unknown or ambiguous key: exit 2 with the reason', async () => {
    const local = await h!.cli(['diff', 'mine', '--scope', 'upstream-collection', '--workspace', h!.workspace]);
    assert.equal(local.code, 2);
    assert.match(local.stderr, /scope upstream-collection does not apply to default\/mine::skill: local artifact: no upstream source/);
    const none = await h!.cli(['diff', 'nothing', '--workspace', h!.workspace]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no artifact matches "nothing" \(a KEY is /);
    const notHere = await h!.cli(['diff', 'canvas', '--workspace', h!.root]);
    assert.equal(notHere.code, 2);
    assert.match(notHere.stderr, /default\/canvas::skill is not deployed in /);
    const bad = await h!.cli(['diff', 'canvas', '--scope', 'sideways', '--workspace', h!.workspace]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--scope must be one of collection-project, upstream-collection, upstream-project, upstream-changes/);
    const offline = await h!.cli(['diff', 'mine', '--scope', 'upstream-changes', '--workspace', h!.workspace, '--no-daemon']);
    assert.equal(offline.code, 2);
    assert.match(offline.stderr, /local artifact: no upstream source/);
  });

  it('diff --json through the daemon equals --no-daemon, for every scope', async () => {
    for (const scope of ['collection-project', 'upstream-collection', 'upstream-project', 'upstream-changes']) {
      for (const key of ['canvas', 'review']) {
        const args = [key, '--scope', scope, '--unified'];
        const viaDaemon = await h!.cli(['diff', ...args, '--workspace', h!.workspace, '--json', '--github-api-url', api]);
        const inProcess = await h!.cli(['diff', ...args, '--workspace', h!.workspace, '--json', '--no-daemon', '--github-api-url', api]);
        assert.equal(viaDaemon.code, 0, viaDaemon.stderr);
        assert.equal(inProcess.code, 0, inProcess.stderr);
        assert.equal(viaDaemon.stdout, inProcess.stdout, `${key} ${scope}`);
      }
    }
  });
});
