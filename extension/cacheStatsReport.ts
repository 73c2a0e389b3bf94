// Cache Statistics as a Markdown document. Pure, so the formatting is tested without VS Code.
import type { StatsResult } from '../shared/protocol';

function cell(v: unknown): string {
  return String(v ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function cacheStatsReport(stats: StatsResult, now: Date): string {
  const d = stats.daemon;
  const lines: string[] = ['# SkillMeat Sync — cache statistics', ''];
  lines.push('| cache | entries | TTL (s) | hits | misses | hit rate | stale | evictions |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of stats.caches) {
    const rate = Number.isFinite(c.hitRate) ? `${(c.hitRate * 100).toFixed(1)} %` : '—';
    lines.push(
      `| ${cell(c.name)} | ${cell(c.size)} | ${c.ttlSeconds < 0 ? 'none' : cell(c.ttlSeconds)} | ${cell(c.hits)} | ${cell(c.misses)} | ${rate} | ${cell(c.stale ?? '')} | ${cell(c.evictions ?? '')} |`,
    );
  }
  lines.push('', '## GitHub', '');
  lines.push(`- API: ${stats.github.apiUrl}`);
  lines.push(`- token: ${stats.github.tokenSource || 'none'}`);
  const rl = stats.github.rateLimit;
  if (rl) {
    const reset = Date.parse(rl.resetAt);
    const when = Number.isNaN(reset) ? rl.resetAt : reset <= now.getTime() ? 'already reset' : `resets at ${rl.resetAt}`;
    lines.push(`- rate limit: ${rl.remaining}/${rl.limit} left${rl.anonymous ? ' (anonymous)' : ''}, ${when}`);
  }
  lines.push('', '## Daemon', '');
  lines.push(`- version ${d.version} (protocol ${d.protocolVersion}), pid ${d.pid}, up ${Math.round(d.uptimeSeconds)} s`);
  lines.push(`- home: ${d.home}`);
  lines.push(`- clients: ${d.clients}; idle shutdown after ${d.idleShutdownSeconds} s`);
  lines.push(`- watchers: ${d.watchers.healthy ? 'healthy' : 'degraded'}, ${d.watchers.watched} watched${d.watchers.message ? ` — ${d.watchers.message}` : ''}`);
  lines.push(`- persistence: ${d.persistence.enabled ? 'on' : 'off'}${d.persistence.message ? ` — ${d.persistence.message}` : ''}`);
  lines.push(`- socket: ${d.socketPath}`);
  lines.push(`- log: ${d.logPath}`);
  lines.push(`- state: ${d.statePath}`);
  lines.push('');
  return lines.join('\n');
}
