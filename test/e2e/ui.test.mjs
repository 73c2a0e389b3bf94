// Browser-level test of the workbench (Playwright against code-server): what a user sees, not what
// the API says. Called by run.mjs with a fresh page; each step is reported through `test`.
// Selectors follow docs/REAL-VSCODE.md (VS Code 1.139 DOM).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const STATUSES = ['synced', 'modified', 'outdated', 'conflict', 'converged', 'missing', 'orphaned', 'unknown'];

/** Title and view names of the extension's activity-bar container, read from its package.json. */
function contributedViews(extensionDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
  const container = pkg.contributes?.viewsContainers?.activitybar?.[0];
  assert.ok(container, 'the extension contributes no activity-bar container');
  const views = pkg.contributes?.views?.[container.id] ?? [];
  const commands = pkg.contributes?.commands ?? [];
  const title = (re) => {
    const c = commands.find((x) => re.test(x.title) || re.test(x.command));
    return c ? `${c.category ? `${c.category}: ` : ''}${c.title}` : undefined;
  };
  return {
    container,
    syncView: views.find((v) => /sync/i.test(v.name)) ?? views[0],
    collectionsView: views.find((v) => /collection/i.test(v.name)),
    refreshTitle: title(/^refresh$|\.refresh$/i),
    statsTitle: title(/statistic/i),
  };
}

function pane(page, viewName) {
  return page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: viewName }) });
}

async function rowsOf(page, viewName) {
  return pane(page, viewName)
    .locator('.monaco-list-row')
    .evaluateAll((els) =>
      els.map((el) => ({
        label: el.querySelector('.label-name')?.textContent?.trim() ?? '',
        description: el.querySelector('.label-description')?.textContent?.trim() ?? '',
        aria: el.getAttribute('aria-label') ?? '',
        expanded: el.getAttribute('aria-expanded'),
        level: Number(el.getAttribute('aria-level') ?? '0'),
      })),
    );
}

/** Expands every collapsed row of a view (bounded: trees here are a few levels deep). */
async function expandAll(page, viewName) {
  for (let round = 0; round < 8; round++) {
    const collapsed = pane(page, viewName).locator('.monaco-list-row[aria-expanded="false"]');
    const n = await collapsed.count();
    if (n === 0) return;
    await collapsed.first().click();
    await page.waitForTimeout(300);
  }
}

async function ensurePaneExpanded(page, viewName) {
  const header = pane(page, viewName).locator('.pane-header');
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
}

/** Drags the side bar's sash so row descriptions are not cut off (cosmetic, for the screenshot). */
async function widenSideBar(page, width) {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || box.width >= width) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 8 });
  await page.mouse.up();
}

async function runFromPalette(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: title.split(': ').pop() });
  await pick.first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

async function errorNotifications(page) {
  return page
    .locator('.notification-toast .notification-list-item')
    .filter({ has: page.locator('.codicon-error') })
    .allInnerTexts();
}

/**
 * @param {{ page: import('playwright-core').Page, url: string, extensionDir: string,
 *   expected: { artifacts: { name: string, status: string }[], collections: { name: string, total: number }[] },
 *   screenshotPath: string, test: (name: string, fn: () => Promise<void>) => Promise<void>, log: (m: string) => void }} o
 */
