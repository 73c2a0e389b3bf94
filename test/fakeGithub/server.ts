// Our own GitHub REST stand-in on 127.0.0.1 for tests and benchmarks. It speaks only the endpoints
// the daemon uses, with the behaviours that matter for cost and honesty, as GitHub documents them:
//  - ETags and 304s; a 304 is free only "when correctly authorized" — anonymous 304s cost 1 of 60;
//  - two budgets (anonymous 60/h, token 5000/h), rate-limit headers on every answer;
//  - secondary rate limits: 403/429 with a healthy primary budget, with or without Retry-After;
//  - 301 for renamed or transferred repositories, to `/repositories/{id}/…`;
//  - a branch and a tag may share a name: `tags/NAME`, `heads/NAME` and the bare name are data;
//  - trees a repository cannot serve (404/422), 404 for missing or private repositories;
//  - the `vnd.github.sha` answer, with the SHA itself as its ETag, with or without `; charset=utf-8`;
//  - 5xx, latency, dropped connections.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitStore } from './gitModel';

export interface FakeRepoOptions {
  defaultBranch?: string;
  private?: boolean;
  /** files of the first commit on the default branch (path → content; a Buffer for binary files) */
  files?: Record<string, string | Buffer>;
}

export interface LoggedRequest {
  method: string;
  /** path with query string, as received */
  path: string;
  status: number;
  /** request headers, lower-cased names */
  headers: Record<string, string>;
  at: number;
}

interface FakeRepo {
  /** numeric id, stable across renames and transfers (GitHub's redirects name it) */
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  private: boolean;
  branches: Map<string, string>;
  /** tag name → commit SHA, or annotated tag object SHA */
  tags: Map<string, string>;
  /** commit SHA → its full file map, so later commits can be derived from any parent */
  files: Map<string, Map<string, string | Buffer>>;
  /** every blob SHA some commit of this repository holds (the blobs endpoint serves only these) */
  blobs: Set<string>;
  /** recursive tree listings longer than this are cut and flagged `truncated` */
  truncateAfter?: number;
  /** the order a bare ref name is looked up in when a branch and a tag share it */
  bareRefOrder: ('tags' | 'heads')[];
  /** commits whose tree this repository refuses to serve (e.g. a fork's commit), with the status */
  unservable: Map<string, 404 | 422>;
}

interface Budget {
  limit: number;
  remaining: number;
  /** epoch seconds */
  resetAt: number;
}

/** Who GitHub charges: anonymous requests by address (60 an hour), authorized ones by user (5000). */
export type Identity = 'anonymous' | 'token';

interface Failure {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** only requests whose path contains this fail */
  match?: string;
}

type Json = Record<string, unknown> | unknown[];

