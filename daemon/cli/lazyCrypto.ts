// What the CLI's bundle gets for vscode-jsonrpc's `require('crypto')` (esbuild.mjs): node:crypto,
// loaded on first use. vscode-jsonrpc requires it when it loads, for random pipe names and UUIDs a
// CLI on a unix socket never asks for, and loading it costs a warm CLI ~3 ms (issue 15).
// test/unit/cli/lazyCrypto.test.ts checks that everything vscode-jsonrpc takes from it is here.
import type * as crypto from 'node:crypto';

const load = () => require('node:crypto') as typeof crypto;

export function randomBytes(size: number): Buffer {
  return load().randomBytes(size);
}

export function randomUUID(): string {
  return load().randomUUID();
}
