// Source-path throughput: N rows from MariaDB to Kafka, ours (JdbcSource connector on Temporal,
// one task, default settings, a `tconnect worker` child process) beside a plain mysql2 + kafkajs
// script (bench/baseline-jdbc-kafka.ts, also a child process), in the same run, on a fresh table.
//
//   npx tsx bench/source-jdbc.ts [--rows 1000000] [--runs 3] [--keep] [--profile]
//        [--baseline-page 20000] [--set key=value ...] [--only ours|baseline]
//        [--tables 4 --tasks 1,2,4]
//
// Scaling (--tables T with --tasks): T tables of N/T rows, one connector reading all of them
// (table.whitelist) once per tasks.max value, ours only (the baseline reads one table).
//
// Both sides are timed the same way: from the go (baseline: "go" on its stdin; ours: the connector
// workflow's start) until the topic's high watermark reaches N, polled every 200 ms. Each
// process's RSS is sampled every 500 ms from /proc/<pid>/status.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import mysql from 'mysql2/promise';
import { CONNECTOR_WORKFLOW, connectorWorkflowId, taskStatusQuery, taskWorkflowId } from '../workflows/messages.js';
import {
  REPO_ROOT, RESULTS_DIR, RssSampler, fileStamp, machine, median, memAvailable, mib, procCpuSeconds, procMemory, round,
  ancestorPids, cpuByThreadDelta, machineBusySeconds, sleep, threadCpuSeconds, waitForQuiet, type QuietWait, spawnNode, stackEnv, stopChild, waitForLine, type StackEnv,
  childEnv, codeState, logTo, profileFlags, serverPids, benchMain, measureProcess, workerEnv,
} from './lib/common.js';
import type { BaselineOptions } from './baseline-jdbc-kafka.js';
import { COMMON_USAGE, parseBenchFlags, type CommonBenchOptions } from './lib/flags.js';
import { installedPeers, parsePeers, startPeer, type PeerEngine } from './lib/peers.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export interface SourceJdbcOptions extends CommonBenchOptions {
  rows: number;
  baselinePage: number;
  maxRequestBytes: number;
  /** Rows compared byte for byte between the two topics. */
  compareRows: number;
  /** Scaling mode: tables of rows/tables rows each, read by one connector per tasks.max value. */
  tables: number;
  tasks: number[];
  /**
   * Peers run beside ours on the same table (bench/lib/peers.ts): Benthos (with it, an "ours-schemaless" side,
   * ours with value.converter.schemas.enable=false, as Benthos writes schemaless JSON) and Kafka Connect with
   * Debezium's MariaDB connector (snapshot). Default: the ones installed.
   */
  peers: PeerEngine[];
}

export interface SideResult {
  ms: number;
  rowsPerSec: number;
  firstRecordMs: number | null;
  peakRssMiB: number;
  hwmMiB: number;
  idleRssMiB: number;
  cpuSec: number;
  /** CPU seconds of the stack's servers during the timed window. */
  serverCpuSec: Record<string, number>;
  /**
   * Contention: CPU seconds the rest of the machine (other sessions, tests, ...) used during the
   * timed window, beyond this side's process and the stack's servers; and the mean busy cores.
   */
  otherCpuSec: number;
  machineBusyCores: number;
  /** The side's own CPU seconds by thread name (main JS thread = the process name, e.g. "node"). */
  cpuByThread: Record<string, number>;
  messages: number;
  detail: Record<string, unknown>;
}

export interface RunResult {
  run: number;
  order: string[];
  table: string;
  loadMs: number;
  /** Machine state before the run: load averages, other benchmarks running, how long we waited for them. */
  before?: QuietWait;
  baseline?: SideResult;
  ours?: SideResult & { historyEvents: number; historyRuns: number; eventsPer10kRows: number; batches: number; connectorHistoryEvents: number };
  ratio?: number;
  bytesIdentical?: boolean | null;
  /** Scaling mode: ours once per tasks.max over the run's tables. */
  scaling?: Array<{ tasksMax: number; ours: SideResult }>;
  /** The peers' sides and ours-schemaless, by side name (see extraSides). */
  extra?: Record<string, SideResult>;
  /** ours-schemaless/benthos and ours/connect-debezium-mariadb rows/s in this run. */
  extraRatios?: Record<string, number>;
}

export const DEFAULTS: SourceJdbcOptions = {
  rows: 1_000_000,
  runs: 3,
  keep: false,
  profile: false,
  baselinePage: 20_000,
  maxRequestBytes: 900_000,
  set: {},
  rssGuardMiB: 1536,
  timeoutSec: 0,
  compareRows: 1000,
  tables: 1,
  tasks: [1],
  cleanup: false,
  quietWaitSec: 900,
  maxLoad: Infinity,
  peers: [],
};

export function parseArgs(argv: string[]): SourceJdbcOptions {
  const usage = `npx tsx bench/source-jdbc.ts [--rows N] [--baseline-page ROWS] [--max-request-bytes B] [--compare-rows N] [--tables T --tasks 1,2,4] [--peers benthos,connect|none] ${COMMON_USAGE}`;
  const o: SourceJdbcOptions = { ...DEFAULTS, set: {}, peers: installedPeers() };
  parseBenchFlags(argv, o, usage, (flag, value) => {
    switch (flag) {
      case '--peers': o.peers = parsePeers(value.text()); return true;
      case '--rows': o.rows = Math.round(value.num()); return true;
      case '--baseline-page': o.baselinePage = Math.round(value.num()); return true;
      case '--max-request-bytes': o.maxRequestBytes = Math.round(value.num()); return true;
      case '--compare-rows': o.compareRows = Math.round(value.num()); return true;
      case '--tables': o.tables = Math.max(1, Math.round(value.num())); return true;
      case '--tasks': o.tasks = value.text().split(',').map((x) => Math.max(1, Math.round(Number(x)))); return true;
      default: return false;
    }
  });
  if (o.codeRoot) o.codeRoot = path.resolve(o.codeRoot);
  if (!o.timeoutSec) o.timeoutSec = Math.max(300, Math.ceil(o.rows / 1000));
  return o;
}

