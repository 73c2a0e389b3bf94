// What each sync status and upstream state means to the user: label, icon, colour, explanation.
// One table so the tree, the tooltips and the status bar never disagree.
import type { SyncStatus, UpstreamState } from '../shared/types';

export interface IconSpec {
  /** codicon id */
  id: string;
  /** theme colour id */
  color?: string;
}

export interface StatusPresentation {
  label: string;
  icon: IconSpec;
  explanation: string;
  /** false for states that need no action from the user */
  needsAttention: boolean;
}

export const STATUS_PRESENTATION: Record<SyncStatus, StatusPresentation> = {
  synced: {
    label: 'synced',
    icon: { id: 'pass', color: 'testing.iconPassed' },
    explanation: 'The project copy is what was deployed, and the collection copy has not changed since.',
    needsAttention: false,
  },
  modified: {
    label: 'modified',
    icon: { id: 'edit', color: 'gitDecoration.modifiedResourceForeground' },
    explanation:
      'The project copy was edited since it was deployed; the collection copy is unchanged. ' +
      'Push to the collection to keep the edits, or pull from the collection to discard them.',
    needsAttention: true,
  },
  outdated: {
    label: 'outdated',
    icon: { id: 'arrow-circle-down', color: 'charts.blue' },
    explanation:
      'The collection copy changed since this was deployed; the project copy is unchanged. ' +
      'Pull from the collection to bring it up to date.',
    needsAttention: true,
  },
  conflict: {
    label: 'conflict',
    icon: { id: 'git-merge', color: 'problemsErrorIcon.foreground' },
    explanation:
      'Both the project copy and the collection copy changed since deployment, and they differ. ' +
      'Compare them with Open Diff before pulling or pushing.',
    needsAttention: true,
  },
  converged: {
    label: 'converged',
    icon: { id: 'check-all', color: 'charts.yellow' },
    explanation:
      'Both copies changed since deployment but are identical now (SkillMeat calls this a conflict). ' +
      'Redeploying only refreshes the recorded baseline.',
    needsAttention: true,
  },
  missing: {
    label: 'missing',
    icon: { id: 'circle-slash', color: 'problemsWarningIcon.foreground' },
    explanation:
      'The deployment record exists but the deployed copy is gone from the project ' +
      '(SkillMeat itself reports this as synced). Pull from the collection to restore it.',
    needsAttention: true,
  },
  orphaned: {
    label: 'orphaned',
    icon: { id: 'debug-disconnect', color: 'charts.purple' },
    explanation: 'The collection it was deployed from, or the artifact in that collection, no longer exists.',
    needsAttention: true,
  },
  unknown: {
    label: 'unknown',
    icon: { id: 'question', color: 'problemsErrorIcon.foreground' },
    explanation: 'The status could not be determined.',
    needsAttention: true,
  },
};

/** Order of status groups and of the status bar summary: what needs action first. */
export const STATUS_ORDER: readonly SyncStatus[] = [
  'conflict',
  'outdated',
  'modified',
  'missing',
  'orphaned',
  'unknown',
  'converged',
  'synced',
];

export const STATUS_GROUP_TITLE: Record<SyncStatus, string> = {
  conflict: 'Conflict',
  outdated: 'Outdated',
  modified: 'Modified',
  missing: 'Missing',
  orphaned: 'Orphaned',
  unknown: 'Unknown',
  converged: 'Converged',
  synced: 'Synced',
};

export const UPSTREAM_TEXT: Record<UpstreamState, string> = {
  current: 'up to date with upstream',
  'update-available': 'an update is available upstream',
  'repo-moved': 'the upstream repository has new commits, none of them touching this artifact',
  unknown: 'upstream state unknown',
  untracked: 'not tracked upstream',
};

/** Short badge for the row description; undefined when the state is not worth a badge. */
export const UPSTREAM_BADGE: Record<UpstreamState, string | undefined> = {
  current: undefined,
  'update-available': 'update upstream',
  'repo-moved': 'repo moved',
  unknown: 'upstream unknown',
  untracked: undefined,
};
