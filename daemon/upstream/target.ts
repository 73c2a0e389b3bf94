// Which collection artifacts have a checkable GitHub upstream, and the cache keys derived from them.
import { qualifiedKey } from '../../shared/artifactKey';
import type { RefSpec, UpstreamSubject, UpstreamTarget } from './types';

const FULL_SHA = /^[0-9a-f]{40}$/i;
const SHORT_SHA = /^[0-9a-f]{7,40}$/i;

/** `collection/name::type` — how results are keyed. */
export function subjectKey(s: Pick<UpstreamSubject, 'collection' | 'name' | 'type'>): string {
  return qualifiedKey(s.collection, s.name, s.type);
}

export function refSpecOf(versionSpec: string | undefined): RefSpec {
  // SkillMeat's web UI stores a typed `v2.0.0` as `@v2.0.0` (PUT /artifacts/{id}/parameters);
  // its own resolver drops the `@` (`rsplit('@', 1)`), and so do we.
  const v = (versionSpec ?? '').trim().replace(/^@+/, '').trim();
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
  /** segments after `tree|blob` (ref and path, not yet split), or the path when there is no ref part */
  rest: string[];
  /** true when the URL had a `tree/<ref>` part */
  hasRef: boolean;
  /** the short form's trailing `@ref` (`owner/repo/path@v2.0.0`, as SkillMeat's web UI stores it) */
  sourceRef?: string;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(.*)$/is;

/**
 * True when the text reads as a percent-encoded URL (copied from a browser): at least one `%XX`,
 * every `%` starts one, and nothing a URL would have had to encode (space, `#`, `?`, non-ASCII).
 * SkillMeat writes paths raw (`c#-tools`, `100%-done`, `Über uns`), and those are taken as they are.
 */
function looksEncoded(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (/[\s#?]|[^\x00-\x7f]/.test(text)) return false;
  if (!/%[0-9a-f]{2}/i.test(text)) return false;
  return !/%(?![0-9a-f]{2})/i.test(text);
}

function decodeSegment(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    // Valid-looking escapes that are not UTF-8: the segment is the name as written.
    return seg;
  }
}

/**
 * Splits an upstream as a string, never through `new URL()`: a `#` in a path is part of the path
 * (not a fragment), and a `%` that starts no escape is just a character.
 */
function parseUpstream(raw: string): ParsedUpstream | string {
  const text = raw.trim();
  let host = 'github.com';
  let segments: string[];
  let sourceRef: string | undefined;
  const m = SCHEME.exec(text);
  const isUrl = m !== null;
  if (m) {
    const scheme = m[1].toLowerCase();
    if (scheme !== 'https' && scheme !== 'http') return `upstream URL scheme ${scheme}: is not supported`;
    const authority = m[2];
    if (authority.includes('@')) return `upstream URL must not carry credentials: ${scheme}://…${m[3]}`;
    const hostname = authority.replace(/:\d+$/, '').toLowerCase();
    if (!/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(hostname)) return `upstream is not a valid URL: ${text}`;
    host = hostname;
    segments = m[3].split('/').filter(Boolean);
  } else {
    // SkillMeat's spec form `owner/repo[/path][@ref]`: the ref is what follows the last `@`
    // (`rsplit('@', 1)` in skillmeat/sources/github.py).
    let spec = text;
    const at = spec.lastIndexOf('@');
    if (at >= 0) {
      const ref = spec.slice(at + 1).trim();
      spec = spec.slice(0, at);
      if (ref !== '') sourceRef = ref;
    }
    segments = spec.split('/').filter(Boolean);
  }
  if (looksEncoded(text)) segments = segments.map(decodeSegment);
  if (segments.length < 2) return `upstream is not a GitHub repository URL: ${text}`;
  const [owner, repoRaw, kind, ...rest] = segments;
  const repo = repoRaw.replace(/\.git$/i, '');
  const nameOk = (s: string): boolean => /^[A-Za-z0-9_.-]+$/.test(s) && s !== '.' && s !== '..';
  if (!nameOk(owner) || !nameOk(repo)) return `upstream has an invalid owner or repository name: ${text}`;
  if (kind === undefined) return { host, owner, repo, rest: [], hasRef: false, sourceRef };
  if (isUrl && (kind === 'tree' || kind === 'blob')) {
    if (rest.length === 0) return `upstream URL has no ref after /${kind}/: ${text}`;
    return { host, owner, repo, rest, hasRef: true };
  }
  // The short form, and skillman's `https://github.com/{owner}/{repo}/{path}` (no `tree/<ref>/`,
  // skillmeat/utils/migration.py): everything after the repository is the path.
  return { host, owner, repo, rest: [kind, ...rest], hasRef: false, sourceRef };
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
  // version_spec decides, as in SkillMeat's update; the short form's own `@ref` when it says "latest".
  let ref = refSpecOf(s.versionSpec);
  if (ref.kind === 'default' && parsed.sourceRef) ref = refSpecOf(parsed.sourceRef);
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
