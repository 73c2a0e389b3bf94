import * as assert from 'node:assert/strict';
import { formatStatus, renderStatus } from '../../../daemon/cli/format';
import { statusText, StatusTexts, statusToJson } from '../../../daemon/service/statusJson';
import type { StatusTextResult } from '../../../shared/protocol';
import type { ArtifactRow, StatusResult, SyncStatus, WorkspaceStatus } from '../../../shared/types';

function row(name: string, status: SyncStatus): ArtifactRow {
  return {
    key: `${name}::skill::claude_code`,
    name,
    type: 'skill',
    profile: 'claude_code',
    profileRoot: '.claude',
    collection: 'default',
    status,
    projectHash: 'a'.repeat(64),
    deployedHash: 'b'.repeat(64),
    collectionHash: 'c'.repeat(64),
    lockHash: 'c'.repeat(64),
    upstream: { state: 'untracked' },
    projectPath: `/w/.claude/skills/${name}`,
    collectionPath: `/h/collections/default/skills/${name}`,
    trackerFile: '/w/.claude/.skillmeat-deployed.toml',
  };
}

function folder(name: string, rows: ArtifactRow[]): WorkspaceStatus {
  return { folder: name, artifacts: rows, notDeployed: [{ name: 'unused "quoted" ☕', type: 'skill', collection: 'default' }] };
}

function result(workspaces: WorkspaceStatus[], warnings?: string[]): StatusResult {
  const r: StatusResult = { home: '/h', homeExists: true, activeCollection: 'default', workspaces };
  if (warnings) r.warnings = warnings;
  return r;
}

describe('statusToJson: the status answer as JSON parts', () => {
  it('concatenated, the parts are JSON.stringify of the answer, for 0, 1 and 2 folders, with and without warnings', () => {
    const a = folder('/w1', [row('pdf', 'synced'), row('canvas', 'modified')]);
    const b = folder('/w2 "two"', []);
    for (const r of [result([]), result([a]), result([a, b], ['stray key "x"']), result([b, a])]) {
      assert.equal(Buffer.concat(statusToJson(r)).toString('utf8'), JSON.stringify(r));
    }
  });

  it("reuses a folder's bytes while its rows are the same object, and makes new ones for new rows", () => {
    const a = folder('/w1', [row('pdf', 'synced')]);
    const first = statusToJson(result([a]));
    const again = statusToJson(result([a]));
    assert.equal(again[1], first[1], 'the same Buffer, not serialised again');
    const edited = folder('/w1', [row('pdf', 'modified')]);
    const next = statusToJson(result([edited]));
    assert.notEqual(next[1], first[1]);
    assert.match(next[1].toString('utf8'), /"status":"modified"/);
  });
});

describe('StatusTexts: the rendered status, kept while its rows are the same', () => {
  it('json is JSON.stringify(status, null, 2); tables are formatStatus, coloured or not', () => {
    const r = result([folder('/w1', [row('pdf', 'synced'), row('canvas', 'conflict')])], ['a warning']);
    assert.equal(renderStatus(r, 'json'), JSON.stringify(r, null, 2));
    assert.equal(renderStatus(r, 'table'), formatStatus(r, false));
    assert.equal(renderStatus(r, 'table-color'), formatStatus(r, true));
    assert.notEqual(renderStatus(r, 'table'), renderStatus(r, 'table-color'));
    assert.deepEqual(statusText(r, 'json'), { home: '/h', homeExists: true, total: 2, notSynced: 1, warnings: ['a warning'], text: JSON.stringify(r, null, 2) });
    assert.equal('warnings' in statusText(result([]), 'table'), false);
  });

  it('answers from what it kept for the same rows, home and warnings, per format; anything else is made anew', () => {
    const texts = new StatusTexts();
    const a = folder('/w1', [row('pdf', 'synced')]);
    const inline = (r: StatusResult, format: 'json' | 'table') => JSON.parse(texts.answer(r, format, false).json.toString('utf8')) as StatusTextResult;
    const first = texts.answer(result([a]), 'json', true);
    const { text, ...summary } = statusText(result([a]), 'json');
    assert.deepEqual(JSON.parse(first.json.toString('utf8')), { ...summary, textBytes: Buffer.byteLength(text ?? '') });
    assert.equal(first.attachment?.toString('utf8'), text, 'attachText: the text as its own bytes');
    assert.equal(texts.answer(result([a]), 'json', true).attachment, first.attachment, 'a new answer object over the same rows: kept');
    assert.deepEqual(inline(result([a]), 'json'), statusText(result([a]), 'json'), 'without attachText: the text inside the JSON');
    assert.deepEqual([texts.hits, texts.misses], [2, 1]);

    assert.equal(inline(result([a]), 'table').text, formatStatus(result([a]), false));
    assert.equal(texts.answer(result([a]), 'json', true).attachment, first.attachment, 'each format keeps its own');

    const changed: Array<[string, StatusResult]> = [
      ['new rows', result([folder('/w1', [row('pdf', 'modified')])])],
      ['a warning', result([a], ['w'])],
      ['another warning', result([a], ['v'])],
      ['another home', { ...result([a]), home: '/other' }],
      ['the home gone', { ...result([a]), homeExists: false }],
      ['another active collection', { ...result([a]), activeCollection: 'work' }],
      ['another folder added', result([a, folder('/w2', [])])],
    ];
    let previous = first.attachment;
    for (const [what, r] of changed) {
      const answer = texts.answer(r, 'json', true);
      assert.notEqual(answer.attachment, previous, what);
      assert.equal(answer.attachment?.toString('utf8'), JSON.stringify(r, null, 2), what);
      assert.deepEqual(inline(r, 'json'), statusText(r, 'json'), what);
      previous = answer.attachment;
    }
  });
});
