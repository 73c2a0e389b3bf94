// How the daemon opens every file it reads (TOML files, hashed copies, diff sides): read-only and
// non-blocking. A FIFO or device at a path — put there, or swapped in after the path was listed —
// must not block open(): on the thread pool that would hang every later file read of the daemon,
// and SIGTERM with it. Once open, the caller's fstat decides whether it is a regular file.
import * as fs from 'node:fs';

export const READ_NONBLOCK = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);
