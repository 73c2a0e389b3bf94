// Issue #3 "through the CLI's JSON": the real SkillMeat 0.9.1 fixture, both stages, through the
// daemon and with --no-daemon, must give exactly expected.json, in the issue #2 JSON contract.
import type { ExpectedArtifact } from '../helpers/fixtureExpected';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SYNC_STATUSES, UPSTREAM_STATES } from '../../shared/types';
import { Harness, type FixtureStage } from '../helpers/daemonHarness';
import { BASIC_FIXTURE } from '../helpers/fixtures';

type ExpectedRow = ExpectedArtifact;
interface ExpectedCollection {
  name: string;
  active: boolean;
  total: number;
  byType: Record<string, number>;
  mcpServers: number;
}
type Expected = Record<FixtureStage, { artifacts: ExpectedRow[]; collections: ExpectedCollection[] }>;

const EXPECTED = JSON.parse(fs.readFileSync(path.join(BASIC_FIXTURE, 'expected.json'), 'utf8')) as Expected;
const HASH = /^[0-9a-f]{64}$/;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every violation of the issue #2 status contract, as readable paths. */
function statusContractViolations(doc: unknown): string[] {
  const bad: string[] = [];
  const need = (cond: boolean, what: string) => {
    if (!cond) bad.push(what);
  };
  if (!isObject(doc)) return ['top level is not an object'];
  need(typeof doc.home === 'string', 'home is a string');
  need(Array.isArray(doc.workspaces), 'workspaces is an array');
  for (const [wi, ws] of ((doc.workspaces as unknown[]) ?? []).entries()) {
    const at = `workspaces[${wi}]`;
    if (!isObject(ws)) {
      bad.push(`${at} is an object`);
      continue;
    }
    need(typeof ws.folder === 'string' && path.isAbsolute(ws.folder), `${at}.folder is an absolute path`);
    need(Array.isArray(ws.artifacts), `${at}.artifacts is an array`);
    need(Array.isArray(ws.notDeployed), `${at}.notDeployed is an array`);
    for (const [ri, r] of ((ws.artifacts as unknown[]) ?? []).entries()) {
      const ra = `${at}.artifacts[${ri}]`;
      if (!isObject(r)) {
        bad.push(`${ra} is an object`);
        continue;
      }
      for (const k of ['key', 'name', 'type', 'profile']) need(typeof r[k] === 'string' && r[k] !== '', `${ra}.${k} is a non-empty string`);
      need(r.key === `${String(r.name)}::${String(r.type)}::${String(r.profile)}`, `${ra}.key is name::type::profile`);
      need(r.collection === null || typeof r.collection === 'string', `${ra}.collection is a string or null`);
      need((SYNC_STATUSES as readonly unknown[]).includes(r.status), `${ra}.status is one of ${SYNC_STATUSES.join('|')}`);
      for (const k of ['projectHash', 'deployedHash', 'collectionHash', 'lockHash']) {
        need(k in r, `${ra}.${k} is present`);
        need(r[k] === null || (typeof r[k] === 'string' && HASH.test(r[k])), `${ra}.${k} is 64 lowercase hex or null`);
      }
      need(r.reason === undefined || typeof r.reason === 'string', `${ra}.reason is a string when present`);
      if (r.status === 'unknown') need(typeof r.reason === 'string' && r.reason !== '', `${ra}.reason explains "unknown"`);
      const u = r.upstream;
      if (!isObject(u)) {
        bad.push(`${ra}.upstream is an object`);
        continue;
      }
      need((UPSTREAM_STATES as readonly unknown[]).includes(u.state), `${ra}.upstream.state is one of ${UPSTREAM_STATES.join('|')}`);
      need(u.reason === undefined || typeof u.reason === 'string', `${ra}.upstream.reason is a string when present`);
      need(u.checkedAt === undefined || (typeof u.checkedAt === 'string' && !Number.isNaN(Date.parse(u.checkedAt))), `${ra}.upstream.checkedAt is an ISO time when present`);
    }
    for (const [ni, n] of ((ws.notDeployed as unknown[]) ?? []).entries()) {
      const na = `${at}.notDeployed[${ni}]`;
      need(isObject(n) && typeof n.name === 'string' && typeof n.type === 'string' && typeof n.collection === 'string', `${na} has name, type, collection`);
    }
  }
  return bad;
}

