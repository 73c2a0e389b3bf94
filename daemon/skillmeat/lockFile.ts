// collection.lock: `[lock.entries."name::type"]`. Entries can be missing or stale (marketplace
// imports never write one), so absence means "no baseline", never an error.
import * as path from 'node:path';
import { artifactKey, splitLockKey } from '../../shared/artifactKey';
import { isTable, normalizeHash, readTomlFile, str, timeString, type TomlTable } from './tomlFile';

export interface LockEntry {
  contentHash: string | null;
  fetched?: string;
  upstream?: string;
  resolvedSha?: string;
  resolvedVersion?: string;
}

export function lockPath(collectionDir: string): string {
  return path.join(collectionDir, 'collection.lock');
}

export function lockFromToml(data: TomlTable): Map<string, LockEntry> {
  const out = new Map<string, LockEntry>();
  const lock = isTable(data.lock) ? data.lock : undefined;
  const entries = lock && isTable(lock.entries) ? lock.entries : undefined;
  if (!entries) return out;
  for (const [rawKey, v] of Object.entries(entries)) {
    if (!isTable(v)) continue;
    // Docs show `name`/`type` inside the entry; the code writes them only in the key.
    const innerName = str(v.name);
    const innerType = str(v.type);
    const key = splitLockKey(rawKey) ? rawKey : innerName && innerType ? artifactKey(innerName, innerType) : rawKey;
    out.set(key, {
      contentHash: normalizeHash(v.content_hash) ?? null,
      fetched: timeString(v.fetched),
      upstream: str(v.upstream),
      resolvedSha: str(v.resolved_sha),
      resolvedVersion: str(v.resolved_version),
    });
  }
  return out;
}

export async function readLock(collectionDir: string): Promise<{ lock: Map<string, LockEntry>; error?: string }> {
  const r = await readTomlFile(lockPath(collectionDir));
  if (!r.ok) return r.missing ? { lock: new Map() } : { lock: new Map(), error: r.error };
  return { lock: lockFromToml(r.data) };
}
