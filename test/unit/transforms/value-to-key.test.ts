import { describe, expect, it } from 'vitest';
import { Schemas, Struct } from '../../../src/records/schema.js';
import { ValueToKey } from '../../../src/transforms/value-to-key.js';
import { applied, configProblems, make, sinkRecord, sourceRecord } from './helpers.js';

describe('ValueToKey', () => {
  it('needs fields', () => {
    expect(configProblems(ValueToKey, {})[0].key).toBe('fields');
  });

  it('builds a schemaless key map from value fields (missing ones as null)', () => {
    const out = applied(make(ValueToKey, { fields: 'a,b,z' }), sinkRecord({ key: 'old', value: { a: 1, b: 2, c: 3 } }));
    expect(out.key).toEqual({ a: 1, b: 2, z: null });
    expect(out.keySchema).toBeNull();
    expect(out.value).toEqual({ a: 1, b: 2, c: 3 });
  });

  it('builds a key struct with the value field schemas', () => {
    const valueSchema = Schemas.struct([['a', Schemas.int32()], ['b', Schemas.string({ optional: true })], ['c', Schemas.int32()]], { name: 'Row' });
    const value = new Struct(valueSchema, { a: 1, b: null, c: 3 });
    const out = applied(make(ValueToKey, { fields: 'b,a' }), sourceRecord({ value, valueSchema }));
    expect(out.keySchema).toEqual(Schemas.struct([['b', Schemas.string({ optional: true })], ['a', Schemas.int32()]]));
    expect((out.key as Struct).toObject()).toEqual({ b: null, a: 1 });
    expect(out.sourceOffset).toEqual({ id: 1 });
  });

  it('fails on a field the schema lacks and on tombstones, as Connect does', () => {
    const valueSchema = Schemas.struct([['a', Schemas.int32()]]);
    expect(() => make(ValueToKey, { fields: 'not_exist' }).apply(sinkRecord({ value: new Struct(valueSchema, { a: 1 }), valueSchema })))
      .toThrow('Field does not exist: not_exist');
    expect(() => make(ValueToKey, { fields: 'a' }).apply(sinkRecord({ value: null }))).toThrow(/Only Map objects supported/);
  });
});
