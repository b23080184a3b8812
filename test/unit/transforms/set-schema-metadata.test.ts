import { describe, expect, it } from 'vitest';
import { Schemas, Struct } from '../../../src/records/schema.js';
import { SetSchemaMetadataKey, SetSchemaMetadataValue } from '../../../src/transforms/set-schema-metadata.js';
import { applied, configProblems, make, sinkRecord } from './helpers.js';

describe('SetSchemaMetadata', () => {
  it('needs a name or a version', () => {
    expect(configProblems(SetSchemaMetadataValue, {})[0].message).toBe('Neither schema name nor version configured');
    expect(configProblems(SetSchemaMetadataValue, { 'schema.version': 'x' })[0].key).toBe('schema.version');
  });

  it('sets name and version, rebuilding the struct against the new schema', () => {
    const schema = Schemas.struct([['a', Schemas.string()]], { name: 'old', version: 1, doc: 'kept', optional: true });
    const value = new Struct(schema, { a: 'x' });
    const out = applied(make(SetSchemaMetadataValue, { 'schema.name': 'foo', 'schema.version': '42' }), sinkRecord({ value, valueSchema: schema }));
    expect(out.valueSchema).toEqual({ ...schema, name: 'foo', version: 42 });
    expect((out.value as Struct).schema).toBe(out.valueSchema);
    expect((out.value as Struct).get('a')).toBe('x');
  });

  it('keeps what is not configured and works on primitive keys', () => {
    const out = applied(make(SetSchemaMetadataKey, { 'schema.version': '3' }), sinkRecord({ key: 'k', keySchema: Schemas.string({ name: 'keep' }) }));
    expect(out.keySchema).toEqual(Schemas.string({ name: 'keep', version: 3 }));
    expect(out.key).toBe('k');
  });

  it('passes schemaless tombstones, sets the schema of schema\'d ones, and needs a schema otherwise', () => {
    const t = make(SetSchemaMetadataValue, { 'schema.name': 'n' });
    const tombstone = sinkRecord({ value: null });
    expect(t.apply(tombstone)).toBe(tombstone);
    expect(applied(t, sinkRecord({ value: null, valueSchema: Schemas.string({ optional: true }) })).valueSchema)
      .toEqual(Schemas.string({ optional: true, name: 'n' }));
    expect(() => t.apply(sinkRecord({ value: { a: 1 } }))).toThrow('Schema required for [updating schema metadata]');
  });
});
