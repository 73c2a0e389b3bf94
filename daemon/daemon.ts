// Assembles one daemon: logger, sync service, RPC server with its handlers, life cycle.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CheckUpstreamRequest,
  ConfigureRequest,
  CountsRequest,
  DaemonStatusNotification,
  DiffRequest,
  FileContentRequest,
  DidChangeNotification,
  InvalidateRequest,
  PROTOCOL_VERSION,
  SetTokenRequest,
  ShutdownRequest,
  StatsRequest,
  StatusRequest,
  StatusTextRequest,
  SubscribeRequest,
  UnsubscribeRequest,
  type StatsResult,
  type StatusTextResult,
} from '../shared/protocol';
import type { StatusResult } from '../shared/types';
import { daemonPaths, type DaemonPaths } from '../shared/paths';
import { registerSecret } from '../shared/redact';
import { daemonDefault, SETTINGS } from '../shared/settings';
import { currentVersion } from '../shared/version';
import { FileLogger, type LogLevel } from './log';
import { Lifecycle } from './server/lifecycle';
import { RawJson } from './server/rawJsonWriter';
import { RpcServer } from './server/rpcServer';
import { SyncService } from './service/syncService';

export interface DaemonOptions {
  home: string;
  runtimeDir?: string;
  stateDir?: string;
  idleShutdownSeconds?: number;
  githubApiUrl?: string;
  logLevel?: LogLevel;
  /** also print log lines to stderr */
  echo?: boolean;
  /**
   * Workspace folders to compute the status of once listening, as a request would: the CLI that
   * started us answered its own first status and hands us the folder, so the next one is warm.
   */
  warm?: string[];
}

export interface RunningDaemon {
  paths: DaemonPaths;
  stop(reason: string): Promise<void>;
  /** synchronous clean-up of socket and lock (if still ours), for a forced exit */
  removeOurFiles(): void;
  stopped: Promise<void>;
}

