// Issue #4 through the real daemon and real files: after each kind of change the next status /
// counts answer is right, subscribers hear about it within a second, and nothing stale is served.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CountsRequest, InvalidateRequest, StatsRequest, StatusRequest } from '../../shared/protocol';
import type { DidChangeParams } from '../../shared/protocol';
import type { DaemonClient } from '../../shared/client';
import type { ArtifactRow, CountsResult, StatusResult } from '../../shared/types';
import { eventually, Harness } from '../helpers/daemonHarness';
import { ageTree } from '../helpers/ageTree';

/** Issue #4: a subscribed client hears about a change within this long. */
const DID_CHANGE_WITHIN_MS = 1000;

const CODE_REVIEWER_TRACKER_RECORD = (profile: string, root: string): string => `[[deployed]]
artifact_name = "code-reviewer"
artifact_type = "agent"
from_collection = "default"
deployed_at = "2026-11-22T01:40:00.000000"
artifact_path = "agents/code-reviewer.md"
content_hash = "a316077079e155c76455e4688b47f459de11e97e6669cc00803106bbc227b405"
local_modifications = false
deployment_profile_id = "${profile}"
platform = "${profile}"
profile_root_dir = "${root}"
collection_sha = "a316077079e155c76455e4688b47f459de11e97e6669cc00803106bbc227b405"
`;

function rowsByName(r: StatusResult): Record<string, ArtifactRow> {
  return Object.fromEntries(r.workspaces[0].artifacts.map((a) => [a.name, a]));
}

function statusByName(r: StatusResult): Record<string, string> {
  return Object.fromEntries(r.workspaces[0].artifacts.map((a) => [a.name, a.status]));
}

/** A SkillMeat-style manifest/lock with one command `name` in collection `id`. */
function writeCollection(dir: string, id: string, command: string): void {
  fs.mkdirSync(path.join(dir, 'commands'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'commands', `${command}.md`), `---\ndescription: ${command}\n---\nDo ${command}.\n`);
  fs.writeFileSync(
    path.join(dir, 'collection.toml'),
    `[collection]\nname = "${id}"\nversion = "1.0.0"\ncreated = "2026-11-22T01:34:04.783560"\nupdated = "2026-11-22T01:34:04.783560"\n\n[[artifacts]]\nname = "${command}"\ntype = "command"\npath = "commands/${command}.md"\norigin = "local"\nadded = "2026-11-22T01:34:06.938188"\n`,
  );
}

