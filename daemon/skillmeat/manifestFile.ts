// collection.toml: `[collection]`, `[[artifacts]]`, `[[mcp_servers]]`, `[[groups]]`. Artifact paths
// are relative (CLI adds), absolute (marketplace imports) or wrong; each is resolved to the
// collection copy or to a reason why it is not safe to read.
import * as path from 'node:path';
import { stripExtension } from './artifactNames';
import { RealPaths } from './realPaths';
import { isInside, joinInside } from './safePath';
import { isTable, str, strArray, type TomlTable } from './tomlFile';

export interface ManifestArtifact {
  name: string;
  type: string;
  /** raw path from the manifest */
  path: string | null;
  /** absolute collection copy (may not exist), or null with pathError */
  resolvedPath: string | null;
  pathError?: string;
  origin: string;
  upstream?: string;
  versionSpec?: string;
  resolvedSha?: string;
  resolvedVersion?: string;
  originSource?: string;
  tags?: string[];
}

export interface ManifestData {
  name?: string;
  artifacts: ManifestArtifact[];
  mcpServers: { name: string; repo?: string }[];
  groups: { name: string; members: string[] }[];
  warnings: string[];
}

// Where SkillMeat's writers put each type when the manifest path is missing or stale (1.4).
const TYPE_DIRS: Record<string, string[]> = {
  mcp: ['mcp', 'mcps'],
  composite: ['composites', 'plugins'],
};

function typeDirs(type: string): string[] {
  return TYPE_DIRS[type] ?? [`${type}s`];
}

/** Splits a manifest written on Windows (backslashes) so it resolves on POSIX too. */
function nativeRel(p: string): string {
  return path.sep === '/' ? p.replace(/\\/g, '/') : p;
}

async function resolveArtifactPath(
  a: { name: string; type: string; path: string | null },
  collectionDir: string,
  home: string,
  real: RealPaths,
): Promise<{ resolvedPath: string | null; pathError?: string }> {
  const roots = [collectionDir, home];
  let primary: string | undefined;
  if (a.path !== null && a.path !== '') {
    const raw = a.path;
    if (path.isAbsolute(raw) || path.win32.isAbsolute(raw)) {
      const abs = path.resolve(raw);
      if (!roots.some((r) => isInside(r, abs))) {
        return { resolvedPath: null, pathError: `manifest path ${raw} is outside the collection directory ${collectionDir}` };
      }
      primary = abs;
    } else {
      primary = joinInside(collectionDir, nativeRel(raw));
      if (!primary) return { resolvedPath: null, pathError: `manifest path ${raw} escapes the collection directory ${collectionDir}` };
    }
  }

  const candidates: string[] = [];
  if (primary) candidates.push(primary);
  const names = [...new Set([a.name, `${a.name}.md`, stripExtension(a.name), `${stripExtension(a.name)}.md`])];
  for (const dir of typeDirs(a.type)) {
    for (const n of names) {
      const c = joinInside(collectionDir, path.join(dir, n));
      if (c && !candidates.includes(c)) candidates.push(c);
    }
  }
  for (const c of candidates) {
    if (!(await real.exists(c))) continue;
    const check = await real.check(c, roots);
    if (check.state === 'escape') {
      return { resolvedPath: null, pathError: `collection copy ${c} is a symlink pointing outside the collection (${check.real})` };
    }
    // 'missing' here is a broken symlink: report it at that path; 'error' surfaces when hashing.
    return { resolvedPath: c };
  }
  // Nothing exists: keep where the copy should be, so the status can say what is missing.
  return { resolvedPath: primary ?? candidates[0] ?? null };
}

export async function manifestFromToml(
  data: TomlTable,
  file: string,
  collectionDir: string,
  home: string,
): Promise<ManifestData> {
  const warnings: string[] = [];
  const collection = isTable(data.collection) ? data.collection : undefined;
  const name = collection ? str(collection.name) : undefined;

  const artifacts: ManifestArtifact[] = [];
  const real = new RealPaths(); // this parse's: the next one sees the disk as it is then
  const rawArtifacts = data.artifacts;
  if (rawArtifacts !== undefined && !Array.isArray(rawArtifacts)) {
    throw new Error(`${file}: \`artifacts\` is not an array of tables`);
  }
  const list = (rawArtifacts ?? []) as unknown[];
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (!isTable(e)) {
      warnings.push(`${file}: artifacts[${i}] is not a table; skipped`);
      continue;
    }
    const aName = str(e.name);
    const aType = str(e.type);
    if (!aName || !aType) {
      warnings.push(`${file}: artifacts[${i}] has no ${!aName ? 'name' : 'type'}; skipped`);
      continue;
    }
    const rawPath = typeof e.path === 'string' ? e.path : null;
    const resolved = await resolveArtifactPath({ name: aName, type: aType, path: rawPath }, collectionDir, home, real);
    const art: ManifestArtifact = {
      name: aName,
      type: aType,
      path: rawPath,
      resolvedPath: resolved.resolvedPath,
      origin: str(e.origin) ?? 'local',
    };
    if (resolved.pathError) art.pathError = resolved.pathError;
    const opt: [keyof ManifestArtifact, unknown][] = [
      ['upstream', e.upstream],
      ['versionSpec', e.version_spec],
      ['resolvedSha', e.resolved_sha],
      ['resolvedVersion', e.resolved_version],
      ['originSource', e.origin_source],
    ];
    for (const [k, v] of opt) if (typeof v === 'string') (art as unknown as Record<string, unknown>)[k] = v;
    const tags = strArray(e.tags);
    if (tags) art.tags = tags;
    artifacts.push(art);
  }

  const mcpServers: { name: string; repo?: string }[] = [];
  if (Array.isArray(data.mcp_servers)) {
    for (const m of data.mcp_servers as unknown[]) {
      if (!isTable(m)) continue;
      const n = str(m.name);
      if (!n) continue;
      const repo = str(m.repo);
      mcpServers.push(repo ? { name: n, repo } : { name: n });
    }
  }

  const groups: { name: string; members: string[] }[] = [];
  if (Array.isArray(data.groups)) {
    for (const g of data.groups as unknown[]) {
      if (!isTable(g) || !str(g.name)) continue;
      groups.push({ name: str(g.name) as string, members: strArray(g.members) ?? [] });
    }
  }
  return { name, artifacts, mcpServers, groups, warnings };
}
