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
  /** Commit the collection took (`resolved_sha`), when known. */
  baseSha?: string;
  /** Commit at the head of the tracked ref, when checked. */
  headSha?: string;
  /** The tracked ref as asked (`main`, `v2.0.0`, `HEAD` for latest). */
  ref?: string;
  /** Web page of the artifact's folder or file at the head (for "Open on GitHub"). */
  webUrl?: string;
  /** Web compare page between baseSha and headSha. */
  compareUrl?: string;
  /**
   * For `update-available`: the per-file summary of `upstream-changes` (base → head), computed from
   * the two trees the check already fetched.
   */
  changes?: DiffSummary;
}

// ---------------------------------------------------------------- what changed (diff)

/**
 * Each scope is a direction, from → to:
 * - `collection-project`: collection copy → project copy (the project's edits);
 * - `upstream-collection`: collection copy → upstream head (what an update would bring into the collection);
 * - `upstream-project`: project copy → upstream head;
 * - `upstream-changes`: upstream at resolved_sha → upstream head (what changed upstream since the collection took it).
 */
export const DIFF_SCOPES = ['collection-project', 'upstream-collection', 'upstream-project', 'upstream-changes'] as const;
export type DiffScope = (typeof DIFF_SCOPES)[number];

/** How `statusText` renders a status (protocol.ts): the CLI's `--json` output, or its table. */
export const STATUS_TEXT_FORMATS = ['json', 'table', 'table-color'] as const;
export type StatusTextFormat = (typeof STATUS_TEXT_FORMATS)[number];

export type DiffSideName = 'project' | 'collection' | 'upstream';

export interface DiffSide {
  side: DiffSideName;
  /** upstream sides: the full commit SHA the content comes from */
  commit?: string;
  /** upstream sides: the ref asked (`main`, `v2.0.0`, `HEAD`) */
  ref?: string;
}

export const DIFF_FILE_STATUSES = ['added', 'modified', 'deleted', 'unchanged'] as const;
export type DiffFileStatus = (typeof DIFF_FILE_STATUSES)[number];

export interface DiffFile {
  /** relative to the artifact, with `/`; a single-file artifact is one file named by its file name */
  path: string;
  status: DiffFileStatus;
  /** lines added, as `git diff --numstat` counts them; absent for binary files */
  additions?: number;
  deletions?: number;
  binary?: boolean;
  /** the content of one side could not be had (e.g. GitHub refused the blob): the status is then a guess from SHAs */
  error?: string;
}

export interface DiffSummary {
  added: number;
  modified: number;
  deleted: number;
  unchanged: number;
}

export interface DiffResult {
  /** the row key (`name::type::profile`) or artifact key (`collection/name::type`) the diff is about */
  key: string;
  scope: DiffScope;
  from: DiffSide;
  to: DiffSide;
  files: DiffFile[];
  summary: DiffSummary;
  /** the unified diff text, when asked for */
  unified?: string;
  warnings?: string[];
}

export interface FileContentResult {
  path: string;
  side: DiffSideName;
  commit?: string;
  /** false: the file does not exist on that side (diff against an empty document) */
  exists: boolean;
  binary?: boolean;
  /** UTF-8 text; absent for binary or missing files */
  text?: string;
  size?: number;
  error?: string;
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
