// Does the upstream of each collection artifact have something newer? One conditional request per
// (repository, ref) per TTL window, trees fetched once per commit, and an honest `unknown` (or the
// last answer, marked stale) whenever GitHub cannot be asked.
import type { RateLimitInfo, UpstreamInfo } from '../../shared/types';
import { systemClock, type Clock } from '../cache/clock';
import { nullLogger, type Logger } from '../cache/logger';
import type { PathEntry, RefAnswer, RefFailure, UpstreamCache } from '../cache/upstreamCache';
import { DEFAULT_API_URL, formatHHMM, GitHubClient, GitHubError, type RequestCounter } from './githubClient';
import { PathEntries } from './pathEntries';
import { repoKey, sourceKey, subjectKey, targetOf } from './target';
import type { TokenInfo, UpstreamSubject, UpstreamTarget } from './types';

export interface UpstreamStatus {
  rateLimit?: RateLimitInfo;
  /** ISO time until which GitHub is not asked */
  rateLimitedUntil?: string;
  offline?: boolean;
  message?: string;
}

export interface UpstreamCheckerOptions {
  /** default https://api.github.com; a GitHub Enterprise API URL otherwise (`https://ghe.example/api/v3`) */
  apiUrl?: string;
  token: () => TokenInfo;
  cache: UpstreamCache;
  log?: Logger;
  /** cap on concurrent HTTP requests */
  concurrency?: number;
  clock?: Clock;
  onStatus?: (s: UpstreamStatus) => void;
  /** retries of 5xx and network failures */
  retries?: number;
  /** base of the retry back-off, ms (tests shorten it) */
  retryBaseMs?: number;
  requestTimeoutMs?: number;
}

/** What is known about a ref at check time. */
interface RefOutcome {
  head?: string;
  checkedAt?: number;
  /** served from an older answer because GitHub could not be asked */
  staleBecause?: string;
  failure?: RefFailure;
}

const TRANSIENT = new Set(['rate-limited', 'network', 'server']);
export const ANONYMOUS_MESSAGE = 'no GitHub token: anonymous requests are limited to 60 an hour';

function short(sha: string): string {
  return sha.slice(0, 7);
}

function refLabel(t: UpstreamTarget): string {
  return t.ref.kind === 'default' ? 'the default branch' : t.ref.kind === 'commit' ? `commit ${t.ref.sha}` : t.ref.name;
}

/** The state from the two path entries: the heart of "path-aware". */
function decide(t: UpstreamTarget, head: string, atResolved: PathEntry, atHead: PathEntry): Pick<UpstreamInfo, 'state' | 'reason'> {
  const what = t.path === '' ? 'repository root' : t.path;
  if ('missing' in atResolved) {
    return { state: 'unknown', reason: `${what} not found in ${t.owner}/${t.repo} at the recorded commit ${short(t.resolvedSha)}` };
  }
  if ('missing' in atHead) {
    return { state: 'update-available', reason: `${what} was removed upstream (${refLabel(t)} is at ${short(head)})` };
  }
  if (atResolved.sha === atHead.sha) {
    return { state: 'repo-moved', reason: `${refLabel(t)} moved to ${short(head)}; ${what} did not change` };
  }
  return { state: 'update-available', reason: `${what} changed upstream (${refLabel(t)} is at ${short(head)})` };
}

export class UpstreamChecker {
  private readonly cache: UpstreamCache;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly client: GitHubClient;
  private readonly entries: PathEntries;
  private readonly inflight = new Map<string, Promise<RefOutcome>>();
  private lastToken: string | undefined;
  private tokenSeen = false;
  private lastStatus = '';
  private offline = false;

  constructor(private readonly opts: UpstreamCheckerOptions) {
    this.cache = opts.cache;
    this.log = opts.log ?? nullLogger;
    this.clock = opts.clock ?? systemClock;
    this.client = new GitHubClient({
      apiUrl: opts.apiUrl ?? DEFAULT_API_URL,
      token: () => this.opts.token().token,
      log: this.log,
      clock: this.clock,
      concurrency: opts.concurrency ?? 6,
      retries: opts.retries,
      retryBaseMs: opts.retryBaseMs,
      timeoutMs: opts.requestTimeoutMs,
    });
    this.entries = new PathEntries(() => this.client, this.cache);
  }

  get apiUrl(): string {
    return this.client.url;
  }