export async function runDaemon(opts: DaemonOptions): Promise<RunningDaemon | { notStarted: string }> {
  const paths = daemonPaths(opts.home, { runtimeDir: opts.runtimeDir, stateDir: opts.stateDir });
  const log = new FileLogger(paths.logPath, opts.logLevel ?? SETTINGS.logLevel.default, opts.echo ? (l) => process.stderr.write(`${l}\n`) : undefined);
  const version = currentVersion();
  log.info(`daemon ${version} (protocol ${PROTOCOL_VERSION}) starting for home ${opts.home}, socket ${paths.socketPath}`);

  // The flag is not a setting: an editor's `configure` must not override it.
  const service = new SyncService({
    home: opts.home,
    log,
    upstreamStoreFile: paths.upstreamStorePath,
    contentStoreDir: paths.contentStoreDir,
    hashIndexFile: paths.hashIndexPath,
    // our own private folder: the sync barrier never writes into SkillMeat's files or a workspace
    cookieDir: paths.cookieDir,
    ...(opts.githubApiUrl ? { githubApiUrlFlag: opts.githubApiUrl } : {}),
  });
  if (process.env.SKILLMEAT_SYNC_TEST_HOOKS === '1') {
    // Tests simulate a kernel queue overflow: SIGUSR2 starts dropping events, the next one reports the loss.
    process.on('SIGUSR2', () => service.toggleEventLoss());
  }
  // eslint-disable-next-line prefer-const -- the server's callbacks need it before it can be built
  let lifecycle: Lifecycle | undefined;
  const server = new RpcServer({
    log,
    home: opts.home,
    version,
    onClientCountChange: (n) => lifecycle?.clientsChanged(n),
    onDisconnect: (client) => {
      if (client.subscriptions.size) service.unsubscribe([...client.subscriptions]);
    },
  });
  lifecycle = new Lifecycle(paths, server, log, (opts.idleShutdownSeconds ?? daemonDefault(SETTINGS.idleShutdownSeconds)) * 1000, async () => {
    await service.close();
  });

  service.onDidChange = (params) => {
    // Each client hears about the folders it subscribed to; collection and home changes go to all.
    for (const c of server.allClients()) {
      if (!c.handshaken) continue;
      const workspaces = params.workspaces.filter((w) => c.subscriptions.has(w.folder));
      if (workspaces.length || params.collections.length || params.home) {
        c.notify(DidChangeNotification, { ...params, workspaces });
      }
    }
  };
  service.onDaemonStatus = (params) => server.broadcast(DaemonStatusNotification, params);

  // Answered as ready-made JSON: unchanged rows are not serialised again (rawJsonWriter.ts).
  server.register(StatusRequest, async (p) => new RawJson(await service.statusJson(p.folders, { verify: p.verify === true })) as unknown as StatusResult, {
    timeoutMs: 120_000,
  });
  server.register(StatusTextRequest, async (p) => {
    const answer = await service.statusText(p.folders, p.format, { verify: p.verify === true, attachText: p.attachText === true });
    const attachment = answer.attachment ? { contentType: 'text/plain; charset=utf-8', bytes: answer.attachment } : undefined;
    return new RawJson([answer.json], attachment) as unknown as StatusTextResult;
  }, {
    timeoutMs: 120_000,
  });
  server.register(CountsRequest, (p) => service.counts(p.collections));
  server.register(CheckUpstreamRequest, (p) => service.checkUpstream(p), { timeoutMs: 180_000 });
  server.register(DiffRequest, (p) => service.diff(p), { timeoutMs: 180_000 });
  server.register(FileContentRequest, (p) => service.fileContent(p), { timeoutMs: 120_000 });
  server.register(InvalidateRequest, (p) => service.invalidate(p), { timeoutMs: 120_000 });
  server.register(StatsRequest, (): StatsResult => {
    const rateLimit = service.rateLimit();
    return {
      daemon: {
        pid: process.pid,
        version,
        protocolVersion: PROTOCOL_VERSION,
        uptimeSeconds: lifecycle!.uptimeSeconds(),
        socketPath: paths.socketPath,
        logPath: paths.logPath,
        statePath: paths.stateDir,
        home: opts.home,
        clients: server.clientCount,
        rssBytes: process.memoryUsage.rss(),
        idleShutdownSeconds: Math.round(lifecycle!.idleShutdownMs / 1000),
        watchers: service.watcherInfo(),
        persistence: service.store
          ? { enabled: service.store.enabled, ...(service.store.message ? { message: service.store.message } : {}) }
          : { enabled: false, message: 'no state folder' },
      },
      caches: service.cacheStats(),
      github: { apiUrl: service.githubApiUrl(), tokenSource: service.tokenSource(), ...(rateLimit ? { rateLimit } : {}) },
    };
  });
  server.register(SubscribeRequest, (p, client) => {
    const fresh = p.folders.filter((f) => !client.subscriptions.has(path.resolve(f)));
    const folders = service.subscribe(fresh);
    for (const f of folders) client.subscriptions.add(f);
    // The new subscriber should see the daemon's state without waiting for a change.
    setImmediate(() => client.notify(DaemonStatusNotification, service.currentStatus()));
    return { folders: [...client.subscriptions] };
  });
  server.register(UnsubscribeRequest, (p, client) => {
    const mine = p.folders.map((f) => path.resolve(f)).filter((f) => client.subscriptions.has(f));
    for (const f of mine) client.subscriptions.delete(f);
    service.unsubscribe(mine);
    return { folders: [...client.subscriptions] };
  });
  server.register(SetTokenRequest, async (p) => {
    registerSecret(p.token);
    await service.setEditorToken(p.token, p.source, p.apiUrl);
    log.info(`GitHub token ${p.token ? 'received' : 'cleared'} from ${p.source}; using ${service.tokenSource()}`);
    return { ok: true as const };
  });
  server.register(ConfigureRequest, (p) => {
    service.configure(p);
    if (p.logLevel) log.level = p.logLevel;
    if (p.idleShutdownSeconds !== undefined) lifecycle!.setIdleShutdown(p.idleShutdownSeconds * 1000, server.clientCount);
    return { ok: true as const };
  });
  server.register(ShutdownRequest, (p) => {
    log.info(`shutdown requested${p?.reason ? `: ${p.reason}` : ''}`);
    // Answer first, then go.
    setTimeout(() => void lifecycle!.stop('requested').then(() => process.exit(0)), 20);
    return { ok: true as const };
  });

  await service.init().catch((err) => log.warn(`init: ${(err as Error).message}`));
  let outcome;
  try {
    outcome = await lifecycle.start();
  } catch (err) {
    // Whoever started us (a client, detached) only has this log to learn why no daemon came up.
    log.error(`cannot start: ${(err as Error).message}`);
    await service.close().catch(() => undefined);
    log.close();
    throw err;
  }
  if (!outcome.started) {
    log.info(`not starting: ${outcome.reason}`);
    await service.close();
    log.close();
    return { notStarted: outcome.reason };
  }
  log.info(`listening on ${paths.socketPath}`);
  if (opts.warm?.length) warmUp(service, opts.warm, log);
  const running = lifecycle;
  return {
    paths,
    stop: (reason: string) => running.stop(reason),
    removeOurFiles: () => running.removeOurFiles(),
    stopped: running.stopped.then(() => log.close()),
  };
}

/**
 * Computes the folders' rows in the background; a request meanwhile joins that computation. Only
 * the rows: each client serialises them as it asks (the CLI's `statusText`, an editor's `status`).
 */
function warmUp(service: SyncService, folders: string[], log: FileLogger): void {
  const existing = folders.map((f) => path.resolve(f)).filter((f) => fs.statSync(f, { throwIfNoEntry: false })?.isDirectory());
  if (!existing.length) return;
  const started = performance.now();
  setImmediate(() => {
    service
      .status(existing, { verify: false })
      .then(() => log.info(`warmed ${existing.length} folder(s) in ${Math.round(performance.now() - started)} ms`))
      .catch((err) => log.warn(`warming ${existing.join(', ')}: ${(err as Error).message}`));
  });
}
