import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { key } from '../../../src/config/define.js';
import { ConfigError, RetriableError } from '../../../src/errors.js';
import type { SinkRecord } from '../../../src/records/record.js';
import { Schemas, Struct } from '../../../src/records/schema.js';
import type { SinkTask } from '../../../src/connectors/types.js';
import { readAvroFile } from '../../../src/connectors/storage/avro.js';
import type { ObjectStore, StoredObject } from '../../../src/connectors/storage/object-store.js';
import { PathFormat } from '../../../src/connectors/storage/path-format.js';
import { defineStorageSink } from '../../../src/connectors/storage/sink.js';

// The storage-sink core's logic against an in-memory ObjectStore (the real stores are proven
// against their servers in test/integration/s3-*.test.ts).

class MemoryStore implements ObjectStore {
  readonly description = 'memory://test';
  readonly objects = new Map<string, Uint8Array>();
  puts: string[] = [];
  async put(key: string, body: Uint8Array) {
    this.objects.set(key, body);
    this.puts.push(key);
  }
  async get(key: string) {
    return this.objects.get(key);
  }
  async *list(prefix: string): AsyncIterable<StoredObject> {
    for (const k of [...this.objects.keys()].sort()) if (k.startsWith(prefix)) yield { key: k, size: this.objects.get(k)!.length };
  }
  async delete(key: string) {
    this.objects.delete(key);
  }
  async check() {}
  async close() {}
}

const logger = { debug() {}, info() {}, warn() {}, error() {} };
const ctx = { connectorName: 'c', taskId: 0, logger };

function sinkWith(store: MemoryStore) {
  return defineStorageSink({
    name: 'MemorySink',
    className: 'test.MemorySinkConnector',
    aliases: [],
    version: '0.0.1',
    summary: 'test',
    formatPackage: 'io.confluent.connect.s3.format',
    storeKeys: { 'memory.compression': key.enum(['none', 'gzip'] as const, { default: 'none', doc: 'compression' }) },
    compression: (cfg) => ({ type: cfg['memory.compression'], level: -1 }),
    openStore: () => store,
  });
}

