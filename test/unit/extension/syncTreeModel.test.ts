import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { WorkspaceStatus } from '../../../shared/types';
import {
  buildSyncRoots,
  countsText,
  rowContextValue,
  rowDescription,
  rowTooltip,
  type SyncModelInput,
  type SyncNode,
} from '../../../extension/syncTreeModel';
import { FIXTURE, fixtureWorkspace, row } from './rows';

const NOW = new Date('2026-01-01T12:05:00Z');

function input(statuses: WorkspaceStatus[], extra: Partial<SyncModelInput> = {}): SyncModelInput {
  return {
    folders: statuses.map((s) => ({ path: s.folder, name: path.basename(s.folder) })),
    statuses: new Map(statuses.map((s) => [s.folder, s])),
    groupBy: 'folder',
    now: NOW,
    ...extra,
  };
}

function flatten(nodes: SyncNode[]): SyncNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

describe('syncTreeModel', () => {
  it('shows the real fixture as folder → profile → artifacts with the expected statuses', () => {
    const ws = fixtureWorkspace('after-edits');
    const roots = buildSyncRoots(input([ws]));
    assert.equal(roots.length, 1);
    const folder = roots[0]!;
    assert.equal(folder.kind, 'folder');
    assert.equal(folder.label, 'project');
    assert.equal(folder.description, '1 outdated · 2 modified');
    assert.equal(folder.children.length, 1);
    const profile = folder.children[0]!;
    assert.equal(profile.kind, 'profile');
    assert.equal(profile.label, '.claude');
    assert.deepEqual(
      profile.children.map((n) => [n.label, n.row?.status, n.description]),
      [
        ['code-reviewer', 'synced', 'synced'],
        ['notes-helper', 'outdated', 'outdated'],
        ['pdf-tools', 'modified', 'modified'],
        ['review', 'modified', 'modified'],
      ],
    );
    const pdf = profile.children.find((n) => n.label === 'pdf-tools')!;
    assert.deepEqual(pdf.icon, { id: 'edit', color: 'gitDecoration.modifiedResourceForeground' });
    // drifted rows expand into their changed files (fetched on expansion); a synced row does not
    assert.equal(pdf.collapsible, 'collapsed');
    assert.equal(profile.children.find((n) => n.label === 'code-reviewer')!.collapsible, 'none');
    assert.equal(pdf.id, `artifact:${path.join(FIXTURE, 'after-edits', 'project')}:pdf-tools::skill::claude_code`);
  });

  it('after a clean deploy every row is synced and the folder says so', () => {
    const roots = buildSyncRoots(input([fixtureWorkspace('after-deploy')]));
    assert.equal(roots[0]!.description, 'in sync');
    assert.ok(flatten(roots).filter((n) => n.kind === 'artifact').every((n) => n.description === 'synced'));
  });

  it('groups by status when asked, most urgent group first, profile root in the description', () => {
    const roots = buildSyncRoots(input([fixtureWorkspace('after-edits')], { groupBy: 'status' }));
    const groups = roots[0]!.children;
    assert.deepEqual(
      groups.map((g) => [g.label, g.description, g.collapsible]),
      [
        ['Outdated', '1', 'expanded'],
        ['Modified', '2', 'expanded'],
        ['Synced', '1', 'collapsed'],
      ],
    );
    assert.equal(groups[1]!.children[0]!.description, 'modified · .claude');
  });

  it('puts collection artifacts that are not deployed in a collapsed group', () => {
    const ws: WorkspaceStatus = {
      folder: '/ws',
      artifacts: [row({ name: 'a' })],
      notDeployed: [
        { name: 'zeta', type: 'command', collection: 'default', collectionPath: '/c/commands/zeta.md' },
        { name: 'alpha', type: 'skill', collection: 'work', upstream: { state: 'update-available' } },
      ],
    };
    const group = buildSyncRoots(input([ws]))[0]!.children.at(-1)!;
    assert.equal(group.kind, 'notDeployedGroup');
    assert.equal(group.collapsible, 'collapsed');
    assert.equal(group.description, '2');
    assert.deepEqual(group.children.map((n) => [n.label, n.description]), [
      ['alpha', 'skill · work · update upstream'],
      ['zeta', 'command · default'],
    ]);
    assert.match(group.children[0]!.contextValue, /\bcanUpdate\b/);
    assert.match(group.children[1]!.contextValue, /\bhasCollectionCopy\b/);
  });

  it('describes upstream and collection badges after the status', () => {
    assert.equal(rowDescription(row({ name: 'x', status: 'outdated', upstream: { state: 'update-available' } })), 'outdated · update upstream');
    assert.equal(rowDescription(row({ name: 'x', collectionDirty: true })), 'synced · collection edited');
    assert.equal(
      rowDescription(row({ name: 'x', status: 'unknown', reason: 'EACCES: permission denied, open SKILL.md' })),
      'unknown · EACCES: permission denied, open SKILL.md',
    );
  });

  it('never calls an unknown row in sync: the reason is in the description and the tooltip', () => {
    const r = row({ name: 'broken', status: 'unknown', reason: 'tracker record has no content_hash', projectHash: null });
    const ws: WorkspaceStatus = { folder: '/ws', artifacts: [r], notDeployed: [] };
    const roots = buildSyncRoots(input([ws]));
    assert.equal(roots[0]!.description, '1 unknown');
    const node = flatten(roots).find((n) => n.kind === 'artifact')!;
    assert.doesNotMatch(node.description ?? '', /synced|in sync/);
    assert.match(node.tooltip ?? '', /tracker record has no content\\_hash/);
    assert.match(node.tooltip ?? '', /\| project copy \| `—` \|/);
  });

  it('tooltips explain the status, shorten the four hashes and tell when upstream was checked', () => {
    const r = row({
      name: 'pdf-tools',
      status: 'modified',
      projectHash: '6167480b9a797d444851d44a31c66a1cf57e57aacd7f49986e53c33ef88e6836',
      deployedHash: 'd94e63fd05d218dad73546e924b04eb2221e1a799b33c985dd57fb0c05341e37',
      deployedAt: '2026-02-02T14:03:07.250000',
      upstream: { state: 'update-available', checkedAt: '2026-01-01T12:00:00Z', stale: true },
    });
    const t = rowTooltip(r, NOW);
    assert.match(t, /\*\*Modified\*\*: The project copy was edited/);
    assert.match(t, /\| project copy \| `6167480b9a79` \|/);
    assert.match(t, /\| deployed baseline \| `d94e63fd05d2` \|/);
    assert.match(t, /Deployed 2026-02-02 14:03:07 from collection `default`\./);
    assert.match(t, /an update is available upstream, checked 5 min ago \(stale/);
    assert.doesNotMatch(t, /d94e63fd05d218dad73546e924b04eb2221e1a799b33c985dd57fb0c05341e37/);
  });

  it('escapes Markdown in names from disk', () => {
    const t = rowTooltip(row({ name: '[click](http://evil)' }), NOW);
    assert.match(t, /\*\*\\\[click\\\]\\\(http:\/\/evil\\\)\*\*/);
  });

  it('context values enable exactly the actions that make sense', () => {
    const flags = (s: string) => new Set(s.split(' '));
    const modified = flags(rowContextValue(row({ name: 'm', status: 'modified' })));
    for (const f of ['artifact', 'status-modified', 'canDiff', 'canPull', 'canPush', 'hasProjectCopy', 'hasCollectionCopy']) {
      assert.ok(modified.has(f), `modified lacks ${f}`);
    }
    assert.ok(!modified.has('canUpdate'));
    const synced = flags(rowContextValue(row({ name: 's' })));
    assert.ok(!synced.has('canPull') && !synced.has('canPush') && synced.has('canDiff'));
    const missing = flags(rowContextValue(row({ name: 'gone', status: 'missing' })));
    assert.ok(missing.has('canPull') && !missing.has('canDiff') && !missing.has('hasProjectCopy') && !missing.has('canPush'));
    const orphan = flags(rowContextValue(row({ name: 'o', status: 'orphaned', collectionPath: null })));
    assert.ok(!orphan.has('canPull') && !orphan.has('hasCollectionCopy') && !orphan.has('canDiff'));
    const update = flags(rowContextValue(row({ name: 'u', upstream: { state: 'update-available' } })));
    assert.ok(update.has('canUpdate') && update.has('upstream-update-available'));
    assert.ok(!update.has('hasWebUrl') && !update.has('hasCompareUrl'));
    const onGitHub = flags(
      rowContextValue(
        row({ name: 'g', upstream: { state: 'update-available', webUrl: 'https://github.com/o/r/tree/abc/x', compareUrl: 'https://github.com/o/r/compare/a...b' } }),
      ),
    );
    assert.ok(onGitHub.has('hasWebUrl') && onGitHub.has('hasCompareUrl') && onGitHub.has('canCompare'));
  });

  it('returns no roots when the workspace has no deployments, so the welcome view shows', () => {
    assert.deepEqual(buildSyncRoots(input([{ folder: '/ws', artifacts: [], notDeployed: [] }])), []);
    assert.deepEqual(buildSyncRoots(input([])), []);
  });

  it('shows a loading folder until its status arrives, and a per-folder error instead of stale rows', () => {
    const a = fixtureWorkspace('after-edits');
    const inp = input([a], {
      folders: [
        { path: a.folder, name: 'project' },
        { path: '/other', name: 'other' },
        { path: '/broken', name: 'broken' },
      ],
      errors: new Map([['/broken', 'request timed out']]),
    });
    const roots = buildSyncRoots(inp);
    assert.deepEqual(roots.map((r) => [r.label, r.description]), [
      ['project', '1 outdated · 2 modified'],
      ['other', 'loading…'],
      ['broken', 'error'],
    ]);
    assert.equal(roots[2]!.children[0]!.label, 'Status could not be read: request timed out');
    assert.equal(roots[2]!.children[0]!.icon?.id, 'error');
  });

  it('keeps ids unique across a multi-root workspace with several profiles', () => {
    const mk = (folder: string): WorkspaceStatus => ({
      folder,
      artifacts: [
        row({ name: 'same', profile: 'claude_code', profileRoot: '.claude' }),
        row({ name: 'same', profile: 'cursor', profileRoot: '.cursor', status: 'outdated' }),
      ],
      notDeployed: [],
      warnings: ['.codex/.skillmeat-deployed.toml: cannot be parsed'],
    });
    const roots = buildSyncRoots(input([mk('/a'), mk('/b')]));
    const ids = flatten(roots).map((n) => n.id);
    assert.equal(new Set(ids).size, ids.length);
    const first = roots[0]!;
    assert.deepEqual(first.children.map((c) => [c.kind, c.label]), [
      ['message', '.codex/.skillmeat-deployed.toml: cannot be parsed'],
      ['profile', '.claude'],
      ['profile', '.cursor'],
    ]);
    assert.equal(first.children[2]!.description, 'cursor · 1 outdated');
  });

  it('counts text lists statuses in urgency order', () => {
    assert.equal(
      countsText([
        row({ name: 'a', status: 'modified' }),
        row({ name: 'b', status: 'conflict' }),
        row({ name: 'c', status: 'modified' }),
        row({ name: 'd' }),
      ]),
      '1 conflict · 2 modified',
    );
    assert.equal(countsText([row({ name: 'd' })]), undefined);
  });
});
