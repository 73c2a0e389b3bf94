// The Sync Status view: serves the nodes of syncTreeModel and re-renders only what changed. An
// expanded artifact row asks the daemon for its changed files (fileNodes.ts) without blocking the
// tree: VS Code shows progress on that row while the answer is on its way.
import * as vscode from 'vscode';
import type { ArtifactRow } from '../shared/types';
import { STATUS_VIEW_ID, type SkillmeatContext } from './context';
import { changeUri } from './diff';
import type { DiffCache } from './diffCache';
import { attentionBadge } from './explorerDecorations';
import { defaultComparisons, hasFileRows, scopeUnavailable, type ComparisonView } from './fileChanges';
import { artifactChildren, type ComparisonAnswer } from './fileNodes';
import { treeItemOf } from './iconSpec';
import { buildSyncRoots, type SyncNode } from './syncTreeModel';
import { reconcileTree } from './treeReconcile';
import { errorMessage as message } from '../shared/errors';


export class SyncTree implements vscode.TreeDataProvider<SyncNode>, vscode.Disposable {
  private roots: SyncNode[] = [];
  private readonly parents = new WeakMap<SyncNode, SyncNode>();
  /** comparisons picked with Compare With…, per artifact node id (else the status's default) */
  private readonly picked = new Map<string, ComparisonView[]>();
  private readonly emitter = new vscode.EventEmitter<SyncNode | SyncNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  readonly view: vscode.TreeView<SyncNode>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly ctx: SkillmeatContext,
    private readonly diffs: DiffCache,
  ) {
    this.view = vscode.window.createTreeView(STATUS_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.emitter,
      ctx.onDidChangeStatus((change) => {
        // Rows the daemon named lose their diffs even when their hashes look the same.
        for (const [folder, keys] of change.keys) this.diffs.drop(folder, keys);
        this.rebuild();
      }),
      ctx.onDidChangeState(() => this.rebuild()),
      ctx.onDidChangeSettings(({ previous }) => {
        if (previous.groupBy !== ctx.settings.groupBy) this.rebuild();
      }),
    );
    this.rebuild();
  }

  private rebuild(): void {
    const next =
      this.ctx.viewState() === 'ok'
        ? buildSyncRoots({
            folders: this.ctx.folders(),
            statuses: this.ctx.statuses,
            errors: this.ctx.folderErrors,
            groupBy: this.ctx.settings.groupBy,
            now: new Date(),
          })
        : [];
    const { roots, changed } = reconcileTree(this.roots, next);
    this.roots = roots;
    this.indexParents(roots, undefined);
    this.view.badge = attentionBadge(this.ctx.folders().flatMap((f) => this.ctx.statuses.get(f.path) ?? []));
    if (changed === 'all') this.emitter.fire(undefined);
    else if (changed.length) this.emitter.fire(changed);
  }

  /** Re-renders every row (an explicit Refresh: relative times in tooltips move on even when rows did not). */
  renderAll(): void {
    this.rebuild();
    this.emitter.fire(undefined);
  }

  private indexParents(nodes: SyncNode[], parent: SyncNode | undefined): void {
    for (const n of nodes) {
      if (parent) this.parents.set(n, parent);
      this.indexParents(n.children, n);
    }
  }

  private comparisons(node: SyncNode, row: ArtifactRow): ComparisonView[] | undefined {
    const picked = this.picked.get(node.id);
    if (picked) return picked;
    return hasFileRows(row) ? defaultComparisons(row) : undefined;
  }

  getTreeItem(node: SyncNode): vscode.TreeItem {
    const item = treeItemOf(node);
    const row = node.row;
    if (node.kind === 'artifact' && row) {
      if (this.picked.has(node.id)) item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
      // A drifted row expands into its files; a row without file rows opens what exists on click.
      else if (node.collapsible === 'none' && /\bhasCollectionCopy\b/.test(node.contextValue)) {
        item.command = { command: 'skillmeatSync.openCollectionCopy', title: 'Open Collection Copy', arguments: [node] };
      }
    }
    if (node.kind === 'file' && node.change) {
      // The resource gives the row its file icon and, through the decoration provider, its letter and colour.
      item.resourceUri = changeUri(node.change, node.id);
      item.iconPath = vscode.ThemeIcon.File;
      item.command = { command: 'skillmeatSync.openFileDiff', title: 'Open Diff', arguments: [node] };
    }
    return item;
  }

  async getChildren(node?: SyncNode): Promise<SyncNode[]> {
    if (!node) return this.roots;
    if (node.kind !== 'artifact' || !node.row) return node.children;
    const views = this.comparisons(node, node.row);
    if (!views) return node.children;
    const children = await this.loadFiles(node, node.row, views);
    this.indexParents(children, node);
    return children;
  }

  private async loadFiles(node: SyncNode, row: ArtifactRow, views: ComparisonView[]): Promise<SyncNode[]> {
    const answers = await Promise.all(
      views.map(async (view): Promise<ComparisonAnswer> => {
        const unavailable = scopeUnavailable(row, view.scope);
        if (unavailable) return { view, error: unavailable };
        try {
          return { view, result: await this.diffs.get(node.folder, row, view.scope) };
        } catch (err) {
          this.ctx.log.warn(`diff ${row.key} (${view.scope}): ${message(err)}`);
          return { view, error: message(err) };
        }
      }),
    );
    return artifactChildren(node, row, answers);
  }

  /** Shows another comparison under a row (Compare With…) and expands it. */
  async showComparison(folder: string, row: ArtifactRow, view: ComparisonView): Promise<void> {
    const node = this.findArtifact(folder, row);
    if (!node) return;
    this.picked.set(node.id, [view]);
    this.emitter.fire(node);
    await this.view.reveal(node, { expand: true, select: true, focus: false });
  }

  private findArtifact(folder: string, row: ArtifactRow): SyncNode | undefined {
    const walk = (nodes: SyncNode[]): SyncNode | undefined => {
      for (const n of nodes) {
        if (n.kind === 'artifact' && n.folder === folder && n.row?.key === row.key) return n;
        const hit = walk(n.children);
        if (hit) return hit;
      }
      return undefined;
    };
    return walk(this.roots);
  }

  getParent(node: SyncNode): SyncNode | undefined {
    return this.parents.get(node);
  }

  /** The current root nodes, for the e2e tests. */
  getRootsForTest(): SyncNode[] {
    return this.roots;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
