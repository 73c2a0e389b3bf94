// `status` as answered by a running daemon, in one exchange (shared/oneShot.ts): the daemon
// renders the output itself (`skillmeat/statusText`), so a warm `status` neither loads
// vscode-jsonrpc nor parses and formats a megabyte of rows (issue 15). The installed bin (bin.ts)
// tries this before it loads the CLI's bundle at all and hands what the daemon said to main.ts,
// whose `status` owns everything else (no daemon, an older one, errors) and asks itself only when
// run without the bin (from sources).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkHome } from '../../shared/homeCheck';
import { oneShot, type OneShotOutcome } from '../../shared/oneShot';
import { daemonPaths } from '../../shared/paths';
import type { StatusTextResult } from '../../shared/protocol';
import type { StatusTextFormat } from '../../shared/types';
import { PACKAGE_VERSION } from '../../shared/version';
import { DEFAULT_REQUEST_TIMEOUT_MS, METHOD, PROTOCOL_VERSION } from '../../shared/wire';
import { resolveHome } from '../skillmeat/home';
import { parseCommandLine, type CommandSpec, type FlagValues } from './args';

export const STATUS_COMMAND: CommandSpec = {
  name: 'status',
  summary: 'The sync status of every SkillMeat artifact deployed in the workspace folders.',
  flags: ['workspace', 'json', 'verify', 'fail-on-drift', 'no-daemon'],
};

/** Whose status, where, and how it is printed. */
export interface StatusTarget {
  home: string;
  /** absolute */
  workspaces: string[];
  json: boolean;
}

/** The home and workspace folders the command line names (defaults: $SKILLMEAT_HOME or ~/.skillmeat, the current folder). */
export function statusTarget(values: FlagValues): StatusTarget {
  return {
    home: resolveHome({ home: values.home }),
    workspaces: (values.workspace?.length ? values.workspace : [process.cwd()]).map((w) => path.resolve(w)),
    json: values.json === true,
  };
}

/** `--json`, else the table, coloured for a terminal. */
export function statusFormat(json: boolean): StatusTextFormat {
  return json ? 'json' : process.stdout.isTTY === true ? 'table-color' : 'table';
}

/** A script's answer rests on the disk, not on the watchers: --fail-on-drift implies --verify. */
export function strictStatus(values: FlagValues): boolean {
  return values.verify === true || values['fail-on-drift'] === true;
}

/** The running daemon's status as this command prints it; `no-daemon` / `fallback` say why not. */
export function statusFromDaemon(t: StatusTarget, verify: boolean): Promise<OneShotOutcome<StatusTextResult>> {
  const paths = daemonPaths(t.home);
  return oneShot<StatusTextResult>({
    socketPath: paths.socketPath,
    hello: { protocolVersion: PROTOCOL_VERSION, clientVersion: PACKAGE_VERSION, clientName: 'cli', home: t.home },
    method: METHOD.statusText,
    params: { folders: t.workspaces, format: statusFormat(t.json), attachText: true, ...(verify ? { verify: true } : {}) },
    attachment: (r) => typeof (r as StatusTextResult | undefined)?.textBytes === 'number',
    requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
    timeoutError: () => new Error(`the daemon did not answer ${METHOD.statusText} within ${DEFAULT_REQUEST_TIMEOUT_MS} ms; see its log: ${paths.logPath}`),
  });
}

/** A status to print: its summary and its text (the attached bytes as they are, or a string). */
export interface PrintableStatus {
  notSynced: number;
  warnings?: string[];
  text: string | Buffer;
}

/**
 * The daemon's answer as something to print, if it has the shape this client prints (a daemon's
 * bug must not print `undefined` or half a text); undefined otherwise.
 */
export function printable(shot: OneShotOutcome<StatusTextResult>): (PrintableStatus & { homeExists: boolean }) | undefined {
  if (shot.kind !== 'answered') return undefined;
  const t = shot.result as Partial<StatusTextResult> | undefined;
  const ok =
    typeof t?.homeExists === 'boolean' &&
    typeof t.home === 'string' &&
    typeof t.notSynced === 'number' &&
    (t.warnings === undefined || (Array.isArray(t.warnings) && t.warnings.every((w) => typeof w === 'string')));
  if (!ok) return undefined;
  const text: unknown = typeof t.textBytes === 'number' ? shot.attachment : t.text;
  const whole = typeof text === 'string' ? t.textBytes === undefined : Buffer.isBuffer(text) && text.length === t.textBytes;
  if (!whole) return undefined;
  return { homeExists: t.homeExists as boolean, notSynced: t.notSynced as number, ...(t.warnings ? { warnings: t.warnings } : {}), text: text as string | Buffer };
}

/** Writes a command's output to stdout, ending with a newline (added unless it has one). */
export function printText(text: string | Buffer): void {
  if (typeof text === 'string') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  else {
    // the daemon's attached bytes, as they are
    process.stdout.write(text);
    if (text[text.length - 1] !== 0x0a) process.stdout.write('\n');
  }
}

/** Prints a status of an existing home and says what the command exits with. */
export function writeStatus(r: PrintableStatus, failOnDrift: boolean): number {
  printText(r.text);
  for (const w of r.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  return failOnDrift && r.notSynced > 0 ? 1 : 0;
}

function isFolder(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;
}

/**
 * What the bin's try at `status` came to: the exit code once printed, or what the daemon said
 * (`asked`: no daemon, an older one, …) for the full CLI to carry on from without asking again;
 * neither when it did not ask (another command, --help, --no-daemon, a wrong argument, a missing
 * home or folder): the full CLI then runs and says what it says.
 */
export type WarmStatus = { code: number } | { asked?: OneShotOutcome<StatusTextResult> };

/** The whole `status` command when a daemon answers it plainly. */
export async function warmStatus(argv: readonly string[]): Promise<WarmStatus> {
  let values: FlagValues;
  try {
    const parsed = parseCommandLine(argv, [STATUS_COMMAND]);
    if (parsed.command !== STATUS_COMMAND || parsed.args.length) return {};
    values = parsed.values;
  } catch {
    return {};
  }
  if (values.help || values.version || values['no-daemon']) return {};
  const t = statusTarget(values);
  if (!checkHome(t.home).ok || !t.workspaces.every(isFolder)) return {};
  const asked = await statusFromDaemon(t, strictStatus(values));
  const answer = printable(asked);
  if (!answer?.homeExists) return { asked };
  return { code: writeStatus(answer, values['fail-on-drift'] === true) };
}
