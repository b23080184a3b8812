import { describe, expect, it } from 'vitest';
import { Schemas, Struct } from '../../../src/records/schema.js';
import { ExtractFieldKey, ExtractFieldValue } from '../../../src/transforms/extract-field.js';
import { FieldPath } from '../../../src/transforms/util/field-path.js';
import { applied, configProblems, make, sinkRecord } from './helpers.js';

const inner = Schemas.struct([['id', Schemas.int64()], ['dotted.name', Schemas.string({ optional: true })]], { optional: true });
const schema = Schemas.struct([['magic', Schemas.int32()], ['nested', inner]]);

describe('ExtractField', () => {
  it('needs a field and a known syntax version', () => {
    expect(configProblems(ExtractFieldKey, {})[0].key).toBe('field');
    expect(configProblems(ExtractFieldKey, { field: 'a', 'field.syntax.version': 'v3' })[0].key).toBe('field.syntax.version');
    expect(configProblems(ExtractFieldKey, { field: 'a', 'field.syntax.version': 'v2' })).toEqual([]);
  });

  it('extracts a field from a schemaless key, leaving the value alone', () => {
    const out = applied(make(ExtractFieldKey, { field: 'magic' }), sinkRecord({ key: { magic: 42 }, value: 'v' }));
    expect(out.key).toBe(42);
    expect(out.keySchema).toBeNull();
    expect(out.value).toBe('v');
  });

  it('extracts from a Map, a missing field giving null', () => {
    const t = make(ExtractFieldKey, { field: 'magic' });
    expect(applied(t, sinkRecord({ key: new Map([['magic', 1]]) })).key).toBe(1);
    expect(applied(t, sinkRecord({ key: { other: 1 } })).key).toBeNull();
  });

  it('extracts a Struct field with its schema', () => {
    const key = new Struct(schema, { magic: 42, nested: null });
    const out = applied(make(ExtractFieldKey, { field: 'magic' }), sinkRecord({ key, keySchema: schema }));
    expect(out.key).toBe(42);
    expect(out.keySchema).toEqual(Schemas.int32());
  });

  it('passes null through, keeping the field schema', () => {
    const t = make(ExtractFieldValue, { field: 'magic' });
    expect(applied(t, sinkRecord({ value: null })).value).toBeNull();
    const out = applied(t, sinkRecord({ value: null, valueSchema: schema }));
    expect(out.value).toBeNull();
    expect(out.valueSchema).toEqual(Schemas.int32());
  });

  it('fails on a field the schema lacks, and on a non-map schemaless value', () => {
    const t = make(ExtractFieldValue, { field: 'nope' });
    expect(() => t.apply(sinkRecord({ value: new Struct(schema, { magic: 1 }), valueSchema: schema }))).toThrow('Unknown field: nope');
    expect(() => t.apply(sinkRecord({ value: 'text' }))).toThrow(/Only Map objects supported/);
  });

  it('V1 treats a dotted path as one top-level name', () => {
    const t = make(ExtractFieldValue, { field: 'nested.id' });
    expect(applied(t, sinkRecord({ value: { 'nested.id': 1, nested: { id: 2 } } })).value).toBe(1);
  });

  it('V2 follows dotted paths through structs and maps', () => {
    const t = make(ExtractFieldValue, { field: 'nested.id', 'field.syntax.version': 'V2' });
    const value = new Struct(schema, { magic: 1, nested: new Struct(inner, { id: 99 }) });
    const out = applied(t, sinkRecord({ value, valueSchema: schema }));
    expect(out.value).toBe(99);
    expect(out.valueSchema).toEqual(Schemas.int64());
    expect(applied(t, sinkRecord({ value: { nested: { id: 7 } } })).value).toBe(7);
    expect(applied(t, sinkRecord({ value: { nested: null } })).value).toBeNull();
    expect(applied(t, sinkRecord({ value: { other: 1 } })).value).toBeNull();
    // A null parent struct gives null, with the nested field's schema.
    const noParent = applied(t, sinkRecord({ value: new Struct(schema, { magic: 1, nested: null }), valueSchema: schema }));
    expect(noParent.value).toBeNull();
    expect(noParent.valueSchema).toEqual(Schemas.int64());
  });

  it('V2 backticks name a field containing dots', () => {
    const t = make(ExtractFieldValue, { field: 'nested.`dotted.name`', 'field.syntax.version': 'V2' });
    const value = new Struct(schema, { magic: 1, nested: new Struct(inner, { id: 1, 'dotted.name': 'x' }) });
    expect(applied(t, sinkRecord({ value, valueSchema: schema })).value).toBe('x');
    expect(() => make(ExtractFieldValue, { field: 'nested.`dotted', 'field.syntax.version': 'V2' })).toThrow(/Incomplete backtick pair/);
  });
});

describe('FieldPath V2 parsing (KIP-821)', () => {
  const steps = (p: string) => [...new FieldPath(p, 'V2').steps];
  it('splits on dots, keeping empty names', () => {
    expect(steps('foo.bar.baz')).toEqual(['foo', 'bar', 'baz']);
    expect(steps('..')).toEqual(['', '', '']);
    expect(steps('.bar.')).toEqual(['', 'bar', '']);
    expect(steps('')).toEqual([]);
    expect([...new FieldPath('foo.bar', 'V1').steps]).toEqual(['foo.bar']);
  });

  it('handles backtick pairs and escapes like Connect', () => {
    expect(steps('`foo.bar`.baz')).toEqual(['foo.bar', 'baz']);
    expect(steps('foo`bar`baz')).toEqual(['foo`bar`baz']);
    expect(steps('foo.``bar.baz`')).toEqual(['foo', '`bar.baz']);
    expect(steps('foo.`ba`r.baz`')).toEqual(['foo', 'ba`r.baz']);
    expect(steps('foo.ba`r.baz')).toEqual(['foo', 'ba`r', 'baz']);
    expect(steps('``foo.bar.baz``')).toEqual(['`foo.bar.baz`']);
    expect(steps('foo.`bar\\`.baz`')).toEqual(['foo', 'bar`.baz']);
    expect(steps('foo.`bar\\\\`.\\`baz`')).toEqual(['foo', 'bar\\`.\\`baz']);
  });

  it('rejects an unclosed backtick with its position', () => {
    expect(() => steps('foo.bar.`baz')).toThrow(
      'Incomplete backtick pair in path: [foo.bar.`baz], consider adding a backslash before backtick at position 8 to escape it');
    expect(() => steps('foo.bar.`baz\\`')).toThrow(/position 8/);
  });
});
