// --no-daemon: the same service the daemon runs, without watchers or persistence, living only for
// this one command. Same code path, so the answers are the daemon's answers.
import type { CheckUpstreamParams, CheckUpstreamResult } from '../../shared/protocol';
import type { CountsResult, StatusResult } from '../../shared/types';
import { FileLogger } from '../log';
import { SyncService } from '../service/syncService';

export class InProcessEngine {
  private readonly service: SyncService;
  private ready: Promise<void>;

  constructor(home: string, githubApiUrl?: string) {
    const log = new FileLogger(undefined, process.env.SKILLMEAT_SYNC_DEBUG ? 'debug' : 'warn', (l) => process.stderr.write(`${l}\n`));
    this.service = new SyncService({ home, log, watch: false, ...(githubApiUrl ? { githubApiUrlFlag: githubApiUrl } : {}) });
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
    return this.service.checkUpstream(p);
  }

  close(): Promise<void> {
    return this.service.close();
  }
}
