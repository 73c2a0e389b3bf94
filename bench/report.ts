// Turns one run's figures into bench/RESULTS.md: the machine, the command, the targets with the
// achieved figure beside each, every figure beside its same-run baseline, and growth with N.
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { ColdResult } from './coldScenarios';
import type { ExtensionResult } from './extensionScenario';
import type { ScenarioResult } from './scenario';
import type { SizeResult } from './statusScenarios';
import { round } from './stats';
import type { UpstreamResult } from './upstreamScenario';

export interface Machine {
  nproc: number;
  cpu: string;
  memoryGb: number;
  node: string;
  os: string;
  date: string;
  /** 1-minute load average when the run started (the machine is shared: figures are noisy when it is high) */
  loadAverage?: number;
}

export interface BenchResults {
  command: string;
  quick: boolean;
  machine: Machine;
  sizes: SizeResult[];
  /** issue #15: CLI cold / restart / warm interleaved with sha256sum, per file shape */
  cold: ColdResult[];
  upstream: UpstreamResult[];
  extension: ExtensionResult;
  /** bench/scenarios/*.ts */
  extra: ScenarioResult[];
  durationSeconds: number;
}

export function machine(): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    // not Linux
  }
  return {
    nproc: os.availableParallelism(),
    cpu,
    memoryGb: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString(),
    loadAverage: round(os.loadavg()[0], 1),
  };
}

const f = (x: number | undefined, d = 1) => (x === undefined || Number.isNaN(x) ? '—' : String(round(x, d)));
const ok = (pass: boolean) => (pass ? '✅ met' : '❌ missed');

/** "×k" from the first to the last size, or — when there is only one size. */
function growth(sizes: SizeResult[], pick: (s: SizeResult) => number | undefined): string {
  if (sizes.length < 2) return '—';
  const a = pick(sizes[0]);
  const b = pick(sizes[sizes.length - 1]);
  if (a === undefined || b === undefined || a === 0) return '—';
  return `×${round(b / a, 1)} for N ×${round(sizes[sizes.length - 1].n / sizes[0].n, 0)}`;
}

function targets(r: BenchResults): string[] {
  const at = r.sizes.find((s) => s.n === 1000) ?? r.sizes[r.sizes.length - 1];
  if (!at) return ['(the status-by-size part was not run)'];
  const lines = [
    `| Target (N = ${at.n}) | Goal | Achieved | Baseline in the same run | |`,
    '|---|---|---|---|---|',
    `| Warm status p50 | ≤ 10 ms | ${f(at.warm.p50, 2)} ms (p95 ${f(at.warm.p95, 2)}) | JSON stringify + parse of the ${f(at.statusBytes / 1024, 0)} KB answer alone ${f(at.warmSerializeMs, 2)} ms; cold status ${f(at.cold.daemonStatusMs)} ms | ${ok(at.warm.p50 <= 10)} |`,
    `| Cold status | ≤ 1.5 × sha256sum | ${f(at.cold.daemonStatusMs)} ms = ${f(at.cold.ratioToSha256sum, 2)} × | sha256sum ${f(at.cold.sha256sumMs)} ms; --no-daemon ${f(at.cold.noDaemonMs)} ms | ${ok(at.cold.ratioToSha256sum <= 1.5)} |`,
    `| Edit → didChange p95 (debounce included) | ≤ 300 ms | ${f(at.edit.didChange.p95)} ms (p50 ${f(at.edit.didChange.p50)}) | debounce 100 ms | ${ok(at.edit.didChange.p95 <= 300 && at.edit.missed === 0)} |`,
    `| Counts hit | ≤ 1 ms | ${f(at.counts.hit.p50, 3)} ms p50 (p95 ${f(at.counts.hit.p95, 3)}) | miss ${f(at.counts.missMs, 2)} ms | ${ok(at.counts.hit.p50 <= 1)} |`,
  ];
  for (const u of r.upstream) {
    const commits = u.cold.byKind.commit ?? 0;
    const trees = u.cold.byKind.tree ?? 0;
    const repoLookups = u.cold.byKind.repo ?? 0;
    const coldMet = commits <= u.repos && trees <= u.movedRepos * 2;
    lines.push(
      `| Upstream cold, R = ${u.repos} | ≤ R commit requests + the trees of new commits | ${commits} commit + ${trees} tree (+ ${repoLookups} default-branch lookups) = ${u.cold.requests} requests, ${f(u.cold.ms, 0)} ms | ${u.movedRepos} repos moved → ${u.movedRepos * 2} trees to compare | ${coldMet && repoLookups ? `⚠️ commits + trees met; + ${repoLookups} default-branch lookups on a first-ever check (see notes)` : ok(coldMet)} |`,
      `| Upstream warm (inside TTL), R = ${u.repos} | 0 requests | ${u.warm.requests} requests, ${f(u.warm.ms, 1)} ms | cold ${f(u.cold.ms, 0)} ms | ${ok(u.warm.requests === 0)} |`,
      `| Upstream after TTL, R = ${u.repos} | only 304s | ${u.afterTtl.requests} requests, ${u.afterTtl.notModified} × 304, ${u.afterTtl.rateUnits} rate units, ${f(u.afterTtl.ms, 0)} ms | cold spent ${u.cold.rateUnits} units | ${ok(u.afterTtl.requests > 0 && u.afterTtl.notModified === u.afterTtl.requests)} |`,
    );
  }
  const mem = Math.max(...r.sizes.map((s) => s.daemon?.rssMb ?? 0));
  const memAt = r.sizes.find((s) => (s.daemon?.rssMb ?? 0) === mem);
  lines.push(
    `| Daemon resident memory at rest | ≤ 80 MB (issue #15; was 100) | ${f(at.daemon?.rssMb)} MB (right after the last request ${f(at.daemon?.busyMb)}, peak ${f(at.daemon?.peakMb)}) | largest: N = ${memAt?.n}: ${f(mem)} MB at rest | ${ok((at.daemon?.rssMb ?? Infinity) <= 80)} |`,
    `| Extension activation | ≤ 50 ms | ${f(r.extension.activation.totalMs)} ms (require ${f(r.extension.activation.requireMs)} + activate ${f(r.extension.activation.activateMs)}) | empty Node process ${f(r.extension.activation.nodeStartupMs)} ms | ${ok(r.extension.activation.totalMs <= 50)} |`,
    `| .vsix size | ≤ 1 MB | ${r.extension.vsixKb === null ? `not built: ${r.extension.vsixError ?? ''}` : `${f(r.extension.vsixKb)} KB`} | extension.js ${f(r.extension.bundleKb.extension)} KB | ${r.extension.vsixKb === null ? '—' : ok(r.extension.vsixKb <= 1024)} |`,
  );
  return lines;
}

