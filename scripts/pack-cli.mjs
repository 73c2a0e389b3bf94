#!/usr/bin/env node
// `npm run pack:cli`: the command line as its own npm package, installable without the editor
// (`npm install -g dist/skillmeat-sync-cli-<version>.tgz`) for git hooks and CI.
//
// packages/cli/ holds the package's manifest and README; this script stages them with the LICENSE
// and the bundles its `files` lists — dist/cli.js + dist/cliMain.js (the bin, a loader, and the command line it
// runs with a V8 code cache), dist/daemon.js (the daemon the CLI starts from
// beside itself), dist/inProcess.js (the engine of --no-daemon) and dist/hashWorker.js (the daemon's and
// the engine's cold-hashing worker threads) — and runs `npm pack` there. The bundles inline every dependency, so the tarball
// holds those files and nothing else, and installs with no network.
//
//   node scripts/pack-cli.mjs [--out DIR] [--no-build]    (default DIR: dist/; prints the tarball path)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PKG_DIR = path.join(ROOT, 'packages', 'cli');
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = path.resolve(outIdx >= 0 && args[outIdx + 1] ? args[outIdx + 1] : path.join(ROOT, 'dist'));

function fail(msg) {
  console.error(`pack:cli: ${msg}`);
  process.exit(1);
}

const rootVersion = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
const manifest = JSON.parse(fs.readFileSync(path.join(PKG_DIR, 'package.json'), 'utf8'));
if (manifest.version !== rootVersion) fail(`packages/cli/package.json is ${manifest.version}, the project is ${rootVersion}: keep them equal`);

if (!args.includes('--no-build')) {
  // Production bundles: minified, no source maps (nothing in the tarball points at a missing file).
  const b = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) fail('build failed');
}

const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-cli-pack-'));
try {
  fs.mkdirSync(path.join(stage, 'dist'));
  for (const f of manifest.files) {
    const src = path.join(ROOT, f);
    if (!fs.existsSync(src)) fail(`${f} is missing: run npm run build first`);
    fs.copyFileSync(src, path.join(stage, f));
  }
  fs.chmodSync(path.join(stage, manifest.bin['skillmeat-sync']), 0o755);
  for (const f of ['package.json', 'README.md']) fs.copyFileSync(path.join(PKG_DIR, f), path.join(stage, f));
  fs.copyFileSync(path.join(ROOT, 'LICENSE'), path.join(stage, 'LICENSE'));
  fs.mkdirSync(out, { recursive: true });
  const r = spawnSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: stage, encoding: 'utf8' });
  if (r.status !== 0) fail(`npm pack failed: ${r.stderr}`);
  const [info] = JSON.parse(r.stdout);
  const tarball = path.join(out, info.filename);
  console.log(`${tarball} (${info.files.length} files: ${info.files.map((f) => f.path).sort().join(', ')}; ${Math.round(info.size / 1024)} KB)`);
  // An absolute path: npm would read a relative `dist/x.tgz` as a GitHub repository.
  console.log(`install: npm install -g ${tarball}`);
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
