// The service's side of issue #11 in-process (the integration suite runs the same code in the
// spawned daemon): the sync barrier before each answer, rows re-read when they rest on inputs no
// watcher covers, and `verify` finding by stat what no event reported.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileLogger } from '../../../daemon/log';
import { SyncService } from '../../../daemon/service/syncService';
import type { StatusResult } from '../../../shared/types';
import { BASIC_FIXTURE } from '../../helpers/fixtures';

const HOUR_AGO = new Date(Date.now() - 3600_000);
const PDF = 'pdf-tools::skill::claude_code';

function age(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) age(p);
    fs.utimesSync(p, HOUR_AGO, HOUR_AGO);
  }
}

const statusOf = (r: StatusResult, key: string) => r.workspaces[0].artifacts.find((a) => a.key === key)?.status;
const rows = (r: StatusResult) => r.workspaces[0].artifacts.map((a) => `${a.key} ${a.status} ${a.projectHash} ${a.collectionHash}`).sort();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SyncService: barrier, coverage and verify (issue #11)', function () {
  this.timeout(30_000);
  let root: string;
  let home: string;
  let ws: string;
  let service: SyncService;
  const truth = async () => {
    const s = new SyncService({ home, log: new FileLogger(undefined, 'error'), watch: false });
    try {
      return await s.status([ws]);
    } finally {
      await s.close();
    }
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
    fs.cpSync(path.join(BASIC_FIXTURE, 'after-deploy'), root, { recursive: true });
    home = path.join(root, 'home', '.skillmeat');
    ws = path.join(root, 'project');
  });

  afterEach(async () => {
    await service?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  function start(): SyncService {
    age(root);
    service = new SyncService({ home, log: new FileLogger(undefined, 'error'), cookieDir: path.join(root, 'cookies') });
    return service;
  }

  it('an edit is in the very next answer (the barrier), 20 times', async () => {
    const s = start();
    await s.status([ws]);
    const file = path.join(ws, '.claude/skills/pdf-tools/SKILL.md');
    const original = fs.readFileSync(file);
    for (let i = 0; i < 20; i++) {
      if (i % 2) fs.writeFileSync(file, original);
      else fs.appendFileSync(file, 'x\n');
      assert.equal(statusOf(await s.status([ws]), PDF), i % 2 ? 'synced' : 'modified', `try ${i + 1}`);
    }
  });

  it('verify finds by stat what no event reported; without verify the rows stay (nothing told the watcher)', async () => {
    const s = start();
    await s.status([ws]);
    await s.status([ws]);
    s.toggleEventLoss();
    await sleep(50);
    const edited = path.join(ws, '.claude/skills/pdf-tools/SKILL.md');
    fs.appendFileSync(edited, 'unseen\n');
    fs.utimesSync(edited, HOUR_AGO, HOUR_AGO); // not racy: the rows can be kept once verified
    fs.appendFileSync(path.join(home, 'collections/default/collection.toml'), '\n[[artifacts]]\nname = "extra"\ntype = "command"\npath = "commands/review.md"\norigin = "local"\n');
    await sleep(150);
    const plain = await s.status([ws]);
    assert.equal(statusOf(plain, PDF), 'synced', 'the events were dropped: the cached rows are served (what --verify is for)');
    const verified = await s.status([ws], { verify: true });
    assert.equal(statusOf(verified, PDF), 'modified');
    const t = await truth();
    assert.deepEqual(rows(verified), rows(t));
    assert.deepEqual(verified.workspaces[0].notDeployed, t.workspaces[0].notDeployed);
    // unchanged inputs: verify keeps the rows object (checked by stat, not recomputed)
    const again = await s.status([ws], { verify: true });
    assert.equal(again.workspaces[0], verified.workspaces[0]);
    s.toggleEventLoss();
  });

  it('rows resting on a symlinked profile root are recomputed for every request', async () => {
    fs.renameSync(path.join(ws, '.claude'), path.join(root, 'dotclaude'));
    fs.symlinkSync(path.join(root, 'dotclaude'), path.join(ws, '.claude'));
    const s = start();
    await s.status([ws]);
    await s.status([ws]);
    fs.appendFileSync(path.join(root, 'dotclaude/skills/pdf-tools/SKILL.md'), 'through the link\n');
    assert.equal(statusOf(await s.status([ws]), PDF), 'modified');
  });

  it('a symlinked config.toml is read again for every request', async () => {
    fs.cpSync(path.join(home, 'collections/default'), path.join(home, 'collections/second'), { recursive: true });
    fs.renameSync(path.join(home, 'config.toml'), path.join(root, 'config.toml'));
    fs.symlinkSync(path.join(root, 'config.toml'), path.join(home, 'config.toml'));
    const s = start();
    assert.equal((await s.status([ws])).activeCollection, 'default');
    const cfg = path.join(root, 'config.toml');
    fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace('default-collection = "default"', 'default-collection = "second"'));
    assert.equal((await s.status([ws])).activeCollection, 'second');
    assert.equal((await s.counts()).collections.find((c) => c.active)?.name, 'second');
  });
});