/** Issue #15's table: every ratio, each from one interleaved run, beside the figure before the work. */
export const BEFORE_15 = {
  firstEver: '4.5 ×',
  restart: '4.8 ×',
  warmCliOver: '+51 ms',
  rss: '80 MB',
  warmP50: 7.9,
  didChangeP95: 138,
};

function targets15(r: BenchResults): string[] {
  const c = r.cold.find((x) => x.shape === 'small' && x.n === 1000) ?? r.cold.find((x) => x.shape === 'small') ?? r.cold[0];
  const at = r.sizes.find((s) => s.n === 1000) ?? r.sizes[r.sizes.length - 1];
  const lines = [
    `| figure${c ? ` (N = ${c.n}, ${c.shape} files: ${c.files} files, ${c.megabytes} MB)` : ''} | before (issue #15) | target | achieved | same-run baseline | |`,
    '|---|---|---|---|---|---|',
  ];
  if (c) {
    lines.push(
      `| first-ever \`status\` through the CLI (no daemon: it answers itself, then starts the daemon), ÷ \`sha256sum\` | ${BEFORE_15.firstEver} | ≤ 1.5 × | ${f(c.firstEver.ms, 0)} ms = **${f(c.firstEver.ratio, 2)} ×** | sha256sum ${f(c.firstEver.sha256sumMs, 0)} ms (median of ${c.firstEver.runs}, interleaved) | ${ok(c.firstEver.ratio <= 1.5)} |`,
      `| first \`status\` after a daemon restart (state folder kept: the CLI answers from the persisted index) ÷ \`sha256sum\` | ${BEFORE_15.restart} | ≤ 1.0 × | ${f(c.restart.ms, 0)} ms = **${f(c.restart.ratio, 2)} ×**${c.restartHashes ? ` (the daemon it started then warmed up hashing ${c.restartHashes.filesHashed} files)` : ''} | sha256sum ${f(c.restart.sha256sumMs, 0)} ms (median of ${c.restart.runs}, interleaved) | ${ok(c.restart.ratio <= 1.0)} |`,
      `| warm CLI \`status\` − bare \`node -e 0\` | ${BEFORE_15.warmCliOver} | ≤ +30 ms | **+${f(c.warmCli.overMs, 0)} ms** (${f(c.warmCli.ms, 0)} ms) | node -e 0 ${f(c.warmCli.nodeMs, 0)} ms (median of ${c.warmCli.runs}, alternating) | ${ok(c.warmCli.overMs <= 30)} |`,
      `| daemon resident memory at rest (after the runs above) | ${BEFORE_15.rss} | ≤ 80 MB | **${f(c.daemon?.rssMb)} MB** (peak ${f(c.daemon?.peakMb)}) | | ${ok((c.daemon?.rssMb ?? Infinity) <= 80)} |`,
      ...(c.followUp ? [`| the \`status\` run at once after a first-ever one (the daemon still starting or warming up) | — | — | ${f(c.followUp.ms, 0)} ms (every run: ${c.followUp.all.map((x) => f(x, 0)).join(', ')}) | | |`] : []),
      `| \`status --no-daemon\` ÷ \`sha256sum\` (for scale) | 3.3 × | — | ${f(c.noDaemon.ms, 0)} ms = ${f(c.noDaemon.ratio, 2)} × | sha256sum ${f(c.noDaemon.sha256sumMs, 0)} ms | |`,
    );
  }
  if (at) {
    lines.push(
      `| warm status in-daemon p50 (N = ${at.n}, mixed files) | ${BEFORE_15.warmP50} ms | no worse | **${f(at.warm.p50, 2)} ms** (p95 ${f(at.warm.p95, 2)}) | JSON floor ${f(at.warmSerializeMs, 2)} ms | ${ok(at.warm.p50 <= BEFORE_15.warmP50)} |`,
      `| edit → \`didChange\` p95 (N = ${at.n}) | ${BEFORE_15.didChangeP95} ms | no worse | **${f(at.edit.didChange.p95, 0)} ms** (p50 ${f(at.edit.didChange.p50, 0)}) | debounce 100 ms | ${ok(at.edit.didChange.p95 <= BEFORE_15.didChangeP95)} |`,
      `| daemon resident memory at rest (N = ${at.n}, after warm, counts and edits) | ${BEFORE_15.rss} | ≤ 80 MB | **${f(at.daemon?.rssMb)} MB** | | ${ok((at.daemon?.rssMb ?? Infinity) <= 80)} |`,
    );
  }
  return lines;
}

