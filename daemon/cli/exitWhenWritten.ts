// How the CLI ends: at once, but never before its output is out (issue 15).

/**
 * Exits with `code` once everything written so far to stdout and stderr has been handed to the
 * OS. Leaving it to Node's natural exit would tear down the V8 heap first (the parsed answer of a
 * large status: milliseconds for nothing, issue 15). A write's callback runs only after its data
 * is out, and writes complete in order, so an empty write's callback waits for everything before
 * it, even on a pipe that drains slowly or asynchronously (macOS). A write that failed (a reader
 * that closed the pipe) leaves the exit to Node, exactly as before.
 */
export function exitWhenWritten(code: number, streams: NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  process.exitCode = code;
  let pending = streams.length;
  let failed = false;
  const done = (err?: Error | null) => {
    if (err) failed = true;
    if (--pending === 0 && !failed) process.exit(code);
  };
  for (const s of streams) s.write('', done);
}

const QUIET_PIPE = Symbol.for('skillmeat-sync.quietOnClosedPipe');

/**
 * A reader that stops early (`skillmeat-sync status | head`) closes the pipe once it has what it
 * wanted. End as git and coreutils do, without a stack trace: nothing more goes to stdout and the
 * command ends with its own exit code (1 for drift with --fail-on-drift), Node exiting once the
 * command is done. Any other failure to write the output is one line on stderr and exit 2.
 * Installed once per process, by whichever entry point runs first (bin.ts, main.ts).
 */
export function quietOnClosedPipe(stdout: NodeJS.WriteStream = process.stdout): void {
  const marked = stdout as unknown as Record<symbol, boolean>;
  if (marked[QUIET_PIPE]) return;
  marked[QUIET_PIPE] = true;
  stdout.on('error', (err: NodeJS.ErrnoException) => {
    // after EPIPE, later writes (exitWhenWritten's flush among them) fail as "destroyed"
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    process.stderr.write(`skillmeat-sync: cannot write the output: ${err.message}\n`);
    process.exit(2);
  });
}
