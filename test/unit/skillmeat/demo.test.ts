import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { computeStatus } from '../../../daemon/skillmeat';

// The demo shipped for `npm start` must keep showing variety; the engine only reads it.
describe('skillmeat engine: shipped demo home and workspace', () => {
  it('shows synced, modified, outdated and not deployed', async () => {
    const demo = path.resolve(__dirname, '../../../demo');
    const r = await computeStatus(path.join(demo, 'home', '.skillmeat'), [path.join(demo, 'workspace')]);
    assert.equal(r.warnings, undefined);
    const ws = r.workspaces[0];
    assert.deepEqual(
      Object.fromEntries(ws.artifacts.map((a) => [a.key, a.status])),
      { 'canvas-design::skill::claude_code': 'synced', 'review::command::claude_code': 'modified', 'code-reviewer::agent::claude_code': 'outdated' },
    );
    assert.deepEqual(ws.notDeployed.map((n) => `${n.name}::${n.type}`), ['notes-helper::skill']);
  });
});
