import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { Schemas } from '../../../src/records/schema.js';
import { postgresDialect, literal } from '../../../src/connectors/jdbc/postgres.js';
import { toDollarParams } from '../../../src/connectors/jdbc/postgres-session.js';
import { parseJdbcUrl } from '../../../src/connectors/jdbc/url.js';
import { groupRows, type PreparedRow } from '../../../src/connectors/jdbc-sink/writer.js';
import { mapPgColumn, numericPrecisionScale, zonedToInstant, OID } from '../../../src/connectors/jdbc-source/postgres-types.js';
import type { PgColumn } from '../../../src/connectors/jdbc/postgres-session.js';
import { UTC } from '../../../src/connectors/jdbc/time.js';

const d = postgresDialect;

describe('PostgreSQL dialect (PostgreSqlDatabaseDialect)', () => {
  it('quotes identifiers with double quotes, doubling any inside, and reads qualified lists back', () => {
    expect(d.quoteId('a"b')).toBe('"a""b"');
    expect(d.quoteTable({ db: 'sales', table: 'Order Lines' })).toBe('"sales"."Order Lines"');
    expect(d.parseQualifiedList('"s.1"."a,b", public.t, x')).toEqual([['s.1', 'a,b'], ['public', 't'], ['x']]);
    expect(() => d.parseQualifiedList('"open')).toThrow(/Unterminated quote/);
  });

  it('takes jdbc:postgresql:// URLs with 5432 by default; unqualified tables are in currentSchema, else public', () => {
    const u = parseJdbcUrl('jdbc:postgresql://db.example/shop?currentSchema=sales,public&sslmode=require');
    expect(u).toMatchObject({ protocol: 'postgresql', hosts: [{ host: 'db.example', port: 5432 }], database: 'shop' });
    expect(d.defaultNamespace(u)).toBe('sales');
    expect(d.defaultNamespace(parseJdbcUrl('jdbc:postgresql://h:6543/shop'))).toBe('public');
  });

  it("creates Confluent's PostgreSQL column types", () => {
    const t = (schema: ReturnType<typeof Schemas.int8>, primaryKey = false) => d.columnType({ name: 'f', schema, primaryKey });
    expect([Schemas.int8(), Schemas.int16(), Schemas.int32(), Schemas.int64(), Schemas.float32(), Schemas.float64(), Schemas.boolean(), Schemas.string(), Schemas.bytes()].map((s) => t(s)))
      .toEqual(['SMALLINT', 'SMALLINT', 'INT', 'BIGINT', 'REAL', 'DOUBLE PRECISION', 'BOOLEAN', 'TEXT', 'BYTEA']);
    expect([Schemas.decimal(3), Schemas.date(), Schemas.time(), Schemas.timestamp()].map((s) => t(s))).toEqual(['DECIMAL', 'DATE', 'TIME', 'TIMESTAMP']);
    expect(t(Schemas.string(), true)).toBe('TEXT');
    expect(() => t(Schemas.struct([['a', Schemas.int32()]]))).toThrow(DataError);
  });

  it('upserts with ON CONFLICT on the key: DO UPDATE from EXCLUDED, DO NOTHING without other columns', () => {
    expect(d.upsertSql('INSERT INTO t ("k","v") VALUES (?,?)', ['k'], ['v'])).toBe('INSERT INTO t ("k","v") VALUES (?,?) ON CONFLICT ("k") DO UPDATE SET "v"=EXCLUDED."v"');
    expect(d.upsertSql('INSERT INTO t ("a","b") VALUES (?,?)', ['a', 'b'], [])).toBe('INSERT INTO t ("a","b") VALUES (?,?) ON CONFLICT ("a","b") DO NOTHING');
  });

  it('reads SQLSTATEs: credentials and unknown databases are config errors naming their key, class 22/23 the row\'s data', () => {
    const e = (code: string) => Object.assign(new Error(`e${code}`), { code, severity: 'ERROR' });
    expect(d.serverError(e('28P01'))).toEqual({ kind: 'config', message: 'e28P01', key: 'connection.password' });
    expect(d.serverError(e('3D000'))).toMatchObject({ kind: 'config', key: 'connection.url' });
    expect(d.serverError(e('25006'))?.kind).toBe('config');
    expect(['23505', '23502', '23514', '22001', '22P02'].map((c) => d.serverError(e(c))?.kind)).toEqual(['data', 'data', 'data', 'data', 'data']);
    expect([d.serverError(e('42P01'))?.kind, d.serverError(e('42701'))?.kind, d.serverError(e('42622'))?.kind, d.serverError(e('40001'))?.kind])
      .toEqual(['schema-changed', 'duplicate-column', 'ddl-data', 'other']);
    // Not a server error of this driver: a mysql2 error, a socket error.
    expect(d.serverError(Object.assign(new Error('x'), { errno: 1045, code: 'ER_ACCESS_DENIED_ERROR' }))).toBeUndefined();
    expect(d.serverError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeUndefined();
  });

  it('writes DDL defaults as literals (DDL binds no values)', () => {
    expect([literal("it's"), literal(7), literal(12n), literal(true), literal(Buffer.from([1, 255])), literal(null)])
      .toEqual(["'it''s'", '7', '12', 'TRUE', "'\\x01ff'::bytea", 'NULL']);
    expect(() => literal(NaN)).toThrow(DataError);
  });
});

describe('JDBC ? placeholders as $n (as PgJDBC)', () => {
  it('numbers ? outside quotes, comments and dollar quotes; ?? is a literal ?', () => {
    expect(toDollarParams('SELECT * FROM t WHERE a > ? AND b = ?')).toEqual({ text: 'SELECT * FROM t WHERE a > $1 AND b = $2', count: 2 });
    expect(toDollarParams(`SELECT '?', "q?", E'\\'?', $$?$$, $tag$ ? $tag$ -- ?\n/* ? /* ? */ */ FROM t WHERE x = ?`).text)
      .toBe(`SELECT '?', "q?", E'\\'?', $$?$$, $tag$ ? $tag$ -- ?\n/* ? /* ? */ */ FROM t WHERE x = $1`);
    expect(toDollarParams("SELECT doc ?? 'k' FROM t WHERE id = ?")).toEqual({ text: "SELECT doc ? 'k' FROM t WHERE id = $1", count: 1 });
    expect(toDollarParams("SELECT 'it''s ?' AS a, $1x FROM t").count).toBe(0);
  });
});

describe('sink statements within PostgreSQL\'s limits', () => {
  const row = (i: number, key: number, kind: PreparedRow['kind'] = 'upsert'): PreparedRow => ({
    index: i, table: { db: 's', table: 't' }, kind, keyFields: ['k'], nonKeyFields: ['v'], keyParams: [key], nonKeyParams: [`v${i}`], bytes: 10,
  });

  it('starts a new upsert statement where a key repeats, and where the bound values would pass the limit', () => {
    const groups = groupRows([row(0, 1), row(1, 2), row(2, 1), row(3, 3)], 100, 1e6, { uniqueUpsertKeys: true });
    expect(groups.map((g) => g.rows.map((r) => r.index))).toEqual([[0, 1], [2, 3]]);
    expect(groupRows([row(0, 1), row(1, 1)], 100, 1e6).map((g) => g.rows.length)).toEqual([2]);
    expect(groupRows([row(0, 1, 'insert'), row(1, 1, 'insert')], 100, 1e6, { uniqueUpsertKeys: true }).length).toBe(1);
    const many = Array.from({ length: 10 }, (_, i) => row(i, i, 'insert'));
    expect(groupRows(many, 100, 1e6, { maxParams: 6 }).map((g) => g.rows.length)).toEqual([3, 3, 3, 1]);
  });
});

describe('PostgreSQL result columns for the JDBC source', () => {
  const col = (typeId: number, typmod = -1, notNull = false): PgColumn => ({ name: 'c', typeId, typmod, tableId: 1, columnId: 1, notNull, autoIncrement: false });
  const o = { numericMapping: 'none' as const, zone: UTC };

  it('reads numeric precision and scale from the type modifier; unconstrained numeric has scale 127', () => {
    expect(numericPrecisionScale((10 << 16) + 2 + 4)).toEqual({ precision: 10, scale: 2 });
    expect(numericPrecisionScale(-1)).toEqual({ precision: 0, scale: 127 });
    const m = mapPgColumn(col(OID.NUMERIC, (10 << 16) + 2 + 4, true), o)!;
    expect(m.schema).toMatchObject({ optional: false, parameters: { scale: '2', 'connect.decimal.precision': '10' } });
    expect(m.convert('-1.50')).toBe('-1.50');
  });

  it('converts text values exactly: booleans, bits, int8 beyond 2^53, timestamptz offsets, times', () => {
    expect(mapPgColumn(col(OID.BOOL), o)!.convert('t')).toBe(true);
    expect(mapPgColumn(col(OID.BIT, 1), o)!.schema.type).toBe('boolean');
    expect(mapPgColumn(col(OID.INT8), o)!.convert('9007199254740993')).toBe(9007199254740993n);
    expect(zonedToInstant('2024-05-01 12:00:00.5+05:30').ms).toBe(Date.parse('2024-05-01T06:30:00.500Z'));
    expect(mapPgColumn(col(OID.TIMETZ), o)!.convert('12:00:00+02')).toEqual(new Date(10 * 3600_000));
    expect(mapPgColumn(col(1186), o)).toBeNull(); // interval: left out, as Connect JDBC
    expect(() => mapPgColumn(col(OID.TIMESTAMP), o)!.convert('infinity')).toThrow(DataError);
  });
});
