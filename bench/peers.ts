// One peer alone on one job, to try it (the benchmarks run the peers beside ours: bench/source-jdbc.ts,
// bench/sink-es.ts, and bench/sink-jdbc.ts at merge). Prepares the job's data like the benchmark does, runs the
// peer, times it from its go until the last record is visible, prints rows/s, peak RSS and CPU, cleans up.
//
//   npx tsx bench/peers.ts --job source-jdbc|sink-es|sink-jdbc --engine benthos|connect [--rows 100000]
//        [--tasks 1] [--partitions 4] [--set KEY=VALUE ...] [--keep] [--install]
//
// --install only installs (Benthos's build, Kafka Connect with the Debezium plugins) and prints where.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as EsClient } from '@elastic/elasticsearch';
import { Kafka, logLevel, type Admin, type Message } from 'kafkajs';
import mysql from 'mysql2/promise';
import { JsonConverter } from '../src/converters/json-converter.js';
import { Schemas, Struct } from '../src/records/schema.js';
import { fileStamp, measureProcess, mib, round, sleep, stackEnv } from './lib/common.js';
import { ensureBenthos, ensureConnect, parsePeers, startPeer, type PeerJob } from './lib/peers.js';
import { loadTable } from './source-jdbc.js';
import { createIndex, messageValue } from './sink-es.js';
import { loadTopic } from './lib/kafka-topics.js';

const log = (s: string) => process.stderr.write(s + '\n');

interface Options { job: PeerJob; engine: 'benthos' | 'connect'; rows: number; tasks: number; partitions: number; set: Record<string, string>; keep: boolean; install: boolean }

function parse(argv: string[]): Options {
  const o: Options = { job: 'source-jdbc', engine: 'benthos', rows: 100_000, tasks: 1, partitions: 4, set: {}, keep: false, install: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => { const x = argv[++i]; if (x === undefined) throw new Error(`${a} needs a value`); return x; };
    switch (a) {
      case '--job': { const j = v(); if (!['source-jdbc', 'sink-es', 'sink-jdbc'].includes(j)) throw new Error('--job takes source-jdbc, sink-es or sink-jdbc'); o.job = j as PeerJob; break; }
      case '--engine': { const e = parsePeers(v()); if (e.length !== 1) throw new Error('--engine takes one of benthos, connect'); o.engine = e[0]; break; }
      case '--rows': case '--records': case '--messages': o.rows = Number(v().replace(/_/g, '')); break;
      case '--tasks': o.tasks = Number(v()); break;
      case '--partitions': o.partitions = Number(v()); break;
      case '--set': { const s = v(), eq = s.indexOf('='); if (eq <= 0) throw new Error('--set takes KEY=VALUE'); o.set[s.slice(0, eq)] = s.slice(eq + 1); break; }
      case '--keep': o.keep = true; break;
      case '--install': o.install = true; break;
      case '--help': case '-h':
        process.stdout.write('usage: npx tsx bench/peers.ts --job source-jdbc|sink-es|sink-jdbc --engine benthos|connect [--rows N] [--tasks T] [--partitions P] [--set KEY=VALUE]... [--keep] [--install]\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown flag ${a}`);
    }
  }
  if (!Number.isInteger(o.rows) || o.rows < 1) throw new Error('--rows needs a positive integer');
  return o;
}

// sink-jdbc's records: the contract bench/peers/benthos/sink-jdbc.yaml reads (JsonConverter envelopes with
// schemas, key {"id":N}); bench/sink-jdbc.ts produces the same.
const KEY = Schemas.struct([['id', Schemas.int32()]], { name: 'bench.Key' });
const VALUE = Schemas.struct([
  ['id', Schemas.int32()], ['customer_id', Schemas.int32()], ['amount', Schemas.float64()], ['status', Schemas.string()],
  ['note', Schemas.string({ optional: true })], ['updated_at', Schemas.timestamp()],
], { name: 'bench.Order' });
export const SINK_JDBC_DDL = '(`id` INT NOT NULL, `customer_id` INT NOT NULL, `amount` DOUBLE NOT NULL, `status` TEXT NOT NULL, `note` TEXT NULL, `updated_at` DATETIME(3) NOT NULL, PRIMARY KEY(`id`))';

async function loadJdbcTopic(kafka: Kafka, admin: Admin, topic: string, n: number, partitions: number): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  const kc = new JsonConverter(); kc.configure({}, true);
  const vc = new JsonConverter(); vc.configure({}, false);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let from = 1; from <= n; from += 2000) {
      const messages: Message[] = [];
      for (let s = from; s < Math.min(n + 1, from + 2000); s++) {
        const value = new Struct(VALUE).put('id', s).put('customer_id', (s * 7919) % 100_000).put('amount', (s % 1_000_000) / 100)
          .put('status', ['NEW', 'PAID', 'SHIPPED', 'CANCELLED'][s % 4]).put('note', s % 50 === 0 ? null : `note for order ${s}`)
          .put('updated_at', new Date(Date.UTC(2024, 0, 1) + s * 1000));
        messages.push({ partition: s % partitions, key: kc.fromConnectData(topic, KEY, new Struct(KEY).put('id', s)), value: vc.fromConnectData(topic, VALUE, value) });
      }
      await producer.sendBatch({ acks: 1, topicMessages: [{ topic, messages }] });
    }
  } finally {
    await producer.disconnect();
  }
}

