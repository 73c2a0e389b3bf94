import assert from 'node:assert/strict';
import { RequestType } from 'vscode-jsonrpc';
import { VALIDATORS } from '../../../daemon/server/validate';
import * as protocol from '../../../shared/protocol';
import { diffParams, fileContentParams, helloParams, InvalidParamsError, shutdownParams, statusParams, statusTextParams } from '../../../shared/params';
import { judgeDaemon, METHOD, PROTOCOL_VERSION } from '../../../shared/wire';

const { REQUESTS, IDEMPOTENT_METHODS } = protocol;

function rejects(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof InvalidParamsError && re.test((err as Error).message));
}

describe('protocol: each request declared once, with its validator and idempotent flag', () => {
  it('every exported request type is a declaration with a validator', () => {
    const exported = Object.entries(protocol).filter(([, v]) => v instanceof RequestType);
    assert.ok(exported.length >= 13);
    for (const [name, type] of exported) {
      assert.ok(REQUESTS.includes(type as never), `${name} is declared with defineRequest`);
      assert.equal(typeof (type as { validate?: unknown }).validate, 'function', `${name} has a validator`);
      assert.equal(typeof (type as { idempotent?: unknown }).idempotent, 'boolean', `${name} says whether it is idempotent`);
    }
    assert.equal(REQUESTS.length, exported.length);
  });

  it('methods are unique and named skillmeat/<verb>', () => {
    const methods = REQUESTS.map((r) => r.method);
    assert.equal(new Set(methods).size, methods.length);
    for (const m of methods) assert.match(m, /^skillmeat\/[a-z][A-Za-z]*$/);
  });

  it('every name in wire.ts METHOD is one declared message, and every message takes its name from there', () => {
    const notifications = [protocol.DidChangeNotification.method, protocol.DaemonStatusNotification.method];
    const used = [...REQUESTS.map((r) => r.method), ...notifications].sort();
    assert.deepEqual(used, Object.values(METHOD).sort());
    for (const [verb, name] of Object.entries(METHOD)) assert.equal(name, `skillmeat/${verb}`);
  });

  it('the retry set and the daemon\'s validator table derive from the declarations', () => {
    assert.deepEqual(
      [...IDEMPOTENT_METHODS].sort(),
      REQUESTS.filter((r) => r.idempotent)
        .map((r) => r.method)
        .sort(),
    );
    assert.equal(IDEMPOTENT_METHODS.has(protocol.ShutdownRequest.method), false, 'a shutdown is never resent to a new daemon');
    for (const m of ['hello', 'status', 'statusText', 'counts', 'checkUpstream', 'invalidate', 'diff', 'fileContent', 'stats', 'subscribe', 'unsubscribe', 'setToken', 'configure']) {
      assert.ok(IDEMPOTENT_METHODS.has(`skillmeat/${m}`), m);
    }
    for (const r of REQUESTS) assert.equal(VALIDATORS.get(r.method), r.validate, r.method);
  });
});

describe('judgeDaemon: what a client (the full one or the one-shot) makes of a hello', () => {
  it('older protocol or older package: older; newer protocol: refused; else usable, a newer package included', () => {
    const hello = (protocolVersion: number, daemonVersion: string) => ({ protocolVersion, daemonVersion });
    assert.equal(judgeDaemon(hello(PROTOCOL_VERSION, '0.1.0'), '0.1.0'), 'usable');
    assert.equal(judgeDaemon(hello(PROTOCOL_VERSION, '9.0.0'), '0.1.0'), 'usable');
    assert.equal(judgeDaemon(hello(PROTOCOL_VERSION, '0.0.1'), '0.1.0'), 'older');
    assert.equal(judgeDaemon(hello(PROTOCOL_VERSION - 1, '9.0.0'), '0.1.0'), 'older');
    assert.equal(judgeDaemon(hello(PROTOCOL_VERSION + 1, '0.0.1'), '0.1.0'), 'newer-protocol');
  });
});

describe('request parameter validators', () => {
  it('hello, status and shutdown', () => {
    assert.deepEqual(helloParams({ protocolVersion: 1, home: '/h', clientName: 'x'.repeat(99), clientVersion: 3 }), {
      protocolVersion: 1,
      home: '/h',
      clientName: 'x'.repeat(40),
      clientVersion: '?',
    });
    rejects(() => helloParams(undefined), /hello needs parameters/);
    rejects(() => helloParams({ protocolVersion: '1', home: '/h' }), /protocolVersion must be a number/);
    rejects(() => helloParams({ protocolVersion: 1 }), /home must be a string/);
    assert.deepEqual(statusParams({ folders: ['/ws'], verify: true }), { folders: ['/ws'], verify: true });
    rejects(() => statusParams({ folders: ['/ws'], verify: 'yes' }), /verify must be a boolean/);
    rejects(() => statusParams({ folders: ['ws'] }), /is not an absolute path/);
    assert.deepEqual(statusTextParams({ folders: ['/ws'], format: 'table-color', verify: false }), { folders: ['/ws'], format: 'table-color' });
    assert.deepEqual(statusTextParams({ folders: ['/ws'], format: 'json', verify: true }), { folders: ['/ws'], format: 'json', verify: true });
    rejects(() => statusTextParams({ folders: ['/ws'] }), /format must be one of json, table, table-color/);
    rejects(() => statusTextParams({ folders: ['/ws'], format: 'yaml' }), /format must be one of json, table, table-color/);
    rejects(() => statusTextParams({ folders: ['ws'], format: 'json' }), /is not an absolute path/);
    assert.deepEqual(shutdownParams(undefined), {});
    assert.deepEqual(shutdownParams({ reason: 'update' }), { reason: 'update' });
  });

  it('diff: a key, optional absolute folders, a known scope, a boolean unified', () => {
    assert.deepEqual(diffParams({ key: 'default/pdf::skill', folders: ['/ws'], scope: 'upstream-changes', unified: true }), {
      key: 'default/pdf::skill',
      folders: ['/ws'],
      scope: 'upstream-changes',
      unified: true,
    });
    assert.deepEqual(diffParams({ key: 'pdf' }), { key: 'pdf' });
    rejects(() => diffParams({}), /key must be a non-empty string/);
    rejects(() => diffParams({ key: '  ' }), /key must be a non-empty string/);
    rejects(() => diffParams({ key: 'pdf', scope: 'everything' }), /scope must be one of collection-project, upstream-collection, upstream-project, upstream-changes/);
    rejects(() => diffParams({ key: 'pdf', unified: 1 }), /unified must be a boolean/);
    rejects(() => diffParams({ key: 'pdf', folders: ['rel'] }), /not an absolute path/);
  });

  it('fileContent: a side, a path, an optional full commit SHA', () => {
    assert.deepEqual(fileContentParams({ key: 'pdf::skill', side: 'upstream', commit: 'abc1234'.padEnd(40, '0'), path: 'docs/README.md' }), {
      key: 'pdf::skill',
      side: 'upstream',
      commit: 'abc1234'.padEnd(40, '0'),
      path: 'docs/README.md',
    });
    rejects(() => fileContentParams({ key: 'pdf', side: 'theirs', path: 'a' }), /side must be one of project, collection, upstream/);
    for (const bad of ['', 'a\0b', 7, undefined]) {
      rejects(() => fileContentParams({ key: 'pdf', side: 'project', path: bad }), /path must be a non-empty string/);
    }
    rejects(() => fileContentParams({ key: 'pdf', side: 'upstream', path: 'a', commit: 'main' }), /commit must be a 40-character commit SHA/);
  });
});