const log = (s: string) => process.stderr.write(s + '\n');

// ---------------------------------------------------------------------------------------------
// Data

const TABLE_DDL = (t: string) => `CREATE TABLE \`${t}\` (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer VARCHAR(64) NOT NULL,
  email VARCHAR(128) NOT NULL,
  status VARCHAR(16) NOT NULL,
  quantity INT NOT NULL,
  amount DECIMAL(12,2) NOT NULL,
  note VARCHAR(160) NULL,
  created_at DATETIME(3) NOT NULL
) ENGINE=InnoDB`;

const ROW_SELECT = `CONCAT('customer-', LPAD(seq, 10, '0')), CONCAT('user', seq, '@example.com'),
  ELT(1 + seq % 4, 'NEW', 'PAID', 'SHIPPED', 'CANCELLED'), seq % 1000, (seq % 1000000) / 100,
  IF(seq % 50 = 0, NULL, CONCAT(MD5(seq), MD5(seq + 1), SUBSTRING(MD5(seq + 2), 1, 16))),
  TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq SECOND + INTERVAL ((seq % 1000) * 1000) MICROSECOND`;
const COLS = '(customer, email, status, quantity, amount, note, created_at)';

/** ~200 bytes a row (~185 B of column data + InnoDB row overhead); the sequence engine, else multi-row INSERTs. */
export async function loadTable(db: mysql.Connection, table: string, rows: number): Promise<number> {
  const t0 = Date.now();
  await db.query(TABLE_DDL(table));
  const chunk = 100_000;
  let seqTable = (from: number, to: number) => `seq_${from}_to_${to}`;
  try {
    await db.query('SELECT 1 FROM seq_1_to_1');
  } catch {
    // No sequence engine: a temporary table of numbers, filled with multi-row INSERTs.
    await db.query('CREATE TEMPORARY TABLE bench_numbers (seq INT NOT NULL PRIMARY KEY)');
    for (let a = 1; a <= rows; a += 10_000) {
      const vals: string[] = [];
      for (let s = a; s <= Math.min(rows, a + 9_999); s++) vals.push(`(${s})`);
      await db.query(`INSERT INTO bench_numbers VALUES ${vals.join(',')}`);
    }
    seqTable = (from, to) => `(SELECT seq FROM bench_numbers WHERE seq BETWEEN ${from} AND ${to}) AS numbers`;
  }
  for (let from = 1; from <= rows; from += chunk) {
    const to = Math.min(rows, from + chunk - 1);
    await db.query(`INSERT INTO \`${table}\` ${COLS} SELECT ${ROW_SELECT} FROM ${seqTable(from, to)} ORDER BY seq`);
  }
  await db.query('DROP TEMPORARY TABLE IF EXISTS bench_numbers');
  const [[{ n }]] = (await db.query(`SELECT COUNT(*) AS n FROM \`${table}\``)) as unknown as [[{ n: number }]];
  if (Number(n) !== rows) throw new Error(`loaded ${n} rows into ${table}, expected ${rows}`);
  return Date.now() - t0;
}

// ---------------------------------------------------------------------------------------------
// Kafka

async function topicMessages(admin: Admin, topic: string): Promise<number> {
  try {
    const offs = await admin.fetchTopicOffsets(topic);
    return offs.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } catch {
    return 0;
  }
}

/** Polls the topic's high watermarks until `n` messages; returns when the first one and the n-th one were seen. */
async function waitForMessages(admin: Admin, topic: string | string[], n: number, t0: number, timeoutMs: number, label: string, alive: () => boolean): Promise<{ doneAt: number; firstAt: number | null; count: number }> {
  let firstAt: number | null = null;
  let lastLog = Date.now();
  for (;;) {
    let c = 0;
    for (const t of typeof topic === 'string' ? [topic] : topic) c += await topicMessages(admin, t);
    const now = Date.now();
    if (c > 0 && firstAt === null) firstAt = now;
    if (c >= n) return { doneAt: now, firstAt, count: c };
    if (now - lastLog >= 10_000) {
      lastLog = now;
      log(`    ${label}: ${c.toLocaleString('en')} / ${n.toLocaleString('en')} after ${round((now - t0) / 1000, 1)} s (${Math.round(c / ((now - t0) / 1000)).toLocaleString('en')} rows/s)`);
    }
    if (now - t0 > timeoutMs) throw new Error(`${label}: ${c} of ${n} messages in topic ${topic} after ${timeoutMs} ms`);
    if (!alive()) throw new Error(`${label}: the process died with ${c} of ${n} messages in topic ${topic}`);
    await sleep(200);
  }
}

