// Turns daemon status rows into the nodes of the Sync Status view: labels, descriptions, tooltip
// Markdown, icons and context values. Pure (no vscode import) so it is unit-tested on plain Node.
import * as path from 'node:path';
import type { ArtifactRow, NotDeployedRow, SyncStatus, UpstreamInfo, WorkspaceStatus } from '../shared/types';
import { codeSpan, escapeMarkdown, formatAge, formatTimestamp, plural, shortHash, truncate } from './displayText';
import { collectionArtifactKey } from './artifactRef';
import { hasFileRows, upstreamChangesText } from './fileChanges';
import type { FileChangeRef } from './fileNodes';
import type { NodeView } from './nodeView';
import {
  STATUS_GROUP_TITLE,
  STATUS_ORDER,
  STATUS_PRESENTATION,
  UPSTREAM_BADGE,
  UPSTREAM_TEXT,
} from './syncStatusText';

export type GroupBy = 'folder' | 'status';

export type SyncNodeKind =
  | 'folder'
  | 'profile'
  | 'statusGroup'
  | 'artifact'
  | 'notDeployedGroup'
  | 'notDeployed'
  | 'message'
  | 'fileGroup'
  | 'file'
  | 'fileMessage';

export interface SyncNode extends NodeView {
  kind: SyncNodeKind;
  /** absolute workspace folder this node belongs to */
  folder: string;
  children: SyncNode[];
  row?: ArtifactRow;
  notDeployed?: NotDeployedRow;
  /** file rows and their groups: the comparison they belong to */
  change?: FileChangeRef;
}

export interface WorkspaceFolderRef {
  /** absolute path */
  path: string;
  /** what VS Code calls it */
  name: string;
}

export interface SyncModelInput {
  folders: readonly WorkspaceFolderRef[];
  /** latest status per folder path; absent = not loaded yet */
  statuses: ReadonlyMap<string, WorkspaceStatus>;
  /** folders whose status request failed, with the message */
  errors?: ReadonlyMap<string, string>;
  groupBy: GroupBy;
  now: Date;
}

const PROFILE_ORDER = ['.claude', '.cursor', '.codex', '.gemini'];

function compareProfileRoots(a: string, b: string): number {
  const ia = PROFILE_ORDER.indexOf(a);
  const ib = PROFILE_ORDER.indexOf(b);
  if (ia !== ib) return (ia < 0 ? PROFILE_ORDER.length : ia) - (ib < 0 ? PROFILE_ORDER.length : ib);
  return a.localeCompare(b);
}

function compareRows(a: ArtifactRow, b: ArtifactRow): number {
  return a.name.localeCompare(b.name) || a.type.localeCompare(b.type) || a.profile.localeCompare(b.profile);
}

