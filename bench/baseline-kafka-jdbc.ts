// The plain-script baseline of bench/sink-jdbc.ts: the same move (a Kafka topic of JsonConverter
// envelopes -> a MariaDB table) with a kafkajs consumer and mysql2, no Temporal, as a practical limit.
//
// - One kafkajs consumer in a group of its own, fromBeginning, all partitions of the topic,
//   `eachBatch` with `partitionsConsumedConcurrently` = `concurrency` (default 4: one writer per
//   partition, like Benthos' max_in_flight 4); offsets auto-committed.
// - Each message's key and value are parsed with JSON.parse (the envelopes' `payload`), the
//   Timestamp (epoch ms) written as 'YYYY-MM-DD hh:mm:ss.mmm' UTC text for the DATETIME(3) column,
//   as the connector and Benthos do.
// - One multi-row `INSERT INTO t (id, customer_id, amount, status, note, updated_at) VALUES (...),...`
//   per `batchSize` messages (default 3000, the JDBC sink's batch.size), through a mysql2 pool of
//   `concurrency` connections, autocommit. No per-record error handling: a practical upper limit.
//
// Run by the bench as a child process: it connects, prints {"ready":true}, waits for "go" on
// stdin, moves the messages, prints {"done":true,...} and waits for "exit". Options: one JSON argument.
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import { stdinWords } from './lib/common.js';

export interface BaselineKafkaJdbcOptions {
  brokers: string[];
  topic: string;
  groupId: string;
  mysql: { host: string; port: number; user: string; password: string; database: string };
  table: string;
  /** Messages to move; done after this many rows were inserted. */
  expect: number;
  batchSize?: number;
  concurrency?: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as BaselineKafkaJdbcOptions;
const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');

const p2 = (n: number) => (n < 10 ? '0' : '') + n;
const p3 = (n: number) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;
function utcText(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${p3(d.getUTCMilliseconds())}`;
}

interface Payload { customer_id: number; amount: number; status: string; note: string | null; updated_at: number }

async function main(): Promise<void> {
  const concurrency = opts.concurrency ?? 4;
  const batchSize = opts.batchSize ?? 3000;
  const pool = mysql.createPool({ ...opts.mysql, connectionLimit: concurrency, timezone: 'Z' });
  // Every connection opened before the go.
  const conns = await Promise.all(Array.from({ length: concurrency }, () => pool.getConnection()));
  for (const c of conns) c.release();
  const kafka = new Kafka({ clientId: 'bench-baseline-jdbc', brokers: opts.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: opts.groupId, allowAutoTopicCreation: false, maxBytes: 32 * 1024 * 1024, maxBytesPerPartition: 4 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics: [opts.topic], fromBeginning: true });
  const waitFor = stdinWords();
  out({ ready: true });
  await waitFor('go');
  const t0 = Date.now();

  const prefix = `INSERT INTO \`${opts.table}\` (id,customer_id,amount,status,note,updated_at) VALUES `;
  let inserted = 0;
  let statements = 0;
  let convertMs = 0;
  let insertMs = 0;
  let resolveDone!: () => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => { resolveDone = res; rejectDone = rej; });

  await consumer.run({
    autoCommit: true,
    partitionsConsumedConcurrently: concurrency,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      try {
        const msgs = batch.messages;
        for (let from = 0; from < msgs.length; from += batchSize) {
          const c0 = Date.now();
          const part = msgs.slice(from, from + batchSize);
          const params: unknown[] = [];
          for (const m of part) {
            const key = JSON.parse(m.key!.toString('utf8')) as { payload: { id: number } };
            const v = (JSON.parse(m.value!.toString('utf8')) as { payload: Payload }).payload;
            params.push(key.payload.id, v.customer_id, v.amount, v.status, v.note, utcText(v.updated_at));
          }
          const sql = prefix + new Array(part.length).fill('(?,?,?,?,?,?)').join(',');
          const i0 = Date.now();
          convertMs += i0 - c0;
          await pool.query(sql, params);
          insertMs += Date.now() - i0;
          statements++;
          resolveOffset(part[part.length - 1].offset);
          await heartbeat();
          inserted += part.length;
        }
        if (inserted >= opts.expect) resolveDone();
      } catch (e) {
        rejectDone(e);
        throw e;
      }
    },
  });
  await done;
  out({ done: true, ms: Date.now() - t0, inserted, statements, convertMs, insertMs, concurrency, batchSize });
  await waitFor('exit');
  await consumer.disconnect().catch(() => undefined);
  await pool.end().catch(() => undefined);
}

main().then(
  () => process.exit(0),
  (e) => { out({ error: e instanceof Error ? e.message : String(e) }); process.exit(1); },
);
