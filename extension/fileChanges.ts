// What changed inside an artifact, as the Sync Status view shows it: which comparison(s) a row opens
// with, the file rows (letter, colour, `+3 −1`, tooltip), the titles of the diff editors and the
// "Compare With…" choices. Pure (no vscode import), so every rule is unit-tested on plain Node.
import type { ArtifactRow, DiffFile, DiffFileStatus, DiffResult, DiffScope, DiffSide, DiffSummary, FileContentResult } from '../shared/types';
import { DIFF_SCOPES } from '../shared/types';
import { codeSpan, escapeMarkdown, plural } from './displayText';

/**
 * One comparison shown under a row. `reversed` shows the daemon's from → to the other way round:
 * the diff editor's left side is `to`, added and deleted swap, and so do the line counts.
 */
export interface ComparisonView {
  scope: DiffScope;
  reversed: boolean;
  /** group title when a row shows two comparisons */
  title: string;
}

export const SCOPE_TEXT: Record<DiffScope, { label: string; detail: string }> = {
  'collection-project': { label: 'Project ↔ collection', detail: 'the project copy against the collection copy' },
  'upstream-collection': { label: 'Collection ↔ upstream', detail: 'what an update would bring into the collection (local collection edits show too)' },
  'upstream-project': { label: 'Project ↔ upstream', detail: 'the project copy against the upstream head' },
  'upstream-changes': { label: 'Upstream changes', detail: 'what changed upstream since the collection took it' },
};

/** Whether a row expands into file rows at all. */
export function hasFileRows(row: ArtifactRow): boolean {
  return ['modified', 'outdated', 'conflict', 'converged'].includes(row.status) || row.upstream.state === 'update-available';
}

function tracked(row: ArtifactRow): boolean {
  return row.upstream.state !== 'untracked';
}

/**
 * The comparison(s) a row opens with, by status:
 * - modified: collection → project, i.e. the project's edits.
 * - outdated: the project copy is still byte-for-byte what was deployed (that is what "outdated"
 *   means: Hp = Hd), so "collection → project" read the other way round (project → collection) is
 *   exactly what the collection changed since the deployment. SkillMeat keeps only the baseline's
 *   hash, not its files, so no scope compares against the baseline directly; this one does without it.
 * - conflict: both copies moved away from the baseline, and without the baseline's files neither
 *   side's own edits can be listed alone. Two groups show what decides the merge: what the copies
 *   disagree on (collection → project), and — for a tracked artifact — where the collection stands
 *   against its source (collection → upstream head).
 * - converged: the copies are equal again; collection → project says so (all unchanged).
 * - otherwise an upstream update: what changed upstream since the collection took it.
 */
export function defaultComparisons(row: ArtifactRow): ComparisonView[] {
  const cp: ComparisonView = { scope: 'collection-project', reversed: false, title: 'Project edits (collection → project)' };
  switch (row.status) {
    case 'modified':
    case 'converged':
      return [cp];
    case 'outdated':
      return [{ scope: 'collection-project', reversed: true, title: 'Collection changes since deployment' }];
    case 'conflict':
      return tracked(row)
        ? [
            { ...cp, title: 'Project ↔ collection' },
            { scope: 'upstream-collection', reversed: false, title: 'Collection ↔ upstream' },
          ]
        : [{ ...cp, title: 'Project ↔ collection' }];
    default:
      return [{ scope: 'upstream-changes', reversed: false, title: SCOPE_TEXT['upstream-changes'].label }];
  }
}

/** The comparison a picked scope shows (Compare With…): as the daemon defines it, except for an outdated row's own scope. */
export function comparisonFor(row: ArtifactRow, scope: DiffScope): ComparisonView {
  const reversed = scope === 'collection-project' && row.status === 'outdated';
  return { scope, reversed, title: reversed ? 'Collection changes since deployment' : SCOPE_TEXT[scope].label };
}

