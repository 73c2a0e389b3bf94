// The diff editor for what changed: file rows open VS Code's diff editor with one side per copy.
// The project copy is the real file (editable); collection and upstream copies are read-only
// virtual documents the daemon serves (`skillmeat:` URIs, fileContent requests); a side without
// the file is an empty document, and binary files say so instead of showing bytes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FileContentRequest } from '../shared/protocol';
import type { ArtifactRow, DiffSide, DiffSideName } from '../shared/types';
import { deployedRowKey } from './artifactRef';
import type { SkillmeatContext } from './context';
import { diffTitle, FILE_LETTER, sideText } from './fileChanges';
import type { FileChangeRef } from './fileNodes';

/** Stands in for a file that exists on one side only. */
export const EMPTY_SCHEME = 'skillmeat-empty';
/** Read-only copies served by the daemon. */
export const SIDE_SCHEME = 'skillmeat';
/** The resource of a file row: carries its change letter for the decoration provider. */
export const CHANGE_SCHEME = 'skillmeat-change';

function emptyUri(label: string): vscode.Uri {
  return vscode.Uri.from({ scheme: EMPTY_SCHEME, path: `/${label}` });
}

interface SideQuery {
  key: string;
  folder: string;
  side: DiffSideName;
  path: string;
  commit?: string;
}

/** `skillmeat:/<side>/<artifact>/<path>?…`: the path gives the tab its name and the language its mode. */
export function sideUri(row: ArtifactRow, folder: string, side: DiffSide, filePath: string): vscode.Uri {
  const q: SideQuery = { key: deployedRowKey(row), folder, side: side.side, path: filePath };
  if (side.commit) q.commit = side.commit;
  return vscode.Uri.from({
    scheme: SIDE_SCHEME,
    path: `/${side.side}${side.commit ? `@${side.commit.slice(0, 7)}` : ''}/${row.name}/${filePath}`,
    query: new URLSearchParams(q as unknown as Record<string, string>).toString(),
  });
}

function parseSideUri(uri: vscode.Uri): SideQuery {
  const q = new URLSearchParams(uri.query);
  const side = q.get('side');
  const key = q.get('key');
  const folder = q.get('folder');
  const p = q.get('path');
  if (!key || !folder || !p || (side !== 'project' && side !== 'collection' && side !== 'upstream')) {
    throw new Error(`not a SkillMeat document: ${uri.toString()}`);
  }
  return { key, folder, side, path: p, commit: q.get('commit') ?? undefined };
}

export class SideDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(private readonly ctx: SkillmeatContext) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(SIDE_SCHEME, this),
      vscode.workspace.registerTextDocumentContentProvider(EMPTY_SCHEME, { provideTextDocumentContent: () => '' }),
      // Collection and project copies change on disk; upstream ones are fixed by their commit.
      ctx.onDidChangeStatus(() => {
        for (const doc of vscode.workspace.textDocuments) {
          if (doc.uri.scheme === SIDE_SCHEME && !doc.isClosed && !new URLSearchParams(doc.uri.query).get('commit')) {
            this.emitter.fire(doc.uri);
          }
        }
      }),
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = parseSideUri(uri);
    const client = this.ctx.client;
    if (!client) throw new Error('the SkillMeat Sync daemon is not running');
    const r = await client.request(FileContentRequest, { key: q.key, folders: [q.folder], side: q.side, commit: q.commit, path: q.path });
    return sideText(r);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The project copy of one file: the artifact's folder joined with the path, or the artifact file itself. */
async function projectFile(row: ArtifactRow, filePath: string): Promise<string | undefined> {
  if (!row.projectPath) return undefined;
  const st = await fs.promises.stat(row.projectPath).catch(() => undefined);
  if (!st) return undefined;
  return st.isDirectory() ? path.join(row.projectPath, ...filePath.split('/')) : row.projectPath;
}

async function uriOf(ref: FileChangeRef, side: DiffSide, exists: boolean, binary: boolean, filePath: string): Promise<vscode.Uri> {
  if (!exists) return emptyUri(`${filePath} (not in the ${side.side})`.replace(/^\/+/, ''));
  if (side.side === 'project' && !binary) {
    const file = await projectFile(ref.row, filePath);
    if (file) return vscode.Uri.file(file);
  }
  return sideUri(ref.row, ref.folder, side, filePath);
}

/** Opens one file row in the diff editor: left and right as the row's comparison shows them. */
export async function openFileDiff(ref: FileChangeRef): Promise<void> {
  const f = ref.file;
  if (!f) return;
  const status = f.file.status;
  const binary = f.file.binary === true;
  const left = await uriOf(ref, ref.shown.left, status !== 'added', binary, f.path);
  const right = await uriOf(ref, ref.shown.right, status !== 'deleted', binary, f.path);
  await vscode.commands.executeCommand('vscode.diff', left, right, diffTitle(f.path, ref.shown), { preview: true });
}

/** The resource a file row carries, so the decoration provider can paint its letter. */
export function changeUri(ref: FileChangeRef, nodeId: string): vscode.Uri {
  const status = ref.file?.file.status ?? 'modified';
  return vscode.Uri.from({ scheme: CHANGE_SCHEME, path: `/${ref.file?.path ?? ''}`, query: new URLSearchParams({ status, id: nodeId }).toString() });
}

/** The letter and colour of a file row's resource (see changeUri). */
export function changeDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
  const status = new URLSearchParams(uri.query).get('status');
  if (status !== 'added' && status !== 'modified' && status !== 'deleted') return undefined;
  const l = FILE_LETTER[status];
  return new vscode.FileDecoration(l.letter, status, new vscode.ThemeColor(l.color));
}

/** Opens the collection copy: a file in an editor; a folder's main file (SKILL.md, …) or else reveals it. */
export async function openCollectionCopy(collectionPath: string, name: string): Promise<void> {
  const st = await fs.promises.stat(collectionPath).catch(() => undefined);
  if (!st) {
    void vscode.window.showWarningMessage(`${name}: the collection copy does not exist at ${collectionPath}.`);
    return;
  }
  if (st.isFile()) {
    await vscode.window.showTextDocument(vscode.Uri.file(collectionPath), { preview: true });
    return;
  }
  for (const main of ['SKILL.md', 'skill.md', 'WORKFLOW.yaml', 'COMPOSITE.md', 'PLUGIN.md', '.mcp.json', 'mcp.json', 'README.md']) {
    const candidate = path.join(collectionPath, main);
    if (fs.existsSync(candidate)) {
      await vscode.window.showTextDocument(vscode.Uri.file(candidate), { preview: true });
      return;
    }
  }
  await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(collectionPath));
}
