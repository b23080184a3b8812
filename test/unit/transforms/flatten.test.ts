import { describe, expect, it } from 'vitest';
import { Schemas, Struct } from '../../../src/records/schema.js';
import { FlattenKey, FlattenValue } from '../../../src/transforms/flatten.js';
import { applied, make, sinkRecord } from './helpers.js';

describe('Flatten schemaless', () => {
  it('joins nested map keys with the delimiter, keeping arrays and nulls', () => {
    const value = { A: { B: { int: 1, str: 's', bool: true, list: [1, { deep: 1 }] }, empty: null }, top: 2.5 };
    const out = applied(make(FlattenValue), sinkRecord({ value }));
    expect(out.value).toEqual({ 'A.B.int': 1, 'A.B.str': 's', 'A.B.bool': true, 'A.B.list': [1, { deep: 1 }], 'A.empty': null, top: 2.5 });
    expect(Object.keys(out.value as object)).toEqual(['A.B.int', 'A.B.str', 'A.B.bool', 'A.B.list', 'A.empty', 'top']);
  });

  it('uses the configured delimiter and works on keys and Maps', () => {
    const key = new Map<string, unknown>([['a', new Map([['b', 1]])], ['c', { d: 2 }]]);
    const out = applied(make(FlattenKey, { delimiter: '_' }), sinkRecord({ key }));
    expect(out.key).toEqual(new Map([['a_b', 1], ['c_d', 2]]));
  });

  it('passes tombstones and rejects values that are not maps', () => {
    const t = make(FlattenValue);
    const tombstone = sinkRecord();
    expect(t.apply(tombstone)).toBe(tombstone);
    expect(() => t.apply(sinkRecord({ value: 'x' }))).toThrow(/Only Map objects supported/);
  });
});

describe('Flatten with schema', () => {
  const twoLevel = Schemas.struct([['int', Schemas.int32()], ['str', Schemas.string({ optional: true, doc: 'a string' })]]);
  const oneLevel = Schemas.struct([['B', twoLevel], ['list', Schemas.array(Schemas.int32())]], { optional: true });
  const schema = Schemas.struct([['A', oneLevel], ['top', Schemas.boolean()]], { name: 'com.example.Nested', version: 3, optional: true });

  it('flattens nested structs into one struct', () => {
    const value = new Struct(schema, {
      A: new Struct(oneLevel, { B: new Struct(twoLevel, { int: 1, str: 's' }), list: [1, 2] }),
      top: true,
    });
    const out = applied(make(FlattenValue), sinkRecord({ value, valueSchema: schema }));
    expect((out.value as Struct).toObject()).toEqual({ 'A.B.int': 1, 'A.B.str': 's', 'A.list': [1, 2], top: true });
    // Fields under an optional parent become optional; the top level keeps name/version but not optional-ness.
    expect(out.valueSchema).toEqual(Schemas.struct([
      ['A.B.int', Schemas.int32({ optional: true })],
      ['A.B.str', Schemas.string({ optional: true, doc: 'a string' })],
      ['A.list', Schemas.array(Schemas.int32(), { optional: true })],
      ['top', Schemas.boolean({ optional: true })],
    ], { name: 'com.example.Nested', version: 3 }));
  });

  it('leaves the fields of a null nested struct unset', () => {
    const value = new Struct(schema, { A: null, top: false });
    const out = applied(make(FlattenValue), sinkRecord({ value, valueSchema: schema }));
    expect((out.value as Struct).toObject()).toEqual({ 'A.B.int': null, 'A.B.str': null, 'A.list': null, top: false });
  });

  it('takes defaults from a parent struct default', () => {
    const child = Schemas.struct([['x', Schemas.int32()]]);
    const parent = Schemas.struct([['c', { ...child, defaultValue: new Struct(child, { x: 5 }) }]]);
    const out = applied(make(FlattenValue), sinkRecord({ value: new Struct(parent, {}), valueSchema: parent }));
    expect(out.valueSchema?.fields?.[0].schema).toEqual(Schemas.int32({ defaultValue: 5 }));
  });

  it('rejects maps inside a schema, and passes a null value with the flattened schema', () => {
    const withMap = Schemas.struct([['m', Schemas.map(Schemas.string(), Schemas.string())]]);
    expect(() => make(FlattenValue).apply(sinkRecord({ value: new Struct(withMap, { m: {} }), valueSchema: withMap })))
      .toThrow('Flatten transformation does not support MAP for record with schemas (for field m).');
    const tombstone = sinkRecord({ valueSchema: schema });
    expect(make(FlattenValue).apply(tombstone)).toBe(tombstone);
  });
});
