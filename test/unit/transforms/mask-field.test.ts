import { describe, expect, it } from 'vitest';
import { Schemas, Struct } from '../../../src/records/schema.js';
import { MaskFieldKey, MaskFieldValue } from '../../../src/transforms/mask-field.js';
import { applied, configProblems, make, sinkRecord } from './helpers.js';

const schema = Schemas.struct([
  ['magic', Schemas.int32()], ['bool', Schemas.boolean()], ['byte', Schemas.int8()], ['short', Schemas.int16()],
  ['int', Schemas.int32()], ['long', Schemas.int64()], ['float', Schemas.float32()], ['double', Schemas.float64()],
  ['string', Schemas.string()], ['date', Schemas.date()], ['time', Schemas.time()], ['timestamp', Schemas.timestamp()],
  ['decimal', Schemas.decimal(0)], ['decimal2', Schemas.decimal(2)], ['array', Schemas.array(Schemas.int32())],
  ['map', Schemas.map(Schemas.string(), Schemas.string())], ['optional', Schemas.string({ optional: true })],
]);
const struct = () => new Struct(schema, {
  magic: 42, bool: true, byte: 42, short: 42, int: 42, long: 42, float: 42, double: 42, string: '55.121.20.20',
  date: new Date(86_400_000), time: new Date(1000), timestamp: new Date(), decimal: '42', decimal2: '42.00',
  array: [1, 2, 3], map: { what: 'what' }, optional: null,
});
const allButMagic = (schema.fields ?? []).map((f) => f.name).filter((n) => n !== 'magic').join(',');

describe('MaskField', () => {
  it('checks the config', () => {
    expect(configProblems(MaskFieldValue, {})[0].key).toBe('fields');
    expect(configProblems(MaskFieldValue, { fields: 'a', replacement: '' })[0].message).toMatch(/String must be non-empty/);
  });

  it('masks struct fields with the empty value of their type, keeping the schema', () => {
    const out = applied(make(MaskFieldValue, { fields: allButMagic }), sinkRecord({ value: struct(), valueSchema: schema }));
    expect(out.valueSchema).toBe(schema);
    expect((out.value as Struct).toObject()).toEqual({
      magic: 42, bool: false, byte: 0, short: 0, int: 0, long: 0, float: 0, double: 0, string: '',
      date: new Date(0), time: new Date(0), timestamp: new Date(0), decimal: '0', decimal2: '0.00',
      array: [], map: {}, optional: null,
    });
  });

  it('masks schemaless fields by their JavaScript type, adding listed fields that are missing as null', () => {
    const value = { magic: 42, bool: true, n: 1.5, big: 10n, s: 'secret', d: new Date(), list: [1], map: new Map([['k', 'v']]), obj: { a: 1 } };
    const out = applied(make(MaskFieldValue, { fields: 'bool,n,big,s,d,list,map,obj,missing' }), sinkRecord({ value }));
    expect(out.value).toEqual({ magic: 42, bool: false, n: 0, big: 0n, s: '', d: new Date(0), list: [], map: new Map(), obj: {}, missing: null });
  });

  it('replaces numbers and strings with the replacement converted to the field type', () => {
    const t = make(MaskFieldValue, { fields: 'byte,short,int,long,float,double,string,decimal', replacement: '123' });
    const out = applied(t, sinkRecord({ value: struct(), valueSchema: schema }));
    expect((out.value as Struct).toObject()).toMatchObject({ byte: 123, short: 123, int: 123, long: 123, float: 123, double: 123, string: '123', decimal: '123' });
    const schemaless = applied(make(MaskFieldKey, { fields: 'n,s', replacement: '12.5' }), sinkRecord({ key: { n: 3, s: 'x' } }));
    expect(schemaless.key).toEqual({ n: 12, s: '12.5' }); // an integer field takes the long value of the replacement
  });

  it('refuses replacements it cannot convert', () => {
    const run = (fields: string, replacement: string) => () =>
      make(MaskFieldValue, { fields, replacement }).apply(sinkRecord({ value: struct(), valueSchema: schema }));
    expect(run('int', 'foo')).toThrow(/Unable to convert foo/);
    expect(run('bool', 'false')).toThrow(/Cannot mask value of type boolean with custom replacement/);
    expect(run('time', '0')).toThrow(/Cannot mask value of type Date with custom replacement/);
    expect(run('array', '0')).toThrow(/Cannot mask value of type Array with custom replacement/);
  });

  it('masks top-level fields only: a struct field cannot be masked', () => {
    const inner = Schemas.struct([['ssn', Schemas.string()]]);
    const outer = Schemas.struct([['person', inner]]);
    const value = new Struct(outer, { person: new Struct(inner, { ssn: '123' }) });
    expect(() => make(MaskFieldValue, { fields: 'person' }).apply(sinkRecord({ value, valueSchema: outer }))).toThrow(/Cannot mask value of type: Struct/);
    const untouched = applied(make(MaskFieldValue, { fields: 'ssn' }), sinkRecord({ value, valueSchema: outer }));
    expect(((untouched.value as Struct).get('person') as Struct).get('ssn')).toBe('123');
  });

  it('fails on tombstones, as Connect does', () => {
    expect(() => make(MaskFieldValue, { fields: 'a' }).apply(sinkRecord({ value: null }))).toThrow(/Only Map objects supported/);
  });
});
