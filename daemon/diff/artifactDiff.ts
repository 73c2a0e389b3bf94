// What changed in one artifact, per scope: finds the artifact a KEY names (a deployed row for the
// project side, a collection entry for the collection and upstream sides), reads each side and
// hands both to the pure comparison. Upstream content comes through an UpstreamSource, which only
// downloads files whose git blob SHA differs from the other side's.
import * as path from 'node:path';
import { formatParsedKey, keyMatches, parseArtifactKey, qualifiedKey, type ParsedArtifactKey } from '../../shared/artifactKey';
import { InvalidParamsError, type DiffParams, type FileContentParams } from '../../shared/protocol';
import type { ArtifactRow, DiffResult, DiffScope, DiffSide, FileContentResult } from '../../shared/types';
import { findArtifact, findCollection, type CollectionSnapshot, type HomeSnapshot, type ManifestArtifact } from '../skillmeat';
import { listHashInputs } from '../skillmeat/contentHash';
import { changedPaths, compareSides, type SideFile } from './diffEngine';
import { isBinary } from './lineDiff';
import { readLocalSide, readRegularFile, type LocalSide } from './localSide';

/**
 * A diff that cannot be made as asked (scope does not apply, key unknown or ambiguous): bad input
 * for that one request (InvalidParams; exit 2 on the CLI).
 */
export class DiffError extends InvalidParamsError {
  constructor(message: string) {
    super(message);
    this.name = 'DiffError';
  }
}

/** Files of an upstream side: path → git blob SHA. */
export interface UpstreamListing {
  kind: 'file' | 'dir' | 'missing';
  files: Map<string, string>;
}

/** The upstream of one collection artifact, as the diff needs it. */
export interface UpstreamHandle {
  /** `main`, `v2.0.0`, a commit, or `HEAD` for the default branch */
  ref: string;
  /** the commit the collection took (resolved_sha) */
  baseSha: string;
  /** the head of the ref; `warning` when it is an older answer (GitHub could not be asked) */
  head(): Promise<{ commit: string; warning?: string }>;
  listing(commit: string): Promise<UpstreamListing>;
  /** a blob's bytes from the store, or downloaded once; throws with the reason */
  blob(sha: string): Promise<Buffer>;
}

export interface DiffInputs {
  home: HomeSnapshot;
  /** deployed rows of the folders asked about */
  rows: ArtifactRow[];
  folders: string[];
  /** the upstream of a collection artifact, or why it has none */
  upstream(col: CollectionSnapshot, art: ManifestArtifact): UpstreamHandle | { none: string };
}

/** Largest file text `fileContent` returns (a diff document is for reading, not for archives). */
export const MAX_TEXT_BYTES = 1024 * 1024;

interface Resolved {
  row?: ArtifactRow;
  col?: CollectionSnapshot;
  art?: ManifestArtifact;
}

function parseKey(key: string): ParsedArtifactKey {
  const k = parseArtifactKey(key);
  if (!k.ok) throw new DiffError(k.error);
  return k.key;
}

function rowsFor(inp: DiffInputs, key: ParsedArtifactKey): ArtifactRow[] {
  return inp.rows.filter((r) => {
    const target = { name: r.name, type: r.type, profile: r.profile };
    if (keyMatches(key, { ...target, collection: r.collection })) return true;
    // The key may name the collection by its directory, the row by its [collection].name.
    const id = r.collection ? findCollection(inp.home, r.collection)?.id : undefined;
    return id !== undefined && keyMatches(key, { ...target, collection: id });
  });
}

function artifactsFor(inp: DiffInputs, key: ParsedArtifactKey): { col: CollectionSnapshot; art: ManifestArtifact }[] {
  const k: ParsedArtifactKey = { ...key };
  delete k.profile;
  const out: { col: CollectionSnapshot; art: ManifestArtifact }[] = [];
  for (const col of inp.home.collections.values()) {
    for (const art of col.artifacts) {
      if (keyMatches(k, { collection: col.id, name: art.name, type: art.type }) || (col.name !== col.id && keyMatches(k, { collection: col.name, name: art.name, type: art.type }))) {
        out.push({ col, art });
      }
    }
  }
  return out;
}

