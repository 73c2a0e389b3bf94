// The upstream checker's view of one collection artifact: built in one place so the checks, the
// rows' peeks and the invalidation planner agree on what identifies a source.
import type { CollectionSnapshot, ManifestArtifact } from '../skillmeat';
import type { UpstreamSubject } from '../upstream';

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
