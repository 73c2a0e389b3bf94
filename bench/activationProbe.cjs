// Measures require('dist/extension.js') + activate() in a fresh process with a minimal stub of the
// `vscode` module (injected through Module._resolveFilename). The stub answers every API with an
// inert object, so what is timed is our own module loading and wiring, not VS Code's.
// Prints one JSON line and exits before the background daemon connection could spawn anything.
'use strict';
const Module = require('node:module');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const STUB_ID = '\0vscode-stub';

/** Any property is another inert stub; calling or constructing one gives an inert stub too. */
function inert(name) {
  const cache = new Map();
  const target = function () {};
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === 'then') return undefined; // not a thenable
      if (prop === Symbol.toPrimitive) return () => name;
      if (prop === Symbol.iterator) return undefined;
      if (prop === 'dispose') return () => undefined;
      if (!cache.has(prop)) cache.set(prop, inert(`${name}.${String(prop)}`));
      return cache.get(prop);
    },
    apply: () => inert(`${name}()`),
    construct: () => inert(`new ${name}`),
  });
}

class Disposable {
  constructor(fn) {
    this.fn = fn;
  }
  static from(...items) {
    return new Disposable(() => items.forEach((d) => d && d.dispose && d.dispose()));
  }
  dispose() {
    if (this.fn) this.fn();
  }
}
class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (fn) => {
      this.listeners.add(fn);
      return new Disposable(() => this.listeners.delete(fn));
    };
  }
  fire(e) {
    for (const l of this.listeners) l(e);
  }
  dispose() {
    this.listeners.clear();
  }
}
class TreeItem {
  constructor(label, collapsibleState) {
    this.label = label;
    this.collapsibleState = collapsibleState;
  }
}
const event = () => new Disposable();
const outputChannel = new Proxy({}, { get: (_t, p) => (p === 'then' ? undefined : () => undefined) });

const vscode = new Proxy(
  {
    Disposable,
    EventEmitter,
    TreeItem,
    ThemeIcon: class { constructor(id, color) { this.id = id; this.color = color; } },
    ThemeColor: class { constructor(id) { this.id = id; } },
    MarkdownString: class { constructor(v) { this.value = v || ''; } appendMarkdown(s) { this.value += s; return this; } appendText(s) { this.value += s; return this; } },
    Uri: { file: (p) => ({ scheme: 'file', fsPath: p, path: p, toString: () => `file://${p}` }), from: (c) => c, parse: (s) => ({ toString: () => s }) },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { Notification: 15 },
    ConfigurationTarget: { Global: 1 },
    QuickPickItemKind: { Separator: -1 },
    window: new Proxy(
      {
        createOutputChannel: () => outputChannel,
        createTreeView: () => ({ dispose() {}, onDidChangeVisibility: event, onDidExpandElement: event, onDidCollapseElement: event, onDidChangeSelection: event }),
        createStatusBarItem: () => ({ show() {}, hide() {}, dispose() {} }),
        onDidCloseTerminal: event,
        showWarningMessage: async () => undefined,
        showInformationMessage: async () => undefined,
        showErrorMessage: async () => undefined,
      },
      { get: (t, p) => (p in t ? t[p] : inert(`window.${String(p)}`)) },
    ),
    workspace: new Proxy(
      {
        workspaceFolders: [],
        getConfiguration: () => ({ get: (_k, d) => d, has: () => false, inspect: () => undefined, update: async () => undefined }),
        onDidChangeConfiguration: event,
        onDidChangeWorkspaceFolders: event,
        registerTextDocumentContentProvider: () => new Disposable(),
      },
      { get: (t, p) => (p in t ? t[p] : inert(`workspace.${String(p)}`)) },
    ),
    commands: { registerCommand: () => new Disposable(), executeCommand: async () => undefined },
    authentication: { onDidChangeSessions: event, getSession: async () => undefined },
  },
  { get: (t, p) => (p in t ? t[p] : inert(String(p))) },
);

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'vscode') return STUB_ID;
  return resolve.call(this, request, ...rest);
};
require.cache[STUB_ID] = { id: STUB_ID, filename: STUB_ID, loaded: true, exports: vscode };

const bundle = path.resolve(process.argv[2]);
const extensionRoot = path.resolve(process.argv[3]);
const context = {
  subscriptions: [],
  extensionPath: extensionRoot,
  extensionUri: vscode.Uri.file(extensionRoot),
  asAbsolutePath: (p) => path.join(extensionRoot, p),
  extension: { packageJSON: { version: '0.0.0-bench' } },
  globalState: { get: () => undefined, update: async () => undefined, keys: () => [] },
  workspaceState: { get: () => undefined, update: async () => undefined, keys: () => [] },
  secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: event },
  logUri: vscode.Uri.file(path.join(extensionRoot, 'log')),
  globalStorageUri: vscode.Uri.file(path.join(extensionRoot, 'global')),
};

const t0 = performance.now();
const ext = require(bundle);
const t1 = performance.now();
ext.activate(context);
const t2 = performance.now();
process.stdout.write(`${JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, totalMs: t2 - t0 })}\n`);
process.exit(0);
