// The only place that talks HTTP to GitHub. Octokit (throttling + retry plugins) does the requests;
// our fetch underneath adds the token, counts every request actually sent (redirects included) and
// reads the rate-limit headers of every answer — 304s too — so that nothing is sent that GitHub
// would refuse. Octokit is loaded on the first request only: a daemon that never checks upstream
// never pays for it.
import type { Octokit } from '@octokit/rest';
import { gitBlobSha } from '../cache/gitBlobSha';
import type { FailureKind } from '../cache/upstreamCache';
import type { Clock } from '../cache/clock';
import type { Logger } from '../cache/logger';

import { DEFAULT_GITHUB_API_URL } from '../../shared/settings';

export const DEFAULT_API_URL = DEFAULT_GITHUB_API_URL;

/** A failed GitHub call, with a message fit for the user (no token, no headers). */
export class GitHubError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    /** ms epoch until which this answer holds (rate limits) */
    readonly until?: number,
    /** GitHub's HTTP status, when it answered */
    readonly status?: number,
    /** a 301 for a renamed or transferred repository: its id, from the `/repositories/{id}` Location */
    readonly movedToId?: number,
  ) {
    super(message);
    this.name = 'GitHubError';
  }
}

export interface RateState {
  limit: number;
  remaining: number;
  /** ms epoch */
  resetAt: number;
}

/** Counts the requests of one check, so concurrent checks each report their own cost. */
export interface RequestCounter {
  /** requests sent (each retry counts) */
  n: number;
  /** of those, how many got an HTTP answer (any status): the rest never reached GitHub */
  answered?: number;
  networkFailed?: boolean;
  /** why the last request that did not reach GitHub failed, in words ("DNS lookup failed") */
  networkError?: string;
  /** sources answered from a failure cached earlier, without a request */
  cachedFailures?: number;
  /** the earliest time (ms epoch) one of those cached failures is retried */
  cachedFailureUntil?: number;
  cachedFailureReason?: string;
}

/** Node/undici's error code for a request that never got an answer, in words a user knows. */
export function networkErrorText(code: string | undefined): string {
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return 'DNS lookup failed';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return 'no route to the host';
    case 'TimeoutError':
    case 'AbortError':
      return 'no answer in time';
    default:
      return code ? `network error ${code}` : 'network error';
  }
}

function errorCode(e: unknown): string | undefined {
  const err = e as { name?: string; code?: string; cause?: { code?: string; cause?: { code?: string } } } | undefined;
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError') return err.name;
  return err?.cause?.cause?.code ?? err?.cause?.code ?? err?.code;
}

export interface TreeListing {
  /** root tree SHA */
  sha: string;
  truncated: boolean;
  tree: { path: string; type: string; sha: string }[];
}

export interface GitHubClientOptions {
  apiUrl: string;
  token: () => string | undefined;
  log: Logger;
  clock: Clock;
  concurrency: number;
  /** retries of 5xx and network failures (plugin-retry) */
  retries?: number;
  /** base of plugin-retry's quadratic back-off, ms */
  retryBaseMs?: number;
  /** bound on one call, retries included */
  timeoutMs?: number;
}

type OctokitClient = Octokit;

async function loadOctokit(): Promise<(options: ConstructorParameters<typeof Octokit>[0]) => OctokitClient> {
  const [{ Octokit: Base }, { retry }, { throttling }] = await Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ]);
  const WithPlugins = Base.plugin(throttling, retry);
  return (options) => new WithPlugins(options) as unknown as OctokitClient;
}

export function formatHHMM(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function normalizeApiUrl(url: string | undefined): string {
  const u = (url ?? '').trim().replace(/\/+$/, '');
  return u === '' ? DEFAULT_API_URL : u;
}

class Semaphore {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }
  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.active--;
  }
}

export class GitHubClient {
  private octokit?: Promise<OctokitClient>;
  private apiUrl: string;
  private readonly sem: Semaphore;
  private readonly counters = new WeakMap<AbortSignal, RequestCounter>();
  private sent = 0;
  /** calls past the gate whose answer has not been read yet: they will spend budget too */
  private pending = 0;
  rate?: RateState;
  /** ms epoch; no request goes out before it */
  rateLimitedUntil = 0;

