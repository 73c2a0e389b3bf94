// Bundles the three entry points into dist/: one file each, so the .vsix needs no node_modules.
import * as esbuild from 'esbuild';
import * as path from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

/** Keeps `require('./inProcess')` in dist/cli.js as a run-time require of dist/inProcess.js. */
function externalInProcess() {
  return {
    name: 'external-in-process',
    setup(build) {
      build.onResolve({ filter: /^\.\/inProcess$/ }, () => ({ path: './inProcess.js', external: true }));
    },
  };
}

/**
 * vscode-jsonrpc's `require('crypto')` becomes daemon/cli/lazyCrypto.ts, which loads node:crypto on
 * first use: a warm CLI never needs it, and loading it costs ~3 ms (issue 15).
 */
function lazyCryptoInJsonRpc() {
  return {
    name: 'lazy-crypto-in-jsonrpc',
    setup(build) {
      build.onResolve({ filter: /^(node:)?crypto$/ }, (args) =>
        /[\\/]node_modules[\\/]vscode-jsonrpc[\\/]/.test(args.importer) ? { path: path.resolve('daemon/cli/lazyCrypto.ts') } : undefined,
      );
    },
  };
}

const entries = [
  { entryPoints: ['extension/main.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { entryPoints: ['daemon/main.ts'], outfile: 'dist/daemon.js' },
  // The CLI talking to a daemon needs only the client: the in-process engine (--no-daemon, with
  // octokit) is its own file, required at run time, so a warm `status` does not parse it.
  // dist/cli.js (the bin) is a small loader running dist/cliMain.js with a V8 code cache (codeCache.ts).
  { entryPoints: ['daemon/cli/bin.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // No import() left in it: code compiled by vm.Script (codeCache.ts) has no loader for one.
  { entryPoints: ['daemon/cli/main.ts'], outfile: 'dist/cliMain.js', plugins: [externalInProcess(), lazyCryptoInJsonRpc()], supported: { 'dynamic-import': false } },
  { entryPoints: ['daemon/cli/inProcess.ts'], outfile: 'dist/inProcess.js' },
  // the daemon's cold-hashing worker threads (daemon/skillmeat/hashWorkers.ts) load it from beside daemon.js
  { entryPoints: ['daemon/skillmeat/hashWorker.ts'], outfile: 'dist/hashWorker.js' },
];

const contexts = await Promise.all(entries.map((e) => esbuild.context({ ...common, ...e })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
