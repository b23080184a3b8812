import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DataError, RetriableError } from '../../src/errors.js';
import { Schemas, Struct, type Schema } from '../../src/records/schema.js';
import type { PluginLogger, SinkTask } from '../../src/connectors/types.js';
import { jdbcSink } from '../../src/connectors/jdbc-sink/index.js';
import { pgClient, pgEnv, pgUrl } from '../helpers/postgres.js';
import { uniqueIdent } from '../helpers/stack.js';
import { sinkRecord } from '../helpers/task-io.js';

// The JDBC sink's behaviours (test/integration/jdbc-sink.test.ts) on the stack's real PostgreSQL
// through the PostgreSQL dialect: auto.create with Confluent's PostgreSQL types, insert, upsert
// (ON CONFLICT, idempotent, a key twice in one batch), update, pk modes, auto.evolve, deletes,
// per-record failures next to written rows (savepoints), schema-qualified tables, connection errors.

const env = pgEnv();
const URL = pgUrl();

let sql: pg.Client;
const tables: string[] = [];
const tasks: SinkTask[] = [];
const logger: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
const signal = new AbortController().signal;
const SCHEMA = uniqueIdent('jsink_schema');

beforeAll(async () => {
  sql = await pgClient();
  await sql.query(`CREATE SCHEMA "${SCHEMA}"`);
});
afterEach(async () => {
  for (const t of tasks.splice(0)) await t.close();
  for (const t of tables.splice(0)) await sql.query(`DROP TABLE IF EXISTS public."${t}"`);
});
afterAll(async () => {
  await sql?.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await sql?.end();
});

function topic(prefix: string): string {
  const name = uniqueIdent(prefix);
  tables.push(name);
  return name;
}

async function start(o: Record<string, string>): Promise<SinkTask> {
  const t = await jdbcSink.startTask({
    'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
    'connection.url': URL,
    'connection.user': env.POSTGRES_USER,
    'connection.password': env.POSTGRES_PASSWORD,
    ...o,
  }, { connectorName: 'it-jdbc-sink-pg', taskId: 0, logger });
  tasks.push(t);
  return t;
}

const rec = sinkRecord;

async function rows(table: string, select = '*', order = '1', schema = 'public'): Promise<Array<Record<string, unknown>>> {
  return (await sql.query(`SELECT ${select} FROM "${schema}"."${table}" ORDER BY ${order}`)).rows;
}

async function columns(table: string, schema = 'public'): Promise<Array<[string, string, string]>> {
  const r = await sql.query(
    'SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM information_schema.columns '
    + 'WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position', [schema, table]);
  return r.rows.map((x) => [x.name, x.type, x.nullable]);
}

async function primaryKey(table: string): Promise<string[]> {
  const r = await sql.query(
    "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
    + "WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY a.attname", [`public."${table}"`]);
  return r.rows.map((x) => x.attname);
}

const order = Schemas.struct([
  ['id', Schemas.int64()],
  ['name', Schemas.string({ optional: true })],
  ['qty', Schemas.int32({ defaultValue: 1 })],
]);
const orderValue = (id: number, name: string | null, qty = 1) => new Struct(order, { id, name, qty });

