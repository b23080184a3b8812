import { describe, expect, it } from 'vitest';
import { parseTableList, quoteColumn } from '../../../src/connectors/jdbc/dialect.js';
import { mysqlDialect, parseQualifiedList, quoteId, quoteTable, sqlType } from '../../../src/connectors/jdbc/mysql.js';
import type { DdlColumn } from '../../../src/connectors/jdbc/dialect.js';
import { DataError } from '../../../src/errors.js';
import { Schemas, type Schema } from '../../../src/records/schema.js';

const f = (name: string, schema: Schema | null, primaryKey = false): DdlColumn => ({ name, schema, primaryKey });

describe('quoting', () => {
  it('wraps identifiers in backticks and doubles backticks inside', () => {
    expect(quoteId('orders')).toBe('`orders`');
    expect(quoteId('we`ird')).toBe('`we``ird`');
    expect(quoteId('x` ; DROP TABLE t; --')).toBe('`x`` ; DROP TABLE t; --`');
  });

  it('qualifies tables by database and columns by table', () => {
    const t = { db: 'shop', table: 'order items' };
    expect(quoteTable(t)).toBe('`shop`.`order items`');
    expect(quoteColumn(mysqlDialect, 'id', t)).toBe('`shop`.`order items`.`id`');
    expect(quoteColumn(mysqlDialect, 'id')).toBe('`id`');
  });
});

describe('parseQualifiedList / parseTableList', () => {
  it('splits at commas outside backticks and unquotes', () => {
    expect(parseQualifiedList('`db`.`a,b`,`db`.`c``d`, plain , db.e')).toEqual([['db', 'a,b'], ['db', 'c`d'], ['plain'], ['db', 'e']]);
  });

  it('round-trips what quoteTable writes', () => {
    const tables = [{ db: 'd', table: 'x.y' }, { db: 'd', table: '`q`' }];
    expect(parseTableList(mysqlDialect, tables.map(quoteTable).join(','), null)).toEqual(tables);
  });

  it('qualifies bare names with the default database', () => {
    expect(parseTableList(mysqlDialect, 'a, b', 'shop')).toEqual([{ db: 'shop', table: 'a' }, { db: 'shop', table: 'b' }]);
    expect(parseTableList(mysqlDialect, '', 'shop')).toEqual([]);
    expect(() => parseTableList(mysqlDialect, 'a', null)).toThrow(/db.table/);
    expect(() => parseTableList(mysqlDialect, '`a', 'x')).toThrow(/Unterminated/);
  });
});

describe('MySQL DDL column types (Confluent MySqlDatabaseDialect)', () => {
  it('maps Connect types to MySQL column types', () => {
    const cases: Array<[Schema, string]> = [
      [Schemas.int8(), 'TINYINT'], [Schemas.int16(), 'SMALLINT'], [Schemas.int32(), 'INT'], [Schemas.int64(), 'BIGINT'],
      [Schemas.float32(), 'FLOAT'], [Schemas.float64(), 'DOUBLE'], [Schemas.boolean(), 'TINYINT'],
      [Schemas.string(), 'TEXT'], [Schemas.bytes(), 'BLOB'],
      [Schemas.decimal(3), 'DECIMAL(65,3)'], [Schemas.date(), 'DATE'], [Schemas.time(), 'TIME(3)'], [Schemas.timestamp(), 'DATETIME(3)'],
    ];
    for (const [schema, type] of cases) expect(sqlType(f('c', schema))).toBe(type);
  });

  it('gives key columns indexable types', () => {
    expect(sqlType(f('k', Schemas.string(), true))).toBe('VARCHAR(256)');
    expect(sqlType(f('k', Schemas.bytes(), true))).toBe('VARBINARY(1024)');
  });

  it('refuses fields without a column type', () => {
    expect(() => sqlType(f('s', Schemas.struct([['a', Schemas.int32()]])))).toThrow(/STRUCT, which has no MySQL column type/);
    expect(() => sqlType(f('a', Schemas.array(Schemas.int32())))).toThrow(DataError);
    expect(() => sqlType(f('m', null))).toThrow(/has no schema/);
  });
});
