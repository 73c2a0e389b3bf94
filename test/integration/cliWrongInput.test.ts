// Issue #17: the command line for people and scripts — wrong input is an error (exit 2, one clear
// line), offline output is honest, and no daemon is left behind for a path that is not a SkillMeat
// home. The real dist/cli.js against a private runtime folder; the demo home (one github-origin
// skill, canvas-design) with GitHub played by a closed port on 127.0.0.1.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { waitForExit } from '../../shared/client';
import { KEY_GRAMMAR } from '../../shared/artifactKey';
import { listDaemonEntries } from '../../shared/paths';
import type { CheckUpstreamResult } from '../../shared/protocol';
import type { StatusResult } from '../../shared/types';
import { Harness, REPO_ROOT } from '../helpers/daemonHarness';

/** A loopback port nobody listens on: every request is refused at once. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function demoWorld(): Harness {
  const h = new Harness();
  fs.cpSync(path.join(REPO_ROOT, 'demo', 'home'), path.join(h.root, 'home'), { recursive: true });
  fs.cpSync(path.join(REPO_ROOT, 'demo', 'workspace'), h.workspace, { recursive: true });
  return h;
}

describe('skillmeat-sync: wrong input, honest offline output, no stray daemons (issue #17)', function () {
  this.timeout(90_000);
  let h: Harness;
  let api: string;
  beforeEach(async () => {
    h = demoWorld();
    api = `http://127.0.0.1:${await closedPort()}`;
  });
  afterEach(async () => {
    await h.cleanup();
    assert.deepEqual(h.processes(), []);
  });

  it('a folder that is not a SkillMeat home: exit 2 with one line (did you mean …/.skillmeat?), and no daemon or socket', async () => {
    const parent = path.join(h.root, 'home');
    const empty = path.join(h.root, 'empty');
    fs.mkdirSync(empty);
    const missing = path.join(h.root, 'nope');
    const expected: [string, string][] = [
      [parent, `${parent} is not a SkillMeat home (no config.toml, no collections/); did you mean ${h.home}?`],
      [empty, `${empty} is not a SkillMeat home (no config.toml, no collections/) (use --home DIR or set SKILLMEAT_HOME)`],
      [missing, `no SkillMeat home at ${missing} (use --home DIR or set SKILLMEAT_HOME)`],
    ];
    const commands = [
      ['status', '--workspace', h.workspace],
      ['status', '--json', '--workspace', h.workspace],
      ['counts'],
      ['check-upstream'],
      ['check-upstream', 'canvas-design'],
      ['invalidate', '--upstream', 'nosuch'],
      ['invalidate', '--all'],
      ['cache', 'stats'],
      ['daemon', 'start'],
    ];
    for (const [home, message] of expected) {
      for (const cmd of commands) {
        const r = await h.cli([...cmd, '--home', home]);
        const what = `${cmd.join(' ')} --home ${home}`;
        assert.equal(r.code, 2, `${what}: ${r.stderr}`);
        assert.equal(r.stderr, `skillmeat-sync: ${message}\n`, what);
        assert.equal(r.stdout, '', what);
      }
      const local = await h.cli(['status', '--no-daemon', '--workspace', h.workspace, '--home', home]);
      assert.equal(local.code, 2);
      assert.equal(local.stderr, `skillmeat-sync: ${message}\n`);
    }
    // Nothing was started for any of them: no process mentions this world, no socket, no lock.
    assert.deepEqual(h.processes(), []);
    assert.deepEqual(listDaemonEntries(h.runtimeDir), []);
    // The real home next to them still works.
    const ok = await h.cli(['status', '--workspace', h.workspace]);
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('KEYs: an unambiguous bare name works; an unknown or malformed one is exit 2 naming the key grammar, with and without a daemon', async () => {
    const one = await h.cli(['check-upstream', 'canvas-design', '--json', '--github-api-url', api]);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual((JSON.parse(one.stdout) as CheckUpstreamResult).results.map((r) => r.artifact), ['default/canvas-design::skill']);
    for (const [args, why] of [
      [['check-upstream', 'nosuchkey'], 'no artifact matches "nosuchkey"'],
      [['check-upstream', 'nosuchkey', '--no-daemon'], 'no artifact matches "nosuchkey"'],
      [['invalidate', '--upstream', 'nosuch'], 'no artifact matches "nosuch"'],
    ] as const) {
      const r = await h.cli([...args, '--github-api-url', api]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, `skillmeat-sync: ${why} (a KEY is ${KEY_GRAMMAR})\n`, args.join(' '));
      assert.equal(r.stdout, '');
    }
    const bad = await h.cli(['check-upstream', 'a::b::c::d']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, `skillmeat-sync: invalid artifact key "a::b::c::d": too many "::" parts (expected ${KEY_GRAMMAR})\n`);
    const source = await h.cli(['check-upstream', 'github:github.com/anthropics/skills@latest']);
    assert.equal(source.code, 2);
    assert.match(source.stderr, /is an upstream source, not an artifact key/);
    const help = await h.cli(['check-upstream', '--help']);
    assert.equal(help.code, 0);
    assert.ok(help.stdout.includes(KEY_GRAMMAR), help.stdout);
    assert.ok((await h.cli(['--help'])).stdout.includes(KEY_GRAMMAR));
  });

  it('offline check-upstream: 0 requests reached GitHub (why); then "cached, retried after HH:MM:SS or with --force"; invalidate counts the failures it drops', async () => {
    const first = await h.cli(['check-upstream', '--github-api-url', api]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /canvas-design\s+skill\s+default\s+unknown\s+network unreachable: connection refused \(ECONNREFUSED\)/);
    assert.match(first.stdout, /\n0 requests reached GitHub \(connection refused; \d+ attempts?\)\n/);
    assert.doesNotMatch(first.stdout, /\d+ requests? to GitHub/);

    const cached = await h.cli(['check-upstream', '--github-api-url', api]);
    assert.equal(cached.code, 0, cached.stderr);
    assert.match(cached.stdout, /\n0 requests to GitHub: 1 source answered from a cached failure \(network unreachable: connection refused \(ECONNREFUSED\)\); cached, retried after \d\d:\d\d:\d\d or with --force\n/);
    const json = JSON.parse((await h.cli(['check-upstream', '--json', '--github-api-url', api])).stdout) as CheckUpstreamResult;
    assert.equal(json.requests, 0);
    assert.equal(json.answered, 0);
    assert.equal(json.cachedFailures?.sources, 1);
    assert.ok(Date.parse(json.cachedFailures?.retryAt ?? '') > Date.now(), JSON.stringify(json.cachedFailures));

    const dropped = await h.cli(['invalidate', '--upstream']);
    assert.equal(dropped.code, 0, dropped.stderr);
    assert.equal(dropped.stdout, 'invalidated upstream: 0 upstream answers marked for re-check, 1 cached upstream failure dropped\n');

    const again = JSON.parse((await h.cli(['check-upstream', '--json', '--github-api-url', api])).stdout) as CheckUpstreamResult;
    assert.ok(again.requests >= 1, 'asked again after the invalidation');
    assert.equal(again.answered, 0);
    assert.equal(again.networkError, 'connection refused');
    assert.equal(again.cachedFailures, undefined);
    const byKey = JSON.parse((await h.cli(['invalidate', '--upstream', 'canvas-design', '--json'])).stdout) as { dropped: Record<string, number> };
    assert.deepEqual(byKey.dropped, { upstream: 0, upstreamFailures: 1 });
  });

  it('unknown options get a suggestion, not Node\'s parse error; per-command --help', async () => {
    const r = await h.cli(['status', '--jsno']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'skillmeat-sync: unknown option --jsno (did you mean --json?)\nTry skillmeat-sync status --help\n');
    const misplaced = await h.cli(['status', '--force']);
    assert.equal(misplaced.code, 2);
    assert.match(misplaced.stderr, /^skillmeat-sync: status does not take --force \(it takes --workspace, --json, /);
    const cmd = await h.cli(['stauts']);
    assert.equal(cmd.code, 2);
    assert.match(cmd.stderr, /unknown command "stauts" \(did you mean "status"\?\)/);
    const help = await h.cli(['daemon', 'stop', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: skillmeat-sync daemon stop \[--all\] \[--json\]/);
    assert.equal(h.daemonPid(), undefined, 'usage errors start nothing');
  });

  it('human status: the PROFILE column shows the JSON\'s profile id (with its folder)', async () => {
    const human = await h.cli(['status', '--workspace', h.workspace]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /\n {2}STATUS\s+ARTIFACT\s+TYPE\s+PROFILE\s+/);
    assert.match(human.stdout, /\n {2}\S+\s+canvas-design\s+skill\s+claude_code \(\.claude\)\s+default/);
    const json = JSON.parse((await h.cli(['status', '--json', '--workspace', h.workspace])).stdout) as StatusResult;
    const row = json.workspaces[0].artifacts.find((a) => a.name === 'canvas-design');
    assert.deepEqual([row?.profile, row?.profileRoot], ['claude_code', '.claude']);
  });

  it('daemon list shows every daemon of this user (home, pid, uptime, clients, memory); daemon stop --all stops them', async () => {
    const other = path.join(h.root, 'other', '.skillmeat');
    fs.cpSync(h.home, other, { recursive: true });
    const none = await h.cli(['daemon', 'list']);
    assert.equal(none.code, 0);
    assert.equal(none.stdout, 'no daemon is running\n');
    const pids: number[] = [];
    for (const home of [h.home, other]) {
      const s = await h.cli(['daemon', 'start', '--json', '--home', home]);
      assert.equal(s.code, 0, s.stderr);
      pids.push((JSON.parse(s.stdout) as { pid: number }).pid);
    }
    const list = JSON.parse((await h.cli(['daemon', 'list', '--json'])).stdout) as { home: string; pid: number; uptimeSeconds: number; clients: number; rssBytes: number; answering: boolean }[];
    assert.deepEqual(list.map((d) => [d.home, d.pid, d.answering, d.clients]).sort(), [[h.home, pids[0], true, 0], [other, pids[1], true, 0]].sort());
    for (const d of list) {
      assert.equal(typeof d.uptimeSeconds, 'number');
      assert.ok(d.rssBytes > 10 * 1024 * 1024, `resident memory reported: ${d.rssBytes}`);
    }
    const human = await h.cli(['daemon', 'list']);
    assert.match(human.stdout, /^PID\s+HOME\s+UP\s+CLIENTS\s+MEMORY\s+VERSION\n/);
    assert.ok(human.stdout.includes(other), human.stdout);
    assert.match(human.stdout, /\d+ MB/);

    const stop = await h.cli(['daemon', 'stop', '--all']);
    assert.equal(stop.code, 0, stop.stderr);
    for (const pid of pids) {
      assert.ok(stop.stdout.includes(`daemon stopped (pid ${pid}, home `), stop.stdout);
      assert.ok(await waitForExit(pid, 5000));
    }
    assert.deepEqual(listDaemonEntries(h.runtimeDir), []);
    assert.equal((await h.cli(['daemon', 'list'])).stdout, 'no daemon is running\n');
    const status = await h.cli(['daemon', 'status']);
    assert.equal(status.code, 3, 'daemon status with no daemon is exit 3');
  });
});
