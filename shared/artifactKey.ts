// Every artifact key, formatted and parsed in one place. The daemon, the CLI and the extension
// build keys only through these functions, and a user's KEY argument is parsed only by
// parseArtifactKey, so the grammar below is the one the README and `--help` describe.
//
//   name                          an artifact of any type, in any collection (must be unambiguous)
//   name::type                    an artifact of that type, in any collection
//   collection/name::type         one collection's artifact
//   name::type::profile           a deployed row (the `key` of a status row)
//   collection/name::type::profile
//   github:host/owner/repo@ref    an upstream source (the `source` of an upstream answer; invalidate only)

export const KEY_GRAMMAR = 'name, name::type, collection/name::type, name::type::profile, or collection/name::type::profile';

const SEP = '::';

/** The `key` of a status row: one deployment of an artifact under one profile. */
export function rowKey(name: string, type: string, profile: string): string {
  return `${name}${SEP}${type}${SEP}${profile}`;
}

/** An artifact's identity inside one collection (SkillMeat's lock-entry key). */
export function artifactKey(name: string, type: string): string {
  return `${name}${SEP}${type}`;
}

/** An artifact's identity across collections (`UpstreamResultRow.artifact`). */
export function qualifiedKey(collection: string, name: string, type: string): string {
  return `${collection}/${artifactKey(name, type)}`;
}

export interface ParsedArtifactKey {
  collection?: string;
  name: string;
  type?: string;
  profile?: string;
}

export type KeyParse = { ok: true; key: ParsedArtifactKey } | { ok: false; error: string };

/** Source keys (`github:…`) are not artifact keys; callers that accept both check this first. */
export function isSourceKey(text: string): boolean {
  return text.startsWith('github:');
}

export function parseArtifactKey(text: string): KeyParse {
  const bad = (why: string): KeyParse => ({ ok: false, error: `invalid artifact key "${text}": ${why} (expected ${KEY_GRAMMAR})` });
  if (typeof text !== 'string' || text.trim() === '') return bad('empty');
  if (text !== text.trim()) return bad('surrounding spaces');
  const parts = text.split(SEP);
  if (parts.length > 3) return bad('too many "::" parts');
  if (parts.some((p) => p === '')) return bad('an empty part');
  let [head] = parts;
  const type = parts[1];
  const profile = parts[2];
  let collection: string | undefined;
  const slash = head.indexOf('/');
  if (slash >= 0) {
    collection = head.slice(0, slash);
    head = head.slice(slash + 1);
    if (!collection || !head) return bad('an empty collection or name around "/"');
    if (head.includes('/')) return bad('more than one "/"');
  }
  const key: ParsedArtifactKey = { name: head };
  if (collection !== undefined) key.collection = collection;
  if (type !== undefined) key.type = type;
  if (profile !== undefined) key.profile = profile;
  return { ok: true, key };
}

export interface KeyTarget {
  collection?: string | null;
  name: string;
  type: string;
  profile?: string;
}

/**
 * Whether a parsed key names this artifact (or row). Parts the key leaves out match anything;
 * a profile in the key only matches targets that have one (deployed rows).
 */
export function keyMatches(key: ParsedArtifactKey, t: KeyTarget): boolean {
  if (key.name !== t.name) return false;
  if (key.type !== undefined && key.type !== t.type) return false;
  if (key.collection !== undefined && key.collection !== (t.collection ?? undefined)) return false;
  if (key.profile !== undefined && key.profile !== t.profile) return false;
  return true;
}

export function formatParsedKey(k: ParsedArtifactKey): string {
  let s = k.collection !== undefined ? `${k.collection}/${k.name}` : k.name;
  if (k.type !== undefined) s += `${SEP}${k.type}`;
  if (k.profile !== undefined) s += `${SEP}${k.profile}`;
  return s;
}

/**
 * SkillMeat's lock-entry key (`name::type`, as SkillMeat writes it) split at its last `::`;
 * undefined when the text is not of that form.
 */
export function splitLockKey(key: string): { name: string; type: string } | undefined {
  const i = key.lastIndexOf(SEP);
  if (i <= 0 || i + SEP.length >= key.length) return undefined;
  return { name: key.slice(0, i), type: key.slice(i + SEP.length) };
}