describe('JDBC sink on PostgreSQL', () => {
  it('auto.create makes the table with PostgreSQL types and writes every Connect type', async () => {
    const t = topic('jsink_types');
    const s = Schemas.struct([
      ['id', Schemas.int64()],
      ['i8', Schemas.int8({ optional: true })], ['i16', Schemas.int16({ optional: true })], ['i32', Schemas.int32({ optional: true })],
      ['f32', Schemas.float32({ optional: true })], ['f64', Schemas.float64({ optional: true })], ['ok', Schemas.boolean({ optional: true })],
      ['s', Schemas.string({ optional: true })], ['b', Schemas.bytes({ optional: true })],
      ['amount', Schemas.decimal(3, { optional: true })], ['day', Schemas.date({ optional: true })],
      ['tod', Schemas.time({ optional: true })], ['at', Schemas.timestamp({ optional: true })],
    ]);
    const task = await start({ 'auto.create': 'true', 'pk.mode': 'record_value', 'pk.fields': 'id' });
    const value = new Struct(s, {
      id: 9007199254740993n, i8: -8, i16: 300, i32: -70000, f32: 1.5, f64: 0.1, ok: true, s: "it's \\ \"quoted\" é",
      b: Buffer.from([0, 255, 16]), amount: '12345678901234567890.123', day: new Date('2024-02-29T00:00:00Z'),
      tod: new Date(45_296_789), at: new Date('2024-03-01T01:02:03.004Z'),
    });
    expect(await task.put([rec(t, value), rec(t, new Struct(s, { id: 2 }))], signal)).toEqual({ failed: [] });
    expect(await columns(t)).toEqual([
      ['id', 'bigint', 'NO'], ['i8', 'smallint', 'YES'], ['i16', 'smallint', 'YES'], ['i32', 'integer', 'YES'],
      ['f32', 'real', 'YES'], ['f64', 'double precision', 'YES'], ['ok', 'boolean', 'YES'], ['s', 'text', 'YES'], ['b', 'bytea', 'YES'],
      ['amount', 'numeric', 'YES'], ['day', 'date', 'YES'], ['tod', 'time without time zone', 'YES'], ['at', 'timestamp without time zone', 'YES'],
    ]);
    expect(await primaryKey(t)).toEqual(['id']);
    const got = await rows(t, "id::text AS id, i8, i16, i32, f32, f64, ok, s, b, amount::text AS amount, day::text AS day, tod::text AS tod, at::text AS at", 'id::bigint');
    expect(got).toEqual([
      { id: '2', i8: null, i16: null, i32: null, f32: null, f64: null, ok: null, s: null, b: null, amount: null, day: null, tod: null, at: null },
      {
        id: '9007199254740993', i8: -8, i16: 300, i32: -70000, f32: 1.5, f64: 0.1, ok: true, s: "it's \\ \"quoted\" é",
        b: Buffer.from([0, 255, 16]), amount: '12345678901234567890.123', day: '2024-02-29', tod: '12:34:56.789', at: '2024-03-01 01:02:03.004',
      },
    ]);
  });

  it('insert.mode insert (pk.mode none) appends rows; a table missing without auto.create fails each record', async () => {
    const t = topic('jsink_insert');
    const task = await start({});
    const r = await task.put([rec(t, orderValue(1, 'a')), rec(t, orderValue(2, 'b'))], signal);
    expect(r.failed.map((f) => f.index)).toEqual([0, 1]);
    expect(r.failed[0].error).toBeInstanceOf(DataError);
    expect(r.failed[0].error.message).toMatch(/is missing and auto-creation is disabled/);

    await sql.query(`CREATE TABLE "${t}" (id BIGINT, name TEXT, qty INT)`);
    expect(await task.put([rec(t, orderValue(1, 'a')), rec(t, orderValue(1, 'a')), rec(t, orderValue(2, 'b', 3))], signal)).toEqual({ failed: [] });
    expect(await rows(t, 'id::int AS id, name, qty', 'id, name')).toEqual([
      { id: 1, name: 'a', qty: 1 }, { id: 1, name: 'a', qty: 1 }, { id: 2, name: 'b', qty: 3 },
    ]);
  });

  it('insert.mode upsert (ON CONFLICT) is idempotent, and a key twice in one batch ends as its last record', async () => {
    const t = topic('jsink_upsert');
    const cfg = { 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id' };
    const task = await start(cfg);
    const batch = [rec(t, orderValue(1, 'a')), rec(t, orderValue(2, 'b')), rec(t, orderValue(1, 'a2', 4))];
    expect(await task.put(batch, signal)).toEqual({ failed: [] });
    const first = await rows(t, 'id::int AS id, name, qty', 'id');
    expect(first).toEqual([{ id: 1, name: 'a2', qty: 4 }, { id: 2, name: 'b', qty: 1 }]);
    await task.close();
    const again = await start(cfg);
    expect(await again.put(batch, signal)).toEqual({ failed: [] });
    expect(await again.put(batch, signal)).toEqual({ failed: [] });
    expect(await rows(t, 'id::int AS id, name, qty', 'id')).toEqual(first);

    // Only key columns: ON CONFLICT DO NOTHING.
    const k = topic('jsink_upsert_keys');
    const keyOnly = Schemas.struct([['id', Schemas.int64()]]);
    const keys = await start(cfg);
    expect(await keys.put([rec(k, new Struct(keyOnly, { id: 1 })), rec(k, new Struct(keyOnly, { id: 1 }))], signal)).toEqual({ failed: [] });
    expect(await rows(k, 'id::int AS id')).toEqual([{ id: 1 }]);
  });

  it('insert.mode update changes existing rows by key and ignores unknown keys', async () => {
    const t = topic('jsink_update');
    await sql.query(`CREATE TABLE "${t}" (id BIGINT PRIMARY KEY, name TEXT, qty INT)`);
    await sql.query(`INSERT INTO "${t}" VALUES (1, 'a', 1), (2, 'b', 2)`);
    const task = await start({ 'insert.mode': 'update', 'pk.mode': 'record_value', 'pk.fields': 'id' });
    expect(await task.put([rec(t, orderValue(2, 'B', 20)), rec(t, orderValue(3, 'c', 3))], signal)).toEqual({ failed: [] });
    expect(await rows(t, 'id::int AS id, name, qty', 'id')).toEqual([{ id: 1, name: 'a', qty: 1 }, { id: 2, name: 'B', qty: 20 }]);
  });

  it('pk.mode kafka and record_key (struct and primitive keys) make the primary key', async () => {
    const t = topic('jsink_kafka');
    const task = await start({ 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'kafka' });
    const batch = [rec(t, orderValue(1, 'a'), { kafkaPartition: 3, kafkaOffset: 100 }), rec(t, orderValue(1, 'a'), { kafkaPartition: 3, kafkaOffset: 101 })];
    expect(await task.put(batch, signal)).toEqual({ failed: [] });
    expect(await task.put(batch, signal)).toEqual({ failed: [] });
    expect((await columns(t)).slice(0, 3)).toEqual([['__connect_topic', 'text', 'NO'], ['__connect_partition', 'integer', 'NO'], ['__connect_offset', 'bigint', 'NO']]);
    expect(await primaryKey(t)).toEqual(['__connect_offset', '__connect_partition', '__connect_topic']);
    expect((await rows(t, '__connect_offset::int AS o', '1'))).toEqual([{ o: 100 }, { o: 101 }]);

    const t1 = topic('jsink_skey');
    const keySchema = Schemas.struct([['tenant', Schemas.string()], ['no', Schemas.int32()]]);
    const key = (tenant: string, no: number) => new Struct(keySchema, { tenant, no });
    const skey = await start({ 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_key' });
    expect(await skey.put([
      rec(t1, orderValue(1, 'a'), { key: key('acme', 1), keySchema }),
      rec(t1, orderValue(2, 'b'), { key: key('acme', 2), keySchema }),
      rec(t1, orderValue(3, 'c'), { key: key('acme', 1), keySchema }),
    ], signal)).toEqual({ failed: [] });
    expect(await rows(t1, 'tenant, no, id::int AS id, name', 'no')).toEqual([
      { tenant: 'acme', no: 1, id: 3, name: 'c' }, { tenant: 'acme', no: 2, id: 2, name: 'b' },
    ]);

    const t2 = topic('jsink_pkey');
    const prim = await start({ 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'pk.fields': 'code' });
    expect(await prim.put([
      rec(t2, orderValue(1, 'a'), { key: 'X-1', keySchema: Schemas.string() }),
      rec(t2, orderValue(2, 'b'), { key: 'X-1', keySchema: Schemas.string() }),
    ], signal)).toEqual({ failed: [] });
    expect(await rows(t2, 'code, id::int AS id, name')).toEqual([{ code: 'X-1', id: 2, name: 'b' }]);
  });

  it('auto.evolve adds missing optional columns (a default written inline); a required field without default fails just its record', async () => {
    const t = topic('jsink_evolve');
    const task = await start({ 'auto.create': 'true', 'auto.evolve': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id' });
    expect(await task.put([rec(t, orderValue(1, 'a'))], signal)).toEqual({ failed: [] });
    const v2 = Schemas.struct([...order.fields!.map((f): [string, Schema] => [f.name, f.schema]), ['note', Schemas.string({ optional: true })], ['rank', Schemas.int16({ defaultValue: 7 })], ['label', Schemas.string({ defaultValue: "it's" })]]);
    const v3 = Schemas.struct([['id', Schemas.int64()], ['must', Schemas.string()]]);
    const r = await task.put([
      rec(t, new Struct(v2, { id: 2, name: 'b', qty: 2, note: 'hello' })),
      rec(t, new Struct(v3, { id: 3, must: 'x' })),
      rec(t, orderValue(4, 'd')),
    ], signal);
    expect(r.failed.map((f) => f.index)).toEqual([1]);
    expect(r.failed[0].error.message).toMatch(/to add missing field must, as the field is not optional and does not have a default value/);
    expect(await columns(t)).toEqual([
      ['id', 'bigint', 'NO'], ['name', 'text', 'YES'], ['qty', 'integer', 'YES'], ['note', 'text', 'YES'], ['rank', 'smallint', 'YES'], ['label', 'text', 'YES'],
    ]);
    expect(await rows(t, 'id::int AS id, name, note, rank, label', 'id')).toEqual([
      { id: 1, name: 'a', note: null, rank: 7, label: "it's" }, { id: 2, name: 'b', note: 'hello', rank: 7, label: "it's" }, { id: 4, name: 'd', note: null, rank: 7, label: "it's" },
    ]);
  });

  it('delete.enabled: a tombstone deletes by record key, in batch order with the writes', async () => {
    const t = topic('jsink_delete');
    const keySchema = Schemas.int64();
    const task = await start({ 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'pk.fields': 'k', 'delete.enabled': 'true' });
    const put = (k: number, v: Struct | null) => rec(t, v, { key: k, keySchema });
    expect(await task.put([put(1, orderValue(1, 'a')), put(2, orderValue(2, 'b')), put(3, orderValue(3, 'c'))], signal)).toEqual({ failed: [] });
    expect(await task.put([put(1, null), put(2, null), put(2, orderValue(22, 'b2')), put(4, orderValue(4, 'd')), put(4, null), put(9, null)], signal))
      .toEqual({ failed: [] });
    expect(await rows(t, 'k::int AS k, id::int AS id, name', 'k')).toEqual([{ k: 2, id: 22, name: 'b2' }, { k: 3, id: 3, name: 'c' }]);
  });

  it('reports a too-long value, a NULL in a NOT NULL column, a duplicate key and a CHECK for just those records; the rest are written', async () => {
    const t = topic('jsink_bad');
    await sql.query(`CREATE TABLE "${t}" (id BIGINT PRIMARY KEY, name VARCHAR(5) NOT NULL, qty INT CHECK (qty >= 0))`);
    const task = await start({ 'pk.mode': 'record_value', 'pk.fields': 'id', 'batch.size': '100' });
    const r = await task.put([
      rec(t, orderValue(1, 'ok')),
      rec(t, orderValue(2, 'far too long')),
      rec(t, orderValue(3, 'ok')),
      rec(t, orderValue(4, null)),
      rec(t, orderValue(1, 'dup')),
      rec(t, orderValue(5, 'ok', -1)),
      rec(t, orderValue(6, 'ok')),
    ], signal);
    expect(r.failed.map((f) => f.index)).toEqual([1, 3, 4, 5]);
    for (const f of r.failed) expect(f.error).toMatchObject({ name: 'DataError', stage: 'TASK_PUT' });
    expect(r.failed[0].error.message).toMatch(/value too long for type character varying\(5\)/);
    expect(r.failed[1].error.message).toMatch(/violates not-null constraint/);
    expect(r.failed[2].error.message).toMatch(/duplicate key value violates unique constraint/);
    expect(r.failed[3].error.message).toMatch(/violates check constraint/);
    expect(await rows(t, 'id::int AS id, name', 'id')).toEqual([{ id: 1, name: 'ok' }, { id: 3, name: 'ok' }, { id: 6, name: 'ok' }]);
    expect(await task.put([rec(t, orderValue(7, 'ok'))], signal)).toEqual({ failed: [] });
  });

  it('writes to the schema table.name.format names, and many rows within the bound-value limit', async () => {
    const t = uniqueIdent('jsink_qualified');
    const task = await start({ 'auto.create': 'true', 'table.name.format': `"${SCHEMA}".\${topic}`, 'batch.size': '30000' });
    // 25,000 rows of 3 columns: 75,000 values, more than one statement may bind (65,535).
    const batch = Array.from({ length: 25_000 }, (_, i) => rec(t, orderValue(i, `n${i}`)));
    expect(await task.put(batch, signal)).toEqual({ failed: [] });
    expect(await rows(t, 'count(*)::int AS n, sum(id)::bigint::text AS s', '1', SCHEMA)).toEqual([{ n: 25_000, s: String((24_999 * 25_000) / 2) }]);
  });

  it('a table dropped behind the task\'s back fails the batch retriably; the retry re-creates it', async () => {
    const t = topic('jsink_dropped');
    const task = await start({ 'auto.create': 'true' });
    expect(await task.put([rec(t, orderValue(1, 'a'))], signal)).toEqual({ failed: [] });
    await sql.query(`DROP TABLE "${t}"`);
    await expect(task.put([rec(t, orderValue(2, 'b'))], signal)).rejects.toBeInstanceOf(RetriableError);
    expect(await task.put([rec(t, orderValue(2, 'b'))], signal)).toEqual({ failed: [] });
    expect(await rows(t, 'id::int AS id')).toEqual([{ id: 2 }]);
  });

  it('a bad password is a ConfigError naming connection.password; an unreachable server a RetriableError', async () => {
    const bad = await start({ 'connection.password': 'wrong' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ConfigError);
    expect((bad as ConfigError).problems.map((p) => p.key)).toEqual(['connection.password']);
    const down = await start({ 'connection.url': 'jdbc:postgresql://127.0.0.1:1/x', 'connection.attempts': '1' }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(RetriableError);
  });
});
