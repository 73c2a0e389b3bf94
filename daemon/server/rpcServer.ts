// One JSON-RPC connection per client over the private socket. The server owns what every request
// shares: the handshake gate, parameter checking, time bounds and error shaping; the handlers (the
// sync service) only ever see well-formed, handshaken requests.
import * as net from 'node:net';
import {
  createMessageConnection,
  Disposable,
  type MessageConnection,
  type NotificationType,
  type RequestType,
  ResponseError,
} from 'vscode-jsonrpc/node';
import { ErrorCodes, HelloRequest, InvalidParamsError, type HelloParams, type HelloResult, MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from '../../shared/protocol';
import { redact } from '../../shared/redact';
import type { Logger } from '../log';
import { BoundedMessageReader, type ReaderLimits } from './boundedReader';
import { IdleGc } from './idleGc';
import { RawJsonMessageWriter } from './rawJsonWriter';
import { validatorFor } from './validate';

export interface ClientConnection {
  readonly id: number;
  name: string;
  readonly connection: MessageConnection;
  readonly subscriptions: Set<string>;
  handshaken: boolean;
  notify<P>(type: NotificationType<P>, params: P): void;
}

export interface ServerOptions {
  log: Logger;
  home: string;
  version: string;
  /** time a client has to send `hello` before it is dropped */
  handshakeTimeoutMs?: number;
  /** default bound on one request */
  requestTimeoutMs?: number;
  limits?: Partial<ReaderLimits>;
  /** a client newer than us asked us to go: the daemon decides what that means */
  onClientCountChange?: (count: number) => void;
  onDisconnect?: (client: ClientConnection) => void;
}

type Handler<P, R> = (params: P, client: ClientConnection) => Promise<R> | R;
type Validator<P> = (params: unknown) => P;

interface Registration {
  type: RequestType<unknown, unknown, void>;
  handler: Handler<unknown, unknown>;
  validate?: Validator<unknown>;
  timeoutMs?: number;
}

// Declared with the error codes; re-exported for the validators.
export { InvalidParamsError };

export class RpcServer {
  private readonly server: net.Server;
  private readonly clients = new Set<ClientConnection>();
  // server.close() waits for every open connection: ours must be cut, or a stop hangs forever.
  private readonly sockets = new Set<net.Socket>();
  private readonly registrations: Registration[] = [];
  private nextId = 1;
  private closing = false;
  private readonly idleGc = new IdleGc();
  readonly limits: ReaderLimits;

  constructor(private readonly opts: ServerOptions) {
    this.limits = {
      maxMessageBytes: opts.limits?.maxMessageBytes ?? MAX_MESSAGE_BYTES,
      maxHeaderBytes: opts.limits?.maxHeaderBytes ?? 8192,
      partialFrameTimeoutMs: opts.limits?.partialFrameTimeoutMs ?? 10_000,
    };
    this.server = net.createServer((socket) => this.accept(socket));
    this.server.maxConnections = 512;
  }

  register<P, R>(type: RequestType<P, R, void>, handler: Handler<P, R>, opts: { validate?: Validator<P>; timeoutMs?: number } = {}): void {
    this.registrations.push({
      type: type as unknown as RequestType<unknown, unknown, void>,
      handler: handler as Handler<unknown, unknown>,
      // The validator declared with the message (shared/protocol.ts), unless the caller gives one.
      validate: (opts.validate as Validator<unknown> | undefined) ?? validatorFor(type.method),
      timeoutMs: opts.timeoutMs,
    });
  }

  listen(socketPath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      // The socket file must be 0600 from birth, not chmod'ed a moment later.
      const previous = process.platform === 'win32' ? undefined : process.umask(0o177);
      this.server.listen(socketPath, () => {
        if (previous !== undefined) process.umask(previous);
        this.server.off('error', onError);
        this.server.on('error', (err) => this.opts.log.error(`server error: ${err.message}`));
        resolve();
      });
      if (previous !== undefined) {
        // listen() binds synchronously on Unix sockets; restore the umask even if it failed.
        setImmediate(() => {
          try { process.umask(previous); } catch { /* ignore */ }
        });
      }
    });
  }

  get clientCount(): number {
    return this.clients.size;
  }

  allClients(): Iterable<ClientConnection> {
    return this.clients;
  }

  broadcast<P>(type: NotificationType<P>, params: P, filter?: (c: ClientConnection) => boolean): void {
    for (const c of this.clients) {
      if (c.handshaken && (!filter || filter(c))) c.notify(type, params);
    }
  }

  private accept(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const id = this.nextId++;
    const log = this.opts.log;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const writer = new RawJsonMessageWriter(socket);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      socket.destroy();
    };
    const reader = new BoundedMessageReader(socket, this.limits, (v) => {
      log.warn(`client #${id}: ${v.reason}${v.close ? ' — closing connection' : ''}`);
      if (v.reply) {
        writer.write(v.reply as never).catch(() => undefined);
      }
      if (v.close) setTimeout(close, 20).unref();
    });
    const connection = createMessageConnection(reader, writer, {
      error: (m) => log.debug(`client #${id} rpc: ${m}`),
      warn: (m) => log.debug(`client #${id} rpc: ${m}`),
      info: () => undefined,
      log: () => undefined,
    });
    const client: ClientConnection = {
      id,
      name: 'unknown',
      connection,
      subscriptions: new Set(),
      handshaken: false,
      notify: (type, params) => {
        if (!closed) connection.sendNotification(type as NotificationType<unknown>, params as never).catch(() => undefined);
      },
    };
    this.clients.add(client);
    this.opts.onClientCountChange?.(this.clients.size);

    const handshakeTimer = setTimeout(() => {
      if (!client.handshaken) {
        log.warn(`client #${id}: no hello within ${this.opts.handshakeTimeoutMs ?? 10_000} ms — closing`);
        close();
      }
    }, this.opts.handshakeTimeoutMs ?? 10_000);
    handshakeTimer.unref();

    connection.onRequest(HelloRequest, (params: HelloParams): HelloResult => {
      let p: HelloParams;
      try {
        p = HelloRequest.validate(params);
      } catch (err) {
        throw new ResponseError(ErrorCodes.InvalidParams, (err as Error).message);
      }
      if (p.protocolVersion !== PROTOCOL_VERSION) {
        // Still answer, so the client can see our version and decide to replace us.
        log.info(`client #${id} (${p.clientName} ${p.clientVersion}) speaks protocol ${p.protocolVersion}, we speak ${PROTOCOL_VERSION}`);
      }
      if (!p.anyHome && normalize(p.home) !== normalize(this.opts.home)) {
        throw new ResponseError(ErrorCodes.WrongHome, `this daemon serves the SkillMeat home ${this.opts.home}, not ${p.home}`);
      }
      client.name = `${p.clientName} ${p.clientVersion}`;
      client.handshaken = p.protocolVersion === PROTOCOL_VERSION;
      clearTimeout(handshakeTimer);
      log.info(`client #${id} connected: ${client.name}`);
      return { protocolVersion: PROTOCOL_VERSION, daemonVersion: this.opts.version, pid: process.pid, home: this.opts.home };
    });

    for (const reg of this.registrations) {
      connection.onRequest(reg.type, async (params: unknown, token) => {
        if (!client.handshaken) {
          throw new ResponseError(ErrorCodes.HandshakeRequired, `send ${HelloRequest.method} first`);
        }
        if (this.closing) throw new ResponseError(ErrorCodes.ShuttingDown, 'the daemon is shutting down');
        let p: unknown;
        try {
          p = reg.validate ? reg.validate(params) : params;
        } catch (err) {
          throw new ResponseError(ErrorCodes.InvalidParams, `invalid parameters for ${reg.type.method}: ${(err as Error).message}`);
        }
        const timeoutMs = reg.timeoutMs ?? this.opts.requestTimeoutMs ?? 60_000;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new ResponseError(ErrorCodes.RequestTimeout, `${reg.type.method} took longer than ${timeoutMs} ms`)),
            timeoutMs,
          );
        });
        try {
          void token;
          this.idleGc.begin();
          return await Promise.race([Promise.resolve(reg.handler(p, client)), timeout]);
        } catch (err) {
          if (err instanceof ResponseError) throw err;
          if (err instanceof InvalidParamsError) throw new ResponseError(ErrorCodes.InvalidParams, redact(err.message));
          log.error(`${reg.type.method} failed: ${(err as Error).stack ?? err}`);
          throw new ResponseError(ErrorCodes.InternalError, redact(`${reg.type.method} failed: ${(err as Error).message}`));
        } finally {
          this.idleGc.end();
          if (timer) clearTimeout(timer);
        }
      });
    }

    const onGone = () => {
      if (!this.clients.has(client)) return;
      this.clients.delete(client);
      clearTimeout(handshakeTimer);
      closed = true;
      connection.dispose();
      log.info(`client #${id} disconnected (${client.name})`);
      this.opts.onDisconnect?.(client);
      this.opts.onClientCountChange?.(this.clients.size);
    };
    connection.onClose(onGone);
    socket.on('close', onGone);
    socket.on('error', (err) => log.debug(`client #${id} socket: ${err.message}`));
    connection.listen();
  }

  /** keepListener: leave the listening handle open (its path belongs to someone else now). */
  async close(opts: { keepListener?: boolean } = {}): Promise<void> {
    this.closing = true;
    for (const c of this.clients) {
      try {
        c.connection.dispose();
      } catch {
        // already gone
      }
    }
    for (const s of this.sockets) s.destroy();
    if (opts.keepListener) this.server.unref();
    else await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of [...this.clients]) this.clients.delete(c);
  }
}

function normalize(p: string): string {
  return p.replace(/[\\/]+$/, '');
}

export { Disposable };
