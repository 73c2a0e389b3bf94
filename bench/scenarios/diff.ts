// The "what changed" budget (issue #13), beside the check's own figures: behind the fake GitHub
// (50 ms per request), skill `twenty` has 20 files of which upstream changed 1, skill `five` 20
// files of which upstream changed 5. After one check (which fetched both commits' trees), the first
// upstream-collection diff must cost one request per changed file and nothing else, the same diff
// again 0, and after a daemon restart nothing is downloaded again.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckUpstreamRequest, DiffRequest } from '../../shared/protocol';
import type { DiffResult } from '../../shared/types';
import { contentHash } from '../../daemon/skillmeat';
import { FakeGitHub } from '../../test/fakeGithub/server';
import { Harness } from '../../test/helpers/daemonHarness';
import type { Scenario, ScenarioFigure, ScenarioResult } from '../scenario';
import { round, timed } from '../stats';

const LATENCY_MS = 50;
const FILES = 20;

interface Phase {
  ms: number;
  requests: number;
  blobs: number;
  trees: number;
  notModified: number;
}

function phase(gh: FakeGitHub, ms: number): Phase {
  const reqs = gh.requests();
  const p = {
    ms: round(ms),
    requests: reqs.length,
    blobs: reqs.filter((r) => r.path.includes('/git/blobs/')).length,
    trees: reqs.filter((r) => r.path.includes('/git/trees/')).length,
    notModified: reqs.filter((r) => r.status === 304).length,
  };
  gh.clearLog();
  return p;
}

function skillFiles(name: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < FILES; i++) files[`skills/${name}/${i === 0 ? 'SKILL.md' : `part-${i}.md`}`] = `# ${name} ${i}\n${'line\n'.repeat(40)}`;
  return files;
}

async function buildWorld(gh: FakeGitHub, h: Harness): Promise<void> {
  const files = { ...skillFiles('twenty'), ...skillFiles('five'), 'README.md': '# bench\n' };
  const base = gh.addRepo('bench', 'kit', { files });
  const changes: Record<string, string> = { 'skills/twenty/part-7.md': '# changed\n' };
  for (let i = 1; i <= 5; i++) changes[`skills/five/part-${i}.md`] = `# changed ${i}\n`;
  gh.commit('bench', 'kit', 'main', changes);
  const col = path.join(h.home, 'collections', 'default');
  let manifest = '[collection]\nname = "default"\nversion = "1.0.0"\ncreated = "2026-01-10T09:00:00"\nupdated = "2026-01-10T09:00:00"\n';
  let tracker = '';
  for (const name of ['twenty', 'five']) {
    for (const [p, text] of Object.entries(files)) {
      if (!p.startsWith(`skills/${name}/`)) continue;
      for (const root of [col, path.join(h.workspace, '.claude')]) {
        fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
        fs.writeFileSync(path.join(root, p), text);
      }
    }
    const hash = await contentHash(path.join(col, 'skills', name));
    manifest += `\n[[artifacts]]\nname = "${name}"\ntype = "skill"\npath = "skills/${name}"\norigin = "github"\nupstream = "https://github.com/bench/kit/tree/${base}/skills/${name}"\nversion_spec = "latest"\nresolved_sha = "${base}"\nadded = "2026-01-10T09:00:00"\n`;
    tracker += `[[deployed]]\nartifact_name = "${name}"\nartifact_type = "skill"\nfrom_collection = "default"\ndeployed_at = "2026-01-10T09:10:00"\nartifact_path = "skills/${name}"\ncontent_hash = "${hash}"\nlocal_modifications = false\ndeployment_profile_id = "claude_code"\nplatform = "claude_code"\nprofile_root_dir = ".claude"\ncollection_sha = "${hash}"\n\n`;
  }
  fs.writeFileSync(path.join(h.home, 'config.toml'), '[settings]\ndefault-collection = "default"\n');
  fs.writeFileSync(path.join(col, 'collection.toml'), manifest);
  fs.writeFileSync(path.join(h.workspace, '.claude', '.skillmeat-deployed.toml'), tracker);
}

function changedCount(r: DiffResult): number {
  return r.summary.added + r.summary.modified + r.summary.deleted;
}

