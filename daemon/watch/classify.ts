// Which directories are watched and what a raw tree event means, for the SkillMeat home and for
// a workspace folder. Pure functions of the event path (plus, for profile roots, one stat).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TreeEvent } from './dirTree';
import { TRACKER_FILE, type ChangeEvent } from './changeEvent';

/** Profile roots SkillMeat knows by name; any other hidden dir counts once it holds a tracker. */
export const KNOWN_PROFILE_ROOTS: ReadonlySet<string> = new Set(['.claude', '.codex', '.gemini', '.cursor']);

/**
 * Hidden dirs that are never profile roots but churn a lot (git checkout rewrites .git wholesale);
 * watching them would only feed storms.
 */
export const IGNORED_HIDDEN_DIRS: ReadonlySet<string> = new Set([
  '.git', '.hg', '.svn', '.venv', '.tox', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.next', '.nuxt',
  '.cache', '.gradle', '.yarn', '.pnpm-store', '.npm', '.turbo', '.parcel-cache', '.terraform', '.idea',
  '.vscode-test', '.e2e-cache', '.direnv',
]);

/** SkillMeat writes collection.toml via `.collection.toml.<random>.tmp` + rename. */
const TEMP_FILE = /\.tmp$/;

/** home: only config.toml at the top and everything below collections/ (not cache/, snapshots/, …). */
export function homeDescend(rel: readonly string[]): boolean {
  return rel.length > 1 || rel[0] === 'collections';
}

export function isWatchedHiddenDir(name: string): boolean {
  return name.startsWith('.') && name !== '.' && name !== '..' && !IGNORED_HIDDEN_DIRS.has(name);
}

export function isProfileRoot(folder: string, name: string): boolean {
  return KNOWN_PROFILE_ROOTS.has(name) || fs.existsSync(path.join(folder, name, TRACKER_FILE));
}

/** workspace: the root level, each hidden dir's top level, and profile roots recursively. */
export function workspaceDescend(folder: string, rel: readonly string[]): boolean {
  if (rel.length === 1) return isWatchedHiddenDir(rel[0]);
  return isProfileRoot(folder, rel[0]);
}

export function classifyHomeEvent(e: TreeEvent): ChangeEvent | undefined {
  const { rel, type } = e;
  if (type === 'rootAdded' || type === 'rootRemoved') return { kind: 'home' };
  if (type === 'dirChanged') return { kind: 'overflow', scope: 'home' };
  if (rel.length === 1) {
    if (rel[0] === 'config.toml') return { kind: 'config' };
    if (rel[0] === 'collections' && type !== 'file') return { kind: 'home' };
    return undefined;
  }
  if (rel[0] !== 'collections') return undefined;
  const collection = rel[1];
  if (rel.length === 2) {
    if (type === 'dirAdded') return { kind: 'collectionAdded', collection };
    if (type === 'dirRemoved') return { kind: 'collectionRemoved', collection };
    return undefined; // a stray file directly under collections/
  }
  if (rel.length === 3) {
    if (rel[2] === 'collection.toml') return { kind: 'manifest', collection };
    if (rel[2] === 'collection.lock') return { kind: 'lock', collection };
    if (TEMP_FILE.test(rel[2])) return undefined;
  }
  return { kind: 'collectionFiles', collection, paths: [e.abs] };
}

export function classifyWorkspaceEvent(folder: string, e: TreeEvent): ChangeEvent | undefined {
  const { rel, type } = e;
  if (type === 'rootAdded' || type === 'rootRemoved') return { kind: 'profileRoots', folder };
  if (type === 'dirChanged') return { kind: 'overflow', scope: folder };
  if (rel.length === 1) {
    if (type === 'dirAdded' || type === 'dirRemoved') return { kind: 'profileRoots', folder };
    return undefined; // ordinary files at the workspace root
  }
  if (rel.length === 2 && rel[1] === TRACKER_FILE) return { kind: 'tracker', folder, file: e.abs };
  return { kind: 'deployedFiles', folder, paths: [e.abs] };
}
