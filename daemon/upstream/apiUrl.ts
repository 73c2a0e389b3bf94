// Which GitHub API the daemon talks to: github.com, or a GitHub Enterprise server.
import { normalizeApiUrl } from './githubClient';

export const API_URL_ENV = 'SKILLMEAT_SYNC_GITHUB_API_URL';

/** `--github-api-url` beats `$SKILLMEAT_SYNC_GITHUB_API_URL` beats the editor setting beats api.github.com. */
export function resolveApiUrl(opts: { flag?: string; env: NodeJS.ProcessEnv; setting?: string }): string {
  for (const candidate of [opts.flag, opts.env[API_URL_ENV], opts.setting]) {
    if (candidate && candidate.trim() !== '') return checkApiUrl(candidate);
  }
  return normalizeApiUrl(undefined);
}

/** Throws a clear error for something that is not an http(s) URL. */
export function checkApiUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new Error(`GitHub API URL is not a URL: ${url}`);
  }
  if (u.username || u.password) throw new Error('GitHub API URL must not carry credentials; use a token instead');
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`GitHub API URL must be http(s): ${url}`);
  return normalizeApiUrl(u.toString());
}
