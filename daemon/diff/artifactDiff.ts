// What changed in one artifact, per scope: finds the artifact a KEY names (a deployed row for the
// project side, a collection entry for the collection and upstream sides), reads each side and
// hands both to the pure comparison. Upstream content comes through an UpstreamSource, which only
// downloads files whose git blob SHA differs from the other side's.
import * as path from 'node:path';
import { InvalidParamsError, type DiffParams, type FileContentParams } from '../../shared/protocol';
import type { ArtifactRow, DiffResult, DiffScope, DiffSide, FileContentResult } from '../../shared/types';
import type { CollectionSnapshot, ManifestArtifact } from '../skillmeat';
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
  folders: string[];
  /** the one artifact a KEY names (throws InvalidParamsError with the reason otherwise) */
  resolve(key: string): ResolvedKey;
  /** the upstream of a collection artifact, or why it has none */
  upstream(col: CollectionSnapshot, art: ManifestArtifact): UpstreamHandle | { none: string };
}

/** Largest file text `fileContent` returns (a diff document is for reading, not for archives). */
export const MAX_TEXT_BYTES = 1024 * 1024;

/** What a KEY names: one collection artifact and its deployed rows in the folders asked about. */
export interface ResolvedKey {
  collection: CollectionSnapshot;
  artifact: ManifestArtifact;
  /** `collection/name::type` */
  key: string;
  rows: { folder: string; row: ArtifactRow }[];
}

interface Resolved {
  row?: ArtifactRow;
  col: CollectionSnapshot;
  art: ManifestArtifact;
  key: string;
}

function resolve(inp: DiffInputs, keyText: string, needs: { project: boolean }): Resolved {
  const r = inp.resolve(keyText);
  const out: Resolved = { col: r.collection, art: r.artifact, key: r.key };
  if (needs.project) {
    if (r.rows.length === 0) {
      if (inp.folders.length === 0) throw new DiffError(`${r.key}: the project side needs a workspace folder (--workspace DIR)`);
      throw new DiffError(`${r.key} is not deployed in ${inp.folders.join(', ')}`);
    }
    if (r.rows.length > 1) {
      const names = r.rows.map((x) => (inp.folders.length > 1 ? `${x.row.key} (${x.folder})` : x.row.key));
      throw new DiffError(`${keyText} is deployed more than once: ${names.join(', ')}; give name::type::profile${inp.folders.length > 1 ? ' and one --workspace' : ''}`);
    }
    out.row = r.rows[0].row;
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

function upstreamOf(inp: DiffInputs, what: string, r: Resolved): UpstreamHandle {
  const u = inp.upstream(r.col, r.art);
  if ('none' in u) throw new DiffError(`${what} does not apply to ${r.key}: ${u.none}`);
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
      const r = resolve(inp, params.key, { project: true });
      const row = r.row!;
      key = row.key;
      const pp = projectPath(row);
      const cp = collectionPathOf(row.key, r.art, row);
      const [sa, sb] = [await local('collection', cp, warnings), await local('project', pp, warnings)];
      [a, aKind, b, bKind] = [sa.files, sa.kind, sb.files, sb.kind];
      from = { side: 'collection' };
      to = { side: 'project' };
      break;
    }
    case 'upstream-collection':
    case 'upstream-project': {
      const project = scope === 'upstream-project';
      const r = resolve(inp, params.key, { project });
      const u = upstreamOf(inp, `scope ${scope}`, r);
      key = project ? r.row!.key : r.key;
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
      const r = resolve(inp, params.key, { project: false });
      const u = upstreamOf(inp, `scope ${scope}`, r);
      key = r.key;
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
  // a single-file artifact is its one file, whatever name the diff gave it
  if (list.kind === 'file') return list.files.length === 1 ? { abs: list.files[0].abs } : undefined;
  const f = list.files.find((x) => x.rel.split(path.sep).join('/') === rel);
  return f ? { abs: f.abs } : undefined;
}

export async function readFileContent(inp: DiffInputs, params: FileContentParams): Promise<FileContentResult> {
  const rel = normalizeRel(params.path);
  const base: FileContentResult = { path: rel, side: params.side, exists: false };
  if (params.side === 'project' || params.side === 'collection') {
    const project = params.side === 'project';
    const r = resolve(inp, params.key, { project });
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
  const r = resolve(inp, params.key, { project: false });
  const u = upstreamOf(inp, 'the upstream side', r);
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
