// Regenerates demo/home/.skillmeat and demo/workspace with hashes from our own contentHash:
//   npx tsx demo/build-demo.ts
// Skills stay flat (no subfolders) so their directory hashes are the same on Windows and POSIX.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentHash } from '../daemon/skillmeat/contentHash';

const ROOT = __dirname;
const HOME = path.join(ROOT, 'home', '.skillmeat');
const COL = path.join(HOME, 'collections', 'default');
const WS = path.join(ROOT, 'workspace');

function write(p: string, s: string): void {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, s);
}

const skill = (name: string, desc: string, body: string) => `---\nname: ${name}\ndescription: ${desc}\n---\n# ${name}\n\n${body}`;

interface DemoArtifact {
  name: string;
  type: 'skill' | 'command' | 'agent';
  rel: string;
  files: Record<string, string>;
  /** what the collection holds now, when it moved on after the deploy */
  collectionNow?: Record<string, string>;
  /** what the project holds now, when it was edited after the deploy */
  projectNow?: Record<string, string>;
  deployed: boolean;
  github?: boolean;
}

const ARTIFACTS: DemoArtifact[] = [
  {
    name: 'canvas-design',
    type: 'skill',
    rel: 'skills/canvas-design',
    files: { 'SKILL.md': skill('canvas-design', 'Make posters', 'Lay out a poster on a 12-column grid.\n'), 'palette.txt': 'ink #1b1b1b\npaper #f4efe6\n' },
    deployed: true,
    github: true,
  },
  {
    name: 'review',
    type: 'command',
    rel: 'commands/review.md',
    files: { '': '---\ndescription: Review the staged diff\n---\nReview the diff and list problems.\n' },
    projectNow: { '': '---\ndescription: Review the staged diff\n---\nReview the diff carefully and list problems by severity.\n' },
    deployed: true,
  },
  {
    name: 'code-reviewer',
    type: 'agent',
    rel: 'agents/code-reviewer.md',
    files: { '': '---\nname: code-reviewer\ndescription: Checks code for bugs\n---\nYou review code.\n' },
    collectionNow: { '': '---\nname: code-reviewer\ndescription: Checks code for bugs and style\n---\nYou review code for bugs, then style.\n' },
    deployed: true,
  },
  {
    name: 'notes-helper',
    type: 'skill',
    rel: 'skills/notes-helper',
    files: { 'SKILL.md': skill('notes-helper', 'Summarise meeting notes', 'Turn notes into action items.\n') },
    deployed: false,
  },
];

function materialise(base: string, files: Record<string, string>): void {
  if ('' in files) return write(base, files['']);
  for (const [rel, c] of Object.entries(files)) write(path.join(base, rel), c);
}

async function main(): Promise<void> {
  fs.rmSync(path.join(ROOT, 'home'), { recursive: true, force: true });
  fs.rmSync(WS, { recursive: true, force: true });
  write(path.join(HOME, 'config.toml'), '[settings]\ndefault-collection = "default"\nupdate-strategy = "prompt"\n\n[analytics]\nenabled = true\nretention-days = 90\n');

  let manifest = '[collection]\nname = "default"\nversion = "1.0.0"\ncreated = "2026-01-10T09:00:00"\nupdated = "2026-02-01T12:30:05"\n';
  let lock = '[lock]\nversion = "1.0.0"\n';
  let tracker = '';
  for (const a of ARTIFACTS) {
    // The deploy-time content is what both sides held when SkillMeat copied it.
    const colPath = path.join(COL, a.rel);
    materialise(colPath, a.files);
    const deployedHash = await contentHash(colPath);
    if (a.collectionNow) {
      fs.rmSync(colPath, { recursive: true, force: true });
      materialise(colPath, a.collectionNow);
    }
    const lockHash = await contentHash(colPath);
    manifest += `\n[[artifacts]]\nname = "${a.name}"\ntype = "${a.type}"\npath = "${a.rel}"\norigin = "${a.github ? 'github' : 'local'}"\nadded = "2026-01-10T09:05:00"\n`;
    if (a.github) {
      manifest += `upstream = "https://github.com/anthropics/skills/tree/0123456789abcdef0123456789abcdef01234567/${a.name}"\nversion_spec = "latest"\nresolved_sha = "0123456789abcdef0123456789abcdef01234567"\n`;
    }
    lock += `\n[lock.entries."${a.name}::${a.type}"]\ncontent_hash = "${lockHash}"\nfetched = "2026-01-10T09:05:00"\n`;
    if (!a.deployed) continue;
    const projPath = path.join(WS, '.claude', a.rel);
    materialise(projPath, a.files);
    if (a.projectNow) {
      fs.rmSync(projPath, { recursive: true, force: true });
      materialise(projPath, a.projectNow);
    }
    tracker +=
      `[[deployed]]\nartifact_name = "${a.name}"\nartifact_type = "${a.type}"\nfrom_collection = "default"\n` +
      `deployed_at = "2026-02-02T14:03:07.250000"\nartifact_path = "${a.rel}"\ncontent_hash = "${deployedHash}"\n` +
      `local_modifications = false\nmerge_base_snapshot = "${deployedHash}"\ndeployment_profile_id = "claude_code"\n` +
      `platform = "claude_code"\nprofile_root_dir = ".claude"\ncollection_sha = "${deployedHash}"\n\n`;
  }
  write(path.join(COL, 'collection.toml'), manifest);
  write(path.join(COL, 'collection.lock'), lock);
  write(path.join(WS, '.claude', '.skillmeat-deployed.toml'), tracker);
  write(path.join(WS, 'README.md'), '# Demo workspace\n\nOpened by `npm start`; its `.claude/` was deployed from `demo/home/.skillmeat`.\n');
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
