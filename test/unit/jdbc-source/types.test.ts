import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { LOGICAL, Schemas } from '../../../src/records/schema.js';
import { parseZone, UTC } from '../../../src/connectors/jdbc/time.js';
import { columnMetaFromField, mapColumn, plainDecimal, T, type ColumnMeta, type MappingOptions } from '../../../src/connectors/jdbc-source/types.js';

// Column metadata as MariaDB 10.11 sends it (values observed with mysql2 against the stack's server).
const NOT_NULL = 1;
const UNSIGNED = 32;
const col = (type: number, o: Partial<ColumnMeta> = {}): ColumnMeta =>
  ({ name: 'c', type, flags: 0, length: 11, decimals: 0, charset: 63, ...o });
const opts: MappingOptions = { numericMapping: 'none', zone: UTC };
const map = (c: ColumnMeta, o: Partial<MappingOptions> = {}) => {
  const m = mapColumn(c, { ...opts, ...o });
  if (!m) throw new Error('unmapped');
  return m;
};

describe('integer columns', () => {
  it('follow Connect JDBC: unsigned types widen one step, BIGINT is INT64', () => {
    expect(map(col(T.TINY, { length: 4 })).schema).toEqual(Schemas.int8({ optional: true }));
    expect(map(col(T.TINY, { flags: UNSIGNED })).schema.type).toBe('int16');
    expect(map(col(T.SHORT)).schema.type).toBe('int16');
    expect(map(col(T.SHORT, { flags: UNSIGNED })).schema.type).toBe('int32');
    expect(map(col(T.INT24)).schema.type).toBe('int32');
    expect(map(col(T.LONG, { flags: NOT_NULL })).schema).toEqual(Schemas.int32());
    expect(map(col(T.LONG, { flags: UNSIGNED })).schema.type).toBe('int64');
    expect(map(col(T.LONGLONG, { flags: UNSIGNED })).schema.type).toBe('int64');
  });

  it('keeps BIGINT exact: numbers while safe, bigint beyond 2^53, an error beyond INT64', () => {
    const m = map(col(T.LONGLONG));
    expect(m.convert('42')).toBe(42);
    expect(m.convert('9007199254740993')).toBe(9007199254740993n);
    expect(m.convert('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(() => m.convert('18446744073709551615')).toThrow(DataError);
  });

  it('maps BIT(1) to INT8 and wider BIT to bytes', () => {
    expect(map(col(T.BIT, { length: 1 })).schema.type).toBe('int8');
    expect(map(col(T.BIT, { length: 1 })).convert(Buffer.from([1]))).toBe(1);
    const wide = map(col(T.BIT, { length: 9 }));
    expect(wide.schema.type).toBe('bytes');
    expect(wide.convert(Buffer.from([1, 1]))).toEqual(Buffer.from([1, 1]));
  });
});

describe('DECIMAL and numeric.mapping', () => {
  // DECIMAL(10,2): length 12 = 10 digits + sign + point. DECIMAL(5,0) UNSIGNED: length 5.
  const dec10_2 = col(T.NEWDECIMAL, { length: 12, decimals: 2 });
  const dec5_0u = col(T.NEWDECIMAL, { length: 5, decimals: 0, flags: UNSIGNED | NOT_NULL });
  const dec30_0 = col(T.NEWDECIMAL, { length: 31, decimals: 0 });

  it('none: Connect Decimal with scale then precision parameters, value as exact text', () => {
    const m = map(dec10_2);
    expect(m.schema).toEqual({ type: 'bytes', optional: true, name: LOGICAL.Decimal, version: 1, parameters: { scale: '2', 'connect.decimal.precision': '10' } });
    expect(Object.keys(m.schema.parameters!)).toEqual(['scale', 'connect.decimal.precision']);
    expect(m.convert('-12.34')).toBe('-12.34');
    expect(map(dec5_0u).schema.parameters).toEqual({ scale: '0', 'connect.decimal.precision': '5' });
  });

  it('best_fit: integers by precision when scale is 0, FLOAT64 with a scale, Decimal beyond 18 digits', () => {
    expect(map(dec5_0u, { numericMapping: 'best_fit' }).schema).toEqual(Schemas.int32());
    expect(map(dec10_2, { numericMapping: 'best_fit' }).schema.type).toBe('float64');
    expect(map(dec10_2, { numericMapping: 'best_fit' }).convert('-12.34')).toBe(-12.34);
    expect(map(dec30_0, { numericMapping: 'best_fit' }).schema.name).toBe(LOGICAL.Decimal);
    const big = map(col(T.NEWDECIMAL, { length: 19, decimals: 0 }), { numericMapping: 'best_fit' });
    expect(big.schema.type).toBe('int64');
    expect(big.convert('999999999999999999')).toBe(999999999999999999n);
  });

  it('precision_only: integers only when scale is 0', () => {
    expect(map(col(T.NEWDECIMAL, { length: 3, decimals: 0 }), { numericMapping: 'precision_only' }).schema.type).toBe('int8');
    expect(map(col(T.NEWDECIMAL, { length: 4, decimals: 0 }), { numericMapping: 'precision_only' }).schema.type).toBe('int16');
    expect(map(dec10_2, { numericMapping: 'precision_only' }).schema.name).toBe(LOGICAL.Decimal);
  });

  it('best_fit_eager_double: FLOAT64 for any scale', () => {
    expect(map(col(T.NEWDECIMAL, { length: 40, decimals: 5 }), { numericMapping: 'best_fit_eager_double' }).schema.type).toBe('float64');
  });

  it('writes plain decimal text with exactly scale digits', () => {
    expect(plainDecimal('12.3', 3)).toBe('12.300');
    expect(plainDecimal('-0.000', 3)).toBe('0.000');
    expect(plainDecimal('007', 0)).toBe('7');
    expect(plainDecimal('-.5', 2)).toBe('-0.50');
  });
});

describe('floating point, text, binary, JSON, ENUM/SET', () => {
  it('FLOAT is FLOAT32 and DOUBLE FLOAT64', () => {
    expect(map(col(T.FLOAT)).schema.type).toBe('float32');
    expect(map(col(T.DOUBLE)).schema.type).toBe('float64');
  });

  it('character columns are strings, binary-charset ones bytes', () => {
    for (const type of [T.VARCHAR, T.VAR_STRING, T.STRING, T.BLOB, T.MEDIUM_BLOB]) {
      expect(map(col(type, { charset: 224 })).schema.type).toBe('string');
      expect(map(col(type, { charset: 63 })).schema.type).toBe('bytes');
    }
    expect(map(col(T.BLOB, { charset: 63 })).convert(Buffer.from([255, 0]))).toEqual(Buffer.from([255, 0]));
  });

  it('JSON (MySQL) and MariaDB JSON (LONGTEXT) arrive as strings', () => {
    expect(map(col(T.JSON, { charset: 63 })).schema.type).toBe('string');
    expect(map(col(T.BLOB, { charset: 224, flags: 144 })).convert('{"a":1}')).toBe('{"a":1}');
  });

  it('leaves out columns Connect has no type for', () => {
    expect(mapColumn(col(T.NULL), opts)).toBeNull();
    expect(mapColumn(col(T.GEOMETRY), opts)).toBeNull();
  });
});

describe('dates and times', () => {
  it('DATE is Connect Date at midnight UTC; YEAR is January 1st (Connector/J yearIsDateType)', () => {
    const d = map(col(T.DATE));
    expect(d.schema).toEqual(Schemas.date({ optional: true }));
    expect(d.convert('2024-02-29')).toEqual(new Date(Date.UTC(2024, 1, 29)));
    expect(map(col(T.YEAR)).convert(2024)).toEqual(new Date(Date.UTC(2024, 0, 1)));
  });

  it('TIME is a time of day in ms; durations outside a day are refused', () => {
    const t = map(col(T.TIME, { decimals: 6 }));
    expect(t.schema.name).toBe(LOGICAL.Time);
    expect(t.convert('12:34:56.789999')).toEqual(new Date(45_296_789));
    expect(() => t.convert('-12:34:56.500000')).toThrow(DataError);
    expect(() => t.convert('25:00:00')).toThrow(DataError);
  });

  it('DATETIME(6) is read in db.timezone; its instant keeps the microseconds', () => {
    const m = map(col(T.DATETIME, { decimals: 6, flags: NOT_NULL }), { zone: parseZone('Europe/Paris') });
    expect(m.schema).toEqual(Schemas.timestamp());
    expect(m.convert('2024-01-02 03:04:05.123456')).toEqual(new Date('2024-01-02T02:04:05.123Z'));
    expect(m.instant!('2024-01-02 03:04:05.123456')).toEqual({ ms: Date.parse('2024-01-02T02:04:05.123Z'), nanos: 123_456_000 });
  });

  it('TIMESTAMP is read in UTC (the session zone), whatever db.timezone says', () => {
    const m = map(col(T.TIMESTAMP, { decimals: 3 }), { zone: parseZone('Europe/Paris') });
    expect(m.convert('2024-01-02 03:04:05.678')).toEqual(new Date('2024-01-02T03:04:05.678Z'));
  });

  it('zero dates are null when the column is nullable, an error when it is not', () => {
    expect(map(col(T.DATETIME)).convert('0000-00-00 00:00:00')).toBeNull();
    expect(() => map(col(T.DATETIME, { flags: NOT_NULL })).convert('0000-00-00 00:00:00')).toThrow(DataError);
    expect(map(col(T.DATE)).convert('0000-00-00')).toBeNull();
  });
});

describe('columnMetaFromField', () => {
  it('reads mysql2 FieldPackets', () => {
    expect(columnMetaFromField({ name: 'd', columnType: 246, flags: 33, columnLength: 5, decimals: 0, characterSet: 63 }))
      .toEqual({ name: 'd', type: 246, flags: 33, length: 5, decimals: 0, charset: 63 });
  });
});
