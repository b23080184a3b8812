import { describe, expect, it } from 'vitest';
import { JsonConverter } from '../../../src/converters/json-converter.js';
import { writeJson, type JsonNode } from '../../../src/converters/json-tree.js';
import { Schemas, Struct, type Schema } from '../../../src/records/schema.js';
import { full, inner, row } from './every-type.js';

// The JsonConverter writes values of a known schema straight to text (one pass, no JSON tree).
// Its text must be the tree path's (toJson + writeJson, which the byte-exact tests of
// json-converter.test.ts compare with Kafka Connect's), and so must its errors.

type Tree = { toJson(schema: Schema | null, value: unknown): JsonNode };

function pair(config: Record<string, string>) {
  const c = new JsonConverter();
  c.configure({ 'schemas.enable': 'false', ...config }, false);
  const fast = (schema: Schema, value: unknown): string => {
    try {
      return c.fromConnectData('t', schema, value)?.toString('utf8') ?? 'NULL';
    } catch (e) {
      return `error: ${(e as Error).message}`;
    }
  };
  const tree = (schema: Schema, value: unknown): string => {
    try {
      return writeJson((c as unknown as Tree).toJson(schema, value));
    } catch (e) {
      return `error: ${(e as Error).message}`;
    }
  };
  return { fast, tree };
}

const cases: Array<[string, Schema, () => unknown]> = [
  ['every type filled in', row, full],
  ['nulls everywhere (defaults taken or not)', row, () => new Struct(row, { id: 1 })],
  ['non-finite and odd numbers', row, () => new Struct(row, { id: -0, f32: NaN, f64: -Infinity, i32: 2147483647, amount: '0' })],
  ['a number for an int64 beyond 2^53', row, () => new Struct(row, { id: 2 ** 60 })],
  ['an int32 out of range', row, () => new Struct(row, { id: 1, i32: 2 ** 31 })],
  ['a fraction for an int8', row, () => new Struct(row, { id: 1, i8: 1.5 })],
  ['a bigint out of int64 range', row, () => new Struct(row, { id: 2n ** 63n })],
  ['a string for an int64', row, () => new Struct(row, { id: '5' })],
  ['a number for a string', row, () => new Struct(row, { id: 1, s: 5 })],
  ['a decimal at the wrong scale', row, () => new Struct(row, { id: 1, amount: '1.234' })],
  ['a date with a time', row, () => new Struct(row, { id: 1, day: new Date(1) })],
  ['a string for a timestamp', row, () => new Struct(row, { id: 1, at: 'now' })],
  ['a struct of an equal schema object', row, () => new Struct(JSON.parse(JSON.stringify(row)) as Schema, { id: 1, nested: new Struct(inner, { a: 1 }) })],
  ['a struct of another schema', row, () => new Struct(inner, { a: 1 })],
  ['not a struct', row, () => ({ id: 1 })],
  ['a null required struct', Schemas.struct([['a', Schemas.int32()]]), () => null],
  ['a null optional struct', inner, () => null],
  ['a null required field', Schemas.struct([['a', Schemas.int32()]]), () => new Struct(Schemas.struct([['a', Schemas.int32()]]))],
  ['a top-level string', Schemas.string(), () => 'x\ny'],
  ['a top-level array of decimals', Schemas.array(Schemas.decimal(3)), () => ['1.5', '-0.001', null]],
  ['an empty struct', Schemas.struct([]), () => new Struct(Schemas.struct([]))],
];

describe.each([
  ['defaults', {}],
  ['decimal.format=NUMERIC, replace.null.with.default=false', { 'decimal.format': 'NUMERIC', 'replace.null.with.default': 'false' }],
])('JsonConverter one-pass writer (%s)', (_label, config) => {
  const { fast, tree } = pair(config);
  it.each(cases)('writes %s as the tree path does', (_name, schema, value) => {
    // A fresh value per call: both paths get the same input.
    expect(fast(schema, value())).toBe(tree(schema, value()));
  });

  it('writes the same text for the same schema object used again (compiled once), in Connect\'s notation', () => {
    const a = fast(row, full());
    expect(fast(row, full())).toBe(a);
    expect(a).toContain('{"id":9007199254740993,"i8":-128,"i16":32767,"i32":0,"f32":1.1,"f64":1.0E21,"flag":true,');
    expect(a).toContain('"s":"quote \\" backslash \\\\ tab \\t nul \\u0000 é 漢 😀"');
  });
});
