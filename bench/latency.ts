// End-to-end latency of the demo's pipeline: a row inserted into MariaDB → the JDBC source
// (timestamp+incrementing, as the demo; or incrementing) → Kafka → the Elasticsearch sink → the
// document found by a search. Both connectors run on one `tconnect worker` child process.
//
//   npx tsx bench/latency.ts [--rate 1000] [--seconds 120] [--poll-interval-ms 1000]
//        [--mode timestamp+incrementing|incrementing] [--source jdbc|mysql-cdc] [--search-every-ms 100]
//
// A writer inserts --rate rows a second for --seconds, in one multi-row INSERT every 10 ms, each
// row carrying the time it was sent (inserted_ms, this process's clock; the pipeline runs on the
// same machine). A reader searches the index every --search-every-ms for the documents it has not
// seen yet (a range query on id above the highest id below which every row has been seen, sorted
// by id, paged with search_after). A row's latency = the time the answer naming it arrived −
// inserted_ms: an upper bound, within one search interval plus one search's round trip.
// "Searchable" is what a search finds: the index keeps Elasticsearch's default refresh (1 s), and
// nothing asks for refresh=true, which would make documents visible sooner than a user's search
// sees them. (The reader searches all the time, so the index never goes search-idle.)
// Verdict: p99 ≤ poll.interval.ms + 1 s (issue 23 part 6).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as EsClient } from '@elastic/elasticsearch';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import { ConnectClient } from '../src/client/index.js';
import {
  REPO_ROOT, RESULTS_DIR, benchMain, codeState, fileStamp, loadavg, logTo, machine, mib, procCpuSeconds, procMemory, round, workerEnv,
  sleep, spawnNode, stackEnv, stopChild, waitForLine, type StackEnv,
} from './lib/common.js';
import { COMMON_USAGE, parseBenchFlags, type CommonBenchOptions } from './lib/flags.js';
import { deleteConnector } from './lib/kafka-topics.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export interface LatencyOptions extends CommonBenchOptions {
  rate: number;
  seconds: number;
  /** The JDBC source's poll.interval.ms (the demo's 1000). */
  pollIntervalMs: number;
  mode: 'timestamp+incrementing' | 'incrementing';
  source: 'jdbc' | 'mysql-cdc';
  searchEveryMs: number;
  /** After the writer stops, how long to wait for the last rows. */
  drainSec: number;
}

export const DEFAULTS: LatencyOptions = {
  rate: 1000, seconds: 120, pollIntervalMs: 1000, mode: 'timestamp+incrementing', source: 'jdbc', searchEveryMs: 100, drainSec: 60,
  runs: 1, keep: false, profile: false, set: {}, rssGuardMiB: 1536, timeoutSec: 0, quietWaitSec: 0, maxLoad: Infinity, cleanup: false,
};

const USAGE = `npx tsx bench/latency.ts [--rate ROWS_PER_S] [--seconds S] [--poll-interval-ms MS] [--mode timestamp+incrementing|incrementing] [--source jdbc|mysql-cdc] [--search-every-ms MS] [--drain-sec S] ${COMMON_USAGE}`;

export function parseArgs(argv: string[]): LatencyOptions {
  const o: LatencyOptions = { ...DEFAULTS, set: {} };
  parseBenchFlags(argv, o, USAGE, (flag, value) => {
    switch (flag) {
      case '--rate': o.rate = Math.round(value.num(1)); return true;
      case '--seconds': o.seconds = value.num(1); return true;
      case '--poll-interval-ms': o.pollIntervalMs = Math.round(value.num(1)); return true;
      case '--search-every-ms': o.searchEveryMs = Math.round(value.num(10)); return true;
      case '--drain-sec': o.drainSec = value.num(1); return true;
      case '--mode': {
        const v = value.text();
        if (v !== 'timestamp+incrementing' && v !== 'incrementing') throw new Error('--mode takes timestamp+incrementing or incrementing');
        o.mode = v;
        return true;
      }
      case '--source': {
        const v = value.text();
        if (v !== 'jdbc' && v !== 'mysql-cdc') throw new Error('--source takes jdbc or mysql-cdc');
        o.source = v;
        return true;
      }
      default: return false;
    }
  });
  if (o.codeRoot) o.codeRoot = path.resolve(o.codeRoot);
  return o;
}

