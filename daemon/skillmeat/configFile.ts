// ~/.skillmeat/config.toml. SkillMeat's operations read only `[settings] default-collection`; its
// CLI also writes look-alike keys elsewhere (SKILLMEAT-FORMATS.md 1.2/1.3), which we flag.
import * as path from 'node:path';
import { isTable, readTomlFile, str, type TomlTable } from './tomlFile';

export const DEFAULT_COLLECTION = 'default';

export interface ConfigInfo {
  activeCollection: string;
  warnings: string[];
  error?: string;
}

export function configPath(home: string): string {
  return path.join(home, 'config.toml');
}

export function configFromToml(data: TomlTable): { activeCollection: string; warnings: string[] } {
  const warnings: string[] = [];
  const settings = isTable(data.settings) ? data.settings : undefined;
  if (data.settings !== undefined && !settings) warnings.push('config.toml: `settings` is not a table; using the default collection');
  const configured = settings ? settings['default-collection'] : undefined;
  let activeCollection = DEFAULT_COLLECTION;
  if (typeof configured === 'string' && configured.trim() !== '') activeCollection = configured;
  else if (configured !== undefined) warnings.push('config.toml: [settings] default-collection is not a string; using "default"');

  const effective = `[settings] default-collection = ${JSON.stringify(activeCollection)}`;
  for (const key of ['active_collection', 'default-collection']) {
    const v = data[key];
    if (v === undefined) continue;
    if (typeof v === 'string' && v === activeCollection) continue;
    warnings.push(
      `config.toml: top-level \`${key} = ${JSON.stringify(v)}\` is ignored by SkillMeat's operations (it uses ${effective})` +
        (key === 'active_collection' ? '; `skillmeat active-collection` and `skillmeat collection list` disagree' : ''),
    );
  }
  // The token itself never goes into a message.
  if (data['github-token'] !== undefined) {
    warnings.push(
      'config.toml: top-level `github-token` is not read by SkillMeat\'s GitHub client (it reads [settings] github-token); SkillMeat Sync uses it only as a fallback',
    );
  }
  if (data.skillmeat !== undefined) {
    warnings.push(
      'config.toml: a `[skillmeat]` table is not read by SkillMeat (its settings live in [settings]); SkillMeat Sync uses its github-token only as a fallback',
    );
  }
  return { activeCollection, warnings };
}

export async function readConfig(home: string): Promise<ConfigInfo> {
  const file = configPath(home);
  const r = await readTomlFile(file);
  if (!r.ok) {
    if (r.missing) return { activeCollection: DEFAULT_COLLECTION, warnings: [] };
    return { activeCollection: DEFAULT_COLLECTION, warnings: [], error: r.error };
  }
  return configFromToml(r.data);
}

/**
 * Token from config.toml: SkillMeat's own key first, then the stray keys its CLI and docs produce.
 * Callers keep it in memory only.
 */
export async function readGithubTokenFromConfig(home: string): Promise<string | undefined> {
  const r = await readTomlFile(configPath(home));
  if (!r.ok) return undefined;
  const d = r.data;
  const candidates = [
    isTable(d.settings) ? str(d.settings['github-token']) : undefined,
    str(d['github-token']),
    isTable(d.skillmeat) ? str(d.skillmeat['github-token']) : undefined,
  ];
  for (const c of candidates) if (c && c.trim() !== '') return c.trim();
  return undefined;
}
