import { describe, expect, it } from 'vitest';
import { alterTableSql, canAdd, createTableSql } from '../../../src/connectors/jdbc-sink/ddl.js';
import { mysqlDialect } from '../../../src/connectors/jdbc/mysql.js';
import type { SinkField } from '../../../src/connectors/jdbc-sink/fields.js';
import { UTC, parseZone } from '../../../src/connectors/jdbc/time.js';
import { Schemas, type Schema } from '../../../src/records/schema.js';

const f = (name: string, schema: Schema | null, primaryKey = false): SinkField => ({ name, schema, primaryKey });
const t = { db: 'shop', table: 'orders' };

describe('JDBC sink DDL (Confluent MySqlDatabaseDialect types)', () => {
  it('writes CREATE TABLE with nullability, defaults as bound values and the primary key', () => {
    const s = createTableSql(mysqlDialect, t, [
      f('id', Schemas.int64(), true),
      f('tenant', Schemas.string(), true),
      f('name', Schemas.string({ optional: true })),
      f('qty', Schemas.int32({ defaultValue: 1 })),
      f('price', Schemas.decimal(2)),
      f('at', Schemas.timestamp({ optional: true, defaultValue: new Date('2024-01-01T00:00:00Z') })),
    ], parseZone('+02:00'));
    expect(s.sql).toBe('CREATE TABLE IF NOT EXISTS `shop`.`orders` (\n'
      + '`id` BIGINT NOT NULL,\n'
      + '`tenant` VARCHAR(256) NOT NULL,\n'
      + '`name` TEXT NULL,\n'
      + '`qty` INT DEFAULT ?,\n'
      + '`price` DECIMAL(65,2) NOT NULL,\n'
      + '`at` DATETIME(3) DEFAULT ?,\n'
      + 'PRIMARY KEY(`id`,`tenant`))');
    expect(s.params).toEqual([1, '2024-01-01 02:00:00.000000']);
  });

  it('creates a table without a primary key when there is none, and quotes every name', () => {
    const s = createTableSql(mysqlDialect, { db: 'a`b', table: 'x y' }, [f('we`ird', Schemas.int8({ optional: true }))], UTC);
    expect(s.sql).toBe('CREATE TABLE IF NOT EXISTS `a``b`.`x y` (\n`we``ird` TINYINT NULL)');
  });

  it('writes ALTER TABLE ... ADD for missing columns', () => {
    const s = alterTableSql(mysqlDialect, t, [f('note', Schemas.string({ optional: true })), f('flag', Schemas.boolean({ defaultValue: false }))], UTC);
    expect(s.sql).toBe('ALTER TABLE `shop`.`orders` ADD `note` TEXT NULL,\nADD `flag` TINYINT DEFAULT ?');
    expect(s.params).toEqual([false]);
  });

  it('adds only optional columns or columns with a default, as Confluent', () => {
    expect(canAdd(f('a', Schemas.int32({ optional: true })))).toBe(true);
    expect(canAdd(f('a', Schemas.int32({ defaultValue: 0 })))).toBe(true);
    expect(canAdd(f('a', Schemas.int32()))).toBe(false);
    expect(canAdd(f('a', Schemas.int32({ optional: true }), true))).toBe(false);
  });
});
