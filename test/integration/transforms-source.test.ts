import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import type { Client, Connection } from '@temporalio/client';
import type mysql from 'mysql2/promise';
import { kafka, mysqlConnection, temporalClient } from '../helpers/clients.js';
import { Connectors, deleteKafkaResources, jdbcIncrementing } from '../helpers/connectors.js';
import { readTopic, topicSize } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';
import { testWorker } from '../helpers/worker.js';

// Transforms on a JDBC source connector, end to end on the real stack:
// MariaDB → source task workflow → transform chain → converters → Kafka, read back with kafkajs
// (raw key bytes, real Kafka headers) and, for key placement, Kafka's own Java producer.

const env = stackEnv();

describe('transforms on a JDBC source (real MariaDB, Temporal and Kafka)', () => {
  let worker: Awaited<ReturnType<typeof testWorker>>;
  let client: Client;
  let conn: Connection;
  let db: mysql.Connection;
  let connectors: Connectors;
  const tables: string[] = [];
  const topics: string[] = [];

  beforeAll(async () => {
    process.env.TC_TEST_MYSQL_PASSWORD = env.MYSQL_PASSWORD;
    worker = await testWorker();
    ({ client, connection: conn } = await temporalClient());
    connectors = new Connectors(client, worker.taskQueue);
    db = await mysqlConnection();
  });

  afterAll(async () => {
    await connectors?.cancelAll();
    for (const t of tables) await db.query(`DROP TABLE IF EXISTS \`${t}\``).catch(() => undefined);
    await deleteKafkaResources(topics);
    await worker?.shutdown();
    await conn?.close();
    await db?.end();
  });

  /** A table of its own (dropped after the file) with its topic smt.<table> (deleted after the file). */
  async function table(prefix: string, columns: string): Promise<{ table: string; topic: string }> {
    const t = uniqueIdent(prefix);
    await db.query(`CREATE TABLE \`${t}\` (${columns})`);
    tables.push(t);
    topics.push(`smt.${t}`);
    return { table: t, topic: `smt.${t}` };
  }

  function source(name: string, table: string, extra: Record<string, string>) {
    return connectors.start(name, {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
      ...jdbcIncrementing(table, '${env:TC_TEST_MYSQL_PASSWORD}'),
      'topic.prefix': 'smt.',
      'poll.interval.ms': '200',
      'tasks.max': '1',
      ...extra,
    });
  }

  /** Where Kafka's Java producer (kafka-console-producer, built-in murmur2 partitioner) puts each key. */
  async function javaPlacement(keys: string[], partitions: number): Promise<Map<string, number>> {
    const topic = uniqueIdent('smt_java_placement');
    topics.push(topic);
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    await admin.disconnect();
    await new Promise<void>((resolve, reject) => {
      const p = spawn(`${env.KAFKA_BIN}/kafka-console-producer`, [
        '--bootstrap-server', env.KAFKA_BOOTSTRAP_SERVERS, '--topic', topic,
        '--property', 'parse.key=true', '--property', 'key.separator=|',
      ], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => { err += String(d); });
      p.on('error', reject);
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kafka-console-producer exited ${code}: ${err}`))));
      p.stdin.end(keys.map((k) => `${k}|x\n`).join(''));
    });
    const read = await readTopic(topic, keys.length);
    return new Map(read.map((m) => [m.key!, m.partition]));
  }

  it('ValueToKey + ExtractField$Key produce records keyed by the id, as JsonConverter writes an int32 key, placed as Kafka\'s Java producer places them', async () => {
    const { table: t, topic } = await table('smt_keyed', 'id INT AUTO_INCREMENT PRIMARY KEY, item VARCHAR(40) NOT NULL, qty INT NOT NULL');
    const rows = Array.from({ length: 12 }, (_, i) => [`item-${i + 1}`, i]);
    await db.query(`INSERT INTO \`${t}\` (item, qty) VALUES ?`, [rows]);
    const name = `keyed-${t}`;
    await source(name, t, {
      'topic.creation.default.partitions': '3',
      'topic.creation.default.replication.factor': '1',
      transforms: 'createKey,extractId',
      'transforms.createKey.type': 'org.apache.kafka.connect.transforms.ValueToKey',
      'transforms.createKey.fields': 'id',
      'transforms.extractId.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
      'transforms.extractId.field': 'id',
    });

    const msgs = await readTopic(topic, 12);
    const byId = new Map(msgs.map((m) => [JSON.parse(m.value!).payload.id as number, m]));
    expect([...byId.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    for (const [id, m] of byId) {
      // Byte for byte what Kafka Connect's JsonConverter (schemas.enable=true) writes for an int32 key.
      expect(m.key).toBe(`{"schema":{"type":"int32","optional":false},"payload":${id}}`);
    }
    // The value is untouched: the whole row with its schema.
    const first = JSON.parse(byId.get(1)!.value!);
    expect(first.payload).toEqual({ id: 1, item: 'item-1', qty: 0 });
    expect(first.schema.fields.map((f: { field: string }) => f.field)).toEqual(['id', 'item', 'qty']);

    // Keyed records spread over the partitions exactly as the Java producer would spread them.
    const java = await javaPlacement(msgs.map((m) => m.key!), 3);
    expect(new Set(msgs.map((m) => m.partition)).size).toBeGreaterThan(1);
    for (const m of msgs) expect({ key: m.key, partition: m.partition }).toEqual({ key: m.key, partition: java.get(m.key!) });
    await connectors.cancelAndWait(name);
  });

  it('InsertHeader, HeaderFrom (move and copy) and DropHeaders show up as real Kafka headers, and the moved field leaves the value', async () => {
    const { table: t, topic } = await table('smt_headers', 'id INT AUTO_INCREMENT PRIMARY KEY, item VARCHAR(40) NOT NULL, qty INT NOT NULL');
    await db.query(`INSERT INTO \`${t}\` (item, qty) VALUES ('apple', 5), ('pear', 7)`);
    const name = `headers-${t}`;
    await source(name, t, {
      transforms: 'origin,scratch,version,qtyToHeader,itemToHeader,dropScratch',
      'transforms.origin.type': 'org.apache.kafka.connect.transforms.InsertHeader',
      'transforms.origin.header': 'origin',
      'transforms.origin.value.literal': 'mariadb',
      'transforms.scratch.type': 'InsertHeader',
      'transforms.scratch.header': 'scratch',
      'transforms.scratch.value.literal': 'temporary',
      'transforms.version.type': 'InsertHeader',
      'transforms.version.header': 'schema-version',
      'transforms.version.value.literal': '42',
      'transforms.qtyToHeader.type': 'org.apache.kafka.connect.transforms.HeaderFrom$Value',
      'transforms.qtyToHeader.fields': 'qty',
      'transforms.qtyToHeader.headers': 'quantity',
      'transforms.qtyToHeader.operation': 'move',
      'transforms.itemToHeader.type': 'HeaderFrom$Value',
      'transforms.itemToHeader.fields': 'item',
      'transforms.itemToHeader.headers': 'item',
      'transforms.itemToHeader.operation': 'copy',
      'transforms.dropScratch.type': 'org.apache.kafka.connect.transforms.DropHeaders',
      'transforms.dropScratch.headers': 'scratch',
    });

    const msgs = await readTopic(topic, 2);
    // The raw header list of each Kafka record, as SimpleHeaderConverter wrote it.
    expect(msgs.map((m) => m.headers)).toEqual([
      { origin: 'mariadb', 'schema-version': '42', quantity: '5', item: 'apple' },
      { origin: 'mariadb', 'schema-version': '42', quantity: '7', item: 'pear' },
    ]);
    const value = JSON.parse(msgs[0].value!);
    expect(value.schema.fields.map((f: { field: string }) => f.field)).toEqual(['id', 'item']);
    expect(value.payload).toEqual({ id: 1, item: 'apple' });
    await connectors.cancelAndWait(name);
  });

  it('a transform failing on a row: with errors.tolerance=all it is dead-lettered at stage TRANSFORMATION and the rest flows; with none the task FAILS with a trace', async () => {
    const { table: t, topic } = await table('smt_srcfail', 'id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(10) NOT NULL');
    await db.query(`INSERT INTO \`${t}\` (code) VALUES ('7'), ('x'), ('9')`);
    const dlq = `${topic}-dlq`;
    topics.push(dlq);
    const chain = {
      transforms: 'codeToInt',
      'transforms.codeToInt.type': 'org.apache.kafka.connect.transforms.Cast$Value',
      'transforms.codeToInt.spec': 'code:int32',
    };

    const tolerant = `srcfail-all-${t}`;
    await source(tolerant, t, {
      ...chain,
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': dlq,
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    const msgs = await readTopic(topic, 2);
    expect(msgs.map((m) => JSON.parse(m.value!).payload)).toEqual([{ id: 1, code: 7 }, { id: 3, code: 9 }]);
    expect(JSON.parse(msgs[0].value!).schema.fields[1]).toEqual({ type: 'int32', optional: false, field: 'code' });
    const [dead] = await readTopic(dlq, 1);
    expect(JSON.parse(dead.value!)).toEqual({ id: 2, code: 'x' });
    expect(dead.headers['__connect.errors.stage']).toBe('TRANSFORMATION');
    // The failing transform's own class, as the sink side writes it (one DLQ writer for both kinds).
    expect(dead.headers['__connect.errors.class.name']).toBe('org.apache.kafka.connect.transforms.Cast$Value');
    expect(dead.headers['__connect.errors.topic']).toBe(topic);
    expect(dead.headers['__connect.errors.offset']).toBe('-1');
    expect(dead.headers['__connect.errors.connector.name']).toBe(tolerant);
    expect(dead.headers['__connect.errors.exception.message']).toContain('Value (x) was out of range');
    // The row is past: the committed offset covers all three rows.
    await waitFor(async () => (await connectors.offsets(tolerant)).some((o) => (o.offset as { incrementing?: number })?.incrementing === 3), { what: 'offset at row 3' });
    expect((await connectors.status(tolerant)).tasks.map((x) => x.state)).toEqual(['RUNNING']);
    await connectors.cancelAndWait(tolerant);

    // errors.tolerance=none (the default) on a fresh table: the task fails, nothing is produced
    // and no offset is committed, so a restart would read the rows again.
    const { table: t2, topic: topic2 } = await table('smt_srcfail_none', 'id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(10) NOT NULL');
    await db.query(`INSERT INTO \`${t2}\` (code) VALUES ('7'), ('x'), ('9')`);
    const strict = `srcfail-none-${t2}`;
    await source(strict, t2, chain);
    const failed = await connectors.waitForTasks(strict, 'FAILED');
    const trace = failed.tasks[0].trace!;
    expect(trace).toContain(`stage TRANSFORMATION failed on the record of source partition {"protocol":"1","table":"${env.MYSQL_DATABASE}.${t2}"} at offset {"incrementing":2}`);
    expect(trace).toContain("Transformation 'codeToInt' (org.apache.kafka.connect.transforms.Cast$Value)");
    expect(trace).toContain('Value (x) was out of range for requested data type');
    expect(await topicSize(topic2)).toBe(0);
    expect(await connectors.offsets(strict)).toEqual([]);
    await connectors.cancelAndWait(strict);
  });
});
