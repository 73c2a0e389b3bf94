// Deployed-file edits recompute only the rows they touch; this pins that shortcut to the full answer.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StatsRequest, StatusRequest, type DidChangeParams } from '../../shared/protocol';
import type { StatusResult } from '../../shared/types';
import { ageTree } from '../helpers/ageTree';
import { eventually, Harness } from '../helpers/daemonHarness';

function rowsOf(r: StatusResult) {
  return Object.fromEntries(r.workspaces[0].artifacts.map((a) => [a.key, { status: a.status, hp: a.projectHash, hc: a.collectionHash }]));
}

describe('incremental rows after deployed-file edits', () => {
  let h: Harness;
  beforeEach(() => (h = new Harness({ fixture: 'after-deploy' })));
  afterEach(async () => h.cleanup());

  /** A client subscribed to the workspace, the didChange notifications it gets, and a first answer. */
  async function subscribed() {
    const c = h.client();
    await c.start();
    const changes: DidChangeParams[] = [];
    c.onDidChange((p) => changes.push(p));
    await c.subscribe([h.workspace]);
    const initial = await c.request(StatusRequest, { folders: [h.workspace] });
    return { c, changes, initial };
  }

  it('only the touched row changes, and the daemon agrees with a from-scratch computation after each step', async () => {
    const { c, changes, initial } = await subscribed();
    assert.ok(Object.values(rowsOf(initial)).every((r) => r.status === 'synced'));

    const skillFile = path.join(h.workspace, '.claude/skills/pdf-tools/scripts/extract.py');
    const agent = path.join(h.workspace, '.claude/agents/code-reviewer.md');
    const steps: { what: string; act: () => void; key: string; status: string }[] = [
      { what: 'edit a file deep inside a skill', act: () => fs.appendFileSync(skillFile, '# edit\n'), key: 'pdf-tools::skill::claude_code', status: 'modified' },
      { what: 'edit a single-file agent', act: () => fs.appendFileSync(agent, 'edit\n'), key: 'code-reviewer::agent::claude_code', status: 'modified' },
      { what: 'delete the skill folder', act: () => fs.rmSync(path.dirname(path.dirname(skillFile)), { recursive: true }), key: 'pdf-tools::skill::claude_code', status: 'missing' },
    ];
    for (const step of steps) {
      changes.length = 0;
      step.act();
      const change = await eventually(() => changes.find((p) => p.workspaces.some((w) => w.keys.includes(step.key))), 3000, `didChange for ${step.what}`);
      assert.ok(change);
      const keys = change.workspaces.flatMap((w) => w.keys);
      assert.deepEqual(keys, [step.key], `${step.what}: only its own row changes`);
      const viaDaemon = await c.request(StatusRequest, { folders: [h.workspace] });
      const scratch = await h.cli(['status', '--json', '--no-daemon', '--workspace', h.workspace]);
      assert.equal(scratch.code, 0, scratch.stderr);
      assert.deepEqual(rowsOf(viaDaemon), rowsOf(JSON.parse(scratch.stdout)), `${step.what}: daemon = from scratch`);
      assert.equal(rowsOf(viaDaemon)[step.key].status, step.status, step.what);
    }
  });

  it('an edit right after another (the first file still racy) recomputes only the two rows, not the folder', async () => {
    // Aged like a real disk, so every row is covered by the watchers once computed.
    ageTree(h.home);
    ageTree(h.workspace);
    const { c, changes, initial } = await subscribed();
    const rowCount = initial.workspaces[0].artifacts.length;
    assert.ok(rowCount >= 4, 'the fixture deploys at least 4 artifacts');
    const lookups = async () => {
      const st = await c.request(StatsRequest, undefined);
      const x = st.caches.find((k) => k.name === 'hashes')!;
      return x.hits + x.misses;
    };
    const first = path.join(h.workspace, '.claude/skills/pdf-tools/SKILL.md');
    const second = path.join(h.workspace, '.claude/agents/code-reviewer.md');
    fs.appendFileSync(first, 'edit\n');
    await eventually(() => changes.find((p) => p.workspaces.some((w) => w.keys.includes('pdf-tools::skill::claude_code'))), 3000, 'didChange for the first edit');
    // The first edit is still inside the racy window: its row is volatile, the folder is not.
    const before = await lookups();
    fs.appendFileSync(second, 'edit\n');
    await eventually(() => changes.find((p) => p.workspaces.some((w) => w.keys.includes('code-reviewer::agent::claude_code'))), 3000, 'didChange for the second edit');
    const used = (await lookups()) - before;
    // Two rows, each hashing its project and collection copy; the whole folder would be 2 × rowCount.
    assert.ok(used <= 4, `hash lookups for the second edit: ${used} (the whole folder would be ${2 * rowCount})`);
    const viaDaemon = await c.request(StatusRequest, { folders: [h.workspace] });
    const scratch = await h.cli(['status', '--json', '--no-daemon', '--workspace', h.workspace]);
    assert.equal(scratch.code, 0, scratch.stderr);
    assert.deepEqual(rowsOf(viaDaemon), rowsOf(JSON.parse(scratch.stdout)), 'daemon = from scratch');
    assert.equal(rowsOf(viaDaemon)['pdf-tools::skill::claude_code'].status, 'modified');
    assert.equal(rowsOf(viaDaemon)['code-reviewer::agent::claude_code'].status, 'modified');
  });
});
