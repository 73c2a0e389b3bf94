// The daemon client shared by the extension, the CLI and the tests (no `vscode` import).
// It hides the daemon's life: connect or start it, handshake, replace an older daemon, and after a
// drop reconnect with backoff, re-send what the daemon must remember about us (subscriptions,
// settings, token) and retry idempotent requests that were in flight.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  createMessageConnection,
  ErrorCodes as RpcErrorCodes,
  type MessageConnection,
  type RequestType,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { checkHome } from './homeCheck';
import { daemonPaths, type DaemonPaths } from './paths';
import {
  ConfigureRequest,
  type DaemonSettings,
  type DaemonStatusParams,
  DaemonStatusNotification,
  type DidChangeParams,
  DidChangeNotification,
  ErrorCodes,
  HelloRequest,
  type HelloResult,
  IDEMPOTENT_METHODS,
  PROTOCOL_VERSION,
  SetTokenRequest,
  type SetTokenParams,
  ShutdownRequest,
  SubscribeRequest,
  UnsubscribeRequest,
} from './protocol';
import { DEFAULT_REQUEST_TIMEOUT_MS, judgeDaemon } from './wire';
import { withTimeout } from './withTimeout';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'disposed';
export interface Disposable {
  dispose(): void;
}
export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface DaemonClientOptions {
  home: string;
  /** absolute path of dist/daemon.js */
  daemonScript: string;
  /** in VS Code: { execPath: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' } } */
  runtime?: { execPath: string; env?: Record<string, string> };
  clientName: string;
  clientVersion: string;
  runtimeDir?: string;
  stateDir?: string;
  daemonArgs?: string[];
  daemonEnv?: Record<string, string>;
  log?: LogFn;
  /** how long to wait for a started daemon to answer */
  startTimeoutMs?: number;
  /** give up after this many daemon restarts within restartWindowMs */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** never spawn a daemon (fail instead) */
  noSpawn?: boolean;
  /**
   * Spawn a daemon only for a folder that is a SkillMeat home (`shared/homeCheck.ts`); otherwise
   * fail with NotAHomeError. A daemon already serving the home is still used. The CLI sets it (a
   * typo must not leave a 60 MB process behind for 10 minutes); the extension does not, because
   * its daemon watches for a home that does not exist yet.
   */
  requireHome?: boolean;
  /** runtime flags for the daemon process; default DEFAULT_DAEMON_FLAGS */
  daemonFlags?: string[];
  /** give up on one request after this long (default 200 s, above the daemon's own bounds) */
  requestTimeoutMs?: number;
}

export { DEFAULT_REQUEST_TIMEOUT_MS } from './wire';

export class DaemonUnavailableError extends Error {}

/** The home is missing or not a SkillMeat home, so no daemon was started for it. */
export class NotAHomeError extends DaemonUnavailableError {}

/** The file descriptor of the readiness pipe a spawned daemon writes to once it listens (`--ready-fd`). */
export const READY_FD = 3;

/**
 * A 1 MB young generation keeps the long-lived daemon's resident set ~30 MB smaller (bench: 125 →
 * 91 MB at 1,000 artifacts) at no measurable cost: its garbage is a few large JSON answers, not
 * many short-lived small objects. --optimize-for-size (V8 grows and keeps a smaller old generation)
 * takes another 10–20 MB off at rest (N = 1,000 after warm, counts and edits, two A/B pairs on an
 * idle machine: 78.2 / 78.2 MB against 97.2 / 89.2 MB) with warm status and edit → didChange
 * unchanged within their run-to-run spread. --expose-gc lets it give memory back after a burst
 * (idleGc.ts).
 */
export const DEFAULT_DAEMON_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--optimize-for-size', '--expose-gc'];

/** glibc malloc tuning for the long-lived daemon (see spawnDaemonProcess). */
export const DAEMON_MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };

/** Node's exit code for an option it does not know (a runtime that refuses our flags). */
const BAD_OPTION_EXIT = 9;

class Emitter<T> {
  private readonly listeners = new Set<(v: T) => void>();
  on(cb: (v: T) => void): Disposable {
    this.listeners.add(cb);
    return { dispose: () => this.listeners.delete(cb) };
  }
  fire(v: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(v);
      } catch {
        // a listener's bug must not break the client
      }
    }
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** vscode-jsonrpc rejects what was pending with these codes when the connection goes away. */
function isLostConnection(err: unknown): boolean {
  return err instanceof ResponseError && (err.code === RpcErrorCodes.PendingResponseRejected || err.code === RpcErrorCodes.ConnectionInactive);
}

