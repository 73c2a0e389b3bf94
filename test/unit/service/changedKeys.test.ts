// changedKeys (daemon/service/statusService.ts): the keys a didChange names. Rows carried over by an
// incremental recompute are the same objects and are not compared; rows computed anew are compared
// by content, so a recomputed but identical row is not reported, and a changed one always is.
import assert from 'node:assert/strict';
import { changedKeys } from '../../../daemon/service/statusService';
import type { ArtifactRow, WorkspaceStatus } from '../../../shared/types';

function row(key: string, status: ArtifactRow['status'], projectHash: string | null = 'a'): ArtifactRow {
  return {
    key,
    name: key,
    type: 'skill',
    profile: 'claude_code',
    profileRoot: '.claude',
    collection: 'default',
    status,
    projectHash,
    deployedHash: 'a',
    collectionHash: 'a',
    lockHash: 'a',
    upstream: { state: 'unknown', reason: 'not checked' },
    projectPath: `/w/.claude/skills/${key}`,
    collectionPath: `/h/collections/default/skills/${key}`,
    trackerFile: '/w/.claude/.skillmeat-deployed.toml',
  } as ArtifactRow;
}

function ws(artifacts: ArtifactRow[], extra: Partial<WorkspaceStatus> = {}): WorkspaceStatus {
  return { folder: '/w', artifacts, notDeployed: [], ...extra } as unknown as WorkspaceStatus;
}

describe('changedKeys', () => {
  it('the same row objects: nothing changed', () => {
    const rows = [row('a', 'synced'), row('b', 'synced')];
    assert.deepEqual(changedKeys(ws(rows), ws([...rows])), []);
  });

  it('a row computed anew with the same content is not reported; one with other content is', () => {
    const a = row('a', 'synced');
    const b = row('b', 'synced');
    assert.deepEqual(changedKeys(ws([a, b]), ws([a, row('b', 'synced')])), []);
    assert.deepEqual(changedKeys(ws([a, b]), ws([a, row('b', 'modified', 'b')])), ['b']);
  });

  it('added and removed rows, and changed warnings', () => {
    const a = row('a', 'synced');
    assert.deepEqual(changedKeys(ws([a]), ws([a, row('c', 'synced')])).sort(), ['c']);
    assert.deepEqual(changedKeys(ws([a, row('c', 'synced')]), ws([a])), ['c']);
    assert.deepEqual(changedKeys(undefined, ws([a])), ['a']);
    assert.deepEqual(changedKeys(ws([a]), ws([a], { warnings: ['x'] })), ['warnings']);
  });
});