const log = (s: string) => process.stderr.write(s + '\n');

/** The rows the writer sent: id → inserted_ms is in each row itself; the writer keeps counts. */
interface WriterResult { rows: number; ms: number; rowsPerSec: number; maxBehindMs: number }

/**
 * Inserts `rate` rows a second for `seconds`: every 10 ms one multi-row INSERT of the rows due by
 * then (so a late tick catches up; each row still carries the time it was actually sent).
 */
async function writer(db: mysql.Connection, table: string, rate: number, seconds: number, firstSeq: number): Promise<WriterResult> {
  const t0 = Date.now();
  const total = Math.round(rate * seconds);
  let sent = 0, maxBehindMs = 0;
  while (sent < total) {
    const now = Date.now();
    const due = Math.min(total, Math.floor(((now - t0) / 1000) * rate));
    if (due > sent) {
      const n = due - sent;
      const rows = Array.from({ length: n }, (_, i) => [`row-${firstSeq + sent + i}`, now]);
      await db.query(`INSERT INTO \`${table}\` (v, inserted_ms) VALUES ?`, [rows]);
      sent = due;
      // How far behind schedule the first row of this statement went out.
      maxBehindMs = Math.max(maxBehindMs, now - (t0 + ((due - n) / rate) * 1000));
    }
    const next = t0 + ((sent + 1) / rate) * 1000;
    await sleep(Math.max(0, Math.min(10, next - Date.now())));
  }
  const ms = Date.now() - t0;
  return { rows: sent, ms, rowsPerSec: Math.round(sent / (ms / 1000)), maxBehindMs: Math.round(maxBehindMs) };
}

/**
 * Searches for what has not been seen yet, every `everyMs`, until stopped: the ids above the
 * highest seen, ascending, 10,000 a page with search_after; and, by id, any not seen below it (a
 * document indexed out of order, or a row the pipeline lost). Records each new id's latency.
 */
class Reader {
  readonly latencies = new Map<number, number>();
  /** Every id up to `low` seen; `high`, the highest seen. */
  private low = 0;
  private high = 0;
  private stopped = false;
  searches = 0;
  searchMsTotal = 0;
  errors = 0;
  lastError = '';
  private done?: Promise<void>;

  constructor(private readonly es: EsClient, private readonly index: string, private readonly everyMs: number) {}

