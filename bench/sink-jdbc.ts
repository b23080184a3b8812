// JDBC sink throughput: N records of JsonConverter envelopes (with schemas) from a 4-partition
// Kafka topic into MariaDB tables. In the same run, on the same topic, each side into a fresh
// table of its own: a plain kafkajs + mysql2 script (bench/baseline-kafka-jdbc.ts, a child
// process) and ours (the JdbcSink connector on Temporal, a `tconnect worker` child process) once
// per --tasks value (tasks.max; all tasks on the one worker process).
//
//   npx tsx bench/sink-jdbc.ts [--records 300000] [--runs 3] [--tasks 1,2,4] [--only ours|baseline]
//        [--set key=value ...] [--profile] [--keep] [--quiet-wait SEC] [--max-load L] [--code-root DIR] [--cleanup]
//
// The topic holds what the Benthos contract (../shared/peers/benthos/sink-jdbc.yaml) reads: keys
// {"schema":{struct id int32},"payload":{"id":N}}, values with the columns id, customer_id, amount,
// status, note (optional, null in 1 of 50) and updated_at (a Connect Timestamp). Every side is timed
// the same way: from its go (baseline: "go" on its stdin; ours: the SDK's create) until
// `SELECT COUNT(*)` of its table reaches N, polled every 250 ms.
//
// A side is one function (SIDES below): it starts its process, then hands `measure` its pid, its
// table and how to say go. Other engines (Benthos, Kafka Connect) are added the same way.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import mysql from 'mysql2/promise';
import { ConnectClient } from '../src/client/index.js';
import { JsonConverter } from '../src/converters/json-converter.js';
import { Schemas, Struct } from '../src/records/schema.js';
import { taskWorkflowId } from '../workflows/messages.js';
import {
  REPO_ROOT, RESULTS_DIR, RssSampler, fileStamp, loadavg, machine, machineBusySeconds, median, memAvailable, mib,
  procCpuSeconds, procMemory, round, sleep, spawnNode, stackEnv, stopChild, threadCpuSeconds, cpuByThreadDelta, waitForLine,
  waitForQuiet, ancestorPids, type QuietWait, type StackEnv,
  childEnv, codeState, logTo, profileFlags, serverPids, benchMain, workerEnv,
} from './lib/common.js';
import type { BaselineKafkaJdbcOptions } from './baseline-kafka-jdbc.js';
import { deleteConnector, loadTopic } from './lib/kafka-topics.js';
import { COMMON_USAGE, parseBenchFlags, type CommonBenchOptions } from './lib/flags.js';
import { installedPeers, parsePeers, startPeer, type PeerEngine } from './lib/peers.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export interface SinkJdbcOptions extends CommonBenchOptions {
  records: number;
  partitions: number;
  /** tasks.max values of ours, one side each. */
  tasks: number[];
  /** Rows per INSERT of the baseline (the JDBC sink's batch.size default). */
  baselineBatch: number;
  /** Partitions the baseline writes at once (one pooled connection each). */
  baselineConcurrency: number;
  /** Peers on the same topic, each into a table of its own: Benthos (sql_insert) and Kafka Connect with Debezium's JDBC sink at tasks.max 1 and 4. Default: the ones installed. */
  peers: PeerEngine[];
}

export const DEFAULTS: SinkJdbcOptions = {
  records: 300_000,
  runs: 3,
  partitions: 4,
  tasks: [1, 2, 4],
  keep: false,
  profile: false,
  set: {},
  baselineBatch: 3000,
  baselineConcurrency: 4,
  peers: [],
  rssGuardMiB: 1536,
  timeoutSec: 0,
  quietWaitSec: 600,
  maxLoad: 3,
  cleanup: false,
};

