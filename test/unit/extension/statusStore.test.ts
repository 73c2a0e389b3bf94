import * as assert from 'node:assert/strict';
import { StatusStore, folderKey, type StatusSource } from '../../../extension/statusStore';
import type { CountsResult, StatusResult, WorkspaceStatus } from '../../../shared/types';
import { row } from './rows';
import { deferred, type Deferred } from '../../helpers/deferred';

function ws(folder: string, names: string[] = ['a']): WorkspaceStatus {
  return { folder, artifacts: names.map((n) => row({ name: n })), notDeployed: [] };
}

/** A source whose answers the test releases one by one, recording what was asked. */
class ManualSource implements StatusSource {
  readonly statusCalls: { folders: string[]; answer: Deferred<StatusResult> }[] = [];
  readonly countsCalls: Deferred<CountsResult>[] = [];
  status(folders: string[]): Promise<StatusResult> {
    const answer = deferred<StatusResult>();
    this.statusCalls.push({ folders, answer });
    return answer.promise;
  }
  counts(): Promise<CountsResult> {
    const answer = deferred<CountsResult>();
    this.countsCalls.push(answer);
    return answer.promise;
  }
  answerStatus(i: number, workspaces?: WorkspaceStatus[]): void {
    const call = this.statusCalls[i];
    assert.ok(call, `no status call #${i}`);
    call.answer.resolve({ home: '/h', homeExists: true, workspaces: workspaces ?? call.folders.map((f) => ws(f)) });
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('StatusStore (refresh batching and didChange, no vscode)', () => {
  let folders: string[];
  let source: ManualSource;
  let store: StatusStore;
  const logs: string[] = [];

  beforeEach(() => {
    folders = ['/ws/a', '/ws/b'];
    source = new ManualSource();
    store = new StatusStore({ folders: () => folders, log: (l, t) => logs.push(`${l} ${t}`) });
    store.reset(source);
  });

  it('coalesces refreshes made during a request into one follow-up request', async () => {
    const first = store.refreshStatus(['/ws/a']);
    await tick();
    assert.equal(source.statusCalls.length, 1);
    const second = store.refreshStatus(['/ws/b']);
    const third = store.refreshStatus(['/ws/a', '/ws/b']);
    await tick();
    assert.equal(source.statusCalls.length, 1, 'no second request while the first runs');
    assert.equal(store.refreshing, true);
    source.answerStatus(0);
    await tick();
    assert.equal(source.statusCalls.length, 2);
    assert.deepEqual(source.statusCalls[1]?.folders.sort(), ['/ws/a', '/ws/b']);
    let secondDone = false;
    void second.then(() => (secondDone = true));
    await tick();
    assert.equal(secondDone, false, 'a caller waits for an answer requested after its call');
    source.answerStatus(1);
    await Promise.all([first, second, third]);
    assert.equal(store.refreshing, false);
    assert.deepEqual([...store.statuses.keys()].sort(), ['/ws/a', '/ws/b']);
  });

  it('applies didChange: folders matched whatever their spelling, keys handed to listeners, counts on collections', async () => {
    const changes: { folders: string[]; keys: Record<string, readonly string[]> }[] = [];
    store.onDidChangeStatus((c) => changes.push({ folders: c.folders, keys: Object.fromEntries(c.keys) }));
    const applied = store.applyDidChange({
      workspaces: [
        { folder: '/ws/a/', keys: ['a::skill::claude_code'] },
        { folder: '/elsewhere', keys: ['x::skill::claude_code'] },
      ],
      collections: ['default'],
    });
    assert.deepEqual(applied.folders, ['/ws/a']);
    assert.equal(applied.counts, true);
    await tick();
    assert.deepEqual(source.statusCalls.map((c) => c.folders), [['/ws/a']]);
    assert.equal(source.countsCalls.length, 1);
    source.answerStatus(0);
    source.countsCalls[0]?.resolve({ home: '/h', collections: [] });
    await applied.done;
    assert.deepEqual(changes.at(-1), { folders: ['/ws/a'], keys: { '/ws/a': ['a::skill::claude_code'] } });
  });

  it('didChange during a request: keys gathered into the next request, none lost', async () => {
    const changes: Record<string, readonly string[]>[] = [];
    store.onDidChangeStatus((c) => changes.push(Object.fromEntries(c.keys)));
    const a = store.applyDidChange({ workspaces: [{ folder: '/ws/a', keys: ['k1'] }], collections: [] });
    await tick();
    const b = store.applyDidChange({ workspaces: [{ folder: '/ws/a', keys: ['k2'] }], collections: [] });
    const c = store.applyDidChange({ workspaces: [{ folder: '/ws/a', keys: ['k3'] }], collections: [] });
    source.answerStatus(0);
    await tick();
    source.answerStatus(1);
    await Promise.all([a.done, b.done, c.done]);
    assert.equal(source.statusCalls.length, 2);
    assert.deepEqual(changes.slice(-2), [{ '/ws/a': ['k1'] }, { '/ws/a': ['k2', 'k3'] }]);
  });

  it('a home change refreshes every folder and the counts', async () => {
    const applied = store.applyDidChange({ workspaces: [], collections: [], home: true });
    assert.equal(applied.all, true);
    await tick();
    assert.deepEqual(source.statusCalls[0]?.folders, folders);
    assert.equal(source.countsCalls.length, 1);
  });

  it('a failed request drops the old rows and records the error (never a stale "in sync")', async () => {
    const ok = store.refreshStatus(['/ws/a']);
    await tick();
    source.answerStatus(0);
    await ok;
    assert.ok(store.statuses.has('/ws/a'));
    const failing = store.refreshStatus(['/ws/a']);
    await tick();
    source.statusCalls[1]?.answer.reject(new Error('socket closed'));
    await failing;
    assert.equal(store.statuses.has('/ws/a'), false);
    assert.equal(store.folderErrors.get('/ws/a'), 'socket closed');
    assert.ok(logs.some((l) => l.startsWith('error') && l.includes('socket closed')));
  });

  it('a folder the daemon does not answer for is an error, not an empty folder', async () => {
    const p = store.refreshStatus(['/ws/a', '/ws/b']);
    await tick();
    source.answerStatus(0, [ws('/ws/a')]);
    await p;
    assert.match(store.folderErrors.get('/ws/b') ?? '', /no status/);
    assert.equal(store.statuses.has('/ws/b'), false);
  });

  it('answers of a replaced source are dropped', async () => {
    const p = store.refreshStatus(['/ws/a']);
    await tick();
    const next = new ManualSource();
    store.reset(next);
    source.answerStatus(0);
    await p;
    assert.equal(store.statuses.size, 0, 'an answer from the old client was applied');
  });

  it('folders that left the workspace are neither asked nor kept', async () => {
    const p = store.refreshStatus(['/ws/a']);
    await tick();
    source.answerStatus(0);
    await p;
    folders = ['/ws/b'];
    store.removeFolders(['/ws/a']);
    assert.equal(store.statuses.has('/ws/a'), false);
    await store.refreshStatus(['/ws/a']);
    assert.equal(source.statusCalls.length, 1, 'a removed folder was asked for');
  });

  it('counts: calls during a request cause exactly one more request; errors are kept', async () => {
    const a = store.refreshCounts();
    const b = store.refreshCounts();
    const c = store.refreshCounts();
    await tick();
    assert.equal(source.countsCalls.length, 1);
    source.countsCalls[0]?.resolve({ home: '/h', collections: [] });
    await tick();
    assert.equal(source.countsCalls.length, 2);
    source.countsCalls[1]?.reject(new Error('boom'));
    await Promise.all([a, b, c]);
    assert.equal(store.counts, undefined);
    assert.equal(store.countsError, 'boom');
  });

  it('whenIdle waits for queued and running requests', async () => {
    void store.refreshStatus(['/ws/a']);
    let idle = false;
    const w = store.whenIdle().then(() => (idle = true));
    await tick();
    assert.equal(idle, false);
    source.answerStatus(0);
    await w;
    assert.equal(idle, true);
  });

  it('folderKey treats spellings of one folder alike, and case only on Windows', () => {
    assert.equal(folderKey('/ws/a/'), folderKey('/ws/a'));
    assert.equal(folderKey('/ws/x/../a'), folderKey('/ws/a'));
    assert.notEqual(folderKey('/WS/a', 'linux'), folderKey('/ws/a', 'linux'));
  });
});
