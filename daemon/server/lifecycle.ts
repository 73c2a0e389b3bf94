// Start-up and shut-down of one daemon: private folder, lock, stale socket recovery, listen,
// idle shutdown, signals. Kept apart from the request handlers so the rules that make
// "exactly one daemon per user and home" hold are all in one place.
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { DaemonPaths } from '../../shared/paths';
import type { Logger } from '../log';
import { acquireLock, lockIsOurs, readLockPid, releaseLock } from './instanceLock';
import { ensurePrivateDir } from './privateDir';
import type { RpcServer } from './rpcServer';

export type StartOutcome = { started: true } | { started: false; reason: string };

/** Resolves true if something answers on the socket within the timeout. */
export function probeSocket(socketPath: string, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    const done = (alive: boolean) => {
      clearTimeout(timer);
      s.removeAllListeners();
      s.on('error', () => undefined);
      s.destroy();
      resolve(alive);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export class Lifecycle {
  private socketIno: number | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private lockHeld = false;
  readonly startedAt = Date.now();
  // Declared before `stopped`, whose initializer assigns it.
  private resolveStopped!: () => void;
  /** Settles once stopped, whatever stopped us (idle, replaced, a request, a signal): only a
   * process.exit() then keeps Node from unlinking a socket path that may be another daemon's. */
  readonly stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));

  constructor(
    readonly paths: DaemonPaths,
    private readonly server: RpcServer,
    private readonly log: Logger,
    public idleShutdownMs: number,
    private readonly onStop: () => Promise<void>,
  ) {}

  async start(): Promise<StartOutcome> {
    const { runtimeDir, socketPath, lockPath } = this.paths;
    ensurePrivateDir(runtimeDir);
    const lock = acquireLock(lockPath);
    if (!lock.acquired) {
      return { started: false, reason: `another daemon (pid ${lock.holderPid}) already serves this home` };
    }
    this.lockHeld = true;
    if (process.platform !== 'win32' && fs.existsSync(socketPath)) {
      if (await probeSocket(socketPath)) {
        // Someone serves without holding the lock (it was deleted by hand): leave them be.
        releaseLock(lockPath);
        this.lockHeld = false;
        return { started: false, reason: 'a daemon already answers on the socket' };
      }
      this.log.info(`removing stale socket ${socketPath} (its daemon is gone)`);
      try {
        fs.unlinkSync(socketPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    try {
      await this.server.listen(socketPath);
    } catch (err) {
      releaseLock(lockPath);
      this.lockHeld = false;
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        return { started: false, reason: 'lost the race for the socket to another daemon' };
      }
      throw err;
    }
    if (process.platform !== 'win32') {
      try {
        fs.chmodSync(socketPath, 0o600);
        this.socketIno = fs.statSync(socketPath).ino;
      } catch (err) {
        // Removed the instant it was bound: nobody can reach us, and the watchdog below ends us.
        this.log.warn(`socket ${socketPath} vanished right after listen: ${(err as Error).message}`);
      }
    }
    // A later daemon may have replaced our socket (the user deleted the folder, or a newer client
    // took over): then nobody can reach us any more and we should go.
    this.watchdog = setInterval(() => {
      if (!this.stillOurs()) {
        this.log.warn('socket or lock no longer ours — shutting down');
        void this.stop('replaced');
      }
    }, 5000);
    this.watchdog.unref();
    this.clientsChanged(0);
    return { started: true };
  }

  private stillOurs(): boolean {
    return lockIsOurs(this.paths.lockPath) && this.socketIsOurs();
  }

  private socketIsOurs(): boolean {
    if (process.platform === 'win32') return true;
    try {
      return this.socketIno !== undefined && fs.statSync(this.paths.socketPath).ino === this.socketIno;
    } catch {
      return false;
    }
  }

  clientsChanged(count: number): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (count === 0 && this.idleShutdownMs > 0) {
      this.idleTimer = setTimeout(() => {
        this.log.info(`no client for ${Math.round(this.idleShutdownMs / 1000)} s — idle shutdown`);
        void this.stop('idle');
      }, this.idleShutdownMs);
    }
  }

  setIdleShutdown(ms: number, clients: number): void {
    this.idleShutdownMs = ms;
    this.clientsChanged(clients);
  }

  stop(reason: string): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      this.log.info(`shutting down (${reason})`);
      if (this.idleTimer) clearTimeout(this.idleTimer);
      if (this.watchdog) clearInterval(this.watchdog);
      try {
        // Closing a listening Unix socket makes libuv unlink its path, and that path may now be
        // another daemon's socket: then only drop our clients and let the process exit.
        await this.server.close({ keepListener: !this.socketIsOurs() });
      } catch (err) {
        this.log.warn(`closing the server: ${(err as Error).message}`);
      }
      try {
        await this.onStop();
      } catch (err) {
        this.log.warn(`stopping the service: ${(err as Error).message}`);
      }
      this.removeOurFiles();
      this.resolveStopped();
    })();
    return this.stopping;
  }

  /** Socket and lock are removed only if they are still ours. */
  removeOurFiles(): void {
    if (!this.lockHeld) return;
    if (process.platform !== 'win32') {
      try {
        if (fs.statSync(this.paths.socketPath).ino === this.socketIno && readLockPid(this.paths.lockPath) === process.pid) {
          fs.unlinkSync(this.paths.socketPath);
        }
      } catch {
        // gone already
      }
    }
    releaseLock(this.paths.lockPath);
    this.lockHeld = false;
  }

  uptimeSeconds(): number {
    return Math.round((Date.now() - this.startedAt) / 1000);
  }
}
