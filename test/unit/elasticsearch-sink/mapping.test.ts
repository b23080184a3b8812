import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { Schemas } from '../../../src/records/schema.js';
import { indexMapping } from '../../../src/connectors/elasticsearch-sink/mapping.js';

const text = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };

describe('mapping from a Connect schema (Confluent Mapping.buildMapping)', () => {
  it('maps each type as Confluent does', () => {
    const schema = Schemas.struct([
      ['i8', Schemas.int8()], ['i16', Schemas.int16()], ['i32', Schemas.int32()], ['i64', Schemas.int64()],
      ['f32', Schemas.float32()], ['f64', Schemas.float64()], ['ok', Schemas.boolean()], ['name', Schemas.string()],
      ['raw', Schemas.bytes()], ['price', Schemas.decimal(2)], ['day', Schemas.date()], ['at', Schemas.time()],
      ['ts', Schemas.timestamp()], ['tags', Schemas.array(Schemas.string())],
      ['attrs', Schemas.map(Schemas.string(), Schemas.int32())],
      ['address', Schemas.struct([['city', Schemas.string()]])],
    ]);
    expect(indexMapping(schema)).toEqual({
      properties: {
        i8: { type: 'byte' }, i16: { type: 'short' }, i32: { type: 'integer' }, i64: { type: 'long' },
        f32: { type: 'float' }, f64: { type: 'double' }, ok: { type: 'boolean' }, name: text,
        raw: { type: 'binary' }, price: { type: 'double' }, day: { type: 'date' }, at: { type: 'date' },
        ts: { type: 'date' }, tags: text,
        attrs: { properties: { key: text, value: { type: 'integer' } } },
        address: { properties: { city: text } },
      },
    });
  });

  it('turns defaults into null_value, except for text and binary', () => {
    const schema = Schemas.struct([
      ['n', Schemas.int32({ defaultValue: 5 })], ['b', Schemas.boolean({ defaultValue: true })],
      ['ts', Schemas.timestamp({ defaultValue: new Date(1000) })], ['d', Schemas.decimal(2, { defaultValue: '1.50' })],
      ['big', Schemas.int64({ defaultValue: 9007199254740993n })],
      ['s', Schemas.string({ defaultValue: 'x' })], ['raw', Schemas.bytes({ defaultValue: Buffer.from('x') })],
    ]);
    expect(indexMapping(schema)).toEqual({
      properties: {
        n: { type: 'integer', null_value: 5 }, b: { type: 'boolean', null_value: true },
        ts: { type: 'date', null_value: 1000 }, d: { type: 'double', null_value: 1.5 },
        big: { type: 'long', null_value: '9007199254740993' }, s: text, raw: { type: 'binary' },
      },
    });
  });

  it('refuses a value without a schema or with a top-level primitive', () => {
    expect(() => indexMapping(null)).toThrow(/Cannot infer mapping without schema/);
    expect(() => indexMapping(Schemas.string())).toThrow(DataError);
    expect(indexMapping(Schemas.map(Schemas.string(), Schemas.string()))).toEqual({ properties: { key: text, value: text } });
  });
});