export function parseArgs(argv: string[]): SinkJdbcOptions {
  const usage = `npx tsx bench/sink-jdbc.ts [--records N] [--partitions P] [--tasks 1,2,4] [--baseline-batch B] [--baseline-concurrency C] [--peers benthos,connect|none] ${COMMON_USAGE}`;
  const o: SinkJdbcOptions = { ...DEFAULTS, set: {}, tasks: [...DEFAULTS.tasks], peers: installedPeers() };
  parseBenchFlags(argv, o, usage, (flag, value) => {
    switch (flag) {
      case '--records': case '--rows': case '--messages': o.records = Math.round(value.num()); return true;
      case '--partitions': o.partitions = Math.round(value.num()); return true;
      case '--tasks': o.tasks = value.text().split(',').map((x) => Number(x)).filter((x) => Number.isInteger(x) && x > 0); return true;
      case '--baseline-batch': o.baselineBatch = Math.round(value.num()); return true;
      case '--baseline-concurrency': o.baselineConcurrency = Math.round(value.num()); return true;
      case '--peers': o.peers = parsePeers(value.text()); return true;
      default: return false;
    }
  });
  if (o.codeRoot) o.codeRoot = path.resolve(o.codeRoot);
  if (o.tasks.length === 0) throw new Error('--tasks needs at least one positive integer');
  if (!o.timeoutSec) o.timeoutSec = Math.max(300, Math.ceil(o.records / 500));
  return o;
}

const log = (s: string) => process.stderr.write(s + '\n');
const fmt = (x: number) => x.toLocaleString('en');

// ---------------------------------------------------------------------------------------------
// Data: the Benthos contract's records, serialized by our JsonConverter (Connect's bytes).

const STATUSES = ['NEW', 'PAID', 'SHIPPED', 'CANCELLED'];
const T0 = Date.UTC(2024, 0, 1);
export const KEY_SCHEMA = Schemas.struct([['id', Schemas.int32()]], { name: 'bench.Key' });
export const VALUE_SCHEMA = Schemas.struct([
  ['id', Schemas.int32()],
  ['customer_id', Schemas.int32()],
  ['amount', Schemas.float64()],
  ['status', Schemas.string()],
  ['note', Schemas.string({ optional: true })],
  ['updated_at', Schemas.timestamp()],
], { name: 'bench.Order' });

/** The DDL the connector's auto.create issues for these records (the baseline's table). */
const TABLE_DDL = '(`id` INT NOT NULL, `customer_id` INT NOT NULL, `amount` DOUBLE NOT NULL, `status` TEXT NOT NULL, `note` TEXT NULL, `updated_at` DATETIME(3) NOT NULL, PRIMARY KEY(`id`))';

export function record(seq: number): { key: Struct; value: Struct } {
  return {
    key: new Struct(KEY_SCHEMA).put('id', seq),
    value: new Struct(VALUE_SCHEMA)
      .put('id', seq)
      .put('customer_id', (seq * 7919) % 100_000)
      .put('amount', (seq % 1_000_000) / 100)
      .put('status', STATUSES[seq % 4])
      .put('note', seq % 50 === 0 ? null : `note for order ${seq}: ${'x'.repeat(seq % 40)}`)
      .put('updated_at', new Date(T0 + seq * 1000 + (seq % 1000))),
  };
}

/** Key and value converters of the records, as Connect's JsonConverter writes them (schemas enabled). */
function encoder(topic: string): (seq: number) => { key: Buffer; value: Buffer } {
  const keyConv = new JsonConverter();
  keyConv.configure({}, true);
  const valueConv = new JsonConverter();
  valueConv.configure({}, false);
  return (seq) => {
    const r = record(seq);
    return { key: keyConv.fromConnectData(topic, KEY_SCHEMA, r.key)!, value: valueConv.fromConnectData(topic, VALUE_SCHEMA, r.value)! };
  };
}

// ---------------------------------------------------------------------------------------------
// Servers' CPU (read-only look at /proc)