function oneRow(inp: DiffInputs, key: ParsedArtifactKey, text: string): ArtifactRow {
  const rows = rowsFor(inp, key);
  if (rows.length === 1) return rows[0];
  if (rows.length === 0) {
    if (inp.folders.length === 0) throw new DiffError(`${text}: the project side needs a workspace folder (--workspace DIR)`);
    throw new DiffError(`${text} is not deployed in ${inp.folders.join(', ')}`);
  }
  const names = rows.map((r) => (inp.folders.length > 1 ? `${r.key} (${path.dirname(path.dirname(r.trackerFile))})` : r.key));
  throw new DiffError(`${text} is ambiguous: ${names.join(', ')}; give name::type::profile`);
}

function collectionOfRow(inp: DiffInputs, row: ArtifactRow): { col: CollectionSnapshot; art: ManifestArtifact } | undefined {
  const col = row.collection ? findCollection(inp.home, row.collection) : undefined;
  const art = col ? findArtifact(col, row.name, row.type) : undefined;
  return col && art ? { col, art } : undefined;
}

function oneArtifact(inp: DiffInputs, key: ParsedArtifactKey, text: string): { col: CollectionSnapshot; art: ManifestArtifact } {
  let found = artifactsFor(inp, key);
  if (found.length !== 1) {
    // A deployed row names its collection: that settles a name found in several collections.
    const rows = rowsFor(inp, key);
    const viaRows = rows.map((r) => collectionOfRow(inp, r)).filter((x): x is { col: CollectionSnapshot; art: ManifestArtifact } => !!x);
    const unique = new Map(viaRows.map((x) => [`${x.col.id}/${x.art.name}::${x.art.type}`, x]));
    if (unique.size === 1) found = [...unique.values()];
  }
  if (found.length === 1) return found[0];
  if (found.length === 0) throw new DiffError(`no artifact ${text} in any collection`);
  const names = found.map((f) => qualifiedKey(f.col.id, f.art.name, f.art.type));
  throw new DiffError(`${text} is ambiguous: ${names.join(', ')}; give collection/name::type`);
}

function resolve(inp: DiffInputs, keyText: string, needs: { project: boolean; collection: boolean }): Resolved {
  const key = parseKey(keyText);
  const text = formatParsedKey(key);
  const out: Resolved = {};
  if (needs.project) {
    out.row = oneRow(inp, key, text);
    if (needs.collection) {
      const c = collectionOfRow(inp, out.row);
      if (!c) throw new DiffError(`${out.row.key}: its collection entry cannot be found (${out.row.reason ?? `collection ${out.row.collection ?? '?'}`})`);
      out.col = c.col;
      out.art = c.art;
    }
  } else if (needs.collection) {
    const c = oneArtifact(inp, key, text);
    out.col = c.col;
    out.art = c.art;
  }
  return out;
}

function projectPath(row: ArtifactRow): string {
  if (!row.projectPath) throw new DiffError(`${row.key}: the project copy cannot be read (${row.reason ?? 'unsafe or unknown path'})`);
  return row.projectPath;
}

function collectionPathOf(key: string, art: ManifestArtifact | undefined, row?: ArtifactRow): string {
  const p = row?.collectionPath ?? art?.resolvedPath;
  if (!p) throw new DiffError(`${key}: the collection copy cannot be read (${art?.pathError ?? row?.reason ?? 'no path'})`);
  return p;
}

function upstreamOf(inp: DiffInputs, scope: DiffScope, r: Resolved): UpstreamHandle {
  const u = inp.upstream(r.col!, r.art!);
  if ('none' in u) throw new DiffError(`scope ${scope} does not apply to ${qualifiedKey(r.col!.id, r.art!.name, r.art!.type)}: ${u.none}`);
  return u;
}

