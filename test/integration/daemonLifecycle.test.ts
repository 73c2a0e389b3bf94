// Issue #2: the daemon's life with real processes on real sockets, one private runtime dir per test.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { pidAlive, waitForExit } from '../../shared/client';
import { StatsRequest, StatusRequest } from '../../shared/protocol';
import { PACKAGE_VERSION } from '../../shared/version';
import { DAEMON_SCRIPT, eventually, Harness, logText, socketAnswers, startDirect } from '../helpers/daemonHarness';

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

describe('daemon life cycle (real processes, real sockets)', function () {
  this.timeout(60_000);
  let h: Harness;
  afterEach(async () => {
    const root = h.root;
    await h.cleanup();
    assert.deepEqual(h.processes(), [], 'a process outlived the test');
    assert.equal(fs.existsSync(root), false, 'the test left files behind');
  });

  describe('sharing and recovery', () => {
    beforeEach(() => (h = new Harness({ fixture: 'after-edits' })));

    it('two clients share one daemon', async () => {
      const a = h.client();
      const b = h.client();
      const [ha, hb] = await Promise.all([a.start(), b.start()]);
      assert.equal(ha.pid, hb.pid);
      assert.equal(h.daemonPid(), ha.pid);
      const stats = await a.request(StatsRequest, {});
      assert.equal(stats.daemon.clients, 2);
      const [ra, rb] = await Promise.all([
        a.request(StatusRequest, { folders: [h.workspace] }),
        b.request(StatusRequest, { folders: [h.workspace] }),
      ]);
      assert.deepEqual(ra.workspaces[0].artifacts, rb.workspaces[0].artifacts);
      // Exactly one daemon process for this world: a second one either client started sees the
      // lock taken and exits 0 — the clients, told at once by the winner's readiness pipe, may get
      // here before it has finished exiting.
      await eventually(() => h.processes().length === 1, 5000, 'the losing daemon exits');
      assert.deepEqual(h.processes(), [ha.pid]);
    });

    it('after SIGKILL the next request starts a new daemon and succeeds', async () => {
      const c = h.client();
      const first = await c.start();
      process.kill(first.pid, 'SIGKILL');
      assert.ok(await waitForExit(first.pid, 5000));
      const r = await c.request(StatusRequest, { folders: [h.workspace] });
      assert.equal(r.workspaces[0].artifacts.length, 4);
      const second = c.daemonInfo;
      assert.ok(second && second.pid !== first.pid, 'a new daemon answered');
      assert.equal(h.daemonPid(), second.pid);
      assert.match(logText(h), /removing stale socket/);
    });

    it('recovers a stale socket file and a lock naming a dead process', async () => {
      const old = await startDirect(h);
      old.kill('SIGKILL');
      await exitOf(old);
      // Both files are left behind by the crash.
      assert.ok(fs.existsSync(h.paths.socketPath));
      assert.equal(h.daemonPid(), old.pid);
      assert.equal(await socketAnswers(h.paths.socketPath), false);
      const fresh = await startDirect(h);
      assert.notEqual(fresh.pid, old.pid);
      const hello = await h.client().start();
      assert.equal(hello.pid, fresh.pid);
    });

    it('recovers a socket path that is a plain leftover file', async () => {
      fs.mkdirSync(h.paths.runtimeDir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(h.paths.socketPath, 'junk');
      const hello = await h.client().start();
      assert.equal(h.daemonPid(), hello.pid);
      assert.ok(fs.statSync(h.paths.socketPath).isSocket());
    });

    it('--ready-fd: "listening" arrives on the pipe only once the socket accepts; a daemon that does not serve closes it silently', async () => {
      const spawnWithPipe = () => {
        const child = spawn(
          process.execPath,
          [DAEMON_SCRIPT, '--home', h.home, '--runtime-dir', h.runtimeDir, '--state-dir', h.stateDir, '--idle-timeout', '60', '--ready-fd', '3'],
          { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] },
        );
        const said = new Promise<string>((resolve) => {
          let text = '';
          const pipe = child.stdio[3] as net.Socket;
          pipe.on('data', (d) => (text += d));
          pipe.on('close', () => resolve(text));
        });
        return { child, said };
      };
      const first = spawnWithPipe();
      // the line comes before the pipe closes; the socket must accept at that very moment
      const line = await new Promise<string>((resolve) => (first.child.stdio[3] as net.Socket).once('data', (d) => resolve(String(d))));
      assert.equal(line, 'listening\n');
      assert.ok(await socketAnswers(h.paths.socketPath), 'the socket accepts when the daemon says it listens');
      assert.equal(await first.said, 'listening\n', 'one line, then the daemon closes its end');
      assert.equal(first.child.exitCode, null, 'and keeps running');
      // a daemon already serves this home: the second one says nothing and exits 0
      const second = spawnWithPipe();
      assert.equal(await second.said, '');
      assert.equal(await exitOf(second.child), 0);
      assert.equal(h.daemonPid(), first.child.pid);
    });

    it('two daemons started at once: exactly one serves, the other exits 0', async () => {
      const kids = [h.spawnDaemon(), h.spawnDaemon()];
      const codes = kids.map(exitOf);
      const winner = await eventually(() => {
        const alive = kids.filter((k) => k.exitCode === null);
        return alive.length === 1 ? alive[0] : undefined;
      }, 15_000, 'one surviving daemon');
      assert.ok(winner);
      for (const k of kids) if (k !== winner) assert.equal(await codes[kids.indexOf(k)], 0);
      await eventually(() => socketAnswers(h.paths.socketPath), 10_000, 'socket');
      assert.equal(h.daemonPid(), winner.pid);
      assert.equal((await h.client().start()).pid, winner.pid);
      assert.equal((logText(h).match(/listening on/g) ?? []).length, 1, 'only one daemon ever listened');
    });

    it('daemons racing over a stale lock (as every window reconnects after a crash): only one ever listens', async () => {
      let old = await startDirect(h);
      for (let round = 0; round < 4; round++) {
        old.kill('SIGKILL');
        await exitOf(old);
        fs.truncateSync(h.paths.logPath);
        const kids = Array.from({ length: 6 }, () => h.spawnDaemon());
        const winner = await eventually(() => {
          const alive = kids.filter((k) => k.exitCode === null);
          return alive.length === 1 && h.daemonPid() === alive[0].pid ? alive[0] : undefined;
        }, 20_000, 'one surviving daemon');
        assert.ok(winner);
        const probe = h.client();
        assert.equal((await probe.start()).pid, winner.pid);
        // Or it would start its own daemon once this one is killed.
        probe.dispose();
        assert.equal((logText(h).match(/listening on/g) ?? []).length, 1, `round ${round}: only one daemon ever listened:\n${logText(h)}`);
        old = winner;
      }
    });

    it('an older daemon is replaced by a newer client', async () => {
      const old = await startDirect(h, { SKILLMEAT_SYNC_VERSION_OVERRIDE: '0.0.1' });
      const c = h.client();
      const hello = await c.start();
      assert.equal(hello.daemonVersion, PACKAGE_VERSION);
      assert.notEqual(hello.pid, old.pid);
      assert.equal(await exitOf(old), 0);
      assert.equal(h.daemonPid(), hello.pid);
      const r = await c.request(StatusRequest, { folders: [h.workspace] });
      assert.equal(r.workspaces[0].artifacts.length, 4);
      assert.match(logText(h), /shutdown requested: replaced by test 0\.1\.0/);
    });

    it('a newer daemon is kept by an older client', async () => {
      const newer = await startDirect(h, { SKILLMEAT_SYNC_VERSION_OVERRIDE: '9.0.0' });
      const hello = await h.client().start();
      assert.equal(hello.pid, newer.pid);
      assert.equal(hello.daemonVersion, '9.0.0');
    });
  });

  describe('shutdown', () => {
    beforeEach(() => (h = new Harness({ fixture: 'after-edits', idleTimeoutSeconds: 1 })));

    it('shuts down when idle and removes its socket and lock', async () => {
      const c = h.client();
      const { pid } = await c.start();
      // A connected client keeps it alive past the idle timeout.
      await new Promise((r) => setTimeout(r, 1500));
      assert.ok(pidAlive(pid));
      c.dispose();
      assert.ok(await waitForExit(pid, 15_000), 'idle daemon exited');
      assert.equal(fs.existsSync(h.paths.socketPath), false);
      assert.equal(fs.existsSync(h.paths.lockPath), false);
      assert.match(logText(h), /idle shutdown/);
    });
  });

  describe('signals, files and stats', () => {
    beforeEach(() => (h = new Harness({ fixture: 'after-edits' })));

    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`${signal} stops cleanly and removes socket and lock`, async () => {
        const d = await startDirect(h);
        d.kill(signal);
        assert.equal(await exitOf(d), 0);
        assert.equal(fs.existsSync(h.paths.socketPath), false);
        assert.equal(fs.existsSync(h.paths.lockPath), false);
        assert.match(logText(h), new RegExp(`shutting down \\(${signal}\\)`));
      });
    }

    it('SIGTERM with clients connected still stops promptly; the client moves to a new daemon', async () => {
      const c = h.client();
      const other = h.client();
      const first = await c.start();
      await other.start();
      process.kill(first.pid, 'SIGTERM');
      assert.ok(await waitForExit(first.pid, 10_000), 'the daemon exited despite open connections');
      const r = await c.request(StatusRequest, { folders: [h.workspace] });
      assert.equal(r.workspaces[0].artifacts.length, 4);
      assert.notEqual(c.daemonInfo?.pid, first.pid);
    });

    it('a daemon whose files were taken over leaves the newer daemon\'s socket and lock alone', async () => {
      const a = await startDirect(h);
      // Someone removed the folder's contents (or a newer daemon took over): B now owns the paths.
      fs.rmSync(h.paths.socketPath);
      fs.rmSync(h.paths.lockPath);
      const b = await startDirect(h);
      a.kill('SIGTERM');
      assert.equal(await exitOf(a), 0);
      assert.ok(fs.statSync(h.paths.socketPath).isSocket());
      assert.equal(h.daemonPid(), b.pid);
      assert.equal((await h.client().start()).pid, b.pid);
    });

    it('a daemon whose socket was taken over notices and leaves on its own', async () => {
      const a = await startDirect(h);
      fs.rmSync(h.paths.socketPath);
      fs.rmSync(h.paths.lockPath);
      const b = await startDirect(h);
      assert.equal(await exitOf(a), 0);
      assert.ok(pidAlive(b.pid!));
      assert.equal(h.daemonPid(), b.pid);
      assert.ok(fs.statSync(h.paths.socketPath).isSocket());
      assert.equal((await h.client().start()).pid, b.pid);
      assert.match(logText(h), /no longer ours/);
    });

    it('socket 0600, runtime and state folders 0700, lock and log 0600', async function () {
      if (process.platform === 'win32') this.skip();
      await h.client().start();
      const mode = (p: string) => fs.statSync(p).mode & 0o777;
      assert.equal(mode(h.paths.runtimeDir), 0o700);
      assert.equal(mode(h.paths.socketPath), 0o600);
      assert.equal(mode(h.paths.lockPath), 0o600);
      assert.equal(mode(h.paths.stateDir), 0o700);
      assert.equal(mode(h.paths.logPath), 0o600);
    });

    it('tightens a runtime folder that is too open, and refuses a symlinked one', async () => {
      fs.mkdirSync(h.paths.runtimeDir, { mode: 0o755 });
      fs.chmodSync(h.paths.runtimeDir, 0o755);
      await h.client().start();
      assert.equal(fs.statSync(h.paths.runtimeDir).mode & 0o777, 0o700);

      const other = new Harness({ fixture: 'after-deploy' });
      try {
        const real = `${other.root}/elsewhere`;
        fs.mkdirSync(real, { mode: 0o700 });
        fs.symlinkSync(real, other.runtimeDir);
        const d = other.spawnDaemon();
        assert.equal(await exitOf(d), 2);
        assert.match(fs.readFileSync(other.paths.logPath, 'utf8') + '', /symbolic link/);
        assert.equal(fs.readdirSync(real).length, 0, 'nothing was created through the link');
      } finally {
        await other.cleanup();
      }
    });

    it('stats has pid, version, uptime, socket and log paths; the log says what happened', async () => {
      const c = h.client();
      const hello = await c.start();
      const s = await c.request(StatsRequest, {});
      assert.equal(s.daemon.pid, hello.pid);
      assert.equal(s.daemon.version, PACKAGE_VERSION);
      assert.equal(typeof s.daemon.uptimeSeconds, 'number');
      assert.ok(s.daemon.uptimeSeconds >= 0);
      assert.equal(s.daemon.socketPath, h.paths.socketPath);
      assert.equal(s.daemon.logPath, h.paths.logPath);
      assert.equal(s.daemon.home, h.home);
      assert.equal(s.daemon.idleShutdownSeconds, 60);
      await c.stopDaemon();
      const log = logText(h);
      for (const what of [
        new RegExp(`daemon ${PACKAGE_VERSION.replace(/\./g, '\\.')} \\(protocol 1\\) starting for home`),
        /listening on .*\.sock/,
        /client #\d+ connected: test 0\.1\.0/,
        /shutdown requested: stop requested/,
        /shutting down \(requested\)/,
      ]) {
        assert.match(log, what);
      }
      assert.ok(log.split('\n').filter(Boolean).every((l) => l.includes(`[${hello.pid}]`)));
    });
  });
});
