// Issue #15's figures, through the CLI as a user meets them, each beside `sha256sum` over the same
// files measured INTERLEAVED with it (sha256sum, contender, sha256sum, contender, … — median of each),
// so that a noisy neighbour on the shared machine weighs on both sides of a ratio alike:
// - first-ever `status` (no daemon, empty state folder: the CLI hashes everything itself, then
//   starts the daemon in the background), and the `status` right after it (the daemon still
//   starting and warming up, or answering);
// - first `status` after a daemon restart with the state folder kept (the CLI answers from the
//   persisted hash index, stat-checked, then starts the daemon);
// - `status --no-daemon` (the engine in the CLI's own process);
// - warm CLI `status` (daemon running, answer cached) beside a bare `node -e 0`;
// - the daemon's resident memory at rest after those.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StatsRequest } from '../shared/protocol';
import type { CacheStats, StatusResult } from '../shared/types';
import { Harness, socketAnswers } from '../test/helpers/daemonHarness';
import { expectedCounts, generateWorld, type World, type WorldShape } from './generateWorld';
import { median, now, residentMb, round, sleep } from './stats';
import { sameCounts, statusCounts } from './statusCounts';
import { timedCli, timedNode, timingEnv } from './timedCli';

export interface Ratio {
  /** median of the contender's runs */
  ms: number;
  /** median of the sha256sum runs interleaved with them */
  sha256sumMs: number;
  ratio: number;
  runs: number;
  all: number[];
}

export interface ColdResult {
  shape: WorldShape;
  n: number;
  files: number;
  megabytes: number;
  firstEver: Ratio;
  restart: Ratio;
  /** the `status` run at once after each first-ever one: median ms and every run */
  followUp: { ms: number; all: number[] };
  noDaemon: Ratio;
  /** warm `status --json` through the CLI beside `node -e 0`, alternating */
  warmCli: { ms: number; nodeMs: number; overMs: number; runs: number };
  /** what the restarted daemon's hash cache did for its first answer (`cache stats`) */
  restartHashes?: { filesHashed: number; hits: number; misses: number; indexLoaded?: number };
  daemon: { rssMb: number; peakMb: number } | undefined;
  problems: string[];
}