export const scenario: Scenario = {
  name: 'diff',
  title: 'What changed: upstream content fetched once (issue #13)',
  async run(ctx): Promise<ScenarioResult> {
    const gh = new FakeGitHub();
    const url = await gh.start();
    gh.setLatency(LATENCY_MS);
    const h = new Harness({ idleTimeoutSeconds: 900, daemonArgs: ['--github-api-url', url] });
    const problems: string[] = [];
    const figures: ScenarioFigure[] = [];
    try {
      await buildWorld(gh, h);
      const c = h.client();
      await c.start();
      const ws = [h.workspace];

      const { ms: checkMs } = await timed(() => c.request(CheckUpstreamRequest, {}));
      const check = phase(gh, checkMs);
      const checkText = `check ${check.requests} requests, ${check.ms} ms`;
      ctx.log(checkText);

      const local = await timed(() => c.request(DiffRequest, { key: 'twenty', folders: ws }));
      const localP = phase(gh, local.ms);

      const first = await timed(() => c.request(DiffRequest, { key: 'twenty', scope: 'upstream-collection' }));
      const firstP = phase(gh, first.ms);
      if (changedCount(first.value) !== 1) problems.push(`twenty: ${changedCount(first.value)} files changed, expected 1`);
      const again = await timed(() => c.request(DiffRequest, { key: 'twenty', scope: 'upstream-collection' }));
      const againP = phase(gh, again.ms);
      if (JSON.stringify(again.value) !== JSON.stringify(first.value)) problems.push('twenty: the second diff differs from the first');

      const five = await timed(() => c.request(DiffRequest, { key: 'five', scope: 'upstream-collection' }));
      const fiveP = phase(gh, five.ms);
      if (changedCount(five.value) !== 5) problems.push(`five: ${changedCount(five.value)} files changed, expected 5`);

      const changes = await timed(() => c.request(DiffRequest, { key: 'twenty', scope: 'upstream-changes' }));
      const changesP = phase(gh, changes.ms);

      await c.stopDaemon();
      c.dispose();
      gh.clearLog();
      const c2 = h.client();
      await c2.start();
      const after = await timed(() => c2.request(DiffRequest, { key: 'twenty', scope: 'upstream-collection' }));
      const afterP = phase(gh, after.ms);
      if (JSON.stringify(after.value.files) !== JSON.stringify(first.value.files)) problems.push('twenty: the diff after a restart differs');
      c2.dispose();

      const fig = (figure: string, p: Phase, target: string, met: boolean): ScenarioFigure => ({
        figure,
        value: `${p.requests} requests (${p.blobs} blobs, ${p.trees} trees, ${p.notModified} × 304), ${p.ms} ms`,
        baseline: checkText,
        target,
        met,
      });
      figures.push(fig('collection-project diff, 20 files (local only)', localP, '0 requests', localP.requests === 0));
      figures.push(fig('first upstream-collection diff after the check, 20 files, 1 changed', firstP, '1 request (the changed blob)', firstP.requests === 1 && firstP.blobs === 1));
      figures.push(fig('the same diff again', againP, '0 requests', againP.requests === 0));
      figures.push(fig('upstream-collection diff, 20 files, 5 changed', fiveP, '5 requests (one per changed file)', fiveP.requests === 5 && fiveP.blobs === 5));
      figures.push(fig('upstream-changes diff after it (base side of the 1 changed file)', changesP, '1 request', changesP.requests === 1));
      figures.push(fig('upstream-collection diff after a daemon restart', afterP, '0 downloads (only the ref revalidated: a 304)', afterP.blobs === 0 && afterP.trees === 0 && afterP.requests === afterP.notModified));
      for (const f of figures) if (f.met === false) problems.push(`${f.figure}: ${f.value}; target ${f.target}`);
    } finally {
      await h.cleanup();
      await gh.stop();
    }
    return {
      name: 'diff',
      title: 'What changed: upstream content fetched once (issue #13)',
      figures,
      notes: [
        `Fake GitHub at ${LATENCY_MS} ms per request; one repository, two skills of ${FILES} files; the check runs first (it fetches both commits' trees).`,
        'Requests are what the fake GitHub received. Unchanged files are known by their git blob SHA and never downloaded; listings come from the trees the check fetched.',
        "After a restart the ref's answer from the last run is revalidated with a conditional request (a 304, free with a token); blobs and listings come from the state folder.",
      ],
      problems,
    };
  },
};
