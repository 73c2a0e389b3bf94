import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PersistentStore } from '../../../daemon/cache/persistentStore';
import { MemoryLogger } from '../../integration/upstreamHelpers';

describe('PersistentStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips, writes atomically with mode 0600, and coalesces debounced saves', async () => {
    const file = path.join(dir, 'state', 'upstream.json');
    const store = new PersistentStore(file, undefined, { debounceMs: 20 });
    assert.deepEqual(await store.load(), {});
    let built = 0;
    const p1 = store.save(() => ({ n: ++built }));
    const p2 = store.save(() => ({ n: ++built }));
    await Promise.all([p1, p2]);
    assert.equal(built, 1, 'only the last snapshot is built, once');
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { n: 1 });
    if (process.platform !== 'win32') assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['upstream.json'], 'no temp file left behind');
    await store.save({ n: 2 });
    assert.deepEqual(await new PersistentStore(file).load(), { n: 2 });
    assert.equal(store.enabled, true);
  });

  it('discards a corrupt or foreign file with a log line', async () => {
    const file = path.join(dir, 'upstream.json');
    for (const text of ['{"a":', '[1,2]', 'null']) {
      fs.writeFileSync(file, text);
      const log = new MemoryLogger();
      assert.deepEqual(await new PersistentStore(file, log).load(), {});
      assert.ok(log.lines.some((l) => l.startsWith('warn') && l.includes('corrupt')), text);
    }
  });

  it('an unusable state folder turns persistence off with a message instead of failing', async () => {
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, 'x');
    const log = new MemoryLogger();
    const store = new PersistentStore(path.join(blocker, 'state', 'upstream.json'), log, { debounceMs: 1 });
    assert.deepEqual(await store.load(), {});
    assert.equal(store.enabled, false);
    assert.match(store.message ?? '', /running without persistence/);
    await store.save({ a: 1 });
    await store.flush();
    assert.ok(log.lines.some((l) => l.includes('running without persistence')));
  });
});
