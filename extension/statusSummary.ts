// The status bar's text and tooltip, computed from what the extension knows. Pure, so every
// combination (daemon down, rate-limited, drift) is unit-tested without VS Code.
import type { DaemonStatusParams } from '../shared/protocol';
import type { SyncStatus, WorkspaceStatus } from '../shared/types';
import { codeSpan, escapeMarkdown, formatClock, plural } from './displayText';
import { STATUS_ORDER, STATUS_PRESENTATION } from './syncStatusText';

/** Same union as the client's ConnectionState, restated so this file needs nothing but types. */
export type ConnectionStateName = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'disposed';

export interface SummaryInput {
  connection: ConnectionStateName;
  /** why the connection failed, shown in the tooltip */
  connectionDetail?: string;
  home?: string;
  /** undefined until the first status answer */
  homeExists?: boolean;
  workspaces: readonly WorkspaceStatus[];
  /** folders whose status request failed */
  folderErrors?: number;
  daemon?: DaemonStatusParams;
  /** a status or counts request of ours is in flight */
  refreshing: boolean;
  /** home-wide warnings from the last status answer */
  homeWarnings?: readonly string[];
  now: Date;
  formatTime?: (d: Date) => string;
}

export type SummarySeverity = 'ok' | 'warning' | 'error' | 'busy';

export interface Summary {
  text: string;
  /** Markdown */
  tooltip: string;
  severity: SummarySeverity;
  counts: Record<SyncStatus, number>;
  upstreamUpdates: number;
}

function emptyCounts(): Record<SyncStatus, number> {
  return { synced: 0, modified: 0, outdated: 0, conflict: 0, converged: 0, missing: 0, orphaned: 0, unknown: 0 };
}

export function summarize(input: SummaryInput): Summary {
  const fmt = input.formatTime ?? formatClock;
  const counts = emptyCounts();
  let upstreamUpdates = 0;
  let upstreamUnknown = 0;
  for (const ws of input.workspaces) {
    for (const row of ws.artifacts) {
      counts[row.status]++;
      // repo-moved: the repository has new commits, none touching this artifact — not an update
      if (row.upstream.state === 'update-available') upstreamUpdates++;
      if (row.upstream.state === 'unknown') upstreamUnknown++;
    }
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const problems = STATUS_ORDER.filter((s) => s !== 'synced' && counts[s] > 0);
  const driftText = problems.map((s) => `${counts[s]} ${STATUS_PRESENTATION[s].label}`);
  if (upstreamUpdates) driftText.push(`${upstreamUpdates} upstream ${upstreamUpdates === 1 ? 'update' : 'updates'}`);

  const details: string[] = [];
  const rateLimitedUntil = input.daemon?.rateLimitedUntil ? new Date(input.daemon.rateLimitedUntil) : undefined;
  const rateLimited = rateLimitedUntil !== undefined && !Number.isNaN(rateLimitedUntil.getTime()) && rateLimitedUntil > input.now;

  let text: string;
  let severity: SummarySeverity;
  if (input.connection === 'failed' || input.connection === 'disposed') {
    text = '$(error) daemon stopped';
    severity = 'error';
    details.push('**The SkillMeat Sync daemon is not running.** Rows cannot be checked; use Restart Daemon or Show Log.');
    if (input.connectionDetail) details.push(escapeMarkdown(input.connectionDetail));
  } else if (input.connection === 'connecting' || input.connection === 'reconnecting') {
    text = `$(sync~spin) SkillMeat ${input.connection}…`;
    severity = 'busy';
    details.push(`Connecting to the SkillMeat Sync daemon (${input.connection}).`);
  } else if (input.homeExists === false) {
    text = '$(warning) SkillMeat home not found';
    severity = 'warning';
    details.push(`No SkillMeat home at ${codeSpan(input.home ?? '?')}: nothing can be compared.`);
  } else if (driftText.length) {
    text = `$(warning) ${driftText.join(' · ')}`;
    severity = 'warning';
  } else if ((input.folderErrors ?? 0) > 0) {
    text = '$(error) SkillMeat status error';
    severity = 'error';
  } else if (rateLimited && rateLimitedUntil) {
    text = `$(cloud-offline) GitHub rate-limited until ${fmt(rateLimitedUntil)}`;
    severity = 'warning';
  } else if (input.daemon?.offline) {
    text = '$(cloud-offline) SkillMeat in sync (GitHub offline)';
    severity = 'warning';
  } else if (input.homeExists === undefined || (input.refreshing && total === 0)) {
    text = '$(sync~spin) SkillMeat';
    severity = 'busy';
  } else if (total === 0) {
    text = '$(check) SkillMeat: no deployments';
    severity = 'ok';
  } else {
    text = input.refreshing || input.daemon?.busy ? '$(sync~spin) SkillMeat in sync' : '$(check) SkillMeat in sync';
    severity = 'ok';
  }

  if (input.connection === 'connected' && input.homeExists !== false) {
    if (total) {
      const lines = STATUS_ORDER.filter((s) => counts[s] > 0).map((s) => `- ${counts[s]} ${STATUS_PRESENTATION[s].label}`);
      details.push(`**${plural(total, 'deployed artifact')}** in ${plural(input.workspaces.length, 'folder')}:`);
      details.push(lines.join('\n'));
    } else if (input.homeExists !== undefined) {
      details.push('No SkillMeat deployments in this workspace.');
    }
    if (upstreamUpdates) details.push(`${plural(upstreamUpdates, 'artifact')} with an upstream update.`);
    if (upstreamUnknown) details.push(`Upstream state unknown for ${plural(upstreamUnknown, 'artifact')}.`);
    if (input.folderErrors) details.push(`Status could not be read for ${plural(input.folderErrors, 'folder')}.`);
  }
  if (rateLimited && rateLimitedUntil) {
    details.push(`GitHub rate limit reached: upstream checks resume at ${fmt(rateLimitedUntil)}.`);
  }
  const rl = input.daemon?.rateLimit;
  if (rl) {
    details.push(
      // Where the user decides to sign in: anonymously every check after the TTL spends this too (304s included).
      `GitHub API: ${rl.remaining}/${rl.limit} requests left until ${fmt(new Date(rl.resetAt))}${rl.anonymous ? ' (anonymous, 304s count too — sign in to GitHub for 5,000 an hour)' : ''}.`,
    );
  }
  if (input.daemon?.offline) details.push('GitHub cannot be reached: upstream states may be stale.');
  if (input.daemon?.message && input.daemon.state !== 'ok') details.push(escapeMarkdown(input.daemon.message));
  for (const w of input.homeWarnings ?? []) details.push(`⚠ ${escapeMarkdown(w)}`);
  if (input.refreshing || input.daemon?.busy) details.push('_Refreshing…_');
  details.push('Click to show the Sync Status view.');

  return { text, tooltip: details.join('\n\n'), severity, counts, upstreamUpdates };
}
