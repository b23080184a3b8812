import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DataError, RetriableError } from '../../src/errors.js';
import { Schemas, Struct, type Schema } from '../../src/records/schema.js';
import type { PluginLogger, SinkTask } from '../../src/connectors/types.js';
import { jdbcSink } from '../../src/connectors/jdbc-sink/index.js';
import { mysqlConnection } from '../helpers/clients.js';
import { stackEnv, uniqueIdent } from '../helpers/stack.js';
import { sinkRecord } from '../helpers/task-io.js';

// The JDBC sink against the stack's real MariaDB, called as the runtime calls it
// (startTask -> put -> close): table creation and evolution, every insert and pk mode, deletes,
// idempotent re-delivery, per-record failures next to written rows, connection failures.

const env = stackEnv();
const URL = `jdbc:mariadb://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`;

let sql: Connection;
const tables: string[] = [];
const tasks: SinkTask[] = [];
const logger: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
const signal = new AbortController().signal;

beforeAll(async () => {
  sql = await mysqlConnection();
});
afterEach(async () => {
  for (const t of tasks.splice(0)) await t.close();
  for (const t of tables.splice(0)) await sql.query(`DROP TABLE IF EXISTS \`${t}\``);
});
afterAll(async () => {
  await sql?.end();
});

/** A unique topic; the table of the same name is dropped after the test. */
function topic(prefix: string): string {
  const name = uniqueIdent(prefix);
  tables.push(name);
  return name;
}

async function start(o: Record<string, string>): Promise<SinkTask> {
  const t = await jdbcSink.startTask({
    'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
    'connection.url': URL,
    'connection.user': env.MYSQL_USER,
    'connection.password': env.MYSQL_PASSWORD,
    ...o,
  }, { connectorName: 'it-jdbc-sink', taskId: 0, logger });
  tasks.push(t);
  return t;
}

const rec = sinkRecord;

async function rows(table: string, select = '*', order = '1'): Promise<RowDataPacket[]> {
  const [r] = await sql.query<RowDataPacket[]>(`SELECT ${select} FROM \`${table}\` ORDER BY ${order}`);
  return r.map((x) => ({ ...x }) as RowDataPacket);
}

async function columns(table: string): Promise<Array<{ name: string; type: string; nullable: string; key: string }>> {
  const [r] = await sql.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_KEY AS `key` FROM information_schema.COLUMNS '
    + 'WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [env.MYSQL_DATABASE, table]);
  return r.map((x) => ({ name: x.name, type: x.type, nullable: x.nullable, key: x.key }));
}

const order = Schemas.struct([
  ['id', Schemas.int64()],
  ['name', Schemas.string({ optional: true })],
  ['qty', Schemas.int32({ defaultValue: 1 })],
]);
const orderValue = (id: number, name: string | null, qty = 1) => new Struct(order, { id, name, qty });