function coldTable(r: BenchResults): string[] {
  const lines = [
    '| shape | N | files / MB | first-ever CLI status (÷ sha256sum) | after a restart (÷ sha256sum) | files the daemon started after the restart hashed while warming up | --no-daemon (÷ sha256sum) | warm CLI / node -e 0 | daemon RSS at rest | every run (first-ever; restart) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of r.cold) {
    lines.push(
      `| ${c.shape} | ${c.n} | ${c.files} / ${c.megabytes} | ${f(c.firstEver.ms, 0)} / ${f(c.firstEver.sha256sumMs, 0)} = ${f(c.firstEver.ratio, 2)} × | ${f(c.restart.ms, 0)} / ${f(c.restart.sha256sumMs, 0)} = ${f(c.restart.ratio, 2)} × | ${c.restartHashes ? `${c.restartHashes.filesHashed} files${c.restartHashes.indexLoaded !== undefined ? `; ${c.restartHashes.indexLoaded} index entries loaded` : ''}` : '—'} | ${f(c.noDaemon.ms, 0)} / ${f(c.noDaemon.sha256sumMs, 0)} = ${f(c.noDaemon.ratio, 2)} × | ${f(c.warmCli.ms, 0)} / ${f(c.warmCli.nodeMs, 0)} (+${f(c.warmCli.overMs, 0)}) | ${f(c.daemon?.rssMb)} MB | ${c.firstEver.all.map((x) => f(x, 0)).join(', ')}; ${c.restart.all.map((x) => f(x, 0)).join(', ')} |`,
    );
  }
  const problems = r.cold.flatMap((c) => c.problems.map((p) => `${c.shape} N=${c.n}: ${p}`));
  if (problems.length) lines.push('', `Problems: ${problems.join('; ')}`);
  return lines;
}

