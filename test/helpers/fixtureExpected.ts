// The shape of test/fixtures/skillmeat-0.9.1-basic/expected.json, used by the conformance,
// extension and in-editor tests alike.
import type { SyncStatus } from '../../shared/types';

export interface ExpectedArtifact {
  name: string;
  type: string;
  profile: string;
  collection: string;
  projectHash: string;
  deployedHash: string;
  collectionHash: string;
  lockHash: string;
  status: SyncStatus;
}
