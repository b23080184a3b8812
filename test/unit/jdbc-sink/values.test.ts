import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { approxSqlBytes, toDbValue } from '../../../src/connectors/jdbc-sink/values.js';
import { parseZone, UTC } from '../../../src/connectors/jdbc/time.js';
import { Schemas, Struct } from '../../../src/records/schema.js';

const paris = parseZone('Europe/Paris');
const v = (value: unknown, schema = null as Parameters<typeof toDbValue>[1], dataType?: Parameters<typeof toDbValue>[2], zone = UTC) => toDbValue(value, schema, dataType, zone, 'f');

describe('JDBC sink values', () => {
  it('passes primitives through and turns byte views into Buffers', () => {
    expect(v(null)).toBeNull();
    expect(v(undefined)).toBeNull();
    expect(v('x')).toBe('x');
    expect(v(12.5)).toBe(12.5);
    expect(v(2n ** 63n - 1n)).toBe(2n ** 63n - 1n);
    expect(v(true)).toBe(true);
    expect(v('-12.340', Schemas.decimal(3))).toBe('-12.340');
    const view = new Uint8Array([0, 1, 2, 3]).subarray(1, 3);
    expect(v(view)).toEqual(Buffer.from([1, 2]));
  });

  it('writes Date and Time without a zone, Timestamp in db.timezone (UTC for TIMESTAMP columns)', () => {
    expect(v(new Date('2024-03-05T00:00:00Z'), Schemas.date(), 'date', paris)).toBe('2024-03-05');
    expect(v(new Date(3_723_456), Schemas.time(), 'time', paris)).toBe('01:02:03.456');
    const at = new Date('2024-07-01T10:00:00.123Z');
    expect(v(at, Schemas.timestamp(), 'wall', paris)).toBe('2024-07-01 12:00:00.123000');
    expect(v(at, Schemas.timestamp(), 'wall', UTC)).toBe('2024-07-01 10:00:00.123000');
    expect(v(at, Schemas.timestamp(), 'instant', paris)).toBe('2024-07-01 10:00:00.123000');
    // Schemaless Dates follow the column they land in.
    expect(v(new Date('2024-03-05T00:00:00Z'), null, 'date', paris)).toBe('2024-03-05');
    expect(v(at, null, undefined, paris)).toBe('2024-07-01 12:00:00.123000');
  });

  it('fails a record whose value no column can hold', () => {
    expect(() => v(NaN)).toThrow(DataError);
    expect(() => v(Infinity)).toThrow(/cannot be stored/);
    expect(() => v(new Date(NaN))).toThrow(/invalid date/);
    const s = Schemas.struct([['a', Schemas.int32()]]);
    expect(() => v(new Struct(s, { a: 1 }), s)).toThrow(/STRUCT values have no column type/);
    expect(() => v([1, 2])).toThrow(/ARRAY/);
    expect(() => v({ a: 1 })).toThrow(/MAP/);
  });

  it('estimates statement bytes generously', () => {
    expect(approxSqlBytes('abc')).toBeGreaterThanOrEqual(9);
    expect(approxSqlBytes(Buffer.alloc(10))).toBeGreaterThanOrEqual(20);
    expect(approxSqlBytes(5)).toBe(24);
    // Long strings are measured: UTF-8 bytes plus one per escaped character.
    expect(approxSqlBytes('a'.repeat(5000))).toBe(5003);
    expect(approxSqlBytes('é\''.repeat(2500))).toBe(2500 * 4 + 3);
  });
});
