// From a user's or client's key to the collection artifact it names (and the deployed rows of it
// in the folders asked about): the one place a KEY argument is resolved. Keys are parsed only by
// shared/artifactKey.ts; a key that names nothing, or more than one artifact, is an error on that
// request (InvalidParams; exit 2 on the CLI) — never a silent "nothing to check" or a check of
// every collection's namesake.
import { formatParsedKey, isSourceKey, parseArtifactKey, qualifiedKey, type ParsedArtifactKey } from '../../shared/artifactKey';
import { InvalidParamsError } from '../../shared/protocol';
import type { ArtifactRow, WorkspaceStatus } from '../../shared/types';
import { sameArtifactName, type CollectionSnapshot, type HomeSnapshot, type ManifestArtifact } from '../skillmeat';
import type { UpstreamSubject } from '../upstream';

/** A key that cannot be resolved: the message says why (parse error, no match, ambiguous). */
export class ArtifactKeyError extends InvalidParamsError {}

export interface ResolvedArtifact {
  collection: CollectionSnapshot;
  artifact: ManifestArtifact;
  /** `collection/name::type` (the collection's directory name) */
  key: string;
  /** its deployed rows in the folders given, matching the key's profile if it has one */
  rows: { folder: string; row: ArtifactRow }[];
}

/** The upstream checker's view of one collection artifact. */
export function subjectOf(col: CollectionSnapshot, art: ManifestArtifact): UpstreamSubject {
  return {
    collection: col.id,
    name: art.name,
    type: art.type,
    origin: art.origin,
    upstream: art.upstream,
    versionSpec: art.versionSpec,
    resolvedSha: art.resolvedSha,
    originSource: art.originSource,
  };
}

function inCollection(key: ParsedArtifactKey, col: CollectionSnapshot): boolean {
  return key.collection === undefined || key.collection === col.id || key.collection === col.name;
}

function rowIsOf(row: ArtifactRow, col: CollectionSnapshot, art: ManifestArtifact): boolean {
  return row.type === art.type && sameArtifactName(row.name, art.name) && (row.collection === null || row.collection === col.name || row.collection === col.id);
}

/**
 * The one artifact `text` names. Names compare as SkillMeat compares them (one document extension
 * stripped), an exact name winning over a stripped one; a collection may be given by directory or
 * by `[collection].name`. A profile (`name::type::profile`) names a deployment: with `workspaces`
 * it must match one of their rows, and only collections those rows came from are considered.
 */
export function resolveArtifact(home: HomeSnapshot, text: string, workspaces: readonly WorkspaceStatus[] = []): ResolvedArtifact {
  const parsed = parseArtifactKey(text);
  if (!parsed.ok) throw new ArtifactKeyError(parsed.error);
  const key = parsed.key;
  let matches: { col: CollectionSnapshot; art: ManifestArtifact; exact: boolean }[] = [];
  for (const col of home.collections.values()) {
    if (!inCollection(key, col)) continue;
    for (const art of col.artifacts) {
      if (key.type !== undefined && key.type !== art.type) continue;
      if (!sameArtifactName(key.name, art.name)) continue;
      matches.push({ col, art, exact: key.name === art.name });
    }
  }
  if (matches.some((m) => m.exact)) matches = matches.filter((m) => m.exact);
  const rowsOf = (col: CollectionSnapshot, art: ManifestArtifact) =>
    workspaces.flatMap((ws) =>
      ws.artifacts.filter((r) => rowIsOf(r, col, art) && (key.profile === undefined || r.profile === key.profile)).map((row) => ({ folder: ws.folder, row })),
    );
  if (key.profile !== undefined && workspaces.length) {
    const deployed = matches.filter((m) => rowsOf(m.col, m.art).length > 0);
    if (deployed.length) matches = deployed;
    else throw new ArtifactKeyError(`no deployed artifact matches "${text}" in ${workspaces.map((w) => w.folder).join(', ')}`);
  }
  if (matches.length === 0) throw new ArtifactKeyError(`no artifact matches "${text}"${home.exists ? '' : ` (no SkillMeat home at ${home.home})`}`);
  if (matches.length > 1) {
    const names = matches.map((m) => qualifiedKey(m.col.id, m.art.name, m.art.type));
    throw new ArtifactKeyError(`"${formatParsedKey(key)}" is ambiguous: ${names.join(', ')} (name one as collection/name::type)`);
  }
  const [{ col, art }] = matches;
  return { collection: col, artifact: art, key: qualifiedKey(col.id, art.name, art.type), rows: rowsOf(col, art) };
}

/**
 * `invalidate --upstream KEY…` and `check-upstream KEY…`: every key resolved, the first one that
 * does not resolve failing the request. Source keys (`github:…`) pass through when `sources` is
 * given.
 */
export function resolveArtifacts(home: HomeSnapshot, keys: readonly string[], workspaces: readonly WorkspaceStatus[] = [], sources?: string[]): ResolvedArtifact[] {
  const out = new Map<string, ResolvedArtifact>();
  for (const k of keys) {
    if (sources && isSourceKey(k)) {
      sources.push(k);
      continue;
    }
    const r = resolveArtifact(home, k, workspaces);
    if (!out.has(r.key)) out.set(r.key, r);
  }
  return [...out.values()];
}
