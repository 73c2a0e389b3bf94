// <folder>/<.hidden>/.skillmeat-deployed.toml: `[[deployed]]` records (SKILLMEAT-FORMATS.md 4.2).
// SkillMeat writes these files non-atomically, so a half-written one is normal: its records that
// can still be recognised become rows with an error instead of vanishing.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { rowKey } from '../../shared/artifactKey';
import { stripExtension } from './artifactNames';
import { RealPaths } from './realPaths';
import { isHiddenDirName } from './safePath';
import { isTable, normalizeHash, parseToml, readTomlFile, str, strArray, timeString, type TomlTable } from './tomlFile';

export const TRACKER_FILE_NAME = '.skillmeat-deployed.toml';
export const DEFAULT_PROFILE_ID = 'claude_code';
export const DEFAULT_PROFILE_ROOT = '.claude';

export interface DeploymentRecord {
  artifactName: string;
  artifactType: string;
  fromCollection: string;
  deployedAt?: string;
  /** relative to the profile root, as written */
  artifactPath: string;
  contentHash?: string;
  collectionSha?: string;
  localModifications?: boolean;
  parentHash?: string;
  versionLineage?: string[];
  lastModifiedCheck?: string;
  modificationDetectedAt?: string;
  mergeBaseSnapshot?: string;
  /** `claude_code` when absent */
  deploymentProfileId: string;
  /** kept verbatim; values SkillMeat does not know are fine here */
  platform?: string;
  /** `.claude` when absent */
  profileRootDir: string;
  artifactUuid?: string;
  /** tracker file it came from */
  file: string;
  /** position in the file's [[deployed]] array */
  index: number;
  /** the record cannot be used (missing field, unsafe value, unreadable file) */
  error?: string;
}

export interface TrackerFileResult {
  file: string;
  /** directory it was found in, e.g. ".cursor" */
  profileRoot: string;
  records: DeploymentRecord[];
  /** names file and line */
  error?: string;
}

export interface TrackerSnapshot {
  folder: string;
  files: TrackerFileResult[];
}

/** Row key `name::type::profile`, name with its extension stripped (SkillMeat's upsert key). */
export function recordKey(r: Pick<DeploymentRecord, 'artifactName' | 'artifactType' | 'deploymentProfileId'>): string {
  return rowKey(stripExtension(r.artifactName), r.artifactType, r.deploymentProfileId);
}

/** `.claude` first (SkillMeat's primary file), then every other hidden root directory. */
export async function findTrackerFiles(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(folder);
  } catch {
    return [];
  }
  const roots = names.filter((n) => n.startsWith('.') && isHiddenDirName(n)).sort();
  const ordered = [DEFAULT_PROFILE_ROOT, ...roots.filter((n) => n !== DEFAULT_PROFILE_ROOT)];
  const out: string[] = [];
  for (const root of ordered) {
    const dir = path.join(folder, root);
    try {
      if (!(await fsp.stat(dir)).isDirectory()) continue;
      await fsp.lstat(path.join(dir, TRACKER_FILE_NAME));
      out.push(path.join(dir, TRACKER_FILE_NAME));
    } catch {
      // no tracker here
    }
  }
  return out;
}

function recordFromTable(e: TomlTable, file: string, index: number): DeploymentRecord {
  const problems: string[] = [];
  const need = (key: string): string => {
    const v = str(e[key]);
    if (v === undefined || v === '') problems.push(`no ${key}`);
    return v ?? '';
  };
  const artifactName = need('artifact_name');
  const artifactType = need('artifact_type');
  const fromCollection = need('from_collection');
  const artifactPath = need('artifact_path');
  const rec: DeploymentRecord = {
    artifactName,
    artifactType,
    fromCollection,
    artifactPath,
    deploymentProfileId: str(e.deployment_profile_id) || DEFAULT_PROFILE_ID,
    profileRootDir: str(e.profile_root_dir) || DEFAULT_PROFILE_ROOT,
    file,
    index,
  };
  const deployedAt = timeString(e.deployed_at);
  if (deployedAt !== undefined) rec.deployedAt = deployedAt;
  const hashes: [keyof DeploymentRecord, unknown][] = [
    ['contentHash', e.content_hash],
    ['collectionSha', e.collection_sha],
    ['parentHash', e.parent_hash],
    ['mergeBaseSnapshot', e.merge_base_snapshot],
  ];
  for (const [k, v] of hashes) {
    const h = normalizeHash(v);
    if (h) (rec as unknown as Record<string, unknown>)[k] = h;
  }
  if (typeof e.local_modifications === 'boolean') rec.localModifications = e.local_modifications;
  const lineage = strArray(e.version_lineage);
  if (lineage) rec.versionLineage = lineage.map((h) => normalizeHash(h) ?? h);
  const times: [keyof DeploymentRecord, unknown][] = [
    ['lastModifiedCheck', e.last_modified_check],
    ['modificationDetectedAt', e.modification_detected_at],
  ];
  for (const [k, v] of times) {
    const t = timeString(v);
    if (t !== undefined) (rec as unknown as Record<string, unknown>)[k] = t;
  }
  if (typeof e.platform === 'string') rec.platform = e.platform;
  if (typeof e.artifact_uuid === 'string') rec.artifactUuid = e.artifact_uuid;
  if (!rec.contentHash && !rec.collectionSha) problems.push('no content_hash or collection_sha');
  if (!isHiddenDirName(rec.profileRootDir)) {
    problems.push(`profile_root_dir ${JSON.stringify(rec.profileRootDir)} is not a hidden directory name`);
  }
  if (problems.length > 0) rec.error = `${file}: [[deployed]] #${index + 1} (${artifactName || '?'}): ${problems.join(', ')}`;
  return rec;
}

