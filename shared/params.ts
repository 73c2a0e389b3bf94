// Parameter checks for every request, declared beside each message in protocol.ts
// (defineRequest): a wrong type or value is an InvalidParams error for that one request, never an
// exception deep inside the engine. Pure, so the daemon and any client can use them.
import type {
  CheckUpstreamParams,
  CountsParams,
  DaemonSettings,
  DiffParams,
  FileContentParams,
  HelloParams,
  InvalidateParams,
  SetTokenParams,
  ShutdownParams,
  StatusParams,
  StatusTextParams,
  SubscribeParams,
} from './protocol';
import { inRange, LOG_LEVELS, SETTINGS, type LogLevel, type NumberSetting } from './settings';
import { DIFF_SCOPES, STATUS_TEXT_FORMATS, type DiffScope, type DiffSideName, type StatusTextFormat } from './types';

/**
 * Thrown by a validator or a handler for bad input on one request: the client gets InvalidParams
 * with this message (and the CLI exits 2), never an internal error.
 */
export class InvalidParamsError extends Error {}

const MAX_ITEMS = 1000;

function obj(p: unknown, what: string): Record<string, unknown> {
  if (p === undefined || p === null) return {};
  if (typeof p !== 'object' || Array.isArray(p)) throw new InvalidParamsError(`${what}: parameters must be an object`);
  return p as Record<string, unknown>;
}

function strings(v: unknown, name: string, required = false): string[] | undefined {
  if (v === undefined || v === null) {
    if (required) throw new InvalidParamsError(`${name} is required`);
    return undefined;
  }
  if (!Array.isArray(v)) throw new InvalidParamsError(`${name} must be an array of strings`);
  if (v.length > MAX_ITEMS) throw new InvalidParamsError(`${name}: at most ${MAX_ITEMS} items`);
  for (const s of v) {
    if (typeof s !== 'string' || s.length === 0 || s.length > 4096 || s.includes('\0')) {
      throw new InvalidParamsError(`${name} must contain non-empty strings`);
    }
  }
  return v as string[];
}

