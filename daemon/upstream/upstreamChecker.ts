// Does the upstream of each collection artifact have something newer? One conditional request per
// (repository, ref) per TTL window, trees fetched once per commit, and an honest `unknown` (or the
// last answer, marked stale) whenever GitHub cannot be asked.
import type { RateLimitInfo, UpstreamInfo } from '../../shared/types';
import { systemClock, type Clock } from '../cache/clock';
import { errorMessage } from '../../shared/errors';
import { nullLogger, type Logger } from '../cache/logger';
import type { PathEntry, RefAnswer, RefFailure, RefKind, UpstreamCache } from '../cache/upstreamCache';
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
  /**
   * `github.com`: a 404 on `commits/HEAD` means missing or private, never "HEAD refused". Default:
   * `github.com` for api.github.com, `enterprise` for any other API URL.
   */
  apiFlavor?: 'github.com' | 'enterprise';
  /** called when a check has the path entries of both commits (the diff keeps their file listings) */
  onTrees?: (t: UpstreamTarget, baseSha: string, headSha: string) => void;
  /** adds details (links, the change summary) to every answer given out */
  describe?: (t: UpstreamTarget, info: UpstreamInfo) => UpstreamInfo;
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
export const ANONYMOUS_MESSAGE = 'no GitHub token: anonymous requests are limited to 60 an hour, 304s included';

