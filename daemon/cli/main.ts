// `skillmeat-sync`: the daemon's command-line client, for terminals, scripts and CI. Every command
// goes through the daemon (starting it if needed) unless --no-daemon runs the engine in-process;
// `status` with no daemon running answers in-process and starts the daemon for the next command.
// The grammar (commands, flags, help) is declared in args.ts and the COMMANDS table below.
//
// Start-up cost matters (a script may call us in a loop): talking to a daemon needs only the client
// and the formatting; the engine (and octokit) is loaded for --no-daemon alone, from its own bundle
// (dist/inProcess.js, see esbuild.mjs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isSourceKey, KEY_GRAMMAR, parseArtifactKey } from '../../shared/artifactKey';
import type { DaemonClient, DaemonClientOptions } from '../../shared/client';
import { checkHome } from '../../shared/homeCheck';
import type { OneShotOutcome } from '../../shared/oneShot';
import { daemonPaths } from '../../shared/paths';
import type { CheckUpstreamParams, CheckUpstreamResult, DiffParams, InvalidateScope, StatusTextResult } from '../../shared/protocol';
import { DIFF_SCOPES, type CountsResult, type DiffResult, type DiffScope, type StatusResult } from '../../shared/types';
import { PACKAGE_VERSION } from '../../shared/version';
import { ErrorCodes } from '../../shared/wire';
import { commandHelp, FLAGS, flagHelp, parseCommandLine, UsageError, usageLine, type CommandSpec, type FlagName, type FlagValues } from './args';
import type { ListedDaemon } from './daemonList';
import { exitWhenWritten, quietOnClosedPipe } from './exitWhenWritten';
import { formatCacheStats, formatCheckUpstream, formatCounts, formatDiff, formatInvalidate, renderStatus, summarize, table } from './format';
import type { InProcessEngine } from './inProcess';
import { printable, printText as out, STATUS_COMMAND, statusFormat, statusFromDaemon, statusTarget, strictStatus, writeStatus, type PrintableStatus, type StatusTarget } from './statusCommand';

// Loaded on first use, each a plain require that esbuild keeps lazy in the bundle: a `status` that
// finds its daemon running needs none of them (oneShot.ts), and evaluating vscode-jsonrpc, which
// all three bring, was ~8 ms of such a command (issue 15).
const rpc = () => require('../../shared/client') as typeof import('../../shared/client');
const protocol = () => require('../../shared/protocol') as typeof import('../../shared/protocol');
const daemonList = () => require('./daemonList') as typeof import('./daemonList');

/** Wrong input that is not about the command line's shape (a folder, a home, a key): exit 2. */
class InputError extends Error {}

/** What an entry point already learned before running the command line (bin.ts). */
export interface RunOptions {
  /** the daemon's reply to this `status`, asked by the bin: not asked again */
  askedStatus?: OneShotOutcome<StatusTextResult>;
}

interface Ctx extends StatusTarget, RunOptions {
  noDaemon: boolean;
  githubApiUrl?: string;
  /** --workspace was given */
  explicitWorkspace: boolean;
}

interface Command extends CommandSpec {
  /** refuse (exit 2) before anything else when the home is missing or not a SkillMeat home */
  needsHome?: boolean;
  run(ctx: Ctx, args: string[], values: FlagValues): Promise<number>;
}

const KEY_HELP = `KEY: ${KEY_GRAMMAR}. A bare name must match exactly one artifact.`;

