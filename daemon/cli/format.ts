// Human-readable tables for the CLI. The JSON output is the contract; this is for eyes.
import type { CheckUpstreamResult, StatsResult } from '../../shared/protocol';
import type { ArtifactRow, CountsResult, DiffResult, DiffSide, StatusResult, StatusTextFormat, SyncStatus, UpstreamInfo } from '../../shared/types';

const COLOR: Record<SyncStatus, string> = {
  synced: '32',
  modified: '33',
  outdated: '36',
  conflict: '31',
  converged: '35',
  missing: '31',
  orphaned: '90',
  unknown: '31',
};

export function table(rows: string[][], header: string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => visibleLength(r[i] ?? ''))));
  return all
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i] - visibleLength(c)))).join('  ').trimEnd())
    .join('\n');
}

function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

function paint(s: string, code: string, tty: boolean): string {
  return tty ? `\x1b[${code}m${s}\x1b[0m` : s;
}

function upstreamText(r: ArtifactRow): string {
  const u = r.upstream;
  if (u.state === 'untracked') return '-';
  if (u.state === 'unknown' && !u.checkedAt && /not checked/.test(u.reason ?? '')) return 'not checked';
  return u.stale ? `${u.state} (stale)` : u.state;
}

/** "3 files changed upstream" for an update whose per-file summary is known. */
export function upstreamChangesText(u: UpstreamInfo): string | undefined {
  if (u.state !== 'update-available' || !u.changes) return undefined;
  const n = u.changes.added + u.changes.modified + u.changes.deleted;
  return `${n} file${n === 1 ? '' : 's'} changed upstream`;
}

function note(r: ArtifactRow): string {
  const parts: string[] = [];
  const changed = upstreamChangesText(r.upstream);
  if (changed) parts.push(changed);
  if (r.reason) parts.push(r.reason);
  if (r.collectionDirty) parts.push('collection copy differs from its lock entry');
  if (r.upstream.state === 'unknown' && r.upstream.reason && !/not checked/.test(r.upstream.reason)) parts.push(`upstream: ${r.upstream.reason}`);
  return parts.join('; ');
}

/** The JSON's `profile` (what a KEY names: `name::type::claude_code`) with the folder it deploys to. */
export function profileText(r: Pick<ArtifactRow, 'profile' | 'profileRoot'>): string {
  return r.profileRoot && r.profileRoot !== r.profile ? `${r.profile} (${r.profileRoot})` : r.profile;
}

/**
 * Plain code-unit order: the first localeCompare of a process sets up ICU's collator, which cost
 * the CLI ~20 ms of its start (issue #15), for names that are ASCII in practice.
 */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function summarize(result: StatusResult): { counts: Partial<Record<SyncStatus, number>>; total: number; notSynced: number } {
  const counts: Partial<Record<SyncStatus, number>> = {};
  let total = 0;
  for (const ws of result.workspaces) {
    for (const r of ws.artifacts) {
      counts[r.status] = (counts[r.status] ?? 0) + 1;
      total++;
    }
  }
  return { counts, total, notSynced: total - (counts.synced ?? 0) };
}

