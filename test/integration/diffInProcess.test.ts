// The diff engine as the daemon runs it, in this process (so coverage sees it): the service with a
// content store against the fake GitHub — listings taken from the check's trees, a restart that
// reads listings and blobs back from disk, rate limits honoured, and the rows' change summary.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileLogger } from '../../daemon/log';
import { SyncService } from '../../daemon/service/syncService';
import { DiffError } from '../../daemon/diff/artifactDiff';
import { InvalidParamsError } from '../../shared/protocol';
import { FakeGitHub } from '../fakeGithub/server';
import { buildDiffWorld, type DiffWorld } from './diffWorld';

describe('diff in-process: the service with its content store (issue #13)', function () {
  this.timeout(30_000);
  let gh: FakeGitHub;
  let api: string;
  let root: string;
  let home: string;
  let ws: string;
  let w: DiffWorld;
  const services: SyncService[] = [];

  function service(): SyncService {
    const s = new SyncService({
      home,
      log: new FileLogger(undefined, 'error'),
      watch: false,
      contentStoreDir: path.join(root, 'state', 'content'),
      upstreamStoreFile: path.join(root, 'state', 'upstream.json'),
      githubApiUrlFlag: api,
    });
    services.push(s);
    return s;
  }

  beforeEach(async () => {
    gh = new FakeGitHub();
    api = await gh.start();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-diffip-'));
    home = path.join(root, 'home');
    ws = path.join(root, 'ws');
    fs.mkdirSync(home, { recursive: true });
    fs.mkdirSync(ws, { recursive: true });
    w = await buildDiffWorld(gh, home, ws);
  });
  afterEach(async () => {
    for (const s of services.splice(0)) await s.close();
    await gh.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('lists from the check\'s trees, downloads each changed blob once, and a restart reads both back from disk', async () => {
    const s1 = service();
    await s1.init();
    await s1.checkUpstream({});
    const treesAfterCheck = gh.requests({ pathIncludes: '/git/trees/' }).length;
    const first = await s1.diff({ key: 'canvas', scope: 'upstream-changes' });
    assert.equal(gh.requests({ pathIncludes: '/git/trees/' }).length, treesAfterCheck, 'both listings come from the trees the check fetched');
    assert.equal(gh.requests({ pathIncludes: '/git/blobs/' }).length, 6, 'SKILL.md and logo.png on both sides, old.md and new.md');
    const stats = s1.cacheStats().find((c) => c.name === 'blobs')!;
    assert.equal(stats.downloads, 6);
    assert.equal(stats.size, 6);
    await s1.close();

    gh.clearLog();
    const s2 = service();
    await s2.init();
    const again = await s2.diff({ key: 'canvas', scope: 'upstream-changes' });
    assert.deepEqual(again.files, first.files);
    assert.deepEqual(
      gh.requestLog.map((r) => r.path.replace(/\?.*/, '')),
      ['/repos/acme/kit/commits/HEAD'],
      'after a restart only the ref is asked again',
    );
    const file = await s2.fileContent({ key: 'canvas', side: 'upstream', commit: w.base, path: 'old.md' });
    assert.equal(file.text, 'o\n');
    const col = await s2.fileContent({ key: 'default/canvas::skill', side: 'collection', path: 'guide.md' });
    assert.equal(col.text, 'g1\ncol\n');
  });

  it('a listing not in memory costs one request for the folder\'s tree; rows carry the summary', async () => {
    const s = service();
    await s.init();
    // No check first: the head is asked, the path entries and the folder listing are fetched.
    const r = await s.diff({ key: 'review::command', folders: [ws], scope: 'upstream-project', unified: true });
    assert.deepEqual(
      r.files.map((f) => [f.path, f.status, f.additions, f.deletions]),
      [['review.md', 'modified', 1, 1]],
    );
    assert.match(r.unified ?? '', /^-r1\n\+r2\n/m);
    const status = await s.status([ws]);
    const canvas = status.workspaces[0].artifacts.find((a) => a.name === 'canvas')!;
    assert.equal(canvas.upstream.changes, undefined, 'no summary before a check');
    await s.checkUpstream({ folders: [ws] });
    const after = await s.status([ws]);
    const row = after.workspaces[0].artifacts.find((a) => a.name === 'canvas')!;
    assert.deepEqual(row.upstream.changes, { added: 1, modified: 2, deleted: 1, unchanged: 2 });
  });

  it('single flight: concurrent diffs wanting the same blobs download each once', async () => {
    const s = service();
    await s.init();
    await s.checkUpstream({});
    gh.clearLog();
    gh.setLatency(100);
    const results = await Promise.all([
      s.diff({ key: 'canvas', scope: 'upstream-collection' }),
      s.diff({ key: 'canvas', scope: 'upstream-collection' }),
      s.diff({ key: 'canvas', scope: 'upstream-changes' }),
      s.fileContent({ key: 'canvas', side: 'upstream', path: 'SKILL.md' }),
    ]);
    assert.deepEqual(results[0], results[1]);
    const blobs = gh.requests({ pathIncludes: '/git/blobs/' }).map((r) => r.path);
    assert.equal(new Set(blobs).size, blobs.length, `a blob was downloaded twice: ${blobs.join(', ')}`);
    // head side: SKILL.md, guide.md, logo.png, new.md; base side for upstream-changes: SKILL.md, logo.png, old.md
    assert.equal(blobs.length, 7);
  });

  it('rate-limited: the blobs that cannot be fetched say so; bad keys and sides are refused as bad input', async () => {
    const s = service();
    await s.init();
    await s.checkUpstream({});
    gh.failNext(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) }, { match: '/git/blobs/' });
    const r = await s.diff({ key: 'canvas', scope: 'upstream-collection' });
    const refused = r.files.filter((f) => f.error);
    assert.equal(refused.length, 1, 'the one refused answer (the others were already on their way)');
    assert.match(refused[0].error!, /rate limit/i);
    assert.notEqual(refused[0].status, 'deleted');
    gh.clearLog();
    const again = await s.diff({ key: 'canvas', scope: 'upstream-collection' });
    assert.equal(gh.requestLog.length, 0, 'nothing is sent before the reset; the others come from the store');
    assert.deepEqual(again.files.filter((f) => f.error).map((f) => [f.path, f.status]), [[refused[0].path, refused[0].status]]);
    assert.match(again.files.find((f) => f.error)!.error!, /no requests until/);
    await assert.rejects(s.diff({ key: 'canvas', scope: 'upstream-project' }), (e: unknown) => e instanceof DiffError && /workspace folder/.test(e.message));
    await assert.rejects(s.diff({ key: 'a::b::c::d' }), (e: unknown) => e instanceof InvalidParamsError && /too many/.test(e.message));
    await assert.rejects(s.fileContent({ key: 'canvas', side: 'upstream', commit: 'abc', path: 'x' }), /40-character/);
  });
});
