// What the launcher prepared for this run (fixture copy, expected answers), found next to the
// workspace folder (<run>/project → <run>/e2e-context.json) so that it does not depend on
// environment variables reaching the extension host.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CollectionCounts } from '../../../shared/types';
import type { ExpectedArtifact } from '../../helpers/fixtureExpected';

export type { ExpectedArtifact };

export interface E2EContext {
  stage: string;
  skillmeatHome: string;
  project: string;
  resultFile: string;
  expected: { artifacts: ExpectedArtifact[]; collections: CollectionCounts[] };
  /** the github-origin skill the launcher added, served by the fake GitHub (see upstreamWorld.ts) */
  upstream?: {
    name: string;
    apiUrl: string;
    baseSha: string;
    headSha: string;
    baseFiles: Record<string, string>;
    headFiles: Record<string, string>;
  };
}

export function loadContext(): E2EContext {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const candidates = [
    process.env.SMS_E2E_RUN_DIR ? path.join(process.env.SMS_E2E_RUN_DIR, 'e2e-context.json') : undefined,
    folder ? path.join(path.dirname(folder), 'e2e-context.json') : undefined,
  ].filter((c): c is string => !!c);
  for (const c of candidates) {
    if (fs.existsSync(c)) return JSON.parse(fs.readFileSync(c, 'utf8')) as E2EContext;
  }
  throw new Error(`e2e-context.json not found (looked at ${candidates.join(', ')}); start the suite through test/e2e/run.mjs or electron.mjs`);
}