const COMMANDS: Command[] = [
  {
    ...STATUS_COMMAND,
    needsHome: true,
    run: (ctx, _args, v) => cmdStatus(ctx, v['fail-on-drift'] === true, strictStatus(v)),
  },
  {
    name: 'counts',
    summary: 'How many artifacts each collection holds, per type, and its MCP servers.',
    flags: ['json', 'no-daemon'],
    args: { name: 'COLLECTION', many: true },
    needsHome: true,
    run: (ctx, args) => cmdCounts(ctx, args),
  },
  {
    name: 'check-upstream',
    summary: 'Ask GitHub whether the upstream source of each artifact (these KEYs, or all) has something newer.',
    flags: ['force', 'workspace', 'json', 'no-daemon'],
    args: { name: 'KEY', many: true },
    details: `${KEY_HELP}\nWith --workspace: the artifacts of the collections deployed there.\nA failure is cached for a minute (a rate limit until its reset): --force asks again at once.`,
    needsHome: true,
    run: (ctx, args, v) => cmdCheckUpstream(ctx, args, v.force === true),
  },
  {
    name: 'diff',
    summary: 'What changed in one artifact, file by file: between its collection copy, its project copy and its upstream.',
    flags: ['scope', 'unified', 'workspace', 'json', 'no-daemon'],
    args: { name: 'KEY', many: false },
    details: `${KEY_HELP}\nScopes (from → to): collection-project (default; the project's edits), upstream-collection (what an\nupdate would bring into the collection), upstream-project, upstream-changes (upstream since the\ncollection took it). A scope that does not apply (a local artifact has no upstream) is exit 2.\nUpstream files equal to the local ones are known by their git blob SHA and never downloaded.`,
    needsHome: true,
    run: (ctx, args, v) => cmdDiff(ctx, args, v.scope, v.unified === true),
  },
  {
    name: 'invalidate',
    summary: "Drop cached answers from the running daemon's caches (nothing to do without a daemon).",
    flags: ['upstream', 'counts', 'hashes', 'all', 'json'],
    args: { name: 'KEY|COLLECTION', many: true },
    usage: '(--upstream [KEY...] | --counts [COLLECTION...] | --hashes | --all) [--json]',
    details: `${KEY_HELP}\n--upstream also takes a source, github:host/owner/repo@ref. No --no-daemon: only the daemon has caches.`,
    needsHome: true,
    run: (ctx, args, v) => cmdInvalidate(ctx, args, v),
  },
  {
    name: 'cache stats',
    summary: "The running daemon's caches: size, TTL, hits, misses.",
    flags: ['json'],
    needsHome: true,
    run: (ctx) => cmdCacheStats(ctx),
  },
  {
    name: 'daemon start',
    summary: 'Start the daemon for this SkillMeat home (or find the running one).',
    flags: ['json'],
    needsHome: true,
    run: (ctx) => cmdDaemonStart(ctx),
  },
  {
    name: 'daemon stop',
    summary: 'Stop the daemon of this SkillMeat home; with --all, every daemon of this user.',
    flags: ['all', 'json'],
    run: (ctx, _args, v) => (v.all ? cmdDaemonStopAll(ctx) : cmdDaemonStop(ctx)),
  },
  {
    name: 'daemon status',
    summary: 'Whether a daemon serves this SkillMeat home, and its details. Exit 3 when none is running.',
    flags: ['json'],
    run: (ctx) => cmdDaemonStatus(ctx),
  },
  {
    name: 'daemon list',
    summary: 'Every daemon of this user: home, pid, uptime, clients, memory.',
    flags: ['json'],
    run: (ctx) => cmdDaemonList(ctx),
  },
];

function fullHelp(): string {
  const flags = Object.keys(FLAGS) as FlagName[];
  return `skillmeat-sync ${PACKAGE_VERSION} — is what SkillMeat deployed in your project still in sync?

Usage:
${COMMANDS.map((c) => `  ${usageLine(c)}`).join('\n')}

Options:
${flagHelp(flags)}

${KEY_HELP}
  e.g. canvas-design, canvas-design::skill, default/canvas-design::skill, canvas-design::skill::claude_code

Exit status: 0 success; 1 drift found with --fail-on-drift; 2 usage error or unreadable input (unknown
option, bad or unknown KEY, missing folder, not a SkillMeat home); 3 for "daemon status" when no daemon
is running.

"skillmeat-sync COMMAND --help" describes one command.`;
}

function daemonScript(): string {
  if (process.env.SKILLMEAT_SYNC_DAEMON_SCRIPT) return process.env.SKILLMEAT_SYNC_DAEMON_SCRIPT;
  // Bundled: dist/cli.js beside dist/daemon.js. From sources (tsx): the repo's dist/.
  const beside = path.join(__dirname, 'daemon.js');
  if (fs.existsSync(beside)) return beside;
  return path.resolve(__dirname, '../../dist/daemon.js');
}

