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
