// Where the GitHub token comes from. The token lives in memory only: it is never logged, written,
// put in argv, or included in an error message.
import { readGithubTokenFromConfig } from '../skillmeat';
import type { TokenInfo } from './types';

const nonEmpty = (v: string | undefined): string | undefined => (v && v.trim() !== '' ? v.trim() : undefined);

/** Editor session → SkillMeat's `settings.github-token` → `$SKILLMEAT_GITHUB_TOKEN` → `$GITHUB_TOKEN` → anonymous. */
export async function resolveToken(opts: { editorToken?: string; home: string; env: NodeJS.ProcessEnv }): Promise<TokenInfo> {
  const editor = nonEmpty(opts.editorToken);
  if (editor) return { token: editor, source: 'vscode' };
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
