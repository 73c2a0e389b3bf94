// A V8 code cache for the CLI's bundle (issue 15). Node 20 has no module.enableCompileCache, so
// every run parses dist/cliMain.js (~215 KB, most of it vscode-jsonrpc) and compiles each function
// it calls: ~7 ms of CPU of a warm `status`. Compiled through vm.Script with the bytecode V8
// produced last time, it skips that work.
//
// The cache is code we are about to run, so it is used only when all of these hold; otherwise it is
// ignored (and written anew at exit):
// - it was made from this very source: it holds a copy, compared byte for byte (V8's own check
//   compares only the source's length, and would run stale code of the same length);
// - by this very Node (version, architecture, V8 in its header; V8 checks its flags itself);
// - its bytecode is intact: it holds two copies, compared byte for byte (a release V8 skips its
//   payload checksum; a SHA-256 would need node:crypto, ~3 ms to load, the very cost avoided here);
// - it belongs to this user and no one else can write it.
// It lives in the state folder, one file per bundle path (two installed CLIs do not take turns
// rewriting one file), written atomically (a reader never sees half a file).
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { sha256Hex } from '../../shared/sha256';

const MAGIC = 'skillmeat-sync v8 code cache 2';

/** Where the code cache of the bundle at `bundle` lives in `stateDir`. */
export function codeCachePath(stateDir: string, bundle: string): string {
  return path.join(stateDir, `cli-code-${sha256Hex(path.resolve(bundle)).slice(0, 12)}.cache`);
}

/** The Node a cache was made by. */
export function runtimeTag(): string {
  return `${process.version} ${process.arch} v8 ${process.versions.v8}`;
}

/** Reads all of a file we own alone (see the header), or undefined. */
function readPrivateFile(file: string): Buffer | undefined {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) return undefined;
      if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) return undefined;
      const buf = Buffer.allocUnsafe(st.size);
      let off = 0;
      while (off < buf.length) {
        const n = fs.readSync(fd, buf, off, buf.length - off, off);
        if (n === 0) return undefined;
        off += n;
      }
      return buf;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** The cached bytecode in `file`, if it was made from `source` by `runtime`, is intact and is ours alone. */
export function readCodeCache(file: string, source: Buffer, runtime = runtimeTag()): Buffer | undefined {
  const buf = readPrivateFile(file);
  if (!buf) return undefined;
  // MAGIC \n runtime \n sourceLength dataLength \n source data data
  const a = buf.indexOf(10);
  const b = a < 0 ? -1 : buf.indexOf(10, a + 1);
  const c = b < 0 ? -1 : buf.indexOf(10, b + 1);
  if (c < 0 || buf.toString('latin1', 0, a) !== MAGIC || buf.toString('latin1', a + 1, b) !== runtime) return undefined;
  const m = /^(\d+) (\d+)$/.exec(buf.toString('latin1', b + 1, c));
  if (!m) return undefined;
  const sourceLength = Number(m[1]);
  const dataLength = Number(m[2]);
  const start = c + 1;
  if (dataLength === 0 || sourceLength !== source.length || buf.length !== start + sourceLength + 2 * dataLength) return undefined;
  if (!buf.subarray(start, start + sourceLength).equals(source)) return undefined;
  const data = buf.subarray(start + sourceLength, start + sourceLength + dataLength);
  return data.equals(buf.subarray(start + sourceLength + dataLength)) ? data : undefined;
}

/** Writes the cache of `source` atomically (a private file renamed into place); false if it could not. */
export function writeCodeCache(file: string, source: Buffer, data: Buffer, runtime = runtimeTag()): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${MAGIC}\n${runtime}\n${source.length} ${data.length}\n`), source, data, data]), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
    return false;
  }
  removeStaleCaches(path.dirname(file), file);
  return true;
}

/** A cache not rewritten for this long is dropped when another is written (and remade if still used). */
export const STALE_CACHE_MS = 30 * 24 * 3600 * 1000;

/**
 * Every installed version of the CLI has its own cache file: without this, each update of the
 * extension would leave ~650 KB behind for good. A cache is written only when it is missing or
 * stale, so one still in use may be dropped too; the next run makes it again.
 */
function removeStaleCaches(dir: string, keep: string, now = Date.now()): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const f = path.join(dir, n);
    if (f === keep || !/^cli-code-[0-9a-f]{12}\.cache(\.\d+\.tmp)?$/.test(n)) continue;
    try {
      if (now - fs.statSync(f).mtimeMs > STALE_CACHE_MS) fs.rmSync(f, { force: true });
    } catch {
      // gone meanwhile
    }
  }
}

export interface LoadedBundle {
  exports: unknown;
  /** the bundle was compiled from the code cache */
  fromCache: boolean;
}

/**
 * Runs the CommonJS bundle at `bundle` and returns its exports, compiled with the code cache at
 * `cacheFile` when that is valid; when it is not (or there is none), the cache is made at exit,
 * when it also holds every function this run compiled. `cacheFile` undefined: no cache.
 */
export function loadBundle(bundle: string, cacheFile: string | undefined): LoadedBundle {
  const source = fs.readFileSync(bundle);
  const cachedData = cacheFile ? readCodeCache(cacheFile, source) : undefined;
  // The wrapper Node's own CommonJS loader puts around a module, on the source's first line so
  // that line numbers in stack traces stay those of the file.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source.toString('utf8')}\n})`, { filename: bundle, cachedData });
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  if (cacheFile && !fromCache) process.once('exit', () => writeCodeCache(cacheFile, source, script.createCachedData()));
  const mod = { exports: {} as unknown };
  const fn = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;
  fn.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, path.dirname(bundle));
  return { exports: mod.exports, fromCache };
}
