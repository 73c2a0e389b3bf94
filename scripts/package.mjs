#!/usr/bin/env node
// `npm run package`: the production bundles, then dist/skillmeat-sync.vsix.
//
// The marketplace expects a `repository` in the manifest (it links the source and turns the README's
// relative links into absolute ones). This project has no public repository of its own yet, and we do
// not write a made-up URL into package.json. So the URL is an input of the release build:
// $SKILLMEAT_SYNC_REPOSITORY_URL, else the `origin` remote of this clone when it is an https or
// GitHub URL. With one, the .vsix is packaged from a staged copy whose manifest carries
// `repository`, `bugs` and `homepage`, and vsce rewrites the README's links against it. Without one,
// it is a local build: vsce is told explicitly that the repository is missing and to keep the
// README's links relative (VS Code shows docs/screenshot.png from inside the installed extension),
// and this script says so in one line. Either way vsce prints no warning.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist', 'skillmeat-sync.vsix');
const VSCE = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (r.status !== 0) {
    console.error(`${path.basename(cmd)} ${args.join(' ')} failed (${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
  return r;
}

/** https://github.com/OWNER/REPO from an https, git@ or ssh:// remote; undefined when not usable. */
function repositoryUrl(raw) {
  if (!raw) return undefined;
  const s = raw.trim().replace(/\.git$/, '');
  const ssh = s.match(/^(?:ssh:\/\/)?git@([^:/]+)[:/](.+)$/);
  const url = ssh ? `https://${ssh[1]}/${ssh[2]}` : s;
  return /^https:\/\/[^/\s]+\/[^/\s]+\/[^/\s]+$/.test(url) ? url : undefined;
}

function originUrl() {
  const r = spawnSync('git', ['remote', 'get-url', 'origin'], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
}

run(process.execPath, ['esbuild.mjs', '--production']);

const fromEnv = process.env.SKILLMEAT_SYNC_REPOSITORY_URL;
const repo = repositoryUrl(fromEnv) ?? (fromEnv ? undefined : repositoryUrl(originUrl()));
if (fromEnv && !repo) {
  console.error(`SKILLMEAT_SYNC_REPOSITORY_URL=${fromEnv} is not a repository URL (https://HOST/OWNER/REPO)`);
  process.exit(2);
}
fs.rmSync(OUT, { force: true });

if (!repo) {
  console.log(
    'Local build: no public repository is configured, so the manifest carries none and the README keeps its relative links.\n' +
      'For the marketplace, set SKILLMEAT_SYNC_REPOSITORY_URL=https://github.com/OWNER/REPO (or an `origin` remote) and package again.',
  );
  run(process.execPath, [VSCE, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', OUT]);
} else {
  // Stage exactly the files vsce would take (.vscodeignore decides), with the repository added.
  const ls = spawnSync(process.execPath, [VSCE, 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' });
  if (ls.status !== 0) {
    process.stderr.write(ls.stderr);
    process.exit(1);
  }
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-vsix-'));
  try {
    for (const f of ls.stdout.split('\n').map((l) => l.trim()).filter(Boolean)) {
      fs.mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), path.join(stage, f));
    }
    fs.copyFileSync(path.join(ROOT, '.vscodeignore'), path.join(stage, '.vscodeignore'));
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    manifest.repository = { type: 'git', url: `${repo}.git` };
    manifest.bugs = { url: `${repo}/issues` };
    manifest.homepage = `${repo}#readme`;
    fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
    console.log(`Release build: repository ${repo}`);
    run(process.execPath, [VSCE, 'package', '--no-dependencies', '--out', OUT], { cwd: stage });
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
