// The service as the daemon composes it, called directly in this process (so coverage sees
// daemon/service): real SkillMeat homes from test/fixtures/scenarios, watcher batches handed to
// applyChanges as the watcher would, and the fake GitHub for checks.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileLogger } from '../../daemon/log';
import { ArtifactKeyError } from '../../daemon/service/artifactResolver';
import { SyncService, type SyncServiceOptions } from '../../daemon/service/syncService';
import type { DaemonStatusParams, DidChangeParams } from '../../shared/protocol';
import { CONTENT, SCENARIOS, writeFile } from '../fixtures/scenarios/build';
import { FakeGitHub } from '../fakeGithub/server';
import { buildDiffWorld } from './diffWorld';

const SOURCE = 'github:github.com/anthropics/skills@latest';
const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('the sync service in-process', function () {
  this.timeout(30_000);
  let root: string;
  const services: SyncService[] = [];

  function scenario(name: string): { home: string; project: string } {
    const s = SCENARIOS.find((x) => x.name === name);
    assert.ok(s, name);
    return s.build(path.join(root, name));
  }

  function service(home: string, extra: Partial<SyncServiceOptions> = {}): SyncService {
    const s = new SyncService({ home, log: new FileLogger(undefined, 'error'), watch: false, env: {}, ...extra });
    services.push(s);
    return s;
  }

  function changes(s: SyncService): DidChangeParams[] {
    const seen: DidChangeParams[] = [];
    s.onDidChange = (p) => seen.push(p);
    return seen;
  }

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-svc-'));
  });
  afterEach(async () => {
    for (const s of services.splice(0)) await s.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('status, its spliced JSON, counts and stats agree with the scenario', async () => {
    const { home, project } = scenario('clean-github-skill');
    const s = service(home);
    await s.init();
    const st = await s.status([project]);
    assert.equal(st.activeCollection, 'default');
    assert.deepEqual(
      st.workspaces[0].artifacts.map((r) => [r.key, r.status]),
      [['canvas-design::skill::claude_code', 'synced']],
    );
    assert.equal(Buffer.concat(await s.statusJson([project])).toString('utf8'), JSON.stringify(await s.status([project])), 'the spliced answer is the plain one, byte for byte');
    const counts = await s.counts();
    assert.deepEqual(
      counts.collections.map((c) => [c.name, c.total]),
      [['default', 1]],
    );
    const unknown = await s.counts(['nope']);
    assert.equal(unknown.collections.length, 1);
    assert.ok(unknown.collections[0].error, `a collection that is not there is an error on that item: ${JSON.stringify(unknown)}`);
    const names = s.cacheStats().map((c) => c.name);
    for (const n of ['counts', 'hashes', 'upstream', 'status']) assert.ok(names.includes(n), n);
    const status = s.cacheStats().find((c) => c.name === 'status');
    assert.equal(status?.folders, 1);
    assert.deepEqual(s.watcherInfo(), { healthy: false, watched: 0, message: 'not watching (in-process mode)' });
    assert.equal(s.tokenSource(), 'anonymous');
  });

  it('without watchers every request re-reads the disk: an edit shows on the next answer', async () => {
    const { home, project } = scenario('clean-github-skill');
    const s = service(home);
    assert.equal((await s.status([project])).workspaces[0].artifacts[0].status, 'synced');
    fs.appendFileSync(path.join(project, '.claude/skills/canvas-design/SKILL.md'), 'edited\n');
    assert.equal((await s.status([project])).workspaces[0].artifacts[0].status, 'modified');
  });

  it('a deployed-file batch recomputes that row and says which key changed', async () => {
    const { home, project } = scenario('clean-github-skill');
    const s = service(home);
    const seen = changes(s);
    s.subscribe([project]);
    await s.status([project]);
    const file = path.join(project, '.claude/skills/canvas-design/SKILL.md');
    fs.appendFileSync(file, 'edited\n');
    await s.applyChanges([{ kind: 'deployedFiles', folder: project, paths: [file] }]);
    assert.deepEqual(seen.at(-1)?.workspaces, [{ folder: project, keys: ['canvas-design::skill::claude_code'] }]);
    // Unsubscribed folders are recomputed on their next request only.
    s.unsubscribe([project]);
    const before = seen.length;
    fs.appendFileSync(file, 'again\n');
    await s.applyChanges([{ kind: 'tracker', folder: project, file: path.join(project, '.claude/.skillmeat-deployed.toml') }]);
    assert.equal(seen.length, before);
  });

  it('didChange carries not-deployed changes: an artifact added to the manifest is a key of the folder', async () => {
    const { home, project } = scenario('clean-github-skill');
    const s = service(home);
    const seen = changes(s);
    s.subscribe([project]);
    assert.deepEqual((await s.status([project])).workspaces[0].notDeployed, []);
    const C = path.join(home, 'collections', 'default');
    writeFile(path.join(C, 'skills/fresh/SKILL.md'), 'fresh\n');
    const manifest = path.join(C, 'collection.toml');
    fs.appendFileSync(manifest, '\n[[artifacts]]\nname = "fresh"\ntype = "skill"\npath = "skills/fresh"\norigin = "local"\nadded = "2026-01-10T09:05:00.000001"\n');
    await s.applyChanges([{ kind: 'manifest', collection: 'default' }]);
    const last = seen.at(-1);
    assert.ok(last, 'a didChange was sent');
    assert.deepEqual(last.workspaces, [{ folder: project, keys: ['notDeployed:default/fresh::skill'] }], 'the folder lists the not-deployed key');
    assert.deepEqual(last.collections, ['default'], 'and the counts of its collection changed');
    // A manifest rewrite that keeps membership changes no counts and no rows.
    fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8') + '\n');
    await s.applyChanges([{ kind: 'manifest', collection: 'default' }]);
    assert.deepEqual(seen.at(-1), last, 'nothing new to tell');
  });

  it('a manifest that moves an artifact\'s resolved_sha drops that source\'s upstream answer (invalidateMovedUpstreams)', async () => {
    const { home, project } = scenario('clean-github-skill');
    const s = service(home);
    await s.init();
    s.subscribe([project]);
    s.upstreamCache.setRef(SOURCE, SHA, '"etag"');
    s.upstreamCache.setRef('github:github.com/other/repo@main', SHA, '"etag"');
    const row = async () => (await s.status([project])).workspaces[0].artifacts[0].upstream;
    assert.equal((await row()).state, 'current', 'the seeded answer shows in the row');
    const manifest = path.join(home, 'collections', 'default', 'collection.toml');
    // Unchanged upstream fields: the answer stays.
    fs.appendFileSync(manifest, '\n');
    await s.applyChanges([{ kind: 'manifest', collection: 'default' }]);
    assert.ok(s.upstreamCache.getRef(SOURCE).answer, 'a rewrite that keeps the fields keeps the answer');
    // SkillMeat's update rewrote resolved_sha: that source's answer goes, others stay.
    fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replaceAll(SHA, 'f'.repeat(40)));
    await s.applyChanges([{ kind: 'manifest', collection: 'default' }]);
    assert.equal(s.upstreamCache.getRef(SOURCE).answer, undefined, 'the moved source is dropped');
    assert.ok(s.upstreamCache.getRef('github:github.com/other/repo@main').answer, 'an unrelated source stays');
    assert.notEqual((await row()).state, 'current');
  });

  it('invalidate: counts, hashes, upstream by key (unknown and ambiguous keys are errors), all', async () => {
    const { home, project } = scenario('multiple-collections-marketplace');
    const s = service(home);
    const seen = changes(s);
    s.subscribe([project]);
    await s.status([project]);
    await s.counts();
    assert.deepEqual((await s.invalidate({ scope: 'counts', keys: ['default'] })).dropped, { counts: 1 });
    assert.deepEqual((await s.invalidate({ scope: 'counts', keys: ['default'] })).dropped, { counts: 0 }, 'already dropped');
    assert.ok((await s.invalidate({ scope: 'hashes' })).dropped.hashes >= 0);
    const up = await s.invalidate({ scope: 'upstream', keys: ['work/supabase-helper.md::command', 'github:github.com/acme/catalog@latest'] });
    assert.deepEqual(up.dropped, { upstream: 0, upstreamFailures: 0 });
    await assert.rejects(s.invalidate({ scope: 'upstream', keys: ['nothing::skill'] }), (e: unknown) => e instanceof ArtifactKeyError && /no artifact matches "nothing::skill"/.test((e as Error).message));
    // `review` is only in default, `helper` only in work; a name in both would be ambiguous.
    const C = path.join(home, 'collections', 'work');
    writeFile(path.join(C, 'skills/pdf/SKILL.md'), CONTENT.V2['SKILL.md'] as string);
    fs.appendFileSync(path.join(C, 'collection.toml'), '\n[[artifacts]]\nname = "pdf"\ntype = "skill"\npath = "skills/pdf"\norigin = "local"\nadded = "2026-01-10T09:05:00.000001"\n');
    await assert.rejects(s.invalidate({ scope: 'upstream', keys: ['pdf::skill'] }), /"pdf::skill" is ambiguous: default\/pdf::skill, work\/pdf::skill/);
    const all = await s.invalidate({ scope: 'all' });
    assert.deepEqual(Object.keys(all.dropped).sort(), ['counts', 'hashes', 'upstream', 'upstreamFailures']);
    assert.equal(seen.at(-1)?.home, true);
  });

  it('folders nobody subscribes to are forgotten past the folder bound', async () => {
    const { home } = scenario('clean-github-skill');
    const s = service(home);
    const dirs = Array.from({ length: 70 }, (_, i) => {
      const d = path.join(root, 'many', String(i));
      fs.mkdirSync(d, { recursive: true });
      return d;
    });
    s.subscribe([dirs[0]]);
    for (const d of dirs) await s.status([d]);
    const stats = s.cacheStats().find((c) => c.name === 'status');
    assert.ok(typeof stats?.folders === 'number' && stats.folders <= 65, `kept ${stats?.folders}`);
    assert.equal(stats?.subscribed, 1, 'the subscribed folder is kept');
  });

  it('settings, token and status: configure applies without a restart', async () => {
    const { home } = scenario('clean-github-skill');
    const s = service(home);
    const statuses: DaemonStatusParams[] = [];
    s.onDaemonStatus = (p) => statuses.push(p);
    s.configure({ countsTtlSeconds: 5, upstreamTtlSeconds: 7, upstreamErrorTtlSeconds: 3, autoCheckIntervalMinutes: 30, githubApiUrl: 'https://ghe.example.com/api/v3' });
    assert.equal(s.cacheStats().find((c) => c.name === 'counts')?.ttlSeconds, 5);
    assert.equal(s.cacheStats().find((c) => c.name === 'upstream')?.ttlSeconds, 7);
    assert.equal(s.githubApiUrl(), 'https://ghe.example.com/api/v3');
    s.configure({ autoCheckIntervalMinutes: 0 });
    await s.setEditorToken('ghp_' + 'x'.repeat(36), 'vscode', 'https://ghe.example.com/api/v3');
    assert.notEqual(s.tokenSource(), 'anonymous');
    await s.setEditorToken(null, 'vscode');
    assert.equal(s.currentStatus().state, 'ok');
    assert.equal(s.rateLimit(), undefined);
  });

  it('checkUpstream: KEYs resolve to one artifact each, through the folders\' rows for a row key', async () => {
    const gh = new FakeGitHub();
    const api = await gh.start();
    try {
      const home = path.join(root, 'gh-home');
      const ws = path.join(root, 'gh-ws');
      fs.mkdirSync(home, { recursive: true });
      fs.mkdirSync(ws, { recursive: true });
      await buildDiffWorld(gh, home, ws);
      const s = service(home, { githubApiUrlFlag: api });
      await s.init();
      const one = await s.checkUpstream({ keys: ['canvas'] });
      assert.deepEqual(
        one.results.map((r) => [r.artifact, r.upstream.state]),
        [['default/canvas::skill', 'update-available']],
      );
      const byRow = await s.checkUpstream({ keys: ['review::command::claude_code'], folders: [ws] });
      assert.deepEqual(
        byRow.results.map((r) => r.artifact),
        ['default/review::command'],
      );
      const folder = await s.checkUpstream({ folders: [ws] });
      assert.deepEqual(folder.results.map((r) => r.artifact).sort(), ['default/canvas::skill', 'default/mine::skill', 'default/review::command']);
      await assert.rejects(s.checkUpstream({ keys: ['canvas', 'nothing'] }), /no artifact matches "nothing"/);
    } finally {
      await gh.stop();
    }
  });
});
