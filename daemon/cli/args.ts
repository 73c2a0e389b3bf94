// The command line's grammar, declared once: every flag (with its help text) and every command
// (with the flags it takes and its arguments). Parsing, "unknown option --jsno (did you mean
// --json?)", and both the full and the per-command `--help` come from these tables, so a new
// command or flag is one entry here and one handler in main.ts.

export type FlagType = 'boolean' | 'string' | 'strings';

export interface FlagSpec {
  type: FlagType;
  /** the value's name in the help (`DIR`, `URL`) */
  value?: string;
  short?: string;
  help: string;
}

/** Every flag of every command. A flag has one meaning everywhere it is accepted. */
export const FLAGS = {
  home: { type: 'string', value: 'DIR', help: 'the SkillMeat home (holds config.toml and collections/); default $SKILLMEAT_HOME or ~/.skillmeat' },
  workspace: { type: 'strings', value: 'DIR', help: 'a workspace folder (repeatable); default the current folder' },
  json: { type: 'boolean', help: 'machine-readable output (a stable contract, see README)' },
  verify: { type: 'boolean', help: "check every file on disk (stat), whatever the daemon's watchers say" },
  'fail-on-drift': { type: 'boolean', help: 'exit 1 when any deployed artifact is not "synced" (implies --verify)' },
  'no-daemon': { type: 'boolean', help: 'run the engine in this process (no caches, no daemon)' },
  'github-api-url': { type: 'string', value: 'URL', help: 'GitHub (Enterprise) API URL; also $SKILLMEAT_SYNC_GITHUB_API_URL' },
  force: { type: 'boolean', help: 'ask GitHub again even where a cached answer or failure is still valid' },
  scope: { type: 'string', value: 'SCOPE', help: 'diff: collection-project (default), upstream-collection, upstream-project or upstream-changes' },
  unified: { type: 'boolean', help: 'diff: also print the unified diff' },
  upstream: { type: 'boolean', help: 'the upstream answers (of these KEYs, or all) and their cached failures' },
  counts: { type: 'boolean', help: 'the collection counts (of these COLLECTIONs, or all)' },
  hashes: { type: 'boolean', help: 'every cached content hash' },
  all: { type: 'boolean', help: 'invalidate: every cache; daemon stop: every daemon of this user' },
  help: { type: 'boolean', short: 'h', help: 'this help (after a command: that command\'s help)' },
  version: { type: 'boolean', help: 'print the version' },
} satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;

/** Accepted by every command. */
export const GLOBAL_FLAGS: readonly FlagName[] = ['home', 'github-api-url', 'help'];

export interface ArgSpec {
  /** `KEY`, `COLLECTION` */
  name: string;
  /** zero or more */
  many: boolean;
}

export interface CommandSpec {
  /** one or two words: `status`, `cache stats`, `daemon list` */
  name: string;
  summary: string;
  flags: readonly FlagName[];
  args?: ArgSpec;
  /** the usage after the command's name, when the generated one would not say it (`(--upstream [KEY...] | --counts …)`) */
  usage?: string;
  /** more help, shown by `COMMAND --help` only */
  details?: string;
}

export type FlagValues = { [K in FlagName]?: (typeof FLAGS)[K]['type'] extends 'boolean' ? boolean : (typeof FLAGS)[K]['type'] extends 'strings' ? string[] : string };

export interface ParsedCommandLine {
  /** undefined: no command given */
  command?: CommandSpec;
  /** the command's arguments (after its one or two words) */
  args: string[];
  values: FlagValues;
}

/** Wrong input on the command line: exit 2, with a pointer to --help. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** the command whose help to point at */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** Edit distance with adjacent transpositions (`jsno` → `json` is one edit), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate within a third of the word's length (at least 1, at most 3 edits). */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD || (d === bestD && best !== undefined && c < best)) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= limit ? best : undefined;
}

function isFlagName(n: string): n is FlagName {
  return Object.prototype.hasOwnProperty.call(FLAGS, n);
}

interface RawFlag {
  name: FlagName;
  spelled: string;
}

function findCommand(words: string[], commands: readonly CommandSpec[]): { command?: CommandSpec; used: number } {
  if (!words.length) return { used: 0 };
  const two = commands.find((c) => c.name === `${words[0]} ${words[1] ?? ''}`);
  if (two) return { command: two, used: 2 };
  const one = commands.find((c) => c.name === words[0]);
  if (one) return { command: one, used: 1 };
  const group = commands.filter((c) => c.name.startsWith(`${words[0]} `));
  if (group.length) {
    const subs = group.map((c) => c.name.split(' ')[1]);
    const sub = words[1];
    const guess = sub === undefined ? undefined : closest(sub, subs);
    const what = sub === undefined ? `${words[0]} needs one of: ${subs.join(', ')}` : `unknown command "${words[0]} ${sub}"${guess ? ` (did you mean "${words[0]} ${guess}"?)` : ''}; ${words[0]} takes one of: ${subs.join(', ')}`;
    throw new UsageError(what, words[0]);
  }
  const names = new Set(commands.map((c) => c.name.split(' ')[0]));
  const guess = closest(words[0], names);
  throw new UsageError(`unknown command "${words[0]}"${guess ? ` (did you mean "${guess}"?)` : ''}`);
}