/** Why a scope cannot be asked for this row (undefined: ask the daemon). */
export function scopeUnavailable(row: ArtifactRow, scope: DiffScope): string | undefined {
  const hasProject = row.projectPath !== null && row.status !== 'missing';
  const hasCollection = row.collection !== null && row.collectionPath !== null && row.status !== 'orphaned';
  const needsProject = scope === 'collection-project' || scope === 'upstream-project';
  const needsCollection = scope === 'collection-project' || scope === 'upstream-collection';
  if (needsProject && !hasProject) return 'the project copy is missing';
  if (needsCollection && !hasCollection) return 'the collection copy cannot be found';
  if (scope !== 'collection-project' && !tracked(row)) return `not tracked upstream${row.upstream.reason ? ` (${row.upstream.reason})` : ''}`;
  return undefined;
}

export function allScopes(): readonly DiffScope[] {
  return DIFF_SCOPES;
}

/** `2 modified · 1 added · 3 unchanged`, or `no differences (3 unchanged)`. */
export function summaryText(s: DiffSummary): string {
  const parts: string[] = [];
  if (s.modified) parts.push(`${s.modified} modified`);
  if (s.added) parts.push(`${s.added} added`);
  if (s.deleted) parts.push(`${s.deleted} deleted`);
  if (!parts.length) return s.unchanged ? `no differences (${plural(s.unchanged, 'file')} unchanged)` : 'no files';
  if (s.unchanged) parts.push(`${s.unchanged} unchanged`);
  return parts.join(' · ');
}

export function shortSha(sha: string | undefined): string {
  return sha ? sha.slice(0, 7) : '?';
}

/** How a side is named in titles: `project`, `collection`, `upstream main@357e5f7`, `upstream 1a2b3c4`. */
export function sideLabel(side: DiffSide): string {
  if (side.side !== 'upstream') return side.side;
  const ref = side.ref && side.ref !== 'HEAD' ? side.ref : undefined;
  return ref ? `upstream ${ref}@${shortSha(side.commit)}` : `upstream ${shortSha(side.commit)}`;
}

/** A diff result seen the way a comparison shows it (left → right). */
export interface ShownDiff {
  left: DiffSide;
  right: DiffSide;
  files: DiffFile[];
  summary: DiffSummary;
}

const SWAP: Record<DiffFileStatus, DiffFileStatus> = { added: 'deleted', deleted: 'added', modified: 'modified', unchanged: 'unchanged' };

export function shownDiff(result: DiffResult, reversed: boolean): ShownDiff {
  if (!reversed) return { left: result.from, right: result.to, files: result.files, summary: result.summary };
  return {
    left: result.to,
    right: result.from,
    files: result.files.map((f) => {
      const out: DiffFile = { ...f, status: SWAP[f.status] };
      if (f.additions !== undefined) out.deletions = f.additions;
      else delete out.deletions;
      if (f.deletions !== undefined) out.additions = f.deletions;
      else delete out.additions;
      return out;
    }),
    summary: { ...result.summary, added: result.summary.deleted, deleted: result.summary.added },
  };
}

export interface FileLetter {
  letter: 'A' | 'M' | 'D';
  /** theme colour id, the Source Control view's */
  color: string;
}

export const FILE_LETTER: Record<Exclude<DiffFileStatus, 'unchanged'>, FileLetter> = {
  added: { letter: 'A', color: 'gitDecoration.addedResourceForeground' },
  modified: { letter: 'M', color: 'gitDecoration.modifiedResourceForeground' },
  deleted: { letter: 'D', color: 'gitDecoration.deletedResourceForeground' },
};

/** `+3 −1`; `binary`; empty when no counts are known. */
export function lineCounts(f: DiffFile): string {
  if (f.binary) return 'binary';
  if (f.additions === undefined && f.deletions === undefined) return '';
  return `+${f.additions ?? 0} −${f.deletions ?? 0}`;
}

