// Issue #8, part 4: load. 20 clients × 500 mixed requests at once against one daemon: no errors,
// every answer right. Latencies are printed (p50/p99, recorded in bench/RESULTS.md), not asserted:
// speed is the benchmarks' business, correctness under concurrency is this test's.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckUpstreamRequest, CountsRequest, InvalidateRequest, StatsRequest, StatusRequest } from '../../shared/protocol';
import { Harness } from '../helpers/daemonHarness';
import { percentile } from './support';

const CLIENTS = 20;
const REQUESTS = 500;
const EXPECTED = { 'pdf-tools': 'modified', 'notes-helper': 'outdated', review: 'modified', 'code-reviewer': 'synced' };

describe('reliability: load (issue #8.4)', function () {
  this.timeout(120_000);
  let h: Harness;
  beforeEach(() => (h = new Harness({ fixture: 'after-edits' })));
  afterEach(async () => h.cleanup());

  it(`${CLIENTS} clients × ${REQUESTS} mixed requests at once: no errors, right answers`, async () => {
    // A second workspace, so status requests do not all hit one folder.
    const ws2 = path.join(h.root, 'project2');
    fs.cpSync(h.workspace, ws2, { recursive: true });
    const clients = Array.from({ length: CLIENTS }, () => h.client());
    await Promise.all(clients.map((c) => c.start()));
    const pids = new Set(clients.map((c) => c.daemonInfo?.pid));
    assert.equal(pids.size, 1, 'all clients share one daemon');
    const byMethod = new Map<string, number[]>();
    const errors: string[] = [];
    const t0 = Date.now();
    await Promise.all(
      clients.map(async (c, ci) => {
        if (ci % 4 === 0) await c.subscribe([h.workspace]);
        for (let i = 0; i < REQUESTS; i++) {
          const k = (i + ci) % 20;
          const start = process.hrtime.bigint();
          let method: string;
          try {
            if (k < 10) {
              method = 'status';
              const r = await c.request(StatusRequest, { folders: [k % 2 ? h.workspace : ws2] });
              const got = Object.fromEntries(r.workspaces[0].artifacts.map((a) => [a.name, a.status]));
              if (JSON.stringify(got) !== JSON.stringify(EXPECTED)) errors.push(`status rows ${JSON.stringify(got)}`);
            } else if (k < 14) {
              method = 'counts';
              const r = await c.request(CountsRequest, {});
              if (r.collections[0]?.total !== 4) errors.push(`counts ${JSON.stringify(r.collections)}`);
            } else if (k < 17) {
              method = 'stats';
              const r = await c.request(StatsRequest, undefined);
              if (r.daemon.clients < 1) errors.push('stats without clients');
            } else if (k < 18) {
              method = 'checkUpstream';
              const r = await c.request(CheckUpstreamRequest, { folders: [h.workspace] });
              if (r.requests !== 0) errors.push(`local artifacts made ${r.requests} GitHub requests`);
            } else if (k < 19) {
              method = 'invalidate(counts)';
              await c.request(InvalidateRequest, { scope: 'counts' });
            } else {
              method = 'status(both)';
              const r = await c.request(StatusRequest, { folders: [h.workspace, ws2] });
              if (r.workspaces.length !== 2) errors.push('two folders, not two workspaces');
            }
          } catch (err) {
            errors.push((err as Error).message);
            continue;
          }
          const ms = Number(process.hrtime.bigint() - start) / 1e6;
          let list = byMethod.get(method);
          if (!list) byMethod.set(method, (list = []));
          list.push(ms);
        }
      }),
    );
    const wall = Date.now() - t0;
    assert.deepEqual(errors.slice(0, 5), [], `${errors.length} errors`);
    const all = [...byMethod.values()].flat().sort((a, b) => a - b);
    assert.equal(all.length, CLIENTS * REQUESTS, 'every request answered');
    const fmt = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return `n=${s.length} p50=${percentile(s, 50).toFixed(1)} ms p99=${percentile(s, 99).toFixed(1)} ms max=${s[s.length - 1].toFixed(1)} ms`;
    };
    console.log(`      load: ${all.length} requests in ${wall} ms (${Math.round(all.length / (wall / 1000))} req/s); all: ${fmt(all)}`);
    for (const [m, xs] of byMethod) console.log(`        ${m}: ${fmt(xs)}`);
    assert.equal(h.processes().length, 1, 'still one daemon');
  });
});
