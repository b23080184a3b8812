// npm run chaos: every scenario of the chaos suite at full size (or the ones named), one table.
//   npm run chaos                                    all scenarios, full size (1,000,000 rows, 20 kills: hours here)
//   npm run chaos -- --scenario kill,kill-eos --rows 100000 --faults 5
//   npm run chaos -- --short                         the sizes of the integration test's short versions
// Scenarios: kill, kill-eos, kafka, kafka3, mariadb, es, temporal, partition, partition-eos, oom.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileStamp, RESULTS_DIR } from '../lib/common.js';
import {
  elasticsearchDown, formatTable, kafkaRestarts, mariadbRestarts, temporalRestart, workerKills, workerOutOfMemory, workerPartition,
  type ScenarioResult, type Size,
} from './scenarios.js';
import { kafkaBrokerKill } from './broker-kill.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'kill,kill-eos,kafka,kafka3,mariadb,es,temporal,partition,partition-eos,oom' },
    rows: { type: 'string' },
    batch: { type: 'string' },
    faults: { type: 'string' },
    'outage-ms': { type: 'string' },
    short: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('npm run chaos -- [--scenario kill,kill-eos,kafka,kafka3,mariadb,es,temporal,partition,partition-eos,oom] [--rows N] [--batch N] [--faults N] [--outage-ms MS] [--short]');
  process.exit(0);
}

const num = (v: string | undefined, def: number) => (v === undefined ? def : Number(v.replace(/_/g, '')));
const short = values.short;
const log = (l: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${l}`);
/** Full size: the figures (1,000,000 rows and 20 kills; the server faults twice, ES down 60 s). */
const size = (kind: 'kill' | 'server' | 'outage'): Size => ({
  rows: num(values.rows, short ? 10_000 : kind === 'kill' ? 1_000_000 : 200_000),
  batch: num(values.batch, short ? 100 : 5000),
  faults: num(values.faults, short ? 1 : kind === 'kill' ? 20 : 2),
  outageMs: num(values['outage-ms'], short ? 20_000 : 60_000),
  log,
});

const SCENARIOS: Record<string, () => Promise<ScenarioResult>> = {
  kill: () => workerKills(size('kill'), { exactlyOnce: false, workers: 3 }),
  'kill-eos': () => workerKills(size('kill'), { exactlyOnce: true, workers: 3 }),
  kafka: () => kafkaRestarts(size('server')),
  // A broker of a private three-broker cluster killed (kill -9) and restarted; rows = at least this many fed.
  kafka3: () => kafkaBrokerKill(size('server')),
  mariadb: () => mariadbRestarts(size('server')),
  es: () => elasticsearchDown(size('outage')),
  temporal: () => temporalRestart({ ...size('server'), faults: num(values.faults, 1) }),
  partition: () => workerPartition(size('outage')),
  'partition-eos': () => workerPartition(size('outage'), { exactlyOnce: true }),
  oom: () => workerOutOfMemory({ ...size('server'), rows: num(values.rows, short ? 4000 : 20_000) }),
};

const rows: ScenarioResult[] = [];
for (const name of values.scenario!.split(',').map((s) => s.trim()).filter(Boolean)) {
  const run = SCENARIOS[name];
  if (!run) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  log(`scenario ${name}: starting`);
  const started = Date.now();
  try {
    const r = await run();
    rows.push(r);
    log(`scenario ${name}: done in ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(r)}`);
  } catch (e) {
    log(`scenario ${name}: FAILED: ${(e as Error).stack}`);
    rows.push({ scenario: `${name} (FAILED: ${(e as Error).message.slice(0, 80)})`, faults: 0, in: 0, out: 0, lost: NaN, duplicated: NaN, longestStallMs: NaN, recoverMs: NaN, allRunning: false });
  }
}
console.log(formatTable(rows));
mkdirSync(RESULTS_DIR, { recursive: true });
const file = path.join(RESULTS_DIR, `chaos-${fileStamp()}.json`);
writeFileSync(file, JSON.stringify({ host: os.hostname(), cpus: os.cpus().length, loadavg: os.loadavg(), short, rows }, null, 2));
console.log(`results: ${path.relative(process.cwd(), file)}`);
process.exit(rows.every((r) => r.lost === 0 && r.allRunning) ? 0 : 1);
