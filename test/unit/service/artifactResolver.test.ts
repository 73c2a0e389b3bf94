import assert from 'node:assert/strict';
import { InvalidParamsError } from '../../../shared/protocol';
import type { ArtifactRow, WorkspaceStatus } from '../../../shared/types';
import { ArtifactKeyError, resolveArtifact, resolveArtifacts, subjectOf } from '../../../daemon/service/artifactResolver';
import { art, col, home } from './snapshots';

function row(name: string, type: string, profile: string, collection: string | null): ArtifactRow {
  return { key: `${name}::${type}::${profile}`, name, type, profile, collection } as ArtifactRow;
}

function ws(folder: string, rows: ArtifactRow[]): WorkspaceStatus {
  return { folder, artifacts: rows, notDeployed: [] } as unknown as WorkspaceStatus;
}

const h = home(
  col('default', [art('pdf'), art('review', { type: 'command' }), art('review'), art('notes.md', { type: 'command' })]),
  col('work', [art('pdf'), art('deploy')], 0, 'Work Stuff'),
);

function fails(text: string, re: RegExp, workspaces: WorkspaceStatus[] = []): void {
  assert.throws(
    () => resolveArtifact(h, text, workspaces),
    (err: unknown) => err instanceof ArtifactKeyError && err instanceof InvalidParamsError && re.test(err.message),
    text,
  );
}

describe('artifact resolver: a key to the one artifact it names', () => {
  it('resolves every key form to one collection artifact, keyed collection/name::type', () => {
    assert.equal(resolveArtifact(h, 'deploy').key, 'work/deploy::skill');
    assert.equal(resolveArtifact(h, 'deploy::skill').key, 'work/deploy::skill');
    assert.equal(resolveArtifact(h, 'default/pdf::skill').key, 'default/pdf::skill');
    assert.equal(resolveArtifact(h, 'work/pdf::skill').key, 'work/pdf::skill');
    assert.equal(resolveArtifact(h, 'review::command').key, 'default/review::command');
    assert.equal(resolveArtifact(h, 'review::skill::claude_code').key, 'default/review::skill', 'without folders a profile does not narrow');
  });

  it('accepts the collection by its [collection].name as well as its directory', () => {
    assert.equal(resolveArtifact(h, 'Work Stuff/pdf::skill').key, 'work/pdf::skill');
  });

  it('compares names as SkillMeat does (one document extension stripped), an exact name first', () => {
    assert.equal(resolveArtifact(h, 'notes::command').key, 'default/notes.md::command');
    assert.equal(resolveArtifact(h, 'notes.md::command').key, 'default/notes.md::command');
  });

  it('a key that names nothing says so', () => {
    fails('nothing::skill', /^no artifact matches "nothing::skill"$/);
    fails('default/deploy::skill', /no artifact matches/);
    fails('pdf::agent', /no artifact matches/);
  });

  it('a key that names several artifacts lists them', () => {
    fails('pdf::skill', /^"pdf::skill" is ambiguous: default\/pdf::skill, work\/pdf::skill \(name one as collection\/name::type\)$/);
    fails('review', /"review" is ambiguous: default\/review::command, default\/review::skill/);
  });

  it('a malformed key gets the grammar', () => {
    fails('a::b::c::d', /invalid artifact key "a::b::c::d": too many "::" parts \(expected name, name::type/);
    fails('', /invalid artifact key/);
    fails('github:github.com/acme/tools@main', /invalid artifact key/);
  });

  it('with folders, a row key resolves through the rows that deployed it', () => {
    const folder = ws('/ws', [row('pdf', 'skill', 'claude_code', 'Work Stuff'), row('pdf', 'skill', 'cursor', 'default')]);
    const r = resolveArtifact(h, 'pdf::skill::claude_code', [folder]);
    assert.equal(r.key, 'work/pdf::skill');
    assert.deepEqual(
      r.rows.map((x) => [x.folder, x.row.profile]),
      [['/ws', 'claude_code']],
    );
    assert.equal(resolveArtifact(h, 'pdf::skill::cursor', [folder]).key, 'default/pdf::skill');
    fails('pdf::skill::codex', /no deployed artifact matches "pdf::skill::codex" in \/ws/, [folder]);
  });

  it('returns the deployed rows of a resolved artifact in the folders given', () => {
    const a = ws('/a', [row('deploy', 'skill', 'claude_code', 'work'), row('pdf', 'skill', 'claude_code', 'default')]);
    const b = ws('/b', [row('deploy', 'skill', 'cursor', null)]);
    const r = resolveArtifact(h, 'work/deploy::skill', [a, b]);
    assert.deepEqual(
      r.rows.map((x) => `${x.folder}:${x.row.profile}`),
      ['/a:claude_code', '/b:cursor'],
      'a salvaged row (no collection) counts for the artifact it names',
    );
  });

  it('resolveArtifacts: every key once, source keys set aside, the first bad key fails all', () => {
    const sources: string[] = [];
    const all = resolveArtifacts(h, ['deploy', 'work/deploy::skill', 'github:github.com/acme/tools@main', 'default/pdf::skill'], [], sources);
    assert.deepEqual(
      all.map((r) => r.key),
      ['work/deploy::skill', 'default/pdf::skill'],
    );
    assert.deepEqual(sources, ['github:github.com/acme/tools@main']);
    assert.throws(() => resolveArtifacts(h, ['deploy', 'pdf::skill']), /ambiguous/);
    assert.throws(() => resolveArtifacts(h, ['github:github.com/acme/tools@main']), /invalid artifact key/, 'source keys only where the caller takes them');
  });

  it('subjectOf carries what the upstream checker needs', () => {
    const r = resolveArtifact(h, 'work/deploy::skill');
    assert.deepEqual(subjectOf(r.collection, r.artifact), {
      collection: 'work',
      name: 'deploy',
      type: 'skill',
      origin: 'github',
      upstream: 'https://github.com/acme/tools/tree/main/skills/deploy',
      versionSpec: 'latest',
      resolvedSha: 'a'.repeat(40),
      originSource: undefined,
    });
  });
});
