// Nodes of the Collections view: each collection with its total, expanding to counts per type and
// MCP servers. Pure (no vscode import).
import type { CountsResult } from '../shared/types';
import { codeSpan, escapeMarkdown, plural } from './displayText';
import type { NodeView } from './nodeView';

export interface CollectionNode extends NodeView {
  kind: 'collection' | 'count' | 'message';
  /** collection directory name (the id SkillMeat reads by) */
  collection?: string;
  children: CollectionNode[];
}

const TYPE_PLURALS: Record<string, string> = {
  skill: 'skills',
  command: 'commands',
  agent: 'agents',
  hook: 'hooks',
  mcp: 'MCP artifacts',
  workflow: 'workflows',
  composite: 'composites',
};
const TYPE_ORDER = Object.keys(TYPE_PLURALS);

function typeRank(t: string): number {
  const i = TYPE_ORDER.indexOf(t);
  return i < 0 ? TYPE_ORDER.length : i;
}

export function buildCollectionRoots(result: CountsResult | undefined, error?: string): CollectionNode[] {
  const roots: CollectionNode[] = [];
  if (error !== undefined) {
    roots.push({
      id: 'message:countsError',
      kind: 'message',
      label: `Counts could not be read: ${error}`,
      tooltip: escapeMarkdown(error),
      icon: { id: 'error', color: 'problemsErrorIcon.foreground' },
      contextValue: 'message error',
      collapsible: 'none',
      children: [],
    });
    return roots;
  }
  if (!result) return roots;
  (result.warnings ?? []).forEach((w, i) =>
    roots.push({
      id: `message:warning${i}`,
      kind: 'message',
      label: w,
      tooltip: escapeMarkdown(w),
      icon: { id: 'warning', color: 'problemsWarningIcon.foreground' },
      contextValue: 'message warning',
      collapsible: 'none',
      children: [],
    }),
  );
  const sorted = [...result.collections].sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name));
  for (const c of sorted) {
    const id = `collection:${c.name}`;
    const children: CollectionNode[] = [];
    if (c.error) {
      children.push({
        id: `${id}:error`,
        kind: 'message',
        collection: c.name,
        label: c.error,
        tooltip: escapeMarkdown(c.error),
        icon: { id: 'error', color: 'problemsErrorIcon.foreground' },
        contextValue: 'message error',
        collapsible: 'none',
        children: [],
      });
    }
    const types = Object.keys(c.byType).sort((a, b) => typeRank(a) - typeRank(b) || a.localeCompare(b));
    for (const t of types) {
      children.push({
        id: `${id}:type:${t}`,
        kind: 'count',
        collection: c.name,
        label: TYPE_PLURALS[t] ?? t,
        description: String(c.byType[t]),
        icon: { id: 'symbol-field' },
        contextValue: 'count',
        collapsible: 'none',
        children: [],
      });
    }
    children.push({
      id: `${id}:mcpServers`,
      kind: 'count',
      collection: c.name,
      label: 'MCP servers',
      description: String(c.mcpServers),
      icon: { id: 'server' },
      contextValue: 'count',
      collapsible: 'none',
      children: [],
    });
    const display = c.displayName && c.displayName !== c.name ? c.displayName : c.name;
    const tooltip = [
      `**${escapeMarkdown(display)}**${c.active ? ' — the active collection' : ''}`,
      '',
      `${plural(c.total, 'artifact')}, ${plural(c.mcpServers, 'MCP server')}.`,
    ];
    if (c.displayName && c.displayName !== c.name) {
      tooltip.push('', `Directory ${codeSpan(c.name)}; its manifest names it ${codeSpan(c.displayName)}.`);
    }
    if (c.error) tooltip.push('', `⚠ ${escapeMarkdown(c.error)}`);
    roots.push({
      id,
      kind: 'collection',
      collection: c.name,
      label: display,
      description: [plural(c.total, 'artifact'), c.active ? 'active' : undefined, c.error ? 'error' : undefined]
        .filter(Boolean)
        .join(' · '),
      tooltip: tooltip.join('\n'),
      icon: c.error
        ? { id: 'warning', color: 'problemsWarningIcon.foreground' }
        : c.active
          ? { id: 'star-full', color: 'charts.yellow' }
          : { id: 'library' },
      contextValue: c.active ? 'collection active' : 'collection',
      collapsible: 'collapsed',
      children,
    });
  }
  return roots;
}
