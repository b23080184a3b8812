import { describe, expect, it } from 'vitest';
import { buildQuery, listTablesQuery, queryParams } from '../../../src/connectors/jdbc-source/queries.js';
import { mysqlDialect } from '../../../src/connectors/jdbc/mysql.js';

const table = { table: { db: 'shop', table: 'orders' } };
const T = '`shop`.`orders`';
const bounds = { lastIncrementing: 41n, begin: '2024-01-01 00:00:00.000000', end: '2024-01-02 00:00:00.000000' };

describe('buildQuery (Kafka Connect JDBC statement shapes)', () => {
  it('bulk selects the whole table', () => {
    expect(buildQuery(mysqlDialect, { mode: 'bulk', source: table })).toBe(`SELECT * FROM ${T}`);
    expect(queryParams('bulk', bounds)).toEqual([]);
  });

  it('incrementing: WHERE id > ? ORDER BY id ASC', () => {
    expect(buildQuery(mysqlDialect, { mode: 'incrementing', source: table, incrementingColumn: 'id' }))
      .toBe(`SELECT * FROM ${T} WHERE ${T}.\`id\` > ? ORDER BY ${T}.\`id\` ASC`);
    expect(queryParams('incrementing', bounds)).toEqual([41n]);
  });

  it('timestamp: WHERE TS > ? AND TS < ? ORDER BY TS ASC, parameters begin, end', () => {
    expect(buildQuery(mysqlDialect, { mode: 'timestamp', source: table, timestampColumns: ['updated'] }))
      .toBe(`SELECT * FROM ${T} WHERE ${T}.\`updated\` > ? AND ${T}.\`updated\` < ? ORDER BY ${T}.\`updated\` ASC`);
    expect(queryParams('timestamp', bounds)).toEqual([bounds.begin, bounds.end]);
  });

  it('timestamp+incrementing: parameters end, begin, lastId, begin', () => {
    const ts = `${T}.\`updated\``;
    const id = `${T}.\`id\``;
    expect(buildQuery(mysqlDialect, { mode: 'timestamp+incrementing', source: table, timestampColumns: ['updated'], incrementingColumn: 'id' }))
      .toBe(`SELECT * FROM ${T} WHERE ${ts} < ? AND ((${ts} = ? AND ${id} > ?) OR ${ts} > ?) ORDER BY ${ts},${id} ASC`);
    expect(queryParams('timestamp+incrementing', bounds)).toEqual([bounds.end, bounds.begin, 41n, bounds.begin]);
  });

  it('several timestamp columns become COALESCE(a,b)', () => {
    const ts = `COALESCE(${T}.\`modified\`,${T}.\`created\`)`;
    expect(buildQuery(mysqlDialect, { mode: 'timestamp', source: table, timestampColumns: ['modified', 'created'] }))
      .toBe(`SELECT * FROM ${T} WHERE ${ts} > ? AND ${ts} < ? ORDER BY ${ts} ASC`);
  });

  it('query mode appends the criteria to the query with unqualified columns, then the suffix', () => {
    const query = 'SELECT o.id, o.updated, c.name FROM orders o JOIN customers c ON c.id = o.customer';
    expect(buildQuery(mysqlDialect, { mode: 'incrementing', source: { query }, incrementingColumn: 'id', suffix: 'LOCK IN SHARE MODE' }))
      .toBe(`${query} WHERE \`id\` > ? ORDER BY \`id\` ASC LOCK IN SHARE MODE`);
    expect(buildQuery(mysqlDialect, { mode: 'bulk', source: { query: 'SELECT 1' }, suffix: '  ' })).toBe('SELECT 1');
    expect(buildQuery(mysqlDialect, { mode: 'bulk', source: table, suffix: 'LIMIT 10' })).toBe(`SELECT * FROM ${T} LIMIT 10`);
  });

  it('quotes hostile identifiers instead of splicing them', () => {
    const sql = buildQuery(mysqlDialect, { mode: 'incrementing', source: { table: { db: 'd', table: 't`; DROP TABLE x; --' } }, incrementingColumn: 'i`d' });
    expect(sql).toBe('SELECT * FROM `d`.`t``; DROP TABLE x; --` WHERE `d`.`t``; DROP TABLE x; --`.`i``d` > ? ORDER BY `d`.`t``; DROP TABLE x; --`.`i``d` ASC');
  });

  it('refuses a mode without its columns', () => {
    expect(() => buildQuery(mysqlDialect, { mode: 'timestamp', source: table })).toThrow(/timestamp columns/);
    expect(() => buildQuery(mysqlDialect, { mode: 'incrementing', source: table })).toThrow(/incrementing column/);
  });
});

describe('listTablesQuery', () => {
  it('binds the database and maps JDBC table types to information_schema ones', () => {
    const q = listTablesQuery('shop', ['TABLE', 'view']);
    expect(q.sql).toBe('SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN (?, ?, ?) ORDER BY TABLE_NAME');
    expect(q.params).toEqual(['shop', 'BASE TABLE', 'SYSTEM VERSIONED', 'VIEW']);
  });
});
