import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  computeCounts,
  computeStatus,
  contentHash,
  decideStatus,
  findArtifact,
  findTrackerFiles,
  listCollectionIds,
  readCollection,
  readConfig,
  readGithubTokenFromConfig,
  readHome,
  readTrackerFile,
  readTrackers,
  resolveHome,
  stripExtension,
} from '../../../daemon/skillmeat';
import { lockToml, manifestToml, trackerToml, V, writeFile } from '../../fixtures/scenarios/build';

describe('skillmeat readers', () => {
  let tmp: string;
  let home: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
    home = path.join(tmp, '.skillmeat');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('resolveHome', () => {
    it('prefers --home, then SKILLMEAT_HOME, then ~/.skillmeat', () => {
      const env = { HOME: '/users/ann', SKILLMEAT_HOME: '/data/sm' };
      assert.equal(resolveHome({ home: '/x/y/../z', env }), path.resolve('/x/z'));
      assert.equal(resolveHome({ home: '~/alt', env }), path.resolve('/users/ann/alt'));
      assert.equal(resolveHome({ env }), path.resolve('/data/sm'));
      assert.equal(resolveHome({ env: { HOME: '/users/ann' } }), path.resolve('/users/ann/.skillmeat'));
      assert.equal(resolveHome({ home: '  ', env: { HOME: '/users/ann', SKILLMEAT_HOME: '' } }), path.resolve('/users/ann/.skillmeat'));
    });
  });

  describe('config.toml', () => {
    it('uses [settings] default-collection and warns about the stray keys without leaking the token', async () => {
      writeFile(
        path.join(home, 'config.toml'),
        'active_collection = "x"\ndefault-collection = "y"\ngithub-token = "ghp_top"\n[settings]\ndefault-collection = "work"\n[skillmeat]\ngithub-token = "ghp_table"\n',
      );
      const c = await readConfig(home);
      assert.equal(c.activeCollection, 'work');
      assert.ok(c.warnings.some((w) => w.includes('top-level `active_collection = "x"` is ignored') && w.includes('[settings] default-collection = "work"')));
      assert.ok(c.warnings.some((w) => w.includes('top-level `default-collection = "y"`')));
      assert.ok(c.warnings.some((w) => w.includes('`github-token`')));
      assert.ok(c.warnings.some((w) => w.includes('`[skillmeat]`')));
      assert.ok(!c.warnings.join('\n').includes('ghp_'), 'no token in warnings');
      assert.equal(await readGithubTokenFromConfig(home), 'ghp_top');
    });

    it('defaults to "default", prefers settings.github-token, and reports a syntax error with its line', async () => {
      assert.deepEqual(await readConfig(home), { activeCollection: 'default', warnings: [] });
      assert.equal(await readGithubTokenFromConfig(home), undefined);
      writeFile(path.join(home, 'config.toml'), '[settings]\ngithub-token = "ghp_settings"\ngithub-token = "dup"\n');
      const c = await readConfig(home);
      assert.equal(c.activeCollection, 'default');
      assert.match(c.error ?? '', /config\.toml:3: /);
      writeFile(path.join(home, 'config.toml'), '[settings]\ngithub-token = "ghp_settings"\n[skillmeat]\ngithub-token = "ghp_t"\n');
      assert.equal(await readGithubTokenFromConfig(home), 'ghp_settings');
      const h = await readHome(home);
      assert.ok(h.warnings.some((w) => w.includes('active collection "default" does not exist')));
    });
  });

  describe('collections', () => {
    it('lists only directories with a collection.toml and reads manifest, groups, MCP servers and lock', async () => {
      const C = path.join(home, 'collections', 'main');
      writeFile(path.join(C, 'skills/canvas/SKILL.md'), 'x');
      writeFile(
        path.join(C, 'collection.toml'),
        manifestToml('main-renamed', [
          { name: 'canvas', type: 'skill', path: 'skills/canvas', origin: 'github', extra: { version_spec: 'v1.0.0', resolved_sha: 'a'.repeat(40), upstream: 'https://github.com/o/r/tree/x/canvas' } },
          { name: 'nopath', type: 'command' },
        ], ['fs']) + '\n[[groups]]\nname = "g"\nmembers = ["canvas"]\n',
      );
      writeFile(path.join(C, 'commands/nopath.md'), 'y');
      writeFile(path.join(C, 'collection.lock'), lockToml({ 'canvas::skill': `sha256:${V.V6.toUpperCase()}` }));
      fs.mkdirSync(path.join(home, 'collections', 'scratch'), { recursive: true });
      assert.deepEqual(await listCollectionIds(home), ['main']);
      assert.equal(await readCollection(home, 'scratch'), null);
      assert.equal(await readCollection(home, '..'), null);
      const col = (await readCollection(home, 'main'))!;
      assert.equal(col.id, 'main');
      assert.equal(col.name, 'main-renamed');
      assert.ok(col.warnings.some((w) => w.includes('[collection].name')));
      const canvas = findArtifact(col, 'canvas.md', 'skill')!;
      assert.equal(canvas.resolvedPath, path.join(C, 'skills/canvas'));
      assert.equal(canvas.versionSpec, 'v1.0.0');
      assert.equal(canvas.resolvedSha, 'a'.repeat(40));
      assert.equal(findArtifact(col, 'canvas', 'command'), undefined);
      assert.equal(findArtifact(col, 'nopath', 'command')!.resolvedPath, path.join(C, 'commands/nopath.md'), 'missing path falls back to <type>s/<name>.md');
      assert.deepEqual(col.mcpServers, [{ name: 'fs', repo: 'anthropics/mcp-fs' }]);
      assert.deepEqual(col.groups, [{ name: 'g', members: ['canvas'] }]);
      assert.equal(col.lock.get('canvas::skill')!.contentHash, V.V6, 'sha256: prefix stripped, lowercased');
      const counts = computeCounts(await readHome(home));
      assert.deepEqual(counts, [{ name: 'main', displayName: 'main-renamed', active: false, total: 2, byType: { skill: 1, command: 1 }, mcpServers: 1 }]);
    });

    it('a broken manifest gives an error naming file and line; counts are 0 with that error', async () => {
      writeFile(path.join(home, 'collections/bad/collection.toml'), '[collection]\nname = "bad"\n[[artifacts]\n');
      const col = (await readCollection(home, 'bad'))!;
      assert.match(col.error ?? '', /collections[\\/]bad[\\/]collection\.toml:3: /);
      const [c] = computeCounts(await readHome(home), ['bad']);
      assert.equal(c.total, 0);
      assert.equal(c.error, col.error);
      assert.match(computeCounts(await readHome(home), ['nope'])[0].error ?? '', /not found/);
    });
  });

  describe('tracker files', () => {
    it('finds .claude first, then every hidden root dir; reads every field of a fresh and a legacy record', async () => {
      const P = path.join(tmp, 'proj');
      writeFile(path.join(P, '.claude/.skillmeat-deployed.toml'), trackerToml([{ name: 'old', type: 'skill', path: 'skills/old', hash: V.V2, legacy: true }]));
      writeFile(path.join(P, '.codex/.skillmeat-deployed.toml'), trackerToml([{ name: 'a.md', type: 'command', path: 'commands/a.md.md', hash: `SHA256:${V.V10}`, profile: 'codex', root: '.codex', platform: 'nonsense' }]));
      writeFile(path.join(P, '.aaa/.skillmeat-deployed.toml'), '');
      fs.mkdirSync(path.join(P, '.empty'));
      fs.writeFileSync(path.join(P, '.skillmeat-deployed.toml'), 'not in a hidden dir');
      const files = await findTrackerFiles(P);
      assert.deepEqual(files.map((f) => path.relative(P, f)), ['.claude', '.aaa', '.codex'].map((d) => path.join(d, '.skillmeat-deployed.toml')));
      const legacy = await readTrackerFile(files[0], P);
      assert.equal(legacy.error, undefined);
      assert.deepEqual(
        { ...legacy.records[0], file: undefined },
        { artifactName: 'old', artifactType: 'skill', fromCollection: 'default', deployedAt: '2026-02-02T14:03:07.250000', artifactPath: 'skills/old', collectionSha: V.V2, deploymentProfileId: 'claude_code', profileRootDir: '.claude', index: 0, file: undefined },
      );
      const snap = await readTrackers(P);
      const codex = snap.files.find((f) => f.profileRoot === '.codex')!.records[0];
      assert.equal(codex.platform, 'nonsense');
      assert.equal(codex.contentHash, V.V10);
      assert.equal(codex.localModifications, false);
      assert.equal(codex.mergeBaseSnapshot, V.V10);
      assert.equal(codex.error, undefined);
      assert.equal(snap.files.find((f) => f.profileRoot === '.aaa')!.records.length, 0);
    });

    it('a half-written file names its line and keeps recognisable records as errors', async () => {
      const P = path.join(tmp, 'proj');
      const text = trackerToml([{ name: 'one', type: 'skill', path: 'skills/one', hash: V.V6, profile: 'cursor', root: '.cursor' }]) + '[[deployed]]\nartifact_name = "two"\nartifact_type = "agent"\ncontent_hash = "dd34';
      writeFile(path.join(P, '.cursor/.skillmeat-deployed.toml'), text);
      const r = await readTrackerFile(path.join(P, '.cursor/.skillmeat-deployed.toml'), P);
      assert.match(r.error ?? '', /\.cursor[\\/]\.skillmeat-deployed\.toml:18: /);
      assert.deepEqual(r.records.map((x) => `${x.artifactName}::${x.artifactType}::${x.deploymentProfileId}`), ['one::skill::cursor', 'two::agent::cursor']);
      assert.ok(r.records.every((x) => x.error === r.error));
    });

    it('does not read a tracker file that is a symlink pointing outside its profile root', async () => {
      const P = path.join(tmp, 'proj');
      writeFile(path.join(tmp, 'elsewhere.toml'), trackerToml([{ name: 'x', type: 'skill', path: 'skills/x', hash: V.V2 }]));
      fs.mkdirSync(path.join(P, '.claude'), { recursive: true });
      fs.symlinkSync(path.join(tmp, 'elsewhere.toml'), path.join(P, '.claude/.skillmeat-deployed.toml'));
      const r = await readTrackerFile(path.join(P, '.claude/.skillmeat-deployed.toml'), P);
      assert.equal(r.records.length, 0);
      assert.match(r.error ?? '', /symlink pointing outside/);
    });
  });

  describe('status', () => {
    it('decideStatus follows the 6.6 order', () => {
      const a = 'a'.repeat(64);
      const b = 'b'.repeat(64);
      const c = 'c'.repeat(64);
      assert.equal(decideStatus({ hp: a, hd: a, hc: a, error: 'boom', orphaned: 'x', projectMissing: true }).status, 'unknown');
      assert.equal(decideStatus({ hp: null, hd: a, hc: null, orphaned: 'gone', projectMissing: true }).status, 'orphaned');
      assert.equal(decideStatus({ hp: null, hd: a, hc: b, projectMissing: true }).status, 'missing');
      assert.equal(decideStatus({ hp: b, hd: a, hc: c }).status, 'conflict');
      assert.equal(decideStatus({ hp: b, hd: a, hc: b }).status, 'converged');
      assert.equal(decideStatus({ hp: b, hd: a, hc: a }).status, 'modified');
      assert.equal(decideStatus({ hp: a, hd: a, hc: b }).status, 'outdated');
      assert.equal(decideStatus({ hp: a, hd: a, hc: a }).status, 'synced');
      assert.equal(decideStatus({ hp: a, hd: null, hc: a }).status, 'unknown');
      assert.equal(decideStatus({ hp: a, hd: a, hc: null }).status, 'unknown');
    });

    it('a missing home makes every row unknown, and the upstream callback fills rows and not-deployed entries', async () => {
      const P = path.join(tmp, 'proj');
      writeFile(path.join(P, '.claude/.skillmeat-deployed.toml'), trackerToml([{ name: 'x', type: 'skill', path: 'skills/x', hash: V.V2 }]));
      writeFile(path.join(P, '.claude/skills/x/SKILL.md'), 'hello\n');
      const none = await computeStatus(path.join(tmp, 'no-home'), [P]);
      assert.equal(none.homeExists, false);
      assert.equal(none.workspaces[0].artifacts[0].status, 'unknown');
      assert.match(none.workspaces[0].artifacts[0].reason ?? '', /home not found/);

      const C = path.join(home, 'collections/default');
      writeFile(path.join(C, 'skills/x/SKILL.md'), 'hello\n');
      writeFile(path.join(C, 'skills/y/SKILL.md'), 'hello\n');
      writeFile(path.join(C, 'collection.toml'), manifestToml('default', [{ name: 'x', type: 'skill', path: 'skills/x' }, { name: 'y', type: 'skill', path: 'skills/y' }]));
      const seen: string[] = [];
      const hashed: string[] = [];
      const r = await computeStatus(home, [P], {
        upstream: (col, art) => {
          seen.push(`${col.id}/${art.name}`);
          return { state: 'current', source: `github:github.com/o/r@main` };
        },
        hasher: { hash: (p) => { hashed.push(p); return contentHash(p); } },
      });
      assert.equal(hashed.length, new Set(hashed).size, 'each path hashed once per call');
      const ws = r.workspaces[0];
      assert.equal(ws.artifacts[0].status, 'synced', ws.artifacts[0].reason);
      assert.equal(ws.artifacts[0].lockHash, null);
      assert.equal(ws.artifacts[0].collectionDirty, undefined);
      assert.equal(ws.artifacts[0].upstream.state, 'current');
      assert.deepEqual(ws.notDeployed.map((n) => [n.name, n.upstream?.state]), [['y', 'current']]);
      assert.deepEqual(seen.sort(), ['default/x', 'default/y']);
    });
  });

  it('stripExtension strips one known extension', () => {
    assert.equal(stripExtension('supabase-helper.md.md'), 'supabase-helper.md');
    assert.equal(stripExtension('a.yaml'), 'a');
    assert.equal(stripExtension('a.py'), 'a.py');
    assert.equal(stripExtension('.md'), '.md');
  });
});
