import * as assert from 'node:assert/strict';
import { cacheStatsReport } from '../../../extension/cacheStatsReport';
import type { StatsResult } from '../../../shared/protocol';

const stats: StatsResult = {
  daemon: {
    pid: 4242,
    version: '0.1.0',
    protocolVersion: 1,
    uptimeSeconds: 12.4,
    socketPath: '/run/sms/d.sock',
    logPath: '/state/daemon.log',
    statePath: '/state/state.json',
    home: '/home/u/.skillmeat',
    clients: 2,
    idleShutdownSeconds: 600,
    watchers: { healthy: false, watched: 7, message: 'inotify limit reached' },
    persistence: { enabled: true },
  },
  caches: [
    { name: 'hashes', size: 10, ttlSeconds: 0, hits: 3, misses: 1, hitRate: 0.75 },
    { name: 'counts|odd', size: 1, ttlSeconds: 300, hits: 0, misses: 0, hitRate: 0, stale: 0, evictions: 2 },
  ],
  github: {
    apiUrl: 'https://api.github.com',
    tokenSource: 'vscode',
    rateLimit: { limit: 5000, remaining: 4990, resetAt: '2026-01-01T13:00:00Z', anonymous: false },
  },
};

describe('cacheStatsReport', () => {
  it('renders one table row per cache with the hit rate, and the daemon facts', () => {
    const text = cacheStatsReport(stats, new Date('2026-01-01T12:00:00Z'));
    assert.match(text, /^\| hashes \| 10 \| 0 \| 3 \| 1 \| 75\.0 % \| {2}\| {2}\|$/m);
    assert.match(text, /^\| counts\\\|odd \| 1 \| 300 \| 0 \| 0 \| 0\.0 % \| 0 \| 2 \|$/m);
    assert.match(text, /- token: vscode/);
    assert.match(text, /- rate limit: 4990\/5000 left, resets at 2026-01-01T13:00:00Z/);
    assert.match(text, /- watchers: degraded, 7 watched — inotify limit reached/);
    assert.match(text, /pid 4242, up 12 s/);
  });

  // That a real token never reaches the report: test/integration/cacheStatsToken.test.ts.
  it('says "none" without a token source, and no rate limit it was not given', () => {
    const text = cacheStatsReport({ ...stats, github: { apiUrl: 'https://x', tokenSource: '' } }, new Date());
    assert.match(text, /- token: none/);
    assert.doesNotMatch(text, /rate limit/);
  });
});