/** `sha256sum` over exactly the files the engine hashes, one process after the other like ours. */
export function sha256sum(listFile: string): number {
  const t0 = now();
  const r = spawnSync('sh', ['-c', 'xargs -0 sha256sum < "$1" > /dev/null', 'sh', listFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = now() - t0;
  if (r.status !== 0) throw new Error(`sha256sum failed: ${r.stderr?.toString()}`);
  return ms;
}

/** Alternates sha256sum and the contender `runs` times each; the ratio is of the two medians. */
export async function interleaved(runs: number, listFile: string, contender: (i: number) => Promise<number>): Promise<Ratio> {
  const sha: number[] = [];
  const mine: number[] = [];
  for (let i = 0; i < runs; i++) {
    // alternate which goes first, so neither always follows the other's page-cache or CPU state
    if (i % 2 === 0) {
      sha.push(sha256sum(listFile));
      mine.push(await contender(i));
    } else {
      mine.push(await contender(i));
      sha.push(sha256sum(listFile));
    }
  }
  const ms = median(mine);
  const s = median(sha);
  return { ms: round(ms), sha256sumMs: round(s), ratio: round(ms / s, 2), runs, all: mine.map((x) => round(x)) };
}

/**
 * Stops the world's daemon. A `status` that found none answered itself and started one in the
 * background: wait until that one listens first, or it would come up after the stop (and after the
 * state folder is cleared) and serve the next "first-ever" run warm.
 */
/** Waits (up to 10 s) until a daemon of the world answers on its socket: the one a `status` started. */
async function daemonListening(h: Harness): Promise<void> {
  for (let i = 0; i < 500 && !(await socketAnswers(h.paths.socketPath)); i++) await sleep(20);
}

async function stopDaemon(h: Harness, expectOne: boolean): Promise<void> {
  if (expectOne) await daemonListening(h);
  // Until no process of this world is left: the `status` run right after a first-ever one answers
  // itself too and starts a daemon of its own, which takes over the lock once the first one has
  // left (and then served the next "first-ever" run warm: 93–202 ms runs in earlier results).
  for (let round = 0; round < 20; round++) {
    const r = await h.cli(['daemon', 'stop']);
    if (r.code !== 0 && r.code !== 3) throw new Error(`daemon stop exited ${r.code}: ${r.stderr}`);
    for (let i = 0; i < 150 && h.processes().length; i++) await sleep(20);
    if (!h.processes().length && !(await socketAnswers(h.paths.socketPath))) return;
  }
  throw new Error(`the daemons of ${h.root} did not stop: ${h.processes().join(', ')}`);
}

function clearStateFolder(h: Harness): void {
  // first-ever: nothing persisted (hash index, upstream answers); the log may stay
  if (!fs.existsSync(h.stateDir)) return;
  for (const f of fs.readdirSync(h.stateDir)) if (!f.endsWith('.log')) fs.rmSync(path.join(h.stateDir, f), { recursive: true, force: true });
}

export async function runCold(n: number, shape: WorldShape, runs: number, log: (s: string) => void): Promise<ColdResult> {
  const h = new Harness({ idleTimeoutSeconds: 900 });
  const problems: string[] = [];
  try {
    const world: World = await generateWorld({ home: h.home, workspace: h.workspace, n, shape });
    const expected = expectedCounts(world);
    const listFile = path.join(h.root, 'files.list');
    fs.writeFileSync(listFile, world.hashedFiles.join('\0'));
    const label = `cold ${shape} N=${n}`;
    log(`${label}: ${world.hashedFiles.length} files, ${round(world.hashedBytes / 1e6, 1)} MB`);
    // one untimed pass each, so the page cache holds every file for every contender alike
    sha256sum(listFile);

    /** A `status --json` answer: exit 0 and the generated rows, or a problem noted. */
    const check = (what: string, r: { code: number | null; stdout: string; stderr?: string }): void => {
      if (r.code !== 0) problems.push(`${what}: status exited ${r.code}${r.stderr ? `: ${r.stderr.slice(0, 300)}` : ''}`);
      else if (!sameCounts(statusCounts(JSON.parse(r.stdout) as StatusResult), expected)) problems.push(`${what}: wrong rows`);
    };
    const cliStatus = async (what: string, extra: string[] = []): Promise<number> => {
      const t0 = now();
      const r = await h.cli(['status', '--json', '--workspace', h.workspace, ...extra], {}, 300_000);
      const ms = now() - t0;
      check(what, r);
      return ms;
    };

    const follow: number[] = [];
    const firstEver = await interleaved(runs, listFile, async (i) => {
      await stopDaemon(h, i > 0);
      clearStateFolder(h);
      const ms = await cliStatus('first-ever status');
      // what a user who asks again at once meets: the daemon that status started is still coming up
      follow.push(await cliStatus('status right after the first-ever one'));
      return ms;
    });
    const followUp = { ms: round(median(follow)), all: follow.map((x) => round(x)) };
    log(`${label}: first-ever CLI status ${firstEver.ms} ms = ${firstEver.ratio} × sha256sum (${firstEver.sha256sumMs} ms); the status right after it ${followUp.ms} ms`);

    let restartHashes: ColdResult['restartHashes'];
    const restart = await interleaved(runs, listFile, async () => {
      // the running daemon has answered; let it settle (persist what it knows), then restart it
      await sleep(1500);
      await stopDaemon(h, true);
      return cliStatus('status after restart');
    });
    {
      // the daemon the last restart run started warms the folder from the index: wait for that one
      // (a client of ours would otherwise start a daemon without --warm if it got there first)
      await daemonListening(h);
      const c = h.client();
      await c.start();
      let hashes: CacheStats | undefined;
      let seen = -1;
      for (let i = 0; i < 200; i++) {
        const st = await c.request(StatsRequest, {});
        hashes = st.caches.find((x: CacheStats) => x.name === 'hashes');
        const used = hashes ? hashes.hits + hashes.misses : 0;
        // done warming: lookups were made and no more are being made
        if (!hashes || (used > 0 && used === seen)) break;
        seen = used;
        await sleep(100);
      }
      c.dispose();
      if (hashes) {
        restartHashes = { filesHashed: Number(hashes.filesHashed ?? 0), hits: hashes.hits, misses: hashes.misses };
        const index = hashes.index as { loaded?: number } | undefined;
        if (typeof index?.loaded === 'number') restartHashes.indexLoaded = index.loaded;
      }
    }
    log(`${label}: status after a restart ${restart.ms} ms = ${restart.ratio} × sha256sum (${restart.sha256sumMs} ms); hash cache ${JSON.stringify(restartHashes)}`);

    // warm: the daemon is up and has the answer; alternate a bare node with the CLI
    await cliStatus('warm status');
    const nodeRuns: number[] = [];
    const cliRuns: number[] = [];
    const warmRuns = Math.max(runs * 4, 20);
    const env = timingEnv(h);
    for (let i = 0; i < warmRuns; i++) {
      nodeRuns.push(timedNode(env));
      const r = timedCli(h, env, ['status', '--json', '--workspace', h.workspace]);
      cliRuns.push(r.ms);
      check('warm status', r);
    }
    const warmCli = { ms: round(median(cliRuns)), nodeMs: round(median(nodeRuns)), overMs: round(median(cliRuns) - median(nodeRuns)), runs: warmRuns };
    log(`${label}: warm CLI status ${warmCli.ms} ms, node -e 0 ${warmCli.nodeMs} ms: +${warmCli.overMs} ms`);

    await sleep(2500);
    const pid = h.daemonPid();
    const daemon = pid ? residentMb(pid) : undefined;
    log(`${label}: daemon resident at rest ${daemon?.rssMb} MB (peak ${daemon?.peakMb} MB)`);

    const noDaemon = await interleaved(Math.max(3, Math.ceil(runs / 2)), listFile, () => cliStatus('status --no-daemon', ['--no-daemon']));
    log(`${label}: --no-daemon ${noDaemon.ms} ms = ${noDaemon.ratio} × sha256sum`);

    return {
      shape,
      n,
      files: world.hashedFiles.length,
      megabytes: round(world.hashedBytes / 1e6, 1),
      firstEver,
      restart,
      followUp,
      noDaemon,
      warmCli,
      ...(restartHashes ? { restartHashes } : {}),
      daemon,
      problems,
    };
  } finally {
    await h.cleanup();
  }
}