describe('JDBC sink on MariaDB', () => {
  it('auto.create makes the table from the Struct schema and writes every Connect type', async () => {
    const t = topic('jsink_types');
    const schema = Schemas.struct([
      ['id', Schemas.int32()], ['i8', Schemas.int8({ optional: true })], ['i16', Schemas.int16({ optional: true })],
      ['i64', Schemas.int64({ optional: true })], ['f32', Schemas.float32({ optional: true })], ['f64', Schemas.float64({ optional: true })],
      ['ok', Schemas.boolean({ optional: true })], ['s', Schemas.string({ optional: true })], ['b', Schemas.bytes({ optional: true })],
      ['price', Schemas.decimal(2, { optional: true })], ['d', Schemas.date({ optional: true })], ['tm', Schemas.time({ optional: true })],
      ['at', Schemas.timestamp({ optional: true })], ['n', Schemas.int32({ defaultValue: 5 })],
    ]);
    const task = await start({ 'auto.create': 'true', 'pk.mode': 'record_value', 'pk.fields': 'id', 'db.timezone': 'Europe/Paris' });
    const full = new Struct(schema, {
      id: 1, i8: -8, i16: 1600, i64: 2n ** 62n, f32: 1.5, f64: 2.25, ok: true, s: 'héllo \'quoted\' \\ back', b: Buffer.from([0, 255, 7]),
      price: '-12.30', d: new Date('2024-03-05T00:00:00Z'), tm: new Date(3_723_456), at: new Date('2024-07-01T10:00:00.123Z'), n: 9,
    });
    const empty = new Struct(schema, { id: 2 });
    expect(await task.put([rec(t, full), rec(t, empty)], signal)).toEqual({ failed: [] });

    expect(await columns(t)).toEqual([
      { name: 'id', type: 'int(11)', nullable: 'NO', key: 'PRI' },
      { name: 'i8', type: 'tinyint(4)', nullable: 'YES', key: '' },
      { name: 'i16', type: 'smallint(6)', nullable: 'YES', key: '' },
      { name: 'i64', type: 'bigint(20)', nullable: 'YES', key: '' },
      { name: 'f32', type: 'float', nullable: 'YES', key: '' },
      { name: 'f64', type: 'double', nullable: 'YES', key: '' },
      { name: 'ok', type: 'tinyint(4)', nullable: 'YES', key: '' },
      { name: 's', type: 'text', nullable: 'YES', key: '' },
      { name: 'b', type: 'blob', nullable: 'YES', key: '' },
      { name: 'price', type: 'decimal(65,2)', nullable: 'YES', key: '' },
      { name: 'd', type: 'date', nullable: 'YES', key: '' },
      { name: 'tm', type: 'time(3)', nullable: 'YES', key: '' },
      { name: 'at', type: 'datetime(3)', nullable: 'YES', key: '' },
      { name: 'n', type: 'int(11)', nullable: 'YES', key: '' },
    ]);
    const got = await rows(t, 'id, i8, i16, CAST(i64 AS CHAR) AS i64, f32, f64, ok, s, HEX(b) AS b, CAST(price AS CHAR) AS price, '
      + 'CAST(d AS CHAR) AS d, CAST(tm AS CHAR) AS tm, CAST(`at` AS CHAR) AS `at`, n');
    expect(got).toEqual([
      { id: 1, i8: -8, i16: 1600, i64: String(2n ** 62n), f32: 1.5, f64: 2.25, ok: 1, s: 'héllo \'quoted\' \\ back', b: '00FF07',
        price: '-12.30', d: '2024-03-05', tm: '01:02:03.456', at: '2024-07-01 12:00:00.123', n: 9 },
      { id: 2, i8: null, i16: null, i64: null, f32: null, f64: null, ok: null, s: null, b: null, price: null, d: null, tm: null, at: null, n: 5 },
    ]);
  });

  it('insert.mode insert (pk.mode none) appends rows; a table missing without auto.create fails each record', async () => {
    const t = topic('jsink_insert');
    const task = await start({});
    const r = await task.put([rec(t, orderValue(1, 'a')), rec(t, orderValue(2, 'b'))], signal);
    expect(r.failed.map((f) => f.index)).toEqual([0, 1]);
    expect(r.failed[0].error).toBeInstanceOf(DataError);
    expect(r.failed[0].error.message).toMatch(/is missing and auto-creation is disabled/);

    await sql.query(`CREATE TABLE \`${t}\` (id BIGINT, name TEXT, qty INT)`);
    expect(await task.put([rec(t, orderValue(1, 'a')), rec(t, orderValue(1, 'a')), rec(t, orderValue(2, 'b', 3))], signal)).toEqual({ failed: [] });
    expect(await rows(t, 'id, name, qty', 'id, name')).toEqual([
      { id: 1, name: 'a', qty: 1 }, { id: 1, name: 'a', qty: 1 }, { id: 2, name: 'b', qty: 3 },
    ]);
  });

  it('insert.mode upsert (pk.mode record_value) is idempotent: re-putting a batch leaves the same rows', async () => {
    const t = topic('jsink_upsert');
    const task = await start({ 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id' });
    const batch = [rec(t, orderValue(1, 'a')), rec(t, orderValue(2, 'b')), rec(t, orderValue(1, 'a2', 4))];
    expect(await task.put(batch, signal)).toEqual({ failed: [] });
    const first = await rows(t, '*', 'id');
    expect(first).toEqual([{ id: 1, name: 'a2', qty: 4 }, { id: 2, name: 'b', qty: 1 }]);
    // Re-delivery after a crash: the same records again, in a new task.
    await task.close();
    const again = await start({ 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id' });
    expect(await again.put(batch, signal)).toEqual({ failed: [] });
    expect(await again.put(batch, signal)).toEqual({ failed: [] });
    expect(await rows(t, '*', 'id')).toEqual(first);
  });

  it('insert.mode update changes existing rows by key and ignores unknown keys', async () => {
    const t = topic('jsink_update');
    await sql.query(`CREATE TABLE \`${t}\` (id BIGINT PRIMARY KEY, name TEXT, qty INT)`);
    await sql.query(`INSERT INTO \`${t}\` VALUES (1, 'a', 1), (2, 'b', 2)`);
    const task = await start({ 'insert.mode': 'update', 'pk.mode': 'record_value', 'pk.fields': 'id' });
    expect(await task.put([rec(t, orderValue(2, 'B', 20)), rec(t, orderValue(3, 'c', 3))], signal)).toEqual({ failed: [] });
    expect(await rows(t, '*', 'id')).toEqual([{ id: 1, name: 'a', qty: 1 }, { id: 2, name: 'B', qty: 20 }]);
  });

  it('pk.mode kafka keys rows by topic, partition and offset, so re-delivery under upsert writes nothing new', async () => {
    const t = topic('jsink_kafka');
    const task = await start({ 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'kafka' });
    const batch = [rec(t, orderValue(1, 'a'), { kafkaPartition: 3, kafkaOffset: 100 }), rec(t, orderValue(1, 'a'), { kafkaPartition: 3, kafkaOffset: 101 })];
    expect(await task.put(batch, signal)).toEqual({ failed: [] });
    expect(await task.put(batch, signal)).toEqual({ failed: [] });
    expect((await columns(t)).slice(0, 3)).toEqual([
      { name: '__connect_topic', type: 'varchar(256)', nullable: 'NO', key: 'PRI' },
      { name: '__connect_partition', type: 'int(11)', nullable: 'NO', key: 'PRI' },
      { name: '__connect_offset', type: 'bigint(20)', nullable: 'NO', key: 'PRI' },
    ]);
    expect(await rows(t, '*', '__connect_offset')).toEqual([
      { __connect_topic: t, __connect_partition: 3, __connect_offset: 100, id: 1, name: 'a', qty: 1 },
      { __connect_topic: t, __connect_partition: 3, __connect_offset: 101, id: 1, name: 'a', qty: 1 },
    ]);
  });

  it('pk.mode record_key takes a struct key\'s fields, or names a primitive key', async () => {
    const t1 = topic('jsink_skey');
    const keySchema = Schemas.struct([['tenant', Schemas.string()], ['no', Schemas.int32()]]);
    const key = (tenant: string, no: number) => new Struct(keySchema, { tenant, no });
    const task = await start({ 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_key' });
    const r1 = await task.put([
      rec(t1, orderValue(1, 'a'), { key: key('acme', 1), keySchema }),
      rec(t1, orderValue(2, 'b'), { key: key('acme', 2), keySchema }),
      rec(t1, orderValue(3, 'c'), { key: key('acme', 1), keySchema }),
    ], signal);
    expect(r1).toEqual({ failed: [] });
    // Key fields that are not in the value come after the value's, sorted (Confluent's column order).
    expect((await columns(t1)).map((c) => [c.name, c.type, c.key])).toEqual([
      ['id', 'bigint(20)', ''], ['name', 'text', ''], ['qty', 'int(11)', ''], ['no', 'int(11)', 'PRI'], ['tenant', 'varchar(256)', 'PRI'],
    ]);
    expect(await rows(t1, 'tenant, no, id, name', 'no')).toEqual([
      { tenant: 'acme', no: 1, id: 3, name: 'c' }, { tenant: 'acme', no: 2, id: 2, name: 'b' },
    ]);

    const t2 = topic('jsink_pkey');
    const prim = await start({ 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'pk.fields': 'code' });
    expect(await prim.put([
      rec(t2, orderValue(1, 'a'), { key: 'X-1', keySchema: Schemas.string() }),
      rec(t2, orderValue(2, 'b'), { key: 'X-1', keySchema: Schemas.string() }),
    ], signal)).toEqual({ failed: [] });
    expect(await rows(t2, 'code, id, name')).toEqual([{ code: 'X-1', id: 2, name: 'b' }]);
  });

  it('auto.evolve adds missing optional columns; a required field without default fails just its record', async () => {
    const t = topic('jsink_evolve');
    const task = await start({ 'auto.create': 'true', 'auto.evolve': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id' });
    expect(await task.put([rec(t, orderValue(1, 'a'))], signal)).toEqual({ failed: [] });

    const v2 = Schemas.struct([...order.fields!.map((f): [string, Schema] => [f.name, f.schema]), ['note', Schemas.string({ optional: true })], ['rank', Schemas.int16({ defaultValue: 7 })]]);
    const v3 = Schemas.struct([['id', Schemas.int64()], ['must', Schemas.string()]]);
    const r = await task.put([
      rec(t, new Struct(v2, { id: 2, name: 'b', qty: 2, note: 'hello' })),
      rec(t, new Struct(v3, { id: 3, must: 'x' })),
      rec(t, orderValue(4, 'd')),
    ], signal);
    expect(r.failed.map((f) => f.index)).toEqual([1]);
    expect(r.failed[0].error.message).toMatch(/to add missing field must, as the field is not optional and does not have a default value/);
    expect((await columns(t)).map((c) => [c.name, c.type, c.nullable])).toEqual([
      ['id', 'bigint(20)', 'NO'], ['name', 'text', 'YES'], ['qty', 'int(11)', 'YES'], ['note', 'text', 'YES'], ['rank', 'smallint(6)', 'YES'],
    ]);
    expect(await rows(t, 'id, name, note, `rank`', 'id')).toEqual([
      { id: 1, name: 'a', note: null, rank: 7 }, { id: 2, name: 'b', note: 'hello', rank: 7 }, { id: 4, name: 'd', note: null, rank: 7 },
    ]);

    // Without auto.evolve the record that needs a new column fails, with Confluent's message.
    const strict = await start({ 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id' });
    const v4 = Schemas.struct([['id', Schemas.int64()], ['extra', Schemas.string({ optional: true })]]);
    const r2 = await strict.put([rec(t, new Struct(v4, { id: 5, extra: 'e' }))], signal);
    expect(r2.failed[0].error.message).toMatch(/is missing fields \(extra\) and auto-evolution is disabled/);
  });

  it('delete.enabled: a tombstone deletes by record key, in batch order with the writes', async () => {
    const t = topic('jsink_delete');
    const keySchema = Schemas.int64();
    const task = await start({ 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'pk.fields': 'k', 'delete.enabled': 'true' });
    const put = (k: number, v: Struct | null) => rec(t, v, { key: k, keySchema });
    expect(await task.put([put(1, orderValue(1, 'a')), put(2, orderValue(2, 'b')), put(3, orderValue(3, 'c'))], signal)).toEqual({ failed: [] });
    // Delete 1; delete 2 then write it again; write 4 then delete it; delete a key that never existed.
    expect(await task.put([put(1, null), put(2, null), put(2, orderValue(22, 'b2')), put(4, orderValue(4, 'd')), put(4, null), put(9, null)], signal))
      .toEqual({ failed: [] });
    expect(await rows(t, 'k, id, name', 'k')).toEqual([{ k: 2, id: 22, name: 'b2' }, { k: 3, id: 3, name: 'c' }]);

    // A tombstone for a table that does not exist yet has nothing to delete.
    const none = topic('jsink_delete_none');
    expect(await task.put([rec(none, null, { key: 1, keySchema })], signal)).toEqual({ failed: [] });
  });

  it('a tombstone without delete.enabled fails just that record', async () => {
    const t = topic('jsink_tomb');
    const task = await start({ 'auto.create': 'true' });
    const r = await task.put([rec(t, orderValue(1, 'a')), rec(t, null), rec(t, orderValue(2, 'b'))], signal);
    expect(r.failed.map((f) => f.index)).toEqual([1]);
    expect(r.failed[0].error).toMatchObject({ name: 'DataError', stage: 'TASK_PUT' });
    expect(r.failed[0].error.message).toMatch(/null value \(a tombstone\), and delete.enabled is false/);
    expect((await rows(t, 'id')).map((x) => x.id)).toEqual([1, 2]);
  });

  it('reports a too-long value, a NULL in a NOT NULL column and a duplicate key for just those records; the rest are written', async () => {
    const t = topic('jsink_bad');
    await sql.query(`CREATE TABLE \`${t}\` (id BIGINT PRIMARY KEY, name VARCHAR(5) NOT NULL, qty INT CHECK (qty >= 0))`);
    const task = await start({ 'pk.mode': 'record_value', 'pk.fields': 'id', 'batch.size': '100' });
    const batch = [
      rec(t, orderValue(1, 'ok')),
      rec(t, orderValue(2, 'far too long')), // 1406 data too long
      rec(t, orderValue(3, 'ok')),
      rec(t, orderValue(4, null)), // 1048 NOT NULL
      rec(t, orderValue(1, 'dup')), // 1062 duplicate key within the batch
      rec(t, orderValue(5, 'ok', -1)), // 4025 CHECK constraint
      rec(t, orderValue(6, 'ok')),
    ];
    const r = await task.put(batch, signal);
    expect(r.failed.map((f) => f.index)).toEqual([1, 3, 4, 5]);
    for (const f of r.failed) expect(f.error).toMatchObject({ name: 'DataError', stage: 'TASK_PUT' });
    expect(r.failed[0].error.message).toMatch(/Data too long for column 'name'/);
    expect(r.failed[1].error.message).toMatch(/cannot be null/);
    expect(r.failed[2].error.message).toMatch(/Duplicate entry/);
    expect(await rows(t, 'id, name', 'id')).toEqual([{ id: 1, name: 'ok' }, { id: 3, name: 'ok' }, { id: 6, name: 'ok' }]);
    // The session is still good for the next batch.
    expect(await task.put([rec(t, orderValue(7, 'ok'))], signal)).toEqual({ failed: [] });
  });

  it('fails per record what cannot be bound (a nested struct, NaN) before writing the others', async () => {
    const t = topic('jsink_bind');
    await sql.query(`CREATE TABLE \`${t}\` (id BIGINT, v DOUBLE, inner_ TEXT)`);
    const inner = Schemas.struct([['a', Schemas.int32()]]);
    const s = Schemas.struct([['id', Schemas.int64()], ['v', Schemas.float64({ optional: true })], ['inner_', { ...inner, optional: true }]]);
    const task = await start({});
    const r = await task.put([
      rec(t, new Struct(s, { id: 1, v: NaN })),
      rec(t, new Struct(s, { id: 2, v: 0.5 })),
      rec(t, new Struct(s, { id: 3, inner_: new Struct(inner, { a: 1 }) })),
    ], signal);
    expect(r.failed.map((f) => f.index)).toEqual([0, 2]);
    expect(r.failed[1].error.message).toMatch(/STRUCT values have no column type/);
    expect(await rows(t)).toEqual([{ id: 2, v: 0.5, inner_: null }]);
  });

  it('fails a record larger than max_allowed_packet without sending it', async () => {
    const t = topic('jsink_huge');
    await sql.query(`CREATE TABLE \`${t}\` (id BIGINT, name LONGTEXT, qty INT)`);
    const [[{ maxPacket }]] = await sql.query<RowDataPacket[]>('SELECT @@max_allowed_packet AS maxPacket');
    const task = await start({});
    const r = await task.put([rec(t, orderValue(1, 'x'.repeat(Number(maxPacket)))), rec(t, orderValue(2, 'small'))], signal);
    expect(r.failed.map((f) => f.index)).toEqual([0]);
    expect(r.failed[0].error.message).toMatch(/max_allowed_packet/);
    expect(await rows(t, 'id, name')).toEqual([{ id: 2, name: 'small' }]);
  });

  it('accepts schemaless objects for an existing table, and refuses them where auto.create would need a schema', async () => {
    const t = topic('jsink_schemaless');
    const task = await start({ 'auto.create': 'true', 'auto.evolve': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id' });
    const r1 = await task.put([rec(t, { id: 1, name: 'a' })], signal);
    expect(r1.failed[0].error.message).toMatch(/records without a value schema cannot create it/);

    await sql.query(`CREATE TABLE \`${t}\` (id BIGINT PRIMARY KEY, name TEXT, at DATETIME(3))`);
    const other = await start({ 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id' });
    const r2 = await other.put([
      rec(t, { id: 1, name: 'a', at: new Date('2024-01-02T03:04:05.006Z') }),
      rec(t, new Map<string, unknown>([['id', 2], ['name', 'b']])),
      rec(t, { id: 3, unknown: 'x' }),
    ], signal);
    expect(r2.failed.map((f) => f.index)).toEqual([2]);
    expect(r2.failed[0].error.message).toMatch(/has no column unknown, and records without a value schema cannot add columns/);
    expect(await rows(t, 'id, name, CAST(at AS CHAR) AS at', 'id')).toEqual([
      { id: 1, name: 'a', at: '2024-01-02 03:04:05.006' }, { id: 2, name: 'b', at: null },
    ]);
  });

  it('writes many rows in multi-row statements within batch.size', async () => {
    const t = topic('jsink_bulk');
    const task = await start({ 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id', 'batch.size': '500' });
    const batch = Array.from({ length: 2_345 }, (_, i) => rec(t, orderValue(i, `n${i}`, i)));
    expect(await task.put(batch, signal)).toEqual({ failed: [] });
    const [[count]] = await sql.query<RowDataPacket[]>(`SELECT COUNT(*) AS n, SUM(qty) AS s FROM \`${t}\``);
    expect({ n: Number(count.n), s: Number(count.s) }).toEqual({ n: 2_345, s: (2_344 * 2_345) / 2 });
  });

  it('a table dropped behind the task\'s back fails the batch retriably; the retry re-creates it', async () => {
    const t = topic('jsink_dropped');
    const task = await start({ 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id' });
    expect(await task.put([rec(t, orderValue(1, 'a'))], signal)).toEqual({ failed: [] });
    await sql.query(`DROP TABLE \`${t}\``);
    const batch = [rec(t, orderValue(2, 'b'))];
    await expect(task.put(batch, signal)).rejects.toBeInstanceOf(RetriableError);
    expect(await task.put(batch, signal)).toEqual({ failed: [] });
    expect(await rows(t, 'id')).toEqual([{ id: 2 }]);
  });

  it('a cancelled put rolls back its batch, and the next put starts on a fresh session', async () => {
    const t = topic('jsink_cancel');
    await sql.query(`CREATE TABLE \`${t}\` (id BIGINT PRIMARY KEY, name TEXT, qty INT)`);
    const task = await start({ 'pk.mode': 'record_value', 'pk.fields': 'id' });
    const aborted = new AbortController();
    aborted.abort();
    await expect(task.put([rec(t, orderValue(1, 'a'))], aborted.signal)).rejects.toBeInstanceOf(RetriableError);
    expect(await rows(t)).toEqual([]);
    expect(await task.put([rec(t, orderValue(1, 'a'))], signal)).toEqual({ failed: [] });
    expect(await rows(t, 'id')).toEqual([{ id: 1 }]);
  });

  it('a bad password is a ConfigError; an unreachable server a RetriableError', async () => {
    await expect(start({ 'connection.password': 'definitely-wrong' })).rejects.toBeInstanceOf(ConfigError);
    await expect(start({ 'connection.url': 'jdbc:mysql://127.0.0.1:1/x', 'connection.attempts': '1' })).rejects.toBeInstanceOf(RetriableError);
    await expect(start({ 'delete.enabled': 'true' })).rejects.toBeInstanceOf(ConfigError);
  });

  it('close is safe twice', async () => {
    const task = await start({});
    await task.close();
    await task.close();
  });
});
