import assert from 'node:assert/strict';
import { formatCheckUpstream } from '../../../daemon/cli/format';

describe('check-upstream output: the anonymous budget where the user decides to sign in', () => {
  const reset = new Date(2026, 10, 30, 15, 2).toISOString();
  const base = { results: [], requests: 3 };

  it('anonymous: what is left of the 60, until when, that 304s count, and what a token gives', () => {
    const text = formatCheckUpstream({ ...base, rateLimit: { limit: 60, remaining: 23, resetAt: reset, anonymous: true } });
    assert.match(text, /^3 requests to GitHub$/m);
    assert.match(text, /^rate limit: 23 of 60 anonymous requests left until 15:02 \(304s count too\); a GitHub token gives 5,000 an hour$/m);
  });

  it('with a token: the plain budget', () => {
    const text = formatCheckUpstream({ ...base, rateLimit: { limit: 5000, remaining: 4990, resetAt: reset, anonymous: false } });
    assert.match(text, /^rate limit: 4990\/5000 left until 15:02$/m);
    assert.doesNotMatch(text, /anonymous/);
  });
});
