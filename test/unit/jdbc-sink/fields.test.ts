import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { extractDeleteKey, extractRow, RowExtractor, type FieldOptions, type RowData } from '../../../src/connectors/jdbc-sink/fields.js';
import type { SinkRecord } from '../../../src/records/record.js';
import { Schemas, Struct, type Schema } from '../../../src/records/schema.js';

/** A row's values by column name (the row holds them in the order keyFields, nonKeyFields). */
function byName(r: RowData): Map<string, unknown> {
  const names = [...r.fields.keyFields, ...r.fields.nonKeyFields];
  expect(r.values).toHaveLength(names.length);
  return new Map(names.map((n, i) => [n, r.values[i]]));
}

const valueSchema = Schemas.struct([
  ['id', Schemas.int64()],
  ['name', Schemas.string({ optional: true })],
  ['qty', Schemas.int32({ defaultValue: 1 })],
]);
const keySchema = Schemas.struct([['tenant', Schemas.string()], ['id', Schemas.int64()]]);

function rec(o: Partial<SinkRecord>): SinkRecord {
  return {
    topic: 'orders', kafkaPartition: 2, kafkaOffset: 42, key: null, keySchema: null, value: null, valueSchema: null, headers: [],
    originalTopic: 'orders', originalKafkaPartition: 2, originalKafkaOffset: 42, ...o,
  };
}

const value = new Struct(valueSchema, { id: 7, name: 'pen' });
const withValue = (o: Partial<SinkRecord> = {}) => rec({ value, valueSchema, ...o });
const opts = (o: Partial<FieldOptions>): FieldOptions => ({ pkMode: 'none', pkFields: [], whitelist: [], ...o });
const names = (fs: Array<{ name: string }>) => fs.map((f) => f.name);

