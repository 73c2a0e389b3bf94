import assert from 'node:assert/strict';
import { enterpriseServes, providerFor } from '../../../extension/githubApiTarget';

describe('which VS Code sign-in serves a GitHub API URL', () => {
  it('github for api.github.com only; github-enterprise for anything else', () => {
    assert.equal(providerFor('https://api.github.com'), 'github');
    assert.equal(providerFor(' https://api.github.com/ '), 'github');
    assert.equal(providerFor('https://ghe.example.com/api/v3'), 'github-enterprise');
    assert.equal(providerFor('http://127.0.0.1:8080'), 'github-enterprise');
  });

  it('an Enterprise session only for the server github-enterprise.uri names', () => {
    assert.equal(enterpriseServes('https://ghe.example.com', 'https://ghe.example.com/api/v3'), true);
    assert.equal(enterpriseServes('https://GHE.example.com/', 'https://api.ghe.example.com'), true);
    assert.equal(enterpriseServes('https://ghe.example.com', 'https://other.example.com/api/v3'), false);
    assert.equal(enterpriseServes(undefined, 'https://ghe.example.com/api/v3'), false);
    assert.equal(enterpriseServes('not a url', 'https://ghe.example.com/api/v3'), false);
  });
});
