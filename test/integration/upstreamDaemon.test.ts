// Issue #5 through the real daemon and CLI: a SkillMeat home with github-origin artifacts, served
// by the fake GitHub over real HTTP on 127.0.0.1.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentHash } from '../../daemon/skillmeat';
import { formatHHMM } from '../../daemon/upstream';
import { CheckUpstreamRequest, StatsRequest, type CheckUpstreamResult, type DaemonStatusParams } from '../../shared/protocol';
import type { StatusResult, UpstreamInfo } from '../../shared/types';
import { DEFAULT_SETTINGS, toDaemonSettings } from '../../extension/settingsModel';
import { FakeGitHub } from '../fakeGithub/server';
import { eventually, Harness } from '../helpers/daemonHarness';

interface GhArtifact {
  name: string;
  owner: string;
  repo: string;
  /** path inside the repository; the collection copy is skills/<name> */
  repoPath: string;
  sha: string;
  files: Record<string, string>;
}

/** A SkillMeat home whose `default` collection holds these github-origin skills, all deployed to .claude. */
async function buildWorld(h: Harness, arts: GhArtifact[]): Promise<void> {
  fs.mkdirSync(path.join(h.home, 'collections', 'default', 'skills'), { recursive: true });
  fs.writeFileSync(path.join(h.home, 'config.toml'), '[settings]\ndefault-collection = "default"\n');
  let manifest = '[collection]\nname = "default"\nversion = "1.0.0"\ncreated = "2026-11-22T01:00:00.000000"\nupdated = "2026-11-22T01:00:00.000000"\n';
  let lock = '[lock]\nversion = "1.0.0"\n';
  let tracker = '';
  for (const a of arts) {
    for (const root of [path.join(h.home, 'collections', 'default', 'skills', a.name), path.join(h.workspace, '.claude', 'skills', a.name)]) {
      for (const [rel, text] of Object.entries(a.files)) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
      }
    }
    const hash = await contentHash(path.join(h.home, 'collections', 'default', 'skills', a.name));
    const upstream = `https://github.com/${a.owner}/${a.repo}/tree/${a.sha}/${a.repoPath}`;
    manifest += `\n[[artifacts]]\nname = "${a.name}"\ntype = "skill"\npath = "skills/${a.name}"\norigin = "github"\nupstream = "${upstream}"\nversion_spec = "latest"\nresolved_sha = "${a.sha}"\nadded = "2026-11-22T01:00:00.000000"\n`;
    lock += `\n[lock.entries."${a.name}::skill"]\nupstream = "${upstream}"\nresolved_sha = "${a.sha}"\ncontent_hash = "${hash}"\nfetched = "2026-11-22T01:00:00.000000"\n`;
    tracker += `[[deployed]]\nartifact_name = "${a.name}"\nartifact_type = "skill"\nfrom_collection = "default"\ndeployed_at = "2026-11-22T01:10:00.000000"\nartifact_path = "skills/${a.name}"\ncontent_hash = "${hash}"\nlocal_modifications = false\ndeployment_profile_id = "claude_code"\nplatform = "claude_code"\nprofile_root_dir = ".claude"\ncollection_sha = "${hash}"\n\n`;
  }
  fs.writeFileSync(path.join(h.home, 'collections', 'default', 'collection.toml'), manifest);
  fs.writeFileSync(path.join(h.home, 'collections', 'default', 'collection.lock'), lock);
  fs.writeFileSync(path.join(h.workspace, '.claude', '.skillmeat-deployed.toml'), tracker);
}

/** Every file below a directory, recursively (missing directory → none). */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath ?? (d as unknown as { path: string }).path, d.name));
}

