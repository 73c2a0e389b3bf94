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
    if (!breakStaleLock(lockPath, holder)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  const holder = readLockPid(lockPath);
  return { acquired: false, holderPid: holder ?? -1 };
}

/**
 * Every window reconnects after a crash, so several daemons find the same stale lock at once. A
 * plain unlink could remove the fresh lock a faster one just took (two daemons would then run), so
 * the check and the unlink happen under a second, short-lived exclusive file. False: someone else
 * is breaking it right now.
 */
function breakStaleLock(lockPath: string, stalePid: number | undefined): boolean {
  const breaker = `${lockPath}.break`;
  let fd: number;
  try {
    fd = fs.openSync(breaker, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Its maker died mid-break (it only lives for two syscalls): clear it for the next attempt.
    const age = Date.now() - (fs.statSync(breaker, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > 2000) fs.rmSync(breaker, { force: true });
    return false;
  }
  try {
    if (readLockPid(lockPath) === stalePid) fs.rmSync(lockPath, { force: true });
  } finally {
    fs.closeSync(fd);
    fs.rmSync(breaker, { force: true });
  }
  return true;
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
