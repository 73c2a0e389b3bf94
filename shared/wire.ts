// What a client must know to speak to the daemon at all — the protocol version, the method names,
// the error codes, the frame bound — with no dependency, so that a lean client (the CLI's one-shot
// `status`, shared/oneShot.ts) can speak it without loading vscode-jsonrpc (~8 ms of a CLI start,
// issue 15). protocol.ts binds each name to its parameter and result types and its validator.
import { compareVersions } from './version';

/** Bumped on any incompatible change of the messages in protocol.ts. */
export const PROTOCOL_VERSION = 1;

/** Largest frame the daemon accepts (header + body); bigger ones close the connection. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Every method's name, declared here once. */
export const METHOD = {
  hello: 'skillmeat/hello',
  status: 'skillmeat/status',
  statusText: 'skillmeat/statusText',
  counts: 'skillmeat/counts',
  checkUpstream: 'skillmeat/checkUpstream',
  invalidate: 'skillmeat/invalidate',
  diff: 'skillmeat/diff',
  fileContent: 'skillmeat/fileContent',
  stats: 'skillmeat/stats',
  subscribe: 'skillmeat/subscribe',
  unsubscribe: 'skillmeat/unsubscribe',
  setToken: 'skillmeat/setToken',
  configure: 'skillmeat/configure',
  shutdown: 'skillmeat/shutdown',
  didChange: 'skillmeat/didChange',
  daemonStatus: 'skillmeat/daemonStatus',
} as const;

export const ErrorCodes = {
  /** a request other than `hello` arrived before the handshake */
  HandshakeRequired: -32001,
  /** the client speaks a protocol this daemon does not */
  ProtocolMismatch: -32002,
  /** the request took longer than the daemon's bound */
  RequestTimeout: -32003,
  /** the SkillMeat home given does not belong to this daemon */
  WrongHome: -32004,
  /** the daemon is shutting down */
  ShuttingDown: -32005,
  /** a parameter has the wrong type or value */
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

/** A client gives up on one request after this long: longer than the daemon's largest per-request bound, so its RequestTimeout answer comes first. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 200_000;

/**
 * What a client makes of a daemon's hello. `older` (an older protocol, or the same one from an older
 * package): the full client replaces it. `newer-protocol`: nobody here can talk to it. Only `usable`
 * is talked to as it is.
 */
export function judgeDaemon(hello: { protocolVersion: number; daemonVersion: string }, clientVersion: string): 'usable' | 'older' | 'newer-protocol' {
  if (hello.protocolVersion < PROTOCOL_VERSION) return 'older';
  if (hello.protocolVersion > PROTOCOL_VERSION) return 'newer-protocol';
  return compareVersions(hello.daemonVersion, clientVersion) < 0 ? 'older' : 'usable';
}
