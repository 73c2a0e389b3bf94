// Rows for one workspace folder: each deployment record compared with its project copy, its
// baseline, its collection copy and its lock entry; plus collection artifacts nobody deployed.
import * as path from 'node:path';
import { artifactKey } from '../../shared/artifactKey';
import type { ArtifactRow, NotDeployedRow, StatusResult, UpstreamInfo, WorkspaceStatus } from '../../shared/types';
import { stripExtension } from './artifactNames';
import { directHasher, type Hasher } from './contentHash';
import { findArtifact, findCollection, lockEntryFor, readHome, type CollectionSnapshot, type HomeSnapshot } from './home';
import type { ManifestArtifact } from './manifestFile';
import { RealPaths } from './realPaths';
import { joinInside } from './safePath';
import { describeFsError } from './tomlFile';
import { readTrackers, recordKey, type DeploymentRecord, type TrackerSnapshot } from './trackerFile';
import { decideStatus } from './statusTable';

export type UpstreamLookup = (collection: CollectionSnapshot, artifact: ManifestArtifact) => UpstreamInfo;

export interface StatusOptions {
  hasher?: Hasher;
  upstream?: UpstreamLookup;
}

const NOT_CHECKED: UpstreamInfo = { state: 'untracked', reason: 'upstream not checked' };
// Hashing reads whole trees; a few at a time keeps file descriptors and disk queues sane.
const HASH_CONCURRENCY = 8;

export type HashOutcome = { hash: string } | { missing: true } | { error: string };

function memoHasher(hasher: Hasher): (p: string) => Promise<HashOutcome> {
  const memo = new Map<string, Promise<HashOutcome>>();
  return (p) => {
    let r = memo.get(p);
    if (!r) {
      r = hasher.hash(p).then(
        (hash): HashOutcome => ({ hash }),
        (err): HashOutcome => {
          const code = (err as NodeJS.ErrnoException)?.code;
          if (code === 'ENOENT' || code === 'ENOTDIR') return { missing: true };
          const where = (err as NodeJS.ErrnoException)?.path ?? p;
          return { error: `cannot hash ${p}: ${describeFsError(where, err)}` };
        },
      );
      memo.set(p, r);
    }
    return r;
  };
}

async function pool<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

function nativeRel(p: string): string {
  return path.sep === '/' ? p.replace(/\\/g, '/') : p;
}

function lookupUpstream(opts: StatusOptions, col: CollectionSnapshot, art: ManifestArtifact): UpstreamInfo {
  if (!opts.upstream) return { ...NOT_CHECKED };
  try {
    return opts.upstream(col, art);
  } catch (err) {
    return { state: 'unknown', reason: `upstream lookup failed: ${(err as Error).message}` };
  }
}

interface Ctx {
  home: HomeSnapshot;
  folder: string;
  hash: (p: string) => Promise<HashOutcome>;
  /** this computation's symlink checks (each root resolved once) */
  real: RealPaths;
  opts: StatusOptions;
}

/** The collection a record points at, or why there is none. */
function collectionFor(home: HomeSnapshot, rec: DeploymentRecord): { col?: CollectionSnapshot; error?: string; orphaned?: string } {
  if (!home.exists) return { error: `SkillMeat home not found at ${home.home}` };
  const col = findCollection(home, rec.fromCollection);
  if (col?.error) return { error: col.error };
  if (col) return { col };
  const broken = [...home.collections.values()].find((c) => c.error);
  // A collection whose manifest cannot be read might be the one; "orphaned" would be a guess.
  if (broken) return { error: `collection "${rec.fromCollection}" not found, and ${broken.error}` };
  return { orphaned: `collection "${rec.fromCollection}" does not exist in ${home.home}` };
}