export async function runUiTests(o) {
  const { page, expected, test, log } = o;
  const views = contributedViews(o.extensionDir);
  let opened = false;

  await test('workbench loads the workspace', async () => {
    await page.goto(o.url);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.activitybar').waitFor({ state: 'visible', timeout: 30_000 });
  });

  await test(`opens the ${views.container.title} view from the activity bar`, async () => {
    const entry = page.locator(`.activitybar .action-item a[aria-label^="${views.container.title}"]`);
    await entry.first().waitFor({ state: 'visible', timeout: 30_000 });
    await entry.first().click();
    await pane(page, views.syncView.name).waitFor({ state: 'visible', timeout: 20_000 });
    opened = true;
    await widenSideBar(page, 560);
  });

  let rows = [];
  await test(`${views.syncView.name} shows every deployed artifact with its status`, async () => {
    assert.ok(opened, 'view not open');
    await ensurePaneExpanded(page, views.syncView.name);
    const deadline = Date.now() + 45_000;
    let missing = [];
    for (;;) {
      await expandAll(page, views.syncView.name);
      rows = await rowsOf(page, views.syncView.name);
      missing = expected.artifacts.filter((a) => {
        const r = rows.find((x) => x.label === a.name);
        return !r || !`${r.description} ${r.aria}`.toLowerCase().includes(a.status);
      });
      if (missing.length === 0 || Date.now() > deadline) break;
      await page.waitForTimeout(500);
    }
    log(`rows: ${rows.map((r) => `${'  '.repeat(Math.max(0, r.level - 1))}${r.label} — ${r.description}`).join(' | ')}`);
    assert.deepEqual(
      missing.map((a) => `${a.name}: ${a.status}`),
      [],
      `rows without their expected status; the view shows: ${JSON.stringify(rows.map((r) => [r.label, r.description]))}`,
    );
    for (const r of rows.filter((x) => expected.artifacts.some((a) => a.name === x.label))) {
      const shown = STATUSES.filter((s) => new RegExp(`\\b${s}\\b`, 'i').test(`${r.description} ${r.aria}`));
      assert.ok(shown.length >= 1, `row ${r.label} names no status`);
    }
  });

  if (views.collectionsView) {
    await test(`${views.collectionsView.name} shows each collection's total`, async () => {
      await ensurePaneExpanded(page, views.collectionsView.name);
      let crow;
      const deadline = Date.now() + 30_000;
      for (;;) {
        await expandAll(page, views.collectionsView.name);
        const crows = await rowsOf(page, views.collectionsView.name);
        crow = expected.collections.map((c) => ({ c, rows: crows }));
        const ok = expected.collections.every((c) => {
          const text = crows.map((r) => `${r.label} ${r.description} ${r.aria}`).join('\n');
          return text.includes(c.name) && new RegExp(`\\b${c.total}\\b`).test(text);
        });
        if (ok) break;
        if (Date.now() > deadline) {
          assert.fail(`collections view lacks names/totals: ${JSON.stringify(crows.map((r) => [r.label, r.description]))}`);
        }
        await page.waitForTimeout(500);
      }
      log(`collections: ${crow[0].rows.map((r) => `${r.label} ${r.description}`).join(' | ')}`);
    });
  }

  await test('status bar summarises the rows', async () => {
    const counts = {};
    for (const a of expected.artifacts) counts[a.status] = (counts[a.status] ?? 0) + 1;
    const wanted = ['modified', 'outdated'].filter((s) => counts[s]).map((s) => `${counts[s]} ${s}`);
    let texts = [];
    const deadline = Date.now() + 30_000;
    for (;;) {
      texts = (await page.locator('.statusbar-item').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      if (texts.some((t) => wanted.every((w) => t.includes(w)))) break;
      if (Date.now() > deadline) assert.fail(`no status bar item shows ${wanted.join(' and ')}; items: ${JSON.stringify(texts.filter(Boolean))}`);
      await page.waitForTimeout(500);
    }
    log(`status bar: ${texts.find((t) => wanted.every((w) => t.includes(w)))}`);
  });

  await test('screenshot of the views', async () => {
    // Hover a drifted row so the picture shows the tooltip with the four hashes.
    const drifted = expected.artifacts.find((a) => a.status === 'modified') ?? expected.artifacts[0];
    const row = pane(page, views.syncView.name).locator('.monaco-list-row', { hasText: drifted.name }).first();
    await row.hover();
    await page.locator('.monaco-hover, .workbench-hover').first().waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
    await page.waitForTimeout(300);
    await page.screenshot({ path: o.screenshotPath });
    await page.mouse.move(700, 450);
    const size = fs.statSync(o.screenshotPath).size;
    assert.ok(size > 10_000, `screenshot is suspiciously small (${size} bytes)`);
  });

  if (views.refreshTitle) {
    await test(`"${views.refreshTitle}" from the command palette keeps the rows right`, async () => {
      await runFromPalette(page, views.refreshTitle);
      await page.waitForTimeout(1500);
      assert.deepEqual(await errorNotifications(page), [], 'error notification after Refresh');
      const after = await rowsOf(page, views.syncView.name);
      for (const a of expected.artifacts) {
        const r = after.find((x) => x.label === a.name);
        assert.ok(r, `row ${a.name} gone after Refresh`);
        assert.ok(`${r.description} ${r.aria}`.toLowerCase().includes(a.status), `row ${a.name} lost status ${a.status}`);
      }
    });
  }

  if (views.statsTitle) {
    await test(`"${views.statsTitle}" from the command palette shows cache statistics`, async () => {
      await runFromPalette(page, views.statsTitle);
      // The statistics may land in a notification, an editor or an output panel: look for their words.
      const deadline = Date.now() + 20_000;
      let text = '';
      for (;;) {
        text = await page.locator('.monaco-workbench').innerText();
        if (/hit rate|hits|misses|cache/i.test(text.replace(/Show Cache Statistics/gi, ''))) break;
        if (Date.now() > deadline) assert.fail('no cache statistics appeared after the command');
        await page.waitForTimeout(500);
      }
      assert.deepEqual(await errorNotifications(page), [], 'error notification after Show Cache Statistics');
    });
  }

  if (o.upstream && o.changesScreenshotPath) {
    const up = o.upstream;
    const view = pane(page, views.syncView.name);
    const rowOf = (label) => view.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) });

    await test('Check Upstream Now: the github skill shows its upstream update', async () => {
      await runFromPalette(page, 'SkillMeat: Check Upstream Now');
      const deadline = Date.now() + 45_000;
      for (;;) {
        const r = (await rowsOf(page, views.syncView.name)).find((x) => x.label === up.name);
        if (r && /update|changed upstream/.test(r.description)) {
          log(`${up.name}: ${r.description}`);
          break;
        }
        if (Date.now() > deadline) assert.fail(`${up.name} never showed an upstream update: ${JSON.stringify(r)}`);
        await page.waitForTimeout(500);
      }
    });

    await test('the activity bar shows the view badge with the count needing attention', async () => {
      const needing = expected.artifacts.filter((a) => a.status !== 'synced').length + 1;
      const badge = page.locator(`.activitybar .action-item:has(a[aria-label^="${views.container.title}"]) .badge`);
      const deadline = Date.now() + 20_000;
      let text = '';
      for (;;) {
        text = ((await badge.first().innerText().catch(() => '')) ?? '').trim();
        if (text === String(needing)) break;
        if (Date.now() > deadline) assert.fail(`activity bar badge shows "${text}", expected ${needing}`);
        await page.waitForTimeout(500);
      }
    });

    await test('Compare With… lists every scope with its summary, and explains the ones that do not apply', async () => {
      // Not runFromPalette: the command opens a quick pick of its own at once, so the widget never hides.
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('>SkillMeat: Compare With');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Compare With' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
      // first the artifact, then the scopes
      const artifactPick = page.locator('.quick-input-widget input[placeholder="Artifact to compare"], .quick-input-widget input[aria-label*="Artifact to compare"]');
      await artifactPick.first().waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('pdf-tools');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'pdf-tools' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
      const deadline = Date.now() + 20_000;
      let items = [];
      for (;;) {
        items = (await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
        const project = items.find((t) => t.startsWith('Project ↔ collection'));
        if (project && !/comparing…/.test(items.join(' '))) break;
        if (Date.now() > deadline) assert.fail(`scopes never settled: ${JSON.stringify(items)}`);
        await page.waitForTimeout(300);
      }
      log(`compare with: ${items.join(' | ')}`);
      assert.match(items.find((t) => t.startsWith('Project ↔ collection')) ?? '', /1 modified · 3 unchanged/);
      for (const label of ['Collection ↔ upstream', 'Project ↔ upstream', 'Upstream changes']) {
        assert.match(items.find((t) => t.startsWith(label)) ?? '', /unavailable: not tracked upstream/, `${label} of a local skill`);
      }
      await page.keyboard.press('Escape');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    });

    await test('file rows with letters, and an upstream diff open (screenshot)', async () => {
      // Expand the modified skill and the github skill; their file rows come from the daemon.
      for (const name of ['pdf-tools', up.name]) {
        const r = rowOf(name).first();
        await r.waitFor({ state: 'visible', timeout: 10_000 });
        if ((await r.getAttribute('aria-expanded')) === 'false') await r.locator('.monaco-tl-twistie').click();
      }
      const deadline = Date.now() + 30_000;
      let rows = [];
      for (;;) {
        rows = await rowsOf(page, views.syncView.name);
        const i = rows.findIndex((x) => x.label === up.name);
        const under = rows.slice(i + 1).filter((x) => x.level === rows[i].level + 1).map((x) => x.label);
        if (i >= 0 && under.includes('SKILL.md') && under.includes('release.md')) break;
        if (Date.now() > deadline) assert.fail(`no file rows under ${up.name}: ${JSON.stringify(rows.map((x) => [x.label, x.description]))}`);
        await page.waitForTimeout(500);
      }
      log(`file rows: ${rows.filter((x) => x.level >= 4).map((x) => `${x.label} ${x.description}`).join(' | ')}`);
      // Open the upstream diff of SKILL.md under the github skill.
      const all = view.locator('.monaco-list-row');
      const n = await all.count();
      let target = -1;
      let seen = false;
      for (let i = 0; i < n; i++) {
        const label = ((await all.nth(i).locator('.label-name').first().textContent()) ?? '').trim();
        if (label === up.name) seen = true;
        else if (seen && label === 'SKILL.md') {
          target = i;
          break;
        }
      }
      assert.ok(target >= 0, 'no SKILL.md row under the github skill');
      await all.nth(target).click();
      const tab = page.locator('.tabs-container .tab', { hasText: `upstream ${up.headSha.slice(0, 7)}` });
      await tab.first().waitFor({ state: 'visible', timeout: 20_000 });
      await page.locator('.monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 20_000 });
      await page.mouse.move(700, 880);
      await page.waitForTimeout(1500);
      await page.screenshot({ path: o.changesScreenshotPath });
      let editorText = '';
      const shownBy = Date.now() + 10_000;
      for (;;) {
        editorText = (await page.locator('.monaco-diff-editor .editor.modified .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
        if (/Deprecated/.test(editorText)) break;
        if (Date.now() > shownBy) assert.fail(`the head side of the upstream diff is not shown: ${editorText.slice(0, 300)}`);
        await page.waitForTimeout(300);
      }
      const size = fs.statSync(o.changesScreenshotPath).size;
      assert.ok(size > 10_000, `screenshot is suspiciously small (${size} bytes)`);
    });
  }
}
