// Watches the SkillMeat home and every subscribed workspace's profile roots, and hands the service
// debounced, coalesced batches of classified changes (issue #4, part 5). The service maps them to
// cache entries, recomputes and notifies clients.
//
// A watcher failure never throws out of here: it is logged, the scope is reported as `overflow`
// (so the service recomputes it), `healthy` turns false (so the service re-checks on every request
// instead of trusting caches), and the watcher is re-established with backoff.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage, nullLogger, type Logger } from '../cache/logger';
import type { ChangeEvent } from './changeEvent';
import { WatchCoverage } from './coverage';
import { classifyHomeEvent, classifyWorkspaceEvent, homeDescend, workspaceDescend } from './classify';
import { DirTree, type TreeEvent } from './dirTree';
import { EventBatch } from './eventBatch';

export type { ChangeEvent } from './changeEvent';

export interface ChangeWatcherOptions {
  /** quiet time that ends a batch */
  debounceMs?: number;
  /** a continuous storm is still flushed this long after its first event */
  maxDelayMs?: number;
  log?: Logger;
  /** stat poll of each watched root, backing up events the OS does not send */
  pollMs?: number;
  /** fs.watch handles per scope before the scope is declared unwatchable */
  maxDirsPerScope?: number;
  maxPathsPerEvent?: number;
  /** first re-establish delay after a failure (doubles up to 30 s) */
  retryMs?: number;
  /**
   * Set: watch nothing and report every scope unhealthy with this reason, so the service takes
   * its no-watcher path (re-read on every request). How tests reproduce a platform without
   * working file watching ($SKILLMEAT_SYNC_DISABLE_WATCH).
   */
  disabledReason?: string;
  /**
   * The daemon's own folder for sync cookies (never SkillMeat's or a workspace). Without it sync()
   * answers false and callers re-check the disk.
   */
  cookieDir?: string;
  /** an event-loop delay longer than this may have lost events: treated as an overflow */
  stallMs?: number;
}

/** A barrier whose cookie has not come back within this long has failed (the caller re-checks the disk). */
export const SYNC_TIMEOUT_MS = 2000;
/** Event-loop lag check period, and the lag taken as "events may be lost" (see docs/ARCHITECTURE.md). */
const LAG_TICK_MS = 200;
export const DEFAULT_STALL_MS = 500;

interface Scope {
  /** 'home' or the folder path: the overflow scope */
  id: string;
  root: string;
  tree?: DirTree;
  error?: string;
  retryTimer?: NodeJS.Timeout;
  retryMs: number;
}

const MAX_RETRY_MS = 30_000;

export class ChangeWatcher {
  private readonly debounceMs: number;
  private readonly maxDelayMs: number;
  private readonly log: Logger;
  private readonly opts: ChangeWatcherOptions;
  private readonly batch: EventBatch;
  private readonly listeners = new Set<(events: ChangeEvent[]) => void>();
  private readonly folders = new Map<string, Scope>();
  private home?: Scope;
  private timer?: NodeJS.Timeout;
  private firstEventAt?: number;
  private closed = false;
  /** every directory a live handle watches, with its epoch: what cached hashes may rely on */
  readonly coverage = new WatchCoverage();
  private cookieWatcher?: fs.FSWatcher;
  private cookieSeq = 0;
  private cookiesTried = false;
  private readonly cookies = new Map<string, (ok: boolean) => void>();
  private lagTimer?: NodeJS.Timeout;
  private lastTick = 0;
  /** test hook: raw events are being dropped, as in a kernel queue overflow */
  private deaf = false;
  /** times events were (or may have been) lost: stalls and overflows */
  lossCount = 0;

  constructor(opts: ChangeWatcherOptions = {}) {
    this.opts = opts;
    this.debounceMs = opts.debounceMs ?? 100;
    this.maxDelayMs = opts.maxDelayMs ?? Math.max(1000, this.debounceMs * 10);
    this.log = opts.log ?? nullLogger;
    this.batch = new EventBatch(opts.maxPathsPerEvent);
    // The cookie folder is made on the first sync(): by then the daemon has checked and secured
    // its runtime folder (lifecycle.ts), which must not be created or written into before that.
    if (opts.disabledReason === undefined) this.startLagMonitor();
  }

  /** The home need not exist yet: its nearest existing ancestor is watched until it appears. */
  watchHome(home: string): void {
    if (this.closed) return;
    const root = path.resolve(home);
    if (this.home?.root === root) return;
    if (this.home) this.stopScope(this.home);
    this.home = { id: 'home', root, retryMs: this.opts.retryMs ?? 1000 };
    this.startScope(this.home);
  }