async function start(store: MemoryStore, config: Record<string, string>): Promise<SinkTask> {
  const task = await sinkWith(store).startTask({ 'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'flush.size': '3', ...config }, ctx);
  await task.open?.([{ topic: 't', partition: 0, offset: 0 }]);
  return task;
}

function rec(offset: number, value: unknown, extra: Partial<SinkRecord> = {}): SinkRecord {
  return {
    topic: 't', kafkaPartition: 0, kafkaOffset: offset, key: `k${offset}`, value, headers: [], timestamp: Date.UTC(2026, 11, 6, 10, 0, 0) + offset * 1000,
    originalTopic: 't', originalKafkaPartition: 0, originalKafkaOffset: offset, ...extra,
  };
}

const text = (b: Uint8Array | undefined) => Buffer.from(b!).toString('utf8');

describe('storage sink core', () => {
  it('writes flush.size records per file, named by the first offset, and commits only committed files', async () => {
    const store = new MemoryStore();
    const task = await start(store, {});
    const r = await task.put([0, 1, 2, 3, 4].map((i) => rec(i, { n: i })), new AbortController().signal);
    await task.preCommit!([]); // uploads run beside the writing: this waits for them
    expect(r.failed).toEqual([]);
    expect([...store.objects.keys()]).toEqual(['topics/t/partition=0/t+0+0000000000.json']);
    expect(text(store.objects.get('topics/t/partition=0/t+0+0000000000.json'))).toBe('{"n":0}\n{"n":1}\n{"n":2}\n');
    // Two records are in an open file: the committable offset is 3, not 5.
    expect(await task.preCommit!([{ topic: 't', partition: 0, offset: 5 }])).toEqual([{ topic: 't', partition: 0, offset: 3 }]);
    await task.put([5].map((i) => rec(i, { n: i })), new AbortController().signal);
    await task.preCommit!([]); // uploads run beside the writing: this waits for them
    expect(store.objects.has('topics/t/partition=0/t+0+0000000003.json')).toBe(true);
    expect(await task.preCommit!([{ topic: 't', partition: 0, offset: 6 }])).toEqual([{ topic: 't', partition: 0, offset: 6 }]);
    await task.close();
  });

  it('a task restarted before its offsets were committed writes the same files again, under the same names', async () => {
    const a = new MemoryStore();
    const t1 = await start(a, { 'flush.size': '2' });
    await t1.put([0, 1, 2, 3, 4].map((i) => rec(i, { n: i })), new AbortController().signal);
    await t1.preCommit!([]); // uploads run beside the writing: this waits for them
    // Killed here: files 0 and 2 are up, their offsets never committed.
    const first = new Map(a.objects);
    const t2 = await start(a, { 'flush.size': '2' });
    await t2.put([0, 1, 2, 3, 4, 5, 6].map((i) => rec(i, { n: i })), new AbortController().signal);
    await t2.preCommit!([]); // uploads run beside the writing: this waits for them
    expect((await t2.preCommit!([{ topic: 't', partition: 0, offset: 7 }]))[0].offset).toBe(6);
    expect([...a.objects.keys()].sort()).toEqual(['0000000000', '0000000002', '0000000004'].map((o) => `topics/t/partition=0/t+0+${o}.json`));
    for (const [k, v] of first) expect(text(a.objects.get(k))).toBe(text(v));
    const lines = [...a.objects.values()].flatMap((b) => text(b).trim().split('\n'));
    expect(lines).toEqual([0, 1, 2, 3, 4, 5].map((n) => `{"n":${n}}`));
  });

  it('FieldPartitioner directories; a record without the field is rejected for the dead letter queue', async () => {
    const store = new MemoryStore();
    const task = await start(store, { 'partitioner.class': 'io.confluent.connect.storage.partitioner.FieldPartitioner', 'partition.field.name': 'region,id', 'flush.size': '2' });
    const schema = Schemas.struct([['region', Schemas.string()], ['id', Schemas.int32()]]);
    const r = await task.put([rec(0, new Struct(schema, { region: 'eu', id: 1 }), { valueSchema: schema }), rec(1, { other: 1 }), rec(2, { region: 'us', id: 2 })], new AbortController().signal);
    await task.preCommit!([]); // uploads run beside the writing: this waits for them
    expect(r.failed.map((f) => f.index)).toEqual([1]);
    expect(r.failed[0].error.message).toMatch(/region/);
    expect([...store.objects.keys()].sort()).toEqual(['topics/t/region=eu/id=1/t+0+0000000000.json', 'topics/t/region=us/id=2/t+0+0000000002.json']);
  });

  it('TimeBasedPartitioner with path.format, Record timestamps and rotate.interval.ms in record time', async () => {
    const store = new MemoryStore();
    const task = await start(store, {
      'partitioner.class': 'io.confluent.connect.storage.partitioner.TimeBasedPartitioner', 'path.format': "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", 'partition.duration.ms': '3600000',
      locale: 'en-US', timezone: 'UTC', 'timestamp.extractor': 'Record', 'flush.size': '100', 'rotate.interval.ms': '2500',
    });
    await task.put([0, 1, 2, 3, 4].map((i) => rec(i, { n: i })), new AbortController().signal);
    await task.preCommit!([]); // uploads run beside the writing: this waits for them
    // Records 1 s apart: 0,1,2 span 2 s; record 3 is 3 s past record 0, so it begins the next file.
    expect([...store.objects.keys()]).toEqual(['topics/t/year=2026/month=12/day=06/hour=10/t+0+0000000000.json']);
    expect(text(store.objects.values().next().value)).toBe('{"n":0}\n{"n":1}\n{"n":2}\n');
  });

  it('Daily partitioner in a time zone; path.format helpers', () => {
    const f = new PathFormat("'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", 'America/New_York', 'en-US');
    const t = Date.UTC(2026, 0, 2, 3, 30);
    expect(f.format(f.bucketStart(t, 3_600_000))).toBe('year=2026/month=01/day=01/hour=22');
    expect(new PathFormat("MMM-yy'x'''", 'UTC', 'en-US').format(t)).toBe("Jan-26x'");
    expect(f.nextScheduled(Date.UTC(2026, 0, 2, 5, 10), 3_600_000)).toBe(Date.UTC(2026, 0, 2, 6, 0));
  });

  it('gzip, keys and headers files beside the value file; Avro container files read back', async () => {
    const store = new MemoryStore();
    const task = await start(store, { 'memory.compression': 'gzip', 'store.kafka.keys': 'true', 'store.kafka.headers': 'true', 'keys.format.class': 'JsonFormat', 'headers.format.class': 'JsonFormat', 'flush.size': '1' });
    const r = await task.put([rec(0, { n: 0 }, { headers: [{ key: 'h', value: 'v' }] }), rec(1, { n: 1 })], new AbortController().signal);
    await task.preCommit!([]); // uploads run beside the writing: this waits for them
    expect(r.failed.map((f) => f.index)).toEqual([1]);
    expect([...store.objects.keys()].sort()).toEqual(['topics/t/partition=0/t+0+0000000000.headers.json.gz', 'topics/t/partition=0/t+0+0000000000.json.gz', 'topics/t/partition=0/t+0+0000000000.keys.json.gz']);
    expect(gunzipSync(store.objects.get('topics/t/partition=0/t+0+0000000000.keys.json.gz')!).toString()).toBe('"k0"\n');
    expect(gunzipSync(store.objects.get('topics/t/partition=0/t+0+0000000000.headers.json.gz')!).toString()).toBe('{"headers":[{"key":"h","value":"v"}]}\n');

    const avroStore = new MemoryStore();
    const avroTask = await start(avroStore, { 'format.class': 'io.confluent.connect.s3.format.avro.AvroFormat', 'flush.size': '2' });
    const schema = Schemas.struct([['id', Schemas.int64()], ['name', Schemas.string({ optional: true })]], { name: 'test.Row' });
    const bad = await avroTask.put([rec(0, new Struct(schema, { id: 1, name: 'a' }), { valueSchema: schema }), rec(1, { id: 2 }), rec(2, new Struct(schema, { id: 3 }), { valueSchema: schema })], new AbortController().signal);
    await avroTask.preCommit!([]); // uploads run beside the writing: this waits for them
    expect(bad.failed.map((f) => f.index)).toEqual([1]);
    // The schemaless record changed the schema, which commits the open file first (as Confluent's); the format then refused it.
    const file = readAvroFile(avroStore.objects.get('topics/t/partition=0/t+0+0000000000.avro')!);
    expect(file.values.map((v) => ({ ...(v as object) }))).toEqual([{ id: 1, name: 'a' }]);
    await avroTask.put([rec(3, new Struct(schema, { id: 4, name: 'd' }), { valueSchema: schema })], new AbortController().signal);
    await avroTask.preCommit!([]); // uploads run beside the writing: this waits for them
    const second = readAvroFile(avroStore.objects.get('topics/t/partition=0/t+0+0000000002.avro')!);
    expect(second.values.map((v) => ({ ...(v as object) }))).toEqual([{ id: 3, name: null }, { id: 4, name: 'd' }]);
    expect(file.schema).toMatchObject({ type: 'record', name: 'Row', namespace: 'test' });
  });

  it('behavior.on.null.values: fail stops the task with a ConfigError; ignore skips', async () => {
    const failing = await start(new MemoryStore(), {});
    await expect(failing.put([rec(0, null)], new AbortController().signal)).rejects.toBeInstanceOf(ConfigError);
    const store = new MemoryStore();
    const ignoring = await start(store, { 'behavior.on.null.values': 'ignore', 'flush.size': '1' });
    expect((await ignoring.put([rec(0, null), rec(1, { a: 1 })], new AbortController().signal)).failed).toEqual([]);
    expect([...store.objects.keys()]).toEqual(['topics/t/partition=0/t+0+0000000001.json']);
  });

  it('a failed upload fails the task at the next preCommit and its offset is never committable', async () => {
    const store = new MemoryStore();
    store.put = async () => {
      throw new Error('connection reset');
    };
    const task = await start(store, { 'flush.size': '2' });
    // The upload of the first file starts at record 1 and fails beside the writing.
    await task.put([0, 1].map((i) => rec(i, { n: i })), new AbortController().signal);
    await expect(task.preCommit!([{ topic: 't', partition: 0, offset: 2 }])).rejects.toThrow(/connection reset/);
    await expect(task.put([rec(3, { n: 3 })], new AbortController().signal)).rejects.toBeInstanceOf(RetriableError);
  });

  it('config problems are named by key', () => {
    const sink = sinkWith(new MemoryStore());
    const parsed = sink.config.parse({ 'format.class': 'x.ParquetFormat', 'flush.size': '1', 'partitioner.class': 'io.confluent.connect.storage.partitioner.TimeBasedPartitioner' });
    expect(parsed.ok).toBe(true);
    const problems = parsed.ok ? sink.validate!(parsed.value) : [];
    expect(problems.map((p) => p.key).sort()).toEqual(['format.class', 'locale', 'partition.duration.ms', 'path.format', 'timezone']);
  });
});
