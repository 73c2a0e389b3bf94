import assert from 'node:assert/strict';
import { entryKey, refSpecOf, sourceKey, subjectKey, targetOf, type UpstreamSubject } from '../../../daemon/upstream';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const gh = (over: Partial<UpstreamSubject>): UpstreamSubject => ({
  collection: 'default',
  name: 'canvas-design',
  type: 'skill',
  origin: 'github',
  upstream: `https://github.com/anthropics/skills/tree/${SHA}/canvas-design`,
  versionSpec: 'latest',
  resolvedSha: SHA,
  ...over,
});

describe('upstream targets', () => {
  it('reads owner, repo, path from the tree URL and the ref from version_spec', () => {
    const r = targetOf(gh({}));
    assert.ok('target' in r);
    assert.deepEqual(r.target, { host: 'github.com', owner: 'anthropics', repo: 'skills', path: 'canvas-design', ref: { kind: 'default' }, resolvedSha: SHA });
    assert.equal(sourceKey(r.target), 'github:github.com/anthropics/skills@latest');
    assert.equal(entryKey(r.target, SHA.toUpperCase(), 'canvas-design'), `github:github.com/anthropics/skills#${SHA}:canvas-design`);
    assert.equal(subjectKey(gh({})), 'default/canvas-design::skill');
  });

  it('classifies version specs like SkillMeat: latest, hex = commit, else tag-then-branch', () => {
    assert.deepEqual(refSpecOf(undefined), { kind: 'default' });
    assert.deepEqual(refSpecOf('LATEST'), { kind: 'default' });
    assert.deepEqual(refSpecOf('0123ABC'), { kind: 'commit', sha: '0123abc' });
    assert.deepEqual(refSpecOf('012345'), { kind: 'named', name: '012345' }, 'six hex digits are too short for a SHA');
    assert.deepEqual(refSpecOf('v1.2.0'), { kind: 'named', name: 'v1.2.0' });
    const t = targetOf(gh({ versionSpec: 'v1.2.0' }));
    assert.ok('target' in t && sourceKey(t.target) === 'github:github.com/anthropics/skills@v1.2.0');
  });

  it('handles single files, repository roots, blob URLs, the short form, .git and GitHub Enterprise hosts', () => {
    const file = targetOf(gh({ upstream: `https://github.com/acme/tools/blob/${SHA}/commands/review.md` }));
    assert.ok('target' in file && file.target.path === 'commands/review.md');
    const root = targetOf(gh({ upstream: `https://github.com/acme/tools.git/tree/${SHA}` }));
    assert.ok('target' in root && root.target.path === '' && root.target.repo === 'tools');
    const bare = targetOf(gh({ upstream: 'https://github.com/acme/tools' }));
    assert.ok('target' in bare && bare.target.path === '');
    const shortForm = targetOf(gh({ upstream: 'acme/tools/skills/pdf' }));
    assert.ok('target' in shortForm && shortForm.target.path === 'skills/pdf' && shortForm.target.owner === 'acme');
    const ghe = targetOf(gh({ upstream: `https://GHE.example.com/team/tools/tree/${SHA}/a%20b` }));
    assert.ok('target' in ghe && ghe.target.host === 'ghe.example.com' && ghe.target.path === 'a b');
    const slashBranch = targetOf(gh({ versionSpec: 'feature/x', upstream: 'https://github.com/acme/tools/tree/feature/x/skills/a' }));
    assert.ok('target' in slashBranch && slashBranch.target.path === 'skills/a');
  });

  it('untracked, with a reason, for local, non-GitHub marketplace, missing SHA and bad input', () => {
    const reasons: [Partial<UpstreamSubject>, RegExp][] = [
      [{ origin: 'local' }, /local artifact/],
      [{ origin: 'marketplace', originSource: 'gitlab' }, /gitlab/],
      [{ origin: 'marketplace', originSource: 'github', resolvedSha: undefined }, /resolved_sha/],
      [{ upstream: undefined }, /no upstream URL/],
      [{ resolvedSha: 'abc' }, /not a 40-character/],
      [{ upstream: 'https://github.com/only-owner' }, /not a GitHub repository URL/],
      [{ upstream: 'ftp://github.com/a/b' }, /not supported/],
      [{ upstream: 'a/b/../etc' }, /not safe/],
      [{ upstream: `https://github.com/a/b/tree/${SHA}/../../etc` }, /not safe/],
      [{ upstream: 'https://user:pw@github.com/a/b' }, /credentials/],
      [{ upstream: 'https://git hub.com/a/b' }, /not a valid URL/],
      [{ upstream: 'https://github.com/a/b/tree' }, /no ref after/],
      [{ upstream: '@v1' }, /not a GitHub repository/],
      [{ origin: 'svn' }, /no GitHub upstream/],
    ];
    for (const [over, re] of reasons) {
      const r = targetOf(gh(over));
      assert.ok('untracked' in r, JSON.stringify(over));
      assert.match(r.untracked, re);
    }
    const market = targetOf(gh({ origin: 'marketplace', originSource: 'GitHub' }));
    assert.ok('target' in market, 'marketplace entries with a resolved SHA are tracked');
  });

  it('web-UI sources: version_spec "@v2.0.0" / "@main" / "@<sha>" and the short form with a trailing @ref', () => {
    assert.deepEqual(refSpecOf('@v2.0.0'), { kind: 'named', name: 'v2.0.0' });
    assert.deepEqual(refSpecOf('@main'), { kind: 'named', name: 'main' });
    assert.deepEqual(refSpecOf('@latest'), { kind: 'default' });
    assert.deepEqual(refSpecOf(`@${SHA.slice(0, 12)}`), { kind: 'commit', sha: SHA.slice(0, 12) });
    const typed = targetOf(gh({ upstream: 'anthropics/skills/canvas-design@v2.0.0', versionSpec: '@v2.0.0' }));
    assert.ok('target' in typed);
    assert.deepEqual(typed.target, { host: 'github.com', owner: 'anthropics', repo: 'skills', path: 'canvas-design', ref: { kind: 'named', name: 'v2.0.0' }, resolvedSha: SHA });
    assert.equal(sourceKey(typed.target), 'github:github.com/anthropics/skills@v2.0.0', 'no doubled @ in the key');
    // Only the source names the ref: it is used when version_spec says latest (or nothing).
    for (const versionSpec of ['latest', undefined, '']) {
      const onlySource = targetOf(gh({ upstream: 'acme/tools/skills/pdf@release/2', versionSpec }));
      assert.ok('target' in onlySource);
      assert.deepEqual(onlySource.target.ref, { kind: 'named', name: 'release/2' });
      assert.equal(onlySource.target.path, 'skills/pdf');
    }
    // version_spec wins over the source's @ref, as in SkillMeat's update.
    const both = targetOf(gh({ upstream: 'acme/tools/skills/pdf@v1', versionSpec: '@v3' }));
    assert.ok('target' in both && both.target.ref.kind === 'named' && both.target.ref.name === 'v3');
    const pinnedSource = targetOf(gh({ upstream: `acme/tools@${SHA.slice(0, 7)}` }));
    assert.ok('target' in pinnedSource && pinnedSource.target.ref.kind === 'commit' && pinnedSource.target.path === '');
  });

  it('skillman-migrated sources: https://github.com/{owner}/{repo}/{path} without tree/<ref>', () => {
    const r = targetOf(gh({ upstream: 'https://github.com/acme/tools/skills/pdf-tools' }));
    assert.ok('target' in r);
    assert.equal(r.target.owner, 'acme');
    assert.equal(r.target.repo, 'tools');
    assert.equal(r.target.path, 'skills/pdf-tools');
    assert.deepEqual(r.target.ref, { kind: 'default' });
  });

  it('paths with #, %, spaces and non-ASCII are split as a string, never as a URL', () => {
    const cases: [string, string][] = [
      [`https://github.com/acme/tools/tree/${SHA}/skills/c#-tools`, 'skills/c#-tools'],
      [`https://github.com/acme/tools/tree/${SHA}/skills/100%-done`, 'skills/100%-done'],
      [`https://github.com/acme/tools/tree/${SHA}/skills/my skill`, 'skills/my skill'],
      [`https://github.com/acme/tools/tree/${SHA}/skills/Über-uns/日本`, 'skills/Über-uns/日本'],
      [`https://github.com/acme/tools/tree/${SHA}/skills/50%25 off`, 'skills/50%25 off'],
      ['acme/tools/skills/c#-tools@v1', 'skills/c#-tools'],
      ['https://github.com/acme/tools/skills/what?#x', 'skills/what?#x'],
      // copied from a browser: percent-encoded throughout, decoded
      [`https://github.com/acme/tools/tree/${SHA}/skills/c%23-tools/%C3%9Cber`, 'skills/c#-tools/Über'],
      // escapes that are not UTF-8 stay as written rather than throwing
      ['https://github.com/a/b/tree/x/%E0%A4', '%E0%A4'],
      ['https://github.com/a/b/tree/x/%E0%A4%A', '%E0%A4%A'],
    ];
    for (const [upstream, p] of cases) {
      const r = targetOf(gh({ upstream }));
      assert.ok('target' in r, upstream);
      assert.equal(r.target.path, p, upstream);
      assert.equal(r.target.owner === 'acme' || r.target.owner === 'a', true);
    }
  });
});
