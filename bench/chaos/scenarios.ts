// The chaos scenarios. Each drives real servers and real worker processes and returns one row of
// the table. Servers that a scenario faults are private instances (own ports, own run directory,
// started from the stack's cached binaries by `scripts/stack.sh start-one`), or a TCP proxy in
// front of one process; the shared servers are never restarted, killed or cut.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { Client as ElasticClient } from '@elastic/elasticsearch';
import { REPO_ROOT, stackEnv, uniqueIdent, waitFor, freePort } from '../../test/helpers/stack.js';
import { TcpProxy } from '../../test/helpers/tcp-proxy.js';
import { Progress, WorkerCluster, formatTable, kafkaClient, tallyTopic, topicEnd, type ScenarioResult } from './lib.js';

export { formatTable, type ScenarioResult };

const run = promisify(execFile);

export interface Size {
  rows: number;
  /** Rows per batch (batch.max.rows and temporal.batch.max.records). */
  batch: number;
  /** Faults to inject (kills, restarts). */
  faults: number;
  /**
   * How long an outage lasts at least (ES down, partition), ms from its start. It lasts in any case
   * until the connector has met it (the sink's batches failing; the task moved off the cut worker),
   * so 0 = just that: the outage ends on a state, not after a time.
   */
  outageMs: number;
  /**
   * errors.retry.delay.max.ms of the connectors (default Connect's 60000): the cap of the task's
   * backoff between failed batches, which is what a recovery waits out after the server is back.
   */
  retryDelayMaxMs?: number;
  log?: (line: string) => void;
}

export type Db = mysql.Connection;

export async function db(port = Number(stackEnv().MYSQL_PORT)): Promise<Db> {
  const env = stackEnv();
  return mysql.createConnection({ host: env.MYSQL_HOST, port, user: env.MYSQL_USER, password: env.MYSQL_PASSWORD, database: env.MYSQL_DATABASE });
}

/** A table of `rows` rows, ids 1..rows, loaded with MariaDB's sequence engine. */
export async function loadTable(conn: Db, table: string, rows: number): Promise<void> {
  await conn.query(`CREATE TABLE \`${table}\` (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40) NOT NULL, n INT NOT NULL)`);
  await insertRows(conn, table, 1, rows);
}

/** Rows with ids from..to. */
export async function insertRows(conn: Db, table: string, from: number, to: number): Promise<void> {
  for (let a = from; a <= to; a += 200_000) {
    const b = Math.min(to, a + 199_999);
    await conn.query(`INSERT INTO \`${table}\` (id, v, n) SELECT seq, CONCAT('row-', seq), seq % 1000 FROM seq_${a}_to_${b}`);
  }
}

export function baseProps(extra: Record<string, string> = {}): Record<string, string> {
  const env = stackEnv();
  return { 'bootstrap.servers': env.KAFKA_BOOTSTRAP_SERVERS, 'temporal.address': env.TEMPORAL_ADDRESS, 'temporal.namespace': env.TEMPORAL_NAMESPACE, ...extra };
}

export function sourceConfig(table: string, prefix: string, size: Size, opts: { port?: number; exactlyOnce?: boolean; offsetsTopic?: string } = {}): Record<string, string> {
  const env = stackEnv();
  return {
    'connector.class': 'JdbcSource',
    'connection.url': `jdbc:mysql://${env.MYSQL_HOST}:${opts.port ?? env.MYSQL_PORT}/${env.MYSQL_DATABASE}`,
    'connection.user': env.MYSQL_USER,
    'connection.password': env.MYSQL_PASSWORD,
    mode: 'incrementing',
    'incrementing.column.name': 'id',
    'table.whitelist': table,
    'topic.prefix': prefix,
    'batch.max.rows': String(size.batch),
    'temporal.batch.max.records': String(size.batch),
    'poll.interval.ms': '200',
    'connection.attempts': '1',
    ...(size.retryDelayMaxMs ? { 'errors.retry.delay.max.ms': String(size.retryDelayMaxMs) } : {}),
    ...(opts.offsetsTopic ? { 'offsets.storage.topic': opts.offsetsTopic } : {}),
    ...(opts.exactlyOnce ? { 'exactly.once.support': 'required' } : {}),
  };
}

