// Issue #11: the daemon's answer is never older than the question, and no change can be missed for
// good. Real daemon, real files, files AGED an hour before the daemon warms (so the 2 s racy window
// hides nothing), and every answer compared with the in-process engine's (what `--no-daemon`
// runs: no watchers, no cache carried over). Timing cases ask with no pause after the change, at
// least 20 times; permanent cases are asked again 5 s later.
import { execFileSync } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitForExit } from '../../shared/client';
import { CountsRequest, StatusRequest } from '../../shared/protocol';
import type { StatusResult } from '../../shared/types';
import { InProcessEngine } from '../../daemon/cli/inProcess';
import { Harness, type HarnessOptions } from '../helpers/daemonHarness';
import { ageTree } from '../helpers/ageTree';

const HOUR_AGO = new Date(Date.now() - 3600_000);
const PDF = '.claude/skills/pdf-tools/SKILL.md';
const COL = 'collections/default';

const age = (dir: string): void => ageTree(dir, HOUR_AGO);

/** What must agree: active collection, every row's status and hashes, the not-deployed list. */
function essence(r: StatusResult) {
  return {
    active: r.activeCollection,
    workspaces: r.workspaces.map((w) => ({
      rows: w.artifacts.map((a) => `${a.key} ${a.status} ${a.projectHash ?? '-'} ${a.collectionHash ?? '-'}${a.reason ? ` (${a.reason})` : ''}`).sort(),
      notDeployed: (w.notDeployed ?? []).map((n) => `${n.collection}/${n.name}::${n.type}`).sort(),
      warnings: (w.warnings ?? []).filter((x) => !x.includes('file watching')),
    })),
  };
}

class World {
  readonly h: Harness;
  readonly ws: string;
  readonly home: string;
  private readonly client: ReturnType<Harness['client']>;

  constructor(opts: HarnessOptions = {}, prepare?: (w: { ws: string; home: string; root: string }) => void) {
    this.h = new Harness({ fixture: 'after-deploy', daemonEnv: { SKILLMEAT_SYNC_TEST_HOOKS: '1', ...(opts.daemonEnv ?? {}) }, ...opts });
    this.ws = this.h.workspace;
    this.home = this.h.home;
    prepare?.({ ws: this.ws, home: this.home, root: this.h.root });
    age(this.h.root);
    this.client = this.h.client({ requestTimeoutMs: 15_000 });
  }

  p(rel: string): string {
    return path.join(this.ws, rel);
  }

