import { beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { ConfigError } from '../../src/errors.js';
import { LoggerLevels } from '../../src/rest/loggers.js';
import { buildRestApp } from '../../src/rest/server.js';
import type { PluginLogger } from '../../src/connectors/types.js';
import { parseJdbcSourceConfig } from '../../src/connectors/jdbc-source/config.js';
import { connectionSettings, Db } from '../../src/connectors/jdbc/connection.js';
import { TableQuerier } from '../../src/connectors/jdbc-source/querier.js';
import { QUERY_PARTITION } from '../../src/connectors/jdbc-source/offsets.js';
import { UTC } from '../../src/connectors/jdbc/time.js';
import { mysqlDialect } from '../../src/connectors/jdbc/mysql.js';
import { jdbcConnection } from '../helpers/connectors.js';
import { useWorker } from '../helpers/fixture.js';
import { readTopic } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, uniqueName } from '../helpers/stack.js';
import { deleteTopics } from '../helpers/tconnect-process.js';

// The JDBC source's `query` only reads (issue 24, finding 6): statements that are not a single
// SELECT / WITH … SELECT are refused when the connector is created (REST 400, SDK ConfigError,
// naming `query`) and the table is untouched; the source's session is read-only, so a write
// that got past validation fails at the server; SELECT and WITH queries still run end to end.

describe('JDBC source query: reads only', () => {
  const fx = useWorker({ sdk: true, db: true });
  const env = stackEnv();
  const table = uniqueIdent('qsafe');
  const topics: string[] = [];
  const connectors: string[] = [];
  let app: FastifyInstance;
  let base: string;

  const sourceConfig = (query: string, topic: string) => ({
    'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
    ...jdbcConnection(),
    mode: 'bulk',
    query,
    'topic.prefix': topic,
    'poll.interval.ms': '600000',
  });

  async function post(name: string, config: Record<string, string>): Promise<{ status: number; body: { error_code?: number; message?: string } }> {
    const r = await fetch(`${base}/connectors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, config }) });
    return { status: r.status, body: await r.json() as { error_code?: number; message?: string } };
  }

  async function rowCount(): Promise<number> {
    const [rows] = await fx.db.query(`SELECT COUNT(*) AS n FROM \`${table}\``);
    return Number((rows as Array<{ n: number }>)[0].n);
  }

  beforeAll(async () => {
    await fx.db.query(`CREATE TABLE \`${table}\` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)`);
    await fx.db.query(`INSERT INTO \`${table}\` (v) VALUES ('a'), ('b'), ('c')`);
    app = buildRestApp({ client: fx.sdk, ready: () => true, loggers: new LoggerLevels(pino({ level: 'info' }, { write() {} })), kafkaClusterId: async () => 'test-cluster' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    fx.cleanups.push(
      () => deleteTopics(topics),
      () => fx.db.query(`DROP TABLE IF EXISTS \`${table}\`, \`${table}_new\``),
      () => app.close(),
      async () => { for (const name of connectors) await fx.sdk.delete(name).catch(() => undefined); },
    );
  });

  it('refuses DDL, DML and a second statement at create (REST 400 and SDK ConfigError naming query); the table is untouched', async () => {
    const hostile = [
      `DROP TABLE \`${table}\``,
      `CREATE TABLE \`${table}_new\` (id INT)`,
      `INSERT INTO \`${table}\` (v) VALUES ('x')`,
      `SELECT 1; DROP TABLE \`${table}\``,
      `/* looks harmless */ TRUNCATE \`${table}\``,
      `SELECT 1 /*!50000 ; DROP TABLE \`${table}\` */`,
    ];
    for (const query of hostile) {
      const name = uniqueName('qsafe-bad');
      connectors.push(name); // deleted at the end, should a regression create it
      const r = await post(name, sourceConfig(query, 'never'));
      expect(r.status, query).toBe(400);
      expect(r.body.error_code).toBe(400);
      expect(r.body.message, query).toMatch(/query/);
      expect((await fetch(`${base}/connectors/${name}`)).status).toBe(404);

      const sdk = await fx.sdk.create({ name, config: sourceConfig(query, 'never') }).then(() => null, (e: unknown) => e);
      expect(sdk).toBeInstanceOf(ConfigError);
      expect((sdk as ConfigError).problems.map((p) => p.key)).toContain('query');
    }
    expect(await rowCount()).toBe(3);
    const [tables] = await fx.db.query('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [env.MYSQL_DATABASE, `${table}_new`]);
    expect(tables).toEqual([]);
  });

  it("runs the source's queries in a read-only session: a write that got past validation fails and changes nothing", async () => {
    const cfg = parseJdbcSourceConfig(sourceConfig(`SELECT * FROM \`${table}\``, 'never'));
    const logger: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
    const session = await Db.open(connectionSettings(cfg, { readOnly: true }), logger);
    try {
      // The querier's own path, with statements the validation would have refused.
      for (const sql of [`DROP TABLE \`${table}\``, `DELETE FROM \`${table}\``, `CREATE TABLE \`${table}_new\` (id INT)`]) {
        const q = new TableQuerier({
          dialect: mysqlDialect, mode: 'bulk', source: { query: sql }, partition: QUERY_PARTITION, topic: 'never', timestampColumns: [], suffix: '',
          boundZone: UTC, delayMs: 0, mapping: { numericMapping: 'none', zone: UTC }, batchMaxRows: 10,
        }, {});
        await expect(q.read(session, 10), sql).rejects.toThrow(/READ ONLY transaction/);
      }
    } finally {
      session.destroy();
    }
    expect(await rowCount()).toBe(3);
  });

  it('a SELECT and a WITH … SELECT query still copy rows to Kafka', async () => {
    const cases = [
      { query: `SELECT id, v FROM \`${table}\``, topic: `qsafe.select.${table}` },
      { query: `WITH picked AS (SELECT id, UPPER(v) AS v FROM \`${table}\` WHERE id >= 2) SELECT id, v FROM picked`, topic: `qsafe.with.${table}` },
    ];
    for (const c of cases) {
      const name = uniqueName('qsafe-ok');
      connectors.push(name);
      topics.push(c.topic);
      const r = await post(name, sourceConfig(c.query, c.topic));
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const selected = await readTopic(cases[0].topic, 3);
    expect(selected.map((m) => JSON.parse(m.value!).payload)).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }, { id: 3, v: 'c' }]);
    const withed = await readTopic(cases[1].topic, 2);
    expect(withed.map((m) => JSON.parse(m.value!).payload)).toEqual([{ id: 2, v: 'B' }, { id: 3, v: 'C' }]);
  });
});