function clientOptions(ctx: Ctx, noSpawn: boolean): DaemonClientOptions {
  const daemonArgs: string[] = [];
  if (ctx.githubApiUrl) daemonArgs.push('--github-api-url', ctx.githubApiUrl);
  return {
    home: ctx.home,
    daemonScript: daemonScript(),
    clientName: 'cli',
    clientVersion: PACKAGE_VERSION,
    daemonArgs,
    noSpawn,
    // Never leave a daemon behind for a path that is not a SkillMeat home.
    requireHome: true,
    log: process.env.SKILLMEAT_SYNC_DEBUG ? (l, m) => process.stderr.write(`[${l}] ${m}\n`) : undefined,
  };
}

function makeClient(ctx: Ctx, noSpawn = false): DaemonClient {
  return new (rpc().DaemonClient)(clientOptions(ctx, noSpawn));
}

function printJson(v: unknown): void {
  out(JSON.stringify(v, null, 2));
}

/**
 * The in-process engine, loaded only when needed (it pulls in the whole engine and octokit).
 * `withState`: use the daemon's state folder as the daemon would (see inProcess.ts).
 */
function loadEngine(ctx: Ctx, withState = false): InProcessEngine {
  // Deliberately lazy (see the header): a plain require, kept external by esbuild.mjs.
  const mod = require('./inProcess') as typeof import('./inProcess');
  const paths = withState ? daemonPaths(ctx.home) : undefined;
  return new mod.InProcessEngine(ctx.home, ctx.githubApiUrl, paths ? { hashIndexFile: paths.hashIndexPath, upstreamStoreFile: paths.upstreamStorePath } : undefined);
}

async function inProcess<T>(ctx: Ctx, withState: boolean, local: (e: InProcessEngine) => Promise<T>): Promise<T> {
  const engine = loadEngine(ctx, withState);
  try {
    return await local(engine);
  } finally {
    await engine.close();
  }
}

async function withEngine<T>(ctx: Ctx, daemonCall: (c: DaemonClient) => Promise<T>, local: (e: InProcessEngine) => Promise<T>): Promise<T> {
  if (ctx.noDaemon) return inProcess(ctx, false, local);
  const client = makeClient(ctx);
  try {
    await client.start();
    return await daemonCall(client);
  } finally {
    client.dispose();
  }
}

/**
 * Connects to a running daemon only; undefined when none runs. `waitMs`: how long to keep trying
 * (a daemon that is just starting answers within it) — nothing is being started, so asking "is one
 * running?" must not take the 10 s a spawned daemon is granted; 0 is one attempt, no waiting.
 */
