import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError, DataError, RetriableError } from '../../src/errors.js';
import type { SinkRecord } from '../../src/records/record.js';
import { Schemas, Struct, type Schema } from '../../src/records/schema.js';
import type { PluginLogger, SinkTask } from '../../src/connectors/types.js';
import { elasticsearchSink } from '../../src/connectors/elasticsearch-sink/index.js';
import { elastic } from '../helpers/clients.js';
import { freePort, stackEnv, uniqueIdent } from '../helpers/stack.js';

// The Elasticsearch sink against the stack's real Elasticsearch, called as the runtime calls it
// (startTask → put → flush → close): write methods, ids, mappings, tombstones, per-record
// failures, re-delivery without duplicates, ordering, and an unreachable or stuck server.

const env = stackEnv();
const es = elastic();
const indices: string[] = [];
const tasks: SinkTask[] = [];
const servers: net.Server[] = [];
const never = new AbortController().signal;

afterEach(async () => {
  for (const t of tasks.splice(0)) await t.close();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  if (indices.length) await es.indices.delete({ index: indices.splice(0), ignore_unavailable: true });
});
afterAll(async () => {
  await es.close();
});

const warnings: object[] = [];
const logger: PluginLogger = { debug() {}, info() {}, warn(o) { warnings.push(o); }, error() {} };

/** A topic of its own, whose index is deleted after the test. */
function topic(prefix = 'es_sink'): string {
  const t = uniqueIdent(prefix);
  indices.push(t);
  return t;
}

async function start(o: Record<string, string>): Promise<SinkTask> {
  const task = await elasticsearchSink.startTask({
    'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
    'connection.url': env.ELASTICSEARCH_URL,
    ...o,
  }, { connectorName: 'it-es', taskId: 0, logger });
  tasks.push(task);
  return task;
}

function rec(t: string, offset: number, key: unknown, value: unknown, valueSchema?: Schema, keySchema?: Schema): SinkRecord {
  return {
    topic: t, kafkaPartition: 0, kafkaOffset: offset, key, keySchema: keySchema ?? null, value, valueSchema: valueSchema ?? null,
    headers: [], timestamp: 1_700_000_000_000, originalTopic: t, originalKafkaPartition: 0, originalKafkaOffset: offset,
  };
}

/** put then flush, as the runtime does before it commits. */
async function write(task: SinkTask, records: SinkRecord[]) {
  const r = await task.put(records, never);
  await task.flush?.();
  return r.failed;
}

async function docs(index: string): Promise<Map<string, Record<string, unknown>>> {
  await es.indices.refresh({ index });
  const r = await es.search<Record<string, unknown>>({ index, size: 1000, query: { match_all: {} } });
  return new Map(r.hits.hits.map((h) => [h._id!, h._source!]));
}

/** A document's _source as Elasticsearch stores it (JSON.parse would round big numbers). */
async function rawSource(index: string, id: string): Promise<string> {
  const res = await fetch(`${env.ELASTICSEARCH_URL}/${index}/_source/${encodeURIComponent(id)}`);
  return res.text();
}

const order = Schemas.struct([
  ['id', Schemas.int32()], ['name', Schemas.string()], ['price', Schemas.decimal(2)], ['big', Schemas.int64()],
  ['created', Schemas.timestamp()], ['day', Schemas.date()], ['note', Schemas.string({ optional: true })],
]);
const orderValue = (id: number, name: string) => new Struct(order, {
  id, name, price: '12.50', big: 9007199254740993n, created: new Date('2024-05-06T07:08:09.010Z'), day: new Date('2024-05-06T00:00:00Z'), note: null,
});

