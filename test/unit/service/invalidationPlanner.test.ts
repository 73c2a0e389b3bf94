import assert from 'node:assert/strict';
import type { ManifestArtifact } from '../../../daemon/skillmeat';
import { planHomeChange, planInvalidation } from '../../../daemon/service/invalidationPlanner';
import { art, col, home, SHA_B } from './snapshots';

describe('invalidation planner: watcher events → what to drop', () => {
  it('a deployed file drops its hash entries and only that folder\'s rows at that path', () => {
    const p = planInvalidation([{ kind: 'deployedFiles', folder: '/ws', paths: ['/ws/.claude/skills/a/SKILL.md'] }]);
    assert.equal(p.home, false);
    assert.equal(p.allFolders, false);
    assert.equal(p.allCounts, false);
    assert.deepEqual(p.counts, []);
    assert.deepEqual(p.hashPaths, ['/ws/.claude/skills/a/SKILL.md']);
    assert.deepEqual(p.wholeFolders, []);
    assert.deepEqual([...p.folderPaths], [['/ws', ['/ws/.claude/skills/a/SKILL.md']]]);
    assert.equal(p.notifyHome, false);
  });

  it('paths of one folder accumulate over the batch; a tracker change makes that folder whole', () => {
    const p = planInvalidation([
      { kind: 'deployedFiles', folder: '/ws', paths: ['/ws/.claude/a'] },
      { kind: 'deployedFiles', folder: '/other', paths: ['/other/.claude/b'] },
      { kind: 'deployedFiles', folder: '/other', paths: ['/other/.claude/c'] },
      { kind: 'tracker', folder: '/ws', file: '/ws/.claude/.skillmeat-deployed.toml' },
    ]);
    assert.deepEqual(p.wholeFolders, ['/ws']);
    assert.deepEqual([...p.folderPaths], [['/other', ['/other/.claude/b', '/other/.claude/c']]]);
    assert.deepEqual(p.hashPaths, ['/ws/.claude/a', '/other/.claude/b', '/other/.claude/c'], 'hash entries drop regardless');
  });

  it('new profile roots recompute the folder whole', () => {
    const p = planInvalidation([{ kind: 'profileRoots', folder: '/ws' }]);
    assert.deepEqual(p.wholeFolders, ['/ws']);
    assert.equal(p.folderPaths.size, 0);
  });

  it('a collection file drops its hashes and every folder, but not the home snapshot', () => {
    const p = planInvalidation([{ kind: 'collectionFiles', collection: 'default', paths: ['/h/collections/default/skills/a'] }]);
    assert.equal(p.home, false);
    assert.equal(p.allFolders, true);
    assert.deepEqual(p.hashPaths, ['/h/collections/default/skills/a']);
    assert.deepEqual(p.counts, []);
  });

  it('manifest, collection added/removed: the home, every folder, and that collection\'s counts (once)', () => {
    const p = planInvalidation([
      { kind: 'manifest', collection: 'default' },
      { kind: 'manifest', collection: 'default' },
      { kind: 'collectionAdded', collection: 'work' },
      { kind: 'collectionRemoved', collection: 'old' },
      { kind: 'deployedFiles', folder: '/ws', paths: ['/ws/.claude/a'] },
    ]);
    assert.equal(p.home, true);
    assert.equal(p.allFolders, true);
    assert.equal(p.allCounts, false);
    assert.deepEqual(p.counts, ['default', 'work', 'old']);
    assert.equal(p.folderPaths.size, 0, 'every folder is recomputed whole anyway');
    assert.deepEqual(p.wholeFolders, []);
    assert.equal(p.notifyHome, false);
  });

  it('a lock file changes the home and every folder, no counts', () => {
    const p = planInvalidation([{ kind: 'lock', collection: 'default' }]);
    assert.equal(p.home, true);
    assert.equal(p.allFolders, true);
    assert.equal(p.allCounts, false);
    assert.deepEqual(p.counts, []);
  });

  it('config and home: everything but hashes, and clients hear the home changed', () => {
    for (const kind of ['config', 'home'] as const) {
      const p = planInvalidation([{ kind }]);
      assert.equal(p.home, true, kind);
      assert.equal(p.allFolders, true, kind);
      assert.equal(p.allCounts, true, kind);
      assert.equal(p.allHashes, false, kind);
      assert.equal(p.notifyHome, true, kind);
    }
  });

  it('overflow drops everything, hashes included, without telling clients the home changed', () => {
    const p = planInvalidation([{ kind: 'overflow', scope: '/ws' }]);
    assert.equal(p.home, true);
    assert.equal(p.allFolders, true);
    assert.equal(p.allCounts, true);
    assert.equal(p.allHashes, true);
    assert.equal(p.notifyHome, false);
  });

  it('an empty batch drops nothing', () => {
    const p = planInvalidation([]);
    assert.deepEqual(
      { ...p, folderPaths: [...p.folderPaths] },
      { home: false, allCounts: false, counts: [], allHashes: false, hashPaths: [], allFolders: false, wholeFolders: [], folderPaths: [], notifyHome: false },
    );
  });
});

