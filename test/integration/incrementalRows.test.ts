// Deployed-file edits recompute only the rows they touch; this pins that shortcut to the full answer.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StatusRequest, type DidChangeParams } from '../../shared/protocol';
import type { StatusResult } from '../../shared/types';
import { eventually, Harness } from '../helpers/daemonHarness';

function rowsOf(r: StatusResult) {
  return Object.fromEntries(r.workspaces[0].artifacts.map((a) => [a.key, { status: a.status, hp: a.projectHash, hc: a.collectionHash }]));
}

describe('incremental rows after deployed-file edits', () => {
  let h: Harness;
  beforeEach(() => (h = new Harness({ fixture: 'after-deploy' })));
  afterEach(async () => h.cleanup());

  it('only the touched row changes, and the daemon agrees with a from-scratch computation after each step', async () => {
    const c = h.client();
    await c.start();
    const changes: DidChangeParams[] = [];
    c.onDidChange((p) => changes.push(p));
    await c.subscribe([h.workspace]);
    const initial = await c.request(StatusRequest, { folders: [h.workspace] });
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
});
