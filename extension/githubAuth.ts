// GitHub token from VS Code's own authentication providers. VS Code's `github` sign-in yields a
// github.com token: it is handed over for api.github.com only. Any other API URL (GitHub
// Enterprise) uses VS Code's `github-enterprise` sign-in, and only when `github-enterprise.uri`
// names that server. The token is only ever returned to the caller (which hands it to the daemon
// together with the API it was issued for); it is never logged or written anywhere.
import * as vscode from 'vscode';

export const GITHUB_SCOPES = ['repo'];
import { DEFAULT_GITHUB_API_URL } from '../shared/settings';

export const GITHUB_API_URL = DEFAULT_GITHUB_API_URL;

type Provider = 'github' | 'github-enterprise';

/** Which sign-in serves an API URL: github.com's, or the Enterprise server's. Pure. */
export function providerFor(apiUrl: string): Provider {
  return apiUrl.trim().replace(/\/+$/, '') === GITHUB_API_URL ? 'github' : 'github-enterprise';
}

/** True when VS Code's `github-enterprise.uri` is the server behind this API URL (`HOST/api/v3`, or `api.HOST`). */
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

async function session(provider: Provider, interactive: boolean): Promise<vscode.AuthenticationSession | undefined> {
  return interactive
    ? vscode.authentication.getSession(provider, GITHUB_SCOPES, { createIfNone: true })
    : vscode.authentication.getSession(provider, GITHUB_SCOPES, { silent: true });
}

/**
 * The session's token for `apiUrl` and the API it was issued for: silently when `interactive` is
 * false (no prompt), else asking the user to sign in. Undefined when no sign-in serves that API.
 */
export async function githubToken(interactive: boolean, apiUrl: string = GITHUB_API_URL): Promise<{ token: string; apiUrl: string } | undefined> {
  const provider = providerFor(apiUrl);
  if (provider === 'github-enterprise' && !enterpriseServes(vscode.workspace.getConfiguration('github-enterprise').get<string>('uri'), apiUrl)) {
    return undefined;
  }
  const s = await session(provider, interactive);
  return s ? { token: s.accessToken, apiUrl: provider === 'github' ? GITHUB_API_URL : apiUrl } : undefined;
}

export async function githubAccountLabel(apiUrl: string = GITHUB_API_URL): Promise<string | undefined> {
  return (await session(providerFor(apiUrl), false))?.account.label;
}
