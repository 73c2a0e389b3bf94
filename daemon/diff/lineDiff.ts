// Line diff of two byte buffers, counted the way `git diff --numstat` counts and printed the way
// `git diff` prints. The edit script is a minimal one (Myers' O(ND) algorithm in linear space,
// the middle-snake recursion GNU diff uses): every minimal script has the same number of deleted
// and inserted lines, so the counts agree with git's whatever script git itself picks.
// A line is its bytes up to and including '\n', so a missing final newline is a changed line,
// as in git ("\ No newline at end of file").

/** git's rule (xdiff `buffer_is_binary`): a NUL byte among the first 8000 bytes. */
export const BINARY_PROBE_BYTES = 8000;

export function isBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, BINARY_PROBE_BYTES);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}

/** Lines as latin1 strings (one char per byte, so equality is byte equality), terminators kept. */
export function splitLines(bytes: Uint8Array): string[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    lines.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

export interface LineDiff {
  /** per line of `a`: deleted */
  deleted: Uint8Array;
  /** per line of `b`: inserted */
  inserted: Uint8Array;
  deletions: number;
  additions: number;
}

/** Marks the lines of a minimal edit script from a to b. */
export function diffLines(a: readonly string[], b: readonly string[]): LineDiff {
  // Lines become small integers so the inner loops compare numbers, not strings.
  const ids = new Map<string, number>();
  const idOf = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      id = ids.size;
      ids.set(s, id);
    }
    return id;
  };
  const xa = Int32Array.from(a, idOf);
  const xb = Int32Array.from(b, idOf);
  const deleted = new Uint8Array(xa.length);
  const inserted = new Uint8Array(xb.length);
  new Myers(xa, xb, deleted, inserted).compare(0, xa.length, 0, xb.length);
  let deletions = 0;
  let additions = 0;
  for (const d of deleted) deletions += d;
  for (const i of inserted) additions += i;
  return { deleted, inserted, deletions, additions };
}

class Myers {
  private readonly fd: Int32Array;
  private readonly bd: Int32Array;
  /** index of diagonal 0 in fd/bd (diagonals run from -len(b)-1 to len(a)+1) */
  private readonly off: number;

  constructor(
    private readonly a: Int32Array,
    private readonly b: Int32Array,
    private readonly deleted: Uint8Array,
    private readonly inserted: Uint8Array,
  ) {
    this.off = b.length + 1;
    this.fd = new Int32Array(a.length + b.length + 3);
    this.bd = new Int32Array(a.length + b.length + 3);
  }

  compare(xoff: number, xlim: number, yoff: number, ylim: number): void {
    // An explicit stack instead of recursion: the depth stays small, but this cannot overflow.
    const stack: number[] = [xoff, xlim, yoff, ylim];
    const { a, b } = this;
    while (stack.length) {
      ylim = stack.pop()!;
      yoff = stack.pop()!;
      xlim = stack.pop()!;
      xoff = stack.pop()!;
      while (xoff < xlim && yoff < ylim && a[xoff] === b[yoff]) {
        xoff++;
        yoff++;
      }
      while (xlim > xoff && ylim > yoff && a[xlim - 1] === b[ylim - 1]) {
        xlim--;
        ylim--;
      }
      if (xoff === xlim) {
        for (let y = yoff; y < ylim; y++) this.inserted[y] = 1;
      } else if (yoff === ylim) {
        for (let x = xoff; x < xlim; x++) this.deleted[x] = 1;
      } else {
        const [xmid, ymid] = this.middle(xoff, xlim, yoff, ylim);
        stack.push(xmid, xlim, ymid, ylim, xoff, xmid, yoff, ymid);
      }
    }
  }

