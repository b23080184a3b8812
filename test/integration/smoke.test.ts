import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { elastic, kafka, mysqlConnection, temporalClient } from '../helpers/clients.js';
import { stackEnv, uniqueIdent, uniqueName } from '../helpers/stack.js';

// Each server of the local stack is real and answers: these fail (never skip) when one is missing.
describe('local stack smoke', () => {
  it('Temporal: a workflow round-trips through a real worker on the dev server', async () => {
    const env = stackEnv();
    const taskQueue = uniqueName('smoke');
    const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
    const worker = await Worker.create({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../helpers/workflows/smoke.ts', import.meta.url)),
      activities: { shout: async (s: string) => s.toUpperCase() },
    });
    const { client, connection: clientConn } = await temporalClient();
    try {
      const result = await worker.runUntil(
        client.workflow.execute('smokeWorkflow', { taskQueue, workflowId: uniqueName('smoke-wf'), args: ['temporal'] }),
      );
      expect(result).toBe('hello TEMPORAL');
      const sys = await client.workflowService.getSystemInfo({});
      expect(sys.serverVersion).toMatch(/^\d+\.\d+/);
    } finally {
      await clientConn.close();
      await connection.close();
    }
  });

  it('Kafka: kafkajs produces then consumes a message', async () => {
    const k = kafka();
    const topic = uniqueName('smoke');
    const admin = k.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = k.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k1', value: 'v1', headers: { h: 'x' } }] });
    const consumer = k.consumer({ groupId: uniqueName('smoke-group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got = await new Promise<{ key: string; value: string; h: string }>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(t);
          resolve({ key: String(message.key), value: String(message.value), h: String(message.headers?.h) });
        },
      });
    });
    expect(got).toEqual({ key: 'k1', value: 'v1', h: 'x' });
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(md.topics[0].partitions).toHaveLength(1);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  it('MariaDB: mysql2 creates, writes and reads a table over TCP as the app user', async () => {
    const db = await mysqlConnection();
    const table = uniqueIdent('smoke');
    try {
      await db.query(`CREATE TABLE \`${table}\` (id INT PRIMARY KEY, name VARCHAR(20))`);
      await db.query(`INSERT INTO \`${table}\` VALUES (?, ?), (?, ?)`, [1, 'a', 2, 'b']);
      const [rows] = await db.query(`SELECT id, name FROM \`${table}\` ORDER BY id`);
      expect(rows).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
      const [v] = await db.query('SELECT VERSION() AS v, @@binlog_format AS f');
      expect((v as Array<{ v: string; f: string }>)[0].v).toMatch(/MariaDB/);
      expect((v as Array<{ v: string; f: string }>)[0].f).toBe('ROW');
    } finally {
      await db.query(`DROP TABLE IF EXISTS \`${table}\``);
      await db.end();
    }
  });

  it('Elasticsearch: indexes a document then finds it', async () => {
    const es = elastic();
    const index = uniqueIdent('smoke');
    try {
      // The Maven Central build has no rest-root module, so GET / (client.info) is absent; ask the nodes API.
      const nodes = await es.nodes.info();
      expect(Object.values(nodes.nodes)[0].version).toMatch(/^8\./);
      await es.index({ index, id: '1', document: { msg: 'hello elastic' }, refresh: 'wait_for' });
      const res = await es.search<{ msg: string }>({ index, query: { match: { msg: 'hello' } } });
      expect(res.hits.hits.map((h) => h._source?.msg)).toEqual(['hello elastic']);
    } finally {
      await es.indices.delete({ index, ignore_unavailable: true });
      await es.close();
    }
  });
});

