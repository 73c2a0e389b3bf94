// The socket folder is the daemon's only access control on POSIX: whoever can reach the socket can
// talk to the daemon. So it must be a real directory (not a symlink someone planted), owned by us,
// and closed to group and others.
import * as fs from 'node:fs';

export class UnsafeDirectoryError extends Error {}

export function ensurePrivateDir(dir: string): void {
  if (process.platform === 'win32') {
    fs.mkdirSync(dir, { recursive: true });
    return;
  }
  try {
    // Created as 0700 from the start: no window in which it is world-readable.
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      fs.mkdirSync(require('node:path').dirname(dir), { recursive: true, mode: 0o700 });
      fs.mkdirSync(dir, { mode: 0o700 });
    } else if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw err;
    }
  }
  const st = fs.lstatSync(dir);
  if (st.isSymbolicLink()) throw new UnsafeDirectoryError(`refusing socket folder ${dir}: it is a symbolic link`);
  if (!st.isDirectory()) throw new UnsafeDirectoryError(`refusing socket folder ${dir}: not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new UnsafeDirectoryError(`refusing socket folder ${dir}: owned by uid ${st.uid}, not ${uid}`);
  }
  if ((st.mode & 0o077) !== 0) {
    // Ours but too open (an old umask, a manual mkdir): tighten rather than refuse.
    fs.chmodSync(dir, 0o700);
  }
}