  /** A point on a minimal path that splits it into two shorter ones (Myers' middle snake). */
  private middle(xoff: number, xlim: number, yoff: number, ylim: number): [number, number] {
    const { a, b, fd, bd, off } = this;
    const dmin = xoff - ylim;
    const dmax = xlim - yoff;
    const fmid = xoff - yoff;
    const bmid = xlim - ylim;
    let fmin = fmid;
    let fmax = fmid;
    let bmin = bmid;
    let bmax = bmid;
    const odd = ((fmid - bmid) & 1) !== 0;
    fd[off + fmid] = xoff;
    bd[off + bmid] = xlim;
    for (;;) {
      if (fmin > dmin) fd[off + --fmin - 1] = -1;
      else ++fmin;
      if (fmax < dmax) fd[off + ++fmax + 1] = -1;
      else --fmax;
      for (let d = fmax; d >= fmin; d -= 2) {
        const tlo = fd[off + d - 1];
        const thi = fd[off + d + 1];
        let x = tlo >= thi ? tlo + 1 : thi;
        let y = x - d;
        while (x < xlim && y < ylim && a[x] === b[y]) {
          x++;
          y++;
        }
        fd[off + d] = x;
        if (odd && bmin <= d && d <= bmax && bd[off + d] <= x) return [x, y];
      }
      if (bmin > dmin) bd[off + --bmin - 1] = 0x7fffffff;
      else ++bmin;
      if (bmax < dmax) bd[off + ++bmax + 1] = 0x7fffffff;
      else --bmax;
      for (let d = bmax; d >= bmin; d -= 2) {
        const tlo = bd[off + d - 1];
        const thi = bd[off + d + 1];
        let x = tlo < thi ? tlo : thi - 1;
        let y = x - d;
        while (x > xoff && y > yoff && a[x - 1] === b[y - 1]) {
          x--;
          y--;
        }
        bd[off + d] = x;
        if (!odd && fmin <= d && d <= fmax && x <= fd[off + d]) return [x, y];
      }
    }
  }
}

// ---------------------------------------------------------------- unified output

const CONTEXT = 3;

function show(line: string): string {
  // latin1 back to bytes, then the bytes as UTF-8 for display
  return Buffer.from(line, 'latin1').toString('utf8');
}

function emit(out: string[], mark: string, line: string): void {
  if (line.endsWith('\n')) out.push(mark + show(line));
  else out.push(`${mark}${show(line)}\n\\ No newline at end of file\n`);
}

function range(start: number, count: number): string {
  // git: a one-line range omits the count; an empty range names the line before it
  if (count === 1) return String(start + 1);
  return `${count === 0 ? start : start + 1},${count}`;
}

/** The hunks of `git diff -U3` (without the function-name context after `@@`). */
export function unifiedHunks(a: readonly string[], b: readonly string[], d: LineDiff): string {
  // The script as a sequence of ops: 0 equal, 1 delete, 2 insert (deletions first within a change).
  const ops: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && d.deleted[i]) {
      ops.push(1);
      i++;
    } else if (j < b.length && d.inserted[j]) {
      ops.push(2);
      j++;
    } else {
      ops.push(0);
      i++;
      j++;
    }
  }
  const out: string[] = [];
  let k = 0;
  // a/b line index at op k
  let ai = 0;
  let bi = 0;
  const step = (op: number): void => {
    if (op !== 2) ai++;
    if (op !== 1) bi++;
  };
  while (k < ops.length) {
    if (ops[k] === 0) {
      step(0);
      k++;
      continue;
    }
    // A change at op k: the hunk starts CONTEXT equal ops earlier and runs while the next change
    // is within 2 × CONTEXT equal lines.
    const back = Math.min(CONTEXT, k, ai, bi);
    let start = k - back;
    while (start < k && ops[start] !== 0) start++;
    let end = k;
    for (;;) {
      while (end < ops.length && ops[end] !== 0) end++;
      let gap = 0;
      while (end + gap < ops.length && ops[end + gap] === 0) gap++;
      if (end + gap < ops.length && gap <= 2 * CONTEXT) {
        end += gap;
        continue;
      }
      end += Math.min(gap, CONTEXT);
      break;
    }
    const a0 = ai - (k - start);
    const b0 = bi - (k - start);
    let na = 0;
    let nb = 0;
    for (let x = start; x < end; x++) {
      if (ops[x] !== 2) na++;
      if (ops[x] !== 1) nb++;
    }
    out.push(`@@ -${range(a0, na)} +${range(b0, nb)} @@\n`);
    let x = a0;
    let y = b0;
    for (let o = start; o < end; o++) {
      const op = ops[o];
      if (op === 0) emit(out, ' ', a[x]);
      else if (op === 1) emit(out, '-', a[x]);
      else emit(out, '+', b[y]);
      if (op !== 2) x++;
      if (op !== 1) y++;
    }
    for (let o = k; o < end; o++) step(ops[o]);
    k = end;
  }
  return out.join('');
}
