import { describe, expect, it } from 'vitest';
import { Schemas, Struct } from '../../../src/records/schema.js';
import { CastKey, CastValue } from '../../../src/transforms/cast.js';
import { applied, configProblems, make, sinkRecord } from './helpers.js';

describe('Cast config', () => {
  it('needs a spec and valid types', () => {
    expect(configProblems(CastValue, {})[0].key).toBe('spec');
    expect(configProblems(CastValue, { spec: 'a:uuid' })[0].message).toMatch(/does not support casting to uuid/);
    expect(configProblems(CastValue, { spec: 'a:b:c' })[0].message).toMatch(/Invalid cast mapping/);
    expect(configProblems(CastValue, { spec: 'int8,a:int16' })[0].message).toMatch(/entire value/);
    expect(configProblems(CastValue, { spec: 'bytes' })[0].message).toMatch(/does not support casting to bytes/);
    expect(configProblems(CastValue, { spec: 'a:INT32, b : Float64' })).toEqual([]);
  });
});

describe('Cast whole value', () => {
  it('casts schemaless values with Java semantics', () => {
    const cast = (spec: string, value: unknown) => applied(make(CastValue, { spec }), sinkRecord({ value })).value;
    expect(cast('int8', '42')).toBe(42);
    expect(cast('int8', 300)).toBe(44); // Long.byteValue wraps
    expect(cast('int32', 1.9)).toBe(1);
    expect(cast('int32', 1e10 + 0.5)).toBe(2147483647); // (int) of a double saturates
    expect(cast('int16', true)).toBe(1);
    expect(cast('int64', '9223372036854775807')).toBe(9223372036854775807n);
    expect(cast('float32', '1.1')).toBe(Math.fround(1.1));
    expect(cast('float64', 'NaN')).toBeNaN();
    expect(cast('boolean', 'TRUE')).toBe(true);
    expect(cast('boolean', 'yes')).toBe(false);
    expect(cast('boolean', 0.5)).toBe(false); // longValue() != 0
    expect(cast('string', 42)).toBe('42');
    expect(cast('string', 2.5)).toBe('2.5');
    expect(cast('string', new Uint8Array([1, 2, 3]))).toBe('AQID');
  });

  it('rejects values out of range or of unsupported types', () => {
    const t = make(CastValue, { spec: 'int8' });
    expect(() => t.apply(sinkRecord({ value: '128' }))).toThrow(/Value \(128\) was out of range/);
    expect(() => t.apply(sinkRecord({ value: 'abc' }))).toThrow(/out of range/);
    expect(() => t.apply(sinkRecord({ value: [1] }))).toThrow(/does not support casting from ARRAY/);
    expect(() => t.apply(sinkRecord({ value: new Uint8Array([1]) }))).toThrow(/Unexpected type/);
  });

  it('casts with a schema, keeping the schema basics and optional-ness', () => {
    const valueSchema = Schemas.int64({ optional: true, name: 'com.example.Id', version: 2, doc: 'id', defaultValue: 7 });
    const out = applied(make(CastValue, { spec: 'int32' }), sinkRecord({ valueSchema, value: 2 ** 32 + 5 }));
    expect(out.value).toBe(5);
    expect(out.valueSchema).toEqual({ type: 'int32', optional: true, name: 'com.example.Id', version: 2, doc: 'id', defaultValue: 7 });
  });

  it('prints floats and temporal values the way Java does', () => {
    const cast = (valueSchema: ReturnType<typeof Schemas.int8>, value: unknown) =>
      applied(make(CastValue, { spec: 'string' }), sinkRecord({ valueSchema, value })).value;
    expect(cast(Schemas.float64(), 1)).toBe('1.0');
    expect(cast(Schemas.float64(), 1e7)).toBe('1.0E7');
    expect(cast(Schemas.float64(), 0.0001)).toBe('1.0E-4');
    expect(cast(Schemas.float64(), -123.456)).toBe('-123.456');
    expect(cast(Schemas.float32(), Math.fround(0.1))).toBe('0.1');
    expect(cast(Schemas.timestamp(), new Date(Date.UTC(2024, 0, 15, 10, 30, 0, 5)))).toBe('2024-01-15T10:30:00.005Z');
    expect(cast(Schemas.date(), new Date(Date.UTC(2024, 0, 15)))).toBe('2024-01-15');
    expect(cast(Schemas.time(), new Date(3_723_004))).toBe('01:02:03.004Z');
    expect(cast(Schemas.decimal(2), '-12.34')).toBe('-12.34');
  });

  it('encodes logical types before casting to numbers', () => {
    const cast = (spec: string, valueSchema: ReturnType<typeof Schemas.int8>, value: unknown) =>
      applied(make(CastValue, { spec }), sinkRecord({ valueSchema, value })).value;
    expect(cast('int64', Schemas.timestamp(), new Date(1234))).toBe(1234);
    expect(cast('int32', Schemas.date(), new Date(Date.UTC(1970, 0, 11)))).toBe(10);
    expect(cast('int32', Schemas.decimal(2), '-12.99')).toBe(-12);
    expect(cast('float64', Schemas.decimal(2), '-12.99')).toBe(-12.99);
  });

  it('Cast$Key casts the key only', () => {
    const out = applied(make(CastKey, { spec: 'string' }), sinkRecord({ key: 7, keySchema: Schemas.int32(), value: 7 }));
    expect(out.key).toBe('7');
    expect(out.keySchema).toEqual(Schemas.string());
    expect(out.value).toBe(7);
  });
});

