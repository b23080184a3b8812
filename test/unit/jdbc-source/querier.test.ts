import { describe, expect, it } from 'vitest';
import { Struct } from '../../../src/records/schema.js';
import { TableQuerier, type QuerierDb, type QuerierSpec, type RowSource } from '../../../src/connectors/jdbc-source/querier.js';
import { fromSourceOffset } from '../../../src/connectors/jdbc-source/offsets.js';
import { UTC, wallToInstant } from '../../../src/connectors/jdbc/time.js';
import { T } from '../../../src/connectors/jdbc-source/types.js';
import { mysqlDialect } from '../../../src/connectors/jdbc/mysql.js';

// The querier's bookkeeping against an in-memory result set; the real server is exercised by
// test/integration/jdbc-source.test.ts.

const fields = [
  { name: 'id', columnType: T.LONG, flags: 1, columnLength: 11, decimals: 0, characterSet: 63 },
  { name: 'updated', columnType: T.DATETIME, flags: 1, columnLength: 26, decimals: 6, characterSet: 63 },
];

class FakeDb implements QuerierDb {
  calls: Array<{ sql: string; params: unknown[] }> = [];
  constructor(private results: Array<Array<Record<string, unknown>>>) {}
  async query() {
    return { rows: [{ now: '2024-06-01 00:00:10.000250' }] };
  }
  stream(sql: string, params: unknown[]): RowSource {
    this.calls.push({ sql, params });
    const rows = [...(this.results.shift() ?? [])];
    let done = false;
    return {
      columns: fields,
      get exhausted() { return done; },
      async next() {
        const r = rows.shift() ?? null;
        if (!r) done = true;
        return r;
      },
    };
  }
}

const spec = (o: Partial<QuerierSpec> = {}): QuerierSpec => ({
  dialect: mysqlDialect,
  mode: 'timestamp',
  source: { table: { db: 'shop', table: 'orders' } },
  partition: { protocol: '1', table: 'shop.orders' },
  topic: 'p-orders',
  schemaName: 'orders',
  timestampColumns: ['updated'],
  suffix: '',
  boundZone: UTC,
  delayMs: 0,
  mapping: { numericMapping: 'none', zone: UTC },
  batchMaxRows: 100,
  ...o,
});

const row = (id: number, updated: string) => ({ id, updated });
const tsOffset = (wall: string) => {
  const i = wallToInstant(wall, UTC);
  return { timestamp_nanos: i.nanos, timestamp: i.ms };
};
const T1 = '2024-01-01 00:00:00.000001';
const T2 = '2024-01-01 00:00:00.000002';
const T3 = '2024-01-01 00:00:00.000003';

describe('timestamp mode: ties', () => {
  const rows = [row(1, T1), row(2, T2), row(3, T2), row(4, T2), row(5, T3)];

  it('moves the committable timestamp only past complete runs of equal timestamps', async () => {
    const db = new FakeDb([rows]);
    const q = new TableQuerier(spec(), {});
    const a = await q.read(db, 2);
    expect(a.done).toBe(false);
    expect(a.records.map((r) => r.sourceOffset)).toEqual([tsOffset(T1), tsOffset(T1)]); // row 2 starts a run that goes on
    q.confirm();
    const b = await q.read(db, 2);
    expect(b.records.map((r) => r.sourceOffset)).toEqual([tsOffset(T1), tsOffset(T2)]); // row 4 ends the T2 run
    const c = await q.read(db, 2);
    expect(c.records.map((r) => r.sourceOffset)).toEqual([tsOffset(T3)]); // the last row: result exhausted
    expect(c.done).toBe(true);
    expect(db.calls).toHaveLength(1); // one statement for the whole table
  });

  it('a restart from an offset taken inside a run begins before the run, so no row of it is lost', async () => {
    const first = new TableQuerier(spec(), {});
    const db = new FakeDb([rows]);
    const got = await first.read(db, 3); // cut inside the T2 run
    const committed = got.records.at(-1)!.sourceOffset;
    expect(committed).toEqual(tsOffset(T1));

    const restarted = new TableQuerier(spec(), fromSourceOffset(JSON.parse(JSON.stringify(committed))));
    const db2 = new FakeDb([rows.slice(1)]);
    await restarted.read(db2, 10);
    expect(db2.calls[0].params).toEqual(['2024-01-01 00:00:00.000001', '2024-06-01 00:00:10.000250']); // TS > T1: the whole T2 run again
  });

  it('the first query of a new cycle begins at the last timestamp read; delay moves the end bound', async () => {
    const db = new FakeDb([rows, []]);
    const q = new TableQuerier(spec({ delayMs: 1500 }), {});
    expect((await q.read(db, 100)).done).toBe(true);
    q.confirm();
    await q.read(db, 100);
    expect(db.calls.map((c) => c.params)).toEqual([
      ['1970-01-01 00:00:00.000000', '2024-06-01 00:00:08.500250'],
      [T3, '2024-06-01 00:00:08.500250'],
    ]);
  });
});

