// Upstream content for the diff, fetched once: file listings from the commit's tree (kept by the
// folder's tree SHA), file bytes by blob SHA through the content-addressed store, one download per
// blob however many callers ask at once. Everything goes through the checker's GitHub client, so
// the token, the concurrency cap and the rate-limit gate are the check's. Also describes every
// upstream answer (links, and the change summary computed from the two trees the check fetched).
import * as path from 'node:path';
import QuickLRU from 'quick-lru';
import type { DiffSummary, UpstreamInfo } from '../../shared/types';
import type { BlobStore } from '../cache/blobStore';
import { nullLogger, type Logger } from '../cache/logger';
import type { PathEntry } from '../cache/upstreamCache';
import { summarize } from '../diff/diffEngine';
import type { UpstreamHandle, UpstreamListing } from '../diff/artifactDiff';
import { formatHHMM, GitHubError, type RequestCounter } from './githubClient';
import type { FileListing, TreeListings } from './treeListings';
import type { UpstreamTarget } from './types';
import type { UpstreamChecker } from './upstreamChecker';

export function refText(t: UpstreamTarget): string {
  return t.ref.kind === 'default' ? 'HEAD' : t.ref.kind === 'commit' ? t.ref.sha : t.ref.name;
}

function webBase(t: UpstreamTarget): string {
  const enc = (s: string) => encodeURIComponent(s);
  return `https://${t.host}/${enc(t.owner)}/${enc(t.repo)}`;
}

function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

export class UpstreamContent {
  private readonly inflight = new Map<string, Promise<Buffer>>();
  /** "<base object SHA>:<head object SHA>" → summary (both immutable) */
  private readonly summaries = new QuickLRU<string, DiffSummary>({ maxSize: 10_000 });
  /** blobs downloaded from GitHub since start (the bench's budget figure) */
  downloads = 0;

  constructor(
    private readonly checker: UpstreamChecker,
    private readonly listings: TreeListings,
    private readonly blobs: BlobStore,
    private readonly log: Logger = nullLogger,
  ) {}

  /** The diff's view of one artifact's upstream; each call of a handle counts its own requests. */
  handle(t: UpstreamTarget, counter: RequestCounter = { n: 0 }): UpstreamHandle {
    return {
      ref: refText(t),
      baseSha: t.resolvedSha,
      head: async () => {
        const h = await this.checker.headOf(t, counter);
        const warning = h.staleBecause ? `${h.staleBecause}; comparing with the upstream head known at ${formatHHMM(h.checkedAt ?? 0)}` : undefined;
        return { commit: h.head, ...(warning ? { warning } : {}) };
      },
      listing: (commit) => this.listing(counter, t, commit),
      blob: (sha) => this.blob(counter, t, sha),
    };
  }

  async listing(counter: RequestCounter, t: UpstreamTarget, commit: string): Promise<UpstreamListing> {
    await this.listings.ready;
    const e = await this.checker.pathEntries.at(counter, { ...t, via: this.checker.currentName(t) }, commit, t.path);
    const files = await this.filesOf(counter, t, commit, e);
    if (!files) return { kind: 'missing', files: new Map() };
    return { kind: 'type' in e && e.type === 'blob' ? 'file' : 'dir', files: new Map(files) };
  }

  private async filesOf(counter: RequestCounter, t: UpstreamTarget, commit: string, e: PathEntry): Promise<FileListing | undefined> {
    if ('missing' in e || e.type === 'commit') return undefined;
    if (e.type === 'blob') return new Map([[path.posix.basename(t.path), e.sha]]);
    const known = this.known(t, commit, e.sha);
    if (known) return known;
    const name = this.checker.currentName(t);
    const tree = await this.checker.github.tree(counter, name.owner, name.repo, e.sha, true);
    if (tree.truncated) throw new GitHubError('other', `the listing of ${t.path || 'the repository'} is too large for GitHub to send whole`);
    const files = new Map<string, string>();
    for (const x of tree.tree) if (x.type === 'blob') files.set(x.path, x.sha.toLowerCase());
    this.listings.set(e.sha, files);
    return files;
  }

