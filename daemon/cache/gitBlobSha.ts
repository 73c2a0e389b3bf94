// git's name for a file's content: sha1("blob <size>\0" + bytes). Local files hashed this way are
// compared with upstream tree entries without downloading anything, and stored blobs are checked
// against their names with it.
import { createHash } from 'node:crypto';

export function gitBlobSha(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** The same hash over content read in pieces (files too big to keep in memory). */
export class GitBlobHasher {
  private readonly h = createHash('sha1');
  constructor(size: number) {
    this.h.update(`blob ${size}\0`);
  }
  update(b: Uint8Array): void {
    this.h.update(b);
  }
  digest(): string {
    return this.h.digest('hex');
  }
}
