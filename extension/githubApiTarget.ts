// Which VS Code sign-in may serve a GitHub API URL. Pure (no `vscode`), so it is unit-tested: a
// github.com token must never be handed over for another API, nor an Enterprise one for github.com.

export const GITHUB_API_URL = 'https://api.github.com';

export type GitHubProvider = 'github' | 'github-enterprise';

/** VS Code's `github` sign-in for api.github.com; `github-enterprise` for any other API URL. */
export function providerFor(apiUrl: string): GitHubProvider {
  return apiUrl.trim().replace(/\/+$/, '') === GITHUB_API_URL ? 'github' : 'github-enterprise';
}

/** True when `github-enterprise.uri` is the server behind this API URL (`HOST/api/v3`, or `api.HOST`). */
export function enterpriseServes(enterpriseUri: string | undefined, apiUrl: string): boolean {
  if (!enterpriseUri) return false;
  try {
    const web = new URL(enterpriseUri).hostname.toLowerCase();
    const api = new URL(apiUrl).hostname.toLowerCase();
    return api === web || api === `api.${web}`;
  } catch {
    return false;
  }
}
