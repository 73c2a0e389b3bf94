// GitHub token from VS Code's own authentication providers. VS Code's `github` sign-in yields a
// github.com token: it is handed over for api.github.com only. Any other API URL (GitHub
// Enterprise) uses VS Code's `github-enterprise` sign-in, and only when `github-enterprise.uri`
// names that server. The token is only ever returned to the caller (which hands it to the daemon
// together with the API it was issued for); it is never logged or written anywhere.
import * as vscode from 'vscode';
import { enterpriseServes, GITHUB_API_URL, providerFor, type GitHubProvider } from './githubApiTarget';

export const GITHUB_SCOPES = ['repo'];

async function session(provider: GitHubProvider, interactive: boolean): Promise<vscode.AuthenticationSession | undefined> {
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
