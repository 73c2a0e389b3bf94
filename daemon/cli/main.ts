// `skillmeat-sync`: the daemon's command-line client, for terminals, scripts and CI. Every command
// goes through the daemon (starting it if needed) unless --no-daemon runs the engine in-process.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DaemonClient, DaemonUnavailableError } from '../../shared/client';
import {
  CheckUpstreamRequest,
  CountsRequest,
  InvalidateRequest,
  StatsRequest,
  StatusRequest,
  type CheckUpstreamResult,
  type InvalidateScope,
} from '../../shared/protocol';
import type { CountsResult, StatusResult } from '../../shared/types';
import { PACKAGE_VERSION } from '../../shared/version';
import { resolveHome } from '../skillmeat';
import { formatCacheStats, formatCheckUpstream, formatCounts, formatStatus, summarize } from './format';
import { InProcessEngine } from './inProcess';

const HELP = `skillmeat-sync ${PACKAGE_VERSION} — is what SkillMeat deployed in your project still in sync?

Usage:
  skillmeat-sync status [--workspace DIR]... [--json] [--verify] [--fail-on-drift]
  skillmeat-sync counts [COLLECTION...] [--json]
  skillmeat-sync check-upstream [KEY...] [--force] [--workspace DIR]... [--json]
  skillmeat-sync invalidate (--upstream [KEY] | --counts [COLLECTION] | --hashes | --all)
  skillmeat-sync cache stats [--json]
  skillmeat-sync daemon start|stop|status [--json]

Options:
  --home DIR            the SkillMeat home (holds config.toml and collections/);
                        default $SKILLMEAT_HOME or ~/.skillmeat
  --workspace DIR       a workspace folder (repeatable); default the current folder
  --json                machine-readable output (a stable contract, see README)
  --verify              check every file on disk (stat), whatever the daemon's watchers say
  --fail-on-drift       exit 1 when any deployed artifact is not "synced" (implies --verify)
  --no-daemon           run the engine in this process (no caches, no daemon)
  --github-api-url URL  GitHub (Enterprise) API URL; also $SKILLMEAT_SYNC_GITHUB_API_URL
  --force               check-upstream: ignore cached answers
  -h, --help            this help
  --version             print the version

Exit status: 0 success; 1 drift found with --fail-on-drift; 2 usage error or unreadable input;
3 for "daemon status" when no daemon is running.`;

class UsageError extends Error {}

interface Ctx {
  home: string;
  json: boolean;
  noDaemon: boolean;
  githubApiUrl?: string;
  workspaces: string[];
}

function daemonScript(): string {
  if (process.env.SKILLMEAT_SYNC_DAEMON_SCRIPT) return process.env.SKILLMEAT_SYNC_DAEMON_SCRIPT;
  // Bundled: dist/cli.js beside dist/daemon.js. From sources (tsx): the repo's dist/.
  const beside = path.join(__dirname, 'daemon.js');
  if (fs.existsSync(beside)) return beside;
  return path.resolve(__dirname, '../../dist/daemon.js');
}