  start(): void {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const began = Date.now();
      await this.once().catch((e: unknown) => { this.errors++; this.lastError = (e as Error).message; });
      await sleep(Math.max(0, this.everyMs - (Date.now() - began)));
    }
  }

  private async search(query: object, after?: number): Promise<Array<{ id: number; inserted_ms: number }>> {
    const t = Date.now();
    const r = await this.es.search<{ id: number; inserted_ms: number }>({
      index: this.index, size: 10_000, query, sort: [{ id: 'asc' }], _source: ['id', 'inserted_ms'],
      ...(after !== undefined ? { search_after: [after] } : {}),
    }, { ignore: [404] });
    const at = Date.now();
    this.searches++;
    this.searchMsTotal += at - t;
    const out: Array<{ id: number; inserted_ms: number }> = [];
    for (const h of r.hits?.hits ?? []) {
      const s = h._source;
      if (!s) continue;
      out.push(s);
      if (!this.latencies.has(s.id)) {
        this.latencies.set(s.id, at - Number(s.inserted_ms));
        if (s.id > this.high) this.high = s.id;
      }
    }
    while (this.latencies.has(this.low + 1)) this.low++;
    return out;
  }

  private async once(): Promise<void> {
    // Below the highest seen: the ids still missing, by id (at most 10,000 a search).
    const missing: number[] = [];
    for (let id = this.low + 1; id < this.high && missing.length < 10_000; id++) if (!this.latencies.has(id)) missing.push(id);
    if (missing.length) await this.search({ terms: { id: missing } });
    // Above it: the new ones, page by page.
    let after: number | undefined = this.high;
    for (;;) {
      const page = await this.search({ range: { id: { gt: after } } });
      if (page.length < 10_000) break;
      after = page[page.length - 1].id;
    }
  }

  /** Every id up to `n` seen. */
  seenAll(n: number): boolean {
    return this.low >= n;
  }

  get contiguous(): number {
    return this.low;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/**
 * Where the time goes: a consumer of the topic notes, per row, its record's timestamp (CreateTime:
 * when our source produced it) − inserted_ms, the source's share of the latency.
 */
class TopicWatch {
  readonly producedAfterMs = new Map<number, number>();
  private consumer;

  constructor(kafka: Kafka, private readonly topic: string, groupId: string) {
    this.consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        if (!message.value) return;
        const v = JSON.parse(message.value.toString('utf8')) as { payload?: Record<string, unknown> & { after?: Record<string, unknown> } };
        const row = (v.payload?.after ?? v.payload ?? v) as { id?: number; inserted_ms?: number };
        if (typeof row.id === 'number' && typeof row.inserted_ms === 'number') this.producedAfterMs.set(row.id, Number(message.timestamp) - row.inserted_ms);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
  }
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface LatencyReport {
  benchmark: 'latency';
  date: string;
  machine: ReturnType<typeof machine>;
  code: { head: string; dirty: string[] };
  options: Omit<LatencyOptions, 'out'>;
  pipeline: { source: Record<string, string>; sink: Record<string, string> };
  writer: WriterResult;
  /** Rows of the measured window (warm-up rows left out). */
  rows: number;
  seen: number;
  lost: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number; min: number };
  /** Inserted → produced to Kafka by our source (the record's CreateTime), the source's share. */
  insertToKafkaMs: { p50: number; p99: number; max: number; rows: number };
  /** p50/p99 per 10-second slice of the window (to see drift or a slow start). */
  slices: Array<{ fromSec: number; rows: number; p50: number; p99: number }>;
  target: { p99MaxMs: number; met: boolean };
  reader: { searches: number; meanSearchMs: number; errors: number; lastError: string };
  worker: { cpuSec: number; cpuUsPerRow: number; peakRssMiB: number; idleRssMiB: number };
  loadBefore: number[];
  loadAfter: number[];
  file: string;
}

function connectorConfigs(o: LatencyOptions, env: StackEnv, table: string, database: string, prefix: string): { source: Record<string, string>; sink: Record<string, string>; topic: string } {
  if (o.source === 'mysql-cdc') {
    const topic = `${prefix}.${database}.${table}`;
    return {
      topic,
      source: {
        'connector.class': 'io.debezium.connector.mysql.MySqlConnector',
        'database.hostname': env.MYSQL_HOST, 'database.port': env.MYSQL_PORT, 'database.user': env.MYSQL_USER,
        'database.password': '${env:BENCH_MYSQL_PASSWORD}',
        'database.server.id': String(6000 + Math.floor(Math.random() * 1000)), 'topic.prefix': prefix,
        'database.include.list': database, 'table.include.list': `${database}.${table}`,
        'schema.history.internal.kafka.topic': `${prefix}.history`,
        ...o.set,
      },
      sink: {
        'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
        'connection.url': env.ELASTICSEARCH_URL, topics: topic,
        'key.ignore': 'false', 'schema.ignore': 'false',
        transforms: 'unwrap,key',
        'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
        'transforms.key.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
        'transforms.key.field': 'id',
      },
    };
  }
  const topic = `${prefix}${table}`;
  return {
    topic,
    // The demo's source (scripts/demo.ts), on this bench's table; poll.interval.ms from the flag.
    source: {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
      'connection.url': `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`,
      'connection.user': env.MYSQL_USER,
      'connection.password': '${env:BENCH_MYSQL_PASSWORD}',
      'table.whitelist': table,
      mode: o.mode,
      ...(o.mode === 'timestamp+incrementing' ? { 'timestamp.column.name': 'updated_at' } : {}),
      'incrementing.column.name': 'id',
      'topic.prefix': prefix,
      'poll.interval.ms': String(o.pollIntervalMs),
      transforms: 'key,id',
      'transforms.key.type': 'org.apache.kafka.connect.transforms.ValueToKey',
      'transforms.key.fields': 'id',
      'transforms.id.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
      'transforms.id.field': 'id',
      ...o.set,
    },
    // The demo's sink.
    sink: {
      'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
      'connection.url': env.ELASTICSEARCH_URL,
      topics: topic,
      'key.ignore': 'false',
      'schema.ignore': 'false',
      'write.method': 'upsert',
    },
  };
}

export async function runLatency(o: LatencyOptions): Promise<LatencyReport> {
  const env = stackEnv();
  const stamp = fileStamp();
  const tag = `${Date.now().toString(36)}`;
  const logDir = path.join(os.tmpdir(), `tconnect-bench-latency-${stamp}`);
  mkdirSync(logDir, { recursive: true });
  const table = `bench_lat_${tag}`;
  // CDC reads a database of its own (the binlog filter is per database).
  const database = o.source === 'mysql-cdc' ? `${env.MYSQL_DATABASE}_lat_${tag}` : env.MYSQL_DATABASE;
  const prefix = o.source === 'mysql-cdc' ? `bench-lat-${tag}` : 'bench-lat.';
  const { source, sink, topic } = connectorConfigs(o, env, table, database, prefix);
  const index = topic; // the sink writes to the index named after the topic
  const taskQueue = `bench-lat-${tag}`;
  const names = { source: `bench-lat-src-${tag}`, sink: `bench-lat-es-${tag}` };

  const admin = await mysql.createConnection({ host: env.MYSQL_HOST, port: Number(env.MYSQL_PORT), user: env.MYSQL_USER, password: env.MYSQL_PASSWORD, database: env.MYSQL_DATABASE });
  if (database !== env.MYSQL_DATABASE) await admin.query(`CREATE DATABASE \`${database}\``);
  await admin.query(`CREATE TABLE \`${database}\`.\`${table}\` (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    v VARCHAR(40) NOT NULL,
    inserted_ms BIGINT NOT NULL,
    updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
  )`);
  const db = await mysql.createConnection({ host: env.MYSQL_HOST, port: Number(env.MYSQL_PORT), user: env.MYSQL_USER, password: env.MYSQL_PASSWORD, database });
  const es = new EsClient({ node: env.ELASTICSEARCH_URL });
  const sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue });
  const child = spawnNode([path.join(o.codeRoot ?? REPO_ROOT, 'bin/tconnect.mjs'), 'worker'], workerEnv(env, taskQueue));
  logTo(child, path.join(logDir, 'worker.log'));
  const created: string[] = [];
  const reader = new Reader(es, index, o.searchEveryMs);
  const kafka = new Kafka({ clientId: 'bench-latency', brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), logLevel: logLevel.NOTHING });
  const topicWatch = new TopicWatch(kafka, topic, `bench-lat-watch-${tag}`);
  try {
    await waitForLine(child, (l) => (l.includes('worker started') ? true : undefined), 120_000, 'worker start');
    const pid = child.pid!;
    log(`latency: worker up (pid ${pid}, log ${logDir}/worker.log); ${o.source === 'jdbc' ? `JDBC source, mode ${o.mode}, poll.interval.ms ${o.pollIntervalMs}` : 'MySQL CDC source'} → Kafka ${topic} → Elasticsearch ${index}`);
    for (const [name, config] of [[names.source, source], [names.sink, sink]] as const) {
      await sdk.create({ name, config });
      created.push(name);
    }
    // Warm-up: a few rows until they are searchable (the index exists, both tasks run), not measured.
    const warm = 10;
    await db.query(`INSERT INTO \`${table}\` (v, inserted_ms) VALUES ?`, [Array.from({ length: warm }, (_, i) => [`warm-${i}`, Date.now()])]);
    reader.start();
    const warmUntil = Date.now() + 180_000;
    while (!reader.seenAll(warm)) {
      if (Date.now() > warmUntil) throw new Error(`the warm-up rows were not searchable within 180 s (seen up to id ${reader.contiguous}); see ${logDir}/worker.log`);
      if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode}); see ${logDir}/worker.log`);
      await sleep(100);
    }
    // The topic exists now: its watch reads it from the start.
    await topicWatch.start();
    log(`latency: pipeline warm; writing ${o.rate} rows/s for ${o.seconds} s`);
    const idle = procMemory(pid).rss;
    let peak = idle;
    const rssTimer = setInterval(() => { peak = Math.max(peak, procMemory(pid).rss); }, 500);
    const cpu0 = procCpuSeconds(pid);
    const loadBefore = loadavg();
    const progress = setInterval(() => log(`  seen ${reader.latencies.size - warm} rows`), 10_000);
    const w = await writer(db, table, o.rate, o.seconds, warm + 1);
    const total = warm + w.rows;
    const drainUntil = Date.now() + o.drainSec * 1000;
    while (!reader.seenAll(total) && Date.now() < drainUntil && child.exitCode === null) await sleep(100);
    clearInterval(progress);
    clearInterval(rssTimer);
    await reader.stop();
    await topicWatch.stop();
    const cpu = procCpuSeconds(pid) - cpu0;
    const loadAfter = loadavg();

    const measured: Array<[number, number]> = [];
    for (const [id, ms] of reader.latencies) if (id > warm) measured.push([id, ms]);
    const sorted = measured.map(([, ms]) => ms).sort((a, b) => a - b);
    const stats = {
      p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN,
      mean: Math.round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)), min: sorted[0] ?? NaN,
    };
    const toKafka = [...topicWatch.producedAfterMs].filter(([id]) => id > warm).map(([, ms]) => ms).sort((a, b) => a - b);
    // Slices of 10 s by id (ids follow insert order: one writer, one connection).
    const slices: LatencyReport['slices'] = [];
    const perSlice = o.rate * 10;
    for (let from = 0; from < w.rows; from += perSlice) {
      const xs = measured.filter(([id]) => id > warm + from && id <= warm + from + perSlice).map(([, ms]) => ms).sort((a, b) => a - b);
      slices.push({ fromSec: from / o.rate, rows: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99) });
    }
    const p99MaxMs = o.pollIntervalMs + 1000;
    const report: LatencyReport = {
      benchmark: 'latency', date: new Date().toISOString(), machine: machine(), code: codeState(),
      options: (({ out: _out, ...rest }) => rest)(o),
      pipeline: { source: { ...source, 'connection.password': '[reference]', 'database.password': '[reference]' }, sink },
      writer: w, rows: w.rows, seen: measured.length, lost: w.rows - measured.length,
      latencyMs: stats, slices,
      insertToKafkaMs: { p50: percentile(toKafka, 50), p99: percentile(toKafka, 99), max: toKafka[toKafka.length - 1] ?? NaN, rows: toKafka.length },
      target: { p99MaxMs, met: measured.length === w.rows && stats.p99 <= p99MaxMs },
      reader: { searches: reader.searches, meanSearchMs: round(reader.searchMsTotal / Math.max(1, reader.searches), 1), errors: reader.errors, lastError: reader.lastError },
      worker: { cpuSec: round(cpu, 1), cpuUsPerRow: round((cpu * 1e6) / Math.max(1, w.rows), 0), peakRssMiB: mib(peak), idleRssMiB: mib(idle) },
      loadBefore, loadAfter,
      file: o.out ?? path.join(RESULTS_DIR, `latency-${o.source}-${stamp}.json`),
    };
    mkdirSync(path.dirname(report.file), { recursive: true });
    writeFileSync(report.file, JSON.stringify(report, null, 2) + '\n');
    return report;
  } finally {
    await reader.stop();
    await topicWatch.stop();
    for (const name of created) await deleteConnector(sdk, name, 1, log);
    await stopChild(child, 'SIGTERM', 20_000);
    if (!o.keep) {
      await admin.query(database !== env.MYSQL_DATABASE ? `DROP DATABASE IF EXISTS \`${database}\`` : `DROP TABLE IF EXISTS \`${table}\``).catch(() => undefined);
      await es.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
      await deleteTopics(kafka, o.source === 'mysql-cdc' ? [topic, `${prefix}.history`, prefix] : [topic], `bench-lat-watch-${tag}`);
    }
    await db.end().catch(() => undefined);
    await admin.end().catch(() => undefined);
    await es.close();
    await sdk.close();
  }
}

