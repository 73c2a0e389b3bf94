// The test API the extension's activate() returns, typed structurally: the suite checks the shape at
// run time instead of importing extension internals, so it tests what is exported and nothing more.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RequestType } from 'vscode-jsonrpc';

export const EXTENSION_ID = 'skillmeat-sync.skillmeat-sync';

export interface ClientLike {
  readonly state: string;
  request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R>;
}

/** The parts of the extension's context object the suite reads (a fresh status answer per refresh). */
export interface ContextLike {
  statuses?: ReadonlyMap<string, unknown>;
  onDidChangeStatus?: vscode.Event<unknown>;
}

export interface ExtensionTestApi {
  ctx?: ContextLike;
  syncTree: vscode.TreeDataProvider<unknown> & { view?: vscode.TreeView<unknown> };
  decorations?: vscode.FileDecorationProvider;
  collectionsTree: vscode.TreeDataProvider<unknown>;
  statusBar?: { text: string; tooltip?: string | vscode.MarkdownString | undefined };
  client: ClientLike;
  whenIdle(): Promise<void>;
}

export async function activateExtension(): Promise<{ ext: vscode.Extension<unknown>; api: ExtensionTestApi }> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this window`);
  const exported = (await ext.activate()) as Partial<ExtensionTestApi> | undefined;
  assert.ok(exported && typeof exported === 'object', 'activate() returned no test API');
  for (const k of ['syncTree', 'collectionsTree', 'client', 'whenIdle'] as const) {
    assert.ok(exported[k], `activate() result lacks ${k}`);
  }
  return { ext, api: exported as ExtensionTestApi };
}

/** Polls until check() returns without throwing; rethrows its last error after timeoutMs. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function withTimeout<T>(p: Thenable<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000}s`)), ms);
    Promise.resolve(p).then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * Sends a protocol request through the extension's own client. The suite is bundled separately
 * from the extension, so its RequestType objects come from another copy of vscode-jsonrpc; the
 * client sends by method name (shared/client.ts), so they work as they are.
 */
export function request<P, R>(client: ClientLike, type: RequestType<P, R, void>, params: P): Promise<R> {
  return client.request(type, params);
}
