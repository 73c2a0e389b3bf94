// What the extension knows from the daemon (status per folder, counts, home state) and how it is
// kept fresh: refresh batching, request coalescing and `didChange` application. No vscode import:
// the VS Code shell (context.ts) hands it the requests and listens to its events, so every rule
// here — coalescing, stale answers of a replaced client dropped, errors never shown as "in sync" —
// is unit-tested on plain Node.
import * as path from 'node:path';
import type { DidChangeParams } from '../shared/protocol';
import type { CountsResult, StatusResult, WorkspaceStatus } from '../shared/types';
import { errorMessage as message } from '../shared/errors';

/** The daemon calls the store makes; one source per connected client. */
export interface StatusSource {
  status(folders: string[]): Promise<StatusResult>;
  counts(): Promise<CountsResult>;
}

export type StoreLog = (level: 'error' | 'warn' | 'info' | 'debug', text: string) => void;

export interface StatusChange {
  /** folders whose status was (re)answered, failed, or dropped */
  folders: string[];
  /** row keys the daemon said changed, per folder (from didChange; empty for explicit refreshes) */
  keys: ReadonlyMap<string, readonly string[]>;
}

type Listener<T> = (value: T) => void;

/** A minimal event emitter with VS Code's `event(listener) → { dispose }` shape. */
export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

/** The daemon answers with path.resolve()d folders; VS Code's fsPath may differ in form (trailing slash, drive case). */
export function folderKey(folder: string, platform: NodeJS.Platform = process.platform): string {
  const resolved = path.resolve(folder);
  return platform === 'win32' ? resolved.toLowerCase() : resolved;
}


export interface StatusStoreOptions {
  /** the workspace folders open now (absolute paths) */
  folders: () => readonly string[];
  log?: StoreLog;
  /** wraps each status request (the shell shows progress on the view with it) */
  wrapStatusRun?: (work: Promise<void>) => Promise<void>;
}

export class StatusStore {
  readonly statuses = new Map<string, WorkspaceStatus>();
  readonly folderErrors = new Map<string, string>();
  counts: CountsResult | undefined;
  countsError: string | undefined;
  /** undefined until the first status answer */
  homeExists: boolean | undefined;
  homeWarnings: string[] = [];

  private source: StatusSource | undefined;
  /** bumped by reset(): answers of an older source are dropped */
  private epoch = 0;
  private readonly pendingFolders = new Set<string>();
  private readonly pendingKeys = new Map<string, Set<string>>();
  private statusRun: Promise<void> | undefined;
  private countsRun: Promise<void> | undefined;
  private countsAgain = false;

  private readonly statusEmitter = new Emitter<StatusChange>();
  /** status rows of some folders changed (or the folder list did) */
  readonly onDidChangeStatus = this.statusEmitter.event;
  private readonly countsEmitter = new Emitter<void>();
  readonly onDidChangeCounts = this.countsEmitter.event;
  private readonly busyEmitter = new Emitter<void>();
  /** a request started or finished (see `refreshing`) */
  readonly onDidChangeBusy = this.busyEmitter.event;

  constructor(private readonly opts: StatusStoreOptions) {}

  private log(level: 'error' | 'warn' | 'info' | 'debug', text: string): void {
    this.opts.log?.(level, text);
  }

  /** true while a status or counts request is in flight */
  get refreshing(): boolean {
    return this.statusRun !== undefined || this.countsRun !== undefined;
  }

  /** Forgets everything and serves from this source (a new client); in-flight answers of the old one are dropped. */
  reset(source: StatusSource | undefined): void {
    this.epoch++;
    this.source = source;
    this.statuses.clear();
    this.folderErrors.clear();
    this.pendingFolders.clear();
    this.pendingKeys.clear();
    this.counts = undefined;
    this.countsError = undefined;
    this.homeExists = undefined;
    this.homeWarnings = [];
    this.statusEmitter.fire({ folders: [], keys: new Map() });
    this.countsEmitter.fire();
  }

  /** Drops what is known about folders that left the workspace. */
  removeFolders(folders: readonly string[]): void {
    for (const f of folders) {
      this.statuses.delete(f);
      this.folderErrors.delete(f);
    }
    this.statusEmitter.fire({ folders: [...folders], keys: new Map() });
  }

