// The human output of the CLI (issue #17): honest request counts, explained TTLs, one profile name.
import * as assert from 'node:assert/strict';
import { clockTime, formatInvalidate, profileText, requestLines, ttlText } from '../../../daemon/cli/format';
import type { CheckUpstreamResult } from '../../../shared/protocol';

const tracked = (state: 'unknown' | 'current' = 'unknown'): CheckUpstreamResult['results'][number] => ({
  artifact: 'default/a::skill',
  collection: 'default',
  name: 'a',
  type: 'skill',
  upstream: { state },
});

describe('CLI human output (daemon/cli/format.ts)', () => {
  it('offline: requests sent are not requests that reached GitHub', () => {
    assert.deepEqual(requestLines({ results: [tracked()], requests: 3, answered: 0, networkError: 'DNS lookup failed' }), [
      '0 requests reached GitHub (DNS lookup failed; 3 attempts)',
    ]);
    assert.deepEqual(requestLines({ results: [tracked()], requests: 4, answered: 3, networkError: 'connection reset' }), [
      '3 of 4 requests reached GitHub (the others: connection reset)',
    ]);
    assert.deepEqual(requestLines({ results: [tracked('current')], requests: 1, answered: 1 }), ['1 request to GitHub']);
    // An older daemon without `answered`: the count is all it said.
    assert.deepEqual(requestLines({ results: [tracked('current')], requests: 2 }), ['2 requests to GitHub']);
  });

  it('a cached failure says so, with the retry time and --force', () => {
    const retryAt = new Date(2026, 10, 30, 14, 33, 2).toISOString();
    assert.deepEqual(
      requestLines({ results: [tracked()], requests: 0, answered: 0, cachedFailures: { sources: 1, reason: 'network unreachable: DNS lookup failed (ENOTFOUND)', retryAt } }),
      ['0 requests to GitHub: 1 source answered from a cached failure (network unreachable: DNS lookup failed (ENOTFOUND)); cached, retried after 14:33:02 or with --force'],
    );
    assert.equal(clockTime(retryAt), '14:33:02');
  });

  it('0 requests is explained: from the cache, or nothing to ask', () => {
    assert.deepEqual(requestLines({ results: [tracked('current')], requests: 0, answered: 0 }), ['0 requests to GitHub (answered from the cache; --force asks again)']);
    assert.deepEqual(requestLines({ results: [{ ...tracked(), upstream: { state: 'untracked' } }], requests: 0 }), ['0 requests to GitHub (nothing here has an upstream source)']);
  });

  it('TTL -1 and 0 are explained', () => {
    assert.equal(ttlText({ name: 'hashes', ttlSeconds: -1 }), 'no TTL (validated by stat)');
    assert.equal(ttlText({ name: 'status', ttlSeconds: 0 }), 'no TTL (valid until a file changes)');
    assert.equal(ttlText({ name: 'blobs', ttlSeconds: 0 }), 'no TTL (named by content SHA, verified on read)');
    assert.equal(ttlText({ name: 'counts', ttlSeconds: 0 }), '0 (recounted every time)');
    assert.equal(ttlText({ name: 'someday', ttlSeconds: -1 }), 'no TTL');
    assert.equal(ttlText({ name: 'counts', ttlSeconds: 300 }), '300 s');
    assert.equal(ttlText({ name: 'upstream', ttlSeconds: 300, errorTtlSeconds: 60 }), '300 s; failures 60 s');
  });

  it('the PROFILE column carries the JSON\'s profile id, with its folder', () => {
    assert.equal(profileText({ profile: 'claude_code', profileRoot: '.claude' }), 'claude_code (.claude)');
    assert.equal(profileText({ profile: 'x', profileRoot: 'x' }), 'x');
  });

  it('invalidate names answers and failures apart', () => {
    assert.equal(formatInvalidate('upstream', { upstream: 2, upstreamFailures: 1 }), 'invalidated upstream: 2 upstream answers marked for re-check, 1 cached upstream failure dropped');
    assert.equal(formatInvalidate('hashes', { hashes: 1 }), 'invalidated hashes: 1 hash entry');
    assert.equal(formatInvalidate('counts', {}), 'invalidated counts: nothing');
  });
});
