// The stat signature of one input file (size, mtime, ctime, inode, device — as in the hash cache),
// so `status --verify` can tell by stat alone whether a tracker, config, manifest or lock file
// the cached answer was read from is still the same file with the same bytes.
import * as fs from 'node:fs';

export function fileSignature(p: string): string {
  try {
    const st = fs.statSync(p);
    const link = fs.lstatSync(p).isSymbolicLink() ? 'L' : '';
    return `${link}${st.isFile() ? 'f' : 'o'}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}:${st.dev}`;
  } catch (err) {
    return `-:${(err as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

export function signatures(files: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of files) out.set(f, fileSignature(f));
  return out;
}

export function sameSignatures(sigs: ReadonlyMap<string, string>): boolean {
  for (const [f, sig] of sigs) if (fileSignature(f) !== sig) return false;
  return true;
}
