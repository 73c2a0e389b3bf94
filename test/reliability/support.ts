// What the reliability tests share: a raw JSON-RPC socket that can send anything (the real client
// refuses to misbehave), memory sampling of a process, and small helpers for percentiles and waits.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

export interface RpcReply {
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string };
  method?: string;
}

/** Frames one JSON-RPC body the way the protocol does (Content-Length header, CRLF CRLF). */
export function frame(body: string | Buffer | object): Buffer {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`, 'ascii'), b]);
}

/**
 * A socket to the daemon that writes raw bytes and parses whatever frames come back. It records
 * when the daemon closed the connection, which is what several bounds are about.
 */
export class RawConnection {
  readonly replies: RpcReply[] = [];
  closedAt: number | undefined;
  readonly openedAt = Date.now();
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closedAt = Date.now();
      this.wake();
    });
  }

  static open(socketPath: string): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect(socketPath);
      s.once('connect', () => {
        s.removeListener('error', reject);
        resolve(new RawConnection(s));
      });
      s.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.closedAt !== undefined;
  }

  write(data: Buffer | string): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed || this.socket.destroyed) return resolve();
      this.socket.write(data, () => resolve());
    });
  }

  hello(home: string, id: string | number = 'hello'): Promise<void> {
    return this.write(frame({ jsonrpc: '2.0', id, method: 'skillmeat/hello', params: { protocolVersion: 1, clientVersion: '0.1.0', clientName: 'fuzz', home } }));
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const m = /Content-Length:\s*(\d+)/i.exec(this.buf.subarray(0, end).toString('ascii'));
      if (!m) throw new Error(`daemon sent a frame without Content-Length: ${this.buf.subarray(0, end).toString()}`);
      const len = Number(m[1]);
      if (this.buf.length < end + 4 + len) return;
      const body = this.buf.subarray(end + 4, end + 4 + len).toString('utf8');
      this.buf = this.buf.subarray(end + 4 + len);
      this.replies.push(JSON.parse(body) as RpcReply);
      this.wake();
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves with the reply carrying `id`, or rejects when the connection closes or time is up. */
  async reply(id: string | number, timeoutMs = 10_000): Promise<RpcReply> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = this.replies.find((x) => x.id === id);
      if (r) return r;
      if (this.closed) throw new Error(`connection closed before the reply to ${id}`);
      const left = until - Date.now();
      if (left <= 0) throw new Error(`no reply to ${id} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves with how long after opening the daemon closed us, or undefined if it did not within the time. */
  async waitClosed(timeoutMs: number): Promise<number | undefined> {
    const until = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < until) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, until - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.closedAt === undefined ? undefined : this.closedAt - this.openedAt;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Resident set size of a process in bytes (Linux /proc), undefined when it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the samples in bytes. */
export function sampleRss(pid: number, everyMs = 20): { stop(): number[] } {
  const samples: number[] = [];
  const take = () => {
    const r = rssBytes(pid);
    if (r !== undefined) samples.push(r);
  };
  take();
  const t = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(t);
      take();
      return samples;
    },
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const MB = 1024 * 1024;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `setpriv` exists and we are root, so a command can be run as `nobody`. */
export function canRunAsNobody(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root: cannot switch to the nobody user';
  const r = spawnSync('which', ['setpriv']);
  if (r.status !== 0) return 'setpriv is not installed';
  return undefined;
}

export const AS_NOBODY = ['--reuid=nobody', '--regid=nogroup', '--clear-groups'];

/** Makes `dir` and every ancestor traversable by others, so only the modes under test decide. */
export function openAncestors(dir: string, upTo = '/tmp'): void {
  let d = dir;
  while (d.startsWith(upTo) && d !== upTo) {
    const mode = fs.statSync(d).mode & 0o777;
    fs.chmodSync(d, mode | 0o055);
    d = d.slice(0, d.lastIndexOf('/')) || '/';
  }
}
