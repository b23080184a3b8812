import { describe, expect, it } from 'vitest';
import { parseTableList } from '../../../src/connectors/jdbc/dialect.js';
import { mysqlDialect, parseQualifiedList, quoteColumn, quoteId, quoteTable } from '../../../src/connectors/jdbc/mysql.js';

describe('quoting', () => {
  it('wraps identifiers in backticks and doubles backticks inside', () => {
    expect(quoteId('orders')).toBe('`orders`');
    expect(quoteId('we`ird')).toBe('`we``ird`');
    expect(quoteId('x` ; DROP TABLE t; --')).toBe('`x`` ; DROP TABLE t; --`');
  });

  it('qualifies tables by database and columns by table', () => {
    const t = { db: 'shop', table: 'order items' };
    expect(quoteTable(t)).toBe('`shop`.`order items`');
    expect(quoteColumn('id', t)).toBe('`shop`.`order items`.`id`');
    expect(quoteColumn('id')).toBe('`id`');
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