describe('Elasticsearch sink on a real Elasticsearch', () => {
  it('inserts documents under their record key and creates the index with a mapping from the Connect schema', async () => {
    const t = topic();
    const task = await start({ topics: t });
    const batch = [1, 2, 3].map((n) => rec(t, n, String(n), orderValue(n, `order ${n}`), order, Schemas.string()));
    expect(await write(task, batch)).toEqual([]);

    const mapping = (await es.indices.getMapping({ index: t }))[t]!.mappings.properties!;
    expect(mapping).toMatchObject({
      id: { type: 'integer' }, name: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
      price: { type: 'double' }, big: { type: 'long' }, created: { type: 'date' }, day: { type: 'date' }, note: { type: 'text' },
    });
    const stored = await docs(t);
    expect([...stored.keys()].sort()).toEqual(['1', '2', '3']);
    // Exact digits for Decimal and int64; dates as epoch ms, which the date fields read correctly.
    expect(await rawSource(t, '2')).toBe('{"id":2,"name":"order 2","price":12.50,"big":9007199254740993,"created":1714979289010,"day":1714953600000,"note":null}');
    const byDay = await es.search({ index: t, query: { range: { day: { gte: '2024-05-06', lte: '2024-05-06' } } } });
    expect((byDay.hits.total as { value: number }).value).toBe(3);

    // A newer record for key 2 replaces the document; re-delivering the whole batch adds nothing.
    expect(await write(task, [rec(t, 4, '2', orderValue(2, 'changed'), order, Schemas.string())])).toEqual([]);
    expect(await write(task, batch.slice(0, 1))).toEqual([]);
    const after = await docs(t);
    expect(after.size).toBe(3);
    expect(after.get('2')!.name).toBe('changed');
  });

  it('with key.ignore uses <topic>+<partition>+<offset> ids, so delivering a batch again creates no duplicates', async () => {
    const t = topic();
    const task = await start({ topics: t, 'key.ignore': 'true', 'schema.ignore': 'true' });
    const batch = [10, 11, 12, 13, 14].map((o) => rec(t, o, null, { n: o, tags: ['a'] }));
    expect(await write(task, batch)).toEqual([]);
    expect(await write(task, batch)).toEqual([]);
    const stored = await docs(t);
    expect([...stored.keys()].sort()).toEqual([10, 11, 12, 13, 14].map((o) => `${t}+0+${o}`));
    expect(stored.get(`${t}+0+12`)).toEqual({ n: 12, tags: ['a'] });

    // A task restarted on the same config (after a crash, say) writes the same ids.
    await tasks.pop()!.close();
    const again = await start({ topics: t, 'key.ignore': 'true', 'schema.ignore': 'true' });
    expect(await write(again, batch)).toEqual([]);
    expect((await docs(t)).size).toBe(5);
  });

  it('writes schemaless JSON nobody transformed as its original text, digits and all', async () => {
    const t = topic();
    const task = await start({ topics: t, 'key.ignore': 'true', 'schema.ignore': 'true' });
    const r = { ...rec(t, 1, null, { id: 1, amount: 1.5 }), valueJson: '{"id":1,"amount":1.50}' };
    expect(await write(task, [r, rec(t, 2, null, { id: 2, amount: 2.5 })])).toEqual([]);
    expect(await rawSource(t, `${t}+0+1`)).toBe('{"id":1,"amount":1.50}');
    expect(await rawSource(t, `${t}+0+2`)).toBe('{"id":2,"amount":2.5}');
  });

  it('writes a multi-line JSON value (pretty-printed in Kafka) as one line, and the records after it', async () => {
    const t = topic();
    const task = await start({ topics: t, 'key.ignore': 'true', 'schema.ignore': 'true' });
    // A bulk request's source must be one line: passed as it came, this text would split the request.
    const pretty = { ...rec(t, 1, null, { id: 1, tags: ['a'] }), valueJson: '{\n  "id": 1,\n  "tags": [\n    "a"\n  ]\n}' };
    expect(await write(task, [pretty, rec(t, 2, null, { id: 2 })])).toEqual([]);
    expect(await rawSource(t, `${t}+0+1`)).toBe('{"id":1,"tags":["a"]}');
    expect(await rawSource(t, `${t}+0+2`)).toBe('{"id":2}');
  });

  it('upsert updates only the fields present in the record; insert replaces the document', async () => {
    const t = topic();
    const upsert = await start({ topics: t, 'schema.ignore': 'true', 'write.method': 'upsert' });
    expect(await write(upsert, [rec(t, 0, 'k1', { a: 1, b: 'x' }), rec(t, 1, 'k2', { a: 2, b: 'y' })])).toEqual([]);
    expect(await write(upsert, [rec(t, 2, 'k1', { b: 'z', c: true })])).toEqual([]);
    let stored = await docs(t);
    expect(stored.get('k1')).toEqual({ a: 1, b: 'z', c: true });

    const insert = await start({ topics: t, 'schema.ignore': 'true' });
    expect(await write(insert, [rec(t, 3, 'k2', { b: 'only' })])).toEqual([]);
    stored = await docs(t);
    expect(stored.get('k2')).toEqual({ b: 'only' });
  });

  it('behavior.on.null.values=fail (the default) reports the tombstone as a failed record and writes the rest', async () => {
    const t = topic();
    const task = await start({ topics: t, 'schema.ignore': 'true' });
    const failed = await write(task, [rec(t, 0, 'a', { n: 1 }), rec(t, 1, 'a', null), rec(t, 2, 'b', { n: 2 })]);
    expect(failed.map((f) => f.index)).toEqual([1]);
    expect(failed[0]!.error).toBeInstanceOf(DataError);
    expect((failed[0]!.error as DataError).stage).toBe('TASK_PUT');
    expect(failed[0]!.error.message).toMatch(/null value .*behavior\.on\.null\.values/);
    expect([...(await docs(t)).keys()].sort()).toEqual(['a', 'b']);
  });

  it('behavior.on.null.values=ignore skips tombstones', async () => {
    const t = topic();
    const task = await start({ topics: t, 'schema.ignore': 'true', 'behavior.on.null.values': 'ignore' });
    expect(await write(task, [rec(t, 0, 'a', { n: 1 }), rec(t, 1, 'a', null), rec(t, 2, null, null)])).toEqual([]);
    expect([...(await docs(t)).keys()]).toEqual(['a']);
  });

  it('behavior.on.null.values=delete deletes the key\'s document; tombstones without a key or document are fine', async () => {
    const t = topic();
    const task = await start({ topics: t, 'schema.ignore': 'true', 'behavior.on.null.values': 'delete' });
    expect(await write(task, [rec(t, 0, 'a', { n: 1 }), rec(t, 1, 'b', { n: 2 })])).toEqual([]);
    expect(await write(task, [rec(t, 2, 'a', null), rec(t, 3, null, null), rec(t, 4, 'never-written', null)])).toEqual([]);
    expect([...(await docs(t)).keys()]).toEqual(['b']);
    // Write then delete within one batch: the delete wins, as it comes last.
    expect(await write(task, [rec(t, 5, 'c', { n: 3 }), rec(t, 6, 'c', null)])).toEqual([]);
    expect([...(await docs(t)).keys()]).toEqual(['b']);
  });

  it('reports a mapping conflict for just that record, and writes the others', async () => {
    const t = topic();
    const task = await start({ topics: t });
    const wrong = Schemas.struct([['id', Schemas.string()], ['name', Schemas.string()]]);
    const failed = await write(task, [
      rec(t, 0, 'k0', orderValue(0, 'fine'), order),
      rec(t, 1, 'k1', new Struct(wrong, { id: 'not a number', name: 'conflict' }), wrong),
      rec(t, 2, 'k2', orderValue(2, 'fine too'), order),
    ]);
    expect(failed.map((f) => f.index)).toEqual([1]);
    expect(failed[0]!.error).toBeInstanceOf(DataError);
    expect(failed[0]!.error.message).toMatch(/document_parsing_exception|mapper_parsing_exception/);
    expect([...(await docs(t)).keys()].sort()).toEqual(['k0', 'k2']);
  });

  it('behavior.on.malformed.documents=warn logs and skips a malformed document; ignore skips it quietly', async () => {
    const t = topic();
    await es.indices.create({ index: t, mappings: { properties: { n: { type: 'integer' } } } });
    for (const behavior of ['warn', 'ignore']) {
      warnings.length = 0;
      const task = await start({ topics: t, 'schema.ignore': 'true', 'behavior.on.malformed.documents': behavior });
      expect(await write(task, [rec(t, 0, `${behavior}-bad`, { n: 'abc' }), rec(t, 1, `${behavior}-ok`, { n: 1 })])).toEqual([]);
      expect(warnings).toHaveLength(behavior === 'warn' ? 1 : 0);
    }
    expect([...(await docs(t)).keys()].sort()).toEqual(['ignore-ok', 'warn-ok']);
  });

  it('fails a record whose key cannot be an id, unless drop.invalid.message drops it', async () => {
    const t = topic();
    const keySchema = Schemas.struct([['id', Schemas.int32()]]);
    const batch = [rec(t, 0, new Struct(keySchema, { id: 1 }), { n: 1 }, undefined, keySchema), rec(t, 1, 'fine', { n: 2 })];
    const strict = await start({ topics: t, 'schema.ignore': 'true' });
    const failed = await write(strict, batch);
    expect(failed.map((f) => [f.index, f.error.message])).toEqual([[0, 'STRUCT is not supported as the document id.']]);
    const dropping = await start({ topics: t, 'schema.ignore': 'true', 'drop.invalid.message': 'true' });
    expect(await write(dropping, batch)).toEqual([]);
    expect([...(await docs(t)).keys()]).toEqual(['fine']);
  });

  it('fails schemaless records when schema.ignore=false cannot derive a mapping', async () => {
    const t = topic();
    const task = await start({ topics: t });
    const failed = await write(task, [rec(t, 0, 'a', { n: 1 })]);
    expect(failed.map((f) => f.index)).toEqual([0]);
    expect(failed[0]!.error.message).toMatch(/Cannot infer mapping without schema/);
  });

  it('names the index after the topic: lower case, leading _ and - stripped', async () => {
    const base = uniqueIdent('es_sink_name');
    indices.push(base);
    const t = `_-${base.toUpperCase()}`;
    const task = await start({ topics: t, 'schema.ignore': 'true' });
    expect(await write(task, [rec(t, 0, 'a', { n: 1 })])).toEqual([]);
    expect([...(await docs(base)).keys()]).toEqual(['a']);
  });

  it('keeps the last write of a document with small concurrent bulk requests', async () => {
    const t = topic();
    const task = await start({ topics: t, 'schema.ignore': 'true', 'batch.size': '1', 'max.in.flight.requests': '5' });
    const batch = Array.from({ length: 30 }, (_, i) => rec(t, i, i % 3 === 0 ? 'hot' : `k${i}`, { seq: i, pad: 'x'.repeat(i * 50) }));
    expect(await write(task, batch)).toEqual([]);
    const stored = await docs(t);
    expect(stored.size).toBe(21);
    expect(stored.get('hot')!.seq).toBe(27);
  });

  it('splits by bulk.size.bytes and still writes every record', async () => {
    const t = topic();
    const task = await start({ topics: t, 'schema.ignore': 'true', 'bulk.size.bytes': '300' });
    const batch = Array.from({ length: 12 }, (_, i) => rec(t, i, `k${i}`, { text: 'y'.repeat(100) }));
    expect(await write(task, batch)).toEqual([]);
    expect((await docs(t)).size).toBe(12);
  });

  it('throws RetriableError after max.retries when Elasticsearch is unreachable', async () => {
    const port = await freePort();
    const task = await start({ topics: 'x', 'connection.url': `http://127.0.0.1:${port}`, 'max.retries': '2', 'retry.backoff.ms': '20', 'schema.ignore': 'true' });
    const started = Date.now();
    const e = await task.put([rec('x', 0, 'a', { n: 1 })], never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetriableError);
    expect((e as Error).message).toMatch(/after 2 retries: ConnectionError/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('bounds a put by flush.timeout.ms, and a request by read.timeout.ms, against a server that never answers', async () => {
    const port = await silentServer();
    const url = `http://127.0.0.1:${port}`;
    const stuck = await start({ topics: 'x', 'connection.url': url, 'schema.ignore': 'true', 'read.timeout.ms': '0', 'flush.timeout.ms': '1000' });
    const started = Date.now();
    const e = await stuck.put([rec('x', 0, 'a', { n: 1 })], never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetriableError);
    expect((e as Error).message).toMatch(/flush\.timeout\.ms \(1000 ms\)/);
    expect(Date.now() - started).toBeLessThan(4000);

    const slow = await start({ topics: 'x', 'connection.url': url, 'schema.ignore': 'true', 'read.timeout.ms': '200', 'max.retries': '1', 'retry.backoff.ms': '10' });
    const e2 = await slow.put([rec('x', 0, 'a', { n: 1 })], never).catch((x: unknown) => x);
    expect(e2).toBeInstanceOf(RetriableError);
    expect((e2 as Error).message).toMatch(/after 1 retries: TimeoutError/);
  });

  it('refuses data streams at start with a ConfigError', async () => {
    await expect(start({ topics: 'x', 'data.stream.type': 'logs', 'data.stream.dataset': 'app' })).rejects.toBeInstanceOf(ConfigError);
  });
});

/** A server that accepts connections and never answers. */
async function silentServer(): Promise<number> {
  const sockets = new Set<net.Socket>();
  const s = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const close = s.close.bind(s);
  s.close = ((cb?: (err?: Error) => void) => {
    for (const socket of sockets) socket.destroy();
    return close(cb);
  }) as typeof s.close;
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return (s.address() as net.AddressInfo).port;
}
