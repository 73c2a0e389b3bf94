// Scenario 5: R repositories behind the fake GitHub (50 ms per request), three artifacts each,
// `version_spec = "latest"` like SkillMeat's default. Half of the repositories got a commit after
// the artifacts were added (one of them touching an artifact's folder). Measures requests, time and
// rate-limit units for a cold check, a warm check inside the TTL, and a check after the TTL.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckUpstreamRequest } from '../shared/protocol';
import { FakeGitHub } from '../test/fakeGithub/server';
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
  /** primary rate-limit units spent (GitHub does not charge 304s) */
  rateUnits: number;
}

export interface UpstreamResult {
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

function phaseOf(gh: FakeGitHub, ms: number, requests: number): UpstreamPhase {
  const byKind: Record<string, number> = {};
  let notModified = 0;
  let rateUnits = 0;
  for (const r of gh.requests()) {
    const k = kindOf(r.path);
    byKind[k] = (byKind[k] ?? 0) + 1;
    if (r.status === 304) notModified++;
    else rateUnits++;
  }
  gh.clearLog();
  return { ms: round(ms), requests, byKind, notModified, rateUnits };
}

export async function runUpstream(repos: number, log: (s: string) => void): Promise<UpstreamResult> {
  const gh = new FakeGitHub();
  const url = await gh.start();
  const h = new Harness({ idleTimeoutSeconds: 900, daemonArgs: ['--github-api-url', url] });
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

    const cold = await timed(() => c.request(CheckUpstreamRequest, {}));
    const coldPhase = phaseOf(gh, cold.ms, cold.value.requests);
    const states: Record<string, number> = {};
    for (const row of cold.value.results) states[row.upstream.state] = (states[row.upstream.state] ?? 0) + 1;
    const expectUpdate = Math.ceil(repos / 4);
    if ((states['update-available'] ?? 0) !== expectUpdate) problems.push(`update-available: ${states['update-available'] ?? 0}, expected ${expectUpdate}`);
    if ((states['unknown'] ?? 0) > 0) problems.push(`${states['unknown']} artifacts unknown after the cold check`);
    log(`R=${repos}: cold ${coldPhase.requests} requests ${JSON.stringify(coldPhase.byKind)} in ${coldPhase.ms} ms`);

    const warm = await timed(() => c.request(CheckUpstreamRequest, {}));
    const warmPhase = phaseOf(gh, warm.ms, warm.value.requests);
    log(`R=${repos}: warm ${warmPhase.requests} requests in ${warmPhase.ms} ms`);

    await c.configure({ upstreamTtlSeconds: 1 });
    await sleep(1100);
    const after = await timed(() => c.request(CheckUpstreamRequest, {}));
    const afterPhase = phaseOf(gh, after.ms, after.value.requests);
    log(`R=${repos}: after TTL ${afterPhase.requests} requests (${afterPhase.notModified} × 304) in ${afterPhase.ms} ms`);

    // each moved repo needs the trees of its resolved commit and of its new head
    const coldBudget = repos + newCommits * 2;
    return {
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
