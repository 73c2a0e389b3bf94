// What both launchers (run.mjs for code-server, electron.mjs for desktop VS Code) share: the
// compiled in-host suite and a throwaway run folder holding a fixture copy, the editor's user data
// and the settings that point the extension at the fixture home.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
export const SUITE_OUT = path.join(HERE, '.run', 'suite');
export const FIXTURE_STAGE = 'after-edits';

export function findFixture() {
  const candidates = [
    process.env.SMS_FIXTURE_DIR,
    path.join(ROOT, 'test', 'fixtures', 'skillmeat-0.9.1-basic'),
  ].filter(Boolean);
  for (const c of candidates) {
    if (fs.existsSync(path.join(c, FIXTURE_STAGE, 'home')) && fs.existsSync(path.join(c, 'expected.json'))) return c;
  }
  throw new Error(`SkillMeat fixture not found (looked in ${candidates.join(', ')}; set SMS_FIXTURE_DIR)`);
}

/** Bundles test/e2e/suite/{index,*.test}.ts to SUITE_OUT; mocha is bundled in, vscode is not. */
export async function buildSuite() {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const esbuild = require('esbuild');
  const suiteDir = path.join(HERE, 'suite');
  const entries = fs.readdirSync(suiteDir).filter((f) => f === 'index.ts' || f.endsWith('.test.ts'));
  fs.rmSync(SUITE_OUT, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: entries.map((f) => path.join(suiteDir, f)),
    outdir: SUITE_OUT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    sourcemap: 'inline',
    // mocha's parallel mode (never used here) require.resolve()s worker files; harmless in a bundle.
    logOverride: { 'require-resolve-not-external': 'silent' },
    logLevel: 'warning',
  });
  return path.join(SUITE_OUT, 'index.js');
}

