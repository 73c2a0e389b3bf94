// Scenario 5: R repositories behind the fake GitHub (50 ms per request), three artifacts each,
// `version_spec = "latest"` like SkillMeat's default. Half of the repositories got a commit after
// the artifacts were added (one of them touching an artifact's folder). Measures requests, time and
// rate-limit units for a cold check, a warm check inside the TTL, and a check after the TTL — with
// a token (the default) or anonymously. Rate units are what the fake GitHub charged, as GitHub
// does: a 304 is free only with a token; anonymously it is one of the 60 an hour.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckUpstreamRequest } from '../shared/protocol';
import { FakeGitHub, type Identity } from '../test/fakeGithub/server';
import { Harness } from '../test/helpers/daemonHarness';
import { round, sleep, timed } from './stats';

export interface UpstreamPhase {
  ms: number;
  /** what the daemon says it sent */
  requests: number;
  /** what the fake GitHub received, by kind */
  byKind: Record<string, number>;
  /** 304 answers among them */
  notModified: number;
  /** primary rate-limit units GitHub charged (authorized 304s are free, anonymous ones are not) */
  rateUnits: number;
  /** requests GitHub refused for the rate limit (403/429): the daemon should send none */
  refused: number;
}

export interface UpstreamResult {
  /** who asked: with a token (5,000 an hour) or anonymously (60 an hour) */
  identity?: 'token' | 'anonymous';
  /** the hourly budget of that identity */
  budgetLimit?: number;
  /** artifacts answered `unknown` because the budget could not cover them, per phase */
  rateLimitedArtifacts?: { cold: number; afterTtl: number };
  repos: number;
  artifacts: number;
  latencyMs: number;
  /** repositories with a commit after resolved_sha */
  movedRepos: number;
  /** target: R commit requests plus one tree per commit whose tree is not known yet */
  coldBudget: number;
  cold: UpstreamPhase;
  warm: UpstreamPhase;
  afterTtl: UpstreamPhase;
  states: Record<string, number>;
  problems: string[];
}

const LATENCY_MS = 50;
const PER_REPO = 3;

function kindOf(p: string): string {
  const rest = p.replace(/^\/repos\/[^/]+\/[^/?]+/, '').split('?')[0];
  if (rest === '') return 'repo';
  if (rest.startsWith('/commits/')) return 'commit';
  if (rest.startsWith('/git/trees/')) return 'tree';
  return rest.split('/')[1] ?? 'other';
}

function phaseOf(gh: FakeGitHub, ms: number, requests: number, usedBefore: number, who: Identity): UpstreamPhase {
  const byKind: Record<string, number> = {};
  let notModified = 0;
  let refused = 0;
  for (const r of gh.requests()) {
    const k = kindOf(r.path);
    byKind[k] = (byKind[k] ?? 0) + 1;
    if (r.status === 304) notModified++;
    if (r.status === 403 || r.status === 429) refused++;
  }
  gh.clearLog();
  return { ms: round(ms), requests, byKind, notModified, rateUnits: gh.budget(who).used - usedBefore, refused };
}

const TOKEN = 'bench-token-0123456789';

