// Which collection artifacts have a checkable GitHub upstream, and the cache keys derived from them.
import type { RefSpec, UpstreamSubject, UpstreamTarget } from './types';

const FULL_SHA = /^[0-9a-f]{40}$/i;
const SHORT_SHA = /^[0-9a-f]{7,40}$/i;

/** `collection/name::type` — how results are keyed. */
export function subjectKey(s: Pick<UpstreamSubject, 'collection' | 'name' | 'type'>): string {
  return `${s.collection}/${s.name}::${s.type}`;
}

export function refSpecOf(versionSpec: string | undefined): RefSpec {
  const v = (versionSpec ?? '').trim();
  if (v === '' || v.toLowerCase() === 'latest') return { kind: 'default' };
  // SkillMeat's own rule: hex-looking specs are commits, even if a branch has such a name.
  if (SHORT_SHA.test(v)) return { kind: 'commit', sha: v.toLowerCase() };
  return { kind: 'named', name: v };
}

function refText(ref: RefSpec): string {
  return ref.kind === 'default' ? 'latest' : ref.kind === 'commit' ? ref.sha : ref.name;
}

/** `github:<host>/<owner>/<repo>` */
export function repoKey(t: Pick<UpstreamTarget, 'host' | 'owner' | 'repo'>): string {
  return `github:${t.host}/${t.owner}/${t.repo}`.toLowerCase();
}

/** `github:<host>/<owner>/<repo>@<ref>` — the key of one ref answer, shared by every artifact of that ref. */
export function sourceKey(t: Pick<UpstreamTarget, 'host' | 'owner' | 'repo' | 'ref'>): string {
  return `${repoKey(t)}@${refText(t.ref)}`;
}

/** `github:<host>/<owner>/<repo>#<commitSha>:<path>` — immutable: a commit never changes. */
export function entryKey(t: Pick<UpstreamTarget, 'host' | 'owner' | 'repo'>, commitSha: string, path: string): string {
  return `${repoKey(t)}#${commitSha.toLowerCase()}:${path}`;
}

interface ParsedUpstream {
  host: string;
  owner: string;
  repo: string;
  /** segments after `tree|blob` (ref and path, not yet split) */
  rest: string[];
  /** true when the URL had a `tree/<ref>` part */
  hasRef: boolean;
}

function parseUpstream(raw: string): ParsedUpstream | string {
  const text = raw.trim();
  let host = 'github.com';
  let segments: string[];
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      return `upstream is not a valid URL: ${text}`;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return `upstream URL scheme ${u.protocol} is not supported`;
    host = u.hostname.toLowerCase();
    segments = u.pathname.split('/').filter(Boolean);
  } else {
    // The documented short form `owner/repo/path`.
    segments = text.split('/').filter(Boolean);
  }
  try {
    segments = segments.map((s) => decodeURIComponent(s));
  } catch {
    return `upstream URL has a malformed escape: ${text}`;
  }
  if (segments.length < 2) return `upstream is not a GitHub repository URL: ${text}`;
  const [owner, repoRaw, kind, ...rest] = segments;
  const repo = repoRaw.replace(/\.git$/i, '');
  const nameOk = (s: string): boolean => /^[A-Za-z0-9_.-]+$/.test(s) && s !== '.' && s !== '..';
  if (!nameOk(owner) || !nameOk(repo)) return `upstream has an invalid owner or repository name: ${text}`;
  if (kind === undefined) return { host, owner, repo, rest: [], hasRef: false };
  if (kind === 'tree' || kind === 'blob') {
    if (rest.length === 0) return `upstream URL has no ref after /${kind}/: ${text}`;
    return { host, owner, repo, rest, hasRef: true };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return `upstream URL is not a tree or blob URL: ${text}`;
  return { host, owner, repo, rest: [kind, ...rest], hasRef: false };
}

/** The GitHub target of a collection artifact, or why it has none (`untracked`). */
export function targetOf(s: UpstreamSubject): { target: UpstreamTarget } | { untracked: string } {
  const origin = (s.origin ?? '').toLowerCase();
  if (origin === 'local') return { untracked: 'local artifact: no upstream source' };
  if (origin === 'marketplace') {
    const src = (s.originSource ?? '').toLowerCase();
    if (src !== 'github') return { untracked: src ? `marketplace source ${s.originSource} is not checked (GitHub only)` : 'marketplace entry without a source' };
  } else if (origin !== 'github') {
    return { untracked: `origin "${s.origin}" has no GitHub upstream` };
  }
  if (!s.upstream || !s.upstream.trim()) return { untracked: 'no upstream URL recorded' };
  if (!s.resolvedSha || !s.resolvedSha.trim()) {
    return { untracked: 'no resolved commit recorded (resolved_sha): the fetched version is unknown' };
  }
  const resolvedSha = s.resolvedSha.trim().toLowerCase();
  if (!FULL_SHA.test(resolvedSha)) return { untracked: `resolved_sha "${s.resolvedSha}" is not a 40-character commit SHA` };

  const parsed = parseUpstream(s.upstream);
  if (typeof parsed === 'string') return { untracked: parsed };
  const ref = refSpecOf(s.versionSpec);
  let pathSegments: string[];
  if (!parsed.hasRef) pathSegments = parsed.rest;
  else {
    // The URL's ref may itself contain slashes (`feature/x`); when it matches the spec, skip all of it.
    const refSegs = ref.kind === 'named' ? ref.name.split('/').filter(Boolean) : [];
    const matchesSpec = refSegs.length > 1 && refSegs.every((seg, i) => parsed.rest[i] === seg);
    pathSegments = parsed.rest.slice(matchesSpec ? refSegs.length : 1);
  }
  if (pathSegments.some((seg) => seg === '..' || seg === '.')) return { untracked: `upstream path is not safe: ${s.upstream}` };
  return {
    target: { host: parsed.host, owner: parsed.owner, repo: parsed.repo, path: pathSegments.join('/'), ref, resolvedSha },
  };
}