async function main(o: Options): Promise<void> {
  if (o.install) {
    log(`Benthos: ${ensureBenthos(log)}`);
    const c = ensureConnect(log);
    log(`Kafka Connect: ${c.libs}; plugins: ${c.pluginPath}`);
    return;
  }
  const env = stackEnv();
  const tag = Date.now().toString(36);
  const logDir = path.join(os.tmpdir(), `tconnect-bench-peers-${fileStamp()}`);
  mkdirSync(logDir, { recursive: true });
  const kafka = new Kafka({ clientId: 'bench-peers', brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const db = await mysql.createConnection({ host: env.MYSQL_HOST, port: Number(env.MYSQL_PORT), user: env.MYSQL_USER, password: env.MYSQL_PASSWORD, database: env.MYSQL_DATABASE });
  const es = new EsClient({ node: env.ELASTICSEARCH_URL });
  const topics: string[] = [];
  let table: string | undefined, index: string | undefined;
  try {
    const name = `bench-peer-${o.job}-${o.engine}-${tag}`;
    let topic: string;
    if (o.job === 'source-jdbc') {
      table = `bench_src_peer${tag}`;
      topic = `bench-peer.${table}`;
      await loadTable(db, table, o.rows);
    } else {
      topic = `bench-peer-${o.job}-${tag}`;
      topics.push(topic);
      if (o.job === 'sink-es') {
        await loadTopic(kafka, admin, topic, o.rows, o.partitions, 3000, (seq) => ({ value: messageValue(seq) }));
        index = topic;
        await createIndex(es, index);
      } else {
        await loadJdbcTopic(kafka, admin, topic, o.rows, o.partitions);
        table = `bench_jdbc_peer${tag}`;
        // The same table for every engine: Benthos's sql_insert needs it; Debezium's sink would create it
        // (schema.evolution=basic), but with tasks.max > 1 its tasks race on CREATE TABLE and retry.
        await db.query(`CREATE TABLE \`${table}\` ${SINK_JDBC_DDL}`);
      }
    }
    log(`${o.job}: ${o.rows.toLocaleString('en')} records ready; starting ${o.engine} (logs in ${logDir})`);
    const p = await startPeer(o.engine, o.job, { env, name, logDir, table, topic, index, tasks: o.tasks, set: o.set });
    if (o.job === 'source-jdbc') topics.push(p.target);
    const count = async (): Promise<number> => {
      if (o.job === 'source-jdbc') return (await admin.fetchTopicOffsets(p.target).catch(() => [])).reduce((n, x) => n + Number(x.high) - Number(x.low), 0);
      if (o.job === 'sink-es') { try { await es.indices.refresh({ index: p.target }); return (await es.count({ index: p.target })).count; } catch { return 0; } }
      try { const [[r]] = (await db.query(`SELECT COUNT(*) AS n FROM \`${p.target}\``)) as unknown as [[{ n: number }]]; return Number(r.n); } catch { return 0; }
    };
    const m = measureProcess(p.pid, 1536 * 1024 * 1024, {});
    const t0 = Date.now();
    await p.go();
    let c = 0;
    for (let last = t0; (c = await count()) < o.rows;) {
      if (!p.alive()) throw new Error(`${p.side} died with ${c} of ${o.rows} (log ${p.logFile})`);
      if (Date.now() - t0 > Math.max(300_000, o.rows * 2)) throw new Error(`${p.side}: ${c} of ${o.rows} after ${Date.now() - t0} ms (log ${p.logFile})`);
      if (Date.now() - last > 10_000) { last = Date.now(); log(`  ${c.toLocaleString('en')} / ${o.rows.toLocaleString('en')} after ${round((last - t0) / 1000, 1)} s`); }
      await sleep(200);
    }
    const ms = Date.now() - t0;
    const { cpuSec: cpu, peakRss: peak, hwm } = m.finish();
    const detail = await p.stop();
    log(`  stopped: ${JSON.stringify(detail).slice(0, 600)}`);
    process.stdout.write(`${p.side} ${o.job}: ${c.toLocaleString('en')} records in ${round(ms / 1000, 1)} s = ${Math.round(o.rows / (ms / 1000)).toLocaleString('en')}/s; `
      + `peak RSS ${mib(peak)} MiB (HWM ${hwm ? mib(hwm) : '-'}), idle ${p.idleRssBytes === null ? '-' : mib(p.idleRssBytes)} MiB; CPU ${round(cpu, 1)} s = ${round((cpu / o.rows) * 1e6, 1)} us/record; load ${os.loadavg().map((x) => round(x, 1)).join(' ')}\n`);
  } finally {
    if (!o.keep) {
      if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 }).catch(() => undefined);
      if (table) await db.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => undefined);
      if (index) await es.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
    }
    await admin.disconnect();
    await db.end();
    await es.close();
  }
}

main(parse(process.argv.slice(2))).then(() => process.exit(0), (e: unknown) => {
  log(`peers: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  process.exit(1);
});
