import * as assert from 'node:assert/strict';
import { summarize, type SummaryInput } from '../../../extension/statusSummary';
import type { WorkspaceStatus } from '../../../shared/types';
import { fixtureWorkspace, row } from './rows';

const NOW = new Date('2026-01-01T13:00:00Z');
const base = (over: Partial<SummaryInput> = {}): SummaryInput => ({
  connection: 'connected',
  homeExists: true,
  home: '/home/u/.skillmeat',
  workspaces: [fixtureWorkspace('after-deploy')],
  refreshing: false,
  now: NOW,
  formatTime: (d) => d.toISOString().slice(11, 16),
  ...over,
});

describe('statusSummary', () => {
  it('says in sync when every row is synced', () => {
    const s = summarize(base());
    assert.equal(s.text, '$(check) SkillMeat in sync');
    assert.equal(s.severity, 'ok');
    assert.match(s.tooltip, /\*\*4 deployed artifacts\*\* in 1 folder/);
    assert.match(s.tooltip, /- 4 synced/);
  });

  it('summarises the real fixture drift: outdated first, then modified', () => {
    const s = summarize(base({ workspaces: [fixtureWorkspace('after-edits')] }));
    assert.equal(s.text, '$(warning) 1 outdated · 2 modified');
    assert.equal(s.severity, 'warning');
    assert.equal(s.counts.modified, 2);
    assert.equal(s.counts.outdated, 1);
    assert.equal(s.counts.synced, 1);
  });

  it('counts upstream updates and unknown rows, never calling them in sync', () => {
    const ws: WorkspaceStatus = {
      folder: '/ws',
      artifacts: [
        row({ name: 'a', upstream: { state: 'update-available' } }),
        row({ name: 'b', status: 'unknown', reason: 'cannot read' }),
        row({ name: 'c', upstream: { state: 'unknown', reason: 'rate limited' } }),
      ],
      notDeployed: [],
    };
    const s = summarize(base({ workspaces: [ws] }));
    assert.equal(s.text, '$(warning) 1 unknown · 1 upstream update');
    assert.match(s.tooltip, /Upstream state unknown for 1 artifact\./);
  });

  it('shows the daemon as stopped, with the reason in the tooltip', () => {
    const s = summarize(base({ connection: 'failed', connectionDetail: 'spawn EACCES', workspaces: [fixtureWorkspace('after-edits')] }));
    assert.equal(s.text, '$(error) daemon stopped');
    assert.equal(s.severity, 'error');
    assert.match(s.tooltip, /spawn EACCES/);
    assert.doesNotMatch(s.tooltip, /deployed artifacts/);
  });

  it('shows the rate limit with the local reset time when nothing else needs attention', () => {
    const s = summarize(
      base({
        daemon: {
          state: 'warning',
          rateLimitedUntil: '2026-01-01T14:05:00Z',
          rateLimit: { limit: 60, remaining: 0, resetAt: '2026-01-01T14:05:00Z', anonymous: true },
        },
      }),
    );
    assert.equal(s.text, '$(cloud-offline) GitHub rate-limited until 14:05');
    assert.match(s.tooltip, /0\/60 requests left until 14:05 \(anonymous, 304s count too — sign in to GitHub for 5,000 an hour\)/);
  });

  it('ignores a rate limit that has already reset', () => {
    const s = summarize(base({ daemon: { state: 'ok', rateLimitedUntil: '2026-01-01T12:00:00Z' } }));
    assert.equal(s.text, '$(check) SkillMeat in sync');
  });

  it('drift wins over the rate limit in the text, and the tooltip still tells about the limit', () => {
    const s = summarize(base({ workspaces: [fixtureWorkspace('after-edits')], daemon: { state: 'warning', rateLimitedUntil: '2026-01-01T14:05:00Z' } }));
    assert.equal(s.text, '$(warning) 1 outdated · 2 modified');
    assert.match(s.tooltip, /upstream checks resume at 14:05/);
  });

  it('reports a missing home, connecting, offline and per-folder errors distinctly', () => {
    assert.equal(summarize(base({ homeExists: false })).text, '$(warning) SkillMeat home not found');
    assert.equal(summarize(base({ connection: 'reconnecting' })).text, '$(sync~spin) SkillMeat reconnecting…');
    assert.equal(summarize(base({ daemon: { state: 'warning', offline: true } })).text, '$(cloud-offline) SkillMeat in sync (GitHub offline)');
    assert.equal(summarize(base({ folderErrors: 1 })).text, '$(error) SkillMeat status error');
    assert.equal(summarize(base({ homeExists: undefined, workspaces: [] })).severity, 'busy');
    assert.equal(summarize(base({ workspaces: [{ folder: '/ws', artifacts: [], notDeployed: [] }] })).text, '$(check) SkillMeat: no deployments');
  });

  it('escapes home warnings in the tooltip', () => {
    const s = summarize(base({ homeWarnings: ['config.toml: top-level `active_collection` = "x" disagrees'] }));
    assert.match(s.tooltip, /⚠ config\\\.toml: top\\-level \\`active\\_collection\\` = "x" disagrees/);
  });
});
