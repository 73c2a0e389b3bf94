import * as assert from 'node:assert/strict';
import { printable } from '../../../daemon/cli/statusCommand';
import type { OneShotOutcome } from '../../../shared/oneShot';
import type { StatusTextResult } from '../../../shared/protocol';
import { PACKAGE_VERSION } from '../../../shared/version';

const hello = { protocolVersion: 1, daemonVersion: PACKAGE_VERSION, pid: 1, home: '/h' };
const answered = (result: unknown, attachment?: Buffer): OneShotOutcome<StatusTextResult> => ({ kind: 'answered', hello, result: result as StatusTextResult, ...(attachment ? { attachment } : {}) });
const summary = { home: '/h', homeExists: true, total: 2, notSynced: 1 };

describe('printable: what the CLI prints from a daemon-rendered status', () => {
  it('the attached bytes when the answer says how many, else the text inside it', () => {
    const bytes = Buffer.from('{\n  "home": "/h"\n}', 'utf8');
    assert.deepEqual(printable(answered({ ...summary, textBytes: bytes.length }, bytes)), { homeExists: true, notSynced: 1, text: bytes });
    assert.deepEqual(printable(answered({ ...summary, text: 'table', warnings: ['w'] })), { homeExists: true, notSynced: 1, warnings: ['w'], text: 'table' });
    assert.deepEqual(printable(answered({ ...summary, homeExists: false, text: '' })), { homeExists: false, notSynced: 1, text: '' });
  });

  it('nothing (the full path answers instead) for a shape it does not print or a text cut short', () => {
    const bytes = Buffer.from('abc');
    const wrong: Array<[string, OneShotOutcome<StatusTextResult>]> = [
      ['no daemon', { kind: 'no-daemon', reason: 'ENOENT' }],
      ['fallback', { kind: 'fallback', reason: 'older' }],
      ['no result', answered(undefined)],
      ['no text at all', answered({ ...summary })],
      ['a text that is not a string', answered({ ...summary, text: 42 })],
      ['textBytes without the attachment', answered({ ...summary, textBytes: 3 })],
      ['an attachment of another length', answered({ ...summary, textBytes: 4 }, bytes)],
      ['notSynced missing', answered({ home: '/h', homeExists: true, text: 'x' })],
      ['homeExists not a boolean', answered({ ...summary, homeExists: 'yes', text: 'x' })],
      ['warnings not strings', answered({ ...summary, text: 'x', warnings: [1] })],
    ];
    for (const [what, shot] of wrong) assert.equal(printable(shot), undefined, what);
  });
});