export async function runUpstream(repos: number, log: (s: string) => void, identity: Identity = 'token'): Promise<UpstreamResult> {
  const gh = new FakeGitHub();
  const url = await gh.start();
  // The fake is not api.github.com: a token for it is an Enterprise token (GH_ENTERPRISE_TOKEN).
  const h = new Harness({
    idleTimeoutSeconds: 900,
    daemonArgs: ['--github-api-url', url],
    ...(identity === 'token' ? { daemonEnv: { GH_ENTERPRISE_TOKEN: TOKEN } } : {}),
  });
  if (identity === 'token') gh.requireToken(TOKEN);
  const used = (): number => gh.budget(identity).used;
  const problems: string[] = [];
  try {
    const colDir = path.join(h.home, 'collections', 'default');
    const manifest: string[] = ['[collection]\nname = "default"\nversion = "1.0.0"\ncreated = "2026-01-10T09:00:00"\nupdated = "2026-01-10T09:00:00"\n'];
    let moved = 0;
    let newCommits = 0;
    for (let r = 0; r < repos; r++) {
      const owner = `owner${r % 7}`;
      const repo = `repo-${r}`;
      const files: Record<string, string> = { 'README.md': `# ${repo}\n` };
      for (let a = 0; a < PER_REPO; a++) files[`skills/s${a}/SKILL.md`] = `---\nname: s${a}\n---\nrepo ${r} skill ${a}\n`;
      const resolved = gh.addRepo(owner, repo, { files });
      if (r % 2 === 0) {
        // even repos moved: every fourth touched an artifact, the others only the README
        gh.commit(owner, repo, 'main', r % 4 === 0 ? { 'skills/s0/SKILL.md': 'changed upstream\n' } : { 'README.md': 'changed\n' });
        moved++;
        newCommits++;
      }
      for (let a = 0; a < PER_REPO; a++) {
        const name = `r${r}-s${a}`;
        fs.mkdirSync(path.join(colDir, 'skills', name), { recursive: true });
        fs.writeFileSync(path.join(colDir, 'skills', name, 'SKILL.md'), files[`skills/s${a}/SKILL.md`]);
        manifest.push(
          `[[artifacts]]\nname = "${name}"\ntype = "skill"\npath = "skills/${name}"\norigin = "github"\nadded = "2026-01-10T09:00:00"\n` +
            `upstream = "https://github.com/${owner}/${repo}/tree/${resolved}/skills/s${a}"\nversion_spec = "latest"\nresolved_sha = "${resolved}"\n`,
        );
      }
    }
    fs.writeFileSync(path.join(colDir, 'collection.toml'), manifest.join('\n'));
    fs.writeFileSync(path.join(h.home, 'config.toml'), '[settings]\ndefault-collection = "default"\n');
    gh.setLatency(LATENCY_MS);

    const c = h.client();
    await c.start();
    await c.configure({ upstreamTtlSeconds: 300 });
    gh.clearLog();
    const budgetLimit = gh.budget(identity).limit;
    const rateLimited = (rows: { upstream: { state: string; reason?: string } }[]): number =>
      rows.filter((x) => x.upstream.state === 'unknown' && /^rate-limited until/.test(x.upstream.reason ?? '')).length;

    let before = used();
    const cold = await timed(() => c.request(CheckUpstreamRequest, {}));
    const coldPhase = phaseOf(gh, cold.ms, cold.value.requests, before, identity);
    const states: Record<string, number> = {};
    for (const row of cold.value.results) states[row.upstream.state] = (states[row.upstream.state] ?? 0) + 1;
    const coldLimited = rateLimited(cold.value.results);
    const expectUpdate = Math.ceil(repos / 4);
    // Anonymously the hourly budget may not cover a big cold check: what it cannot cover is
    // `rate-limited until HH:MM`, honestly; anything else unknown is a problem.
    if (coldLimited === 0 && (states['update-available'] ?? 0) !== expectUpdate) problems.push(`update-available: ${states['update-available'] ?? 0}, expected ${expectUpdate}`);
    const otherUnknown = (states['unknown'] ?? 0) - coldLimited;
    if (otherUnknown > 0) problems.push(`${otherUnknown} artifacts unknown after the cold check (not for the rate limit)`);
    if (identity === 'token' && coldLimited > 0) problems.push(`${coldLimited} artifacts rate-limited with a token`);
    if (coldPhase.refused > 0) problems.push(`cold: ${coldPhase.refused} requests refused by GitHub for the rate limit`);
    if (coldPhase.rateUnits > budgetLimit) problems.push(`cold: charged ${coldPhase.rateUnits} > budget ${budgetLimit}`);
    log(`R=${repos} (${identity}): cold ${coldPhase.requests} requests ${JSON.stringify(coldPhase.byKind)}, ${coldPhase.rateUnits} units, ${coldLimited} rate-limited, in ${coldPhase.ms} ms`);

    before = used();
    const warm = await timed(() => c.request(CheckUpstreamRequest, {}));
    const warmPhase = phaseOf(gh, warm.ms, warm.value.requests, before, identity);
    log(`R=${repos} (${identity}): warm ${warmPhase.requests} requests in ${warmPhase.ms} ms`);

    await c.configure({ upstreamTtlSeconds: 1 });
    await sleep(1100);
    before = used();
    const after = await timed(() => c.request(CheckUpstreamRequest, {}));
    const afterPhase = phaseOf(gh, after.ms, after.value.requests, before, identity);
    const afterLimited = rateLimited(after.value.results);
    if (afterPhase.refused > 0) problems.push(`after TTL: ${afterPhase.refused} requests refused by GitHub for the rate limit`);
    log(`R=${repos} (${identity}): after TTL ${afterPhase.requests} requests (${afterPhase.notModified} × 304), ${afterPhase.rateUnits} units, ${afterLimited} rate-limited, in ${afterPhase.ms} ms`);

    // each moved repo needs the trees of its resolved commit and of its new head
    const coldBudget = repos + newCommits * 2;
    return {
      identity,
      budgetLimit,
      rateLimitedArtifacts: { cold: coldLimited, afterTtl: afterLimited },
      repos,
      artifacts: repos * PER_REPO,
      latencyMs: LATENCY_MS,
      movedRepos: moved,
      coldBudget,
      cold: coldPhase,
      warm: warmPhase,
      afterTtl: afterPhase,
      states,
      problems,
    };
  } finally {
    await h.cleanup();
    await gh.stop();
  }
}
