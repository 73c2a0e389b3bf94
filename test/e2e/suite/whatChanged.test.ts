// What changed, in a real VS Code (issue #14): drifted rows expand into their changed files with
// letters and line counts, a click opens the diff editor with the right text on each side (a
// project scope and an upstream scope, the upstream one served by the fake GitHub), the Explorer
// decoration of a modified skill, and the view's badge.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, eventually, withTimeout, type ExtensionTestApi } from './api';
import { loadContext, type E2EContext } from './context';
import { describeTree, findRow, readTree, type TreeNode } from './tree';

const token = new vscode.CancellationTokenSource().token;

function lines(text: string): number {
  return text.split('\n').filter((_, i, all) => i < all.length - 1 || all[i] !== '').length;
}

describe('What changed: file rows, diffs, decorations, badge', function () {
  this.timeout(120_000);
  let ctx: E2EContext;
  let api: ExtensionTestApi;
  let project: string;
  let collection: string;

  before(async function () {
    ctx = loadContext();
    api = (await activateExtension()).api;
    await withTimeout(api.whenIdle(), 60_000, 'whenIdle() after activation');
    project = path.join(ctx.project, '.claude');
    collection = path.join(ctx.skillmeatHome, 'collections', 'default');
  });

  after(async function () {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  async function letterOf(node: TreeNode): Promise<string | undefined> {
    assert.ok(api.decorations, 'the test API exposes no decoration provider');
    const uri = node.item.resourceUri;
    assert.ok(uri, `file row ${node.label} has no resource`);
    const d = await api.decorations.provideFileDecoration(uri, token);
    return d?.badge;
  }

  async function filesOf(name: string): Promise<{ row: TreeNode; files: TreeNode[] }> {
    const tree = await readTree(api.syncTree);
    const row = findRow(tree, name);
    assert.ok(row, `no row ${name}\n${describeTree(tree)}`);
    assert.equal(row.item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, `${name} does not expand`);
    return { row, files: row.children };
  }

  async function shown(files: TreeNode[]): Promise<string[][]> {
    return Promise.all(files.map(async (f) => [f.label, (await letterOf(f)) ?? '?', f.description]));
  }

  async function clickAndReadDiff(node: TreeNode): Promise<{ label: string; left: string; right: string; leftUri: vscode.Uri; rightUri: vscode.Uri }> {
    const cmd = node.item.command;
    assert.ok(cmd, `file row ${node.label} has no click command`);
    await vscode.commands.executeCommand(cmd.command, ...(cmd.arguments ?? []));
    return eventually(async () => {
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
      assert.ok(tab && tab.input instanceof vscode.TabInputTextDiff, `no diff editor is active (active tab: ${tab?.label})`);
      const input = tab.input;
      const [l, r] = await Promise.all([vscode.workspace.openTextDocument(input.original), vscode.workspace.openTextDocument(input.modified)]);
      return { label: tab.label, left: l.getText(), right: r.getText(), leftUri: input.original, rightUri: input.modified };
    }, 15_000);
  }

  it('a modified skill expands into its changed files with letters and counts; unchanged files only counted', async function () {
    const collectionText = fs.readFileSync(path.join(collection, 'skills', 'pdf-tools', 'SKILL.md'), 'utf8');
    const projectText = fs.readFileSync(path.join(project, 'skills', 'pdf-tools', 'SKILL.md'), 'utf8');
    // The fixture's project edit appends to SKILL.md; derive the count from the files themselves.
    assert.ok(projectText.startsWith(collectionText.replace(/\n$/, '')), 'fixture changed: the project edit is no longer an append');
    const added = lines(projectText) - lines(collectionText);
    const { files } = await eventually(() => filesOf('pdf-tools'), 30_000);
    assert.deepEqual(await shown(files), [['SKILL.md', 'M', `+${added} −0`]], describeTree(files));
    assert.match(files[0]!.tooltip, /3 other files unchanged/);
    const review = await filesOf('review');
    assert.deepEqual(await shown(review.files), [['review.md', 'M', '+2 −0']], 'a command is one file named by its file name');
  });

  it('an outdated skill lists what the collection changed since deployment (the comparison read from project to collection)', async function () {
    const { files } = await filesOf('notes-helper');
    // The collection copy gained three lines (a changelog section); the project copy is the deployed one.
    assert.deepEqual(await shown(files), [['SKILL.md', 'M', '+3 −0']], describeTree(files));
    const diff = await clickAndReadDiff(files[0]!);
    assert.equal(diff.label, 'SKILL.md (project ↔ collection)');
    assert.equal(diff.right, fs.readFileSync(path.join(collection, 'skills', 'notes-helper', 'SKILL.md'), 'utf8'));
    assert.equal(diff.rightUri.scheme, 'skillmeat', 'the collection side is a read-only document served by the daemon');
  });

  it('a click on a project-scope file row opens the diff editor: collection text on the left, project text on the right', async function () {
    const { files } = await filesOf('pdf-tools');
    const diff = await clickAndReadDiff(files[0]!);
    assert.equal(diff.label, 'SKILL.md (collection ↔ project)');
    assert.equal(diff.left, fs.readFileSync(path.join(collection, 'skills', 'pdf-tools', 'SKILL.md'), 'utf8'));
    assert.equal(diff.right, fs.readFileSync(path.join(project, 'skills', 'pdf-tools', 'SKILL.md'), 'utf8'));
    assert.equal(diff.leftUri.scheme, 'skillmeat');
    assert.equal(diff.rightUri.scheme, 'file', 'the project side is the real, editable file');
  });

  it('the Explorer decoration provider marks the modified skill folder, not a synced one', async function () {
    assert.ok(api.decorations, 'the test API exposes no decoration provider');
    const modified = await api.decorations.provideFileDecoration(vscode.Uri.file(path.join(project, 'skills', 'pdf-tools')), token);
    assert.equal(modified?.badge, 'M');
    assert.equal(modified?.propagate, true, 'parents take the colour, as with git');
    assert.ok(modified?.color instanceof vscode.ThemeColor);
    const outdated = await api.decorations.provideFileDecoration(vscode.Uri.file(path.join(project, 'skills', 'notes-helper')), token);
    assert.equal(outdated?.badge, 'O');
    const synced = await api.decorations.provideFileDecoration(vscode.Uri.file(path.join(project, 'agents', 'code-reviewer.md')), token);
    assert.equal(synced, undefined);
    // the edited file inside the folder too, and not its unchanged neighbours
    const file = await eventually(async () => {
      const d = await api.decorations!.provideFileDecoration(vscode.Uri.file(path.join(project, 'skills', 'pdf-tools', 'SKILL.md')), token);
      assert.ok(d, 'no decoration on pdf-tools/SKILL.md');
      return d;
    }, 15_000);
    assert.equal(file.badge, 'M');
    const same = await api.decorations.provideFileDecoration(vscode.Uri.file(path.join(project, 'skills', 'pdf-tools', 'scripts', 'extract.py')), token);
    assert.equal(same, undefined);
  });

  it('a project edit updates the file row in place (didChange), and restoring it goes back', async function () {
    const file = path.join(project, 'skills', 'pdf-tools', 'SKILL.md');
    const original = fs.readFileSync(file);
    const before = (await filesOf('pdf-tools')).files[0]!.description;
    try {
      fs.appendFileSync(file, 'One more line from the e2e test.\n');
      await eventually(async () => {
        const { files } = await filesOf('pdf-tools');
        assert.notEqual(files[0]?.description, before, 'file row did not follow the edit');
        assert.match(files[0]?.description ?? '', /^\+\d+ −0$/);
      }, 20_000);
    } finally {
      fs.writeFileSync(file, original);
    }
    await eventually(async () => assert.equal((await filesOf('pdf-tools')).files[0]?.description, before), 20_000);
  });

  describe('upstream (fake GitHub on 127.0.0.1)', function () {
    before(async function () {
      if (!ctx.upstream) this.skip();
      // Point the daemon at the fake GitHub through the setting, as a user would (the change is
      // pushed to the daemon with `configure` and applies without a reload).
      const config = vscode.workspace.getConfiguration('skillmeatSync');
      if (config.get('githubApiUrl') !== ctx.upstream.apiUrl) {
        await config.update('githubApiUrl', ctx.upstream.apiUrl, vscode.ConfigurationTarget.Global);
        await withTimeout(api.whenIdle(), 30_000, 'whenIdle() after the settings change');
      }
    });

    it('Check Upstream Now turns the github skill update-available, and it lists the upstream changes', async function () {
      const up = ctx.upstream!;
      await withTimeout(vscode.commands.executeCommand('skillmeatSync.checkUpstream'), 60_000, 'Check Upstream Now');
      await withTimeout(api.whenIdle(), 30_000, 'whenIdle() after the check');
      const { row, files } = await eventually(async () => {
        const upstreamNow = [...(api.ctx?.statuses?.values() ?? [])].flatMap((ws) => (ws as { artifacts: { name: string; upstream: unknown }[] }).artifacts).find((r) => r.name === up.name)?.upstream;
        assert.equal((upstreamNow as { state?: string } | undefined)?.state, 'update-available', `upstream of ${up.name}: ${JSON.stringify(upstreamNow)}`);
        const got = await filesOf(up.name);
        assert.match(got.row.description, /update|changed upstream/, `row ${up.name}: ${got.row.description}`);
        return got;
      }, 30_000);
      assert.match(row.item.contextValue ?? '', /\bupstream-update-available\b/);
      assert.deepEqual(
        await shown(files),
        // in path order: SKILL.md, templates/release.md
        [
          ['SKILL.md', 'M', '+2 −1'],
          ['release.md', 'A', '+3 −0 · templates'],
        ],
        describeTree(files),
      );
      assert.match(files[0]!.tooltip, /1 other file unchanged/);
      // Open on GitHub: the folder at the head, and the compare page from the collected commit.
      assert.match(row.item.contextValue ?? '', /\bhasWebUrl\b/);
      assert.match(row.item.contextValue ?? '', /\bhasCompareUrl\b/);
      const upstream = (row.element as { row?: { upstream?: { webUrl?: string; compareUrl?: string } } }).row?.upstream;
      assert.equal(upstream?.webUrl, `https://github.com/acme/skills/tree/${up.headSha}/skills/${up.name}`);
      assert.equal(upstream?.compareUrl, `https://github.com/acme/skills/compare/${up.baseSha}...${up.headSha}`);
    });

    it('a click on an upstream file row opens the diff editor: the collected commit on the left, the head on the right', async function () {
      const up = ctx.upstream!;
      const { files } = await filesOf(up.name);
      const skill = files.find((f) => f.label === 'SKILL.md');
      assert.ok(skill);
      const diff = await clickAndReadDiff(skill);
      assert.equal(diff.left, up.baseFiles['SKILL.md']);
      assert.equal(diff.right, up.headFiles['SKILL.md']);
      assert.equal(diff.label, `SKILL.md (upstream ${up.baseSha.slice(0, 7)} ↔ upstream ${up.headSha.slice(0, 7)})`);
      const release = files.find((f) => f.label === 'release.md');
      assert.ok(release);
      const added = await clickAndReadDiff(release);
      assert.equal(added.left, '', 'an added file diffs against an empty side');
      assert.equal(added.right, up.headFiles['templates/release.md']);
    });

    it('the Explorer marks the github skill ↑, and the view badge counts every artifact needing attention', async function () {
      const up = ctx.upstream!;
      const d = await api.decorations?.provideFileDecoration(vscode.Uri.file(path.join(project, 'skills', up.name)), token);
      assert.equal(d?.badge, '↑');
      const needing = ctx.expected.artifacts.filter((a) => a.status !== 'synced').length + 1;
      const view = api.syncTree.view;
      assert.ok(view, 'the test API exposes no tree view');
      await eventually(async () => {
        assert.equal(view.badge?.value, needing, `badge ${JSON.stringify(view.badge)}`);
        assert.match(view.badge?.tooltip ?? '', new RegExp(`${needing} SkillMeat artifacts need attention.*1 with an upstream update`));
      }, 15_000);
    });
  });
});
