// The engine in the CLI's own process: the same service the daemon runs, without watchers, living
// only for this one command. Same code path, so the answers are the daemon's answers. With
// --no-daemon nothing persists; a `status` that found no daemon running uses the daemon's state
// folder as the daemon would (its hash index, validated by stat, and its last upstream answers) and
// leaves the hashes it computed there for the daemon it starts next (see daemon/cli/main.ts).
import { InvalidParamsError, type CheckUpstreamParams, type CheckUpstreamResult, type DiffParams } from '../../shared/protocol';
import type { CountsResult, DiffResult, StatusResult } from '../../shared/types';
import { FileLogger } from '../log';
import { SyncService } from '../service/syncService';

/** The daemon's persisted state this engine reads (and whose hash index it adds to). */
export interface EngineState {
  hashIndexFile: string;
  upstreamStoreFile: string;
}

export class InProcessEngine {
  private readonly service: SyncService;
  private ready: Promise<void>;

  constructor(home: string, githubApiUrl?: string, state?: EngineState) {
    const log = new FileLogger(undefined, process.env.SKILLMEAT_SYNC_DEBUG ? 'debug' : 'warn', (l) => process.stderr.write(`${l}\n`));
    this.service = new SyncService({
      home,
      log,
      watch: false,
      ...(githubApiUrl ? { githubApiUrlFlag: githubApiUrl } : {}),
      ...(state ? { hashIndexFile: state.hashIndexFile, upstreamStoreFile: state.upstreamStoreFile } : {}),
    });
    this.ready = this.service.init();
  }

  async status(folders: string[]): Promise<StatusResult> {
    await this.ready;
    return this.service.status(folders);
  }

  async counts(collections: string[]): Promise<CountsResult> {
    await this.ready;
    return this.service.counts(collections.length ? collections : undefined);
  }

  async checkUpstream(p: CheckUpstreamParams): Promise<CheckUpstreamResult> {
    await this.ready;
    return refusalsMarked(() => this.service.checkUpstream(p));
  }

  async diff(p: DiffParams): Promise<DiffResult> {
    await this.ready;
    return refusalsMarked(() => this.service.diff(p));
  }

  close(): Promise<void> {
    return this.service.close();
  }
}

/**
 * This file is its own bundle (dist/inProcess.js) with its own copy of shared/protocol.ts, so the
 * CLI cannot tell an InvalidParamsError by `instanceof`: refusals carry a mark instead.
 */
async function refusalsMarked<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof InvalidParamsError) throw Object.assign(new Error(err.message), { invalidParams: true });
    throw err;
  }
}
