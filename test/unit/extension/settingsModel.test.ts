import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  DEFAULT_SETTINGS,
  daemonSettingsChanged,
  levelEnabled,
  readSettings,
  resolveHome,
  toDaemonSettings,
} from '../../../extension/settingsModel';

const HOME = '/home/u';

describe('settingsModel', () => {
  it('resolves the SkillMeat home: setting, then SKILLMEAT_HOME, then ~/.skillmeat', () => {
    assert.equal(resolveHome('', {}, HOME), path.join(HOME, '.skillmeat'));
    assert.equal(resolveHome('  ', { SKILLMEAT_HOME: '/srv/sm' }, HOME), '/srv/sm');
    assert.equal(resolveHome('~/alt', { SKILLMEAT_HOME: '/srv/sm' }, HOME), path.join(HOME, 'alt'));
    assert.equal(resolveHome('~', {}, HOME), HOME);
    assert.equal(resolveHome('rel/dir', {}, HOME), path.join(HOME, 'rel/dir'));
  });

  it('uses the defaults when nothing is set', () => {
    const { settings, problems } = readSettings(() => undefined, {}, HOME);
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, { ...DEFAULT_SETTINGS, home: path.join(HOME, '.skillmeat') });
  });

  it('takes valid values and rejects bad ones one by one with a clear message', () => {
    const values: Record<string, unknown> = {
      home: '/data/skillmeat',
      countsTtlSeconds: 30,
      upstreamTtlSeconds: -5,
      autoCheckIntervalMinutes: 'often',
      githubApiUrl: 'ftp://example.com',
      groupBy: 'status',
      logLevel: 'verbose',
      showStatusBar: 'yes',
      idleShutdownSeconds: 0,
    };
    const { settings, problems } = readSettings((k) => values[k], {}, HOME);
    assert.equal(settings.home, '/data/skillmeat');
    assert.equal(settings.countsTtlSeconds, 30);
    assert.equal(settings.upstreamTtlSeconds, 300);
    assert.equal(settings.autoCheckIntervalMinutes, 60);
    assert.equal(settings.githubApiUrl, 'https://api.github.com');
    assert.equal(settings.groupBy, 'status');
    assert.equal(settings.logLevel, 'info');
    assert.equal(settings.showStatusBar, true);
    assert.equal(settings.idleShutdownSeconds, 0);
    assert.equal(problems.length, 5);
    assert.ok(problems.some((p) => p.startsWith('skillmeatSync.upstreamTtlSeconds must be a number from 0')));
    assert.ok(problems.some((p) => p.startsWith('skillmeatSync.githubApiUrl is not an http(s) URL')));
    assert.ok(problems.some((p) => p.startsWith('skillmeatSync.logLevel must be one of error, warn, info, debug')));
  });

  it('normalises a GitHub Enterprise URL and hands the daemon its settings', () => {
    const { settings } = readSettings((k) => (k === 'githubApiUrl' ? 'https://ghe.example.com/api/v3/' : undefined), {}, HOME);
    assert.equal(settings.githubApiUrl, 'https://ghe.example.com/api/v3');
    assert.deepEqual(toDaemonSettings(settings), {
      countsTtlSeconds: 300,
      upstreamTtlSeconds: 300,
      autoCheckIntervalMinutes: 60,
      githubApiUrl: 'https://ghe.example.com/api/v3',
      idleShutdownSeconds: 600,
      logLevel: 'info',
    });
    const other = { ...settings, groupBy: 'status' as const };
    assert.equal(daemonSettingsChanged(settings, other), false, 'view-only settings do not reconfigure the daemon');
    assert.equal(daemonSettingsChanged(settings, { ...settings, countsTtlSeconds: 1 }), true);
  });

  it('filters log levels', () => {
    assert.equal(levelEnabled('info', 'debug'), false);
    assert.equal(levelEnabled('info', 'warn'), true);
    assert.equal(levelEnabled('error', 'error'), true);
  });
});
