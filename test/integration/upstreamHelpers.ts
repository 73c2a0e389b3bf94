// Shared setup for the upstream integration tests: a checker wired to the fake GitHub over real HTTP.
import type { Logger } from '../../daemon/cache/logger';
import type { Clock } from '../../daemon/cache/clock';
import { PersistentStore } from '../../daemon/cache/persistentStore';
import { UpstreamCache } from '../../daemon/cache/upstreamCache';
import { UpstreamChecker, type UpstreamStatus } from '../../daemon/upstream';
import type { TokenInfo, UpstreamSubject } from '../../daemon/upstream';

export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  debug(m: string): void {
    this.lines.push(`debug ${m}`);
  }
  info(m: string): void {
    this.lines.push(`info ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`warn ${m}`);
  }
  error(m: string): void {
    this.lines.push(`error ${m}`);
  }
}

export function ghSubject(
  o: { collection?: string; name: string; type?: string; owner: string; repo: string; path: string; versionSpec?: string; resolvedSha: string },
): UpstreamSubject {
  return {
    collection: o.collection ?? 'default',
    name: o.name,
    type: o.type ?? 'skill',
    origin: 'github',
    upstream: `https://github.com/${o.owner}/${o.repo}/tree/${o.resolvedSha}${o.path ? `/${o.path}` : ''}`,
    versionSpec: o.versionSpec ?? 'latest',
    resolvedSha: o.resolvedSha,
  };
}

export interface Rig {
  checker: UpstreamChecker;
  cache: UpstreamCache;
  log: MemoryLogger;
  statuses: UpstreamStatus[];
  token: { current: TokenInfo };
}

const open: Rig[] = [];

/** Writes what the rigs' stores still hold, so nothing lands in a temp folder after it is removed. */
export async function closeRigs(): Promise<void> {
  const rigs = open.splice(0);
  await Promise.all(rigs.map((r) => r.cache.flush()));
}

export function makeRig(
  apiUrl: string,
  opts: { token?: string; clock?: Clock; stateFile?: string; concurrency?: number; ttlMs?: number; apiFlavor?: 'github.com' | 'enterprise' } = {},
): Rig {
  const log = new MemoryLogger();
  const store = opts.stateFile ? new PersistentStore(opts.stateFile, log, { debounceMs: 10 }) : undefined;
  const cache = new UpstreamCache({ clock: opts.clock, log, store, ttlMs: opts.ttlMs });
  const token = { current: opts.token ? ({ token: opts.token, source: 'GITHUB_TOKEN' } as TokenInfo) : ({ source: 'anonymous' } as TokenInfo) };
  const statuses: UpstreamStatus[] = [];
  const checker = new UpstreamChecker({
    apiUrl,
    token: () => token.current,
    cache,
    log,
    clock: opts.clock,
    concurrency: opts.concurrency,
    retries: 2,
    retryBaseMs: 5,
    requestTimeoutMs: 10_000,
    apiFlavor: opts.apiFlavor,
    onStatus: (s) => statuses.push(s),
  });
  const rig = { checker, cache, log, statuses, token };
  open.push(rig);
  return rig;
}
