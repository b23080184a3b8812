import { describe, expect, it } from 'vitest';
import { Schemas, Struct } from '../../../src/records/schema.js';
import { ReplaceFieldKey, ReplaceFieldValue } from '../../../src/transforms/replace-field.js';
import { applied, configProblems, make, sinkRecord } from './helpers.js';

describe('ReplaceField', () => {
  it('rejects bad rename mappings', () => {
    expect(configProblems(ReplaceFieldValue, { renames: 'a:b,c' })).toEqual([{ key: 'renames', message: 'Invalid rename mapping: c' }]);
    expect(configProblems(ReplaceFieldValue, { renames: 'a:b:c' })[0].key).toBe('renames');
  });

  it('excludes, includes and renames schemaless fields', () => {
    const value = { dont: 'whatever', abc: 42, foo: true, etc: 'etc' };
    const out = applied(make(ReplaceFieldValue, { exclude: 'dont', renames: 'abc:xyz,foo:bar' }), sinkRecord({ value }));
    expect(out.value).toEqual({ xyz: 42, bar: true, etc: 'etc' });
    const included = applied(make(ReplaceFieldValue, { include: 'abc,foo', exclude: 'foo' }), sinkRecord({ value }));
    expect(included.value).toEqual({ abc: 42 }); // exclude wins over include
  });

  it('accepts the pre-2.7 names blacklist and whitelist', () => {
    const out = applied(make(ReplaceFieldKey, { blacklist: 'a', whitelist: 'a,b' }), sinkRecord({ key: new Map([['a', 1], ['b', 2], ['c', 3]]) }));
    expect(out.key).toEqual(new Map([['b', 2]]));
  });

  it('rebuilds a struct schema without the excluded fields', () => {
    const schema = Schemas.struct([
      ['dont', Schemas.string()], ['abc', Schemas.int32()], ['foo', Schemas.boolean()], ['etc', Schemas.string({ optional: true })],
    ], { name: 'com.example.Row', version: 4, optional: true });
    const value = new Struct(schema, { dont: 'whatever', abc: 42, foo: true, etc: 'etc' });
    const out = applied(make(ReplaceFieldValue, { exclude: 'dont', renames: 'abc:xyz,foo:bar' }), sinkRecord({ value, valueSchema: schema }));
    // copySchemaBasics keeps name and version; Connect does not carry optional-ness over.
    expect(out.valueSchema).toEqual(Schemas.struct([
      ['xyz', Schemas.int32()], ['bar', Schemas.boolean()], ['etc', Schemas.string({ optional: true })],
    ], { name: 'com.example.Row', version: 4 }));
    expect((out.value as Struct).toObject()).toEqual({ xyz: 42, bar: true, etc: 'etc' });
  });

  it('passes tombstones through', () => {
    const tombstone = sinkRecord({ value: null });
    expect(make(ReplaceFieldValue, { exclude: 'a' }).apply(tombstone)).toBe(tombstone);
  });
});