/** A single-file artifact is one file: both sides use one name for it (the first side's file name). */
function pairSingleFiles(a: Map<string, SideFile>, aKind: string, b: Map<string, SideFile>, bKind: string): void {
  if (aKind !== 'file' && bKind !== 'file') return;
  const name = (aKind === 'file' ? [...a.keys()][0] : undefined) ?? (bKind === 'file' ? [...b.keys()][0] : undefined);
  if (name === undefined) return;
  for (const [m, kind] of [
    [a, aKind],
    [b, bKind],
  ] as const) {
    if (kind !== 'file' || m.size !== 1) continue;
    const [[k, v]] = [...m.entries()];
    if (k !== name) {
      m.delete(k);
      m.set(name, v);
    }
  }
}

function missingWarning(side: string, p: string): string {
  return `the ${side} copy does not exist (${p}): compared as empty`;
}

async function local(side: 'project' | 'collection', p: string, warnings: string[]): Promise<LocalSide> {
  const s = await readLocalSide(p);
  if (s.kind === 'missing') warnings.push(missingWarning(side, p));
  return s;
}

function upstreamFiles(l: UpstreamListing): Map<string, SideFile> {
  const m = new Map<string, SideFile>();
  for (const [p, sha] of l.files) m.set(p, { sha });
  return m;
}

/** Downloads (or takes from the store) the upstream files whose SHAs differ from the other side. */
async function loadContent(u: UpstreamHandle, files: Map<string, SideFile>, paths: string[]): Promise<void> {
  await Promise.all(
    paths.map(async (p) => {
      const f = files.get(p)!;
      try {
        f.bytes = await u.blob(f.sha);
      } catch (e) {
        f.error = `upstream content not available: ${(e as Error).message}`;
      }
    }),
  );
}

function upstreamSide(u: UpstreamHandle, commit: string): DiffSide {
  return { side: 'upstream', commit, ref: u.ref };
}

export async function runDiff(inp: DiffInputs, params: DiffParams): Promise<DiffResult> {
  const scope: DiffScope = params.scope ?? 'collection-project';
  const warnings: string[] = [];
  let key: string;
  let from: DiffSide;
  let to: DiffSide;
  let a: Map<string, SideFile>;
  let b: Map<string, SideFile>;
  let aKind: string;
  let bKind: string;
  switch (scope) {
    case 'collection-project': {
      const r = resolve(inp, params.key, { project: true, collection: false });
      const row = r.row!;
      key = row.key;
      const pp = projectPath(row);
      const cp = collectionPathOf(row.key, undefined, row);
      const [sa, sb] = [await local('collection', cp, warnings), await local('project', pp, warnings)];
      [a, aKind, b, bKind] = [sa.files, sa.kind, sb.files, sb.kind];
      from = { side: 'collection' };
      to = { side: 'project' };
      break;
    }
    case 'upstream-collection':
    case 'upstream-project': {
      const project = scope === 'upstream-project';
      const r = resolve(inp, params.key, { project, collection: true });
      const u = upstreamOf(inp, scope, r);
      key = project ? r.row!.key : qualifiedKey(r.col!.id, r.art!.name, r.art!.type);
      const localPath = project ? projectPath(r.row!) : collectionPathOf(key, r.art, r.row);
      const sa = await local(project ? 'project' : 'collection', localPath, warnings);
      const head = await u.head();
      if (head.warning) warnings.push(head.warning);
      const listing = await u.listing(head.commit);
      if (listing.kind === 'missing') warnings.push(`the artifact's path does not exist upstream at ${head.commit.slice(0, 7)}`);
      [a, aKind, b, bKind] = [sa.files, sa.kind, upstreamFiles(listing), listing.kind];
      from = { side: project ? 'project' : 'collection' };
      to = upstreamSide(u, head.commit);
      pairSingleFiles(a, aKind, b, bKind);
      await loadContent(u, b, changedPaths(a, b).to);
      break;
    }
    case 'upstream-changes': {
      const r = resolve(inp, params.key, { project: false, collection: true });
      const u = upstreamOf(inp, scope, r);
      key = qualifiedKey(r.col!.id, r.art!.name, r.art!.type);
      const head = await u.head();
      if (head.warning) warnings.push(head.warning);
      const [la, lb] = await Promise.all([u.listing(u.baseSha), u.listing(head.commit)]);
      if (la.kind === 'missing') warnings.push(`the artifact's path does not exist upstream at the recorded commit ${u.baseSha.slice(0, 7)}`);
      [a, aKind, b, bKind] = [upstreamFiles(la), la.kind, upstreamFiles(lb), lb.kind];
      from = upstreamSide(u, u.baseSha);
      to = upstreamSide(u, head.commit);
      pairSingleFiles(a, aKind, b, bKind);
      const changed = changedPaths(a, b);
      await Promise.all([loadContent(u, a, changed.from), loadContent(u, b, changed.to)]);
      break;
    }
    default:
      throw new DiffError(`unknown scope ${JSON.stringify(scope)}`);
  }
  pairSingleFiles(a, aKind, b, bKind);
  const cmp = compareSides(a, b, { unified: params.unified === true });
  const result: DiffResult = { key, scope, from, to, files: cmp.files, summary: cmp.summary };
  if (cmp.unified !== undefined) result.unified = cmp.unified;
  if (warnings.length) result.warnings = warnings;
  return result;
}

