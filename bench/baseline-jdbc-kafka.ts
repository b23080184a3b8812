// The plain-script baseline of bench/source-jdbc.ts: the same move (MariaDB table -> Kafka topic,
// Connect's JSON envelope) with mysql2 + kafkajs and no Temporal, as a practical limit.
//
// - Keyset pagination in id order: SELECT * FROM t WHERE id > ? ORDER BY id ASC LIMIT <page>
//   (the connector's incrementing query plus a LIMIT).
// - Rows become Connect Structs with the connector's own column mapping and are serialized with
//   our JsonConverter, so the bytes are the same as the connector's (the bench compares them).
// - Produced with acks=all on an idempotent producer (one request in flight, as kafkajs needs for
//   ordering), in sendBatch calls as large as the broker takes (message.max.bytes, default 1 MiB).
// - Pipelined: the next page is being read while the current one is produced.
//
// Run by the bench as a child process: it connects, prints {"ready":true}, waits for "go" on stdin,
// does the move, prints {"done":true,...} and exits. Options come as one JSON argument.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mysql from 'mysql2';
import { Kafka, logLevel, CompressionTypes, type Message } from 'kafkajs';
import type { Schema } from '../src/records/schema.js';
import type { ColumnMapping } from '../src/connectors/jdbc-source/types.js';

export interface BaselineOptions {
  mysql: { host: string; port: number; user: string; password: string; database: string };
  brokers: string[];
  table: string;
  topic: string;
  /** Rows per SELECT. */
  pageRows: number;
  /** Upper bound of one sendBatch call's payload (key + value bytes). */
  maxRequestBytes: number;
  /** Tree whose converter and column mapping are used (default: this repository), as the bench's --code-root. */
  codeRoot?: string;
  /** The connector's key.converter* / value.converter* settings (the bench's --set), so both sides write the same bytes. */
  converterConfig?: Record<string, string>;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as BaselineOptions;
const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');

type Row = Record<string, unknown>;
type Field = mysql.FieldPacket;

function query(conn: mysql.Connection, sql: string, values: unknown[]): Promise<{ rows: Row[]; fields: Field[] }> {
  return new Promise((resolve, reject) => {
    conn.query({ sql, values }, (e, rows, fields) => (e ? reject(e) : resolve({ rows: rows as Row[], fields: (fields ?? []) as Field[] })));
  });
}

const root = opts.codeRoot ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const load = <T>(rel: string): Promise<T> => import(pathToFileURL(path.join(root, rel)).href) as Promise<T>;

async function main(): Promise<void> {
  const { convertersFromConfig } = await load<typeof import('../src/converters/registry.js')>('src/converters/registry.ts');
  const { Schemas, Struct } = await load<typeof import('../src/records/schema.js')>('src/records/schema.ts');
  const { columnMetaFromField, mapColumn } = await load<typeof import('../src/connectors/jdbc-source/types.js')>('src/connectors/jdbc-source/types.ts');
  // src/connectors/jdbc/time.ts; a --code-root from before the JDBC family has it in jdbc-source/.
  const { UTC } = await load<typeof import('../src/connectors/jdbc/time.js')>('src/connectors/jdbc/time.ts')
    .catch(() => load<typeof import('../src/connectors/jdbc/time.js')>('src/connectors/jdbc-source/time.ts'));

  // The connector's session settings: exact text for DECIMAL/BIGINT/date-times, UTC session.
  const conn = mysql.createConnection({
    ...opts.mysql,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    jsonStrings: true,
  });
  await new Promise<void>((resolve, reject) => conn.connect((e) => (e ? reject(e) : resolve())));
  await query(conn, "SET time_zone = '+00:00'", []);

  const kafka = new Kafka({ clientId: 'bench-baseline', brokers: opts.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
  await producer.connect();
  const conv = convertersFromConfig(opts.converterConfig ?? {}, {});

  const q = (s: string) => '`' + s.replace(/`/g, '``') + '`';
  const sql = `SELECT * FROM ${q(opts.table)} WHERE ${q('id')} > ? ORDER BY ${q('id')} ASC LIMIT ${Number(opts.pageRows)}`;

  // Commands from the bench on stdin: "go" starts the move, "exit" ends the process (after the
  // bench has read its CPU time and memory high-water mark).
  let stdinText = '';
  const waiters: Array<[string, () => void]> = [];
  process.stdin.on('data', (d) => {
    stdinText += d.toString();
    for (const [word, wake] of waiters) if (stdinText.includes(word)) wake();
  });
  process.stdin.on('end', () => { for (const [, wake] of waiters) wake(); });
  const command = (word: string) => new Promise<void>((resolve) => {
    if (stdinText.includes(word)) resolve();
    else waiters.push([word, resolve]);
  });

  out({ ready: true, pid: process.pid });
  await command('go');
  const started = Date.now();
  const cpu0 = process.cpuUsage();

  // As the connector does on its first batch: create the topic with the broker's defaults.
  const existing = await admin.listTopics();
  if (!existing.includes(opts.topic)) {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: opts.topic, numPartitions: -1, replicationFactor: -1 }] })
      .catch((e: Error) => { if (!/already exists/i.test(e.message)) throw e; });
  }

