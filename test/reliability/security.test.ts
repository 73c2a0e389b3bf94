// Issue #8, part 5: the socket is the daemon's only door. It must be closed to other users, the
// daemon must not start behind a folder someone else controls, and the GitHub token must never
// leave memory (logs, cache files, error messages, process arguments).
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckUpstreamRequest, ConfigureRequest, SetTokenRequest, StatsRequest, StatusRequest } from '../../shared/protocol';
import { FakeGitHub } from '../fakeGithub/server';
import { DAEMON_SCRIPT, Harness } from '../helpers/daemonHarness';
import { AS_NOBODY, canRunAsNobody, openAncestors, RawConnection } from './support';

/** Runs the daemon directly and collects its exit code and stderr. */
function runDaemon(h: Harness, timeoutMs = 15_000): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DAEMON_SCRIPT, '--home', h.home, '--runtime-dir', h.runtimeDir, '--state-dir', h.stateDir, '--idle-timeout', '20'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the daemon did not exit within ${timeoutMs} ms (it should have refused to start)`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stderr });
    });
  });
}

/** Tries to connect to a Unix socket as `nobody`; returns the error code or 'connected'. */
function connectAsNobody(socketPath: string): string {
  const script = `const s=require('net').connect(process.argv[1]);s.on('connect',()=>{console.log('connected');process.exit(0)});s.on('error',e=>{console.log(e.code);process.exit(0)});`;
  const r = spawnSync('setpriv', [...AS_NOBODY, process.execPath, '-e', script, socketPath], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw r.error;
  return r.stdout.trim() || `no output (${r.stderr.trim()})`;
}

describe('reliability: security (issue #8.5)', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(() => (h = new Harness({ fixture: 'after-edits' })));
  afterEach(async () => h.cleanup());

  it('creates the socket folder 0700 and the socket 0600, owned by the user', async () => {
    await h.client().start();
    const dir = fs.lstatSync(h.runtimeDir);
    const sock = fs.lstatSync(h.paths.socketPath);
    assert.ok(dir.isDirectory() && !dir.isSymbolicLink());
    assert.equal((dir.mode & 0o777).toString(8), '700');
    assert.ok(sock.isSocket());
    assert.equal((sock.mode & 0o777).toString(8), '600');
    assert.equal(dir.uid, process.getuid?.());
    assert.equal(sock.uid, process.getuid?.());
    const lock = fs.lstatSync(h.paths.lockPath);
    assert.equal(lock.mode & 0o077, 0, 'the lock file is private too');
  });

  it('tightens a socket folder that is ours but too open', async () => {
    fs.mkdirSync(h.runtimeDir, { mode: 0o755 });
    fs.chmodSync(h.runtimeDir, 0o777);
    await h.client().start();
    assert.equal((fs.statSync(h.runtimeDir).mode & 0o777).toString(8), '700');
  });

  it('another local user (nobody) cannot connect, even with the folder opened', async function () {
    const why = canRunAsNobody();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    const c = h.client();
    await c.start();
    // Let `nobody` reach the runtime folder's parent, so the folder's own mode is what stops it.
    openAncestors(h.root);
    assert.equal(connectAsNobody(h.paths.socketPath), 'EACCES', 'the 0700 folder keeps nobody out');
    // Second layer: even if the folder were opened, the 0600 socket refuses.
    fs.chmodSync(h.runtimeDir, 0o711);
    try {
      assert.equal(connectAsNobody(h.paths.socketPath), 'EACCES', 'the 0600 socket keeps nobody out');
    } finally {
      fs.chmodSync(h.runtimeDir, 0o700);
    }
    // The control: the same script as root connects, so EACCES above is the permission check.
    const raw = await RawConnection.open(h.paths.socketPath);
    raw.destroy();
    const r = await c.request(StatusRequest, { folders: [h.workspace] });
    assert.equal(r.workspaces[0].artifacts.length, 4);
  });

  it('refuses a socket folder that is a symbolic link, with a clear message', async () => {
    const elsewhere = path.join(h.root, 'elsewhere');
    fs.mkdirSync(elsewhere, { mode: 0o700 });
    fs.symlinkSync(elsewhere, h.runtimeDir);
    const r = await runDaemon(h);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /refusing socket folder .*symbolic link/);
    assert.deepEqual(fs.readdirSync(elsewhere), [], 'nothing was created behind the link');
    const log = fs.readFileSync(h.paths.logPath, 'utf8');
    assert.match(log, /refusing socket folder .*symbolic link/, 'the refusal is in the daemon log');
  });

  it('refuses a socket folder owned by someone else, with a clear message', async function () {
    if (process.getuid?.() !== 0) {
      console.log('      skipped: chown to another user needs root');
      this.skip();
    }
    fs.mkdirSync(h.runtimeDir, { mode: 0o700 });
    fs.chownSync(h.runtimeDir, 65534, 65534);
    const r = await runDaemon(h);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /refusing socket folder .*owned by uid 65534/);
    assert.deepEqual(fs.readdirSync(h.runtimeDir), [], 'no socket or lock created in it');
    const log = fs.readFileSync(h.paths.logPath, 'utf8');
    assert.match(log, /refusing socket folder .*owned by uid 65534/, 'the refusal is in the daemon log');
    // A client reports it instead of hanging.
    const c = h.client({ startTimeoutMs: 3000, maxRestarts: 1 });
    await assert.rejects(c.start(), /exited at start-up \(code 2\): .*refusing socket folder .*: owned by uid \d+/);
  });

  describe('the GitHub token', () => {
    let gh: FakeGitHub;
    beforeEach(async () => {
      gh = new FakeGitHub();
      await gh.start();
    });
    afterEach(async () => gh.stop());

    it('never appears in a log, cache file, reply, error message or argument list', async () => {
      // Not shaped like a GitHub token on purpose: the pattern-based redaction must not be what saves us.
      const token = 'tok3nS3cr3t' + Math.random().toString(36).slice(2, 12) + 'QQZ';
      const otherToken = 'c0nfigT0ken' + Math.random().toString(36).slice(2, 12) + 'WWX';
      const sha = gh.addRepo('acme', 'tools', { files: { 'skills/notes-helper/SKILL.md': 'upstream\n' } });
      gh.addRepo('acme', 'private-tools', { private: true, files: { 'x/SKILL.md': 'x\n' } });
      gh.requireToken(token);
      // Make two collection artifacts GitHub-sourced: one public, one private (404s need the token).
      const manifest = path.join(h.home, 'collections', 'default', 'collection.toml');
      let text = fs.readFileSync(manifest, 'utf8');
      text = text.replace(
        /name = "notes-helper"\ntype = "skill"\npath = "skills\/notes-helper"\norigin = "local"/,
        `name = "notes-helper"\ntype = "skill"\npath = "skills/notes-helper"\norigin = "github"\nupstream = "https://github.com/acme/tools/tree/${sha}/skills/notes-helper"\nversion_spec = "latest"\nresolved_sha = "${sha}"`,
      );
      text = text.replace(
        /name = "pdf-tools"\ntype = "skill"\npath = "skills\/pdf-tools"\norigin = "local"/,
        `name = "pdf-tools"\ntype = "skill"\npath = "skills/pdf-tools"\norigin = "github"\nupstream = "https://github.com/acme/private-tools/tree/main/x"\nversion_spec = "latest"`,
      );
      assert.match(text, /acme\/tools/);
      assert.match(text, /acme\/private-tools/);
      fs.writeFileSync(manifest, text);

      const c = h.client({ daemonEnv: { SKILLMEAT_SYNC_GITHUB_API_URL: gh.baseUrl, SKILLMEAT_SYNC_LOG_LEVEL: 'debug' } });
      await c.start();
      await c.configure({ logLevel: 'debug' });
      const seen: string[] = [];
      c.onDaemonStatus((p) => seen.push(JSON.stringify(p)));
      // Issued for this (fake Enterprise) API: a token goes nowhere else.
      await c.setToken(token, 'vscode', gh.baseUrl);
      const ok = await c.request(CheckUpstreamRequest, { force: true });
      seen.push(JSON.stringify(ok));
      assert.ok(gh.requestLog.some((r) => r.headers.authorization?.includes(token)), 'the token was really used');
      assert.ok(ok.results.some((r) => r.upstream.state === 'current' || r.upstream.state === 'update-available'), JSON.stringify(ok.results));

      // Now make every answer a failure that mentions credentials: bad token, then a token refused.
      gh.requireToken(otherToken);
      const bad = await c.request(CheckUpstreamRequest, { force: true });
      seen.push(JSON.stringify(bad));
      assert.ok(bad.results.some((r) => r.upstream.state === 'unknown'), 'the refused token shows as unknown rows');
      // Invalid setToken values must not be echoed either.
      await assert.rejects(c.request(SetTokenRequest, { token: `${token} with space`, source: 'vscode' }), (err: Error) => {
        seen.push(err.message);
        return true;
      });
      // A token pasted into a URL setting.
      await c.request(ConfigureRequest, { githubApiUrl: `http://x-access-token:${token}@127.0.0.1:1` }).catch((err: Error) => seen.push(err.message));
      const broken = await c.request(CheckUpstreamRequest, { force: true }).catch((err: Error) => err.message);
      seen.push(JSON.stringify(broken));
      await c.request(ConfigureRequest, { githubApiUrl: gh.baseUrl });
      seen.push(JSON.stringify(await c.request(StatsRequest, undefined)));
      seen.push(JSON.stringify(await c.request(StatusRequest, { folders: [h.workspace] })));
      const cli = await h.cli(['status', '--json', '--workspace', h.workspace]);
      seen.push(cli.stdout, cli.stderr);
      const cliStats = await h.cli(['cache', 'stats', '--json']);
      seen.push(cliStats.stdout, cliStats.stderr);

      // Argument lists of every process of this world (the daemon above all).
      const pids = h.processes();
      assert.ok(pids.length > 0);
      for (const pid of pids) {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        assert.ok(!argv.includes(token), `process ${pid}'s arguments hold the token`);
      }
      // Make the daemon write what it keeps, then grep every file of this world but the fixture.
      await c.stopDaemon();
      const files: string[] = [];
      const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.isFile()) files.push(p);
        }
      };
      walk(h.stateDir);
      if (fs.existsSync(h.runtimeDir)) walk(h.runtimeDir);
      assert.ok(files.some((f) => f.endsWith('.log')), 'the daemon log was written');
      assert.ok(files.some((f) => /upstream-.*\.json$/.test(f)), 'the upstream cache file was written');
      for (const f of files) {
        const content = fs.readFileSync(f, 'utf8');
        assert.ok(!content.includes(token), `${f} holds the token`);
        assert.ok(!content.includes(otherToken), `${f} holds the other token`);
      }
      for (const s of seen) assert.ok(!s.includes(token), `a message holds the token: ${s.slice(0, 300)}`);
      const log = fs.readFileSync(h.paths.logPath, 'utf8');
      assert.match(log, /GitHub token received from vscode/, 'the log says a token arrived (without it)');
      console.log(`      grepped ${files.length} files, ${pids.length} argument lists, ${seen.length} replies/messages`);
    });
  });
});
