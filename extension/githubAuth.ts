// GitHub token from VS Code's own `github` authentication provider. The token is only ever returned
// to the caller (which hands it to the daemon); it is never logged or written anywhere.
import * as vscode from 'vscode';

export const GITHUB_SCOPES = ['repo'];

/** The session's token: silently when `interactive` is false (no prompt), else asking the user to sign in. */
export async function githubToken(interactive: boolean): Promise<string | undefined> {
  const session = interactive
    ? await vscode.authentication.getSession('github', GITHUB_SCOPES, { createIfNone: true })
    : await vscode.authentication.getSession('github', GITHUB_SCOPES, { silent: true });
  return session?.accessToken;
}

export async function githubAccountLabel(): Promise<string | undefined> {
  const session = await vscode.authentication.getSession('github', GITHUB_SCOPES, { silent: true });
  return session?.account.label;
}
