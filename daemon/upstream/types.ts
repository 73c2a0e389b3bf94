// Inputs of the upstream check. Deliberately independent of the engine's manifest types so either
// side can change its internals; the daemon maps a manifest artifact onto UpstreamSubject.

export interface UpstreamSubject {
  /** collection directory name */
  collection: string;
  name: string;
  type: string;
  /** `github` | `local` | `marketplace` */
  origin: string;
  /** GitHub tree URL as SkillMeat writes it (`https://github.com/<o>/<r>/tree/<ref>/<path>`) */
  upstream?: string;
  versionSpec?: string;
  resolvedSha?: string;
  /** marketplace entries only: `github` | `gitlab` | `bitbucket` */
  originSource?: string;
}

/** `latest` = the default branch; a 7–40 hex string = a commit; anything else = a tag, then a branch. */
export type RefSpec = { kind: 'default' } | { kind: 'commit'; sha: string } | { kind: 'named'; name: string };

export interface UpstreamTarget {
  /** web host of the upstream URL (`github.com`, or a GitHub Enterprise host) */
  host: string;
  owner: string;
  repo: string;
  /** path inside the repository, no leading or trailing slash; '' = repository root */
  path: string;
  ref: RefSpec;
  /** 40-hex lower-case commit SHA the collection copy was fetched from */
  resolvedSha: string;
}

export interface TokenInfo {
  token?: string;
  source:
    | 'vscode'
    | 'vscode-enterprise'
    | 'config'
    | 'SKILLMEAT_GITHUB_TOKEN'
    | 'GITHUB_TOKEN'
    | 'GH_ENTERPRISE_TOKEN'
    | 'GITHUB_ENTERPRISE_TOKEN'
    | 'anonymous';
}
