// How the bench times a CLI command against a bare `node -e 0`: both spawned the same way,
// synchronously, with the same environment, the CLI's output going to a file as in
// `status --json > out.json`. What is timed is our process, not the harness reading a megabyte
// from a pipe into a string (which the output-less `node -e 0` would not pay).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI_SCRIPT, type Harness } from '../test/helpers/daemonHarness';
import { now } from './stats';

/**
 * The CLI's environment for this world, without NODE_EXTRA_CA_CERTS: where it is set (as on the
 * machine these figures were first taken on) every node start parses that certificate file, ~80 ms
 * that both contenders would pay and whose jitter would only blur the difference measured.
 */
export function timingEnv(h: Harness): NodeJS.ProcessEnv {
  const env = h.cliEnv();
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** Wall-clock ms of a bare `node -e 0`. */
export function timedNode(env: NodeJS.ProcessEnv): number {
  const t0 = now();
  spawnSync(process.execPath, ['-e', '0'], { env, stdio: 'ignore' });
  return now() - t0;
}

/** Runs `skillmeat-sync --home HOME ...args`; its stdout is read back from the file afterwards. */
export function timedCli(h: Harness, env: NodeJS.ProcessEnv, args: string[]): { ms: number; code: number | null; stdout: string } {
  const outFile = path.join(h.root, 'timed-cli.out');
  const fd = fs.openSync(outFile, 'w');
  let ms: number;
  let code: number | null;
  try {
    const t0 = now();
    code = spawnSync(process.execPath, [CLI_SCRIPT, '--home', h.home, ...args], { env, stdio: ['ignore', fd, 'ignore'] }).status;
    ms = now() - t0;
  } finally {
    fs.closeSync(fd);
  }
  return { ms, code, stdout: fs.readFileSync(outFile, 'utf8') };
}
