// Which files differ between a deployed skill folder and its collection copy, so Open Diff can
// offer the changed files first. Reads bytes; no vscode import.
import * as fs from 'node:fs';
import * as path from 'node:path';

export type FileChange = 'modified' | 'added' | 'deleted' | 'unchanged';

export interface FileDiffEntry {
  /** forward-slash path relative to the artifact folder */
  relativePath: string;
  /** added = only in the project copy; deleted = only in the collection copy */
  change: FileChange;
  projectFile: string | null;
  collectionFile: string | null;
}

/** Bounds a pathological folder (a node_modules copied into a skill) so the picker stays usable. */
export const MAX_FILES = 5000;

/** Regular files under dir, like SkillMeat's hash walk: hidden files included, symlinked dirs not descended. */
async function listFiles(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(root);
  } catch {
    return out;
  }
  if (!st.isDirectory()) return out;
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = await fs.promises.readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      if (out.size >= MAX_FILES) return;
      const abs = path.join(dir, e.name);
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(abs, relPath);
      else if (e.isFile()) out.set(relPath, abs);
      else if (e.isSymbolicLink()) {
        const target = await fs.promises.stat(abs).catch(() => undefined);
        if (target?.isFile()) out.set(relPath, abs);
      }
    }
  };
  await walk(root, '');
  return out;
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([fs.promises.stat(a), fs.promises.stat(b)]);
  if (sa.size !== sb.size) return false;
  const [ba, bb] = await Promise.all([fs.promises.readFile(a), fs.promises.readFile(b)]);
  return ba.equals(bb);
}

const CHANGE_RANK: Record<FileChange, number> = { modified: 0, added: 1, deleted: 2, unchanged: 3 };

export async function compareFolders(projectDir: string, collectionDir: string): Promise<FileDiffEntry[]> {
  const [project, collection] = await Promise.all([listFiles(projectDir), listFiles(collectionDir)]);
  const names = new Set([...project.keys(), ...collection.keys()]);
  const entries: FileDiffEntry[] = [];
  for (const rel of names) {
    const p = project.get(rel) ?? null;
    const c = collection.get(rel) ?? null;
    let change: FileChange;
    if (p && c) change = (await sameBytes(p, c).catch(() => false)) ? 'unchanged' : 'modified';
    else change = p ? 'added' : 'deleted';
    entries.push({ relativePath: rel, change, projectFile: p, collectionFile: c });
  }
  return entries.sort((a, b) => CHANGE_RANK[a.change] - CHANGE_RANK[b.change] || a.relativePath.localeCompare(b.relativePath));
}
