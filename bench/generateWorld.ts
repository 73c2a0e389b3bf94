// A synthetic SkillMeat home (several collections) and a workspace with N deployed artifacts, laid
// out exactly like SkillMeat 0.9.1 writes them (SKILLMEAT-FORMATS.md §1–§4). Content is cheap
// pseudo-random text: hashing cost depends on bytes, not on what they say.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentHash } from '../daemon/skillmeat/contentHash';
import type { SyncStatus } from '../shared/types';

export interface DeployedArtifact {
  key: string;
  name: string;
  type: 'skill' | 'command' | 'agent';
  collection: string;
  profileRoot: string;
  projectPath: string;
  collectionPath: string;
  /** a file inside the project copy that an edit may touch */
  editableFile: string;
  expected: SyncStatus;
}

export interface World {
  home: string;
  workspace: string;
  deployed: DeployedArtifact[];
  /** every file the engine reads to hash (project and collection copies of deployed artifacts) */
  hashedFiles: string[];
  hashedBytes: number;
  collections: string[];
  /** artifacts in collections that are not deployed */
  notDeployed: number;
}

const COLLECTIONS: { id: string; share: number }[] = [
  { id: 'default', share: 0.6 },
  { id: 'work', share: 0.25 },
  { id: 'team', share: 0.15 },
];
const PROFILES = [
  { root: '.claude', id: 'claude_code' },
  { root: '.cursor', id: 'cursor' },
];
const OLD_TIME = new Date(Date.now() - 24 * 3600_000);
const ISO = '2026-01-10T09:00:00.123456';

/** Deterministic, so runs are comparable. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function filler(rand: () => number): Buffer {
  const words = ['skill', 'meat', 'deploy', 'hash', 'agent', 'command', 'the', 'of', 'and', 'project', 'sync', 'tree', 'upstream', 'a', 'to'];
  const parts: string[] = [];
  let len = 0;
  while (len < 24 * 1024) {
    const w = words[Math.floor(rand() * words.length)];
    parts.push(w);
    len += w.length + 1;
    if (rand() < 0.08) {
      parts.push('\n');
      len++;
    }
  }
  return Buffer.from(parts.join(' '));
}

interface FileSpec {
  rel: string;
  data: Buffer;
}

function between(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/**
 * The file shapes measured. `mixed`: skills of 5–20 files of 1–20 KB (the original bench shape).
 * `small`: the real skills shape of issue #15 — ~14 files of ~7.5 KB per skill (12–16 files of
 * 3–12 KB), so that at N = 1,000 about 14,000 files are hashed.
 */
export type WorldShape = 'mixed' | 'small';

interface ShapeSpec {
  files: [number, number];
  bytes: [number, number];
}

const SHAPES: Record<WorldShape, ShapeSpec> = {
  mixed: { files: [5, 20], bytes: [1024, 20 * 1024] },
  small: { files: [12, 16], bytes: [3 * 1024, 12 * 1024] },
};

function fileData(rand: () => number, base: Buffer, label: string, shape: ShapeSpec): Buffer {
  const size = between(rand, shape.bytes[0], shape.bytes[1]);
  const start = Math.floor(rand() * (base.length - size));
  const head = Buffer.from(`# ${label}\n`);
  return Buffer.concat([head, base.subarray(start, start + size - head.length)]);
}

function skillFiles(rand: () => number, base: Buffer, name: string, shape: ShapeSpec): FileSpec[] {
  const count = between(rand, shape.files[0], shape.files[1]);
  const files: FileSpec[] = [{ rel: 'SKILL.md', data: Buffer.concat([Buffer.from(`---\nname: ${name}\ndescription: generated\n---\n`), fileData(rand, base, name, shape)]) }];
  for (let i = 1; i < count; i++) {
    const dir = i % 3 === 0 ? 'scripts' : i % 3 === 1 ? 'references' : '';
    const rel = dir ? `${dir}/part-${i}.md` : `notes-${i}.md`;
    files.push({ rel, data: fileData(rand, base, `${name}/${rel}`, shape) });
  }
  return files;
}

function writeTree(dir: string, files: FileSpec[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    const abs = path.join(dir, f.rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, f.data);
    // Old mtimes: freshly written files are "racy" for the hash cache and would always be re-hashed.
    fs.utimesSync(abs, OLD_TIME, OLD_TIME);
    out.push(abs);
  }
  return out;
}

const q = (s: string) => JSON.stringify(s);

/**
 * Writes `<root>/home/.skillmeat` (or `opts.home`) and `opts.workspace` with `n` deployed artifacts
 * (50 % skills of 5–20 files, 30 % commands, 20 % agents; 1–20 KB per file). About 5 % of the
 * project copies are edited after the deploy (modified) and 3 % of the collection copies
 * (outdated), so the engine does real comparisons.
 */
