// A message writer that can splice JSON the daemon already has as text into a response. A warm
// `status` answer is the same rows as last time (hundreds of KB at 1,000 artifacts); serialising
// them again for every request was half of what a warm request cost.
import type { Socket } from 'node:net';
import { AbstractMessageWriter, type Message, type MessageWriter } from 'vscode-jsonrpc/node';

/** A result that is already JSON text. */
export class RawJson {
  constructor(readonly json: string) {}
}

export function serializeMessage(msg: Message): string {
  const m = msg as { result?: unknown };
  if (m.result instanceof RawJson) {
    const { result, ...rest } = m as { result: RawJson };
    const head = JSON.stringify(rest);
    return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"result":${result.json}}`;
  }
  return JSON.stringify(msg);
}

export class RawJsonMessageWriter extends AbstractMessageWriter implements MessageWriter {
  constructor(private readonly socket: Socket) {
    super();
    socket.on('error', (err) => this.fireError(err));
    socket.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    let body: Buffer;
    try {
      body = Buffer.from(serializeMessage(msg), 'utf8');
    } catch (err) {
      this.fireError(err, msg);
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed) {
        reject(new Error('connection closed'));
        return;
      }
      this.socket.write(`Content-Length: ${body.length}\r\n\r\n`, 'ascii');
      this.socket.write(body, (err) => {
        if (err) {
          this.fireError(err, msg);
          reject(err);
        } else resolve();
      });
    });
  }

  end(): void {
    // the socket is owned by the server
  }
}
