// Counts per collection from its manifest (7.1): `[[artifacts]]` length, per type; MCP servers apart.
import type { CollectionCounts } from '../../shared/types';
import type { HomeSnapshot } from './home';

export function computeCounts(home: HomeSnapshot, ids?: string[]): CollectionCounts[] {
  const wanted = ids ?? [...home.collections.keys()].sort();
  const out: CollectionCounts[] = [];
  for (const id of wanted) {
    const col = home.collections.get(id);
    const row: CollectionCounts = { name: id, active: id === home.activeCollection, total: 0, byType: {}, mcpServers: 0 };
    if (!col) {
      row.error = `collection "${id}" not found under ${home.home}`;
      out.push(row);
      continue;
    }
    if (col.name !== id) row.displayName = col.name;
    if (col.error) {
      row.error = col.error;
      out.push(row);
      continue;
    }
    row.total = col.artifacts.length;
    for (const a of col.artifacts) row.byType[a.type] = (row.byType[a.type] ?? 0) + 1;
    row.mcpServers = col.mcpServers.length;
    out.push(row);
  }
  return out;
}
