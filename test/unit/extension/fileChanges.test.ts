import * as assert from 'node:assert/strict';
import {
  comparisonFor,
  defaultComparisons,
  diffTitle,
  fileRows,
  hasFileRows,
  lineCounts,
  noChangesText,
  scopeUnavailable,
  sideText,
  shownDiff,
  sideLabel,
  summaryText,
  upstreamChangesText,
} from '../../../extension/fileChanges';
import type { DiffResult } from '../../../shared/types';
import { row } from './rows';

const HEAD = '357e5f7aa1b2c3d4e5f60718293a4b5c6d7e8f90';
const BASE = '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d';

function projectDiff(): DiffResult {
  return {
    key: 'default/pdf-tools::skill::claude_code',
    scope: 'collection-project',
    from: { side: 'collection' },
    to: { side: 'project' },
    files: [
      { path: 'SKILL.md', status: 'modified', additions: 3, deletions: 1 },
      { path: 'references/new.md', status: 'added', additions: 5, deletions: 0 },
      { path: 'scripts/old.py', status: 'deleted', additions: 0, deletions: 7 },
      { path: 'logo.png', status: 'modified', binary: true },
      { path: 'references/guide.md', status: 'unchanged', additions: 0, deletions: 0 },
      { path: 'README.md', status: 'unchanged', additions: 0, deletions: 0 },
    ],
    summary: { added: 1, modified: 2, deleted: 1, unchanged: 2 },
  };
}

