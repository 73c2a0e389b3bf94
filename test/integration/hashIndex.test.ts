// The persisted hash index (issue #15, daemon/cache/hashCache.ts) against the real daemon: a
// restarted daemon answers from it after a stat walk instead of re-hashing, never wrongly — a file
// rewritten with the same size and its mtime put back while no daemon ran is still caught — and a
// corrupt index is discarded with a log line.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateWorld, type World } from '../../bench/generateWorld';
import { StatsRequest, StatusRequest } from '../../shared/protocol';
import type { CacheStats, StatusResult } from '../../shared/types';
import { eventually, Harness } from '../helpers/daemonHarness';

interface IndexStats {
  loaded: number;
  used: number;
  stale: number;
  enabled: boolean;
}

function statuses(r: StatusResult): Record<string, string> {
  return Object.fromEntries(r.workspaces[0].artifacts.map((a) => [a.key, a.status]));
}

describe('persisted hash index (real daemon)', function () {
  this.timeout(60_000);
  let h: Harness;
  let world: World;
  beforeEach(async () => {
    h = new Harness();
    // files get an mtime a day old: none of them is racy
    world = await generateWorld({ home: h.home, workspace: h.workspace, n: 12, shape: 'small' });
  });
  afterEach(async () => h.cleanup());

  const indexFile = () => h.paths.hashIndexPath;

  async function statusAndStats(): Promise<{ rows: Record<string, string>; hashes: CacheStats; index: IndexStats }> {
    const c = h.client();
    await c.start();
    const rows = statuses(await c.request(StatusRequest, { folders: [h.workspace] }));
    const stats = await c.request(StatsRequest, {});
    const hashes = stats.caches.find((x) => x.name === 'hashes')!;
    c.dispose();
    return { rows, hashes, index: hashes.index as IndexStats };
  }

  async function stopDaemon(): Promise<void> {
    const c = h.client();
    await c.start();
    await c.stopDaemon();
  }

  it('a restarted daemon stat-walks instead of re-hashing, and still catches a same-size rewrite with its mtime put back', async () => {
    const expected = Object.fromEntries(world.deployed.map((d) => [d.key, d.expected]));
    const first = await statusAndStats();
    assert.deepEqual(first.rows, expected);
    const allFiles = Number(first.hashes.filesHashed);
    assert.equal(allFiles, world.hashedFiles.length, 'a first-ever daemon hashes every file once');
    assert.equal(first.index.loaded, 0);
    await stopDaemon();

    // written at shutdown, atomically, for the owner only
    const st = fs.statSync(indexFile());
    if (process.platform !== 'win32') assert.equal(st.mode & 0o777, 0o600);
    const saved = JSON.parse(fs.readFileSync(indexFile(), 'utf8')) as { entries: [string, string, string][] };
    assert.equal(saved.entries.length, world.deployed.length * 2, 'one entry per project copy and per collection copy');

    // While no daemon runs: rewrite one synced project file with bytes of the same size and put its
    // mtime (and atime) back, as a tool restoring timestamps would. Size, mtime and inode match the
    // index; only the ctime (which cannot be set back) tells.
    const victim = world.deployed.find((d) => d.expected === 'synced' && d.type === 'skill')!;
    const before = fs.statSync(victim.editableFile);
    const bytes = fs.readFileSync(victim.editableFile);
    bytes[bytes.length - 1] = bytes[bytes.length - 1] === 0x41 ? 0x42 : 0x41;
    fs.writeFileSync(victim.editableFile, bytes);
    fs.utimesSync(victim.editableFile, before.atime, before.mtime);
    assert.equal(fs.statSync(victim.editableFile).mtimeMs, before.mtimeMs);
    assert.equal(fs.statSync(victim.editableFile).size, before.size);

    const second = await statusAndStats();
    assert.deepEqual(second.rows, { ...expected, [victim.key]: 'modified' }, 'the rewrite is caught, nothing else changes');
    assert.equal(second.index.loaded, world.deployed.length * 2);
    assert.equal(second.index.stale, 1, 'exactly the rewritten artifact did not match its entry');
    assert.equal(second.index.used, world.deployed.length * 2 - 1);
    const victimFiles = fs.readdirSync(victim.projectPath, { recursive: true }).filter((f) => fs.statSync(path.join(victim.projectPath, String(f))).isFile()).length;
    assert.equal(Number(second.hashes.filesHashed), victimFiles, 'only the changed artifact was hashed again');
  });

  it('does not persist racy entries: a file written just before hashing is hashed again after a restart', async () => {
    const fresh = world.deployed.find((d) => d.expected === 'synced' && d.type === 'command')!;
    // same bytes, mtime now: within the racy window of the hashing moment
    fs.utimesSync(fresh.editableFile, new Date(), new Date());
    const first = await statusAndStats();
    assert.equal(first.rows[fresh.key], 'synced');
    assert.ok(Number(first.hashes.racyHashes) >= 1);
    await stopDaemon();
    const saved = JSON.parse(fs.readFileSync(indexFile(), 'utf8')) as { entries: [string, string, string][] };
    assert.ok(!saved.entries.some(([p]) => p === fresh.projectPath), 'the racy entry is not in the index');
    assert.equal(saved.entries.length, world.deployed.length * 2 - 1);
    const second = await statusAndStats();
    assert.equal(second.rows[fresh.key], 'synced');
    assert.equal(Number(second.hashes.filesHashed), 1, 'only the racy file is hashed again');
  });

  it('keeps directory listings: a restart stats each folder instead of reading it, and still sees a file added or removed meanwhile', async () => {
    // a listing is kept only once its folder is older than the racy window (its ctime is now)
    await new Promise((r) => setTimeout(r, 2100));
    const expected = Object.fromEntries(world.deployed.map((d) => [d.key, d.expected]));
    const first = await statusAndStats();
    assert.deepEqual(first.rows, expected);
    await stopDaemon();
    const saved = JSON.parse(fs.readFileSync(indexFile(), 'utf8')) as { dirs?: [string, string, string][] };
    const skills = world.deployed.filter((d) => d.expected === 'synced' && d.type === 'skill');
    assert.ok(skills.length >= 2, 'the world has two synced skills');
    const [grown, shrunk] = skills;
    const kept = new Set((saved.dirs ?? []).map(([d]) => d));
    assert.ok(kept.has(grown.projectPath) && kept.has(shrunk.projectPath), 'the skill folders are in the index');

    // while no daemon runs: one skill folder gains a file, another loses one
    fs.writeFileSync(path.join(grown.projectPath, 'added.md'), 'new\n');
    const gone = fs.readdirSync(shrunk.projectPath).find((n) => fs.statSync(path.join(shrunk.projectPath, n)).isFile() && path.join(shrunk.projectPath, n) !== shrunk.editableFile)!;
    fs.rmSync(path.join(shrunk.projectPath, gone));

    const second = await statusAndStats();
    assert.deepEqual(second.rows, { ...expected, [grown.key]: 'modified', [shrunk.key]: 'modified' }, 'both changes are seen, nothing else changes');
    const listings = second.hashes.listings as { reused: number; read: number };
    assert.ok(listings.reused > 0, `unchanged folders were not read again (${JSON.stringify(listings)})`);
    assert.ok(listings.read >= 2, 'the two changed folders were read again');
  });

  it('a status with no daemon running answers itself, leaves its hashes in the index, and starts a daemon that warms the folder from them', async () => {
    const expected = Object.fromEntries(world.deployed.map((d) => [d.key, d.expected]));
    assert.equal(h.daemonPid(), undefined, 'no daemon yet');
    const r = await h.cli(['status', '--json', '--workspace', h.workspace]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(statuses(JSON.parse(r.stdout) as StatusResult), expected);
    const saved = JSON.parse(fs.readFileSync(indexFile(), 'utf8')) as { entries: [string, string, string][] };
    assert.equal(saved.entries.length, world.deployed.length * 2, 'the CLI wrote what it hashed');
    // the daemon it started in the background computes the folder without being asked
    const pid = await eventually(() => h.daemonPid(), 10_000, 'a daemon started by the CLI');
    const c = h.client({ noSpawn: true });
    await c.start();
    const warmed = await eventually(async () => {
      const st = await c.request(StatsRequest, {});
      const status = st.caches.find((x) => x.name === 'status')!;
      const hashes = st.caches.find((x) => x.name === 'hashes')!;
      return status.size >= 1 ? { status, hashes } : undefined;
    }, 10_000, 'the folder warmed');
    assert.ok(warmed);
    assert.equal(Number(warmed.hashes.filesHashed), 0, 'warmed from the index: nothing hashed again');
    assert.equal((warmed.hashes.index as IndexStats).used, world.deployed.length * 2);
    const hitsBefore = warmed.status.hits;
    assert.deepEqual(statuses(await c.request(StatusRequest, { folders: [h.workspace] })), expected);
    const after = (await c.request(StatsRequest, {})).caches.find((x) => x.name === 'status')!;
    assert.equal(after.hits, hitsBefore + 1, 'the first request is answered from the warmed rows');
    assert.equal((await c.start()).pid, pid);
    c.dispose();
  });

  it('discards a corrupt index with a log line and answers right by hashing', async () => {
    const first = await statusAndStats();
    await stopDaemon();
    fs.writeFileSync(indexFile(), '{"version":1,"format":"x","entries":[[ truncated');
    const second = await statusAndStats();
    assert.deepEqual(second.rows, first.rows);
    assert.equal(second.index.loaded, 0);
    assert.equal(Number(second.hashes.filesHashed), world.hashedFiles.length);
    assert.match(fs.readFileSync(h.paths.logPath, 'utf8'), /hash index|persistent store .*hashes-.*corrupt, discarded/);
  });
});