export class FakeGitHub {
  readonly git = new GitStore();
  readonly requestLog: LoggedRequest[] = [];
  private readonly repos = new Map<string, FakeRepo>();
  /** old `owner/name` (lower-case) → repository id, after a rename or transfer */
  private readonly redirects = new Map<string, number>();
  private nextId = 1000;
  private server?: http.Server;
  private latencyMs = 0;
  private failures: Failure[] = [];
  private validToken?: string;
  private readonly budgets: Record<Identity, Budget> = {
    anonymous: { limit: 60, remaining: 60, resetAt: Math.floor(Date.now() / 1000) + 3600 },
    token: { limit: 5000, remaining: 5000, resetAt: Math.floor(Date.now() / 1000) + 3600 },
  };
  /** secondary rate limit: refused until this ms epoch */
  private secondary?: { until: number; status: 403 | 429; retryAfter?: number };
  private shaCharset = true;
  private down = false;
  private headRefusal?: 404 | 422;
  private inFlight = 0;
  /** most requests the server was answering at the same time */
  maxInFlight = 0;
  baseUrl = '';

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${addr.port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  // ------------------------------------------------------------------ repository model

  addRepo(owner: string, repo: string, opts: FakeRepoOptions = {}): string {
    const r: FakeRepo = {
      id: this.nextId++,
      owner,
      name: repo,
      defaultBranch: opts.defaultBranch ?? 'main',
      private: opts.private ?? false,
      branches: new Map(),
      tags: new Map(),
      files: new Map(),
      bareRefOrder: ['tags', 'heads'],
      unservable: new Map(),
      blobs: new Set(),
    };
    this.repos.set(`${owner}/${repo}`.toLowerCase(), r);
    const files = new Map<string, string | Buffer>(Object.entries(opts.files ?? { 'README.md': `# ${repo}\n` }));
    const sha = this.git.commit(this.git.treeOf(files), [], 'initial');
    for (const c of files.values()) r.blobs.add(this.git.blob(c));
    r.files.set(sha, files);
    r.branches.set(r.defaultBranch, sha);
    return sha;
  }

  /** Commits on top of `branch` (created from the default branch head if new); null deletes a file. */
  commit(owner: string, repo: string, branch: string, changes: Record<string, string | Buffer | null>, message = 'change'): string {
    const r = this.repoOrThrow(owner, repo);
    const parent = r.branches.get(branch) ?? r.branches.get(r.defaultBranch)!;
    const files = new Map(r.files.get(parent)!);
    for (const [p, content] of Object.entries(changes)) {
      if (content === null) {
        for (const k of [...files.keys()]) if (k === p || k.startsWith(`${p}/`)) files.delete(k);
      } else files.set(p, content);
    }
    const sha = this.git.commit(this.git.treeOf(files), [parent], message);
    for (const c of files.values()) r.blobs.add(this.git.blob(c));
    r.files.set(sha, files);
    r.branches.set(branch, sha);
    return sha;
  }

  /** Points a tag at a commit (default: the default branch head); `annotated` adds a tag object. */
  tag(owner: string, repo: string, name: string, commitSha?: string, annotated = false): string {
    const r = this.repoOrThrow(owner, repo);
    const target = commitSha ?? r.branches.get(r.defaultBranch)!;
    r.tags.set(name, annotated ? this.git.annotatedTag(target, name) : target);
    return target;
  }

  branchHead(owner: string, repo: string, branch?: string): string {
    const r = this.repoOrThrow(owner, repo);
    return r.branches.get(branch ?? r.defaultBranch)!;
  }

  setDefaultBranch(owner: string, repo: string, branch: string): void {
    this.repoOrThrow(owner, repo).defaultBranch = branch;
  }

  setPrivate(owner: string, repo: string, isPrivate: boolean): void {
    this.repoOrThrow(owner, repo).private = isPrivate;
  }

  /**
   * Renames or transfers a repository, as GitHub does: the old name answers 301 with a Location
   * under `/repositories/{id}/`, the new name answers as before.
   */
  renameRepo(owner: string, repo: string, newOwner: string, newName: string): void {
    const r = this.repoOrThrow(owner, repo);
    this.repos.delete(`${owner}/${repo}`.toLowerCase());
    this.redirects.set(`${owner}/${repo}`.toLowerCase(), r.id);
    r.owner = newOwner;
    r.name = newName;
    this.repos.set(`${newOwner}/${newName}`.toLowerCase(), r);
    this.redirects.delete(`${newOwner}/${newName}`.toLowerCase());
  }

  /** Points a branch at a commit (creating it), e.g. a branch with the same name as a tag. */
  setBranch(owner: string, repo: string, branch: string, commitSha: string): void {
    this.repoOrThrow(owner, repo).branches.set(branch, commitSha);
  }

  /** How a bare `commits/NAME` is resolved when a tag and a branch share NAME: data, not a fixed rule. */
  setBareRefOrder(owner: string, repo: string, order: ('tags' | 'heads')[]): void {
    this.repoOrThrow(owner, repo).bareRefOrder = order;
  }

  /** This repository cannot serve this commit's tree (404, or 422 as for a SHA it does not know). */
  refuseTree(owner: string, repo: string, commitSha: string, status: 404 | 422 = 404): void {
    this.repoOrThrow(owner, repo).unservable.set(commitSha.toLowerCase(), status);
  }

  /** Recursive tree listings of this repository stop after `entries` entries and say `truncated`. */
  truncateTrees(owner: string, repo: string, entries: number | undefined): void {
    this.repoOrThrow(owner, repo).truncateAfter = entries;
  }

  // ------------------------------------------------------------------ behaviour knobs

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /**
   * Sets the primary rate-limit budget of `who` (both when absent); `resetAt` is epoch milliseconds.
   */
  rateLimit(opts: { remaining: number; resetAt?: number; limit?: number; who?: Identity }): void {
    for (const who of opts.who ? [opts.who] : (['anonymous', 'token'] as const)) {
      const b = this.budgets[who];
      b.remaining = opts.remaining;
      if (opts.limit !== undefined) b.limit = opts.limit;
      if (opts.resetAt !== undefined) b.resetAt = Math.floor(opts.resetAt / 1000);
    }
  }

  /** What is left of a budget (what GitHub would say in `x-ratelimit-remaining`). */
  budget(who: Identity): { limit: number; remaining: number; used: number; resetAt: number } {
    const b = this.budgets[who];
    return { limit: b.limit, remaining: b.remaining, used: b.limit - b.remaining, resetAt: b.resetAt * 1000 };
  }

  /**
   * A secondary rate limit for `forMs`: every request meanwhile is refused with `status` while the
   * primary budget stays healthy, with `Retry-After: retryAfterSeconds` when given (GitHub sends it
   * on some secondary refusals and not on others).
   */
  secondaryLimit(opts: { forMs: number; status?: 403 | 429; retryAfterSeconds?: number }): void {
    this.secondary = { until: Date.now() + opts.forMs, status: opts.status ?? 403, retryAfter: opts.retryAfterSeconds };
  }

  /** `vnd.github.sha` answers carry `; charset=utf-8` (default) or not. */
  shaWithCharset(withCharset: boolean): void {
    this.shaCharset = withCharset;
  }

  /** The next request (or the next one whose path contains `match`) fails with this status. */
  failNext(status: number, headers: Record<string, string> = {}, opts: { body?: unknown; match?: string; times?: number } = {}): void {
    for (let i = 0; i < (opts.times ?? 1); i++) {
      this.failures.push({ status, headers, body: opts.body ?? { message: http.STATUS_CODES[status] ?? 'error' }, match: opts.match });
    }
  }

  /** Only this token is accepted; others get 401, and private repositories need it. */
  requireToken(token: string | undefined): void {
    this.validToken = token;
  }

  /**
   * Answers `commits/HEAD` with this status instead of the default branch's head, as some GitHub
   * Enterprise versions do; `undefined` resolves HEAD again.
   */
  refuseHead(status: 404 | 422 | undefined): void {
    this.headRefusal = status;
  }

  /** Accept connections but drop them without an answer (a broken proxy, a dead link). */
  setDown(down: boolean): void {
    this.down = down;
  }

  clearLog(): void {
    this.requestLog.length = 0;
    this.maxInFlight = 0;
  }

  requests(filter?: { pathIncludes?: string; status?: number; method?: string }): LoggedRequest[] {
    return this.requestLog.filter(
      (r) =>
        (!filter?.pathIncludes || r.path.includes(filter.pathIncludes)) &&
        (filter?.status === undefined || r.status === filter.status) &&
        (!filter?.method || r.method === filter.method),
    );
  }

  // ------------------------------------------------------------------ HTTP

  private repoOrThrow(owner: string, repo: string): FakeRepo {
    const r = this.repos.get(`${owner}/${repo}`.toLowerCase());
    if (!r) throw new Error(`fake GitHub: no repository ${owner}/${repo}`);
    return r;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    const entry: LoggedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', status: 0, headers, at: Date.now() };
    this.requestLog.push(entry);
    if (this.down) {
      req.socket.destroy();
      entry.status = -1;
      return;
    }
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.answer(req, res, entry);
    } finally {
      this.inFlight--;
    }
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse, entry: LoggedRequest): Promise<void> {
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    let status: number;
    let body: string | undefined;
    const out: Record<string, string> = {};
    try {
      ({ status, body } = this.route(entry, out));
    } catch (e) {
      status = 500;
      body = JSON.stringify({ message: `fake GitHub bug: ${e instanceof Error ? e.message : String(e)}` });
      out['content-type'] = 'application/json; charset=utf-8';
    }
    entry.status = status;
    if (!res.writable) return;
    res.writeHead(status, out);
    res.end(status === 304 ? undefined : body);
  }

