// Issue #8, part 2: bad input on disk. SkillMeat's files are written by another tool (and by hand):
// every kind of damage gives a clear error on the item it concerns — never a crash, never a wrong
// "synced", nothing read outside the workspace or home, and everything else still answered.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StatusRequest } from '../../shared/protocol';
import type { ArtifactRow, StatusResult } from '../../shared/types';
import { CLI_SCRIPT, Harness } from '../helpers/daemonHarness';
import { AS_NOBODY, canRunAsNobody, MB, rssBytes, sampleRss } from './support';

const EXPECTED: Record<string, string> = { 'pdf-tools': 'modified', 'notes-helper': 'outdated', review: 'modified', 'code-reviewer': 'synced' };
const TRACKER = '.claude/.skillmeat-deployed.toml';

function row(r: StatusResult, name: string): ArtifactRow {
  const x = r.workspaces[0].artifacts.find((a) => a.name === name);
  assert.ok(x, `a row for ${name}`);
  return x;
}

function statuses(r: StatusResult): Record<string, string> {
  return Object.fromEntries(r.workspaces[0].artifacts.map((a) => [a.name, a.status]));
}

function allWarnings(r: StatusResult): string {
  return [...(r.warnings ?? []), ...r.workspaces.flatMap((w) => w.warnings ?? [])].join('\n');
}

/** A FIFO that hangs whoever opens it for reading: if the daemon ever read it, status would hang. */
function trapFifo(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync('mkfifo', [file]);
}

/** True when a reader holds the FIFO open (the daemon tried to read outside). */
function fifoHasReader(file: string): boolean {
  try {
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    fs.closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') return false;
    throw err;
  }
}

/** Rewrites one record of the tracker (records are separated by blank lines, keyed by name). */
function editRecord(h: Harness, name: string, edit: (record: string) => string): void {
  const file = path.join(h.workspace, TRACKER);
  const parts = fs.readFileSync(file, 'utf8').split('\n\n');
  const i = parts.findIndex((p) => p.includes(`artifact_name = "${name}"`));
  assert.ok(i >= 0, `record ${name} found`);
  parts[i] = edit(parts[i]);
  fs.writeFileSync(file, parts.join('\n\n'));
  // Old enough that the reader does not wait for the writer to finish.
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(file, old, old);
}

