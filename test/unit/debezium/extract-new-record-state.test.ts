import { describe, expect, it } from 'vitest';
import { JsonConverter } from '../../../src/converters/json-converter.js';
import type { SourceRecord } from '../../../src/records/record.js';
import { Schemas, Struct } from '../../../src/records/schema.js';
import { buildTransformChain, findTransform } from '../../../src/transforms/registry.js';
import { Operation, changeEvent, sourceInfoSchema, sourceInfoStruct, tableSchemas, tombstoneFor, type ChangeEvent, type OperationCode } from '../../../src/connectors/debezium/envelope.js';
import { ExtractNewRecordState } from '../../../src/connectors/debezium/extract-new-record-state.js';
import { make } from '../transforms/helpers.js';

const SOURCE = sourceInfoSchema('mysql', [['table', Schemas.string({ optional: true })], ['server_id', Schemas.int64()], ['file', Schemas.string()], ['pos', Schemas.int64()]]);
const T = tableSchemas({
  topic: 'p.inv.customers',
  columns: [{ name: 'id', schema: Schemas.int32() }, { name: 'name', schema: Schemas.string({ optional: true }) }],
  keyColumns: ['id'],
  sourceSchema: SOURCE,
});

function rec(e: ChangeEvent | ReturnType<typeof tombstoneFor>): SourceRecord {
  return { topic: T.topic, key: e.key, keySchema: e.keySchema, value: e.value, valueSchema: e.valueSchema, headers: [], sourcePartition: {}, sourceOffset: {} };
}

function event(op: OperationCode, before: Record<string, unknown> | null, after: Record<string, unknown> | null): SourceRecord {
  const source = sourceInfoStruct(SOURCE, { connector: 'mysql', name: 'p', tsMs: 1700000000123, db: 'inv' }, { table: 'customers', server_id: 1, file: 'f.000001', pos: 4 });
  return rec(changeEvent(T, { op, before, after, source, tsMs: 1700000000999 }));
}

const ins = event(Operation.CREATE, null, { id: 1, name: 'a' });
const upd = event(Operation.UPDATE, { id: 1, name: 'a' }, { id: 1, name: 'b' });
const del = event(Operation.DELETE, { id: 1, name: 'b' }, null);
const tomb = rec(tombstoneFor(changeEvent(T, { op: Operation.DELETE, before: { id: 1, name: 'b' }, source: (del.value as Struct).get('source') as Struct })));

function valueJson(r: SourceRecord | null): string | null {
  const c = new JsonConverter();
  c.configure({ 'schemas.enable': 'false' }, false);
  return r === null ? 'DROPPED' : c.fromConnectData('t', r.valueSchema ?? null, r.value)?.toString('utf8') ?? null;
}

describe('io.debezium.transforms.ExtractNewRecordState', () => {
  it('is registered under Debezium\'s class name and runs in a transforms chain', () => {
    expect(findTransform('io.debezium.transforms.ExtractNewRecordState')).toBe(ExtractNewRecordState);
    const chain = buildTransformChain({ transforms: 'unwrap', 'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState', 'transforms.unwrap.add.fields': 'op' });
    expect(valueJson(chain.apply(upd))).toBe('{"id":1,"name":"b","__op":"u"}');
  });

  it('default (tombstone): rows become their after image, a delete a null value with the key kept, the original tombstone dropped', () => {
    const t = make(ExtractNewRecordState);
    expect(valueJson(t.apply(ins))).toBe('{"id":1,"name":"a"}');
    expect(t.apply(ins)!.valueSchema!.name).toBe('p.inv.customers.Value');
    expect(valueJson(t.apply(upd))).toBe('{"id":1,"name":"b"}');
    const d = t.apply(del)!;
    expect(d.value).toBeNull();
    expect(d.valueSchema!.name).toBe('p.inv.customers.Value');
    expect((d.key as Struct).get('id')).toBe(1);
    expect(t.apply(tomb)).toBeNull();
  });

  it('drop, rewrite, rewrite-with-tombstone, delete-to-tombstone', () => {
    const drop = make(ExtractNewRecordState, { 'delete.tombstone.handling.mode': 'drop' });
    expect(drop.apply(del)).toBeNull();
    expect(drop.apply(tomb)).toBeNull();
    const rw = make(ExtractNewRecordState, { 'delete.tombstone.handling.mode': 'rewrite' });
    expect(valueJson(rw.apply(del))).toBe('{"id":1,"name":"b","__deleted":"true"}');
    expect(valueJson(rw.apply(upd))).toBe('{"id":1,"name":"b","__deleted":"false"}');
    expect(rw.apply(tomb)).toBeNull();
    const rwt = make(ExtractNewRecordState, { 'delete.tombstone.handling.mode': 'rewrite-with-tombstone' });
    expect(rwt.apply(tomb)).toEqual(tomb);
    const dtt = make(ExtractNewRecordState, { 'delete.tombstone.handling.mode': 'delete-to-tombstone' });
    const d = dtt.apply(del)!;
    expect([d.value, d.valueSchema]).toEqual([null, null]);
    expect(dtt.apply(tomb)).toBeNull();
  });

  it('the Debezium 2.x keys drop.tombstones and delete.handling.mode still work when the new key is unset', () => {
    const legacyDefault = make(ExtractNewRecordState, { 'drop.tombstones': 'true' });
    expect(legacyDefault.apply(del)).toBeNull(); // delete.handling.mode defaulted to drop in 2.x
    const none = make(ExtractNewRecordState, { 'drop.tombstones': 'false', 'delete.handling.mode': 'none' });
    expect(none.apply(del)!.value).toBeNull();
    expect(none.apply(tomb)).toEqual(tomb);
    const rewrite = make(ExtractNewRecordState, { 'delete.handling.mode': 'rewrite' });
    expect(valueJson(rewrite.apply(del))).toBe('{"id":1,"name":"b","__deleted":"true"}');
  });

  it('add.fields copies envelope fields (op, ts_ms, source.* and renames), add.headers adds headers, op "d" on tombstones', () => {
    const t = make(ExtractNewRecordState, { 'add.fields': 'op,source.ts_ms,table,db:DB', 'add.headers': 'op,server_id', 'delete.tombstone.handling.mode': 'rewrite-with-tombstone' });
    expect(valueJson(t.apply(ins))).toBe('{"id":1,"name":"a","__deleted":"false","__op":"c","__source_ts_ms":1700000000123,"__table":"customers","__DB":"inv"}');
    expect(valueJson(t.apply(del))).toBe('{"id":1,"name":"b","__deleted":"true","__op":"d","__source_ts_ms":1700000000123,"__table":"customers","__DB":"inv"}');
    expect(t.apply(ins)!.headers.map((h) => [h.key, h.value])).toEqual([['__op', 'c'], ['__server_id', 1]]);
    expect(t.apply(tomb)!.headers.map((h) => [h.key, h.value])).toEqual([['__op', 'd']]);
  });

  it('route.by.field takes the topic from a column; records that are not envelopes pass unchanged', () => {
    const t = make(ExtractNewRecordState, { 'route.by.field': 'name' });
    expect(t.apply(upd)!.topic).toBe('b');
    const plain: SourceRecord = { topic: 'x', key: null, value: 'text', valueSchema: Schemas.string(), headers: [], sourcePartition: {}, sourceOffset: {} };
    expect(t.apply(plain)).toBe(plain);
  });

  it('refuses an unknown delete.tombstone.handling.mode by key', () => {
    expect(() => make(ExtractNewRecordState, { 'delete.tombstone.handling.mode': 'keep' })).toThrow(/must be one of drop, tombstone/);
  });
});
