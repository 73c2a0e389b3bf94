// Files as they are on a real disk: written long before the daemon looks at them. A fresh copy is
// "racy" (younger than the timestamp granularity the hash cache guards), and rows resting on racy
// files are recomputed on every request by design, which would hide what a test means to check.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Sets every file and folder under dir to `when` (an hour ago by default); symlinks themselves are left alone. */
export function ageTree(dir: string, when = new Date(Date.now() - 3600_000)): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) ageTree(p, when);
    fs.utimesSync(p, when, when);
  }
  fs.utimesSync(dir, when, when);
}
