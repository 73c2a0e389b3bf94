// Cold hashing on every core: a small pool of worker threads (dist/hashWorker.js) that each hash
// whole artifacts (hashTreeSync), so disjoint artifacts are read and hashed in parallel while the
// main thread keeps answering. Answers are byte-identical: the same function runs in the worker.
//
// The pool starts on the first job and ends its workers after a short idle time: a worker is an
// isolate of its own (several MB resident) and a daemon at rest should not keep them.
// Where workers cannot run (no dist/hashWorker.js beside the bundle, e.g. sources run by tsx, or
// a worker that fails to start), the same work runs on the main thread in 8 ms slices.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { hashInputs, listHashInputs, type HashedTree, type HashInput } from './contentHash';
import type { DirListingCache } from './dirListing';

/** Several jobs per message: a message round trip costs about what hashing a small skill does. */
export interface WorkerRequest {
  jobs: { id: number; path: string }[];
}

export interface WorkerReply {
  id: number;
  hash?: string;
  kind?: 'file' | 'dir';
  files?: Omit<HashInput, 'abs'>[];
  dirs?: string[];
  rootIsLink?: boolean;
  error?: { message: string; code?: string; path?: string; syscall?: string; errno?: number };
}

/** Fewer cores than this: no workers unless asked for (see the constructor). */
export const MIN_CORES_FOR_WORKERS = 4;

/** Jobs handed to one worker at once, at most. */
const MAX_BATCH = 32;

/**
 * With no worker running, fewer jobs than this are hashed here: starting a worker (tens of ms)
 * would cost more than it saves for the one artifact an edit re-hashes.
 */
const MIN_BURST = 4;

interface Job {
  id: number;
  path: string;
  resolve: (t: HashedTree) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** batches sent and not answered yet, oldest first (a worker answers in order) */
  inFlight: Job[][];
}

/**
 * Batches each worker holds at once: while it hashes one, the next is already in its queue, so it
 * never waits for the main thread to wake up and hand it work.
 */
const PIPELINE = 2;

export interface HashPoolOptions {
  /** the 1-minute load average (tests); undefined where the platform has none (Windows) */
  loadAverage?: () => number | undefined;
  /** worker threads at most; default: the machine's parallelism, capped at 4, and none below MIN_CORES_FOR_WORKERS */
  size?: number;
  /** the worker script; default dist/hashWorker.js beside this bundle */
  script?: string;
  /** workers end after this long without a job */
  idleMs?: number;
  log?: (msg: string) => void;
}

function defaultScript(): string {
  return path.join(__dirname, 'hashWorker.js');
}

/** Hashes in-thread, sliced (the fallback; also what the pool's answers must equal). */
export async function hashTreeInThread(p: string, listings?: DirListingCache): Promise<HashedTree> {
  const list = await listHashInputs(p, listings);
  return { list, hash: await hashInputs(list.kind, list.files) };
}

export class HashPool {
  readonly size: number;
  private readonly script: string;
  private readonly idleMs: number;
  private readonly log: (msg: string) => void;
  private readonly loadAverage: () => number | undefined;
  private readonly cores = os.availableParallelism();
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private broken: string | undefined;
  private closed = false;
  private pumpScheduled = false;
  /** jobs answered by workers / in-thread, for stats */
  inWorkers = 0;
  inThread = 0;
  started = 0;

  constructor(opts: HashPoolOptions = {}) {
    // SKILLMEAT_SYNC_HASH_WORKERS=N sets the pool's size; 0 hashes on the main thread (a measurement
    // aid and an escape hatch). By default, a machine with fewer than MIN_CORES_FOR_WORKERS cores
    // hashes in-thread: on 2 cores, two workers made a cold status slower, not faster (daemon
    // 1.87 s against 1.51 s in-thread, --no-daemon 1.41 against 1.31 s at N = 1,000, idle machine;
    // bench/findings.md) — the reads do not scale across the two cores, and the main thread
    // needs one of them anyway.
    const fromEnv = process.env.SKILLMEAT_SYNC_HASH_WORKERS;
    const explicit = opts.size ?? (fromEnv !== undefined && /^\d+$/.test(fromEnv) ? Number(fromEnv) : undefined);
    const wanted = explicit ?? (this.cores >= MIN_CORES_FOR_WORKERS ? Math.min(4, this.cores) : 0);
    this.size = Math.max(1, wanted);
    this.script = opts.script ?? defaultScript();
    this.idleMs = opts.idleMs ?? 3000;
    this.log = opts.log ?? (() => undefined);
    this.loadAverage = opts.loadAverage ?? (() => (process.platform === 'win32' ? undefined : os.loadavg()[0]));
    if (!fs.existsSync(this.script)) this.broken = `no worker script at ${this.script}`;
    else if (explicit === 0) this.broken = 'hash workers turned off (SKILLMEAT_SYNC_HASH_WORKERS=0)';
    else if (wanted === 0) this.broken = `hashing in-thread: ${this.cores} cores (workers from ${MIN_CORES_FOR_WORKERS}; SKILLMEAT_SYNC_HASH_WORKERS=N forces N)`;
  }