  private route(req: LoggedRequest, out: Record<string, string>): { status: number; body?: string } {
    const url = new URL(req.path, 'http://fake');
    const json = (status: number, data: Json): { status: number; body: string } => {
      out['content-type'] = 'application/json; charset=utf-8';
      return { status, body: JSON.stringify(data) };
    };

    const auth = req.headers['authorization'];
    const presented = auth?.replace(/^(token|bearer)\s+/i, '');
    const authorized = presented !== undefined && (this.validToken === undefined || presented === this.validToken);
    // Rate-limit bookkeeping first: GitHub sends these headers on every answer.
    const budget = this.budgets[authorized ? 'token' : 'anonymous'];
    const nowS = Math.floor(Date.now() / 1000);
    if (nowS >= budget.resetAt) {
      budget.remaining = budget.limit;
      budget.resetAt = nowS + 3600;
    }
    const setRateHeaders = (): void => {
      out['x-ratelimit-limit'] = String(budget.limit);
      out['x-ratelimit-remaining'] = String(budget.remaining);
      out['x-ratelimit-reset'] = String(budget.resetAt);
      out['x-ratelimit-used'] = String(budget.limit - budget.remaining);
      out['x-ratelimit-resource'] = 'core';
    };

    if (req.method !== 'GET') return json(404, { message: 'Not Found' });

    if (auth !== undefined && this.validToken !== undefined && presented !== this.validToken) {
      setRateHeaders();
      return json(401, { message: 'Bad credentials' });
    }

    if (url.pathname === '/rate_limit') {
      setRateHeaders();
      const core = { limit: budget.limit, remaining: budget.remaining, reset: budget.resetAt, used: budget.limit - budget.remaining };
      return json(200, { resources: { core }, rate: core });
    }

    if (this.secondary && Date.now() < this.secondary.until) {
      setRateHeaders();
      if (this.secondary.retryAfter !== undefined) out['retry-after'] = String(this.secondary.retryAfter);
      return json(this.secondary.status, {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      });
    }

    const fi = this.failures.findIndex((f) => !f.match || req.path.includes(f.match));
    if (fi >= 0) {
      const f = this.failures.splice(fi, 1)[0];
      setRateHeaders();
      Object.assign(out, f.headers);
      return json(f.status, f.body as Json);
    }

    if (budget.remaining <= 0) {
      setRateHeaders();
      return json(403, {
        message: authorized
          ? 'API rate limit exceeded for user ID 1.'
          : 'API rate limit exceeded for 127.0.0.1. (But here\'s the good news: Authenticated requests get a higher rate limit.)',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      });
    }

    const result = this.repoRoute(url, req, authorized, out, json);
    // "Making a conditional request does not count against your primary rate limit if a 304
    // response is returned and the request was made while correctly authorized" — so an
    // anonymous 304 costs a unit like any other answer.
    if (result.status !== 304 || !authorized) budget.remaining = Math.max(0, budget.remaining - 1);
    setRateHeaders();
    return result;
  }

