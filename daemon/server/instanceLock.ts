// Single instance per (user, home): an exclusive lock file holding the pid, taken BEFORE any stale
// socket is touched, so two daemons started at the same moment cannot both remove and re-create
// the socket.
import * as fs from 'node:fs';

export type LockResult = { acquired: true } | { acquired: false; holderPid: number };

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive but not ours — still a live holder.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLockPid(lockPath: string): number | undefined {
  try {
    const pid = parseInt(fs.readFileSync(lockPath, 'utf8').trim(), 10);
    return Number.isFinite(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function acquireLock(lockPath: string, pid = process.pid): LockResult {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx', 0o600);
      fs.writeSync(fd, `${pid}\n`);
      fs.closeSync(fd);
      return { acquired: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readLockPid(lockPath);
    if (holder === undefined) {
      // Either being written this very instant by a racing daemon, or garbage left by a crash.
      const age = Date.now() - (fs.statSync(lockPath, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age < 2000) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        continue;
      }
    } else if (holder === pid || pidAlive(holder)) {
      return { acquired: false, holderPid: holder };
    }
    // Stale: the holder died (SIGKILL) without cleaning up.
    try {
      fs.unlinkSync(lockPath);
    } catch {
      // someone else removed it first; retry
    }
  }
  const holder = readLockPid(lockPath);
  return { acquired: false, holderPid: holder ?? -1 };
}

/** Removes the lock only if it still names us: a newer daemon may have taken over. */
export function releaseLock(lockPath: string, pid = process.pid): void {
  if (readLockPid(lockPath) === pid) {
    try {
      fs.unlinkSync(lockPath);
    } catch {
      // already gone
    }
  }
}

export function lockIsOurs(lockPath: string, pid = process.pid): boolean {
  return readLockPid(lockPath) === pid;
}
