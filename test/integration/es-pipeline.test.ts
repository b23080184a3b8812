import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import type mysql from 'mysql2/promise';
import { ConnectClient } from '../../src/client/index.js';
import { JsonConverter } from '../../src/converters/json-converter.js';
import { elastic, kafka, mysqlConnection } from '../helpers/clients.js';
import { esJsonSink } from '../helpers/connectors.js';
import { readTopic } from '../helpers/kafka.js';
import { REPO_ROOT, stackEnv, uniqueIdent, uniqueName, waitFor } from '../helpers/stack.js';
import { testWorker } from '../helpers/worker.js';

function spawnWorker(taskQueue: string, id: string): ChildProcess {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/tconnect.mjs'), 'worker'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...stackEnv(), TCONNECT_TASK_QUEUE: taskQueue, TCONNECT_WORKER_ID: id, TCONNECT_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  return child;
}

describe('MySQL → Kafka → Elasticsearch on Temporal', () => {
  const env = stackEnv();
  let db: mysql.Connection;
  let es: ElasticClient;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    db = await mysqlConnection();
    es = elastic();
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await db?.end();
    await es?.close();
  });

  async function count(index: string): Promise<number> {
    await es.indices.refresh({ index });
    return (await es.count({ index })).count;
  }

  it('copies rows end to end and applies updates to the same documents', async () => {
    const worker = await testWorker();
    cleanups.push(() => worker.shutdown());
    const sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: worker.taskQueue });
    cleanups.push(() => sdk.close());
    const table = uniqueIdent('esorders');
    await db.query(`CREATE TABLE \`${table}\` (id INT AUTO_INCREMENT PRIMARY KEY, item VARCHAR(20) NOT NULL, price DECIMAL(8,2) NOT NULL,
      updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3))`);
    cleanups.push(() => db.query(`DROP TABLE IF EXISTS \`${table}\``));
    await db.query(`INSERT INTO \`${table}\` (item, price) VALUES ('pen', 1.50), ('ink', 7.25), ('pad', 3.00)`);
    const topic = `mysql.${table}`;
    const src = `src-${table}`;
    const sink = `es-${table}`;
    cleanups.push(() => sdk.delete(src), () => sdk.delete(sink), () => es.indices.delete({ index: topic, ignore_unavailable: true }));
    await sdk.create({ name: src, config: {
      'connector.class': 'JdbcSource',
      'connection.url': `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`,
      'connection.user': env.MYSQL_USER,
      'connection.password': env.MYSQL_PASSWORD,
      mode: 'timestamp+incrementing',
      'timestamp.column.name': 'updated_at',
      'incrementing.column.name': 'id',
      'table.whitelist': table,
      'topic.prefix': 'mysql.',
      'poll.interval.ms': '200',
      transforms: 'k,id',
      'transforms.k.type': 'ValueToKey',
      'transforms.k.fields': 'id',
      'transforms.id.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
      'transforms.id.field': 'id',
    } });
    await sdk.create({ name: sink, config: {
      'connector.class': 'ElasticsearchSink',
      'connection.url': env.ELASTICSEARCH_URL,
      topics: topic,
      'key.ignore': 'false',
      'schema.ignore': 'false',
    } });
    await waitFor(async () => (await count(topic).catch(() => 0)) === 3, { what: '3 documents', timeout: 60_000 });
    const doc = await es.get<{ item: string; price: number }>({ index: topic, id: '2' });
    expect(doc._source).toMatchObject({ id: 2, item: 'ink', price: 7.25 });

    await db.query(`UPDATE \`${table}\` SET price = 9.99 WHERE id = 2`);
    await waitFor(async () => (await es.get<{ price: number }>({ index: topic, id: '2' }))._source?.price === 9.99, { what: 'updated document', timeout: 60_000 });
    expect(await count(topic)).toBe(3);
    const mapping = await es.indices.getMapping({ index: topic });
    expect(JSON.stringify(mapping)).toContain('"updated_at":{"type":"date"');
  });

  it('sends a mapping conflict and a missing key to the DLQ with Connect headers, and writes the rest', async () => {
    const worker = await testWorker();
    cleanups.push(() => worker.shutdown());
    const sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: worker.taskQueue });
    cleanups.push(() => sdk.close());
    const topic = uniqueIdent('esdlq');
    const dlq = `${topic}-dlq`;
    cleanups.push(() => es.indices.delete({ index: topic, ignore_unavailable: true }));
    await es.indices.create({ index: topic, mappings: { properties: { qty: { type: 'integer' } } } });
    const json = new JsonConverter();
    json.configure({ 'schemas.enable': 'false' }, false);
    const p = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    await p.send({ topic, messages: [
      { key: '"a"', value: json.fromConnectData(topic, null, { qty: 1 }) },
      { key: '"b"', value: json.fromConnectData(topic, null, { qty: 'not a number' }), headers: { trace: 't-1' } },
      { key: null, value: json.fromConnectData(topic, null, { qty: 3 }) },
      { key: '"d"', value: json.fromConnectData(topic, null, { qty: 4 }) },
    ] });
    await p.disconnect();
    const name = `esdlq-${topic}`;
    cleanups.push(() => sdk.delete(name));
    await sdk.create({ name, config: {
      'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
      'connection.url': env.ELASTICSEARCH_URL,
      topics: topic,
      'key.ignore': 'false',
      'schema.ignore': 'true',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': 'false',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': dlq,
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    } });
    const dead = await readTopic(dlq, 2);
    await waitFor(async () => (await count(topic)) === 2, { what: '2 good documents' });
    expect((await es.get({ index: topic, id: 'a' })).found).toBe(true);
    expect((await es.get({ index: topic, id: 'd' })).found).toBe(true);
    const byOffset = new Map(dead.map((d) => [d.headers['__connect.errors.offset'], d]));
    const conflict = byOffset.get('1')!;
    expect(conflict.key).toBe('"b"');
    expect(JSON.parse(conflict.value!)).toEqual({ qty: 'not a number' });
    expect(conflict.headers.trace).toBe('t-1');
    expect(conflict.headers['__connect.errors.stage']).toBe('TASK_PUT');
    expect(conflict.headers['__connect.errors.exception.message']).toMatch(/qty|parse|number/i);
    const missing = byOffset.get('2')!;
    expect(missing.key).toBeNull();
    expect(missing.headers['__connect.errors.stage']).toBe('TASK_PUT');
    expect(missing.headers['__connect.errors.exception.message']).toMatch(/key/i);
  });

  it('kill -9 of the worker running the sink task: another worker finishes, no document lost or duplicated', async () => {
    const taskQueue = uniqueName('es-failover');
    // Both workers start now (their start-ups overlap the topic's load); the one that gets the task is killed.
    const workers: Record<string, ChildProcess> = { 'es-worker-a': spawnWorker(taskQueue, 'es-worker-a'), 'es-worker-b': spawnWorker(taskQueue, 'es-worker-b') };
    // Workers go last: deleting the connector needs one of them.
    cleanups.push(async () => { for (const w of Object.values(workers)) w.kill('SIGTERM'); });
    const sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue });
    cleanups.push(() => sdk.close());
    const topic = uniqueIdent('esfo');
    cleanups.push(() => es.indices.delete({ index: topic, ignore_unavailable: true }));
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const p = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    const total = 20_000;
    for (let i = 0; i < total; i += 2000) {
      await p.send({ topic, messages: Array.from({ length: 2000 }, (_, j) => ({ partition: (i + j) % 2, value: JSON.stringify({ n: i + j, pad: 'x'.repeat(100) }) })) });
    }
    await p.disconnect();
    const name = `esfo-${topic}`;
    cleanups.push(() => sdk.delete(name));
    await sdk.create({ name, config: {
      ...esJsonSink(topic),
      'temporal.batch.max.records': '500',
      'batch.size': '500',
    } });
    const t0 = Date.now();
    await waitFor(async () => (await count(topic).catch(() => 0)) > 1000, { what: 'first documents', timeout: 60_000 });
    console.log(`es failover: first 1000 documents after ${Date.now() - t0} ms`);
    const holder = (await sdk.status(name)).tasks[0].worker_id;
    const other = holder === 'es-worker-a' ? 'es-worker-b' : 'es-worker-a';
    expect(Object.keys(workers)).toContain(holder);
    expect(await count(topic)).toBeLessThan(total);
    workers[holder].kill('SIGKILL');
    const killedAt = Date.now();
    const atKill = await count(topic);
    await waitFor(async () => (await count(topic)) > atKill + 500, { what: 'progress after the kill', timeout: 60_000, interval: 250 });
    console.log(`es failover: writing again ${Date.now() - killedAt} ms after the kill`);
    await waitFor(async () => (await count(topic)) === total, { what: `${total} documents`, timeout: 120_000, interval: 1000 });
    // Deterministic ids (<topic>+<partition>+<offset>): re-delivery overwrote, it did not add.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await count(topic)).toBe(total);
    const st = await sdk.status(name);
    expect(st.tasks[0].worker_id).toBe(other);
    console.log(`es failover: all ${total} documents ${Date.now() - killedAt} ms after the kill`);
  });
});