/** The run's topics and the watch's consumer group. */
async function deleteTopics(kafka: Kafka, topics: string[], groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const gone = topics.filter((t) => existing.has(t));
  if (gone.length) await admin.deleteTopics({ topics: gone, timeout: 30_000 }).catch(() => undefined);
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.disconnect();
}

/** --cleanup: what an interrupted run left behind (only names this bench gives things). */
export async function cleanupLeftovers(): Promise<void> {
  const env = stackEnv();
  const db = await mysql.createConnection({ host: env.MYSQL_HOST, port: Number(env.MYSQL_PORT), user: env.MYSQL_USER, password: env.MYSQL_PASSWORD, database: env.MYSQL_DATABASE });
  const [tables] = (await db.query(`SHOW TABLES LIKE 'bench\\_lat\\_%'`)) as unknown as [Array<Record<string, string>>];
  for (const t of tables.map((r) => Object.values(r)[0])) { await db.query(`DROP TABLE \`${t}\``); log(`dropped table ${t}`); }
  const [dbs] = (await db.query(`SHOW DATABASES LIKE '${env.MYSQL_DATABASE}\\_lat\\_%'`)) as unknown as [Array<Record<string, string>>];
  for (const d of dbs.map((r) => Object.values(r)[0])) { await db.query(`DROP DATABASE \`${d}\``); log(`dropped database ${d}`); }
  await db.end();
  const es = new EsClient({ node: env.ELASTICSEARCH_URL });
  for (const index of Object.keys(await es.indices.get({ index: 'bench-lat*', allow_no_indices: true, expand_wildcards: 'all' }))) {
    await es.indices.delete({ index, ignore_unavailable: true });
    log(`deleted index ${index}`);
  }
  await es.close();
  const kafka = new Kafka({ clientId: 'bench-latency-cleanup', brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith('bench-lat'));
  if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
  for (const t of topics) log(`deleted topic ${t}`);
  await admin.disconnect();
  const sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE });
  for await (const ex of sdk.temporal.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
    if (!ex.workflowId.startsWith('connector:bench-lat-')) continue;
    await sdk.temporal.workflow.getHandle(ex.workflowId, ex.runId).terminate('bench cleanup').catch(() => undefined);
    log(`terminated workflow ${ex.workflowId}`);
  }
  await sdk.close();
}

