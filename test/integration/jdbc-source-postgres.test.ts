import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, RetriableError } from '../../src/errors.js';
import type { SourceRecord } from '../../src/records/record.js';
import { LOGICAL, type Struct } from '../../src/records/schema.js';
import type { PluginLogger, SourceTask } from '../../src/connectors/types.js';
import { jdbcSource } from '../../src/connectors/jdbc-source/index.js';
import { pgClient, pgEnv, pgUrl } from '../helpers/postgres.js';
import { uniqueIdent } from '../helpers/stack.js';
import { drain as drainTask, Offsets } from '../helpers/task-io.js';

// The JDBC source's behaviours (test/integration/jdbc-source.test.ts) on the stack's real
// PostgreSQL: every mode, ties and restarts from committed offsets, PostgreSQL's column types,
// query mode, schema-qualified tables (schema.pattern, include lists), checks at start, the
// read-only session and connection failures.

const env = pgEnv();
const URL = pgUrl();
const SCHEMA = uniqueIdent('jsrc');

let sql: pg.Client;
const tasks: SourceTask[] = [];

beforeAll(async () => {
  sql = await pgClient();
  await sql.query(`CREATE SCHEMA "${SCHEMA}"`);
});
afterEach(async () => {
  for (const t of tasks.splice(0)) await t.close();
});
afterAll(async () => {
  await sql?.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await sql?.end();
});

const logger: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
const connectorCtx = { connectorName: 'it-jdbc-pg', logger };

async function table(prefix: string, columns: string): Promise<string> {
  const name = uniqueIdent(prefix);
  await sql.query(`CREATE TABLE "${SCHEMA}"."${name}" (${columns})`);
  return name;
}
const q = (t: string) => `"${SCHEMA}"."${t}"`;

function config(o: Record<string, string>): Record<string, string> {
  return {
    'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
    'connection.url': URL,
    'connection.user': env.POSTGRES_USER,
    'connection.password': env.POSTGRES_PASSWORD,
    'topic.prefix': 'itpg-',
    'poll.interval.ms': '600000',
    ...o,
  };
}


async function start(taskConfig: Record<string, string>, offsets = new Offsets()): Promise<SourceTask> {
  const t = await jdbcSource.startTask(taskConfig, { ...connectorCtx, taskId: 0, offsetFor: offsets.offsetFor });
  tasks.push(t);
  return t;
}

/** A single-table task config, as taskConfigs writes it: "schema"."table". */
const forTable = (name: string, o: Record<string, string>) => config({ ...o, tables: q(name) });
const signal = new AbortController().signal;

const drain = (task: SourceTask, max = 1000) => drainTask(task, signal, max);

const values = (records: SourceRecord[]) => records.map((r) => (r.value as Struct).toObject());
const ids = (records: SourceRecord[]) => records.map((r) => Number((r.value as Struct).get('id')));

