// The conformance kit on the built-in JDBC and Elasticsearch connectors against the stack's servers.
import type { RowDataPacket } from 'mysql2/promise';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elasticsearchSink } from '../../src/connectors/elasticsearch-sink/index.js';
import { jdbcSink } from '../../src/connectors/jdbc-sink/index.js';
import { jdbcSource } from '../../src/connectors/jdbc-source/index.js';
import type { SinkRecord } from '../../src/records/record.js';
import { Schemas, Struct } from '../../src/records/schema.js';
import { runConformance } from '../../src/testing/index.js';
import { elastic, mysqlConnection } from '../helpers/clients.js';
import { jdbcIncrementing } from '../helpers/connectors.js';
import { stackEnv, uniqueIdent } from '../helpers/stack.js';

describe('conformance kit: built-in connectors on the stack', () => {
  const env = stackEnv();
  const tables: string[] = [];
  let db: mysql.Connection;

  beforeAll(async () => {
    db = await mysqlConnection();
  });
  afterAll(async () => {
    for (const t of tables) await db?.query(`DROP TABLE IF EXISTS \`${t}\``);
    await db?.end();
  });

  const table = (prefix: string) => {
    const t = uniqueIdent(prefix);
    tables.push(t);
    return t;
  };

  it('JdbcSource passes', async () => {
    const t = table('kit_src');
    await db.query(`CREATE TABLE \`${t}\` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)`);
    let seeded = 0;
    const results = await runConformance({
      plugin: jdbcSource,
      config: { ...jdbcIncrementing(t), 'topic.prefix': 'kit.', 'batch.max.rows': '3' },
      invalid: [{ patch: { mode: 'sometimes' }, key: 'mode' }],
      broken: { 'connection.password': 'not-the-password', 'connection.attempts': '1' },
      async seed() {
        await db.query(`INSERT INTO \`${t}\` (v) VALUES ?`, [Array.from({ length: 9 }, (_, i) => [`row-${seeded + i}`])]);
        seeded += 9;
        return seeded;
      },
    });
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('JdbcSink passes, idempotent with upserts', async () => {
    const t = table('kit_sink');
    const schema = Schemas.struct([['id', Schemas.int64()], ['name', Schemas.string()]]);
    const records = (): SinkRecord[] => Array.from({ length: 6 }, (_, i) => ({
      topic: t, kafkaPartition: 0, kafkaOffset: i, originalTopic: t, originalKafkaPartition: 0, originalKafkaOffset: i,
      key: null, value: new Struct(schema, { id: i, name: `n${i}` }), valueSchema: schema, headers: [],
    }));
    const results = await runConformance({
      plugin: jdbcSink,
      config: {
        'connection.url': `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`,
        'connection.user': env.MYSQL_USER, 'connection.password': env.MYSQL_PASSWORD,
        topics: t, 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id',
      },
      invalid: [{ patch: { 'insert.mode': 'merge' }, key: 'insert.mode' }],
      broken: { 'connection.password': 'not-the-password' },
      records,
      reset: async () => void (await db.query(`DROP TABLE IF EXISTS \`${t}\``)),
      count: async () => {
        const [r] = await db.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${t}\``).catch(() => [[{ n: 0 }] as RowDataPacket[]]);
        return Number(r[0].n);
      },
      idempotent: true,
    });
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('ElasticsearchSink passes, idempotent by document id', async () => {
    const index = uniqueIdent('kit-es');
    const es = elastic();
    try {
      const records = (): SinkRecord[] => Array.from({ length: 6 }, (_, i) => ({
        topic: index, kafkaPartition: 0, kafkaOffset: i, originalTopic: index, originalKafkaPartition: 0, originalKafkaOffset: i,
        key: null, value: { n: i }, valueSchema: null, headers: [],
      }));
      const results = await runConformance({
        plugin: elasticsearchSink,
        config: { 'connection.url': env.ELASTICSEARCH_URL, topics: index, 'key.ignore': 'true', 'schema.ignore': 'true' },
        invalid: [{ patch: { 'write.method': 'replace' }, key: 'write.method' }],
        // Nothing listens on port 1: the put cannot reach a cluster.
        broken: { 'connection.url': 'http://127.0.0.1:1', 'max.retries': '0', 'retry.backoff.ms': '10' },
        records,
        reset: async () => void (await es.indices.delete({ index }, { ignore: [404] })),
        count: async () => {
          await es.indices.refresh({ index }, { ignore: [404] });
          return (await es.count({ index }, { ignore: [404] })).count ?? 0;
        },
        idempotent: true,
      });
      expect(results.every((r) => r.ok)).toBe(true);
    } finally {
      await es.indices.delete({ index }, { ignore: [404] });
      await es.close();
    }
  });
});
