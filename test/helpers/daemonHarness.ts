// A private world for one integration test: its own runtime dir (socket + lock), state dir, a copy
// of a SkillMeat home and workspace, clients of the REAL bundled daemon (dist/daemon.js — run
// `node esbuild.mjs` first; `npm test` does), and a cleanup that leaves no process or file behind.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DaemonClient, type DaemonClientOptions, pidAlive, waitForExit } from '../../shared/client';
import { daemonPaths, type DaemonPaths } from '../../shared/paths';
import { PACKAGE_VERSION } from '../../shared/version';

import { BASIC_FIXTURE, REPO_ROOT } from './fixtures';

export { REPO_ROOT };
export const DAEMON_SCRIPT = path.join(REPO_ROOT, 'dist', 'daemon.js');
export const CLI_SCRIPT = path.join(REPO_ROOT, 'dist', 'cli.js');

export type FixtureStage = 'after-deploy' | 'after-edits';

export interface HarnessOptions {
  /** copy this stage of the SkillMeat 0.9.1 fixture (test/fixtures/) as home + workspace */
  fixture?: FixtureStage;
  /** daemon idle shutdown in seconds (default 60, so a leaked daemon still ends) */
  idleTimeoutSeconds?: number;
  daemonArgs?: string[];
  daemonEnv?: Record<string, string>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Harness {
  readonly root: string;
  readonly runtimeDir: string;
  readonly stateDir: string;
  /** SkillMeat home (holds config.toml and collections/) */
  home: string;
  /** workspace folder */
  workspace: string;
  private readonly clients: DaemonClient[] = [];

  constructor(private readonly opts: HarnessOptions = {}) {
    // Short root: the socket path must stay under ~100 bytes.
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
    this.runtimeDir = path.join(this.root, 'rt');
    this.stateDir = path.join(this.root, 'state');
    this.home = path.join(this.root, 'home', '.skillmeat');
    this.workspace = path.join(this.root, 'project');
    if (opts.fixture) {
      const stage = path.join(BASIC_FIXTURE, opts.fixture);
      fs.cpSync(path.join(stage, 'home'), path.join(this.root, 'home'), { recursive: true });
      fs.cpSync(path.join(stage, 'project'), this.workspace, { recursive: true });
    } else {
      fs.mkdirSync(this.workspace, { recursive: true });
    }
  }

  get paths(): DaemonPaths {
    return daemonPaths(this.home, { runtimeDir: this.runtimeDir, stateDir: this.stateDir });
  }

  clientOptions(extra: Partial<DaemonClientOptions> = {}): DaemonClientOptions {
    return {
      home: this.home,
      daemonScript: DAEMON_SCRIPT,
      clientName: 'test',
      clientVersion: PACKAGE_VERSION,
      runtimeDir: this.runtimeDir,
      stateDir: this.stateDir,
      daemonArgs: ['--idle-timeout', String(this.opts.idleTimeoutSeconds ?? 60), ...(this.opts.daemonArgs ?? [])],
      daemonEnv: this.opts.daemonEnv,
      ...extra,
    };
  }

  /** A client of this world's daemon (starting it on first use). Disposed by cleanup(). */
  client(extra: Partial<DaemonClientOptions> = {}): DaemonClient {
    const c = new DaemonClient(this.clientOptions(extra));
    this.clients.push(c);
    return c;
  }

  /** pid written in the daemon's lock file, if any */
  daemonPid(): number | undefined {
    try {
      const pid = parseInt(fs.readFileSync(this.paths.lockPath, 'utf8'), 10);
      return Number.isFinite(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Starts dist/daemon.js directly (not through a client), e.g. to race two of them. */
  spawnDaemon(args: string[] = [], env: Record<string, string> = {}): ReturnType<typeof spawn> {
    return spawn(
      process.execPath,
      [DAEMON_SCRIPT, '--home', this.home, '--runtime-dir', this.runtimeDir, '--state-dir', this.stateDir, '--idle-timeout', String(this.opts.idleTimeoutSeconds ?? 60), ...args],
      { stdio: 'ignore', env: { ...process.env, ...(this.opts.daemonEnv ?? {}), ...env } },
    );
  }

  /** Runs the bundled CLI against this world. */
  /** The environment the CLI runs with against this world. */
  cliEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      SKILLMEAT_SYNC_RUNTIME_DIR: this.runtimeDir,
      SKILLMEAT_SYNC_STATE_DIR: this.stateDir,
      SKILLMEAT_SYNC_IDLE_TIMEOUT: String(this.opts.idleTimeoutSeconds ?? 60),
      ...(this.opts.daemonEnv ?? {}),
      ...env,
    };
  }

  cli(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI_SCRIPT, '--home', this.home, ...args], {
        env: this.cliEnv(env),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`skillmeat-sync ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stderr}`));
      }, timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
  }

  /** Every process whose command line mentions this world's root (daemons started by anyone). */
  processes(): number[] {
    const pids: number[] = [];
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      try {
        const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        if (cmd.includes(this.root)) pids.push(Number(entry));
      } catch {
        // exited meanwhile
      }
    }
    return pids;
  }

  async cleanup(): Promise<void> {
    for (const c of this.clients) c.dispose();
    const pids = new Set(this.processes());
    const lockPid = this.daemonPid();
    if (lockPid) pids.add(lockPid);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone
      }
    }
    for (const pid of pids) {
      if (!(await waitForExit(pid, 3000)) && pidAlive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
        await waitForExit(pid, 2000);
      }
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** Polls until `check` returns a truthy value or the time is up. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** true if something accepts a connection on the socket */
export function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The daemon log of this world. */
export function logText(h: Harness): string {
  return fs.readFileSync(h.paths.logPath, 'utf8');
}

/** Starts a daemon directly and waits until it holds the lock and answers. */
export async function startDirect(h: Harness, env: Record<string, string> = {}): Promise<ReturnType<typeof spawn>> {
  const child = h.spawnDaemon([], env);
  // The socket accepts as soon as it is bound; the log line says the daemon has finished starting.
  await eventually(
    async () => h.daemonPid() === child.pid && (await socketAnswers(h.paths.socketPath)) && logText(h).includes(`[${child.pid}] listening on`),
    10_000,
    `daemon ${child.pid} serving`,
  );
  return child;
}
