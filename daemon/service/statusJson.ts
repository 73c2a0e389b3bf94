// The status answer as JSON text, reusing each folder's serialised rows while they are the same
// object (rows are never mutated once computed). Same content and key order as JSON.stringify of
// the answer, so the daemon's spliced reply is byte-identical to the in-process one.
import type { StatusResult, WorkspaceStatus } from '../../shared/types';

const serializedRows = new WeakMap<WorkspaceStatus, string>();
const RAW_PLACEHOLDER = '__skillmeat_sync_raw_workspaces__';

export function statusToJson(result: StatusResult): string {
  const parts = result.workspaces.map((ws) => {
    let json = serializedRows.get(ws);
    if (json === undefined) {
      json = JSON.stringify(ws);
      serializedRows.set(ws, json);
    }
    return json;
  });
  const head = JSON.stringify(result, (key, value) => (key === 'workspaces' && value === result.workspaces ? RAW_PLACEHOLDER : value));
  // The placeholder can only appear as this exact quoted token: inside any other string its
  // quotes would be escaped.
  return head.replace(`"${RAW_PLACEHOLDER}"`, () => `[${parts.join(',')}]`);
}
