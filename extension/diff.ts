// Open Diff: the project copy against the collection copy in VS Code's diff editor; for a folder
// artifact the user picks the file, changed files first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ArtifactRow } from '../shared/types';
import { compareFolders, type FileChange } from './folderDiff';

/** Stands in for a file that exists on one side only. */
export const EMPTY_SCHEME = 'skillmeat-empty';

export function registerEmptyDocumentProvider(): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(EMPTY_SCHEME, {
    provideTextDocumentContent: () => '',
  });
}

function emptyUri(label: string): vscode.Uri {
  return vscode.Uri.from({ scheme: EMPTY_SCHEME, path: `/${label}` });
}

const CHANGE_ICON: Record<FileChange, string> = {
  modified: '$(diff-modified)',
  added: '$(diff-added)',
  deleted: '$(diff-removed)',
  unchanged: '$(circle-small)',
};

const CHANGE_TEXT: Record<FileChange, string> = {
  modified: 'modified in the project',
  added: 'only in the project copy',
  deleted: 'only in the collection copy',
  unchanged: 'unchanged',
};

async function openPair(projectFile: string | null, collectionFile: string | null, title: string): Promise<void> {
  const left = projectFile ? vscode.Uri.file(projectFile) : emptyUri(`${title} (not in project)`);
  const right = collectionFile ? vscode.Uri.file(collectionFile) : emptyUri(`${title} (not in collection)`);
  await vscode.commands.executeCommand('vscode.diff', left, right, `${title} (project ↔ collection)`, { preview: true });
}

export async function openArtifactDiff(row: ArtifactRow): Promise<void> {
  if (!row.projectPath || !row.collectionPath) {
    void vscode.window.showWarningMessage(
      `${row.name}: ${row.projectPath ? 'the collection copy' : 'the project copy'} cannot be located, so there is nothing to compare.`,
    );
    return;
  }
  const [projectStat, collectionStat] = await Promise.all([
    fs.promises.stat(row.projectPath).catch(() => undefined),
    fs.promises.stat(row.collectionPath).catch(() => undefined),
  ]);
  if (!projectStat && !collectionStat) {
    void vscode.window.showWarningMessage(`${row.name}: neither copy exists on disk.`);
    return;
  }
  const isDir = (projectStat ?? collectionStat)?.isDirectory() ?? false;
  if (!isDir) {
    await openPair(projectStat ? row.projectPath : null, collectionStat ? row.collectionPath : null, row.name);
    return;
  }
  const entries = await compareFolders(row.projectPath, row.collectionPath);
  if (entries.length === 0) {
    void vscode.window.showInformationMessage(`${row.name}: both folders are empty.`);
    return;
  }
  const changed = entries.filter((e) => e.change !== 'unchanged');
  type Item = vscode.QuickPickItem & { entry?: (typeof entries)[number] };
  const items: Item[] = [];
  if (changed.length) items.push({ label: 'Changed', kind: vscode.QuickPickItemKind.Separator });
  for (const e of changed) items.push({ label: `${CHANGE_ICON[e.change]} ${e.relativePath}`, description: CHANGE_TEXT[e.change], entry: e });
  const same = entries.filter((e) => e.change === 'unchanged');
  if (same.length) items.push({ label: 'Unchanged', kind: vscode.QuickPickItemKind.Separator });
  for (const e of same) items.push({ label: `${CHANGE_ICON[e.change]} ${e.relativePath}`, description: CHANGE_TEXT[e.change], entry: e });
  if (changed.length === 1 && changed[0]) {
    const e = changed[0];
    await openPair(e.projectFile, e.collectionFile, `${row.name}/${e.relativePath}`);
    return;
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: `${row.name}: ${changed.length ? `${changed.length} of ${entries.length} files differ` : 'no file differs'}`,
    placeHolder: 'File to compare (project ↔ collection)',
    matchOnDescription: true,
  });
  if (!picked?.entry) return;
  const e = picked.entry;
  await openPair(e.projectFile, e.collectionFile, `${row.name}/${e.relativePath}`);
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
