import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { computeCounts, computeStatus, readHome } from '../../../daemon/skillmeat';
import { BASIC_FIXTURE as FIXTURE } from '../../helpers/fixtures';

interface ExpectedStage {
  artifacts: { name: string; type: string; profile: string; collection: string; projectHash: string; deployedHash: string; collectionHash: string; lockHash: string; status: string }[];
  collections: { name: string; active: boolean; total: number; byType: Record<string, number>; mcpServers: number }[];
}

describe('skillmeat engine: conformance with a real SkillMeat 0.9.1 home', () => {
  const expected = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8')) as Record<string, ExpectedStage>;
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
    fs.cpSync(FIXTURE, path.join(tmp, 'fixture'), { recursive: true });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const stage of ['after-deploy', 'after-edits']) {
    it(`${stage}: every row's four hashes and status, and the counts`, async () => {
      const base = path.join(tmp, 'fixture', stage);
      const home = path.join(base, 'home', '.skillmeat');
      const project = path.join(base, 'project');
      const result = await computeStatus(home, [project]);
      assert.equal(result.homeExists, true);
      assert.equal(result.activeCollection, 'default');
      const ws = result.workspaces[0];
      const exp = expected[stage];
      assert.equal(ws.artifacts.length, exp.artifacts.length);
      for (const e of exp.artifacts) {
        const row = ws.artifacts.find((r) => r.key === `${e.name}::${e.type}::${e.profile}`);
        assert.ok(row, `row ${e.name}`);
        assert.deepEqual(
          { status: row.status, collection: row.collection, projectHash: row.projectHash, deployedHash: row.deployedHash, collectionHash: row.collectionHash, lockHash: row.lockHash },
          { status: e.status, collection: e.collection, projectHash: e.projectHash, deployedHash: e.deployedHash, collectionHash: e.collectionHash, lockHash: e.lockHash },
          e.name,
        );
        assert.equal(row.collectionDirty ?? false, e.collectionHash !== e.lockHash);
        assert.equal(row.projectPath, path.join(project, '.claude', row.type === 'skill' ? `skills/${e.name}` : `${row.type}s/${e.name}.md`));
      }
      assert.deepEqual(ws.notDeployed, []);
      assert.equal(ws.warnings, undefined);
      const counts = computeCounts(await readHome(home));
      assert.deepEqual(
        counts.map((c) => ({ name: c.name, active: c.active, total: c.total, byType: c.byType, mcpServers: c.mcpServers })),
        exp.collections,
      );
    });
  }
});
