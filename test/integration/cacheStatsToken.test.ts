// The cache statistics (the editor's report, `cache stats` on the CLI) say where the GitHub token
// came from and never print the token itself — checked with a real token handed to a real daemon.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { cacheStatsReport } from '../../extension/cacheStatsReport';
import { StatsRequest } from '../../shared/protocol';
import { Harness } from '../helpers/daemonHarness';

describe('cache statistics never print the GitHub token', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.cleanup());

  it('the editor\'s report names the token\'s source only; the CLI and the log print no token', async () => {
    h = new Harness({ fixture: 'after-deploy' });
    const token = `ghp_${'Zq7'.repeat(12)}`;
    const c = h.client();
    await c.start();
    await c.setToken(token, 'vscode');
    const stats = await c.request(StatsRequest, undefined);
    assert.equal(stats.github.tokenSource, 'vscode', 'the daemon holds the token handed over');
    assert.ok(!JSON.stringify(stats).includes(token), 'stats over the wire carry no token');

    const report = cacheStatsReport(stats, new Date());
    assert.match(report, /- token: vscode/);
    assert.ok(!report.includes(token), 'the editor\'s report prints no token');
    assert.ok(!report.includes(token.slice(4, 20)), 'nor any part of it');

    for (const args of [['cache', 'stats'], ['cache', 'stats', '--json']]) {
      const r = await h.cli(args);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!r.stdout.includes(token) && !r.stderr.includes(token), `${args.join(' ')} prints no token`);
    }
    assert.ok(!fs.readFileSync(h.paths.logPath, 'utf8').includes(token), 'the daemon log holds no token');
  });
});
