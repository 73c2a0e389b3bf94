// The user's own `skillmeat` CLI (SkillMeat 0.9): the three write actions as argument vectors,
// and finding the executable on PATH. The daemon never writes SkillMeat's files; these commands do,
// in a terminal the user sees. No vscode import.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArtifactRow, NotDeployedRow } from '../shared/types';

export class CliArgumentError extends Error {}

/** A value that SkillMeat's option parser would take for an option must not be passed as a name. */
function checked(label: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') throw new CliArgumentError(`The artifact has no ${label}.`);
  if (value.startsWith('-')) throw new CliArgumentError(`The ${label} "${value}" starts with "-" and cannot be passed safely.`);
  if (/[\0\r\n]/.test(value)) throw new CliArgumentError(`The ${label} contains control characters.`);
  return value;
}

/** `skillmeat deploy NAME --type TYPE --project FOLDER --profile PROFILE -c COLLECTION --overwrite` */
export function pullFromCollectionArgs(row: ArtifactRow, folder: string): string[] {
  return [
    'deploy',
    checked('name', row.name),
    '--type',
    checked('type', row.type),
    '--project',
    checked('project folder', folder),
    '--profile',
    checked('profile', row.profile),
    '-c',
    checked('collection', row.collection),
    '--overwrite',
  ];
}

/** `skillmeat sync-pull FOLDER --artifacts NAME -c COLLECTION` */
export function pushToCollectionArgs(row: ArtifactRow, folder: string): string[] {
  return ['sync-pull', checked('project folder', folder), '--artifacts', checked('name', row.name), '-c', checked('collection', row.collection)];
}

/** `skillmeat update NAME --type TYPE -c COLLECTION` */
export function updateFromUpstreamArgs(row: Pick<ArtifactRow, 'name' | 'type' | 'collection'> | NotDeployedRow): string[] {
  return ['update', checked('name', row.name), '--type', checked('type', row.type), '-c', checked('collection', row.collection)];
}

/** POSIX-shell rendering of a command, for the confirmation dialog (the terminal runs the argv directly). */
export function displayCommand(args: readonly string[], exe = 'skillmeat'): string {
  return [exe, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function isExecutableFile(file: string, platform: NodeJS.Platform): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    if (platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of `name` on PATH, or null. */
export function findOnPath(
  name: string,
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
): string | null {
  const pathVar = env.PATH ?? env.Path ?? '';
  const delimiter = platform === 'win32' ? ';' : ':';
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean) : [''];
  for (const dir of pathVar.split(delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutableFile(candidate, platform)) return candidate;
    }
  }
  return null;
}
