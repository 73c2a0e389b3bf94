// A SkillMeat home, a project and a fake GitHub repository for the "what changed" tests. The
// repository acme/kit holds a skill (skills/canvas) and a command (commands/review.md); upstream
// moved after the collection took them, the collection copy and the project copy were edited.
//
//   canvas file   upstream base   upstream head   collection copy    project copy
//   SKILL.md      s1              s2 (modified)   s1                 s1 + "proj" (project edit)
//   keep.md       k               k               k                  k
//   old.md        o               (deleted)       o                  (deleted in the project)
//   guide.md      g1              g1              g1 + "col"          g1 + "col"  (collection edit)
//   logo.png      binary 1        binary 2        binary 1           binary 1
//   new.md        -               n (added)       -                  -
//   proj.md       -               -               -                  p (added in the project)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentHash } from '../../daemon/skillmeat';
import type { FakeGitHub } from '../fakeGithub/server';

export const LOGO_1 = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 1, 2, 3]);
export const LOGO_2 = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 4, 5, 6, 7]);

export const BASE_FILES: Record<string, string | Buffer> = {
  'skills/canvas/SKILL.md': '# canvas\ns1\n',
  'skills/canvas/keep.md': 'k\n',
  'skills/canvas/old.md': 'o\n',
  'skills/canvas/guide.md': 'g1\n',
  'skills/canvas/logo.png': LOGO_1,
  'commands/review.md': 'review\nr1\n',
  'README.md': '# kit\n',
};

export const HEAD_CHANGES: Record<string, string | Buffer | null> = {
  'skills/canvas/SKILL.md': '# canvas\ns2\n',
  'skills/canvas/old.md': null,
  'skills/canvas/logo.png': LOGO_2,
  'skills/canvas/new.md': 'n\n',
  'commands/review.md': 'review\nr2\n',
};

export interface DiffWorld {
  base: string;
  head: string;
}

function write(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
}

function under(prefix: string, files: Record<string, string | Buffer>): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = {};
  for (const [k, v] of Object.entries(files)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

export async function buildDiffWorld(gh: FakeGitHub, home: string, workspace: string): Promise<DiffWorld> {
  const base = gh.addRepo('acme', 'kit', { files: BASE_FILES });
  const head = gh.commit('acme', 'kit', 'main', HEAD_CHANGES);
  const col = path.join(home, 'collections', 'default');
  const canvasCol = path.join(col, 'skills', 'canvas');
  const canvasProj = path.join(workspace, '.claude', 'skills', 'canvas');
  const canvas = under('skills/canvas/', BASE_FILES);
  write(canvasCol, { ...canvas, 'guide.md': 'g1\ncol\n' });
  write(canvasProj, { ...canvas, 'guide.md': 'g1\ncol\n', 'SKILL.md': '# canvas\ns1\nproj\n', 'proj.md': 'p\n' });
  fs.rmSync(path.join(canvasProj, 'old.md'));
  write(col, { 'commands/review.md': BASE_FILES['commands/review.md'] });
  write(path.join(workspace, '.claude'), { 'commands/review.md': BASE_FILES['commands/review.md'] });
  write(col, { 'skills/mine/SKILL.md': '# mine\n' });
  write(path.join(workspace, '.claude'), { 'skills/mine/SKILL.md': '# mine\n' });
  fs.writeFileSync(path.join(home, 'config.toml'), '[settings]\ndefault-collection = "default"\n');

  const arts = [
    { name: 'canvas', type: 'skill', rel: 'skills/canvas', origin: 'github', repoPath: 'skills/canvas' },
    { name: 'review', type: 'command', rel: 'commands/review.md', origin: 'github', repoPath: 'commands/review.md' },
    { name: 'mine', type: 'skill', rel: 'skills/mine', origin: 'local', repoPath: '' },
  ];
  let manifest = '[collection]\nname = "default"\nversion = "1.0.0"\ncreated = "2026-11-22T01:00:00.000000"\nupdated = "2026-11-22T01:00:00.000000"\n';
  let lock = '[lock]\nversion = "1.0.0"\n';
  let tracker = '';
  for (const a of arts) {
    const hash = await contentHash(path.join(col, a.rel));
    const upstream = a.origin === 'github' ? `https://github.com/acme/kit/tree/${base}/${a.repoPath}` : '';
    manifest += `\n[[artifacts]]\nname = "${a.name}"\ntype = "${a.type}"\npath = "${a.rel}"\norigin = "${a.origin}"\n`;
    if (upstream) manifest += `upstream = "${upstream}"\nversion_spec = "latest"\nresolved_sha = "${base}"\n`;
    manifest += 'added = "2026-11-22T01:00:00.000000"\n';
    lock += `\n[lock.entries."${a.name}::${a.type}"]\n${upstream ? `upstream = "${upstream}"\nresolved_sha = "${base}"\n` : ''}content_hash = "${hash}"\nfetched = "2026-11-22T01:00:00.000000"\n`;
    const deployedName = a.type === 'command' ? `${a.name}.md` : a.name;
    tracker += `[[deployed]]\nartifact_name = "${deployedName}"\nartifact_type = "${a.type}"\nfrom_collection = "default"\ndeployed_at = "2026-11-22T01:10:00.000000"\nartifact_path = "${a.rel}"\ncontent_hash = "${hash}"\nlocal_modifications = false\ndeployment_profile_id = "claude_code"\nplatform = "claude_code"\nprofile_root_dir = ".claude"\ncollection_sha = "${hash}"\n\n`;
  }
  fs.writeFileSync(path.join(col, 'collection.toml'), manifest);
  fs.writeFileSync(path.join(col, 'collection.lock'), lock);
  fs.writeFileSync(path.join(workspace, '.claude', '.skillmeat-deployed.toml'), tracker);
  return { base, head };
}