  async check(subjects: UpstreamSubject[], opts: { force?: boolean } = {}): Promise<{ results: Map<string, UpstreamInfo>; requests: number }> {
    await this.cache.ready;
    this.syncToken();
    const counter: RequestCounter = { n: 0 };
    const force = opts.force ?? false;
    const refs = new Map<string, Promise<RefOutcome>>();
    const pairs = await Promise.all(
      subjects.map(async (s): Promise<[string, UpstreamInfo]> => {
        const key = subjectKey(s);
        const tr = targetOf(s);
        if ('untracked' in tr) return [key, { state: 'untracked', reason: tr.untracked }];
        const t = tr.target;
        const sk = sourceKey(t);
        let outcome = refs.get(sk);
        if (!outcome) {
          outcome = this.refOutcome(counter, t, force);
          refs.set(sk, outcome);
        }
        try {
          return [key, await this.evaluate(counter, t, await outcome)];
        } catch (e) {
          // Never let one artifact's surprise break the others' answers.
          this.log.error(`upstream ${key}: ${e instanceof Error ? e.message : String(e)}`);
          return [key, { state: 'unknown', reason: 'internal error while checking upstream', source: sk }];
        }
      }),
    );
    this.offline = !!counter.networkFailed;
    const results = new Map(pairs);
    let unknown = 0;
    for (const r of results.values()) if (r.state === 'unknown') unknown++;
    this.log.info(`upstream check: ${subjects.length} artifacts, ${refs.size} sources, ${counter.n} requests, ${unknown} unknown${force ? ' (forced)' : ''}`);
    this.emitStatus();
    return { results, requests: counter.n };
  }

  /** The last known answer for one artifact without any network: stale answers are flagged. */
  peek(s: UpstreamSubject): UpstreamInfo {
    const tr = targetOf(s);
    if ('untracked' in tr) return { state: 'untracked', reason: tr.untracked };
    const t = tr.target;
    const source = sourceKey(t);
    const notYet: UpstreamInfo = { state: 'unknown', reason: 'not checked yet', source };
    if (t.ref.kind === 'commit' && t.resolvedSha.startsWith(t.ref.sha)) {
      const e = this.entries.peek(t, t.resolvedSha, t.path);
      if (!e) return notYet;
      return { ...this.pinned(t, e), source };
    }
    const look = this.cache.getRef(source);
    if (look.failure && !(look.answer && TRANSIENT.has(look.failure.kind))) {
      return { state: 'unknown', reason: look.failure.reason, source, checkedAt: new Date(look.failure.at).toISOString() };
    }
    if (!look.answer) return notYet;
    const staleBecause = look.failure?.reason ?? (look.fresh ? undefined : 'not re-checked since');
    const info = this.fromCache(t, look.answer, staleBecause);
    return info ?? notYet;
  }

  setApiUrl(url: string): void {
    if (this.client.setApiUrl(url)) {
      const n = this.cache.invalidateAll();
      this.log.info(`upstream: GitHub API URL is now ${this.client.url}; ${n} cached answers dropped`);
      this.emitStatus();
    }
  }

  /**
   * Drops the ref answers these artifacts depend on (all mutable answers when absent), so the next
   * check asks GitHub again. Commit-keyed entries stay: they cannot be wrong.
   */
  invalidate(subjects?: UpstreamSubject[]): number {
    if (!subjects) return this.cache.invalidateAll();
    const keys = new Set<string>();
    for (const s of subjects) {
      const tr = targetOf(s);
      if ('target' in tr) keys.add(sourceKey(tr.target));
    }
    return keys.size === 0 ? 0 : this.cache.invalidate([...keys]);
  }

  /** Answers fetched with the old token (or without one) may be wrong for the new one. */
  tokenChanged(): void {
    const n = this.cache.invalidateAll();
    this.client.resetRateState();
    this.lastToken = this.opts.token().token;
    this.tokenSeen = true;
    this.log.info(`upstream: GitHub token changed (${this.opts.token().source}); ${n} cached answers dropped`);
    this.emitStatus();
  }

  rateLimit(): RateLimitInfo | undefined {
    const r = this.client.rate;
    if (!r) return undefined;
    return { limit: r.limit, remaining: r.remaining, resetAt: new Date(r.resetAt).toISOString(), anonymous: !this.opts.token().token };
  }