async function deleteTopics(brokers: string, topics: string[]): Promise<void> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect().catch(() => undefined);
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect().catch(() => undefined);
}

export async function createConnector(cluster: WorkerCluster, name: string, config: Record<string, string>): Promise<void> {
  const created = await cluster.request('POST', '/connectors', { name, config });
  if (created.status !== 201) throw new Error(`create ${name}: ${created.status} ${JSON.stringify(created.body)}`);
}

/** What every scenario leaves behind: its connector, workers, table and topics go. */
async function cleanUp(p: { progress: Progress; cluster: WorkerCluster; name: string; conn?: Db; table?: string; topics?: string[]; via?: string }): Promise<void> {
  p.progress.stop();
  await p.cluster.request('DELETE', `/connectors/${p.name}`, undefined, p.via).catch(() => undefined);
  await p.cluster.stopAll();
  if (p.conn && p.table) await p.conn.query(`DROP TABLE IF EXISTS \`${p.table}\``).catch(() => undefined);
  await p.conn?.end().catch(() => undefined);
  if (p.topics?.length) await deleteTopics(stackEnv().KAFKA_BOOTSTRAP_SERVERS, p.topics);
}

/** The row of a source scenario once every id is in the topic and the connector RUNNING. */
async function finish(scenario: string, faults: number, p: { progress: Progress; cluster: WorkerCluster; name: string; brokers: string; topic: string; rows: number; note?: string }): Promise<ScenarioResult> {
  // The topic holds as many records as rows first (it may not even exist yet when the task's first
  // worker died before producing anything), then every id is looked for.
  await p.progress.waitFor(p.rows, 600_000, 'every row in the topic');
  const tally = await tallyWhenComplete(p.brokers, p.topic, p.rows, 600_000);
  p.progress.stop();
  await p.cluster.waitRunning(p.name);
  return { scenario, faults, ...tally, longestStallMs: p.progress.longestStallMs, recoverMs: p.progress.recoverMs, allRunning: true, note: p.note };
}

/** The worker running the connector's task 0. */
async function taskWorker(cluster: WorkerCluster, name: string): Promise<string> {
  return waitFor(async () => {
    const s = await cluster.status(name).catch(() => undefined);
    const t = s?.tasks[0];
    return t?.state === 'RUNNING' && cluster.members.has(t.worker_id) && cluster.alive().some((m) => m.id === t.worker_id) ? t.worker_id : undefined;
  }, { timeout: 60_000, what: `${name}'s task RUNNING on a live worker`, interval: 200 });
}

/** Waits out what is left of `ms` since `since` (nothing when it has passed). */
async function waitRest(since: number, ms: number): Promise<void> {
  const left = since + ms - Date.now();
  if (left > 0) await new Promise((r) => setTimeout(r, left));
}

/** Waits until the topic holds every id (or throws naming how many are missing). */
async function tallyWhenComplete(brokers: string, topic: string, rows: number, timeout: number) {
  const kafka = kafkaClient(brokers);
  let last = await tallyTopic(kafka, topic, rows);
  const deadline = Date.now() + timeout;
  while (last.lost > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2000));
    last = await tallyTopic(kafka, topic, rows);
  }
  return last;
}

/**
 * MariaDB → Kafka with kill -9 of the worker running the task, `faults` times, each killed worker
 * replaced. With `exactlyOnce`, the workers have exactly.once.source.support=enabled and the
 * connector exactly.once.support=required; the count is what a read_committed consumer sees.
 */
