// The CLI's stand-in for node:crypto inside vscode-jsonrpc (daemon/cli/lazyCrypto.ts) has every
// function vscode-jsonrpc's code takes from node:crypto, and they work.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lazy from '../../../daemon/cli/lazyCrypto';
import { REPO_ROOT } from '../../helpers/fixtures';

function jsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []));
}

describe('lazyCrypto (vscode-jsonrpc in the CLI bundle)', () => {
  it('provides every node:crypto member vscode-jsonrpc uses', () => {
    const lib = path.join(REPO_ROOT, 'node_modules', 'vscode-jsonrpc', 'lib');
    const used = new Set<string>();
    let requiring = 0;
    for (const f of jsFiles(lib)) {
      const src = fs.readFileSync(f, 'utf8');
      const m = /(\w+)\s*=\s*require\("crypto"\)/.exec(src);
      if (!m) continue;
      requiring++;
      for (const u of src.matchAll(new RegExp(`\\b${m[1]}\\.(\\w+)`, 'g'))) used.add(u[1]);
      // only member access: the module object itself never escapes
      assert.doesNotMatch(src.replace(new RegExp(`\\b${m[1]}\\.\\w+|${m[1]}\\s*=\\s*require\\("crypto"\\)`, 'g'), ''), new RegExp(`\\b${m[1]}\\b`), f);
    }
    assert.ok(requiring > 0, 'vscode-jsonrpc requires crypto somewhere (else the stand-in is not needed)');
    assert.ok(used.size > 0);
    for (const name of used) assert.equal(typeof (lazy as Record<string, unknown>)[name], 'function', `crypto.${name}`);
  });

  it('its functions are node:crypto’s', () => {
    assert.equal(lazy.randomBytes(16).length, 16);
    assert.match(lazy.randomUUID(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
