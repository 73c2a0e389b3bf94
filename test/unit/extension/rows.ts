// Status rows shaped like the daemon's answers, built from the real SkillMeat 0.9.1 fixture's
// expected.json so the view models are exercised with the hashes and statuses real users get.
import type { ExpectedArtifact } from '../../helpers/fixtureExpected';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArtifactRow, WorkspaceStatus } from '../../../shared/types';
import { BASIC_FIXTURE as FIXTURE } from '../../helpers/fixtures';

export { FIXTURE };

interface ExpectedStage {
  artifacts: ExpectedArtifact[];
  collections: { name: string; active: boolean; total: number; byType: Record<string, number>; mcpServers: number }[];
}

export function expectedStage(stage: 'after-deploy' | 'after-edits'): ExpectedStage {
  const all = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8')) as Record<string, ExpectedStage>;
  const s = all[stage];
  if (!s) throw new Error(`no stage ${stage} in expected.json`);
  return s;
}

const CONTAINER: Record<string, string> = { skill: 'skills', command: 'commands', agent: 'agents' };

function relPath(type: string, name: string): string {
  return type === 'skill' ? `${CONTAINER[type]}/${name}` : `${CONTAINER[type] ?? `${type}s`}/${name}.md`;
}

export function fixtureRows(stage: 'after-deploy' | 'after-edits'): ArtifactRow[] {
  const root = path.join(FIXTURE, stage);
  return expectedStage(stage).artifacts.map((a) => ({
    key: `${a.name}::${a.type}::${a.profile}`,
    name: a.name,
    type: a.type,
    profile: a.profile,
    profileRoot: '.claude',
    collection: a.collection,
    status: a.status,
    projectHash: a.projectHash,
    deployedHash: a.deployedHash,
    collectionHash: a.collectionHash,
    lockHash: a.lockHash,
    upstream: { state: 'untracked', reason: 'added from a local path' },
    projectPath: path.join(root, 'project', '.claude', relPath(a.type, a.name)),
    collectionPath: path.join(root, 'home', '.skillmeat', 'collections', a.collection, relPath(a.type, a.name)),
    trackerFile: path.join(root, 'project', '.claude', '.skillmeat-deployed.toml'),
    deployedAt: '2026-11-22T01:34:27.394868',
  }));
}

export function fixtureWorkspace(stage: 'after-deploy' | 'after-edits'): WorkspaceStatus {
  return { folder: path.join(FIXTURE, stage, 'project'), artifacts: fixtureRows(stage), notDeployed: [] };
}

export function row(overrides: Partial<ArtifactRow> & Pick<ArtifactRow, 'name'>): ArtifactRow {
  const type = overrides.type ?? 'skill';
  const profile = overrides.profile ?? 'claude_code';
  return {
    key: `${overrides.name}::${type}::${profile}`,
    type,
    profile,
    profileRoot: '.claude',
    collection: 'default',
    status: 'synced',
    projectHash: 'a'.repeat(64),
    deployedHash: 'a'.repeat(64),
    collectionHash: 'a'.repeat(64),
    lockHash: 'a'.repeat(64),
    upstream: { state: 'current', checkedAt: '2026-01-01T12:00:00Z' },
    projectPath: `/ws/.claude/skills/${overrides.name}`,
    collectionPath: `/home/u/.skillmeat/collections/default/skills/${overrides.name}`,
    trackerFile: '/ws/.claude/.skillmeat-deployed.toml',
    ...overrides,
  };
}
