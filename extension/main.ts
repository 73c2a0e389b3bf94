// Entry point: wires the context, views, status bar and commands. Nothing heavy runs here; the
// daemon connection starts in the background so activation stays cheap.
import * as vscode from 'vscode';
import { CollectionsTree } from './collectionsTree';
import { Commands } from './commands';
import { SkillmeatContext } from './context';
import { registerEmptyDocumentProvider } from './diff';
import { StatusBar } from './statusBar';
import { SyncTree } from './syncTree';

/** What activate() returns: the handles the e2e tests drive. */
export interface SkillmeatSyncApi {
  ctx: SkillmeatContext;
  syncTree: SyncTree;
  collectionsTree: CollectionsTree;
  statusBar: StatusBar;
  readonly client: SkillmeatContext['client'];
  /** resolves when no start, status or counts request is in flight */
  whenIdle(): Promise<void>;
}

let active: SkillmeatContext | undefined;

export function activate(extension: vscode.ExtensionContext): SkillmeatSyncApi {
  const ctx = new SkillmeatContext(extension);
  active = ctx;
  const syncTree = new SyncTree(ctx);
  const collectionsTree = new CollectionsTree(ctx);
  const statusBar = new StatusBar(ctx);
  extension.subscriptions.push(
    ctx,
    syncTree,
    collectionsTree,
    statusBar,
    registerEmptyDocumentProvider(),
    ...new Commands(ctx, [syncTree, collectionsTree]).register(),
  );
  void ctx.start();
  return {
    ctx,
    syncTree,
    collectionsTree,
    statusBar,
    get client() {
      return ctx.client;
    },
    whenIdle: () => ctx.whenIdle(),
  };
}

export function deactivate(): void {
  // The daemon is shared with other windows and exits on its own when idle; only our connection goes.
  active?.dispose();
  active = undefined;
}