function extraSections(r: BenchResults): string[] {
  const lines: string[] = [];
  for (const x of r.extra) {
    lines.push(`## ${x.title}`, '', '| figure | value | same-run baseline | target | |', '|---|---|---|---|---|');
    for (const g of x.figures) lines.push(`| ${g.figure} | ${g.value} | ${g.baseline ?? '—'} | ${g.target ?? '—'} | ${g.met === undefined ? '' : ok(g.met)} |`);
    if (x.notes?.length) lines.push('', ...x.notes);
    if (x.problems.length) lines.push('', `Problems: ${x.problems.join('; ')}`);
    lines.push('');
  }
  return lines;
}

function sizeTable(r: BenchResults): string[] {
  const lines = [
    '| N | files / MB hashed | sha256sum | --no-daemon | daemon start | cold status | cold ÷ sha256sum | status KB | warm p50 / p95 (JSON floor) | edit → didChange p50 / p95 | edit → status p95 | counts miss / hit p50 / after invalidate | daemon RSS at rest / after last request (peak) | rows correct |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of r.sizes) {
    lines.push(
      `| ${s.n} | ${s.files} / ${s.megabytes} | ${f(s.cold.sha256sumMs)} | ${f(s.cold.noDaemonMs)} | ${f(s.cold.daemonStartMs)} | ${f(s.cold.daemonStatusMs)} | ${f(s.cold.ratioToSha256sum, 2)} | ${f(s.statusBytes / 1024, 0)} | ${f(s.warm.p50, 2)} / ${f(s.warm.p95, 2)} (${f(s.warmSerializeMs, 2)}) | ${f(s.edit.didChange.p50)} / ${f(s.edit.didChange.p95)} | ${f(s.edit.statusShows.p95)} | ${f(s.counts.missMs, 2)} / ${f(s.counts.hit.p50, 3)} / ${f(s.counts.afterInvalidationMs, 2)} | ${f(s.daemon?.rssMb)} / ${f(s.daemon?.busyMb)} (${f(s.daemon?.peakMb)}) MB | ${s.correct ? 'yes' : `NO: ${s.problems.join('; ')}`} |`,
    );
  }
  if (r.sizes.length > 1) {
    const a = r.sizes[0].n;
    const b = r.sizes[r.sizes.length - 1].n;
    lines.push(
      '',
      `Growth from N = ${a} to N = ${b}:`,
      '',
      `- sha256sum baseline ${growth(r.sizes, (s) => s.cold.sha256sumMs)}; cold status ${growth(r.sizes, (s) => s.cold.daemonStatusMs)}; --no-daemon ${growth(r.sizes, (s) => s.cold.noDaemonMs)} — linear in the bytes hashed, as expected.`,
      `- warm status p50 ${growth(r.sizes, (s) => s.warm.p50)} — the rows' JSON is kept as bytes in the daemon, so what remains is sending them and the client parsing N rows.`,
      `- edit → didChange p95 ${growth(r.sizes, (s) => s.edit.didChange.p95)} — debounce + re-hash of one artifact + recomputing and diffing the folder's rows.`,
      `- counts hit ${growth(r.sizes, (s) => s.counts.hit.p50)} (independent of N: a few collections); counts miss ${growth(r.sizes, (s) => s.counts.missMs)}.`,
      `- daemon RSS ${growth(r.sizes, (s) => s.daemon?.rssMb)} — hash-cache entries, watch handles and the cached rows.`,
    );
  }
  return lines;
}