export async function workerKills(size: Size, opts: { exactlyOnce: boolean; workers?: number }): Promise<ScenarioResult> {
  const scenario = `worker kill -9 x${size.faults} (${opts.exactlyOnce ? 'exactly-once' : 'at-least-once'})`;
  const env = stackEnv();
  const id = uniqueIdent(opts.exactlyOnce ? 'chaos_eos' : 'chaos_kill');
  const name = id.replace(/_/g, '-');
  const prefix = 'chaos.';
  const topic = `${prefix}${id}`;
  const offsetsTopic = `chaos-offsets-${id}`;
  const conn = await db();
  const cluster = new WorkerCluster({
    taskQueue: `chaos-${id}`,
    props: baseProps(opts.exactlyOnce ? { 'exactly.once.source.support': 'enabled' } : {}),
  });
  const kafka = kafkaClient();
  const progress = new Progress(() => topicEnd(kafka, topic), size.rows);
  try {
    await loadTable(conn, id, size.rows);
    await Promise.all(Array.from({ length: opts.workers ?? 2 }, () => cluster.add()));
    await createConnector(cluster, name, sourceConfig(id, prefix, size, { exactlyOnce: opts.exactlyOnce, offsetsTopic }));
    progress.start();
    let replacement: Promise<unknown> = Promise.resolve();
    for (let i = 1; i <= size.faults; i++) {
      await progress.waitFor(Math.floor((size.rows * i) / (size.faults + 1)), 600_000, `kill ${i}`);
      // Never kill the last worker: the previous replacement has joined first.
      await replacement;
      const victim = await taskWorker(cluster, name);
      await cluster.kill(victim);
      await progress.fault();
      size.log?.(`${scenario}: killed ${victim} at ${progress.current} records`);
      // The replacement joins while the survivors take the task over.
      replacement = cluster.add();
    }
    await replacement;
    return await finish(scenario, size.faults, { progress, cluster, name, brokers: env.KAFKA_BOOTSTRAP_SERVERS, topic, rows: size.rows });
  } finally {
    await cleanUp({ progress, cluster, name, conn, table: id, topics: [topic, offsetsTopic] });
  }
}

/**
 * A private instance of one core server, or of the three-broker kafka3, on its own ports and run
 * directory (scripts/stack.sh start-one/stop-one; kill-one and start-one for one of kafka3's brokers).
 */
export class PrivateServer {
  readonly runDir: string;

  constructor(readonly service: 'kafka' | 'mariadb' | 'temporal' | 'elasticsearch' | 'kafka3', readonly env: Record<string, string>) {
    this.runDir = path.join(os.tmpdir(), `tconnect-chaos-${service}-${process.pid}-${Date.now().toString(36)}`);
  }

  /** scripts/stack.sh VERB NAME (this server, or one of its members: kafka3-2) on this instance. */
  async stack(verb: string, name: string = this.service): Promise<void> {
    await run('bash', [path.join(REPO_ROOT, 'scripts/stack.sh'), verb, name], {
      env: { ...process.env, ...this.env, TC_STACK_RUN: this.runDir },
      timeout: 300_000,
    });
  }

  start(): Promise<void> {
    return this.stack('start-one');
  }

  /** Stops it by pid (SIGTERM, then SIGKILL after 30 s), data kept. */
  stop(): Promise<void> {
    return this.stack('stop-one');
  }

  async remove(): Promise<void> {
    await this.stop().catch(() => undefined);
    await rm(this.runDir, { recursive: true, force: true });
  }
}

/**
 * MariaDB → a private Kafka broker, restarted `faults` times mid-stream (stopped, started again on
 * its data). Connectors and workers use only the private broker.
 */
export async function kafkaRestarts(size: Size): Promise<ScenarioResult> {
  const scenario = `Kafka broker restarted x${size.faults}`;
  const port = await freePort();
  const controller = await freePort();
  const broker = new PrivateServer('kafka', { KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controller), KAFKA_HEAP: '-Xms256m -Xmx512m' });
  const brokers = `127.0.0.1:${port}`;
  const id = uniqueIdent('chaos_kafka');
  const name = id.replace(/_/g, '-');
  const topic = `chaos.${id}`;
  const conn = await db();
  const cluster = new WorkerCluster({ taskQueue: `chaos-${id}`, props: baseProps({ 'bootstrap.servers': brokers }) });
  const kafka = kafkaClient(brokers);
  const progress = new Progress(() => topicEnd(kafka, topic), size.rows);
  try {
    // The broker's start overlaps the table's load and the workers' (which reach Kafka only once a
    // connector runs).
    await Promise.all([broker.start(), loadTable(conn, id, size.rows), cluster.add(), cluster.add()]);
    await createConnector(cluster, name, sourceConfig(id, 'chaos.', size));
    progress.start();
    for (let i = 1; i <= size.faults; i++) {
      await progress.waitFor(Math.floor((size.rows * i) / (size.faults + 1)), 600_000, `restart ${i}`);
      await broker.stop();
      size.log?.(`${scenario}: broker stopped at ${progress.current} records`);
      await broker.start();
      await progress.fault();
      size.log?.(`${scenario}: broker up again`);
    }
    return await finish(scenario, size.faults, { progress, cluster, name, brokers: brokers, topic, rows: size.rows, note: 'recovery from the broker up again' });
  } finally {
    await cleanUp({ progress, cluster, name, conn, table: id });
    await broker.remove();
  }
}

