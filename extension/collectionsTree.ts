// The Collections view: counts per collection from the daemon, the active one marked.
import * as vscode from 'vscode';
import { buildCollectionRoots, type CollectionNode } from './collectionsTreeModel';
import { COLLECTIONS_VIEW_ID, type SkillmeatContext } from './context';
import { treeItemOf } from './iconSpec';
import { reconcileTree } from './treeReconcile';

export class CollectionsTree implements vscode.TreeDataProvider<CollectionNode>, vscode.Disposable {
  private roots: CollectionNode[] = [];
  private readonly emitter = new vscode.EventEmitter<CollectionNode | CollectionNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  readonly view: vscode.TreeView<CollectionNode>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: SkillmeatContext) {
    this.view = vscode.window.createTreeView(COLLECTIONS_VIEW_ID, { treeDataProvider: this });
    this.disposables.push(
      this.view,
      this.emitter,
      ctx.onDidChangeCounts(() => this.rebuild()),
      ctx.onDidChangeState(() => this.rebuild()),
    );
    this.rebuild();
  }

  private rebuild(): void {
    const state = this.ctx.viewState();
    const usable = state !== 'daemonFailed' && state !== 'noHome';
    const next = usable ? buildCollectionRoots(this.ctx.counts, this.ctx.countsError) : [];
    const { roots, changed } = reconcileTree(this.roots, next);
    this.roots = roots;
    if (changed === 'all') this.emitter.fire(undefined);
    else if (changed.length) this.emitter.fire(changed);
  }

  renderAll(): void {
    this.rebuild();
    this.emitter.fire(undefined);
  }

  getTreeItem(node: CollectionNode): vscode.TreeItem {
    const item = treeItemOf(node);
    return item;
  }

  getChildren(node?: CollectionNode): CollectionNode[] {
    return node ? node.children : this.roots;
  }

  getRootsForTest(): CollectionNode[] {
    return this.roots;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
