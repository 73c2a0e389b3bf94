// The diff answers behind the file rows, kept per (folder, row, scope) while the row they were
// computed from is unchanged. Pure (no vscode import): the fetcher is injected.
import { keyMatches, parseArtifactKey, type KeyTarget } from '../shared/artifactKey';
import type { DiffParams } from '../shared/protocol';
import type { ArtifactRow, DiffResult, DiffScope } from '../shared/types';
import { deployedRowKey } from './artifactRef';

export type DiffFetcher = (params: DiffParams) => Promise<DiffResult>;

/**
 * What a diff depends on, as the status row states it: both copies' hashes and the upstream
 * commits. A row whose fingerprint changed (an edit, a pull, a new upstream head) gets a new diff;
 * so does every cached answer after a didChange that named the row.
 */
export function rowFingerprint(row: ArtifactRow): string {
  return JSON.stringify([row.status, row.projectHash, row.collectionHash, row.upstream.state, row.upstream.baseSha, row.upstream.headSha]);
}

interface Entry {
  folder: string;
  target: KeyTarget;
  fingerprint: string;
  answer: Promise<DiffResult>;
  settled?: DiffResult;
}

export class DiffCache {
  private readonly entries = new Map<string, Entry>();

  private readonly settledListeners = new Set<() => void>();

  constructor(private readonly fetch: DiffFetcher) {}

  /** Called after each new answer is kept (the Explorer decorations mark the changed files). */
  onDidSettle(listener: () => void): { dispose(): void } {
    this.settledListeners.add(listener);
    return { dispose: () => this.settledListeners.delete(listener) };
  }

  private static id(folder: string, row: ArtifactRow, scope: DiffScope): string {
    return JSON.stringify([folder, deployedRowKey(row), scope]);
  }

  /** The diff of this row and scope; one request for concurrent callers; failures are not kept. */
  get(folder: string, row: ArtifactRow, scope: DiffScope): Promise<DiffResult> {
    const id = DiffCache.id(folder, row, scope);
    const fingerprint = rowFingerprint(row);
    const hit = this.entries.get(id);
    if (hit && hit.fingerprint === fingerprint) return hit.answer;
    const entry: Entry = {
      folder,
      target: { collection: row.collection, name: row.name, type: row.type, profile: row.profile },
      fingerprint,
      answer: this.fetch({ key: deployedRowKey(row), folders: [folder], scope }),
    };
    entry.answer.then(
      (r) => {
        entry.settled = r;
        if (this.entries.get(id) === entry) for (const l of [...this.settledListeners]) l();
      },
      () => {
        if (this.entries.get(id) === entry) this.entries.delete(id);
      },
    );
    this.entries.set(id, entry);
    return entry.answer;
  }

  /** A settled answer for the row as it is now, without asking. */
  peek(folder: string, row: ArtifactRow, scope: DiffScope): DiffResult | undefined {
    const hit = this.entries.get(DiffCache.id(folder, row, scope));
    return hit && hit.fingerprint === rowFingerprint(row) ? hit.settled : undefined;
  }

  /** Drops the answers of these rows (row keys as in status rows), or of the whole folder. */
  drop(folder: string, rowKeys?: readonly string[]): void {
    const parsed = rowKeys?.flatMap((k) => {
      const p = parseArtifactKey(k);
      return p.ok ? [p.key] : [];
    });
    for (const [id, e] of [...this.entries]) {
      if (e.folder !== folder) continue;
      if (!parsed || parsed.some((k) => keyMatches(k, e.target))) this.entries.delete(id);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
