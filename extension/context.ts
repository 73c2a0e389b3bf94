// SkillmeatContext owns the daemon client and what the extension knows from it (status per folder,
// counts, daemon state). Views and the status bar only read from it and listen to its events.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { DaemonClient } from '../shared/client';
import { CountsRequest, StatusRequest, type DaemonStatusParams } from '../shared/protocol';
import type { CountsResult, WorkspaceStatus } from '../shared/types';
import { githubToken } from './githubAuth';
import {
  daemonSettingsChanged,
  levelEnabled,
  readSettings,
  toDaemonSettings,
  type ExtensionSettings,
  type LogLevel,
} from './settingsModel';
import type { ConnectionStateName } from './statusSummary';
import { StatusStore, type StatusChange } from './statusStore';
import type { WorkspaceFolderRef } from './syncTreeModel';
import { errorMessage as message } from '../shared/errors';

export const STATUS_VIEW_ID = 'skillmeatSync.status';
export const COLLECTIONS_VIEW_ID = 'skillmeatSync.collections';
export const CONFIG_SECTION = 'skillmeatSync';

/** Drives the views' welcome content through the `skillmeatSync.viewState` context key. */
export type ViewState = 'noFolder' | 'daemonFailed' | 'noHome' | 'noDeployments' | 'ok';