  /** ISO time until which GitHub is not asked, when rate-limited. */
  rateLimitedUntil(): string | undefined {
    const u = this.client.rateLimitedUntil;
    return u > this.clock.now() ? new Date(u).toISOString() : undefined;
  }

  requestCount(): number {
    return this.client.requestCount();
  }

  status(): UpstreamStatus {
    const s: UpstreamStatus = {};
    const rl = this.rateLimit();
    if (rl) s.rateLimit = rl;
    const until = this.rateLimitedUntil();
    if (until) s.rateLimitedUntil = until;
    if (this.offline) s.offline = true;
    if (!this.opts.token().token) s.message = ANONYMOUS_MESSAGE;
    return s;
  }

  // ------------------------------------------------------------------ internals

  private syncToken(): void {
    const token = this.opts.token().token;
    if (!this.tokenSeen) {
      this.tokenSeen = true;
      this.lastToken = token;
      return;
    }
    if (token !== this.lastToken) this.tokenChanged();
  }

  private emitStatus(): void {
    if (!this.opts.onStatus) return;
    const s = this.status();
    const text = JSON.stringify(s);
    if (text === this.lastStatus) return;
    this.lastStatus = text;
    try {
      this.opts.onStatus(s);
    } catch (e) {
      this.log.warn(`upstream: status listener failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private refOutcome(counter: RequestCounter, t: UpstreamTarget, force: boolean): Promise<RefOutcome> {
    const key = sourceKey(t);
    // Pinned commits never move: nothing to ask about the ref.
    if (t.ref.kind === 'commit' && t.resolvedSha.startsWith(t.ref.sha)) {
      return Promise.resolve({ head: t.resolvedSha, checkedAt: this.clock.now() });
    }
    const look = this.cache.getRef(key);
    if (!force && look.fresh && look.answer) {
      this.cache.recordLookup(true);
      return Promise.resolve({ head: look.answer.sha, checkedAt: look.answer.checkedAt });
    }
    if (!force && look.failure) {
      this.cache.recordLookup(true);
      return Promise.resolve(this.fromFailure(look.failure, look.answer));
    }
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.askGitHub(counter, t, key, look.answer).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async askGitHub(counter: RequestCounter, t: UpstreamTarget, key: string, previous: RefAnswer | undefined): Promise<RefOutcome> {
    try {
      const r =
        t.ref.kind === 'default'
          ? await this.latestCommit(counter, t, previous?.etag)
          : await this.client.commitSha(counter, t.owner, t.repo, t.ref.kind === 'commit' ? t.ref.sha : t.ref.name, previous?.etag);
      if (r === 'not-modified' && previous) {
        this.cache.confirmRef(key);
        this.cache.recordLookup(true);
        return { head: previous.sha, checkedAt: this.clock.now() };
      }
      if (r === 'not-modified') throw new GitHubError('other', `GitHub answered "not modified" to an unconditional request for ${key}`);
      this.cache.setRef(key, r.sha, r.etag);
      this.cache.recordLookup(false);
      return { head: r.sha, checkedAt: this.clock.now() };
    } catch (e) {
      const err = e instanceof GitHubError ? e : new GitHubError('other', e instanceof Error ? e.message : String(e));
      this.cache.recordLookup(false);
      const reason = err.kind === 'rate-limited' && err.until ? `rate-limited until ${formatHHMM(err.until)}` : err.message;
      const f = this.cache.setFailure(key, err.kind, reason, err.kind === 'rate-limited' ? err.until : undefined);
      this.log.warn(`upstream ${key}: ${reason}`);
      return this.fromFailure(f, previous);
    }
  }

  /**
   * `latest`: `commits/HEAD` is the default branch's head in one request. Where a server refuses HEAD
   * (404/422 from some GitHub Enterprise versions) but the repository exists, the branch is looked
   * up by name as before, and that choice is remembered for the repository.
   */
  private async latestCommit(counter: RequestCounter, t: UpstreamTarget, etag: string | undefined): Promise<{ sha: string; etag?: string } | 'not-modified'> {
    const rk = repoKey(t);
    if (!this.cache.isHeadRefused(rk)) {
      try {
        return await this.client.commitSha(counter, t.owner, t.repo, 'HEAD', etag);
      } catch (e) {
        if (!(e instanceof GitHubError) || (e.status !== 404 && e.status !== 422)) throw e;
        // A repository that does not exist (or is hidden) fails here with the usual "not found" reason.
        const branch = await this.defaultBranch(counter, t);
        this.cache.setHeadRefused(rk);
        this.log.info(`upstream ${t.owner}/${t.repo}: commits/HEAD refused (${e.status}); asking by the default branch name "${branch}"`);
        return this.client.commitSha(counter, t.owner, t.repo, branch, etag);
      }
    }
    return this.client.commitSha(counter, t.owner, t.repo, await this.defaultBranch(counter, t), etag);
  }

  private async defaultBranch(counter: RequestCounter, t: UpstreamTarget): Promise<string> {
    const rk = repoKey(t);
    const cached = this.cache.getDefaultBranch(rk);
    if (cached) return cached;
    const branch = await this.client.defaultBranch(counter, t.owner, t.repo);
    this.cache.setDefaultBranch(rk, branch);
    return branch;
  }

  private fromFailure(f: RefFailure, previous: RefAnswer | undefined): RefOutcome {
    if (previous && TRANSIENT.has(f.kind)) {
      this.cache.recordStaleServed();
      return { head: previous.sha, checkedAt: previous.checkedAt, staleBecause: f.reason };
    }
    return { failure: f };
  }

  private pinned(t: UpstreamTarget, e: PathEntry): Pick<UpstreamInfo, 'state' | 'reason'> {
    if ('missing' in e) return { state: 'unknown', reason: `${t.path || 'repository root'} not found at the pinned commit ${short(t.resolvedSha)}` };
    return { state: 'current' };
  }

  private staleNote(because: string, checkedAt: number): string {
    return `${because}; showing the answer from ${formatHHMM(checkedAt)}`;
  }

  private async evaluate(counter: RequestCounter, t: UpstreamTarget, o: RefOutcome): Promise<UpstreamInfo> {
    const source = sourceKey(t);
    if (o.failure || !o.head) return { state: 'unknown', reason: o.failure?.reason ?? 'no answer from GitHub', source };
    const base: UpstreamInfo = { state: 'unknown', source, checkedAt: new Date(o.checkedAt ?? this.clock.now()).toISOString() };
    if (o.staleBecause) base.stale = true;
    const withStale = (d: Pick<UpstreamInfo, 'state' | 'reason'>): UpstreamInfo => {
      const info: UpstreamInfo = { ...base, ...d };
      if (o.staleBecause) info.reason = d.reason ? `${d.reason} (${this.staleNote(o.staleBecause, o.checkedAt ?? 0)})` : this.staleNote(o.staleBecause, o.checkedAt ?? 0);
      if (info.reason === undefined) delete info.reason;
      return info;
    };
    try {
      if (t.ref.kind === 'commit' && o.head === t.resolvedSha) {
        return withStale(this.pinned(t, await this.entries.at(counter, t, t.resolvedSha, t.path)));
      }
      if (o.head === t.resolvedSha) return withStale({ state: 'current' });
      const [a, b] = await Promise.all([
        this.entries.at(counter, t, t.resolvedSha, t.path),
        this.entries.at(counter, t, o.head, t.path),
      ]);
      return withStale(decide(t, o.head, a, b));
    } catch (e) {
      const err = e instanceof GitHubError ? e : new GitHubError('other', e instanceof Error ? e.message : String(e));
      const reason = err.kind === 'rate-limited' && err.until ? `rate-limited until ${formatHHMM(err.until)}` : err.message;
      return { state: 'unknown', reason, source };
    }
  }

  private fromCache(t: UpstreamTarget, answer: RefAnswer, staleBecause: string | undefined): UpstreamInfo | undefined {
    const source = sourceKey(t);
    const info: UpstreamInfo = { state: 'unknown', source, checkedAt: new Date(answer.checkedAt).toISOString() };
    if (staleBecause) info.stale = true;
    let d: Pick<UpstreamInfo, 'state' | 'reason'>;
    if (answer.sha === t.resolvedSha) d = { state: 'current' };
    else {
      const a = this.entries.peek(t, t.resolvedSha, t.path);
      const b = this.entries.peek(t, answer.sha, t.path);
      if (!a || !b) return undefined;
      d = decide(t, answer.sha, a, b);
    }
    const out: UpstreamInfo = { ...info, ...d };
    if (staleBecause) out.reason = d.reason ? `${d.reason} (${this.staleNote(staleBecause, answer.checkedAt)})` : this.staleNote(staleBecause, answer.checkedAt);
    return out;
  }
}