/**
 * A private MariaDB → Kafka, the database restarted `faults` times mid-stream (stopped by pid,
 * started again on its data directory); after each restart more rows arrive, which the source
 * reads only once it has reconnected.
 */
export async function mariadbRestarts(size: Size): Promise<ScenarioResult> {
  const scenario = `MariaDB restarted x${size.faults}`;
  const env = stackEnv();
  const port = await freePort();
  const server = new PrivateServer('mariadb', { MYSQL_PORT: String(port) });
  const id = uniqueIdent('chaos_db');
  const name = id.replace(/_/g, '-');
  const topic = `chaos.${id}`;
  const cluster = new WorkerCluster({ taskQueue: `chaos-${id}`, props: baseProps() });
  const kafka = kafkaClient();
  const progress = new Progress(() => topicEnd(kafka, topic), size.rows);
  let conn: Db | undefined;
  try {
    // Rows arrive in parts, each after a restart: the source must reconnect to read them. The
    // workers start while the database does (they reach it only once the connector runs).
    const part = Math.ceil(size.rows / (size.faults + 1));
    const workers = Promise.all([cluster.add(), cluster.add()]);
    workers.catch(() => undefined);
    await server.start();
    conn = await db(port);
    await loadTable(conn, id, part);
    await conn.end();
    conn = undefined;
    await workers;
    await createConnector(cluster, name, sourceConfig(id, 'chaos.', size, { port }));
    progress.start();
    for (let i = 1; i <= size.faults; i++) {
      await progress.waitFor(part * i, 600_000, `restart ${i}`);
      await server.stop();
      size.log?.(`${scenario}: database stopped at ${progress.current} records`);
      await server.start();
      await progress.fault();
      const c = await db(port);
      await insertRows(c, id, part * i + 1, Math.min(size.rows, part * (i + 1)));
      await c.end();
    }
    return await finish(scenario, size.faults, { progress, cluster, name, brokers: env.KAFKA_BOOTSTRAP_SERVERS, topic, rows: size.rows });
  } finally {
    await cleanUp({ progress, cluster, name, conn, topics: [topic] });
    await server.remove();
  }
}

/**
 * Kafka → a private Elasticsearch, which is stopped for `outageMs` mid-stream and started again
 * on its data. Out = documents in the index (ids are the rows' ids: duplicates overwrite).
 */
