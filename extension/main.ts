// Entry point: wires the context, views, status bar and commands. Nothing heavy runs here; the
// daemon connection starts in the background so activation stays cheap.
import * as vscode from 'vscode';
import { CollectionsTree } from './collectionsTree';
import { Commands } from './commands';
import { SkillmeatContext } from './context';
import { DecorationProvider } from './decorationProvider';
import { SideDocuments } from './diff';
import { DiffCache } from './diffCache';
import { DiffRequest } from '../shared/protocol';
import { StatusBar } from './statusBar';
import { SyncTree } from './syncTree';

/** What activate() returns: the handles the e2e tests drive. */
export interface SkillmeatSyncApi {
  ctx: SkillmeatContext;
  syncTree: SyncTree;
  collectionsTree: CollectionsTree;
  statusBar: StatusBar;
  decorations: DecorationProvider;
  readonly client: SkillmeatContext['client'];
  /** resolves when no start, status or counts request is in flight */
  whenIdle(): Promise<void>;
}

let active: SkillmeatContext | undefined;

export function activate(extension: vscode.ExtensionContext): SkillmeatSyncApi {
  const ctx = new SkillmeatContext(extension);
  active = ctx;
  const diffs = new DiffCache((params) => {
    const client = ctx.client;
    if (!client || ctx.connection === 'failed') return Promise.reject(new Error('the SkillMeat Sync daemon is not running'));
    return client.request(DiffRequest, params);
  });
  const syncTree = new SyncTree(ctx, diffs);
  const collectionsTree = new CollectionsTree(ctx);
  const statusBar = new StatusBar(ctx);
  const decorations = new DecorationProvider(ctx, diffs);
  extension.subscriptions.push(
    ctx,
    syncTree,
    collectionsTree,
    statusBar,
    decorations,
    new SideDocuments(ctx),
    ...new Commands(ctx, [syncTree, collectionsTree], syncTree, diffs).register(),
  );
  void ctx.start();
  return {
    ctx,
    syncTree,
    collectionsTree,
    statusBar,
    decorations,
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
