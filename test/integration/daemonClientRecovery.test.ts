// Issue #2: what the shared client does when its daemon dies, hangs, or cannot be started.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DAEMON_MALLOC_ENV, DaemonUnavailableError, waitForExit, type ConnectionState } from '../../shared/client';
import type { DidChangeParams } from '../../shared/protocol';
import { StatsRequest, StatusRequest, SubscribeRequest } from '../../shared/protocol';
import { eventually, Harness } from '../helpers/daemonHarness';

describe('daemon client recovery', function () {
  this.timeout(60_000);
  let h: Harness;
  const stopped: number[] = [];
  beforeEach(() => (h = new Harness({ fixture: 'after-edits' })));
  afterEach(async () => {
    // A stopped process ignores SIGTERM until continued.
    for (const pid of stopped.splice(0)) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    await h.cleanup();
    assert.deepEqual(h.processes(), []);
    assert.equal(fs.existsSync(h.root), false);
  });

  it('re-subscribes after a SIGKILL: didChange comes from the NEW daemon without calling subscribe again', async () => {
    const c = h.client();
    const first = await c.start();
    const changes: DidChangeParams[] = [];
    c.onDidChange((p) => changes.push(p));
    await c.subscribe([h.workspace]);
    process.kill(first.pid, 'SIGKILL');
    assert.ok(await waitForExit(first.pid, 5000));
    // Nobody sends a request: the client reconnects on its own.
    const second = await eventually(() => c.state === 'connected' && c.daemonInfo && c.daemonInfo.pid !== first.pid && c.daemonInfo, 15_000, 'reconnect');
    assert.ok(second);
    const stats = await c.request(StatsRequest, {});
    assert.equal(stats.daemon.pid, second.pid);
    changes.length = 0;
    fs.appendFileSync(path.join(h.workspace, '.claude/agents/code-reviewer.md'), '\nedited after the crash\n');
    const change = await eventually(
      () => changes.find((p) => p.workspaces.some((w) => w.folder === h.workspace && w.keys.includes('code-reviewer::agent::claude_code'))),
      10_000,
      'didChange from the new daemon',
    );
    assert.ok(change);
    // The subscription lives in the new daemon, not just in the client.
    const again = await c.request(SubscribeRequest, { folders: [] });
    assert.deepEqual(again.folders, [h.workspace]);
  });

  it('resends an idempotent request that was in flight when the daemon died', async () => {
    const c = h.client();
    const first = await c.start();
    const states: ConnectionState[] = [];
    c.onConnectionState((s) => states.push(s));
    // Frozen, the daemon cannot answer: the request is surely in flight when it is killed.
    process.kill(first.pid, 'SIGSTOP');
    stopped.push(first.pid);
    const pending = c.request(StatusRequest, { folders: [h.workspace] });
    await new Promise((r) => setTimeout(r, 300));
    process.kill(first.pid, 'SIGKILL');
    const r = await pending;
    const byName = Object.fromEntries(r.workspaces[0].artifacts.map((a) => [a.name, a.status]));
    assert.deepEqual(byName, { 'pdf-tools': 'modified', 'notes-helper': 'outdated', review: 'modified', 'code-reviewer': 'synced' });
    assert.ok(c.daemonInfo && c.daemonInfo.pid !== first.pid);
    assert.ok(states.includes('reconnecting'));
    assert.equal(c.state, 'connected');
  });

  it('a request to a hung daemon ends after the request timeout, and the client carries on', async () => {
    const c = h.client({ requestTimeoutMs: 1000 });
    const { pid } = await c.start();
    process.kill(pid, 'SIGSTOP');
    stopped.push(pid);
    await assert.rejects(c.request(StatsRequest, {}), (err: Error) => {
      assert.ok(err instanceof DaemonUnavailableError);
      assert.match(err.message, /did not answer skillmeat\/stats within 1000 ms/);
      assert.ok(err.message.includes(h.paths.logPath));
      return true;
    });
    process.kill(pid, 'SIGCONT');
    const s = await c.request(StatsRequest, {});
    assert.equal(s.daemon.pid, pid);
  });

  it('a runtime that refuses the daemon flags (exit 9) gets a daemon without them', async () => {
    const c = h.client({ daemonFlags: ['--no-such-runtime-flag-for-skillmeat'] });
    const hello = await c.start();
    const cmdline = fs.readFileSync(`/proc/${hello.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(!cmdline.includes('--no-such-runtime-flag-for-skillmeat'), cmdline.join(' '));
    assert.ok(cmdline.some((a) => a.endsWith('daemon.js')));
  });

  it('the daemon runs with the default flags (a small young generation keeps its memory down)', async () => {
    const first = h.client();
    const hello = await first.start();
    const cmdline = fs.readFileSync(`/proc/${hello.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.includes('--max-semi-space-size=1'), cmdline.join(' '));
    // and glibc's malloc tuned for a long-lived process, unless the environment says otherwise
    const environ = (pid: number) => fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    for (const [k, v] of Object.entries(DAEMON_MALLOC_ENV)) {
      assert.ok(environ(hello.pid).includes(`${k}=${process.env[k] ?? v}`), k);
    }
    await first.stopDaemon();
    const own = await h.client({ daemonEnv: { MALLOC_MMAP_THRESHOLD_: '65536' } }).start();
    assert.notEqual(own.pid, hello.pid);
    assert.ok(environ(own.pid).includes('MALLOC_MMAP_THRESHOLD_=65536'), 'an explicit setting wins');
  });

  it('a daemon that refuses to start (error exit) fails at once with its reason, without retrying', async () => {
    const script = path.join(h.root, 'refuses.js');
    fs.writeFileSync(script, 'process.stderr.write("skillmeat-sync daemon: refusing socket folder /x: owned by uid 1\\n"); process.exit(2);\n');
    const c = h.client({ daemonScript: script, maxRestarts: 5, restartWindowMs: 60_000 });
    await assert.rejects(c.start(), (err: Error) => {
      assert.ok(err instanceof DaemonUnavailableError);
      assert.match(err.message, /exited at start-up \(code 2\): skillmeat-sync daemon: refusing socket folder \/x: owned by uid 1/);
      assert.ok(err.message.includes(h.paths.logPath), err.message);
      return true;
    });
    assert.equal(c.state, 'failed');
    const log = fs.readFileSync(h.paths.logPath, 'utf8');
    assert.equal((log.match(/refusing socket folder/g) ?? []).length, 1);
  });

  it('gives up after a bounded number of restarts and says so, naming the log', async () => {
    const script = path.join(h.root, 'dies.js');
    // Killed by a signal: a crash, not a refusal, so the client tries again within its bound.
    fs.writeFileSync(script, 'process.stderr.write("dying on purpose\\n"); process.kill(process.pid, "SIGKILL");\n');
    const c = h.client({ daemonScript: script, maxRestarts: 2, restartWindowMs: 60_000 });
    const states: { state: ConnectionState; detail?: string }[] = [];
    c.onConnectionState((state, detail) => states.push({ state, detail }));
    await assert.rejects(c.start(), (err: Error) => {
      assert.ok(err instanceof DaemonUnavailableError);
      assert.match(err.message, /could not be kept running \(2 starts within 60 s\)/);
      assert.ok(err.message.includes(h.paths.logPath), err.message);
      return true;
    });
    assert.equal(c.state, 'failed');
    const failed = states.find((s) => s.state === 'failed');
    assert.ok(failed?.detail?.includes(h.paths.logPath));
    // Each start left its trace in the log the message names.
    const log = fs.readFileSync(h.paths.logPath, 'utf8');
    assert.equal((log.match(/dying on purpose/g) ?? []).length, 2);
    // A failed client stays failed (no restart storm) until asked to restart.
    await assert.rejects(c.request(StatsRequest, {}), /could not be kept running/);
  });

  it('gives up on a daemon that never answers within the start timeout', async () => {
    const script = path.join(h.root, 'mute.js');
    // Alive but never listening: the client must not wait forever.
    fs.writeFileSync(script, 'setTimeout(() => undefined, 60_000);\n');
    const c = h.client({ daemonScript: script, startTimeoutMs: 1500, maxRestarts: 1 });
    await assert.rejects(c.start(), (err: Error) => {
      assert.ok(err instanceof DaemonUnavailableError);
      assert.ok(err.message.includes(h.paths.logPath), err.message);
      return true;
    });
    assert.equal(c.state, 'failed');
  });

  it('restartDaemon brings a fresh daemon and keeps the subscription', async () => {
    const c = h.client();
    const first = await c.start();
    await c.subscribe([h.workspace]);
    await c.restartDaemon();
    assert.ok(await waitForExit(first.pid, 5000));
    assert.ok(c.daemonInfo && c.daemonInfo.pid !== first.pid);
    const again = await c.request(SubscribeRequest, { folders: [] });
    assert.deepEqual(again.folders, [h.workspace]);
  });

  it('noSpawn never starts a daemon and says where it looked', async () => {
    const c = h.client({ noSpawn: true, startTimeoutMs: 500 });
    await assert.rejects(c.start(), (err: Error) => err instanceof DaemonUnavailableError && err.message.includes(h.paths.socketPath));
    assert.equal(h.daemonPid(), undefined);
    assert.deepEqual(h.processes(), []);
  });
});
