// The CLI's one-shot exchange (shared/oneShot.ts) against the real daemon on a real socket, and
// against sockets that misbehave: it answers when it can and otherwise says `no-daemon` or
// `fallback` (the full client's job), never a wrong answer and never a hang.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { oneShot, RpcError, type OneShotOptions } from '../../shared/oneShot';
import { StatsRequest, StatusRequest, type StatusTextResult } from '../../shared/protocol';
import { PACKAGE_VERSION } from '../../shared/version';
import { ErrorCodes, METHOD, PROTOCOL_VERSION } from '../../shared/wire';
import { ageTree } from '../helpers/ageTree';
import { Harness, startDirect } from '../helpers/daemonHarness';

describe('oneShot: hello and one request in one write, without vscode-jsonrpc', function () {
  this.timeout(60_000);
  let h: Harness;
  afterEach(async () => h?.cleanup());

  function ask(extra: Partial<OneShotOptions> = {}) {
    return oneShot<StatusTextResult>({
      socketPath: h.paths.socketPath,
      hello: { protocolVersion: PROTOCOL_VERSION, clientVersion: PACKAGE_VERSION, clientName: 'test', home: h.home },
      method: METHOD.statusText,
      params: { folders: [h.workspace], format: 'json' },
      requestTimeoutMs: 30_000,
      ...extra,
    });
  }

  it("answers with the daemon's rendered status: the same bytes as JSON.stringify of its status, and the daemon keeps the text", async () => {
    h = new Harness({ fixture: 'after-edits' });
    // not racy: rows resting on just-written files are recomputed on every request, by design
    ageTree(h.home);
    ageTree(h.workspace);
    const c = h.client();
    const status = await c.request(StatusRequest, { folders: [h.workspace] });
    const first = await ask();
    assert.equal(first.kind, 'answered');
    if (first.kind !== 'answered') return;
    assert.equal(first.hello.daemonVersion, PACKAGE_VERSION);
    assert.equal(first.result.text, JSON.stringify(status, null, 2));
    assert.equal(first.attachment, undefined);
    // an answer that announces no attachment is not waited on, whatever the caller hoped for
    const none = await ask({ attachment: (r) => typeof (r as StatusTextResult).textBytes === 'number', requestTimeoutMs: 2000 });
    assert.ok(none.kind === 'answered' && none.attachment === undefined && none.result.text === first.result.text, JSON.stringify(none).slice(0, 200));
    const attached = await ask({ params: { folders: [h.workspace], format: 'json', attachText: true }, attachment: (r) => typeof (r as StatusTextResult).textBytes === 'number' });
    assert.ok(attached.kind === 'answered' && attached.attachment, JSON.stringify(attached));
    assert.equal(attached.result.text, undefined);
    assert.equal(attached.result.textBytes, attached.attachment.length);
    assert.equal(attached.attachment.toString('utf8'), first.result.text, 'attachText: the same text, as its own frame of UTF-8 bytes');
    const rows = status.workspaces[0].artifacts;
    assert.equal(first.result.total, rows.length);
    assert.equal(first.result.notSynced, rows.filter((r) => r.status !== 'synced').length);
    assert.ok(first.result.notSynced > 0, 'the after-edits fixture has drift');
    const table = await ask({ params: { folders: [h.workspace], format: 'table' } });
    assert.ok(table.kind === 'answered' && /STATUS +ARTIFACT/.test(table.result.text ?? ''), JSON.stringify(table));
    await ask();
    const stats = await c.request(StatsRequest, {});
    const rendered = stats.caches.find((x) => x.name === 'status')?.rendered;
    assert.deepEqual(rendered, { hits: 3, misses: 2 }, 'json made once and given three times more; table made once');
  });

  it("the daemon's refusal of the request is an RpcError with its code; a wrong home and an older daemon are `fallback`, and the older one is left running", async () => {
    h = new Harness({ fixture: 'after-deploy' });
    await h.client().start();
    await assert.rejects(ask({ params: { folders: ['relative/path'], format: 'json' } }), (err: unknown) => err instanceof RpcError && err.code === ErrorCodes.InvalidParams && /not an absolute path/.test(err.message));
    await assert.rejects(ask({ params: { folders: [h.workspace], format: 'yaml' } }), (err: unknown) => err instanceof RpcError && /format must be one of/.test(err.message));
    const wrongHome = await ask({ hello: { protocolVersion: PROTOCOL_VERSION, clientVersion: PACKAGE_VERSION, clientName: 'test', home: '/somewhere/else' } });
    assert.equal(wrongHome.kind, 'fallback');
    assert.match((wrongHome as { reason: string }).reason, /serves the SkillMeat home/);
    const otherProtocol = await ask({ hello: { protocolVersion: PROTOCOL_VERSION + 1, clientVersion: PACKAGE_VERSION, clientName: 'test', home: h.home } });
    assert.equal(otherProtocol.kind, 'fallback');
    const unknownMethod = await ask({ method: 'skillmeat/noSuchThing' });
    assert.equal(unknownMethod.kind, 'fallback', 'a daemon without the method: the full client takes over');
    await h.cleanup();

    h = new Harness({ fixture: 'after-deploy' });
    const old = await startDirect(h, { SKILLMEAT_SYNC_VERSION_OVERRIDE: '0.0.1' });
    const older = await ask();
    assert.equal(older.kind, 'fallback');
    assert.match((older as { reason: string }).reason, /0\.0\.1 is older than this client/);
    assert.equal(old.exitCode, null, 'a one-shot never replaces a daemon');
    assert.equal(h.daemonPid(), old.pid);
  });

  it('no socket, a refused connection, silence and garbage: `no-daemon` or `fallback`, quickly', async () => {
    h = new Harness();
    const missing = await ask();
    assert.equal(missing.kind, 'no-daemon');
    fs.mkdirSync(path.dirname(h.paths.socketPath), { recursive: true, mode: 0o700 });

    // A stale socket file (its daemon was killed): connection refused.
    const stale = net.createServer();
    await new Promise<void>((r) => stale.listen(h.paths.socketPath, r));
    await new Promise<void>((r) => stale.close(() => r()));
    fs.writeFileSync(h.paths.socketPath, '');
    assert.equal((await ask()).kind, 'no-daemon');
    fs.rmSync(h.paths.socketPath);

    const behaviours: Array<[string, (s: net.Socket) => void, string]> = [
      ['says nothing', () => undefined, 'no-daemon'],
      ['closes at once', (s) => s.destroy(), 'no-daemon'],
      ['sends a frame that is not JSON', (s) => s.write('Content-Length: 5\r\n\r\nhello'), 'fallback'],
      ['sends a malformed header', (s) => s.write('Content-Length: lots\r\n\r\n{}'), 'fallback'],
      ['answers the request before any hello', (s) => s.write(frameOf({ jsonrpc: '2.0', id: 2, result: { text: 'x' } })), 'fallback'],
      ['answers hello without a result', (s) => s.write(frameOf({ jsonrpc: '2.0', id: 1 })), 'fallback'],
      ['announces an attached text and closes before it', (s) => s.end(Buffer.concat([frameOf(helloOk()), frameOf({ jsonrpc: '2.0', id: 2, result: { textBytes: 5 } })])), 'fallback'],
    ];
    for (const [what, behave, kind] of behaviours) {
      const accepted: net.Socket[] = [];
      const server = net.createServer((s) => {
        accepted.push(s);
        s.on('error', () => undefined);
        behave(s);
      });
      await new Promise<void>((r) => server.listen(h.paths.socketPath, r));
      try {
        const t0 = Date.now();
        const r = await ask({ connectTimeoutMs: 300, attachment: (x) => typeof (x as StatusTextResult).textBytes === 'number' });
        assert.equal(r.kind, kind, `a server that ${what}: ${JSON.stringify(r)}`);
        assert.ok(Date.now() - t0 < 5000, what);
      } finally {
        // a socket nobody reads never sees its peer go: close() would wait for it forever
        for (const s of accepted) s.destroy();
        await new Promise<void>((r) => server.close(() => r()));
      }
    }

    // A daemon that says hello and then never answers: the request's own bound, as an error.
    const held: net.Socket[] = [];
    const hung = net.createServer((s) => {
      held.push(s);
      s.on('error', () => undefined);
      s.once('data', () => s.write(frameOf(helloOk())));
    });
    await new Promise<void>((r) => hung.listen(h.paths.socketPath, r));
    try {
      await assert.rejects(ask({ requestTimeoutMs: 200, timeoutError: () => new Error('too slow') }), /too slow/);
    } finally {
      for (const s of held) s.destroy();
      await new Promise<void>((r) => hung.close(() => r()));
    }
  });
});

function helloOk(): unknown {
  return { jsonrpc: '2.0', id: 1, result: { protocolVersion: PROTOCOL_VERSION, daemonVersion: PACKAGE_VERSION, pid: 1, home: '/h' } };
}

function frameOf(msg: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(msg));
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
}
