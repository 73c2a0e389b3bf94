// shared/homeCheck.ts (issue #17): what is a SkillMeat home, before a daemon is started for it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkHome } from '../../../shared/homeCheck';

describe('checkHome (shared/homeCheck.ts)', () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-home-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a folder with config.toml, or with collections/, is a home', () => {
    fs.writeFileSync(path.join(root, 'config.toml'), '');
    assert.deepEqual(checkHome(root), { ok: true });
    const other = path.join(root, 'b');
    fs.mkdirSync(path.join(other, 'collections'), { recursive: true });
    assert.deepEqual(checkHome(other), { ok: true });
  });

  it('missing, a file, an empty folder, a folder where the markers are the wrong kind', () => {
    assert.deepEqual(checkHome(path.join(root, 'nope')), { ok: false, problem: 'missing', message: `no SkillMeat home at ${path.join(root, 'nope')}` });
    fs.writeFileSync(path.join(root, 'f'), '');
    assert.equal(checkHome(path.join(root, 'f')).ok, false);
    assert.deepEqual(checkHome(root), { ok: false, problem: 'not-a-home', message: `${root} is not a SkillMeat home (no config.toml, no collections/)` });
    fs.mkdirSync(path.join(root, 'config.toml'));
    fs.writeFileSync(path.join(root, 'collections'), '');
    assert.equal(checkHome(root).ok, false);
  });

  it('the parent of .skillmeat gets "did you mean"', () => {
    fs.mkdirSync(path.join(root, '.skillmeat'));
    const r = checkHome(root);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.message, `${root} is not a SkillMeat home (no config.toml, no collections/); did you mean ${path.join(root, '.skillmeat')}?`);
  });
});
