import * as assert from 'node:assert/strict';
import { DiffCache } from '../../../extension/diffCache';
import type { DiffParams } from '../../../shared/protocol';
import type { DiffResult } from '../../../shared/types';
import { row } from './rows';

function answer(p: DiffParams): DiffResult {
  return { key: p.key, scope: p.scope ?? 'collection-project', from: { side: 'collection' }, to: { side: 'project' }, files: [], summary: { added: 0, modified: 0, deleted: 0, unchanged: 0 } };
}

describe('DiffCache', () => {
  let calls: DiffParams[];
  let fail: boolean;
  let cache: DiffCache;
  beforeEach(() => {
    calls = [];
    fail = false;
    cache = new DiffCache(async (p) => {
      calls.push(p);
      if (fail) throw new Error('daemon said no');
      return answer(p);
    });
  });

  it('asks once with the qualified row key and the folder; concurrent callers share the request', async () => {
    const r = row({ name: 'pdf', status: 'modified', collection: 'work' });
    const [a, b] = await Promise.all([cache.get('/ws', r, 'collection-project'), cache.get('/ws', r, 'collection-project')]);
    assert.equal(a, b);
    assert.deepEqual(calls, [{ key: 'work/pdf::skill::claude_code', folders: ['/ws'], scope: 'collection-project' }]);
    await cache.get('/ws', r, 'collection-project');
    assert.equal(calls.length, 1);
    assert.equal(cache.peek('/ws', r, 'collection-project'), a);
    await cache.get('/ws', r, 'upstream-changes');
    assert.equal(calls.length, 2, 'another scope is another request');
  });

  it('a changed row (new project hash, new upstream head) gets a new diff', async () => {
    const r = row({ name: 'pdf', status: 'modified' });
    await cache.get('/ws', r, 'collection-project');
    await cache.get('/ws', { ...r, projectHash: 'b'.repeat(64) }, 'collection-project');
    await cache.get('/ws', { ...r, projectHash: 'b'.repeat(64), upstream: { state: 'update-available', headSha: 'c'.repeat(40) } }, 'collection-project');
    assert.equal(calls.length, 3);
    assert.equal(cache.peek('/ws', r, 'collection-project'), undefined);
  });

  it('failures are not kept; drop() forgets the named rows of a folder only', async () => {
    const r = row({ name: 'pdf', status: 'modified' });
    const other = row({ name: 'notes', status: 'outdated' });
    fail = true;
    await assert.rejects(cache.get('/ws', r, 'collection-project'), /daemon said no/);
    fail = false;
    await cache.get('/ws', r, 'collection-project');
    await cache.get('/ws', other, 'collection-project');
    await cache.get('/other', r, 'collection-project');
    assert.equal(calls.length, 4);
    cache.drop('/ws', ['pdf::skill::claude_code']);
    await cache.get('/ws', r, 'collection-project');
    await cache.get('/ws', other, 'collection-project');
    await cache.get('/other', r, 'collection-project');
    assert.equal(calls.length, 5, 'only the dropped row was asked again');
    cache.drop('/ws');
    await cache.get('/ws', other, 'collection-project');
    assert.equal(calls.length, 6);
  });

  it('tells listeners about each new answer kept, not about cached hits or failures', async () => {
    let settled = 0;
    const sub = cache.onDidSettle(() => settled++);
    const r = row({ name: 'pdf', status: 'modified' });
    await cache.get('/ws', r, 'collection-project');
    await cache.get('/ws', r, 'collection-project');
    fail = true;
    await assert.rejects(cache.get('/ws', r, 'upstream-changes'));
    await new Promise((res) => setImmediate(res));
    assert.equal(settled, 1);
    sub.dispose();
    fail = false;
    await cache.get('/ws', { ...r, projectHash: 'c'.repeat(64) }, 'collection-project');
    assert.equal(settled, 1, 'a disposed listener is not called');
  });
});