async function rowFor(rec: DeploymentRecord, ctx: Ctx): Promise<ArtifactRow> {
  const row: ArtifactRow = {
    key: recordKey(rec),
    name: stripExtension(rec.artifactName),
    type: rec.artifactType,
    profile: rec.deploymentProfileId,
    profileRoot: rec.profileRootDir,
    collection: rec.fromCollection || null,
    status: 'unknown',
    projectHash: null,
    deployedHash: rec.contentHash ?? rec.collectionSha ?? null,
    collectionHash: null,
    lockHash: null,
    upstream: { ...NOT_CHECKED },
    projectPath: null,
    collectionPath: null,
    trackerFile: rec.file,
  };
  if (rec.deployedAt !== undefined) row.deployedAt = rec.deployedAt;
  if (rec.error) {
    row.reason = rec.error;
    return row;
  }

  const errors: string[] = [];
  let projectMissing = false;
  let orphaned: string | undefined;

  // Project side.
  const rootAbs = path.join(ctx.folder, rec.profileRootDir);
  const projectAbs = joinInside(rootAbs, nativeRel(rec.artifactPath));
  if (!projectAbs) {
    errors.push(`artifact_path ${JSON.stringify(rec.artifactPath)} escapes ${rootAbs}; not read`);
  } else {
    const check = await ctx.real.check(projectAbs, [rootAbs]);
    if (check.state === 'escape') {
      errors.push(`${projectAbs} is a symlink pointing outside ${rootAbs} (${check.real}); not read`);
    } else if (check.state === 'error') {
      row.projectPath = projectAbs;
      errors.push(`cannot resolve ${projectAbs}: ${describeFsError(projectAbs, check.error)}`);
    } else {
      row.projectPath = projectAbs;
      if (check.state === 'missing') projectMissing = true;
      else {
        const h = await ctx.hash(projectAbs);
        if ('hash' in h) row.projectHash = h.hash;
        else if ('missing' in h) projectMissing = true;
        else errors.push(h.error);
      }
    }
  }

  // Collection side.
  const found = collectionFor(ctx.home, rec);
  if (found.error) errors.push(found.error);
  orphaned = found.orphaned;
  if (found.col) {
    const col = found.col;
    const art = findArtifact(col, rec.artifactName, rec.artifactType);
    if (!art) {
      orphaned = `${rec.artifactName} (${rec.artifactType}) is no longer in collection "${col.name}"`;
      row.upstream = { state: 'untracked', reason: 'not in the collection' };
    } else {
      row.upstream = lookupUpstream(ctx.opts, col, art);
      row.lockHash = lockEntryFor(col, art)?.contentHash ?? null;
      if (art.pathError || !art.resolvedPath) {
        errors.push(art.pathError ?? `no path for ${art.name} in ${col.manifestFile}`);
      } else {
        row.collectionPath = art.resolvedPath;
        const h = await ctx.hash(art.resolvedPath);
        if ('hash' in h) row.collectionHash = h.hash;
        else if ('missing' in h) errors.push(`collection copy not found at ${art.resolvedPath}`);
        else errors.push(h.error);
      }
    }
  }

  const decided = decideStatus({
    hp: row.projectHash,
    hd: row.deployedHash,
    hc: row.collectionHash,
    error: errors.length > 0 ? errors.join('; ') : undefined,
    orphaned,
    projectMissing,
  });
  row.status = decided.status;
  if (decided.reason) row.reason = decided.reason;
  if (row.collectionHash !== null && row.lockHash !== null && row.collectionHash !== row.lockHash) {
    row.collectionDirty = true;
  }
  return row;
}

export async function computeWorkspaceStatus(
  home: HomeSnapshot,
  trackers: TrackerSnapshot,
  opts: StatusOptions = {},
  hash?: (p: string) => Promise<HashOutcome>,
): Promise<WorkspaceStatus> {
  const warnings: string[] = [];
  const records: DeploymentRecord[] = [];
  const seen = new Map<string, DeploymentRecord>();
  for (const f of trackers.files) {
    if (f.error) warnings.push(f.error);
    for (const r of f.records) {
      const key = recordKey(r);
      const first = seen.get(key);
      if (first) {
        warnings.push(`${r.file}: a second record for ${key} (first in ${first.file}) is ignored`);
        continue;
      }
      seen.set(key, r);
      records.push(r);
    }
  }
  const ctx: Ctx = { home, folder: trackers.folder, hash: hash ?? memoHasher(opts.hasher ?? directHasher), real: new RealPaths(), opts };
  const artifacts = await pool(records, HASH_CONCURRENCY, (r) => rowFor(r, ctx));

  // Not deployed: artifacts of the active collection and of every collection a record points at.
  const deployed = new Map<string, Set<string>>(); // collection id → "name::type"
  const anyCollection = new Set<string>(); // records whose collection is unknown (salvaged)
  const relevant = new Set<string>();
  if (home.collections.has(home.activeCollection)) relevant.add(home.activeCollection);
  for (const r of records) {
    const nt = artifactKey(stripExtension(r.artifactName), r.artifactType);
    const col = r.fromCollection ? findCollection(home, r.fromCollection) : undefined;
    if (!col) {
      if (!r.fromCollection) anyCollection.add(nt);
      continue;
    }
    relevant.add(col.id);
    let set = deployed.get(col.id);
    if (!set) deployed.set(col.id, (set = new Set()));
    set.add(nt);
  }
  const notDeployed: NotDeployedRow[] = [];
  for (const id of [...relevant].sort()) {
    const col = home.collections.get(id);
    if (!col || col.error) continue;
    const set = deployed.get(id) ?? new Set<string>();
    for (const a of col.artifacts) {
      const nt = artifactKey(stripExtension(a.name), a.type);
      if (set.has(nt) || anyCollection.has(nt)) continue;
      notDeployed.push({
        name: a.name,
        type: a.type,
        collection: col.name,
        collectionPath: a.resolvedPath,
        upstream: lookupUpstream(opts, col, a),
      });
    }
  }
  const ws: WorkspaceStatus = { folder: trackers.folder, artifacts, notDeployed };
  if (warnings.length > 0) ws.warnings = warnings;
  return ws;
}

export async function computeStatus(homePath: string, folders: string[], opts: StatusOptions = {}): Promise<StatusResult> {
  const home = await readHome(homePath);
  const hash = memoHasher(opts.hasher ?? directHasher);
  const workspaces: WorkspaceStatus[] = [];
  for (const folder of folders) {
    const trackers = await readTrackers(path.resolve(folder));
    workspaces.push(await computeWorkspaceStatus(home, trackers, opts, hash));
  }
  const result: StatusResult = {
    home: home.home,
    homeExists: home.exists,
    activeCollection: home.activeCollection,
    workspaces,
  };
  if (home.warnings.length > 0) result.warnings = home.warnings;
  return result;
}
