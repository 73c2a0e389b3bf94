import * as assert from 'node:assert/strict';
import { collectionArtifactKey, deployedRowKey } from '../../../extension/artifactRef';
import { keyMatches, parseArtifactKey } from '../../../shared/artifactKey';
import { row } from './rows';

describe('artifactRef (the keys the extension sends)', () => {
  const targets = [
    { collection: 'default', name: 'pdf', type: 'skill', profile: 'claude_code' },
    { collection: 'work', name: 'pdf', type: 'skill', profile: 'claude_code' },
  ];

  it('a deployed row key names exactly one row when the same name is in two collections', () => {
    const key = deployedRowKey(row({ name: 'pdf', collection: 'work' }));
    assert.equal(key, 'work/pdf::skill::claude_code');
    const parsed = parseArtifactKey(key);
    assert.ok(parsed.ok);
    assert.deepEqual(targets.filter((t) => keyMatches(parsed.key, t)).map((t) => t.collection), ['work']);
  });

  it('the collection artifact key is qualified; a row without a collection falls back to name::type', () => {
    assert.equal(collectionArtifactKey(row({ name: 'pdf', collection: 'work' })), 'work/pdf::skill');
    assert.equal(collectionArtifactKey({ name: 'pdf', type: 'skill', collection: 'default' }), 'default/pdf::skill');
    assert.equal(collectionArtifactKey(row({ name: 'pdf', collection: null })), 'pdf::skill');
    assert.equal(deployedRowKey(row({ name: 'pdf', collection: null })), 'pdf::skill::claude_code');
  });
});
