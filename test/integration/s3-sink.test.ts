// The S3 sink and source against a real MinIO (scripts/stack/services/minio.sh): the object keys
// of each partitioner and format, rotation by size, record time and the wall clock, bad records
// to the dead letter queue, and the S3 source reading the files back (and plain JSON-lines and
// CSV objects) into topics.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { JsonConverter } from '../../src/converters/json-converter.js';
import { readAvroFile } from '../../src/connectors/storage/avro.js';
import { kafka } from '../helpers/clients.js';
import { useWorker } from '../helpers/fixture.js';
import { readTopic } from '../helpers/kafka.js';
import { createBucket, emptyBucket, getObject, listKeys, putObject, requireMinio, s3Client, s3ConnectorConfig } from '../helpers/s3.js';
import { uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics } from '../helpers/tconnect-process.js';

const JSON_VALUES = { 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false' };

async function produce(topic: string, partitions: number, messages: Array<{ partition?: number; key?: string | null; value: string | Buffer | null; timestamp?: number; headers?: Record<string, string> }>): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
  const p = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  await p.send({ topic, messages: messages.map((m) => ({ partition: m.partition ?? 0, key: m.key ?? null, value: m.value, timestamp: m.timestamp === undefined ? undefined : String(m.timestamp), headers: m.headers })) });
  await p.disconnect();
}

