import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { jdbcConnection, jdbcIncrementing, produce } from '../helpers/connectors.js';
import { useWorker } from '../helpers/fixture.js';
import { readTopic } from '../helpers/kafka.js';
import { readRaw, registryCall, schemaById, setCompatibility, subjectVersions, useRegistryConnectors } from '../helpers/registry.js';
import { stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';

// AvroConverter against the stack's real Schema Registry (Apicurio Registry's Confluent-compatible
// API), Kafka, MariaDB and Elasticsearch. What we write is read back by plain code here (avsc + the
// registry's HTTP API), and what plain code writes is read by our sinks.

const AVRO = 'io.confluent.connect.avro.AvroConverter';

describe('AvroConverter with a real Schema Registry', () => {
  const fx = useWorker({ temporal: true, db: true, es: true, passwordEnv: true });
  const sr = useRegistryConnectors(fx);

  const avroKeys = (prefix: 'value' | 'key' = 'value') => ({ [`${prefix}.converter`]: AVRO, [`${prefix}.converter.schema.registry.url`]: sr.url });

  it('JDBC source → Avro topic a plain registry-aware consumer reads; a compatible change registers version 2, an incompatible one is dead-lettered with the registry\'s message', async () => {
    const table = uniqueIdent('sr_avro_src');
    sr.tables.push(table);
    const topic = `${table}`;
    const dlq = `${table}-dlq`;
    await fx.db.query(`CREATE TABLE \`${table}\` (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(40) NOT NULL, price DECIMAL(10,2), qty INT NOT NULL, day DATE)`);
    await fx.db.query(`INSERT INTO \`${table}\` (name, price, qty, day) VALUES ('apple', 1.25, 3, '2024-01-02'), ('pear', NULL, 5, NULL)`);
    await setCompatibility(`${topic}-value`, 'BACKWARD');
    const name = `src-${table}`;
    await sr.connectors.start(name, {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
      ...jdbcIncrementing(table, '${env:TC_TEST_MYSQL_PASSWORD}'),
      'topic.prefix': '',
      'poll.interval.ms': '200',
      ...avroKeys(),
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': dlq,
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });

    const first = await readRaw(topic, 2);
    const decoded = await Promise.all(first.map(async (m) => {
      const bytes = m.value!;
      expect(bytes[0]).toBe(0);
      const id = bytes.readInt32BE(1);
      const { schema } = await schemaById(id);
      const type = avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
      return { id, schema: JSON.parse(schema) as { name: string; fields: Array<{ name: string; type: unknown }> }, value: type.fromBuffer(bytes.subarray(5)) as Record<string, unknown> };
    }));
    expect(decoded[0]!.schema.name).toBe(table);
    expect(decoded[0]!.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'price', 'qty', 'day']);
    expect(decoded[0]!.value).toMatchObject({ id: 1, name: 'apple', qty: 3, day: 19724 });
    // DECIMAL(10,2) 1.25: unscaled 125 as big-endian two's complement bytes, as Connect's Decimal.
    expect(Buffer.from(decoded[0]!.value.price as Buffer).toString('hex')).toBe('7d');
    expect(decoded[1]!.value).toMatchObject({ id: 2, name: 'pear', price: null, qty: 5, day: null });
    expect(await subjectVersions(`${topic}-value`)).toEqual([1]);

    // Compatible: a nullable column more is an optional field with a null default.
    await fx.db.query(`ALTER TABLE \`${table}\` ADD COLUMN note VARCHAR(20) NULL`);
    await fx.db.query(`INSERT INTO \`${table}\` (name, price, qty, note) VALUES ('plum', 2.5, 7, 'ripe')`);
    const third = (await readRaw(topic, 3))[2]!;
    const v2 = await schemaById(third.value!.readInt32BE(1));
    expect(JSON.parse(v2.schema).fields.map((f: { name: string }) => f.name)).toEqual(['id', 'name', 'price', 'qty', 'day', 'note']);
    expect(await subjectVersions(`${topic}-value`)).toEqual([1, 2]);

    // Incompatible under BACKWARD: qty becomes a string. The registry refuses; errors.tolerance=all dead-letters it.
    await fx.db.query(`ALTER TABLE \`${table}\` MODIFY COLUMN qty VARCHAR(10) NOT NULL`);
    await fx.db.query(`INSERT INTO \`${table}\` (name, price, qty) VALUES ('fig', 1, 'many')`);
    const [dead] = await readTopic(dlq, 1);
    expect(dead!.headers['__connect.errors.stage']).toBe('VALUE_CONVERTER');
    expect(dead!.headers['__connect.errors.class.name']).toBe(AVRO);
    expect(dead!.headers['__connect.errors.exception.message']).toMatch(/Failed to serialize Avro data from topic .*(incompatible|Incompatible).*error code: 409/);
    expect(dead!.value).toContain('many');
    expect(await subjectVersions(`${topic}-value`)).toEqual([1, 2]);
    const status = await sr.connectors.status(name);
    expect(status.tasks[0]?.state).toBe('RUNNING');
  });

  it('Avro written by plain code (avsc + the registry API) → Elasticsearch sink and JDBC sink', async () => {
    const topic = uniqueIdent('sr_avro_sink');
    sr.tables.push(topic);
    const schema = {
      type: 'record', name: 'Order', namespace: 'shop',
      fields: [
        { name: 'id', type: 'int' },
        { name: 'item', type: 'string' },
        { name: 'qty', type: ['null', 'int'], default: null },
        { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      ],
    };
    const { id } = await registryCall<{ id: number }>('POST', `/subjects/${topic}-value/versions`, { schema: JSON.stringify(schema) });
    const type = avro.Type.forSchema(schema as avro.Schema);
    const enc = (v: object) => Buffer.concat([Buffer.from([0]), Buffer.from([id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255]), type.toBuffer(v)]);
    const at = Date.UTC(2024, 4, 1, 12, 0, 0);
    await produce(topic, 1, [
      { key: 'o-1', value: enc({ id: 1, item: 'tea', qty: 2, price: Buffer.from([0x04, 0xd2]), at }) },
      { key: 'o-2', value: enc({ id: 2, item: 'cake', qty: null, price: Buffer.from([0xff, 0x38]), at }) },
      { key: 'bad', value: Buffer.from('{"not":"avro"}') },
    ]);
    const common = { topics: topic, ...avroKeys(), 'key.converter': 'org.apache.kafka.connect.storage.StringConverter', 'errors.tolerance': 'all' };
    await sr.connectors.start(`es-${topic}`, {
      'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
      'connection.url': stackEnv().ELASTICSEARCH_URL,
      'key.ignore': 'false', 'schema.ignore': 'false',
      ...common,
    });
    await sr.connectors.start(`jdbc-${topic}`, {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      ...jdbcConnection('${env:TC_TEST_MYSQL_PASSWORD}'),
      'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id',
      ...common,
    });
    const rows = await waitFor(async () => {
      const [r] = await fx.db.query(`SELECT id, item, qty, price, at FROM \`${topic}\` ORDER BY id`).catch(() => [[]]);
      return (r as unknown[]).length === 2 ? (r as Array<Record<string, unknown>>) : undefined;
    }, { what: '2 rows in MariaDB', timeout: 60_000 });
    expect(rows.map((r) => [r.id, r.item, r.qty, String(r.price)])).toEqual([[1, 'tea', 2, '12.34'], [2, 'cake', null, '-2.00']]);
    const docs = await waitFor(async () => {
      await fx.es.indices.refresh({ index: topic }).catch(() => undefined);
      const r = await fx.es.search({ index: topic, sort: ['id'] }).catch(() => undefined);
      return r && r.hits.hits.length === 2 ? r.hits.hits : undefined;
    }, { what: '2 documents in Elasticsearch', timeout: 60_000 });
    expect(docs.map((d) => [d._id, (d._source as { item: string }).item])).toEqual([['o-1', 'tea'], ['o-2', 'cake']]);
    expect((docs[0]!._source as { price: unknown }).price).toBe(12.34);
  });
});
