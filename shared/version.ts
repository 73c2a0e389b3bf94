// The package version, kept equal to package.json by a unit test. An override exists only so the
// tests can start an "older" daemon and watch a newer client replace it.
export const PACKAGE_VERSION = '0.1.0';

export function currentVersion(env: NodeJS.ProcessEnv = process.env): string {
  return env.SKILLMEAT_SYNC_VERSION_OVERRIDE || PACKAGE_VERSION;
}

/** -1, 0, 1 like a comparator; pre-release tags are ignored (we never ship them). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).slice(0, 3).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).slice(0, 3).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) {
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return 0;
}
