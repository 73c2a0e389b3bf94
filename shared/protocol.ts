// Every message between the daemon and its clients, declared once. The daemon, the extension,
// the CLI and the tests import these objects; nobody spells a method name by hand.
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import * as v from './params';
import type { LogLevel } from './settings';
import { METHOD } from './wire';
import type {
  CacheStats,
  CountsResult,
  DiffResult,
  DiffScope,
  DiffSideName,
  FileContentResult,
  RateLimitInfo,
  StatusResult,
  StatusTextFormat,
  UpstreamInfo,
} from './types';

export { ErrorCodes, MAX_MESSAGE_BYTES, METHOD, PROTOCOL_VERSION } from './wire';

export { InvalidParamsError } from './params';

/**
 * A request type that carries its parameter validator and whether a reconnecting client may send
 * it again. Declaring a message is this one call: the daemon validates with `validate` (rpcServer
 * uses it for every registered handler) and the client's retry set is derived from `idempotent`.
 */
export interface RequestDeclaration<P, R> extends RequestType<P, R, void> {
  readonly validate: (params: unknown) => P;
  /** true: resending it after a dropped connection changes nothing the user cares about twice */
  readonly idempotent: boolean;
}

const declared: RequestDeclaration<unknown, unknown>[] = [];

function defineRequest<P, R>(method: (typeof METHOD)[keyof typeof METHOD], validate: (params: unknown) => P, opts: { idempotent: boolean }): RequestDeclaration<P, R> {
  const type = Object.assign(new RequestType<P, R, void>(method), { validate, idempotent: opts.idempotent });
  declared.push(type as unknown as RequestDeclaration<unknown, unknown>);
  return type;
}

// ---------------------------------------------------------------- hello
export interface HelloParams {
  protocolVersion: number;
  /** package version of the client (semver) */
  clientVersion: string;
  /** `vscode`, `cli`, `test`, … — shown in the log */
  clientName: string;
  /** SkillMeat home the client wants; the daemon answers WrongHome if it serves another */
  home: string;
  /** a lister (`daemon list`, `daemon stop --all`) that takes whichever home the daemon serves */
  anyHome?: boolean;
}
export interface HelloResult {
  protocolVersion: number;
  daemonVersion: string;
  pid: number;
  home: string;
}
export const HelloRequest = defineRequest<HelloParams, HelloResult>(METHOD.hello, v.helloParams, { idempotent: true });

// ---------------------------------------------------------------- status
export interface StatusParams {
  /** absolute workspace folder paths */
  folders: string[];
  /**
   * Validate every file by stat, whatever the watchers say (scripts, CI, `--fail-on-drift`): the
   * answer never rests on a cached hash that was not re-checked after the request arrived.
   */
  verify?: boolean;
}
export const StatusRequest = defineRequest<StatusParams, StatusResult>(METHOD.status, v.statusParams, { idempotent: true });

/**
 * The status as the CLI prints it, rendered by the daemon: `json` is JSON.stringify(status, null,
 * 2), `table` / `table-color` the CLI's table (daemon/cli/format.ts). A warm CLI then neither
 * parses nor formats a megabyte of rows (issue 15); the daemon keeps the text while the rows last.
 */
export interface StatusTextParams extends StatusParams {
  format: StatusTextFormat;
  /**
   * Send the text after the response, as its own frame (`Content-Type: text/plain;
   * charset=utf-8`, the UTF-8 bytes as they are), instead of as a JSON string in it: the CLI
   * then writes those bytes out without decoding, unescaping and encoding a megabyte again.
   * Only for a client that reads frames itself (shared/oneShot.ts); a JSON-RPC library would
   * take that frame for a message.
   */
  attachText?: boolean;
}
export interface StatusTextResult {
  home: string;
  homeExists: boolean;
  /** rows in all folders */
  total: number;
  /** rows whose status is not `synced` (what --fail-on-drift fails on) */
  notSynced: number;
  warnings?: string[];
  /** the text (without attachText) */
  text?: string;
  /** with attachText: the byte length of the text frame that follows this response */
  textBytes?: number;
}
export const StatusTextRequest = defineRequest<StatusTextParams, StatusTextResult>(METHOD.statusText, v.statusTextParams, { idempotent: true });

