import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DidChangeNotification, StatusRequest } from '../../shared/protocol';
import type { DidChangeParams } from '../../shared/protocol';
import { eventually, Harness } from '../helpers/daemonHarness';

describe('daemon smoke: status through a real daemon, and a live edit', () => {
  let h: Harness;
  beforeEach(() => (h = new Harness({ fixture: 'after-edits' })));
  afterEach(async () => h.cleanup());

  it('answers status like the fixture and pushes didChange after an edit', async () => {
    const c = h.client();
    await c.start();
    const r = await c.request(StatusRequest, { folders: [h.workspace] });
    const byName = Object.fromEntries(r.workspaces[0].artifacts.map((a) => [a.name, a.status]));
    assert.deepEqual(byName, { 'pdf-tools': 'modified', 'notes-helper': 'outdated', review: 'modified', 'code-reviewer': 'synced' });
    const changes: DidChangeParams[] = [];
    c.onDidChange((p) => changes.push(p));
    await c.subscribe([h.workspace]);
    fs.appendFileSync(path.join(h.workspace, '.claude/agents/code-reviewer.md'), '\nedited\n');
    const change = await eventually(() => changes.find((p) => p.workspaces.some((w) => w.keys.includes('code-reviewer::agent::claude_code'))), 3000, 'didChange');
    assert.ok(change);
    const after = await c.request(StatusRequest, { folders: [h.workspace] });
    assert.equal(after.workspaces[0].artifacts.find((a) => a.name === 'code-reviewer')?.status, 'modified');
    void DidChangeNotification;
  });
});
