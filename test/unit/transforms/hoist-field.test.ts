import { describe, expect, it } from 'vitest';
import { Schemas, Struct } from '../../../src/records/schema.js';
import { HoistFieldKey, HoistFieldValue } from '../../../src/transforms/hoist-field.js';
import { applied, configProblems, make, sinkRecord } from './helpers.js';

describe('HoistField', () => {
  it('needs a field', () => {
    expect(configProblems(HoistFieldKey, {})[0].key).toBe('field');
  });

  it('wraps a schemaless key in a map', () => {
    const out = applied(make(HoistFieldKey, { field: 'magic' }), sinkRecord({ key: 42, value: 'v' }));
    expect(out.key).toEqual({ magic: 42 });
    expect(out.keySchema).toBeNull();
    expect(out.value).toBe('v');
  });

  it('wraps a value with a schema in a plain struct', () => {
    const out = applied(make(HoistFieldValue, { field: 'magic' }), sinkRecord({ value: 42, valueSchema: Schemas.int32({ optional: true }) }));
    expect(out.valueSchema).toEqual(Schemas.struct([['magic', Schemas.int32({ optional: true })]]));
    expect((out.value as Struct).get('magic')).toBe(42);
  });

  it('wraps structs and nulls too (a tombstone becomes a wrapped null)', () => {
    const inner = Schemas.struct([['a', Schemas.string()]]);
    const out = applied(make(HoistFieldValue, { field: 'row' }), sinkRecord({ value: new Struct(inner, { a: 'x' }), valueSchema: inner }));
    expect(((out.value as Struct).get('row') as Struct).get('a')).toBe('x');
    expect(applied(make(HoistFieldValue, { field: 'row' }), sinkRecord({ value: null })).value).toEqual({ row: null });
  });
});
