// The BigQuery sink against a real local BigQuery emulator (goccy/bigquery-emulator, stack service
// 'bigquery'): MySQL (MariaDB) → JdbcSource → Kafka → BigQuerySink with the table created from the
// Connect schema, a new column evolving it, and upserts through the intermediate table and MERGE;
// rows the emulator refuses (and records whose new fields are not allowed) in the dead letter
// queue; the Connect schema mapping (nested RECORD, REPEATED, logical types) and the conformance kit.
import type { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBigQuery } from '../../src/connectors/bigquery-sink/client.js';
import type { BigQuerySinkConfig } from '../../src/connectors/bigquery-sink/config.js';
import { bigQuerySink } from '../../src/connectors/bigquery-sink/index.js';
import { normalizeFields } from '../../src/connectors/bigquery-sink/schema.js';
import { Schemas, Struct } from '../../src/index.js';
import type { SinkRecord } from '../../src/records/record.js';
import { runConformance } from '../../src/testing/index.js';
import { requireServer, serviceEnv } from '../helpers/extra-service.js';
import { useWorker } from '../helpers/fixture.js';
import { readTopic, sendJson } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';
import { deleteTopics } from '../helpers/tconnect-process.js';

describe('BigQuery sink (goccy/bigquery-emulator)', () => {
  const fx = useWorker({ sdk: true, db: true });
  let endpoint: string;
  let project: string;
  let dataset: string;
  let bq: BigQuery;
  const topics: string[] = [];

  const sinkConfig = (extra: Record<string, string>) => ({
    'connector.class': 'com.wepay.kafka.connect.bigquery.BigQuerySinkConnector',
    project, defaultDataset: dataset, bigQueryEndpoint: endpoint, keySource: 'APPLICATION_DEFAULT',
    bigQueryRetry: '3', bigQueryRetryWait: '200',
    ...extra,
  });

  async function query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    const [rows] = await bq.query({ query: sql, useLegacySql: false });
    return rows as T[];
  }

  async function fields(table: string) {
    const [meta] = await bq.dataset(dataset).table(table).getMetadata();
    return normalizeFields(meta.schema?.fields);
  }

  beforeAll(async () => {
    endpoint = serviceEnv('BIGQUERY_EMULATOR_HOST', 'bigquery');
    project = serviceEnv('BIGQUERY_PROJECT', 'bigquery');
    await requireServer(`${endpoint}/bigquery/v2/projects/${project}/datasets`, 'bigquery');
    bq = createBigQuery({ project, bigQueryEndpoint: endpoint, keySource: 'APPLICATION_DEFAULT' } as BigQuerySinkConfig);
    dataset = uniqueIdent('tc_bq');
    await bq.createDataset(dataset);
  });

  afterAll(async () => {
    await bq?.dataset(dataset).delete({ force: true }).catch(() => undefined);
    await deleteTopics(topics);
  });

  it('MySQL → Kafka → BigQuery: creates the table from the schema, upserts an updated row, evolves the schema on a new column', async () => {
    const env = stackEnv();
    const table = uniqueIdent('bqorders');
    await fx.db.query(`CREATE TABLE \`${table}\` (id INT AUTO_INCREMENT PRIMARY KEY, item VARCHAR(20) NOT NULL, price DECIMAL(8,2) NOT NULL, sold DATE NULL,
      updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3))`);
    fx.cleanups.push(() => fx.db.query(`DROP TABLE IF EXISTS \`${table}\``));
    await fx.db.query(`INSERT INTO \`${table}\` (item, price, sold) VALUES ('pen', 1.50, '2024-03-01'), ('ink', 7.25, NULL), ('pad', 3.00, '2024-03-03')`);
    const topic = `mysql.${table}`;
    topics.push(topic);
    const bqTable = `mysql_${table}`;
    const src = `bqsrc-${table}`;
    const sink = `bq-${table}`;
    fx.cleanups.push(() => fx.sdk.delete(src), () => fx.sdk.delete(sink));
    await fx.sdk.create({ name: src, config: {
      'connector.class': 'JdbcSource',
      'connection.url': `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`,
      'connection.user': env.MYSQL_USER, 'connection.password': env.MYSQL_PASSWORD,
      mode: 'timestamp+incrementing', 'timestamp.column.name': 'updated_at', 'incrementing.column.name': 'id',
      'table.whitelist': table, 'topic.prefix': 'mysql.', 'poll.interval.ms': '200',
      transforms: 'k', 'transforms.k.type': 'ValueToKey', 'transforms.k.fields': 'id',
    } });
    await fx.sdk.create({ name: sink, config: sinkConfig({
      topics: topic, sanitizeTopics: 'true', autoCreateTables: 'true', allowNewBigQueryFields: 'true',
      upsertEnabled: 'true', kafkaKeyFieldName: 'kafkaKey', mergeIntervalMs: '10000',
      // The emulator has no partition decorators and cannot parse an INSERT of _PARTITIONTIME.
      bigQueryPartitionDecorator: 'false',
    }) });

    const count = async () => Number((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${dataset}.${bqTable}\``))[0]?.n);
    await waitFor(async () => (await count().catch(() => 0)) === 3, { what: '3 rows in BigQuery', timeout: 90_000 });
    const created = await fields(bqTable);
    expect(created.map((f) => `${f.name} ${f.type} ${f.mode}`)).toEqual([
      'id INTEGER REQUIRED', 'item STRING REQUIRED', 'price FLOAT REQUIRED', 'sold DATE NULLABLE', 'updated_at TIMESTAMP REQUIRED', 'kafkaKey RECORD NULLABLE',
    ]);
    expect(created.at(-1)!.fields?.map((f) => f.name)).toEqual(['id']);
    const ink = (await query<{ item: string; price: number; sold: unknown; k: number }>(`SELECT item, price, sold, kafkaKey.id AS k FROM \`${dataset}.${bqTable}\` WHERE id = 2`))[0];
    expect(ink).toMatchObject({ item: 'ink', price: 7.25, sold: null, k: 2 });

    // An update: the same key, merged into its row (no second row).
    await fx.db.query(`UPDATE \`${table}\` SET price = 9.99 WHERE id = 2`);
    await waitFor(async () => (await query<{ price: number }>(`SELECT price FROM \`${dataset}.${bqTable}\` WHERE id = 2`))[0]?.price === 9.99, { what: 'the upserted price', timeout: 90_000 });
    expect(await count()).toBe(3);

    // A new column: the source's schema gains it, the table's schema gains it as NULLABLE. The
    // emulator (v0.8.1) records the new schema but does not add the column to its storage (nor
    // does its ALTER TABLE), so the row itself cannot land there: only the schema change is proven.
    await fx.db.query(`ALTER TABLE \`${table}\` ADD COLUMN note VARCHAR(40) NULL`);
    await fx.db.query(`INSERT INTO \`${table}\` (item, price, note) VALUES ('cap', 2.00, 'new column')`);
    const evolved = await waitFor(async () => {
      const f = await fields(bqTable);
      return f.some((x) => x.name === 'note') ? f : null;
    }, { what: 'the new column in the table schema', timeout: 90_000 });
    expect(evolved.map((f) => `${f.name} ${f.type} ${f.mode}`)).toEqual([
      'id INTEGER REQUIRED', 'item STRING REQUIRED', 'price FLOAT REQUIRED', 'sold DATE NULLABLE', 'updated_at TIMESTAMP REQUIRED', 'kafkaKey RECORD NULLABLE', 'note STRING NULLABLE',
    ]);
  });

  it('sends rows BigQuery refuses, and records with fields the table may not gain, to the DLQ; writes the rest', async () => {
    const topic = uniqueIdent('bqdlq');
    const dlq = `${topic}-dlq`;
    topics.push(topic, dlq);
    await bq.dataset(dataset).createTable(topic, { schema: { fields: [{ name: 'qty', type: 'INTEGER', mode: 'REQUIRED' }, { name: 'label', type: 'STRING', mode: 'NULLABLE' }] } });
    await sendJson(topic, [{ qty: 1, label: 'a' }, { qty: 'not a number', label: 'b' }, { qty: 3, extra: 'not allowed' }, { qty: 4 }], 0);
    const name = `bqdlq-${topic}`;
    fx.cleanups.push(() => fx.sdk.delete(name));
    await fx.sdk.create({ name, config: sinkConfig({
      topics: topic, autoCreateTables: 'false', allowNewBigQueryFields: 'false', bigQueryPartitionDecorator: 'false',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false',
      'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq, 'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    }) });
    const dead = await readTopic(dlq, 2, 90_000);
    const byOffset = new Map(dead.map((d) => [d.headers['__connect.errors.offset'], d]));
    expect([...byOffset.keys()].sort()).toEqual(['1', '2']);
    expect(byOffset.get('1')!.headers['__connect.errors.stage']).toBe('TASK_PUT');
    expect(byOffset.get('1')!.headers['__connect.errors.exception.message']).toMatch(/qty|integer|int64|invalid/i);
    expect(byOffset.get('2')!.headers['__connect.errors.exception.message']).toMatch(/New Field found with the name extra.*allowNewBigQueryFields/);
    const rows = await waitFor(async () => {
      const r = await query<{ qty: number }>(`SELECT qty FROM \`${dataset}.${topic}\` ORDER BY qty`);
      return r.length === 2 ? r : null;
    }, { what: '2 good rows' });
    expect(rows.map((r) => r.qty)).toEqual([1, 4]);
  });

  it('maps nested structs, arrays, maps and logical types, and passes the conformance kit', async () => {
    const table = uniqueIdent('bqkit');
    const address = Schemas.struct([['city', Schemas.string()], ['zip', Schemas.string({ optional: true })]]);
    const schema = Schemas.struct([
      ['n', Schemas.int64()], ['tags', Schemas.array(Schemas.string())], ['address', address],
      ['attrs', Schemas.map(Schemas.string(), Schemas.int32())], ['amount', Schemas.decimal(2)],
      ['day', Schemas.date()], ['at', Schemas.timestamp()], ['clock', Schemas.time()], ['raw', Schemas.bytes({ optional: true })],
    ]);
    const records = (): SinkRecord[] => [0, 1, 2].map((i) => ({
      topic: 'kit', kafkaPartition: 0, kafkaOffset: i, originalTopic: 'kit', originalKafkaPartition: 0, originalKafkaOffset: i, key: null, headers: [],
      value: new Struct(schema, {
        n: i, tags: ['x', `t${i}`], address: new Struct(address, { city: 'Lyon', zip: null }), attrs: new Map([['a', i]]), amount: `${i}.25`,
        day: new Date(Date.UTC(2024, 0, i + 1)), at: new Date(Date.UTC(2024, 0, 1, 12, 0, i, 5)), clock: new Date(Date.UTC(1970, 0, 1, 8, 30, i)), raw: Buffer.from([i]),
      }),
      valueSchema: schema,
    }));
    const count = async () => Number((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${dataset}.${table}\``).catch(() => [{ n: 0 }]))[0]?.n);
    const results = await runConformance({
      plugin: bigQuerySink,
      config: { topics: 'kit', project, defaultDataset: dataset, bigQueryEndpoint: endpoint, keySource: 'APPLICATION_DEFAULT', topic2TableMap: `kit:${table}`, bigQueryPartitionDecorator: 'false' },
      invalid: [{ patch: { topic2TableMap: 'kit' }, key: 'topic2TableMap' }, { patch: { upsertEnabled: 'true' }, key: 'kafkaKeyFieldName' }, { patch: { keySource: 'JSON', keyfile: 'not json' }, key: 'keyfile' }],
      broken: { defaultDataset: 'no_such_dataset', topic2TableMap: '' },
      records,
      reset: async () => void await bq.dataset(dataset).table(table).delete({ ignoreNotFound: true }),
      count,
      idempotent: false,
    });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const got = await fields(table);
    expect(got.map((f) => `${f.name} ${f.type} ${f.mode}`)).toEqual([
      'n INTEGER REQUIRED', 'tags STRING REPEATED', 'address RECORD REQUIRED', 'attrs RECORD REPEATED', 'amount FLOAT REQUIRED',
      'day DATE REQUIRED', 'at TIMESTAMP REQUIRED', 'clock TIME REQUIRED', 'raw BYTES NULLABLE',
    ]);
    expect(got.find((f) => f.name === 'attrs')!.fields?.map((f) => `${f.name} ${f.type}`)).toEqual(['key STRING', 'value INTEGER']);
    const [row] = await query<Record<string, unknown>>(`SELECT n, tags, address.city AS city, amount, CAST(day AS STRING) AS day, CAST(clock AS STRING) AS clock, attrs[OFFSET(0)].value AS a FROM \`${dataset}.${table}\` WHERE n = 1`);
    expect(row).toMatchObject({ n: 1, tags: ['x', 't1'], city: 'Lyon', amount: 1.25, day: '2024-01-02', clock: '08:30:01', a: 1 });
  });
});
