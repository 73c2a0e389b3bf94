// `npm run bench` (issue #7). Full run: N = 100, 1,000, 5,000 and R = 10, 100; writes
// bench/RESULTS.md and bench/results.json. `--quick` (N = 100, R = 10, few repetitions, < 60 s)
// keeps the harness working in CI and writes to bench/.work/ instead, leaving the committed
// results alone. `--sizes 100,1000` and `--repos 10` narrow a run; `--no-vsix` skips packaging;
// `--render-only` rebuilds RESULTS.md from results.json and findings.md; `--only-extension`
// re-measures the extension figures into an existing results.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runExtension } from './extensionScenario';
import { machine, renderMarkdown, type BenchResults } from './report';
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
    },
  });
  const quick = values.quick === true;
  const sizes = list(values.sizes, quick ? [100] : [100, 1000, 5000]);
  const repos = list(values.repos, quick ? [10] : [10, 100]);
  const outDir = values.out ? path.resolve(values.out) : quick ? path.join(__dirname, '.work') : __dirname;
  // The daemon must not pick up a real token from this shell: the fake GitHub needs none.
  for (const k of ['GITHUB_TOKEN', 'SKILLMEAT_GITHUB_TOKEN', 'SKILLMEAT_HOME']) delete process.env[k];

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
    upstream: [],
    extension: { bundleKb: { extension: 0, daemon: 0, cli: 0 }, activation: { runs: 0, requireMs: NaN, activateMs: NaN, totalMs: NaN, nodeStartupMs: NaN }, vsixKb: null },
    durationSeconds: 0,
  };
  for (const n of sizes) {
    const reps: Reps = quick
      ? { cold: 1, warm: 20, edits: 5, counts: 20 }
      : { cold: n >= 5000 ? 2 : 3, warm: n >= 5000 ? 30 : 100, edits: 20, counts: 100 };
    results.sizes.push(await runSize(n, reps, log));
  }
  for (const r of repos) results.upstream.push(await runUpstream(r, log));
  log('extension: activation and packaging');
  results.extension = runExtension(quick ? 3 : 15, !quick && values['no-vsix'] !== true);
  results.durationSeconds = (Date.now() - started) / 1000;

  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, 'RESULTS.md'), renderMarkdown(results, findings()));
  log(`wrote ${path.join(outDir, 'RESULTS.md')} and results.json in ${Math.round(results.durationSeconds)} s`);
  const bad = [...results.sizes.flatMap((s) => s.problems), ...results.upstream.flatMap((u) => u.problems)];
  if (bad.length) {
    log(`PROBLEMS:\n  ${bad.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  process.stderr.write(`[bench] failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