describe('modes on PostgreSQL', () => {
  it('bulk reads the whole table each time; partition "schema.table", topic = prefix + table', async () => {
    const t = await table('bulk', 'id INT PRIMARY KEY, name VARCHAR(10)');
    await sql.query(`INSERT INTO ${q(t)} VALUES (1,'a'),(2,'b'),(3,'c')`);
    const task = await start(forTable(t, { mode: 'bulk', 'poll.interval.ms': '0' }));
    const first = await task.poll(100, signal);
    expect(ids(first)).toEqual([1, 2, 3]);
    expect(first[0]).toMatchObject({ topic: `itpg-${t}`, key: null, sourcePartition: { protocol: '1', table: `${SCHEMA}.${t}` }, sourceOffset: {} });
    expect((first[0].valueSchema as { name?: string }).name).toBe(t);
    await sql.query(`INSERT INTO ${q(t)} VALUES (4,'d')`);
    expect(ids(await task.poll(100, signal))).toEqual([1, 2, 3, 4]);
  });

  it('incrementing reads only new rows, resumes after the committed id, finds the serial/identity column itself', async () => {
    const t = await table('inc', 'id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name VARCHAR(10)');
    await sql.query(`INSERT INTO ${q(t)} (name) VALUES ('a'),('b'),('c')`);
    const offsets = new Offsets();
    const cfg = forTable(t, { mode: 'incrementing', 'poll.interval.ms': '0', 'batch.max.rows': '2' });
    const task = await start(cfg, offsets);
    const first = await task.poll(2, signal);
    offsets.record(first);
    expect(ids(first)).toEqual([1, 2]);
    expect(first.map((r) => r.sourceOffset)).toEqual([{ incrementing: 1 }, { incrementing: 2 }]);
    await task.close();
    await sql.query(`INSERT INTO ${q(t)} (name) VALUES ('d'),('e')`);
    await sql.query(`UPDATE ${q(t)} SET name = 'A' WHERE id = 1`);
    expect(ids(await drain(await start(cfg, offsets)))).toEqual([3, 4, 5]);

    // A serial column is found the same way; BIGINT ids beyond 2^53 stay exact.
    const s = await table('incser', 'id BIGSERIAL PRIMARY KEY');
    await sql.query(`SELECT setval(pg_get_serial_sequence('${q(s)}', 'id'), 9007199254740992)`);
    await sql.query(`INSERT INTO ${q(s)} DEFAULT VALUES`);
    const big = await drain(await start(forTable(s, { mode: 'incrementing' })));
    expect(big.map((r) => (r.value as Struct).get('id'))).toEqual([9007199254740993n]);
    expect(big[0].sourceOffset).toEqual({ incrementing: 9007199254740993n });
  });

  it('timestamp picks up inserted and updated rows, and never loses rows sharing a timestamp across a restart', async () => {
    const t = await table('ts', 'id INT PRIMARY KEY, name VARCHAR(10), updated TIMESTAMP(6) NOT NULL');
    await sql.query(`INSERT INTO ${q(t)} VALUES (1,'a','2024-01-01 00:00:00.000001'),(2,'b','2024-01-01 00:00:00.000002')`);
    const offsets = new Offsets();
    const cfg = forTable(t, { mode: 'timestamp', 'timestamp.column.name': 'updated', 'poll.interval.ms': '0' });
    const task = await start(cfg, offsets);
    const first = await drain(task);
    offsets.record(first);
    expect(ids(first)).toEqual([1, 2]);
    expect(JSON.stringify(first[1].sourceOffset)).toBe(`{"timestamp_nanos":2000,"timestamp":${Date.parse('2024-01-01T00:00:00Z')}}`);
    await sql.query(`UPDATE ${q(t)} SET name = 'A', updated = '2024-01-02 00:00:00' WHERE id = 1`);
    await sql.query(`INSERT INTO ${q(t)} VALUES (3,'c','2024-01-03 00:00:00')`);
    expect(values(await drain(task)).map((v) => [v.id, v.name])).toEqual([[1, 'A'], [3, 'c']]);

    const tie = await table('tstie', 'id INT PRIMARY KEY, updated TIMESTAMPTZ NOT NULL');
    await sql.query(`INSERT INTO ${q(tie)} VALUES (1,'2024-01-01 00:00:01Z'),(2,'2024-01-01 00:00:02Z'),(3,'2024-01-01 00:00:02Z'),(4,'2024-01-01 00:00:02Z'),(5,'2024-01-01 00:00:03Z')`);
    const tieCfg = forTable(tie, { mode: 'timestamp', 'timestamp.column.name': 'updated', 'batch.max.rows': '2' });
    const tieOffsets = new Offsets();
    const cutTask = await start(tieCfg, tieOffsets);
    const cut = await cutTask.poll(2, signal);
    expect(ids(cut)).toEqual([1, 2]);
    tieOffsets.record(cut);
    await cutTask.close();
    const rest = await drain(await start(tieCfg, tieOffsets), 2);
    expect(ids(rest)).toEqual([2, 3, 4, 5]);
    expect(rest.at(-1)!.sourceOffset).toEqual({ timestamp_nanos: 0, timestamp: Date.parse('2024-01-01T00:00:03Z') });
  });

  it('db.timezone applies to timestamp (without time zone) values and bounds; timestamptz is an instant', async () => {
    const t = await table('tstz', 'id INT PRIMARY KEY, updated TIMESTAMP(6) NOT NULL, at TIMESTAMPTZ NULL');
    // Written "a second ago" on a +02:00 wall clock: two hours ahead of UTC.
    await sql.query(`INSERT INTO ${q(t)} VALUES (1, (now() AT TIME ZONE 'UTC') + interval '2 hours' - interval '1 second', '2024-05-01 12:00:00+02')`);
    const base = { mode: 'timestamp', 'timestamp.column.name': 'updated' };
    expect(await drain(await start(forTable(t, base)))).toEqual([]);
    const offsets = new Offsets();
    const cfg = forTable(t, { ...base, 'db.timezone': '+02:00' });
    const got = await drain(await start(cfg, offsets));
    expect(ids(got)).toEqual([1]);
    expect((got[0].value as Struct).get('at')).toEqual(new Date('2024-05-01T10:00:00Z'));
    offsets.record(got);
    expect(await drain(await start(cfg, offsets))).toEqual([]);
  });

  it('timestamp+incrementing orders by (timestamp, id), sees updates, and resumes inside a tie', async () => {
    const t = await table('tsinc', 'id SERIAL PRIMARY KEY, v VARCHAR(5), updated TIMESTAMP(3) NOT NULL');
    await sql.query(`INSERT INTO ${q(t)} (v, updated) VALUES ('a','2024-01-01 00:00:00.500'),('b','2024-01-01 00:00:00.500'),('c','2024-01-01 00:00:00.500'),('d','2024-01-01 00:00:01')`);
    const cfg = forTable(t, { mode: 'timestamp+incrementing', 'timestamp.column.name': 'updated', 'incrementing.column.name': 'id', 'batch.max.rows': '2' });
    const offsets = new Offsets();
    const task = await start(cfg, offsets);
    const first = await task.poll(2, signal);
    expect(ids(first)).toEqual([1, 2]);
    expect(JSON.stringify(first[1].sourceOffset)).toBe(`{"timestamp_nanos":500000000,"incrementing":2,"timestamp":${Date.parse('2024-01-01T00:00:00.500Z')}}`);
    offsets.record(first);
    await task.close();
    await sql.query(`UPDATE ${q(t)} SET v = 'A', updated = '2024-01-02 00:00:00' WHERE id = 1`);
    expect(values(await drain(await start(cfg, offsets))).map((v) => `${v.id}${v.v}`)).toEqual(['3c', '4d', '1A']);
  });
});