const SERVERS: Array<[string, RegExp]> = [
  ['temporal', /temporal\0server\0start-dev/], ['kafka', /kafka\.Kafka/], ['mariadb', /^(mariadbd|mysqld)\0/],
];
const cpuSnapshot = (pids: Record<string, number>) => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procCpuSeconds(pid)]));
const cpuDelta = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(a).map((k) => [k, round(b[k] - a[k], 1)]));

// ---------------------------------------------------------------------------------------------
// The sides

export interface SideResult {
  side: string;
  table: string;
  ms: number;
  rowsPerSec: number;
  firstRowMs: number | null;
  peakRssMiB: number;
  hwmMiB: number;
  idleRssMiB: number;
  cpuSec: number;
  cpuUsPerRow: number;
  cpuByThread: Record<string, number>;
  serverCpuSec: Record<string, number>;
  /** MariaDB's CPU per row moved (µs), from serverCpuSec. */
  mariadbUsPerRow: number | null;
  machineBusyCores: number;
  loadBefore: number[];
  loadAfter: number[];
  detail: Record<string, unknown>;
}

interface Ctx {
  env: StackEnv;
  o: SinkJdbcOptions;
  admin: Admin;
  db: mysql.Connection;
  sdk: ConnectClient;
  logDir: string;
  servers: Record<string, number>;
}

/** What one run gives every side: the topic and a name to derive tables, groups, connectors from. */
interface RunInfo {
  topic: string;
  tag: string;
}

const mysqlOpts = (env: StackEnv) => ({ host: env.MYSQL_HOST, port: Number(env.MYSQL_PORT), user: env.MYSQL_USER, password: env.MYSQL_PASSWORD, database: env.MYSQL_DATABASE });

async function countRows(db: mysql.Connection, table: string): Promise<number> {
  try {
    const [rows] = await db.query(`SELECT COUNT(*) AS n FROM \`${table}\``);
    return Number((rows as Array<{ n: number }>)[0].n);
  } catch {
    return 0; // not created yet (auto.create)
  }
}

/**
 * The timed part every side shares: from go() until the table holds N rows, with the process's
 * RSS, CPU (by thread) and the servers' CPU over the same window.
 */
async function measure(ctx: Ctx, m: { side: string; table: string; pid: number; idleRss: number; go: () => Promise<void> | void; alive: () => boolean }): Promise<Omit<SideResult, 'detail'>> {
  const { o, db } = ctx;
  const sampler = new RssSampler(m.pid, o.rssGuardMiB * 1024 * 1024).start();
  const cpu0 = procCpuSeconds(m.pid), threads0 = threadCpuSeconds(m.pid), srv0 = cpuSnapshot(ctx.servers), busy0 = machineBusySeconds();
  const loadBefore = loadavg();
  const t0 = Date.now();
  await m.go();
  let firstAt: number | null = null;
  let lastLog = Date.now();
  let doneAt: number;
  try {
    for (;;) {
      const c = await countRows(db, m.table);
      const now = Date.now();
      if (c > 0 && firstAt === null) firstAt = now;
      if (c >= o.records) { doneAt = now; break; }
      if (now - lastLog >= 10_000) {
        lastLog = now;
        log(`    ${m.side}: ${fmt(c)} / ${fmt(o.records)} rows after ${round((now - t0) / 1000, 1)} s (${fmt(Math.round(c / ((now - t0) / 1000)))} rows/s)`);
      }
      if (now - t0 > o.timeoutSec * 1000) throw new Error(`${m.side}: ${c} of ${o.records} rows in ${m.table} after ${o.timeoutSec} s`);
      if (!m.alive()) throw new Error(`${m.side}: the process died with ${c} of ${o.records} rows in ${m.table}`);
      await sleep(Math.max(0, 250 - (Date.now() - now)));
    }
  } finally {
    sampler.stop();
  }
  const cpu = procCpuSeconds(m.pid) - cpu0;
  const srv = cpuDelta(srv0, cpuSnapshot(ctx.servers));
  const ms = doneAt - t0;
  return {
    side: m.side, table: m.table, ms, rowsPerSec: Math.round(o.records / (ms / 1000)), firstRowMs: firstAt === null ? null : firstAt - t0,
    peakRssMiB: mib(sampler.peakRss), hwmMiB: mib(procMemory(m.pid).hwm), idleRssMiB: mib(m.idleRss),
    cpuSec: round(cpu, 2), cpuUsPerRow: round((cpu / o.records) * 1e6, 1), cpuByThread: cpuByThreadDelta(threads0, threadCpuSeconds(m.pid)),
    serverCpuSec: srv, mariadbUsPerRow: srv.mariadb === undefined ? null : round((srv.mariadb / o.records) * 1e6, 1),
    machineBusyCores: round((machineBusySeconds() - busy0) / (ms / 1000), 2), loadBefore, loadAfter: loadavg(),
  };
}

