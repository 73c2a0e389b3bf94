import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveApiUrl, resolveToken } from '../../../daemon/upstream';

describe('GitHub token and API URL resolution', () => {
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('editor session, then settings.github-token, then SKILLMEAT_GITHUB_TOKEN, then GITHUB_TOKEN, else anonymous', async () => {
    const env = { SKILLMEAT_GITHUB_TOKEN: 'sm-env', GITHUB_TOKEN: 'gh-env' };
    fs.writeFileSync(path.join(home, 'config.toml'), '[settings]\ngithub-token = "cfg"\n');
    const GH = 'https://api.github.com';
    assert.deepEqual(await resolveToken({ editor: { token: 'ed', apiUrl: GH }, home, env }), { token: 'ed', source: 'vscode' });
    assert.deepEqual(await resolveToken({ apiUrl: `${GH}/`, editor: { token: 'ed', apiUrl: GH }, home, env }), { token: 'ed', source: 'vscode' });
    assert.deepEqual(await resolveToken({ editor: { token: '  ', apiUrl: GH }, home, env }), { token: 'cfg', source: 'config' });
    fs.writeFileSync(path.join(home, 'config.toml'), '[settings]\ndefault-collection = "x"\n');
    assert.deepEqual(await resolveToken({ home, env }), { token: 'sm-env', source: 'SKILLMEAT_GITHUB_TOKEN' });
    assert.deepEqual(await resolveToken({ home, env: { GITHUB_TOKEN: 'gh-env' } }), { token: 'gh-env', source: 'GITHUB_TOKEN' });
    assert.deepEqual(await resolveToken({ home, env: { GITHUB_TOKEN: '' } }), { source: 'anonymous' });
  });

  it('a broken config.toml is no token, not a crash', async () => {
    fs.writeFileSync(path.join(home, 'config.toml'), '[settings\ngithub-token = ');
    assert.deepEqual(await resolveToken({ home, env: {} }), { source: 'anonymous' });
    assert.deepEqual(await resolveToken({ home: path.join(home, 'missing'), env: { GITHUB_TOKEN: 'g' } }), { token: 'g', source: 'GITHUB_TOKEN' });
  });

  it('API URL: flag, then $SKILLMEAT_SYNC_GITHUB_API_URL, then setting, else api.github.com; bad values are clear errors', () => {
    const env = { SKILLMEAT_SYNC_GITHUB_API_URL: 'https://env.example/api/v3/' };
    assert.equal(resolveApiUrl({ flag: 'https://flag.example/api/v3', env, setting: 'https://s.example' }), 'https://flag.example/api/v3');
    assert.equal(resolveApiUrl({ env, setting: 'https://s.example' }), 'https://env.example/api/v3');
    assert.equal(resolveApiUrl({ env: {}, setting: 'https://s.example/api/v3' }), 'https://s.example/api/v3');
    assert.equal(resolveApiUrl({ env: {} }), 'https://api.github.com');
    assert.throws(() => resolveApiUrl({ flag: 'nope', env: {} }), /not a URL/);
    assert.throws(() => resolveApiUrl({ flag: 'ftp://x', env: {} }), /http/);
    assert.throws(
      () => resolveApiUrl({ flag: 'https://user:s3cret@x.example', env: {} }),
      (e: Error) => /credentials/.test(e.message) && !e.message.includes('s3cret'),
    );
  });

  it('a token goes only to the API it was issued for: github.com tokens never reach an Enterprise server', async () => {
    const GHE = 'https://ghe.example.com/api/v3';
    fs.writeFileSync(path.join(home, 'config.toml'), '[settings]\ngithub-token = "cfg"\n');
    const env = { SKILLMEAT_GITHUB_TOKEN: 'sm-env', GITHUB_TOKEN: 'gh-env' };
    // VS Code's github sign-in, SkillMeat's config and the github.com variables: none of them for GHE.
    assert.deepEqual(await resolveToken({ apiUrl: GHE, editor: { token: 'ed', apiUrl: 'https://api.github.com' }, home, env }), { source: 'anonymous' });
    // VS Code's github-enterprise sign-in for that server, or the gh CLI's enterprise variables.
    assert.deepEqual(await resolveToken({ apiUrl: GHE, editor: { token: 'ent', apiUrl: `${GHE}/` }, home, env }), { token: 'ent', source: 'vscode-enterprise' });
    assert.deepEqual(await resolveToken({ apiUrl: GHE, home, env: { ...env, GH_ENTERPRISE_TOKEN: 'ghe1' } }), { token: 'ghe1', source: 'GH_ENTERPRISE_TOKEN' });
    assert.deepEqual(await resolveToken({ apiUrl: GHE, home, env: { GITHUB_ENTERPRISE_TOKEN: 'ghe2' } }), { token: 'ghe2', source: 'GITHUB_ENTERPRISE_TOKEN' });
    // ...and an enterprise session is not sent to github.com either.
    assert.deepEqual(await resolveToken({ editor: { token: 'ent', apiUrl: GHE }, home, env: { GH_ENTERPRISE_TOKEN: 'ghe1' } }), { token: 'cfg', source: 'config' });
  });
});