/** Gone, or a zombie its parent (this test process, which spawned it through a client) has not reaped. */
function exited(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('upstream checks through the daemon and the CLI (issue #5)', function () {
  this.timeout(60_000);
  let gh: FakeGitHub;
  let api: string;
  let h: Harness | undefined;

  beforeEach(async () => {
    gh = new FakeGitHub();
    api = await gh.start();
  });
  afterEach(async () => {
    await h?.cleanup();
    h = undefined;
    await gh.stop();
  });

  /**
   * acme/tools: alpha changed upstream after collecting (update-available), beta did not but the
   * repository moved (repo-moved); acme/stable did not move (gamma: current).
   */
  async function threeArtifacts(world: Harness): Promise<void> {
    const files = { 'skills/alpha/SKILL.md': '# alpha\n', 'skills/beta/SKILL.md': '# beta\n', 'README.md': '# tools\n' };
    const tools = gh.addRepo('acme', 'tools', { files });
    const stable = gh.addRepo('acme', 'stable', { files: { 'gamma/SKILL.md': '# gamma\n' } });
    await buildWorld(world, [
      { name: 'alpha', owner: 'acme', repo: 'tools', repoPath: 'skills/alpha', sha: tools, files: { 'SKILL.md': '# alpha\n' } },
      { name: 'beta', owner: 'acme', repo: 'tools', repoPath: 'skills/beta', sha: tools, files: { 'SKILL.md': '# beta\n' } },
      { name: 'gamma', owner: 'acme', repo: 'stable', repoPath: 'gamma', sha: stable, files: { 'SKILL.md': '# gamma\n' } },
    ]);
    gh.commit('acme', 'tools', 'main', { 'skills/alpha/SKILL.md': '# alpha v2\n' });
  }

  async function cliJson<T>(world: Harness, args: string[], env: Record<string, string> = {}): Promise<{ doc: T; stdout: string; stderr: string }> {
    const r = await world.cli([...args, '--json'], env);
    assert.equal(r.code, 0, `skillmeat-sync ${args.join(' ')}: ${r.stderr}`);
    return { doc: JSON.parse(r.stdout) as T, stdout: r.stdout, stderr: r.stderr };
  }

  const states = (r: CheckUpstreamResult): Record<string, string> => Object.fromEntries(r.results.map((x) => [x.name, x.upstream.state]));

  it('check-upstream --json: current / update-available / repo-moved; rows carry it; TTL, invalidate → 304s', async () => {
    h = new Harness({ daemonArgs: ['--github-api-url', api] });
    await threeArtifacts(h);
    const c = h.client();
    await c.start();

    const before = (await cliJson<StatusResult>(h, ['status', '--workspace', h.workspace])).doc;
    for (const r of before.workspaces[0].artifacts) {
      assert.equal(r.status, 'synced');
      assert.notEqual(r.upstream.state, 'current', 'nothing claims "current" before GitHub was asked');
    }
    assert.equal(gh.requestLog.length, 0, 'status alone never asks GitHub');

    const first = (await cliJson<CheckUpstreamResult>(h, ['check-upstream'])).doc;
    assert.deepEqual(states(first), { alpha: 'update-available', beta: 'repo-moved', gamma: 'current' });
    assert.equal(first.requests, gh.requestLog.length, 'the daemon counts exactly what reached GitHub');
    // One commits/HEAD per repository, and the two trees of acme/tools, which moved; no default-branch lookup.
    assert.deepEqual(
      gh.requests({ pathIncludes: '/commits/' }).map((r) => [r.path, r.status]).sort(),
      // acme/stable has not moved: the recorded SHA, sent as the ETag, gets a 304 even on this first check.
      [['/repos/acme/stable/commits/HEAD', 304], ['/repos/acme/tools/commits/HEAD', 200]],
    );
    assert.equal(gh.requests({ pathIncludes: '/repos/acme/tools/git/trees/' }).length, 2);
    assert.equal(first.requests, 4);
    for (const r of first.results) {
      assert.equal(r.artifact, `default/${r.name}::skill`);
      assert.ok(r.upstream.checkedAt && !Number.isNaN(Date.parse(r.upstream.checkedAt)), JSON.stringify(r));
    }

    const after = (await cliJson<StatusResult>(h, ['status', '--workspace', h.workspace])).doc;
    const up = Object.fromEntries(after.workspaces[0].artifacts.map((r) => [r.name, r.upstream])) as Record<string, UpstreamInfo>;
    assert.deepEqual(Object.fromEntries(Object.entries(up).map(([n, u]) => [n, u.state])), { alpha: 'update-available', beta: 'repo-moved', gamma: 'current' });
    for (const [n, u] of Object.entries(up)) {
      assert.ok(u.checkedAt && !Number.isNaN(Date.parse(u.checkedAt)), `${n}: ${JSON.stringify(u)}`);
      assert.match(u.source ?? '', /^github:/);
    }
    // Sync status is about files, not GitHub: still synced.
    assert.ok(after.workspaces[0].artifacts.every((r) => r.status === 'synced'));

    gh.clearLog();
    const second = (await cliJson<CheckUpstreamResult>(h, ['check-upstream'])).doc;
    assert.equal(second.requests, 0);
    assert.equal(gh.requestLog.length, 0, 'inside the TTL nothing is sent');
    assert.deepEqual(states(second), states(first));

    const inv = (await cliJson<{ dropped: Record<string, number> }>(h, ['invalidate', '--upstream'])).doc;
    assert.ok(inv.dropped.upstream >= 1, JSON.stringify(inv));
    gh.clearLog();
    const third = (await cliJson<CheckUpstreamResult>(h, ['check-upstream'])).doc;
    assert.deepEqual(states(third), states(first));
    assert.ok(third.requests > 0);
    assert.equal(third.requests, gh.requestLog.length);
    assert.equal(third.requests, 2, 'one per repository');
    for (const r of gh.requestLog) {
      assert.match(r.path, /^\/repos\/acme\/(tools|stable)\/commits\/HEAD$/);
      assert.equal(r.status, 304, `after invalidate only conditional requests: ${r.path} → ${r.status}`);
      assert.ok(r.headers['if-none-match'], `${r.path} is conditional`);
    }

    // One key: only the source it depends on is asked again.
    const one = (await cliJson<{ dropped: Record<string, number> }>(h, ['invalidate', '--upstream', 'gamma::skill'])).doc;
    assert.equal(one.dropped.upstream, 1);
    gh.clearLog();
    const fourth = (await cliJson<CheckUpstreamResult>(h, ['check-upstream'])).doc;
    assert.deepEqual(states(fourth), states(first));
    assert.deepEqual(gh.requestLog.map((r) => [r.path, r.status]), [['/repos/acme/stable/commits/HEAD', 304]]);

    // The human table says the same.
    const human = await h.cli(['check-upstream']);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /alpha\s+skill\s+default\s+update-available/);
    assert.match(human.stdout, /gamma\s+skill\s+default\s+current/);
  });

  it('rate-limited: unknown with the reset time in the reason, in check-upstream, rows and daemonStatus', async () => {
    h = new Harness({ daemonArgs: ['--github-api-url', api] });
    await threeArtifacts(h);
    const resetAt = Date.now() + 40 * 60_000;
    gh.rateLimit({ remaining: 0, resetAt, limit: 60 });
    const c = h.client();
    await c.start();
    const notes: DaemonStatusParams[] = [];
    c.onDaemonStatus((p) => notes.push(p));
    await c.subscribe([h.workspace]);

    const res = (await cliJson<CheckUpstreamResult>(h, ['check-upstream'])).doc;
    const when = formatHHMM(Math.floor(resetAt / 1000) * 1000);
    for (const r of res.results) {
      assert.equal(r.upstream.state, 'unknown', JSON.stringify(r));
      assert.match(r.upstream.reason ?? '', new RegExp(`rate-limited until ${when}`));
    }
    assert.equal(res.rateLimit?.remaining, 0);
    assert.equal(res.rateLimit?.anonymous, true);

    const rows = (await cliJson<StatusResult>(h, ['status', '--workspace', h.workspace])).doc.workspaces[0].artifacts;
    for (const r of rows) {
      assert.equal(r.upstream.state, 'unknown');
      assert.match(r.upstream.reason ?? '', /rate-limited until \d\d:\d\d/);
      assert.equal(r.status, 'synced', 'an upstream failure does not change the file status');
    }
    const note = (await eventually(() => notes.find((n) => n.rateLimitedUntil), 5000, 'daemonStatus with rateLimitedUntil'))!;
    assert.equal(note.rateLimitedUntil, new Date(Math.floor(resetAt / 1000) * 1000).toISOString());
    assert.equal(note.state, 'warning');
    assert.equal(note.rateLimit?.remaining, 0);
    assert.equal(note.rateLimit?.limit, 60);

    gh.clearLog();
    const again = (await cliJson<CheckUpstreamResult>(h, ['check-upstream', '--force'])).doc;
    assert.equal(again.requests, 0, 'nothing is sent before the reset, even when forced');
    assert.equal(gh.requestLog.length, 0);
  });

  it('a GH_ENTERPRISE_TOKEN given to the daemon is used for its Enterprise API (GITHUB_TOKEN, a github.com token, is not), and is in no log, state file, argv or CLI output; daemonStatus carries the rate limit', async () => {
    const token = 'ghp_SecretTokenForTests0123456789abcdefXYZ';
    const dotcom = 'ghp_DotComTokenNeverSentElsewhere000000000';
    gh.requireToken(token);
    h = new Harness({ daemonArgs: ['--github-api-url', api], daemonEnv: { GH_ENTERPRISE_TOKEN: token, GITHUB_TOKEN: dotcom, SKILLMEAT_SYNC_LOG_LEVEL: 'debug' } });
    await threeArtifacts(h);
    const c = h.client();
    await c.start();
    const notes: DaemonStatusParams[] = [];
    c.onDaemonStatus((p) => notes.push(p));
    await c.subscribe([h.workspace]);

    const outputs: string[] = [];
    const run = async (args: string[]): Promise<string> => {
      const r = await h!.cli(args);
      outputs.push(r.stdout, r.stderr);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const res = JSON.parse(await run(['check-upstream', '--json'])) as CheckUpstreamResult;
    assert.deepEqual(states(res), { alpha: 'update-available', beta: 'repo-moved', gamma: 'current' });
    assert.ok(gh.requestLog.length > 0 && gh.requestLog.every((r) => (r.headers.authorization ?? '').endsWith(token)), 'every request carried the token');
    assert.equal(res.rateLimit?.anonymous, false);
    await run(['status', '--json', '--workspace', h.workspace]);
    await run(['status', '--workspace', h.workspace]);
    await run(['check-upstream', '--force']);
    await run(['cache', 'stats', '--json']);
    await run(['daemon', 'status']);
    const daemonStatus = JSON.parse(await run(['daemon', 'status', '--json'])) as { pid: number };
    const stats = await c.request(StatsRequest, {});
    assert.equal(stats.github.tokenSource, 'GH_ENTERPRISE_TOKEN');
    assert.ok(!gh.requestLog.some((r) => (r.headers.authorization ?? '').includes(dotcom)), 'the github.com token never went to another host');
    assert.ok(stats.github.rateLimit && stats.github.rateLimit.limit === 5000 && !stats.github.rateLimit.anonymous, JSON.stringify(stats.github));
    assert.ok(!JSON.stringify(stats).includes(token));

    const note = (await eventually(() => notes.find((n) => n.rateLimit), 5000, 'daemonStatus with the rate limit'))!;
    assert.equal(note.rateLimit?.limit, 5000);
    assert.equal(note.rateLimit?.anonymous, false);
    assert.ok(note.rateLimit!.remaining < 5000);
    assert.ok(!Number.isNaN(Date.parse(note.rateLimit!.resetAt)));
    assert.ok(!JSON.stringify(notes).includes(token));

    for (const o of outputs) assert.ok(!o.includes(token), `CLI output holds the token: ${o.slice(0, 200)}`);
    // The daemon flushes its state on the way out; look after it has written everything.
    const pid = daemonStatus.pid;
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    assert.ok(argv.includes('daemon.js') && !argv.includes(token), 'daemon argv');
    for (const p of h.processes()) {
      let cmd = '';
      try {
        cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      assert.ok(!cmd.includes(token), `argv of ${p}`);
    }
    // Our client would reconnect and start another daemon: let it go first.
    c.dispose();
    assert.equal((await h.cli(['daemon', 'stop'])).code, 0);
    await eventually(() => exited(pid), 10_000, 'daemon exit');
    const files = [...filesUnder(h.stateDir), ...filesUnder(h.runtimeDir), ...filesUnder(h.home)];
    assert.ok(files.some((f) => f.endsWith('.log')), `a log was written: ${files.join(', ')}`);
    assert.ok(files.some((f) => /upstream-.*\.json$/.test(f)), `upstream state was persisted: ${files.join(', ')}`);
    for (const f of files) assert.ok(!fs.readFileSync(f, 'utf8').includes(token), `${f} holds the token`);
  });

  it('the API URL: the daemon flag beats the editor setting, a CLI flag applies to its request; tokens go only to the API they were issued for (issue 12 item 8)', async () => {
    const other = new FakeGitHub();
    const otherUrl = await other.start();
    try {
      h = new Harness({ daemonArgs: ['--github-api-url', api] });
      await threeArtifacts(h);
      const c = h.client();
      await c.start();
      // An editor sends its default setting: the daemon's flag still decides.
      await c.configure({ githubApiUrl: 'https://api.github.com' });
      // VS Code's github sign-in: a github.com token, handed over without an API URL.
      await c.setToken('gho_DotComSession000000000000000000000', 'vscode');
      const r1 = await c.request(CheckUpstreamRequest, {});
      assert.deepEqual(states(r1), { alpha: 'update-available', beta: 'repo-moved', gamma: 'current' });
      assert.ok(gh.requestLog.length > 0, 'the flag URL was asked, not api.github.com');
      assert.ok(gh.requestLog.every((r) => r.headers.authorization === undefined), 'a github.com token is not sent to another API');
      let stats = await c.request(StatsRequest, {});
      assert.equal(stats.github.apiUrl, api);
      assert.equal(stats.github.tokenSource, 'anonymous');

      // A github-enterprise sign-in for this very API is used there.
      await c.setToken('ghe_EnterpriseSession0000000000000000', 'vscode', api);
      gh.clearLog();
      await c.request(CheckUpstreamRequest, { force: true });
      assert.ok(gh.requestLog.length > 0 && gh.requestLog.every((r) => r.headers.authorization === 'Bearer ghe_EnterpriseSession0000000000000000'));
      stats = await c.request(StatsRequest, {});
      assert.equal(stats.github.tokenSource, 'vscode-enterprise');

      // A later CLI run with its own --github-api-url: that request goes there, with no token
      // (none was issued for that API); the daemon's own URL is unchanged.
      gh.clearLog();
      const cli = await h.cli(['check-upstream', '--json', '--github-api-url', otherUrl]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.ok(other.requestLog.length > 0, 'the CLI flag was honoured');
      assert.equal(gh.requestLog.length, 0);
      assert.ok(other.requestLog.every((r) => r.headers.authorization === undefined));
      const res = JSON.parse(cli.stdout) as CheckUpstreamResult;
      assert.ok(res.results.every((x) => x.upstream.state === 'unknown'), 'the other server does not have these repositories');
      stats = await c.request(StatsRequest, {});
      assert.equal(stats.github.apiUrl, api);
      c.dispose();
    } finally {
      await other.stop();
    }
  });

  it("a fresh daemon applies the editor's githubApiUrl from its first configure, sent with the other settings as the extension sends them", async () => {
    // No flag and no $SKILLMEAT_SYNC_GITHUB_API_URL: only the setting can point the daemon at the fake.
    h = new Harness({ daemonEnv: { SKILLMEAT_SYNC_GITHUB_API_URL: '' } });
    await threeArtifacts(h);
    const c = h.client();
    // What extension/context.ts startClient does: hello, configure(toDaemonSettings(settings)), setToken (sendToken), subscribe.
    await c.start();
    await c.configure(toDaemonSettings({ ...DEFAULT_SETTINGS, home: h.home, autoCheckIntervalMinutes: 0, githubApiUrl: api }));
    await c.setToken(null, 'vscode', undefined);
    await c.subscribe([h.workspace]);
    const stats = await c.request(StatsRequest, {});
    assert.equal(stats.github.apiUrl, api, 'the first configure set the API URL');
    const r = await c.request(CheckUpstreamRequest, { folders: [h.workspace] });
    assert.deepEqual(states(r), { alpha: 'update-available', beta: 'repo-moved', gamma: 'current' });
    assert.ok(gh.requestLog.length > 0, 'the check reached the fake GitHub');
    assert.equal(r.requests, gh.requestLog.length);
    const log = fs.readFileSync(h.paths.logPath, 'utf8');
    assert.ok(log.includes(`GitHub API URL is now ${api}`), 'the daemon logged the switch to the fake');
    c.dispose();
  });
});