async function freshTable(ctx: Ctx, table: string, create: boolean): Promise<void> {
  await ctx.db.query(`DROP TABLE IF EXISTS \`${table}\``);
  if (create) await ctx.db.query(`CREATE TABLE \`${table}\` ${TABLE_DDL}`);
}

async function runBaseline(ctx: Ctx, run: RunInfo): Promise<SideResult> {
  const { env, o } = ctx;
  const table = `${run.topic}_base`;
  const groupId = `${run.topic}-baseline`;
  await freshTable(ctx, table, true);
  const opts: BaselineKafkaJdbcOptions = {
    brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), topic: run.topic, groupId, mysql: mysqlOpts(env), table,
    expect: o.records, batchSize: o.baselineBatch, concurrency: o.baselineConcurrency,
  };
  const child = spawnNode([...profileFlags(o.profile, ctx.logDir, `baseline-${run.tag}`), '--import', 'tsx', path.join(REPO_ROOT, 'bench/baseline-kafka-jdbc.ts'), JSON.stringify(opts)], childEnv(env, {}));
  logTo(child, path.join(ctx.logDir, `baseline-${run.tag}.log`));
  try {
    await waitForLine(child, (l) => (l.includes('"ready"') ? true : undefined), 60_000, 'baseline start');
    const done = waitForLine(child, (l) => (l.startsWith('{"done"') || l.startsWith('{"error"') ? JSON.parse(l) as Record<string, unknown> : undefined), o.timeoutSec * 1000, 'baseline');
    done.catch(() => undefined);
    const r = await measure(ctx, {
      side: 'baseline', table, pid: child.pid!, idleRss: procMemory(child.pid!).rss,
      go: () => { child.stdin!.write('go\n'); }, alive: () => child.exitCode === null || child.exitCode === 0,
    });
    const detail = await done;
    if (detail.error) throw new Error(`baseline failed: ${String(detail.error)}`);
    child.stdin!.write('exit\n');
    return { ...r, detail };
  } finally {
    await stopChild(child, 'SIGTERM', 15_000, 5_000);
    await ctx.admin.deleteGroups([groupId]).catch(() => undefined);
  }
}

/** A `tconnect worker` child on the bench's task queue (the code of --code-root when given), started and settled. */
async function startWorker(ctx: Ctx, label: string): Promise<{ child: ChildProcess; idleRss: number }> {
  const { env, o } = ctx;
  const child = spawnNode([...profileFlags(o.profile, ctx.logDir, label), path.join(o.codeRoot ?? REPO_ROOT, 'bin/tconnect.mjs'), 'worker'], workerEnv(env, ctx.sdk.taskQueue));
  logTo(child, path.join(ctx.logDir, `${label}.log`));
  await waitForLine(child, (l) => (l.includes('worker started') ? true : undefined), 120_000, 'worker start');
  await sleep(1000); // settle after bundling, so the idle RSS is representative
  return { child, idleRss: procMemory(child.pid!).rss };
}