function upstreamTable(r: BenchResults): string[] {
  const lines = [
    `| R | artifacts | repos moved | phase | time | requests (by kind) | 304s | rate units |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const u of r.upstream) {
    for (const [name, p] of [['cold', u.cold], ['warm (inside TTL)', u.warm], ['after TTL', u.afterTtl]] as const) {
      const kinds = Object.entries(p.byKind).map(([k, v]) => `${k} ${v}`).join(', ') || '—';
      lines.push(`| ${u.repos} | ${u.artifacts} | ${u.movedRepos} | ${name} | ${f(p.ms, 1)} ms | ${p.requests} (${kinds}) | ${p.notModified} | ${p.rateUnits} |`);
    }
  }
  const problems = r.upstream.flatMap((u) => u.problems.map((p) => `R=${u.repos}: ${p}`));
  if (problems.length) lines.push('', `Problems: ${problems.join('; ')}`);
  lines.push('', `States after the cold check: ${r.upstream.map((u) => `R=${u.repos}: ${JSON.stringify(u.states)}`).join('; ')}. Fake GitHub latency ${r.upstream[0]?.latencyMs ?? '—'} ms per request.`);
  return lines;
}

export function renderMarkdown(saved: BenchResults, findings: string): string {
  // results.json files from before issue #15 have neither part
  const r: BenchResults = { ...saved, cold: saved.cold ?? [], extra: saved.extra ?? [] };
  const m = r.machine;
  return [
    '# SkillMeat Sync — benchmark results (issues #7, #15)',
    '',
    `Command: \`${r.command}\` — ${r.quick ? 'quick pass' : 'full run'}, ${Math.round(r.durationSeconds)} s.`,
    '',
    `Machine: ${m.nproc} CPUs (\`nproc\`), ${m.cpu}, ${m.memoryGb} GB RAM, Node ${m.node}, ${m.os}, ${m.date}${m.loadAverage !== undefined ? `; load average ${m.loadAverage} when the run started${m.loadAverage >= m.nproc ? ' — every core busy with other work: absolute times are inflated and noisy, read the same-run ratios' : ''}` : ''}.`,
    '',
    'Every time is wall-clock milliseconds measured from the client (a real `DaemonClient` of the bundled daemon over its',
    'socket, through the integration Harness), beside a baseline measured in the same run. Data is generated per size: a',
    'SkillMeat home with 3 collections (60/25/15 %) plus 5 % undeployed artifacts, a workspace with `.claude` and `.cursor`',
    'profile roots; 50 % skills of 5–20 files, 30 % commands, 20 % agents, 1–20 KB per file; 5 % of the deployed copies',
    'edited (modified) and 3 % of the collection copies (outdated). Files get an mtime a day old (as on a real disk), so the',
    'hash cache is not defeated by its racy-clean window. The page cache is warm for every contender alike.',
    '',
    '## Issue #15 targets (CLI as the user meets it; every ratio from one interleaved run)',
    '',
    ...targets15(r),
    '',
    '`sha256sum` = `xargs -0 sha256sum` over exactly the files the engine hashes (project and collection copies of every',
    'deployed artifact), one process, one file after the other. Each contender runs alternately with it (sha256sum first on',
    'even runs, the contender first on odd ones), and the ratio is of the two medians, so load from other processes on this',
    'shared machine weighs on both sides. First-ever: no daemon, empty state folder. A `status` that finds no daemon',
    'running answers from the disk in its own process and then starts the daemon in the background (`--warm FOLDER`);',
    'the time is until the CLI exits, spawn included (the daemon\'s own start is not waited for; the next row shows what',
    'a `status` run right after meets). After a restart: `daemon stop`, then the same command with the state folder kept:',
    'the CLI answers from the daemon\'s persisted hash index, every entry stat-checked.',
    '',
    ...coldTable(r),
    '',
    '## Targets (issue #7)',
    '',
    ...targets(r),
    '',
    '## Status, edits, counts, memory by size',
    '',
    'Times in ms. "cold status" = first `status` request of a freshly started daemon (nothing cached), daemon start excluded',
    '(shown apart). `sha256sum` = `xargs -0 sha256sum` over exactly the files the engine hashes (project and collection',
    'copies of every deployed artifact). `--no-daemon` = `node dist/cli.js status --no-daemon --json` (process start included).',
    '',
    ...sizeTable(r),
    '',
    '## Upstream (fake GitHub on 127.0.0.1)',
    '',
    ...(r.upstream.length ? upstreamTable(r) : ['(not run)']),
    '',
    '## Extension',
    '',
    `- Bundles: extension.js ${f(r.extension.bundleKb.extension)} KB, daemon.js ${f(r.extension.bundleKb.daemon)} KB, cli.js + cliMain.js ${f(r.extension.bundleKb.cli)} KB.`,
    `- Activation: \`require('dist/extension.js')\` + \`activate()\` in a fresh Node process with a minimal stub of the \`vscode\` module injected through a \`Module._resolveFilename\` hook (bench/activationProbe.cjs), median of ${r.extension.activation.runs}: ${f(r.extension.activation.totalMs)} ms (require ${f(r.extension.activation.requireMs)}, activate ${f(r.extension.activation.activateMs)}). VS Code's own extension-host overhead is not included; the daemon connection starts in the background and is not part of activation.`,
    `- .vsix (\`vsce package --no-dependencies\`): ${r.extension.vsixKb === null ? `not built (${r.extension.vsixError ?? 'skipped'})` : `${f(r.extension.vsixKb)} KB`}.`,
    '',
    ...extraSections(r),
    findings.trim(),
    '',
  ].join('\n');
}
