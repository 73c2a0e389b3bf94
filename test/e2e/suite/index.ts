// Entry point the workbench loads as `extensionTestsPath` (code-server payload or
// @vscode/test-electron): runs every *.test.js bundled next to this file with mocha inside the
// extension host, and reports each test on the console and in a JSON file the launcher reads —
// the console is a convenience, the file is the contract, because console forwarding differs
// between desktop VS Code and code-server.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { loadContext } from './context';

interface TestReport {
  title: string;
  state: 'passed' | 'failed';
  durationMs?: number;
  error?: string;
}

export async function run(): Promise<void> {
  const ctx = loadContext();
  const tests: TestReport[] = [];
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: class extends Mocha.reporters.Base {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
      super(runner, options);
      runner.on('pass', (t) => {
        tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration });
        console.log(`[e2e] ok   ${t.fullTitle()}`);
      });
      runner.on('fail', (t, err: Error) => {
        const error = `${err?.message ?? err}`;
        tests.push({ title: t.fullTitle(), state: 'failed', error });
        console.log(`[e2e] FAIL ${t.fullTitle()}: ${error}\n${err?.stack ?? ''}`);
      });
    }
  } });
  const dir = __dirname;
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(dir, f));
  }
  const failures = await new Promise<number>((resolve) => {
    try {
      mocha.run(resolve);
    } catch (e) {
      tests.push({ title: 'load suite', state: 'failed', error: e instanceof Error ? e.stack ?? e.message : String(e) });
      resolve(1);
    }
  });
  const passed = tests.filter((t) => t.state === 'passed').length;
  const failed = tests.length - passed;
  fs.writeFileSync(ctx.resultFile, JSON.stringify({ passed, failed, tests }, null, 1));
  console.log(`[e2e] in-host: ${passed} passed, ${failed} failed`);
  if (failures > 0 || failed > 0) throw new Error(`${Math.max(failures, failed)} in-host test(s) failed`);
}
