// Scenarios 1–4 and 6 (daemon memory) for one size N: cold status against its baselines, warm
// status, edit → didChange → status, counts, and the daemon's resident memory afterwards.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DaemonClient } from '../shared/client';
import { CountsRequest, InvalidateRequest, StatusRequest, type DidChangeParams } from '../shared/protocol';
import type { StatusResult } from '../shared/types';
import { Harness } from '../test/helpers/daemonHarness';
import { expectedCounts, generateWorld, type World } from './generateWorld';
import { median, now, residentMb, round, sleep, summary, timed, type Summary } from './stats';
import { sameCounts, statusCounts } from './statusCounts';

export interface Reps {
  cold: number;
  warm: number;
  edits: number;
  counts: number;
}

export interface SizeResult {
  n: number;
  files: number;
  megabytes: number;
  generateMs: number;
  cold: {
    sha256sumMs: number;
    noDaemonMs: number;
    /** spawn + handshake of a fresh daemon */
    daemonStartMs: number;
    /** first status request of that fresh daemon */
    daemonStatusMs: number;
    ratioToSha256sum: number;
    runs: number;
  };
  warm: Summary;
  /** JSON.stringify + JSON.parse of the same answer in one process: the floor of any transfer */
  warmSerializeMs: number;
  /** bytes of the status answer as JSON */
  statusBytes: number;
  edit: { didChange: Summary; statusShows: Summary; missed: number };
  counts: { missMs: number; hit: Summary; invalidateMs: number; afterInvalidationMs: number };
  /** rssMb: resident after 2 s without requests (the daemon at rest); busyMb: right after the last request */
  daemon: { rssMb: number; peakMb: number; busyMb?: number } | undefined;
  /** the daemon's rows match what the generator wrote */
  correct: boolean;
  problems: string[];
}

