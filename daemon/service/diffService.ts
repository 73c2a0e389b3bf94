// The `diff` and `fileContent` requests: the home snapshot and the folders' rows as the status
// request would answer them now (so every change made before the request is seen), the local
// copies read from disk at request time, and upstream content through UpstreamContent.
import type { DiffParams, FileContentParams } from '../../shared/protocol';
import type { DiffResult, FileContentResult, StatusResult } from '../../shared/types';
import { readFileContent, runDiff, type DiffInputs } from '../diff/artifactDiff';
import type { CollectionSnapshot, HomeSnapshot, ManifestArtifact } from '../skillmeat';
import { targetOf, type UpstreamSubject } from '../upstream';
import type { UpstreamContent } from '../upstream/upstreamContent';
import { resolveArtifact } from './artifactResolver';

export interface DiffServiceDeps {
  /** the home snapshot, read no earlier than the latest invalidation */
  home(): Promise<HomeSnapshot>;
  status(folders: string[]): Promise<StatusResult>;
  subjectOf(col: CollectionSnapshot, art: ManifestArtifact): UpstreamSubject;
  content: UpstreamContent;
}

export class DiffService {
  constructor(private readonly deps: DiffServiceDeps) {}

  private async inputs(folders: string[] | undefined): Promise<DiffInputs> {
    const list = folders ?? [];
    const workspaces = list.length ? (await this.deps.status(list)).workspaces : [];
    const home = await this.deps.home();
    return {
      folders: list,
      resolve: (key) => resolveArtifact(home, key, workspaces),
      upstream: (col, art) => {
        const tr = targetOf(this.deps.subjectOf(col, art));
        if ('untracked' in tr) return { none: tr.untracked };
        return this.deps.content.handle(tr.target);
      },
    };
  }

  async diff(p: DiffParams): Promise<DiffResult> {
    return runDiff(await this.inputs(p.folders), p);
  }

  async fileContent(p: FileContentParams): Promise<FileContentResult> {
    return readFileContent(await this.inputs(p.folders), p);
  }
}
