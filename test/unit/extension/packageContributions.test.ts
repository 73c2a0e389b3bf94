// package.json's contributions must agree with the code: a menu naming a missing command, or a
// setting the code never reads, is a bug nobody sees until a user clicks.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SETTINGS } from '../../../extension/settingsModel';

const ROOT = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  icon?: string;
  extensionKind?: string[];
  activationEvents?: string[];
  contributes: {
    commands: { command: string; title: string; category?: string; icon?: string }[];
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    views: Record<string, { id: string; name: string }[]>;
    viewsWelcome: { view: string; contents: string; when?: string }[];
    configuration: { properties: Record<string, { default?: unknown }> };
  };
};
const c = pkg.contributes;

describe('package.json contributions', () => {
  it('declares the SkillMeat container with the two views and existing icons', () => {
    assert.deepEqual(c.viewsContainers.activitybar.map((v) => v.id), ['skillmeat']);
    assert.deepEqual(c.views.skillmeat?.map((v) => v.id), ['skillmeatSync.status', 'skillmeatSync.collections']);
    for (const icon of [c.viewsContainers.activitybar[0]!.icon, pkg.icon!]) {
      assert.ok(fs.existsSync(path.join(ROOT, icon)), `${icon} missing`);
    }
    assert.deepEqual(pkg.extensionKind, ['workspace']);
  });

  it('every command has a title and the SkillMeat category, and the code registers it', () => {
    const source = fs.readFileSync(path.join(ROOT, 'extension/commands.ts'), 'utf8');
    const registered = new Set([...source.matchAll(/reg\('([A-Za-z]+)'/g)].map((m) => `skillmeatSync.${m[1]}`));
    assert.ok(c.commands.length >= 15);
    for (const cmd of c.commands) {
      assert.ok(cmd.title, `${cmd.command} has no title`);
      assert.equal(cmd.category, 'SkillMeat', `${cmd.command} category`);
      assert.ok(registered.has(cmd.command), `${cmd.command} is contributed but not registered`);
    }
    const contributed = new Set(c.commands.map((x) => x.command));
    for (const id of registered) assert.ok(contributed.has(id), `${id} is registered but not contributed`);
  });

  it('menus reference contributed commands and only our views', () => {
    const contributed = new Set(c.commands.map((x) => x.command));
    for (const [menu, items] of Object.entries(c.menus)) {
      for (const item of items) {
        assert.ok(contributed.has(item.command), `${menu} names unknown ${item.command}`);
        // the palette only hides commands that need a tree node (a file row)
        if (menu === 'commandPalette') assert.equal(item.when, 'false', `${item.command} in the palette`);
        else assert.match(item.when ?? '', /view == skillmeatSync\.(status|collections)/);
      }
    }
  });

  it('welcome content is driven by view states the code sets', () => {
    const source = fs.readFileSync(path.join(ROOT, 'extension/context.ts'), 'utf8');
    const states = /export type ViewState = ([^;]+);/.exec(source)?.[1] ?? '';
    for (const w of c.viewsWelcome) {
      const m = /^skillmeatSync\.viewState == (\w+)$/.exec(w.when ?? '');
      assert.ok(m, `unexpected when clause ${w.when}`);
      assert.ok(states.includes(`'${m[1]}'`), `view state ${m[1]} is never set`);
    }
    const daemonFailed = c.viewsWelcome.find((w) => w.view === 'skillmeatSync.status' && /daemonFailed/.test(w.when ?? ''));
    assert.match(daemonFailed?.contents ?? '', /command:skillmeatSync\.showLog/);
  });

  it('settings are exactly the ones the code reads, with the same defaults', () => {
    const props = c.configuration.properties;
    const keys = Object.keys(props).map((k) => k.replace(/^skillmeatSync\./, '')).sort();
    assert.deepEqual(keys, ['home', ...Object.keys(DEFAULT_SETTINGS)].sort());
    for (const [k, v] of Object.entries(DEFAULT_SETTINGS)) {
      assert.deepEqual(props[`skillmeatSync.${k}`]?.default, v, `default of ${k}`);
    }
  });

  it('colours named by the decorations are contributed, each with defaults for every theme kind', () => {
    const colors = (pkg.contributes as unknown as { colors?: { id: string; defaults: Record<string, string> }[] }).colors ?? [];
    const source = fs.readFileSync(path.join(ROOT, 'extension/explorerDecorations.ts'), 'utf8');
    const used = [...new Set([...source.matchAll(/'(skillmeatSync\.[A-Za-z]+)'/g)].map((m) => m[1]))];
    assert.ok(used.length >= 4);
    for (const id of used) {
      const c = colors.find((x) => x.id === id);
      assert.ok(c, `colour ${id} is used but not contributed`);
      assert.deepEqual(Object.keys(c.defaults).sort(), ['dark', 'highContrast', 'light']);
    }
  });

  it('activates on a tracker file in the workspace, not on startup', () => {
    const events = pkg.activationEvents ?? [];
    assert.ok(events.includes('workspaceContains:.claude/.skillmeat-deployed.toml'));
    assert.ok(!events.includes('*') && !events.includes('onStartupFinished'));
  });
});
