// A clone from anywhere must test itself: nothing under test/, scripts/, bench/, daemon/, shared/,
// extension/ (nor the root build configs, the CI script and the npm scripts) may reach a path outside
// the repository — the reference fixtures live in test/fixtures/, the reference docs in docs/.
//
// Sources are parsed with the TypeScript compiler (it reads .ts and .mjs alike) and every path it can
// work out statically is resolved: relative module specifiers (import / export / require /
// import()), `path.resolve` / `path.join` calls anchored to the file (`__dirname`,
// `import.meta.dirname`, `path.dirname(fileURLToPath(import.meta.url))`, or a constant holding one),
// `new URL(rel, import.meta.url)`, and a relative literal handed straight to `fs.*` / `path.resolve`
// (resolved against the repository root, where npm runs). Absolute literals into this machine's layout
// (`/work/…`) or into the folder holding the repository are flagged wherever they appear. Shell scripts are checked for
// `..` that climbs above the root they `cd` into.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../helpers/fixtures';

const SCANNED_DIRS = ['test', 'scripts', 'bench', 'daemon', 'shared', 'extension'];
const SOURCE_EXT = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage', '.run', '.work', '.e2e-cache', '.vscode-test']);
// This project's working layout: clones live under /work, beside folders that are not theirs.
const MACHINE_PATH = /^\/work\//;

