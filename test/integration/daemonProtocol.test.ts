// Issue #2: the daemon's wire rules, spoken by hand on a raw socket: hello first, one home per
// daemon, malformed and oversized frames hurt only their own connection.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMessageConnection, type MessageConnection, type ResponseError, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { FileLogger } from '../../daemon/log';
import { RpcServer } from '../../daemon/server/rpcServer';
import { pidAlive } from '../../shared/client';
import { ErrorCodes, HelloRequest, MAX_MESSAGE_BYTES, PROTOCOL_VERSION, ShutdownRequest, StatsRequest, StatusRequest } from '../../shared/protocol';
import { PACKAGE_VERSION } from '../../shared/version';
import { eventually, Harness } from '../helpers/daemonHarness';

interface Reply {
  jsonrpc?: string;
  id?: number | string | null;
  result?: unknown;
  error?: { code: number; message: string };
  method?: string;
}

/** A JSON-RPC peer that writes frames itself, byte for byte. */
class RawPeer {
  readonly replies: Reply[] = [];
  closed = false;
  private buf = Buffer.alloc(0);

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static open(socketPath: string): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = net.connect(socketPath);
      s.once('connect', () => resolve(new RawPeer(s)));
      s.once('error', reject);
    });
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const m = /Content-Length: *(\d+)/i.exec(this.buf.subarray(0, end).toString('ascii'));
      assert.ok(m, 'the daemon sent a frame without Content-Length');
      const len = Number(m[1]);
      if (this.buf.length < end + 4 + len) return;
      this.replies.push(JSON.parse(this.buf.subarray(end + 4, end + 4 + len).toString('utf8')) as Reply);
      this.buf = this.buf.subarray(end + 4 + len);
    }
  }

  frame(body: string | object): Buffer {
    const b = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
    return Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`, 'ascii'), b]);
  }

  send(body: string | object): void {
    this.socket.write(this.frame(body));
  }

  request(id: number, method: string, params?: unknown): Promise<Reply> {
    this.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
    return eventually(() => this.replies.find((r) => r.id === id), 15_000, `reply to ${method}`) as Promise<Reply>;
  }

  hello(h: Harness, id = 1, home = h.home): Promise<Reply> {
    return this.request(id, HelloRequest.method, { protocolVersion: PROTOCOL_VERSION, clientVersion: PACKAGE_VERSION, clientName: 'raw', home });
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('daemon wire rules (raw socket)', function () {
  this.timeout(60_000);
  let h: Harness;
  const peers: RawPeer[] = [];
  const open = async () => {
    const p = await RawPeer.open(h.paths.socketPath);
    peers.push(p);
    return p;
  };

  beforeEach(async () => {
    h = new Harness({ fixture: 'after-edits' });
    await h.client().start();
  });
  afterEach(async () => {
    for (const p of peers.splice(0)) p.close();
    await h.cleanup();
    assert.deepEqual(h.processes(), []);
    assert.equal(fs.existsSync(h.root), false);
  });

  it('a request before hello gets HandshakeRequired, and works after hello', async () => {
    const p = await open();
    const early = await p.request(7, StatusRequest.method, { folders: [h.workspace] });
    assert.equal(early.error?.code, ErrorCodes.HandshakeRequired);
    assert.match(early.error?.message ?? '', /skillmeat\/hello/);
    const hello = await p.hello(h, 8);
    assert.equal((hello.result as { pid: number }).pid, h.daemonPid());
    const later = await p.request(9, StatusRequest.method, { folders: [h.workspace] });
    assert.equal((later.result as { workspaces: unknown[] }).workspaces.length, 1);
  });

  it('a hello for another home gets WrongHome and no access', async () => {
    const p = await open();
    const r = await p.hello(h, 1, `${h.root}/someone-else/.skillmeat`);
    assert.equal(r.error?.code, ErrorCodes.WrongHome);
    assert.match(r.error?.message ?? '', /serves the SkillMeat home/);
    const after = await p.request(2, StatsRequest.method, {});
    assert.equal(after.error?.code, ErrorCodes.HandshakeRequired);
  });

  it('a hello with another protocol is answered (so the client can decide) but not handshaken', async () => {
    const p = await open();
    const r = await p.request(1, HelloRequest.method, { protocolVersion: PROTOCOL_VERSION + 1, clientVersion: '9.9.9', clientName: 'future', home: h.home });
    assert.equal((r.result as { protocolVersion: number }).protocolVersion, PROTOCOL_VERSION);
    const after = await p.request(2, StatsRequest.method, {});
    assert.equal(after.error?.code, ErrorCodes.HandshakeRequired);
  });

  it('bad parameters give InvalidParams on that request only', async () => {
    const p = await open();
    await p.hello(h);
    const bad = await p.request(2, StatusRequest.method, { folders: 'not-a-list' });
    assert.equal(bad.error?.code, ErrorCodes.InvalidParams);
    const good = await p.request(3, StatusRequest.method, { folders: [h.workspace] });
    assert.ok(good.result);
  });

  it('1,000 malformed frames get errors; the daemon and a well-behaved client carry on', async () => {
    const good = h.client();
    const before = await good.start();
    const p = await open();
    await p.hello(h);
    const kinds = [
      '{not json',
      '[1,2,3]',
      '"a string"',
      '{"jsonrpc":"1.0","id":1,"method":"x"}',
      '{"jsonrpc":"2.0","id":{"x":1},"method":"skillmeat/stats"}',
      '{"jsonrpc":"2.0","id":5}',
      '\u0000\u0001\u0002',
      'null',
    ];
    const frames: Buffer[] = [];
    for (let i = 0; i < 1000; i++) frames.push(p.frame(kinds[i % kinds.length]));
    p.socket.write(Buffer.concat(frames));
    const errors = (await eventually(() => {
      const e = p.replies.filter((r) => r.error);
      return e.length >= 1000 ? e : undefined;
    }, 30_000, '1,000 error replies')) as Reply[];
    assert.equal(errors.length, 1000);
    assert.ok(errors.every((e) => e.error!.code === -32700 || e.error!.code === -32600));
    assert.equal(p.closed, false, 'malformed bodies with a valid frame do not cost the connection');
    // The same connection still works.
    const ok = await p.request(4242, StatsRequest.method, {});
    assert.equal((ok.result as { daemon: { pid: number } }).daemon.pid, before.pid);
    // And so does everybody else.
    const r = await good.request(StatusRequest, { folders: [h.workspace] });
    assert.equal(r.workspaces[0].artifacts.length, 4);
    assert.equal(good.daemonInfo?.pid, before.pid);
  });

  it('an oversized frame gets an error and a closed connection; the daemon carries on', async () => {
    const good = h.client();
    const before = await good.start();
    const p = await open();
    await p.hello(h);
    p.socket.write(Buffer.from(`Content-Length: 1073741824\r\n\r\n{"jsonrpc":"2.0","id":1,`, 'ascii'));
    await eventually(() => p.closed, 15_000, 'the oversized connection to close');
    const err = p.replies.find((r) => r.error);
    assert.equal(err?.error?.code, -32600);
    assert.match(err?.error?.message ?? '', new RegExp(`exceeds the limit of ${MAX_MESSAGE_BYTES}`));
    assert.ok(pidAlive(before.pid));
    const r = await good.request(StatsRequest, {});
    assert.equal(r.daemon.pid, before.pid);
    assert.match(fs.readFileSync(h.paths.logPath, 'utf8'), /oversized message \(1073741824 bytes\)/);
  });

  it('a header without a valid Content-Length closes only that connection', async () => {
    const good = h.client();
    await good.start();
    const p = await open();
    p.socket.write('Content-Length: lots\r\n\r\n{}');
    await eventually(() => p.closed, 15_000, 'close');
    assert.equal(p.replies[0]?.error?.code, -32700);
    const q = await open();
    q.socket.write('X'.repeat(20_000));
    await eventually(() => q.closed, 15_000, 'close after an endless header');
    assert.ok((await good.request(StatsRequest, {})).daemon.pid > 0);
  });

  it('many raw connections that never say hello do not stop a real client', async () => {
    const silent = await Promise.all(Array.from({ length: 50 }, () => open()));
    const c = h.client();
    const r = await c.request(StatusRequest, { folders: [h.workspace] });
    assert.equal(r.workspaces[0].artifacts.length, 4);
    assert.ok(silent.every((s) => !s.closed));
  });
});

describe('request time bound (the real RpcServer on a real socket, in this process)', () => {
  let dir: string;
  let server: RpcServer;
  let socket: net.Socket | undefined;
  let conn: MessageConnection | undefined;
  let log: FileLogger;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
    log = new FileLogger(path.join(dir, 'log'));
    server = new RpcServer({ log, home: '/somewhere/.skillmeat', version: PACKAGE_VERSION, requestTimeoutMs: 300 });
    // A handler that never finishes, as a wedged file system or network would make it.
    server.register(StatsRequest, () => new Promise<never>(() => undefined));
    server.register(ShutdownRequest, () => ({ ok: true as const }));
    await server.listen(path.join(dir, 's.sock'));
    socket = net.connect(path.join(dir, 's.sock'));
    await new Promise((resolve) => socket!.once('connect', resolve));
    conn = createMessageConnection(new StreamMessageReader(socket), new StreamMessageWriter(socket));
    conn.listen();
  });
  afterEach(async () => {
    conn?.dispose();
    socket?.destroy();
    await server.close();
    log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a request that outlives its bound gets RequestTimeout; the connection carries on', async () => {
    await conn!.sendRequest(HelloRequest, { protocolVersion: PROTOCOL_VERSION, clientVersion: PACKAGE_VERSION, clientName: 'test', home: '/somewhere/.skillmeat' });
    await assert.rejects(conn!.sendRequest(StatsRequest, {}), (err: ResponseError<unknown>) => {
      assert.equal(err.code, ErrorCodes.RequestTimeout);
      assert.match(err.message, /skillmeat\/stats took longer than 300 ms/);
      return true;
    });
    assert.deepEqual(await conn!.sendRequest(ShutdownRequest, {}), { ok: true });
  });
});