export async function generateWorld(opts: { home: string; workspace: string; n: number; seed?: number; shape?: WorldShape }): Promise<World> {
  const { home, workspace, n } = opts;
  const shape = SHAPES[opts.shape ?? 'mixed'];
  const rand = prng(opts.seed ?? 7);
  const base = filler(rand);
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(path.join(home, 'config.toml'), '[settings]\ndefault-collection = "default"\nupdate-strategy = "prompt"\n\n[analytics]\nenabled = false\nretention-days = 90\n');

  const manifests = new Map<string, string[]>();
  const locks = new Map<string, string[]>();
  const trackers = new Map<string, string[]>();
  for (const c of COLLECTIONS) {
    manifests.set(c.id, [`[collection]\nname = ${q(c.id)}\nversion = "1.0.0"\ncreated = "${ISO}"\nupdated = "${ISO}"\n`]);
    locks.set(c.id, ['[lock]\nversion = "1.0.0"\n']);
  }
  const deployed: DeployedArtifact[] = [];
  const hashedFiles: string[] = [];
  let hashedBytes = 0;
  let notDeployed = 0;
  // ~5 % more artifacts live in the collections without being deployed
  const total = n + Math.ceil(n / 20);
  let shareAcc = 0;
  const cutoffs = COLLECTIONS.map((c) => (shareAcc += c.share));
  for (let i = 0; i < total; i++) {
    const isDeployed = i < n;
    const frac = (i % n) / n;
    const col = COLLECTIONS[cutoffs.findIndex((cut) => frac < cut + 1e-9)] ?? COLLECTIONS[0];
    const colDir = path.join(home, 'collections', col.id);
    const kind = i % 10 < 5 ? 'skill' : i % 10 < 8 ? 'command' : 'agent';
    const name = `${kind}-${String(i).padStart(5, '0')}`;
    const rel = kind === 'skill' ? `skills/${name}` : `${kind}s/${name}.md`;
    const colPath = path.join(colDir, rel);
    const files = kind === 'skill' ? skillFiles(rand, base, name, shape) : [{ rel: '', data: fileData(rand, base, name, shape) }];
    const written = kind === 'skill' ? writeTree(colPath, files) : writeTree(path.dirname(colPath), [{ rel: path.basename(colPath), data: files[0].data }]);
    const deployedHash = await contentHash(colPath);
    manifests.get(col.id)!.push(`[[artifacts]]\nname = ${q(name)}\ntype = ${q(kind)}\npath = ${q(rel)}\norigin = "local"\nadded = "${ISO}"\n`);
    locks.get(col.id)!.push(`[lock.entries."${name}::${kind}"]\ncontent_hash = ${q(deployedHash)}\nfetched = "${ISO}"\n`);
    if (!isDeployed) {
      notDeployed++;
      continue;
    }
    const profile = i % 5 === 4 ? PROFILES[1] : PROFILES[0];
    const projRoot = path.join(workspace, profile.root);
    const projPath = path.join(projRoot, rel);
    const projFiles = kind === 'skill' ? writeTree(projPath, files) : writeTree(path.dirname(projPath), [{ rel: path.basename(projPath), data: files[0].data }]);
    let expected: SyncStatus = 'synced';
    const editable = kind === 'skill' ? path.join(projPath, 'SKILL.md') : projPath;
    if (i % 20 === 7) {
      fs.appendFileSync(editable, '\nlocal edit\n');
      fs.utimesSync(editable, OLD_TIME, OLD_TIME);
      expected = 'modified';
    } else if (i % 33 === 5) {
      const colFile = kind === 'skill' ? path.join(colPath, 'SKILL.md') : colPath;
      fs.appendFileSync(colFile, '\ncollection edit\n');
      fs.utimesSync(colFile, OLD_TIME, OLD_TIME);
      expected = 'outdated';
    }
    for (const f of [...written, ...projFiles]) {
      hashedFiles.push(f);
      hashedBytes += fs.statSync(f).size;
    }
    let t = trackers.get(profile.root);
    if (!t) trackers.set(profile.root, (t = []));
    t.push(
      `[[deployed]]\nartifact_name = ${q(name)}\nartifact_type = ${q(kind)}\nfrom_collection = ${q(col.id)}\n` +
        `deployed_at = "${ISO}"\nartifact_path = ${q(rel)}\ncontent_hash = ${q(deployedHash)}\nlocal_modifications = false\n` +
        `merge_base_snapshot = ${q(deployedHash)}\ndeployment_profile_id = ${q(profile.id)}\nplatform = ${q(profile.id)}\n` +
        `profile_root_dir = ${q(profile.root)}\ncollection_sha = ${q(deployedHash)}\n`,
    );
    deployed.push({
      key: `${name}::${kind}::${profile.id}`,
      name,
      type: kind,
      collection: col.id,
      profileRoot: profile.root,
      projectPath: projPath,
      collectionPath: colPath,
      editableFile: editable,
      expected,
    });
  }
  for (const c of COLLECTIONS) {
    const dir = path.join(home, 'collections', c.id);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'collection.toml'), manifests.get(c.id)!.join('\n'));
    fs.writeFileSync(path.join(dir, 'collection.lock'), locks.get(c.id)!.join('\n'));
  }
  for (const [root, records] of trackers) {
    const file = path.join(workspace, root, '.skillmeat-deployed.toml');
    fs.writeFileSync(file, records.join('\n'));
    fs.utimesSync(file, OLD_TIME, OLD_TIME);
  }
  return { home, workspace, deployed, hashedFiles, hashedBytes, collections: COLLECTIONS.map((c) => c.id), notDeployed };
}

/** How many rows of each status the generated world must produce. */
export function expectedCounts(world: World): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of world.deployed) out[d.expected] = (out[d.expected] ?? 0) + 1;
  return out;
}
