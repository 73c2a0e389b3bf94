import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { settingsParams } from '../../../shared/params';
import { DEFAULT_SETTINGS, readSettings } from '../../../extension/settingsModel';
import { daemonDefault, SETTINGS, type SettingDeclaration } from '../../../shared/settings';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Record<string, unknown>> } };
};
const contributed = manifest.contributes.configuration.properties;
const all = Object.values(SETTINGS) as SettingDeclaration[];
const daemonSide = all.filter((s) => s.side !== 'extension');
const extensionSide = all.filter((s) => s.side !== 'daemon');

/** A valid value of each setting other than its default, for round trips. */
function otherValue(s: SettingDeclaration): unknown {
  switch (s.kind) {
    case 'number':
      return s.max;
    case 'enum':
      return s.values.find((v) => v !== s.default);
    case 'boolean':
      return !s.default;
    case 'url':
      return 'https://ghe.example.com/api/v3';
    case 'string':
      return '/some/where';
  }
}

describe('settings: declared once in shared/settings.ts', () => {
  it('package.json contributes exactly the contributed settings', () => {
    assert.deepEqual(
      Object.keys(contributed).sort(),
      all
        .filter((s) => s.contributed)
        .map((s) => `skillmeatSync.${s.key}`)
        .sort(),
    );
    for (const s of all) assert.equal(SETTINGS[s.key as keyof typeof SETTINGS], s, `${s.key} is declared under its own key`);
  });

  it('each contributed setting has the declared type, default, range and values', () => {
    for (const s of all.filter((x) => x.contributed)) {
      const p = contributed[`skillmeatSync.${s.key}`];
      const where = `package.json skillmeatSync.${s.key}`;
      assert.deepEqual(p.default, s.default, `${where}: default`);
      switch (s.kind) {
        case 'number':
          assert.equal(p.type, 'number', where);
          assert.equal(p.minimum, s.min, `${where}: minimum`);
          assert.equal(p.maximum, s.max, `${where}: maximum`);
          break;
        case 'enum':
          assert.equal(p.type, 'string', where);
          assert.deepEqual(p.enum, [...s.values], `${where}: enum`);
          break;
        case 'boolean':
          assert.equal(p.type, 'boolean', where);
          break;
        case 'url':
          assert.equal(p.type, 'string', where);
          assert.equal(p.format, 'uri', where);
          break;
        case 'string':
          assert.equal(p.type, 'string', where);
          break;
      }
    }
  });

  it('the daemon validates every daemon-side setting, with the declared range', () => {
    const every: Record<string, unknown> = {};
    for (const s of daemonSide) every[s.key] = otherValue(s);
    assert.deepEqual(Object.keys(settingsParams(every)).sort(), Object.keys(every).sort(), 'no daemon-side setting is dropped by the validator');
    for (const s of daemonSide) {
      if (s.kind === 'number') {
        assert.deepEqual(settingsParams({ [s.key]: s.min }), { [s.key]: s.min });
        assert.deepEqual(settingsParams({ [s.key]: s.max }), { [s.key]: s.max });
        for (const bad of [s.min - 1, s.max + 1, Number.NaN, String(s.default)]) {
          assert.throws(() => settingsParams({ [s.key]: bad }), new RegExp(`^Error: ${s.key} must be a number between ${s.min} and ${s.max}$`), `${s.key}=${bad}`);
        }
      } else if (s.kind === 'enum') {
        for (const v of s.values) assert.deepEqual(settingsParams({ [s.key]: v }), { [s.key]: v });
        assert.throws(() => settingsParams({ [s.key]: 'nonsense' }), new RegExp(`${s.key} must be one of ${s.values.join(', ')}`));
      } else if (s.kind === 'url') {
        assert.deepEqual(settingsParams({ [s.key]: 'http://127.0.0.1:9/api/' }), { [s.key]: 'http://127.0.0.1:9/api' });
        for (const bad of ['ftp://x', 'not a url', 42]) assert.throws(() => settingsParams({ [s.key]: bad }), /must be an http\(s\) URL/);
      }
    }
  });

  it('the extension reads every editor-side setting with the declared default and range', () => {
    const { settings, problems } = readSettings(() => undefined, {}, '/home/u');
    assert.deepEqual(problems, []);
    for (const s of extensionSide) {
      if (s.key === 'home') continue; // resolved to a path, not a value
      assert.deepEqual((DEFAULT_SETTINGS as Record<string, unknown>)[s.key], s.default, `${s.key} default`);
      assert.deepEqual((settings as unknown as Record<string, unknown>)[s.key], s.default, `${s.key} read default`);
      const other = otherValue(s);
      const read = readSettings((k) => (k === s.key ? other : undefined), {}, '/home/u');
      assert.deepEqual(read.problems, [], `${s.key}=${String(other)} is accepted`);
      assert.deepEqual((read.settings as unknown as Record<string, unknown>)[s.key], other, `${s.key} takes a valid value`);
      if (s.kind === 'number') {
        const over = readSettings((k) => (k === s.key ? s.max + 1 : undefined), {}, '/home/u');
        assert.deepEqual(over.problems, [`skillmeatSync.${s.key} must be a number from ${s.min} to ${s.max}; using ${s.default}.`]);
      }
    }
  });

  it('the daemon default differs from the editor default only where declared', () => {
    for (const s of all) {
      if (s.kind !== 'number') continue;
      if (s.key === 'autoCheckIntervalMinutes') assert.equal(daemonDefault(s), 0, 'a daemon nobody configured never polls GitHub');
      else assert.equal(daemonDefault(s), s.default, s.key);
    }
  });
});
