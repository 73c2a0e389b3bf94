// Issue 12 items 1–3 end to end: a SkillMeat home whose sources are in the forms SkillMeat's web UI,
// its skillman migration and its own URL writer leave behind (test/fixtures/upstream-forms), checked
// through the real daemon and CLI against the fake GitHub.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckUpstreamResult } from '../../shared/protocol';
import { FakeGitHub } from '../fakeGithub/server';
import { Harness } from '../helpers/daemonHarness';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'upstream-forms', 'home');

/** Copies the fixture home, filling in `{{SHA:owner/repo}}` / `{{SHORT:owner/repo}}`. */
function copyHome(from: string, to: string, shas: Record<string, string>): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) {
      fs.mkdirSync(dst, { recursive: true });
      copyHome(src, dst, shas);
      continue;
    }
    const text = fs.readFileSync(src, 'utf8').replace(/\{\{(SHA|SHORT):([^}]+)\}\}/g, (_m, kind: string, repo: string) => {
      const sha = shas[repo];
      if (!sha) throw new Error(`fixture names an unknown repository ${repo}`);
      return kind === 'SHA' ? sha : sha.slice(0, 7);
    });
    fs.writeFileSync(dst, text);
  }
}

describe('upstream sources in the forms SkillMeat writes (issue 12 items 1-3)', function () {
  this.timeout(60_000);
  let gh: FakeGitHub;
  let h: Harness | undefined;

  beforeEach(async () => {
    gh = new FakeGitHub();
    await gh.start();
  });
  afterEach(async () => {
    await h?.cleanup();
    h = undefined;
    await gh.stop();
  });

  it('web-UI @refs, the short form, skillman URLs and paths with #, %, spaces and non-ASCII are all checked, none untracked', async () => {
    const canvas = gh.addRepo('anthropics', 'skills', { files: { 'canvas-design/SKILL.md': 'canvas v2' } });
    gh.tag('anthropics', 'skills', 'v2.0.0', canvas);
    gh.commit('anthropics', 'skills', 'main', { 'canvas-design/SKILL.md': 'canvas v3 on main' });
    const tools = gh.addRepo('acme', 'tools', {
      files: {
        'skills/pdf/SKILL.md': 'pdf',
        'skills/legacy/SKILL.md': 'legacy',
        'skills/c#-tools/SKILL.md': 'c#',
        'skills/100%-done/SKILL.md': 'done',
        'skills/my skill/SKILL.md': 'spaced',
        'skills/Über-uns/日本/SKILL.md': 'unicode',
      },
    });
    gh.commit('acme', 'tools', 'main', {
      'skills/pdf/SKILL.md': 'pdf 2',
      'skills/c#-tools/SKILL.md': 'c# 2',
      'skills/my skill/SKILL.md': 'spaced 2',
      'README.md': 'readme',
    });

    // The CLI starts the daemon here: the URL goes through its environment, the token is an Enterprise one.
    h = new Harness({ daemonEnv: { SKILLMEAT_SYNC_GITHUB_API_URL: gh.baseUrl, GH_ENTERPRISE_TOKEN: 'tok-forms' } });
    copyHome(FIXTURE, h.home, { 'anthropics/skills': canvas, 'acme/tools': tools });

    const r = await h.cli(['check-upstream', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as CheckUpstreamResult;
    const by = Object.fromEntries(doc.results.map((x) => [x.name, x.upstream]));
    const states = Object.fromEntries(doc.results.map((x) => [x.name, x.upstream.state]));
    assert.deepEqual(states, {
      'canvas-design': 'current', // the tag v2.0.0, not main, which moved on
      'pdf-main': 'update-available',
      'pinned-short': 'current',
      legacy: 'repo-moved',
      csharp: 'update-available',
      percent: 'repo-moved',
      spaced: 'update-available',
      unicode: 'repo-moved',
      'browser-copy': 'update-available', // c%23-tools is c#-tools
    }, JSON.stringify(by, null, 1));
    assert.equal(by['canvas-design'].source, 'github:github.com/anthropics/skills@v2.0.0', 'no doubled @');
    assert.equal(by['pdf-main'].source, 'github:github.com/acme/tools@main');
    assert.match(by.csharp.reason ?? '', /skills\/c#-tools changed upstream/);
    assert.match(by.spaced.reason ?? '', /skills\/my skill changed upstream/);
    assert.match(by.unicode.reason ?? '', /skills\/Über-uns\/日本 did not change/);

    const asked = gh.requests({ pathIncludes: '/commits/' }).map((x) => decodeURIComponent(x.path)).sort();
    assert.deepEqual(asked, [
      '/repos/acme/tools/commits/HEAD',
      '/repos/acme/tools/commits/tags/main',
      '/repos/acme/tools/commits/heads/main',
      '/repos/anthropics/skills/commits/tags/v2.0.0',
    ].sort());
    assert.equal(doc.requests, gh.requestLog.length);
  });
});