  watchWorkspace(folder: string): void {
    if (this.closed) return;
    const root = path.resolve(folder);
    if (this.folders.has(root)) return;
    const scope: Scope = { id: root, root, retryMs: this.opts.retryMs ?? 1000 };
    this.folders.set(root, scope);
    this.startScope(scope);
  }

  unwatchWorkspace(folder: string): void {
    const root = path.resolve(folder);
    const scope = this.folders.get(root);
    if (!scope) return;
    this.stopScope(scope);
    this.folders.delete(root);
    this.batch.forget(root);
  }

  /** One call per debounced, coalesced batch; returns the unsubscribe function. */
  onBatch(cb: (events: ChangeEvent[]) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  get healthy(): boolean {
    return this.scopes().every((s) => s.error === undefined);
  }

  get message(): string | undefined {
    const errors = this.scopes()
      .filter((s) => s.error !== undefined)
      .map((s) => `${s.id === 'home' ? 'home' : s.root}: ${s.error}`);
    return errors.length ? errors.join('; ') : undefined;
  }

  watchedCount(): number {
    return this.scopes().reduce((n, s) => n + (s.tree?.count ?? 0), 0);
  }

  /**
   * The sync barrier (Watchman's cookie): resolves once every file system event that happened
   * before this call has been applied — handed to the batch listeners, bypassing the debounce.
   * A cookie file is created in our own folder, watched through the same machinery; on Linux all
   * fs.watch handles of a process share one inotify queue, so its event is read after every event
   * queued before it. false: the cookie did not come back (no watching, an error, a timeout) and
   * the caller must not rely on the watchers for this answer.
   */
  sync(timeoutMs = SYNC_TIMEOUT_MS): Promise<boolean> {
    if (this.closed || !this.opts.cookieDir || this.opts.disabledReason !== undefined) return Promise.resolve(false);
    if (!this.cookieWatcher && !this.cookiesTried) this.startCookies();
    if (!this.cookieWatcher) return Promise.resolve(false);
    // A symlinked root retargeted, or a root replaced unseen: applied now, not at the next poll.
    for (const sc of this.scopes()) sc.tree?.checkRoot();
    const name = `${process.pid}-${++this.cookieSeq}`;
    const file = path.join(this.opts.cookieDir, name);
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.cookies.delete(name);
        try {
          fs.unlinkSync(file);
        } catch {
          // never written, or already gone
        }
        resolve(ok);
      };
      const timer = setTimeout(() => {
        this.log.warn(`watcher: sync cookie ${name} did not come back within ${timeoutMs} ms; answering from the disk`);
        done(false);
      }, timeoutMs);
      this.cookies.set(name, done);
      try {
        fs.writeFileSync(file, '', { mode: 0o600 });
      } catch (e) {
        this.log.warn(`watcher: cannot write sync cookie: ${errorMessage(e)}`);
        done(false);
      }
    });
  }

  /** Test hook ($SKILLMEAT_SYNC_TEST_HOOKS, SIGUSR2): start dropping events; the next call reports the loss. */
  toggleEventLoss(): void {
    if (!this.deaf) {
      this.deaf = true;
      this.log.warn('watcher: test hook — dropping events until told otherwise');
      return;
    }
    this.deaf = false;
    this.eventsLost('test hook: events were dropped (a simulated queue overflow)');
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.lagTimer = undefined;
    if (this.cookieWatcher) this.cookieWatcher.close();
    this.cookieWatcher = undefined;
    for (const done of [...this.cookies.values()]) done(false);
    // our own folder: leave nothing behind
    if (this.cookiesTried && this.opts.cookieDir) fs.rmSync(this.opts.cookieDir, { recursive: true, force: true });
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const s of this.scopes()) this.stopScope(s);
    this.folders.clear();
    this.home = undefined;
    this.batch.take();
    this.listeners.clear();
  }

  // ------------------------------------------------------------------ internals

  private startCookies(): void {
    this.cookiesTried = true;
    const dir = this.opts.cookieDir;
    if (!dir) return;
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      // cookies a killed daemon left behind
      for (const n of fs.readdirSync(dir)) fs.rmSync(path.join(dir, n), { force: true });
      const w = fs.watch(dir, { persistent: false }, (_type, name) => {
        if (name === null) return;
        const cb = this.cookies.get(name.toString());
        if (!cb) return;
        // Everything queued before the cookie has been read by now: apply it before answering.
        this.flushNow();
        cb(true);
      });
      w.on('error', (err) => {
        this.log.warn(`watcher: sync cookie folder: ${errorMessage(err)}; answers re-check the disk`);
        w.close();
        if (this.cookieWatcher === w) this.cookieWatcher = undefined;
      });
      this.cookieWatcher = w;
    } catch (e) {
      this.log.warn(`watcher: no sync cookies in ${dir}: ${errorMessage(e)}; answers re-check the disk`);
    }
  }

  /**
   * Node drops inotify's IN_Q_OVERFLOW, so a full kernel queue is silent. Events are only lost
   * while nobody reads the queue: a stall of the event loop (a stopped process, a long GC, a
   * suspended machine) long enough to matter is therefore treated as an overflow.
   */
  private startLagMonitor(): void {
    const stallMs = this.opts.stallMs ?? DEFAULT_STALL_MS;
    this.lastTick = performance.now();
    this.lagTimer = setInterval(() => {
      const now = performance.now();
      const lag = now - this.lastTick - LAG_TICK_MS;
      this.lastTick = now;
      if (lag > stallMs) this.eventsLost(`the event loop stalled for ${Math.round(lag)} ms; events may have been lost`);
    }, LAG_TICK_MS);
    this.lagTimer.unref();
  }

  /** Everything may have changed: no cached read is trusted without a stat, every scope is recomputed. */
  private eventsLost(reason: string): void {
    if (this.closed) return;
    this.lossCount++;
    this.log.warn(`watcher: ${reason} — treating everything as changed`);
    this.coverage.renewAll();
    for (const sc of this.scopes()) this.push({ kind: 'overflow', scope: sc.id });
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.flush();
  }

  private scopes(): Scope[] {
    return this.home ? [this.home, ...this.folders.values()] : [...this.folders.values()];
  }

  private startScope(scope: Scope): void {
    if (this.opts.disabledReason !== undefined) {
      scope.error = this.opts.disabledReason;
      return;
    }
    const isHome = scope.id === 'home';
    const tree = new DirTree({
      root: scope.root,
      descend: isHome ? homeDescend : (rel) => workspaceDescend(scope.root, rel),
      onEvent: (e) => this.onTreeEvent(scope, e),
      onError: (err) => this.onTreeError(scope, err),
      maxDirs: this.opts.maxDirsPerScope,
      pollMs: this.opts.pollMs,
      coverage: this.coverage,
    });
    scope.tree = tree;
    tree.start();
  }

  private stopScope(scope: Scope): void {
    if (scope.retryTimer) clearTimeout(scope.retryTimer);
    scope.retryTimer = undefined;
    scope.tree?.close();
    scope.tree = undefined;
  }

  private onTreeEvent(scope: Scope, e: TreeEvent): void {
    if (this.closed || !scope.tree || this.deaf) return;
    const event = scope.id === 'home' ? classifyHomeEvent(e) : classifyWorkspaceEvent(scope.root, e);
    if (!event) return;
    // a tracker appearing in an unknown hidden dir makes it a profile root: watch its insides too
    if (event.kind === 'tracker') scope.tree.rescan(path.dirname(event.file));
    this.push(event);
  }

  private onTreeError(scope: Scope, err: Error): void {
    if (this.closed) return;
    const first = scope.error === undefined;
    scope.error = errorMessage(err);
    if (first) this.log.warn(`watcher (${scope.id === 'home' ? 'home' : scope.root}): ${scope.error}; re-checking on each request until re-established`);
    this.push({ kind: 'overflow', scope: scope.id });
    if (scope.retryTimer) return;
    const delay = scope.retryMs;
    scope.retryMs = Math.min(scope.retryMs * 2, MAX_RETRY_MS);
    scope.retryTimer = setTimeout(() => this.reestablish(scope), delay);
    scope.retryTimer.unref();
  }

  private reestablish(scope: Scope): void {
    scope.retryTimer = undefined;
    if (this.closed || (scope.id !== 'home' && this.folders.get(scope.root) !== scope) || (scope.id === 'home' && this.home !== scope)) return;
    scope.tree?.close();
    scope.error = undefined;
    this.startScope(scope);
    if (scope.error === undefined) {
      scope.retryMs = this.opts.retryMs ?? 1000;
      this.log.info(`watcher (${scope.id === 'home' ? 'home' : scope.root}) re-established`);
      // whatever happened while it was down is unknown
      this.push({ kind: 'overflow', scope: scope.id });
    }
  }

  private push(e: ChangeEvent): void {
    this.batch.add(e);
    const now = Date.now();
    this.firstEventAt ??= now;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.max(0, Math.min(this.debounceMs, this.firstEventAt + this.maxDelayMs - now));
    this.timer = setTimeout(() => this.flush(), delay);
  }

  private flush(): void {
    this.timer = undefined;
    this.firstEventAt = undefined;
    const raw = this.batch.size;
    const events = this.batch.take();
    if (this.closed || events.length === 0) return;
    this.log.debug(`watcher: ${raw} changes → ${events.length} events`);
    for (const cb of [...this.listeners]) {
      try {
        cb(events);
      } catch (e) {
        this.log.error(`watcher batch listener failed: ${errorMessage(e)}`);
      }
    }
  }
}
