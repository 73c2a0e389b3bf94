#!/usr/bin/env node
// The folders whose correctness everything rests on must keep >= 80 % line coverage
// (DEVELOPERS.md). Reads c8's json-summary; prints every folder's figure for the README.
import * as fs from 'node:fs';
import * as path from 'node:path';

const MIN = 80;
const GATED = ['daemon/cache', 'daemon/skillmeat', 'daemon/service'];
const summary = JSON.parse(fs.readFileSync('coverage/coverage-summary.json', 'utf8'));
const byFolder = new Map();
for (const [file, data] of Object.entries(summary)) {
  if (file === 'total') continue;
  const rel = path.relative(process.cwd(), file);
  const folder = rel.split(path.sep).slice(0, 2).join('/');
  const f = byFolder.get(folder) ?? { covered: 0, total: 0 };
  f.covered += data.lines.covered;
  f.total += data.lines.total;
  byFolder.set(folder, f);
}
let failed = false;
for (const [folder, f] of [...byFolder].sort()) {
  const pct = f.total ? (100 * f.covered) / f.total : 100;
  const gated = GATED.includes(folder);
  if (gated && pct < MIN) failed = true;
  console.log(`${folder.padEnd(20)} ${pct.toFixed(1).padStart(5)} % of ${f.total} lines${gated ? `  (gate: >= ${MIN} %)` : ''}`);
}
console.log(`${'total'.padEnd(20)} ${summary.total.lines.pct.toFixed(1).padStart(5)} %`);
for (const g of GATED) if (!byFolder.has(g)) { console.error(`no coverage data for ${g}`); failed = true; }
if (failed) {
  console.error(`coverage gate failed: ${GATED.join(', ')} must each stay at or above ${MIN} % of lines`);
  process.exit(1);
}