async function runOurs(ctx: Ctx, run: RunInfo, tasks: number): Promise<SideResult> {
  const { env, o, sdk } = ctx;
  const table = `${run.topic}_t${tasks}`;
  const name = `bench-jdbc-${run.tag}-t${tasks}`;
  await freshTable(ctx, table, false);
  const label = `worker-${run.tag}-t${tasks}`;
  const { child, idleRss } = await startWorker(ctx, label);
  let created = false;
  try {
    const config: Record<string, string> = {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      'connection.url': `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`,
      'connection.user': env.MYSQL_USER,
      'connection.password': '${env:BENCH_MYSQL_PASSWORD}',
      topics: run.topic,
      'tasks.max': String(tasks),
      'table.name.format': `\${topic}_t${tasks}`,
      'pk.mode': 'record_key',
      'insert.mode': 'insert',
      'auto.create': 'true',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      ...o.set,
    };
    const r = await measure(ctx, {
      side: `ours${tasks}`, table, pid: child.pid!, idleRss,
      go: async () => { await sdk.create({ name, config }); created = true; }, alive: () => child.exitCode === null,
    });
    const status = await sdk.status(name).catch((e: unknown) => ({ error: (e as Error).message }));
    let events = 0;
    for (let i = 0; i < tasks; i++) {
      const id = taskWorkflowId(name, i);
      try {
        for await (const ex of sdk.temporal.workflow.list({ query: `WorkflowId = '${id}'` })) events += (await sdk.temporal.workflow.getHandle(id, ex.runId).describe()).historyLength;
      } catch { /* not listed yet */ }
    }
    return {
      ...r,
      detail: {
        connector: name, tasksMax: tasks, config: Object.keys(o.set).length ? o.set : 'defaults',
        tasks: 'tasks' in status ? status.tasks.map((t) => ({ id: t.id, state: t.state, workerId: t.worker_id })) : status,
        historyEvents: events, eventsPer10kRows: round(events / (o.records / 10_000), 1),
      },
    };
  } finally {
    if (created) await deleteConnector(ctx.sdk, name, tasks, log);
    const code = await stopChild(child, 'SIGTERM', 20_000);
    if (code !== 0 && code !== null) log(`    worker exited with code ${code} (log: ${path.join(ctx.logDir, `${label}.log`)})`);
    await ctx.admin.deleteGroups([`connect-${name}`]).catch(() => undefined);
  }
}

/** Every side, by name: adding an engine is adding an entry. */
type SideRunner = (ctx: Ctx, run: RunInfo) => Promise<SideResult>;
function sides(o: SinkJdbcOptions): Array<[string, SideRunner]> {
  const out: Array<[string, SideRunner]> = [];
  if (o.only !== 'ours') out.push(['baseline', runBaseline]);
  if (o.only !== 'baseline') for (const t of o.tasks) out.push([`ours${t}`, (ctx, run) => runOurs(ctx, run, t)]);
  if (o.only === undefined) {
    if (o.peers.includes('benthos')) out.push(['benthos', (ctx, run) => runPeer(ctx, run, 'benthos', 1)]);
    if (o.peers.includes('connect')) for (const t of [1, 4]) out.push([`connect${t}`, (ctx, run) => runPeer(ctx, run, 'connect', t)]);
  }
  return out;
}

/** The table a side writes. */
const sideTable = (run: RunInfo, side: string) => `${run.topic}_${side === 'baseline' ? 'base' : side.startsWith('ours') ? `t${side.slice(4)}` : side}`;

