// Public face of the upstream checks; the daemon and the CLI import from here only.
export type { RefSpec, TokenInfo, UpstreamSubject, UpstreamTarget } from './types';
export { entryKey, refSpecOf, repoKey, sourceKey, subjectKey, targetOf } from './target';
export { resolveToken, type EditorToken } from './token';
export { API_URL_ENV, checkApiUrl, resolveApiUrl } from './apiUrl';
export { DEFAULT_API_URL, GitHubError, formatHHMM, normalizeApiUrl } from './githubClient';
export { ANONYMOUS_MESSAGE, UpstreamChecker, type UpstreamCheckerOptions, type UpstreamStatus } from './upstreamChecker';
