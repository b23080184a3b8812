import { describe, expect, it } from 'vitest';
import { JsonConverter } from '../../../src/converters/json-converter.js';
import { writeJson, type JsonNode } from '../../../src/converters/json-tree.js';
import { Schemas, Struct, type Schema } from '../../../src/records/schema.js';

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

const inner = Schemas.struct([['a', Schemas.int32()], ['b', Schemas.string({ optional: true })]], { optional: true });
const row = Schemas.struct([
  ['id', Schemas.int64()],
  ['i8', Schemas.int8({ optional: true })],
  ['i16', Schemas.int16({ optional: true })],
  ['i32', Schemas.int32({ optional: true })],
  ['f32', Schemas.float32({ optional: true })],
  ['f64', Schemas.float64({ optional: true })],
  ['flag', Schemas.boolean({ optional: true })],
  ['s', Schemas.string({ optional: true })],
  ['withDefault', Schemas.string({ optional: true, defaultValue: 'dflt' })],
  ['requiredDefault', Schemas.int32({ defaultValue: 7 })],
  ['raw', Schemas.bytes({ optional: true })],
  ['amount', Schemas.decimal(2, { optional: true })],
  ['day', Schemas.date({ optional: true })],
  ['tod', Schemas.time({ optional: true })],
  ['at', Schemas.timestamp({ optional: true })],
  ['list', Schemas.array(Schemas.int32({ optional: true }), { optional: true })],
  ['structs', Schemas.array(inner, { optional: true })],
  ['byName', Schemas.map(Schemas.string(), Schemas.int64(), { optional: true })],
  ['byInt', Schemas.map(Schemas.int32(), Schemas.string(), { optional: true })],
  ['nested', inner],
], { name: 'bench.row', version: 3 });

function full(): Struct {
  return new Struct(row, {
    id: 9007199254740993n, i8: -128, i16: 32767, i32: -0, f32: 1.1, f64: 1e21, flag: true,
    s: 'quote " backslash \\ tab \t nul \u0000 é 漢 😀', withDefault: 'set', requiredDefault: 1,
    raw: Buffer.from([0, 1, 254, 255]), amount: '-12345.67', day: new Date(Date.UTC(2024, 1, 29)),
    tod: new Date(45_296_789), at: new Date(Date.UTC(2024, 0, 1, 12, 0, 0, 123)),
    list: [1, null, -3], structs: [new Struct(inner, { a: 1, b: null }), null], byName: { x: 1n, y: 2 },
    byInt: new Map([[1, 'one']]), nested: new Struct(inner, { a: 2, b: 'b' }),
  });
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
