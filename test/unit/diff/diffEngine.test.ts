// The per-file comparison: statuses from git blob SHAs, line counts only where both contents are
// there, a missing content reported (never turned into "deleted"), binary files, unified text.
import assert from 'node:assert/strict';
import { gitBlobSha } from '../../../daemon/cache/gitBlobSha';
import { changedPaths, compareSides, summarize, type SideFile } from '../../../daemon/diff/diffEngine';

function side(files: Record<string, string | Buffer | { sha: string; error: string }>): Map<string, SideFile> {
  const m = new Map<string, SideFile>();
  for (const [p, c] of Object.entries(files)) {
    if (typeof c === 'string' || Buffer.isBuffer(c)) {
      const bytes = Buffer.from(c);
      m.set(p, { sha: gitBlobSha(bytes), bytes });
    } else m.set(p, c);
  }
  return m;
}

describe('diffEngine', () => {
  it('added, modified, deleted, unchanged, with numstat counts, in git\'s path order', () => {
    const a = side({ 'b.md': 'x\n', 'a.md': 'one\ntwo\n', 'gone.md': 'g\ng\n', 'dir/z.md': 'z\n' });
    const b = side({ 'b.md': 'x\n', 'a.md': 'one\n2\nthree\n', 'new.md': 'n\n', 'dir/z.md': 'z\n', 'dir-x.md': 'd\n' });
    const r = compareSides(a, b);
    assert.deepEqual(
      r.files.map((f) => f.path),
      ['a.md', 'b.md', 'dir-x.md', 'dir/z.md', 'gone.md', 'new.md'],
    );
    assert.deepEqual(r.files[0], { path: 'a.md', status: 'modified', additions: 2, deletions: 1 });
    assert.deepEqual(r.files[1], { path: 'b.md', status: 'unchanged' });
    assert.deepEqual(r.files[4], { path: 'gone.md', status: 'deleted', additions: 0, deletions: 2 });
    assert.deepEqual(r.files[5], { path: 'new.md', status: 'added', additions: 1, deletions: 0 });
    assert.deepEqual(r.summary, { added: 2, modified: 1, deleted: 1, unchanged: 2 });
    assert.deepEqual(summarize(a, b), r.summary, 'the SHA-only summary agrees');
    assert.equal(r.unified, undefined);
  });

  it('only files whose SHAs differ need content', () => {
    const a = side({ 'same.md': 's\n', 'mod.md': '1\n', 'del.md': 'd\n' });
    const b = side({ 'same.md': 's\n', 'mod.md': '2\n', 'add.md': 'a\n' });
    assert.deepEqual(changedPaths(a, b), { from: ['mod.md', 'del.md'], to: ['mod.md', 'add.md'] });
  });

  it('content that could not be had: the status from the SHAs, the reason, no counts', () => {
    const a = side({ 'x.md': 'old\n' });
    const b = side({ 'x.md': { sha: 'f'.repeat(40), error: 'upstream content not available: forbidden' }, 'y.md': { sha: 'e'.repeat(40), error: 'rate-limited' } });
    const r = compareSides(a, b, { unified: true });
    assert.deepEqual(r.files, [
      { path: 'x.md', status: 'modified', error: 'upstream content not available: forbidden' },
      { path: 'y.md', status: 'added', error: 'rate-limited' },
    ]);
    assert.equal(r.unified, '', 'no made-up patch for content we do not have');
  });

  it('binary files: flagged, no line counts, "Binary files … differ" in the unified text', () => {
    const a = side({ 'img.png': Buffer.from([1, 0, 2]) });
    const b = side({ 'img.png': Buffer.from([1, 0, 3]), 'new.bin': Buffer.from([0]) });
    const r = compareSides(a, b, { unified: true });
    assert.deepEqual(r.files[0], { path: 'img.png', status: 'modified', binary: true });
    assert.deepEqual(r.files[1], { path: 'new.bin', status: 'added', binary: true });
    assert.match(r.unified ?? '', /^Binary files a\/img.png and b\/img.png differ$/m);
    assert.match(r.unified ?? '', /^new file mode 100644\nindex 0000000\.\.[0-9a-f]{7}\nBinary files \/dev\/null and b\/new.bin differ$/m);
  });

  it('unified text as git prints it', () => {
    const a = side({ 'f.md': 'a\nb\nc\n' });
    const b = side({ 'f.md': 'a\nB\nc\n' });
    const r = compareSides(a, b, { unified: true });
    const sa = a.get('f.md')!.sha.slice(0, 7);
    const sb = b.get('f.md')!.sha.slice(0, 7);
    assert.equal(r.unified, `diff --git a/f.md b/f.md\nindex ${sa}..${sb} 100644\n--- a/f.md\n+++ b/f.md\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n`);
  });
});