describe('S3 sink and source on MinIO', () => {
  const fx = useWorker({ sdk: true });
  let s3: S3Client;
  const bucket = uniqueName('tc-s3').toLowerCase();
  const topics: string[] = [];

  beforeAll(async () => {
    await requireMinio();
    s3 = s3Client();
    await createBucket(s3, bucket);
  });
  afterAll(async () => {
    await deleteTopics(topics);
    if (s3) await emptyBucket(s3, bucket);
    s3?.destroy();
  });

  /** Creates a connector that the file's cleanup deletes. */
  async function create(name: string, config: Record<string, string>): Promise<void> {
    fx.cleanups.push(() => fx.sdk.delete(name));
    await fx.sdk.create({ name, config });
  }

  const keysUnder = (topic: string) => listKeys(s3, bucket, `topics/${topic}/`);

  it('DefaultPartitioner, JsonFormat: flush.size records per object, <topic>+<partition>+<offset padded>.json per Kafka partition; the secret stays hidden', async () => {
    const topic = uniqueName('s3def');
    topics.push(topic);
    await produce(topic, 2, Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: JSON.stringify({ id: i, text: `t${i}` }) })));
    const name = uniqueName('s3def-sink');
    await create(name, { 'connector.class': 'io.confluent.connect.s3.S3SinkConnector', topics: topic, ...s3ConnectorConfig(bucket), ...JSON_VALUES, 'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'flush.size': '2' });
    expect((await fx.sdk.config(name))['aws.secret.access.key']).toBe('${env:TC_TEST_S3_SECRET}');
    const expected = [0, 1].flatMap((p) => [0, 2].map((o) => `topics/${topic}/partition=${p}/${topic}+${p}+${String(o).padStart(10, '0')}.json`)).sort();
    // Five records per partition, two per object: offsets 0-1 and 2-3 are committed, 4 stays open.
    await waitFor(async () => (await keysUnder(topic)).length === 4, { what: 'four objects', timeout: 60_000 });
    expect(await keysUnder(topic)).toEqual(expected);
    expect((await getObject(s3, bucket, expected[0])).toString()).toBe('{"id":0,"text":"t0"}\n{"id":2,"text":"t2"}\n');
    expect((await getObject(s3, bucket, expected[3])).toString()).toBe('{"id":5,"text":"t5"}\n{"id":7,"text":"t7"}\n');
    // Only committed objects' offsets are committed: the sink group stands at 4 on each partition.
    await waitFor(async () => {
      const offsets = await fx.sdk.offsets(name);
      return offsets.offsets.length === 2 && offsets.offsets.every((o) => (o.offset as { kafka_offset: number }).kafka_offset === 4);
    }, { what: 'committed offsets at 4', timeout: 30_000 });
  });

  it('FieldPartitioner with AvroFormat; records without the field and schemaless ones go to the dead letter queue', async () => {
    const topic = uniqueName('s3fld');
    const dlq = `${topic}-dlq`;
    topics.push(topic, dlq);
    const json = new JsonConverter();
    json.configure({ 'schemas.enable': 'true' }, false);
    const schema = { type: 'struct', fields: [{ field: 'region', type: 'string', optional: false }, { field: 'amount', type: 'int64', optional: false }], optional: false, name: 'shop.Order' };
    const row = (region: string, amount: number) => JSON.stringify({ schema, payload: { region, amount } });
    await produce(topic, 1, [
      { value: row('eu', 1) }, { value: row('us', 2) },
      { value: JSON.stringify({ schema: { type: 'struct', fields: [{ field: 'amount', type: 'int64', optional: false }], optional: false }, payload: { amount: 3 } }) },
      { value: row('eu', 4) }, { value: JSON.stringify({ schema: null, payload: 'not a struct' }) }, { value: row('us', 5) },
    ]);
    const name = uniqueName('s3fld-sink');
    await create(name, {
      'connector.class': 'S3Sink', topics: topic, ...s3ConnectorConfig(bucket),
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'true',
      'format.class': 'io.confluent.connect.s3.format.avro.AvroFormat', 'flush.size': '4',
      'partitioner.class': 'io.confluent.connect.storage.partitioner.FieldPartitioner', 'partition.field.name': 'region',
      'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq, 'errors.deadletterqueue.topic.replication.factor': '1', 'errors.deadletterqueue.context.headers.enable': 'true',
    });
    const dead = await readTopic(dlq, 2);
    expect(dead.map((d) => d.headers['__connect.errors.offset']).sort()).toEqual(['2', '4']);
    expect(dead.every((d) => d.headers['__connect.errors.stage'] === 'TASK_PUT')).toBe(true);
    expect(dead.find((d) => d.headers['__connect.errors.offset'] === '2')!.headers['__connect.errors.exception.message']).toMatch(/region/);
    // Four good records in one Kafka partition: one commit of two files, each named after its first record's offset.
    await waitFor(async () => (await keysUnder(topic)).length === 2, { what: 'two Avro objects', timeout: 60_000 });
    expect(await keysUnder(topic)).toEqual([`topics/${topic}/region=eu/${topic}+0+0000000000.avro`, `topics/${topic}/region=us/${topic}+0+0000000001.avro`]);
    const eu = readAvroFile(await getObject(s3, bucket, `topics/${topic}/region=eu/${topic}+0+0000000000.avro`));
    expect(eu.values.map((v) => ({ ...(v as object) }))).toEqual([{ region: 'eu', amount: 1 }, { region: 'eu', amount: 4 }]);
    expect(eu.schema).toMatchObject({ type: 'record', name: 'Order', namespace: 'shop' });
  });

  it('TimeBasedPartitioner on record time with ByteArrayFormat and gzip; rotate.interval.ms rotates by record time', async () => {
    const topic = uniqueName('s3time');
    topics.push(topic);
    const t0 = Date.UTC(2026, 10, 30, 22, 59, 58);
    // Record times 22:59:58, :59, 23:00:00, :01, :05, :05.5: two hours of the time-based partitioner.
    const times = [t0, t0 + 1000, t0 + 2000, t0 + 3000, t0 + 7000, t0 + 7500];
    await produce(topic, 1, times.map((t, i) => ({ value: Buffer.from(`line-${i}`), timestamp: t })));
    const name = uniqueName('s3time-sink');
    await create(name, {
      'connector.class': 'S3Sink', topics: topic, ...s3ConnectorConfig(bucket),
      'value.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
      'format.class': 'io.confluent.connect.s3.format.bytearray.ByteArrayFormat', 's3.compression.type': 'gzip', 'flush.size': '100',
      'partitioner.class': 'io.confluent.connect.storage.partitioner.TimeBasedPartitioner', 'path.format': "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH",
      'partition.duration.ms': '3600000', locale: 'en-US', timezone: 'UTC', 'timestamp.extractor': 'Record', 'rotate.interval.ms': '3000',
    });
    // Record 2 is the first of hour 23: with rotate.interval.ms a change of encoded partition commits
    // the open file (records 0-1) and restarts the interval at record 2. Record 4 is 5 s after record 2,
    // so records 2-3 are committed before it; records 4-5 stay open (3 s have not passed in record time).
    await waitFor(async () => (await keysUnder(topic)).length === 2, { what: 'two objects', timeout: 60_000 });
    const keys = await keysUnder(topic);
    expect(keys).toEqual([
      `topics/${topic}/year=2026/month=11/day=30/hour=22/${topic}+0+0000000000.bin.gz`,
      `topics/${topic}/year=2026/month=11/day=30/hour=23/${topic}+0+0000000002.bin.gz`,
    ]);
    expect(gunzipSync(await getObject(s3, bucket, keys[0])).toString()).toBe('line-0\nline-1\n');
    expect(gunzipSync(await getObject(s3, bucket, keys[1])).toString()).toBe('line-2\nline-3\n');
    // The committed offset is the record after the last committed one.
    await waitFor(async () => ((await fx.sdk.offsets(name)).offsets[0]?.offset as { kafka_offset?: number } | undefined)?.kafka_offset === 4, { what: 'offset 4 committed' });
  });

  it('rotate.schedule.interval.ms commits a file below flush.size on the wall clock, with no new record', async () => {
    const topic = uniqueName('s3sched');
    topics.push(topic);
    await produce(topic, 1, [0, 1, 2].map((i) => ({ value: JSON.stringify({ i }) })));
    const name = uniqueName('s3sched-sink');
    await create(name, { 'connector.class': 'S3Sink', topics: topic, ...s3ConnectorConfig(bucket), ...JSON_VALUES, 'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'flush.size': '1000', 'rotate.schedule.interval.ms': '2000', timezone: 'UTC' });
    await waitFor(async () => (await keysUnder(topic)).length === 1, { what: 'the scheduled object', timeout: 60_000 });
    const [k] = await keysUnder(topic);
    expect(k).toBe(`topics/${topic}/partition=0/${topic}+0+0000000000.json`);
    expect((await getObject(s3, bucket, k)).toString()).toBe('{"i":0}\n{"i":1}\n{"i":2}\n');
  });

  it('the S3 source restores what the sink wrote (keys and order per partition), and reads JSON-lines and CSV objects under a prefix', async () => {
    const topic = uniqueName('s3rt');
    const restored = `${topic}-restored`;
    topics.push(topic, restored);
    const values = Array.from({ length: 25 }, (_, i) => ({ id: i, p: i % 3 }));
    await produce(topic, 3, values.map((v) => ({ partition: v.p, value: JSON.stringify(v) })));
    const sink = uniqueName('s3rt-sink');
    // A topics.dir of its own: the restore reads every topic under it.
    const dir = `rt-${topic}`;
    await create(sink, { 'connector.class': 'S3Sink', topics: topic, ...s3ConnectorConfig(bucket), ...JSON_VALUES, 'topics.dir': dir, 'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'flush.size': '3', 'rotate.schedule.interval.ms': '1000', timezone: 'UTC' });
    // Every record lands in some object (the schedule commits the remainders).
    await waitFor(async () => {
      let n = 0;
      for (const k of await listKeys(s3, bucket, `${dir}/`)) n += (await getObject(s3, bucket, k)).toString().split('\n').filter(Boolean).length;
      return n === values.length;
    }, { what: 'all 25 records in objects', timeout: 90_000, interval: 500 });
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: restored, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    const source = uniqueName('s3rt-source');
    await create(source, {
      'connector.class': 'io.confluent.connect.s3.source.S3SourceConnector', ...s3ConnectorConfig(bucket), 'tasks.max': '2',
      'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'topics.dir': dir, ...JSON_VALUES,
      transforms: 'rename', 'transforms.rename.type': 'org.apache.kafka.connect.transforms.RegexRouter', 'transforms.rename.regex': '(.*)', 'transforms.rename.replacement': '$1-restored',
    });
    const got = await readTopic(restored, values.length);
    expect(got).toHaveLength(values.length);
    for (let p = 0; p < 3; p++) {
      // Same partition, same order.
      expect(got.filter((m) => m.partition === p).map((m) => JSON.parse(m.value!))).toEqual(values.filter((v) => v.p === p));
    }

    // GENERALIZED: any objects under a prefix, by topic.regex.list.
    const gTopic = uniqueName('s3gen');
    topics.push(gTopic, `${gTopic}-csv`);
    await putObject(s3, bucket, `inbox/${gTopic}/a.json`, '{"n":1}\n{"n":2}\n');
    await putObject(s3, bucket, `inbox/${gTopic}/b.json`, '{"n":3}\n');
    await putObject(s3, bucket, `inbox/${gTopic}/c.csv`, 'name,qty\napple,3\n"pear, green",5\n');
    const gen = uniqueName('s3gen-source');
    await create(gen, {
      'connector.class': 'S3Source', ...s3ConnectorConfig(bucket), mode: 'GENERALIZED', 'topics.dir': 'inbox', ...JSON_VALUES,
      'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'topic.regex.list': `${gTopic}:inbox/${gTopic}/.*\\.json`,
    });
    const gen2 = uniqueName('s3gen-csv');
    await create(gen2, {
      'connector.class': 'S3Source', ...s3ConnectorConfig(bucket), mode: 'GENERALIZED', 'topics.dir': 'inbox', ...JSON_VALUES,
      'format.class': 'io.confluent.connect.s3.format.csv.CsvFormat', 'topic.regex.list': `${gTopic}-csv:.*\\.csv`,
    });
    expect((await readTopic(gTopic, 3)).map((m) => JSON.parse(m.value!))).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect((await readTopic(`${gTopic}-csv`, 2)).map((m) => JSON.parse(m.value!))).toEqual([{ name: 'apple', qty: '3' }, { name: 'pear, green', qty: '5' }]);
    // Offsets per object and position.
    const offs = await waitFor(async () => {
      const o = await fx.sdk.offsets(gen);
      return o.offsets.length === 2 ? o.offsets : undefined;
    }, { what: 'source offsets of two objects' });
    expect(offs.map((o) => o.offset).sort((a, b) => Number((a as { position: number }).position) - Number((b as { position: number }).position))).toEqual([{ position: 1, completed: true }, { position: 2, completed: true }]);
  });
});
