// `npm start` (scripts/start.mjs) as a new user runs it, without an editor: a fresh demo folder per
// run — a second run never deletes the folder an editor of the first may still have open — and,
// with a real SkillMeat home but nothing deployed in the folder, a hint to pass --workspace / --demo.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Harness, REPO_ROOT } from '../helpers/daemonHarness';

describe('npm start (scripts/start.mjs --no-editor)', function () {
  this.timeout(120_000);
  let h: Harness;
  beforeEach(() => (h = new Harness({ fixture: 'after-edits' })));
  afterEach(async () => h.cleanup());

  /** start.mjs with a private HOME, TMPDIR and daemon folders, all under this test's root. */
  const start = (args: string[], cwd: string) => {
    const userHome = path.join(h.root, 'user');
    const tmp = path.join(h.root, 'tmp');
    fs.mkdirSync(userHome, { recursive: true });
    fs.mkdirSync(tmp, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: userHome,
      TMPDIR: tmp,
      INIT_CWD: cwd,
      SKILLMEAT_SYNC_RUNTIME_DIR: h.runtimeDir,
      SKILLMEAT_SYNC_STATE_DIR: h.stateDir,
      SKILLMEAT_SYNC_IDLE_TIMEOUT: '30',
    };
    delete env.SKILLMEAT_HOME;
    delete env.CI;
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'start.mjs'), '--no-build', '--no-editor', ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `start.mjs ${args.join(' ')}: ${r.stderr}`);
    return { out: r.stdout, userHome, tmp };
  };
  const demoFolder = (out: string) => {
    const m = out.match(/Demo copied to (\S+)/);
    assert.ok(m, `the demo folder is printed:\n${out}`);
    return m[1]!;
  };

  it('twice without a SkillMeat home: two demo folders, the first still there after the second run', () => {
    const first = start([], h.workspace);
    const a = demoFolder(first.out);
    assert.match(first.out, /No SkillMeat home at .*showing the demo/);
    assert.ok(a.startsWith(first.tmp), `${a} is under TMPDIR`);
    const b = demoFolder(start([], h.workspace).out);
    assert.notEqual(a, b, 'a fresh folder per run');
    assert.ok(fs.existsSync(path.join(a, 'workspace', '.claude', '.skillmeat-deployed.toml')), 'the first demo folder survived the second run');
    assert.ok(fs.existsSync(path.join(b, 'workspace', '.claude', '.skillmeat-deployed.toml')));
  });

  it('--demo with a real SkillMeat home shows the demo anyway, with no hint', () => {
    const { out } = start(['--demo', '--home', h.home], h.workspace);
    demoFolder(out);
    assert.doesNotMatch(out, /--workspace DIR/);
  });

  it('a real SkillMeat home and nothing deployed in the folder: a hint to pass --workspace DIR or --demo', () => {
    const empty = path.join(h.root, 'empty');
    fs.mkdirSync(empty);
    const { out } = start(['--home', h.home], empty);
    assert.doesNotMatch(out, /Demo copied/);
    assert.match(out, new RegExp(`Nothing SkillMeat deployed is in ${empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(out, /npm start -- --workspace DIR/);
    assert.match(out, /npm start -- --demo/);
    // and none where something is deployed
    assert.doesNotMatch(start(['--home', h.home], h.workspace).out, /Nothing SkillMeat deployed/);
  });

  it('an unknown option is a usage error naming it', () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'start.mjs'), '--no-edtior'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown option --no-edtior/);
  });
});
