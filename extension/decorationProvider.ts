// Badge letters and colours: on deployed artifacts in the Explorer (propagated to parent folders,
// as git's are; `skillmeatSync.explorerDecorations` turns them off) and on the Sync Status view's
// file rows (A / M / D). The decisions live in explorerDecorations.ts and fileChanges.ts.
import * as vscode from 'vscode';
import type { SkillmeatContext } from './context';
import { CHANGE_SCHEME, changeDecoration } from './diff';
import { changedPaths, explorerDecorations, type ExplorerDecoration } from './explorerDecorations';

export class DecorationProvider implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri | vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.emitter.event;
  private current = new Map<string, ExplorerDecoration>();
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(private readonly ctx: SkillmeatContext) {
    this.disposables.push(
      vscode.window.registerFileDecorationProvider(this),
      ctx.onDidChangeStatus(() => this.update()),
      ctx.onDidChangeSettings(({ previous }) => {
        if (previous.explorerDecorations !== ctx.settings.explorerDecorations) this.update();
      }),
    );
    this.update();
  }

  private update(): void {
    const next = this.ctx.settings.explorerDecorations ? explorerDecorations(this.ctx.statuses.values()) : new Map<string, ExplorerDecoration>();
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
