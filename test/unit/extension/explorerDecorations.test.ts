import * as assert from 'node:assert/strict';
import { attentionBadge, changedFileDecorations, changedPaths, explorerDecorations, rowDecoration } from '../../../extension/explorerDecorations';
import type { WorkspaceStatus } from '../../../shared/types';
import { fixtureWorkspace, row } from './rows';

describe('explorerDecorations and the view badge', () => {
  it('the real fixture: modified and outdated deployed copies are marked, synced ones are not', () => {
    const ws = fixtureWorkspace('after-edits');
    const decos = explorerDecorations([ws]);
    const byName = (name: string) => decos.get(ws.artifacts.find((r) => r.name === name)!.projectPath!);
    assert.equal(byName('pdf-tools')?.badge, 'M');
    assert.equal(byName('pdf-tools')?.color, 'skillmeatSync.modifiedForeground');
    assert.equal(byName('review')?.badge, 'M');
    assert.equal(byName('notes-helper')?.badge, 'O');
    assert.equal(byName('code-reviewer'), undefined);
    assert.equal(decos.size, 3);
  });

  it('an upstream update adds ↑; conflict is !; missing copies are not decorated', () => {
    assert.equal(rowDecoration(row({ name: 'a', upstream: { state: 'update-available' } }))?.badge, '↑');
    const both = rowDecoration(row({ name: 'a', status: 'modified', upstream: { state: 'update-available' } }));
    assert.equal(both?.badge, 'M↑');
    assert.equal(both?.color, 'skillmeatSync.modifiedForeground');
    assert.match(both?.tooltip ?? '', /modified since deployment, update available upstream/);
    assert.equal(rowDecoration(row({ name: 'a', status: 'conflict' }))?.badge, '!');
    assert.ok([...'M↑'].length <= 2);
    const missing: WorkspaceStatus = { folder: '/ws', artifacts: [row({ name: 'a', status: 'missing' })], notDeployed: [] };
    assert.equal(explorerDecorations([missing]).size, 0);
  });

  it('changedPaths names appeared, changed and vanished decorations only', () => {
    const a = explorerDecorations([{ folder: '/ws', artifacts: [row({ name: 'a', status: 'modified' }), row({ name: 'b', status: 'outdated' })], notDeployed: [] }]);
    const b = explorerDecorations([{ folder: '/ws', artifacts: [row({ name: 'a', status: 'modified' }), row({ name: 'c', status: 'conflict' })], notDeployed: [] }]);
    assert.deepEqual(changedPaths(a, b).sort(), ['/ws/.claude/skills/b', '/ws/.claude/skills/c']);
    assert.deepEqual(changedPaths(a, a), []);
  });

  it('the badge counts each artifact needing attention once, with a tooltip', () => {
    assert.equal(attentionBadge([fixtureWorkspace('after-deploy')]), undefined);
    const b = attentionBadge([fixtureWorkspace('after-edits')]);
    assert.equal(b?.value, 3);
    assert.equal(b?.tooltip, '3 SkillMeat artifacts need attention: 1 outdated, 2 modified');
    const ws: WorkspaceStatus = {
      folder: '/ws',
      artifacts: [row({ name: 'a', status: 'modified', upstream: { state: 'update-available' } }), row({ name: 'b', upstream: { state: 'update-available' } })],
      notDeployed: [],
    };
    assert.deepEqual(attentionBadge([ws]), { value: 2, tooltip: '2 SkillMeat artifacts need attention: 1 modified, 2 with an upstream update' });
  });
});

describe('changedFileDecorations', () => {
  const diff = (files: import('../../../shared/types').DiffFile[], scope: import('../../../shared/types').DiffScope = 'collection-project') => ({
    key: 'default/a::skill::claude_code',
    scope,
    from: { side: 'collection' as const },
    to: { side: 'project' as const },
    files,
    summary: { added: 0, modified: 0, deleted: 0, unchanged: 0 },
  });

  it('marks the edited and project-only files inside a modified skill folder, not unchanged or deleted ones', () => {
    const r = row({ name: 'a', status: 'modified' });
    const d = changedFileDecorations(
      r,
      diff([
        { path: 'SKILL.md', status: 'modified', additions: 1, deletions: 0 },
        { path: 'refs/new.md', status: 'added', additions: 2, deletions: 0 },
        { path: 'gone.md', status: 'deleted', additions: 0, deletions: 2 },
        { path: 'same.md', status: 'unchanged' },
      ]),
    );
    assert.deepEqual(
      [...d].map(([p, x]) => [p, x.badge, x.color]),
      [
        ['/ws/.claude/skills/a/SKILL.md', 'M', 'skillmeatSync.modifiedForeground'],
        ['/ws/.claude/skills/a/refs/new.md', 'A', 'skillmeatSync.modifiedForeground'],
      ],
    );
  });

  it('nothing for a single-file artifact (marked whole), another scope, or a row that needs no mark', () => {
    const cmd = row({ name: 'review', type: 'command', status: 'modified', projectPath: '/ws/.claude/commands/review.md' });
    assert.equal(changedFileDecorations(cmd, diff([{ path: 'review.md', status: 'modified' }])).size, 0);
    assert.equal(changedFileDecorations(row({ name: 'a', status: 'modified' }), diff([{ path: 'x', status: 'modified' }], 'upstream-changes')).size, 0);
    assert.equal(changedFileDecorations(row({ name: 'a' }), diff([{ path: 'x', status: 'modified' }])).size, 0);
  });
});