function countsContractViolations(doc: unknown): string[] {
  const bad: string[] = [];
  if (!isObject(doc) || !Array.isArray(doc.collections)) return ['{"collections": [...]} expected'];
  for (const [i, c] of doc.collections.entries()) {
    const at = `collections[${i}]`;
    if (!isObject(c)) {
      bad.push(`${at} is an object`);
      continue;
    }
    if (typeof c.name !== 'string') bad.push(`${at}.name is a string`);
    if (typeof c.active !== 'boolean') bad.push(`${at}.active is a boolean`);
    if (!Number.isInteger(c.total)) bad.push(`${at}.total is an integer`);
    if (!Number.isInteger(c.mcpServers)) bad.push(`${at}.mcpServers is an integer`);
    if (!isObject(c.byType) || !Object.values(c.byType).every((n) => Number.isInteger(n))) bad.push(`${at}.byType maps types to integers`);
    else if (Object.values(c.byType).reduce((a: number, n) => a + (n as number), 0) !== c.total) bad.push(`${at}.byType adds up to total`);
  }
  return bad;
}

function rowView(r: Json): ExpectedRow {
  return {
    name: r.name as string,
    type: r.type as string,
    profile: r.profile as string,
    collection: r.collection as string,
    projectHash: r.projectHash as string,
    deployedHash: r.deployedHash as string,
    collectionHash: r.collectionHash as string,
    lockHash: r.lockHash as string,
    status: r.status as ExpectedArtifact["status"],
  };
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

for (const stage of ['after-deploy', 'after-edits'] as const) {
  describe(`CLI conformance with the SkillMeat 0.9.1 fixture, ${stage} (issue #3)`, function () {
    this.timeout(60_000);
    let h: Harness;
    beforeEach(() => (h = new Harness({ fixture: stage })));
    afterEach(async () => h.cleanup());

    async function json(args: string[]): Promise<Json> {
      const r = await h.cli(args);
      assert.ok(r.code === 0 || (r.code === 1 && args.includes('--fail-on-drift')), `skillmeat-sync ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as Json;
    }

    for (const mode of ['daemon', 'no-daemon'] as const) {
      const extra = mode === 'no-daemon' ? ['--no-daemon'] : [];

      it(`status --json (${mode}): every row has the hashes and status of expected.json, in the issue #2 shape`, async () => {
        const doc = await json(['status', '--json', '--workspace', h.workspace, ...extra]);
        assert.deepEqual(statusContractViolations(doc), []);
        assert.equal(doc.home, h.home);
        const ws = (doc.workspaces as Json[])[0];
        assert.equal(ws.folder, h.workspace);
        const rows = (ws.artifacts as Json[]).map(rowView).sort(byName);
        assert.deepEqual(rows, [...EXPECTED[stage].artifacts].sort(byName));
        // Everything in the collection is deployed here, and local artifacts have no upstream.
        assert.deepEqual(ws.notDeployed, []);
        for (const r of ws.artifacts as Json[]) assert.equal((r.upstream as Json).state, 'untracked');
        if (mode === 'no-daemon') assert.deepEqual(h.processes(), [], '--no-daemon starts no daemon');
      });

      it(`counts --json (${mode}): the collections of expected.json`, async () => {
        const doc = await json(['counts', '--json', ...extra]);
        assert.deepEqual(countsContractViolations(doc), []);
        const got = (doc.collections as Json[]).map((c) => ({ name: c.name, active: c.active, total: c.total, byType: c.byType, mcpServers: c.mcpServers }));
        assert.deepEqual(got, EXPECTED[stage].collections);
        const named = await json(['counts', 'default', '--json', ...extra]);
        assert.deepEqual(named.collections, doc.collections);
        if (mode === 'no-daemon') assert.deepEqual(h.processes(), [], '--no-daemon starts no daemon');
      });
    }

    it('the daemon and --no-daemon give the same JSON; --fail-on-drift exits by the rows', async () => {
      const args = ['status', '--json', '--workspace', h.workspace];
      const viaDaemon = await json(args);
      const local = await json([...args, '--no-daemon']);
      assert.deepEqual(viaDaemon, local);
      const drift = await h.cli([...args, '--fail-on-drift']);
      const synced = EXPECTED[stage].artifacts.every((a) => a.status === 'synced');
      assert.equal(drift.code, synced ? 0 : 1, drift.stderr);
      assert.deepEqual(JSON.parse(drift.stdout), viaDaemon);
    });
  });
}

