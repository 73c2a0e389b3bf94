// Turns the pure models' icon descriptions into VS Code theme icons.
import * as vscode from 'vscode';
import type { NodeView } from './nodeView';
import type { IconSpec } from './syncStatusText';

export function themeIcon(spec: IconSpec | undefined): vscode.ThemeIcon | undefined {
  if (!spec) return undefined;
  return new vscode.ThemeIcon(spec.id, spec.color ? new vscode.ThemeColor(spec.color) : undefined);
}

export function collapsibleState(c: 'none' | 'collapsed' | 'expanded'): vscode.TreeItemCollapsibleState {
  return c === 'expanded'
    ? vscode.TreeItemCollapsibleState.Expanded
    : c === 'collapsed'
      ? vscode.TreeItemCollapsibleState.Collapsed
      : vscode.TreeItemCollapsibleState.None;
}

export function treeItemOf(node: NodeView): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, collapsibleState(node.collapsible));
  item.id = node.id;
  item.description = node.description;
  if (node.tooltip) item.tooltip = new vscode.MarkdownString(node.tooltip);
  item.iconPath = themeIcon(node.icon);
  item.contextValue = node.contextValue;
  return item;
}
