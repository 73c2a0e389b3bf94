// Reads one TOML file and turns every failure into a message naming the file (and line for syntax
// errors), so one bad file only spoils its own rows.
import { promises as fsp } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { READ_NONBLOCK } from './readFlags';

export type TomlTable = Record<string, unknown>;

export type TomlReadResult =
  | { ok: true; data: TomlTable; text: string }
  | { ok: false; missing: boolean; error: string; text?: string };

// SkillMeat's own files are kilobytes; anything this large is not one of them.
const MAX_TOML_BYTES = 32 * 1024 * 1024;

export function describeFsError(file: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return `${file}: not found`;
    case 'EACCES':
    case 'EPERM':
      return `${file}: permission denied`;
    case 'EISDIR':
      return `${file}: is a directory, expected a file`;
    case 'ELOOP':
      return `${file}: symlink loop`;
    case 'ENOTDIR':
      return `${file}: a parent path is not a directory`;
    default:
      return `${file}: ${e?.code ?? ''}${e?.code ? ' ' : ''}${e instanceof Error ? e.message.replace(/^[A-Z]+: /, '') : String(err)}`;
  }
}

export function parseToml(file: string, text: string): TomlReadResult {
  try {
    return { ok: true, data: parse(text) as TomlTable, text };
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
      return { ok: false, missing: false, error: `${file}:${err.line}: ${first}`, text };
    }
    return { ok: false, missing: false, error: `${file}: ${(err as Error).message}`, text };
  }
}

export async function readTomlFile(file: string): Promise<TomlReadResult> {
  let text: string;
  try {
    const fh = await fsp.open(file, READ_NONBLOCK);
    try {
      const st = await fh.stat();
      if (st.isDirectory()) return { ok: false, missing: false, error: `${file}: is a directory, expected a file` };
      if (!st.isFile()) return { ok: false, missing: false, error: `${file}: not a regular file (a FIFO, socket or device?)` };
      if (st.size > MAX_TOML_BYTES) return { ok: false, missing: false, error: `${file}: too large (${st.size} bytes)` };
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, missing: code === 'ENOENT' || code === 'ENOTDIR', error: describeFsError(file, err) };
  }
  // A UTF-8 BOM is legal for editors but not for TOML parsers; SkillMeat never writes one.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return parseToml(file, text);
}

export function isTable(v: unknown): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Timestamps are strings in SkillMeat's files; a hand-edited file may hold TOML datetimes. */
export function timeString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  return undefined;
}

export function strArray(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.filter((x): x is string => typeof x === 'string');
}

/** Lowercase hex, optional `sha256:` prefix removed (docs show one, code never writes it). */
export function normalizeHash(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim().replace(/^sha256:/i, '').toLowerCase();
  return s.length > 0 ? s : undefined;
}
