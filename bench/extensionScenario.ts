// Scenario 6, extension side: bundle sizes, activation time (activationProbe.cjs in fresh
// processes with a stub `vscode` module), and the size of the packaged .vsix (base URLs given so
// that vsce does not insist on a detectable repository; they do not change the size).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../test/helpers/daemonHarness';
import { median, round } from './stats';

export interface ExtensionResult {
  bundleKb: { extension: number; daemon: number; cli: number };
  activation: { runs: number; requireMs: number; activateMs: number; totalMs: number; nodeStartupMs: number };
  vsixKb: number | null;
  vsixError?: string;
}

const kb = (file: string) => round(fs.statSync(path.join(REPO_ROOT, file)).size / 1024, 1);

export function runExtension(runs: number, withVsix: boolean): ExtensionResult {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
  try {
    const samples: { requireMs: number; activateMs: number; totalMs: number }[] = [];
    const bare: number[] = [];
    const env = { ...process.env, SKILLMEAT_SYNC_RUNTIME_DIR: path.join(tmp, 'rt'), SKILLMEAT_SYNC_STATE_DIR: path.join(tmp, 'state'), SKILLMEAT_HOME: path.join(tmp, 'home') };
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(process.execPath, [path.join(__dirname, 'activationProbe.cjs'), path.join(REPO_ROOT, 'dist', 'extension.js'), tmp], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`activation probe failed: ${r.stderr}`);
      samples.push(JSON.parse(r.stdout.trim().split('\n').pop()!));
      // the cost of a Node process that does nothing, for scale
      const t0 = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      bare.push(performance.now() - t0);
    }
    const activation = {
      runs,
      requireMs: round(median(samples.map((s) => s.requireMs))),
      activateMs: round(median(samples.map((s) => s.activateMs))),
      totalMs: round(median(samples.map((s) => s.totalMs))),
      nodeStartupMs: round(median(bare)),
    };
    let vsixKb: number | null = null;
    let vsixError: string | undefined;
    if (withVsix) {
      const out = path.join(tmp, 'skillmeat-sync.vsix');
      const r = spawnSync('npx', ['vsce', 'package', '--no-dependencies', '--out', out, '--baseContentUrl', 'https://example.invalid/', '--baseImagesUrl', 'https://example.invalid/'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 180_000 });
      if (r.status === 0 && fs.existsSync(out)) vsixKb = round(fs.statSync(out).size / 1024, 1);
      else vsixError = `vsce package failed (${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`;
    }
    const result: ExtensionResult = {
      bundleKb: { extension: kb('dist/extension.js'), daemon: kb('dist/daemon.js'), cli: kb('dist/cli.js') + kb('dist/cliMain.js') },
      activation,
      vsixKb,
    };
    if (vsixError) result.vsixError = vsixError;
    return result;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