  constructor(private readonly opts: GitHubClientOptions) {
    this.apiUrl = normalizeApiUrl(opts.apiUrl);
    this.sem = new Semaphore(Math.max(1, opts.concurrency));
  }

  /** True once Octokit has been asked for (the first upstream request). */
  get loaded(): boolean {
    return this.octokit !== undefined;
  }

  get url(): string {
    return this.apiUrl;
  }

  requestCount(): number {
    return this.sent;
  }

  setApiUrl(url: string): boolean {
    const u = normalizeApiUrl(url);
    if (u === this.apiUrl) return false;
    this.apiUrl = u;
    this.octokit = undefined;
    this.resetRateState();
    return true;
  }

  /** Budgets and waits belong to one identity; a new token starts clean. */
  resetRateState(): void {
    this.rate = undefined;
    this.rateLimitedUntil = 0;
  }

  /**
   * Requests the budget still covers: undefined when unknown (no answer yet, or the reset has passed),
   * otherwise what GitHub said remains minus the requests still under way.
   */
  available(): number | undefined {
    const r = this.rate;
    if (!r || this.opts.clock.now() >= r.resetAt) return undefined;
    return Math.max(0, r.remaining - this.pending);
  }

  private client(): Promise<OctokitClient> {
    if (!this.octokit) {
      const p = this.build();
      // A failed load is retried on the next request rather than remembered.
      p.catch(() => {
        if (this.octokit === p) this.octokit = undefined;
      });
      this.octokit = p;
    }
    return this.octokit;
  }

