// Issue #2: the CLI's daemon commands and exit codes, run as the bundled dist/cli.js.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pidAlive, waitForExit } from '../../shared/client';
import { PACKAGE_VERSION } from '../../shared/version';
import { ageTree } from '../helpers/ageTree';
import { CLI_SCRIPT, eventually, Harness, logText, socketAnswers, startDirect } from '../helpers/daemonHarness';

describe('skillmeat-sync CLI: daemon commands and exit codes', function () {
  this.timeout(60_000);
  let h: Harness;
  afterEach(async () => {
    await h.cleanup();
    assert.deepEqual(h.processes(), []);
    assert.equal(fs.existsSync(h.root), false);
  });

  describe('usage', () => {
    beforeEach(() => (h = new Harness({ fixture: 'after-edits' })));

    it('--help prints the usage and exits 0', async () => {
      const r = await h.cli(['--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /Usage:/);
      for (const sub of ['start', 'stop', 'status', 'list']) assert.match(r.stdout, new RegExp(`skillmeat-sync daemon ${sub}\\b`));
      assert.match(r.stdout, /Exit status: 0 success; 1 drift/);
    });

    it('--version prints the package version', async () => {
      const r = await h.cli(['--version']);
      assert.equal(r.code, 0);
      assert.equal(r.stdout.trim(), PACKAGE_VERSION);
    });

    it('an unknown command, an unknown flag, no command and a bare `daemon` exit 2 and start nothing', async () => {
      const unknown = await h.cli(['frobnicate']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /unknown command "frobnicate"/);
      const flag = await h.cli(['status', '--no-such-flag']);
      assert.equal(flag.code, 2);
      assert.match(flag.stderr, /no-such-flag/);
      const none = await h.cli([]);
      assert.equal(none.code, 2);
      assert.match(none.stdout, /Usage:/);
      const bare = await h.cli(['daemon']);
      assert.equal(bare.code, 2);
      assert.match(bare.stderr, /daemon needs one of: start, stop, status/);
      const wrong = await h.cli(['daemon', 'explode']);
      assert.equal(wrong.code, 2);
      assert.equal(h.daemonPid(), undefined, 'a usage error started no daemon');
    });
  });

  describe('daemon start|stop|status', () => {
    beforeEach(() => (h = new Harness({ fixture: 'after-edits' })));

    it('start, status (text and json), stop, and stop again', async () => {
      const none = await h.cli(['daemon', 'status']);
      assert.equal(none.code, 3, 'status of no daemon is "not running", distinct from usage errors');
      assert.match(none.stdout, /no daemon is running/);
      assert.ok(none.stdout.includes(h.paths.socketPath));
      assert.equal(h.daemonPid(), undefined, 'status does not start a daemon');

      const start = await h.cli(['daemon', 'start']);
      assert.equal(start.code, 0, start.stderr);
      const pid = Number(/pid (\d+)/.exec(start.stdout)?.[1]);
      assert.equal(h.daemonPid(), pid);
      assert.ok(pidAlive(pid));
      // A second start finds the running one.
      const again = await h.cli(['daemon', 'start', '--json']);
      assert.equal(again.code, 0);
      assert.deepEqual(JSON.parse(again.stdout), { pid, version: PACKAGE_VERSION, socket: h.paths.socketPath });

      const status = await h.cli(['daemon', 'status']);
      assert.equal(status.code, 0);
      assert.match(status.stdout, new RegExp(`daemon running: pid ${pid}, version ${PACKAGE_VERSION.replace(/\./g, '\\.')}`));
      assert.ok(status.stdout.includes(h.paths.socketPath));
      assert.ok(status.stdout.includes(h.paths.logPath));
      const json = JSON.parse((await h.cli(['daemon', 'status', '--json'])).stdout) as { running: boolean; pid: number; logPath: string; uptimeSeconds: number };
      assert.equal(json.running, true);
      assert.equal(json.pid, pid);
      assert.equal(json.logPath, h.paths.logPath);
      assert.equal(typeof json.uptimeSeconds, 'number');

      const stop = await h.cli(['daemon', 'stop']);
      assert.equal(stop.code, 0);
      assert.match(stop.stdout, new RegExp(`daemon stopped \\(pid ${pid}\\)`));
      assert.ok(await waitForExit(pid, 5000));
      assert.equal(fs.existsSync(h.paths.socketPath), false);
      assert.equal(fs.existsSync(h.paths.lockPath), false);
      const stopAgain = await h.cli(['daemon', 'stop']);
      assert.equal(stopAgain.code, 0);
      assert.match(stopAgain.stdout, /no daemon is running/);
    });
  });

  describe('status exit codes', () => {
    it('after-edits: 0 without --fail-on-drift, 1 with it', async () => {
      h = new Harness({ fixture: 'after-edits' });
      const plain = await h.cli(['status', '--workspace', h.workspace]);
      assert.equal(plain.code, 0, plain.stderr);
      const drift = await h.cli(['status', '--workspace', h.workspace, '--fail-on-drift']);
      assert.equal(drift.code, 1, drift.stderr);
      const json = JSON.parse((await h.cli(['status', '--workspace', h.workspace, '--json'])).stdout) as { workspaces: { artifacts: { name: string; status: string }[] }[] };
      assert.equal(json.workspaces[0].artifacts.find((a) => a.name === 'code-reviewer')?.status, 'synced');
      assert.equal(json.workspaces[0].artifacts.find((a) => a.name === 'pdf-tools')?.status, 'modified');
    });

    it('after-deploy: --fail-on-drift exits 0', async () => {
      h = new Harness({ fixture: 'after-deploy' });
      const r = await h.cli(['status', '--workspace', h.workspace, '--fail-on-drift']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
    });

    it('a missing workspace folder exits 2 and names it', async () => {
      h = new Harness({ fixture: 'after-edits' });
      const missing = path.join(h.root, 'no-such-project');
      const r = await h.cli(['status', '--workspace', missing]);
      assert.equal(r.code, 2);
      assert.ok(r.stderr.includes(`workspace folder ${missing} does not exist`), r.stderr);
    });

    it('with its daemon running, status is its one exchange: the same output as --no-daemon, exit codes and warnings included', async () => {
      h = new Harness({ fixture: 'after-edits' });
      // not racy, so that the daemon keeps the rows (and their rendered text) between commands
      ageTree(h.home);
      ageTree(h.workspace);
      // a config.toml value the engine warns about, to see warnings come through
      const config = path.join(h.home, 'config.toml');
      fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('default-collection = "default"', 'default-collection = 7'));
      ageTree(h.home);
      const expected = {
        json: await h.cli(['status', '--workspace', h.workspace, '--json', '--no-daemon']),
        table: await h.cli(['status', '--workspace', h.workspace, '--no-daemon']),
        drift: await h.cli(['status', '--workspace', h.workspace, '--fail-on-drift', '--no-daemon']),
      };
      assert.match(expected.json.stderr, /warning: config.toml: \[settings\] default-collection is not a string/, 'the fixture change gives a warning');
      const start = await h.cli(['daemon', 'start']);
      assert.equal(start.code, 0, start.stderr);
      for (let round = 0; round < 2; round++) {
        const json = await h.cli(['status', '--workspace', h.workspace, '--json']);
        const table = await h.cli(['status', '--workspace', h.workspace]);
        const drift = await h.cli(['status', '--workspace', h.workspace, '--fail-on-drift']);
        for (const [name, got, want] of [['json', json, expected.json], ['table', table, expected.table], ['--fail-on-drift', drift, expected.drift]] as const) {
          assert.deepEqual({ code: got.code, stdout: got.stdout, stderr: got.stderr }, { code: want.code, stdout: want.stdout, stderr: want.stderr }, `${name}, round ${round}`);
        }
      }
      assert.equal(expected.drift.code, 1);
      // Every status went through statusText: json, table and the --verify of --fail-on-drift
      // (made once each per round's rows), none through the full client's status.
      const caches = JSON.parse((await h.cli(['cache', 'stats', '--json'])).stdout) as Array<{ name: string; rendered?: { hits: number; misses: number } }>;
      const rendered = caches.find((c) => c.name === 'status')?.rendered;
      assert.ok(rendered && rendered.hits + rendered.misses === 6, JSON.stringify(rendered));
      assert.ok(rendered.hits >= 2, `the second round's json and table were given from the kept text: ${JSON.stringify(rendered)}`);
    });

    it('an older daemon running: status still answers right (the full client replaces it), and the next status is one exchange again', async () => {
      h = new Harness({ fixture: 'after-edits' });
      const want = await h.cli(['status', '--workspace', h.workspace, '--json', '--no-daemon']);
      const old = await startDirect(h, { SKILLMEAT_SYNC_VERSION_OVERRIDE: '0.0.1' });
      const r = await h.cli(['status', '--workspace', h.workspace, '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, want.stdout);
      await eventually(() => old.exitCode !== null, 10_000, 'the older daemon to leave');
      assert.equal(old.exitCode, 0);
      // asked once by the bin's one exchange, once by the full client that replaced it: not twice the first way
      const cliHellos = logText(h).split('\n').filter((l) => l.includes(`[${old.pid}]`) && /client #\d+ connected: cli /.test(l));
      assert.equal(cliHellos.length, 2, cliHellos.join('\n'));
      // the status started a current daemon in the background
      await eventually(async () => h.daemonPid() !== undefined && h.daemonPid() !== old.pid && (await socketAnswers(h.paths.socketPath)), 10_000, 'a current daemon');
      const again = await h.cli(['status', '--workspace', h.workspace, '--json']);
      assert.equal(again.stdout, want.stdout);
      const caches = JSON.parse((await h.cli(['cache', 'stats', '--json'])).stdout) as Array<{ name: string; rendered?: { hits: number; misses: number } }>;
      const rendered = caches.find((c) => c.name === 'status')?.rendered;
      assert.ok(rendered && rendered.hits + rendered.misses >= 1, JSON.stringify(rendered));
    });

    it('a reader that closes the pipe early (`status | head`): no stack trace, the command\'s own exit code, with and without a daemon', async () => {
      h = new Harness({ fixture: 'after-edits' });
      // stdout's read end closed before the CLI writes: its write fails with EPIPE
      const closedPipe = (args: string[]) =>
        new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
          const child = spawn(process.execPath, [CLI_SCRIPT, '--home', h.home, ...args], { env: h.cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
          child.stdout.destroy();
          let stderr = '';
          child.stderr.on('data', (d) => (stderr += d));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, stderr }));
        });
      for (const daemon of ['--no-daemon', 'with a daemon']) {
        const extra = daemon === '--no-daemon' ? ['--no-daemon'] : [];
        if (daemon === 'with a daemon') assert.equal((await h.cli(['daemon', 'start'])).code, 0);
        const plain = await closedPipe(['status', '--workspace', h.workspace, '--json', ...extra]);
        assert.deepEqual(plain, { code: 0, stderr: '' }, daemon);
        const drift = await closedPipe(['status', '--workspace', h.workspace, '--fail-on-drift', ...extra]);
        assert.deepEqual(drift, { code: 1, stderr: '' }, `${daemon}: --fail-on-drift still says drift`);
      }
    });

    it('a missing SkillMeat home exits 2 with a clear message', async () => {
      h = new Harness({ fixture: 'after-edits' });
      h.home = path.join(h.root, 'nobody', '.skillmeat');
      const r = await h.cli(['status', '--workspace', h.workspace, '--fail-on-drift']);
      assert.equal(r.code, 2);
      assert.ok(r.stderr.includes(`no SkillMeat home at ${h.home}`), r.stderr);
      assert.match(r.stderr, /--home DIR or set SKILLMEAT_HOME/);
    });
  });
});
