// SKILLMEAT-FORMATS.md 6.6: the decision table, evaluated in order.
import type { SyncStatus } from '../../shared/types';

export interface StatusInputs {
  /** Hp: project copy now; null when it could not be hashed */
  hp: string | null;
  /** Hd: baseline from the tracker record */
  hd: string | null;
  /** Hc: collection copy now */
  hc: string | null;
  /** record unreadable, unsafe path, hash error, … — wins over everything */
  error?: string;
  /** from_collection or the manifest entry is gone: why */
  orphaned?: string;
  /** the project copy does not exist */
  projectMissing?: boolean;
}

export function decideStatus(h: StatusInputs): { status: SyncStatus; reason?: string } {
  if (h.error) return { status: 'unknown', reason: h.error };
  if (h.orphaned) return { status: 'orphaned', reason: h.orphaned };
  if (h.projectMissing) return { status: 'missing', reason: 'the deployed copy does not exist' };
  // Without all three hashes no comparison can be trusted; never guess "synced".
  if (h.hd === null) return { status: 'unknown', reason: 'the tracker record has no content_hash or collection_sha' };
  if (h.hp === null) return { status: 'unknown', reason: 'the project copy could not be hashed' };
  if (h.hc === null) return { status: 'unknown', reason: 'the collection copy could not be hashed' };
  const projectChanged = h.hp !== h.hd;
  const collectionChanged = h.hc !== h.hd;
  if (projectChanged && collectionChanged) {
    return h.hp === h.hc
      ? { status: 'converged', reason: 'project and collection were changed the same way since the deploy' }
      : { status: 'conflict', reason: 'both the project copy and the collection copy changed since the deploy' };
  }
  if (projectChanged) return { status: 'modified' };
  if (collectionChanged) return { status: 'outdated' };
  return { status: 'synced' };
}
