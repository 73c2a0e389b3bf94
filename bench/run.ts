// `npm run bench` (issues #7, #15). Full run: N = 100, 1,000, 5,000 and R = 10, 100, plus the
// CLI cold / restart / warm figures at N = 1,000 on two file shapes, interleaved with sha256sum;
// writes bench/RESULTS.md and bench/results.json. `--quick` (N = 100, R = 10, few repetitions)
// keeps the harness working in CI and writes to bench/.work/ instead, leaving the committed
// results alone. `--sizes 100,1000`, `--repos 10`, `--cold-n 1000`, `--shapes small,mixed` and
// `--cold-runs 7` narrow or widen a run; `--only sizes,cold,upstream,extension,extra` runs only those
// parts; `--scenario NAME` only that extra scenario (bench/scenarios/NAME.ts); `--no-vsix` skips
// packaging; `--render-only` rebuilds RESULTS.md from results.json and findings.md;
// `--only-extension` re-measures the extension figures into an existing results.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runCold } from './coldScenarios';
import { runExtension } from './extensionScenario';
import type { WorldShape } from './generateWorld';
import { machine, renderMarkdown, type BenchResults } from './report';
import type { Scenario, ScenarioResult } from './scenario';
import { runSize, type Reps } from './statusScenarios';
import { runUpstream } from './upstreamScenario';

const list = (s: string | undefined, fallback: number[]) => (s ? s.split(',').map((x) => Number(x.trim())).filter((x) => x > 0) : fallback);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      repos: { type: 'string' },
      'no-vsix': { type: 'boolean', default: false },
      out: { type: 'string' },
      'render-only': { type: 'boolean', default: false },
      'only-extension': { type: 'boolean', default: false },
      'cold-n': { type: 'string' },
      'cold-runs': { type: 'string' },
      shapes: { type: 'string' },
      only: { type: 'string' },
      scenario: { type: 'string' },
    },
  });
  const parts = new Set((values.only ?? 'sizes,cold,upstream,extension,extra').split(',').map((x) => x.trim()));
  if (values.scenario) {
    parts.clear();
    parts.add('extra');
  }
  const quick = values.quick === true;
  const sizes = list(values.sizes, quick ? [100] : [100, 1000, 5000]);
  const repos = list(values.repos, quick ? [10] : [10, 100]);
  const coldN = list(values['cold-n'], quick ? [100] : [1000]);
  const coldRuns = list(values['cold-runs'], quick ? [2] : [5])[0];
  const shapes = (values.shapes ?? (quick ? 'small' : 'small,mixed')).split(',').map((x) => x.trim()) as WorldShape[];
  for (const s of shapes) if (s !== 'small' && s !== 'mixed') throw new Error(`unknown shape ${s} (small, mixed)`);
  const outDir = values.out ? path.resolve(values.out) : quick ? path.join(__dirname, '.work') : __dirname;
  // The daemon must not pick up a real token from this shell: the fake GitHub needs none.
  for (const k of ['GITHUB_TOKEN', 'SKILLMEAT_GITHUB_TOKEN', 'GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN', 'SKILLMEAT_HOME']) delete process.env[k];

  const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
  const findingsFile = path.join(__dirname, 'findings.md');
  const findings = () => (fs.existsSync(findingsFile) ? fs.readFileSync(findingsFile, 'utf8') : '');
  if (values['only-extension']) {
    // re-measures the extension figures (e.g. after .vscodeignore changed) into an existing results.json
    const file = path.join(outDir, 'results.json');
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResults;
    saved.extension = runExtension(15, true);
    fs.writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`);
    fs.writeFileSync(path.join(outDir, 'RESULTS.md'), renderMarkdown(saved, findings()));
    log(`extension re-measured: ${JSON.stringify(saved.extension)}`);
    return;
  }
  if (values['render-only']) {
    // re-renders RESULTS.md from results.json, e.g. after editing findings.md
    const saved = JSON.parse(fs.readFileSync(path.join(outDir, 'results.json'), 'utf8')) as BenchResults;
    fs.writeFileSync(path.join(outDir, 'RESULTS.md'), renderMarkdown(saved, findings()));
    log(`re-rendered ${path.join(outDir, 'RESULTS.md')}`);
    return;
  }
  const started = Date.now();
  const results: BenchResults = {
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    quick,
    machine: machine(),
    sizes: [],
    cold: [],
    upstream: [],
    extra: [],
    extension: { bundleKb: { extension: 0, daemon: 0, cli: 0 }, activation: { runs: 0, requireMs: NaN, activateMs: NaN, totalMs: NaN, nodeStartupMs: NaN }, vsixKb: null },
    durationSeconds: 0,
  };
  if (parts.has('cold')) {
    for (const n of coldN) for (const shape of shapes) results.cold.push(await runCold(n, shape, coldRuns, log));
  }
  if (parts.has('sizes')) {
    for (const n of sizes) {
      const reps: Reps = quick
        ? { cold: 1, warm: 20, edits: 5, counts: 20 }
        : { cold: n >= 5000 ? 2 : 3, warm: n >= 5000 ? 30 : 100, edits: 20, counts: 100 };
      results.sizes.push(await runSize(n, reps, log));
    }
  }
  if (parts.has('upstream')) for (const r of repos) results.upstream.push(await runUpstream(r, log));
  if (parts.has('extension')) {
    log('extension: activation and packaging');
    results.extension = runExtension(quick ? 3 : 15, !quick && values['no-vsix'] !== true);
  }
  if (parts.has('extra')) results.extra = await runExtra(quick, values.scenario, log);
  results.durationSeconds = (Date.now() - started) / 1000;

  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, 'RESULTS.md'), renderMarkdown(results, findings()));
  log(`wrote ${path.join(outDir, 'RESULTS.md')} and results.json in ${Math.round(results.durationSeconds)} s`);
  const bad = [
    ...results.sizes.flatMap((s) => s.problems),
    ...results.cold.flatMap((c) => c.problems),
    ...results.upstream.flatMap((u) => u.problems),
    ...results.extra.flatMap((x) => x.problems.map((p) => `${x.name}: ${p}`)),
  ];
  if (bad.length) {
    log(`PROBLEMS:\n  ${bad.join('\n  ')}`);
    process.exitCode = 1;
  }
}

/** Runs every bench/scenarios/*.ts (or only `only`), see scenario.ts. */
async function runExtra(quick: boolean, only: string | undefined, log: (s: string) => void): Promise<ScenarioResult[]> {
  const dir = path.join(__dirname, 'scenarios');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).sort() : [];
  const out: ScenarioResult[] = [];
  for (const f of files) {
    const mod = require(path.join(dir, f)) as { scenario?: Scenario };
    const sc = mod.scenario;
    if (!sc) throw new Error(`bench/scenarios/${f} exports no \`scenario\``);
    if (only && sc.name !== only) continue;
    log(`scenario ${sc.name}: ${sc.title}`);
    try {
      out.push(await sc.run({ quick, log: (l) => log(`${sc.name}: ${l}`) }));
    } catch (err) {
      out.push({ name: sc.name, title: sc.title, figures: [], problems: [`failed: ${(err as Error).stack ?? err}`] });
    }
  }
  if (only && out.length === 0) throw new Error(`no bench scenario named ${only} in bench/scenarios/`);
  return out;
}

main().catch((err) => {
  process.stderr.write(`[bench] failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
