import { describe, expect, it } from 'vitest';
import { Schemas, Struct } from '../../../src/records/schema.js';
import { DropHeaders } from '../../../src/transforms/drop-headers.js';
import { HeaderFromKey, HeaderFromValue } from '../../../src/transforms/header-from.js';
import { InsertHeader } from '../../../src/transforms/insert-header.js';
import { applied, configProblems, make, sinkRecord } from './helpers.js';

const headers = [{ key: 'a', value: 1 }, { key: 'b', value: 'x' }, { key: 'a', value: 2 }];

describe('DropHeaders', () => {
  it('drops every header with a listed name', () => {
    const out = applied(make(DropHeaders, { headers: 'a,c' }), sinkRecord({ headers, value: null }));
    expect(out.headers).toEqual([{ key: 'b', value: 'x' }]);
    expect(configProblems(DropHeaders, {})[0].key).toBe('headers');
    expect(configProblems(DropHeaders, { headers: ',' })[0].key).toBe('headers');
  });

  it('works on tombstones and leaves key and value alone', () => {
    const record = sinkRecord({ key: 'k', value: null, headers });
    const out = applied(make(DropHeaders, { headers: 'b' }), record);
    expect(out).toEqual({ ...record, headers: [headers[0], headers[2]] });
  });
});

describe('InsertHeader', () => {
  const insert = (literal: string) => applied(make(InsertHeader, { header: 'h', 'value.literal': literal }), sinkRecord({ headers })).headers.at(-1);

  it('appends the header even when the name exists', () => {
    const out = applied(make(InsertHeader, { header: 'a', 'value.literal': 'hello world' }), sinkRecord({ headers }));
    expect(out.headers).toEqual([...headers, { key: 'a', value: 'hello world', schema: Schemas.string() }]);
  });

  it('types the literal like Values.parseString', () => {
    expect(insert('42')).toMatchObject({ value: 42, schema: Schemas.int8() });
    expect(insert('1000')).toMatchObject({ value: 1000, schema: Schemas.int16() });
    expect(insert('-70000')).toMatchObject({ value: -70000, schema: Schemas.int32() });
    expect(insert('9007199254740993')).toMatchObject({ value: 9007199254740993n, schema: Schemas.int64() });
    expect(insert('1.5')).toMatchObject({ value: 1.5, schema: Schemas.float32() });
    expect(insert('true')).toMatchObject({ value: true, schema: Schemas.boolean() });
    expect(insert('null')).toMatchObject({ value: null, schema: null });
    expect(insert('')).toMatchObject({ value: '', schema: Schemas.string() });
    expect(insert('2024-01-15')).toMatchObject({ value: new Date(Date.UTC(2024, 0, 15)), schema: Schemas.date() });
    expect(insert('2024-01-15T10:30:45.123Z')).toMatchObject({ value: new Date(Date.UTC(2024, 0, 15, 10, 30, 45, 123)), schema: Schemas.timestamp() });
    expect(insert('12abc')).toMatchObject({ value: '12abc', schema: Schemas.string() });
  });

  it('works on tombstones', () => {
    const out = applied(make(InsertHeader, { header: 'h', 'value.literal': 'x' }), sinkRecord({ value: null, valueSchema: Schemas.string({ optional: true }) }));
    expect(out.value).toBeNull();
    expect(out.headers).toHaveLength(1);
  });

  it('needs a header name and a literal', () => {
    expect(configProblems(InsertHeader, { 'value.literal': 'x' })[0].key).toBe('header');
    expect(configProblems(InsertHeader, { header: 'h' })[0].key).toBe('value.literal');
  });
});

describe('HeaderFrom', () => {
  const schema = Schemas.struct([['id', Schemas.int64()], ['name', Schemas.string({ optional: true })], ['keep', Schemas.boolean()]], { name: 'Row', optional: true });
  const value = () => new Struct(schema, { id: 7, name: 'n', keep: true });

  it('checks the config', () => {
    expect(configProblems(HeaderFromValue, { fields: 'a,b', headers: 'x', operation: 'copy' })[0].message)
      .toBe("'fields' config must have the same number of elements as 'headers' config.");
    expect(configProblems(HeaderFromValue, { fields: 'a', headers: 'x', operation: 'rename' })[0].key).toBe('operation');
  });

  it('copies struct fields to headers with their schemas', () => {
    const t = make(HeaderFromValue, { fields: 'id,name', headers: 'h_id,h_name', operation: 'copy' });
    const record = sinkRecord({ value: value(), valueSchema: schema, headers: [{ key: 'old', value: 1 }] });
    const out = applied(t, record);
    expect(out.value).toBe(record.value);
    expect(out.valueSchema).toBe(schema);
    expect(out.headers).toEqual([
      { key: 'old', value: 1 },
      { key: 'h_id', value: 7, schema: Schemas.int64() },
      { key: 'h_name', value: 'n', schema: Schemas.string({ optional: true }) },
    ]);
  });

  it('moves struct fields, rebuilding the schema without them', () => {
    const t = make(HeaderFromValue, { fields: 'id', headers: 'h_id', operation: 'move' });
    const out = applied(t, sinkRecord({ value: value(), valueSchema: schema }));
    expect(out.valueSchema).toEqual(Schemas.struct([['name', Schemas.string({ optional: true })], ['keep', Schemas.boolean()]], { name: 'Row' }));
    expect((out.value as Struct).toObject()).toEqual({ name: 'n', keep: true });
    expect(out.headers).toEqual([{ key: 'h_id', value: 7, schema: Schemas.int64() }]);
  });

  it('moves schemaless key fields, a missing field giving a null header', () => {
    const t = make(HeaderFromKey, { fields: 'id,missing', headers: 'h_id,h_missing', operation: 'move' });
    const out = applied(t, sinkRecord({ key: { id: 1, other: 2 } }));
    expect(out.key).toEqual({ other: 2 });
    expect(out.headers).toEqual([{ key: 'h_id', value: 1, schema: null }, { key: 'h_missing', value: null, schema: null }]);
  });

  it('fails on tombstones and on fields the schema lacks, as Connect does', () => {
    const t = make(HeaderFromValue, { fields: 'nope', headers: 'h', operation: 'copy' });
    expect(() => t.apply(sinkRecord({ value: value(), valueSchema: schema }))).toThrow(/nope/);
    expect(() => t.apply(sinkRecord({ value: null }))).toThrow(/Only Map objects supported in absence of schema for \[header copy\]/);
  });
});