export async function elasticsearchDown(size: Size): Promise<ScenarioResult> {
  const scenario = size.outageMs > 0 ? `Elasticsearch down ${Math.round(size.outageMs / 1000)} s` : 'Elasticsearch down until the sink fails';
  const port = await freePort();
  const server = new PrivateServer('elasticsearch', { ELASTICSEARCH_PORT: String(port), ES_HEAP: '-Xms384m -Xmx384m' });
  const id = uniqueIdent('chaos_es');
  const name = id.replace(/_/g, '-');
  const topic = `chaos-es-${id}`;
  const cluster = new WorkerCluster({ taskQueue: `chaos-${id}`, props: baseProps() });
  const es = new ElasticClient({ node: `http://127.0.0.1:${port}` });
  const count = async () => {
    const r = await es.count({ index: topic }).catch(() => undefined);
    return r?.count ?? -1;
  };
  const progress = new Progress(async () => Math.max(0, await count()), size.rows, 500);
  const kafka = kafkaClient();
  try {
    await server.start();
    // The records are in Kafka before the sink starts: ids 1..rows as keys, schemaless JSON values.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let from = 1; from <= size.rows; from += 5000) {
      const messages = Array.from({ length: Math.min(5000, size.rows - from + 1) }, (_, i) => ({ key: String(from + i), value: JSON.stringify({ id: from + i, v: `row-${from + i}` }) }));
      await producer.send({ topic, messages });
    }
    await producer.disconnect();
    await Promise.all([cluster.add(), cluster.add()]);
    const created = await cluster.request('POST', '/connectors', {
      name,
      config: {
        'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
        'connection.url': `http://127.0.0.1:${port}`,
        topics: topic,
        'key.ignore': 'false',
        'schema.ignore': 'true',
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
        'batch.size': String(Math.min(size.batch, 2000)),
        'temporal.batch.max.records': String(size.batch),
        ...(size.retryDelayMaxMs ? { 'errors.retry.delay.max.ms': String(size.retryDelayMaxMs) } : {}),
      },
    });
    if (created.status !== 201) throw new Error(`create ${name}: ${created.status} ${JSON.stringify(created.body)}`);
    progress.start();
    await progress.waitFor(Math.floor(size.rows / 3), 600_000, 'ES outage');
    const traceBefore = (await cluster.status(name)).tasks[0]?.trace;
    await server.stop();
    const downAt = Date.now();
    size.log?.(`${scenario}: Elasticsearch stopped at ${progress.current} documents`);
    // Down until the sink has met the outage (a failed batch: the task RUNNING with the error as its
    // trace, as Kafka Connect's retrying task, a trace it did not show before) and for at least outageMs.
    await waitFor(async () => {
      const trace = (await cluster.status(name).catch(() => undefined))?.tasks[0]?.trace;
      return trace !== undefined && trace !== traceBefore;
    }, { timeout: 120_000, interval: 250, what: `${name}'s batches failing on Elasticsearch down` });
    await waitRest(downAt, size.outageMs);
    size.log?.(`${scenario}: the sink's batches failing ${Date.now() - downAt} ms after the stop; starting Elasticsearch`);
    await server.start();
    await progress.fault();
    await waitFor(async () => (await es.indices.refresh({ index: topic }).catch(() => undefined), (await count()) >= size.rows), { timeout: 600_000, interval: 1000, what: `${size.rows} documents` });
    progress.stop();
    const out = await count();
    await cluster.waitRunning(name);
    // Documents are keyed by id: the index holds each id once, whatever was written twice.
    return { scenario, faults: 1, in: size.rows, out, lost: size.rows - out, duplicated: 0, longestStallMs: progress.longestStallMs, recoverMs: progress.recoverMs, allRunning: true, note: 'duplicates overwrite (document id = key)' };
  } finally {
    await cleanUp({ progress, cluster, name, topics: [topic] });
    await es.close();
    await server.remove();
  }
}

/**
 * MariaDB → Kafka with the workers on a private Temporal dev server that is killed (kill -9) and
 * started again on its SQLite file mid-stream.
 */
export async function temporalRestart(size: Size): Promise<ScenarioResult> {
  const scenario = 'Temporal dev server killed and restarted';
  const env = stackEnv();
  const port = await freePort();
  const ui = await freePort();
  const server = new PrivateServer('temporal', { TEMPORAL_PORT: String(port), TEMPORAL_UI_PORT: String(ui) });
  const id = uniqueIdent('chaos_tmp');
  const name = id.replace(/_/g, '-');
  const topic = `chaos.${id}`;
  const conn = await db();
  const cluster = new WorkerCluster({ taskQueue: `chaos-${id}`, props: baseProps({ 'temporal.address': `127.0.0.1:${port}`, 'temporal.namespace': 'default' }) });
  const kafka = kafkaClient();
  const progress = new Progress(() => topicEnd(kafka, topic), size.rows);
  try {
    await Promise.all([server.start(), loadTable(conn, id, size.rows)]);
    await Promise.all([cluster.add(), cluster.add()]);
    await createConnector(cluster, name, sourceConfig(id, 'chaos.', size));
    progress.start();
    for (let i = 1; i <= size.faults; i++) {
      await progress.waitFor(Math.floor((size.rows * i) / (size.faults + 1)), 600_000, `Temporal kill ${i}`);
      await killByPidFile(path.join(server.runDir, 'temporal/temporal.pid'));
      size.log?.(`${scenario}: Temporal killed at ${progress.current} records`);
      await server.start();
      await progress.fault();
    }
    return await finish(scenario, size.faults, { progress, cluster, name, brokers: env.KAFKA_BOOTSTRAP_SERVERS, topic, rows: size.rows });
  } finally {
    await cleanUp({ progress, cluster, name, conn, table: id, topics: [topic] });
    await server.remove();
  }
}

