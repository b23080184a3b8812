import { describe, expect, it } from 'vitest';
import { Schemas, Struct } from '../../../src/records/schema.js';
import { InsertFieldKey, InsertFieldValue } from '../../../src/transforms/insert-field.js';
import { applied, configProblems, make, sinkRecord, sourceRecord, TS } from './helpers.js';

const all = {
  'topic.field': 'topic_field!',
  'partition.field': 'partition_field',
  'offset.field': 'offset_field!',
  'timestamp.field': 'timestamp_field?',
  'static.field': 'instance_id',
  'static.value': 'my-instance-id',
};

describe('InsertField', () => {
  it('needs at least one field, and a value for the static field', () => {
    expect(configProblems(InsertFieldValue, {})[0].message).toBe('No field insertion configured');
    expect(configProblems(InsertFieldValue, { 'static.field': 'x' })[0]).toEqual({ key: 'static.value', message: 'No value specified for static field: x' });
  });

  it('inserts fields into a Struct value and extends its schema', () => {
    const schema = Schemas.struct([['magic', Schemas.int64()]], { name: 'com.example.Row', version: 2, optional: true });
    const out = applied(make(InsertFieldValue, all), sinkRecord({ value: new Struct(schema, { magic: 42 }), valueSchema: schema }));
    expect(out.valueSchema).toEqual(Schemas.struct([
      ['magic', Schemas.int64()],
      ['topic_field', Schemas.string()],
      ['partition_field', Schemas.int32({ optional: true })],
      ['offset_field', Schemas.int64()],
      ['timestamp_field', Schemas.timestamp({ optional: true })],
      ['instance_id', Schemas.string({ optional: true })],
    ], { name: 'com.example.Row', version: 2 }));
    expect((out.value as Struct).toObject()).toEqual({
      magic: 42, topic_field: 'orders', partition_field: 3, offset_field: 42, timestamp_field: new Date(TS), instance_id: 'my-instance-id',
    });
  });

  it('keeps a null field null with replace.null.with.default=false (default: the field default)', () => {
    const schema = Schemas.struct([['region', Schemas.string({ optional: true, defaultValue: 'eu' })]]);
    const record = () => sinkRecord({ value: new Struct(schema, { region: null }), valueSchema: schema });
    const cfg = { 'static.field': 's', 'static.value': 'v' };
    expect((applied(make(InsertFieldValue, cfg), record()).value as Struct).getWithoutDefault('region')).toBe('eu');
    expect((applied(make(InsertFieldValue, { ...cfg, 'replace.null.with.default': 'false' }), record()).value as Struct).getWithoutDefault('region')).toBeNull();
  });

  it('inserts into a schemaless map, the timestamp as epoch millis', () => {
    const out = applied(make(InsertFieldValue, all), sinkRecord({ value: { magic: 42 } }));
    expect(out.value).toEqual({
      magic: 42, topic_field: 'orders', partition_field: 3, offset_field: 42, timestamp_field: TS, instance_id: 'my-instance-id',
    });
  });

  it('skips a missing partition or timestamp', () => {
    const out = applied(make(InsertFieldKey, { 'partition.field': 'p', 'timestamp.field': 't' }),
      sinkRecord({ key: new Map([['k', 1]]), timestamp: null, kafkaPartition: undefined as unknown as number }));
    expect(out.key).toEqual(new Map([['k', 1]]));
  });

  it('refuses the offset on source records', () => {
    expect(() => make(InsertFieldValue, { 'offset.field': 'o' }).apply(sourceRecord({ value: {} }))).toThrow(/Only SinkRecord supported/);
    expect(applied(make(InsertFieldValue, { 'topic.field': 't' }), sourceRecord({ value: {} })).value).toEqual({ t: 'orders' });
  });

  it('passes tombstones through and rejects non-struct values with a schema', () => {
    const t = make(InsertFieldValue, { 'topic.field': 'topic' });
    const tombstone = sinkRecord({ valueSchema: Schemas.struct([]) });
    expect(t.apply(tombstone)).toBe(tombstone);
    expect(() => t.apply(sinkRecord({ value: 5, valueSchema: Schemas.int32() }))).toThrow(/Only Struct objects supported/);
    expect(() => t.apply(sinkRecord({ value: 5 }))).toThrow(/Only Map objects supported/);
  });
});
