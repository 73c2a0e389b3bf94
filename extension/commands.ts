// Every command of the extension. Row commands take the tree node (context menus), a row key
// string (tests, keybindings) or nothing (palette: the user picks a row).
import * as vscode from 'vscode';
import {
  CheckUpstreamRequest,
  InvalidateRequest,
  StatsRequest,
  type CheckUpstreamResult,
} from '../shared/protocol';
import type { ArtifactRow, DiffScope, NotDeployedRow } from '../shared/types';
import { collectionArtifactKey } from './artifactRef';
import { cacheStatsReport } from './cacheStatsReport';
import type { CollectionNode } from './collectionsTreeModel';
import { CONFIG_SECTION, STATUS_VIEW_ID, type SkillmeatContext } from './context';
import { openCollectionCopy, openFileDiff } from './diff';
import type { DiffCache } from './diffCache';
import {
  allScopes,
  comparisonFor,
  defaultComparisons,
  fileRows,
  SCOPE_TEXT,
  scopeUnavailable,
  shownDiff,
  summaryText,
} from './fileChanges';
import type { SyncTree } from './syncTree';
import { githubAccountLabel, githubToken } from './githubAuth';
import {
  CliArgumentError,
  displayCommand,
  findOnPath,
  pullFromCollectionArgs,
  pushToCollectionArgs,
  updateFromUpstreamArgs,
} from './skillmeatCli';
import { rowContextValue, type SyncNode } from './syncTreeModel';
import { errorMessage as message } from '../shared/errors';

interface RowRef {
  folder: string;
  row: ArtifactRow;
}


function isSyncNode(arg: unknown): arg is SyncNode {
  return typeof arg === 'object' && arg !== null && 'kind' in arg && 'folder' in arg && 'contextValue' in arg;
}

function isCollectionNode(arg: unknown): arg is CollectionNode {
  return typeof arg === 'object' && arg !== null && 'kind' in arg && (arg as CollectionNode).kind === 'collection';
}

/** What an explicit Refresh re-renders. */
export interface Renderable {
  renderAll(): void;
}

export class Commands {
  constructor(
    private readonly ctx: SkillmeatContext,
    private readonly views: readonly Renderable[],
    private readonly syncTree: SyncTree,
    private readonly diffs: DiffCache,
  ) {}

  private rows(): RowRef[] {
    const out: RowRef[] = [];
    for (const f of this.ctx.folders()) for (const row of this.ctx.statuses.get(f.path)?.artifacts ?? []) out.push({ folder: f.path, row });
    return out;
  }

