import * as assert from 'node:assert/strict';
import { reconcileTree } from '../../../extension/treeReconcile';
import { buildSyncRoots, type SyncNode } from '../../../extension/syncTreeModel';
import type { WorkspaceStatus } from '../../../shared/types';
import { row } from './rows';

interface N {
  id: string;
  label: string;
  description?: string;
  children: N[];
}

const n = (id: string, label: string, children: N[] = [], description?: string): N =>
  description === undefined ? { id, label, children } : { id, label, children, description };

describe('reconcileTree', () => {
  it('updates a changed leaf in place and reports only that leaf', () => {
    const old = [n('f', 'folder', [n('a', 'a', [], 'synced'), n('b', 'b', [], 'synced')])];
    const leafA = old[0]!.children[0]!;
    const leafB = old[0]!.children[1]!;
    const next = [n('f', 'folder', [n('a', 'a', [], 'modified'), n('b', 'b', [], 'synced')])];
    const { roots, changed } = reconcileTree(old, next);
    assert.equal(roots, old);
    assert.deepEqual(changed, [leafA]);
    assert.equal(roots[0]!.children[0], leafA, 'identity kept so VS Code updates the row in place');
    assert.equal(leafA.description, 'modified');
    assert.equal(roots[0]!.children[1], leafB);
  });

  it('reports nothing when nothing changed', () => {
    const old = [n('f', 'folder', [n('a', 'a')])];
    const { changed } = reconcileTree(old, [n('f', 'folder', [n('a', 'a')])]);
    assert.deepEqual(changed, []);
  });

  it('reports the parent when its children were added or removed', () => {
    const old = [n('f', 'folder', [n('a', 'a')])];
    const folder = old[0]!;
    const next = [n('f', 'folder', [n('a', 'a'), n('c', 'c')])];
    const { roots, changed } = reconcileTree(old, next);
    assert.deepEqual(changed, [folder]);
    assert.equal(roots[0], folder);
    assert.deepEqual(folder.children.map((c) => c.id), ['a', 'c']);
  });

  it('asks for a full refresh when the roots themselves changed', () => {
    const next = [n('g', 'other')];
    const { roots, changed } = reconcileTree([n('f', 'folder')], next);
    assert.equal(changed, 'all');
    assert.equal(roots, next);
  });

  it('drops an optional field that disappeared', () => {
    const old = [n('f', 'folder', [], 'loading…')];
    const { changed } = reconcileTree(old, [n('f', 'folder')]);
    assert.equal(changed.length, 1);
    assert.equal('description' in old[0]!, false);
  });

  it('on real sync nodes, a status change touches only the artifact row', () => {
    const ws = (status: 'synced' | 'modified'): WorkspaceStatus => ({
      folder: '/ws',
      artifacts: [row({ name: 'one' }), row({ name: 'two', status, projectHash: status === 'synced' ? 'a'.repeat(64) : 'b'.repeat(64) })],
      notDeployed: [],
    });
    const build = (w: WorkspaceStatus): SyncNode[] =>
      buildSyncRoots({ folders: [{ path: '/ws', name: 'ws' }], statuses: new Map([['/ws', w]]), groupBy: 'folder', now: new Date(0) });
    const old = build(ws('synced'));
    const { changed } = reconcileTree(old, build(ws('modified')));
    assert.ok(changed !== 'all');
    // folder and profile descriptions change too (their counts), the untouched row does not
    assert.deepEqual(changed.map((c) => c.id), ['folder:/ws', 'profile:/ws:.claude', 'artifact:/ws:two::skill::claude_code']);
  });
});
