// Small in-memory home snapshots for the service's pure parts (planner, resolver).
import type { CollectionSnapshot, HomeSnapshot, ManifestArtifact } from '../../../daemon/skillmeat';

export const SHA_A = 'a'.repeat(40);
export const SHA_B = 'b'.repeat(40);

export function art(name: string, over: Partial<ManifestArtifact> = {}): ManifestArtifact {
  return {
    name,
    type: 'skill',
    path: `skills/${name}`,
    resolvedPath: `/h/collections/default/skills/${name}`,
    origin: 'github',
    upstream: `https://github.com/acme/tools/tree/main/skills/${name}`,
    versionSpec: 'latest',
    resolvedSha: SHA_A,
    ...over,
  };
}

export function col(id: string, artifacts: ManifestArtifact[], mcp = 0, name = id): CollectionSnapshot {
  return {
    id,
    name,
    dir: `/h/collections/${id}`,
    manifestFile: `/h/collections/${id}/collection.toml`,
    lockFile: `/h/collections/${id}/collection.lock`,
    artifacts,
    mcpServers: Array.from({ length: mcp }, (_, i) => ({ name: `m${i}` })),
    groups: [],
    lock: new Map(),
    warnings: [],
  };
}

export function home(...cols: CollectionSnapshot[]): HomeSnapshot {
  return { home: '/h', exists: true, activeCollection: 'default', warnings: [], collections: new Map(cols.map((c) => [c.id, c])) };
}
