import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, Connection } from '@temporalio/client';
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import { JsonConverter } from '../../src/converters/json-converter.js';
import { Schemas, Struct } from '../../src/records/schema.js';
import { elastic, temporalClient } from '../helpers/clients.js';
import { Connectors, deleteKafkaResources, groupOffsets, produce, sinkOffsetMap } from '../helpers/connectors.js';
import { readTopic } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';
import { testWorker } from '../helpers/worker.js';

// Transforms and predicates on sink connectors, end to end on the real stack:
// Kafka (records produced by kafkajs with real headers and timestamps) → sink task workflow →
// converters → transform chain → Elasticsearch sink → Elasticsearch, with offsets committed to
// the consumer group connect-<name> and reported by the connector's offsets query.

const env = stackEnv();
const DAY1 = Date.UTC(2024, 4, 6, 12, 0, 0);
const DAY2 = Date.UTC(2024, 4, 7, 1, 30, 0);

describe('transforms on an Elasticsearch sink (real Kafka, Temporal and Elasticsearch)', () => {
  let worker: Awaited<ReturnType<typeof testWorker>>;
  let client: Client;
  let conn: Connection;
  let connectors: Connectors;
  let es: ElasticClient;
  const topics: string[] = [];
  const groups: string[] = [];
  const indexPrefixes: string[] = [];

  beforeAll(async () => {
    worker = await testWorker();
    ({ client, connection: conn } = await temporalClient());
    connectors = new Connectors(client, worker.taskQueue);
    es = elastic();
  });

  afterAll(async () => {
    await connectors?.cancelAll();
    await deleteKafkaResources(topics, groups);
    for (const p of indexPrefixes) {
      const names = await indicesLike(p);
      if (names.length) await es.indices.delete({ index: names, ignore_unavailable: true });
    }
    await worker?.shutdown();
    await conn?.close();
    await es?.close();
  });

  /** A fresh base name; its topics, indices (base*), group and DLQ are cleaned up after the file. */
  function base(prefix: string): string {
    const b = uniqueIdent(prefix);
    indexPrefixes.push(b);
    return b;
  }

  async function sink(name: string, config: Record<string, string>) {
    groups.push(`connect-${name}`);
    return connectors.start(name, {
      'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
      'connection.url': env.ELASTICSEARCH_URL,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'schema.ignore': 'true',
      'tasks.max': '1',
      'temporal.batch.max.ms': '500',
      'temporal.idle.wait.ms': '300',
      ...config,
    });
  }

  async function produceTo(topic: string, partitions: number, messages: Parameters<typeof produce>[2]) {
    topics.push(topic);
    await produce(topic, partitions, messages);
  }

  /** Index names starting with prefix. */
  async function indicesLike(prefix: string): Promise<string[]> {
    const r = await es.cat.indices({ index: `${prefix}*`, format: 'json', h: 'index' }).catch(() => []);
    return (r as Array<{ index?: string }>).map((x) => x.index!).sort();
  }

  async function docs(index: string): Promise<Map<string, Record<string, unknown>>> {
    await es.indices.refresh({ index });
    const r = await es.search<Record<string, unknown>>({ index, size: 1000, query: { match_all: {} } });
    return new Map(r.hits.hits.map((h) => [h._id!, h._source!]));
  }

  /** Waits until the connector reports (and the group holds) exactly these committed offsets. */
  async function committed(name: string, expected: Record<string, number>) {
    const reported = await waitFor(async () => {
      const o = sinkOffsetMap(await connectors.offsets(name));
      return JSON.stringify(sorted(o)) === JSON.stringify(sorted(expected)) ? o : undefined;
    }, { what: `offsets of ${name} = ${JSON.stringify(expected)}`, timeout: 60_000, interval: 500 });
    const group = await waitFor(async () => {
      const g = await groupOffsets(`connect-${name}`);
      return JSON.stringify(sorted(g)) === JSON.stringify(sorted(expected)) ? g : undefined;
    }, { what: `group connect-${name} offsets`, timeout: 30_000, interval: 500 });
    return { reported, group };
  }

  it('RegexRouter + TimestampRouter write to the routed, dated indices while offsets commit to the original topic-partitions', async () => {
    const b = base('smt_route');
    const topic = `${b}_src`;
    const name = `route-${b}`;
    // Partition 0: 3 records of day 1 and 1 of day 2; partition 1: 2 of day 2.
    await produceTo(topic, 2, [
      { partition: 0, value: '{"n":0}', timestamp: DAY1 },
      { partition: 0, value: '{"n":1}', timestamp: DAY1 },
      { partition: 0, value: '{"n":2}', timestamp: DAY1 + 3_600_000 },
      { partition: 0, value: '{"n":3}', timestamp: DAY2 },
      { partition: 1, value: '{"n":10}', timestamp: DAY2 },
      { partition: 1, value: '{"n":11}', timestamp: DAY2 },
    ]);
    await sink(name, {
      topics: topic,
      'tasks.max': '2',
      'key.ignore': 'true',
      transforms: 'route,daily',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
      'transforms.route.regex': '(.*)_src',
      'transforms.route.replacement': '$1_routed',
      'transforms.daily.type': 'TimestampRouter',
      'transforms.daily.topic.format': '${topic}-${timestamp}',
      'transforms.daily.timestamp.format': 'yyyy.MM.dd',
    });

    const { reported, group } = await committed(name, { [`${topic}:0`]: 4, [`${topic}:1`]: 2 });
    // Only the original topic-partitions, never the routed names.
    expect(Object.keys(reported).sort()).toEqual([`${topic}:0`, `${topic}:1`]);
    expect(Object.keys(group).sort()).toEqual([`${topic}:0`, `${topic}:1`]);
    expect((await connectors.status(name)).tasks.map((t) => t.state)).toEqual(['RUNNING', 'RUNNING']);

    const day1 = `${b}_routed-2024.05.06`;
    const day2 = `${b}_routed-2024.05.07`;
    expect(await indicesLike(b)).toEqual([day1, day2]);
    // key.ignore ids are <topic>+<partition>+<offset>: the routed topic, the original partition and offset.
    const d1 = await docs(day1);
    expect([...d1.keys()].sort()).toEqual([`${day1}+0+0`, `${day1}+0+1`, `${day1}+0+2`]);
    expect(d1.get(`${day1}+0+2`)).toEqual({ n: 2 });
    const d2 = await docs(day2);
    expect([...d2.keys()].sort()).toEqual([`${day2}+0+3`, `${day2}+1+0`, `${day2}+1+1`]);
    expect(d2.get(`${day2}+1+1`)).toEqual({ n: 11 });

    // A later record still commits to the original partition and lands by its own timestamp.
    await produce(topic, 2, [{ partition: 1, value: '{"n":12}', timestamp: DAY1 }]);
    await committed(name, { [`${topic}:0`]: 4, [`${topic}:1`]: 3 });
    expect((await docs(day1)).get(`${day1}+1+2`)).toEqual({ n: 12 });
    await connectors.cancelAndWait(name);
  });

  it('MaskField and ReplaceField (exclude + renames) shape the Elasticsearch documents and the mapping derived from the transformed schema', async () => {
    const b = base('smt_mask');
    const topic = b;
    const name = `mask-${b}`;
    const person = Schemas.struct([
      ['id', Schemas.int32()],
      ['name', Schemas.string()],
      ['email', Schemas.string()],
      ['ssn', Schemas.string()],
      ['salary', Schemas.int32()],
      ['internal', Schemas.string({ optional: true })],
    ], { name: 'person' });
    const json = new JsonConverter();
    json.configure({}, false);
    const value = (id: number, n: string, ssn: string, salary: number) =>
      json.fromConnectData(topic, person, new Struct(person, { id, name: n, email: `${n.toLowerCase()}@example.com`, ssn, salary, internal: 'do-not-index' }));
    await produceTo(topic, 1, [
      { key: 'p1', value: value(1, 'Ada', '123-45-6789', 120000) },
      { key: 'p2', value: value(2, 'Grace', '987-65-4321', 130000) },
    ]);
    await sink(name, {
      topics: topic,
      // Schema'd JSON this time: the index mapping is derived from the transformed value schema.
      'value.converter.schemas.enable': 'true',
      'schema.ignore': 'false',
      transforms: 'maskSsn,maskSalary,shape',
      'transforms.maskSsn.type': 'org.apache.kafka.connect.transforms.MaskField$Value',
      'transforms.maskSsn.fields': 'ssn',
      'transforms.maskSsn.replacement': '***-**-****',
      'transforms.maskSalary.type': 'MaskField$Value',
      'transforms.maskSalary.fields': 'salary',
      'transforms.shape.type': 'org.apache.kafka.connect.transforms.ReplaceField$Value',
      'transforms.shape.exclude': 'internal',
      'transforms.shape.renames': 'name:full_name,email:contact',
    });
    await committed(name, { [`${topic}:0`]: 2 });

    const stored = await docs(topic);
    expect(Object.fromEntries(stored)).toEqual({
      p1: { id: 1, full_name: 'Ada', contact: 'ada@example.com', ssn: '***-**-****', salary: 0 },
      p2: { id: 2, full_name: 'Grace', contact: 'grace@example.com', ssn: '***-**-****', salary: 0 },
    });
    const mapping = (await es.indices.getMapping({ index: topic }))[topic]!.mappings.properties!;
    expect(Object.keys(mapping).sort()).toEqual(['contact', 'full_name', 'id', 'salary', 'ssn']);
    expect(mapping.salary).toEqual({ type: 'integer' });
    // Nothing anywhere in the index still holds the masked or excluded values.
    await es.indices.refresh({ index: topic });
    const leaks = await es.search({ index: topic, query: { query_string: { query: '"123-45-6789" OR "do-not-index" OR 120000', lenient: true } } });
    expect((leaks.hits.total as { value: number }).value).toBe(0);
    await connectors.cancelAndWait(name);
  });

  it('Filter with TopicNameMatches (and negate), HasHeaderKey on real Kafka headers and RecordIsTombstone drops exactly what it should', async () => {
    const b = base('smt_filter');
    const orders = `${b}_orders`;
    const audit = `${b}_orders_audit`;
    const misc = `${b}_misc`;
    const name = `filter-${b}`;
    await produceTo(orders, 2, [
      { partition: 0, key: 'k1', value: '{"id":1}' },
      { partition: 0, key: 'k2', value: null }, // tombstone
      { partition: 0, key: 'k3', value: '{"id":3}', headers: { debug: 'yes' } },
      { partition: 1, key: 'k4', value: '{"id":4}', headers: { trace: 'abc', 'x-debug': '1' } },
      { partition: 1, key: 'k5', value: '{"id":5}', headers: { debug: '' } },
      { partition: 1, key: 'k6', value: null, headers: { trace: 'tombstone with a header' } },
      { partition: 1, key: 'k7', value: '{"id":7}' },
    ]);
    await produceTo(audit, 1, [{ key: 'a1', value: '{"id":100}' }, { key: 'a2', value: '{"id":101}' }]);
    await produceTo(misc, 1, [{ key: 'm1', value: '{"id":200}' }]);

    await sink(name, {
      topics: `${orders},${audit},${misc}`,
      transforms: 'onlyOrders,dropAudit,dropTombstones,dropDebug',
      // Negated: drops every record whose topic does NOT match.
      'transforms.onlyOrders.type': 'org.apache.kafka.connect.transforms.Filter',
      'transforms.onlyOrders.predicate': 'isOrders',
      'transforms.onlyOrders.negate': 'true',
      'transforms.dropAudit.type': 'Filter',
      'transforms.dropAudit.predicate': 'isAudit',
      'transforms.dropTombstones.type': 'Filter',
      'transforms.dropTombstones.predicate': 'isTombstone',
      'transforms.dropDebug.type': 'Filter',
      'transforms.dropDebug.predicate': 'hasDebug',
      predicates: 'isOrders,isAudit,isTombstone,hasDebug',
      'predicates.isOrders.type': 'org.apache.kafka.connect.transforms.predicates.TopicNameMatches',
      'predicates.isOrders.pattern': '.*_orders.*',
      'predicates.isAudit.type': 'TopicNameMatches',
      'predicates.isAudit.pattern': '.*_audit',
      'predicates.isTombstone.type': 'org.apache.kafka.connect.transforms.predicates.RecordIsTombstone',
      'predicates.hasDebug.type': 'HasHeaderKey',
      'predicates.hasDebug.name': 'debug',
      // behavior.on.null.values stays 'fail' and errors.tolerance 'none': a tombstone that got
      // through would fail the task.
    });

    // Every record is committed, the dropped ones included.
    await committed(name, { [`${orders}:0`]: 3, [`${orders}:1`]: 4, [`${audit}:0`]: 2, [`${misc}:0`]: 1 });
    expect((await connectors.status(name)).tasks.map((t) => t.state)).toEqual(['RUNNING']);
    expect(await indicesLike(b)).toEqual([orders]);
    // k1: plain; k4: other headers only (x-debug is not debug); k7: plain.
    expect(Object.fromEntries(await docs(orders))).toEqual({ k1: { id: 1 }, k4: { id: 4 }, k7: { id: 7 } });
    await connectors.cancelAndWait(name);
  });

  it('a transform failing on a record: with errors.tolerance=all it goes to the DLQ with its original bytes and headers and the rest flows; with none the task FAILS with a trace', async () => {
    const b = base('smt_fail');
    const topic = b;
    const dlq = `${b}-dlq`;
    topics.push(dlq);
    const good = (item: string, qty: string) => JSON.stringify({ item, qty });
    await produceTo(topic, 1, [
      { key: 'a', value: good('a', '3'), headers: { origin: 'shop' } },
      { key: 'b', value: good('b', 'lots'), headers: { origin: 'shop', 'trace-id': 't-42' } },
      { key: 'c', value: good('c', '5'), headers: { origin: 'shop' } },
    ]);
    const chain = {
      topics: topic,
      // DropHeaders runs first: the DLQ must still get the record's original headers.
      transforms: 'dropOrigin,qtyToInt',
      'transforms.dropOrigin.type': 'DropHeaders',
      'transforms.dropOrigin.headers': 'origin',
      'transforms.qtyToInt.type': 'org.apache.kafka.connect.transforms.Cast$Value',
      'transforms.qtyToInt.spec': 'qty:int32',
    };

    const tolerant = `tolerant-${b}`;
    await sink(tolerant, {
      ...chain,
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': dlq,
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    await committed(tolerant, { [`${topic}:0`]: 3 });
    expect((await connectors.status(tolerant)).tasks.map((t) => t.state)).toEqual(['RUNNING']);
    expect(Object.fromEntries(await docs(topic))).toEqual({ a: { item: 'a', qty: 3 }, c: { item: 'c', qty: 5 } });

    const [dead] = await readTopic(dlq, 1);
    expect(dead.key).toBe('b');
    expect(dead.value).toBe(good('b', 'lots'));
    expect(dead.headers.origin).toBe('shop');
    expect(dead.headers['trace-id']).toBe('t-42');
    expect(dead.headers['__connect.errors.stage']).toBe('TRANSFORMATION');
    // The failing transform's own class, as Connect (the source side writes the same: transforms-source).
    expect(dead.headers['__connect.errors.class.name']).toBe('org.apache.kafka.connect.transforms.Cast$Value');
    expect(dead.headers['__connect.errors.topic']).toBe(topic);
    expect(dead.headers['__connect.errors.partition']).toBe('0');
    expect(dead.headers['__connect.errors.offset']).toBe('1');
    expect(dead.headers['__connect.errors.connector.name']).toBe(tolerant);
    expect(dead.headers['__connect.errors.exception.message']).toBeTruthy();
    await connectors.cancelAndWait(tolerant);

    // The same records under errors.tolerance=none: the task fails on offset 1, and nothing of
    // that batch is committed.
    const strict = `strict-${b}`;
    await sink(strict, chain);
    const failed = await connectors.waitForTasks(strict, 'FAILED');
    const trace = failed.tasks[0].trace!;
    expect(trace).toContain('TRANSFORMATION');
    expect(trace).toContain(`topic ${topic}, partition 0, offset 1`);
    expect(trace).toContain("Transformation 'qtyToInt' (org.apache.kafka.connect.transforms.Cast$Value)");
    expect(failed.connector.state).toBe('RUNNING');
    expect(await groupOffsets(`connect-${strict}`)).toEqual({});
    await connectors.cancelAndWait(strict);
  });
});

function sorted(o: Record<string, number>): Array<[string, number]> {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}
