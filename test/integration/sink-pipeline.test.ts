import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CONNECTOR_WORKFLOW,
  connectorWorkflowId,
  pauseSignal,
  resumeSignal,
  statusQuery,
  type ConnectorStatus,
} from '../../workflows/messages.js';
import { JsonConverter } from '../../src/converters/json-converter.js';
import { Schemas, Struct } from '../../src/records/schema.js';
import { kafka } from '../helpers/clients.js';
import { produce } from '../helpers/connectors.js';
import { liveOffsets } from '../../src/client/live-offsets.js';
import { useWorker } from '../helpers/fixture.js';
import { readTopic } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';

const run = promisify(execFile);

const orderSchema = Schemas.struct([
  ['id', Schemas.int32()],
  ['item', Schemas.string()],
  ['qty', Schemas.int32({ optional: true })],
], { name: 'order' });

describe('sink connectors on Temporal (JDBC sink into MariaDB)', () => {
  const fx = useWorker({ temporal: true, db: true, passwordEnv: true });
  const env = stackEnv();
  const json = new JsonConverter();
  json.configure({}, false);

  const order = (id: number, item: string, qty: number | null) => json.fromConnectData('t', orderSchema, new Struct(orderSchema, { id, item, qty }));

  function sinkConfig(topic: string, extra: Record<string, string> = {}) {
    return {
      'connector.class': 'JdbcSink',
      'connection.url': `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`,
      'connection.user': env.MYSQL_USER,
      'connection.password': '${env:TC_TEST_MYSQL_PASSWORD}',
      topics: topic,
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
      'tasks.max': '2',
      ...extra,
    };
  }

  it('writes every partition through two tasks, dead-letters a bad record with Connect headers, and commits to group connect-<name> so lag tools read it', async () => {
    const topic = uniqueIdent('sinkorders');
    const dlq = `${topic}-dlq`;
    const name = `sink-${topic}`;
    const msgs: Array<{ partition: number; value: Buffer | null; headers?: Record<string, string> }> = Array.from({ length: 40 }, (_, i) => ({ partition: i % 4, value: order(i + 1, `item-${i + 1}`, i) }));
    msgs.splice(10, 0, { partition: 2, value: Buffer.from('this is not json'), headers: { origin: 'test' } });
    await produce(topic, 4, msgs);

    await fx.client.workflow.start(CONNECTOR_WORKFLOW, {
      taskQueue: fx.worker.taskQueue,
      workflowId: connectorWorkflowId(name),
      args: [{ name, config: sinkConfig(topic, {
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': dlq,
        'errors.deadletterqueue.topic.replication.factor': '1',
        'errors.deadletterqueue.context.headers.enable': 'true',
      }) }],
    });
    const handle = fx.client.workflow.getHandle(connectorWorkflowId(name));
    try {
      await waitFor(async () => {
        const [rows] = await fx.db.query(`SELECT COUNT(*) AS n FROM \`${topic}\``).catch(() => [[{ n: 0 }]]);
        return (rows as Array<{ n: number }>)[0].n === 40;
      }, { what: '40 rows in MariaDB', timeout: 60_000 });
      const [rows] = await fx.db.query(`SELECT id, item, qty FROM \`${topic}\` WHERE id IN (1, 40) ORDER BY id`);
      expect(rows).toEqual([{ id: 1, item: 'item-1', qty: 0 }, { id: 40, item: 'item-40', qty: 39 }]);

      const status: ConnectorStatus = await handle.query(statusQuery);
      expect(status.type).toBe('sink');
      expect(status.tasks.map((t) => t.state)).toEqual(['RUNNING', 'RUNNING']);

      const [dead] = await readTopic(dlq, 1);
      expect(dead.value).toBe('this is not json');
      expect(dead.headers.origin).toBe('test');
      expect(dead.headers['__connect.errors.topic']).toBe(topic);
      expect(dead.headers['__connect.errors.partition']).toBe('2');
      expect(dead.headers['__connect.errors.stage']).toBe('VALUE_CONVERTER');
      // The class of what ran in the stage (the value converter), as Connect's DLQ reporter writes it.
      expect(dead.headers['__connect.errors.class.name']).toBe('org.apache.kafka.connect.json.JsonConverter');
      expect(dead.headers['__connect.errors.connector.name']).toBe(name);
      expect(dead.headers['__connect.errors.exception.message']).toBeTruthy();

      // The real Kafka tool sees the group connect-<name> with every partition caught up.
      const described = await waitFor(async () => {
        const { stdout } = await run(`${env.KAFKA_BIN}/kafka-consumer-groups`, ['--bootstrap-server', env.KAFKA_BOOTSTRAP_SERVERS, '--describe', '--group', `connect-${name}`]);
        const lines = stdout.split('\n').filter((l) => l.includes(topic));
        return lines.length === 4 && lines.every((l) => /\s0\s/.test(l.replace(/\s+/g, ' ').split(' ').slice(5, 6).map((x) => ` ${x} `).join(''))) ? stdout : undefined;
      }, { what: 'lag 0 on all 4 partitions', timeout: 30_000, interval: 1000 });
      expect(described).toContain(`connect-${name}`);

      const offs = await waitFor(async () => {
        const o = await liveOffsets(fx.client.workflow, name);
        return o.offsets.length === 4 ? o : undefined;
      }, { what: 'sink offsets reported', timeout: 30_000 });
      const p2 = offs.offsets.find((o) => (o.partition as { kafka_partition: number }).kafka_partition === 2);
      // Committed up to the end of the partition: 10 orders + the bad record.
      const admin = kafka().admin();
      await admin.connect();
      const end = (await admin.fetchTopicOffsets(topic)).find((x) => x.partition === 2)!.high;
      await admin.disconnect();
      expect(end).toBe('11');
      expect(p2).toEqual({ partition: { kafka_topic: topic, kafka_partition: 2 }, offset: { kafka_offset: 11 } });
    } finally {
      await handle.cancel().catch(() => undefined);
      await fx.db.query(`DROP TABLE IF EXISTS \`${topic}\``);
    }
  });

  it('with errors.tolerance none, fails the task with the record\'s topic, partition and offset in the trace', async () => {
    const topic = uniqueIdent('sinkbad');
    const name = `sinkbad-${topic}`;
    await produce(topic, 1, [{ partition: 0, value: order(1, 'ok', 1) }, { partition: 0, value: '{"broken":' }]);
    await fx.client.workflow.start(CONNECTOR_WORKFLOW, {
      taskQueue: fx.worker.taskQueue,
      workflowId: connectorWorkflowId(name),
      args: [{ name, config: sinkConfig(topic, { 'tasks.max': '1' }) }],
    });
    const handle = fx.client.workflow.getHandle(connectorWorkflowId(name));
    try {
      const failed = await waitFor(async () => {
        const s: ConnectorStatus = await handle.query(statusQuery);
        return s.tasks[0]?.state === 'FAILED' ? s : undefined;
      }, { what: 'task FAILED', timeout: 60_000 });
      expect(failed.tasks[0].trace).toContain(`topic ${topic}, partition 0, offset 1`);
      expect(failed.tasks[0].trace).toContain('VALUE_CONVERTER');
    } finally {
      await handle.cancel().catch(() => undefined);
      await fx.db.query(`DROP TABLE IF EXISTS \`${topic}\``);
    }
  });

  it('pausing a sink stops its writes within a couple of seconds; resume writes the rest exactly once', async () => {
    const topic = uniqueIdent('sinkpause');
    const name = `sinkpause-${topic}`;
    const count = async () => {
      const [rows] = await fx.db.query(`SELECT COUNT(*) AS n FROM \`${topic}\``).catch(() => [[{ n: 0 }]]);
      return (rows as Array<{ n: number }>)[0].n;
    };
    await produce(topic, 1, Array.from({ length: 20 }, (_, i) => ({ partition: 0, value: order(i + 1, `item-${i + 1}`, i) })));
    await fx.client.workflow.start(CONNECTOR_WORKFLOW, {
      taskQueue: fx.worker.taskQueue,
      workflowId: connectorWorkflowId(name),
      // insert mode: a record written twice would fail on the primary key, a lost one would be missing.
      args: [{ name, config: sinkConfig(topic, { 'tasks.max': '1', 'insert.mode': 'insert' }) }],
    });
    const handle = fx.client.workflow.getHandle(connectorWorkflowId(name));
    try {
      await waitFor(async () => (await count()) === 20, { what: '20 rows', timeout: 60_000 });
      await handle.signal(pauseSignal);
      await waitFor(async () => {
        const s: ConnectorStatus = await handle.query(statusQuery);
        return s.tasks[0]?.state === 'PAUSED';
      }, { what: 'task PAUSED', timeout: 30_000 });
      // The write pipeline keeps going for about a second after the last batch.
      await new Promise((r) => setTimeout(r, 2000));
      await produce(topic, 1, Array.from({ length: 20 }, (_, i) => ({ partition: 0, value: order(i + 21, `item-${i + 21}`, i) })));
      await new Promise((r) => setTimeout(r, 4000));
      expect(await count()).toBe(20);

      await handle.signal(resumeSignal);
      await waitFor(async () => (await count()) === 40, { what: '40 rows after resume', timeout: 60_000 });
      const s: ConnectorStatus = await handle.query(statusQuery);
      expect(s.tasks[0]?.state).toBe('RUNNING');
      const [ids] = await fx.db.query(`SELECT MIN(id) AS lo, MAX(id) AS hi, COUNT(DISTINCT id) AS n FROM \`${topic}\``);
      expect(ids).toEqual([{ lo: 1, hi: 40, n: 40 }]);
    } finally {
      await handle.cancel().catch(() => undefined);
      await fx.db.query(`DROP TABLE IF EXISTS \`${topic}\``);
    }
  });
});