/** Counts per status, in display order, e.g. `2 outdated · 1 modified`; undefined when all are synced. */
export function countsText(rows: readonly ArtifactRow[]): string | undefined {
  const counts = new Map<SyncStatus, number>();
  for (const r of rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const parts = STATUS_ORDER.filter((s) => s !== 'synced' && counts.has(s)).map(
    (s) => `${counts.get(s)} ${STATUS_PRESENTATION[s].label}`,
  );
  return parts.length ? parts.join(' · ') : undefined;
}

/** Words after the status in a row's description: upstream and collection badges, the reason for unknown. */
export function rowDescription(row: ArtifactRow, withProfile = false): string {
  const parts: string[] = [STATUS_PRESENTATION[row.status].label];
  if (row.status === 'unknown' && row.reason) parts.push(truncate(row.reason, 48));
  const badge = upstreamChangesText(row) ?? UPSTREAM_BADGE[row.upstream.state];
  if (badge) parts.push(badge);
  if (row.collectionDirty) parts.push('collection edited');
  if (withProfile) parts.push(row.profileRoot);
  return parts.join(' · ');
}

export function upstreamLine(upstream: UpstreamInfo, now: Date): string {
  let text = UPSTREAM_TEXT[upstream.state];
  const age = formatAge(upstream.checkedAt, now);
  if (age) text += `, checked ${age}`;
  if (upstream.stale) text += ' (stale: GitHub could not be asked again)';
  if (upstream.reason) text += ` — ${escapeMarkdown(upstream.reason)}`;
  return text;
}

export function rowTooltip(row: ArtifactRow, now: Date): string {
  const p = STATUS_PRESENTATION[row.status];
  const lines: string[] = [];
  lines.push(
    `**${escapeMarkdown(row.name)}** — ${escapeMarkdown(row.type)} in ${codeSpan(row.profileRoot)} (${escapeMarkdown(row.profile)})`,
  );
  lines.push('');
  lines.push(`**${p.label[0]?.toUpperCase()}${p.label.slice(1)}**: ${p.explanation}`);
  if (row.reason) {
    lines.push('');
    lines.push(`Reason: ${escapeMarkdown(row.reason)}`);
  }
  if (row.collectionDirty) {
    lines.push('');
    lines.push('The collection copy was edited since it was locked (it differs from `collection.lock`).');
  }
  lines.push('');
  lines.push('| | hash |');
  lines.push('|---|---|');
  lines.push(`| project copy | \`${shortHash(row.projectHash)}\` |`);
  lines.push(`| deployed baseline | \`${shortHash(row.deployedHash)}\` |`);
  lines.push(`| collection copy | \`${shortHash(row.collectionHash)}\` |`);
  lines.push(`| collection lock | \`${shortHash(row.lockHash)}\` |`);
  lines.push('');
  const from = row.collection ? ` from collection ${codeSpan(row.collection)}` : '';
  const when = formatTimestamp(row.deployedAt);
  lines.push(`Deployed${when ? ` ${when}` : ''}${from}.`);
  lines.push('');
  lines.push(`Upstream: ${upstreamLine(row.upstream, now)}.`);
  return lines.join('\n');
}

/** Space-separated flags; package.json menus match them with `viewItem =~ /\bflag\b/`. */
export function rowContextValue(row: ArtifactRow): string {
  const flags = ['artifact', `status-${row.status}`, `upstream-${row.upstream.state}`];
  const hasProject = row.projectPath !== null && row.status !== 'missing';
  const hasCollection = row.collectionPath !== null && row.collection !== null && row.status !== 'orphaned';
  if (hasProject) flags.push('hasProjectCopy');
  if (hasCollection) flags.push('hasCollectionCopy');
  if (hasProject && hasCollection) flags.push('canDiff');
  if (hasCollection && row.status !== 'synced') flags.push('canPull');
  if (hasProject && row.collection !== null && ['modified', 'conflict', 'converged'].includes(row.status)) {
    flags.push('canPush');
  }
  if (row.collection !== null && row.upstream.state === 'update-available') flags.push('canUpdate');
  if (hasProject || hasCollection) flags.push('canCompare');
  if (row.upstream.webUrl) flags.push('hasWebUrl');
  if (row.upstream.compareUrl) flags.push('hasCompareUrl');
  return flags.join(' ');
}

function artifactNode(folder: string, row: ArtifactRow, now: Date, withProfile: boolean): SyncNode {
  return {
    id: `artifact:${folder}:${row.key}`,
    kind: 'artifact',
    folder,
    label: row.name,
    description: rowDescription(row, withProfile),
    tooltip: rowTooltip(row, now),
    icon: STATUS_PRESENTATION[row.status].icon,
    contextValue: rowContextValue(row),
    // The files come from the daemon when the row is expanded (syncTree.ts), never up front.
    collapsible: hasFileRows(row) ? 'collapsed' : 'none',
    children: [],
    row,
  };
}

function notDeployedNode(folder: string, row: NotDeployedRow, now: Date): SyncNode {
  const lines = [
    `**${escapeMarkdown(row.name)}** — ${escapeMarkdown(row.type)} in collection ${codeSpan(row.collection)}`,
    '',
    'In the collection but not deployed in this workspace folder.',
  ];
  if (row.upstream) lines.push('', `Upstream: ${upstreamLine(row.upstream, now)}.`);
  const flags = ['notDeployed'];
  if (row.collectionPath) flags.push('hasCollectionCopy');
  if (row.upstream?.state === 'update-available') flags.push('canUpdate');
  const badge = row.upstream ? UPSTREAM_BADGE[row.upstream.state] : undefined;
  return {
    id: `notDeployed:${folder}:${collectionArtifactKey(row)}`,
    kind: 'notDeployed',
    folder,
    label: row.name,
    description: [row.type, row.collection, badge].filter(Boolean).join(' · '),
    tooltip: lines.join('\n'),
    icon: { id: 'circle-large-outline', color: 'disabledForeground' },
    contextValue: flags.join(' '),
    collapsible: 'none',
    children: [],
    notDeployed: row,
  };
}

function messageNode(folder: string, id: string, text: string, severity: 'warning' | 'error'): SyncNode {
  return {
    id: `message:${folder}:${id}`,
    kind: 'message',
    folder,
    label: truncate(text, 120),
    tooltip: escapeMarkdown(text),
    icon:
      severity === 'error'
        ? { id: 'error', color: 'problemsErrorIcon.foreground' }
        : { id: 'warning', color: 'problemsWarningIcon.foreground' },
    contextValue: `message ${severity}`,
    collapsible: 'none',
    children: [],
  };
}

function byProfile(folder: string, rows: ArtifactRow[], now: Date): SyncNode[] {
  const groups = new Map<string, ArtifactRow[]>();
  for (const r of rows) {
    const list = groups.get(r.profileRoot) ?? [];
    list.push(r);
    groups.set(r.profileRoot, list);
  }
  return [...groups.keys()].sort(compareProfileRoots).map((root) => {
    const list = (groups.get(root) ?? []).sort(compareRows);
    const profiles = [...new Set(list.map((r) => r.profile))].join(', ');
    return {
      id: `profile:${folder}:${root}`,
      kind: 'profile' as const,
      folder,
      label: root,
      description: [profiles, countsText(list) ?? 'in sync'].join(' · '),
      tooltip: `${codeSpan(path.join(folder, root))} — profile ${escapeMarkdown(profiles)}, ${plural(list.length, 'artifact')}`,
      icon: { id: 'folder-library' },
      contextValue: 'profile',
      collapsible: 'expanded' as const,
      children: list.map((r) => artifactNode(folder, r, now, false)),
    };
  });
}

function byStatus(folder: string, rows: ArtifactRow[], now: Date): SyncNode[] {
  return STATUS_ORDER.filter((s) => rows.some((r) => r.status === s)).map((status) => {
    const list = rows.filter((r) => r.status === status).sort(compareRows);
    const p = STATUS_PRESENTATION[status];
    return {
      id: `status:${folder}:${status}`,
      kind: 'statusGroup' as const,
      folder,
      label: STATUS_GROUP_TITLE[status],
      description: String(list.length),
      tooltip: p.explanation,
      icon: p.icon,
      contextValue: `statusGroup status-${status}`,
      collapsible: status === 'synced' ? ('collapsed' as const) : ('expanded' as const),
      children: list.map((r) => artifactNode(folder, r, now, true)),
    };
  });
}

function folderChildren(folder: string, ws: WorkspaceStatus, groupBy: GroupBy, now: Date): SyncNode[] {
  const children: SyncNode[] = (ws.warnings ?? []).map((w, i) => messageNode(folder, `warning${i}`, w, 'warning'));
  children.push(...(groupBy === 'status' ? byStatus(folder, ws.artifacts, now) : byProfile(folder, ws.artifacts, now)));
  if (ws.notDeployed.length) {
    const list = [...ws.notDeployed].sort(
      (a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type) || a.collection.localeCompare(b.collection),
    );
    children.push({
      id: `notDeployedGroup:${folder}`,
      kind: 'notDeployedGroup',
      folder,
      label: 'Not deployed',
      description: String(list.length),
      tooltip: 'Artifacts of the collection that are not deployed in this workspace folder.',
      icon: { id: 'circle-large-outline' },
      contextValue: 'notDeployedGroup',
      collapsible: 'collapsed',
      children: list.map((r) => notDeployedNode(folder, r, now)),
    });
  }
  return children;
}

/** True when the model has nothing to show, so the view's welcome content should appear instead. */
export function hasNoDeployments(input: SyncModelInput): boolean {
  if (input.errors && input.errors.size) return false;
  return input.folders.every((f) => {
    const ws = input.statuses.get(f.path);
    return ws !== undefined && ws.artifacts.length === 0 && !(ws.warnings ?? []).length;
  });
}

export function buildSyncRoots(input: SyncModelInput): SyncNode[] {
  if (input.folders.length === 0 || hasNoDeployments(input)) return [];
  return input.folders.map((f): SyncNode => {
    const ws = input.statuses.get(f.path);
    const error = input.errors?.get(f.path);
    let children: SyncNode[] = [];
    let description: string;
    if (error !== undefined) {
      children = [messageNode(f.path, 'error', `Status could not be read: ${error}`, 'error')];
      description = 'error';
    } else if (!ws) {
      description = 'loading…';
    } else {
      children = folderChildren(f.path, ws, input.groupBy, input.now);
      description = ws.artifacts.length ? (countsText(ws.artifacts) ?? 'in sync') : 'no deployments';
    }
    return {
      id: `folder:${f.path}`,
      kind: 'folder',
      folder: f.path,
      label: f.name,
      description,
      tooltip: codeSpan(f.path),
      icon: { id: 'root-folder' },
      contextValue: 'folder',
      collapsible: 'expanded',
      children,
    };
  });
}