function makeClient(ctx: Ctx, noSpawn = false): DaemonClient {
  const daemonArgs: string[] = [];
  if (ctx.githubApiUrl) daemonArgs.push('--github-api-url', ctx.githubApiUrl);
  return new DaemonClient({
    home: ctx.home,
    daemonScript: daemonScript(),
    clientName: 'cli',
    clientVersion: PACKAGE_VERSION,
    daemonArgs,
    noSpawn,
    // Nothing is being started, so a running daemon answers at once: asking "is one running?"
    // must not take the 10 s a freshly spawned daemon is granted.
    ...(noSpawn ? { startTimeoutMs: 1500 } : {}),
    log: process.env.SKILLMEAT_SYNC_DEBUG ? (l, m) => process.stderr.write(`[${l}] ${m}\n`) : undefined,
  });
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function printJson(v: unknown): void {
  out(JSON.stringify(v, null, 2));
}

async function withEngine<T>(ctx: Ctx, daemonCall: (c: DaemonClient) => Promise<T>, local: (e: InProcessEngine) => Promise<T>): Promise<T> {
  if (ctx.noDaemon) {
    const engine = new InProcessEngine(ctx.home, ctx.githubApiUrl);
    try {
      return await local(engine);
    } finally {
      await engine.close();
    }
  }
  const client = makeClient(ctx);
  try {
    await client.start();
    return await daemonCall(client);
  } finally {
    client.dispose();
  }
}

function checkFolders(folders: string[]): void {
  for (const f of folders) {
    let st: fs.Stats;
    try {
      st = fs.statSync(f);
    } catch {
      throw new InputError(`workspace folder ${f} does not exist`);
    }
    if (!st.isDirectory()) throw new InputError(`workspace ${f} is not a folder`);
  }
}

class InputError extends Error {}

async function cmdStatus(ctx: Ctx, failOnDrift: boolean, verify: boolean): Promise<number> {
  checkFolders(ctx.workspaces);
  // A script's answer rests on the disk, not on the watchers (--no-daemon reads the disk anyway).
  const strict = verify || failOnDrift;
  const result: StatusResult = await withEngine(
    ctx,
    (c) => c.request(StatusRequest, { folders: ctx.workspaces, ...(strict ? { verify: true } : {}) }),
    (e) => e.status(ctx.workspaces),
  );
  if (ctx.json) printJson(result);
  else out(formatStatus(result, process.stdout.isTTY === true));
  for (const w of result.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  if (!result.homeExists) {
    process.stderr.write(`skillmeat-sync: no SkillMeat home at ${result.home} (use --home DIR or set SKILLMEAT_HOME)\n`);
    return 2;
  }
  const s = summarize(result);
  if (failOnDrift && s.notSynced > 0) return 1;
  return 0;
}

async function cmdCounts(ctx: Ctx, collections: string[]): Promise<number> {
  const result: CountsResult = await withEngine(
    ctx,
    (c) => c.request(CountsRequest, collections.length ? { collections } : {}),
    (e) => e.counts(collections),
  );
  if (ctx.json) printJson(result);
  else out(formatCounts(result));
  for (const w of result.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  // A collection that is not there or cannot be read is unreadable input (exit 2), said on stderr
  // too so that a script reading only the JSON's exit status still notices.
  const broken = result.collections.filter((c) => c.error !== undefined);
  for (const c of broken) process.stderr.write(`skillmeat-sync: collection ${c.name}: ${c.error}\n`);
  return broken.length || (result.collections.length === 0 && collections.length > 0) ? 2 : 0;
}

async function cmdCheckUpstream(ctx: Ctx, keys: string[], force: boolean, explicitWorkspace: boolean): Promise<number> {
  // The CLI's own --github-api-url / $SKILLMEAT_SYNC_GITHUB_API_URL goes with the request: a daemon
  // started earlier with another URL still answers this request from the API asked for.
  const params = {
    ...(keys.length ? { keys } : {}),
    ...(explicitWorkspace ? { folders: ctx.workspaces } : {}),
    force,
    ...(ctx.githubApiUrl ? { githubApiUrl: ctx.githubApiUrl } : {}),
  };
  const result: CheckUpstreamResult = await withEngine(
    ctx,
    (c) => c.request(CheckUpstreamRequest, params),
    (e) => e.checkUpstream(params),
  );
  if (ctx.json) printJson(result);
  else out(formatCheckUpstream(result));
  return 0;
}

async function cmdInvalidate(ctx: Ctx, scope: InvalidateScope, keys: string[]): Promise<number> {
  if (ctx.noDaemon) throw new UsageError('invalidate talks to the daemon; --no-daemon has no caches');
  const client = makeClient(ctx, true);
  try {
    await client.start();
  } catch (err) {
    if (err instanceof DaemonUnavailableError) {
      out('no daemon is running: nothing cached to invalidate');
      return 0;
    }
    throw err;
  } 
  try {
    const r = await client.request(InvalidateRequest, keys.length ? { scope, keys } : { scope });
    if (ctx.json) printJson(r);
    else out(`invalidated ${scope}: ${Object.entries(r.dropped).map(([k, n]) => `${n} ${k} entr${n === 1 ? 'y' : 'ies'}`).join(', ') || 'nothing'}`);
    return 0;
  } finally {
    client.dispose();
  }
}

async function cmdCacheStats(ctx: Ctx): Promise<number> {
  if (ctx.noDaemon) throw new UsageError('cache stats reports the daemon\'s caches; drop --no-daemon');
  const client = makeClient(ctx);
  try {
    await client.start();
    const r = await client.request(StatsRequest, {});
    if (ctx.json) printJson(r.caches);
    else out(formatCacheStats(r));
    return 0;
  } finally {
    client.dispose();
  }
}

async function cmdDaemon(ctx: Ctx, action: string | undefined): Promise<number> {
  switch (action) {
    case 'start': {
      const client = makeClient(ctx);
      try {
        const hello = await client.start();
        out(ctx.json ? JSON.stringify({ pid: hello.pid, version: hello.daemonVersion, socket: client.paths.socketPath }) : `daemon running: pid ${hello.pid}, version ${hello.daemonVersion}, socket ${client.paths.socketPath}`);
        return 0;
      } finally {
        client.dispose();
      }
    }
    case 'stop': {
      const client = makeClient(ctx, true);
      try {
        await client.start();
      } catch {
        out('no daemon is running');
        return 0;
      }
      const pid = await client.stopDaemon();
      out(`daemon stopped (pid ${pid})`);
      return 0;
    }
    case 'status': {
      const client = makeClient(ctx, true);
      try {
        await client.start();
      } catch {
        if (ctx.json) printJson({ running: false, socketPath: client.paths.socketPath, logPath: client.paths.logPath });
        else out(`no daemon is running (socket ${client.paths.socketPath}, log ${client.paths.logPath})`);
        client.dispose();
        return 3;
      }
      try {
        const r = await client.request(StatsRequest, {});
        if (ctx.json) printJson({ running: true, ...r.daemon });
        else {
          const d = r.daemon;
          out(
            [
              `daemon running: pid ${d.pid}, version ${d.version} (protocol ${d.protocolVersion}), up ${d.uptimeSeconds} s`,
              `  home     ${d.home}`,
              `  socket   ${d.socketPath}`,
              `  log      ${d.logPath}`,
              `  state    ${d.statePath}${d.persistence.enabled ? '' : ` (not persisted: ${d.persistence.message ?? 'disabled'})`}`,
              `  clients  ${d.clients}; idle shutdown after ${d.idleShutdownSeconds} s without clients`,
              `  watchers ${d.watchers.healthy ? 'healthy' : `NOT healthy: ${d.watchers.message ?? ''}`} (${d.watchers.watched} watched)`,
              `  github   ${r.github.apiUrl}, token from ${r.github.tokenSource}${r.github.rateLimit ? `, ${r.github.rateLimit.remaining}/${r.github.rateLimit.limit} requests left until ${r.github.rateLimit.resetAt}` : ''}`,
            ].join('\n'),
          );
        }
        return 0;
      } finally {
        client.dispose();
      }
    }
    default:
      throw new UsageError('daemon needs one of: start, stop, status');
  }
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        home: { type: 'string' },
        workspace: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        'fail-on-drift': { type: 'boolean' },
        verify: { type: 'boolean' },
        'no-daemon': { type: 'boolean' },
        'github-api-url': { type: 'string' },
        force: { type: 'boolean' },
        upstream: { type: 'boolean' },
        counts: { type: 'boolean' },
        hashes: { type: 'boolean' },
        all: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (err) {
    process.stderr.write(`skillmeat-sync: ${(err as Error).message}\nTry skillmeat-sync --help\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(HELP);
    return 0;
  }
  if (values.version) {
    out(PACKAGE_VERSION);
    return 0;
  }
  const [command, ...rest] = positionals;
  const githubApiUrl = values['github-api-url'] ?? process.env.SKILLMEAT_SYNC_GITHUB_API_URL;
  const ctx: Ctx = {
    home: resolveHome({ home: values.home }),
    json: values.json === true,
    noDaemon: values['no-daemon'] === true,
    workspaces: (values.workspace?.length ? values.workspace : [process.cwd()]).map((w) => path.resolve(w)),
    ...(githubApiUrl ? { githubApiUrl } : {}),
  };
  try {
    switch (command) {
      case 'status':
        if (rest.length) throw new UsageError(`status takes no arguments (got ${rest.join(' ')}); use --workspace DIR`);
        return await cmdStatus(ctx, values['fail-on-drift'] === true, values.verify === true);
      case 'counts':
        return await cmdCounts(ctx, rest);
      case 'check-upstream':
        return await cmdCheckUpstream(ctx, rest, values.force === true, Boolean(values.workspace?.length));
      case 'invalidate': {
        const scopes = (['upstream', 'counts', 'hashes', 'all'] as const).filter((s) => values[s]);
        if (scopes.length !== 1) throw new UsageError('invalidate needs exactly one of --upstream, --counts, --hashes, --all');
        if (rest.length && (scopes[0] === 'hashes' || scopes[0] === 'all')) throw new UsageError(`--${scopes[0]} takes no key`);
        return await cmdInvalidate(ctx, scopes[0], rest);
      }
      case 'cache':
        if (rest[0] !== 'stats') throw new UsageError('did you mean: skillmeat-sync cache stats');
        return await cmdCacheStats(ctx);
      case 'daemon':
        return await cmdDaemon(ctx, rest[0]);
      case undefined:
        out(HELP);
        return 2;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`skillmeat-sync: ${err.message}\nTry skillmeat-sync --help\n`);
      return 2;
    }
    if (err instanceof InputError) {
      process.stderr.write(`skillmeat-sync: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`skillmeat-sync: ${(err as Error).message}\n`);
    return 2;
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`skillmeat-sync: ${(err as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
