// Where the daemon's socket, lock, log and state live. Both the daemon and every client derive the
// same paths from (user, SkillMeat home), which is what makes "one daemon per user and home" work
// without any registry.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sha256Hex } from './sha256';

/** Unix socket paths are limited to ~104 bytes (108 on Linux incl. NUL); stay well under. */
export const MAX_SOCKET_PATH = 100;

export interface DaemonPaths {
  /** private directory holding the socket and the lock (0700) */
  runtimeDir: string;
  socketPath: string;
  lockPath: string;
  /** persistent state (caches kept across restarts) and logs */
  stateDir: string;
  logPath: string;
  /** short id of the home, used in file names */
  homeId: string;
  /** persisted hash index (daemon/cache/hashCache.ts): the daemon's, and the CLI's when it answers itself */
  hashIndexPath: string;
  /** persisted upstream answers */
  upstreamStorePath: string;
  /** upstream content store (blobs by SHA, tree listings) */
  contentStoreDir: string;
  /** the daemon's sync-barrier cookies: its own private folder, never SkillMeat's or a workspace */
  cookieDir: string;
}

export interface PathOptions {
  runtimeDir?: string;
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

function uidTag(): string {
  return typeof process.getuid === 'function' ? String(process.getuid()) : os.userInfo().username;
}

export function homeId(home: string): string {
  // sha256Hex, not node:crypto: a warm CLI need not load node:crypto at all (sha256.ts).
  return sha256Hex(path.resolve(home)).slice(0, 12);
}

export function defaultRuntimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SKILLMEAT_SYNC_RUNTIME_DIR) return path.resolve(env.SKILLMEAT_SYNC_RUNTIME_DIR);
  // XDG_RUNTIME_DIR is already per-user and 0700; we still make our own 0700 folder inside it.
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'skillmeat-sync');
  return path.join(os.tmpdir(), `skillmeat-sync-${uidTag()}`);
}

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.SKILLMEAT_SYNC_STATE_DIR) return path.resolve(env.SKILLMEAT_SYNC_STATE_DIR);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'skillmeat-sync');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'skillmeat-sync');
  return path.join(env.XDG_STATE_HOME || path.join(home, '.local', 'state'), 'skillmeat-sync');
}

/** A daemon's socket and lock as found in a runtime folder (`daemon list`). */
export interface DaemonEntry {
  homeId: string;
  socketPath: string;
  lockPath: string;
  /** the pid in the lock file, if it could be read */
  lockPid?: number;
}

/**
 * The runtime folder every daemon of this user (and these settings) uses: a home's id has a fixed
 * length, so the choice between the configured folder and the short /tmp fallback does not depend
 * on the home. Not meaningful on Windows (named pipes).
 */
export function runtimeDirInUse(opts: PathOptions = {}): string {
  return daemonPaths('/', opts).runtimeDir;
}

/** Every daemon socket or lock in the runtime folder, one entry per home id. */
export function listDaemonEntries(runtimeDir: string): DaemonEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync(runtimeDir);
  } catch {
    return [];
  }
  const ids = new Set<string>();
  for (const n of names) {
    const m = /^d-([0-9a-f]{12})\.(sock|lock)$/.exec(n);
    if (m) ids.add(m[1]);
  }
  return [...ids].sort().map((id) => {
    const e: DaemonEntry = { homeId: id, socketPath: path.join(runtimeDir, `d-${id}.sock`), lockPath: path.join(runtimeDir, `d-${id}.lock`) };
    try {
      const pid = parseInt(fs.readFileSync(e.lockPath, 'utf8').trim(), 10);
      if (Number.isInteger(pid) && pid > 0) e.lockPid = pid;
    } catch {
      // no lock (a socket left behind) or unreadable
    }
    return e;
  });
}

export function daemonPaths(home: string, opts: PathOptions = {}): DaemonPaths {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const id = homeId(home);
  const stateDir = opts.stateDir ?? defaultStateDir(env, platform);
  let runtimeDir = opts.runtimeDir ?? defaultRuntimeDir(env);
  let socketPath: string;
  if (platform === 'win32') {
    // Named pipes live in their own namespace; the user name keeps users apart.
    socketPath = `\\\\.\\pipe\\skillmeat-sync-${os.userInfo().username}-${id}`;
  } else {
    socketPath = path.join(runtimeDir, `d-${id}.sock`);
    if (Buffer.byteLength(socketPath) >= MAX_SOCKET_PATH) {
      // A deep XDG_RUNTIME_DIR or TMPDIR would make bind() fail; fall back to a short path.
      runtimeDir = path.join('/tmp', `sms-${uidTag()}`);
      socketPath = path.join(runtimeDir, `d-${id}.sock`);
    }
  }
  return {
    runtimeDir,
    socketPath,
    lockPath: path.join(runtimeDir, `d-${id}.lock`),
    stateDir,
    logPath: path.join(stateDir, `daemon-${id}.log`),
    homeId: id,
    hashIndexPath: path.join(stateDir, `hashes-${id}.json`),
    upstreamStorePath: path.join(stateDir, `upstream-${id}.json`),
    contentStoreDir: path.join(stateDir, `content-${id}`),
    cookieDir: path.join(runtimeDir, `cookies-${id}`),
  };
}