/** The first `k` messages of both topics, compared byte for byte (key and value). */
async function compareTopics(kafka: Kafka, a: string, b: string, k: number): Promise<boolean> {
  const groupId = `bench-compare-${Date.now().toString(36)}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const got = new Map<string, Array<{ key: Buffer | null; value: Buffer | null }>>([[a, []], [b, []]]);
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [a, b], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('comparing topics timed out')), 60_000);
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const list = got.get(batch.topic)!;
          for (const m of batch.messages) if (Number(m.offset) < k && list.length < k) list.push({ key: m.key, value: m.value });
          if ([...got.values()].every((l) => l.length >= k)) { clearTimeout(t); resolve(); }
        },
      });
    });
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  const la = got.get(a)!, lb = got.get(b)!;
  for (let i = 0; i < k; i++) {
    const x = la[i], y = lb[i];
    const same = (p: Buffer | null, q: Buffer | null) => (p === null || p.length === 0 ? q === null || q.length === 0 : q !== null && p.equals(q));
    if (!same(x.key, y.key) || !same(x.value, y.value)) {
      log(`    bytes differ at offset ${i}:\n      baseline ${x.value?.toString().slice(0, 400)}\n      ours     ${y.value?.toString().slice(0, 400)}`);
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Servers' CPU (read-only look at /proc, to see where the machine's two cores went)

const SERVERS: Array<[string, RegExp]> = [['temporal', /temporal\0server\0start-dev/], ['mariadb', /^mariadbd\0/], ['kafka', /kafka\.Kafka/]];
const serverPidsOfRun = () => serverPids(SERVERS);


function cpuSnapshot(pids: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procCpuSeconds(pid)]));
}
function cpuDelta(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(a).map((k) => [k, round(b[k] - a[k], 1)]));
}

// ---------------------------------------------------------------------------------------------
// The two sides

interface Ctx {
  env: StackEnv;
  o: SourceJdbcOptions;
  admin: Admin;
  kafka: Kafka;
  client: Client;
  logDir: string;
  servers: Record<string, number>;
}

function contention(busy: number, own: number, servers: Record<string, number>, ms: number): { otherCpuSec: number; machineBusyCores: number } {
  const srv = Object.values(servers).reduce((a, b) => a + b, 0);
  return { otherCpuSec: round(Math.max(0, busy - own - srv), 1), machineBusyCores: round(busy / (ms / 1000), 2) };
}



/** One directory per process: tsx's loader thread writes a profile of its own next to the main thread's. */

async function runBaseline(ctx: Ctx, table: string, topic: string, tag: string): Promise<SideResult> {
  const { env, o } = ctx;
  const opts: BaselineOptions = {
    mysql: { host: env.MYSQL_HOST, port: Number(env.MYSQL_PORT), user: env.MYSQL_USER, password: env.MYSQL_PASSWORD, database: env.MYSQL_DATABASE },
    brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','),
    table,
    topic,
    pageRows: o.baselinePage,
    maxRequestBytes: o.maxRequestBytes,
    ...(o.codeRoot ? { codeRoot: o.codeRoot } : {}),
    // Converter settings given with --set apply to both sides (e.g. value.converter.schemas.enable=false).
    converterConfig: Object.fromEntries(Object.entries(o.set).filter(([k]) => /^(key|value|header)\.converter(\.|$)/.test(k))),
  };
  const child = spawnNode([...profileFlags(ctx.o.profile, ctx.logDir, `baseline-${tag}`), '--import', 'tsx', path.join(REPO_ROOT, 'bench/baseline-jdbc-kafka.ts'), JSON.stringify(opts)], childEnv(env, {}));
  logTo(child, path.join(ctx.logDir, `baseline-${tag}.log`));
  try {
    await waitForLine(child, (l) => (l.includes('"ready"') ? true : undefined), 60_000, 'baseline start');
    const pid = child.pid!;
    const idle = procMemory(pid).rss;
    const sampler = new RssSampler(pid, o.rssGuardMiB * 1024 * 1024).start();
    const cpu0 = procCpuSeconds(pid);
    const srv0 = cpuSnapshot(ctx.servers);
    const busy0 = machineBusySeconds();
    const threads0 = threadCpuSeconds(pid);
    const done = waitForLine(child, (l) => (l.startsWith('{"done"') || l.startsWith('{"error"') ? JSON.parse(l) as Record<string, unknown> : undefined), o.timeoutSec * 1000, 'baseline');
    done.catch(() => undefined);
    const t0 = Date.now();
    child.stdin!.write('go\n');
    const w = await waitForMessages(ctx.admin, topic, o.rows, t0, o.timeoutSec * 1000, 'baseline', () => child.exitCode === null || child.exitCode === 0);
    const detail = await done;
    if (detail.error) throw new Error(`baseline failed: ${detail.error}`);
    const cpu = procCpuSeconds(pid) - cpu0;
    const srv = cpuDelta(srv0, cpuSnapshot(ctx.servers));
    const busy = machineBusySeconds() - busy0;
    const cpuByThread = cpuByThreadDelta(threads0, threadCpuSeconds(pid));
    const peak = sampler.stop();
    const hwm = procMemory(pid).hwm;
    child.stdin!.write('exit\n');
    const ms = w.doneAt - t0;
    return {
      ms, rowsPerSec: Math.round(o.rows / (ms / 1000)), firstRecordMs: w.firstAt === null ? null : w.firstAt - t0,
      peakRssMiB: mib(peak), hwmMiB: mib(hwm), idleRssMiB: mib(idle), cpuSec: round(cpu, 1), serverCpuSec: srv,
      ...contention(busy, cpu, srv, ms), cpuByThread,
      messages: w.count, detail,
    };
  } finally {
    await stopChild(child, 'SIGTERM', 15_000, 5_000);
  }
}

/** scale (--tables/--tasks): the connector reads several tables with tasks.max tasks; the rows of all topics are counted. */
async function runOurs(ctx: Ctx, table: string, topicPrefix: string, topic: string, tag: string, extraConfig: Record<string, string> = {}, scale?: { tables: string[]; tasksMax: number }): Promise<NonNullable<RunResult['ours']>> {
  const { env, o, client } = ctx;
  const taskQueue = `bench-${tag}`;
  const name = `bench-src-${tag}`;
  const child = spawnNode([...profileFlags(ctx.o.profile, ctx.logDir, `worker-${tag}`), path.join(o.codeRoot ?? REPO_ROOT, 'bin/tconnect.mjs'), 'worker'], workerEnv(env, taskQueue));
  logTo(child, path.join(ctx.logDir, `worker-${tag}.log`));
  const handle = client.workflow.getHandle(connectorWorkflowId(name));
  let started = false;
  try {
    await waitForLine(child, (l) => (l.includes('worker started') ? true : undefined), 300_000, 'worker start');
    const pid = child.pid!;
    await sleep(1000); // let the worker settle after bundling, so the idle RSS is representative
    const idle = procMemory(pid).rss;
    const sampler = new RssSampler(pid, o.rssGuardMiB * 1024 * 1024).start();
    const cpu0 = procCpuSeconds(pid);
    const srv0 = cpuSnapshot(ctx.servers);
    const busy0 = machineBusySeconds();
    const threads0 = threadCpuSeconds(pid);
    const config: Record<string, string> = {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
      'connection.url': `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`,
      'connection.user': env.MYSQL_USER,
      'connection.password': '${env:BENCH_MYSQL_PASSWORD}',
      mode: 'incrementing',
      'incrementing.column.name': 'id',
      'table.whitelist': scale ? scale.tables.join(',') : table,
      'topic.prefix': topicPrefix,
      'tasks.max': String(scale?.tasksMax ?? 1),
      ...o.set,
      ...extraConfig,
    };
    const t0 = Date.now();
    await client.workflow.start(CONNECTOR_WORKFLOW, { taskQueue, workflowId: connectorWorkflowId(name), args: [{ name, config }] });
    started = true;
    const w = await waitForMessages(ctx.admin, scale ? scale.tables.map((t) => topicPrefix + t) : topic, o.rows, t0, o.timeoutSec * 1000, 'ours', () => child.exitCode === null);
    const cpu = procCpuSeconds(pid) - cpu0;
    const srv = cpuDelta(srv0, cpuSnapshot(ctx.servers));
    const busy = machineBusySeconds() - busy0;
    const cpuByThread = cpuByThreadDelta(threads0, threadCpuSeconds(pid));
    const peak = sampler.stop();
    const ms = w.doneAt - t0;

    // History of the task: every run of its workflow id (continue-as-new starts a new run).
    const taskId = taskWorkflowId(name, 0);
    const status = await client.workflow.getHandle(taskId).query(taskStatusQuery);
    const runIds = new Set<string>();
    for await (const ex of client.workflow.list({ query: `WorkflowId = '${taskId}'` })) runIds.add(ex.runId);
    runIds.add((await client.workflow.getHandle(taskId).describe()).runId);
    let events = 0;
    for (const runId of runIds) events += (await client.workflow.getHandle(taskId, runId).describe()).historyLength;
    const connectorEvents = (await handle.describe()).historyLength;
    const timeline = await batchTimeline(client, taskId, [...runIds]);
    const hwm = procMemory(pid).hwm;
    return {
      ms, rowsPerSec: Math.round(o.rows / (ms / 1000)), firstRecordMs: w.firstAt === null ? null : w.firstAt - t0,
      peakRssMiB: mib(peak), hwmMiB: mib(hwm), idleRssMiB: mib(idle), cpuSec: round(cpu, 1), serverCpuSec: srv,
      ...contention(busy, cpu, srv, ms), cpuByThread,
      messages: w.count,
      historyEvents: events, historyRuns: runIds.size, eventsPer10kRows: round(events / (o.rows / 10_000), 1),
      batches: status.batches, connectorHistoryEvents: connectorEvents,
      detail: { taskRecords: status.records, state: status.state, config: Object.keys(o.set).length ? o.set : 'defaults', timeline },
    };
  } finally {
    if (started) await deleteConnector(client, name, scale?.tasksMax);
    const code = await stopChild(child, 'SIGTERM', 20_000);
    if (code !== 0 && code !== null) log(`    worker exited with code ${code} (log: ${path.join(ctx.logDir, `worker-${tag}.log`)})`);
  }
}

/**
 * Where a task's wall time went, from its history: time inside sourceBatch activities (worker
 * started -> completed) and the time between one batch's completion and the next one's start (the
 * Temporal round trip: workflow task, schedule, dispatch). Batches that moved no record (the idle
 * tail after the last row) are left out.
 */
async function batchTimeline(client: Client, workflowId: string, runIds: string[]): Promise<Record<string, number>> {
  const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN);
  const batches: Array<{ scheduled: number; started: number; completed: number; produced: number }> = [];
  for (const runId of runIds) {
    const h = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const byScheduled = new Map<string, { scheduled: number; started: number; completed: number; produced: number }>();
    for (const e of h.events ?? []) {
      const id = String(e.eventId);
      if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'sourceBatch') {
        byScheduled.set(id, { scheduled: ms(e.eventTime), started: NaN, completed: NaN, produced: 0 });
      } else if (e.activityTaskStartedEventAttributes) {
        const b = byScheduled.get(String(e.activityTaskStartedEventAttributes.scheduledEventId));
        if (b) b.started = ms(e.eventTime);
      } else if (e.activityTaskCompletedEventAttributes) {
        const a = e.activityTaskCompletedEventAttributes;
        const b = byScheduled.get(String(a.scheduledEventId));
        if (b) {
          b.completed = ms(e.eventTime);
          // The result payload is JSON {polled, produced, ...}: counts only, never records.
          const data = a.result?.payloads?.[0]?.data;
          try { b.produced = data ? Number(JSON.parse(Buffer.from(data).toString('utf8')).produced ?? 0) : 0; } catch { /* keep 0 */ }
        }
      }
    }
    batches.push(...byScheduled.values());
  }
  batches.sort((a, b) => a.scheduled - b.scheduled);
  const moving = batches.filter((b) => b.produced > 0 && Number.isFinite(b.completed));
  let activityMs = 0, gapMs = 0, queueMs = 0;
  for (let i = 0; i < moving.length; i++) {
    activityMs += moving[i].completed - moving[i].started;
    queueMs += moving[i].started - moving[i].scheduled;
    if (i > 0) gapMs += moving[i].started - moving[i - 1].completed;
  }
  const span = moving.length ? moving[moving.length - 1].completed - moving[0].started : 0;
  return {
    batchesWithRecords: moving.length,
    spanMs: Math.round(span),
    inActivitiesMs: Math.round(activityMs),
    betweenBatchesMs: Math.round(gapMs),
    scheduleToStartMs: Math.round(queueMs),
    meanBatchMs: moving.length ? Math.round(activityMs / moving.length) : 0,
    meanGapMs: moving.length > 1 ? Math.round(gapMs / (moving.length - 1)) : 0,
    meanRecordsPerBatch: moving.length ? Math.round(moving.reduce((n, b) => n + b.produced, 0) / moving.length) : 0,
  };
}

/** Cancel = delete: the connector stops its task; terminate whatever is still running after 10 s. */
async function deleteConnector(client: Client, name: string, tasks = 1): Promise<void> {
  const h = client.workflow.getHandle(connectorWorkflowId(name));
  await h.cancel().catch(() => undefined);
  const closed = await Promise.race([h.result().then(() => true, () => true), sleep(10_000).then(() => false)]);
  for (const id of [connectorWorkflowId(name), ...Array.from({ length: tasks }, (_, k) => taskWorkflowId(name, k))]) {
    try {
      const d = await client.workflow.getHandle(id).describe();
      if (d.status.name === 'RUNNING') {
        if (closed) await sleep(2000);
        const again = await client.workflow.getHandle(id).describe();
        if (again.status.name === 'RUNNING') await client.workflow.getHandle(id).terminate('bench cleanup: still running 10 s after delete');
      }
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) log(`    cleanup of ${id}: ${(e as Error).message}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------

export interface SourceJdbcReport {
  benchmark: 'source-jdbc';
  date: string;
  machine: ReturnType<typeof machine>;
  /** The code measured (at the start): HEAD and the files of the data path changed in the working tree. */
  code: { head: string; dirty: string[] };
  options: Omit<SourceJdbcOptions, 'out'>;
  runs: RunResult[];
  medians: {
    baselineRowsPerSec: number; oursRowsPerSec: number; ratio: number;
    oursPeakRssMiB: number; oursHwmMiB: number; eventsPer10kRows: number;
    baselineCpuSec: number; oursCpuSec: number;
    /** CPU of each side's own process per row moved: steadier than rows/s on a shared machine. */
    baselineCpuUsPerRow: number; oursCpuUsPerRow: number;
  };
  targets: { ratio: boolean; rss: boolean; history: boolean };
  file: string;
  /** Per extra side (peers, ours-schemaless): medians, and the median of the per-run ratio of ours to it. */
  extraMedians: ReturnType<typeof extraMedians>;
}

/** --cleanup: what an interrupted bench left behind (only names this bench gives things). */
export async function cleanupLeftovers(): Promise<void> {
  const env = stackEnv();
  const db = await mysql.createConnection({ host: env.MYSQL_HOST, port: Number(env.MYSQL_PORT), user: env.MYSQL_USER, password: env.MYSQL_PASSWORD, database: env.MYSQL_DATABASE });
  const [rows] = (await db.query(`SHOW TABLES LIKE 'bench\\_src\\_%'`)) as unknown as [Array<Record<string, string>>];
  for (const r of rows) {
    const t = Object.values(r)[0];
    await db.query(`DROP TABLE IF EXISTS \`${t.replace(/`/g, '``')}\``);
    log(`dropped table ${t}`);
  }
  await db.end();
  const kafka = new Kafka({ clientId: 'bench-cleanup', brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => /^(bench|bench-baseline|bench-nos|bench-benthos)\.(t\d+\.)?bench_src_|^bench-src-dbz-/.test(t));
  if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
  for (const t of topics) log(`deleted topic ${t}`);
  await admin.disconnect();
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  for await (const ex of client.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
    if (!ex.workflowId.startsWith('connector:bench-src-')) continue;
    await client.workflow.getHandle(ex.workflowId, ex.runId).terminate('bench cleanup').catch(() => undefined);
    log(`terminated workflow ${ex.workflowId}`);
  }
  await connection.close();
}

