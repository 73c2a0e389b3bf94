import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CliArgumentError,
  displayCommand,
  findOnPath,
  pullFromCollectionArgs,
  pushToCollectionArgs,
  updateFromUpstreamArgs,
} from '../../../extension/skillmeatCli';
import { row } from './rows';

describe('skillmeatCli', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('builds the three SkillMeat 0.9 write commands exactly', () => {
    const r = row({ name: 'pdf-tools', type: 'skill', profile: 'cursor', collection: 'work' });
    assert.deepEqual(pullFromCollectionArgs(r, '/ws/my project'), [
      'deploy', 'pdf-tools', '--type', 'skill', '--project', '/ws/my project', '--profile', 'cursor', '-c', 'work', '--overwrite',
    ]);
    assert.deepEqual(pushToCollectionArgs(r, '/ws/my project'), ['sync-pull', '/ws/my project', '--artifacts', 'pdf-tools', '-c', 'work']);
    assert.deepEqual(updateFromUpstreamArgs(r), ['update', 'pdf-tools', '--type', 'skill', '-c', 'work']);
  });

  it('refuses values the CLI would read as options, and rows without a collection', () => {
    assert.throws(() => pullFromCollectionArgs(row({ name: '--all' }), '/ws'), (e: unknown) => e instanceof CliArgumentError && /starts with "-"/.test(e.message));
    assert.throws(() => pushToCollectionArgs(row({ name: 'x', collection: null }), '/ws'), /has no collection/);
    assert.throws(() => updateFromUpstreamArgs(row({ name: 'a\nb' })), /control characters/);
  });

  it('renders the command for the confirmation with shell quoting', () => {
    assert.equal(
      displayCommand(['deploy', "it's", '--project', '/ws/my project', '-c', 'default']),
      `skillmeat deploy 'it'\\''s' --project '/ws/my project' -c default`,
    );
  });

  it('finds an executable on PATH and skips non-executable files and relative entries', () => {
    const bin1 = path.join(dir, 'a');
    const bin2 = path.join(dir, 'b');
    fs.mkdirSync(bin1);
    fs.mkdirSync(bin2);
    fs.writeFileSync(path.join(bin1, 'skillmeat'), '#!/bin/sh\n', { mode: 0o644 });
    fs.writeFileSync(path.join(bin2, 'skillmeat'), '#!/bin/sh\n', { mode: 0o755 });
    const env = { PATH: ['relative/bin', bin1, bin2].join(':') };
    assert.equal(findOnPath('skillmeat', env, 'linux'), path.join(bin2, 'skillmeat'));
    assert.equal(findOnPath('skillmeat', { PATH: bin1 }, 'linux'), null);
    assert.equal(findOnPath('skillmeat', {}, 'linux'), null);
  });
});
