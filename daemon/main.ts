// Entry point of dist/daemon.js: parses its few flags and runs until idle, a signal, or a
// `shutdown` request.
import { parseArgs } from 'node:util';
import { resolveHome } from './skillmeat';
import { runDaemon } from './daemon';
import type { LogLevel } from './log';

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
    },
    strict: true,
  });
  const home = resolveHome({ home: values.home });
  const idle = values['idle-timeout'] !== undefined ? Number(values['idle-timeout']) : Number(process.env.SKILLMEAT_SYNC_IDLE_TIMEOUT ?? 600);
  const daemon = await runDaemon({
    home,
    runtimeDir: values['runtime-dir'],
    stateDir: values['state-dir'],
    idleShutdownSeconds: Number.isFinite(idle) && idle >= 0 ? idle : 600,
    githubApiUrl: values['github-api-url'] ?? process.env.SKILLMEAT_SYNC_GITHUB_API_URL,
    logLevel: (values['log-level'] as LogLevel | undefined) ?? (process.env.SKILLMEAT_SYNC_LOG_LEVEL as LogLevel | undefined),
    echo: values.foreground,
  });
  if ('notStarted' in daemon) {
    // Another daemon serves this home: that is success for whoever started us.
    process.exit(0);
  }
  const stop = (signal: string) => {
    void daemon.stop(signal).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  process.on('uncaughtException', (err) => {
    // Stay up for the other clients; the log says what went wrong.
    process.stderr.write(`uncaught exception: ${err.stack ?? err}\n`);
  });
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`unhandled rejection: ${(err as Error)?.stack ?? err}\n`);
  });
  await daemon.stopped;
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`skillmeat-sync daemon: ${(err as Error).message}\n`);
  process.exit(2);
});