  c(rel: string): string {
    return path.join(this.home, COL, rel.replace(/^\.claude\//, ''));
  }

  async daemon(folders = [this.ws], verify = false): Promise<StatusResult> {
    return this.client.request(StatusRequest, { folders, ...(verify ? { verify: true } : {}) });
  }

  /** The in-process engine's answer, computed from scratch. */
  async truth(folders = [this.ws]): Promise<StatusResult> {
    const e = new InProcessEngine(this.home);
    try {
      return await e.status(folders);
    } finally {
      await e.close();
    }
  }

  /** Asks the daemon at once, then the engine; they must agree. Returns the daemon's answer. */
  async agree(what: string, folders = [this.ws]): Promise<StatusResult> {
    const d = await this.daemon(folders);
    const t = await this.truth(folders);
    assert.deepEqual(essence(d), essence(t), `${what}: the daemon's answer differs from the in-process one`);
    return d;
  }

  async warm(folders = [this.ws]): Promise<void> {
    await this.client.start();
    await this.agree('warm-up', folders);
    await this.agree('warm, second answer from the caches', folders);
  }

  pid(): number {
    const pid = this.h.daemonPid();
    assert.ok(pid, 'the daemon runs');
    return pid;
  }

  cleanup(): Promise<void> {
    return this.h.cleanup();
  }
}

function statusOf(r: StatusResult, key: string): string | undefined {
  return r.workspaces[0].artifacts.find((a) => a.key === key)?.status;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('never a wrong "synced" (issue #11)', function () {
  this.timeout(180_000);
  const worlds: World[] = [];
  const world = (...args: ConstructorParameters<typeof World>) => {
    const w = new World(...args);
    worlds.push(w);
    return w;
  };
  afterEach(async () => {
    for (const w of worlds.splice(0)) await w.cleanup();
  });

  it('permanent cases: moves, replacements, symlinks, hard links, dropped folders — right at once and 5 s later', async () => {
    const cases: { what: string; prepare?: (w: { ws: string; home: string; root: string }) => void; change: (w: World) => void | Promise<void>; extraFolders?: (w: World) => string[] }[] = [
      {
        what: 'mv .claude t; edit; mv t .claude',
        // a pause between the steps lets the daemon see the folder gone before it is edited
        change: async (w) => {
          fs.renameSync(w.p('.claude'), w.p('t'));
          await sleep(300);
          fs.appendFileSync(w.p('t/skills/pdf-tools/SKILL.md'), 'e\n');
          await sleep(300);
          fs.renameSync(w.p('t'), w.p('.claude'));
        },
      },
      {
        what: 'a collection folder moved away, edited, moved back',
        change: async (w) => {
          const dir = path.join(w.home, COL);
          fs.renameSync(dir, dir + '.t');
          await sleep(300);
          fs.appendFileSync(path.join(dir + '.t', 'skills/pdf-tools/SKILL.md'), 'e\n');
          await sleep(300);
          fs.renameSync(dir + '.t', dir);
        },
      },
      {
        what: 'the home moved away, edited, moved back',
        change: async (w) => {
          fs.renameSync(w.home, w.home + '.t');
          await sleep(300);
          fs.appendFileSync(path.join(w.home + '.t', COL, 'skills/notes-helper/SKILL.md'), 'e\n');
          await sleep(300);
          fs.renameSync(w.home + '.t', w.home);
        },
      },
      {
        what: 'a collection folder replaced by mv',
        change: (w) => {
          const dir = path.join(w.home, COL);
          fs.cpSync(dir, dir + '.new', { recursive: true, preserveTimestamps: true });
          fs.appendFileSync(path.join(dir + '.new', 'agents/code-reviewer.md'), 'e\n');
          fs.renameSync(dir, dir + '.old');
          fs.renameSync(dir + '.new', dir);
        },
      },
      {
        what: '.claude a symlink (a dotfile manager), edited through its target',
        prepare: ({ ws, root }) => {
          fs.renameSync(path.join(ws, '.claude'), path.join(root, 'dotfiles-claude'));
          fs.symlinkSync(path.join(root, 'dotfiles-claude'), path.join(ws, '.claude'));
        },
        change: (w) => fs.appendFileSync(path.join(w.h.root, 'dotfiles-claude/skills/pdf-tools/SKILL.md'), 'e\n'),
      },
      {
        what: 'collections/<name> a symlink, edited through its target',
        prepare: ({ home, root }) => {
          fs.renameSync(path.join(home, COL), path.join(root, 'col-target'));
          fs.symlinkSync(path.join(root, 'col-target'), path.join(home, COL));
        },
        change: (w) => fs.appendFileSync(path.join(w.h.root, 'col-target/commands/review.md'), 'e\n'),
      },
      {
        what: 'a skill shared between collections by a symlink, edited through the other one',
        prepare: ({ home }) => {
          fs.cpSync(path.join(home, COL), path.join(home, 'collections/second'), { recursive: true });
          const skill = path.join(home, COL, 'skills/pdf-tools');
          fs.rmSync(skill, { recursive: true });
          fs.symlinkSync(path.join(home, 'collections/second/skills/pdf-tools'), skill);
        },
        change: (w) => fs.appendFileSync(path.join(w.home, 'collections/second/skills/pdf-tools/scripts/extract.py'), '# e\n'),
      },
      {
        what: 'a symlinked file inside a deployed skill, its target edited',
        prepare: ({ ws, root }) => {
          const f = path.join(ws, '.claude/skills/pdf-tools/references/guide.md');
          fs.renameSync(f, path.join(root, 'guide.md'));
          fs.symlinkSync(path.join(root, 'guide.md'), f);
        },
        change: (w) => fs.appendFileSync(path.join(w.h.root, 'guide.md'), 'e\n'),
      },
      {
        what: 'config.toml a symlink whose target switches the active collection',
        prepare: ({ home, root }) => {
          fs.cpSync(path.join(home, COL), path.join(home, 'collections/second'), { recursive: true });
          fs.renameSync(path.join(home, 'config.toml'), path.join(root, 'config.toml'));
          fs.symlinkSync(path.join(root, 'config.toml'), path.join(home, 'config.toml'));
        },
        change: (w) => {
          const f = path.join(w.h.root, 'config.toml');
          fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('default-collection = "default"', 'default-collection = "second"'));
        },
      },
      {
        what: 'a workspace copied with cp -al, edited in the original',
        prepare: ({ ws }) => execFileSync('cp', ['-al', ws, ws + '-copy']),
        extraFolders: (w) => [w.ws + '-copy'],
        change: (w) => fs.appendFileSync(w.p(PDF), 'e\n'),
      },
      {
        what: 'a project file hard-linked to its collection file, the collection file edited',
        prepare: ({ ws, home }) => {
          const f = path.join(ws, '.claude/agents/code-reviewer.md');
          fs.rmSync(f);
          fs.linkSync(path.join(home, COL, 'agents/code-reviewer.md'), f);
        },
        change: (w) => fs.appendFileSync(w.c('agents/code-reviewer.md'), 'e\n'),
      },
      {
        what: 'more than 64 folders asked about: the first is dropped from watching, then edited',
        extraFolders: (w) => {
          const dirs: string[] = [];
          for (let i = 0; i < 66; i++) {
            const d = path.join(w.h.root, `other-${i}`);
            fs.mkdirSync(d, { recursive: true });
            dirs.push(d);
          }
          return dirs;
        },
        change: (w) => fs.appendFileSync(w.p('.claude/commands/review.md'), 'e\n'),
      },
    ];
    // Every case runs, and every wrong answer is listed (not only the first).
    const wrong: string[] = [];
    const check = async (w: World, what: string, folders: string[]) => {
      try {
        await w.agree(what, folders);
      } catch (err) {
        wrong.push((err as Error).message.split('\n')[0]);
      }
    };
    const recheck: { w: World; what: string; folders: string[] }[] = [];
    for (const k of cases) {
      const w = world({}, k.prepare);
      await w.warm();
      const extra = k.extraFolders?.(w) ?? [];
      const folders = extra.length && extra.length < 3 ? [w.ws, ...extra] : [w.ws];
      if (extra.length) await w.agree(`${k.what}: warm`, folders);
      // 66 folders asked about one by one push the first out of the daemon's 64
      if (extra.length >= 3) for (const d of extra) await w.daemon([d]);
      const before = essence(await w.truth(folders));
      await k.change(w);
      assert.notDeepEqual(essence(await w.truth(folders)), before, `${k.what}: the change shows in the true answer`);
      await check(w, k.what, folders);
      recheck.push({ w, what: k.what, folders });
    }
    await sleep(5000);
    for (const r of recheck) await check(r.w, `${r.what} (5 s later)`, r.folders);
    assert.deepEqual(wrong, [], `${wrong.length} wrong answers`);
  });

  it('timing cases: 20 tries each, asked with no pause after the change', async () => {
    const w = world();
    await w.warm();
    const file = w.p(PDF);
    const original = fs.readFileSync(file, 'utf8');
    const cfg = path.join(w.home, 'config.toml');
    const cfgText = fs.readFileSync(cfg, 'utf8');
    fs.cpSync(path.join(w.home, COL), path.join(w.home, 'collections/second'), { recursive: true });
    const manifest = path.join(w.home, COL, 'collection.toml');
    const manifestText = fs.readFileSync(manifest, 'utf8');
    const extraArtifact = '\n[[artifacts]]\nname = "extra-cmd"\ntype = "command"\npath = "commands/review.md"\norigin = "local"\nadded = "2026-11-22T01:34:06.938188"\n';
    const kinds: { what: string; step: (i: number) => void }[] = [
      { what: 'echo x >> SKILL.md / restore', step: (i) => (i % 2 ? fs.writeFileSync(file, original) : fs.appendFileSync(file, 'x\n')) },
      {
        what: 'sed -i (temp file renamed over)',
        step: (i) => {
          fs.writeFileSync(file + '.sedtmp', i % 2 ? original : original.replace('pdf', 'PDF'));
          fs.renameSync(file + '.sedtmp', file);
        },
      },
      {
        what: "vim's backup-rename save",
        step: (i) => {
          fs.renameSync(file, file + '~');
          fs.writeFileSync(file, i % 2 ? original : original + 'vim\n');
          fs.rmSync(file + '~');
        },
      },
      {
        what: 'a redeploy (collection edited, then copied over the project copy)',
        step: (i) => {
          const c = w.c('agents/code-reviewer.md');
          fs.appendFileSync(c, `v${i}\n`);
          fs.copyFileSync(c, w.p('.claude/agents/code-reviewer.md'));
        },
      },
      { what: 'a manifest gaining / losing an artifact', step: (i) => fs.writeFileSync(manifest, i % 2 ? manifestText : manifestText + extraArtifact) },
      {
        what: 'a collection created / deleted',
        step: (i) => {
          const d = path.join(w.home, 'collections/third');
          if (i % 2) fs.rmSync(d, { recursive: true });
          else fs.cpSync(path.join(w.home, COL), d, { recursive: true });
        },
      },
      { what: 'the active collection switched', step: (i) => fs.writeFileSync(cfg, i % 2 ? cfgText : cfgText.replace('default-collection = "default"', 'default-collection = "second"')) },
    ];
    for (const k of kinds) {
      for (let i = 0; i < 20; i++) {
        k.step(i);
        await w.agree(`${k.what}, try ${i + 1}`);
      }
    }
    // counts follow too
    const counts = await w.h.client().request(CountsRequest, {});
    assert.ok(counts.collections.some((c) => c.name === 'second'));
  });

  it('`echo x >> SKILL.md; skillmeat-sync status --fail-on-drift` exits 1 every time (20 tries)', async () => {
    const w = world();
    await w.warm();
    const file = w.p(PDF);
    const original = fs.readFileSync(file, 'utf8');
    for (let i = 0; i < 20; i++) {
      fs.writeFileSync(file, original);
      fs.utimesSync(file, HOUR_AGO, HOUR_AGO);
      assert.equal(statusOf(await w.agree(`restored, try ${i + 1}`), 'pdf-tools::skill::claude_code'), 'synced');
      fs.appendFileSync(file, 'x\n');
      const r = await w.h.cli(['status', '--fail-on-drift', '--workspace', w.ws]);
      assert.equal(r.code, 1, `try ${i + 1}: exit ${r.code}\n${r.stdout}${r.stderr}`);
    }
  });

  it('status --verify checks every input by stat: changes no watcher reported (the test hook drops events)', async () => {
    const w = world();
    await w.warm();
    const pid = w.pid();
    process.kill(pid, 'SIGUSR2'); // start dropping events
    await sleep(100);
    const manifest = path.join(w.home, COL, 'collection.toml');
    const tracker = w.p('.claude/.skillmeat-deployed.toml');
    const agent = w.p('.claude/agents/code-reviewer.md');
    const agentText = fs.readFileSync(agent);
    const trackerText = fs.readFileSync(tracker);
    const unseen: { what: string; change: () => void; key?: string; status?: string }[] = [
      { what: 'a project copy edited', change: () => fs.appendFileSync(w.p(PDF), 'unseen\n'), key: 'pdf-tools::skill::claude_code', status: 'modified' },
      { what: 'a collection copy edited', change: () => fs.appendFileSync(w.c('commands/review.md'), 'unseen\n'), key: 'review::command::claude_code', status: 'outdated' },
      {
        what: 'the manifest gained an artifact',
        change: () => fs.appendFileSync(manifest, '\n[[artifacts]]\nname = "extra-cmd"\ntype = "command"\npath = "commands/review.md"\norigin = "local"\nadded = "2026-11-22T01:34:06.938188"\n'),
      },
      { what: 'a project copy deleted', change: () => fs.rmSync(agent), key: 'code-reviewer::agent::claude_code', status: 'missing' },
      { what: 'the deleted copy back', change: () => fs.writeFileSync(agent, agentText), key: 'code-reviewer::agent::claude_code', status: 'synced' },
      {
        what: 'the tracker emptied',
        change: () => {
          fs.writeFileSync(tracker, '');
          fs.utimesSync(tracker, HOUR_AGO, HOUR_AGO); // not a write in progress
        },
      },
      { what: 'the tracker back', change: () => fs.writeFileSync(tracker, trackerText), key: 'pdf-tools::skill::claude_code', status: 'modified' },
    ];
    for (const u of unseen) {
      u.change();
      await sleep(150);
      const verified = await w.daemon([w.ws], true);
      assert.deepEqual(essence(verified), essence(await w.truth()), `${u.what}: --verify looks at the disk`);
      if (u.key) assert.equal(statusOf(verified, u.key), u.status, u.what);
    }
    process.kill(pid, 'SIGUSR2'); // stop dropping; the loss is reported like an overflow
  });

  it('a simulated queue overflow (the test hook drops events, then reports the loss) is "everything changed"', async () => {
    const w = world();
    await w.warm();
    const pid = w.pid();
    process.kill(pid, 'SIGUSR2');
    await sleep(100);
    fs.appendFileSync(w.p(PDF), 'lost\n');
    fs.appendFileSync(w.c('commands/review.md'), 'lost\n');
    await sleep(300);
    process.kill(pid, 'SIGUSR2');
    await sleep(100);
    const d = await w.agree('after the simulated overflow');
    assert.equal(statusOf(d, 'pdf-tools::skill::claude_code'), 'modified');
    await sleep(5000);
    await w.agree('after the simulated overflow (5 s later)');
  });

  it('a real kernel queue overflow while the daemon is stopped: the stall is taken as "everything changed"', async function () {
    const max = Number(fs.readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));
    if (!(max > 0 && max <= 100_000)) this.skip();
    const w = world({}, ({ ws }) => fs.mkdirSync(path.join(ws, '.claude/noise')));
    await w.warm();
    const pid = w.pid();
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      // Alternating names: the kernel merges only identical consecutive events.
      for (let i = 0; i < max + 2000; i++) fs.appendFileSync(w.p(`.claude/noise/n${i % 2}`), 'x');
      fs.appendFileSync(w.p(PDF), 'after the overflow\n');
      const left = 1500 - (Date.now() - started);
      if (left > 0) await sleep(left);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const d = await w.agree('after a real overflow');
    assert.equal(statusOf(d, 'pdf-tools::skill::claude_code'), 'modified');
  });

  it('without watchers: a same-size edit with the old mtime put back is seen (ctime), 20 tries', async () => {
    const w = world({ daemonEnv: { SKILLMEAT_SYNC_DISABLE_WATCH: '1' } });
    await w.warm();
    const file = w.p(PDF);
    const original = fs.readFileSync(file, 'utf8');
    for (let i = 0; i < 20; i++) {
      const text = i % 2 ? original : original.replace('pdf', 'PDF');
      assert.equal(text.length, original.length);
      fs.writeFileSync(file, text);
      fs.utimesSync(file, HOUR_AGO, HOUR_AGO);
      await w.agree(`same-size edit, mtime put back, try ${i + 1}`);
    }
  });

  it('a FIFO at each TOML path: an error on that item, the daemon stays responsive, and SIGTERM still ends it', async () => {
    const w = world();
    await w.warm();
    const paths = [
      w.p('.claude/.skillmeat-deployed.toml'),
      path.join(w.home, 'config.toml'),
      path.join(w.home, COL, 'collection.toml'),
      path.join(w.home, COL, 'collection.lock'),
    ];
    for (const p of paths) {
      const saved = fs.readFileSync(p);
      fs.rmSync(p);
      execFileSync('mkfifo', [p]);
      // aged: a just-changed tracker is given a moment to settle (half-written files)
      fs.utimesSync(p, HOUR_AGO, HOUR_AGO);
      const started = Date.now();
      const d = await w.agree(`FIFO at ${path.basename(p)}`);
      assert.ok(Date.now() - started < 10_000, 'answered promptly');
      const text = JSON.stringify(d);
      assert.match(text, /not a regular file/, `the answer names the FIFO at ${p}`);
      await w.h.client().request(CountsRequest, {});
      fs.rmSync(p);
      fs.writeFileSync(p, saved);
      fs.utimesSync(p, HOUR_AGO, HOUR_AGO);
      const back = await w.agree(`${path.basename(p)} a file again`);
      assert.doesNotMatch(JSON.stringify(back), /not a regular file/);
    }
    // a FIFO left in place while the daemon stops
    const tracker = paths[0];
    fs.rmSync(tracker);
    execFileSync('mkfifo', [tracker]);
    await w.daemon();
    const pid = w.pid();
    process.kill(pid, 'SIGTERM');
    assert.ok(await waitForExit(pid, 5000), 'SIGTERM ended the daemon');
  });
});