/**
 * Splits argv into command, arguments and flags; every mistake is a UsageError saying what to
 * type instead. A lone `--help` yields no command and `values.help`.
 */
export function parseCommandLine(argv: readonly string[], commands: readonly CommandSpec[]): ParsedCommandLine {
  const positionals: string[] = [];
  const flags: RawFlag[] = [];
  const unknown: string[] = [];
  const values: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      let name: string;
      let inline: string | undefined;
      if (a.startsWith('--')) {
        const eq = a.indexOf('=');
        name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
        inline = eq >= 0 ? a.slice(eq + 1) : undefined;
      } else {
        const short = Object.entries(FLAGS).find(([, f]) => 'short' in f && f.short === a.slice(1));
        if (!short) throw new UsageError(`unknown option ${a}${a === '-v' ? ' (did you mean --version?)' : ''}`);
        name = short[0];
      }
      if (!isFlagName(name)) {
        // Judged once the command is known, so the suggestion can prefer that command's flags.
        unknown.push(name);
        continue;
      }
      const spec: FlagSpec = FLAGS[name];
      if (spec.type === 'boolean') {
        if (inline !== undefined) throw new UsageError(`--${name} takes no value (got --${name}=${inline})`);
        values[name] = true;
      } else {
        let v = inline;
        if (v === undefined) {
          const next = argv[i + 1];
          if (next === undefined || (next.startsWith('-') && next !== '-')) throw new UsageError(`--${name} needs a value (${spec.value ?? 'VALUE'})`);
          v = next;
          i++;
        }
        if (spec.type === 'strings') values[name] = [...((values[name] as string[] | undefined) ?? []), v];
        else values[name] = v;
      }
      flags.push({ name, spelled: a });
      continue;
    }
    positionals.push(a);
  }
  // `--help` and `--version` alone need no command; `status --help` wants the command's help even
  // when other words are wrong, so look the command up leniently then.
  const unknownError = (cmd?: CommandSpec): UsageError => {
    const name = unknown[0];
    const own = cmd ? [...GLOBAL_FLAGS, ...cmd.flags] : [];
    const guess = closest(name, own) ?? closest(name, Object.keys(FLAGS));
    return new UsageError(`unknown option --${name}${guess ? ` (did you mean --${guess}?)` : ''}`, cmd?.name);
  };
  if (!positionals.length) {
    if (unknown.length) throw unknownError();
    return { args: [], values: values as FlagValues };
  }
  let found: { command?: CommandSpec; used: number };
  try {
    found = findCommand(positionals, commands);
  } catch (err) {
    if (values.help && err instanceof UsageError && err.command) return { command: undefined, args: [err.command], values: values as FlagValues };
    throw err;
  }
  const command = found.command as CommandSpec;
  if (unknown.length) throw unknownError(command);
  const args = positionals.slice(found.used);
  const accepted = new Set<FlagName>([...GLOBAL_FLAGS, ...command.flags]);
  for (const f of flags) {
    if (!accepted.has(f.name)) {
      const takes = command.flags.map((n) => `--${n}`).join(', ');
      throw new UsageError(`${command.name} does not take --${f.name}${takes ? ` (it takes ${takes})` : ''}`, command.name);
    }
  }
  if (!values.help) {
    if (!command.args && args.length) throw new UsageError(`${command.name} takes no arguments (got ${args.join(' ')})`, command.name);
  }
  return { command, args, values: values as FlagValues };
}

function flagUsage(n: FlagName): string {
  const f: FlagSpec = FLAGS[n];
  const v = f.type === 'boolean' ? '' : ` ${f.value ?? 'VALUE'}`;
  return `[--${n}${v}]${f.type === 'strings' ? '...' : ''}`;
}

export function usageLine(c: CommandSpec): string {
  const parts = [`skillmeat-sync ${c.name}`];
  if (c.usage) return `${parts[0]} ${c.usage}`;
  if (c.args) parts.push(c.args.many ? `[${c.args.name}...]` : `[${c.args.name}]`);
  parts.push(...c.flags.map(flagUsage));
  return parts.join(' ');
}

export function flagHelp(names: readonly FlagName[]): string {
  const rows = names.map((n) => {
    const f: FlagSpec = FLAGS[n];
    const left = `${'short' in f && f.short ? `-${f.short}, ` : ''}--${n}${f.type === 'boolean' ? '' : ` ${f.value ?? 'VALUE'}`}`;
    return [left, f.help] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, h]) => `  ${l.padEnd(width)}${h}`).join('\n');
}

export function commandHelp(c: CommandSpec): string {
  const lines = [`Usage: ${usageLine(c)}`, '', c.summary];
  if (c.details) lines.push('', c.details);
  const names = [...c.flags, ...GLOBAL_FLAGS.filter((g) => !c.flags.includes(g))];
  lines.push('', 'Options:', flagHelp(names));
  return lines.join('\n');
}
