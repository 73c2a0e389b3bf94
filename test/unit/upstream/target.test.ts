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
      [{ upstream: 'https://github.com/a/b/pulls/1' }, /not a tree or blob URL/],
      [{ upstream: 'a/b/../etc' }, /not safe/],
      [{ upstream: `https://github.com/a/b/tree/${SHA}/../../etc` }, /not a tree or blob URL/],
      [{ upstream: 'https://github.com/a/b/tree/x/%E0%A4%A' }, /malformed escape/],
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
});
