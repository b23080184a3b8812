import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { startWorker, type RunningWorker } from '../../src/worker/index.js';
import { JsonConverter } from '../../src/converters/json-converter.js';
import { Schemas, Struct } from '../../src/records/schema.js';
import { mysqlConnection, temporalClient } from '../helpers/clients.js';
import { Connectors, deleteKafkaResources, jdbcConnection, produce } from '../helpers/connectors.js';
import { stackEnv, uniqueIdent, uniqueName, waitFor } from '../helpers/stack.js';

// errors.log.enable / errors.log.include.messages end to end (issue 13): a JDBC sink with
// errors.tolerance=all skips a record its converter refuses and logs it. errors.log.enable=TRUE
// (any case) turns the log on; the record's key and value are in the line only with
// errors.log.include.messages=true. The worker's log is captured in memory.

describe('errors.log.* on a sink (real Kafka, Temporal and MariaDB)', () => {
  const env = stackEnv();
  const lines: Array<Record<string, unknown>> = [];
  const taskQueue = uniqueName('errors-log');
  const topics: string[] = [];
  const tables: string[] = [];
  let worker: RunningWorker;
  let connectors: Connectors;
  let closeTemporal: () => Promise<void>;

  const schema = Schemas.struct([['id', Schemas.int32()]], { name: 'row' });
  const json = new JsonConverter();
  json.configure({}, false);

  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
    worker = await startWorker({
      temporalAddress: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue,
      kafkaBrokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), logger,
    });
    const { client, connection } = await temporalClient();
    connectors = new Connectors(client, taskQueue);
    closeTemporal = () => connection.close();
  });

  afterAll(async () => {
    await connectors?.cancelAll();
    await worker?.shutdown();
    await closeTemporal?.();
    const db = await mysqlConnection();
    for (const t of tables) await db.query(`DROP TABLE IF EXISTS \`${t}\``);
    await db.end();
    await deleteKafkaResources(topics, topics.map((t) => `connect-sink-${t}`));
  });

  async function runSink(includeMessages: string): Promise<{ name: string; skipped: Record<string, unknown> }> {
    const topic = uniqueIdent('errlog');
    const name = `sink-${topic}`;
    topics.push(topic);
    tables.push(topic);
    await produce(topic, 1, [
      { value: json.fromConnectData(topic, schema, new Struct(schema, { id: 1 })) },
      { key: 'the-key', value: 'not json at all' },
      { value: json.fromConnectData(topic, schema, new Struct(schema, { id: 2 })) },
    ]);
    await connectors.start(name, {
      'connector.class': 'JdbcSink',
      ...jdbcConnection(),
      topics: topic,
      'auto.create': 'true',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'errors.tolerance': 'all',
      'errors.log.enable': 'TRUE',
      'errors.log.include.messages': includeMessages,
    });
    const skipped = await waitFor(() => lines.find((l) => l.connector === name && l.msg === 'record skipped'), { what: `the skipped record of ${name} logged`, timeout: 60_000 });
    return { name, skipped };
  }

  it('errors.log.enable=TRUE logs the skipped record; without include.messages only where it is', async () => {
    const { name, skipped } = await runSink('false');
    expect(skipped).toMatchObject({ level: 40, task: 0, stage: 'VALUE_CONVERTER', partition: 0, offset: '1', err: expect.any(String) });
    expect(skipped.topic).toMatch(/^errlog/);
    expect(skipped).not.toHaveProperty('key');
    expect(skipped).not.toHaveProperty('value');
    expect(JSON.stringify(lines.filter((l) => l.connector === name))).not.toMatch(/not json at all|the-key/);
  });

  it('errors.log.include.messages=True adds the key, value and headers to the line', async () => {
    const { skipped } = await runSink('True');
    expect(skipped).toMatchObject({ stage: 'VALUE_CONVERTER', partition: 0, offset: '1', key: 'the-key', value: 'not json at all', headers: {}, timestamp: expect.any(String) });
  });
});
