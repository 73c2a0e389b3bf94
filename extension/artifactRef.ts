// The keys the extension sends for a row, built only through shared/artifactKey.ts. A bare
// `name::type` matches that name in every collection; these name exactly one artifact.
import { artifactKey, formatParsedKey, qualifiedKey, rowKey } from '../shared/artifactKey';
import type { ArtifactRow, NotDeployedRow } from '../shared/types';

/** This deployed row: `collection/name::type::profile`, or `name::type::profile` when the record names no collection. */
export function deployedRowKey(row: Pick<ArtifactRow, 'collection' | 'name' | 'type' | 'profile'>): string {
  if (row.collection === null) return rowKey(row.name, row.type, row.profile);
  return formatParsedKey({ collection: row.collection, name: row.name, type: row.type, profile: row.profile });
}

/** The collection artifact behind a row (what upstream checks and caches are about): `collection/name::type`. */
export function collectionArtifactKey(row: Pick<ArtifactRow | NotDeployedRow, 'collection' | 'name' | 'type'>): string {
  return row.collection === null ? artifactKey(row.name, row.type) : qualifiedKey(row.collection, row.name, row.type);
}
