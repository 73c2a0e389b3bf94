// One request to a running daemon, without vscode-jsonrpc: the CLI's warm `status` (issue 15).
// Loading and wiring vscode-jsonrpc (~8 ms) and a hello round trip before the request cost a
// command that finds its daemon running more than the daemon's answer itself. Here the hello and
// the request go in one write (the daemon handles a connection's messages in order, and hello
// synchronously), and the answer's frame is read as bytes.
//
// It only ever asks; it never replaces, restarts or starts a daemon. Anything it is not sure of —
// an older daemon (the full client replaces it), another protocol, a daemon shutting down, a
// dropped connection, a method this daemon does not know — is `fallback`: the caller takes the
// full path (shared/client.ts), which knows what to do. No daemon listening is `no-daemon`.
import * as net from 'node:net';
import { frameHeader, parseFrameHeader } from './frameHeader';
import type { HelloParams, HelloResult } from './protocol';
import { ErrorCodes, judgeDaemon, METHOD, PROTOCOL_VERSION } from './wire';

/** JSON-RPC's code for a method the daemon does not have (a build from before the method). */
const METHOD_NOT_FOUND = -32601;

/** Largest answer frame accepted (a status of 10,000 rows is ~15 MB). */
export const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

/** The daemon refused the request itself (bad parameters, a failure of its own): not retried elsewhere. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export type OneShotOutcome<R> =
  /** `attachment`: the frame that followed the response, when `attachment` was asked for */
  | { kind: 'answered'; hello: HelloResult; result: R; attachment?: Buffer }
  | { kind: 'no-daemon'; reason: string }
  | { kind: 'fallback'; reason: string };

export interface OneShotOptions {
  socketPath: string;
  hello: HelloParams;
  method: string;
  params: unknown;
  /** connecting and the hello (a daemon that does not answer them counts as none) */
  connectTimeoutMs?: number;
  /** the request itself, once the daemon has said hello */
  requestTimeoutMs: number;
  /** the error for a request that took longer than requestTimeoutMs */
  timeoutError?: () => Error;
  /**
   * Whether this answer says one frame of bytes follows it (statusText's `textBytes`): it is
   * waited for, and returned as `attachment`. Asked of the answer, not assumed from the request,
   * so a daemon that sends none is never waited on.
   */
  attachment?: (result: unknown) => boolean;
}

const HELLO_ID = 1;
const REQUEST_ID = 2;

function frame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([frameHeader(body.length), body]);
}

/** What the hello says about using this daemon as it is; undefined when it can be used. */
function unusable(hello: HelloResult, clientVersion: string): string | undefined {
  switch (judgeDaemon(hello, clientVersion)) {
    case 'usable':
      return undefined;
    case 'older':
      return `the daemon ${hello.daemonVersion} is older than this client ${clientVersion}`;
    case 'newer-protocol':
      return `the daemon speaks protocol ${hello.protocolVersion}, this client ${PROTOCOL_VERSION}`;
  }
}

interface Response {
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown };
}

