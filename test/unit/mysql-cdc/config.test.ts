import { describe, expect, it } from 'vitest';
import { compileFilters, mysqlCdcConfig, parseMysqlCdcConfig, snapshotMode, validateMysqlCdc } from '../../../src/connectors/mysql-cdc/config.js';
import { enumValues, mapColumn, type ColumnInfo } from '../../../src/connectors/mysql-cdc/columns.js';
import { readOffset, snapshotUnfinished } from '../../../src/connectors/mysql-cdc/source-info.js';
import { ddlTarget } from '../../../src/connectors/mysql-cdc/task.js';
import { findConnectorPlugin } from '../../../src/connectors/registry.js';

const BASE = { 'database.hostname': 'db', 'database.user': 'u', 'database.server.id': '184054', 'topic.prefix': 'dbserver1' };

function problems(raw: Record<string, string>): Array<{ key: string; message: string }> {
  const parsed = mysqlCdcConfig.parse(raw);
  if (!parsed.ok) return parsed.problems;
  return validateMysqlCdc(parsed.value);
}

describe('MySqlConnector / MariaDbConnector config', () => {
  it('is registered under Debezium\'s class names', () => {
    expect(findConnectorPlugin('io.debezium.connector.mysql.MySqlConnector')?.type).toBe('source');
    expect(findConnectorPlugin('io.debezium.connector.mariadb.MariaDbConnector')?.className).toBe('io.debezium.connector.mariadb.MariaDbConnector');
    expect(findConnectorPlugin('MySqlConnector')?.className).toBe('io.debezium.connector.mysql.MySqlConnector');
  });

  it('requires the connection keys, database.server.id and topic.prefix, by key', () => {
    expect(problems({}).map((p) => p.key).sort()).toEqual(['database.hostname', 'database.server.id', 'database.user', 'topic.prefix']);
    expect(problems(BASE)).toEqual([]);
  });

  it('refuses include and exclude lists together, snapshot.mode=never, a bad regex and a topic.prefix Kafka cannot use', () => {
    expect(problems({ ...BASE, 'table.include.list': 'a\\.b', 'table.exclude.list': 'a\\.c' }).map((p) => p.key)).toEqual(['table.exclude.list']);
    expect(problems({ ...BASE, 'database.include.list': 'a', 'database.exclude.list': 'b' }).map((p) => p.key)).toEqual(['database.exclude.list']);
    expect(problems({ ...BASE, 'snapshot.mode': 'never' }).map((p) => p.key)).toEqual(['snapshot.mode']);
    expect(problems({ ...BASE, 'table.include.list': 'a(' }).map((p) => p.key)).toEqual(['table.include.list']);
    expect(problems({ ...BASE, 'topic.prefix': 'a b' }).map((p) => p.key)).toEqual(['topic.prefix']);
    expect(problems({ ...BASE, 'decimal.handling.mode': 'exact' }).map((p) => p.key)).toEqual(['decimal.handling.mode']);
  });

  it('filters match whole names; system databases are never captured; schema_only means no_data', () => {
    const f = compileFilters(parseMysqlCdcConfig({ ...BASE, 'table.include.list': 'inv\\.cust.*', 'column.exclude.list': 'inv\\.customers\\.secret' }));
    expect([f.table('inv', 'customers'), f.table('inv', 'orders'), f.table('xinv', 'customers')]).toEqual([true, false, false]);
    expect([f.column('inv', 'customers', 'secret'), f.column('inv', 'customers', 'name')]).toEqual([false, true]);
    expect(compileFilters(parseMysqlCdcConfig(BASE)).database('mysql')).toBe(false);
    expect(snapshotMode(parseMysqlCdcConfig({ ...BASE, 'snapshot.mode': 'schema_only' }))).toBe('no_data');
  });
});

describe('binlog pieces', () => {
  it('finds the table a DDL statement changes', () => {
    expect(ddlTarget('ALTER TABLE customers ADD COLUMN x INT', 'inv')).toEqual({ kind: 'ALTER', db: 'inv', table: 'customers' });
    expect(ddlTarget('create table if not exists `other`.`t 1` (id int)', 'inv')).toEqual({ kind: 'CREATE', db: 'other', table: 't 1' });
    expect(ddlTarget('DROP TABLE IF EXISTS inv.old', 'x')).toEqual({ kind: 'DROP', db: 'inv', table: 'old' });
    expect(ddlTarget('GRANT SELECT ON *.* TO u', 'x')).toBeNull();
  });

  it('reads Debezium-shaped offsets (numbers or strings) and knows an unfinished snapshot', () => {
    expect(readOffset({ file: 'mysql-bin.000003', pos: '154', gtids: '0-1-9', event: 2, row: '1', ts_sec: 1 })).toEqual({ file: 'mysql-bin.000003', pos: 154, gtids: '0-1-9', event: 2, row: 1 });
    expect(readOffset({ pos: 4 })).toBeNull();
    expect(snapshotUnfinished(readOffset({ file: 'f', pos: 4, snapshot: 'INITIAL', snapshot_completed: false })!)).toBe(true);
    expect(snapshotUnfinished(readOffset({ file: 'f', pos: 4, snapshot: true, snapshot_completed: 'true' })!)).toBe(false);
  });

  it('maps columns as Debezium does', () => {
    const col = (dataType: string, columnType: string, over: Partial<ColumnInfo> = {}): ColumnInfo => ({
      name: 'c', dataType, columnType, nullable: false, length: null, scale: null, datetimePrecision: null, position: 1, charset: null,
      autoIncrement: false, generated: false, comment: '', defaultExpression: null, ...over,
    });
    const types = { decimal: 'precise', time: 'adaptive_time_microseconds' } as const;
    const m = (c: ColumnInfo) => mapColumn(c, types);
    expect([m(col('tinyint', 'tinyint(4)')).schema.type, m(col('int', 'int(10) unsigned')).schema.type, m(col('smallint', 'smallint(5) unsigned')).schema.type]).toEqual(['int16', 'int64', 'int32']);
    expect(m(col('datetime', 'datetime(6)', { datetimePrecision: 6 })).convert('2024-01-02 03:04:05.678901')).toBe(1704164645678901);
    expect(m(col('datetime', 'datetime(3)', { datetimePrecision: 3 })).schema.name).toBe('io.debezium.time.Timestamp');
    expect(m(col('timestamp', 'timestamp(3)', { datetimePrecision: 3 })).convert('2024-01-01 10:00:00.12')).toBe('2024-01-01T10:00:00.120Z');
    expect(m(col('date', 'date')).convert('1970-01-02')).toBe(1);
    expect(m(col('time', 'time(6)')).convert('-01:00:00.5')).toBe(-3_600_500_000);
    expect(m(col('bit', 'bit(10)', { length: 10 })).convert(Buffer.from([0x02, 0x01]))).toEqual(Buffer.from([0x01, 0x02]));
    expect(m(col('bigint', 'bigint(20) unsigned')).convert('18446744073709551615')).toBe(-1);
    expect(enumValues("enum('a','it''s','c,d')")).toEqual(['a', "it's", 'c,d']);
    expect(mapColumn(col('decimal', 'decimal(10,2)', { length: 10, scale: 2 }), { ...types, decimal: 'double' }).convert('12.50')).toBe(12.5);
  });
});