/** Where the user decides to sign in: what is left of the anonymous budget, and until when. */
export function anonymousMessage(rate: { limit: number; remaining: number; resetAt: number } | undefined, now: number): string {
  if (!rate || now >= rate.resetAt) return ANONYMOUS_MESSAGE;
  return `no GitHub token: ${rate.remaining} of ${rate.limit} anonymous requests left until ${formatHHMM(rate.resetAt)} (304s count too); sign in to GitHub for 5,000 an hour`;
}

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

  async check(subjects: UpstreamSubject[], opts: { force?: boolean } = {}): Promise<{ results: Map<string, UpstreamInfo>; requests: number; counter: RequestCounter }> {
    await this.cache.ready;
    this.syncToken();
    const counter: RequestCounter = { n: 0 };
    const force = opts.force ?? false;
    const targets = subjects.map((s) => ({ key: subjectKey(s), tr: targetOf(s) }));
    const denied = this.overBudget(targets.flatMap(({ tr }) => ('target' in tr ? [tr.target] : [])), force);
    const refs = new Map<string, Promise<RefOutcome>>();
    const pairs = await Promise.all(
      targets.map(async ({ key, tr }): Promise<[string, UpstreamInfo]> => {
        if ('untracked' in tr) return [key, { state: 'untracked', reason: tr.untracked }];
        const t = tr.target;
        const sk = sourceKey(t);
        let outcome = refs.get(sk);
        if (!outcome) {
          outcome = denied.get(sk) ?? this.refOutcome(counter, t, force);
          refs.set(sk, outcome);
        }
        try {
          return [key, this.describe(t, this.withMoveNote(t, await this.evaluate(counter, t, await outcome)))];
        } catch (e) {
          // Never let one artifact's surprise break the others' answers.
          this.log.error(`upstream ${key}: ${errorMessage(e)}`);
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
    return { results, requests: counter.n, counter };
  }

  /** The last known answer for one artifact without any network: stale answers are flagged. */
  peek(s: UpstreamSubject): UpstreamInfo {
    const tr = targetOf(s);
    if ('untracked' in tr) return { state: 'untracked', reason: tr.untracked };
    return this.withMoveNote(tr.target, this.peekTarget(tr.target));
  }

  private peekTarget(t: UpstreamTarget): UpstreamInfo {
    const source = sourceKey(t);
    const notYet: UpstreamInfo = { state: 'unknown', reason: 'not checked yet', source };
    if (t.ref.kind === 'commit' && t.resolvedSha.startsWith(t.ref.sha)) {
      const e = this.entries.peek(t, t.resolvedSha, t.path);
      if (!e) return notYet;
      return this.describe(t, { ...this.pinned(t, e), source, baseSha: t.resolvedSha, headSha: t.resolvedSha });
    }
    const look = this.cache.getRef(source);
    if (look.failure && !(look.answer && TRANSIENT.has(look.failure.kind))) {
      return { state: 'unknown', reason: look.failure.reason, source, checkedAt: new Date(look.failure.at).toISOString() };
    }
    if (!look.answer) return notYet;
    const staleBecause = look.failure?.reason ?? (look.fresh ? undefined : 'not re-checked since');
    const info = this.fromCache(t, look.answer, staleBecause);
    return info ? this.describe(t, info) : notYet;
  }

  /** The GitHub client the check uses: the diff fetches through it (same token, gate and budget). */
  get github(): GitHubClient {
    return this.client;
  }

  /** The repository's name as GitHub answers to it now (after a remembered rename or transfer). */
  currentName(t: UpstreamTarget): { owner: string; repo: string } {
    return this.cache.getMove(repoKey(t)) ?? { owner: t.owner, repo: t.repo };
  }

  /** Path entries and commit listings the check has learnt. */
  get pathEntries(): PathEntries {
    return this.entries;
  }

  /**
   * The head commit of a target's ref, as the check would see it now (a fresh cached answer, else
   * one request, conditional when an older answer exists). An older answer served because GitHub
   * cannot be asked comes with `staleBecause`; no answer at all throws with the reason.
   */
  async headOf(t: UpstreamTarget, counter: RequestCounter = { n: 0 }): Promise<{ head: string; checkedAt?: number; staleBecause?: string }> {
    await this.cache.ready;
    this.syncToken();
    const o = await this.refOutcome(counter, t, false);
    this.emitStatus();
    if (o.failure || !o.head) throw new GitHubError(o.failure?.kind ?? 'other', o.failure?.reason ?? 'no answer from GitHub');
    return { head: o.head, checkedAt: o.checkedAt, staleBecause: o.staleBecause };
  }

  private describe(t: UpstreamTarget, info: UpstreamInfo): UpstreamInfo {
    if (!this.opts.describe) return info;
    try {
      return this.opts.describe(t, info);
    } catch (e) {
      this.log.warn(`upstream details for ${sourceKey(t)}: ${errorMessage(e)}`);
      return info;
    }
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
    if (!this.opts.token().token) s.message = anonymousMessage(this.client.rate, this.clock.now());
    return s;
  }

  /** True once Octokit has been loaded (it is loaded on the first request to GitHub). */
  get octokitLoaded(): boolean {
    return this.client.loaded;
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
      this.log.warn(`upstream: status listener failed: ${errorMessage(e)}`);
    }
  }

  /** True when answering this target's ref takes a request to GitHub now. */
  private needsRequest(t: UpstreamTarget, force: boolean): boolean {
    if (t.ref.kind === 'commit' && t.resolvedSha.startsWith(t.ref.sha)) return false;
    const key = sourceKey(t);
    if (this.inflight.has(key)) return false;
    if (force) return true;
    const look = this.cache.getRef(key);
    return !((look.fresh && look.answer) || look.failure);
  }

  /**
   * When the budget GitHub reported cannot cover every ref this check must ask, the oldest answers
   * (never-answered first) get the requests that are left and the rest are answered at once —
   * `rate-limited until HH:MM`, or the earlier answer marked stale — instead of sending requests
   * GitHub would refuse. Returns the outcomes of the sources left out.
   */
  private overBudget(targets: UpstreamTarget[], force: boolean): Map<string, Promise<RefOutcome>> {
    const out = new Map<string, Promise<RefOutcome>>();
    const left = this.client.available();
    const rate = this.client.rate;
    if (left === undefined || !rate) return out;
    const needed = new Map<string, UpstreamTarget>();
    for (const t of targets) {
      const key = sourceKey(t);
      if (!needed.has(key) && this.needsRequest(t, force)) needed.set(key, t);
    }
    if (needed.size <= left) return out;
    const age = (key: string): number => this.cache.getRef(key).answer?.checkedAt ?? Number.NEGATIVE_INFINITY;
    const order = [...needed.keys()].sort((a, b) => age(a) - age(b));
    const reason = `rate-limited until ${formatHHMM(rate.resetAt)}`;
    for (const key of order.slice(left)) {
      const previous = this.cache.getRef(key).answer;
      const f = this.cache.setFailure(key, 'rate-limited', reason, rate.resetAt);
      out.set(key, Promise.resolve(this.fromFailure(f, previous)));
    }
    this.log.warn(`upstream: ${left} GitHub requests left until ${formatHHMM(rate.resetAt)}; ${order.length - left} of ${order.length} sources not asked`);
    return out;
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
      // Said in the answer: "0 requests" alone would read as "nothing to ask".
      counter.cachedFailures = (counter.cachedFailures ?? 0) + 1;
      if (counter.cachedFailureUntil === undefined || look.failure.until < counter.cachedFailureUntil) {
        counter.cachedFailureUntil = look.failure.until;
        counter.cachedFailureReason = look.failure.reason;
      }
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
      // With the `vnd.github.sha` media type the SHA is the ETag: on a first check the recorded
      // commit is sent as one, so an unchanged ref answers 304 even cold.
      const sent = previous?.etag ?? `"${t.resolvedSha}"`;
      const r = await this.withMoves(counter, t, (owner, repo) => {
        if (t.ref.kind === 'default') return this.latestCommit(counter, t, owner, repo, sent);
        if (t.ref.kind === 'named') return this.namedCommit(counter, t, key, owner, repo, t.ref.name, sent);
        return this.client.commitSha(counter, owner, repo, t.ref.sha, sent);
      });
      if (r === 'not-modified' && previous?.etag === sent) {
        this.cache.confirmRef(key);
        this.cache.recordLookup(true);
        return { head: previous.sha, checkedAt: this.clock.now() };
      }
      if (r === 'not-modified') {
        // A 304 to our own SHA: the ref is still at the recorded commit.
        this.cache.setRef(key, t.resolvedSha, sent);
        this.cache.recordLookup(true);
        return { head: t.resolvedSha, checkedAt: this.clock.now() };
      }
      this.cache.setRef(key, r.sha, r.etag);
      this.cache.recordLookup(false);
      return { head: r.sha, checkedAt: this.clock.now() };
    } catch (e) {
      const err = e instanceof GitHubError ? e : new GitHubError('other', errorMessage(e));
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
  private async latestCommit(
    counter: RequestCounter,
    t: UpstreamTarget,
    owner: string,
    repo: string,
    etag: string | undefined,
  ): Promise<{ sha: string; etag?: string } | 'not-modified'> {
    const rk = repoKey(t);
    if (!this.cache.isHeadRefused(rk)) {
      try {
        return await this.client.commitSha(counter, owner, repo, 'HEAD', etag);
      } catch (e) {
        if (!(e instanceof GitHubError) || (e.status !== 404 && e.status !== 422)) throw e;
        // github.com always resolves HEAD: its 404 means missing or private, and asking again
        // by another route would only double the cost.
        if (e.status === 404 && this.flavor === 'github.com') throw e;
        // A repository that does not exist (or is hidden) fails here with the usual "not found" reason.
        const branch = await this.defaultBranch(counter, t, owner, repo);
        this.cache.setHeadRefused(rk);
        this.log.info(`upstream ${owner}/${repo}: commits/HEAD refused (${e.status}); asking by the default branch name "${branch}"`);
        return this.client.commitSha(counter, owner, repo, branch, etag);
      }
    }
    return this.client.commitSha(counter, owner, repo, await this.defaultBranch(counter, t, owner, repo), etag);
  }

  /**
   * A name that is not a SHA: a tag first (`tags/NAME`), then a branch (`heads/NAME`), as
   * SkillMeat resolves it — whatever order GitHub would use for the bare name. Which one answered
   * is remembered per source (hours), so later checks ask it directly.
   */
  private async namedCommit(
    counter: RequestCounter,
    t: UpstreamTarget,
    key: string,
    owner: string,
    repo: string,
    name: string,
    etag: string | undefined,
  ): Promise<{ sha: string; etag?: string } | 'not-modified'> {
    const known = this.cache.getRefKind(key);
    const order: RefKind[] = known === 'heads' ? ['heads', 'tags'] : ['tags', 'heads'];
    for (const kind of order) {
      try {
        const r = await this.client.commitSha(counter, owner, repo, `${kind}/${name}`, etag);
        if (known !== kind) this.cache.setRefKind(key, kind);
        return r;
      } catch (e) {
        // 422 = no such ref of this kind; anything else (missing repository, limits) is the answer.
        if (!(e instanceof GitHubError) || e.kind !== 'bad-ref') throw e;
      }
    }
    throw new GitHubError('bad-ref', `${t.owner}/${t.repo}: no tag or branch named ${name}`, undefined, 422);
  }

  /**
   * Runs a request by the repository's current name; after a 301 (renamed or transferred) the new
   * name is read once, remembered, and the request is made again under it.
   */
  private async withMoves<T>(counter: RequestCounter, t: UpstreamTarget, run: (owner: string, repo: string) => Promise<T>): Promise<T> {
    const rk = repoKey(t);
    const name = this.cache.getMove(rk) ?? { owner: t.owner, repo: t.repo };
    try {
      return await run(name.owner, name.repo);
    } catch (e) {
      if (!(e instanceof GitHubError) || e.kind !== 'moved' || e.movedToId === undefined) throw e;
      const to = await this.client.repositoryName(counter, e.movedToId, `${name.owner}/${name.repo}`);
      this.cache.setMove(rk, to);
      this.log.info(`upstream: ${t.owner}/${t.repo} moved to ${to.owner}/${to.repo}; asking the new name from now on`);
      return run(to.owner, to.repo);
    }
  }

  /** "acme/old moved to acme/new" on every answer about a repository GitHub redirected. */
  private withMoveNote(t: UpstreamTarget, info: UpstreamInfo): UpstreamInfo {
    const to = this.cache.getMove(repoKey(t));
    if (!to || info.state === 'untracked') return info;
    const note = `${t.owner}/${t.repo} moved to ${to.owner}/${to.repo}`;
    return { ...info, reason: info.reason ? `${info.reason}; ${note}` : note };
  }

  private get flavor(): 'github.com' | 'enterprise' {
    return this.opts.apiFlavor ?? (this.client.url === DEFAULT_API_URL ? 'github.com' : 'enterprise');
  }

  private async defaultBranch(counter: RequestCounter, t: UpstreamTarget, owner: string, repo: string): Promise<string> {
    const rk = repoKey(t);
    const cached = this.cache.getDefaultBranch(rk);
    if (cached) return cached;
    const branch = await this.client.defaultBranch(counter, owner, repo);
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
    const base: UpstreamInfo = { state: 'unknown', source, checkedAt: new Date(o.checkedAt ?? this.clock.now()).toISOString(), baseSha: t.resolvedSha, headSha: o.head };
    if (o.staleBecause) base.stale = true;
    const withStale = (d: Pick<UpstreamInfo, 'state' | 'reason'>): UpstreamInfo => {
      const info: UpstreamInfo = { ...base, ...d };
      if (o.staleBecause) info.reason = d.reason ? `${d.reason} (${this.staleNote(o.staleBecause, o.checkedAt ?? 0)})` : this.staleNote(o.staleBecause, o.checkedAt ?? 0);
      if (info.reason === undefined) delete info.reason;
      return info;
    };
    const at = (sha: string): Promise<PathEntry> =>
      this.withMoves(counter, t, (owner, repo) => this.entries.at(counter, { ...t, via: { owner, repo } }, sha, t.path));
    try {
      if (t.ref.kind === 'commit' && o.head === t.resolvedSha) {
        return withStale(this.pinned(t, await at(t.resolvedSha)));
      }
      if (o.head === t.resolvedSha) return withStale({ state: 'current' });
      const [a, b] = await Promise.all([at(t.resolvedSha), at(o.head)]);
      this.opts.onTrees?.(t, t.resolvedSha, o.head);
      return withStale(decide(t, o.head, a, b));
    } catch (e) {
      const err = e instanceof GitHubError ? e : new GitHubError('other', errorMessage(e));
      const reason = err.kind === 'rate-limited' && err.until ? `rate-limited until ${formatHHMM(err.until)}` : err.message;
      return { state: 'unknown', reason, source };
    }
  }

  private fromCache(t: UpstreamTarget, answer: RefAnswer, staleBecause: string | undefined): UpstreamInfo | undefined {
    const source = sourceKey(t);
    const info: UpstreamInfo = { state: 'unknown', source, checkedAt: new Date(answer.checkedAt).toISOString(), baseSha: t.resolvedSha, headSha: answer.sha };
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