describe('incrementing and timestamp+incrementing', () => {
  it('every record carries its own offset; the next query starts after the last id', async () => {
    const db = new FakeDb([[row(5, T1), row(9, T2)], []]);
    const q = new TableQuerier(spec({ mode: 'incrementing', incrementingColumn: 'id', timestampColumns: [] }), { incrementing: 4n });
    const a = await q.read(db, 10);
    expect(a.records.map((r) => r.sourceOffset)).toEqual([{ incrementing: 5 }, { incrementing: 9 }]);
    q.confirm();
    await q.read(db, 10);
    expect(db.calls.map((c) => c.params)).toEqual([[4n], [9n]]);
    expect(db.calls[0].sql).toBe('SELECT * FROM `shop`.`orders` WHERE `shop`.`orders`.`id` > ? ORDER BY `shop`.`orders`.`id` ASC');
  });

  it('timestamp+incrementing binds end, begin, lastId, begin and offsets carry both', async () => {
    const db = new FakeDb([[row(7, T2)]]);
    const q = new TableQuerier(spec({ mode: 'timestamp+incrementing', incrementingColumn: 'id' }), { incrementing: 6n, timestamp: wallToInstant(T1, UTC) });
    const a = await q.read(db, 10);
    expect(db.calls[0].params).toEqual(['2024-06-01 00:00:10.000250', T1, 6n, T1]);
    expect(JSON.stringify(a.records[0].sourceOffset)).toBe(JSON.stringify({ timestamp_nanos: 2000, incrementing: 7, timestamp: Date.parse('2024-01-01T00:00:00.000Z') }));
  });

  it('rollback forgets what was read since the last confirm', async () => {
    const db = new FakeDb([[row(1, T1), row(2, T1), row(3, T1)], [row(2, T1), row(3, T1)]]);
    const q = new TableQuerier(spec({ mode: 'incrementing', incrementingColumn: 'id', timestampColumns: [] }), {});
    await q.read(db, 1);
    q.confirm();
    await q.read(db, 1);
    q.rollback();
    expect(q.querying).toBe(false);
    await q.read(db, 10);
    expect(db.calls.map((c) => c.params)).toEqual([[-1n], [1n]]);
  });
});

describe('records', () => {
  it('null key, topic, partition and a value struct named after the table', async () => {
    const db = new FakeDb([[row(1, T1)]]);
    const q = new TableQuerier(spec({ mode: 'bulk', timestampColumns: [] }), {});
    const [r] = (await q.read(db, 10)).records;
    expect(r).toMatchObject({ topic: 'p-orders', key: null, keySchema: null, sourcePartition: { protocol: '1', table: 'shop.orders' }, sourceOffset: {} });
    expect(r.value).toBeInstanceOf(Struct);
    expect((r.value as Struct).schema.name).toBe('orders');
    expect((r.value as Struct).toObject()).toEqual({ id: 1, updated: new Date('2024-01-01T00:00:00.000Z') });
  });
});
