// The git object (tree or blob SHA) at an artifact's path in a given commit. Comparing these two
// SHAs tells "this artifact changed" apart from "something else in the repository changed".
// One recursive tree per commit serves every artifact of that repository; big repositories whose
// listing comes back truncated are walked segment by segment instead.
import QuickLRU from 'quick-lru';
import { entryKey, repoKey } from './target';
import type { PathEntry, UpstreamCache } from '../cache/upstreamCache';
import { GitHubError, type GitHubClient, type RequestCounter, type TreeListing } from './githubClient';

interface RepoRef {
  host: string;
  owner: string;
  repo: string;
  /** the name to ask GitHub by, when the repository moved (keys keep the recorded name) */
  via?: { owner: string; repo: string };
}

function commitKey(r: RepoRef, commitSha: string): string {
  return `${repoKey(r)}#${commitSha.toLowerCase()}`;
}

interface Listing {
  rootSha: string;
  truncated: boolean;
  entries: Map<string, { type: string; sha: string }>;
}

function entryOf(e: { type: string; sha: string } | undefined): PathEntry {
  if (!e) return { missing: true };
  const type = e.type === 'tree' || e.type === 'commit' ? e.type : 'blob';
  return { type, sha: e.sha.toLowerCase() };
}

export class PathEntries {
  // Whole listings are only kept in memory and briefly: the disk keeps just the entries asked for.
  private readonly listings = new QuickLRU<string, Listing>({ maxSize: 16 });
  private readonly subtrees = new QuickLRU<string, TreeListing>({ maxSize: 256 });
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: () => GitHubClient,
    private readonly cache: UpstreamCache,
  ) {}

  /** From the cache only; undefined when not known yet. */
  peek(r: RepoRef, commitSha: string, path: string): PathEntry | undefined {
    return this.cache.getEntry(entryKey(r, commitSha, path));
  }

  async at(counter: RequestCounter, r: RepoRef, commitSha: string, path: string): Promise<PathEntry> {
    const key = entryKey(r, commitSha, path);
    const cached = this.cache.getEntry(key);
    if (cached) return cached;
    // A commit the repository could not serve is answered like an entry: no request inside the TTL.
    const refused = this.cache.getUnservable(commitKey(r, commitSha));
    if (refused) throw new GitHubError(refused.status === 404 ? 'not-found' : 'bad-ref', refused.reason, undefined, refused.status);
    const listing = await this.listing(counter, r, commitSha);
    let entry: PathEntry;
    if (path === '') entry = { type: 'tree', sha: listing.rootSha };
    else if (listing.entries.has(path) || !listing.truncated) entry = entryOf(listing.entries.get(path));
    else entry = await this.walk(counter, r, listing.rootSha, path);
    this.cache.setEntry(key, entry);
    return entry;
  }

  /**
   * The files (blobs) below `path` at a commit, relative to it, from a commit listing still in
   * memory — what the diff and the change summary use without asking GitHub again. Undefined when
   * the listing is not in memory or was truncated.
   */
  filesUnder(r: RepoRef, commitSha: string, path: string): Map<string, string> | undefined {
    const listing = this.listings.get(entryKey(r, commitSha, ''));
    if (!listing || listing.truncated) return undefined;
    const prefix = path === '' ? '' : `${path}/`;
    const files = new Map<string, string>();
    for (const [p, e] of listing.entries) {
      if (e.type === 'blob' && p.startsWith(prefix)) files.set(p.slice(prefix.length), e.sha.toLowerCase());
    }
    return files;
  }

  private once<T>(key: string, run: () => Promise<T>): Promise<T> {
    const existing = this.inflight.get(key);
    if (existing) return existing as Promise<T>;
    const p = run().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private listing(counter: RequestCounter, r: RepoRef, commitSha: string): Promise<Listing> {
    const key = entryKey(r, commitSha, '');
    const hit = this.listings.get(key);
    if (hit) return Promise.resolve(hit);
    return this.once(`list:${key}`, async () => {
      let t: TreeListing;
      try {
        t = await this.client().tree(counter, r.via?.owner ?? r.owner, r.via?.repo ?? r.repo, commitSha, true);
      } catch (e) {
        if (e instanceof GitHubError && (e.status === 404 || e.status === 422)) {
          this.cache.setUnservable(commitKey(r, commitSha), e.status, e.message);
        }
        throw e;
      }
      const entries = new Map<string, { type: string; sha: string }>();
      for (const e of t.tree) entries.set(e.path, { type: e.type, sha: e.sha });
      const listing: Listing = { rootSha: t.sha.toLowerCase(), truncated: t.truncated, entries };
      this.listings.set(key, listing);
      return listing;
    });
  }

  private async walk(counter: RequestCounter, r: RepoRef, rootSha: string, path: string): Promise<PathEntry> {
    let treeSha = rootSha;
    const segments = path.split('/');
    for (let i = 0; i < segments.length; i++) {
      const tree = await this.subtree(counter, r, treeSha);
      const e = tree.tree.find((x) => x.path === segments[i]);
      if (!e) return { missing: true };
      if (i === segments.length - 1) return entryOf(e);
      if (e.type !== 'tree') return { missing: true };
      treeSha = e.sha;
    }
    return { missing: true };
  }

  private subtree(counter: RequestCounter, r: RepoRef, treeSha: string): Promise<TreeListing> {
    const key = `${r.host}/${r.owner}/${r.repo}#${treeSha}`.toLowerCase();
    const hit = this.subtrees.get(key);
    if (hit) return Promise.resolve(hit);
    return this.once(`tree:${key}`, async () => {
      const t = await this.client().tree(counter, r.via?.owner ?? r.owner, r.via?.repo ?? r.repo, treeSha, false);
      this.subtrees.set(key, t);
      return t;
    });
  }
}