/** A peer (bench/lib/peers.ts) on the same topic, into a table of its own created first with the same DDL as the baseline's. */
async function runPeer(ctx: Ctx, run: RunInfo, engine: PeerEngine, tasks: number): Promise<SideResult> {
  const side = engine === 'benthos' ? 'benthos' : `connect${tasks}`;
  const table = sideTable(run, side);
  await freshTable(ctx, table, true);
  const p = await startPeer(engine, 'sink-jdbc', { env: ctx.env, name: `bench-jdbc-${run.tag}-${side}`, logDir: ctx.logDir, topic: run.topic, table, tasks });
  try {
    const r = await measure(ctx, { side: p.side, table, pid: p.pid, idleRss: p.idleRssBytes ?? NaN, go: p.go, alive: p.alive });
    return { ...r, detail: { log: p.logFile } };
  } finally {
    const detail = await p.stop().catch((e: unknown) => ({ stopError: String(e) }));
    if (Object.keys(detail).length) log(`    ${side} stopped: ${JSON.stringify(detail).slice(0, 200)}`);
  }
}

/** The same rows in every side's table (a checksum over all columns). */
async function sameRows(db: mysql.Connection, tables: string[]): Promise<boolean> {
  const sums: string[] = [];
  for (const t of tables) {
    const [rows] = await db.query(`SELECT COUNT(*) AS n, BIT_XOR(CRC32(CONCAT_WS('|', id, customer_id, amount, status, IFNULL(note, '~'), updated_at))) AS x FROM \`${t}\``);
    const r = (rows as Array<{ n: number; x: number }>)[0];
    sums.push(`${r.n}:${r.x}`);
  }
  const same = sums.every((s) => s === sums[0]);
  if (!same) log(`    tables differ: ${tables.map((t, i) => `${t} ${sums[i]}`).join(', ')}`);
  return same;
}

// ---------------------------------------------------------------------------------------------

export interface RunResult {
  run: number;
  order: string[];
  topic: string;
  load: { ms: number; bytes: number };
  quiet: QuietWait;
  sides: Record<string, SideResult>;
  ratios: Record<string, number>;
  sameRows?: boolean;
  errors?: Record<string, string>;
}

export interface SinkJdbcReport {
  benchmark: 'sink-jdbc';
  date: string;
  machine: ReturnType<typeof machine>;
  code: { head: string; dirty: string[] };
  options: Omit<SinkJdbcOptions, 'out'>;
  runs: RunResult[];
  medians: Record<string, { rowsPerSec: number; ratio?: number; peakRssMiB: number; hwmMiB: number; cpuUsPerRow: number; mariadbUsPerRow: number | null; machineBusyCores: number }>;
  file: string;
}

/** --cleanup: what an interrupted run left behind (only names this bench gives things). */
export async function cleanupLeftovers(): Promise<void> {
  const env = stackEnv();
  const db = await mysql.createConnection(mysqlOpts(env));
  const [tables] = await db.query("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'bench\\_jdbc\\_%'");
  for (const { t } of tables as Array<{ t: string }>) {
    await db.query(`DROP TABLE IF EXISTS \`${t}\``);
    log(`dropped table ${t}`);
  }
  await db.end();
  const kafka = new Kafka({ clientId: 'bench-cleanup', brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith('bench_jdbc_'));
  if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
  for (const t of topics) log(`deleted topic ${t}`);
  const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith('connect-bench-jdbc-') || g.startsWith('bench_jdbc_'));
  if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  await admin.disconnect();
  const sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE });
  for await (const ex of sdk.temporal.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
    if (!ex.workflowId.startsWith('connector:bench-jdbc-')) continue;
    await sdk.temporal.workflow.getHandle(ex.workflowId, ex.runId).terminate('bench cleanup').catch(() => undefined);
    log(`terminated workflow ${ex.workflowId}`);
  }
  await sdk.close();
}

