import { describe, expect, it } from 'vitest';
import { deleteSql, groupRows, groupStatement, insertSql, singleRows, updateSql, upsertSql, type PreparedRow, type WriteKind } from '../../../src/connectors/jdbc-sink/writer.js';
import { mysqlDialect } from '../../../src/connectors/jdbc/mysql.js';

const t = { db: 'shop', table: 'orders' };

function row(index: number, kind: WriteKind, o: Partial<PreparedRow> = {}): PreparedRow {
  return { index, table: t, kind, keyFields: ['id'], nonKeyFields: ['name'], keyParams: [index], nonKeyParams: [`n${index}`], bytes: 10, ...o };
}

describe('JDBC sink statements', () => {
  it('insert: one multi-row INSERT', () => {
    expect(insertSql(mysqlDialect, t, ['id'], ['name', 'qty'], 2)).toBe('INSERT INTO `shop`.`orders` (`id`,`name`,`qty`) VALUES (?,?,?),(?,?,?)');
    expect(insertSql(mysqlDialect, t, [], ['a'], 1)).toBe('INSERT INTO `shop`.`orders` (`a`) VALUES (?)');
  });

  it('upsert: INSERT ... ON DUPLICATE KEY UPDATE of the non-key columns (the keys when there are none)', () => {
    expect(upsertSql(mysqlDialect, t, ['id'], ['name', 'qty'], 1))
      .toBe('INSERT INTO `shop`.`orders` (`id`,`name`,`qty`) VALUES (?,?,?) ON DUPLICATE KEY UPDATE `name`=VALUES(`name`),`qty`=VALUES(`qty`)');
    expect(upsertSql(mysqlDialect, t, ['a', 'b'], [], 2))
      .toBe('INSERT INTO `shop`.`orders` (`a`,`b`) VALUES (?,?),(?,?) ON DUPLICATE KEY UPDATE `a`=VALUES(`a`),`b`=VALUES(`b`)');
  });

  it('update: UPDATE ... SET non-keys WHERE keys', () => {
    expect(updateSql(mysqlDialect, t, ['id', 'tenant'], ['name'])).toBe('UPDATE `shop`.`orders` SET `name`=? WHERE `id`=? AND `tenant`=?');
  });

  it('delete: by key, IN a list for one key column, by row value for several', () => {
    expect(deleteSql(mysqlDialect, t, ['id'], 3)).toBe('DELETE FROM `shop`.`orders` WHERE `id` IN (?,?,?)');
    expect(deleteSql(mysqlDialect, t, ['tenant', 'id'], 2)).toBe('DELETE FROM `shop`.`orders` WHERE (`tenant`,`id`) IN ((?,?),(?,?))');
  });

  it('binds parameters in column order per kind', () => {
    const g = (kind: WriteKind, n: number) => ({ table: t, kind, keyFields: ['id'], nonKeyFields: ['name'], rows: Array.from({ length: n }, (_, i) => row(i, kind)) });
    expect(groupStatement(mysqlDialect, g('insert', 2))!.params).toEqual([0, 'n0', 1, 'n1']);
    expect(groupStatement(mysqlDialect, g('upsert', 2))!.params).toEqual([0, 'n0', 1, 'n1']);
    expect(groupStatement(mysqlDialect, g('update', 1))).toEqual({ sql: 'UPDATE `shop`.`orders` SET `name`=? WHERE `id`=?', params: ['n0', 0] });
    expect(groupStatement(mysqlDialect, g('delete', 2))!.params).toEqual([0, 1]);
    expect(() => groupStatement(mysqlDialect, g('update', 2))).toThrow(RangeError);
    // An update of a table that has only key columns has nothing to set.
    expect(groupStatement(mysqlDialect, { ...g('update', 1), nonKeyFields: [] })).toBeNull();
  });

  it('groups consecutive rows of one table with the same kind and columns, up to batch.size', () => {
    const rows = [row(0, 'upsert'), row(1, 'upsert'), row(2, 'upsert'), row(3, 'delete'), row(4, 'upsert'),
      row(5, 'upsert', { nonKeyFields: ['name', 'note'] })];
    const groups = groupRows(rows, 2, 1 << 20);
    expect(groups.map((g) => [g.kind, g.rows.map((r) => r.index)])).toEqual([
      ['upsert', [0, 1]], ['upsert', [2]], ['delete', [3]], ['upsert', [4]], ['upsert', [5]],
    ]);
  });

  it('keeps order per table while gathering each table\'s rows', () => {
    const other = { db: 'shop', table: 'other' };
    const rows = [row(0, 'insert'), row(1, 'insert', { table: other }), row(2, 'insert'), row(3, 'insert', { table: other })];
    expect(groupRows(rows, 100, 1 << 20).map((g) => [g.table.table, g.rows.map((r) => r.index)])).toEqual([
      ['orders', [0, 2]], ['other', [1, 3]],
    ]);
  });

  it('cuts statements by size, and updates into one row each', () => {
    const big = [row(0, 'insert', { bytes: 600 }), row(1, 'insert', { bytes: 600 }), row(2, 'insert', { bytes: 300 })];
    expect(groupRows(big, 100, 1000).map((g) => g.rows.length)).toEqual([1, 2]);
    expect(groupRows([row(0, 'update'), row(1, 'update')], 100, 1 << 20).map((g) => g.rows.length)).toEqual([1, 1]);
  });

  it('splits a group into single rows for the row-by-row fallback', () => {
    const [g] = groupRows([row(0, 'insert'), row(1, 'insert')], 10, 1 << 20);
    expect(singleRows(g).map((s) => groupStatement(mysqlDialect, s))).toEqual([
      { sql: 'INSERT INTO `shop`.`orders` (`id`,`name`) VALUES (?,?)', params: [0, 'n0'] },
      { sql: 'INSERT INTO `shop`.`orders` (`id`,`name`) VALUES (?,?)', params: [1, 'n1'] },
    ]);
  });
});
