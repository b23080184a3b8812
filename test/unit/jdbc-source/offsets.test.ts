import { describe, expect, it } from 'vitest';
import { fromSourceOffset, legacyTablePartition, positionFor, QUERY_PARTITION, tablePartition, toSourceOffset } from '../../../src/connectors/jdbc-source/offsets.js';

describe('source partitions', () => {
  it('serialize like Connect\'s HashMap of {table, protocol}: protocol first', () => {
    expect(JSON.stringify(tablePartition({ db: 'shop', table: 'orders' }))).toBe('{"protocol":"1","table":"shop.orders"}');
    expect(JSON.stringify(QUERY_PARTITION)).toBe('{"query":"query"}');
    expect(legacyTablePartition({ db: 'shop', table: 'orders' })).toEqual({ table: 'orders' });
  });
});

describe('offsets (TimestampIncrementingOffset.toMap)', () => {
  it('write timestamp_nanos, incrementing, timestamp in Connect\'s serialized order', () => {
    const ts = { ms: Date.parse('2024-01-02T03:04:05.123Z'), nanos: 123_456_000 };
    expect(JSON.stringify(toSourceOffset({ incrementing: 42n, timestamp: ts })))
      .toBe(`{"timestamp_nanos":123456000,"incrementing":42,"timestamp":${ts.ms}}`);
    expect(JSON.stringify(toSourceOffset({ incrementing: 7n }))).toBe('{"incrementing":7}');
    expect(JSON.stringify(toSourceOffset({ timestamp: ts }))).toBe(`{"timestamp_nanos":123456000,"timestamp":${ts.ms}}`);
    expect(toSourceOffset({})).toEqual({});
  });

  it('keep incrementing values beyond 2^53 as bigint', () => {
    expect(toSourceOffset({ incrementing: 9007199254740993n })).toEqual({ incrementing: 9007199254740993n });
  });

  it('read back what Connect wrote, numbers or strings, nanos overriding the ms fraction', () => {
    expect(fromSourceOffset({ timestamp_nanos: 123456000, incrementing: 42, timestamp: 1704164645123 }))
      .toEqual({ incrementing: 42n, timestamp: { ms: 1704164645123, nanos: 123456000 } });
    expect(fromSourceOffset({ timestamp: '1704164645123' })).toEqual({ timestamp: { ms: 1704164645123, nanos: 123000000 } });
    expect(fromSourceOffset({ incrementing: '9007199254740993' })).toEqual({ incrementing: 9007199254740993n });
    expect(fromSourceOffset(null)).toEqual({});
    expect(fromSourceOffset({})).toEqual({});
  });

  it('round-trip', () => {
    const p = { incrementing: -1n, timestamp: { ms: 86_400_000 + 999, nanos: 999_999_999 } };
    expect(fromSourceOffset(JSON.parse(JSON.stringify(toSourceOffset(p))))).toEqual(p);
  });

  it('keep only the fields a mode uses', () => {
    const p = { incrementing: 3n, timestamp: { ms: 0, nanos: 0 } };
    expect(positionFor('incrementing', p)).toEqual({ incrementing: 3n });
    expect(positionFor('timestamp', p)).toEqual({ timestamp: p.timestamp });
    expect(positionFor('timestamp+incrementing', p)).toEqual(p);
    expect(positionFor('bulk', p)).toEqual({});
  });
});
