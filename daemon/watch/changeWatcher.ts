// Watches the SkillMeat home and every subscribed workspace's profile roots, and hands the service
// debounced, coalesced batches of classified changes (issue #4, part 5). The service maps them to
// cache entries, recomputes and notifies clients.
//
// A watcher failure never throws out of here: it is logged, the scope is reported as `overflow`
// (so the service recomputes it), `healthy` turns false (so the service re-checks on every request
// instead of trusting caches), and the watcher is re-established with backoff.
import * as path from 'node:path';
import { errorMessage, nullLogger, type Logger } from '../cache/logger';
import type { ChangeEvent } from './changeEvent';
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
}

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

  constructor(opts: ChangeWatcherOptions = {}) {
    this.opts = opts;
    this.debounceMs = opts.debounceMs ?? 100;
    this.maxDelayMs = opts.maxDelayMs ?? Math.max(1000, this.debounceMs * 10);
    this.log = opts.log ?? nullLogger;
    this.batch = new EventBatch(opts.maxPathsPerEvent);
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

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const s of this.scopes()) this.stopScope(s);
    this.folders.clear();
    this.home = undefined;
    this.batch.take();
    this.listeners.clear();
  }

  // ------------------------------------------------------------------ internals

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
    if (this.closed || !scope.tree) return;
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
