import { describe, expect, it } from 'vitest';
import mysql from 'mysql2';
import { groupRows, groupStatement, singleRows, type PreparedRow, type WriteKind } from '../../../src/connectors/jdbc-sink/writer.js';
import { toDbValue } from '../../../src/connectors/jdbc-sink/values.js';
import { mysqlDialect } from '../../../src/connectors/jdbc/mysql.js';
import { inlineValue } from '../../../src/connectors/jdbc/mysql-session.js';
import { parseZone, UTC } from '../../../src/connectors/jdbc/time.js';
import { Schemas, type Schema } from '../../../src/records/schema.js';
import type { TemporalColumn } from '../../../src/connectors/jdbc/dialect.js';

// On MySQL/MariaDB the sink writes inserts and upserts with their values inline (mysql2 writes
// bound values into the statement text anyway): the statement must be, byte for byte, what mysql2
// makes of the placeholder statement and its parameters, for every type the dialect maps.

const t = { db: 'shop', table: 'odd`name' };
const paris = parseZone('Europe/Paris');

/** Field name, schema, the column's temporal kind, values (null among them). */
const columns: Array<[string, Schema, TemporalColumn | undefined, unknown[]]> = [
  ['id', Schemas.int64(), undefined, [1, -9007199254740991, 9223372036854775807n, -9223372036854775808n]],
  ['i8', Schemas.int8({ optional: true }), undefined, [-128, 127, null, 0]],
  ['i16', Schemas.int16({ optional: true }), undefined, [-32768, 32767, 0, null]],
  ['i32', Schemas.int32({ optional: true }), undefined, [-2147483648, 2147483647, -0, 5]],
  ['f32', Schemas.float32({ optional: true }), undefined, [Math.fround(1.1), -0, 3.4028234663852886e38, null]],
  ['f64', Schemas.float64({ optional: true }), undefined, [1e21, 5e-324, -1.7976931348623157e308, 0.1 + 0.2]],
  ['flag', Schemas.boolean({ optional: true }), undefined, [true, false, null, true]],
  ['s', Schemas.string({ optional: true }), undefined, [
    "quote ' double \" backslash \\ nul \0 bs \b tab \t nl \n cr \r ctrl-z \x1a", 'é 漢字 😀 \u2028', '', null,
  ]],
  ['qmark', Schemas.string({ optional: true }), undefined, ['what? ?? `?`', "'?'", '-- ?', '/* ? */']],
  ['raw', Schemas.bytes({ optional: true }), undefined, [Buffer.from([0, 1, 0x27, 0x5c, 254, 255]), Buffer.alloc(0), null, new Uint8Array([1, 2, 3]).subarray(1)]],
  ['amount', Schemas.decimal(2, { optional: true }), undefined, ['-12345.67', '0.00', null, '99999999999999999999999999999999.99']],
  ['day', Schemas.date({ optional: true }), 'date', [new Date(Date.UTC(2024, 1, 29)), new Date(Date.UTC(1, 0, 1)), null, new Date(0)]],
  ['tod', Schemas.time({ optional: true }), 'time', [new Date(45_296_789), new Date(0), new Date(86_399_999), null]],
  ['at', Schemas.timestamp({ optional: true }), 'wall', [new Date(Date.UTC(2024, 0, 1, 12, 0, 0, 123)), new Date(-1), null, new Date(Date.UTC(2024, 2, 31, 1, 30))]],
  ['instant', Schemas.timestamp({ optional: true }), 'instant', [new Date(Date.UTC(2024, 6, 1, 10)), null, new Date(0), new Date(1)]],
];
const keyFields = ['id'];
const nonKeyFields = columns.slice(1).map(([name]) => name);

/** Each test row bound both ways: as parameters and as the inline tuple the task builds. */
function rows(kind: WriteKind, zone = paris): { params: PreparedRow[]; inline: PreparedRow[] } {
  const params: PreparedRow[] = [];
  const inline: PreparedRow[] = [];
  for (let r = 0; r < 4; r++) {
    const values = columns.map(([name, schema, column, vs]) => toDbValue(vs[r], schema, column, zone, name));
    const base = { index: r, table: t, kind, keyFields, nonKeyFields, bytes: 100 };
    params.push({ ...base, keyParams: values.slice(0, 1), nonKeyParams: values.slice(1) });
    inline.push({ ...base, keyParams: [], nonKeyParams: [], tuple: `(${values.map((v) => inlineValue(v, 'local')).join(',')})` });
  }
  return { params, inline };
}

describe('JDBC sink statements with values inline (MySQL)', () => {
  it.each(['insert', 'upsert'] as const)('%s: the same text as mysql2 formatting the placeholder statement', (kind) => {
    const { params, inline } = rows(kind);
    const [withParams] = groupRows(params, 3000, 1 << 30);
    const [withValues] = groupRows(inline, 3000, 1 << 30);
    const expected = groupStatement(mysqlDialect, withParams)!;
    const actual = groupStatement(mysqlDialect, withValues)!;
    expect(actual.params).toEqual([]);
    expect(actual.sql).toBe(mysql.format(expected.sql, expected.params as Parameters<typeof mysql.format>[1]));
    expect(actual.sql).toContain("'quote \\' double \\\" backslash \\\\ nul \\0 bs \\b tab \\t nl \\n cr \\r ctrl-z \\Z'");
    expect(actual.sql).toContain("X'0001275cfeff'");
    // One row at a time (the fallback that finds a rejected row): the same again.
    const one = singleRows(withValues).map((g) => groupStatement(mysqlDialect, g)!.sql);
    const oneExpected = singleRows(withParams).map((g) => groupStatement(mysqlDialect, g)!);
    expect(one).toEqual(oneExpected.map((s) => mysql.format(s.sql, s.params as Parameters<typeof mysql.format>[1])));
  });

  it('writes single values as mysql2 does', () => {
    expect(inlineValue(null, 'local')).toBe('NULL');
    expect(inlineValue(undefined, 'local')).toBe('NULL');
    expect(inlineValue(UTC.id, 'local')).toBe(mysql.format('?', [UTC.id]));
    expect(inlineValue(-0, 'local')).toBe('0');
    expect(inlineValue(12345678901234567890n, 'local')).toBe('12345678901234567890');
  });
});
