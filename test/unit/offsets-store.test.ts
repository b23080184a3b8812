import { describe, it, expect } from 'vitest';
import { OffsetsStore, jsonWithLongs, withLongsAsStrings } from '../../src/kafka/offsets-store.js';

describe('Connect-format offsets', () => {
  it('keys offsets as ["<connector>", {partition}] like Kafka Connect', () => {
    expect(OffsetsStore.key('orders', { protocol: '1', table: 'db.orders' })).toBe('["orders",{"protocol":"1","table":"db.orders"}]');
  });

  it('writes longs beyond 2^53 as exact JSON numbers, and carries them as strings through payloads', () => {
    const offset = { incrementing: 9007199254740993n, timestamp: 5 };
    expect(jsonWithLongs(offset)).toBe('{"incrementing":9007199254740993,"timestamp":5}');
    expect(withLongsAsStrings({ offset })).toEqual({ offset: { incrementing: '9007199254740993', timestamp: 5 } });
    // A string that merely looks like the marker is left alone.
    expect(jsonWithLongs({ s: 'long:1' })).toBe('{"s":"long:1"}');
  });
});