describe('fileChanges (file rows, scopes, titles)', () => {
  it('rows that expand: drifted statuses and upstream updates, not synced or missing rows', () => {
    assert.equal(hasFileRows(row({ name: 'a', status: 'modified' })), true);
    assert.equal(hasFileRows(row({ name: 'a', status: 'outdated' })), true);
    assert.equal(hasFileRows(row({ name: 'a', status: 'conflict' })), true);
    assert.equal(hasFileRows(row({ name: 'a', status: 'synced' })), false);
    assert.equal(hasFileRows(row({ name: 'a', status: 'missing' })), false);
    assert.equal(hasFileRows(row({ name: 'a', status: 'synced', upstream: { state: 'update-available' } })), true);
  });

  it('default comparisons per status: project edits, collection changes (reversed), two groups for a conflict, upstream changes', () => {
    const scopes = (r: Parameters<typeof defaultComparisons>[0]) => defaultComparisons(r).map((c) => `${c.scope}${c.reversed ? ' reversed' : ''}`);
    assert.deepEqual(scopes(row({ name: 'a', status: 'modified' })), ['collection-project']);
    assert.deepEqual(scopes(row({ name: 'a', status: 'outdated' })), ['collection-project reversed']);
    assert.deepEqual(scopes(row({ name: 'a', status: 'conflict' })), ['collection-project', 'upstream-collection']);
    assert.deepEqual(scopes(row({ name: 'a', status: 'conflict', upstream: { state: 'untracked' } })), ['collection-project']);
    assert.deepEqual(scopes(row({ name: 'a', status: 'synced', upstream: { state: 'update-available' } })), ['upstream-changes']);
    assert.equal(comparisonFor(row({ name: 'a', status: 'outdated' }), 'collection-project').reversed, true);
    assert.equal(comparisonFor(row({ name: 'a', status: 'modified' }), 'collection-project').reversed, false);
  });

  it('file rows: changed files only, in path order, with letter, colour, +/− counts and the unchanged count in the tooltip', () => {
    const rows = fileRows(shownDiff(projectDiff(), false));
    assert.deepEqual(
      rows.map((r) => [r.path, r.letter.letter, r.description]),
      [
        ['logo.png', 'M', 'binary'],
        ['references/new.md', 'A', '+5 −0 · references'],
        ['scripts/old.py', 'D', '+0 −7 · scripts'],
        ['SKILL.md', 'M', '+3 −1'],
      ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
    );
    const skill = rows.find((r) => r.path === 'SKILL.md');
    assert.equal(skill?.label, 'SKILL.md');
    assert.equal(skill?.letter.color, 'gitDecoration.modifiedResourceForeground');
    assert.match(skill?.tooltip ?? '', /3 lines added, 1 removed \(collection → project\)/);
    assert.match(skill?.tooltip ?? '', /2 other files unchanged \(not listed\)/);
    const added = rows.find((r) => r.letter.letter === 'A');
    assert.match(added?.tooltip ?? '', /added: in the project, not in the collection/);
    assert.match(rows.find((r) => r.path === 'logo.png')?.tooltip ?? '', /Binary file/);
  });

  it('an outdated row reads the diff the other way: collection additions are A, line counts swap', () => {
    const shown = shownDiff(projectDiff(), true);
    assert.equal(shown.left.side, 'project');
    assert.equal(shown.right.side, 'collection');
    const rows = fileRows(shown);
    assert.equal(rows.find((r) => r.path === 'references/new.md')?.letter.letter, 'D');
    assert.equal(rows.find((r) => r.path === 'scripts/old.py')?.letter.letter, 'A');
    assert.equal(rows.find((r) => r.path === 'SKILL.md')?.description, '+1 −3');
    assert.deepEqual(shown.summary, { added: 1, modified: 2, deleted: 1, unchanged: 2 });
    assert.equal(diffTitle('SKILL.md', shown), 'SKILL.md (project ↔ collection)');
  });

  it('titles name the upstream ref and commit', () => {
    assert.equal(
      diffTitle('skills/x/SKILL.md', { left: { side: 'collection' }, right: { side: 'upstream', ref: 'main', commit: HEAD } }),
      'SKILL.md (collection ↔ upstream main@357e5f7)',
    );
    assert.equal(sideLabel({ side: 'upstream', commit: BASE }), 'upstream 1a2b3c4');
    assert.equal(sideLabel({ side: 'upstream', ref: 'HEAD', commit: HEAD }), 'upstream 357e5f7');
  });

  it('summaries and the nothing-differs row', () => {
    assert.equal(summaryText({ added: 1, modified: 2, deleted: 0, unchanged: 3 }), '2 modified · 1 added · 3 unchanged');
    assert.equal(summaryText({ added: 0, modified: 0, deleted: 0, unchanged: 3 }), 'no differences (3 files unchanged)');
    const same = shownDiff({ ...projectDiff(), files: [{ path: 'SKILL.md', status: 'unchanged' }], summary: { added: 0, modified: 0, deleted: 0, unchanged: 1 } }, false);
    assert.deepEqual(fileRows(same), []);
    assert.equal(noChangesText(same), 'No file differs (collection ↔ project); 1 file unchanged');
    assert.equal(lineCounts({ path: 'x', status: 'modified' }), '');
  });

  it('scopes that cannot apply say why', () => {
    const local = row({ name: 'a', upstream: { state: 'untracked', reason: 'added from a local path' } });
    assert.equal(scopeUnavailable(local, 'collection-project'), undefined);
    assert.equal(scopeUnavailable(local, 'upstream-changes'), 'not tracked upstream (added from a local path)');
    assert.equal(scopeUnavailable(row({ name: 'a', status: 'missing' }), 'upstream-project'), 'the project copy is missing');
    assert.equal(scopeUnavailable(row({ name: 'a', status: 'orphaned' }), 'upstream-collection'), 'the collection copy cannot be found');
    assert.equal(scopeUnavailable(row({ name: 'a' }), 'upstream-changes'), undefined);
  });

  it('an update-available row states its upstream summary without a request', () => {
    const r = row({ name: 'a', upstream: { state: 'update-available', changes: { added: 1, modified: 2, deleted: 0, unchanged: 4 } } });
    assert.equal(upstreamChangesText(r), '3 files changed upstream');
    assert.equal(upstreamChangesText(row({ name: 'a' })), undefined);
  });

  it('side documents: text as is, a missing file empty, binary and unreadable files said in words', () => {
    assert.equal(sideText({ path: 'SKILL.md', side: 'collection', exists: true, text: '# x\n' }), '# x\n');
    assert.equal(sideText({ path: 'new.md', side: 'collection', exists: false }), '');
    assert.equal(sideText({ path: 'logo.png', side: 'upstream', exists: true, binary: true, size: 2048 }), 'Binary file logo.png (2048 bytes): its content is not shown.\n');
    assert.match(sideText({ path: 'a.md', side: 'upstream', exists: true, error: 'GitHub refused the blob (403)' }), /^a\.md: GitHub refused the blob \(403\)/);
  });
});
