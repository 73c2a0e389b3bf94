// A V8 code cache for the CLI's bundle (issue 15). Node 20 has no module.enableCompileCache, so
// every run parses dist/cliMain.js (~215 KB, most of it vscode-jsonrpc) and compiles each function
// it calls: ~7 ms of CPU of a warm `status`. Compiled through vm.Script with the bytecode V8
// produced last time, it skips that work.
//
// The cache is code we are about to run, so it is used only when all of these hold; otherwise it is
// ignored (and written anew at exit):
// - it was made from this very source by this very Node: a SHA-256 of both is in its header (V8's
//   own check compares only the source's length, and a release V8 skips its payload checksum);
// - its bytes are intact: a SHA-256 of them is in the header too;
// - it belongs to this user and no one else can write it.
// It lives in the state folder, one file per bundle path (two installed CLIs do not take turns
// rewriting one file), written atomically (a reader never sees half a file).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

const MAGIC = 'skillmeat-sync v8 code cache 1';

function sha256(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** Where the code cache of the bundle at `bundle` lives in `stateDir`. */
export function codeCachePath(stateDir: string, bundle: string): string {
  return path.join(stateDir, `cli-code-${sha256(path.resolve(bundle)).slice(0, 12)}.cache`);
}

/** What a cache must have been made for: this source, this Node, this architecture. */
export function codeCacheKey(source: string): string {
  return sha256(`${process.version} ${process.arch} ${process.versions.v8}\n${source}`);
}

function header(key: string, data: Buffer): Buffer {
  return Buffer.from(`${MAGIC}\n${key}\n${sha256(data)}\n`);
}

/** The cached bytecode in `file`, if it was made for `key`, is intact and is ours alone. */
export function readCodeCache(file: string, key: string): Buffer | undefined {
  let buf: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) return undefined;
      if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) return undefined;
      buf = Buffer.allocUnsafe(st.size);
      let off = 0;
      while (off < buf.length) {
        const n = fs.readSync(fd, buf, off, buf.length - off, off);
        if (n === 0) return undefined;
        off += n;
      }
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
  // MAGIC \n key \n sha256(data) \n data
  const a = buf.indexOf(10);
  const b = a < 0 ? -1 : buf.indexOf(10, a + 1);
  const c = b < 0 ? -1 : buf.indexOf(10, b + 1);
  if (c < 0) return undefined;
  if (buf.toString('latin1', 0, a) !== MAGIC || buf.toString('latin1', a + 1, b) !== key) return undefined;
  const data = buf.subarray(c + 1);
  if (data.length === 0 || buf.toString('latin1', b + 1, c) !== sha256(data)) return undefined;
  return data;
}

/** Writes the cache for `key` atomically (a private file renamed into place); false if it could not. */
export function writeCodeCache(file: string, key: string, data: Buffer): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, Buffer.concat([header(key, data), data]), { mode: 0o600 });
    fs.renameSync(tmp, file);
    return true;
  } catch {
    fs.rmSync(tmp, { force: true });
    return false;
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
  const source = fs.readFileSync(bundle, 'utf8');
  const key = cacheFile ? codeCacheKey(source) : '';
  const cachedData = cacheFile ? readCodeCache(cacheFile, key) : undefined;
  // The wrapper Node's own CommonJS loader puts around a module, on the source's first line so
  // that line numbers in stack traces stay those of the file.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, { filename: bundle, cachedData });
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  if (cacheFile && !fromCache) process.once('exit', () => writeCodeCache(cacheFile, key, script.createCachedData()));
  const mod = { exports: {} as unknown };
  const fn = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;
  fn.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, path.dirname(bundle));
  return { exports: mod.exports, fromCache };
}
