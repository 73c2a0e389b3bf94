import * as assert from 'node:assert/strict';
import { codeSpan, escapeMarkdown, formatAge, formatTimestamp, shortHash, truncate } from '../../../extension/displayText';

describe('displayText', () => {
  it('code spans survive backticks in the text', () => {
    assert.equal(codeSpan('.claude'), '`.claude`');
    assert.equal(codeSpan('a`b'), '``a`b``');
    assert.equal(codeSpan('`x'), '`` `x ``');
  });

  it('escapes Markdown punctuation', () => {
    assert.equal(escapeMarkdown('*a* [b](c)'), '\\*a\\* \\[b\\]\\(c\\)');
  });

  it('formats ages, timestamps and hashes for people', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    assert.equal(formatAge('2026-01-01T11:59:30Z', now), 'less than a minute ago');
    assert.equal(formatAge('2026-01-01T09:00:00Z', now), '3 h ago');
    assert.equal(formatAge('2025-12-25T12:00:00Z', now), '7 days ago');
    assert.equal(formatAge('not a date', now), 'not a date');
    assert.equal(formatAge(undefined, now), undefined);
    assert.equal(formatTimestamp('2026-02-02T14:03:07.250000'), '2026-02-02 14:03:07');
    assert.equal(shortHash(null), '—');
    assert.equal(shortHash('abc'), 'abc');
    assert.equal(truncate('a  very\nlong text', 8), 'a very…');
  });
});