export interface Finding {
  file: string;
  line: number;
  what: string;
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Every statically known path in one JS/TS source that leaves `root`. */
export function outsideReferences(file: string, text: string, root: string): Finding[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, file.endsWith('ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const dir = path.dirname(file);
  const anchors = new Map<string, string>(); // constant name → directory it holds
  const findings: Finding[] = [];
  const report = (node: ts.Node, what: string) => {
    findings.push({ file: path.relative(root, file), line: src.getLineAndCharacterOfPosition(node.getStart(src)).line + 1, what });
  };
  const check = (node: ts.Node, resolved: string, shown: string) => {
    if (!inside(root, resolved)) report(node, `${shown} → ${resolved}`);
  };
  const literal = (e: ts.Expression): string | undefined =>
    ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) ? e.text : undefined;
  const isImportMetaUrl = (e: ts.Expression) =>
    ts.isPropertyAccessExpression(e) && e.name.text === 'url' && ts.isMetaProperty(e.expression);
  const calleeName = (e: ts.Expression): string =>
    ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? `${calleeName(e.expression)}.${e.name.text}` : '';

  /** The directory an expression stands for, when it is built from the file's own location. */
  const evalDir = (e: ts.Expression): string | undefined => {
    if (ts.isParenthesizedExpression(e)) return evalDir(e.expression);
    if (ts.isIdentifier(e)) return e.text === '__dirname' ? dir : anchors.get(e.text);
    if (ts.isPropertyAccessExpression(e) && e.name.text === 'dirname' && ts.isMetaProperty(e.expression)) return dir;
    if (ts.isCallExpression(e)) {
      const name = calleeName(e.expression);
      // path.dirname(fileURLToPath(import.meta.url)) and friends
      if (/(^|\.)dirname$/.test(name) && e.arguments.length === 1) {
        const inner = e.arguments[0]!;
        if (ts.isCallExpression(inner) && /fileURLToPath$/.test(calleeName(inner.expression)) && inner.arguments[0] && isImportMetaUrl(inner.arguments[0])) return dir;
        const d = evalDir(inner);
        return d === undefined ? undefined : path.dirname(d);
      }
      if (/(^|\.)(resolve|join)$/.test(name) && name !== 'Promise.resolve' && e.arguments.length > 0) {
        const base = evalDir(e.arguments[0]!);
        if (base === undefined) return undefined;
        const parts: string[] = [];
        for (const a of e.arguments.slice(1)) {
          const s = literal(a);
          if (s === undefined) break; // a computed segment: judge the literal prefix only
          parts.push(s);
        }
        return path.resolve(base, ...parts);
      }
    }
    return undefined;
  };

  const visit = (node: ts.Node) => {
    // import … from 'x', export … from 'x'
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const spec = literal(node.moduleSpecifier as ts.Expression);
      if (spec?.startsWith('.')) check(node, path.resolve(dir, spec), `import '${spec}'`);
    }
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const t = node.text;
      // A sibling of the clone, not one of its ancestors: '/tmp' must pass when the clone lives in /tmp/x.
      if (MACHINE_PATH.test(t) || (path.isAbsolute(t) && !inside(root, t) && !inside(t, root) && inside(path.dirname(root), t))) report(node, `absolute machine path '${t}'`);
    }
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const d = evalDir(node.initializer);
      if (d !== undefined) anchors.set(node.name.text, d);
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL' && node.arguments?.length === 2) {
      const rel = literal(node.arguments[0]!);
      if (rel !== undefined && isImportMetaUrl(node.arguments[1]!)) check(node, path.resolve(dir, rel), `new URL('${rel}', import.meta.url)`);
    }
    if (ts.isCallExpression(node)) {
      const name = calleeName(node.expression);
      const first = node.arguments[0];
      const firstLit = first ? literal(first) : undefined;
      if ((name === 'require' || node.expression.kind === ts.SyntaxKind.ImportKeyword) && firstLit?.startsWith('.')) {
        check(node, path.resolve(dir, firstLit), `require/import('${firstLit}')`);
      } else if (/(^|\.)(resolve|join)$/.test(name) && name !== 'Promise.resolve') {
        const d = evalDir(node);
        if (d !== undefined) check(node, d, node.getText(src).replace(/\s+/g, ' '));
      }
      // fs.readFileSync('../x'), path.resolve('../x'): relative to the working directory (the root)
      if ((/^(fs|fsp|fs\.promises)\./.test(name) || name === 'path.resolve') && firstLit !== undefined && firstLit.startsWith('..')) {
        check(node, path.resolve(root, firstLit), `${name}('${firstLit}')`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return findings;
}

/** `..` in a shell script that climbs above the repository root it works in. */
export function outsideReferencesInShell(file: string, text: string, root: string): Finding[] {
  const findings: Finding[] = [];
  text.split('\n').forEach((line, i) => {
    const code = line.replace(/^\s*#.*$/, '');
    // the script's own location, climbing back to the root: `$(dirname "$0")/..`, `${BASH_SOURCE[0]}` alike
    const rest = code.replace(/\$\(dirname "\$(0|\{BASH_SOURCE\[0\]\})"\)\/\.\.(?![./\w])/g, 'ROOT');
    if (/(^|[\s"'=:(])\.\.(\/|\s|"|'|$)/.test(rest)) findings.push({ file: path.relative(root, file), line: i + 1, what: `'..' leaves the root: ${line.trim()}` });
    const abs = code.match(/(?:^|[\s"'=])(\/work\/\S*)/);
    if (abs) findings.push({ file: path.relative(root, file), line: i + 1, what: `absolute machine path ${abs[1]}` });
  });
  return findings;
}

function walk(dir: string, out: string[]): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe('the repository is self-contained', () => {
  it('no source under test/, scripts/, bench/, daemon/, shared/, extension/ or the root configs reaches outside the repository', () => {
    const files = SCANNED_DIRS.flatMap((d) => walk(path.join(REPO_ROOT, d), []));
    const sources = [
      ...files.filter((f) => SOURCE_EXT.test(f) && !f.endsWith('.d.ts')),
      ...fs.readdirSync(REPO_ROOT).filter((f) => SOURCE_EXT.test(f)).map((f) => path.join(REPO_ROOT, f)),
    ];
    const shells = [...files.filter((f) => f.endsWith('.sh')), path.join(REPO_ROOT, '.ci', 'run')].filter((f) => fs.existsSync(f));
    // Sanity: the walk really saw the code it guards (a wrong root would pass vacuously).
    assert.ok(sources.some((f) => f.endsWith(path.join('daemon', 'daemon.ts'))), 'daemon/daemon.ts scanned');
    assert.ok(sources.some((f) => f.endsWith(path.join('test', 'e2e', 'run-folder.mjs'))), 'test/e2e/run-folder.mjs scanned');
    assert.ok(shells.length >= 2, 'the CI script and the e2e installer scanned');
    assert.ok(sources.length > 100, `${sources.length} sources scanned`);

    const findings = [
      ...sources.filter((f) => f !== __filename).flatMap((f) => outsideReferences(f, fs.readFileSync(f, 'utf8'), REPO_ROOT)),
      ...shells.flatMap((f) => outsideReferencesInShell(f, fs.readFileSync(f, 'utf8'), REPO_ROOT)),
    ];
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const [name, cmd] of Object.entries(pkg.scripts)) {
      if (/(^|[\s=/])\.\.\//.test(cmd) || MACHINE_PATH.test(cmd)) findings.push({ file: 'package.json', line: 0, what: `script ${name}: ${cmd}` });
    }
    assert.deepEqual(findings.map((f) => `${f.file}:${f.line} ${f.what}`), []);
  });

  it('the fixtures the tests read are in the repository, with their provenance', () => {
    for (const f of [
      'test/fixtures/skillmeat-0.9.1-basic/README.md',
      'test/fixtures/skillmeat-0.9.1-basic/expected.json',
      'test/fixtures/skillmeat-0.9.1-basic/after-deploy/home/.skillmeat/config.toml',
      'test/fixtures/skillmeat-0.9.1-basic/after-edits/project/.claude/.skillmeat-deployed.toml',
      'test/fixtures/hash-vectors/README.md',
      'test/fixtures/hash-vectors/vectors.json',
      'docs/SKILLMEAT-FORMATS.md',
    ]) assert.ok(fs.existsSync(path.join(REPO_ROOT, f)), f);
  });

  describe('the checker itself (so it can fail)', () => {
    const root = '/r/repo';
    const lines = (file: string, text: string) => outsideReferences(path.join(root, file), text, root).map((f) => f.what);

    it('flags an anchored path that climbs out of the repository', () => {
      assert.equal(lines('test/unit/x/a.test.ts', "const F = path.resolve(__dirname, '../../../../reference/fixtures/basic');").length, 1);
      assert.equal(lines('test/helpers/h.ts', "const ROOT = path.resolve(__dirname, '../..');\nexport const S = path.resolve(ROOT, '..', 'reference', 'fixtures');").length, 1);
      assert.equal(lines('test/e2e/r.mjs', "const HERE = path.dirname(fileURLToPath(import.meta.url));\nconst x = path.join(HERE, '..', '..', '..', 'reference', name);").length, 1);
      assert.equal(lines('scripts/s.mjs', "const u = new URL('../../reference/x.json', import.meta.url);").length, 1);
    });
    it('flags imports, requires and working-directory reads that leave it, and machine paths', () => {
      assert.equal(lines('test/a.test.ts', "import x from '../../reference/fixtures/x.json';").length, 1);
      assert.equal(lines('test/a.test.ts', "const x = require('../../elsewhere/y');").length, 1);
      assert.equal(lines('bench/b.ts', "fs.readFileSync('../reference/fixtures/x.json');").length, 1);
      assert.equal(lines('bench/b.ts', "const p = '/work/reference/fixtures';").length, 1);
    });
    it('accepts paths that stay inside', () => {
      assert.deepEqual(lines('daemon/cli/main.ts', "import { x } from '../../shared/protocol';\nconst d = path.resolve(__dirname, '../../dist/daemon.js');"), []);
      assert.deepEqual(lines('test/unit/x/a.test.ts', "const F = path.join(__dirname, '..', '..', 'fixtures', name);\nconst data = { path: '../../outside/secret' };"), []);
    });
    it('flags a shell script that climbs above its root', () => {
      const sh = (text: string) => outsideReferencesInShell(path.join(root, '.ci/run'), text, root).length;
      assert.equal(sh('cd "$(dirname "$0")/.."\nnpm test'), 0);
      assert.equal(sh('ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"'), 0);
      assert.equal(sh('cp -r ../reference/fixtures test/'), 1);
      assert.equal(sh('export F=/work/reference/fixtures'), 1);
      assert.equal(sh('# see ../reference/README'), 0);
    });
  });
});