export class SkillmeatContext implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  settings: ExtensionSettings;

  private clientInstance: DaemonClient | undefined;
  private clientSubscriptions: { dispose(): void }[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  connection: ConnectionStateName = 'connecting';
  connectionDetail: string | undefined;
  daemonStatus: DaemonStatusParams | undefined;
  /** status, counts, refresh batching and didChange application live in the vscode-free store */
  readonly store: StatusStore;

  private startRun: Promise<void> | undefined;
  private settingsRun: Promise<void> | undefined;
  private lastViewState: ViewState | undefined;

  private readonly statusEmitter = new vscode.EventEmitter<StatusChange>();
  /** status rows of some folders changed (or the folder list did) */
  readonly onDidChangeStatus = this.statusEmitter.event;
  private readonly countsEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCounts = this.countsEmitter.event;
  private readonly stateEmitter = new vscode.EventEmitter<void>();
  /** connection, daemon status, refreshing flag */
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly settingsEmitter = new vscode.EventEmitter<{ previous: ExtensionSettings }>();
  readonly onDidChangeSettings = this.settingsEmitter.event;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('SkillMeat Sync', { log: true });
    this.settings = this.loadSettings();
    this.store = new StatusStore({
      folders: () => this.folders().map((f) => f.path),
      log: (level, text) => this.logAt(level, text),
      // Progress on the view keeps the old rows on screen: they change in place when the answer arrives.
      wrapStatusRun: (work) => Promise.resolve(vscode.window.withProgress({ location: { viewId: STATUS_VIEW_ID } }, () => work)),
    });
    this.disposables.push(
      this.store.onDidChangeStatus((change) => {
        this.updateContextKeys();
        this.statusEmitter.fire(change);
      }),
      this.store.onDidChangeCounts(() => this.countsEmitter.fire()),
      this.store.onDidChangeBusy(() => this.fireState()),
      this.store,
      this.log,
      this.statusEmitter,
      this.countsEmitter,
      this.stateEmitter,
      this.settingsEmitter,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(CONFIG_SECTION)) return;
        // Tracked so whenIdle() covers a settings change until the daemon has it.
        const run: Promise<void> = this.applySettingsChange().finally(() => {
          if (this.settingsRun === run) this.settingsRun = undefined;
        });
        this.settingsRun = run;
      }),
      vscode.workspace.onDidChangeWorkspaceFolders((e) => void this.applyFolderChange(e)),
      vscode.authentication.onDidChangeSessions((e) => {
        if (e.provider.id === 'github') void this.sendToken();
      }),
    );
  }

  get client(): DaemonClient | undefined {
    return this.clientInstance;
  }

  get statuses(): ReadonlyMap<string, WorkspaceStatus> {
    return this.store.statuses;
  }
  get folderErrors(): ReadonlyMap<string, string> {
    return this.store.folderErrors;
  }
  get counts(): CountsResult | undefined {
    return this.store.counts;
  }
  get countsError(): string | undefined {
    return this.store.countsError;
  }
  get homeExists(): boolean | undefined {
    return this.store.homeExists;
  }
  get homeWarnings(): readonly string[] {
    return this.store.homeWarnings;
  }

  /** true while a status or counts request of ours is in flight */
  get refreshing(): boolean {
    return this.store.refreshing || this.startRun !== undefined;
  }

  folders(): WorkspaceFolderRef[] {
    return (vscode.workspace.workspaceFolders ?? [])
      .filter((f) => f.uri.scheme === 'file')
      .map((f) => ({ path: f.uri.fsPath, name: f.name }));
  }

  viewState(): ViewState {
    if (this.folders().length === 0) return 'noFolder';
    if (this.connection === 'failed') return 'daemonFailed';
    if (this.homeExists === false) return 'noHome';
    const folders = this.folders();
    const allLoaded = folders.every((f) => this.statuses.has(f.path));
    const noRows = folders.every((f) => {
      const ws = this.statuses.get(f.path);
      return ws !== undefined && ws.artifacts.length === 0 && !(ws.warnings ?? []).length;
    });
    if (allLoaded && noRows && this.folderErrors.size === 0) return 'noDeployments';
    return 'ok';
  }

  private logAt(level: LogLevel, text: string): void {
    if (!levelEnabled(this.settings.logLevel, level)) return;
    if (level === 'debug') this.log.debug(text);
    else if (level === 'info') this.log.info(text);
    else if (level === 'warn') this.log.warn(text);
    else this.log.error(text);
  }

  private loadSettings(): ExtensionSettings {
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const { settings, problems } = readSettings((key) => config.get(key), process.env, os.homedir());
    for (const p of problems) {
      this.log.warn(p);
      void vscode.window.showWarningMessage(`SkillMeat Sync: ${p}`);
    }
    return settings;
  }

  private updateContextKeys(): void {
    const state = this.viewState();
    if (state === this.lastViewState) return;
    this.lastViewState = state;
    void vscode.commands.executeCommand('setContext', 'skillmeatSync.viewState', state);
  }

  private fireState(): void {
    this.updateContextKeys();
    this.stateEmitter.fire();
  }

  /** Starts (or restarts) the client for the configured home. Cheap to call from activate: it does not block. */
  start(): Promise<void> {
    const run = this.startClient().finally(() => {
      if (this.startRun === run) this.startRun = undefined;
      this.fireState();
    });
    this.startRun = run;
    this.fireState();
    return run;
  }

  private disposeClient(): void {
    for (const d of this.clientSubscriptions) d.dispose();
    this.clientSubscriptions = [];
    this.clientInstance?.dispose();
    this.clientInstance = undefined;
  }

  private async startClient(): Promise<void> {
    this.disposeClient();
    this.daemonStatus = undefined;
    this.connection = 'connecting';
    this.connectionDetail = undefined;
    this.store.reset(undefined);

    const client = new DaemonClient({
      home: this.settings.home,
      daemonScript: this.extension.asAbsolutePath('dist/daemon.js'),
      runtime: { execPath: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' } },
      clientName: 'vscode',
      clientVersion: String((this.extension.extension.packageJSON as { version?: unknown }).version ?? '0.0.0'),
      log: (level, text) => this.logAt(level, `[client] ${text}`),
    });
    this.clientInstance = client;
    this.store.reset({
      status: (folders) => client.request(StatusRequest, { folders }),
      counts: () => client.request(CountsRequest, {}),
    });
    this.clientSubscriptions.push(
      client.onConnectionState((state, detail) => {
        if (this.clientInstance !== client) return;
        const wasReconnecting = this.connection === 'reconnecting' || this.connection === 'failed';
        this.connection = state;
        this.connectionDetail = detail;
        this.logAt(state === 'failed' ? 'error' : 'info', `daemon connection: ${state}${detail ? ` (${detail})` : ''}`);
        this.fireState();
        // A fresh daemon may have seen changes we missed while disconnected.
        if (state === 'connected' && wasReconnecting) void this.refreshAll();
      }),
      client.onDidChange((p) => {
        if (this.clientInstance === client) void this.store.applyDidChange(p).done;
      }),
      client.onDaemonStatus((p) => {
        if (this.clientInstance !== client) return;
        this.daemonStatus = p;
        this.fireState();
      }),
    );

    try {
      const hello = await client.start();
      if (this.clientInstance !== client) return;
      this.connection = client.state;
      this.log.info(`connected to daemon ${hello.daemonVersion} (pid ${hello.pid}) for ${hello.home}`);
      this.fireState();
      await client.configure(toDaemonSettings(this.settings));
      await this.sendToken();
      await client.subscribe(this.folders().map((f) => f.path));
    } catch (err) {
      if (this.clientInstance !== client) return;
      this.connection = 'failed';
      this.connectionDetail = message(err);
      this.log.error(`daemon could not start: ${message(err)} (daemon log: ${client.logPath()})`);
      this.fireState();
      return;
    }
    await this.refreshAll();
  }

  /** Hands VS Code's GitHub session token (if allowed and present) to the daemon; memory only, never logged. */
  async sendToken(): Promise<void> {
    const client = this.clientInstance;
    if (!client) return;
    try {
      // The token goes with the API it was issued for; the daemon sends it nowhere else.
      const signIn = this.settings.useVSCodeGitHubAuth ? await githubToken(false, this.settings.githubApiUrl) : undefined;
      const token = signIn?.token;
      await client.setToken(token ?? null, 'vscode', signIn?.apiUrl);
      this.log.info(token ? 'GitHub token from the VS Code sign-in handed to the daemon' : 'no GitHub token from VS Code');
    } catch (err) {
      this.log.warn(`could not hand the GitHub token to the daemon: ${message(err)}`);
    }
  }

  refreshAll(): Promise<void> {
    return this.store.refreshAll();
  }

  /** Re-requests status for these folders; concurrent calls coalesce into as few requests as possible. */
  refreshStatus(folders: readonly string[]): Promise<void> {
    return this.store.refreshStatus(folders);
  }

  refreshCounts(): Promise<void> {
    return this.store.refreshCounts();
  }

  /** Resolves once no start, status or counts request is in flight. */
  async whenIdle(): Promise<void> {
    for (;;) {
      const run = this.startRun ?? this.settingsRun;
      if (run) await run.catch(() => undefined);
      await this.store.whenIdle();
      // a start or settings change may have begun while the store drained
      if (!this.startRun && !this.settingsRun) return;
    }
  }

  async restartDaemon(): Promise<void> {
    const client = this.clientInstance;
    if (!client || this.connection === 'failed') {
      await this.start();
      return;
    }
    this.log.info('restarting the daemon');
    await client.restartDaemon();
    await this.refreshAll();
  }

  private async applySettingsChange(): Promise<void> {
    const previous = this.settings;
    this.settings = this.loadSettings();
    this.settingsEmitter.fire({ previous });
    if (previous.home !== this.settings.home) {
      this.log.info(`SkillMeat home changed to ${this.settings.home}; reconnecting`);
      await this.start();
      return;
    }
    const client = this.clientInstance;
    if (!client) return;
    try {
      if (daemonSettingsChanged(previous, this.settings)) await client.configure(toDaemonSettings(this.settings));
      if (previous.useVSCodeGitHubAuth !== this.settings.useVSCodeGitHubAuth) await this.sendToken();
      if (previous.githubApiUrl !== this.settings.githubApiUrl) {
        await this.sendToken();
        await this.refreshAll();
      }
    } catch (err) {
      this.log.error(`could not apply settings: ${message(err)}`);
    }
  }

  private async applyFolderChange(e: vscode.WorkspaceFoldersChangeEvent): Promise<void> {
    const removed = e.removed.filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    const added = e.added.filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    this.store.removeFolders(removed);
    const client = this.clientInstance;
    if (!client) return;
    try {
      if (removed.length) await client.unsubscribe(removed);
      if (added.length) await client.subscribe(added);
    } catch (err) {
      this.log.error(`could not update folder subscriptions: ${message(err)}`);
    }
    if (added.length) await this.refreshStatus(added);
  }

  dispose(): void {
    this.disposeClient();
    for (const d of this.disposables) d.dispose();
  }
}
