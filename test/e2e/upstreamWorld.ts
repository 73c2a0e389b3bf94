// The e2e run's GitHub: our fake GitHub on 127.0.0.1 serving `acme/skills`, and a github-origin
// skill added to the fixture copy (collection, lock, deployment) whose source moved on after it was
// collected — so a real VS Code shows an update-available row and its upstream changes.
// Bundled by run-folder.mjs; the launcher (run.mjs) starts it before code-server.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentHash } from '../../daemon/skillmeat/contentHash';
import { FakeGitHub } from '../fakeGithub/server';
import type { ExpectedArtifact } from '../helpers/fixtureExpected';

export const UPSTREAM_SKILL = 'changelog-writer';
const REPO_PATH = `skills/${UPSTREAM_SKILL}`;

/** What the collection took (base) and what upstream holds now (head), file by file. */
export const BASE_FILES: Record<string, string> = {
  'SKILL.md': '---\nname: changelog-writer\ndescription: Write changelog entries from merged pull requests.\n---\n\n# Changelog writer\n\nGroup entries by Added, Changed and Fixed.\n',
  'templates/entry.md': '- {{title}} (#{{number}})\n',
};
export const HEAD_FILES: Record<string, string> = {
  'SKILL.md':
    '---\nname: changelog-writer\ndescription: Write changelog entries from merged pull requests.\n---\n\n# Changelog writer\n\nGroup entries by Added, Changed, Deprecated and Fixed.\nLink every entry to its pull request.\n',
  'templates/entry.md': BASE_FILES['templates/entry.md']!,
  'templates/release.md': '## {{version}} — {{date}}\n\n{{entries}}\n',
};

export interface UpstreamWorld {
  apiUrl: string;
  baseSha: string;
  headSha: string;
  /** the row the fixture's expected answers gain */
  expected: ExpectedArtifact;
  stop(): Promise<void>;
}

export async function startFakeGitHub(): Promise<{ gh: FakeGitHub; apiUrl: string }> {
  const gh = new FakeGitHub();
  const apiUrl = await gh.start();
  return { gh, apiUrl };
}

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

/**
 * Adds the github-origin skill to `skillmeatHome`'s default collection and deploys it to
 * `project/.claude`, as SkillMeat 0.9.1 writes these files (same fields as the fixture's local
 * artifacts, plus origin/upstream/version_spec/resolved_sha).
 */
export async function addUpstreamSkill(gh: FakeGitHub, apiUrl: string, skillmeatHome: string, project: string): Promise<UpstreamWorld> {
  const repoFiles = Object.fromEntries(Object.entries(BASE_FILES).map(([k, v]) => [`${REPO_PATH}/${k}`, v]));
  const baseSha = gh.addRepo('acme', 'skills', { files: { 'README.md': '# acme skills\n', ...repoFiles } });
  const collectionCopy = path.join(skillmeatHome, 'collections', 'default', 'skills', UPSTREAM_SKILL);
  const projectCopy = path.join(project, '.claude', 'skills', UPSTREAM_SKILL);
  writeFiles(collectionCopy, BASE_FILES);
  writeFiles(projectCopy, BASE_FILES);
  const hash = await contentHash(collectionCopy);
  const upstream = `https://github.com/acme/skills/tree/${baseSha}/${REPO_PATH}`;
  const col = path.join(skillmeatHome, 'collections', 'default');
  fs.appendFileSync(
    path.join(col, 'collection.toml'),
    `\n[[artifacts]]\nname = "${UPSTREAM_SKILL}"\ntype = "skill"\npath = "skills/${UPSTREAM_SKILL}"\norigin = "github"\nupstream = "${upstream}"\nversion_spec = "latest"\nresolved_sha = "${baseSha}"\nadded = "2026-11-22T01:34:15.000000"\n\n[artifacts.metadata]\ndescription = "Write changelog entries from merged pull requests."\n`,
  );
  fs.appendFileSync(
    path.join(col, 'collection.lock'),
    `\n[lock.entries."${UPSTREAM_SKILL}::skill"]\nupstream = "${upstream}"\nresolved_sha = "${baseSha}"\ncontent_hash = "${hash}"\nfetched = "2026-11-22T01:34:15.100000"\n`,
  );
  fs.appendFileSync(
    path.join(project, '.claude', '.skillmeat-deployed.toml'),
    `\n[[deployed]]\nartifact_name = "${UPSTREAM_SKILL}"\nartifact_type = "skill"\nfrom_collection = "default"\ndeployed_at = "2026-11-22T01:34:27.440000"\nartifact_path = "skills/${UPSTREAM_SKILL}"\ncontent_hash = "${hash}"\nlocal_modifications = false\ndeployment_profile_id = "claude_code"\nplatform = "claude_code"\nprofile_root_dir = ".claude"\ncollection_sha = "${hash}"\n`,
  );
  // Upstream moves on after the collection took it: one file changed, one added.
  const headSha = gh.commit(
    'acme',
    'skills',
    'main',
    Object.fromEntries(Object.entries(HEAD_FILES).map(([k, v]) => [`${REPO_PATH}/${k}`, v])),
    'changelog-writer: deprecations, release template',
  );
  return {
    apiUrl,
    baseSha,
    headSha,
    expected: {
      name: UPSTREAM_SKILL,
      type: 'skill',
      profile: 'claude_code',
      collection: 'default',
      projectHash: hash,
      deployedHash: hash,
      collectionHash: hash,
      lockHash: hash,
      status: 'synced',
    },
    stop: () => gh.stop(),
  };
}