  private repoRoute(
    url: URL,
    req: LoggedRequest,
    authorized: boolean,
    out: Record<string, string>,
    json: (status: number, data: Json) => { status: number; body: string },
  ): { status: number; body?: string } {
    const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' };
    let repo: FakeRepo | undefined;
    let rest: string;
    const byId = /^\/repositories\/(\d+)(?:\/(.*))?$/.exec(url.pathname);
    if (byId) {
      repo = [...this.repos.values()].find((r) => r.id === Number(byId[1]));
      rest = byId[2] ?? '';
    } else {
      const m = /^\/repos\/([^/]+)\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
      if (!m) return json(404, notFound);
      const name = `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`.toLowerCase();
      repo = this.repos.get(name);
      rest = m[3] ?? '';
      const movedTo = repo ? undefined : this.redirects.get(name);
      const moved = movedTo === undefined ? undefined : [...this.repos.values()].find((r) => r.id === movedTo);
      if (moved && (!moved.private || authorized)) {
        const location = `${this.baseUrl}/repositories/${moved.id}${rest ? `/${rest}` : ''}${url.search}`;
        out['location'] = location;
        return json(301, { message: 'Moved Permanently', url: location, documentation_url: 'https://docs.github.com/v3/#http-redirects' });
      }
    }
    if (!repo || (repo.private && !authorized)) return json(404, notFound);

    const conditional = (data: string, contentType: string): { status: number; body?: string } => {
      const etag = `W/"${createHash('sha1').update(contentType).update(data).digest('hex')}"`;
      out['etag'] = etag;
      out['content-type'] = contentType;
      if (req.headers['if-none-match'] === etag) return { status: 304 };
      return { status: 200, body: data };
    };

    if (rest === '') {
      return conditional(
        JSON.stringify({
          id: repo.id,
          name: repo.name,
          full_name: `${repo.owner}/${repo.name}`,
          private: repo.private,
          default_branch: repo.defaultBranch,
          owner: { login: repo.owner },
        }),
        'application/json; charset=utf-8',
      );
    }

    let mm: RegExpExecArray | null;
    if ((mm = /^commits\/(.+)$/.exec(rest))) {
      if (this.headRefusal !== undefined && decodeURIComponent(mm[1]) === 'HEAD') {
        return json(this.headRefusal, this.headRefusal === 422 ? { message: 'No commit found for SHA: HEAD' } : notFound);
      }
      const sha = this.resolve(repo, decodeURIComponent(mm[1]));
      if (!sha) return json(422, { message: `No commit found for SHA: ${decodeURIComponent(mm[1])}` });
      if ((req.headers['accept'] ?? '').includes('application/vnd.github.sha')) {
        // The SHA is its own ETag: "provide the local SHA-1 reference as the ETag" and an
        // unchanged ref answers 304 even on a first request.
        const etag = `"${sha}"`;
        out['etag'] = etag;
        out['content-type'] = this.shaCharset ? 'application/vnd.github.sha; charset=utf-8' : 'application/vnd.github.sha';
        const inm = (req.headers['if-none-match'] ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
        if (inm.includes(etag)) return { status: 304 };
        return { status: 200, body: sha };
      }
      const c = this.git.objects.get(sha);
      const tree = c?.type === 'commit' ? c.tree : '';
      return conditional(
        JSON.stringify({ sha, commit: { tree: { sha: tree }, message: c?.type === 'commit' ? c.message : '' }, parents: [] }),
        'application/json; charset=utf-8',
      );
    }
    if ((mm = /^branches\/(.+)$/.exec(rest))) {
      const name = decodeURIComponent(mm[1]);
      const sha = repo.branches.get(name);
      if (!sha) return json(404, { message: 'Branch not found' });
      return conditional(JSON.stringify({ name, commit: { sha } }), 'application/json; charset=utf-8');
    }
    if ((mm = /^git\/ref\/tags\/(.+)$/.exec(rest))) {
      const name = decodeURIComponent(mm[1]);
      const sha = repo.tags.get(name);
      if (!sha) return json(404, notFound);
      const type = this.git.objects.get(sha)?.type === 'tag' ? 'tag' : 'commit';
      return conditional(JSON.stringify({ ref: `refs/tags/${name}`, object: { type, sha } }), 'application/json; charset=utf-8');
    }
    if ((mm = /^git\/trees\/(.+)$/.exec(rest))) {
      const ident = decodeURIComponent(mm[1]);
      const refused = repo.unservable.get(ident.toLowerCase());
      if (refused === 404) return json(404, notFound);
      if (refused === 422) return json(422, { message: 'The tree could not be found.', documentation_url: 'https://docs.github.com/rest/git/trees#get-a-tree' });
      let treeSha: string | undefined;
      const obj = this.git.objects.get(ident);
      if (obj?.type === 'tree') treeSha = ident;
      else {
        const c = this.resolve(repo, ident);
        const co = c ? this.git.objects.get(c) : undefined;
        if (co?.type === 'commit') treeSha = co.tree;
      }
      if (!treeSha) return json(404, notFound);
      const recursive = url.searchParams.has('recursive') && url.searchParams.get('recursive') !== '0' && url.searchParams.get('recursive') !== 'false';
      const fmt = (p: string, e: { mode: string; type: string; sha: string }) => ({ path: p, mode: e.mode, type: e.type, sha: e.sha });
      let tree = recursive
        ? this.git.walk(treeSha).map(({ path, entry }) => fmt(path, entry))
        : (this.git.objects.get(treeSha) as { entries: { name: string; mode: string; type: string; sha: string }[] }).entries.map((e) => fmt(e.name, e));
      let truncated = false;
      if (recursive && repo.truncateAfter !== undefined && tree.length > repo.truncateAfter) {
        tree = tree.slice(0, repo.truncateAfter);
        truncated = true;
      }
      return conditional(JSON.stringify({ sha: treeSha, tree, truncated }), 'application/json; charset=utf-8');
    }
    if ((mm = /^git\/blobs\/(.+)$/.exec(rest))) {
      // As documented: the content base64-encoded (GitHub wraps it at 60 characters), its size and SHA.
      const sha = decodeURIComponent(mm[1]).toLowerCase();
      const obj = this.git.objects.get(sha);
      if (!repo.blobs.has(sha) || obj?.type !== 'blob') return json(404, notFound);
      const base64 = obj.content.toString('base64').replace(/.{60}/g, '$&\n');
      return conditional(
        JSON.stringify({ sha, node_id: `B_${sha.slice(0, 12)}`, size: obj.content.length, url: `${this.baseUrl}/repos/${repo.owner}/${repo.name}/git/blobs/${sha}`, content: base64, encoding: 'base64' }),
        'application/json; charset=utf-8',
      );
    }
    if ((mm = /^contents(?:\/(.*))?$/.exec(rest))) {
      const p = decodeURIComponent(mm[1] ?? '').replace(/\/+$/, '');
      const ref = url.searchParams.get('ref') ?? repo.defaultBranch;
      const c = this.resolve(repo, ref);
      if (!c) return json(404, { message: `No commit found for the ref ${ref}` });
      const files = repo.files.get(c)!;
      const file = files.get(p);
      if (file !== undefined) {
        return conditional(
          JSON.stringify({ type: 'file', name: p.split('/').pop(), path: p, sha: this.git.blob(file), size: Buffer.byteLength(file), encoding: 'base64', content: Buffer.from(file).toString('base64') }),
          'application/json; charset=utf-8',
        );
      }
      const co = this.git.objects.get(c) as { tree: string };
      const entry = p === '' ? { type: 'tree', sha: co.tree } : this.git.walk(co.tree).find((w) => w.path === p)?.entry;
      if (!entry || entry.type !== 'tree') return json(404, notFound);
      const dir = this.git.objects.get(entry.sha) as { entries: { name: string; type: string; sha: string }[] };
      return conditional(
        JSON.stringify(dir.entries.map((e) => ({ type: e.type === 'tree' ? 'dir' : 'file', name: e.name, path: p ? `${p}/${e.name}` : e.name, sha: e.sha }))),
        'application/json; charset=utf-8',
      );
    }
    return json(404, notFound);
  }

  /**
   * `tags/NAME` and `heads/NAME` (also with `refs/`) name one kind only; a bare name is looked up
   * in the repository's `bareRefOrder`; then HEAD, then a unique abbreviated SHA.
   */
  private resolve(repo: FakeRepo, ref: string): string | undefined {
    const tagOf = (name: string): string | undefined => {
      const tag = repo.tags.get(name);
      if (!tag) return undefined;
      const o = this.git.objects.get(tag);
      return o?.type === 'tag' ? o.object : tag;
    };
    const qualified = /^(?:refs\/)?(heads|tags)\/(.+)$/.exec(ref);
    if (qualified) return qualified[1] === 'tags' ? tagOf(qualified[2]) : repo.branches.get(qualified[2]);
    const r = ref;
    if (/^[0-9a-f]{40}$/i.test(r) && repo.files.has(r.toLowerCase())) return r.toLowerCase();
    for (const kind of repo.bareRefOrder) {
      const sha = kind === 'tags' ? tagOf(r) : repo.branches.get(r);
      if (sha) return sha;
    }
    if (r === 'HEAD') return repo.branches.get(repo.defaultBranch);
    if (/^[0-9a-f]{4,39}$/i.test(r)) {
      const hits = [...repo.files.keys()].filter((s) => s.startsWith(r.toLowerCase()));
      if (hits.length === 1) return hits[0];
    }
    return undefined;
  }
}