describe('CLI bad input: a clear error, never a wrong "in sync" (issue #3)', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(() => (h = new Harness({ fixture: 'after-deploy' })));
  afterEach(async () => h.cleanup());

  it('a missing workspace, a missing home, an unknown collection, a broken tracker', async () => {
    const noWs = await h.cli(['status', '--json', '--no-daemon', '--workspace', path.join(h.root, 'nope')]);
    assert.equal(noWs.code, 2);
    assert.match(noWs.stderr, /workspace folder .*nope does not exist/);
    assert.equal(noWs.stdout, '');

    // Issue #17: one clear line and no rows at all (they were every one "orphaned"), not a document.
    const noHome = await h.cli(['status', '--json', '--no-daemon', '--workspace', h.workspace, '--home', path.join(h.root, 'nohome')]);
    assert.equal(noHome.code, 2);
    assert.equal(noHome.stderr, `skillmeat-sync: no SkillMeat home at ${path.join(h.root, 'nohome')} (use --home DIR or set SKILLMEAT_HOME)\n`);
    assert.equal(noHome.stdout, '');

    const unknown = await h.cli(['counts', 'nosuch', '--json', '--no-daemon']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /collection nosuch: collection "nosuch" not found/);
    const item = (JSON.parse(unknown.stdout) as { collections: Json[] }).collections;
    assert.deepEqual(item.map((c) => [c.name, c.total, typeof c.error]), [['nosuch', 0, 'string']]);
    const mixed = await h.cli(['counts', 'default', 'nosuch', '--json']);
    assert.equal(mixed.code, 2, 'through the daemon too');
    const both = (JSON.parse(mixed.stdout) as { collections: Json[] }).collections;
    assert.deepEqual(both.map((c) => [c.name, c.total, c.error === undefined]), [['default', 4, true], ['nosuch', 0, false]]);

    const tracker = path.join(h.workspace, '.claude/.skillmeat-deployed.toml');
    fs.writeFileSync(tracker, fs.readFileSync(tracker, 'utf8').replace('artifact_type = "agent"', 'artifact_type = [broken'));
    // Old enough not to look mid-write.
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(tracker, old, old);
    for (const extra of [[], ['--no-daemon']]) {
      const r = await h.cli(['status', '--json', '--fail-on-drift', '--workspace', h.workspace, ...extra]);
      const ws = (JSON.parse(r.stdout) as { workspaces: { artifacts: { status: string }[]; warnings?: string[] }[] }).workspaces[0];
      assert.ok(ws.artifacts.every((a) => a.status !== 'synced') || ws.warnings?.length, `broken tracker reported (${extra.join(' ')}): ${r.stdout}`);
      assert.equal(r.code, 1, `--fail-on-drift with a broken tracker (${extra.join(' ')}): ${r.stderr}`);
    }
  });
});