// ---------------------------------------------------------------- counts
export interface CountsParams {
  /** collection directory names; all collections when absent */
  collections?: string[];
}
export const CountsRequest = defineRequest<CountsParams, CountsResult>(METHOD.counts, v.countsParams, { idempotent: true });

// ---------------------------------------------------------------- checkUpstream
export interface CheckUpstreamParams {
  /** workspace folders whose deployed artifacts should be checked (their collections' artifacts) */
  folders?: string[];
  /**
   * artifact keys (shared/artifactKey.ts grammar), each naming exactly one artifact — else the
   * request fails with InvalidParams ("no artifact matches …", "… is ambiguous: …"); row keys are
   * placed through `folders`. Absent: every artifact of the folders' collections (or of all).
   */
  keys?: string[];
  /** bypass the TTL (immutable per-commit data is still reused) */
  force?: boolean;
  /**
   * The requester's own GitHub API URL (the CLI's `--github-api-url` or its
   * `$SKILLMEAT_SYNC_GITHUB_API_URL`): for this request it beats the daemon's flag, environment
   * and the editor setting. Editors leave it out (their setting goes through `configure`).
   */
  githubApiUrl?: string;
}
export interface UpstreamResultRow {
  /** `collection/name::type` */
  artifact: string;
  collection: string;
  name: string;
  type: string;
  upstream: UpstreamInfo;
}
export interface CheckUpstreamResult {
  results: UpstreamResultRow[];
  /** HTTP requests this check sent to GitHub (304s and retries included) */
  requests: number;
  /** of `requests`, those GitHub answered (any HTTP status); the others never reached it */
  answered?: number;
  /** why requests did not reach GitHub, in words (`DNS lookup failed`, `connection refused`) */
  networkError?: string;
  /** sources answered from a failure cached earlier — no request sent — and when it is retried */
  cachedFailures?: { sources: number; reason: string; retryAt: string };
  rateLimit?: RateLimitInfo;
}
export const CheckUpstreamRequest = defineRequest<CheckUpstreamParams, CheckUpstreamResult>(METHOD.checkUpstream, v.checkUpstreamParams, { idempotent: true });

// ---------------------------------------------------------------- invalidate
export type InvalidateScope = 'upstream' | 'counts' | 'hashes' | 'all';
export interface InvalidateParams {
  scope: InvalidateScope;
  /** upstream: artifact keys (each naming one artifact, as in checkUpstream) or source keys `github:…`; counts: collection names; absent = all */
  keys?: string[];
}
export interface InvalidateResult {
  /** entries dropped, per cache name */
  dropped: Record<string, number>;
}
export const InvalidateRequest = defineRequest<InvalidateParams, InvalidateResult>(METHOD.invalidate, v.invalidateParams, { idempotent: true });

// ---------------------------------------------------------------- diff (what changed)
export interface DiffParams {
  /** a row key (`name::type::profile`), `name::type`, `collection/name::type`, or an unambiguous bare name */
  key: string;
  /** workspace folders whose deployed rows the key is resolved against (needed for project sides) */
  folders?: string[];
  /** `collection-project` when absent */
  scope?: DiffScope;
  /** also return the unified diff text */
  unified?: boolean;
}
export const DiffRequest = defineRequest<DiffParams, DiffResult>(METHOD.diff, v.diffParams, { idempotent: true });

export interface FileContentParams {
  /** as in DiffParams */
  key: string;
  folders?: string[];
  side: DiffSideName;
  /** upstream side: the commit to read (from a DiffResult's `from`/`to`) */
  commit?: string;
  /** relative to the artifact, with `/` */
  path: string;
}
export const FileContentRequest = defineRequest<FileContentParams, FileContentResult>(METHOD.fileContent, v.fileContentParams, { idempotent: true });

