// The comparison of two sides of an artifact, file by file. Pure: the caller hands over each
// side's files with their git blob SHAs and whatever content it could get; equal SHAs are
// "unchanged" without looking at content, so upstream files equal to a local copy are never
// downloaded. A file whose content is missing (GitHub refused it) keeps the status its SHAs give
// and carries the reason: never reported as deleted.
import type { DiffFile, DiffSummary } from '../../shared/types';
import { diffLines, isBinary, splitLines, unifiedHunks } from './lineDiff';

export interface SideFile {
  /** git blob SHA of the content (`sha1("blob <size>\0" + bytes)`), lower-case hex */
  sha: string;
  bytes?: Buffer;
  /** why `bytes` is absent */
  error?: string;
}

/** path (relative to the artifact, with `/`) → file */
export type SideFiles = ReadonlyMap<string, SideFile>;

export interface Comparison {
  files: DiffFile[];
  summary: DiffSummary;
  unified?: string;
}

/** git orders paths by their bytes. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Which files of each side need content to be compared: the ones whose SHAs differ. */
export function changedPaths(from: SideFiles, to: SideFiles): { from: string[]; to: string[] } {
  const f: string[] = [];
  const t: string[] = [];
  for (const [p, file] of from) if (to.get(p)?.sha !== file.sha) f.push(p);
  for (const [p, file] of to) if (from.get(p)?.sha !== file.sha) t.push(p);
  return { from: f, to: t };
}

export function emptySummary(): DiffSummary {
  return { added: 0, modified: 0, deleted: 0, unchanged: 0 };
}

/** Counts only, from SHAs: what the status row shows without any content. */
export function summarize(from: ReadonlyMap<string, { sha: string }>, to: ReadonlyMap<string, { sha: string }>): DiffSummary {
  const s = emptySummary();
  for (const [p, f] of from) {
    const other = to.get(p);
    if (!other) s.deleted++;
    else if (other.sha === f.sha) s.unchanged++;
    else s.modified++;
  }
  for (const p of to.keys()) if (!from.has(p)) s.added++;
  return s;
}

const NULL_SHA = '0000000';

function header(path: string, status: DiffFile['status'], fromSha: string | undefined, toSha: string | undefined): string {
  let h = `diff --git a/${path} b/${path}\n`;
  if (status === 'added') h += 'new file mode 100644\n';
  if (status === 'deleted') h += 'deleted file mode 100644\n';
  // git names the (unchanged) mode on the index line of a modified file
  h += `index ${fromSha?.slice(0, 7) ?? NULL_SHA}..${toSha?.slice(0, 7) ?? NULL_SHA}${status === 'modified' ? ' 100644' : ''}\n`;
  return h;
}

export function compareSides(from: SideFiles, to: SideFiles, opts: { unified?: boolean } = {}): Comparison {
  const paths = [...new Set([...from.keys(), ...to.keys()])].sort(comparePaths);
  const files: DiffFile[] = [];
  const summary = emptySummary();
  const unified: string[] = [];
  for (const path of paths) {
    const a = from.get(path);
    const b = to.get(path);
    const status: DiffFile['status'] = !a ? 'added' : !b ? 'deleted' : a.sha === b.sha ? 'unchanged' : 'modified';
    summary[status]++;
    const file: DiffFile = { path, status };
    files.push(file);
    if (status === 'unchanged') continue;
    const errors = [a?.error, b?.error].filter((e): e is string => !!e);
    const missing = (a && !a.bytes) || (b && !b.bytes);
    if (missing) {
      file.error = errors.join('; ') || 'content not available';
      continue;
    }
    const aBytes = a?.bytes ?? Buffer.alloc(0);
    const bBytes = b?.bytes ?? Buffer.alloc(0);
    const aName = a ? `a/${path}` : '/dev/null';
    const bName = b ? `b/${path}` : '/dev/null';
    if (isBinary(aBytes) || isBinary(bBytes)) {
      file.binary = true;
      if (opts.unified) unified.push(`${header(path, status, a?.sha, b?.sha)}Binary files ${aName} and ${bName} differ\n`);
      continue;
    }
    const la = splitLines(aBytes);
    const lb = splitLines(bBytes);
    const d = diffLines(la, lb);
    file.additions = d.additions;
    file.deletions = d.deletions;
    if (opts.unified) {
      const hunks = unifiedHunks(la, lb, d);
      unified.push(`${header(path, status, a?.sha, b?.sha)}${hunks ? `--- ${aName}\n+++ ${bName}\n${hunks}` : ''}`);
    }
  }
  const out: Comparison = { files, summary };
  if (opts.unified) out.unified = unified.join('');
  return out;
}