  private async build(): Promise<OctokitClient> {
    const log = this.opts.log;
    const make = await loadOctokit();
    return make({
      baseUrl: this.apiUrl,
      userAgent: 'skillmeat-sync',
      request: { fetch: this.fetchImpl },
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (m: string) => log.warn(`github: ${this.redact(m)}`),
        // Octokit's per-attempt failure line says "500 with id UNKNOWN" for a request that never
        // reached GitHub (plugin-retry's stand-in status); the checker logs the classified reason
        // (connection refused, DNS lookup failed) at warn, so this one is only detail.
        error: (m: string) => log.debug(`github: ${this.redact(m)}`),
      },
      // Waiting out a rate limit inside a request would stall every check for up to an hour;
      // we answer at once (stale or unknown) and let rateLimitedUntil hold requests back instead.
      throttle: { onRateLimit: () => false, onSecondaryRateLimit: () => false },
      retry: {
        retries: this.opts.retries ?? 2,
        retryAfterBaseValue: this.opts.retryBaseMs ?? 1000,
        doNotRetry: [304, 400, 401, 403, 404, 409, 410, 422, 429, 451],
      },
    });
  }

  private redact(m: string): string {
    const t = this.opts.token();
    return t ? m.split(t).join('***') : m;
  }

  private readonly fetchImpl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const counter = init?.signal ? this.counters.get(init.signal) : undefined;
    this.sent++;
    if (counter) counter.n++;
    const headers = new Headers(init?.headers);
    const token = this.opts.token();
    if (token) headers.set('authorization', `Bearer ${token}`);
    let res: Response;
    try {
      // Redirects are ours to follow: each hop is a request GitHub counts, and a Location on
      // another host must never receive the token.
      res = await fetch(input, { ...init, headers, redirect: 'manual' });
    } catch (e) {
      if (counter) {
        counter.networkFailed = true;
        counter.networkError = networkErrorText(errorCode(e));
      }
      throw e;
    }
    if (counter) counter.answered = (counter.answered ?? 0) + 1;
    await this.observe(res);
    return res;
  };

  private async observe(res: Response): Promise<void> {
    const now = this.opts.clock.now();
    const h = res.headers;
    const limit = Number(h.get('x-ratelimit-limit'));
    const remaining = Number(h.get('x-ratelimit-remaining'));
    const reset = Number(h.get('x-ratelimit-reset'));
    const hasRate = h.get('x-ratelimit-remaining') !== null && Number.isFinite(remaining) && Number.isFinite(reset) && reset > 0;
    if (hasRate && (h.get('x-ratelimit-resource') ?? 'core') === 'core') {
      // Concurrent answers arrive in any order: inside one window the budget only goes down, so an
      // answer read late must not raise it back (that would let a request through GitHub refuses).
      const prev = this.rate;
      const sameWindow = prev !== undefined && prev.resetAt === reset * 1000;
      this.rate = { limit: Number.isFinite(limit) ? limit : 0, remaining: sameWindow ? Math.min(prev.remaining, remaining) : remaining, resetAt: reset * 1000 };
    }
    let until = 0;
    if (res.status === 403 || res.status === 429) {
      // GitHub's rule (and octokit's throttling plugin): Retry-After when given; else, with the
      // budget spent, its reset; else a secondary limit — wait at least one minute, not an hour.
      const retryAfter = h.get('retry-after');
      if (retryAfter !== null) {
        const secs = Number(retryAfter);
        const date = Date.parse(retryAfter);
        until = Number.isFinite(secs) ? now + secs * 1000 : Number.isFinite(date) ? date : now + 60_000;
      } else if (hasRate && remaining === 0) until = reset * 1000;
      else if (res.status === 429) until = now + 60_000;
      else {
        // A 403 with budget left is a secondary limit only when it says so; otherwise it is "forbidden".
        const body = await res.clone().text().catch(() => '');
        if (/rate limit/i.test(body)) until = now + 60_000;
      }
    } else if (res.status !== 401 && hasRate && remaining === 0) {
      // The budget is spent: the next request would be refused, so do not send it.
      until = reset * 1000;
    }
    if (until > this.rateLimitedUntil) {
      this.rateLimitedUntil = until;
      this.opts.log.warn(`github: rate-limited until ${new Date(until).toISOString()}`);
    }
  }

  /** Throws instead of sending what GitHub would refuse: after a limit, or with the budget spent. */
  private gate(): void {
    const now = this.opts.clock.now();
    const until = this.rateLimitedUntil;
    if (until > now) throw new GitHubError('rate-limited', `GitHub rate limit: no requests until ${formatHHMM(until)}`, until);
    const left = this.available();
    if (left !== undefined && left <= 0 && this.rate) {
      throw new GitHubError('rate-limited', `GitHub rate limit: no requests until ${formatHHMM(this.rate.resetAt)}`, this.rate.resetAt);
    }
  }

  private async call<T>(
    counter: RequestCounter,
    route: string,
    params: Record<string, unknown>,
    what: { repo: string; notFound: string },
  ): Promise<{ data: T; headers: Record<string, string | number | undefined> } | 'not-modified'> {
    const octokit = await this.client();
    // The gate is asked after the wait for a slot: answers that arrived meanwhile may have spent the budget.
    await this.sem.acquire();
    let reserved = false;
    try {
      this.gate();
      // Reserved at once, before Octokit's own asynchronous steps: a call passing the gate right
      // after this one must already count it as spent.
      this.pending++;
      reserved = true;
      const signal = AbortSignal.timeout(this.opts.timeoutMs ?? 60_000);
      this.counters.set(signal, counter);
      let res: { status: number; data: unknown; headers: Record<string, string | number | undefined> };
      try {
        res = (await octokit.request(route, { ...params, request: { signal } })) as typeof res;
      } catch (e) {
        if (isStatus(e, 304)) return 'not-modified';
        throw this.classify(e, what);
      }
      if (res.status >= 300 && res.status < 400) throw this.redirected(res, what);
      return { data: res.data as T, headers: res.headers };
    } finally {
      // The answer (read in fetchImpl) has updated the budget by now.
      if (reserved) this.pending--;
      this.sem.release();
    }
  }

  /** GitHub answers 301 with `/repositories/{id}/…` for a renamed or transferred repository. */
  private redirected(res: { status: number; headers: Record<string, string | number | undefined> }, what: { repo: string }): GitHubError {
    const location = String(res.headers.location ?? '');
    let target: URL | undefined;
    try {
      target = new URL(location, this.apiUrl);
    } catch {
      target = undefined;
    }
    const api = new URL(this.apiUrl);
    if (!target || target.origin !== api.origin) {
      return new GitHubError('other', `GitHub redirected ${what.repo} to another host; not followed`, undefined, res.status);
    }
    const m = /\/repositories\/(\d+)(?:\/|$)/.exec(target.pathname);
    if (!m) return new GitHubError('other', `GitHub redirected ${what.repo} (${res.status}) to an unexpected place`, undefined, res.status);
    return new GitHubError('moved', `${what.repo} moved`, undefined, res.status, Number(m[1]));
  }

  private classify(e: unknown, what: { repo: string; notFound: string }): GitHubError {
    if (e instanceof GitHubError) return e;
    const status = typeof (e as { status?: unknown })?.status === 'number' ? (e as { status: number }).status : 0;
    const hasResponse = !!(e as { response?: unknown })?.response;
    const now = this.opts.clock.now();
    if ((status === 403 || status === 429) && this.rateLimitedUntil > now) {
      return new GitHubError('rate-limited', `GitHub rate limit: no requests until ${formatHHMM(this.rateLimitedUntil)}`, this.rateLimitedUntil);
    }
    if (!hasResponse) {
      const code = errorCode(e);
      if (code === 'AbortError' || code === 'TimeoutError') return new GitHubError('network', 'network unreachable: GitHub did not answer in time');
      const words = networkErrorText(code);
      return new GitHubError('network', `network unreachable: ${words}${code && !words.includes(code) ? ` (${code})` : ''}`);
    }
    const anonymous = !this.opts.token();
    switch (status) {
      case 401:
        return new GitHubError('auth', 'bad credentials: the GitHub token was refused');
      case 403:
        return new GitHubError('auth', `access to ${what.repo} forbidden${anonymous ? '' : ' for this token'}`);
      case 404:
        return new GitHubError('not-found', anonymous ? `${what.notFound}, or private (no GitHub token)` : `${what.notFound}, or not accessible with this token`, undefined, status);
      case 409:
      case 422:
        return new GitHubError('bad-ref', what.notFound, undefined, status);
      default:
        if (status >= 500) return new GitHubError('server', `GitHub error ${status}`);
        return new GitHubError('other', `GitHub answered ${status}`);
    }
  }

  /** The current `owner/name` of a repository by id, after GitHub said the old name moved. */
  async repositoryName(counter: RequestCounter, id: number, oldName: string): Promise<{ owner: string; repo: string }> {
    const r = await this.call<{ full_name?: unknown }>(counter, 'GET /repositories/{id}', { id }, {
      repo: oldName,
      notFound: `${oldName} moved, and its new name cannot be read`,
    });
    const full = r === 'not-modified' ? '' : typeof r.data.full_name === 'string' ? r.data.full_name : '';
    const [owner, repo, extra] = full.split('/');
    if (!owner || !repo || extra !== undefined) throw new GitHubError('other', `GitHub did not name the new location of ${oldName}`);
    return { owner, repo };
  }

  async defaultBranch(counter: RequestCounter, owner: string, repo: string): Promise<string> {
    const r = await this.call<{ default_branch?: unknown }>(counter, 'GET /repos/{owner}/{repo}', { owner, repo }, {
      repo: `${owner}/${repo}`,
      notFound: `repository ${owner}/${repo} not found`,
    });
    if (r === 'not-modified' || typeof r.data.default_branch !== 'string' || r.data.default_branch === '') {
      throw new GitHubError('other', `GitHub did not name the default branch of ${owner}/${repo}`);
    }
    return r.data.default_branch;
  }

  /**
   * The commit a ref points at: one small request, and a 304 when it has not moved. `HEAD` is the
   * default branch's head, which saves looking the branch up first.
   */
  async commitSha(
    counter: RequestCounter,
    owner: string,
    repo: string,
    ref: string,
    etag?: string,
  ): Promise<{ sha: string; etag?: string } | 'not-modified'> {
    const headers: Record<string, string> = { accept: 'application/vnd.github.sha' };
    if (etag) headers['if-none-match'] = etag;
    const r = await this.call<unknown>(counter, 'GET /repos/{owner}/{repo}/commits/{ref}', { owner, repo, ref, headers }, {
      repo: `${owner}/${repo}`,
      notFound: ref === 'HEAD' ? `the default branch of ${owner}/${repo} not found` : `${owner}/${repo}@${ref} not found`,
    });
    if (r === 'not-modified') return r;
    // Without `; charset=utf-8` in the content type Octokit hands back bytes, not a string.
    const text =
      typeof r.data === 'string'
        ? r.data
        : r.data instanceof ArrayBuffer || ArrayBuffer.isView(r.data)
          ? new TextDecoder().decode(r.data as ArrayBuffer)
          : '';
    const sha = text.trim().toLowerCase();
    if (!/^[0-9a-f]{40}$/.test(sha)) throw new GitHubError('other', `GitHub gave no commit SHA for ${owner}/${repo}@${ref}`);
    const tag = r.headers.etag;
    return { sha, etag: typeof tag === 'string' ? tag : undefined };
  }

  /** A tree by commit or tree SHA; recursive listings may come back truncated on big repositories. */
  async tree(counter: RequestCounter, owner: string, repo: string, sha: string, recursive: boolean): Promise<TreeListing> {
    const params: Record<string, unknown> = { owner, repo, tree_sha: sha };
    if (recursive) params.recursive = '1';
    const r = await this.call<{ sha?: unknown; truncated?: unknown; tree?: unknown }>(counter, 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}', params, {
      repo: `${owner}/${repo}`,
      notFound: `commit ${sha.slice(0, 7)} not found in ${owner}/${repo}`,
    });
    if (r === 'not-modified' || typeof r.data.sha !== 'string' || !Array.isArray(r.data.tree)) {
      throw new GitHubError('other', `GitHub sent an unreadable tree for ${owner}/${repo}@${sha.slice(0, 7)}`);
    }
    const tree: TreeListing['tree'] = [];
    for (const e of r.data.tree as unknown[]) {
      const o = e as { path?: unknown; type?: unknown; sha?: unknown };
      if (typeof o.path === 'string' && typeof o.type === 'string' && typeof o.sha === 'string') tree.push({ path: o.path, type: o.type, sha: o.sha });
    }
    return { sha: r.data.sha, truncated: r.data.truncated === true, tree };
  }
  /**
   * A file's content by its git blob SHA (`GET /repos/{o}/{r}/git/blobs/{sha}`): immutable, so the
   * caller keeps it forever. Checked against the SHA before it is returned.
   */
  async blob(counter: RequestCounter, owner: string, repo: string, sha: string): Promise<Buffer> {
    const r = await this.call<{ content?: unknown; encoding?: unknown; size?: unknown }>(counter, 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { owner, repo, file_sha: sha }, {
      repo: `${owner}/${repo}`,
      notFound: `blob ${sha.slice(0, 7)} not found in ${owner}/${repo}`,
    });
    if (r === 'not-modified' || typeof r.data.content !== 'string') throw new GitHubError('other', `GitHub sent an unreadable blob ${sha.slice(0, 7)} of ${owner}/${repo}`);
    const bytes = r.data.encoding === 'base64' ? Buffer.from(r.data.content, 'base64') : Buffer.from(r.data.content, 'utf8');
    if (gitBlobSha(bytes) !== sha.toLowerCase()) throw new GitHubError('other', `GitHub sent blob ${sha.slice(0, 7)} of ${owner}/${repo} with other content`);
    return bytes;
  }
}

function isStatus(e: unknown, status: number): boolean {
  return typeof e === 'object' && e !== null && (e as { status?: unknown }).status === status;
}