export function formatStatus(result: StatusResult, tty: boolean): string {
  const lines: string[] = [`SkillMeat home: ${result.home}${result.homeExists ? '' : ' (not found)'}${result.activeCollection ? `  (active collection: ${result.activeCollection})` : ''}`];
  for (const ws of result.workspaces) {
    lines.push('', `Workspace ${ws.folder}`);
    if (ws.artifacts.length === 0) {
      lines.push('  no SkillMeat deployments (no .skillmeat-deployed.toml in .claude/ or another profile folder)');
    } else {
      const rows = [...ws.artifacts]
        .sort((a, b) => byCodeUnits(a.profileRoot, b.profileRoot) || byCodeUnits(a.name, b.name))
        .map((r) => [paint(r.status, COLOR[r.status], tty), r.name, r.type, profileText(r), r.collection ?? '-', upstreamText(r), note(r)]);
      lines.push(
        table(rows, ['STATUS', 'ARTIFACT', 'TYPE', 'PROFILE', 'COLLECTION', 'UPSTREAM', 'NOTE'])
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n'),
      );
    }
    if (ws.notDeployed.length) {
      lines.push(`  not deployed here (${ws.notDeployed.length}): ${ws.notDeployed.map((n) => `${n.name} (${n.type}, ${n.collection})`).join(', ')}`);
    }
    for (const w of ws.warnings ?? []) lines.push(`  warning: ${w}`);
  }
  const s = summarize(result);
  const parts = Object.entries(s.counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${k}`);
  lines.push('', s.total ? `${s.total} deployed artifact${s.total === 1 ? '' : 's'}: ${parts.join(', ')}` : 'nothing deployed');
  return lines.join('\n');
}

/** The status as `skillmeat-sync status` prints it (before its final newline), here or rendered by the daemon. */
export function renderStatus(result: StatusResult, format: StatusTextFormat): string {
  return format === 'json' ? JSON.stringify(result, null, 2) : formatStatus(result, format === 'table-color');
}

export function formatCounts(result: CountsResult): string {
  if (!result.collections.length) return `no collections in ${result.home}`;
  const types = [...new Set(result.collections.flatMap((c) => Object.keys(c.byType)))].sort();
  const rows = result.collections.map((c) => [
    `${c.active ? '* ' : '  '}${c.name}${c.displayName ? ` (${c.displayName})` : ''}`,
    c.error ? '?' : String(c.total),
    ...types.map((t) => String(c.byType[t] ?? 0)),
    String(c.mcpServers),
    c.error ?? '',
  ]);
  return `${table(rows, ['COLLECTION', 'TOTAL', ...types.map((t) => t.toUpperCase()), 'MCP SERVERS', ''])}\n(* = active collection)`;
}

export function formatCheckUpstream(result: CheckUpstreamResult): string {
  const rows = result.results.map((r) => [
    r.name,
    r.type,
    r.collection,
    r.upstream.state + (r.upstream.stale ? ' (stale)' : ''),
    [upstreamChangesText(r.upstream), r.upstream.reason].filter(Boolean).join('; '),
  ]);
  const lines = [rows.length ? table(rows, ['ARTIFACT', 'TYPE', 'COLLECTION', 'UPSTREAM', 'NOTE']) : 'no artifacts to check'];
  lines.push('', ...requestLines(result));
  if (result.rateLimit) {
    const rl = result.rateLimit;
    const reset = new Date(rl.resetAt);
    const at = Number.isNaN(reset.getTime()) ? rl.resetAt : `${String(reset.getHours()).padStart(2, '0')}:${String(reset.getMinutes()).padStart(2, '0')}`;
    // Where the user decides to sign in: what is left without a token, and that 304s spend it too.
    lines.push(
      rl.anonymous
        ? `rate limit: ${rl.remaining} of ${rl.limit} anonymous requests left until ${at} (304s count too); a GitHub token gives 5,000 an hour`
        : `rate limit: ${rl.remaining}/${rl.limit} left until ${at}`,
    );
  }
  return lines.join('\n');
}

/** Local wall-clock time, HH:MM:SS. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return Number.isNaN(d.getTime()) ? iso : `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * How much of this check reached GitHub. "3 requests to GitHub" when none got an answer (offline)
 * read as if GitHub had been asked; "0 requests" after a cached failure read as "nothing to ask".
 */
export function requestLines(r: CheckUpstreamResult): string[] {
  const lines: string[] = [];
  const answered = r.answered ?? r.requests;
  if (r.requests > 0 && answered < r.requests) {
    const why = r.networkError ?? 'no answer';
    lines.push(answered === 0 ? `0 requests reached GitHub (${why}; ${plural(r.requests, 'attempt')})` : `${answered} of ${plural(r.requests, 'request')} reached GitHub (the others: ${why})`);
  } else if (r.requests > 0) {
    lines.push(`${plural(r.requests, 'request')} to GitHub`);
  } else if (!r.cachedFailures) {
    const tracked = r.results.some((x) => x.upstream.state !== 'untracked');
    lines.push(tracked ? '0 requests to GitHub (answered from the cache; --force asks again)' : '0 requests to GitHub (nothing here has an upstream source)');
  }
  const c = r.cachedFailures;
  if (c) {
    lines.push(
      `${r.requests > 0 ? '' : '0 requests to GitHub: '}${plural(c.sources, 'source')} answered from a cached failure (${c.reason}); cached, retried after ${clockTime(c.retryAt)} or with --force`,
    );
  }
  return lines;
}

/** Caches kept valid by something other than time, and by what. */
const NO_TTL: Record<string, string> = {
  hashes: 'no TTL (validated by stat)',
  status: 'no TTL (valid until a file changes)',
  blobs: 'no TTL (named by content SHA, verified on read)',
};

/** What a cache's TTL means: -1 and 0 are not "expires at once". */
export function ttlText(c: { name: string; ttlSeconds: number; [k: string]: unknown }): string {
  if (NO_TTL[c.name]) return NO_TTL[c.name];
  if (c.ttlSeconds < 0 || !Number.isFinite(c.ttlSeconds)) return 'no TTL';
  if (c.ttlSeconds === 0) return c.name === 'counts' ? '0 (recounted every time)' : 'no TTL';
  const errors = typeof c.errorTtlSeconds === 'number' ? `; failures ${c.errorTtlSeconds} s` : '';
  return `${c.ttlSeconds} s${errors}`;
}

export function formatCacheStats(r: StatsResult): string {
  const rows = r.caches.map((c) => [c.name, String(c.size), ttlText(c), String(c.hits), String(c.misses), `${(c.hitRate * 100).toFixed(1)}%`]);
  return table(rows, ['CACHE', 'SIZE', 'TTL', 'HITS', 'MISSES', 'HIT RATE']);
}

/** `invalidate`'s answer in words; failures are named apart from answers. */
export function formatInvalidate(scope: string, dropped: Record<string, number>): string {
  const words: Record<string, (n: number) => string> = {
    counts: (n) => plural(n, 'counts entry', 'counts entries'),
    hashes: (n) => plural(n, 'hash entry', 'hash entries'),
    upstream: (n) => `${plural(n, 'upstream answer')} marked for re-check`,
    upstreamFailures: (n) => `${plural(n, 'cached upstream failure')} dropped`,
  };
  const parts = Object.entries(dropped).map(([k, n]) => (words[k] ? words[k](n) : `${n} ${k}`));
  return `invalidated ${scope}: ${parts.join(', ') || 'nothing'}`;
}

function sideText(s: DiffSide): string {
  return s.side === 'upstream' ? `upstream ${s.ref ?? ''}@${(s.commit ?? '').slice(0, 7)}`.replace(' @', '@') : s.side;
}

const STATUS_MARK: Record<string, string> = { added: 'A', modified: 'M', deleted: 'D', unchanged: ' ' };
const STATUS_COLOR: Record<string, string> = { added: '32', modified: '33', deleted: '31', unchanged: '90' };

/** Like `git diff --stat` with the status letter of `--name-status`; the unified text follows when asked. */
export function formatDiff(r: DiffResult, tty: boolean): string {
  const lines = [`${r.key}: ${sideText(r.from)} → ${sideText(r.to)} (${r.scope})`];
  const rows = r.files.map((f) => [
    paint(STATUS_MARK[f.status], STATUS_COLOR[f.status], tty),
    f.path,
    f.binary ? 'binary' : f.additions !== undefined ? `+${f.additions} -${f.deletions ?? 0}` : '',
    f.error ?? '',
  ]);
  if (rows.length) lines.push(table(rows, ['', 'FILE', 'LINES', 'NOTE']).split('\n').slice(1).map((l) => `  ${l}`).join('\n'));
  else lines.push('  no files on either side');
  const s = r.summary;
  const changed = s.added + s.modified + s.deleted;
  lines.push(`${changed} file${changed === 1 ? '' : 's'} changed: ${s.added} added, ${s.modified} modified, ${s.deleted} deleted; ${s.unchanged} unchanged`);
  for (const w of r.warnings ?? []) lines.push(`warning: ${w}`);
  if (r.unified) lines.push('', r.unified.replace(/\n$/, ''));
  return lines.join('\n');
}