export interface FileRowView {
  /** the file's path relative to the artifact */
  path: string;
  /** the file name */
  label: string;
  /** `+3 −1 · references` */
  description: string;
  /** Markdown */
  tooltip: string;
  letter: FileLetter;
  file: DiffFile;
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(0, i) : '';
}

const STATUS_WORDS: Record<Exclude<DiffFileStatus, 'unchanged'>, (left: string, right: string) => string> = {
  added: (left, right) => `added: in the ${right}, not in the ${left}`,
  modified: (left, right) => `modified: differs between the ${left} and the ${right}`,
  deleted: (left, right) => `deleted: in the ${left}, not in the ${right}`,
};

/** The changed files of a shown diff as rows, in path order; unchanged files are only counted. */
export function fileRows(shown: ShownDiff): FileRowView[] {
  const left = sideLabel(shown.left);
  const right = sideLabel(shown.right);
  const unchanged = shown.files.filter((f) => f.status === 'unchanged').length;
  return shown.files
    .filter((f): f is DiffFile & { status: Exclude<DiffFileStatus, 'unchanged'> } => f.status !== 'unchanged')
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((f) => {
      const letter = FILE_LETTER[f.status];
      const counts = lineCounts(f);
      const dir = dirname(f.path);
      const lines = [`**${escapeMarkdown(f.path)}** — ${STATUS_WORDS[f.status](left, right)}`];
      if (f.binary) lines.push('', 'Binary file: the diff editor does not show its bytes.');
      else if (counts) lines.push('', `${f.additions ?? 0} ${f.additions === 1 ? 'line' : 'lines'} added, ${f.deletions ?? 0} removed (${left} → ${right}).`);
      if (f.error) lines.push('', `⚠ ${escapeMarkdown(f.error)}`);
      lines.push('', unchanged ? `${plural(unchanged, 'other file')} unchanged (not listed).` : 'No other file is unchanged.');
      return {
        path: f.path,
        label: basename(f.path),
        description: [counts, dir].filter(Boolean).join(' · '),
        tooltip: lines.join('\n'),
        letter,
        file: f,
      };
    });
}

/** The row shown instead of file rows when nothing differs. */
export function noChangesText(shown: ShownDiff): string {
  const n = shown.summary.unchanged;
  return `No file differs (${sideLabel(shown.left)} ↔ ${sideLabel(shown.right)})${n ? `; ${plural(n, 'file')} unchanged` : ''}`;
}

/** The diff editor's title: `SKILL.md (collection ↔ upstream main@357e5f7)`. */
export function diffTitle(path: string, shown: Pick<ShownDiff, 'left' | 'right'>): string {
  return `${basename(path)} (${sideLabel(shown.left)} ↔ ${sideLabel(shown.right)})`;
}

/** A group node's tooltip: the scope, both sides and the summary. */
export function groupTooltip(view: ComparisonView, shown: ShownDiff): string {
  return [
    `**${escapeMarkdown(view.title)}** — ${codeSpan(sideLabel(shown.left))} ↔ ${codeSpan(sideLabel(shown.right))}`,
    '',
    `${SCOPE_TEXT[view.scope].detail}: ${summaryText(shown.summary)}.`,
  ].join('\n');
}

/** The upstream summary an update-available row already carries (no request): `3 files changed upstream`. */
export function upstreamChangesText(row: ArtifactRow): string | undefined {
  const c = row.upstream.changes;
  if (row.upstream.state !== 'update-available' || !c) return undefined;
  const n = c.added + c.modified + c.deleted;
  return `${plural(n, 'file')} changed upstream`;
}

/** What a read-only side document shows: the text, empty for a missing file, a sentence for binary files and errors. */
export function sideText(r: FileContentResult): string {
  if (r.error) return `${r.path}: ${r.error}\n`;
  if (r.binary) return `Binary file ${r.path}${r.size !== undefined ? ` (${r.size} bytes)` : ''}: its content is not shown.\n`;
  if (!r.exists) return '';
  return r.text ?? '';
}