/** kill -9 of the process a pid file names (and its process group), waiting until it is gone. */
async function killByPidFile(file: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const pid = Number((await readFile(file, 'utf8')).trim());
  if (!pid) throw new Error(`no pid in ${file}`);
  try { process.kill(-pid, 'SIGKILL'); } catch { /* not a group leader */ }
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  await waitFor(() => { try { process.kill(pid, 0); return false; } catch { return true; } }, { timeout: 30_000, what: `pid ${pid} gone` });
}

/**
 * MariaDB → Kafka where the worker running the task reaches Temporal through a TCP proxy that is
 * cut for `outageMs` (a network partition of that worker: it still reaches Kafka and MariaDB).
 * The task moves to the other worker; the cut-off one is a zombie until the proxy is back.
 */
export async function workerPartition(size: Size, opts: { exactlyOnce?: boolean } = {}): Promise<ScenarioResult> {
  const scenario = `partition of one worker from Temporal ${size.outageMs > 0 ? `${Math.round(size.outageMs / 1000)} s` : 'until the task moved'}${opts.exactlyOnce ? ' (exactly-once)' : ''}`;
  const env = stackEnv();
  const [host, port] = env.TEMPORAL_ADDRESS.split(':');
  const proxy = new TcpProxy(host, Number(port));
  const id = uniqueIdent('chaos_part');
  const name = id.replace(/_/g, '-');
  const topic = `chaos.${id}`;
  const conn = await db();
  const cluster = new WorkerCluster({ taskQueue: `chaos-${id}`, props: baseProps(opts.exactlyOnce ? { 'exactly.once.source.support': 'enabled' } : {}) });
  const kafka = kafkaClient();
  const progress = new Progress(() => topicEnd(kafka, topic), size.rows);
  let direct: string | undefined;
  try {
    await proxy.start();
    await loadTable(conn, id, size.rows);
    // The first worker alone, through the proxy, so it takes the task; then a direct one.
    const cut = await cluster.add({}, { 'temporal.address': `127.0.0.1:${proxy.port}` });
    await createConnector(cluster, name, sourceConfig(id, 'chaos.', size, { exactlyOnce: opts.exactlyOnce, offsetsTopic: `chaos-offsets-${id}` }));
    direct = (await cluster.add()).id;
    progress.start();
    await progress.waitFor(Math.floor(size.rows / 3), 600_000, 'partition');
    const holder = await taskWorker(cluster, name);
    await proxy.cut();
    const cutAt = Date.now();
    await progress.fault();
    const atCut = progress.current;
    size.log?.(`${scenario}: cut ${cut.id} (task on ${holder}) at ${atCut} records`);
    // The partition lasts until the task runs on the other worker and records flow again (the cut
    // one is then a zombie, fenced when it comes back), and for at least outageMs. The status is
    // asked of the worker that still reaches Temporal.
    await waitFor(async () => {
      const t = (await cluster.status(name, direct).catch(() => undefined))?.tasks[0];
      return t?.state === 'RUNNING' && t.worker_id !== cut.id && progress.current > atCut;
    }, { timeout: 600_000, interval: 250, what: `${name}'s task RUNNING off the cut worker ${cut.id} and records flowing` });
    await waitRest(cutAt, size.outageMs);
    size.log?.(`${scenario}: task moved, records flowing ${Date.now() - cutAt} ms after the cut; the proxy back`);
    await proxy.start();
    return await finish(scenario, 1, { progress, cluster, name, brokers: env.KAFKA_BOOTSTRAP_SERVERS, topic, rows: size.rows, note: `task was on ${holder === cut.id ? 'the cut worker' : 'the other worker'}` });
  } finally {
    await proxy.cut().catch(() => undefined);
    // The connector is deleted through the worker that was never cut off (the other one may still
    // be reconnecting to Temporal).
    await cleanUp({ progress, cluster, name, conn, table: id, topics: [topic, `chaos-offsets-${id}`], via: direct });
  }
}

