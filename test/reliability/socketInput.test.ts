// Issue #8, part 3: bad input on the socket. Every hostile or broken client gets an error or is
// closed after a bound, and a well-behaved client beside them keeps getting answers.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ErrorCodes, StatusRequest, MAX_MESSAGE_BYTES } from '../../shared/protocol';
import type { DaemonClient } from '../../shared/client';
import type { StatusResult } from '../../shared/types';
import { Harness } from '../helpers/daemonHarness';
import { frame, RawConnection, sleep } from './support';

/** The daemon's bounds (rpcServer defaults): partial frame and handshake both 10 s. */
const BOUND_MS = 10_000;

/**
 * A well-behaved client whose requests are interleaved with the hostile traffic by the test itself
 * (between bursts of garbage, between dripped bytes, while bounded connections hang): every answer
 * must be complete and equal to the one given before the garbage began. No clock and no count inside
 * a time window: a slow machine only makes the test slower; a starved client shows as the test's
 * own timeout, a wrong or failed answer as an entry in `errors`.
 */
function goodClient(c: DaemonClient, folder: string) {
  const rows = (r: StatusResult) =>
    JSON.stringify(r.workspaces[0]?.artifacts.map((a) => [a.key, a.status, a.projectHash, a.deployedHash, a.collectionHash, a.lockHash]).sort());
  let baseline = '';
  const errors: string[] = [];
  let answered = 0;
  const ask = async () => {
    try {
      const got = rows(await c.request(StatusRequest, { folders: [folder] }));
      if (got !== baseline) errors.push(`answer ${answered + 1} differs from the one before the garbage: ${got}`);
    } catch (err) {
      errors.push((err as Error).message);
    }
    answered++;
  };
  return {
    errors,
    get answered() {
      return answered;
    },
    /** The answer before any garbage: four rows, the reference for every later one. */
    async start() {
      const r = await c.request(StatusRequest, { folders: [folder] });
      assert.equal(r.workspaces[0]?.artifacts.length, 4, 'four rows before the garbage');
      baseline = rows(r);
    },
    ask,
    /** Keeps asking, one request at a time, until `work` settles (at least once). */
    async askUntil<T>(work: Promise<T>): Promise<T> {
      let settled = false;
      const done = work.finally(() => (settled = true));
      do {
        await ask();
        if (!settled) await sleep(20);
      } while (!settled);
      return done;
    },
  };
}

let seed = 0x2545f491;
/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function rnd(n: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}

const JUNK_VALUES: unknown[] = [null, true, 0, -1, 1e308, 'x', '', [], {}, [1, 2], { a: { b: [] } }, '\u0000', 'é🙂', Number.MAX_SAFE_INTEGER];
const METHODS = ['skillmeat/status', 'skillmeat/counts', 'skillmeat/checkUpstream', 'skillmeat/invalidate', 'skillmeat/subscribe', 'skillmeat/setToken', 'skillmeat/configure', 'skillmeat/hello', 'no/such', '', 'rpc.internal', '$/cancelRequest'];

/**
 * One malformed frame body (framing intact, so the connection can go on) and whether the daemon
 * owes a reply to it. Method calls that are valid by accident are avoided: every one must fail.
 */
function badBody(i: number): { body: Buffer; id?: number } {
  const id = 100_000 + i;
  switch (rnd(8)) {
    case 0:
      return { body: randomBytes(1 + rnd(200)) }; // not JSON (or, rarely, a JSON number): parse error / invalid request
    case 1:
      return { body: Buffer.from(JSON.stringify(JUNK_VALUES[rnd(JUNK_VALUES.length)])) }; // JSON, not an object
    case 2:
      return { body: Buffer.from(JSON.stringify({ jsonrpc: '1.0', id, method: 'skillmeat/status', params: {} })) };
    case 3:
      return { body: Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, method: `unknown/${rnd(1000)}`, params: {} })), id };
    case 4: {
      // a known method with parameters of the wrong type
      const m = METHODS[rnd(7)];
      // An empty folder list is a valid request: leave it out.
      const notFolders = JUNK_VALUES.filter((v) => !(Array.isArray(v) && v.length === 0));
      const params = { folders: notFolders[rnd(notFolders.length)], collections: 7, keys: 'k', scope: 42, token: 5, force: 'yes', countsTtlSeconds: 'x', protocolVersion: 'one' };
      return { body: Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, method: m, params })), id };
    }
    case 5:
      return { body: Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: { nested: true }, method: 'skillmeat/stats' })) };
    case 6:
      return { body: Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, method: 'skillmeat/status', params: { folders: ['relative/path', 'x'.repeat(5000)] } })), id };
    default:
      return { body: Buffer.from(`{"jsonrpc":"2.0","id":${id},"method":"skillmeat/status","params":{"folders":[`) }; // cut JSON
  }
}

