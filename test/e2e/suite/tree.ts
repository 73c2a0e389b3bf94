// Reads a TreeDataProvider the way the workbench does (getChildren → getTreeItem, recursively), so
// assertions are about what the user would see, not about the extension's internal model.
import * as vscode from 'vscode';
import { SYNC_STATUSES, type SyncStatus } from '../../../shared/types';

export interface TreeNode {
  element: unknown;
  item: vscode.TreeItem;
  depth: number;
  label: string;
  description: string;
  tooltip: string;
  children: TreeNode[];
}

function labelText(label: string | vscode.TreeItemLabel | undefined): string {
  if (label === undefined) return '';
  return typeof label === 'string' ? label : label.label;
}

function tooltipText(t: vscode.TreeItem['tooltip']): string {
  if (t === undefined) return '';
  return typeof t === 'string' ? t : t.value;
}

export async function readTree<T>(provider: vscode.TreeDataProvider<T>, maxDepth = 6): Promise<TreeNode[]> {
  async function level(parent: T | undefined, depth: number): Promise<TreeNode[]> {
    const kids = (await provider.getChildren(parent)) ?? [];
    const nodes: TreeNode[] = [];
    for (const k of kids) {
      const item = await provider.getTreeItem(k);
      const node: TreeNode = {
        element: k,
        item,
        depth,
        label: labelText(item.label) || (item.resourceUri ? item.resourceUri.path.split('/').pop() ?? '' : ''),
        description: typeof item.description === 'string' ? item.description : '',
        tooltip: tooltipText(item.tooltip),
        children: [],
      };
      const expandable = item.collapsibleState !== undefined && item.collapsibleState !== vscode.TreeItemCollapsibleState.None;
      if (expandable && depth < maxDepth) node.children = await level(k, depth + 1);
      nodes.push(node);
    }
    return nodes;
  }
  return level(undefined, 0);
}

export function flatten(nodes: TreeNode[]): TreeNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

const STATUS_WORD = new RegExp(`\\b(${SYNC_STATUSES.join('|')})\\b`, 'i');

/**
 * The status a row shows. Prefers the row object the element carries (exact), then the words the
 * user sees: context value, description, tooltip.
 */
export function statusOf(node: TreeNode): SyncStatus | undefined {
  const el = node.element as { row?: { status?: unknown }; status?: unknown } | undefined;
  const fromElement = el?.row?.status ?? el?.status;
  if (typeof fromElement === 'string' && (SYNC_STATUSES as readonly string[]).includes(fromElement)) {
    return fromElement as SyncStatus;
  }
  for (const text of [node.item.contextValue ?? '', node.description, node.tooltip]) {
    const m = STATUS_WORD.exec(text);
    if (m) return m[1].toLowerCase() as SyncStatus;
  }
  return undefined;
}

/**
 * The deployed-artifact row for a name: a node carrying a row object when the tree exposes one
 * (so a same-named "not deployed" entry cannot stand in for it), else the node with that label.
 */
export function findRow(nodes: TreeNode[], name: string): TreeNode | undefined {
  const all = flatten(nodes).filter((n) => n.label === name || n.label.startsWith(`${name} `));
  return all.find((n) => (n.element as { row?: unknown } | undefined)?.row !== undefined) ?? all[0];
}

export function describeTree(nodes: TreeNode[]): string {
  return flatten(nodes)
    .map((n) => `${'  '.repeat(n.depth)}${n.label} — ${n.description} [${n.item.contextValue ?? ''}]`)
    .join('\n');
}
