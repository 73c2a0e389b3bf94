import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareFolders } from '../../../extension/folderDiff';
import { FIXTURE } from './rows';

describe('folderDiff', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds the one edited file of the real fixture skill and lists it first', async () => {
    const stage = path.join(FIXTURE, 'after-edits');
    const entries = await compareFolders(
      path.join(stage, 'project/.claude/skills/pdf-tools'),
      path.join(stage, 'home/.skillmeat/collections/default/skills/pdf-tools'),
    );
    assert.deepEqual(
      entries.map((e) => [e.relativePath, e.change]),
      [
        ['SKILL.md', 'modified'],
        ['references-index.md', 'unchanged'],
        ['references/guide.md', 'unchanged'],
        ['scripts/extract.py', 'unchanged'],
      ],
    );
    assert.equal(entries[0]!.projectFile, path.join(stage, 'project/.claude/skills/pdf-tools/SKILL.md'));
  });

  it('orders modified, then project-only, then collection-only, then unchanged; hidden files count', async () => {
    const p = path.join(dir, 'p');
    const c = path.join(dir, 'c');
    for (const d of [p, c]) fs.mkdirSync(path.join(d, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(p, 'same.md'), 'x');
    fs.writeFileSync(path.join(c, 'same.md'), 'x');
    fs.writeFileSync(path.join(p, 'sub', 'edit.md'), 'new');
    fs.writeFileSync(path.join(c, 'sub', 'edit.md'), 'old');
    fs.writeFileSync(path.join(p, 'sizeSame.md'), 'abc');
    fs.writeFileSync(path.join(c, 'sizeSame.md'), 'abd');
    fs.writeFileSync(path.join(p, '.hidden'), 'h');
    fs.writeFileSync(path.join(c, 'gone.md'), 'g');
    fs.mkdirSync(path.join(p, 'emptydir'));
    const entries = await compareFolders(p, c);
    assert.deepEqual(
      entries.map((e) => [e.relativePath, e.change]),
      [
        ['sizeSame.md', 'modified'],
        ['sub/edit.md', 'modified'],
        ['.hidden', 'added'],
        ['gone.md', 'deleted'],
        ['same.md', 'unchanged'],
      ],
    );
    assert.equal(entries.find((e) => e.change === 'deleted')!.projectFile, null);
  });

  it('treats a missing side as empty instead of failing', async () => {
    const c = path.join(dir, 'c');
    fs.mkdirSync(c);
    fs.writeFileSync(path.join(c, 'SKILL.md'), 'x');
    const entries = await compareFolders(path.join(dir, 'does-not-exist'), c);
    assert.deepEqual(entries.map((e) => [e.relativePath, e.change]), [['SKILL.md', 'deleted']]);
  });
});
