// A tiny git object store: blobs, trees and commits hashed exactly like git, so a tree SHA changes
// only when something below it changes — the property the path-aware upstream check relies on.
import { createHash } from 'node:crypto';

export interface TreeEntry {
  name: string;
  mode: '100644' | '040000';
  type: 'blob' | 'tree';
  sha: string;
}
export type GitObject =
  | { type: 'blob'; content: Buffer }
  | { type: 'tree'; entries: TreeEntry[] }
  | { type: 'commit'; tree: string; parents: string[]; message: string }
  | { type: 'tag'; object: string; name: string };

function gitHash(type: string, body: Buffer): string {
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]))
    .digest('hex');
}

export class GitStore {
  readonly objects = new Map<string, GitObject>();
  private clock = 1_700_000_000;

  blob(content: string | Buffer): string {
    const buf = typeof content === 'string' ? Buffer.from(content) : content;
    const sha = gitHash('blob', buf);
    this.objects.set(sha, { type: 'blob', content: buf });
    return sha;
  }

  /** Builds the tree objects for a flat path → content map and returns the root tree SHA. */
  treeOf(files: ReadonlyMap<string, string | Buffer>): string {
    interface Dir {
      files: Map<string, string | Buffer>;
      dirs: Map<string, Dir>;
    }
    const root: Dir = { files: new Map(), dirs: new Map() };
    for (const [p, content] of files) {
      const parts = p.split('/').filter(Boolean);
      let d = root;
      for (const part of parts.slice(0, -1)) {
        let next = d.dirs.get(part);
        if (!next) {
          next = { files: new Map(), dirs: new Map() };
          d.dirs.set(part, next);
        }
        d = next;
      }
      d.files.set(parts[parts.length - 1], content);
    }
    const write = (d: Dir): string => {
      const entries: TreeEntry[] = [];
      for (const [name, content] of d.files) entries.push({ name, mode: '100644', type: 'blob', sha: this.blob(content) });
      for (const [name, sub] of d.dirs) entries.push({ name, mode: '040000', type: 'tree', sha: write(sub) });
      // git orders tree entries as if directory names ended in "/"
      const sortKey = (e: TreeEntry): string => (e.type === 'tree' ? `${e.name}/` : e.name);
      entries.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
      const body = Buffer.concat(
        entries.map((e) =>
          Buffer.concat([Buffer.from(`${e.mode === '040000' ? '40000' : e.mode} ${e.name}\0`), Buffer.from(e.sha, 'hex')]),
        ),
      );
      const sha = gitHash('tree', body);
      this.objects.set(sha, { type: 'tree', entries });
      return sha;
    };
    return write(root);
  }

  commit(tree: string, parents: string[], message: string): string {
    this.clock += 60;
    const text =
      `tree ${tree}\n` +
      parents.map((p) => `parent ${p}\n`).join('') +
      `author Fake <fake@example.invalid> ${this.clock} +0000\n` +
      `committer Fake <fake@example.invalid> ${this.clock} +0000\n\n${message}\n`;
    const sha = gitHash('commit', Buffer.from(text));
    this.objects.set(sha, { type: 'commit', tree, parents, message });
    return sha;
  }

  annotatedTag(object: string, name: string): string {
    const sha = gitHash('tag', Buffer.from(`object ${object}\ntype commit\ntag ${name}\n`));
    this.objects.set(sha, { type: 'tag', object, name });
    return sha;
  }

  /** Every entry below a tree, depth first, with paths relative to it. */
  walk(treeSha: string, prefix = ''): { path: string; entry: TreeEntry }[] {
    const obj = this.objects.get(treeSha);
    if (!obj || obj.type !== 'tree') return [];
    const out: { path: string; entry: TreeEntry }[] = [];
    for (const e of obj.entries) {
      const p = prefix ? `${prefix}/${e.name}` : e.name;
      out.push({ path: p, entry: e });
      if (e.type === 'tree') out.push(...this.walk(e.sha, p));
    }
    return out;
  }
}
