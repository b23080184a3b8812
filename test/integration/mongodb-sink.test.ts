// The MongoDB sink against the stack's MongoDB wire-protocol server (FerretDB on SQLite; no real
// mongod installs from the package registries here: scripts/stack/services/mongodb.sh). First the
// task alone, as the runtime calls it: id strategies, write model strategies, BSON types of a
// schema'd record, tombstone deletes, ordered and unordered bulk writes with refused documents.
// Then end to end through a worker: Kafka topics to collections (a topic override), refused and
// unconvertible records dead-lettered, a stop/resume that writes every document once; and the
// conformance kit.
import { Long, MongoClient, ObjectId, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoSink } from '../../src/connectors/mongodb-sink/index.js';
import { redactedHosts } from '../../src/connectors/mongodb-sink/uri.js';
import type { PluginLogger, SinkTask } from '../../src/connectors/types.js';
import { ConfigError, DataError, RetriableError } from '../../src/errors.js';
import type { SinkRecord } from '../../src/records/record.js';
import { Schemas, Struct } from '../../src/records/schema.js';
import { runConformance } from '../../src/testing/index.js';
import { kafka } from '../helpers/clients.js';
import { useWorker } from '../helpers/fixture.js';
import { readTopic } from '../helpers/kafka.js';
import { serviceEnv } from '../helpers/extra-service.js';
import { freePort, uniqueIdent, uniqueName, waitFor } from '../helpers/stack.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { deleteTopics } from '../helpers/tconnect-process.js';

const uri = serviceEnv('MONGODB_URI', 'mongodb');
const database = uniqueIdent('tc_mongo');
const never = new AbortController().signal;
const logger: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
let mongo: MongoClient;
const tasks: SinkTask[] = [];

beforeAll(async () => {
  mongo = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await mongo.connect().catch((e) => {
    throw new Error(`MongoDB server at ${uri} does not answer (start it: bash scripts/stack.sh up mongodb): ${(e as Error).message}`);
  });
});

afterAll(async () => {
  for (const t of tasks.splice(0)) await t.close();
  await mongo?.db(database).dropDatabase().catch(() => undefined);
  await mongo?.close();
});

const docs = async (collection: string): Promise<Document[]> => mongo.db(database).collection(collection).find({}, { sort: { _id: 1 } }).toArray();

async function start(o: Record<string, string>): Promise<SinkTask> {
  const task = await mongoSink.startTask({ 'connector.class': 'MongoSink', 'connection.uri': uri, database, ...o }, { connectorName: 'it-mongo', taskId: 0, logger });
  tasks.push(task);
  return task;
}

function rec(topic: string, offset: number, key: unknown, value: unknown, extra: Partial<SinkRecord> = {}): SinkRecord {
  return { topic, kafkaPartition: 0, kafkaOffset: offset, key, value, headers: [], timestamp: 1_700_000_000_000, originalTopic: topic, originalKafkaPartition: 0, originalKafkaOffset: offset, ...extra };
}

const failedIndexes = async (task: SinkTask, records: SinkRecord[]) => (await task.put(records, never)).failed.map((f) => f.index);