describe('PostgreSQL column types', () => {
  it('maps numeric, bool, bytea, json/jsonb, uuid, dates, times and NULLs as Connect JDBC does', async () => {
    const t = await table('types', `id INT PRIMARY KEY, amount NUMERIC(20,6) NOT NULL, free NUMERIC NULL, ok BOOLEAN NULL,
      data BYTEA NULL, doc JSON NULL, docb JSONB NULL, u UUID NULL, day DATE NULL, tod TIME(3) NULL, at TIMESTAMP(6) NULL,
      atz TIMESTAMPTZ NULL, small SMALLINT NULL, big BIGINT NULL, r REAL NULL, d DOUBLE PRECISION NULL, txt TEXT NULL,
      ch CHAR(3) NULL, flag BIT(1) NULL, iv INTERVAL NULL, arr INT[] NULL`);
    await sql.query(`INSERT INTO ${q(t)} VALUES
      (1, 12345678901234.123456, 1.5, true, '\\x00ff10', '{"a": [1, 2]}', '{"b": 1}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
       '2024-02-29', '12:34:56.789', '2024-02-29 23:59:59.999999', '2024-03-01 01:02:03.000004+00', -3, -9007199254740993,
       1.5, 0.1, 'héllo', 'ab', B'1', '1 day', '{1,2}'),
      (2, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    const [a, b] = await drain(await start(forTable(t, { mode: 'bulk' })));
    const fields = Object.fromEntries(a.valueSchema!.fields!.map((f) => [f.name, f.schema]));
    // interval and int[] have no Connect JDBC mapping: left out.
    expect(Object.keys(fields)).toEqual(['id', 'amount', 'free', 'ok', 'data', 'doc', 'docb', 'u', 'day', 'tod', 'at', 'atz', 'small', 'big', 'r', 'd', 'txt', 'ch', 'flag']);
    expect(fields.amount).toMatchObject({ type: 'bytes', name: LOGICAL.Decimal, optional: false, parameters: { scale: '6', 'connect.decimal.precision': '20' } });
    expect(fields.free).toMatchObject({ name: LOGICAL.Decimal, optional: true, parameters: { scale: '127', 'connect.decimal.precision': '0' } });
    expect([fields.ok.type, fields.data.type, fields.doc.type, fields.u.type, fields.small.type, fields.big.type, fields.r.type, fields.d.type, fields.flag.type])
      .toEqual(['boolean', 'bytes', 'string', 'string', 'int16', 'int64', 'float32', 'float64', 'boolean']);
    expect([fields.day.name, fields.tod.name, fields.at.name, fields.atz.name]).toEqual([LOGICAL.Date, LOGICAL.Time, LOGICAL.Timestamp, LOGICAL.Timestamp]);
    const v = (a.value as Struct).toObject();
    expect(v).toMatchObject({
      id: 1, amount: '12345678901234.123456', ok: true, data: Buffer.from([0, 255, 16]), doc: '{"a": [1, 2]}', docb: '{"b": 1}',
      u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', day: new Date('2024-02-29T00:00:00Z'), tod: new Date(45_296_789),
      at: new Date('2024-02-29T23:59:59.999Z'), atz: new Date('2024-03-01T01:02:03.000Z'), small: -3, big: -9007199254740993n,
      r: 1.5, d: 0.1, txt: 'héllo', ch: 'ab ', flag: true,
    });
    expect(String(v.free)).toBe(`1.5${'0'.repeat(126)}`);
    expect((b.value as Struct).toObject()).toMatchObject({ id: 2, amount: '0.000000', free: null, ok: null, at: null });
  });

  it('numeric.mapping=best_fit turns small numerics into integers and doubles', async () => {
    const t = await table('bestfit', 'id NUMERIC(9,0) NOT NULL, price NUMERIC(5,2) NULL, huge NUMERIC(30,0) NULL');
    await sql.query(`INSERT INTO ${q(t)} VALUES (42, 1.25, 123456789012345678901234567890)`);
    const [r] = await drain(await start(forTable(t, { mode: 'bulk', 'numeric.mapping': 'best_fit' })));
    expect(r.valueSchema!.fields!.map((f) => f.schema.type)).toEqual(['int32', 'float64', 'bytes']);
    expect((r.value as Struct).toObject()).toEqual({ id: 42, price: 1.25, huge: '123456789012345678901234567890' });
  });
});

describe('query mode and tables on PostgreSQL', () => {
  it('appends the criteria and query.suffix to a query with ? written as JDBC writes it', async () => {
    const t = await table('query', 'id INT PRIMARY KEY, v TEXT');
    await sql.query(`INSERT INTO ${q(t)} VALUES (1,'a?'),(2,'b'),(3,'c')`);
    const got = await drain(await start(config({
      // The ? inside quotes is text, not a placeholder; the criteria's ? is bound.
      mode: 'incrementing', query: `SELECT id, v || '?' AS v FROM (SELECT * FROM ${q(t)} WHERE v <> 'x?') AS s`,
      'incrementing.column.name': 'id', 'query.suffix': 'LIMIT 2', 'topic.prefix': 'itpg-query',
    })));
    expect(values(got)).toEqual([{ id: 1, v: 'a??' }, { id: 2, v: 'b?' }]);
    expect(got[0]).toMatchObject({ topic: 'itpg-query', sourcePartition: { query: 'query' } });
  });

  it('lists tables of every user schema, filtered by schema.pattern and include lists; tasks get contiguous groups', async () => {
    const own = uniqueIdent('jsrc_sel');
    const in_ = (t: string) => `"${own}"."${t}"`;
    await sql.query(`CREATE SCHEMA "${own}"`);
    try {
      await sql.query(`CREATE TABLE ${in_('a')} (id INT PRIMARY KEY); CREATE TABLE ${in_('b')} (id INT); CREATE VIEW ${in_('a_v')} AS SELECT * FROM ${in_('a')}`);
      const cfg = config({ mode: 'bulk', 'schema.pattern': own });
      expect((await jdbcSource.taskConfigs(cfg, 5, connectorCtx)).map((p) => p.tables)).toEqual([in_('a'), in_('b')]);
      expect((await jdbcSource.taskConfigs(cfg, 1, connectorCtx)).map((p) => p.tables)).toEqual([`${in_('a')},${in_('b')}`]);
      // Without schema.pattern every user schema is listed; include lists match "schema.table".
      const included = await jdbcSource.taskConfigs(config({ mode: 'bulk', 'table.include.list': `${own}\\.a.*` }), 5, connectorCtx);
      expect(included.map((p) => p.tables)).toEqual([in_('a')]);
      const views = await jdbcSource.taskConfigs(config({ mode: 'bulk', 'schema.pattern': own, 'table.types': 'VIEW' }), 5, connectorCtx);
      expect(views.map((p) => p.tables)).toEqual([in_('a_v')]);
      const current = await jdbcSource.taskConfigs(cfg, 5, connectorCtx);
      expect(await jdbcSource.needsReplan!(cfg, current, connectorCtx)).toBe(false);
      await sql.query(`CREATE TABLE ${in_('c')} (id INT)`);
      expect(await jdbcSource.needsReplan!(cfg, current, connectorCtx)).toBe(true);
    } finally {
      await sql.query(`DROP SCHEMA "${own}" CASCADE`);
    }
  });
});

describe('checks, sessions and connections on PostgreSQL', () => {
  it('validate.non.null fails on a nullable offset column; an unknown column or a non-integer one is a ConfigError', async () => {
    const t = await table('nn', 'id INT NULL, name TEXT, updated TIMESTAMP NULL');
    const e = await start(forTable(t, { mode: 'incrementing', 'incrementing.column.name': 'id' })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/because this column is nullable/);
    await start(forTable(t, { mode: 'incrementing', 'incrementing.column.name': 'id', 'validate.non.null': 'false' }));
    const missing = await start(forTable(t, { mode: 'incrementing', 'incrementing.column.name': 'nope' })).catch((x: unknown) => x);
    expect((missing as ConfigError).problems.map((p) => p.key)).toEqual(['incrementing.column.name']);
    const text = await start(forTable(t, { mode: 'incrementing', 'incrementing.column.name': 'name', 'validate.non.null': 'false' })).catch((x: unknown) => x);
    expect((text as Error).message).toMatch(/must be an integer column/);
    const noAuto = await start(forTable(t, { mode: 'incrementing' })).catch((x: unknown) => x);
    expect((noAuto as ConfigError).problems.map((p) => p.key)).toEqual(['incrementing.column.name']);
  });

  it("runs queries in a read-only session: a write that got past validation fails and changes nothing", async () => {
    const t = await table('ro', 'id INT PRIMARY KEY');
    await sql.query(`INSERT INTO ${q(t)} VALUES (1)`);
    const task = await start(config({ mode: 'bulk', query: `SELECT * FROM ${q(t)}`, 'topic.prefix': 'ro' }));
    expect(ids(await task.poll(10, signal))).toEqual([1]);
    // A SELECT that writes (nextval advances a sequence) passes the SELECT-only check; the session refuses it.
    await sql.query(`CREATE SEQUENCE "${SCHEMA}"."${t}_seq"`);
    const writer = await start(config({ mode: 'bulk', query: `SELECT nextval('"${SCHEMA}"."${t}_seq"') AS id`, 'topic.prefix': 'ro' }))
      .then((x) => x.poll(10, signal)).catch((x: unknown) => x);
    expect(writer).toBeInstanceOf(ConfigError);
    expect(String(writer)).toMatch(/read-only transaction/);
    expect((await sql.query(`SELECT last_value::int AS v, is_called FROM "${SCHEMA}"."${t}_seq"`)).rows).toEqual([{ v: 1, is_called: false }]);
  });

  it('a wrong password is a ConfigError at planning and at start; an unreachable server a RetriableError', async () => {
    const bad = config({ mode: 'bulk', 'connection.password': 'wrong' });
    const plan = await jdbcSource.taskConfigs(bad, 1, connectorCtx).catch((x: unknown) => x);
    expect((plan as ConfigError).problems.map((p) => p.key)).toEqual(['connection.password']);
    const t = await table('conn', 'id INT PRIMARY KEY');
    expect(await start(forTable(t, { mode: 'bulk', 'connection.password': 'wrong' })).catch((x: unknown) => x)).toBeInstanceOf(ConfigError);
    const down = await start(forTable(t, { mode: 'bulk', 'connection.url': 'jdbc:postgresql://127.0.0.1:1/x', 'connection.attempts': '2', 'connection.backoff.ms': '10' }))
      .catch((x: unknown) => x);
    expect(down).toBeInstanceOf(RetriableError);
  });
});
