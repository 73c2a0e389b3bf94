// Reads and validates `skillmeatSync.*` values. Pure: the caller passes a getter over VS Code's
// configuration, so a bad value gives a clear problem message and the default, never a crash.
import * as path from 'node:path';
import type { DaemonSettings } from '../shared/protocol';
import type { GroupBy } from './syncTreeModel';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

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
  countsTtlSeconds: 300,
  upstreamTtlSeconds: 300,
  autoCheckIntervalMinutes: 60,
  githubApiUrl: 'https://api.github.com',
  useVSCodeGitHubAuth: true,
  groupBy: 'folder',
  showStatusBar: true,
  explorerDecorations: true,
  logLevel: 'info',
  idleShutdownSeconds: 600,
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
  const num = (key: keyof typeof DEFAULT_SETTINGS, min: number, max: number): number => {
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
    try {
      const u = new URL(urlValue.trim());
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('not http(s)');
      githubApiUrl = u.toString().replace(/\/+$/, '');
    } catch {
      problems.push(`skillmeatSync.githubApiUrl is not an http(s) URL; using ${DEFAULT_SETTINGS.githubApiUrl}.`);
    }
  } else if (urlValue !== undefined && urlValue !== null && urlValue !== '') {
    problems.push(`skillmeatSync.githubApiUrl must be a URL; using ${DEFAULT_SETTINGS.githubApiUrl}.`);
  }

  const settings: ExtensionSettings = {
    home: resolveHome(configuredHome, env, userHome),
    countsTtlSeconds: num('countsTtlSeconds', 0, 86_400),
    upstreamTtlSeconds: num('upstreamTtlSeconds', 0, 86_400),
    autoCheckIntervalMinutes: num('autoCheckIntervalMinutes', 0, 10_080),
    githubApiUrl,
    useVSCodeGitHubAuth: bool('useVSCodeGitHubAuth'),
    groupBy: oneOf<GroupBy>('groupBy', ['folder', 'status']),
    showStatusBar: bool('showStatusBar'),
    explorerDecorations: bool('explorerDecorations'),
    logLevel: oneOf<LogLevel>('logLevel', LOG_LEVELS),
    idleShutdownSeconds: num('idleShutdownSeconds', 0, 604_800),
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