  /** Why workers are not used, if they are not. */
  get unavailable(): string | undefined {
    return this.broken;
  }

  /** `listings`: the caller's directory listings, used (and filled) when hashing in this thread. */
  hash(p: string, listings?: DirListingCache): Promise<HashedTree> {
    if (this.broken || this.closed) {
      this.inThread++;
      return hashTreeInThread(p, listings);
    }
    return new Promise<HashedTree>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, path: p, resolve, reject });
      // dispatch once the caller's burst of requests is queued, so batches are full
      if (!this.pumpScheduled) {
        this.pumpScheduled = true;
        setImmediate(() => {
          this.pumpScheduled = false;
          this.pump();
        });
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => undefined)));
    for (const s of slots) for (const b of s.inFlight) for (const j of b) j.reject(new Error('hash pool closed'));
    for (const j of this.queue.splice(0)) j.reject(new Error('hash pool closed'));
  }

  private get busy(): boolean {
    return this.queue.length > 0 || this.slots.some((s) => s.inFlight.length > 0);
  }

  private pump(): void {
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
    if (this.broken) {
      // workers failed to start: whatever is queued runs here
      for (const j of this.queue.splice(0)) this.redo(j);
      return;
    }
    if (this.slots.length === 0 && (this.queue.length < MIN_BURST || this.saturated())) {
      for (const j of this.queue.splice(0)) this.redo(j);
      return;
    }
    while (this.queue.length) {
      while (this.slots.length < this.size && this.slots.length * MAX_BATCH < this.queue.length + MAX_BATCH) {
        if (!this.spawn()) break;
      }
      if (this.broken) return this.pump();
      // the least loaded worker that can take another batch
      const slot = this.slots.filter((s) => s.inFlight.length < PIPELINE).sort((a, b) => a.inFlight.length - b.inFlight.length)[0];
      if (!slot) break;
      // share what is queued among the workers and their pipelines, in batches
      const take = Math.min(MAX_BATCH, Math.max(1, Math.ceil(this.queue.length / (this.slots.length * PIPELINE))));
      const jobs = this.queue.splice(0, take);
      slot.inFlight.push(jobs);
      // a busy worker keeps the process alive until its answer; an idle one does not
      slot.worker.ref();
      slot.worker.postMessage({ jobs: jobs.map((j) => ({ id: j.id, path: j.path })) } satisfies WorkerRequest);
    }
    this.armIdle();
  }

  private spawn(): Slot | undefined {
    let worker: Worker;
    try {
      worker = new Worker(this.script);
    } catch (e) {
      this.fail(`cannot start a hash worker: ${(e as Error).message}`);
      return undefined;
    }
    this.started++;
    worker.unref();
    const slot: Slot = { worker, inFlight: [] };
    worker.on('message', (replies: WorkerReply[]) => {
      const jobs = slot.inFlight.shift() ?? [];
      if (slot.inFlight.length === 0) slot.worker.unref();
      const byId = new Map(replies.map((r) => [r.id, r]));
      for (const job of jobs) {
        const r = byId.get(job.id);
        if (r?.hash !== undefined && r.files && r.kind && r.dirs) {
          this.inWorkers++;
          const files = r.files.map((f) => ({ ...f, abs: f.rel === '' ? job.path : path.join(job.path, f.rel) }));
          job.resolve({ list: { kind: r.kind, files, dirs: r.dirs, rootIsLink: r.rootIsLink === true }, hash: r.hash });
        } else if (r?.error) {
          this.inWorkers++;
          job.reject(Object.assign(new Error(r.error.message), r.error));
        } else {
          this.redo(job);
        }
      }
      this.pump();
    });
    const gone = (why: string) => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      // jobs a dying worker held are redone in this thread: never lost, never wrong
      for (const b of slot.inFlight.splice(0)) for (const job of b) this.redo(job);
      if (!this.closed && why) this.fail(why);
      this.pump();
    };
    worker.on('error', (e) => gone(`hash worker failed: ${e.message}`));
    worker.on('exit', (code) => gone(code === 0 || this.closed ? '' : `hash worker exited with ${code}`));
    this.slots.push(slot);
    return slot;
  }

  /**
   * Every core already busy (1-minute load average at or above the core count): a second thread
   * cannot run beside this one, and the workers' extra work (messages, their own start) only adds
   * to what the machine must do — measured on a shared 2-core machine at load 10–16, a cold status
   * took 1.9 × sha256sum with workers and 1.1 × without. Decided per burst, when none is running.
   */
  private saturated(): boolean {
    const load = this.loadAverage();
    return load !== undefined && load >= this.cores;
  }

  private redo(job: Job): void {
    this.inThread++;
    hashTreeInThread(job.path).then(job.resolve, job.reject);
  }

  private fail(why: string): void {
    if (this.broken) return;
    this.broken = why;
    this.log(`${why}; hashing on the main thread from now on`);
  }

  private armIdle(): void {
    if (this.idleTimer || this.slots.length === 0 || this.busy) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.busy) return;
      const slots = this.slots.splice(0);
      for (const s of slots) void s.worker.terminate();
    }, this.idleMs);
    this.idleTimer.unref();
  }
}