/** SkillMeat writes collection.toml to a temp file and renames it over the old one. */
function writeAtomically(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function removeArtifactBlock(manifest: string, name: string): string {
  const blocks = manifest.split(/(?=^\[\[artifacts\]\]$)/m);
  const kept = blocks.filter((b) => !b.includes(`[[artifacts]]\nname = "${name}"\n`));
  assert.equal(kept.length, blocks.length - 1, `manifest has one block for ${name}`);
  return kept.join('');
}

describe('invalidation through the real daemon (issue #4)', function () {
  this.timeout(60_000);
  let h: Harness;
  let c: DaemonClient;
  let changes: { at: number; p: DidChangeParams }[];
  let manifestPath: string;

  async function startSubscribed(harness: Harness): Promise<void> {
    h = harness;
    manifestPath = path.join(h.home, 'collections', 'default', 'collection.toml');
    c = h.client();
    await c.start();
    changes = [];
    c.onDidChange((p) => changes.push({ at: Date.now(), p }));
    await c.subscribe([h.workspace]);
    // Rows are cached before the change: the test is that they do not outlive it.
    await c.request(StatusRequest, { folders: [h.workspace] });
    await c.request(CountsRequest, {});
  }

  /** Waits for a didChange after `since` that satisfies `pred`; issue #4 says within 1 s. */
  async function didChange(since: number, pred: (p: DidChangeParams) => boolean, what: string): Promise<DidChangeParams> {
    const hit = await eventually(() => changes.find((x) => x.at >= since && pred(x.p)), DID_CHANGE_WITHIN_MS, `didChange (${what}) within ${DID_CHANGE_WITHIN_MS} ms`);
    return hit!.p;
  }

  const status = (): Promise<StatusResult> => c.request(StatusRequest, { folders: [h.workspace] });
  const counts = (): Promise<CountsResult> => c.request(CountsRequest, {});
  const rowKeyChanged = (key: string) => (p: DidChangeParams): boolean => p.workspaces.some((w) => w.folder === h.workspace && w.keys.includes(key));

  afterEach(async () => h?.cleanup());

  it('edit a deployed file: the row turns modified', async () => {
    await startSubscribed(new Harness({ fixture: 'after-deploy' }));
    assert.equal(statusByName(await status())['code-reviewer'], 'synced');
    const t0 = Date.now();
    fs.appendFileSync(path.join(h.workspace, '.claude/agents/code-reviewer.md'), '\nlocal note\n');
    await didChange(t0, rowKeyChanged('code-reviewer::agent::claude_code'), 'deployed file edited');
    const row = rowsByName(await status())['code-reviewer'];
    assert.equal(row.status, 'modified');
    assert.notEqual(row.projectHash, row.deployedHash);
    assert.equal(row.collectionHash, row.deployedHash);
  });

  it('edit a collection copy: the row turns outdated and the collection copy dirty', async () => {
    await startSubscribed(new Harness({ fixture: 'after-deploy' }));
    const t0 = Date.now();
    fs.appendFileSync(path.join(h.home, 'collections/default/agents/code-reviewer.md'), '\ncollection note\n');
    await didChange(t0, rowKeyChanged('code-reviewer::agent::claude_code'), 'collection copy edited');
    const row = rowsByName(await status())['code-reviewer'];
    assert.equal(row.status, 'outdated');
    assert.notEqual(row.collectionHash, row.lockHash);
    assert.equal(row.collectionDirty, true);
    assert.equal(row.projectHash, row.deployedHash);
  });

  it('add an artifact to the manifest: counts grow and it is listed as not deployed', async () => {
    await startSubscribed(new Harness({ fixture: 'after-edits' }));
    const dir = path.join(h.home, 'collections/default/commands');
    fs.writeFileSync(path.join(dir, 'ship.md'), '---\ndescription: ship it\n---\nShip.\n');
    const t0 = Date.now();
    writeAtomically(
      manifestPath,
      `${fs.readFileSync(manifestPath, 'utf8')}\n[[artifacts]]\nname = "ship"\ntype = "command"\npath = "commands/ship.md"\norigin = "local"\nadded = "2026-11-22T02:00:00.000000"\n`,
    );
    await didChange(t0, (p) => p.collections.includes('default'), 'manifest gained an artifact');
    const def = (await counts()).collections.find((x) => x.name === 'default');
    assert.equal(def?.total, 5);
    assert.equal(def?.byType.command, 2);
    const st = await status();
    assert.ok(st.workspaces[0].notDeployed.some((n) => n.name === 'ship' && n.type === 'command'), JSON.stringify(st.workspaces[0].notDeployed));
    assert.deepEqual(statusByName(st), { 'pdf-tools': 'modified', 'notes-helper': 'outdated', review: 'modified', 'code-reviewer': 'synced' });
  });

  it('remove an artifact from the manifest: counts shrink and its row is orphaned', async () => {
    await startSubscribed(new Harness({ fixture: 'after-edits' }));
    const t0 = Date.now();
    // A plain in-place rewrite this time (not temp + rename).
    fs.writeFileSync(manifestPath, removeArtifactBlock(fs.readFileSync(manifestPath, 'utf8'), 'code-reviewer'));
    await didChange(t0, (p) => p.collections.includes('default'), 'manifest lost an artifact');
    const def = (await counts()).collections.find((x) => x.name === 'default');
    assert.equal(def?.total, 3);
    assert.equal(def?.byType.agent ?? 0, 0);
    await didChange(t0, rowKeyChanged('code-reviewer::agent::claude_code'), 'row of the removed artifact');
    assert.equal(rowsByName(await status())['code-reviewer'].status, 'orphaned');
  });

  it('delete a collection folder: it leaves the counts and its rows are orphaned', async () => {
    const world = new Harness({ fixture: 'after-edits' });
    writeCollection(path.join(world.home, 'collections', 'work'), 'work', 'triage');
    await startSubscribed(world);
    assert.deepEqual((await counts()).collections.map((x) => x.name), ['default', 'work']);
    let t0 = Date.now();
    fs.rmSync(path.join(h.home, 'collections', 'work'), { recursive: true });
    await didChange(t0, (p) => p.collections.includes('work'), 'collection folder deleted');
    assert.deepEqual((await counts()).collections.map((x) => x.name), ['default']);

    t0 = Date.now();
    fs.rmSync(path.join(h.home, 'collections', 'default'), { recursive: true });
    await didChange(t0, (p) => p.collections.includes('default'), 'the deployed-from collection deleted');
    assert.deepEqual((await counts()).collections, []);
    await didChange(t0, rowKeyChanged('pdf-tools::skill::claude_code'), 'rows of the deleted collection');
    const rows = (await status()).workspaces[0].artifacts;
    assert.equal(rows.length, 4);
    for (const r of rows) assert.equal(r.status, 'orphaned', `${r.name}: ${r.status}`);
  });

  it('change the active collection in config.toml', async () => {
    const world = new Harness({ fixture: 'after-edits' });
    writeCollection(path.join(world.home, 'collections', 'work'), 'work', 'triage');
    await startSubscribed(world);
    const before = await counts();
    assert.deepEqual(before.collections.map((x) => [x.name, x.active]), [['default', true], ['work', false]]);
    const cfg = path.join(h.home, 'config.toml');
    const t0 = Date.now();
    fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace('default-collection = "default"', 'default-collection = "work"'));
    await didChange(t0, (p) => p.home === true || (p.collections.includes('default') && p.collections.includes('work')), 'active collection changed');
    const after = await counts();
    assert.deepEqual(after.collections.map((x) => [x.name, x.active]), [['default', false], ['work', true]]);
    const st = await status();
    assert.equal(st.activeCollection, 'work');
    // Rows keep their own from_collection: the switch must not touch their statuses.
    assert.deepEqual(statusByName(st), { 'pdf-tools': 'modified', 'notes-helper': 'outdated', review: 'modified', 'code-reviewer': 'synced' });
  });

  it('a tracker rewritten in two halves 50 ms apart never flaps to "no deployments"', async () => {
    await startSubscribed(new Harness({ fixture: 'after-edits' }));
    const tracker = path.join(h.workspace, '.claude/.skillmeat-deployed.toml');
    const full = fs.readFileSync(tracker);
    // The rewrite marks code-reviewer as locally modified so the final answer differs from the first.
    const next = Buffer.from(full.toString('utf8').replace(/(artifact_name = "code-reviewer"[\s\S]*?)local_modifications = false/, '$1local_modifications = true'));
    assert.notDeepEqual(next, full);
    const answers: StatusResult[] = [];
    const seen: DidChangeParams[] = [];
    c.onDidChange((p) => seen.push(p));
    let polling = true;
    const poller = (async () => {
      while (polling) {
        answers.push(await status());
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      // 50 ms as issue #4 says; 250 ms too, longer than the watcher's debounce, so the daemon
      // surely reads the half-written file at least once.
      for (const gap of [50, 250, 50]) {
        const half = Math.floor(next.length / 2);
        const fd = fs.openSync(tracker, 'w'); // truncate, like SkillMeat's open("wb")
        fs.writeSync(fd, next, 0, half);
        await new Promise((r) => setTimeout(r, gap));
        fs.writeSync(fd, next, half, next.length - half);
        fs.closeSync(fd);
        await new Promise((r) => setTimeout(r, 400));
      }
      // Let any deferred re-read finish, then keep polling a little longer.
      await new Promise((r) => setTimeout(r, 800));
    } finally {
      polling = false;
      await poller;
    }
    assert.ok(answers.length > 20, `polled ${answers.length} times`);
    for (const [i, a] of answers.entries()) {
      const ws = a.workspaces[0];
      assert.deepEqual(ws.artifacts.map((r) => r.name).sort(), ['code-reviewer', 'notes-helper', 'pdf-tools', 'review'], `answer ${i} lost rows: ${JSON.stringify(ws)}`);
      assert.ok(!ws.artifacts.some((r) => r.status === 'unknown'), `answer ${i} has an unknown row: ${JSON.stringify(ws.artifacts.map((r) => [r.name, r.status, r.reason]))}`);
    }
    // A didChange that removed rows would name keys whose rows are gone afterwards; none may.
    const last = answers[answers.length - 1].workspaces[0];
    assert.deepEqual(statusByName(answers[answers.length - 1]), { 'pdf-tools': 'modified', 'notes-helper': 'outdated', review: 'modified', 'code-reviewer': 'synced' });
    for (const p of seen) for (const w of p.workspaces) for (const k of w.keys) if (!k.startsWith('notDeployed:') && k !== 'warnings') assert.ok(last.artifacts.some((r) => r.key === k), `didChange named ${k}, which vanished`);
    assert.equal(fs.readFileSync(tracker).toString(), next.toString());
  });

  it('a new collection folder appears: counts include it', async () => {
    await startSubscribed(new Harness({ fixture: 'after-edits' }));
    // Built aside and renamed in: one event, fully written.
    const staging = path.join(h.root, 'staging-team');
    writeCollection(staging, 'team', 'standup');
    let t0 = Date.now();
    fs.renameSync(staging, path.join(h.home, 'collections', 'team'));
    await didChange(t0, (p) => p.collections.includes('team'), 'collection folder added');
    const team = (await counts()).collections.find((x) => x.name === 'team');
    assert.deepEqual(team && { total: team.total, byType: team.byType, active: team.active }, { total: 1, byType: { command: 1 }, active: false });

    // Created in place the way a tool does it: folder first, manifest a moment later.
    t0 = Date.now();
    const dir = path.join(h.home, 'collections', 'ops');
    fs.mkdirSync(dir);
    await new Promise((r) => setTimeout(r, 50));
    writeCollection(dir, 'ops', 'deploy');
    await eventually(async () => (await counts()).collections.find((x) => x.name === 'ops')?.total === 1, 5000, 'ops counted');
    await didChange(t0, (p) => p.collections.includes('ops'), 'second collection added');
    assert.deepEqual((await counts()).collections.map((x) => x.name), ['default', 'ops', 'team']);
  });

  it('a new hidden profile root with a tracker: its rows appear', async () => {
    await startSubscribed(new Harness({ fixture: 'after-deploy' }));
    assert.equal((await status()).workspaces[0].artifacts.length, 4);
    for (const root of ['.cursor', '.windsurf']) {
      const dir = path.join(h.workspace, root);
      const profile = root.slice(1);
      fs.mkdirSync(path.join(dir, 'agents'), { recursive: true });
      fs.copyFileSync(path.join(h.workspace, '.claude/agents/code-reviewer.md'), path.join(dir, 'agents/code-reviewer.md'));
      const t0 = Date.now();
      fs.writeFileSync(path.join(dir, '.skillmeat-deployed.toml'), CODE_REVIEWER_TRACKER_RECORD(profile, root));
      const key = `code-reviewer::agent::${profile}`;
      await didChange(t0, rowKeyChanged(key), `tracker in ${root}`);
      const row = (await status()).workspaces[0].artifacts.find((r) => r.key === key);
      assert.equal(row?.status, 'synced', JSON.stringify(row));
      assert.equal(row?.profileRoot, root);
      // and its deployed files are watched from now on
      const t1 = Date.now();
      fs.appendFileSync(path.join(dir, 'agents/code-reviewer.md'), '\nedited\n');
      await didChange(t1, rowKeyChanged(key), `file under ${root}`);
      assert.equal((await status()).workspaces[0].artifacts.find((r) => r.key === key)?.status, 'modified');
    }
    assert.equal((await status()).workspaces[0].artifacts.length, 6);
  });

  it('the invalidate request drops entries and the answers stay right', async () => {
    await startSubscribed(new Harness({ fixture: 'after-edits' }));
    const expected = { 'pdf-tools': 'modified', 'notes-helper': 'outdated', review: 'modified', 'code-reviewer': 'synced' };
    const hashes = await c.request(InvalidateRequest, { scope: 'hashes' });
    assert.ok(hashes.dropped.hashes >= 4, JSON.stringify(hashes));
    assert.deepEqual(statusByName(await status()), expected);
    const cnt = await c.request(InvalidateRequest, { scope: 'counts', keys: ['default'] });
    assert.deepEqual(cnt.dropped, { counts: 1 });
    const again = await c.request(InvalidateRequest, { scope: 'counts', keys: ['default'] });
    assert.deepEqual(again.dropped, { counts: 0 });
    assert.equal((await counts()).collections[0].total, 4);
    const all = await c.request(InvalidateRequest, { scope: 'all' });
    assert.deepEqual(Object.keys(all.dropped).sort(), ['counts', 'hashes', 'upstream', 'upstreamFailures']);
    assert.deepEqual(statusByName(await status()), expected);
    const stats = await c.request(StatsRequest, {});
    const countsStats = stats.caches.find((x) => x.name === 'counts')!;
    assert.ok(countsStats.misses >= 2, JSON.stringify(countsStats));
  });

  it('without file watching, every answer is still right (SKILLMEAT_SYNC_DISABLE_WATCH)', async () => {
    h = new Harness({ fixture: 'after-deploy', daemonEnv: { SKILLMEAT_SYNC_DISABLE_WATCH: '1' } });
    c = h.client();
    await c.start();
    const info = (await c.request(StatsRequest, {})).daemon.watchers;
    assert.equal(info.healthy, false);
    assert.match(info.message ?? '', /SKILLMEAT_SYNC_DISABLE_WATCH/);
    const first = await c.request(StatusRequest, { folders: [h.workspace] });
    assert.deepEqual(statusByName(first), { 'pdf-tools': 'synced', 'notes-helper': 'synced', review: 'synced', 'code-reviewer': 'synced' });
    assert.ok(first.warnings?.some((w) => /file watching is not available/.test(w)), JSON.stringify(first.warnings));
    await c.request(CountsRequest, {});

    // Each change is followed immediately by a request: nothing may be served from before it.
    fs.appendFileSync(path.join(h.workspace, '.claude/agents/code-reviewer.md'), '\nlocal\n');
    assert.equal(rowsByName(await c.request(StatusRequest, { folders: [h.workspace] }))['code-reviewer'].status, 'modified');
    fs.appendFileSync(path.join(h.home, 'collections/default/commands/review.md'), '\nupstream tweak\n');
    assert.equal(rowsByName(await c.request(StatusRequest, { folders: [h.workspace] })).review.status, 'outdated');
    manifestPath = path.join(h.home, 'collections', 'default', 'collection.toml');
    fs.writeFileSync(manifestPath, removeArtifactBlock(fs.readFileSync(manifestPath, 'utf8'), 'notes-helper'));
    assert.equal((await c.request(CountsRequest, {})).collections[0].total, 3);
    assert.equal(rowsByName(await c.request(StatusRequest, { folders: [h.workspace] }))['notes-helper'].status, 'orphaned');
    fs.mkdirSync(path.join(h.workspace, '.cursor/agents'), { recursive: true });
    fs.copyFileSync(path.join(h.home, 'collections/default/agents/code-reviewer.md'), path.join(h.workspace, '.cursor/agents/code-reviewer.md'));
    fs.writeFileSync(path.join(h.workspace, '.cursor/.skillmeat-deployed.toml'), CODE_REVIEWER_TRACKER_RECORD('cursor', '.cursor'));
    const rows = (await c.request(StatusRequest, { folders: [h.workspace] })).workspaces[0].artifacts;
    assert.equal(rows.find((r) => r.key === 'code-reviewer::agent::cursor')?.status, 'synced');
    const cfg = path.join(h.home, 'config.toml');
    writeCollection(path.join(h.home, 'collections', 'work'), 'work', 'triage');
    fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace('default-collection = "default"', 'default-collection = "work"'));
    assert.deepEqual((await c.request(CountsRequest, {})).collections.map((x) => [x.name, x.active, x.total]), [['default', false, 3], ['work', true, 1]]);
  });
});

describe('invalidation and cache stats through the CLI (issue #4)', function () {
  this.timeout(60_000);
  let h: Harness;
  afterEach(async () => h?.cleanup());

  it('invalidate --upstream [KEY] | --counts [COLLECTION] | --hashes | --all, and their usage errors', async () => {
    h = new Harness({ fixture: 'after-edits' });
    // Nothing running: invalidate says so and does not start a daemon for nothing.
    const none = await h.cli(['invalidate', '--all']);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /no daemon is running/);
    assert.equal(h.daemonPid(), undefined);

    assert.equal((await h.cli(['counts', '--json'])).code, 0);
    assert.equal((await h.cli(['status', '--json', '--workspace', h.workspace])).code, 0);
    const json = async (args: string[]): Promise<{ dropped: Record<string, number> }> => {
      const r = await h.cli([...args, '--json']);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout) as { dropped: Record<string, number> };
    };
    assert.deepEqual((await json(['invalidate', '--counts', 'default'])).dropped, { counts: 1 });
    assert.deepEqual((await json(['invalidate', '--counts', 'nosuch'])).dropped, { counts: 0 });
    assert.equal((await h.cli(['counts', '--json'])).code, 0);
    assert.deepEqual((await json(['invalidate', '--counts'])).dropped, { counts: 1 });
    const hashes = await json(['invalidate', '--hashes']);
    assert.ok(hashes.dropped.hashes >= 4, JSON.stringify(hashes));
    assert.deepEqual((await json(['invalidate', '--upstream'])).dropped, { upstream: 0, upstreamFailures: 0 });
    assert.deepEqual((await json(['invalidate', '--upstream', 'pdf-tools::skill'])).dropped, { upstream: 0, upstreamFailures: 0 });
    // A key that names no artifact is an error on that request, not "0 dropped".
    const unknownKey = await h.cli(['invalidate', '--upstream', 'no-such-thing::skill']);
    assert.equal(unknownKey.code, 2, unknownKey.stderr);
    assert.match(unknownKey.stderr, /no artifact matches "no-such-thing::skill"/);
    const badKey = await h.cli(['invalidate', '--upstream', 'a::b::c::d']);
    assert.equal(badKey.code, 2, badKey.stderr);
    assert.match(badKey.stderr, /invalid artifact key "a::b::c::d"/);
    const all = await json(['invalidate', '--all']);
    assert.deepEqual(Object.keys(all.dropped).sort(), ['counts', 'hashes', 'upstream', 'upstreamFailures']);
    const human = await h.cli(['invalidate', '--hashes']);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^invalidated hashes: \d+ hash entr(y|ies)/);

    // After all that the answers are still the fixture's.
    const st = JSON.parse((await h.cli(['status', '--json', '--workspace', h.workspace])).stdout) as StatusResult;
    assert.deepEqual(statusByName(st), { 'pdf-tools': 'modified', 'notes-helper': 'outdated', review: 'modified', 'code-reviewer': 'synced' });

    for (const bad of [['invalidate'], ['invalidate', '--counts', '--hashes'], ['invalidate', '--hashes', 'x'], ['invalidate', '--all', 'x'], ['invalidate', '--no-daemon', '--all']]) {
      const r = await h.cli(bad);
      assert.equal(r.code, 2, `${bad.join(' ')} → ${r.code}`);
      assert.match(r.stderr, /skillmeat-sync: .+/);
      assert.equal(r.stdout, '');
    }
  });

  it('cache stats --json reports every cache with size, ttlSeconds, hits, misses, hitRate; the counts hit rate is logged at debug', async () => {
    h = new Harness({ fixture: 'after-edits', daemonEnv: { SKILLMEAT_SYNC_LOG_LEVEL: 'debug' } });
    // Aged like files on a real disk: rows resting on racy (just-copied) files are recomputed on every request.
    ageTree(h.home);
    ageTree(h.workspace);
    for (let i = 0; i < 3; i++) assert.equal((await h.cli(['counts', '--json'])).code, 0);
    for (let i = 0; i < 2; i++) assert.equal((await h.cli(['status', '--json', '--workspace', h.workspace])).code, 0);
    const r = await h.cli(['cache', 'stats', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const caches = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(caches.map((x) => x.name).sort(), ['blobs', 'counts', 'hashes', 'status', 'upstream']);
    for (const x of caches) {
      for (const f of ['size', 'ttlSeconds', 'hits', 'misses', 'hitRate']) assert.equal(typeof x[f], 'number', `${String(x.name)}.${f} = ${JSON.stringify(x[f])}`);
      const hits = x.hits as number;
      const misses = x.misses as number;
      assert.ok(Math.abs((x.hitRate as number) - (hits + misses === 0 ? 0 : hits / (hits + misses))) < 1e-9, JSON.stringify(x));
    }
    const countsStats = caches.find((x) => x.name === 'counts')!;
    assert.deepEqual([countsStats.size, countsStats.hits, countsStats.misses, countsStats.ttlSeconds], [1, 2, 1, 300]);
    const status = caches.find((x) => x.name === 'status')!;
    assert.ok((status.hits as number) >= 1 && (status.misses as number) >= 1, `status cache counts its lookups: ${JSON.stringify(status)}`);

    const human = await h.cli(['cache', 'stats']);
    assert.match(human.stdout, /^CACHE\s+SIZE\s+TTL\s+HITS\s+MISSES\s+HIT RATE/);
    assert.match(human.stdout, /\ncounts\s+1\s+300 s\s+2\s+1\s+66\.7%/);
    // -1 and 0 are explained, not printed bare (issue #17).
    assert.match(human.stdout, /\nhashes\s+\d+\s+no TTL \(validated by stat\)\s/);
    assert.match(human.stdout, /\nstatus\s+\d+\s+no TTL \(valid until a file changes\)\s/);
    assert.match(human.stdout, /\nupstream\s+\d+\s+300 s; failures 60 s\s/);
    assert.match(human.stdout, /\nblobs\s+\d+\s+no TTL \(named by content SHA, verified on read\)\s/);

    const log = fs.readFileSync(h.paths.logPath, 'utf8');
    assert.match(log, /DEBUG .*counts cache: 0 hits, 1 misses \(hit rate 0\.0%\)/);
    assert.match(log, /DEBUG .*counts cache: 1 hits, 0 misses \(hit rate 100\.0%\)/);
  });
});
