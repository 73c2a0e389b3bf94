// Pure: what a batch of watcher events invalidates. The service applies the plan (drops cache
// entries, bumps generations, recomputes the subscribed folders); keeping the mapping here, free of
// caches and timers, lets each rule be tested on its own.
import { artifactKey } from '../../shared/artifactKey';
import type { CollectionSnapshot, HomeSnapshot } from '../skillmeat';
import { sourceKey, targetOf } from '../upstream';
import type { ChangeEvent } from '../watch/changeEvent';
import { subjectOf } from './artifactResolver';

export interface InvalidationPlan {
  /** the home snapshot must be read again (its generation is bumped) */
  home: boolean;
  /** every collection's counts are dropped (the active collection marks every count) */
  allCounts: boolean;
  /** these collections' counts are dropped; also the candidates for didChange's `collections` */
  counts: string[];
  /** every hash entry is dropped */
  allHashes: boolean;
  /** hash entries at, above or below these paths are dropped */
  hashPaths: string[];
  /** every folder's rows are recomputed whole */
  allFolders: boolean;
  /** folders whose rows are recomputed whole (tracker or profile roots changed) */
  wholeFolders: string[];
  /** folders where only deployed files changed: just the rows at these paths are recomputed */
  folderPaths: Map<string, string[]>;
  /** clients are told the home itself changed */
  notifyHome: boolean;
}

export function planInvalidation(events: readonly ChangeEvent[]): InvalidationPlan {
  const plan: InvalidationPlan = {
    home: false,
    allCounts: false,
    counts: [],
    allHashes: false,
    hashPaths: [],
    allFolders: false,
    wholeFolders: [],
    folderPaths: new Map(),
    notifyHome: false,
  };
  const counts = new Set<string>();
  const whole = new Set<string>();
  for (const e of events) {
    switch (e.kind) {
      case 'config':
      case 'home':
      case 'overflow':
        plan.home = true;
        plan.allFolders = true;
        plan.allCounts = true;
        if (e.kind === 'overflow') plan.allHashes = true;
        else plan.notifyHome = true;
        break;
      case 'collectionAdded':
      case 'collectionRemoved':
      case 'manifest':
        plan.home = true;
        plan.allFolders = true;
        counts.add(e.collection);
        break;
      case 'lock':
        plan.home = true;
        plan.allFolders = true;
        break;
      case 'collectionFiles':
        plan.hashPaths.push(...e.paths);
        plan.allFolders = true;
        break;
      case 'tracker':
      case 'profileRoots':
        whole.add(e.folder);
        break;
      case 'deployedFiles': {
        plan.hashPaths.push(...e.paths);
        let list = plan.folderPaths.get(e.folder);
        if (!list) plan.folderPaths.set(e.folder, (list = []));
        list.push(...e.paths);
        break;
      }
    }
  }
  plan.counts = [...counts];
  // A folder whose tracker or profile roots changed is recomputed whole, deployed paths or not.
  for (const f of whole) plan.folderPaths.delete(f);
  plan.wholeFolders = [...whole];
  if (plan.allFolders) {
    plan.wholeFolders = [];
    plan.folderPaths.clear();
  }
  return plan;
}

export interface HomeChangePlan {
  /** upstream answers to drop: SkillMeat's update/sync/deploy rewrote these sources' fields */
  upstreamKeys: string[];
  /** collections whose counts really changed (membership or MCP servers): for didChange */
  collections: string[];
}

/**
 * Once the home has been read again: which upstream answers no longer hold (an artifact's
 * `resolved_sha`, `version_spec` or `upstream` changed, or it is gone), and which of the candidate
 * collections really changed counts (a manifest rewrite that kept membership changes none).
 */
export function planHomeChange(before: HomeSnapshot | undefined, after: HomeSnapshot | undefined, countCandidates: readonly string[]): HomeChangePlan {
  if (!before || !after) return { upstreamKeys: [], collections: [...countCandidates] };
  const keys = new Set<string>();
  for (const [id, col] of before.collections) {
    const next = after.collections.get(id);
    for (const art of col.artifacts) {
      const now = next?.artifacts.find((a) => a.name === art.name && a.type === art.type);
      if (now && now.resolvedSha === art.resolvedSha && now.versionSpec === art.versionSpec && now.upstream === art.upstream) continue;
      const tr = targetOf(subjectOf(col, art));
      if ('target' in tr) keys.add(sourceKey(tr.target));
    }
  }
  const collections = countCandidates.filter((id) => {
    const b = before.collections.get(id);
    const a = after.collections.get(id);
    return !(b && a && sameMembership(b, a) && b.mcpServers.length === a.mcpServers.length);
  });
  return { upstreamKeys: [...keys], collections };
}

function sameMembership(a: CollectionSnapshot, b: CollectionSnapshot): boolean {
  if (a.artifacts.length !== b.artifacts.length) return false;
  const set = new Set(a.artifacts.map((x) => artifactKey(x.name, x.type)));
  return b.artifacts.every((x) => set.has(artifactKey(x.name, x.type)));
}