// ---------------------------------------------------------------- stats
export interface DaemonInfo {
  pid: number;
  version: string;
  protocolVersion: number;
  uptimeSeconds: number;
  socketPath: string;
  logPath: string;
  statePath: string;
  home: string;
  clients: number;
  /** resident set size of the daemon process */
  rssBytes?: number;
  idleShutdownSeconds: number;
  watchers: { healthy: boolean; watched: number; message?: string };
  persistence: { enabled: boolean; message?: string };
}
export interface StatsResult {
  daemon: DaemonInfo;
  caches: CacheStats[];
  github: { apiUrl: string; tokenSource: string; rateLimit?: RateLimitInfo };
}
export const StatsRequest = defineRequest<Record<string, never> | undefined, StatsResult>(METHOD.stats, v.noParams, { idempotent: true });

// ---------------------------------------------------------------- subscribe / unsubscribe
export interface SubscribeParams {
  folders: string[];
}
export interface SubscribeResult {
  folders: string[];
}
export const SubscribeRequest = defineRequest<SubscribeParams, SubscribeResult>(METHOD.subscribe, v.subscribeParams, { idempotent: true });
export const UnsubscribeRequest = defineRequest<SubscribeParams, SubscribeResult>(METHOD.unsubscribe, v.subscribeParams, { idempotent: true });

// ---------------------------------------------------------------- setToken
export interface SetTokenParams {
  /** null clears a token handed over earlier */
  token: string | null;
  /** where it came from, for `stats` (`vscode`, …); never the token itself */
  source: string;
  /**
   * The API the token was issued for; it is sent nowhere else. Absent = `https://api.github.com`
   * (VS Code's `github` sign-in); a GitHub Enterprise API URL for its `github-enterprise` sign-in.
   */
  apiUrl?: string;
}
export const SetTokenRequest = defineRequest<SetTokenParams, { ok: true }>(METHOD.setToken, v.setTokenParams, { idempotent: true });

// ---------------------------------------------------------------- configure
/** Settings a client may push; the daemon is shared, so the last writer wins for shared knobs. */
export interface DaemonSettings {
  countsTtlSeconds?: number;
  upstreamTtlSeconds?: number;
  upstreamErrorTtlSeconds?: number;
  /** 0 = off */
  autoCheckIntervalMinutes?: number;
  githubApiUrl?: string;
  idleShutdownSeconds?: number;
  logLevel?: LogLevel;
}
export const ConfigureRequest = defineRequest<DaemonSettings, { ok: true }>(METHOD.configure, v.settingsParams, { idempotent: true });

// ---------------------------------------------------------------- shutdown
export interface ShutdownParams {
  reason?: string;
}
export const ShutdownRequest = defineRequest<ShutdownParams, { ok: true }>(METHOD.shutdown, v.shutdownParams, { idempotent: false });

// ---------------------------------------------------------------- notifications
export interface DidChangeParams {
  /** rows that changed, per subscribed workspace folder */
  workspaces: { folder: string; keys: string[] }[];
  /** collections whose counts changed */
  collections: string[];
  /** the home itself appeared, disappeared, or its config changed */
  home?: boolean;
}
export const DidChangeNotification = new NotificationType<DidChangeParams>(METHOD.didChange);

export interface DaemonStatusParams {
  state: 'ok' | 'warning' | 'error';
  message?: string;
  /** work in progress (hashing, checking upstream) */
  busy?: boolean;
  offline?: boolean;
  rateLimit?: RateLimitInfo;
  /** ISO time until which GitHub is not asked (rate-limited) */
  rateLimitedUntil?: string;
}
export const DaemonStatusNotification = new NotificationType<DaemonStatusParams>(METHOD.daemonStatus);

/** Every request this protocol declares, in declaration order. */
export const REQUESTS: readonly RequestDeclaration<unknown, unknown>[] = declared;

/** Requests a reconnecting client may resend: they change nothing the user cares about twice. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(declared.filter((r) => r.idempotent).map((r) => r.method));
