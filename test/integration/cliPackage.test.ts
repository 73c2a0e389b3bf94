// The command line installed on its own, as a hook or CI job gets it: `npm run pack:cli` makes a
// tarball holding only the bundles; `npm install -g` of that tarball into an empty prefix (no
// network: it has no dependencies) gives a `skillmeat-sync` that answers like the repository's, with
// and without a daemon — and the daemon it starts is the one installed beside it.
import * as assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { eventually, Harness, REPO_ROOT } from '../helpers/daemonHarness';
import type { ExpectedArtifact } from '../helpers/fixtureExpected';
import { BASIC_FIXTURE } from '../helpers/fixtures';

describe('the packed command line (npm run pack:cli)', function () {
  this.timeout(120_000);
  let h: Harness;
  let bin: string;
  let prefix: string;
  let files: string[];

  before(() => {
    h = new Harness({ fixture: 'after-edits' });
    const out = path.join(h.root, 'pack');
    // --no-build: `npm test` has just built dist/; the tarball takes those bundles.
    const packed = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'pack-cli.mjs'), '--no-build', '--out', out], { encoding: 'utf8' });
    assert.equal(packed.status, 0, packed.stderr);
    const tarballs = fs.readdirSync(out).filter((f) => f.endsWith('.tgz'));
    assert.equal(tarballs.length, 1, `one tarball: ${tarballs.join(', ')}`);
    const list = spawnSync('tar', ['tzf', path.join(out, tarballs[0]!)], { encoding: 'utf8' });
    files = list.stdout.split('\n').filter(Boolean).sort();
    prefix = path.join(h.root, 'prefix');
    const npmEnv = { ...process.env, npm_config_cache: path.join(h.root, 'npm-cache'), npm_config_update_notifier: 'false' };
    const inst = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', path.join(out, tarballs[0]!)], { encoding: 'utf8', env: npmEnv });
    assert.equal(inst.status, 0, `npm install -g: ${inst.stderr}`);
    bin = path.join(prefix, 'bin', 'skillmeat-sync');
  });
  after(async () => h.cleanup());

  const run = (args: string[]): SpawnSyncReturns<string> =>
    spawnSync(bin, ['--home', h.home, ...args], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, SKILLMEAT_SYNC_RUNTIME_DIR: h.runtimeDir, SKILLMEAT_SYNC_STATE_DIR: h.stateDir, SKILLMEAT_SYNC_IDLE_TIMEOUT: '30' },
    });

  it('the tarball holds the bundles, the manifest, README and LICENSE, nothing else', () => {
    assert.deepEqual(files, ['package/LICENSE', 'package/README.md', 'package/dist/cli.js', 'package/dist/cliMain.js', 'package/dist/daemon.js', 'package/dist/hashWorker.js', 'package/dist/inProcess.js', 'package/package.json']);
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'packages', 'cli', 'package.json'), 'utf8')) as { version: string; dependencies?: unknown };
    const root = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(manifest.version, root.version, 'the CLI package has the project version');
    assert.equal(manifest.dependencies, undefined, 'no dependencies: the bundles inline them');
  });

  it('the installed skillmeat-sync answers status as expected.json says, in-process and through its own daemon', async () => {
    const expected = (JSON.parse(fs.readFileSync(path.join(BASIC_FIXTURE, 'expected.json'), 'utf8')) as Record<string, { artifacts: ExpectedArtifact[] }>)['after-edits']!;
    const want = expected.artifacts.map((a) => `${a.name}::${a.type} ${a.status}`).sort();
    for (const mode of [['--no-daemon'], []]) {
      const r = run(['status', '--json', '--workspace', h.workspace, ...mode]);
      assert.equal(r.status, 0, `status ${mode.join(' ')}: ${r.stderr}`);
      const got = (JSON.parse(r.stdout) as { workspaces: { artifacts: { name: string; type: string; status: string }[] }[] }).workspaces[0]!.artifacts
        .map((a) => `${a.name}::${a.type} ${a.status}`)
        .sort();
      assert.deepEqual(got, want, `status ${mode.join(' ') || '(daemon)'}`);
    }
    const drift = run(['status', '--fail-on-drift', '--no-daemon', '--workspace', h.workspace]);
    assert.equal(drift.status, 1, 'drift in after-edits: exit 1 with --fail-on-drift');

    // The daemon it started runs from the installed package, not from the repository's dist/.
    // A status without a daemon starts one in the background and does not wait for it: neither do
    // the commands after it, so the daemon may still be starting (a loaded machine).
    const pid = await eventually(() => h.daemonPid(), 10_000, 'the daemon the status started in the background');
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    assert.ok(cmdline.includes(path.join(prefix, 'lib', 'node_modules', 'skillmeat-sync-cli', 'dist', 'daemon.js')), cmdline);
    const stop = run(['daemon', 'stop']);
    assert.equal(stop.status, 0, stop.stderr);
  });
});
