// Data shapes that cross the socket. The CLI's --json output is these objects verbatim, so
// changing a field here is a breaking change of a published contract (README, issue #2).

export const SYNC_STATUSES = [
  'synced',
  'modified',
  'outdated',
  'conflict',
  'converged',
  'missing',
  'orphaned',
  'unknown',
] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

export const UPSTREAM_STATES = ['current', 'update-available', 'repo-moved', 'unknown', 'untracked'] as const;
export type UpstreamState = (typeof UPSTREAM_STATES)[number];

export interface UpstreamInfo {
  state: UpstreamState;
  /** Why the state is what it is (always set for `unknown` and `untracked`). */
  reason?: string;
  /** ISO time of the GitHub answer this state is based on. */
  checkedAt?: string;
  /** The answer is older than its TTL (served because GitHub cannot be asked right now). */
  stale?: boolean;
  /** `github:<host>/<owner>/<repo>@<ref>` — the cache key of the check, for invalidation. */
  source?: string;
}

export interface ArtifactRow {
  /** `name::type::profile` */
  key: string;
  name: string;
  type: string;
  /** deployment profile id (`claude_code`, `cursor`, …) */
  profile: string;
  /** profile root directory relative to the workspace folder (`.claude`, `.cursor`, …) */
  profileRoot: string;
  /** collection the record says it was deployed from (`from_collection`) */
  collection: string | null;
  status: SyncStatus;
  /** Hp: hash of the project copy now */
  projectHash: string | null;
  /** Hd: baseline written in the tracker at deploy time */
  deployedHash: string | null;
  /** Hc: hash of the collection copy now */
  collectionHash: string | null;
  /** Hl: content_hash of the collection's lock entry */
  lockHash: string | null;
  upstream: UpstreamInfo;
  /** Set when status is `unknown` (and for other statuses that deserve an explanation). */
  reason?: string;
  /** Hc ≠ Hl with a lock entry present: the collection copy was edited since it was locked. */
  collectionDirty?: boolean;
  /** absolute path of the deployed copy (null when the record's path is unsafe) */
  projectPath: string | null;
  /** absolute path of the collection copy (null when not resolvable) */
  collectionPath: string | null;
  /** tracker file the record came from */
  trackerFile: string;
  deployedAt?: string;
}

export interface NotDeployedRow {
  name: string;
  type: string;
  collection: string;
  collectionPath?: string | null;
  upstream?: UpstreamInfo;
}

export interface WorkspaceStatus {
  folder: string;
  artifacts: ArtifactRow[];
  notDeployed: NotDeployedRow[];
  /** Problems that concern the whole folder (e.g. a tracker file that cannot be parsed). */
  warnings?: string[];
}

export interface StatusResult {
  home: string;
  /** false when the SkillMeat home does not exist (rows then cannot be compared with anything). */
  homeExists: boolean;
  activeCollection?: string;
  workspaces: WorkspaceStatus[];
  /** Home-wide warnings: stray config keys, unreadable manifests, … */
  warnings?: string[];
}

export interface CollectionCounts {
  /** directory name under collections/ — the id used by SkillMeat's reads */
  name: string;
  /** `[collection].name` when it differs from the directory name */
  displayName?: string;
  active: boolean;
  total: number;
  byType: Record<string, number>;
  mcpServers: number;
  /** set when the manifest could not be read; counts are then 0 */
  error?: string;
}

export interface CountsResult {
  home: string;
  collections: CollectionCounts[];
  warnings?: string[];
}

export interface CacheStats {
  name: string;
  size: number;
  ttlSeconds: number;
  hits: number;
  misses: number;
  /** hits / (hits + misses), 0 when there were no lookups */
  hitRate: number;
  stale?: number;
  evictions?: number;
  [extra: string]: unknown;
}

export interface RateLimitInfo {
  limit: number;
  remaining: number;
  /** ISO time when the budget resets */
  resetAt: string;
  /** no token: 60 requests an hour */
  anonymous: boolean;
}
