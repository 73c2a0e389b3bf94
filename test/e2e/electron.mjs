#!/usr/bin/env node
// The same in-host mocha suite as run.mjs, launched in desktop VS Code by @vscode/test-electron —
// for machines that can download VS Code (it fetches a build from update.code.visualstudio.com).
// It cannot run on this project's CI machines: that host is unreachable there (ENOTFOUND), which is
// why `npm run test:e2e` uses code-server instead (see docs/REAL-VSCODE.md).
//
//   node esbuild.mjs && node test/e2e/electron.mjs [--version stable|1.95.0] [--keep]
// On a machine without a display, run it under xvfb-run.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { buildSuite, findFixture, isolatedEnv, prepareRunDirWithUpstream, ROOT } from './run-folder.mjs';

const argv = process.argv.slice(2);
const version = argv.includes('--version') ? argv[argv.indexOf('--version') + 1] : 'stable';
const keep = argv.includes('--keep');

const require = createRequire(path.join(ROOT, 'package.json'));
const { runTests } = require('@vscode/test-electron');

let prepared;
let exitCode = 1;
try {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js missing: run `npm run build` first');
  const suiteIndex = await buildSuite();
  prepared = await prepareRunDirWithUpstream(findFixture());
  const { dirs } = prepared;
  const env = isolatedEnv(dirs);
  await runTests({
    version,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: suiteIndex,
    // Downloads land in .vscode-test/ (gitignored) and are reused.
    cachePath: path.join(ROOT, '.vscode-test'),
    launchArgs: [
      dirs.project,
      '--user-data-dir', dirs.userData,
      '--extensions-dir', dirs.extensions,
      '--disable-workspace-trust',
      '--disable-telemetry',
      '--skip-welcome',
      '--skip-release-notes',
      '--disable-gpu',
    ],
    extensionTestsEnv: {
      XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR,
      XDG_STATE_HOME: env.XDG_STATE_HOME,
      TMPDIR: env.TMPDIR,
      SKILLMEAT_HOME: env.SKILLMEAT_HOME,
      SMS_E2E_RUN_DIR: env.SMS_E2E_RUN_DIR,
    },
  });
  exitCode = 0;
} catch (e) {
  console.error(`[e2e:electron] ${e instanceof Error ? e.message : e}`);
} finally {
  let report;
  try {
    report = prepared && JSON.parse(fs.readFileSync(prepared.resultFile, 'utf8'));
  } catch {
    // the suite did not get as far as writing its report
  }
  if (prepared) {
    await prepared.stopGitHub();
    // The daemon runs detached with the run folder in its environment; stop it before removing it.
    for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid)) {
      try {
        if (fs.readFileSync(`/proc/${name}/environ`).includes(prepared.dirs.run)) process.kill(Number(name), 'SIGTERM');
      } catch {
        // not ours, or gone
      }
    }
    if (keep) console.log(`[e2e:electron] run folder kept: ${prepared.dirs.run}`);
    else fs.rmSync(prepared.dirs.run, { recursive: true, force: true });
  }
  const passed = report?.passed ?? 0;
  const failed = report?.failed ?? (exitCode === 0 ? 0 : 1);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(exitCode === 0 && failed === 0 && passed > 0 ? 0 : 1);
}