  /** A listing without any request: kept, or cut from a commit listing still in memory. */
  private known(t: UpstreamTarget, commit: string, treeSha: string): FileListing | undefined {
    const kept = this.listings.get(treeSha);
    if (kept) return kept;
    const cut = this.checker.pathEntries.filesUnder(t, commit, t.path);
    if (cut) this.listings.set(treeSha, cut);
    return cut;
  }

  async blob(counter: RequestCounter, t: UpstreamTarget, sha: string): Promise<Buffer> {
    sha = sha.toLowerCase();
    const running = this.inflight.get(sha);
    if (running) return running;
    const p = this.fetchBlob(counter, t, sha).finally(() => this.inflight.delete(sha));
    this.inflight.set(sha, p);
    return p;
  }

  private async fetchBlob(counter: RequestCounter, t: UpstreamTarget, sha: string): Promise<Buffer> {
    const stored = await this.blobs.get(sha).catch(() => undefined);
    if (stored) return stored;
    const name = this.checker.currentName(t);
    const bytes = await this.checker.github.blob(counter, name.owner, name.repo, sha);
    this.downloads++;
    await this.blobs.put(sha, bytes).catch((e) => this.log.warn(`blob store: ${(e as Error).message}`));
    return bytes;
  }

  // ---------------------------------------------------------------- for the check

  /** After a check: keep the listings of both commits while their commit listings are in memory. */
  onTrees(t: UpstreamTarget, base: string, head: string): void {
    for (const commit of [base, head]) {
      const e = this.checker.pathEntries.peek(t, commit, t.path);
      if (e && 'type' in e && e.type === 'tree' && !this.listings.has(e.sha)) this.known(t, commit, e.sha);
    }
  }

  /** The per-file summary of base → head from what is known, without any request. */
  changes(t: UpstreamTarget, base: string, head: string): DiffSummary | undefined {
    const entries = [base, head].map((commit) => this.checker.pathEntries.peek(t, commit, t.path));
    if (!entries[0] || !entries[1]) return undefined;
    // Rows ask on every recomputation: the answer depends only on the two objects' SHAs.
    const memoKey = entries.map((e) => ('missing' in e! ? '-' : e!.sha)).join(':');
    const memo = this.summaries.get(memoKey);
    if (memo) return memo;
    const sides: FileListing[] = [];
    for (const [i, commit] of [base, head].entries()) {
      const e = entries[i]!;
      if ('missing' in e || e.type === 'commit') sides.push(new Map());
      else if (e.type === 'blob') sides.push(new Map([[path.posix.basename(t.path), e.sha]]));
      else {
        const l = this.known(t, commit, e.sha);
        if (!l) return undefined;
        sides.push(l);
      }
    }
    const toShas = (l: FileListing) => new Map([...l].map(([p, sha]) => [p, { sha }]));
    const summary = summarize(toShas(sides[0]), toShas(sides[1]));
    this.summaries.set(memoKey, summary);
    return summary;
  }

  /** Links for "Open on GitHub" and, for an update, what changed upstream file by file. */
  describe(t: UpstreamTarget, info: UpstreamInfo): UpstreamInfo {
    if (info.state === 'untracked') return info;
    const out: UpstreamInfo = { ...info, ref: refText(t) };
    out.baseSha ??= t.resolvedSha;
    const base = webBase(t);
    const head = out.headSha;
    // The folder or file at the head; where it was removed upstream, as the collection took it.
    let linkCommit = head ?? t.resolvedSha;
    let e = this.checker.pathEntries.peek(t, linkCommit, t.path);
    if (e && 'missing' in e) {
      linkCommit = t.resolvedSha;
      e = this.checker.pathEntries.peek(t, linkCommit, t.path);
    }
    const kind = e && 'type' in e && e.type === 'blob' ? 'blob' : 'tree';
    out.webUrl = t.path === '' ? `${base}/tree/${linkCommit}` : `${base}/${kind}/${linkCommit}/${encodePath(t.path)}`;
    if (head && head !== t.resolvedSha) out.compareUrl = `${base}/compare/${t.resolvedSha}...${head}`;
    if (info.state === 'update-available' && head) {
      const c = this.changes(t, t.resolvedSha, head);
      if (c) out.changes = c;
    }
    return out;
  }
}
