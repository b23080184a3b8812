import { describe, expect, it } from 'vitest';
import { groupPartitions, planTasks, sameTables, selectTables, tablesOf } from '../../../src/connectors/jdbc-source/tables.js';
import { mysqlDialect } from '../../../src/connectors/jdbc/mysql.js';

const t = (table: string) => ({ db: 'shop', table });
const all = ['audit', 'customers', 'orders', 'order_items', 'tmp_1'].map(t);
const none = { 'table.whitelist': [], 'table.blacklist': [], 'table.include.list': [], 'table.exclude.list': [] };

describe('groupPartitions (ConnectorUtils.groupPartitions)', () => {
  it('splits into contiguous groups, the first ones one larger', () => {
    expect(groupPartitions([1, 2, 3, 4, 5], 3)).toEqual([[1, 2], [3, 4], [5]]);
    expect(groupPartitions([1, 2, 3, 4], 2)).toEqual([[1, 2], [3, 4]]);
    expect(groupPartitions([1, 2], 3)).toEqual([[1], [2], []]);
    expect(() => groupPartitions([1], 0)).toThrow(RangeError);
  });
});

describe('planTasks', () => {
  it('makes min(#tables, tasks.max) task configs carrying the connector config and their tables', () => {
    const raw = { mode: 'bulk', 'tasks.max': '3' };
    const plan = planTasks(mysqlDialect, raw, all, 3);
    expect(plan.map((c) => c.tables)).toEqual([
      '`shop`.`audit`,`shop`.`customers`', '`shop`.`orders`,`shop`.`order_items`', '`shop`.`tmp_1`',
    ]);
    expect(plan[0]).toMatchObject({ mode: 'bulk', 'tables.fetched': 'true' });
    expect(planTasks(mysqlDialect, raw, all.slice(0, 2), 10)).toHaveLength(2);
    expect(planTasks(mysqlDialect, raw, [], 4)).toEqual([]);
  });

  it('task configs read back to the same tables', () => {
    const plan = planTasks(mysqlDialect, {}, all, 2);
    expect(plan.flatMap((c) => tablesOf(mysqlDialect, c, 'shop'))).toEqual(all);
  });
});

describe('selectTables', () => {
  it('whitelist matches bare, qualified and quoted names', () => {
    expect(selectTables(mysqlDialect, all, { ...none, 'table.whitelist': ['orders', 'shop.audit', '`shop`.`tmp_1`', 'nope'] }).map((x) => x.table))
      .toEqual(['audit', 'orders', 'tmp_1']);
  });

  it('blacklist removes', () => {
    expect(selectTables(mysqlDialect, all, { ...none, 'table.blacklist': ['audit', 'shop.tmp_1'] }).map((x) => x.table))
      .toEqual(['customers', 'orders', 'order_items']);
  });

  it('include/exclude lists are whole-name regexes on db.table', () => {
    const cfg = { ...none, 'table.include.list': ['shop\\.order.*', 'shop\\.cust.*'], 'table.exclude.list': ['.*items'] };
    expect(selectTables(mysqlDialect, all, cfg).map((x) => x.table)).toEqual(['customers', 'orders']);
    expect(selectTables(mysqlDialect, all, { ...none, 'table.include.list': ['order'] })).toEqual([]);
  });

  it('no filter keeps everything', () => {
    expect(selectTables(mysqlDialect, all, none)).toEqual(all);
  });
});

describe('sameTables', () => {
  it('compares as sets', () => {
    expect(sameTables([t('a'), t('b')], [t('b'), t('a')])).toBe(true);
    expect(sameTables([t('a')], [t('a'), t('b')])).toBe(false);
    expect(sameTables([], [])).toBe(true);
  });
});
