import * as assert from 'node:assert/strict';
import { buildCollectionRoots } from '../../../extension/collectionsTreeModel';
import { expectedStage } from './rows';

describe('collectionsTreeModel', () => {
  it('shows the fixture collection with its total, marked active, expanding to per-type counts', () => {
    const roots = buildCollectionRoots({ home: '/h', collections: expectedStage('after-edits').collections });
    assert.equal(roots.length, 1);
    const c = roots[0]!;
    assert.equal(c.label, 'default');
    assert.equal(c.description, '4 artifacts · active');
    assert.equal(c.icon?.id, 'star-full');
    assert.equal(c.contextValue, 'collection active');
    assert.deepEqual(c.children.map((n) => [n.label, n.description]), [
      ['skills', '2'],
      ['commands', '1'],
      ['agents', '1'],
      ['MCP servers', '0'],
    ]);
  });

  it('lists the active collection first, shows display names and per-collection errors', () => {
    const roots = buildCollectionRoots({
      home: '/h',
      collections: [
        { name: 'zz', active: false, total: 0, byType: {}, mcpServers: 0, error: 'collection.toml: invalid TOML at line 3' },
        { name: 'aa', active: false, total: 1, byType: { workflow: 1 }, mcpServers: 2, displayName: 'Team AA' },
        { name: 'work', active: true, total: 0, byType: {}, mcpServers: 0 },
      ],
      warnings: ['stray key'],
    });
    assert.deepEqual(roots.map((r) => [r.kind, r.label]), [
      ['message', 'stray key'],
      ['collection', 'work'],
      ['collection', 'Team AA'],
      ['collection', 'zz'],
    ]);
    const aa = roots[2]!;
    assert.equal(aa.collection, 'aa');
    assert.match(aa.tooltip ?? '', /Directory `aa`; its manifest names it `Team AA`/);
    assert.equal(aa.description, '1 artifact');
    const zz = roots[3]!;
    assert.equal(zz.description, '0 artifacts · error');
    assert.equal(zz.children[0]!.label, 'collection.toml: invalid TOML at line 3');
  });

  it('shows a request error as a single node', () => {
    const roots = buildCollectionRoots(undefined, 'daemon timed out');
    assert.equal(roots.length, 1);
    assert.equal(roots[0]!.label, 'Counts could not be read: daemon timed out');
  });
});
