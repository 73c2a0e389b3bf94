// The SkillMeat home: config, and every collections/<dir>/ that has a collection.toml.
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { artifactKey, splitLockKey } from '../../shared/artifactKey';
import { sameArtifactName, stripExtension } from './artifactNames';
import { readConfig } from './configFile';
import { readLock, lockPath, type LockEntry } from './lockFile';
import { manifestFromToml, type ManifestArtifact } from './manifestFile';
import { readTomlFile } from './tomlFile';

export interface CollectionSnapshot {
  /** directory name */
  id: string;
  /** [collection].name (or id when absent) */
  name: string;
  dir: string;
  manifestFile: string;
  lockFile: string;
  artifacts: ManifestArtifact[];
  mcpServers: { name: string; repo?: string }[];
  groups: { name: string; members: string[] }[];
  /** key "name::type" */
  lock: Map<string, LockEntry>;
  /** manifest unreadable/malformed: "…/collection.toml:12: <message>" */
  error?: string;
  lockError?: string;
  /** entries skipped, name mismatch, … */
  warnings: string[];
}

export interface HomeSnapshot {
  home: string;
  exists: boolean;
  activeCollection: string;
  warnings: string[];
  /** by directory name */
  collections: Map<string, CollectionSnapshot>;
}

function expandTilde(p: string, homeDir: string): string {
  if (p === '~') return homeDir;
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(homeDir, p.slice(2));
  return p;
}

/** --home, then $SKILLMEAT_HOME (our convenience; SkillMeat itself ignores it), then ~/.skillmeat. */
export function resolveHome(opts: { home?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const env = opts.env ?? process.env;
  const userHome = (opts.env ? env.HOME || env.USERPROFILE : undefined) || os.homedir();
  const chosen = opts.home?.trim() || env.SKILLMEAT_HOME?.trim();
  if (chosen) return path.resolve(expandTilde(chosen, userHome));
  return path.resolve(userHome, '.skillmeat');
}

export function collectionsDir(home: string): string {
  return path.join(home, 'collections');
}

function validId(id: string): boolean {
  return id !== '' && id !== '.' && id !== '..' && !/[/\\\0]/.test(id);
}

export async function listCollectionIds(home: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await fsp.readdir(collectionsDir(home));
  } catch {
    return [];
  }
  const ids: string[] = [];
  for (const name of entries) {
    const dir = path.join(collectionsDir(home), name);
    try {
      if (!(await fsp.stat(dir)).isDirectory()) continue;
      await fsp.lstat(path.join(dir, 'collection.toml'));
      ids.push(name);
    } catch {
      // not a collection
    }
  }
  return ids.sort();
}

export async function readCollection(home: string, id: string): Promise<CollectionSnapshot | null> {
  if (!validId(id)) return null;
  const dir = path.join(collectionsDir(home), id);
  const manifestFile = path.join(dir, 'collection.toml');
  const snap: CollectionSnapshot = {
    id,
    name: id,
    dir,
    manifestFile,
    lockFile: lockPath(dir),
    artifacts: [],
    mcpServers: [],
    groups: [],
    lock: new Map(),
    warnings: [],
  };
  const r = await readTomlFile(manifestFile);
  if (!r.ok) {
    if (r.missing) return null;
    snap.error = r.error;
  } else {
    try {
      const m = await manifestFromToml(r.data, manifestFile, dir, home);
      if (m.name) snap.name = m.name;
      snap.artifacts = m.artifacts;
      snap.mcpServers = m.mcpServers;
      snap.groups = m.groups;
      snap.warnings.push(...m.warnings);
      if (m.name && m.name !== id) {
        snap.warnings.push(
          `collection directory "${id}" has [collection].name = ${JSON.stringify(m.name)}: SkillMeat reads it as "${id}" but saves it to collections/${m.name}/`,
        );
      }
    } catch (err) {
      snap.error = (err as Error).message;
    }
  }
  const lock = await readLock(dir);
  snap.lock = lock.lock;
  if (lock.error) snap.lockError = lock.error;
  return snap;
}

export async function readHome(home: string): Promise<HomeSnapshot> {
  let exists = false;
  try {
    exists = (await fsp.stat(home)).isDirectory();
  } catch {
    exists = false;
  }
  const config = exists ? await readConfig(home) : { activeCollection: 'default', warnings: [] as string[] };
  const warnings = [...config.warnings];
  if ('error' in config && config.error) warnings.push(`${config.error} (using the default collection "default")`);
  const collections = new Map<string, CollectionSnapshot>();
  if (exists) {
    const ids = await listCollectionIds(home);
    const snaps = await Promise.all(ids.map((id) => readCollection(home, id)));
    for (const s of snaps) {
      if (!s) continue;
      collections.set(s.id, s);
      if (s.error) warnings.push(s.error);
      if (s.lockError) warnings.push(s.lockError);
      warnings.push(...s.warnings);
    }
    if (!collections.has(config.activeCollection)) {
      warnings.push(`active collection "${config.activeCollection}" does not exist under ${collectionsDir(home)}`);
    }
  }
  return { home, exists, activeCollection: config.activeCollection, warnings, collections };
}

interface ArtifactIndex {
  exact: Map<string, ManifestArtifact>;
  /** by "stripped name::type"; the first entry wins, as the linear search did */
  stripped: Map<string, ManifestArtifact>;
}

// Snapshots are immutable once read, so an index per snapshot stays true; it turns the per-row
// lookup from a scan of the manifest into a map access (N rows × N artifacts at 5,000 is 25 M).
const artifactIndexes = new WeakMap<CollectionSnapshot, ArtifactIndex>();

function artifactIndex(col: CollectionSnapshot): ArtifactIndex {
  let idx = artifactIndexes.get(col);
  if (!idx) {
    idx = { exact: new Map(), stripped: new Map() };
    for (const a of col.artifacts) {
      const ek = artifactKey(a.name, a.type);
      if (!idx.exact.has(ek)) idx.exact.set(ek, a);
      const sk = artifactKey(stripExtension(a.name), a.type);
      if (!idx.stripped.has(sk)) idx.stripped.set(sk, a);
    }
    artifactIndexes.set(col, idx);
  }
  return idx;
}

/** Manifest entry for a deployed name: type must match, names compare with one extension stripped. */
export function findArtifact(col: CollectionSnapshot, name: string, type: string): ManifestArtifact | undefined {
  const idx = artifactIndex(col);
  return idx.exact.get(artifactKey(name, type)) ?? idx.stripped.get(artifactKey(stripExtension(name), type));
}

/** A record's from_collection is a [collection].name; fall back to the directory name. */
export function findCollection(home: HomeSnapshot, fromCollection: string): CollectionSnapshot | undefined {
  for (const c of home.collections.values()) if (!c.error && c.name === fromCollection) return c;
  return home.collections.get(fromCollection);
}

export function lockEntryFor(col: CollectionSnapshot, art: ManifestArtifact): LockEntry | undefined {
  return (
    col.lock.get(artifactKey(art.name, art.type)) ??
    [...col.lock.entries()].find(([k]) => {
      const key = splitLockKey(k);
      return key !== undefined && key.type === art.type && sameArtifactName(key.name, art.name);
    })?.[1]
  );
}