function isConnectionError(err: unknown): boolean {
  if (err instanceof ResponseError) {
    // ShuttingDown means: try the next daemon.
    return err.code === ErrorCodes.ShuttingDown || isLostConnection(err);
  }
  return true;
}

export interface SpawnHow {
  /** runtime flags (DEFAULT_DAEMON_FLAGS unless the runtime refused them) */
  flags: readonly string[];
  /** give the daemon a pipe on READY_FD to say when it listens */
  readyPipe: boolean;
  /** more daemon arguments (`--warm FOLDER`) */
  extraArgs?: readonly string[];
  log?: LogFn;
}

/**
 * Starts a detached daemon for `opts.home` with its output going to its log, and lets go of it:
 * the returned child is unref'd, so it never keeps the starter alive. Used by the client to start
 * one it then connects to, and by the CLI to start one in the background after answering itself.
 */
export function spawnDaemonProcess(opts: DaemonClientOptions, how: SpawnHow): ChildProcess {
  const runtime = opts.runtime ?? { execPath: process.execPath };
  const paths = daemonPaths(opts.home, { runtimeDir: opts.runtimeDir, stateDir: opts.stateDir });
  const args = [...how.flags, opts.daemonScript, '--home', opts.home, ...(opts.daemonArgs ?? []), ...(how.extraArgs ?? [])];
  if (how.readyPipe) args.push('--ready-fd', String(READY_FD));
  if (opts.runtimeDir) args.push('--runtime-dir', opts.runtimeDir);
  if (opts.stateDir) args.push('--state-dir', opts.stateDir);
  let out: number | 'ignore' = 'ignore';
  try {
    fs.mkdirSync(path.dirname(paths.logPath), { recursive: true, mode: 0o700 });
    out = fs.openSync(paths.logPath, 'a', 0o600);
  } catch {
    // no log file: the daemon still runs, its own logger reports the problem
  }
  how.log?.('info', `starting daemon: ${runtime.execPath} ${args.join(' ')}`);
  // Deferred: a CLI that finds its daemon running never pays for loading child_process.
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const child = spawn(runtime.execPath, args, {
    detached: true,
    stdio: how.readyPipe ? ['ignore', out, out, 'pipe'] : ['ignore', out, out],
    // glibc gives every thread its own malloc arena; two keep the long-lived daemon's resident set
    // ~5 MB smaller. A fixed mmap threshold keeps every block of 128 KB or more (answers, rows'
    // JSON, file reads) in its own mapping, given back to the system when freed; glibc's default
    // raises the threshold after the first such free, and later blocks then stay in the heap:
    // ~4 MB more at rest at N = 1,000 (bench/findings.md). Other libcs ignore both. An explicit
    // setting in the environment wins.
    env: { ...DAEMON_MALLOC_ENV, ...process.env, ...(runtime.env ?? {}), ...(opts.daemonEnv ?? {}) },
    windowsHide: true,
  });
  child.on('error', (err) => how.log?.('error', `could not start the daemon: ${err.message}`));
  child.unref();
  if (typeof out === 'number') fs.closeSync(out);
  return child;
}

export class DaemonClient {
  readonly paths: DaemonPaths;
  private conn: MessageConnection | undefined;
  private socket: net.Socket | undefined;
  private connecting: Promise<HelloResult> | undefined;
  private _state: ConnectionState = 'connecting';
  private failure: string | undefined;
  private readonly restarts: number[] = [];
  private readonly subscriptions = new Set<string>();
  private settings: DaemonSettings | undefined;
  private token: SetTokenParams | undefined;
  private readonly didChange = new Emitter<DidChangeParams>();
  private readonly daemonStatus = new Emitter<DaemonStatusParams>();
  private readonly stateEmitter = new Emitter<{ state: ConnectionState; detail?: string }>();
  private hello: HelloResult | undefined;
  private spawnExit: { code: number } | undefined;
  private spawnAttempt = 0;
  private flagsRefused = false;
  private respawnNow = false;
  /** ends the connect loop's current wait early: the daemon we started said it listens, or exited */
  private wake: (() => void) | undefined;
  private poked = false;
  /** the last daemon we spawned has answered a hello */
  private reachedSpawned = true;
  private everConnected = false;

  constructor(private readonly opts: DaemonClientOptions) {
    this.paths = daemonPaths(opts.home, { runtimeDir: opts.runtimeDir, stateDir: opts.stateDir });
  }

  get state(): ConnectionState {
    return this._state;
  }

  get daemonInfo(): HelloResult | undefined {
    return this.hello;
  }

  logPath(): string {
    return this.paths.logPath;
  }

