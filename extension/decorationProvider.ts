// Badge letters and colours: on deployed artifacts in the Explorer (propagated to parent folders,
// as git's are; `skillmeatSync.explorerDecorations` turns them off) and on the Sync Status view's
// file rows (A / M / D). The decisions live in explorerDecorations.ts and fileChanges.ts.
import * as vscode from 'vscode';
import type { SyncStatus } from '../shared/types';
import type { SkillmeatContext } from './context';
import { CHANGE_SCHEME, changeDecoration } from './diff';
import type { DiffCache } from './diffCache';
import { changedFileDecorations, changedPaths, explorerDecorations, type ExplorerDecoration } from './explorerDecorations';

/** Rows whose project copy differs from the collection copy, so their files are worth marking. */
const FILE_MARKED: ReadonlySet<SyncStatus> = new Set<SyncStatus>(['modified', 'conflict']);

export class DecorationProvider implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri | vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.emitter.event;
  private current = new Map<string, ExplorerDecoration>();
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(
    private readonly ctx: SkillmeatContext,
    private readonly diffs: DiffCache,
  ) {
    this.disposables.push(
      vscode.window.registerFileDecorationProvider(this),
      diffs.onDidSettle(() => this.update()),
      ctx.onDidChangeStatus(() => this.update()),
      ctx.onDidChangeSettings(({ previous }) => {
        if (previous.explorerDecorations !== ctx.settings.explorerDecorations) this.update();
      }),
    );
    this.update();
  }

  private update(): void {
    const next = new Map<string, ExplorerDecoration>();
    if (this.ctx.settings.explorerDecorations) {
      for (const [folder, ws] of this.ctx.statuses) {
        for (const [p, d] of explorerDecorations([ws])) next.set(p, d);
        // files inside a folder artifact, from diffs already asked for (current rows only: peek checks the row)
        for (const row of ws.artifacts) {
          if (!FILE_MARKED.has(row.status) || !row.projectPath) continue;
          const diff = this.diffs.peek(folder, row, 'collection-project');
          if (diff) for (const [p, d] of changedFileDecorations(row, diff)) if (!next.has(p)) next.set(p, d);
          // Asked once per row state (a local comparison); its answer calls update() again.
          else this.diffs.get(folder, row, 'collection-project').catch(() => undefined);
        }
      }
    }
    const changed = changedPaths(this.current, next);
    this.current = next;
    if (changed.length) this.emitter.fire(changed.map((p) => vscode.Uri.file(p)));
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme === CHANGE_SCHEME) return changeDecoration(uri);
    if (uri.scheme !== 'file') return undefined;
    const d = this.current.get(uri.fsPath);
    if (!d) return undefined;
    const deco = new vscode.FileDecoration(d.badge, d.tooltip, new vscode.ThemeColor(d.color));
    deco.propagate = true;
    return deco;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