export function trackerFromToml(data: TomlTable, file: string): { records: DeploymentRecord[]; error?: string } {
  const deployed = data.deployed;
  if (deployed === undefined) return { records: [] };
  if (!Array.isArray(deployed)) return { records: [], error: `${file}: \`deployed\` is not an array of tables` };
  const records: DeploymentRecord[] = [];
  deployed.forEach((e, i) => {
    if (isTable(e)) records.push(recordFromTable(e, file, i));
    else records.push({ ...recordFromTable({}, file, i), error: `${file}: [[deployed]] #${i + 1} is not a table` });
  });
  return { records };
}

/**
 * Recognises the records of a file that does not parse, block by block, so each one can be shown as
 * unknown (with the file's error) and is not mistaken for "not deployed".
 */
// SkillMeat writes each record into the file of its own profile_root_dir, so a record cut before
// its profile fields belongs to the directory the file sits in.
const BUILTIN_PROFILE_IDS: Record<string, string> = { '.claude': 'claude_code', '.codex': 'codex', '.gemini': 'gemini', '.cursor': 'cursor', '.custom': 'other' };

function salvageRecords(text: string, file: string, fileError: string): DeploymentRecord[] {
  const dirRoot = path.basename(path.dirname(file));
  const blocks = text.split(/^[ \t]*\[\[\s*deployed\s*\]\][ \t]*(?:#.*)?$/m).slice(1);
  const out: DeploymentRecord[] = [];
  blocks.forEach((block, i) => {
    const field = (k: string): string | undefined => {
      const m = new RegExp(`^[ \\t]*${k}[ \\t]*=[ \\t]*(?:"([^"\\n]*)"|'([^'\\n]*)')`, 'm').exec(block);
      return m ? (m[1] ?? m[2]) : undefined;
    };
    const name = field('artifact_name');
    const type = field('artifact_type');
    if (!name || !type) return;
    out.push({
      artifactName: name,
      artifactType: type,
      fromCollection: field('from_collection') ?? '',
      artifactPath: field('artifact_path') ?? '',
      deploymentProfileId: field('deployment_profile_id') || BUILTIN_PROFILE_IDS[dirRoot] || dirRoot.slice(1) || DEFAULT_PROFILE_ID,
      profileRootDir: field('profile_root_dir') || dirRoot,
      file,
      index: i,
      error: fileError,
    });
  });
  return out;
}

/** `real`: the symlink checks of the scan this read belongs to (a new one by default). */
export async function readTrackerFile(file: string, folder: string, real = new RealPaths()): Promise<TrackerFileResult> {
  const profileRoot = path.basename(path.dirname(file));
  const result: TrackerFileResult = { file, profileRoot, records: [] };
  const check = await real.check(file, [path.join(folder, profileRoot)]);
  if (check.state === 'escape') {
    result.error = `${file}: symlink pointing outside ${path.join(folder, profileRoot)} (${check.real}); not read`;
    return result;
  }
  const r = await readTomlFile(file);
  if (!r.ok) {
    if (r.missing) return result;
    result.error = r.error;
    if (r.text !== undefined) result.records = salvageRecords(r.text, file, r.error);
    return result;
  }
  const t = trackerFromToml(r.data, file);
  result.records = t.records;
  if (t.error) result.error = t.error;
  return result;
}

export async function readTrackers(folder: string): Promise<TrackerSnapshot> {
  const files = await findTrackerFiles(folder);
  const real = new RealPaths();
  return { folder, files: await Promise.all(files.map((f) => readTrackerFile(f, folder, real))) };
}

/** Re-parse a tracker text (e.g. from a watcher) without touching the disk. */
export function parseTrackerText(text: string, file: string): { records: DeploymentRecord[]; error?: string } {
  const r = parseToml(file, text);
  if (!r.ok) return { records: salvageRecords(text, file, r.error), error: r.error };
  return trackerFromToml(r.data, file);
}