describe('JDBC sink fields (Confluent FieldsMetadata)', () => {
  it('pk.mode none: every value field is a non-key column, defaults applied', () => {
    const r = extractRow(withValue(), opts({}), 't');
    expect(r.fields.keyFields).toEqual([]);
    expect(r.fields.nonKeyFields).toEqual(['id', 'name', 'qty']);
    expect(Object.fromEntries(byName(r))).toEqual({ id: 7, name: 'pen', qty: 1 });
    expect(r.fields.all.every((f) => !f.primaryKey)).toBe(true);
  });

  it('pk.mode kafka: topic, partition, offset columns first, with their default or configured names', () => {
    const r = extractRow(withValue(), opts({ pkMode: 'kafka' }), 't');
    expect(r.fields.keyFields).toEqual(['__connect_topic', '__connect_partition', '__connect_offset']);
    expect(names(r.fields.all)).toEqual(['__connect_topic', '__connect_partition', '__connect_offset', 'id', 'name', 'qty']);
    expect(r.fields.all.slice(0, 3).map((f) => f.schema?.type)).toEqual(['string', 'int32', 'int64']);
    expect([byName(r).get('__connect_topic'), byName(r).get('__connect_partition'), byName(r).get('__connect_offset')]).toEqual(['orders', 2, 42]);

    const named = extractRow(withValue(), opts({ pkMode: 'kafka', pkFields: ['t', 'p', 'o'] }), 't');
    expect(named.fields.keyFields).toEqual(['t', 'p', 'o']);
    // Custom names are not Confluent's defaults, so they sort after the value fields.
    expect(names(named.fields.all)).toEqual(['id', 'name', 'qty', 'o', 'p', 't']);
  });

  it('pk.mode record_key with a struct key: all key fields or the configured ones; the key wins over a same-named value field', () => {
    const key = new Struct(keySchema, { tenant: 'acme', id: 99 });
    const all = extractRow(withValue({ key, keySchema }), opts({ pkMode: 'record_key' }), 't');
    expect(all.fields.keyFields).toEqual(['tenant', 'id']);
    expect(all.fields.nonKeyFields).toEqual(['name', 'qty']);
    expect(byName(all).get('id')).toBe(99);
    expect(names(all.fields.all)).toEqual(['id', 'name', 'qty', 'tenant']);
    expect(all.fields.all.find((f) => f.name === 'tenant')).toMatchObject({ primaryKey: true, schema: { type: 'string' } });

    const some = extractRow(withValue({ key, keySchema }), opts({ pkMode: 'record_key', pkFields: ['tenant'] }), 't');
    expect(some.fields.keyFields).toEqual(['tenant']);
    expect(some.fields.nonKeyFields).toEqual(['id', 'name', 'qty']);
    expect(byName(some).get('id')).toBe(7);

    expect(() => extractRow(withValue({ key, keySchema }), opts({ pkMode: 'record_key', pkFields: ['nope'] }), 't'))
      .toThrow(/record key schema does not contain field: nope/);
  });

  it('pk.mode record_key with a primitive key: exactly one pk field names it', () => {
    const r = extractRow(withValue({ key: 'k-1', keySchema: Schemas.string() }), opts({ pkMode: 'record_key', pkFields: ['code'] }), 't');
    expect(r.fields.keyFields).toEqual(['code']);
    expect(byName(r).get('code')).toBe('k-1');
    expect(r.fields.all[r.fields.all.length - 1]).toMatchObject({ name: 'code', primaryKey: true, schema: { type: 'string' } });
    // Schemaless primitive keys work the same way.
    expect(byName(extractRow(withValue({ key: 5 }), opts({ pkMode: 'record_key', pkFields: ['code'] }), 't')).get('code')).toBe(5);

    expect(() => extractRow(withValue({ key: 'k', keySchema: Schemas.string() }), opts({ pkMode: 'record_key' }), 't'))
      .toThrow(/Need exactly one PK column defined since the key schema for records is a primitive type/);
    expect(() => extractRow(withValue(), opts({ pkMode: 'record_key', pkFields: ['code'] }), 't')).toThrow(DataError);
    expect(() => extractRow(withValue({ key: [1], keySchema: Schemas.array(Schemas.int32()) }), opts({ pkMode: 'record_key' }), 't'))
      .toThrow(/Key schema must be primitive type or Struct, but is of type: array/);
  });

  it('pk.mode record_value: all value fields or the configured ones', () => {
    const all = extractRow(withValue(), opts({ pkMode: 'record_value' }), 't');
    expect(all.fields.keyFields).toEqual(['id', 'name', 'qty']);
    expect(all.fields.nonKeyFields).toEqual([]);
    const one = extractRow(withValue(), opts({ pkMode: 'record_value', pkFields: ['id'] }), 't');
    expect(one.fields.keyFields).toEqual(['id']);
    expect(one.fields.nonKeyFields).toEqual(['name', 'qty']);
    expect(names(one.fields.all)).toEqual(['id', 'name', 'qty']);
    expect(() => extractRow(withValue(), opts({ pkMode: 'record_value', pkFields: ['sku'] }), 't'))
      .toThrow(/record value schema does not contain field: sku/);
  });

  it('fields.whitelist filters the non-key columns only', () => {
    const r = extractRow(withValue(), opts({ pkMode: 'record_value', pkFields: ['id'], whitelist: ['name'] }), 't');
    expect(r.fields.keyFields).toEqual(['id']);
    expect(r.fields.nonKeyFields).toEqual(['name']);
    expect([...byName(r).keys()]).toEqual(['id', 'name']);
    expect(() => extractRow(withValue(), opts({ whitelist: ['nothing'] }), 't')).toThrow(/No fields found using key and value schemas for table: t/);
  });

  it('schemaless values: plain objects and Maps give schema-less fields', () => {
    const obj = extractRow(rec({ value: { id: 1, note: 'x' } }), opts({ pkMode: 'record_value', pkFields: ['id'] }), 't');
    expect(obj.fields.keyFields).toEqual(['id']);
    expect(obj.fields.all.map((f) => f.schema)).toEqual([null, null]);
    expect(Object.fromEntries(byName(obj))).toEqual({ id: 1, note: 'x' });
    const map = extractRow(rec({ value: new Map<string, unknown>([['a', 1], ['b', null]]) }), opts({}), 't');
    expect(Object.fromEntries(byName(map))).toEqual({ a: 1, b: null });
  });

  it('refuses values that are not structs', () => {
    expect(() => extractRow(rec({ value: 'text', valueSchema: Schemas.string() }), opts({}), 't')).toThrow(/Value schema must be of type Struct/);
    expect(() => extractRow(rec({ value: 12 }), opts({}), 't')).toThrow(DataError);
  });

  it('a delete takes the key columns only', () => {
    const key = new Struct(keySchema, { tenant: 'acme', id: 99 });
    const d = extractDeleteKey(rec({ key, keySchema }), opts({ pkMode: 'record_key' }), 't');
    expect(d.fields.keyFields).toEqual(['tenant', 'id']);
    expect(d.fields.nonKeyFields).toEqual([]);
    expect(Object.fromEntries(byName(d))).toEqual({ tenant: 'acme', id: 99 });
    expect(() => extractDeleteKey(rec({}), opts({ pkMode: 'record_key' }), 't')).toThrow(/has no key/);
  });

  it('reads struct-schema\'d plain objects (a value whose schema says struct)', () => {
    const s: Schema = valueSchema;
    const r = extractRow(rec({ value: { id: 3 }, valueSchema: s }), opts({}), 't');
    expect(Object.fromEntries(byName(r))).toEqual({ id: 3, name: null, qty: 1 });
    expect(r.fields.all.map((f) => f.schema?.type)).toEqual(['int64', 'string', 'int32']);
  });
});

describe('RowExtractor (fields worked out once per record shape)', () => {
  const modes: FieldOptions[] = [
    opts({}), opts({ pkMode: 'kafka' }), opts({ pkMode: 'record_value', pkFields: ['id'] }), opts({ pkMode: 'record_key' }),
    opts({ pkMode: 'record_key', pkFields: ['id'], whitelist: ['qty'] }), opts({ pkMode: 'record_key', pkFields: ['code'] }),
  ];
  const records = (o: FieldOptions) => [1, 2, 3].map((i) => withValue({
    kafkaOffset: 40 + i,
    value: new Struct(valueSchema, { id: i, name: i === 2 ? null : `n${i}` }),
    ...(o.pkFields[0] === 'code'
      ? { key: `k-${i}`, keySchema: Schemas.string() }
      : { key: new Struct(keySchema, { tenant: 'acme', id: 100 + i }), keySchema }),
  }));

  it('gives extractRow\'s columns and values for every record of a shape, in every pk.mode', () => {
    for (const o of modes) {
      const x = new RowExtractor(o);
      for (const r of records(o)) {
        const fast = x.row(r, 't');
        const exact = extractRow(r, o, 't');
        expect(fast.fields).toEqual(exact.fields);
        expect([...byName(fast)]).toEqual([...byName(exact)]);
      }
    }
  });

  it('fails records as extractRow does (a missing key after a keyed one)', () => {
    const o = opts({ pkMode: 'record_key' });
    const x = new RowExtractor(o);
    x.row(records(o)[0], 't');
    expect(() => x.row(withValue({ key: null, keySchema }), 't')).toThrow(/record_key, but the record has no key/);
  });
});
