#!/usr/bin/env node
// node scripts/test-durations.mjs [FILE...]: refreshes test/durations.json, the weights (ms per test
// file) that test/helpers/sequencer.ts starts the longest files first by, from what a full run
// measured. FILE is vitest's results cache (node_modules/.vite/vitest/<hash>/results.json, the
// default: its durations cover a file's set-up hooks too) or a vitest JSON report
// (`--reporter=json --outputFile.json=...`, which npm test keeps as <log dir>/vitest-report.json;
// there a file's time runs from its first test's start to its last test's end, so a long beforeAll
// is left out). Files measured replace their weights, files not measured keep theirs (a partial run
// erases nothing), and files no longer in the tree are dropped.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, 'test/durations.json');

function defaultSources() {
  const dir = path.join(root, 'node_modules/.vite/vitest');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((d) => path.join(dir, d, 'results.json')).filter((f) => existsSync(f));
}

/** { 'test/…/x.test.ts': ms } from a results cache or a JSON report. */
function measured(file) {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const out = {};
  if (Array.isArray(data.results)) {
    // The cache: [["project:test/…/x.test.ts", { duration, failed }], …]
    for (const [key, r] of data.results) out[key.slice(key.indexOf(':') + 1)] = r.duration;
  } else if (Array.isArray(data.testResults)) {
    for (const r of data.testResults) out[path.relative(root, r.name).split(path.sep).join('/')] = r.endTime - r.startTime;
  } else {
    throw new Error(`${file}: neither vitest's results cache nor a vitest JSON report`);
  }
  return out;
}

const sources = process.argv.slice(2).length ? process.argv.slice(2) : defaultSources();
if (!sources.length) {
  console.error('test-durations: no vitest results cache under node_modules/.vite/vitest; run the tests first or name a JSON report');
  process.exit(2);
}
const old = existsSync(target) ? JSON.parse(readFileSync(target, 'utf8')).files ?? {} : {};
const files = { ...old };
let n = 0;
for (const s of sources) {
  for (const [f, ms] of Object.entries(measured(s))) {
    if (!Number.isFinite(ms) || ms < 0) continue;
    files[f] = Math.round(ms);
    n++;
  }
}
for (const f of Object.keys(files)) if (!existsSync(path.join(root, f))) delete files[f];
const sorted = Object.fromEntries(Object.entries(files).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
writeFileSync(target, JSON.stringify({
  about: 'ms per test file of a full run; test/helpers/sequencer.ts starts the longest first. Refresh: node scripts/test-durations.mjs',
  files: sorted,
}, null, 1) + '\n');
const total = Object.values(sorted).reduce((a, b) => a + b, 0);
console.log(`test-durations: ${n} files measured from ${sources.length} source(s); ${Object.keys(sorted).length} weights, ${Math.round(total / 1000)} s in all, written to ${path.relative(root, target)}`);
