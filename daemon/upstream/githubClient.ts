// The only place that talks HTTP to GitHub. Octokit (throttling + retry plugins) does the requests;
// our fetch underneath adds the token, counts every request actually sent, caps concurrency and
// reads the rate-limit headers so that nothing is sent while GitHub said to wait.
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { FailureKind } from '../cache/upstreamCache';
import type { Clock } from '../cache/clock';
import type { Logger } from '../cache/logger';

export const DEFAULT_API_URL = 'https://api.github.com';

/** A failed GitHub call, with a message fit for the user (no token, no headers). */
export class GitHubError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    /** ms epoch until which this answer holds (rate limits) */
    readonly until?: number,
    /** GitHub's HTTP status, when it answered */
    readonly status?: number,
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
  n: number;
  networkFailed?: boolean;
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

const OctokitWithPlugins = Octokit.plugin(throttling, retry);
type OctokitClient = InstanceType<typeof OctokitWithPlugins>;

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
  private octokit: OctokitClient;
  private apiUrl: string;
  private readonly sem: Semaphore;
  private readonly counters = new WeakMap<AbortSignal, RequestCounter>();
  private sent = 0;
  rate?: RateState;
  /** ms epoch; no request goes out before it */
  rateLimitedUntil = 0;

  constructor(private readonly opts: GitHubClientOptions) {
    this.apiUrl = normalizeApiUrl(opts.apiUrl);
    this.sem = new Semaphore(Math.max(1, opts.concurrency));
    this.octokit = this.build();
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
    this.octokit = this.build();
    this.resetRateState();
    return true;
  }

  /** Budgets and waits belong to one identity; a new token starts clean. */
  resetRateState(): void {
    this.rate = undefined;
    this.rateLimitedUntil = 0;
  }

  private build(): OctokitClient {
    const log = this.opts.log;
    return new OctokitWithPlugins({
      baseUrl: this.apiUrl,
      userAgent: 'skillmeat-sync',
      request: { fetch: this.fetchImpl },
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (m: string) => log.warn(`github: ${this.redact(m)}`),
        error: (m: string) => log.error(`github: ${this.redact(m)}`),
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
    await this.sem.acquire();
    try {
      this.sent++;
      if (counter) counter.n++;
      const headers = new Headers(init?.headers);
      const token = this.opts.token();
      if (token) headers.set('authorization', `Bearer ${token}`);
      let res: Response;
      try {
        res = await fetch(input, { ...init, headers });
      } catch (e) {
        if (counter) counter.networkFailed = true;
        throw e;
      }
      await this.observe(res);
      return res;
    } finally {
      this.sem.release();
    }
  };

  private async observe(res: Response): Promise<void> {
    const now = this.opts.clock.now();
    const h = res.headers;
    const limit = Number(h.get('x-ratelimit-limit'));
    const remaining = Number(h.get('x-ratelimit-remaining'));
    const reset = Number(h.get('x-ratelimit-reset'));
    const hasRate = h.get('x-ratelimit-remaining') !== null && Number.isFinite(remaining) && Number.isFinite(reset) && reset > 0;
    if (hasRate && (h.get('x-ratelimit-resource') ?? 'core') === 'core') {
      this.rate = { limit: Number.isFinite(limit) ? limit : 0, remaining, resetAt: reset * 1000 };
    }
    let until = 0;
    if (res.status === 403 || res.status === 429) {
      const retryAfter = h.get('retry-after');
      if (retryAfter !== null) {
        const secs = Number(retryAfter);
        const date = Date.parse(retryAfter);
        until = Number.isFinite(secs) ? now + secs * 1000 : Number.isFinite(date) ? date : now + 60_000;
      } else if (hasRate && remaining === 0) until = reset * 1000;
      else if (res.status === 429) until = now + 60_000;
      else {
        const body = await res.clone().text().catch(() => '');
        if (/rate limit/i.test(body)) until = hasRate ? reset * 1000 : now + 60_000;
      }
    } else if (res.status < 300 && hasRate && remaining === 0) {
      // The budget is spent: the next request would be refused, so do not send it.
      until = reset * 1000;
    }
    if (until > this.rateLimitedUntil) {
      this.rateLimitedUntil = until;
      this.opts.log.warn(`github: rate-limited until ${new Date(until).toISOString()}`);
    }
  }

  private gate(): void {
    const until = this.rateLimitedUntil;
    if (until > this.opts.clock.now()) throw new GitHubError('rate-limited', `GitHub rate limit: no requests until ${formatHHMM(until)}`, until);
  }

  private async call<T>(
    counter: RequestCounter,
    route: string,
    params: Record<string, unknown>,
    what: { repo: string; notFound: string },
  ): Promise<{ data: T; headers: Record<string, string | number | undefined> } | 'not-modified'> {
    this.gate();
    const signal = AbortSignal.timeout(this.opts.timeoutMs ?? 60_000);
    this.counters.set(signal, counter);
    try {
      const res = await this.octokit.request(route, { ...params, request: { signal } });
      return { data: res.data as T, headers: res.headers as Record<string, string | number | undefined> };
    } catch (e) {
      if (isStatus(e, 304)) return 'not-modified';
      throw this.classify(e, what);
    }
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
      const name = (e as { name?: string })?.name;
      if (name === 'AbortError' || name === 'TimeoutError') return new GitHubError('network', 'network unreachable: GitHub did not answer in time');
      const cause = (e as { cause?: { cause?: { code?: string }; code?: string } })?.cause;
      const code = cause?.cause?.code ?? cause?.code;
      return new GitHubError('network', `network unreachable${code ? ` (${code})` : ''}`);
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
    const sha = typeof r.data === 'string' ? r.data.trim().toLowerCase() : '';
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
}

function isStatus(e: unknown, status: number): boolean {
  return typeof e === 'object' && e !== null && (e as { status?: unknown }).status === status;
}