describe('invalidation planner: the home before and after', () => {
  it('drops the upstream source of an artifact whose resolved_sha, version_spec or upstream changed', () => {
    // One repository per artifact, so each source key names one artifact.
    const own = (name: string, over: Partial<ManifestArtifact> = {}) => art(name, { upstream: `https://github.com/acme/${name}/tree/main/skills/${name}`, ...over });
    const before = home(col('default', [own('a'), own('b'), own('c'), own('d')]));
    const after = home(
      col('default', [
        own('a', { resolvedSha: SHA_B }),
        own('b', { versionSpec: 'v2' }),
        own('c', { upstream: 'https://github.com/acme/elsewhere/tree/main/skills/c' }),
        own('d', { path: 'skills/d-moved' }),
      ]),
    );
    const plan = planHomeChange(before, after, []);
    // The answers cached so far are under the sources as they were before the change.
    assert.deepEqual(plan.upstreamKeys.sort(), ['github:github.com/acme/a@latest', 'github:github.com/acme/b@latest', 'github:github.com/acme/c@latest']);
  });

  it('nothing is dropped when the upstream fields are unchanged, and untracked artifacts have no source', () => {
    const before = home(col('default', [art('a'), art('l', { origin: 'local', upstream: undefined })]));
    const after = home(col('default', [art('a'), art('l', { origin: 'local', upstream: undefined, path: 'moved' })]));
    assert.deepEqual(planHomeChange(before, after, []).upstreamKeys, []);
    const gone = home(col('default', []));
    assert.deepEqual(planHomeChange(before, gone, []).upstreamKeys.length, 1, 'a removed tracked artifact drops its source; the local one has none');
  });

  it('a removed collection drops its artifacts\' sources', () => {
    const before = home(col('default', []), col('work', [art('w', { upstream: 'https://github.com/acme/work/tree/main/w' })]));
    const after = home(col('default', []));
    const keys = planHomeChange(before, after, []).upstreamKeys;
    assert.equal(keys.length, 1);
    assert.match(keys[0], /acme\/work/);
  });

  it('counts are reported only for collections whose membership or MCP servers changed', () => {
    const before = home(col('same', [art('a'), art('b')], 1), col('grew', [art('a')]), col('swapped', [art('a')]), col('mcp', [], 1));
    const after = home(
      col('same', [art('b', { resolvedSha: SHA_B }), art('a')], 1),
      col('grew', [art('a'), art('b')]),
      col('swapped', [art('z')]),
      col('mcp', [], 2),
      col('new', [art('n')]),
    );
    const plan = planHomeChange(before, after, ['same', 'grew', 'swapped', 'mcp', 'new']);
    assert.deepEqual(plan.collections, ['grew', 'swapped', 'mcp', 'new']);
  });

  it('without a before or after snapshot, every candidate is reported and no source is dropped', () => {
    assert.deepEqual(planHomeChange(undefined, home(), ['x']), { upstreamKeys: [], collections: ['x'] });
    assert.deepEqual(planHomeChange(home(), undefined, ['x']), { upstreamKeys: [], collections: ['x'] });
  });
});