  let schema: Schema | null = null;
  let columns: Array<{ name: string; mapping: ColumnMapping }> = [];
  let rowsRead = 0, produced = 0, requests = 0, pages = 0;
  let readMs = 0, convertMs = 0, sendWaitMs = 0;

  const readPage = async (after: string | number) => {
    const t0 = performance.now();
    const r = await query(conn, sql, [after]);
    readMs += performance.now() - t0;
    return r;
  };

  let after: string | number = -1;
  let next = readPage(after);
  let sending: Promise<void> = Promise.resolve();
  for (;;) {
    const { rows, fields } = await next;
    if (rows.length === 0) break;
    pages++;
    rowsRead += rows.length;
    after = rows[rows.length - 1].id as string | number;
    // Read ahead while this page is converted and produced.
    next = rows.length < opts.pageRows ? Promise.resolve({ rows: [], fields: [] }) : readPage(after);

    const t0 = performance.now();
    if (!schema) {
      columns = [];
      for (const f of fields) {
        const mapping = mapColumn(columnMetaFromField(f), { numericMapping: 'none', zone: UTC });
        if (mapping) columns.push({ name: f.name, mapping });
      }
      schema = Schemas.struct(columns.map((c) => [c.name, c.mapping.schema]), { optional: false, name: opts.table });
    }
    const chunks: Message[][] = [];
    let chunk: Message[] = [];
    let bytes = 0;
    for (const row of rows) {
      const s = new Struct(schema);
      for (const { name, mapping } of columns) {
        const raw = row[name];
        s.put(name, raw === null || raw === undefined ? null : mapping.convert(raw));
      }
      let key = conv.key.fromConnectData(opts.topic, null, null);
      if (key instanceof Promise) key = await key;
      let value = conv.value.fromConnectData(opts.topic, schema, s);
      if (value instanceof Promise) value = await value;
      const size = (value?.length ?? 0) + (key?.length ?? 0) + 70;
      if (bytes + size > opts.maxRequestBytes && chunk.length) {
        chunks.push(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push({ key, value });
      bytes += size;
    }
    if (chunk.length) chunks.push(chunk);
    convertMs += performance.now() - t0;

    // One page's sends follow the previous page's (order kept; kafkajs queues behind one in-flight request).
    const t1 = performance.now();
    await sending;
    sendWaitMs += performance.now() - t1;
    sending = (async () => {
      for (const messages of chunks) {
        await producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: [{ topic: opts.topic, messages }] });
        requests++;
        produced += messages.length;
      }
    })();
    sending.catch(() => undefined);
  }
  await sending;
  const elapsedMs = Date.now() - started;
  const cpu = process.cpuUsage(cpu0);
  out({
    done: true, rows: rowsRead, produced, pages, requests, elapsedMs, cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    readMs: Math.round(readMs), convertMs: Math.round(convertMs), sendWaitMs: Math.round(sendWaitMs),
  });
  await command('exit');
  await producer.disconnect();
  await admin.disconnect();
  await new Promise<void>((resolve) => conn.end(() => resolve()));
}

main().then(
  () => process.exit(0),
  (e) => {
    out({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    process.exit(1);
  },
);
