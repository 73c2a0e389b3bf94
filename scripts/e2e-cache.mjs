// The one e2e cache folder (code-server, Node 24, playwright-core), for every script that needs it:
// scripts/e2e-install.sh owns the rule ($E2E_CACHE, else ~/.cache/skillmeat-sync-e2e) and prints it
// with --where, so `npm run test:e2e`, `npm start` and .ci/run never install the ~1.4 GB twice.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_INSTALL = path.join(path.dirname(fileURLToPath(import.meta.url)), 'e2e-install.sh');

export function e2eCacheDir() {
  const r = spawnSync('bash', [E2E_INSTALL, '--where'], { encoding: 'utf8' });
  const dir = r.stdout.trim();
  if (r.status !== 0 || !dir) throw new Error(`bash ${E2E_INSTALL} --where failed: ${r.stderr || r.status}`);
  return path.resolve(dir);
}