/** sha256sum over exactly the files the engine hashes: the cost of reading and hashing them at all. */
function sha256sumMs(world: World, listFile: string): number {
  fs.writeFileSync(listFile, world.hashedFiles.join('\0'));
  const t0 = now();
  const r = spawnSync('sh', ['-c', 'xargs -0 sha256sum < "$1" > /dev/null', 'sh', listFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = now() - t0;
  if (r.status !== 0) throw new Error(`sha256sum failed: ${r.stderr?.toString()}`);
  return ms;
}

async function editScenario(c: DaemonClient, h: Harness, world: World, reps: number, problems: string[]): Promise<SizeResult['edit']> {
  const changes: { at: number; p: DidChangeParams }[] = [];
  c.onDidChange((p) => changes.push({ at: now(), p }));
  await c.subscribe([h.workspace]);
  const candidates = world.deployed.filter((d) => d.expected === 'synced');
  const didChange: number[] = [];
  const statusShows: number[] = [];
  let missed = 0;
  for (let i = 0; i < reps; i++) {
    // spread over the workspace, skills and single files alike
    const target = candidates[Math.floor(((i + 0.5) * candidates.length) / reps)];
    changes.length = 0;
    const t0 = now();
    fs.appendFileSync(target.editableFile, `\nbench edit ${i}\n`);
    const until = t0 + 10_000;
    let seen: number | undefined;
    while (now() < until) {
      const hit = changes.find((x) => x.p.workspaces.some((w) => w.keys.includes(target.key)));
      if (hit) {
        seen = hit.at - t0;
        break;
      }
      await sleep(2);
    }
    if (seen === undefined) {
      missed++;
      problems.push(`edit of ${target.key}: no didChange within 10 s`);
      continue;
    }
    didChange.push(seen);
    const r = await c.request(StatusRequest, { folders: [h.workspace] });
    const row = r.workspaces[0].artifacts.find((a) => a.key === target.key);
    if (row?.status !== 'modified') problems.push(`edit of ${target.key}: status shows ${row?.status}, not modified`);
    statusShows.push(now() - t0);
    // let the batch settle so edits do not coalesce
    await sleep(150);
  }
  return { didChange: summary(didChange), statusShows: summary(statusShows), missed };
}

export async function runSize(n: number, reps: Reps, log: (s: string) => void): Promise<SizeResult> {
  const h = new Harness({ idleTimeoutSeconds: 900 });
  const problems: string[] = [];
  try {
    const g = await timed(() => generateWorld({ home: h.home, workspace: h.workspace, n }));
    const world = g.value;
    const expected = expectedCounts(world);
    log(`N=${n}: generated ${world.hashedFiles.length} files, ${round(world.hashedBytes / 1e6, 1)} MB in ${Math.round(g.ms)} ms`);

    // 1. cold
    const shaRuns: number[] = [];
    const noDaemonRuns: number[] = [];
    for (let i = 0; i < reps.cold; i++) shaRuns.push(sha256sumMs(world, path.join(h.root, 'files.list')));
    for (let i = 0; i < reps.cold; i++) {
      const t0 = now();
      const r = await h.cli(['status', '--no-daemon', '--json', '--workspace', h.workspace], {}, 300_000);
      noDaemonRuns.push(now() - t0);
      if (r.code !== 0) problems.push(`--no-daemon status exited ${r.code}: ${r.stderr.slice(0, 300)}`);
      else if (!sameCounts(statusCounts(JSON.parse(r.stdout) as StatusResult), expected)) problems.push('--no-daemon status: wrong rows');
    }
    const startRuns: number[] = [];
    const statusRuns: number[] = [];
    let c: DaemonClient | undefined;
    let correct = true;
    for (let i = 0; i < reps.cold; i++) {
      if (c) await c.stopDaemon();
      c = h.client();
      startRuns.push((await timed(() => c!.start())).ms);
      const s = await timed(() => c!.request(StatusRequest, { folders: [h.workspace] }));
      statusRuns.push(s.ms);
      const got = statusCounts(s.value);
      if (!sameCounts(got, expected)) {
        correct = false;
        problems.push(`cold status rows ${JSON.stringify(got)} differ from the generated ${JSON.stringify(expected)}`);
      }
    }
    const client = c!;
    const cold = {
      sha256sumMs: round(median(shaRuns)),
      noDaemonMs: round(median(noDaemonRuns)),
      daemonStartMs: round(median(startRuns)),
      daemonStatusMs: round(median(statusRuns)),
      ratioToSha256sum: round(median(statusRuns) / median(shaRuns)),
      runs: reps.cold,
    };
    log(`N=${n}: cold status ${cold.daemonStatusMs} ms (sha256sum ${cold.sha256sumMs} ms, --no-daemon ${cold.noDaemonMs} ms)`);

    // 2. warm
    const warmRuns: number[] = [];
    for (let i = 0; i < reps.warm; i++) warmRuns.push((await timed(() => client.request(StatusRequest, { folders: [h.workspace] }))).ms);
    const warm = summary(warmRuns);
    const answer = await client.request(StatusRequest, { folders: [h.workspace] });
    const serializeRuns: number[] = [];
    let statusBytes = 0;
    for (let i = 0; i < 10; i++) {
      const t0 = now();
      const text = JSON.stringify(answer);
      JSON.parse(text);
      serializeRuns.push(now() - t0);
      statusBytes = Buffer.byteLength(text);
    }
    const warmSerializeMs = round(median(serializeRuns));
    log(`N=${n}: warm status p50 ${round(warm.p50)} ms, p95 ${round(warm.p95)} ms (serialising the ${statusBytes}-byte answer alone: ${warmSerializeMs} ms)`);

    // 4. counts (before the edits, so no watcher batch is in flight)
    const miss = await timed(() => client.request(CountsRequest, {}));
    if (miss.value.collections.length !== world.collections.length) problems.push(`counts: ${miss.value.collections.length} collections, expected ${world.collections.length}`);
    const hitRuns: number[] = [];
    for (let i = 0; i < reps.counts; i++) hitRuns.push((await timed(() => client.request(CountsRequest, {}))).ms);
    const inv = await timed(() => client.request(InvalidateRequest, { scope: 'counts' }));
    const after = await timed(() => client.request(CountsRequest, {}));
    const total = after.value.collections.reduce((a, x) => a + x.total, 0);
    if (total !== world.deployed.length + world.notDeployed) problems.push(`counts: total ${total}, expected ${world.deployed.length + world.notDeployed}`);
    const counts = { missMs: round(miss.ms, 3), hit: summary(hitRuns), invalidateMs: round(inv.ms, 3), afterInvalidationMs: round(after.ms, 3) };
    log(`N=${n}: counts miss ${counts.missMs} ms, hit p50 ${round(counts.hit.p50, 3)} ms, after invalidation ${counts.afterInvalidationMs} ms`);

    // 3. edit → didChange → status
    const edit = await editScenario(client, h, world, reps.edits, problems);
    log(`N=${n}: edit → didChange p50 ${round(edit.didChange.p50)} ms p95 ${round(edit.didChange.p95)} ms; → status p95 ${round(edit.statusShows.p95)} ms`);

    // 6. memory of the daemon that served all of the above
    const pid = h.daemonPid();
    const busy = pid ? residentMb(pid) : undefined;
    // The daemon gives memory back once a burst is over (daemon/server/idleGc.ts): the resident
    // figure is taken at rest, with the one right after the last request beside it.
    await sleep(2500);
    const rest = pid ? residentMb(pid) : undefined;
    const daemon = rest ? { ...rest, busyMb: busy?.rssMb } : undefined;
    log(`N=${n}: daemon resident ${daemon?.rssMb} MB at rest, ${busy?.rssMb} MB right after the last request (peak ${daemon?.peakMb} MB)`);

    return {
      n,
      files: world.hashedFiles.length,
      megabytes: round(world.hashedBytes / 1e6, 1),
      generateMs: Math.round(g.ms),
      cold,
      warm,
      warmSerializeMs,
      statusBytes,
      edit,
      counts,
      daemon,
      correct: correct && problems.length === 0,
      problems,
    };
  } finally {
    await h.cleanup();
  }
}
