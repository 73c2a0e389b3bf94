// What the Explorer marks on deployed artifacts: a badge letter and a theme colour per status,
// computed from the status rows. Pure (no vscode import); decorationProvider.ts serves it.
import * as path from 'node:path';
import type { ArtifactRow, DiffResult, SyncStatus, WorkspaceStatus } from '../shared/types';
import { STATUS_ORDER, STATUS_PRESENTATION } from './syncStatusText';

export interface ExplorerDecoration {
  /** at most two characters (VS Code's limit) */
  badge: string;
  /** theme colour id (contributed in package.json, defaulting to the Source Control colours) */
  color: string;
  tooltip: string;
}

interface Mark {
  letter: string;
  color: string;
  words: string;
}

/** Only what asks for the user's action is marked; a clean tree stays clean. */
const STATUS_MARK: Partial<Record<SyncStatus, Mark>> = {
  conflict: { letter: '!', color: 'skillmeatSync.conflictForeground', words: 'conflict with the collection' },
  modified: { letter: 'M', color: 'skillmeatSync.modifiedForeground', words: 'modified since deployment' },
  outdated: { letter: 'O', color: 'skillmeatSync.outdatedForeground', words: 'outdated: the collection changed' },
};

const UPDATE_MARK: Mark = { letter: '↑', color: 'skillmeatSync.updateAvailableForeground', words: 'update available upstream' };

/** The decoration of one row's deployed copy, or undefined when it needs none. */
export function rowDecoration(row: ArtifactRow): ExplorerDecoration | undefined {
  const marks: Mark[] = [];
  const status = STATUS_MARK[row.status];
  if (status) marks.push(status);
  if (row.upstream.state === 'update-available') marks.push(UPDATE_MARK);
  const first = marks[0];
  if (!first) return undefined;
  return {
    badge: marks.map((m) => m.letter).join(''),
    // the status colour wins: it is about the file on disk
    color: first.color,
    tooltip: `SkillMeat: ${row.name} ${marks.map((m) => m.words).join(', ')}`,
  };
}

/**
 * Decorations by absolute path of each deployed copy (a skill's folder, a command's file). The
 * provider asks VS Code to propagate them to parent folders, as git's are.
 */
export function explorerDecorations(workspaces: Iterable<WorkspaceStatus>): Map<string, ExplorerDecoration> {
  const out = new Map<string, ExplorerDecoration>();
  for (const ws of workspaces) {
    for (const row of ws.artifacts) {
      if (!row.projectPath || row.status === 'missing') continue;
      const d = rowDecoration(row);
      if (d) out.set(row.projectPath, d);
    }
  }
  return out;
}

/**
 * The files inside a deployed folder that differ from the collection copy, once a row's
 * collection → project diff is known (the Sync Status view asked for it): A for a file only the
 * project has, M for an edited one, in the row's colour. Files the project lacks have no path to
 * mark; a single-file artifact is already marked as a whole.
 */
export function changedFileDecorations(row: ArtifactRow, diff: DiffResult): Map<string, ExplorerDecoration> {
  const out = new Map<string, ExplorerDecoration>();
  const artifact = rowDecoration(row);
  if (!row.projectPath || !artifact || diff.scope !== 'collection-project') return out;
  const [only] = diff.files;
  if (diff.files.length === 1 && only && only.path === path.basename(row.projectPath)) return out;
  for (const f of diff.files) {
    if (f.status !== 'added' && f.status !== 'modified') continue;
    out.set(path.join(row.projectPath, ...f.path.split('/')), {
      badge: f.status === 'added' ? 'A' : 'M',
      color: artifact.color,
      tooltip: `SkillMeat: ${f.path} ${f.status === 'added' ? 'is only in the project copy' : 'differs from the collection copy'} of ${row.name}`,
    });
  }
  return out;
}

/** Paths whose decoration appeared, changed or went away between two maps (what to tell VS Code). */
export function changedPaths(before: ReadonlyMap<string, ExplorerDecoration>, after: ReadonlyMap<string, ExplorerDecoration>): string[] {
  const out: string[] = [];
  for (const [p, d] of after) {
    const old = before.get(p);
    if (!old || old.badge !== d.badge || old.color !== d.color || old.tooltip !== d.tooltip) out.push(p);
  }
  for (const p of before.keys()) if (!after.has(p)) out.push(p);
  return out;
}

export interface AttentionBadge {
  value: number;
  tooltip: string;
}

/**
 * The Sync Status view's badge: artifacts needing attention — a status that asks for action, or
 * an update upstream — each counted once; undefined when there are none.
 */
export function attentionBadge(workspaces: Iterable<WorkspaceStatus>): AttentionBadge | undefined {
  let value = 0;
  const byStatus = new Map<SyncStatus, number>();
  let updates = 0;
  for (const ws of workspaces) {
    for (const row of ws.artifacts) {
      const statusNeeds = STATUS_PRESENTATION[row.status].needsAttention;
      const update = row.upstream.state === 'update-available';
      if (statusNeeds) byStatus.set(row.status, (byStatus.get(row.status) ?? 0) + 1);
      if (update) updates++;
      if (statusNeeds || update) value++;
    }
  }
  if (value === 0) return undefined;
  const parts = STATUS_ORDER.filter((s) => byStatus.has(s)).map((s) => `${byStatus.get(s)} ${STATUS_PRESENTATION[s].label}`);
  if (updates) parts.push(`${updates} with an upstream update`);
  return { value, tooltip: `${value} SkillMeat ${value === 1 ? 'artifact needs' : 'artifacts need'} attention: ${parts.join(', ')}` };
}