  onDidChange(cb: (p: DidChangeParams) => void): Disposable {
    return this.didChange.on(cb);
  }
  onDaemonStatus(cb: (p: DaemonStatusParams) => void): Disposable {
    return this.daemonStatus.on(cb);
  }
  onConnectionState(cb: (s: ConnectionState, detail?: string) => void): Disposable {
    return this.stateEmitter.on(({ state, detail }) => cb(state, detail));
  }

  private setState(state: ConnectionState, detail?: string): void {
    if (this._state === 'disposed') return;
    this._state = state;
    this.stateEmitter.fire({ state, detail });
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', m: string): void {
    this.opts.log?.(level, m);
  }

  /** Connect (starting the daemon if needed) and handshake. */
  start(): Promise<HelloResult> {
    return this.ensureConnected();
  }

  private ensureConnected(): Promise<HelloResult> {
    if (this._state === 'disposed') return Promise.reject(new DaemonUnavailableError('client disposed'));
    if (this._state === 'failed') return Promise.reject(new DaemonUnavailableError(this.failure ?? 'daemon unavailable'));
    if (this.conn && this.hello) return Promise.resolve(this.hello);
    if (!this.connecting) {
      this.connecting = this.connectLoop().finally(() => {
        this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  private async connectLoop(): Promise<HelloResult> {
    this.setState(this.everConnected ? 'reconnecting' : 'connecting');
    let backoff = 100;
    let spawnedAt = 0;
    const deadline = () => Date.now() + (this.opts.startTimeoutMs ?? 10_000);
    let until = deadline();
    for (;;) {
      if (this._state === 'disposed') throw new DaemonUnavailableError('client disposed');
      const socket = await this.tryConnect();
      if (socket) {
        try {
          const hello = await this.handshake(socket);
          if (hello === 'replaced') {
            // We asked an older daemon to leave; start ours next round.
            until = deadline();
            continue;
          }
          this.everConnected = true;
          this.reachedSpawned = true;
          this.spawnExit = undefined;
          this.setState('connected');
          return hello;
        } catch (err) {
          if (err instanceof ResponseError && err.code === ErrorCodes.WrongHome) {
            this.fail(err.message);
            throw new DaemonUnavailableError(err.message);
          }
          if (err instanceof DaemonUnavailableError) {
            this.fail(err.message);
            throw err;
          }
          this.log('debug', `handshake failed: ${(err as Error).message}`);
        }
      } else if (this.spawnExit) {
        const { code } = this.spawnExit;
        this.spawnExit = undefined;
        const why = lastLogLine(this.paths.logPath);
        const msg = `the daemon exited at start-up (code ${code})${why ? `: ${why}` : ''}; see its log: ${this.paths.logPath}`;
        this.fail(msg);
        throw new DaemonUnavailableError(msg);
      } else if (!this.opts.noSpawn && (this.respawnNow || Date.now() - spawnedAt > 3000)) {
        this.respawnNow = false;
        if (this.opts.requireHome) {
          const home = checkHome(this.opts.home);
          if (!home.ok) {
            this.fail(home.message);
            throw new NotAHomeError(home.message);
          }
        }
        if (!this.recordRestart()) {
          const msg = `the daemon could not be kept running (${this.opts.maxRestarts ?? 5} starts within ${Math.round((this.opts.restartWindowMs ?? 60_000) / 1000)} s); see its log: ${this.paths.logPath}`;
          this.fail(msg);
          throw new DaemonUnavailableError(msg);
        }
        this.spawnDaemon();
        spawnedAt = Date.now();
        until = deadline();
      }
      if (Date.now() >= until) {
        const msg = this.opts.noSpawn
          ? `no daemon answers on ${this.paths.socketPath}`
          : `the daemon did not answer within ${this.opts.startTimeoutMs ?? 10_000} ms; see its log: ${this.paths.logPath}`;
        this.fail(msg);
        throw new DaemonUnavailableError(msg);
      }
      await this.pause(backoff);
      backoff = Math.min(backoff * 2, 1000);
    }
  }

  /**
   * Waits `ms`, or less if the daemon we started reports in first: a first status must not sit
   * out the rest of a backoff step after the daemon began to listen (up to a second).
   */
  private pause(ms: number): Promise<void> {
    if (this.poked) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  /** The daemon we started listens now, or exited: the connect loop tries again at once. */
  private poke(): void {
    if (this.wake) this.wake();
    else this.poked = true;
  }

  private fail(message: string): void {
    this.failure = message;
    this.setState('failed', message);
  }

  private recordRestart(): boolean {
    const now = Date.now();
    const window = this.opts.restartWindowMs ?? 60_000;
    while (this.restarts.length && now - this.restarts[0] > window) this.restarts.shift();
    if (this.restarts.length >= (this.opts.maxRestarts ?? 5)) return false;
    this.restarts.push(now);
    return true;
  }

  private tryConnect(): Promise<net.Socket | undefined> {
    return new Promise((resolve) => {
      const s = net.connect(this.paths.socketPath);
      const timer = setTimeout(() => {
        s.destroy();
        resolve(undefined);
      }, 1000);
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', () => {
        clearTimeout(timer);
        s.destroy();
        resolve(undefined);
      });
    });
  }

  private spawnDaemon(): void {
    const flags = this.flagsRefused ? [] : [...(this.opts.daemonFlags ?? DEFAULT_DAEMON_FLAGS)];
    // A pipe on fd 3 on which the daemon says when it listens (daemon/main.ts); Windows keeps polling.
    const child = spawnDaemonProcess(this.opts, { flags, readyPipe: process.platform !== 'win32', log: (l, m) => this.log(l, m) });
    const ready = child.stdio[READY_FD] as net.Socket | null | undefined;
    if (ready) {
      // "listening", or the pipe closed (the daemon exited, or another one serves the home): try now
      const poke = () => {
        ready.destroy();
        this.poke();
      };
      ready.once('data', poke);
      ready.once('end', poke);
      ready.once('error', poke);
      // never keeps a CLI alive
      ready.unref();
    }
    this.spawnExit = undefined;
    const attempt = ++this.spawnAttempt;
    // Exit 0 means "another daemon already serves this home": keep polling for it. An error exit
    // before we ever reached it is a daemon that refused to start (unsafe socket folder, bad
    // arguments); the same start would fail the same way, so say why at once instead of retrying.
    child.on('exit', (code) => {
      this.poke();
      if (attempt !== this.spawnAttempt || this.reachedSpawned || code === null || code === 0) return;
      if (code === BAD_OPTION_EXIT && flags.length) {
        // This runtime (some Electron build?) refuses the flags: start again without them.
        this.log('warn', `the runtime refused ${flags.join(' ')}; starting the daemon without them`);
        this.flagsRefused = true;
        this.respawnNow = true;
        return;
      }
      this.spawnExit = { code };
    });
    this.reachedSpawned = false;
  }

  private async handshake(socket: net.Socket): Promise<HelloResult | 'replaced'> {
    const conn = createMessageConnection(new StreamMessageReader(socket), new StreamMessageWriter(socket));
    conn.onNotification(DidChangeNotification, (p) => this.didChange.fire(p));
    conn.onNotification(DaemonStatusNotification, (p) => this.daemonStatus.fire(p));
    conn.listen();
    const hello = await withTimeout(
      conn.sendRequest(HelloRequest, {
        protocolVersion: PROTOCOL_VERSION,
        clientVersion: this.opts.clientVersion,
        clientName: this.opts.clientName,
        home: this.opts.home,
      }),
      5000,
      'hello',
    ).catch((err) => {
      conn.dispose();
      socket.destroy();
      throw err;
    });
    const verdict = judgeDaemon(hello, this.opts.clientVersion);
    if (verdict === 'older') {
      this.log('info', `daemon ${hello.daemonVersion} (pid ${hello.pid}) is older than this client ${this.opts.clientVersion}: replacing it`);
      await conn.sendRequest(ShutdownRequest, { reason: `replaced by ${this.opts.clientName} ${this.opts.clientVersion}` }).catch(() => undefined);
      conn.dispose();
      socket.destroy();
      await waitForExit(hello.pid, 5000);
      return 'replaced';
    }
    if (verdict === 'newer-protocol') {
      conn.dispose();
      socket.destroy();
      throw new DaemonUnavailableError(
        `the running daemon (${hello.daemonVersion}) speaks protocol ${hello.protocolVersion}, this client ${PROTOCOL_VERSION}: update the client or stop the daemon`,
      );
    }
    this.conn = conn;
    this.socket = socket;
    this.hello = hello;
    conn.onClose(() => this.dropped(conn));
    socket.on('close', () => this.dropped(conn));
    socket.on('error', () => undefined);
    // Tell the new daemon everything the old one knew about us.
    if (this.settings) await conn.sendRequest(ConfigureRequest, this.settings).catch(() => undefined);
    if (this.token) await conn.sendRequest(SetTokenRequest, this.token).catch(() => undefined);
    if (this.subscriptions.size) {
      await conn.sendRequest(SubscribeRequest, { folders: [...this.subscriptions] }).catch(() => undefined);
    }
    return hello;
  }

  private dropped(conn: MessageConnection): void {
    if (this.conn !== conn) return;
    this.conn = undefined;
    this.hello = undefined;
    this.socket?.destroy();
    this.socket = undefined;
    conn.dispose();
    if (this._state === 'disposed' || this._state === 'failed') return;
    this.log('warn', 'connection to the daemon lost; reconnecting');
    this.setState('reconnecting');
    // Reconnect eagerly so notifications resume even if nobody sends a request.
    setTimeout(() => {
      if (this._state === 'reconnecting') this.ensureConnected().catch(() => undefined);
    }, 50);
  }

  async request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R> {
    const retriable = IDEMPOTENT_METHODS.has(type.method);
    let attempts = 0;
    for (;;) {
      await this.ensureConnected();
      const conn = this.conn;
      if (!conn) continue;
      try {
        // By method name: a caller bundled with its own copy of vscode-jsonrpc (the e2e suite) has
        // RequestType objects this copy does not recognise.
        const ms = this.opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
        // A hung (stopped, deadlocked) daemon must not hang the editor or a CI job forever.
        return (await withTimeout(conn.sendRequest(type.method, params), ms, type.method, () =>
          new DaemonUnavailableError(`the daemon did not answer ${type.method} within ${ms} ms; see its log: ${this.paths.logPath}`),
        )) as R;
      } catch (err) {
        const lost = isConnectionError(err) && this.conn !== conn;
        const shuttingDown = err instanceof ResponseError && err.code === ErrorCodes.ShuttingDown;
        if ((lost || shuttingDown) && retriable && attempts < 3) {
          attempts++;
          if (shuttingDown) await sleep(200);
          continue;
        }
        if ((!(err instanceof ResponseError) || isLostConnection(err)) && this.conn !== conn) {
          throw new DaemonUnavailableError(`the connection to the daemon was lost during ${type.method}`);
        }
        throw err;
      }
    }
  }

  async subscribe(folders: string[]): Promise<void> {
    for (const f of folders) this.subscriptions.add(f);
    await this.request(SubscribeRequest, { folders });
  }

  async unsubscribe(folders: string[]): Promise<void> {
    for (const f of folders) this.subscriptions.delete(f);
    if (this.conn) await this.request(UnsubscribeRequest, { folders });
  }

  /** `apiUrl`: the API the token was issued for (absent = api.github.com); it goes nowhere else. */
  async setToken(token: string | null, source: string, apiUrl?: string): Promise<void> {
    this.token = apiUrl ? { token, source, apiUrl } : { token, source };
    await this.request(SetTokenRequest, this.token);
  }

  async configure(settings: DaemonSettings): Promise<void> {
    this.settings = { ...(this.settings ?? {}), ...settings };
    await this.request(ConfigureRequest, settings);
  }

  /** Ask the daemon to stop; a new one is started on the next request. */
  async restartDaemon(): Promise<void> {
    const pid = this.hello?.pid;
    if (this.conn) {
      await this.conn.sendRequest(ShutdownRequest, { reason: 'restart requested' }).catch(() => undefined);
    }
    if (pid) await waitForExit(pid, 5000);
    this.restarts.length = 0;
    this.failure = undefined;
    if (this._state === 'failed') this._state = 'reconnecting';
    await this.ensureConnected();
  }

  /** Stop the daemon and do not start another. */
  async stopDaemon(): Promise<number | undefined> {
    const pid = this.hello?.pid;
    if (this.conn) await this.conn.sendRequest(ShutdownRequest, { reason: 'stop requested' }).catch(() => undefined);
    this.dispose();
    if (pid) await waitForExit(pid, 5000);
    return pid;
  }

  dispose(): void {
    this._state = 'disposed';
    this.stateEmitter.fire({ state: 'disposed' });
    const conn = this.conn;
    this.conn = undefined;
    conn?.dispose();
    this.socket?.destroy();
    this.socket = undefined;
  }
}

/** The daemon's last error or warning line, to say why it did not start. */
function lastLogLine(logPath: string): string | undefined {
  try {
    const fd = fs.openSync(logPath, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.min(size, 4096));
      fs.readSync(fd, buf, 0, buf.length, size - buf.length);
      const lines = buf.toString('utf8').split('\n').filter((l) => /\b(ERROR|WARN)\b|cannot start|refusing/.test(l));
      const last = lines.at(-1);
      return last?.replace(/^\S+ +\w+ +\[\d+\] /, '').slice(0, 300);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!pidAlive(pid)) return true;
    await sleep(50);
  }
  return !pidAlive(pid);
}
