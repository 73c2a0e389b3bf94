// The children of an artifact row in the Sync Status view: its changed files (one comparison) or
// one group per comparison (a conflict). Pure (no vscode import): syncTree.ts fetches the diffs and
// serves these nodes.
import type { ArtifactRow, DiffResult } from '../shared/types';
import { escapeMarkdown, truncate } from './displayText';
import { fileRows, groupTooltip, noChangesText, shownDiff, summaryText, type ComparisonView, type FileRowView, type ShownDiff } from './fileChanges';
import type { SyncNode } from './syncTreeModel';

/** What a file row (or group) stands for: enough to open its diff editor. */
export interface FileChangeRef {
  folder: string;
  row: ArtifactRow;
  view: ComparisonView;
  result: DiffResult;
  shown: ShownDiff;
  file?: FileRowView;
}

/** A comparison's answer, or why it could not be had. */
export type ComparisonAnswer = { view: ComparisonView; result: DiffResult } | { view: ComparisonView; error: string };

function base(parent: SyncNode, suffix: string): Pick<SyncNode, 'id' | 'folder' | 'children'> {
  return { id: `${parent.id}:${suffix}`, folder: parent.folder, children: [] };
}

function messageNode(parent: SyncNode, suffix: string, text: string, severity: 'info' | 'error'): SyncNode {
  return {
    ...base(parent, suffix),
    kind: 'fileMessage',
    label: truncate(text, 120),
    tooltip: escapeMarkdown(text),
    icon: severity === 'error' ? { id: 'error', color: 'problemsErrorIcon.foreground' } : { id: 'info' },
    contextValue: `fileMessage ${severity}`,
    collapsible: 'none',
  };
}

function fileNodesOf(parent: SyncNode, row: ArtifactRow, answer: ComparisonAnswer): SyncNode[] {
  const scopeId = answer.view.scope + (answer.view.reversed ? '~' : '');
  if ('error' in answer) return [messageNode(parent, `${scopeId}:error`, `${answer.view.title}: ${answer.error}`, 'error')];
  const shown = shownDiff(answer.result, answer.view.reversed);
  const rows = fileRows(shown);
  if (rows.length === 0) return [messageNode(parent, `${scopeId}:none`, noChangesText(shown), 'info')];
  return rows.map((f) => ({
    ...base(parent, `${scopeId}:${f.path}`),
    kind: 'file' as const,
    label: f.label,
    description: f.description,
    tooltip: f.tooltip,
    contextValue: `file change-${f.file.status}${f.file.binary ? ' binary' : ''}`,
    collapsible: 'none' as const,
    row,
    change: { folder: parent.folder, row, view: answer.view, result: answer.result, shown, file: f },
  }));
}

/** The children of an expanded artifact row: file rows directly for one comparison, groups for several. */
export function artifactChildren(parent: SyncNode, row: ArtifactRow, answers: readonly ComparisonAnswer[]): SyncNode[] {
  const [only] = answers;
  if (answers.length === 1 && only) return fileNodesOf(parent, row, only);
  return answers.map((a) => {
    const scopeId = a.view.scope + (a.view.reversed ? '~' : '');
    const group = base(parent, `group:${scopeId}`);
    const node: SyncNode = {
      ...group,
      kind: 'fileGroup',
      label: a.view.title,
      description: 'error' in a ? 'unavailable' : summaryText(shownDiff(a.result, a.view.reversed).summary),
      tooltip: 'error' in a ? escapeMarkdown(a.error) : groupTooltip(a.view, shownDiff(a.result, a.view.reversed)),
      icon: { id: 'diff' },
      contextValue: 'fileGroup',
      collapsible: 'expanded',
      row,
    };
    node.children = fileNodesOf(node, row, a);
    return node;
  });
}
