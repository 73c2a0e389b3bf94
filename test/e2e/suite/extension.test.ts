// The extension inside a real VS Code, on a copy of the real SkillMeat 0.9.1 fixture (after-edits):
// what the views show must equal the fixture's expected answers, and must follow edits by itself.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CountsRequest, StatsRequest, StatusRequest } from '../../../shared/protocol';
import type { ArtifactRow, StatusResult, SyncStatus } from '../../../shared/types';
import { activateExtension, eventually, request, withTimeout, type ExtensionTestApi } from './api';
import { loadContext, type E2EContext } from './context';
import { describeTree, findRow, flatten, readTree, statusOf } from './tree';

interface CommandContribution {
  command: string;
  title: string;
  category?: string;
}

const WATCH_TIMEOUT_MS = 15_000;

describe('SkillMeat Sync in a real VS Code', function () {
  this.timeout(90_000);
  let ctx: E2EContext;
  let api: ExtensionTestApi;
  let commands: CommandContribution[];

  before(async function () {
    ctx = loadContext();
    const activated = await activateExtension();
    api = activated.api;
    const pkg = activated.ext.packageJSON as { contributes?: { commands?: CommandContribution[] } };
    commands = pkg.contributes?.commands ?? [];
    await withTimeout(api.whenIdle(), 60_000, 'whenIdle() after activation');
  });

  function commandMatching(re: RegExp): CommandContribution {
    const c = commands.find((x) => re.test(x.title) || re.test(x.command));
    assert.ok(c, `no contributed command matches ${re}; have: ${commands.map((x) => x.title).join(', ')}`);
    return c;
  }

  async function rowStatuses(): Promise<Map<string, SyncStatus | undefined>> {
    const tree = await readTree(api.syncTree);
    const out = new Map<string, SyncStatus | undefined>();
    for (const a of ctx.expected.artifacts) {
      const node = findRow(tree, a.name);
      out.set(a.name, node ? statusOf(node) : undefined);
    }
    return out;
  }

  async function assertRowsAsExpected(overrides: Record<string, SyncStatus> = {}): Promise<void> {
    const got = await rowStatuses();
    for (const a of ctx.expected.artifacts) {
      const want = overrides[a.name] ?? a.status;
      assert.equal(
        got.get(a.name),
        want,
        `row ${a.name} shows ${got.get(a.name)}, expected ${want}\n${describeTree(await readTree(api.syncTree))}`,
      );
    }
  }

  it('activates and exports its test API with a connected daemon client', async function () {
    assert.equal(typeof api.whenIdle, 'function');
    assert.equal(typeof api.syncTree.getChildren, 'function');
    assert.equal(typeof api.collectionsTree.getChildren, 'function');
    await eventually(async () => assert.equal(api.client.state, 'connected'), 20_000);
  });

  it('registers every contributed command', async function () {
    assert.ok(commands.length >= 5, `only ${commands.length} commands contributed`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = commands.filter((c) => !registered.has(c.command)).map((c) => c.command);
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('the daemon reports the fixture rows with the expected hashes and statuses', async function () {
    const res: StatusResult = await request(api.client, StatusRequest, { folders: [ctx.project] });
    assert.equal(res.homeExists, true, `home ${res.home} not found by the daemon`);
    const ws = res.workspaces.find((w) => path.resolve(w.folder) === path.resolve(ctx.project));
    assert.ok(ws, `no workspace ${ctx.project} in the answer`);
    for (const a of ctx.expected.artifacts) {
      const row: ArtifactRow | undefined = ws.artifacts.find((r: ArtifactRow) => r.name === a.name && r.type === a.type && r.profile === a.profile);
      assert.ok(row, `no row for ${a.name}::${a.type}::${a.profile}`);
      assert.deepEqual(
        { status: row.status, Hp: row.projectHash, Hd: row.deployedHash, Hc: row.collectionHash, Hl: row.lockHash, from: row.collection },
        { status: a.status, Hp: a.projectHash, Hd: a.deployedHash, Hc: a.collectionHash, Hl: a.lockHash, from: a.collection },
        `row ${a.name}`,
      );
    }
    assert.equal(ws.artifacts.length, ctx.expected.artifacts.length, 'unexpected extra rows');
  });

  it('Sync Status view shows one row per deployed artifact with the expected status', async function () {
    await eventually(() => assertRowsAsExpected(), 20_000);
  });

  it('Collections view shows the counts of each collection', async function () {
    const res = await request(api.client, CountsRequest, {});
    for (const want of ctx.expected.collections) {
      const got = res.collections.find((c) => c.name === want.name);
      assert.ok(got, `daemon has no counts for ${want.name}`);
      assert.deepEqual(
        { total: got.total, byType: got.byType, mcp: got.mcpServers, active: got.active },
        { total: want.total, byType: want.byType, mcp: want.mcpServers, active: want.active },
      );
    }
    await eventually(async () => {
      const tree = await readTree(api.collectionsTree);
      for (const want of ctx.expected.collections) {
        const node = flatten(tree).find((n) => n.label === want.name || n.label.startsWith(`${want.name} `));
        assert.ok(node, `Collections view has no ${want.name}\n${describeTree(tree)}`);
        const shown = [node.label, node.description, node.tooltip, ...flatten(node.children).map((c) => `${c.label} ${c.description}`)].join('\n');
        assert.match(shown, new RegExp(`\\b${want.total}\\b`), `total ${want.total} not shown for ${want.name}:\n${shown}`);
        for (const [type, n] of Object.entries(want.byType)) {
          assert.match(shown, new RegExp(`(\\b${n}\\b[^\\n]*${type}|${type}[^\\n]*\\b${n}\\b)`, 'i'), `${n} ${type} not shown:\n${shown}`);
        }
      }
    }, 20_000);
  });

  it('the status bar summarises what needs attention', async function () {
    assert.ok(api.statusBar, 'no statusBar in the test API');
    const counts = new Map<string, number>();
    for (const a of ctx.expected.artifacts) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
    await eventually(async () => {
      const text = api.statusBar?.text ?? '';
      for (const s of ['modified', 'outdated'] as const) {
        assert.match(text, new RegExp(`${counts.get(s)}\\s*${s}`), `status bar "${text}" lacks "${counts.get(s)} ${s}"`);
      }
    }, 20_000);
  });

  describe('follows edits by itself', function () {
    let file: string;
    let original: Buffer;

    before(function () {
      // code-reviewer is synced in the fixture, so a project edit must turn it into `modified`.
      file = path.join(ctx.project, '.claude', 'agents', 'code-reviewer.md');
      original = fs.readFileSync(file);
    });

    after(async function () {
      if (original) fs.writeFileSync(file, original);
    });

    it('editing a deployed file turns its row modified without Refresh, and restoring it turns it back', async function () {
      fs.appendFileSync(file, '\nA local edit made by the e2e test.\n');
      await eventually(() => assertRowsAsExpected({ 'code-reviewer': 'modified' }), WATCH_TIMEOUT_MS);
      fs.writeFileSync(file, original);
      await eventually(() => assertRowsAsExpected(), WATCH_TIMEOUT_MS);
    });
  });

  describe('commands', function () {
    async function run(c: CommandContribution): Promise<unknown> {
      // A command that opens a modal or a quick pick would wait for a user forever; fail instead.
      return withTimeout(vscode.commands.executeCommand(c.command), 30_000, `command ${c.title}`);
    }

    async function cacheStat(re: RegExp): Promise<{ hits: number; misses: number; size: number }> {
      const stats = await request(api.client, StatsRequest, {});
      const c = stats.caches.find((x) => re.test(x.name));
      assert.ok(c, `no cache matching ${re} in stats: ${stats.caches.map((x) => x.name).join(', ')}`);
      return c;
    }

    it('Refresh asks the daemon again and the rows stay right', async function () {
      const refresh = commandMatching(/^refresh$|\.refresh$/i);
      const statuses = api.ctx?.statuses;
      assert.ok(statuses, 'the test API exposes no ctx.statuses');
      const before = statuses.get(ctx.project);
      assert.ok(before, `no status held for ${ctx.project}`);
      let fired = 0;
      const sub = api.ctx?.onDidChangeStatus?.(() => fired++);
      try {
        await run(refresh);
        await withTimeout(api.whenIdle(), 30_000, 'whenIdle() after Refresh');
      } finally {
        sub?.dispose();
      }
      // A fresh answer is a new object even when its content is identical (the tree then re-renders nothing).
      assert.notEqual(statuses.get(ctx.project), before, 'Refresh did not replace the status with a new answer');
      if (api.ctx?.onDidChangeStatus) assert.ok(fired > 0, 'Refresh fired no status change');
      await assertRowsAsExpected();
    });

    it('Invalidate collection counts drops the counts cache; the next read recomputes the same counts', async function () {
      const inv = commandMatching(/invalidate.*count/i);
      await request(api.client, CountsRequest, {});
      const before = await cacheStat(/count/i);
      await run(inv);
      await withTimeout(api.whenIdle(), 30_000, 'whenIdle() after invalidate');
      const res = await request(api.client, CountsRequest, {});
      const after = await cacheStat(/count/i);
      assert.ok(after.misses > before.misses, `no counts cache miss after invalidation (before ${before.misses}, after ${after.misses})`);
      const def = res.collections.find((c) => c.name === ctx.expected.collections[0]?.name);
      assert.equal(def?.total, ctx.expected.collections[0]?.total);
      await assertRowsAsExpected();
    });

    it('Invalidate upstream cache runs and the rows stay right', async function () {
      const inv = commandMatching(/invalidate.*upstream/i);
      await run(inv);
      await withTimeout(api.whenIdle(), 30_000, 'whenIdle() after invalidate');
      const up = await cacheStat(/upstream/i);
      assert.equal(typeof up.size, 'number');
      await assertRowsAsExpected();
    });

    it('Clear All Caches drops every cache; the rows are recomputed to the same answers', async function () {
      const clear = commandMatching(/clear all/i);
      await run(clear);
      await withTimeout(api.whenIdle(), 30_000, 'whenIdle() after Clear All Caches');
      await eventually(() => assertRowsAsExpected(), 20_000);
    });

    it('Show Cache Statistics opens a report naming every cache', async function () {
      const show = commandMatching(/statistic/i);
      const stats = await request(api.client, StatsRequest, {});
      const before = vscode.window.visibleTextEditors.length;
      const returned = await run(show);
      const doc =
        returned && typeof (returned as vscode.TextDocument).getText === 'function'
          ? (returned as vscode.TextDocument)
          : await eventually(async () => {
              const e = vscode.window.activeTextEditor;
              assert.ok(e && vscode.window.visibleTextEditors.length >= before, 'no editor opened');
              return e.document;
            }, 10_000);
      const text = doc.getText();
      for (const c of stats.caches) assert.ok(text.includes(c.name), `report does not mention cache ${c.name}:\n${text}`);
      assert.match(text, /hit/i);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await assertRowsAsExpected();
    });
  });
});