async function runningDaemon(ctx: Ctx, waitMs = 1500): Promise<DaemonClient | undefined> {
  const { DaemonClient, DaemonUnavailableError } = rpc();
  const client = new DaemonClient({ ...clientOptions(ctx, true), startTimeoutMs: waitMs });
  try {
    await client.start();
    return client;
  } catch (err) {
    client.dispose();
    if (err instanceof DaemonUnavailableError) return undefined;
    throw err;
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

/** KEY arguments are checked here, before any daemon is asked; whether they match is the daemon's answer. */
function checkKeys(keys: string[], allowSources: boolean): void {
  for (const k of keys) {
    if (isSourceKey(k)) {
      if (allowSources) continue;
      throw new InputError(`"${k}" is an upstream source, not an artifact key; sources are for invalidate --upstream (expected ${KEY_GRAMMAR})`);
    }
    const parsed = parseArtifactKey(k);
    if (!parsed.ok) throw new InputError(parsed.error);
  }
}

function homeMessage(home: string): string | undefined {
  const h = checkHome(home);
  if (h.ok) return undefined;
  return h.problem === 'not-a-home' && h.message.includes('did you mean') ? h.message : `${h.message} (use --home DIR or set SKILLMEAT_HOME)`;
}

/**
 * Starts the home's daemon for the next command and lets go of it; it computes these folders'
 * status once listening (`--warm`), from the hash index this process has just written.
 */
function startDaemonInBackground(ctx: Ctx, folders: string[]): void {
  // `status` checked the home before it began (needsHome) and the answer found it (homeExists)
  try {
    const { spawnDaemonProcess, DEFAULT_DAEMON_FLAGS } = rpc();
    spawnDaemonProcess(clientOptions(ctx, false), { flags: DEFAULT_DAEMON_FLAGS, readyPipe: false, extraArgs: folders.flatMap((f) => ['--warm', f]) });
  } catch {
    // the answer is given; the next command starts the daemon (or says why it cannot)
  }
}

/** Prints a status and says what the command exits with. */
function printStatus(ctx: Ctx, r: PrintableStatus & { homeExists: boolean }, failOnDrift: boolean): number {
  if (!r.homeExists) {
    // Removed between our check and the answer: the rows would all be "orphaned".
    throw new InputError(homeMessage(ctx.home) ?? `no SkillMeat home at ${ctx.home}`);
  }
  return writeStatus(r, failOnDrift);
}

/** `strict`: --verify or --fail-on-drift (strictStatus); --no-daemon reads the disk anyway. */
async function cmdStatus(ctx: Ctx, failOnDrift: boolean, strict: boolean): Promise<number> {
  checkFolders(ctx.workspaces);
  const format = statusFormat(ctx.json);
  let shot: OneShotOutcome<StatusTextResult> | undefined;
  if (!ctx.noDaemon) {
    shot = ctx.askedStatus ?? (await statusFromDaemon(ctx, strict));
    const answer = printable(shot);
    if (answer) return printStatus(ctx, answer, failOnDrift);
  }
  let result: StatusResult;
  // A daemon answered but not this way (older, shutting down…): the full client deals with it.
  // One attempt: a daemon that is not answering now is not waited for.
  const client = shot && shot.kind !== 'no-daemon' ? await runningDaemon(ctx, 0) : undefined;
  if (client) {
    try {
      result = await client.request(protocol().StatusRequest, { folders: ctx.workspaces, ...(strict ? { verify: true } : {}) });
    } finally {
      client.dispose();
    }
  } else {
    // No daemon runs (or --no-daemon): answer from the disk in this process rather than wait for a
    // daemon to start and read everything (git does the same while its fsmonitor daemon starts).
    // The answer reads every file, as --verify would. Then start the daemon for the next command.
    result = await inProcess(ctx, !ctx.noDaemon, (e) => e.status(ctx.workspaces));
  }
  const text = renderStatus(result, format);
  const code = printStatus(ctx, { ...result, notSynced: summarize(result).notSynced, text }, failOnDrift);
  if (!client && !ctx.noDaemon) startDaemonInBackground(ctx, ctx.workspaces);
  return code;
}

async function cmdCounts(ctx: Ctx, collections: string[]): Promise<number> {
  const result: CountsResult = await withEngine(
    ctx,
    (c) => c.request(protocol().CountsRequest, collections.length ? { collections } : {}),
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

async function cmdCheckUpstream(ctx: Ctx, keys: string[], force: boolean): Promise<number> {
  checkKeys(keys, false);
  if (ctx.explicitWorkspace) checkFolders(ctx.workspaces);
  // The CLI's own --github-api-url / $SKILLMEAT_SYNC_GITHUB_API_URL goes with the request: a daemon
  // started earlier with another URL still answers this request from the API asked for.
  const params: CheckUpstreamParams = {
    ...(keys.length ? { keys } : {}),
    ...(ctx.explicitWorkspace ? { folders: ctx.workspaces } : {}),
    force,
    ...(ctx.githubApiUrl ? { githubApiUrl: ctx.githubApiUrl } : {}),
  };
  const result: CheckUpstreamResult = await withKeys(keys, () =>
    withEngine(
      ctx,
      (c) => c.request(protocol().CheckUpstreamRequest, params),
      (e) => e.checkUpstream(params),
    ),
  );
  if (ctx.json) printJson(result);
  else out(formatCheckUpstream(result));
  return 0;
}

async function cmdDiff(ctx: Ctx, args: string[], scope: string | undefined, unified: boolean): Promise<number> {
  if (args.length !== 1) throw new UsageError(`diff takes one KEY (got ${args.length ? args.join(' ') : 'none'})`, 'diff');
  if (scope !== undefined && !(DIFF_SCOPES as readonly string[]).includes(scope)) {
    throw new UsageError(`--scope must be one of ${DIFF_SCOPES.join(', ')} (got ${scope})`, 'diff');
  }
  checkKeys(args, false);
  checkFolders(ctx.workspaces);
  const params: DiffParams = { key: args[0], folders: ctx.workspaces, ...(scope ? { scope: scope as DiffScope } : {}), ...(unified ? { unified } : {}) };
  let result: DiffResult;
  try {
    result = await withEngine(
      ctx,
      (c) => c.request(protocol().DiffRequest, params),
      (e) => e.diff(params),
    );
  } catch (err) {
    if (!isInputRefusal(err)) throw err;
    // A key that names nothing gets the grammar; a scope that does not apply says only why.
    const aboutKey = err.message.includes(`"${args[0]}"`) && !err.message.includes(KEY_GRAMMAR);
    throw new InputError(aboutKey ? `${err.message} (a KEY is ${KEY_GRAMMAR})` : err.message);
  }
  if (ctx.json) printJson(result);
  else out(formatDiff(result, process.stdout.isTTY === true));
  return 0;
}

async function cmdInvalidate(ctx: Ctx, args: string[], v: FlagValues): Promise<number> {
  const scopes = (['upstream', 'counts', 'hashes', 'all'] as const).filter((s) => v[s]);
  if (scopes.length !== 1) throw new UsageError('invalidate needs exactly one of --upstream, --counts, --hashes, --all', 'invalidate');
  const scope: InvalidateScope = scopes[0];
  if (args.length && (scope === 'hashes' || scope === 'all')) throw new UsageError(`--${scope} takes no key`, 'invalidate');
  if (scope === 'upstream') checkKeys(args, true);
  const client = await runningDaemon(ctx);
  if (!client) {
    if (ctx.json) printJson({ dropped: {}, running: false });
    else out('no daemon is running: nothing cached to invalidate');
    return 0;
  }
  try {
    const r = await withKeys(scope === 'upstream' ? args : [], () => client.request(protocol().InvalidateRequest, args.length ? { scope, keys: args } : { scope }));
    if (ctx.json) printJson(r);
    else out(formatInvalidate(scope, r.dropped));
    return 0;
  } finally {
    client.dispose();
  }
}

async function cmdCacheStats(ctx: Ctx): Promise<number> {
  // Starting a daemon only to show its empty caches would leave a process behind for nothing.
  const client = await runningDaemon(ctx);
  if (!client) {
    if (ctx.json) printJson([]);
    else out(`no daemon is running for ${ctx.home}: nothing is cached`);
    return 0;
  }
  try {
    const r = await client.request(protocol().StatsRequest, {});
    if (ctx.json) printJson(r.caches);
    else out(formatCacheStats(r));
    return 0;
  } finally {
    client.dispose();
  }
}

async function cmdDaemonStart(ctx: Ctx): Promise<number> {
  const client = makeClient(ctx);
  try {
    const hello = await client.start();
    out(ctx.json ? JSON.stringify({ pid: hello.pid, version: hello.daemonVersion, socket: client.paths.socketPath }) : `daemon running: pid ${hello.pid}, version ${hello.daemonVersion}, socket ${client.paths.socketPath}`);
    return 0;
  } finally {
    client.dispose();
  }
}

async function cmdDaemonStop(ctx: Ctx): Promise<number> {
  const client = await runningDaemon(ctx);
  if (!client) {
    if (ctx.json) printJson({ stopped: [] });
    else out('no daemon is running');
    return 0;
  }
  const pid = await client.stopDaemon();
  if (ctx.json) printJson({ stopped: pid === undefined ? [] : [pid] });
  else out(`daemon stopped (pid ${pid})`);
  return 0;
}

async function cmdDaemonStopAll(ctx: Ctx): Promise<number> {
  const outcomes = await daemonList().stopAllDaemons();
  if (ctx.json) {
    printJson({ stopped: outcomes.filter((o) => o.stopped).map((o) => o.daemon), notStopped: outcomes.filter((o) => !o.stopped).map((o) => o.daemon) });
  } else if (!outcomes.length) {
    out('no daemon is running');
  } else {
    for (const o of outcomes) {
      const d = o.daemon;
      if (o.stopped) out(`daemon stopped (pid ${d.pid}, home ${d.home})`);
      else if (d.answering) out(`daemon pid ${d.pid} (home ${d.home}) did not exit within 5 s`);
      else out(`not stopped: ${d.socketPath}${d.pid ? ` (pid ${d.pid})` : ''}: ${d.problem}`);
    }
  }
  // A daemon that would not go is a failure a script must notice; a leftover socket is not.
  return outcomes.some((o) => o.daemon.answering && !o.stopped) ? 2 : 0;
}

async function cmdDaemonStatus(ctx: Ctx): Promise<number> {
  const client = await runningDaemon(ctx);
  if (!client) {
    const paths = makeClient(ctx, true).paths;
    if (ctx.json) printJson({ running: false, socketPath: paths.socketPath, logPath: paths.logPath });
    else out(`no daemon is running (socket ${paths.socketPath}, log ${paths.logPath})`);
    return 3;
  }
  try {
    const r = await client.request(protocol().StatsRequest, {});
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
          ...(d.rssBytes !== undefined ? [`  memory   ${megabytes(d.rssBytes)} resident`] : []),
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

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(0)} MB`;
}

function duration(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

async function cmdDaemonList(ctx: Ctx): Promise<number> {
  const daemons: ListedDaemon[] = await daemonList().listDaemons();
  if (ctx.json) {
    printJson(daemons);
    return 0;
  }
  if (!daemons.length) {
    out('no daemon is running');
    return 0;
  }
  const rows = daemons.map((d) =>
    d.answering
      ? [String(d.pid), d.home ?? '?', duration(d.uptimeSeconds ?? 0), String(d.clients ?? 0), d.rssBytes === undefined ? '-' : megabytes(d.rssBytes), d.version ?? '']
      : [d.pid ? String(d.pid) : '-', `(not answering: ${d.problem}) ${d.socketPath}`, '-', '-', '-', ''],
  );
  out(table(rows, ['PID', 'HOME', 'UP', 'CLIENTS', 'MEMORY', 'VERSION']));
  return 0;
}

/** The daemon's (or the in-process engine's) refusal of a request's parameters: the user's input. */
function isInputRefusal(err: unknown): err is Error {
  // the daemon's InvalidParams (a ResponseError, or oneShot's RpcError: both carry its code)
  if (!(err instanceof Error)) return false;
  const e = err as { code?: unknown; invalidParams?: unknown };
  return e.code === ErrorCodes.InvalidParams || e.invalidParams === true;
}

/** Runs a request that carries KEYs: a key that matches nothing (or too much) names the grammar. */
async function withKeys<T>(keys: string[], call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (keys.length && isInputRefusal(err)) {
      throw new InputError(err.message.includes(KEY_GRAMMAR) ? err.message : `${err.message} (a KEY is ${KEY_GRAMMAR})`);
    }
    throw err;
  }
}

export async function run(argv: string[], opts: RunOptions = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(argv, COMMANDS);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`skillmeat-sync: ${err.message}\nTry skillmeat-sync ${err.command ? `${err.command} ` : ''}--help\n`);
    return 2;
  }
  const { values, args } = parsed;
  const command = parsed.command as Command | undefined;
  if (values.help) {
    if (command) out(commandHelp(command));
    else if (args.length) out(COMMANDS.filter((c) => c.name.startsWith(`${args[0]} `)).map((c) => commandHelp(c)).join('\n\n'));
    else out(fullHelp());
    return 0;
  }
  if (values.version) {
    out(PACKAGE_VERSION);
    return 0;
  }
  if (!command) {
    out(fullHelp());
    return 2;
  }
  const githubApiUrl = values['github-api-url'] ?? process.env.SKILLMEAT_SYNC_GITHUB_API_URL;
  const ctx: Ctx = {
    ...statusTarget(values),
    ...opts,
    noDaemon: values['no-daemon'] === true,
    explicitWorkspace: Boolean(values.workspace?.length),
    ...(githubApiUrl ? { githubApiUrl } : {}),
  };
  try {
    if (command.needsHome) {
      const problem = homeMessage(ctx.home);
      if (problem) throw new InputError(problem);
    }
    return await command.run(ctx, args, values);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`skillmeat-sync: ${err.message}\nTry skillmeat-sync ${command.name} --help\n`);
      return 2;
    }
    if (isInputRefusal(err)) {
      process.stderr.write(`skillmeat-sync: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`skillmeat-sync: ${(err as Error).message}\n`);
    return 2;
  }
}

/** Runs the command line of this process and exits with its code (bin.ts, or this file run directly). */
export function main(opts: RunOptions = {}): void {
  quietOnClosedPipe();
  run(process.argv.slice(2), opts).then((code) => exitWhenWritten(code), (err) => {
    process.stderr.write(`skillmeat-sync: ${(err as Error).message}\n`);
    exitWhenWritten(2);
  });
}

if (require.main === module) main();