// ---------------------------------------------------------------- one file's content

function normalizeRel(p: string): string {
  const rel = p.replace(/\\/g, '/');
  if (rel === '' || rel.startsWith('/') || rel.split('/').some((s) => s === '' || s === '.' || s === '..') || rel.includes('\0')) {
    throw new DiffError(`path ${JSON.stringify(p)} must be relative to the artifact, with "/", without "." or ".." parts`);
  }
  return rel;
}

function textResult(base: FileContentResult, bytes: Buffer): FileContentResult {
  base.size = bytes.length;
  if (isBinary(bytes)) base.binary = true;
  else if (bytes.length > MAX_TEXT_BYTES) base.error = `too large to show (${bytes.length} bytes)`;
  else base.text = bytes.toString('utf8');
  return base;
}

/** The local file at `rel` of a copy, found through the same listing the diff uses. */
async function localFile(copy: string, rel: string): Promise<{ abs: string } | undefined> {
  let list;
  try {
    list = await listHashInputs(copy);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
  if (list.kind === 'file') return list.files.length === 1 && (rel === path.basename(copy) || list.files.length === 1) ? { abs: list.files[0].abs } : undefined;
  const f = list.files.find((x) => x.rel.split(path.sep).join('/') === rel);
  return f ? { abs: f.abs } : undefined;
}

export async function readFileContent(inp: DiffInputs, params: FileContentParams): Promise<FileContentResult> {
  const rel = normalizeRel(params.path);
  const base: FileContentResult = { path: rel, side: params.side, exists: false };
  if (params.side === 'project' || params.side === 'collection') {
    const project = params.side === 'project';
    const r = resolve(inp, params.key, { project, collection: !project });
    const copy = project ? projectPath(r.row!) : collectionPathOf(params.key, r.art, r.row);
    const f = await localFile(copy, rel);
    if (!f) return base;
    let read;
    try {
      read = readRegularFile(f.abs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return base;
      throw e;
    }
    base.exists = true;
    if (!read.bytes) return { ...base, size: read.size, error: read.error };
    return textResult(base, read.bytes);
  }
  if (params.side !== 'upstream') throw new DiffError(`unknown side ${JSON.stringify(params.side)}`);
  const r = resolve(inp, params.key, { project: false, collection: true });
  const u = upstreamOf(inp, 'upstream-collection', r);
  let commit = params.commit?.toLowerCase();
  if (commit === undefined) {
    commit = (await u.head()).commit;
  } else if (!/^[0-9a-f]{40}$/.test(commit)) {
    throw new DiffError(`commit ${JSON.stringify(params.commit)} is not a 40-character commit SHA`);
  }
  base.commit = commit;
  const listing = await u.listing(commit);
  const sha = listing.kind === 'file' ? [...listing.files.values()][0] : listing.files.get(rel);
  if (sha === undefined) return base;
  base.exists = true;
  try {
    return textResult(base, await u.blob(sha));
  } catch (e) {
    return { ...base, error: `upstream content not available: ${(e as Error).message}` };
  }
}
