// The status bar item: a one-line summary, a tooltip with details, click focuses the Sync Status view.
import * as vscode from 'vscode';
import { STATUS_VIEW_ID, type SkillmeatContext } from './context';
import { summarize, type Summary } from './statusSummary';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private current: Summary | undefined;
  private shown = false;

  constructor(private readonly ctx: SkillmeatContext) {
    this.item = vscode.window.createStatusBarItem('skillmeatSync.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'SkillMeat Sync';
    this.item.command = `${STATUS_VIEW_ID}.focus`;
    this.disposables.push(
      this.item,
      ctx.onDidChangeStatus(() => this.update()),
      ctx.onDidChangeState(() => this.update()),
      ctx.onDidChangeSettings(() => this.update()),
    );
    this.update();
  }

  update(): void {
    const folders = this.ctx.folders();
    const summary = summarize({
      connection: this.ctx.connection,
      connectionDetail: this.ctx.connectionDetail,
      home: this.ctx.settings.home,
      homeExists: this.ctx.homeExists,
      workspaces: folders.flatMap((f) => {
        const ws = this.ctx.statuses.get(f.path);
        return ws ? [ws] : [];
      }),
      folderErrors: this.ctx.folderErrors.size,
      daemon: this.ctx.daemonStatus,
      refreshing: this.ctx.refreshing,
      homeWarnings: this.ctx.homeWarnings,
      now: new Date(),
    });
    this.current = summary;
    this.item.text = summary.text;
    const tooltip = new vscode.MarkdownString(summary.tooltip);
    this.item.tooltip = tooltip;
    // Drift is everyday life; only a stopped daemon deserves a coloured background.
    this.item.backgroundColor =
      summary.severity === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.shown = this.ctx.settings.showStatusBar && folders.length > 0;
    if (this.shown) this.item.show();
    else this.item.hide();
  }

  /** The text shown now (e.g. `$(warning) 2 outdated · 1 modified`), for the e2e tests. */
  get text(): string {
    return this.item.text;
  }

  get tooltip(): vscode.MarkdownString | string | undefined {
    return this.item.tooltip;
  }

  get visible(): boolean {
    return this.shown;
  }

  summary(): Summary | undefined {
    return this.current;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
