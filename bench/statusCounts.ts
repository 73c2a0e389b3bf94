// How many rows of each status a status answer holds, and whether two such tallies agree: the
// bench checks every answer it times against what the generator wrote.
import type { StatusResult } from '../shared/types';

export function statusCounts(r: StatusResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of r.workspaces[0]?.artifacts ?? []) out[a.status] = (out[a.status] ?? 0) + 1;
  return out;
}

export function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
}