describe('reliability: bad input on the socket (issue #8.3)', function () {
  this.timeout(90_000);
  let h: Harness;
  beforeEach(() => (h = new Harness({ fixture: 'after-edits' })));
  afterEach(async () => h.cleanup());

  it('answers 10,000 malformed frames with errors on the same connections, while a good client keeps its answers', async () => {
    const good = h.client();
    await good.start();
    const pid = h.daemonPid();
    const steady = goodClient(good, h.workspace);
    await steady.start();
    const CONNECTIONS = 10;
    const PER_CONNECTION = 1000;
    const BURST = 50;
    let owed = 0;
    let answered = 0;
    const codes = new Map<number, number>();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, k) => {
        const raw = await RawConnection.open(h.paths.socketPath);
        try {
          // Half of the connections fuzz before the handshake, half after.
          if (k % 2 === 1) {
            await raw.hello(h.home);
            assert.ok((await raw.reply('hello')).result, 'hello answered');
          }
          const ids: number[] = [];
          const sent = new Map<number, string>();
          const chunks: Buffer[] = [];
          for (let i = 0; i < PER_CONNECTION; i++) {
            const { body, id } = badBody(k * PER_CONNECTION + i);
            chunks.push(frame(body));
            if (id !== undefined) {
              ids.push(id);
              sent.set(id, body.toString('utf8'));
            }
          }
          // Sent in bursts of frames glued together, as a real stream would deliver them; after each
          // burst the good client asks, so its requests meet the garbage of all ten connections.
          for (let i = 0; i < chunks.length; i += BURST) {
            await raw.write(Buffer.concat(chunks.slice(i, i + BURST)));
            await steady.ask();
          }
          // The connection survived all of it: a final request is answered.
          await raw.write(frame({ jsonrpc: '2.0', id: 'last', method: 'skillmeat/hello', params: { protocolVersion: 1, clientVersion: '0.1.0', clientName: 'fuzz', home: h.home } }));
          const last = await raw.reply('last', 30_000);
          assert.ok(last.result, `connection ${k} still answers after ${PER_CONNECTION} bad frames: ${JSON.stringify(last.error)}`);
          for (const id of ids) {
            const r = raw.replies.find((x) => x.id === id);
            assert.ok(r?.error, `request ${sent.get(id)} got an error reply, not ${JSON.stringify(r)}`);
            codes.set(r.error.code, (codes.get(r.error.code) ?? 0) + 1);
          }
          owed += ids.length;
          // Requests without a usable id still get an error with id null (parse error, invalid request).
          answered += raw.replies.filter((x) => x.id === null && x.error).length;
        } finally {
          raw.destroy();
        }
      }),
    );
    assert.deepEqual(steady.errors, [], 'the well-behaved client got every answer, each one right');
    assert.equal(steady.answered, CONNECTIONS * (PER_CONNECTION / BURST), 'one good request after every burst');
    assert.ok(owed > 3000, `many requests with ids were tried (${owed})`);
    assert.ok(answered > 1000, `frames without a usable id were answered with id null (${answered})`);
    // Before the handshake everything is HandshakeRequired or MethodNotFound; after, InvalidParams too.
    assert.ok((codes.get(ErrorCodes.InvalidParams) ?? 0) > 0, 'wrong parameter types answered with InvalidParams');
    assert.ok((codes.get(ErrorCodes.HandshakeRequired) ?? 0) > 0, 'requests before hello answered with HandshakeRequired');
    assert.ok((codes.get(-32601) ?? 0) > 0, 'unknown methods answered with MethodNotFound');
    assert.equal(h.daemonPid(), pid, 'the same daemon is still serving');
    const after = await good.request(StatusRequest, { folders: [h.workspace] });
    assert.equal(after.workspaces[0].artifacts.length, 4);
    console.log(`      ${CONNECTIONS * PER_CONNECTION} malformed frames, ${owed} owed replies, codes ${JSON.stringify(Object.fromEntries(codes))}`);
  });

  it('closes broken framing at once, and silent or dripping clients after the bound, without disturbing a good client', async () => {
    const good = h.client();
    await good.start();
    const pid = h.daemonPid();
    const steady = goodClient(good, h.workspace);
    await steady.start();
    const sock = h.paths.socketPath;

    // Immediately fatal framing: each gets an error reply and is closed well before the bound.
    const fatal: { name: string; bytes: Buffer | string }[] = [
      { name: 'Content-Length of 1 GB', bytes: 'Content-Length: 1073741824\r\n\r\n{' },
      { name: 'Content-Length just over the limit', bytes: `Content-Length: ${MAX_MESSAGE_BYTES + 1}\r\n\r\n` },
      { name: 'negative Content-Length', bytes: 'Content-Length: -5\r\n\r\n' },
      { name: 'non-numeric Content-Length', bytes: 'Content-Length: ten\r\n\r\n' },
      { name: 'huge digit string', bytes: `Content-Length: ${'9'.repeat(400)}\r\n\r\n` },
      { name: 'no Content-Length', bytes: 'Content-Type: application/json\r\n\r\n{}' },
      { name: 'header line without colon', bytes: 'hello there\r\n\r\n' },
      { name: 'header section that never ends', bytes: 'X-Junk: ' + 'a'.repeat(20_000) },
      { name: 'random bytes', bytes: randomBytes(65_536) },
      { name: 'HTTP request', bytes: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' },
    ];
    const fatalRuns = fatal.map(async (f) => {
      const raw = await RawConnection.open(sock);
      await raw.write(f.bytes);
      await steady.ask();
      const closedAfter = await raw.waitClosed(BOUND_MS - 2000);
      assert.ok(closedAfter !== undefined, `${f.name}: connection closed at once`);
      assert.ok(raw.replies.some((r) => r.error), `${f.name}: an error reply came before the close`);
      return { name: f.name, closedAfter };
    });

    // Bounded by time: a client that never sends, one that sends a header and stops, one that
    // drips a valid hello at one byte a second, one that handshakes nothing but stays.
    const slowRuns = [
      (async () => {
        const raw = await RawConnection.open(sock);
        return { name: 'connects and never sends', closedAfter: await raw.waitClosed(BOUND_MS + 8000) };
      })(),
      (async () => {
        const raw = await RawConnection.open(sock);
        await raw.write('Content-Length: 40\r\n');
        return { name: 'truncated header', closedAfter: await raw.waitClosed(BOUND_MS + 8000) };
      })(),
      (async () => {
        const raw = await RawConnection.open(sock);
        await raw.write('Content-Length: 400\r\n\r\n{"jsonrpc":"2.0"');
        return { name: 'truncated body', closedAfter: await raw.waitClosed(BOUND_MS + 8000) };
      })(),
      (async () => {
        const raw = await RawConnection.open(sock);
        const bytes = frame({ jsonrpc: '2.0', id: 1, method: 'skillmeat/hello', params: { protocolVersion: 1, clientVersion: '0.1.0', clientName: 'drip', home: h.home } });
        for (let i = 0; i < bytes.length && !raw.closed; i++) {
          await raw.write(bytes.subarray(i, i + 1));
          await steady.ask();
          await sleep(1000);
        }
        return { name: 'one byte a second', closedAfter: raw.closedAt === undefined ? undefined : raw.closedAt - raw.openedAt };
      })(),
      (async () => {
        // Answered requests but never a hello: the handshake bound still applies.
        const raw = await RawConnection.open(sock);
        for (let i = 0; i < 5; i++) await raw.write(frame({ jsonrpc: '2.0', id: i, method: 'skillmeat/status', params: { folders: [h.workspace] } }));
        const closedAfter = await raw.waitClosed(BOUND_MS + 8000);
        assert.equal(raw.replies.filter((r) => r.error?.code === ErrorCodes.HandshakeRequired).length, 5);
        return { name: 'requests without hello', closedAfter };
      })(),
    ];

    // While the silent and truncated connections wait for the bound, the good client keeps asking.
    const results = await steady.askUntil(Promise.all([...fatalRuns, ...slowRuns]));
    for (const r of results) {
      assert.ok(r.closedAfter !== undefined, `${r.name}: closed by the daemon`);
      assert.ok(r.closedAfter < BOUND_MS + 8000, `${r.name}: closed within the bound (${r.closedAfter} ms)`);
    }
    assert.deepEqual(steady.errors, [], 'the well-behaved client got every answer, each one right');
    assert.ok(steady.answered >= fatal.length + 1, `asked after each fatal frame and while the slow ones hung (${steady.answered})`);
    assert.equal(h.daemonPid(), pid, 'the same daemon is still serving');
    console.log(`      closed after (ms): ${results.map((r) => `${r.name}=${r.closedAfter}`).join(', ')}`);
  });
});