describe('Cast fields', () => {
  it('casts fields of a Struct and derives the schema like Connect', () => {
    const schema = Schemas.struct([
      ['int8', Schemas.int8()], ['int16', Schemas.int16()], ['int32', Schemas.int32()], ['int64', Schemas.int64()],
      ['float32', Schemas.float32()], ['float64', Schemas.float64()], ['boolean', Schemas.boolean()],
      ['string', Schemas.string()], ['bigdecimal', Schemas.decimal(0)], ['date', Schemas.date()],
      ['optional', Schemas.float32({ optional: true })], ['withDefault', Schemas.string({ defaultValue: '5' })],
      ['timestamp', Schemas.timestamp()],
    ], { name: 'com.example.Row', version: 1 });
    const value = new Struct(schema, {
      int8: 8, int16: 16, int32: 32, int64: 64, float32: 32, float64: -64, boolean: true, string: '42',
      bigdecimal: '42', date: new Date(86_400_000), timestamp: new Date(0),
    });
    const spec = 'int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,'
      + 'string:int32,bigdecimal:string,date:string,optional:int32,withDefault:int64';
    const out = applied(make(CastValue, { spec }), sinkRecord({ valueSchema: schema, value }));
    const v = out.value as Struct;
    expect(v.toObject()).toEqual({
      int8: 8, int16: 16, int32: 32, int64: true, float32: 32, float64: true, boolean: 1, string: 42,
      bigdecimal: '42', date: '1970-01-02', optional: null, withDefault: 5, timestamp: new Date(0),
    });
    expect(out.valueSchema).toEqual(Schemas.struct([
      ['int8', Schemas.int16()], ['int16', Schemas.int32()], ['int32', Schemas.int64()], ['int64', Schemas.boolean()],
      ['float32', Schemas.float64()], ['float64', Schemas.boolean()], ['boolean', Schemas.int8()],
      ['string', Schemas.int32()], ['bigdecimal', Schemas.string()], ['date', Schemas.string()],
      ['optional', Schemas.int32({ optional: true })], ['withDefault', Schemas.int64({ defaultValue: 5 })],
      ['timestamp', Schemas.timestamp()],
    ], { name: 'com.example.Row', version: 1 }));
    expect(v.schema).toBe(out.valueSchema);
  });

  it('reuses the derived schema for records sharing a schema', () => {
    const schema = Schemas.struct([['a', Schemas.int32()]]);
    const t = make(CastValue, { spec: 'a:string' });
    const one = applied(t, sinkRecord({ valueSchema: schema, value: new Struct(schema, { a: 1 }) }));
    const two = applied(t, sinkRecord({ valueSchema: schema, value: new Struct(schema, { a: 2 }) }));
    expect(one.valueSchema).toBe(two.valueSchema);
  });

  it('casts fields of a schemaless map, adding listed fields that are missing as null', () => {
    const t = make(CastValue, { spec: 'a:int32,b:string,missing:int8' });
    expect(applied(t, sinkRecord({ value: { a: '12', b: 3, c: 'kept' } })).value).toEqual({ a: 12, b: '3', c: 'kept', missing: null });
    const asMap = applied(t, sinkRecord({ value: new Map<string, unknown>([['a', '1']]) })).value;
    expect(asMap).toEqual(new Map<string, unknown>([['a', 1], ['b', null], ['missing', null]]));
  });

  it('passes tombstones through and rejects non-maps', () => {
    const t = make(CastValue, { spec: 'a:int32' });
    const tombstone = sinkRecord({ value: null, valueSchema: Schemas.struct([['a', Schemas.string()]]) });
    expect(t.apply(tombstone)).toBe(tombstone);
    expect(() => t.apply(sinkRecord({ value: 'text' }))).toThrow(/Only Map objects supported in absence of schema for \[cast types\], found: string/);
    expect(() => t.apply(sinkRecord({ value: { a: 1 }, valueSchema: Schemas.struct([['a', Schemas.int32()]]) }))).toThrow(/Only Struct objects supported/);
  });
});