/** Bundles upstreamWorld.ts (the fake GitHub and the github-origin skill) for the launchers. */
async function loadUpstreamWorld() {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const esbuild = require('esbuild');
  const out = path.join(HERE, '.run', 'upstreamWorld.cjs');
  await esbuild.build({
    entryPoints: [path.join(HERE, 'upstreamWorld.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(out);
}

/**
 * prepareRunDir plus the run's GitHub: the fake GitHub on 127.0.0.1 (the extension's API URL
 * setting points at it) and a github-origin skill whose source moved on; the expected answers in
 * e2e-context.json gain that row, and `upstream` tells the suite what the source holds.
 * Returns `stop` for the fake GitHub.
 */
export async function prepareRunDirWithUpstream(fixture) {
  const world = await loadUpstreamWorld();
  const { gh, apiUrl } = await world.startFakeGitHub();
  try {
    const prepared = prepareRunDir(fixture, { 'skillmeatSync.githubApiUrl': apiUrl });
    const up = await world.addUpstreamSkill(gh, apiUrl, prepared.skillmeatHome, prepared.dirs.project);
    const expected = prepared.expected;
    expected.artifacts.push(up.expected);
    const def = expected.collections.find((c) => c.name === up.expected.collection);
    if (def) {
      def.total += 1;
      def.byType.skill = (def.byType.skill ?? 0) + 1;
    }
    const contextFile = path.join(prepared.dirs.run, 'e2e-context.json');
    const context = JSON.parse(fs.readFileSync(contextFile, 'utf8'));
    context.expected = expected;
    context.upstream = {
      name: up.expected.name,
      apiUrl,
      baseSha: up.baseSha,
      headSha: up.headSha,
      baseFiles: world.BASE_FILES,
      headFiles: world.HEAD_FILES,
    };
    fs.writeFileSync(contextFile, JSON.stringify(context, null, 1));
    return { ...prepared, upstream: context.upstream, stopGitHub: () => gh.stop() };
  } catch (e) {
    await gh.stop();
    throw e;
  }
}

/**
 * Creates <tmp>/sms-e2e-XXXX with home/ and project/ copied from the fixture stage, editor user
 * data with quiet settings, private XDG/TMP folders, and e2e-context.json for the in-host suite.
 * `extraSettings`: machine-overridable `skillmeatSync.*` values (written where both a local and a
 * remote window read them).
 */
export function prepareRunDir(fixture, extraSettings = {}) {
  // Short path under /tmp: code-server and the daemon put unix sockets under it (108-byte limit).
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-e2e-'));
  const dirs = {
    run,
    home: path.join(run, 'home'),
    project: path.join(run, 'project'),
    userData: path.join(run, 'ud'),
    extensions: path.join(run, 'ext'),
    xdgConfig: path.join(run, 'xdg', 'config'),
    xdgData: path.join(run, 'xdg', 'data'),
    xdgCache: path.join(run, 'xdg', 'cache'),
    xdgState: path.join(run, 'xdg', 'state'),
    runtime: path.join(run, 'rt'),
    tmp: path.join(run, 't'),
    userHome: path.join(run, 'uh'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  fs.cpSync(path.join(fixture, FIXTURE_STAGE, 'home'), dirs.home, { recursive: true });
  fs.cpSync(path.join(fixture, FIXTURE_STAGE, 'project'), dirs.project, { recursive: true });
  const expected = JSON.parse(fs.readFileSync(path.join(fixture, 'expected.json'), 'utf8'))[FIXTURE_STAGE];
  const skillmeatHome = path.join(dirs.home, '.skillmeat');
  // The in-host suite finds this from its workspace folder (<run>/project → <run>/e2e-context.json),
  // so nothing depends on environment variables surviving into the extension host.
  fs.writeFileSync(
    path.join(run, 'e2e-context.json'),
    JSON.stringify(
      { stage: FIXTURE_STAGE, skillmeatHome, project: dirs.project, expected, resultFile: path.join(run, 'suite-result.json') },
      null,
      1,
    ),
  );
  const machineSettings = { 'skillmeatSync.home': skillmeatHome, ...extraSettings };
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'chat.disableAIFeatures': true,
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'extensions.ignoreRecommendations': true,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'git.enabled': false,
        'security.workspace.trust.enabled': false,
        'window.restoreWindows': 'none',
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'workbench.layoutControl.enabled': false,
        // the screenshot shows both sides of a diff
        'diffEditor.renderSideBySide': true,
        'diffEditor.useInlineViewWhenSpaceIsLimited': false,
        // No network here: automatic GitHub checks would only add `unknown` noise and requests.
        'skillmeatSync.autoCheckIntervalMinutes': 0,
        // read here by a local window (electron.mjs); code-server reads them from Machine/ (below)
        ...machineSettings,
      },
      null,
      1,
    ),
  );
  // `skillmeatSync.home` and `githubApiUrl` are machine-overridable. code-server's window is a
  // remote one, and VS Code ignores machine-scoped values in the User settings of a remote window
  // (LOCAL_MACHINE_SCOPES): it reads them from the server's <user-data-dir>/Machine/settings.json.
  // With User/settings.json alone the fake GitHub's URL never reached the extension's first
  // `configure` (the home only worked through $SKILLMEAT_HOME).
  fs.mkdirSync(path.join(dirs.userData, 'Machine'), { recursive: true });
  fs.writeFileSync(path.join(dirs.userData, 'Machine', 'settings.json'), JSON.stringify(machineSettings, null, 1));
  return { dirs, expected, skillmeatHome, resultFile: path.join(run, 'suite-result.json') };
}

/** Environment for everything started for a run: private HOME/XDG/TMP, no inherited editor or token vars. */
export function isolatedEnv(dirs, extraPath) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE') delete env[k];
  delete env.GITHUB_TOKEN;
  delete env.GH_TOKEN;
  return {
    ...env,
    PATH: extraPath ? `${extraPath}:${env.PATH ?? '/usr/bin:/bin'}` : (env.PATH ?? '/usr/bin:/bin'),
    HOME: dirs.userHome,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    XDG_STATE_HOME: dirs.xdgState,
    XDG_RUNTIME_DIR: dirs.runtime,
    TMPDIR: dirs.tmp,
    SKILLMEAT_HOME: path.join(dirs.home, '.skillmeat'),
    SMS_E2E_RUN_DIR: dirs.run,
  };
}
