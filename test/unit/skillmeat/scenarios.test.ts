import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { computeCounts, computeStatus, readHome } from '../../../daemon/skillmeat';
import { SCENARIOS, makeWritable } from '../../fixtures/scenarios/build';

// Permission bits mean nothing to root, so that scenario can only run as a normal user.
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('skillmeat engine: section 10 scenarios', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
  });
  afterEach(() => {
    makeWritable(tmp);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const sc of SCENARIOS.filter((s) => !(s.needsPermissions && isRoot))) {
    it(sc.name, async () => {
      const { home, project, expected } = sc.build(tmp);
      const before = snapshotTree(tmp);
      const result = await computeStatus(home, [project]);
      assert.equal(result.homeExists, true);
      assert.equal(result.activeCollection, expected.activeCollection);
      const ws = result.workspaces[0];
      const rows = new Map(ws.artifacts.map((r) => [r.key, r]));
      assert.deepEqual([...rows.keys()].sort(), Object.keys(expected.rows).sort(), 'row keys');
      for (const [key, exp] of Object.entries(expected.rows)) {
        const row = rows.get(key)!;
        assert.equal(row.status, exp.status, `${key} status (reason: ${row.reason})`);
        for (const f of ['projectHash', 'deployedHash', 'collectionHash', 'lockHash', 'collection', 'profileRoot'] as const) {
          if (exp[f] !== undefined) assert.equal(row[f], exp[f], `${key} ${f}`);
        }
        assert.equal(row.collectionDirty ?? false, exp.collectionDirty ?? false, `${key} collectionDirty`);
        if (exp.reason) assert.ok(row.reason?.includes(exp.reason), `${key} reason "${row.reason}" should mention "${exp.reason}"`);
        if (row.status === 'unknown') assert.ok(row.reason, `${key} unknown needs a reason`);
        assert.equal(row.upstream.state, 'untracked', `${key} upstream defaults to untracked`);
      }
      assert.deepEqual(
        ws.notDeployed.map((n) => `${n.collection}/${n.name}::${n.type}`).sort(),
        [...expected.notDeployed].sort(),
        'not deployed',
      );
      for (const w of expected.homeWarnings ?? []) {
        assert.ok(result.warnings?.some((x) => x.includes(w)), `home warning mentioning ${w}: ${JSON.stringify(result.warnings)}`);
      }
      for (const w of expected.workspaceWarnings ?? []) {
        assert.ok(ws.warnings?.some((x) => x.includes(w)), `workspace warning mentioning ${w}: ${JSON.stringify(ws.warnings)}`);
      }
      if (expected.counts) {
        const counts = computeCounts(await readHome(home));
        assert.equal(counts.length, expected.counts.length);
        counts.forEach((c, i) => {
          const e = expected.counts![i];
          assert.equal(c.name, e.name);
          assert.equal(c.active, e.active);
          assert.equal(c.total, e.total);
          assert.deepEqual(c.byType, e.byType);
          assert.equal(c.mcpServers, e.mcpServers);
          if (e.error) assert.ok(c.error?.includes(e.error), `counts error ${c.error}`);
          else assert.equal(c.error, undefined);
        });
      }
      // The engine only reads.
      assert.deepEqual(snapshotTree(tmp), before, 'nothing on disk changed');
    });
  }
});

function snapshotTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      out.push(`${path.relative(dir, p)} ${st.size} ${st.mtimeMs} ${st.mode}`);
      if (e.isDirectory()) {
        try {
          walk(p);
        } catch {
          // unreadable directory: its entry above is enough
        }
      }
    }
  };
  walk(dir);
  return out.sort();
}
