// `daemon list` and `daemon stop --all`: every daemon of this user, found through the sockets and
// locks of the runtime folder (shared/paths.ts) — there is no registry — and asked over its own
// socket, with a handshake that takes whichever home it serves. A socket nobody answers on is
// reported, never killed by pid: a pid in a stale lock may belong to another program by now.
import * as net from 'node:net';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { pidAlive, waitForExit } from '../../shared/client';
import { listDaemonEntries, runtimeDirInUse, type DaemonEntry } from '../../shared/paths';
import { HelloRequest, PROTOCOL_VERSION, ShutdownRequest, StatsRequest, type DaemonInfo } from '../../shared/protocol';
import { PACKAGE_VERSION } from '../../shared/version';
import { withTimeout } from '../../shared/withTimeout';

export interface ListedDaemon {
  homeId: string;
  socketPath: string;
  /** the daemon answered (then the fields below are its own) */
  answering: boolean;
  pid?: number;
  home?: string;
  version?: string;
  uptimeSeconds?: number;
  /** clients other than this listing */
  clients?: number;
  rssBytes?: number;
  /** why it did not answer */
  problem?: string;
}

function connect(socketPath: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error('no answer'));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.removeAllListeners('error');
      s.on('error', () => undefined);
      resolve(s);
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(t);
      s.destroy();
      reject(new Error(err.code === 'ENOENT' ? 'no socket' : err.code === 'ECONNREFUSED' ? 'nobody listens on the socket' : err.message));
    });
  });
}

interface Session {
  conn: MessageConnection;
  socket: net.Socket;
  info: DaemonInfo;
}

async function open(e: DaemonEntry, timeoutMs: number): Promise<Session> {
  const socket = await connect(e.socketPath, timeoutMs);
  const conn = createMessageConnection(new StreamMessageReader(socket), new StreamMessageWriter(socket));
  conn.listen();
  try {
    await withTimeout(conn.sendRequest(HelloRequest, { protocolVersion: PROTOCOL_VERSION, clientVersion: PACKAGE_VERSION, clientName: 'cli list', home: '', anyHome: true }), timeoutMs, 'the daemon');
    const stats = await withTimeout(conn.sendRequest(StatsRequest, {}), timeoutMs, 'the daemon');
    return { conn, socket, info: stats.daemon };
  } catch (err) {
    conn.dispose();
    socket.destroy();
    throw err;
  }
}

function describe(e: DaemonEntry, info: DaemonInfo): ListedDaemon {
  const d: ListedDaemon = {
    homeId: e.homeId,
    socketPath: e.socketPath,
    answering: true,
    pid: info.pid,
    home: info.home,
    version: info.version,
    uptimeSeconds: info.uptimeSeconds,
    clients: Math.max(0, info.clients - 1),
  };
  if (info.rssBytes !== undefined) d.rssBytes = info.rssBytes;
  return d;
}

function silent(e: DaemonEntry, err: unknown): ListedDaemon {
  const d: ListedDaemon = { homeId: e.homeId, socketPath: e.socketPath, answering: false, problem: (err as Error).message };
  if (e.lockPid !== undefined) {
    d.pid = e.lockPid;
    if (!pidAlive(e.lockPid)) d.problem = `${d.problem}; the lock's pid ${e.lockPid} is gone (left over)`;
  }
  return d;
}

export function runtimeDir(): string {
  return runtimeDirInUse();
}

export async function listDaemons(timeoutMs = 2000): Promise<ListedDaemon[]> {
  if (process.platform === 'win32') throw new Error('daemon list is not supported on Windows (named pipes cannot be listed)');
  const entries = listDaemonEntries(runtimeDirInUse());
  return Promise.all(
    entries.map(async (e) => {
      try {
        const s = await open(e, timeoutMs);
        s.conn.dispose();
        s.socket.destroy();
        return describe(e, s.info);
      } catch (err) {
        return silent(e, err);
      }
    }),
  );
}

export interface StopOutcome {
  daemon: ListedDaemon;
  stopped: boolean;
}

/** Asks every answering daemon to shut down and waits for each to exit. */
export async function stopAllDaemons(timeoutMs = 2000): Promise<StopOutcome[]> {
  if (process.platform === 'win32') throw new Error('daemon stop --all is not supported on Windows');
  const entries = listDaemonEntries(runtimeDirInUse());
  return Promise.all(
    entries.map(async (e): Promise<StopOutcome> => {
      let s: Session;
      try {
        s = await open(e, timeoutMs);
      } catch (err) {
        return { daemon: silent(e, err), stopped: false };
      }
      const d = describe(e, s.info);
      await withTimeout(s.conn.sendRequest(ShutdownRequest, { reason: 'daemon stop --all' }), timeoutMs, 'the daemon').catch(() => undefined);
      s.conn.dispose();
      s.socket.destroy();
      return { daemon: d, stopped: await waitForExit(s.info.pid, 5000) };
    }),
  );
}