/**
 * Reads Content-Length frames from a stream of chunks. Joins the chunks of a frame once, when the
 * frame is complete (a megabyte comes in ~16 reads).
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** body length of the frame being read, once its header is in */
  private want = -1;

  constructor(private readonly maxBytes = MAX_ANSWER_BYTES) {}

  /** The complete frame bodies this chunk finishes, in order. Throws on a malformed frame. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const bodies: Buffer[] = [];
    for (;;) {
      if (this.want < 0) {
        const all = this.join();
        const end = all.indexOf('\r\n\r\n');
        if (end < 0) {
          if (all.length > 8192) throw new Error('a frame header longer than 8 KB');
          return bodies;
        }
        this.want = contentLength(all.toString('ascii', 0, end), this.maxBytes);
        this.take(end + 4);
      }
      if (this.buffered < this.want) return bodies;
      const all = this.join();
      bodies.push(all.subarray(0, this.want));
      this.take(this.want);
      this.want = -1;
    }
  }

  private join(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private take(n: number): void {
    const rest = this.join().subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
  }
}

function contentLength(header: string, maxBytes: number): number {
  const h = parseFrameHeader(header);
  if ('problem' in h) throw new Error(h.problem);
  if (h.contentType !== undefined && !/charset=utf-?8/i.test(h.contentType) && /charset=/i.test(h.contentType)) {
    throw new Error(`an answer in a charset other than UTF-8: ${h.contentType.slice(0, 80)}`);
  }
  if (h.contentLength > maxBytes) throw new Error(`an answer of ${h.contentLength} bytes, more than the ${maxBytes} accepted`);
  return h.contentLength;
}

/** Sends hello and one request to the daemon at `socketPath` together, and returns its answer. */
export function oneShot<R>(opts: OneShotOptions): Promise<OneShotOutcome<R>> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(opts.socketPath);
    let hello: HelloResult | undefined;
    let settled = false;
    const finish = (outcome: OneShotOutcome<R> | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const connectMs = opts.connectTimeoutMs ?? 5000;
    let timer = setTimeout(() => finish({ kind: 'no-daemon', reason: `no answer to hello within ${connectMs} ms` }), connectMs);
    const reader = new FrameReader();
    /** the request's result, once in, while its attachment is still on its way */
    let answer: unknown;
    let answered = false;

    socket.once('connect', () => {
      // Both at once: the daemon answers the request only after a successful hello.
      socket.write(
        Buffer.concat([
          frame({ jsonrpc: '2.0', id: HELLO_ID, method: METHOD.hello, params: opts.hello }),
          frame({ jsonrpc: '2.0', id: REQUEST_ID, method: opts.method, params: opts.params }),
        ]),
      );
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (hello) finish({ kind: 'fallback', reason: `the connection failed: ${err.message}` });
      else finish({ kind: 'no-daemon', reason: err.code ?? err.message });
    });
    // Closed before its hello: nothing there serves (a daemon on its way out counts as none).
    socket.on('close', () => finish(hello ? { kind: 'fallback', reason: 'the daemon closed the connection before answering' } : { kind: 'no-daemon', reason: 'closed before hello' }));
    socket.on('data', (chunk: Buffer) => {
      let bodies: Buffer[];
      try {
        bodies = reader.push(chunk);
      } catch (err) {
        finish({ kind: 'fallback', reason: `the daemon sent ${(err as Error).message}` });
        return;
      }
      for (const body of bodies) {
        if (answered) {
          // the frame after the answer: its attachment, as bytes
          finish({ kind: 'answered', hello: hello as HelloResult, result: answer as R, attachment: body });
          return;
        }
        let msg: Response;
        try {
          msg = JSON.parse(body.toString('utf8')) as Response;
        } catch {
          finish({ kind: 'fallback', reason: 'the daemon sent a frame that is not JSON' });
          return;
        }
        if (msg.id === HELLO_ID) {
          const h = msg.result as HelloResult | undefined;
          if (msg.error || typeof h?.protocolVersion !== 'number' || typeof h.daemonVersion !== 'string') {
            finish({ kind: 'fallback', reason: `hello: ${String(msg.error?.message ?? 'no result')}` });
            return;
          }
          const why = unusable(h, opts.hello.clientVersion);
          if (why) {
            finish({ kind: 'fallback', reason: why });
            return;
          }
          hello = h;
          clearTimeout(timer);
          timer = setTimeout(() => finish(opts.timeoutError?.() ?? new Error(`the daemon did not answer ${opts.method} within ${opts.requestTimeoutMs} ms`)), opts.requestTimeoutMs);
        } else if (msg.id === REQUEST_ID) {
          if (!hello) {
            finish({ kind: 'fallback', reason: 'an answer before the hello' });
            return;
          }
          if (msg.error) {
            const code = typeof msg.error.code === 'number' ? msg.error.code : ErrorCodes.InternalError;
            const message = typeof msg.error.message === 'string' ? msg.error.message : 'the daemon refused the request';
            if (code === ErrorCodes.ShuttingDown || code === ErrorCodes.HandshakeRequired || code === METHOD_NOT_FOUND) {
              finish({ kind: 'fallback', reason: message });
            } else finish(new RpcError(code, message));
            return;
          }
          if (opts.attachment?.(msg.result)) {
            answer = msg.result;
            answered = true;
            continue;
          }
          finish({ kind: 'answered', hello, result: msg.result as R });
          return;
        }
        // anything else (a notification) is not for a one-shot client
      }
    });
  });
}
