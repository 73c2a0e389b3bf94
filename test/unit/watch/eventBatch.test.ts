import assert from 'node:assert/strict';
import type { TreeEvent } from '../../../daemon/watch/dirTree';
import { classifyHomeEvent, classifyWorkspaceEvent, homeDescend, workspaceDescend } from '../../../daemon/watch/classify';
import { EventBatch } from '../../../daemon/watch/eventBatch';

const ev = (type: TreeEvent['type'], root: string, rel: string[]): TreeEvent => ({ type, rel, abs: [root, ...rel].join('/') });

describe('EventBatch', () => {
  it('dedupes per kind and collection/folder and merges path lists', () => {
    const b = new EventBatch();
    for (let i = 0; i < 5; i++) {
      b.add({ kind: 'manifest', collection: 'default' });
      b.add({ kind: 'collectionFiles', collection: 'default', paths: [`/c/${i % 2}`] });
      b.add({ kind: 'tracker', folder: '/w', file: '/w/.claude/.skillmeat-deployed.toml' });
    }
    b.add({ kind: 'manifest', collection: 'work' });
    assert.equal(b.size, 16);
    assert.deepEqual(b.take(), [
      { kind: 'manifest', collection: 'default' },
      { kind: 'collectionFiles', collection: 'default', paths: ['/c/0', '/c/1'] },
      { kind: 'tracker', folder: '/w', file: '/w/.claude/.skillmeat-deployed.toml' },
      { kind: 'manifest', collection: 'work' },
    ]);
    assert.deepEqual(b.take(), []);
  });

  it('turns a scope with too many paths into one overflow and leaves other scopes alone', () => {
    const b = new EventBatch(10);
    b.add({ kind: 'config' });
    b.add({ kind: 'tracker', folder: '/w', file: '/w/.claude/.skillmeat-deployed.toml' });
    for (let i = 0; i < 10_000; i++) b.add({ kind: 'deployedFiles', folder: '/w', paths: [`/w/.claude/f${i}`] });
    b.add({ kind: 'profileRoots', folder: '/w' });
    assert.deepEqual(b.take(), [{ kind: 'config' }, { kind: 'overflow', scope: '/w' }]);
  });

  it('keeps only the last of an add/remove pair and forgets an unwatched folder', () => {
    const b = new EventBatch();
    b.add({ kind: 'collectionAdded', collection: 'x' });
    b.add({ kind: 'collectionRemoved', collection: 'x' });
    b.add({ kind: 'profileRoots', folder: '/w' });
    b.forget('/w');
    assert.deepEqual(b.take(), [{ kind: 'collectionRemoved', collection: 'x' }]);
  });
});

describe('watch classification', () => {
  it('home: watches collections only, maps files to their meaning', () => {
    assert.equal(homeDescend(['collections']), true);
    assert.equal(homeDescend(['cache']), false);
    assert.equal(homeDescend(['collections', 'default', 'skills']), true);
    const h = '/h';
    assert.deepEqual(classifyHomeEvent(ev('file', h, ['config.toml'])), { kind: 'config' });
    assert.equal(classifyHomeEvent(ev('file', h, ['analytics.db'])), undefined);
    assert.deepEqual(classifyHomeEvent(ev('dirAdded', h, ['collections'])), { kind: 'home' });
    assert.deepEqual(classifyHomeEvent(ev('rootRemoved', h, [])), { kind: 'home' });
    assert.deepEqual(classifyHomeEvent(ev('dirRemoved', h, ['collections', 'w'])), { kind: 'collectionRemoved', collection: 'w' });
    assert.deepEqual(classifyHomeEvent(ev('file', h, ['collections', 'w', 'collection.toml'])), { kind: 'manifest', collection: 'w' });
    assert.equal(classifyHomeEvent(ev('file', h, ['collections', 'w', '.collection.toml.a1b2.tmp'])), undefined);
    assert.deepEqual(classifyHomeEvent(ev('file', h, ['collections', 'w', 'collection.lock'])), { kind: 'lock', collection: 'w' });
    assert.deepEqual(classifyHomeEvent(ev('file', h, ['collections', 'w', 'commands', 'r.md'])), {
      kind: 'collectionFiles',
      collection: 'w',
      paths: ['/h/collections/w/commands/r.md'],
    });
    assert.deepEqual(classifyHomeEvent(ev('dirChanged', h, ['collections', 'w'])), { kind: 'overflow', scope: 'home' });
  });

  it('workspace: hidden dirs at the root, trackers and deployed copies', () => {
    assert.equal(workspaceDescend('/nonexistent', ['.claude']), true);
    assert.equal(workspaceDescend('/nonexistent', ['.git']), false);
    assert.equal(workspaceDescend('/nonexistent', ['src']), false);
    assert.equal(workspaceDescend('/nonexistent', ['.claude', 'skills']), true);
    assert.equal(workspaceDescend('/nonexistent', ['.github', 'workflows']), false);
    const w = '/w';
    assert.deepEqual(classifyWorkspaceEvent(w, ev('dirAdded', w, ['.cursor'])), { kind: 'profileRoots', folder: w });
    assert.equal(classifyWorkspaceEvent(w, ev('file', w, ['package.json'])), undefined);
    assert.deepEqual(classifyWorkspaceEvent(w, ev('file', w, ['.claude', '.skillmeat-deployed.toml'])), {
      kind: 'tracker',
      folder: w,
      file: '/w/.claude/.skillmeat-deployed.toml',
    });
    assert.deepEqual(classifyWorkspaceEvent(w, ev('file', w, ['.claude', 'skills', 'a', 'x.md'])), {
      kind: 'deployedFiles',
      folder: w,
      paths: ['/w/.claude/skills/a/x.md'],
    });
  });
});
