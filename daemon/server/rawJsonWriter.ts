// A message writer that can splice JSON the daemon already has as bytes into a response. A warm
// `status` answer is the same rows as last time (hundreds of KB at 1,000 artifacts); serialising
// them again for every request was half of what a warm request cost, and joining them into one
// string and encoding it to UTF-8 most of the rest (issue 15): the parts go to the socket as they
// are.
import type { Socket } from 'node:net';
import { AbstractMessageWriter, type Message, type MessageWriter } from 'vscode-jsonrpc/node';
import { frameHeader } from '../../shared/frameHeader';

/** A frame that follows a response, holding bytes that are not JSON (statusText's `attachText`). */
export interface Attachment {
  contentType: string;
  bytes: Buffer;
}

/** A result that is already JSON: its parts, in order, make one JSON value (UTF-8). */
export class RawJson {
  readonly parts: readonly Buffer[];
  readonly byteLength: number;
  constructor(
    parts: string | readonly (string | Buffer)[],
    /** sent as its own frame right after the response */
    readonly attachment?: Attachment,
  ) {
    this.parts = (typeof parts === 'string' ? [parts] : parts).map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p));
    this.byteLength = this.parts.reduce((n, p) => n + p.length, 0);
  }

  toString(): string {
    return Buffer.concat(this.parts as Buffer[]).toString('utf8');
  }
}

/** The message's body as byte chunks, in order; what JSON.stringify would give, as UTF-8. */
export function serializeMessage(msg: Message): Buffer[] {
  const m = msg as { result?: unknown };
  if (m.result instanceof RawJson) {
    const { result, ...rest } = m as { result: RawJson };
    const head = JSON.stringify(rest);
    return [Buffer.from(`${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"result":`, 'utf8'), ...result.parts, CLOSE];
  }
  return [Buffer.from(JSON.stringify(msg), 'utf8')];
}

const CLOSE = Buffer.from('}');

export class RawJsonMessageWriter extends AbstractMessageWriter implements MessageWriter {
  constructor(private readonly socket: Socket) {
    super();
    socket.on('error', (err) => this.fireError(err));
    socket.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    let body: Buffer[];
    try {
      body = serializeMessage(msg);
    } catch (err) {
      this.fireError(err, msg);
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed) {
        reject(new Error('connection closed'));
        return;
      }
      const length = body.reduce((n, b) => n + b.length, 0);
      const result = (msg as { result?: unknown }).result;
      const attachment = result instanceof RawJson ? result.attachment : undefined;
      const chunks = [frameHeader(length), ...body];
      if (attachment) {
        chunks.push(frameHeader(attachment.bytes.length, attachment.contentType), attachment.bytes);
      }
      // one writev for the headers and every part
      this.socket.cork();
      const last = chunks.length - 1;
      for (let i = 0; i < last; i++) this.socket.write(chunks[i]);
      this.socket.write(chunks[last], (err) => {
        if (err) {
          this.fireError(err, msg);
          reject(err);
        } else resolve();
      });
      this.socket.uncork();
    });
  }

  end(): void {
    // the socket is owned by the server
  }
}
