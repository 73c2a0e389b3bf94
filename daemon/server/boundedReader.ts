// A JSON-RPC message reader with limits. vscode-jsonrpc's stream reader trusts Content-Length and
// buffers whatever it is told, and a bad body poisons the connection; the daemon is shared by every
// window, so one broken or hostile client must only ever hurt its own connection.
import type { Socket } from 'node:net';
import { AbstractMessageReader, type DataCallback, type Disposable, type Message } from 'vscode-jsonrpc/node';
import { parseFrameHeader } from '../../shared/frameHeader';

export interface ReaderLimits {
  /** largest body accepted */
  maxMessageBytes: number;
  /** largest header section accepted */
  maxHeaderBytes: number;
  /** a frame started must be complete within this time (slow-drip clients) */
  partialFrameTimeoutMs: number;
}

export interface Violation {
  /** JSON-RPC error reply to send, if any */
  reply?: object;
  /** close the connection after the reply */
  close: boolean;
  reason: string;
}

const CRLF2 = Buffer.from('\r\n\r\n');

function errorReply(code: number, message: string, id: unknown = null): object {
  const safeId = typeof id === 'string' || typeof id === 'number' ? id : null;
  return { jsonrpc: '2.0', id: safeId, error: { code, message } };
}

export class BoundedMessageReader extends AbstractMessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  private bodyLength: number | undefined;
  private frameTimer: NodeJS.Timeout | undefined;
  private callback: DataCallback | undefined;
  private stopped = false;

  constructor(
    private readonly socket: Socket,
    private readonly limits: ReaderLimits,
    private readonly onViolation: (v: Violation) => void,
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer) => this.onData(chunk);
    const onEnd = () => this.fireClose();
    const onError = (err: Error) => this.fireError(err);
    this.socket.on('data', onData);
    this.socket.on('close', onEnd);
    this.socket.on('error', onError);
    return {
      dispose: () => {
        this.socket.off('data', onData);
        this.socket.off('close', onEnd);
        this.socket.off('error', onError);
        this.clearTimer();
      },
    };
  }

  private clearTimer(): void {
    if (this.frameTimer) clearTimeout(this.frameTimer);
    this.frameTimer = undefined;
  }

  private violate(v: Violation): void {
    if (v.close) {
      this.stopped = true;
      this.clearTimer();
      this.buffer = Buffer.alloc(0);
    }
    this.onViolation(v);
  }

  private onData(chunk: Buffer): void {
    if (this.stopped) return;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (!this.frameTimer && this.buffer.length > 0) {
      this.frameTimer = setTimeout(() => {
        this.violate({ close: true, reason: `incomplete frame for ${this.limits.partialFrameTimeoutMs} ms` });
      }, this.limits.partialFrameTimeoutMs);
      this.frameTimer.unref();
    }
    while (!this.stopped) {
      if (this.bodyLength === undefined) {
        const end = this.buffer.indexOf(CRLF2);
        if (end < 0) {
          if (this.buffer.length > this.limits.maxHeaderBytes) {
            this.violate({ reply: errorReply(-32700, 'Parse error: header section too long or missing'), close: true, reason: 'header too long' });
          }
          return;
        }
        const header = this.buffer.subarray(0, end).toString('ascii');
        this.buffer = this.buffer.subarray(end + 4);
        const parsed = parseFrameHeader(header);
        if ('problem' in parsed) {
          // Without a valid length we cannot find the next frame boundary: close.
          this.violate({ reply: errorReply(-32700, 'Parse error: missing or invalid Content-Length header'), close: true, reason: 'bad header' });
          return;
        }
        const length = parsed.contentLength;
        if (length > this.limits.maxMessageBytes) {
          this.violate({
            reply: errorReply(-32600, `Invalid Request: message of ${length} bytes exceeds the limit of ${this.limits.maxMessageBytes}`),
            close: true,
            reason: `oversized message (${length} bytes)`,
          });
          return;
        }
        this.bodyLength = length;
      }
      if (this.buffer.length < this.bodyLength) return;
      const body = this.buffer.subarray(0, this.bodyLength);
      this.buffer = this.buffer.subarray(this.bodyLength);
      this.bodyLength = undefined;
      this.clearTimer();
      if (this.buffer.length > 0) {
        this.frameTimer = setTimeout(() => {
          this.violate({ close: true, reason: 'incomplete frame' });
        }, this.limits.partialFrameTimeoutMs);
        this.frameTimer.unref();
      }
      this.deliver(body);
    }
  }

  private deliver(body: Buffer): void {
    let msg: unknown;
    try {
      msg = JSON.parse(body.toString('utf8'));
    } catch (err) {
      this.violate({ reply: errorReply(-32700, `Parse error: ${(err as Error).message}`), close: false, reason: 'invalid JSON' });
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg) || (msg as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
      // Batches are not part of the protocol vscode-jsonrpc speaks.
      this.violate({ reply: errorReply(-32600, 'Invalid Request: expected a JSON-RPC 2.0 object'), close: false, reason: 'invalid request' });
      return;
    }
    const m = msg as { method?: unknown; id?: unknown; result?: unknown; error?: unknown };
    const isRequestOrNotification = typeof m.method === 'string';
    const isResponse = 'id' in m && ('result' in m || 'error' in m);
    if (!isRequestOrNotification && !isResponse) {
      this.violate({ reply: errorReply(-32600, 'Invalid Request: no method', m.id), close: false, reason: 'invalid request' });
      return;
    }
    if ('id' in m && m.id !== undefined && m.id !== null && typeof m.id !== 'string' && typeof m.id !== 'number') {
      this.violate({ reply: errorReply(-32600, 'Invalid Request: id must be a string or a number'), close: false, reason: 'invalid id' });
      return;
    }
    this.callback?.(msg as Message);
  }
}
