// The Sync Status view: serves the nodes of syncTreeModel and re-renders only what changed.
import * as vscode from 'vscode';
import { STATUS_VIEW_ID, type SkillmeatContext } from './context';
import { treeItemOf } from './iconSpec';
import { buildSyncRoots, type SyncNode } from './syncTreeModel';
import { reconcileTree } from './treeReconcile';

export class SyncTree implements vscode.TreeDataProvider<SyncNode>, vscode.Disposable {
  private roots: SyncNode[] = [];
  private readonly parents = new WeakMap<SyncNode, SyncNode>();
  private readonly emitter = new vscode.EventEmitter<SyncNode | SyncNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  readonly view: vscode.TreeView<SyncNode>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: SkillmeatContext) {
    this.view = vscode.window.createTreeView(STATUS_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.emitter,
      ctx.onDidChangeStatus(() => this.rebuild()),
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

  getTreeItem(node: SyncNode): vscode.TreeItem {
    const item = treeItemOf(node);
    const row = node.row;
    if (node.kind === 'artifact' && row) {
      // A click compares the copies when there is something to compare, else opens what exists.
      if (/\bcanDiff\b/.test(node.contextValue)) {
        item.command = { command: 'skillmeatSync.openDiff', title: 'Open Diff', arguments: [node] };
      } else if (/\bhasCollectionCopy\b/.test(node.contextValue)) {
        item.command = { command: 'skillmeatSync.openCollectionCopy', title: 'Open Collection Copy', arguments: [node] };
      }
    }
    return item;
  }

  getChildren(node?: SyncNode): SyncNode[] {
    return node ? node.children : this.roots;
  }

  getParent(node: SyncNode): SyncNode | undefined {
    return this.parents.get(node);
  }

  /** The current root nodes, for the e2e tests. */
  getRootsForTest(): SyncNode[] {
    return this.roots;
  }

  /** Every node depth-first, for the e2e tests and the palette pickers. */
  allNodes(): SyncNode[] {
    const out: SyncNode[] = [];
    const walk = (nodes: SyncNode[]): void => {
      for (const n of nodes) {
        out.push(n);
        walk(n.children);
      }
    };
    walk(this.roots);
    return out;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