describe('MongoDB sink task', () => {
  it('default strategies: BsonOidStrategy ids, replace by _id; a schema\'d Struct keeps its BSON types (Decimal is in the unit test: FerretDB v1 has no decimal128)', async () => {
    const coll = uniqueIdent('plain');
    const task = await start({ collection: coll });
    const schema = Schemas.struct([
      ['name', Schemas.string()], ['qty', Schemas.int32()], ['big', Schemas.int64()],
      ['at', Schemas.timestamp()], ['tags', Schemas.array(Schemas.string())], ['note', Schemas.string({ optional: true })],
    ]);
    const value = new Struct(schema, { name: 'a', qty: 2, big: 9007199254740993n, at: new Date(1_714_979_289_010), tags: ['x', 'y'], note: null });
    expect(await failedIndexes(task, [rec('t', 0, null, value, { valueSchema: schema }), rec('t', 1, 'a key that is no JSON', '{"name": "b", "n": {"$numberLong": "7"}}')])).toEqual([]);
    const stored = await mongo.db(database).collection(coll).find({}, { promoteLongs: false, promoteValues: false }).toArray();
    expect(stored).toHaveLength(2);
    const a = stored.find((d) => String(d.name) === 'a')!;
    expect(a._id).toBeInstanceOf(ObjectId);
    expect(a.big).toBeInstanceOf(Long);
    expect((a.big as Long).toBigInt()).toBe(9007199254740993n);
    expect((a.at as Date).getTime()).toBe(1_714_979_289_010);
    expect(a.note).toBeNull();
    expect(stored.find((d) => String(d.name) === 'b')!.n).toBeInstanceOf(Long);
  });

  it('ProvidedInValueStrategy + ReplaceOneDefaultStrategy: a redelivered batch changes nothing; a newer value replaces the document', async () => {
    const coll = uniqueIdent('replace');
    const task = await start({ collection: coll, 'document.id.strategy': 'com.mongodb.kafka.connect.sink.processor.id.strategy.ProvidedInValueStrategy' });
    const batch = [1, 2, 3].map((i) => rec('t', i, null, { _id: i, v: `v${i}`, extra: i }));
    expect(await failedIndexes(task, batch)).toEqual([]);
    expect(await failedIndexes(task, batch)).toEqual([]);
    expect(await failedIndexes(task, [rec('t', 4, null, { _id: 2, v: 'new' })])).toEqual([]);
    expect(await docs(coll)).toEqual([{ _id: 1, v: 'v1', extra: 1 }, { _id: 2, v: 'new' }, { _id: 3, v: 'v3', extra: 3 }]);
    // A value without _id cannot be placed: that record alone fails.
    const out = await task.put([rec('t', 5, null, { v: 'no id' }), rec('t', 6, null, { _id: 9, v: 'ok' })], never);
    expect(out.failed.map((f) => f.index)).toEqual([0]);
    expect(out.failed[0].error).toBeInstanceOf(DataError);
    expect(out.failed[0].error.message).toMatch(/no _id field/);
    expect(await mongo.db(database).collection(coll).countDocuments()).toBe(4);
  });

  it('UpdateOneTimestampsStrategy sets _insertedTS once and _modifiedTS on every write; UpdateOneDefaultStrategy keeps other fields', async () => {
    const coll = uniqueIdent('update');
    const ts = await start({ collection: coll, 'document.id.strategy': 'ProvidedInValueStrategy', 'writemodel.strategy': 'UpdateOneTimestampsStrategy' });
    await ts.put([rec('t', 0, null, { _id: 'k', a: 1 })], never);
    const first = (await docs(coll))[0];
    await waitFor(() => Date.now() > (first._modifiedTS as Date).getTime(), { what: 'the clock to move', timeout: 1000 });
    await ts.put([rec('t', 1, null, { _id: 'k', b: 2 })], never);
    const second = (await docs(coll))[0];
    expect(second).toMatchObject({ _id: 'k', a: 1, b: 2 });
    expect((second._insertedTS as Date).getTime()).toBe((first._insertedTS as Date).getTime());
    expect((second._modifiedTS as Date).getTime()).toBeGreaterThan((first._modifiedTS as Date).getTime());

    const up = await start({ collection: coll, 'document.id.strategy': 'ProvidedInValueStrategy', 'writemodel.strategy': 'UpdateOneDefaultStrategy' });
    await up.put([rec('t', 2, null, { _id: 'k', c: 3 })], never);
    expect((await docs(coll))[0]).toMatchObject({ _id: 'k', a: 1, b: 2, c: 3 });
  });

  it('PartialValueStrategy + ReplaceOneBusinessKeyStrategy replaces by business key fields', async () => {
    const coll = uniqueIdent('bizkey');
    const task = await start({
      collection: coll, 'document.id.strategy': 'PartialValueStrategy', 'document.id.strategy.partial.value.projection.type': 'allowlist',
      'document.id.strategy.partial.value.projection.list': 'sku,store', 'writemodel.strategy': 'ReplaceOneBusinessKeyStrategy',
    });
    await task.put([rec('t', 0, null, { sku: 'A1', store: 7, qty: 1 }), rec('t', 1, null, { sku: 'A1', store: 8, qty: 5 })], never);
    await task.put([rec('t', 2, null, { sku: 'A1', store: 7, qty: 2 })], never);
    const stored = (await docs(coll)).map(({ _id, ...rest }) => rest).sort((x, y) => Number(x.store) - Number(y.store));
    expect(stored).toEqual([{ sku: 'A1', store: 7, qty: 2 }, { sku: 'A1', store: 8, qty: 5 }]);
  });

  it('delete.on.null.values with ProvidedInKeyStrategy deletes on a tombstone; without it a tombstone is a DataError', async () => {
    const coll = uniqueIdent('tomb');
    const task = await start({ collection: coll, 'document.id.strategy': 'ProvidedInKeyStrategy', 'delete.on.null.values': 'true' });
    await task.put([rec('t', 0, '{"_id": 1}', { v: 1 }), rec('t', 1, '{"_id": 2}', { v: 2 })], never);
    expect(await failedIndexes(task, [rec('t', 2, '{"_id": 1}', null)])).toEqual([]);
    expect(await docs(coll)).toEqual([{ _id: 2, v: 2 }]);

    const keep = await start({ collection: coll, 'document.id.strategy': 'ProvidedInKeyStrategy' });
    const out = await keep.put([rec('t', 3, '{"_id": 2}', null)], never);
    expect(out.failed[0].error.message).toMatch(/delete.on.null.values is false/);
    expect(await docs(coll)).toEqual([{ _id: 2, v: 2 }]);
  });

  it('a refused document (duplicate _id on insert): unordered writes the rest; ordered reports the records after it as skipped', async () => {
    const coll = uniqueIdent('dup');
    const o = { collection: coll, 'document.id.strategy': 'ProvidedInValueStrategy', 'writemodel.strategy': 'InsertOneDefaultStrategy' };
    const batch = (base: number) => [base, base + 1, base + 1, base + 2].map((id, i) => rec('t', base + i, null, { _id: id }));
    const unordered = await start({ ...o, 'bulk.write.ordered': 'false' });
    const u = await unordered.put(batch(10), never);
    expect(u.failed.map((f) => f.index)).toEqual([2]);
    expect(u.failed[0].error.message).toMatch(/code 11000/);
    expect((await docs(coll)).map((d) => d._id)).toEqual([10, 11, 12]);

    const ordered = await start(o);
    const r = await ordered.put(batch(20), never);
    expect(r.failed.map((f) => f.index)).toEqual([2, 3]);
    expect(r.failed[1].error.message).toMatch(/skipped/);
    expect((await docs(coll)).map((d) => d._id)).toEqual([10, 11, 12, 20, 21]);
  });

  it('max.batch.size and topic.override.<topic>.collection route each topic to its collection', async () => {
    const a = uniqueIdent('ta');
    const b = uniqueIdent('tb');
    const task = await start({ 'max.batch.size': '2', [`topic.override.${b}.collection`]: `${b}_renamed`, 'document.id.strategy': 'KafkaMetaDataStrategy' });
    const records = [rec(a, 0, null, { n: 0 }), rec(a, 1, null, { n: 1 }), rec(a, 2, null, { n: 2 }), rec(b, 0, null, { n: 3 })];
    expect(await failedIndexes(task, records)).toEqual([]);
    expect((await docs(a)).map((d) => d._id)).toEqual([`${a}#0#0`, `${a}#0#1`, `${a}#0#2`]);
    expect((await docs(`${b}_renamed`)).map((d) => d._id)).toEqual([`${b}#0#0`]);
  });

  it('a server lost mid-stream fails the put as retriable, nothing reported per record; the same batch again writes it all once', async () => {
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(uri).port || 27017));
    const port = await proxy.start();
    const coll = uniqueIdent('outage');
    const task = await start({ 'connection.uri': `mongodb://127.0.0.1:${port}/?serverSelectionTimeoutMS=2000`, collection: coll, 'document.id.strategy': 'ProvidedInValueStrategy' });
    try {
      expect(await failedIndexes(task, [rec('t', 0, null, { _id: 0 })])).toEqual([]);
      await proxy.cut();
      const batch = [1, 2, 3].map((i) => rec('t', i, null, { _id: i }));
      await expect(task.put(batch, never)).rejects.toBeInstanceOf(RetriableError);
      await proxy.start(port);
      // The runtime retries the batch; the driver reconnects by itself.
      await waitFor(async () => (await task.put(batch, never).then((r) => r.failed.length === 0, () => false)), { what: 'the put to succeed after the server came back', timeout: 30_000 });
      expect((await docs(coll)).map((d) => d._id)).toEqual([0, 1, 2, 3]);
    } finally {
      await proxy.cut();
    }
  });

  it('the stack\'s server has no change streams (why there is no MongoDB source here)', async () => {
    const stream = mongo.db(database).collection(uniqueIdent('cs')).watch();
    await expect(stream.tryNext()).rejects.toThrow(/changeStream.*not implemented|not implemented.*changeStream/is);
    await stream.close();
  });

  it('bad settings are refused by key; a server that does not answer is a RetriableError; the URI is never logged', async () => {
    const validate = (cfg: Record<string, string>) => {
      const parsed = mongoSink.config.parse(cfg);
      if (!parsed.ok) return parsed.problems;
      return mongoSink.validate!(parsed.value);
    };
    expect(validate({ 'connection.uri': uri }).map((p) => p.key)).toEqual(['database']);
    expect(validate({ database: 'd', 'connection.uri': 'mongodb://u:s3cret@h1:1,h2:2/?replicaSet=rs', 'delete.on.null.values': 'true' }).map((p) => p.key)).toEqual(['delete.on.null.values']);
    const bad = validate({ database: 'd', 'connection.uri': 'http://u:s3cret@h1' });
    expect(bad.map((p) => p.key)).toEqual(['connection.uri']);
    expect(bad[0].message).not.toContain('s3cret');
    await expect(mongoSink.taskConfigs({ database: 'd', 'topic.override.t1.colection': 'x' }, 1, {} as never)).rejects.toBeInstanceOf(ConfigError);
    expect(redactedHosts('mongodb://u:s3cret@h1:1,h2:2/db?tls=true')).toBe('h1:1,h2:2');

    const port = await freePort();
    await expect(start({ 'connection.uri': `mongodb://u:s3cret@127.0.0.1:${port}/?serverSelectionTimeoutMS=1000`, collection: 'x' })).rejects.toSatisfy((e: unknown) => e instanceof RetriableError && !(e as Error).message.includes('s3cret'));
  });
});

