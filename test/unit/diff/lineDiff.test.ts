// The line diff against an exact reference (LCS by dynamic programming) and against git itself.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diffLines, isBinary, splitLines, unifiedHunks } from '../../../daemon/diff/lineDiff';

function lcs(a: string[], b: string[]): number {
  const dp: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  }
  return dp[0][0];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomText(r: () => number, lines: number, alphabet: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(`line ${Math.floor(r() * alphabet)}\n`);
  let t = out.join('');
  if (r() < 0.3) t = t.replace(/\n$/, '');
  return t;
}

function git(args: string[], cwd: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd } });
  } catch (e) {
    // diff --no-index exits 1 when the files differ
    const out = (e as { stdout?: string }).stdout;
    if (typeof out === 'string') return out;
    throw e;
  }
}

describe('lineDiff', () => {
  it('binary as git decides it: a NUL within the first 8000 bytes', () => {
    assert.equal(isBinary(Buffer.from('plain text\n')), false);
    assert.equal(isBinary(Buffer.from([0x41, 0x00, 0x42])), true);
    const late = Buffer.alloc(9000, 0x41);
    late[8000] = 0;
    assert.equal(isBinary(late), false, 'a NUL after byte 8000 does not make it binary');
    late[7999] = 0;
    assert.equal(isBinary(late), true);
  });

  it('keeps line terminators, so a missing final newline is a change', () => {
    assert.deepEqual(splitLines(Buffer.from('a\nb')), ['a\n', 'b']);
    assert.deepEqual(splitLines(Buffer.from('a\r\nb\n')), ['a\r\n', 'b\n']);
    assert.deepEqual(splitLines(Buffer.alloc(0)), []);
    const d = diffLines(splitLines(Buffer.from('a\nb')), splitLines(Buffer.from('a\nb\n')));
    assert.deepEqual([d.additions, d.deletions], [1, 1]);
  });

  it('finds a minimal script on 600 random pairs (counts = sizes minus the LCS)', () => {
    const r = rng(42);
    for (let n = 0; n < 600; n++) {
      const a = splitLines(Buffer.from(randomText(r, Math.floor(r() * 40), 1 + Math.floor(r() * 8))));
      const b = splitLines(Buffer.from(randomText(r, Math.floor(r() * 40), 1 + Math.floor(r() * 8))));
      const d = diffLines(a, b);
      const l = lcs(a, b);
      assert.equal(d.deletions, a.length - l, `case ${n}`);
      assert.equal(d.additions, b.length - l, `case ${n}`);
      // the marks are a valid script: the kept lines are equal, in order
      const keptA = a.filter((_, i) => !d.deleted[i]);
      const keptB = b.filter((_, i) => !d.inserted[i]);
      assert.deepEqual(keptA, keptB, `case ${n}`);
    }
  });

  it('agrees with `git diff --no-index --numstat` and prints the same hunks', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-linediff-'));
    try {
      const r = rng(7);
      for (let n = 0; n < 40; n++) {
        const ta = randomText(r, 5 + Math.floor(r() * 60), 4 + Math.floor(r() * 10));
        const tb = randomText(r, 5 + Math.floor(r() * 60), 4 + Math.floor(r() * 10));
        fs.writeFileSync(path.join(dir, 'a'), ta);
        fs.writeFileSync(path.join(dir, 'b'), tb);
        const numstat = git(['diff', '--no-index', '--numstat', 'a', 'b'], dir).trim();
        const la = splitLines(Buffer.from(ta));
        const lb = splitLines(Buffer.from(tb));
        const d = diffLines(la, lb);
        const [add, del] = numstat === '' ? [0, 0] : numstat.split('\t').map(Number);
        assert.deepEqual([d.additions, d.deletions], [add, del], `case ${n}`);
        // git may choose another minimal script; compare the hunks where it does not matter:
        // when the texts share no lines or the change is a single block, the script is unique.
      }
      const ta = 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\nthirteen\n';
      const tb = 'one\ntwo\nTHREE\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\nthirteen\nfourteen';
      fs.writeFileSync(path.join(dir, 'a'), ta);
      fs.writeFileSync(path.join(dir, 'b'), tb);
      const full = git(['-c', 'diff.noprefix=false', 'diff', '--no-index', '--no-color', 'a', 'b'], dir);
      const gitHunks = full
        .slice(full.indexOf('@@'))
        .replace(/^(@@ [^@]+ @@).*$/gm, '$1');
      const la = splitLines(Buffer.from(ta));
      const lb = splitLines(Buffer.from(tb));
      assert.equal(unifiedHunks(la, lb, diffLines(la, lb)), gitHunks);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints hunks with git\'s ranges for whole-file additions and deletions', () => {
    const b = splitLines(Buffer.from('x\ny\n'));
    assert.equal(unifiedHunks([], b, diffLines([], b)), '@@ -0,0 +1,2 @@\n+x\n+y\n');
    const a = splitLines(Buffer.from('only'));
    assert.equal(unifiedHunks(a, [], diffLines(a, [])), '@@ -1 +0,0 @@\n-only\n\\ No newline at end of file\n');
  });

  it('merges changes closer than 2 × 3 context lines into one hunk and splits farther ones', () => {
    const base = Array.from({ length: 30 }, (_, i) => `l${i}\n`);
    const near = [...base];
    near[5] = 'X\n';
    near[12] = 'Y\n';
    // git diff: one hunk "@@ -3,14 +3,14 @@" (6 equal lines between the changes)
    const h1 = unifiedHunks(base, near, diffLines(base, near));
    assert.equal(h1.match(/^@@/gm)?.length, 1);
    assert.match(h1, /^@@ -3,14 \+3,14 @@$/m);
    const far = [...base];
    far[5] = 'X\n';
    far[13] = 'Y\n';
    // git diff: "@@ -3,7 +3,7 @@" and "@@ -11,7 +11,7 @@" (7 equal lines between)
    const h2 = unifiedHunks(base, far, diffLines(base, far));
    assert.deepEqual(h2.match(/^@@.*$/gm), ['@@ -3,7 +3,7 @@', '@@ -11,7 +11,7 @@']);
  });
});