  /**
   * Applies a `didChange`: the home changed → everything is asked again; else the named folders
   * (matched to ours whatever their spelling) and, if collections changed, the counts.
   * Returns what it refreshes, for the caller's log and tests.
   */
  applyDidChange(p: DidChangeParams): { folders: string[]; counts: boolean; all: boolean; done: Promise<void> } {
    if (p.home) return { folders: [...this.opts.folders()], counts: true, all: true, done: this.refreshAll() };
    const known = new Map(this.opts.folders().map((f) => [folderKey(f), f]));
    const folders: string[] = [];
    for (const w of p.workspaces) {
      const ours = known.get(folderKey(w.folder));
      if (ours === undefined) continue;
      if (!folders.includes(ours)) folders.push(ours);
      const keys = this.pendingKeys.get(ours) ?? new Set<string>();
      for (const k of w.keys) keys.add(k);
      this.pendingKeys.set(ours, keys);
    }
    const work: Promise<void>[] = [];
    if (folders.length) work.push(this.refreshStatus(folders));
    const counts = p.collections.length > 0;
    if (counts) work.push(this.refreshCounts());
    return { folders, counts, all: false, done: Promise.all(work).then(() => undefined) };
  }

  refreshAll(): Promise<void> {
    return Promise.all([this.refreshStatus(this.opts.folders()), this.refreshCounts()]).then(() => undefined);
  }

  /**
   * Re-requests status for these folders. Calls made while a request runs are gathered into the
   * next one, so a burst of didChange notifications costs at most two requests; every caller's
   * promise resolves only after an answer that was requested after its call.
   */
  async refreshStatus(folders: readonly string[]): Promise<void> {
    for (const f of folders) this.pendingFolders.add(f);
    while (this.pendingFolders.size > 0 || this.statusRun) {
      if (!this.statusRun) {
        const batch = [...this.pendingFolders];
        this.pendingFolders.clear();
        const keys = new Map<string, readonly string[]>();
        for (const f of batch) {
          const k = this.pendingKeys.get(f);
          if (k) keys.set(f, [...k]);
          this.pendingKeys.delete(f);
        }
        const work = this.fetchStatus(batch, keys);
        const run = (this.opts.wrapStatusRun ? this.opts.wrapStatusRun(work) : work).finally(() => {
          this.statusRun = undefined;
          this.busyEmitter.fire();
        });
        this.statusRun = run;
        this.busyEmitter.fire();
      }
      await this.statusRun;
    }
  }

  private async fetchStatus(batch: string[], keys: ReadonlyMap<string, readonly string[]>): Promise<void> {
    const source = this.source;
    const epoch = this.epoch;
    if (!source || batch.length === 0) return;
    const current = new Set(this.opts.folders());
    const folders = batch.filter((f) => current.has(f));
    if (!folders.length) return;
    try {
      const result = await source.status(folders);
      if (this.epoch !== epoch) return;
      this.homeExists = result.homeExists;
      this.homeWarnings = result.warnings ?? [];
      const answered = new Set<string>();
      const requested = new Map(folders.map((f) => [folderKey(f), f]));
      for (const ws of result.workspaces) {
        const ours = requested.get(folderKey(ws.folder));
        if (ours === undefined) continue;
        this.statuses.set(ours, ws);
        this.folderErrors.delete(ours);
        answered.add(ours);
      }
      for (const f of folders) {
        if (!answered.has(f)) {
          this.statuses.delete(f);
          this.folderErrors.set(f, 'the daemon returned no status for this folder');
        }
      }
    } catch (err) {
      if (this.epoch !== epoch) return;
      this.log('error', `status request failed for ${folders.join(', ')}: ${message(err)}`);
      // Old rows could now be wrong; an explicit error is better than a stale "in sync".
      for (const f of folders) {
        this.statuses.delete(f);
        this.folderErrors.set(f, message(err));
      }
    }
    this.statusEmitter.fire({ folders, keys });
  }

  /** Re-requests the counts; calls during a request make exactly one more afterwards. */
  async refreshCounts(): Promise<void> {
    if (this.countsRun) {
      this.countsAgain = true;
      await this.countsRun;
      return;
    }
    const run = (async () => {
      do {
        this.countsAgain = false;
        await this.fetchCounts();
      } while (this.countsAgain);
    })().finally(() => {
      this.countsRun = undefined;
      this.busyEmitter.fire();
    });
    this.countsRun = run;
    this.busyEmitter.fire();
    await run;
  }

  private async fetchCounts(): Promise<void> {
    const source = this.source;
    const epoch = this.epoch;
    if (!source) return;
    try {
      const result = await source.counts();
      if (this.epoch !== epoch) return;
      this.counts = result;
      this.countsError = undefined;
    } catch (err) {
      if (this.epoch !== epoch) return;
      this.log('error', `counts request failed: ${message(err)}`);
      this.counts = undefined;
      this.countsError = message(err);
    }
    this.countsEmitter.fire();
  }

  /** Resolves once no status or counts request is in flight or queued. */
  async whenIdle(): Promise<void> {
    for (;;) {
      const run = this.statusRun ?? this.countsRun;
      if (!run && this.pendingFolders.size === 0) return;
      if (run) await run.catch(() => undefined);
      else await new Promise((r) => setTimeout(r, 10));
    }
  }

  dispose(): void {
    this.statusEmitter.dispose();
    this.countsEmitter.dispose();
    this.busyEmitter.dispose();
  }
}