export async function runSourceJdbc(o: SourceJdbcOptions): Promise<SourceJdbcReport> {
  const env = stackEnv();
  const stamp = fileStamp();
  const logDir = path.join(os.tmpdir(), `tconnect-bench-${stamp}`);
  mkdirSync(logDir, { recursive: true });
  const kafka = new Kafka({ clientId: 'bench', brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  const db = await mysql.createConnection({ host: env.MYSQL_HOST, port: Number(env.MYSQL_PORT), user: env.MYSQL_USER, password: env.MYSQL_PASSWORD, database: env.MYSQL_DATABASE });
  const ctx: Ctx = { env, o, admin, kafka, client, logDir, servers: serverPidsOfRun() };
  const m = machine();
  const code = codeState();
  log(`source-jdbc: ${o.rows.toLocaleString('en')} rows x ${o.runs} run(s); ${m.cpuModel}, ${m.nproc} cores, ${m.memTotalMiB} MiB; load ${m.loadavg.join(' ')}; logs in ${logDir}`);
  if (Object.keys(o.set).length) log(`  connector settings beyond the defaults: ${JSON.stringify(o.set)}`);

  const runs: RunResult[] = [];
  try {
    for (let i = 1; i <= o.runs; i++) {
      const avail = memAvailable();
      if (avail < 2 * 1024 ** 3) throw new Error(`only ${mib(avail)} MiB of memory available: not starting run ${i}`);
      const tag = `${Date.now().toString(36)}${i}`;
      const table = `bench_src_${tag}`;
      const topicA = `bench-baseline.${table}`;
      const prefixB = 'bench.';
      const topicB = `${prefixB}${table}`;
      const sides = ['baseline', 'ours', ...extraSides(o)];
      const order = (i % 2 === 1 ? sides : [...sides].reverse()).filter((s) => !o.only || s === o.only);
      const r: RunResult = { run: i, order, table, loadMs: 0 };
      // Another benchmark on these two cores would skew both; wait for it (up to --quiet-wait s).
      r.before = await waitForQuiet({ maxLoad: o.maxLoad, maxSec: o.quietWaitSec, everySec: 15, ownPids: ancestorPids(), log });
      if (!r.before.quiet) log(`  measuring anyway: load ${r.before.loadavg.join(' ')}, other benchmarks: ${r.before.otherBenchmarks.length}`);
      if (o.tables > 1) {
        runs.push(await scalingRun(ctx, db, r, tag));
        continue;
      }
      log(`run ${i}/${o.runs}: loading ${o.rows.toLocaleString('en')} rows into ${table} ...`);
      try {
        r.loadMs = await loadTable(db, table, o.rows);
        log(`  loaded in ${round(r.loadMs / 1000, 1)} s; order: ${order.join(' then ')}`);
        for (const side of order) {
          await sleep(3000); // let the servers settle (page cache writeback, GC) between sides
          if (side === 'baseline') {
            r.baseline = await runBaseline(ctx, table, topicA, tag);
            log(`  baseline: ${r.baseline.rowsPerSec.toLocaleString('en')} rows/s (${round(r.baseline.ms / 1000, 1)} s), peak RSS ${r.baseline.peakRssMiB} MiB, CPU ${r.baseline.cpuSec} s; machine ${r.baseline.machineBusyCores} cores busy, ${r.baseline.otherCpuSec} CPU s by others`);
          } else if (side !== 'ours') {
            await runExtraSide(ctx, r, side, table, tag);
          } else {
            r.ours = await runOurs(ctx, table, prefixB, topicB, tag);
            log(`  ours:     ${r.ours.rowsPerSec.toLocaleString('en')} rows/s (${round(r.ours.ms / 1000, 1)} s), peak RSS ${r.ours.peakRssMiB} MiB (HWM ${r.ours.hwmMiB}), CPU ${r.ours.cpuSec} s, history ${r.ours.historyEvents} events in ${r.ours.historyRuns} run(s) / ${r.ours.batches} batches = ${r.ours.eventsPer10kRows} per 10k rows; machine ${r.ours.machineBusyCores} cores busy, ${r.ours.otherCpuSec} CPU s by others`);
          }
        }
        if (r.baseline && r.ours) {
          r.ratio = round(r.ours.rowsPerSec / r.baseline.rowsPerSec, 3);
          r.bytesIdentical = o.compareRows > 0 ? await compareTopics(kafka, topicA, topicB, Math.min(o.compareRows, o.rows)) : null;
          log(`  ratio ours/baseline ${r.ratio}; first ${Math.min(o.compareRows, o.rows)} records byte-identical: ${r.bytesIdentical}`);
        }
        extraRatios(r);
        runs.push(r);
      } finally {
        if (!o.keep) {
          await admin.deleteTopics({ topics: [topicA, topicB, ...extraTopics(r)].filter(Boolean), timeout: 30_000 }).catch(() => undefined);
          await db.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => undefined);
        } else {
          log(`  kept table ${table}, topics ${topicA} and ${topicB}`);
        }
      }
    }
  } finally {
    await db.end().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await connection.close().catch(() => undefined);
  }

  const med = (f: (r: RunResult) => number | undefined) => median(runs.map(f).filter((x): x is number => x !== undefined));
  const medians = {
    baselineRowsPerSec: Math.round(med((r) => r.baseline?.rowsPerSec)),
    oursRowsPerSec: Math.round(med((r) => r.ours?.rowsPerSec)),
    ratio: round(med((r) => r.ratio), 3),
    oursPeakRssMiB: med((r) => r.ours?.peakRssMiB),
    oursHwmMiB: med((r) => r.ours?.hwmMiB),
    eventsPer10kRows: med((r) => r.ours?.eventsPer10kRows),
    baselineCpuSec: med((r) => r.baseline?.cpuSec),
    oursCpuSec: med((r) => r.ours?.cpuSec),
    baselineCpuUsPerRow: round(med((r) => (r.baseline ? (r.baseline.cpuSec / o.rows) * 1e6 : undefined)), 1),
    oursCpuUsPerRow: round(med((r) => (r.ours ? (r.ours.cpuSec / o.rows) * 1e6 : undefined)), 1),
  };
  const file = o.out ?? path.join(RESULTS_DIR, `source-jdbc-${stamp}.json`);
  const report: SourceJdbcReport = {
    benchmark: 'source-jdbc',
    date: new Date().toISOString(),
    machine: m,
    code,
    options: (({ out: _out, ...rest }) => rest)(o),
    runs,
    medians,
    targets: { ratio: medians.ratio >= 0.8, rss: medians.oursPeakRssMiB < 512, history: medians.eventsPer10kRows < 60 },
    file: path.relative(REPO_ROOT, file),
    extraMedians: extraMedians(runs, o.rows),
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  return report;
}


/**
 * One run of the scaling mode: --tables tables of rows/tables rows, then ours once per --tasks
 * value (order rotated per run), each writing topics of its own (prefix bench.t<tasks>.).
 */
async function scalingRun(ctx: Ctx, db: mysql.Connection, r: RunResult, tag: string): Promise<RunResult> {
  const { o } = ctx;
  const tables = Array.from({ length: o.tables }, (_, k) => `bench_src_${tag}_${k}`);
  const order = o.tasks.map((_, k) => o.tasks[(k + r.run - 1) % o.tasks.length]);
  const topics: string[] = [];
  r.scaling = [];
  try {
    log(`run ${r.run}/${o.runs}: loading ${o.tables} tables of ${Math.floor(o.rows / o.tables).toLocaleString('en')} rows ...`);
    for (const t of tables) r.loadMs += await loadTable(db, t, Math.floor(o.rows / o.tables));
    const rows = Math.floor(o.rows / o.tables) * o.tables;
    for (const tasksMax of order) {
      await sleep(3000);
      const prefix = `bench.t${tasksMax}.`;
      topics.push(...tables.map((t) => prefix + t));
      const ours = await runOurs({ ...ctx, o: { ...o, rows } }, tables[0], prefix, prefix + tables[0], `${tag}t${tasksMax}`, {}, { tables, tasksMax });
      r.scaling.push({ tasksMax, ours });
      log(`  tasks.max=${tasksMax}: ${ours.rowsPerSec.toLocaleString('en')} rows/s (${round(ours.ms / 1000, 1)} s), worker CPU ${ours.cpuSec} s (${JSON.stringify(ours.cpuByThread)}), servers ${JSON.stringify(ours.serverCpuSec)}, machine ${ours.machineBusyCores} cores busy, ${ours.otherCpuSec} CPU s by others`);
    }
  } finally {
    if (!o.keep) {
      await ctx.admin.deleteTopics({ topics, timeout: 30_000 }).catch(() => undefined);
      for (const t of tables) await db.query(`DROP TABLE IF EXISTS \`${t}\``).catch(() => undefined);
    }
  }
  return r;
}

export function printReport(r: SourceJdbcReport): void {
  const lines: string[] = [];
  if (r.options.tables > 1) {
    lines.push('', `source-jdbc scaling: ${r.options.rows.toLocaleString('en')} rows in ${r.options.tables} tables, ${r.runs.length} run(s)`);
    lines.push('run  tasks.max  rows/s   worker CPU s  CPU us/row  mariadb CPU s  kafka CPU s  temporal CPU s  busy cores');
    for (const x of r.runs) {
      for (const s of x.scaling ?? []) {
        const srv = s.ours.serverCpuSec;
        lines.push(`${String(x.run).padEnd(4)} ${String(s.tasksMax).padStart(9)}  ${s.ours.rowsPerSec.toLocaleString('en').padStart(7)}  ${String(s.ours.cpuSec).padStart(12)}  ${String(round((s.ours.cpuSec / r.options.rows) * 1e6, 1)).padStart(10)}  ${String(srv.mariadb ?? '-').padStart(13)}  ${String(srv.kafka ?? '-').padStart(11)}  ${String(srv.temporal ?? '-').padStart(14)}  ${String(s.ours.machineBusyCores).padStart(10)}`);
      }
    }
    for (const t of r.options.tasks) {
      const rates = r.runs.flatMap((x) => (x.scaling ?? []).filter((s) => s.tasksMax === t).map((s) => s.ours.rowsPerSec));
      lines.push(`median tasks.max=${t}: ${Math.round(median(rates)).toLocaleString('en')} rows/s`);
    }
    lines.push(`results: ${r.file}`);
    process.stdout.write(lines.join('\n') + '\n');
    return;
  }
  const n = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x.toLocaleString('en'));
  lines.push('', `source-jdbc: ${r.options.rows.toLocaleString('en')} rows, ${r.runs.length} run(s)`);
  const perRow = (x: SideResult | undefined) => (x ? round((x.cpuSec / r.options.rows) * 1e6, 1) : undefined);
  lines.push('run  baseline rows/s  ours rows/s  ratio  ours peak RSS MiB  events/10k rows  batches  CPU us/row base/ours  busy cores  bytes equal');
  for (const x of r.runs) {
    const cpu = `${n(perRow(x.baseline))} / ${n(perRow(x.ours))}`;
    const busy = `${n(x.baseline?.machineBusyCores)}/${n(x.ours?.machineBusyCores)}`;
    lines.push(`${String(x.run).padEnd(4)} ${n(x.baseline?.rowsPerSec).padStart(15)}  ${n(x.ours?.rowsPerSec).padStart(11)}  ${n(x.ratio).padStart(5)}  ${n(x.ours?.peakRssMiB).padStart(17)}  ${n(x.ours?.eventsPer10kRows).padStart(15)}  ${n(x.ours?.batches).padStart(7)}  ${cpu.padStart(20)}  ${busy.padStart(10)}  ${String(x.bytesIdentical ?? '-').padStart(11)}`);
  }
  const md = r.medians;
  lines.push(`med  ${n(md.baselineRowsPerSec).padStart(15)}  ${n(md.oursRowsPerSec).padStart(11)}  ${n(md.ratio).padStart(5)}  ${n(md.oursPeakRssMiB).padStart(17)}  ${n(md.eventsPer10kRows).padStart(15)}  ${''.padStart(7)}  ${`${n(md.baselineCpuUsPerRow)} / ${n(md.oursCpuUsPerRow)}`.padStart(20)}`);
  lines.push(`targets: ratio >= 0.8 ${r.targets.ratio ? 'MET' : 'MISSED'}; RSS < 512 MiB ${r.targets.rss ? 'MET' : 'MISSED'}; < 60 events/10k rows ${r.targets.history ? 'MET' : 'MISSED'}`);
  lines.push(...extraLines(r));
  lines.push(`results: ${r.file}`);
  process.stdout.write(lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------
// Peers beside ours (bench/lib/peers.ts): Benthos and Kafka Connect + Debezium's MariaDB connector, each on
// the run's table into a topic of its own, timed like the baseline: from its go (Benthos: its process starts;
// Kafka Connect: POST /connectors, the worker already running) until the topic's high watermark reaches N.
// Benthos writes schemaless JSON (values as strings), so ours runs once more without the schema envelope
// ("ours-schemaless": value.converter.schemas.enable=false) for the like-for-like ratio. Debezium writes its
// change-event envelope (before/after/source/op) with schemas: bigger records than the JDBC source's rows.

/** The sides beyond baseline and ours, in run order. */
function extraSides(o: SourceJdbcOptions): string[] {
  return [...(o.peers.includes('benthos') ? ['ours-schemaless', 'benthos'] : []), ...(o.peers.includes('connect') ? ['connect'] : [])];
}

const extraTopic = (side: string, table: string, tag: string): string =>
  side === 'ours-schemaless' ? `bench-nos.${table}` : side === 'benthos' ? `bench-benthos.${table}` : `bench-src-dbz-${tag}`;

async function runExtraSide(ctx: Ctx, r: RunResult, side: string, table: string, tag: string): Promise<void> {
  let s: SideResult;
  if (side === 'ours-schemaless') {
    s = await runOurs(ctx, table, 'bench-nos.', extraTopic(side, table, tag), `${tag}n`, { 'value.converter.schemas.enable': 'false' });
  } else {
    s = await runPeerSide(ctx, side === 'benthos' ? 'benthos' : 'connect', table, tag);
  }
  (r.extra ??= {})[side] = s;
  log(`  ${side}: ${s.rowsPerSec.toLocaleString('en')} rows/s (${round(s.ms / 1000, 1)} s), peak RSS ${s.peakRssMiB} MiB (HWM ${s.hwmMiB}, idle ${s.idleRssMiB}), CPU ${s.cpuSec} s (${round((s.cpuSec / ctx.o.rows) * 1e6, 1)} us/row); machine ${s.machineBusyCores} cores busy, ${s.otherCpuSec} CPU s by others`);
}

async function runPeerSide(ctx: Ctx, engine: PeerEngine, table: string, tag: string): Promise<SideResult> {
  const { env, o } = ctx;
  const p = await startPeer(engine, 'source-jdbc', { env, name: engine === 'benthos' ? `bench-src-benthos-${tag}` : extraTopic('connect', table, tag), logDir: ctx.logDir, table, topic: extraTopic('benthos', table, tag) });
  let stopped = false;
  try {
    const m = measureProcess(p.pid, o.rssGuardMiB * 1024 * 1024, ctx.servers);
    const t0 = Date.now();
    await p.go();
    const w = await waitForMessages(ctx.admin, p.target, o.rows, t0, o.timeoutSec * 1000, p.side, p.alive);
    const x = m.finish();
    const ms = w.doneAt - t0;
    const peer = await p.stop();
    stopped = true;
    return {
      ms, rowsPerSec: Math.round(o.rows / (ms / 1000)), firstRecordMs: w.firstAt === null ? null : w.firstAt - t0,
      peakRssMiB: mib(x.peakRss), hwmMiB: mib(x.hwm), idleRssMiB: p.idleRssBytes === null ? NaN : mib(p.idleRssBytes), cpuSec: round(x.cpuSec, 1),
      serverCpuSec: x.serverCpuSec, ...contention(x.busySec, x.cpuSec, x.serverCpuSec, ms), cpuByThread: x.cpuByThread,
      messages: w.count, detail: { side: p.side, topic: p.target, log: p.logFile, peer },
    };
  } finally {
    if (!stopped) await p.stop().catch((e: unknown) => log(`    stopping ${p.side}: ${String(e)}`));
  }
}

function extraRatios(r: RunResult): void {
  const e = r.extra ?? {};
  const ratios: Record<string, number> = {};
  if (e['ours-schemaless'] && e.benthos) ratios['ours-schemaless/benthos'] = round(e['ours-schemaless'].rowsPerSec / e.benthos.rowsPerSec, 3);
  if (r.ours && e.connect) ratios['ours/connect'] = round(r.ours.rowsPerSec / e.connect.rowsPerSec, 3);
  if (e['ours-schemaless'] && r.baseline) ratios['ours-schemaless/baseline'] = round(e['ours-schemaless'].rowsPerSec / r.baseline.rowsPerSec, 3);
  if (Object.keys(ratios).length) {
    r.extraRatios = ratios;
    log(`  ratios: ${Object.entries(ratios).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
}

function extraTopics(r: RunResult): string[] {
  return Object.entries(r.extra ?? {}).map(([side, s]) => (side === 'ours-schemaless' ? extraTopic(side, r.table, '') : String(s.detail.topic ?? ''))).filter(Boolean);
}

function extraMedians(runs: RunResult[], rows: number): Record<string, { rowsPerSec: number; cpuUsPerRow: number; peakRssMiB: number; hwmMiB: number; idleRssMiB: number }> & { ratios?: Record<string, number> } {
  const out: Record<string, { rowsPerSec: number; cpuUsPerRow: number; peakRssMiB: number; hwmMiB: number; idleRssMiB: number }> & { ratios?: Record<string, number> } = {};
  const sides = [...new Set(runs.flatMap((r) => Object.keys(r.extra ?? {})))];
  for (const side of sides) {
    const xs = runs.map((r) => r.extra?.[side]).filter((x): x is SideResult => x !== undefined);
    out[side] = {
      rowsPerSec: Math.round(median(xs.map((x) => x.rowsPerSec))), cpuUsPerRow: round(median(xs.map((x) => (x.cpuSec / rows) * 1e6)), 1),
      peakRssMiB: median(xs.map((x) => x.peakRssMiB)), hwmMiB: median(xs.map((x) => x.hwmMiB)), idleRssMiB: median(xs.map((x) => x.idleRssMiB)),
    };
  }
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.extraRatios ?? {})))];
  if (names.length) out.ratios = Object.fromEntries(names.map((k) => [k, round(median(runs.map((r) => r.extraRatios?.[k]).filter((x): x is number => x !== undefined)), 3)]));
  return out;
}

function extraLines(r: SourceJdbcReport): string[] {
  const { ratios, ...sides } = r.extraMedians ?? {};
  const lines = Object.entries(sides).map(([side, m]) =>
    `${side.padEnd(26)} ${m.rowsPerSec.toLocaleString('en')} rows/s, CPU ${m.cpuUsPerRow} us/row, peak RSS ${m.peakRssMiB} MiB (HWM ${m.hwmMiB}, idle ${Number.isNaN(m.idleRssMiB) ? '-' : m.idleRssMiB}) (medians)`);
  if (ratios) lines.push(`ratios (median of the runs): ${Object.entries(ratios).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return lines;
}

benchMain(import.meta.url, 'source-jdbc', { parse: parseArgs, run: runSourceJdbc, print: printReport, cleanup: cleanupLeftovers, log });