export async function runSinkJdbc(o: SinkJdbcOptions): Promise<SinkJdbcReport> {
  const env = stackEnv();
  const stamp = fileStamp();
  const logDir = path.join(os.tmpdir(), `tconnect-bench-sink-jdbc-${stamp}`);
  mkdirSync(logDir, { recursive: true });
  const kafka = new Kafka({ clientId: 'bench-sink-jdbc', brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const db = await mysql.createConnection(mysqlOpts(env));
  const runId = Date.now().toString(36);
  // One task queue per bench run: its workers take nothing else's workflows.
  const sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: `bench-jdbc-${runId}` });
  const ctx: Ctx = { env, o, admin, db, sdk, logDir, servers: serverPids(SERVERS) };
  const m = machine();
  const code = codeState();
  const all = sides(o);
  log(`sink-jdbc: ${fmt(o.records)} records x ${o.runs} run(s), ${o.partitions} partitions, sides ${all.map(([s]) => s).join(', ')}; ${m.nproc} cores; load ${m.loadavg.join(' ')}; logs in ${logDir}`);
  if (Object.keys(o.set).length) log(`  connector settings beyond the bench's: ${JSON.stringify(o.set)}`);
  const runs: RunResult[] = [];
  try {
    for (let i = 1; i <= o.runs; i++) {
      const avail = memAvailable();
      if (avail < 2 * 1024 ** 3) throw new Error(`only ${mib(avail)} MiB of memory available: not starting run ${i}`);
      const quiet = await waitForQuiet({ maxLoad: o.maxLoad, maxSec: i === 1 ? o.quietWaitSec : Math.min(o.quietWaitSec, 60), ownPids: ancestorPids(), log });
      log(`run ${i}/${o.runs}: machine ${quiet.quiet ? 'quiet' : 'NOT quiet'} after ${quiet.waitedSec} s wait (load ${quiet.loadavg.join(' ')})`);
      const tag = `${runId}${i}`;
      const run: RunInfo = { topic: `bench_jdbc_${tag}`, tag };
      const order = i % 2 === 1 ? all : [...all].reverse();
      const r: RunResult = { run: i, order: order.map(([s]) => s), topic: run.topic, load: { ms: 0, bytes: 0 }, quiet, sides: {}, ratios: {} };
      try {
        // ~800 records (~0.7 MB with their schema envelopes) a partition a request: under message.max.bytes (1 MiB).
        const ld = await loadTopic(kafka, admin, run.topic, o.records, o.partitions, 800, encoder(run.topic));
        r.load = ld;
        log(`  loaded ${fmt(o.records)} records (${round(ld.bytes / o.records)} B key+value) into ${run.topic} in ${round(ld.ms / 1000, 1)} s; order: ${r.order.join(', ')}`);
        for (const [side, fn] of order) {
          await sleep(2000); // let the servers settle between sides
          try {
            const s = await fn(ctx, run);
            r.sides[side] = s;
            log(`  ${side.padEnd(9)}: ${fmt(s.rowsPerSec)} rows/s (${round(s.ms / 1000, 1)} s), CPU ${s.cpuUsPerRow} us/row, MariaDB ${s.mariadbUsPerRow ?? '-'} us/row, peak RSS ${s.peakRssMiB} MiB (HWM ${s.hwmMiB}); machine ${s.machineBusyCores} cores busy; load ${s.loadBefore[0]} -> ${s.loadAfter[0]}`);
          } catch (e) {
            (r.errors ??= {})[side] = e instanceof Error ? e.message : String(e);
            log(`  ${side.padEnd(9)}: FAILED: ${r.errors[side]}`);
          }
        }
        const base = r.sides.baseline;
        if (base) for (const [k, s] of Object.entries(r.sides)) if (k !== 'baseline') r.ratios[k] = round(s.rowsPerSec / base.rowsPerSec, 3);
        if (Object.keys(r.ratios).length) log(`  ratios: ${Object.entries(r.ratios).map(([k, v]) => `${k}/baseline ${v}`).join(', ')}`);
        const tables = Object.values(r.sides).map((s) => s.table);
        if (tables.length > 1) {
          r.sameRows = await sameRows(db, tables);
          log(`  same rows in ${tables.length} tables: ${r.sameRows}`);
        }
        runs.push(r);
      } finally {
        if (!o.keep) {
          for (const [side] of all) await db.query(`DROP TABLE IF EXISTS \`${sideTable(run, side)}\``).catch(() => undefined);
          await admin.deleteTopics({ topics: [run.topic], timeout: 30_000 }).catch(() => undefined);
        } else log(`  kept topic ${run.topic} and tables ${run.topic}_*`);
      }
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
    await db.end().catch(() => undefined);
    await sdk.close().catch(() => undefined);
  }

  const medians: SinkJdbcReport['medians'] = {};
  for (const [side] of all) {
    const xs = runs.map((r) => r.sides[side]).filter((s): s is SideResult => s !== undefined);
    if (!xs.length) continue;
    const ratios = runs.map((r) => r.ratios[side]).filter((x): x is number => x !== undefined);
    const dbUs = xs.map((s) => s.mariadbUsPerRow).filter((x): x is number => x !== null);
    medians[side] = {
      rowsPerSec: Math.round(median(xs.map((s) => s.rowsPerSec))),
      ...(ratios.length ? { ratio: round(median(ratios), 3) } : {}),
      peakRssMiB: median(xs.map((s) => s.peakRssMiB)),
      hwmMiB: median(xs.map((s) => s.hwmMiB)),
      cpuUsPerRow: round(median(xs.map((s) => s.cpuUsPerRow)), 1),
      mariadbUsPerRow: dbUs.length ? round(median(dbUs), 1) : null,
      machineBusyCores: round(median(xs.map((s) => s.machineBusyCores)), 2),
    };
  }
  const file = o.out ?? path.join(RESULTS_DIR, `sink-jdbc-${stamp}.json`);
  const report: SinkJdbcReport = {
    benchmark: 'sink-jdbc', date: new Date().toISOString(), machine: m, code,
    options: (({ out: _out, ...rest }) => rest)(o), runs, medians, file: path.relative(REPO_ROOT, file),
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  return report;
}

export function printReport(r: SinkJdbcReport): void {
  const lines: string[] = [];
  const n = (x: number | undefined | null) => (x === undefined || x === null || Number.isNaN(x) ? '-' : x.toLocaleString('en'));
  const names = Object.keys(r.medians);
  lines.push('', `sink-jdbc: ${fmt(r.options.records)} records, ${r.options.partitions} partitions, ${r.runs.length} run(s) (rows/s (ratio to the baseline) CPU us/row; peak RSS MiB)`);
  lines.push(['run', ...names.map((s) => s.padStart(34))].join(' '));
  const cell = (s: SideResult | undefined, ratio: number | undefined) => (s ? `${n(s.rowsPerSec)}${ratio !== undefined ? ` (${ratio})` : ''} ${s.cpuUsPerRow}us ${s.peakRssMiB}M` : '-');
  for (const x of r.runs) lines.push([String(x.run).padEnd(3), ...names.map((s) => cell(x.sides[s], x.ratios[s]).padStart(34))].join(' '));
  lines.push(['med', ...names.map((s) => { const md = r.medians[s]; return `${n(md.rowsPerSec)}${md.ratio !== undefined ? ` (${md.ratio})` : ''} ${md.cpuUsPerRow}us ${round(md.peakRssMiB, 1)}M`.padStart(34); })].join(' '));
  lines.push(['db', ...names.map((s) => `MariaDB ${n(r.medians[s].mariadbUsPerRow)} us/row, ${r.medians[s].machineBusyCores} cores`.padStart(34))].join(' '));
  for (const x of r.runs) for (const [side, e] of Object.entries(x.errors ?? {})) lines.push(`run ${x.run} ${side} FAILED: ${e}`);
  lines.push(`same rows in every table: ${r.runs.map((x) => String(x.sameRows ?? '-')).join(', ')}`);
  lines.push(`results: ${r.file}`);
  process.stdout.write(lines.join('\n') + '\n');
}

benchMain(import.meta.url, 'sink-jdbc', { parse: parseArgs, run: runSinkJdbc, print: printReport, cleanup: cleanupLeftovers, log });
