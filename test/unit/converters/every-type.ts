import { Schemas, Struct } from '../../../src/records/schema.js';

// A struct schema with a field of every type and a value filling them all: the JsonConverter's
// one-pass writer and reader tests compare the fast paths with the exact one on it.

export const inner = Schemas.struct([['a', Schemas.int32()], ['b', Schemas.string({ optional: true })]], { optional: true });
export const row = Schemas.struct([
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

export function full(): Struct {
  return new Struct(row, {
    id: 9007199254740993n, i8: -128, i16: 32767, i32: -0, f32: 1.1, f64: 1e21, flag: true,
    s: 'quote " backslash \\ tab \t nul \u0000 é 漢 😀', withDefault: 'set', requiredDefault: 1,
    raw: Buffer.from([0, 1, 254, 255]), amount: '-12345.67', day: new Date(Date.UTC(2024, 1, 29)),
    tod: new Date(45_296_789), at: new Date(Date.UTC(2024, 0, 1, 12, 0, 0, 123)),
    list: [1, null, -3], structs: [new Struct(inner, { a: 1, b: null }), null], byName: { x: 1n, y: 2 },
    byInt: new Map([[1, 'one']]), nested: new Struct(inner, { a: 2, b: 'b' }),
  });
}
