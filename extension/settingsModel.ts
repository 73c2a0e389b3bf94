// Reads and validates `skillmeatSync.*` values. Pure: the caller passes a getter over VS Code's
// configuration, so a bad value gives a clear problem message and the default, never a crash.
// Defaults, ranges and allowed values come from shared/settings.ts (declared once).
import * as path from 'node:path';
import type { DaemonSettings } from '../shared/protocol';
import { LOG_LEVELS, normalizeHttpUrl, SETTINGS, type LogLevel } from '../shared/settings';
import type { GroupBy } from './syncTreeModel';

export type { LogLevel };

export interface ExtensionSettings {
  /** absolute SkillMeat home */
  home: string;
  countsTtlSeconds: number;
  upstreamTtlSeconds: number;
  /** 0 = off */
  autoCheckIntervalMinutes: number;
  githubApiUrl: string;
  useVSCodeGitHubAuth: boolean;
  groupBy: GroupBy;
  showStatusBar: boolean;
  /** badge letters and colours on deployed artifacts in the Explorer */
  explorerDecorations: boolean;
  logLevel: LogLevel;
  idleShutdownSeconds: number;
}

export const DEFAULT_SETTINGS: Omit<ExtensionSettings, 'home'> = {
  countsTtlSeconds: SETTINGS.countsTtlSeconds.default,
  upstreamTtlSeconds: SETTINGS.upstreamTtlSeconds.default,
  autoCheckIntervalMinutes: SETTINGS.autoCheckIntervalMinutes.default,
  githubApiUrl: SETTINGS.githubApiUrl.default,
  useVSCodeGitHubAuth: SETTINGS.useVSCodeGitHubAuth.default,
  groupBy: SETTINGS.groupBy.default,
  showStatusBar: SETTINGS.showStatusBar.default,
  explorerDecorations: SETTINGS.explorerDecorations.default,
  logLevel: SETTINGS.logLevel.default,
  idleShutdownSeconds: SETTINGS.idleShutdownSeconds.default,
};

/**
 * The configured home, else `SKILLMEAT_HOME` (our convenience; SkillMeat itself ignores it), else
 * `~/.skillmeat` as SkillMeat hard-codes it. `~` and relative paths are resolved against the user's home.
 */
export function resolveHome(configured: string, env: Readonly<Record<string, string | undefined>>, userHome: string): string {
  const raw = configured.trim() || env.SKILLMEAT_HOME?.trim() || path.join(userHome, '.skillmeat');
  const expanded = raw === '~' ? userHome : raw.startsWith('~/') || raw.startsWith('~\\') ? path.join(userHome, raw.slice(2)) : raw;
  return path.resolve(userHome, expanded);
}

export interface SettingsReadResult {
  settings: ExtensionSettings;
  /** one message per rejected value */
  problems: string[];
}

export function readSettings(
  get: (key: string) => unknown,
  env: Readonly<Record<string, string | undefined>>,
  userHome: string,
): SettingsReadResult {
  const problems: string[] = [];
  const num = (key: 'countsTtlSeconds' | 'upstreamTtlSeconds' | 'autoCheckIntervalMinutes' | 'idleShutdownSeconds'): number => {
    const { min, max } = SETTINGS[key];
    const v = get(key);
    const d = DEFAULT_SETTINGS[key] as number;
    if (v === undefined || v === null) return d;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      problems.push(`skillmeatSync.${key} must be a number from ${min} to ${max}; using ${d}.`);
      return d;
    }
    return Math.round(v);
  };
  const bool = (key: keyof typeof DEFAULT_SETTINGS): boolean => {
    const v = get(key);
    const d = DEFAULT_SETTINGS[key] as boolean;
    if (v === undefined || v === null) return d;
    if (typeof v !== 'boolean') {
      problems.push(`skillmeatSync.${key} must be true or false; using ${d}.`);
      return d;
    }
    return v;
  };
  const oneOf = <T extends string>(key: keyof typeof DEFAULT_SETTINGS, allowed: readonly T[]): T => {
    const v = get(key);
    const d = DEFAULT_SETTINGS[key] as T;
    if (v === undefined || v === null) return d;
    if (typeof v !== 'string' || !allowed.includes(v as T)) {
      problems.push(`skillmeatSync.${key} must be one of ${allowed.join(', ')}; using ${d}.`);
      return d;
    }
    return v as T;
  };

  const homeValue = get('home');
  let configuredHome = '';
  if (typeof homeValue === 'string') configuredHome = homeValue;
  else if (homeValue !== undefined && homeValue !== null) problems.push('skillmeatSync.home must be a path; using the default.');

  let githubApiUrl = DEFAULT_SETTINGS.githubApiUrl;
  const urlValue = get('githubApiUrl');
  if (typeof urlValue === 'string' && urlValue.trim()) {
    const url = normalizeHttpUrl(urlValue);
    if (url !== undefined) githubApiUrl = url;
    else problems.push(`skillmeatSync.githubApiUrl is not an http(s) URL; using ${DEFAULT_SETTINGS.githubApiUrl}.`);
  } else if (urlValue !== undefined && urlValue !== null && urlValue !== '') {
    problems.push(`skillmeatSync.githubApiUrl must be a URL; using ${DEFAULT_SETTINGS.githubApiUrl}.`);
  }

  const settings: ExtensionSettings = {
    home: resolveHome(configuredHome, env, userHome),
    countsTtlSeconds: num('countsTtlSeconds'),
    upstreamTtlSeconds: num('upstreamTtlSeconds'),
    autoCheckIntervalMinutes: num('autoCheckIntervalMinutes'),
    githubApiUrl,
    useVSCodeGitHubAuth: bool('useVSCodeGitHubAuth'),
    groupBy: oneOf<GroupBy>('groupBy', SETTINGS.groupBy.values),
    showStatusBar: bool('showStatusBar'),
    explorerDecorations: bool('explorerDecorations'),
    logLevel: oneOf<LogLevel>('logLevel', LOG_LEVELS),
    idleShutdownSeconds: num('idleShutdownSeconds'),
  };
  return { settings, problems };
}

export function toDaemonSettings(s: ExtensionSettings): DaemonSettings {
  return {
    countsTtlSeconds: s.countsTtlSeconds,
    upstreamTtlSeconds: s.upstreamTtlSeconds,
    autoCheckIntervalMinutes: s.autoCheckIntervalMinutes,
    githubApiUrl: s.githubApiUrl,
    idleShutdownSeconds: s.idleShutdownSeconds,
    logLevel: s.logLevel,
  };
}

export function daemonSettingsChanged(a: ExtensionSettings, b: ExtensionSettings): boolean {
  return JSON.stringify(toDaemonSettings(a)) !== JSON.stringify(toDaemonSettings(b));
}

export function levelEnabled(configured: LogLevel, level: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(configured);
}
