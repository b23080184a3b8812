// MySQL/MariaDB CDC read rate: N row changes in the stack's MariaDB binlog, read by
//   baseline: a plain @vlasky/zongji script counting row images (bench/baseline-binlog-reader.ts), and
//   ours:     the MySqlConnector task (Debezium envelopes + JsonConverter bytes for key and value,
//             schemas enabled; also reported without the serialization: "oursCaptureOnly"),
// each in a child process of its own, alternating which goes first, over the same binlog range.
// Kafka and Temporal are not in the timed part: this measures the capture itself.
//   npx tsx bench/source-mysql-cdc.ts [--changes 1000000] [--runs 3]
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { mySqlConnector } from '../src/connectors/mysql-cdc/index.js';
import { JsonConverter } from '../src/converters/json-converter.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1]! : dflt; };
const env = {
  host: process.env.MYSQL_HOST ?? '127.0.0.1', port: Number(process.env.MYSQL_PORT ?? 3306),
  user: process.env.MYSQL_USER ?? 'tconnect', password: process.env.MYSQL_PASSWORD ?? '',
};

interface Start { file: string; pos: number; gtids?: string }

/** ours, in a child: the connector task from the start offset until N change events are serialized. */
async function ours(start: Start, db: string, n: number): Promise<void> {
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  const task = await mySqlConnector.startTask({
    'database.hostname': env.host, 'database.port': String(env.port), 'database.user': env.user, 'database.password': env.password,
    'database.server.id': String(7000 + Math.floor(Math.random() * 1000)), 'topic.prefix': 'bench', 'database.include.list': db,
    'include.schema.changes': 'false',
  }, { connectorName: 'bench', taskId: 0, logger, offsetFor: () => ({ file: start.file, pos: start.pos, ...(start.gtids ? { gtids: start.gtids } : {}) }) });
  const key = new JsonConverter();
  key.configure({ 'schemas.enable': 'true' }, true);
  const value = new JsonConverter();
  value.configure({ 'schemas.enable': 'true' }, false);
  const signal = new AbortController().signal;
  const t0 = performance.now();
  let count = 0, bytes = 0, captureMs = 0;
  while (count < n) {
    const p0 = performance.now();
    const records = await task.poll(5000, signal);
    captureMs += performance.now() - p0;
    for (const r of records) {
      bytes += (key.fromConnectData(r.topic, r.keySchema, r.key)?.length ?? 0) + (value.fromConnectData(r.topic, r.valueSchema, r.value)?.length ?? 0);
      count++;
    }
  }
  const ms = performance.now() - t0;
  await task.close();
  process.stdout.write(JSON.stringify({ rows: count, ms, captureMs, bytes, rss: process.memoryUsage().rss }) + '\n');
}

interface ChildResult { rows: number; ms: number; captureMs?: number; bytes?: number; rss: number }

function child(role: 'ours' | 'baseline', start: Start, db: string, n: number): Promise<ChildResult> {
  const script = role === 'ours' ? path.join(HERE, 'source-mysql-cdc.ts') : path.join(HERE, 'baseline-binlog-reader.ts');
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', script, '--role', role, '--start', JSON.stringify(start), '--db', db, '--changes', String(n)], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`${role} exited ${code}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const role = flag('role', '');
  const n = Number(flag('changes', '1000000'));
  if (role === 'ours') return ours(JSON.parse(flag('start', '{}')), flag('db', ''), n);
  const runs = Number(flag('runs', '3'));
  const db = `tconnect_bench_cdc_${Date.now().toString(36)}`;
  const conn = await mysql.createConnection({ ...env, multipleStatements: false });
  try {
    await conn.query(`CREATE DATABASE ${db}`);
    await conn.query(`CREATE TABLE ${db}.changes (id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NOT NULL, price DECIMAL(12,2) NOT NULL, at DATETIME(3) NOT NULL)`);
    const [[status]] = await conn.query<mysql.RowDataPacket[]>('SHOW MASTER STATUS');
    const [[g]] = await conn.query<mysql.RowDataPacket[]>('SELECT @@gtid_binlog_pos AS g');
    const start: Start = { file: status!.File, pos: Number(status!.Position), ...(g!.g ? { gtids: String(g!.g) } : {}) };
    // N inserts, 50,000 rows per transaction (not timed).
    for (let from = 1; from <= n; from += 50_000) {
      const to = Math.min(n, from + 49_999);
      await conn.query(`INSERT INTO ${db}.changes SELECT seq, CONCAT('name-', seq), seq % 1000, seq / 100, '2026-01-01 00:00:00.000' + INTERVAL seq SECOND FROM ${db}.seq_${from}_to_${to}`);
    }
    const results: Array<{ run: number; baseline: number; ours: number; oursCaptureOnly: number; oursRssMiB: number; baselineRssMiB: number; bytesPerEvent: number }> = [];
    for (let run = 1; run <= runs; run++) {
      const order: Array<'baseline' | 'ours'> = run % 2 ? ['baseline', 'ours'] : ['ours', 'baseline'];
      const got: Record<string, ChildResult> = {};
      for (const r of order) got[r] = await child(r, start, db, n);
      const row = {
        run, baseline: Math.round(got.baseline!.rows / (got.baseline!.ms / 1000)), ours: Math.round(got.ours!.rows / (got.ours!.ms / 1000)),
        oursCaptureOnly: Math.round(got.ours!.rows / (got.ours!.captureMs! / 1000)), bytesPerEvent: Math.round(got.ours!.bytes! / got.ours!.rows),
        baselineRssMiB: Math.round(got.baseline!.rss / 2 ** 20), oursRssMiB: Math.round(got.ours!.rss / 2 ** 20),
      };
      results.push(row);
      console.log(JSON.stringify(row));
    }
    const summary = {
      bench: 'source-mysql-cdc', changes: n, runs, loadavg: os.loadavg(), cpus: os.cpus().length,
      medianRowsPerSec: {
        baseline: median(results.map((r) => r.baseline)), ours: median(results.map((r) => r.ours)), oursCaptureOnly: median(results.map((r) => r.oursCaptureOnly)),
      },
      results,
    };
    console.log(JSON.stringify(summary, null, 2));
    mkdirSync(path.join(HERE, 'results'), { recursive: true });
    writeFileSync(path.join(HERE, 'results', `source-mysql-cdc-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.json`), JSON.stringify(summary, null, 2));
  } finally {
    await conn.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
    await conn.end();
  }
}

await main();
