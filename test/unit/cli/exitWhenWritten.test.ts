// The CLI exits at once after its output, but never before that output is out, and with its code.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const MODULE = path.join(__dirname, '..', '..', '..', 'daemon', 'cli', 'exitWhenWritten.ts');

/** Runs `body` in a fresh Node (with exitWhenWritten in scope); stdout is read only after `readAfterMs`. */
function runChild(body: string, readAfterMs = 0): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', `const { exitWhenWritten } = require(${JSON.stringify(MODULE)});\n${body}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), readAfterMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
  });
}

describe('exitWhenWritten', function () {
  this.timeout(20_000);

  it('exits with the code once a large output has gone through a pipe that drains slowly', async () => {
    // 4 MB: many times a pipe's buffer, so the writer must wait for the reader
    const r = await runChild(`process.stdout.write('x'.repeat(4 << 20) + '\\n'); process.stderr.write('warning: w\\n'); exitWhenWritten(1);`, 500);
    assert.equal(r.stderr, 'warning: w\n');
    assert.equal(r.code, 1);
    assert.equal(r.stdout.length, (4 << 20) + 1);
  });

  it('waits for a stream whose writes complete later, and does not wait for the event loop', async () => {
    const r = await runChild(`
      const { Writable } = require('node:stream');
      let written = '';
      const slow = new Writable({ write(chunk, _enc, cb) { setTimeout(() => { written += chunk; cb(); }, 200); } });
      process.on('exit', (code) => process.stdout.write(JSON.stringify({ written, code })));
      setTimeout(() => process.stdout.write('the event loop was waited for'), 10_000);
      slow.write('all of it');
      exitWhenWritten(3, [slow]);
    `);
    assert.equal(r.code, 3, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.toString()), { written: 'all of it', code: 3 });
  });

  it('leaves a failed write to Node, as before: the error surfaces and the code is not 0', async () => {
    const r = await runChild(`
      const { Writable } = require('node:stream');
      const broken = new Writable({ write(_chunk, _enc, cb) { cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })); } });
      broken.write('lost');
      exitWhenWritten(0, [broken]);
    `);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /write EPIPE/);
  });
});
