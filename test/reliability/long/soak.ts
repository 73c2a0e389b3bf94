// Issue #8, part 4 (long, not in `npm test`): a soak. For SOAK_SECONDS (default 600) a writer
// keeps editing deployed and collection files and the tracker while clients keep asking; the
// daemon's RSS is sampled every 10 s. Stable means: no request failed, the daemon never changed,
// and memory in the last third is not above the first third by more than SOAK_MAX_GROWTH_MB.
//   npx tsx test/reliability/long/soak.ts        (exit status 0 = stable)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CountsRequest, StatsRequest, StatusRequest, InvalidateRequest } from '../../../shared/protocol';
import { Harness } from '../../helpers/daemonHarness';
import { MB, rssBytes, sleep } from '../support';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const MAX_GROWTH_MB = Number(process.env.SOAK_MAX_GROWTH_MB ?? 30);
const CLIENTS = 4;

async function main(): Promise<number> {
  const h = new Harness({ fixture: 'after-edits', idleTimeoutSeconds: 120 });
  const until = Date.now() + SECONDS * 1000;
  const errors: string[] = [];
  const seenErrors = new Set<string>();
  const fail = (m: string) => {
    errors.push(m);
    if (!seenErrors.has(m)) {
      seenErrors.add(m);
      console.log(`error (first of its kind): ${m}`);
    }
  };
  const samples: { t: number; rssMb: number }[] = [];
  let requests = 0;
  let edits = 0;
  try {
    const clients = Array.from({ length: CLIENTS }, () => h.client());
    await clients[0].start();
    await clients[0].subscribe([h.workspace]);
    const pid = h.daemonPid()!;
    const started = Date.now();
    let didChange = 0;
    clients[0].onDidChange(() => didChange++);

    const asker = async (i: number) => {
      const c = clients[i];
      while (Date.now() < until) {
        try {
          const k = requests % 10;
          if (k < 6) {
            const r = await c.request(StatusRequest, { folders: [h.workspace] });
            if (r.workspaces[0].artifacts.length !== 4) fail(`rows: ${r.workspaces[0].artifacts.length}`);
          } else if (k < 8) await c.request(CountsRequest, {});
          else if (k < 9) await c.request(StatsRequest, undefined);
          else await c.request(InvalidateRequest, { scope: 'hashes' });
          requests++;
        } catch (err) {
          fail((err as Error).message);
        }
        await sleep(5);
      }
    };
    const editor = async () => {
      const agent = path.join(h.workspace, '.claude/agents/code-reviewer.md');
      const original = fs.readFileSync(agent, 'utf8');
      const skillDir = path.join(h.workspace, '.claude/skills/pdf-tools/tmp');
      const colFile = path.join(h.home, 'collections/default/skills/notes-helper/SKILL.md');
      const colOriginal = fs.readFileSync(colFile, 'utf8');
      const tracker = path.join(h.workspace, '.claude/.skillmeat-deployed.toml');
      const trackerText = fs.readFileSync(tracker, 'utf8');
      while (Date.now() < until) {
        const n = edits++;
        fs.writeFileSync(agent, n % 2 ? `${original}\nedit ${n}\n` : original);
        fs.mkdirSync(skillDir, { recursive: true });
        fs.writeFileSync(path.join(skillDir, `f${n % 50}.txt`), `edit ${n}\n`);
        if (n % 50 === 49) fs.rmSync(skillDir, { recursive: true });
        if (n % 5 === 0) fs.writeFileSync(colFile, n % 10 ? `${colOriginal}\n${n}\n` : colOriginal);
        if (n % 20 === 0) fs.writeFileSync(tracker, trackerText); // SkillMeat rewrites it in place
        await sleep(100);
      }
    };
    const sampler = async () => {
      while (Date.now() < until) {
        const r = rssBytes(pid);
        if (r === undefined) {
          fail('the daemon is gone');
          return;
        }
        samples.push({ t: Math.round((Date.now() - started) / 1000), rssMb: Math.round((r / MB) * 10) / 10 });
        console.log(`t=${samples[samples.length - 1].t}s rss=${samples[samples.length - 1].rssMb} MB requests=${requests} edits=${edits} didChange=${didChange} errors=${errors.length}`);
        await sleep(10_000);
      }
    };
    await Promise.all([...clients.map((_, i) => asker(i)), editor(), sampler()]);
    if (h.daemonPid() !== pid) fail(`the daemon changed: ${pid} → ${h.daemonPid()}`);
    // The first 30 s are warm-up (caches and watchers filling), not growth.
    const steady = samples.filter((s) => s.t >= 30).length >= 3 ? samples.filter((s) => s.t >= 30) : samples;
    const third = Math.max(1, Math.floor(steady.length / 3));
    const avg = (xs: { rssMb: number }[]) => xs.reduce((s, x) => s + x.rssMb, 0) / xs.length;
    const early = avg(steady.slice(0, third));
    const late = avg(steady.slice(-third));
    const summary = {
      seconds: SECONDS,
      requests,
      edits,
      didChange,
      errors: errors.length,
      firstErrors: errors.slice(0, 5),
      rssMb: { min: Math.min(...samples.map((s) => s.rssMb)), max: Math.max(...samples.map((s) => s.rssMb)), firstThirdAvgAfterWarmup: Math.round(early * 10) / 10, lastThirdAvg: Math.round(late * 10) / 10 },
      samples,
    };
    console.log(JSON.stringify(summary));
    const stable = errors.length === 0 && late - early <= MAX_GROWTH_MB;
    console.log(stable ? 'SOAK: stable' : 'SOAK: NOT stable');
    return stable ? 0 : 1;
  } finally {
    await h.cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