export function printReport(r: LatencyReport): void {
  const l = r.latencyMs;
  const src = r.options.source === 'jdbc' ? `JDBC source (${r.options.mode}, poll.interval.ms=${r.options.pollIntervalMs})` : 'MySQL CDC source';
  const lines = [
    '',
    `latency: ${src} → Kafka → Elasticsearch sink, one worker; ${r.writer.rows.toLocaleString('en')} rows at ${r.writer.rowsPerSec} rows/s over ${round(r.writer.ms / 1000, 1)} s (writer at most ${r.writer.maxBehindMs} ms behind schedule)`,
    `inserted → searchable (default 1 s refresh; searched every ${r.options.searchEveryMs} ms, mean search ${r.reader.meanSearchMs} ms${r.reader.errors ? `, ${r.reader.errors} failed searches, the last: ${r.reader.lastError}` : ''}):`,
    `  p50 ${l.p50} ms   p95 ${l.p95} ms   p99 ${l.p99} ms   max ${l.max} ms   (min ${l.min}, mean ${l.mean})`,
    `  seen ${r.seen.toLocaleString('en')} of ${r.rows.toLocaleString('en')}${r.lost ? `: ${r.lost} NEVER SEEN within ${r.options.drainSec} s after the writer stopped` : ''}`,
    `  of which inserted → in Kafka (the record's CreateTime, our source's share): p50 ${r.insertToKafkaMs.p50} ms, p99 ${r.insertToKafkaMs.p99} ms, max ${r.insertToKafkaMs.max} ms (${r.insertToKafkaMs.rows.toLocaleString('en')} rows)`,
    `  per 10 s (p50/p99 ms): ${r.slices.map((s) => `${s.p50}/${s.p99}`).join('  ')}`,
    `worker: ${r.worker.cpuSec} CPU s (${r.worker.cpuUsPerRow} µs/row), RSS ${r.worker.idleRssMiB} MiB warm → peak ${r.worker.peakRssMiB} MiB; load ${r.loadBefore.join('/')} → ${r.loadAfter.join('/')}`,
    `target p99 <= poll.interval.ms + 1 s = ${r.target.p99MaxMs} ms: ${r.target.met ? 'MET' : 'MISSED'}`,
    `results: ${r.file}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

benchMain(import.meta.url, 'latency', { parse: parseArgs, run: runLatency, print: printReport, cleanup: cleanupLeftovers, log });