/**
 * MariaDB → Kafka with wide rows, the task on a worker whose heap is small (--max-old-space-size)
 * so it dies of out-of-memory mid-batch; a worker with a normal heap takes over.
 */
export async function workerOutOfMemory(size: Size, opts: { heapMb?: number } = {}): Promise<ScenarioResult> {
  const scenario = `worker out of memory (--max-old-space-size=${opts.heapMb ?? 160})`;
  const env = stackEnv();
  const id = uniqueIdent('chaos_oom');
  const name = id.replace(/_/g, '-');
  const topic = `chaos.${id}`;
  const conn = await db();
  const cluster = new WorkerCluster({ taskQueue: `chaos-${id}`, props: baseProps() });
  const kafka = kafkaClient();
  const progress = new Progress(() => topicEnd(kafka, topic), size.rows);
  try {
    // 32 KB a row: a poll of 2,000 rows is 64 MB of text, several times that while it is converted and produced.
    // The small worker starts while the rows load.
    const starting = cluster.add({ NODE_OPTIONS: `--max-old-space-size=${opts.heapMb ?? 160}` });
    starting.catch(() => undefined);
    await conn.query(`CREATE TABLE \`${id}\` (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40) NOT NULL, n INT NOT NULL, wide MEDIUMTEXT NOT NULL)`);
    for (let from = 1; from <= size.rows; from += 1000) {
      const to = Math.min(size.rows, from + 999);
      await conn.query(`INSERT INTO \`${id}\` (id, v, n, wide) SELECT seq, CONCAT('row-', seq), seq % 1000, REPEAT(MD5(seq), 1024) FROM seq_${from}_to_${to}`);
    }
    const small = await starting;
    const config = { ...sourceConfig(id, 'chaos.', size), 'batch.max.rows': '2000', 'temporal.batch.max.records': '20000', 'temporal.batch.max.ms': '60000' };
    await createConnector(cluster, name, config);
    progress.start();
    // The small worker holds the task (it was the only worker when the connector started); it dies
    // of OOM on the first large batch. The worker that takes over starts once the task is on the
    // small one (a task stays on its worker while that one lives), so its start overlaps the batch.
    const smallGone = () => small.proc.child.exitCode !== null || small.proc.child.signalCode !== null;
    const replacement = waitFor(async () => smallGone() || (await cluster.status(name).catch(() => undefined))?.tasks[0]?.worker_id === small.id, { timeout: 120_000, interval: 200, what: `${name}'s task on the small worker ${small.id}` })
      .then(() => cluster.add());
    replacement.catch(() => undefined);
    const exit = await Promise.race([small.proc.exited.then((c) => `exited ${c ?? small.proc.child.signalCode}`), new Promise<string>((r) => setTimeout(() => r('alive'), 120_000))]);
    await progress.fault();
    size.log?.(`${scenario}: small worker ${exit}: ${/heap out of memory|Allocation failed/i.test(small.proc.output()) ? 'JavaScript heap out of memory' : 'no OOM message'}`);
    await replacement;
    return await finish(scenario, exit === 'alive' ? 0 : 1, { progress, cluster, name, brokers: env.KAFKA_BOOTSTRAP_SERVERS, topic, rows: size.rows, note: exit });
  } finally {
    await cleanUp({ progress, cluster, name, conn, table: id, topics: [topic] });
  }
}
