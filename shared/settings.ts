// Every `skillmeatSync.*` setting and every daemon knob, declared once: key, default, range or
// allowed values, and which side reads it. The daemon's `configure` validation, the service's
// defaults and the extension's settings model are derived from this table, and a unit test checks
// `package.json`'s `contributes.configuration` against it — so a range or default lives here only.

export type SettingSide = 'daemon' | 'extension' | 'both';

interface Base {
  /** `skillmeatSync.<key>` in the editor; the DaemonSettings field of the same name */
  key: string;
  side: SettingSide;
  /**
   * Settings the user sees in VS Code (package.json `contributes.configuration`); false for
   * daemon knobs only a client or a test sets.
   */
  contributed: boolean;
}

export interface NumberSetting extends Base {
  kind: 'number';
  default: number;
  min: number;
  max: number;
  /** the daemon's own default, when it differs from the editor's (see autoCheckIntervalMinutes) */
  daemonDefault?: number;
}

export interface EnumSetting extends Base {
  kind: 'enum';
  default: string;
  values: readonly string[];
}

export interface BooleanSetting extends Base {
  kind: 'boolean';
  default: boolean;
}

export interface StringSetting extends Base {
  kind: 'string' | 'url';
  default: string;
}

export type SettingDeclaration = NumberSetting | EnumSetting | BooleanSetting | StringSetting;

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const GROUP_BY = ['folder', 'status'] as const;

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

const DAY_SECONDS = 86_400;

export const SETTINGS = {
  home: { key: 'home', kind: 'string', default: '', side: 'extension', contributed: true },
  countsTtlSeconds: { key: 'countsTtlSeconds', kind: 'number', default: 300, min: 0, max: DAY_SECONDS, side: 'both', contributed: true },
  upstreamTtlSeconds: { key: 'upstreamTtlSeconds', kind: 'number', default: 300, min: 0, max: DAY_SECONDS, side: 'both', contributed: true },
  upstreamErrorTtlSeconds: { key: 'upstreamErrorTtlSeconds', kind: 'number', default: 60, min: 0, max: DAY_SECONDS, side: 'daemon', contributed: false },
  // The editor checks every hour by default; a daemon nobody configured (the CLI's, a CI job's)
  // never asks GitHub on its own.
  autoCheckIntervalMinutes: { key: 'autoCheckIntervalMinutes', kind: 'number', default: 60, daemonDefault: 0, min: 0, max: 7 * 24 * 60, side: 'both', contributed: true },
  githubApiUrl: { key: 'githubApiUrl', kind: 'url', default: DEFAULT_GITHUB_API_URL, side: 'both', contributed: true },
  useVSCodeGitHubAuth: { key: 'useVSCodeGitHubAuth', kind: 'boolean', default: true, side: 'extension', contributed: true },
  groupBy: { key: 'groupBy', kind: 'enum', default: 'folder', values: GROUP_BY, side: 'extension', contributed: true },
  showStatusBar: { key: 'showStatusBar', kind: 'boolean', default: true, side: 'extension', contributed: true },
  explorerDecorations: { key: 'explorerDecorations', kind: 'boolean', default: true, side: 'extension', contributed: true },
  logLevel: { key: 'logLevel', kind: 'enum', default: 'info', values: LOG_LEVELS, side: 'both', contributed: true },
  idleShutdownSeconds: { key: 'idleShutdownSeconds', kind: 'number', default: 600, min: 0, max: 7 * DAY_SECONDS, side: 'both', contributed: true },
} as const satisfies Record<string, SettingDeclaration>;

export type SettingKey = keyof typeof SETTINGS;

/** The default a daemon uses when no client configured it. */
export function daemonDefault(s: NumberSetting): number {
  return s.daemonDefault ?? s.default;
}

/** Whether a number setting's value is in range (finite, min ≤ v ≤ max). */
export function inRange(s: NumberSetting, v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= s.min && v <= s.max;
}

/** The http(s) URL given, without trailing slashes; undefined when it is not one. */
export function normalizeHttpUrl(text: string): string | undefined {
  try {
    const u = new URL(text.trim());
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
    return u.toString().replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}