describe('reliability: bad input on disk (issue #8.2)', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(() => (h = new Harness({ fixture: 'after-edits' })));
  afterEach(async () => h.cleanup());

  const status = async (): Promise<StatusResult> => h.client().request(StatusRequest, { folders: [h.workspace] });

  describe('malformed TOML and directories where files should be, in every file kind', () => {
    const homeFiles = {
      'config.toml': () => path.join(h.home, 'config.toml'),
      'collection.toml': () => path.join(h.home, 'collections/default/collection.toml'),
      'collection.lock': () => path.join(h.home, 'collections/default/collection.lock'),
      tracker: () => path.join(h.workspace, TRACKER),
    };
    const damages: Record<string, (file: string) => void> = {
      'malformed TOML': (f) => fs.writeFileSync(f, '[settings\ndefault-collection = "x\n[[artifacts]]\nname = \n\u0000\u00ff'),
      'a directory': (f) => {
        fs.rmSync(f);
        fs.mkdirSync(f);
      },
      'half written': (f) => {
        const text = fs.readFileSync(f, 'utf8');
        // Cut in the middle of a key/value: what a reader sees while SkillMeat rewrites the file.
        const cut = text.indexOf('=', Math.floor(text.length / 2));
        fs.writeFileSync(f, text.slice(0, cut + 3));
        const old = new Date(Date.now() - 60_000);
        fs.utimesSync(f, old, old);
      },
    };
    for (const [kind, fileOf] of Object.entries(homeFiles)) {
      for (const [damage, apply] of Object.entries(damages)) {
        if (kind === 'config.toml' && damage === 'half written') continue; // the fixture's config is one line
        it(`${kind}: ${damage}`, async () => {
          const file = fileOf();
          apply(file);
          const r = await status();
          const warnings = allWarnings(r);
          const rows = r.workspaces[0].artifacts;
          const shortName = path.basename(file);
          if (kind === 'config.toml') {
            assert.match(warnings, /config\.toml/, 'a warning names the file');
            assert.deepEqual(statuses(r), EXPECTED, 'rows are still right (default collection)');
          } else if (kind === 'collection.toml') {
            assert.equal(rows.length, 4, 'every record still has a row');
            for (const x of rows) {
              assert.equal(x.status, 'unknown', `${x.name} cannot be compared`);
              assert.match(x.reason ?? '', /collection\.toml/, `${x.name}: the reason names the manifest`);
            }
          } else if (kind === 'collection.lock') {
            assert.match(warnings, /collection\.lock/, 'a warning names the lock file');
            assert.deepEqual(statuses(r), EXPECTED, 'statuses do not depend on the lock');
            for (const x of rows) assert.equal(x.lockHash, null);
          } else {
            assert.match(warnings, new RegExp(shortName.replace(/\./g, '\\.')), 'a warning names the tracker');
            for (const x of rows) assert.notEqual(x.status, 'synced', `${x.name} is not claimed synced from a broken tracker`);
            // The collection is still answered: its artifacts show as not deployed.
            assert.ok(r.workspaces[0].notDeployed.length > 0 || rows.length > 0);
          }
          // The same request through the in-process engine agrees (no daemon-only crash path).
          const cli = await h.cli(['status', '--json', '--no-daemon', '--workspace', h.workspace]);
          assert.ok(cli.code === 0 || cli.code === 2, `CLI exits cleanly (${cli.code}): ${cli.stderr}`);
          assert.doesNotMatch(cli.stderr, /at .*\.js:\d+/, 'no stack trace');
        });
      }
    }
  });

  it('permission denied (as the nobody user): that row is unknown with the reason, the others answered', async function () {
    const why = canRunAsNobody();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    // Root reads everything, so the engine runs as nobody over a world it can read except two files.
    execFileSync('chmod', ['-R', 'a+rX', h.root]);
    fs.chmodSync(path.join(h.workspace, '.claude/agents/code-reviewer.md'), 0o000);
    fs.chmodSync(path.join(h.home, 'collections/default/commands/review.md'), 0o000);
    fs.chmodSync(path.join(h.workspace, '.claude/skills/notes-helper'), 0o311); // listable: no
    const r = spawnSync('setpriv', [...AS_NOBODY, process.execPath, CLI_SCRIPT, '--home', h.home, 'status', '--json', '--no-daemon', '--workspace', h.workspace], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, SKILLMEAT_SYNC_STATE_DIR: path.join(h.root, 'nobody-state'), SKILLMEAT_SYNC_RUNTIME_DIR: path.join(h.root, 'nobody-rt') },
    });
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout) as StatusResult;
    assert.equal(row(res, 'code-reviewer').status, 'unknown');
    assert.match(row(res, 'code-reviewer').reason ?? '', /permission denied/i);
    assert.equal(row(res, 'review').status, 'unknown');
    assert.match(row(res, 'review').reason ?? '', /permission denied/i);
    assert.equal(row(res, 'notes-helper').status, 'unknown');
    assert.match(row(res, 'notes-helper').reason ?? '', /permission denied/i);
    assert.equal(row(res, 'pdf-tools').status, 'modified', 'the readable row is still answered');
  });

  it('symlink loops: links inside a skill are skipped like SkillMeat does, a looping artifact path is unknown', async () => {
    const first = h.client();
    const before = await first.request(StatusRequest, { folders: [h.workspace] });
    // A fresh daemon for the damaged tree (nothing cached from `before`).
    await first.stopDaemon();
    const skill = path.join(h.workspace, '.claude/skills/pdf-tools');
    fs.symlinkSync('loop', path.join(skill, 'loop')); // points at itself
    fs.symlinkSync('.', path.join(skill, 'here')); // a directory cycle
    fs.symlinkSync('b', path.join(skill, 'a'));
    fs.symlinkSync('a', path.join(skill, 'b'));
    const review = path.join(h.workspace, '.claude/commands/review.md');
    fs.rmSync(review);
    fs.symlinkSync('review.md', review);
    const r = await status();
    assert.equal(row(r, 'pdf-tools').projectHash, row(before, 'pdf-tools').projectHash, 'loops are not content (SkillMeat skips them)');
    assert.equal(row(r, 'review').status, 'unknown', JSON.stringify(row(r, 'review')));
    assert.match(row(r, 'review').reason ?? '', /symbolic links|ELOOP|loop/i);
    assert.equal(row(r, 'code-reviewer').status, 'synced');
    assert.equal(row(r, 'notes-helper').status, 'outdated');
  });

  it('a 200 MB file inside a skill is hashed streaming: the daemon stays under 150 MB RSS', async () => {
    const big = path.join(h.workspace, '.claude/skills/pdf-tools/assets/model.bin');
    fs.mkdirSync(path.dirname(big));
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 200 * MB); // sparse: costs no disk, reads as 200 MB of zeros
    const c = h.client();
    await c.start();
    const pid = h.daemonPid()!;
    const idle = rssBytes(pid)!;
    const sampler = sampleRss(pid, 10);
    const r = await c.request(StatusRequest, { folders: [h.workspace] });
    const samples = sampler.stop();
    const peak = Math.max(...samples);
    console.log(`      200 MB file: RSS idle ${Math.round(idle / MB)} MB, peak ${Math.round(peak / MB)} MB over ${samples.length} samples`);
    assert.equal(row(r, 'pdf-tools').status, 'modified');
    assert.match(row(r, 'pdf-tools').projectHash ?? '', /^[0-9a-f]{64}$/);
    assert.ok(samples.length > 5, 'sampled while hashing');
    assert.ok(peak < 150 * MB, `peak RSS ${Math.round(peak / MB)} MB stays below 150 MB`);
    assert.deepEqual(statuses(r), EXPECTED);
  });

  it('tracker paths with .., absolute paths, hostile profile roots and symlinks out: unknown with a reason, nothing read outside', async () => {
    const outside = path.join(h.root, 'outside');
    const fifo = path.join(outside, 'secret.fifo');
    trapFifo(fifo);
    trapFifo(path.join(outside, 'skill', 'SKILL.md'));
    editRecord(h, 'review', (rec) => rec.replace(/artifact_path = ".*"/, `artifact_path = "../../outside/secret.fifo"`));
    editRecord(h, 'code-reviewer', (rec) => rec.replace(/artifact_path = ".*"/, `artifact_path = ${JSON.stringify(fifo)}`));
    editRecord(h, 'pdf-tools', (rec) => rec.replace(/profile_root_dir = ".*"/, 'profile_root_dir = "../outside"'));
    const notes = path.join(h.workspace, '.claude/skills/notes-helper');
    fs.rmSync(notes, { recursive: true });
    fs.symlinkSync(path.join(outside, 'skill'), notes);
    const r = await status();
    for (const name of ['review', 'code-reviewer', 'pdf-tools', 'notes-helper']) {
      const x = row(r, name);
      assert.equal(x.status, 'unknown', `${name} is unknown`);
      assert.ok(x.reason, `${name} has a reason`);
      assert.equal(x.projectHash, null, `${name} was not hashed`);
    }
    assert.match(row(r, 'review').reason!, /escapes/);
    assert.match(row(r, 'code-reviewer').reason!, /escapes/);
    assert.match(row(r, 'notes-helper').reason!, /symlink pointing outside/);
    assert.match(row(r, 'pdf-tools').reason!, /profile/i);
    assert.equal(fifoHasReader(fifo), false, 'the FIFO outside was never opened');
    assert.equal(fifoHasReader(path.join(outside, 'skill', 'SKILL.md')), false);
    // The collection side is still answered for these rows.
    assert.match(row(r, 'review').collectionHash ?? '', /^[0-9a-f]{64}$/);
  });

  it('a manifest path leading out of the collection: that row is unknown, nothing read outside', async () => {
    const outside = path.join(h.root, 'outside');
    trapFifo(path.join(outside, 'review.md'));
    const manifest = path.join(h.home, 'collections/default/collection.toml');
    const text = fs.readFileSync(manifest, 'utf8').replace('path = "commands/review.md"', 'path = "../../../../outside/review.md"');
    assert.match(text, /outside\/review\.md/);
    fs.writeFileSync(manifest, text);
    const r = await status();
    assert.equal(row(r, 'review').status, 'unknown');
    assert.match(row(r, 'review').reason ?? '', /outside|escapes/);
    assert.equal(fifoHasReader(path.join(outside, 'review.md')), false);
    assert.equal(row(r, 'code-reviewer').status, 'synced');
    assert.equal(row(r, 'pdf-tools').status, 'modified');
  });
});