  /** The row a command applies to; asks the user when invoked without one. `flag` filters by context flag. */
  private async resolveRow(arg: unknown, flag: string | undefined, verb: string): Promise<RowRef | undefined> {
    if (isSyncNode(arg) && arg.row) return { folder: arg.folder, row: arg.row };
    const candidates = this.rows().filter((r) => !flag || new RegExp(`\\b${flag}\\b`).test(rowContextValue(r.row)));
    if (typeof arg === 'string') {
      const found = this.rows().find((r) => r.row.key === arg);
      if (!found) void vscode.window.showErrorMessage(`SkillMeat: no deployed artifact ${arg} in this workspace.`);
      return found;
    }
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage(`SkillMeat: no deployed artifact to ${verb}.`);
      return undefined;
    }
    const multiRoot = this.ctx.folders().length > 1;
    const picked = await vscode.window.showQuickPick(
      candidates.map((c) => ({
        label: c.row.name,
        description: `${c.row.type} · ${c.row.profileRoot} · ${c.row.status}`,
        detail: multiRoot ? c.folder : undefined,
        ref: c,
      })),
      { placeHolder: `Artifact to ${verb}`, matchOnDescription: true },
    );
    return picked?.ref;
  }

  private requireClient() {
    const client = this.ctx.client;
    if (!client || this.ctx.connection === 'failed') {
      throw new Error('the SkillMeat Sync daemon is not running (use "SkillMeat: Restart Daemon" or "SkillMeat: Show Log")');
    }
    return client;
  }

  register(): vscode.Disposable[] {
    const reg = (id: string, fn: (...args: unknown[]) => unknown): vscode.Disposable =>
      vscode.commands.registerCommand(`skillmeatSync.${id}`, async (...args: unknown[]) => {
        try {
          return await fn(...args);
        } catch (err) {
          this.ctx.log.error(`${id}: ${message(err)}`);
          void vscode.window.showErrorMessage(`SkillMeat: ${message(err)}`);
          return undefined;
        }
      });
    return [
      reg('refresh', async () => {
        await this.ctx.refreshAll();
        for (const v of this.views) v.renderAll();
      }),
      reg('checkUpstream', (arg) => this.checkUpstream(arg)),
      reg('invalidateUpstream', (arg) => this.invalidateUpstream(arg)),
      reg('invalidateCounts', (arg) => this.invalidateCounts(arg)),
      reg('clearAllCaches', () => this.clearAllCaches()),
      reg('showCacheStats', () => this.showCacheStats()),
      reg('openDiff', async (arg) => {
        const ref = await this.resolveRow(arg, 'canDiff', 'compare');
        if (ref) await this.openArtifactDiff(ref);
      }),
      reg('openFileDiff', async (arg) => {
        if (!isSyncNode(arg) || !arg.change?.file) throw new Error('Open Diff of a file needs a file row of the Sync Status view.');
        await openFileDiff(arg.change);
      }),
      reg('compareWith', async (arg) => {
        const ref = await this.resolveRow(arg, 'canCompare', 'compare');
        if (ref) await this.compareWith(ref);
      }),
      reg('openOnGitHub', async (arg) => {
        const ref = await this.resolveRow(arg, 'hasWebUrl', 'open on GitHub');
        if (ref) await this.openExternal(ref.row.upstream.webUrl, `${ref.row.name} has no upstream web page.`);
      }),
      reg('openUpstreamCompare', async (arg) => {
        const ref = await this.resolveRow(arg, 'hasCompareUrl', 'compare on GitHub');
        if (ref) await this.openExternal(ref.row.upstream.compareUrl, `${ref.row.name} has no upstream comparison (no recorded commit, or not checked yet).`);
      }),
      reg('openCollectionCopy', async (arg) => {
        const target = isSyncNode(arg) && arg.notDeployed ? arg.notDeployed : (await this.resolveRow(arg, 'hasCollectionCopy', 'open'))?.row;
        if (!target) return;
        if (!target.collectionPath) throw new Error(`${target.name}: the collection copy cannot be located.`);
        await openCollectionCopy(target.collectionPath, target.name);
      }),
      reg('revealInExplorer', async (arg) => {
        const ref = await this.resolveRow(arg, 'hasProjectCopy', 'reveal');
        if (!ref) return;
        if (!ref.row.projectPath) throw new Error(`${ref.row.name}: the project copy cannot be located.`);
        await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(ref.row.projectPath));
      }),
      reg('signIn', () => this.signIn()),
      reg('restartDaemon', () =>
        vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'SkillMeat: restarting the daemon…' },
          () => this.ctx.restartDaemon(),
        ),
      ),
      reg('showLog', () => this.ctx.log.show()),
      reg('openDaemonLog', async () => {
        const client = this.ctx.client;
        if (!client) throw new Error('no daemon client yet');
        await vscode.window.showTextDocument(vscode.Uri.file(client.logPath()), { preview: true });
      }),
      reg('toggleGroupBy', () => {
        const next = this.ctx.settings.groupBy === 'folder' ? 'status' : 'folder';
        return vscode.workspace.getConfiguration(CONFIG_SECTION).update('groupBy', next, vscode.ConfigurationTarget.Global);
      }),
      reg('pullFromCollection', async (arg) => {
        const ref = await this.resolveRow(arg, 'canPull', 'pull from the collection');
        if (!ref) return;
        await this.runCli(
          ref.folder,
          () => pullFromCollectionArgs(ref.row, ref.folder),
          `Pull "${ref.row.name}" from collection "${ref.row.collection}"?`,
          `The project copy in ${ref.row.profileRoot} will be overwritten with the collection copy.`,
        );
      }),
      reg('pushToCollection', async (arg) => {
        const ref = await this.resolveRow(arg, 'canPush', 'push to the collection');
        if (!ref) return;
        await this.runCli(
          ref.folder,
          () => pushToCollectionArgs(ref.row, ref.folder),
          `Push "${ref.row.name}" to collection "${ref.row.collection}"?`,
          'The collection copy will be replaced with the project copy.',
        );
      }),
      reg('updateFromUpstream', async (arg) => {
        let target: ArtifactRow | NotDeployedRow | undefined;
        let folder: string | undefined;
        if (isSyncNode(arg) && arg.notDeployed) {
          target = arg.notDeployed;
          folder = arg.folder;
        } else {
          const ref = await this.resolveRow(arg, 'canUpdate', 'update from upstream');
          target = ref?.row;
          folder = ref?.folder;
        }
        if (!target || !folder) return;
        const t = target;
        await this.runCli(
          folder,
          () => updateFromUpstreamArgs(t),
          `Update "${t.name}" in collection "${t.collection}" from upstream?`,
          'SkillMeat fetches the upstream version into the collection; deployed copies change only when pulled.',
        );
      }),
    ];
  }

  /** Opens the row's default comparison: the only changed file at once, else the user picks one. */
  private async openArtifactDiff(ref: RowRef): Promise<void> {
    const [view] = defaultComparisons(ref.row);
    if (!view) return;
    const unavailable = scopeUnavailable(ref.row, view.scope);
    if (unavailable) throw new Error(`${ref.row.name}: ${unavailable}.`);
    const result = await vscode.window.withProgress(
      { location: { viewId: STATUS_VIEW_ID } },
      () => this.diffs.get(ref.folder, ref.row, view.scope),
    );
    const shown = shownDiff(result, view.reversed);
    const rows = fileRows(shown);
    const open = (file: (typeof rows)[number]) => openFileDiff({ folder: ref.folder, row: ref.row, view, result, shown, file });
    const [first] = rows;
    if (!first) {
      void vscode.window.showInformationMessage(`SkillMeat: ${ref.row.name}: ${summaryText(shown.summary)}.`);
      return;
    }
    if (rows.length === 1) return open(first);
    const picked = await vscode.window.showQuickPick(
      rows.map((f) => ({ label: `${f.letter.letter}  ${f.path}`, description: f.description, file: f })),
      { title: `${ref.row.name}: ${view.title} — ${summaryText(shown.summary)}`, placeHolder: 'File to compare' },
    );
    if (picked) await open(picked.file);
  }

  /** Compare With…: every scope with its summary (asked in parallel), unavailable ones explained. */
  private async compareWith(ref: RowRef): Promise<void> {
    type Item = vscode.QuickPickItem & { scope: DiffScope; ok: boolean };
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = `${ref.row.name}: compare with…`;
    qp.placeholder = 'Which copies to compare';
    qp.matchOnDetail = true;
    const items: Item[] = allScopes().map((scope) => {
      const unavailable = scopeUnavailable(ref.row, scope);
      return {
        scope,
        ok: !unavailable,
        label: SCOPE_TEXT[scope].label,
        description: unavailable ? `unavailable: ${unavailable}` : 'comparing…',
        detail: SCOPE_TEXT[scope].detail,
      };
    });
    qp.items = items;
    qp.busy = true;
    const asked = items.filter((i) => i.ok).map(async (item) => {
      try {
        const result = await this.diffs.get(ref.folder, ref.row, item.scope);
        item.description = summaryText(shownDiff(result, comparisonFor(ref.row, item.scope).reversed).summary);
      } catch (err) {
        item.ok = false;
        item.description = `unavailable: ${message(err)}`;
      }
      qp.items = [...items];
    });
    void Promise.all(asked).then(() => (qp.busy = false));
    const choice = await new Promise<Item | undefined>((resolve) => {
      qp.onDidAccept(() => {
        const [sel] = qp.selectedItems;
        if (sel && !sel.ok) {
          void vscode.window.showInformationMessage(`SkillMeat: ${sel.label} — ${sel.description ?? 'unavailable'}.`);
          return;
        }
        resolve(sel);
        qp.hide();
      });
      qp.onDidHide(() => resolve(undefined));
      qp.show();
    });
    qp.dispose();
    if (choice) await this.syncTree.showComparison(ref.folder, ref.row, comparisonFor(ref.row, choice.scope));
  }

  private async openExternal(url: string | undefined, missing: string): Promise<void> {
    if (!url) throw new Error(missing);
    const uri = vscode.Uri.parse(url);
    if (uri.scheme !== 'https' && uri.scheme !== 'http') throw new Error(`not a web address: ${url}`);
    await vscode.env.openExternal(uri);
  }

  private async checkUpstream(arg: unknown): Promise<void> {
    const client = this.requireClient();
    // Qualified keys: a bare `name::type` would check that name in every collection.
    const params =
      isSyncNode(arg) && arg.row
        ? { keys: [collectionArtifactKey(arg.row)], folders: [arg.folder], force: true }
        : isSyncNode(arg) && arg.notDeployed
          ? { keys: [collectionArtifactKey(arg.notDeployed)], force: true }
          : { folders: this.ctx.folders().map((f) => f.path), force: true };
    const result: CheckUpstreamResult = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'SkillMeat: checking upstream…' },
      () => client.request(CheckUpstreamRequest, params),
    );
    await this.ctx.refreshAll();
    const updates = result.results.filter((r) => r.upstream.state === 'update-available').length;
    const unknown = result.results.filter((r) => r.upstream.state === 'unknown');
    const parts = [`checked ${result.results.length} artifact${result.results.length === 1 ? '' : 's'}`];
    parts.push(updates ? `${updates} with an update` : 'no updates');
    if (unknown.length) parts.push(`${unknown.length} unknown (${unknown[0]?.upstream.reason ?? 'no reason given'})`);
    if (result.rateLimit) parts.push(`${result.rateLimit.remaining}/${result.rateLimit.limit} GitHub requests left`);
    const text = `SkillMeat: ${parts.join('; ')}.`;
    if (unknown.length) void vscode.window.showWarningMessage(text);
    else void vscode.window.showInformationMessage(text);
  }

  private async invalidateUpstream(arg: unknown): Promise<void> {
    const client = this.requireClient();
    let keys: string[] | undefined;
    if (isSyncNode(arg) && (arg.row || arg.notDeployed)) {
      const r = (arg.row ?? arg.notDeployed) as ArtifactRow | NotDeployedRow;
      keys = [collectionArtifactKey(r)];
      if (r.upstream?.source) keys.push(r.upstream.source);
    }
    const result = await client.request(InvalidateRequest, { scope: 'upstream', keys });
    this.ctx.log.info(`invalidated upstream cache${keys ? ` for ${keys.join(', ')}` : ''}: ${JSON.stringify(result.dropped)}`);
    await this.ctx.refreshAll();
  }

  private async invalidateCounts(arg: unknown): Promise<void> {
    const client = this.requireClient();
    const keys = isCollectionNode(arg) && arg.collection ? [arg.collection] : undefined;
    const result = await client.request(InvalidateRequest, { scope: 'counts', keys });
    this.ctx.log.info(`invalidated collection counts${keys ? ` for ${keys.join(', ')}` : ''}: ${JSON.stringify(result.dropped)}`);
    await this.ctx.refreshCounts();
  }

  private async clearAllCaches(): Promise<void> {
    const client = this.requireClient();
    const result = await client.request(InvalidateRequest, { scope: 'all' });
    const total = Object.values(result.dropped).reduce((a, b) => a + b, 0);
    this.ctx.log.info(`cleared all caches: ${JSON.stringify(result.dropped)}`);
    await this.ctx.refreshAll();
    void vscode.window.showInformationMessage(`SkillMeat: cleared all caches (${total} entries dropped).`);
  }

  private async showCacheStats(): Promise<vscode.TextDocument> {
    const client = this.requireClient();
    const stats = await client.request(StatsRequest, {});
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: cacheStatsReport(stats, new Date()) });
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc;
  }

  private async signIn(): Promise<void> {
    if (!this.ctx.settings.useVSCodeGitHubAuth) {
      const choice = await vscode.window.showInformationMessage(
        'Using the VS Code GitHub sign-in is turned off (skillmeatSync.useVSCodeGitHubAuth).',
        'Turn On',
      );
      if (choice !== 'Turn On') return;
      await vscode.workspace.getConfiguration(CONFIG_SECTION).update('useVSCodeGitHubAuth', true, vscode.ConfigurationTarget.Global);
    }
    const token = await githubToken(true, this.ctx.settings.githubApiUrl);
    if (!token) {
      void vscode.window.showWarningMessage(
        `SkillMeat: no VS Code sign-in serves ${this.ctx.settings.githubApiUrl}. For GitHub Enterprise, set github-enterprise.uri to that server, or give the daemon $GH_ENTERPRISE_TOKEN.`,
      );
      return;
    }
    await this.ctx.sendToken();
    const account = await githubAccountLabel(this.ctx.settings.githubApiUrl);
    void vscode.window.showInformationMessage(`SkillMeat: signed in to GitHub${account ? ` as ${account}` : ''}.`);
    await this.ctx.refreshAll();
  }

  /** Runs the user's `skillmeat` in a terminal after confirmation; watchers refresh the rows afterwards. */
  private async runCli(folder: string, buildArgs: () => string[], question: string, detail: string): Promise<void> {
    let args: string[];
    try {
      args = buildArgs();
    } catch (err) {
      if (err instanceof CliArgumentError) throw new Error(err.message);
      throw err;
    }
    const exe = findOnPath('skillmeat', process.env);
    if (!exe) {
      throw new Error('the `skillmeat` command is not on PATH. Install SkillMeat (0.9 or later) or add it to PATH, then try again.');
    }
    const shown = displayCommand(args);
    const answer = await vscode.window.showWarningMessage(question, { modal: true, detail: `${detail}\n\n${shown}` }, 'Run');
    if (answer !== 'Run') return;
    this.ctx.log.info(`running in a terminal: ${shown}`);
    const terminal = vscode.window.createTerminal({ name: `SkillMeat: ${args[0]}`, shellPath: exe, shellArgs: args, cwd: folder });
    const closed = vscode.window.onDidCloseTerminal((t) => {
      if (t !== terminal) return;
      closed.dispose();
      // The daemon's watchers normally report the change; this covers a watcher that missed it.
      void this.ctx.refreshStatus([folder]);
    });
    terminal.show();
  }
}