function absolutePaths(v: unknown, name: string): string[] {
  const list = strings(v, name, true) ?? [];
  for (const p of list) {
    if (!(p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'))) {
      throw new InvalidParamsError(`${name}: ${JSON.stringify(p)} is not an absolute path`);
    }
  }
  return list;
}

export function statusParams(p: unknown): StatusParams {
  const o = obj(p, 'status');
  const out: StatusParams = { folders: absolutePaths(o.folders, 'folders') };
  if (o.verify !== undefined) {
    if (typeof o.verify !== 'boolean') throw new InvalidParamsError('verify must be a boolean');
    if (o.verify) out.verify = true;
  }
  return out;
}

export function statusTextParams(p: unknown): StatusTextParams {
  const out: StatusTextParams = { ...statusParams(p), format: 'json' };
  const format = (p as { format?: unknown }).format;
  if (!(STATUS_TEXT_FORMATS as readonly unknown[]).includes(format)) throw new InvalidParamsError(`format must be one of ${STATUS_TEXT_FORMATS.join(', ')}`);
  out.format = format as StatusTextFormat;
  const attach = (p as { attachText?: unknown }).attachText;
  if (attach !== undefined && typeof attach !== 'boolean') throw new InvalidParamsError('attachText must be a boolean');
  if (attach) out.attachText = true;
  return out;
}

export function subscribeParams(p: unknown): SubscribeParams {
  return { folders: absolutePaths(obj(p, 'subscribe').folders, 'folders') };
}

export function countsParams(p: unknown): CountsParams {
  const o = obj(p, 'counts');
  const collections = strings(o.collections, 'collections');
  return collections ? { collections } : {};
}

export function checkUpstreamParams(p: unknown): CheckUpstreamParams {
  const o = obj(p, 'checkUpstream');
  const out: CheckUpstreamParams = {};
  const folders = o.folders === undefined ? undefined : absolutePaths(o.folders, 'folders');
  if (folders) out.folders = folders;
  const keys = strings(o.keys, 'keys');
  if (keys) out.keys = keys;
  if (o.force !== undefined) {
    if (typeof o.force !== 'boolean') throw new InvalidParamsError('force must be a boolean');
    out.force = o.force;
  }
  if (o.githubApiUrl !== undefined) out.githubApiUrl = apiUrlParam(o.githubApiUrl);
  return out;
}

function apiUrlParam(v: unknown): string {
  if (typeof v !== 'string' || !/^https?:\/\/[^\s]+$/.test(v)) throw new InvalidParamsError('githubApiUrl must be an http(s) URL');
  return v.replace(/\/+$/, '');
}

export function invalidateParams(p: unknown): InvalidateParams {
  const o = obj(p, 'invalidate');
  if (o.scope !== 'upstream' && o.scope !== 'counts' && o.scope !== 'hashes' && o.scope !== 'all') {
    throw new InvalidParamsError('scope must be one of upstream, counts, hashes, all');
  }
  const keys = strings(o.keys, 'keys');
  return keys ? { scope: o.scope, keys } : { scope: o.scope };
}

export function setTokenParams(p: unknown): SetTokenParams {
  const o = obj(p, 'setToken');
  if (o.token !== null && (typeof o.token !== 'string' || o.token.length > 1024 || /\s/.test(o.token))) {
    // Never echo the value: it may be a token.
    throw new InvalidParamsError('token must be a string without white space, or null');
  }
  const source = typeof o.source === 'string' ? o.source.slice(0, 40) : 'client';
  const out: SetTokenParams = { token: o.token as string | null, source };
  if (o.apiUrl !== undefined) out.apiUrl = apiUrlParam(o.apiUrl);
  return out;
}

function num(v: unknown, s: NumberSetting): number | undefined {
  if (v === undefined) return undefined;
  if (!inRange(s, v)) throw new InvalidParamsError(`${s.key} must be a number between ${s.min} and ${s.max}`);
  return v;
}

export function settingsParams(p: unknown): DaemonSettings {
  const o = obj(p, 'configure');
  const s: DaemonSettings = {};
  const set = <K extends keyof DaemonSettings>(k: K, v: DaemonSettings[K] | undefined) => {
    if (v !== undefined) s[k] = v;
  };
  set('countsTtlSeconds', num(o.countsTtlSeconds, SETTINGS.countsTtlSeconds));
  set('upstreamTtlSeconds', num(o.upstreamTtlSeconds, SETTINGS.upstreamTtlSeconds));
  set('upstreamErrorTtlSeconds', num(o.upstreamErrorTtlSeconds, SETTINGS.upstreamErrorTtlSeconds));
  set('autoCheckIntervalMinutes', num(o.autoCheckIntervalMinutes, SETTINGS.autoCheckIntervalMinutes));
  set('idleShutdownSeconds', num(o.idleShutdownSeconds, SETTINGS.idleShutdownSeconds));
  if (o.githubApiUrl !== undefined) s.githubApiUrl = apiUrlParam(o.githubApiUrl);
  if (o.logLevel !== undefined) {
    if (!(LOG_LEVELS as readonly unknown[]).includes(o.logLevel)) throw new InvalidParamsError(`logLevel must be one of ${LOG_LEVELS.join(', ')}`);
    s.logLevel = o.logLevel as LogLevel;
  }
  return s;
}

export function helloParams(p: unknown): HelloParams {
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw new InvalidParamsError('hello needs parameters');
  const o = p as Record<string, unknown>;
  if (typeof o.protocolVersion !== 'number') throw new InvalidParamsError('hello: protocolVersion must be a number');
  if (typeof o.home !== 'string') throw new InvalidParamsError('hello: home must be a string');
  return {
    protocolVersion: o.protocolVersion,
    clientVersion: typeof o.clientVersion === 'string' ? o.clientVersion.slice(0, 40) : '?',
    clientName: typeof o.clientName === 'string' ? o.clientName.slice(0, 40) : '?',
    home: o.home,
    ...(o.anyHome === true ? { anyHome: true } : {}),
  };
}

/** Requests without parameters: anything given is ignored. */
export function noParams(): undefined {
  return undefined;
}

export function shutdownParams(p: unknown): ShutdownParams {
  const o = obj(p, 'shutdown');
  return typeof o.reason === 'string' ? { reason: o.reason.slice(0, 200) } : {};
}

function artifactKeyParam(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > 4096 || v.includes('\0')) throw new InvalidParamsError('key must be a non-empty string');
  return v;
}

function optionalFolders(v: unknown): string[] | undefined {
  return v === undefined ? undefined : absolutePaths(v, 'folders');
}

export function diffParams(p: unknown): DiffParams {
  const o = obj(p, 'diff');
  const out: DiffParams = { key: artifactKeyParam(o.key) };
  const folders = optionalFolders(o.folders);
  if (folders) out.folders = folders;
  if (o.scope !== undefined) {
    if (!(DIFF_SCOPES as readonly unknown[]).includes(o.scope)) throw new InvalidParamsError(`scope must be one of ${DIFF_SCOPES.join(', ')}`);
    out.scope = o.scope as DiffScope;
  }
  if (o.unified !== undefined) {
    if (typeof o.unified !== 'boolean') throw new InvalidParamsError('unified must be a boolean');
    out.unified = o.unified;
  }
  return out;
}

const DIFF_SIDES: readonly DiffSideName[] = ['project', 'collection', 'upstream'];

export function fileContentParams(p: unknown): FileContentParams {
  const o = obj(p, 'fileContent');
  if (!(DIFF_SIDES as readonly unknown[]).includes(o.side)) throw new InvalidParamsError(`side must be one of ${DIFF_SIDES.join(', ')}`);
  const rel = o.path;
  // Where the path may lead (inside the artifact, no escape) is the handler's check, with the
  // artifact at hand; here only its type.
  if (typeof rel !== 'string' || rel.length === 0 || rel.length > 4096 || rel.includes('\0')) throw new InvalidParamsError('path must be a non-empty string');
  const out: FileContentParams = { key: artifactKeyParam(o.key), side: o.side as DiffSideName, path: rel };
  const folders = optionalFolders(o.folders);
  if (folders) out.folders = folders;
  if (o.commit !== undefined) {
    if (typeof o.commit !== 'string' || !/^[0-9a-f]{40}$/i.test(o.commit)) throw new InvalidParamsError('commit must be a 40-character commit SHA');
    out.commit = o.commit;
  }
  return out;
}