describe('MongoDB sink through a worker', () => {
  const fx = useWorker({ sdk: true });
  const topics: string[] = [];
  afterAll(async () => {
    await deleteTopics(topics);
  });

  async function send(topic: string, messages: Array<{ key?: string; value: string | null }>) {
    const p = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    await p.send({ topic, messages: messages.map((m) => ({ partition: 0, key: m.key ?? null, value: m.value })) });
    await p.disconnect();
  }

  it('Kafka to collections: tombstones delete, refused and unconvertible records go to the DLQ, a stop/resume writes every document once', async () => {
    const orders = uniqueName('mongo-orders');
    const audit = uniqueName('mongo-audit');
    const dlq = `${orders}-dlq`;
    topics.push(orders, audit, dlq);
    const ordersColl = 'orders';
    const auditColl = 'audit_log';
    await send(orders, [
      { key: '{"_id": 1}', value: '{"item": "a", "qty": 1}' },
      { key: '{"_id": 2}', value: '{"item": "b", "qty": 2}' },
      { key: '[1, 2]', value: '{"item": "bad key"}' },
      { key: '{"_id": 3}', value: '{"item": "c", "qty": 3}' },
      { key: '{"_id": 2}', value: null },
    ]);
    await send(audit, [{ key: '{"_id": "x"}', value: '{"event": "made"}' }, { key: '{"_id": "x"}', value: '{"event": "dup"}' }]);
    const name = uniqueName('mongo-sink');
    fx.cleanups.push(() => fx.sdk.delete(name));
    await fx.sdk.create({ name, config: {
      'connector.class': 'com.mongodb.kafka.connect.MongoSinkConnector', topics: `${orders},${audit}`, 'connection.uri': uri, database, collection: ordersColl,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'document.id.strategy': 'ProvidedInKeyStrategy', 'delete.on.null.values': 'true',
      [`topic.override.${audit}.collection`]: auditColl, [`topic.override.${audit}.writemodel.strategy`]: 'InsertOneDefaultStrategy',
      'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq, 'errors.deadletterqueue.topic.replication.factor': '1', 'errors.deadletterqueue.context.headers.enable': 'true',
    } });
    await waitFor(async () => (await docs(ordersColl)).length === 2 && (await docs(auditColl)).length === 1, { what: 'orders 1 and 3, one audit document', timeout: 90_000 });
    expect(await docs(ordersColl)).toEqual([{ _id: 1, item: 'a', qty: 1 }, { _id: 3, item: 'c', qty: 3 }]);
    expect(await docs(auditColl)).toEqual([{ _id: 'x', event: 'made' }]);
    const dead = await readTopic(dlq, 2);
    expect(dead.map((m) => m.value).sort()).toEqual(['{"event": "dup"}', '{"item": "bad key"}']);
    const dup = dead.find((m) => m.value === '{"event": "dup"}')!;
    expect(dup.headers['__connect.errors.exception.message']).toMatch(/code 11000/);
    expect(dup.headers['__connect.errors.topic']).toBe(audit);

    // Stop, write while stopped, resume: the task starts again from the committed offsets.
    await fx.sdk.stop(name);
    await waitFor(async () => (await fx.sdk.status(name)).connector.state === 'STOPPED', { what: 'STOPPED', timeout: 60_000 });
    await send(orders, [{ key: '{"_id": 4}', value: '{"item": "d", "qty": 4}' }, { key: '{"_id": 1}', value: '{"item": "a2", "qty": 10}' }]);
    await fx.sdk.resume(name);
    await waitFor(async () => (await docs(ordersColl)).length === 3 && (await docs(ordersColl))[0].item === 'a2', { what: 'orders after resume', timeout: 90_000 });
    expect(await docs(ordersColl)).toEqual([{ _id: 1, item: 'a2', qty: 10 }, { _id: 3, item: 'c', qty: 3 }, { _id: 4, item: 'd', qty: 4 }]);
    const status = await fx.sdk.status(name);
    expect(status.tasks.every((t) => t.state === 'RUNNING')).toBe(true);
    const config = await fx.sdk.config(name);
    expect(JSON.stringify(config)).not.toContain(uri.replace(/^mongodb:\/\//, ''));
  });

  it('passes the conformance kit', async () => {
    const coll = uniqueIdent('kit');
    const records = (): SinkRecord[] => [0, 1, 2].map((i) => rec('kit', i, null, { _id: i, v: `v${i}` }));
    const port = await freePort();
    const results = await runConformance({
      plugin: mongoSink,
      config: { topics: 'kit', 'connection.uri': uri, database, collection: coll, 'document.id.strategy': 'ProvidedInValueStrategy' },
      invalid: [{ patch: { 'writemodel.strategy': 'NoSuchStrategy' }, key: 'writemodel.strategy' }, { patch: { 'delete.on.null.values': 'true' }, key: 'delete.on.null.values' }],
      broken: { 'connection.uri': `mongodb://127.0.0.1:${port}/?serverSelectionTimeoutMS=1000` },
      records,
      reset: async () => void (await mongo.db(database).collection(coll).deleteMany({})),
      count: async () => mongo.db(database).collection(coll).countDocuments(),
      idempotent: true,
    });
    expect(results.every((r) => r.ok)).toBe(true);
  });
});
