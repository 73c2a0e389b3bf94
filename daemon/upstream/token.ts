// Where the GitHub token comes from — per API URL, so a token goes only to the host it was issued
// for. The token lives in memory only: it is never logged, written, put in argv, or included in an
// error message.
import { readGithubTokenFromConfig } from '../skillmeat';
import { DEFAULT_API_URL, normalizeApiUrl } from './githubClient';
import type { TokenInfo } from './types';

const nonEmpty = (v: string | undefined): string | undefined => (v && v.trim() !== '' ? v.trim() : undefined);

/** A token handed over by the editor, with the API it was issued for. */
export interface EditorToken {
  token: string;
  /** `https://api.github.com` for VS Code's `github` sign-in; the Enterprise API for `github-enterprise` */
  apiUrl: string;
}

/**
 * The token for requests to `apiUrl`:
 *  - api.github.com: the editor's github.com session → SkillMeat's `settings.github-token` →
 *    `$SKILLMEAT_GITHUB_TOKEN` → `$GITHUB_TOKEN` → anonymous (all github.com tokens);
 *  - any other API (GitHub Enterprise): the editor's session issued for that API (VS Code's
 *    `github-enterprise` sign-in) → `$GH_ENTERPRISE_TOKEN` → `$GITHUB_ENTERPRISE_TOKEN` (the gh CLI's
 *    names) → anonymous. A github.com token is never sent there.
 */
export async function resolveToken(opts: { apiUrl?: string; editor?: EditorToken; home: string; env: NodeJS.ProcessEnv }): Promise<TokenInfo> {
  const api = normalizeApiUrl(opts.apiUrl);
  const githubCom = api === DEFAULT_API_URL;
  const editor = opts.editor ? nonEmpty(opts.editor.token) : undefined;
  if (editor && opts.editor && normalizeApiUrl(opts.editor.apiUrl) === api) return { token: editor, source: githubCom ? 'vscode' : 'vscode-enterprise' };
  if (!githubCom) {
    const ghe = nonEmpty(opts.env.GH_ENTERPRISE_TOKEN);
    if (ghe) return { token: ghe, source: 'GH_ENTERPRISE_TOKEN' };
    const ghe2 = nonEmpty(opts.env.GITHUB_ENTERPRISE_TOKEN);
    if (ghe2) return { token: ghe2, source: 'GITHUB_ENTERPRISE_TOKEN' };
    return { source: 'anonymous' };
  }
  let config: string | undefined;
  try {
    config = nonEmpty(await readGithubTokenFromConfig(opts.home));
  } catch {
    // An unreadable config.toml is reported by the engine's own config read; here it just means "no token there".
    config = undefined;
  }
  if (config) return { token: config, source: 'config' };
  const sm = nonEmpty(opts.env.SKILLMEAT_GITHUB_TOKEN);
  if (sm) return { token: sm, source: 'SKILLMEAT_GITHUB_TOKEN' };
  const gh = nonEmpty(opts.env.GITHUB_TOKEN);
  if (gh) return { token: gh, source: 'GITHUB_TOKEN' };
  return { source: 'anonymous' };
}
