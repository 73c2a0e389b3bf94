// Entry point of dist/daemon.js: parses its few flags and runs until idle, a signal, or a
// `shutdown` request.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveHome } from './skillmeat';
import { runDaemon, type RunningDaemon } from './daemon';
import type { LogLevel } from './log';
import { daemonDefault, SETTINGS } from '../shared/settings';

/** How long a signalled daemon may spend stopping cleanly before it just exits. */
const STOP_BOUND_MS = 3000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      home: { type: 'string' },
      'runtime-dir': { type: 'string' },
      'state-dir': { type: 'string' },
      'idle-timeout': { type: 'string' },
      'github-api-url': { type: 'string' },
      'log-level': { type: 'string' },
      foreground: { type: 'boolean' },
      // the client that started us waits on this pipe instead of polling the socket (shared/client.ts)
      'ready-fd': { type: 'string' },
      // folders whose status to compute once started: the CLI answered itself and started us for next time
      warm: { type: 'string', multiple: true },
    },
    strict: true,
  });
  // Handlers go in before the socket exists: a client may connect, and a signal arrive, the moment
  // we listen, and Node's default action would skip the clean-up of socket and lock.
  const running: { daemon?: RunningDaemon; pendingSignal?: string } = {};
  let signalled = 0;
  const stop = (signal: string) => {
    signalled++;
    // A signal always ends the daemon: a second one, or a clean stop that cannot finish within
    // STOP_BOUND_MS (a read stuck in the thread pool, a hung disk), exits at once. The forced
    // path still removes socket and lock if they are ours (synchronous, never blocks on a read).
    if (signalled > 1) forceExit();
    const bound = setTimeout(forceExit, STOP_BOUND_MS);
    bound.unref();
    if (!running.daemon) {
      running.pendingSignal ??= signal;
      return;
    }
    void running.daemon.stop(signal).then(() => process.exit(0));
  };
  const forceExit = () => {
    try {
      running.daemon?.removeOurFiles();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  const home = resolveHome({ home: values.home });
  const DEFAULT_IDLE = daemonDefault(SETTINGS.idleShutdownSeconds);
  const idle = values['idle-timeout'] !== undefined ? Number(values['idle-timeout']) : Number(process.env.SKILLMEAT_SYNC_IDLE_TIMEOUT ?? DEFAULT_IDLE);
  const started = await runDaemon({
    home,
    runtimeDir: values['runtime-dir'],
    stateDir: values['state-dir'],
    idleShutdownSeconds: Number.isFinite(idle) && idle >= 0 ? idle : DEFAULT_IDLE,
    // Only the flag: the service reads $SKILLMEAT_SYNC_GITHUB_API_URL itself, below the flag and above the setting.
    githubApiUrl: values['github-api-url'],
    logLevel: (values['log-level'] as LogLevel | undefined) ?? (process.env.SKILLMEAT_SYNC_LOG_LEVEL as LogLevel | undefined),
    echo: values.foreground,
    warm: values.warm,
  });
  if ('notStarted' in started) {
    // Another daemon serves this home: that is success for whoever started us.
    process.exit(0);
  }
  running.daemon = started;
  if (values['ready-fd'] !== undefined) sayReady(Number(values['ready-fd']));
  if (running.pendingSignal) stop(running.pendingSignal);
  process.on('uncaughtException', (err) => {
    // Stay up for the other clients; the log says what went wrong.
    process.stderr.write(`uncaught exception: ${err.stack ?? err}\n`);
  });
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`unhandled rejection: ${(err as Error)?.stack ?? err}\n`);
  });
  await started.stopped;
  process.exit(0);
}

/** Tells the client that started us that we listen; it may be gone already, which is fine. */
function sayReady(fd: number): void {
  if (!Number.isInteger(fd) || fd < 3) return;
  try {
    fs.writeSync(fd, 'listening\n');
  } catch {
    // no reader any more (EPIPE), or no such descriptor: the client polls the socket anyway
  }
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}

main().catch((err) => {
  process.stderr.write(`skillmeat-sync daemon: ${(err as Error).message}\n`);
  process.exit(2);
});
