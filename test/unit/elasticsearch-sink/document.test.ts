import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import type { SinkRecord } from '../../../src/records/record.js';
import { Schemas, Struct } from '../../../src/records/schema.js';
import { documentId, documentJson } from '../../../src/connectors/elasticsearch-sink/document.js';

const compact = { compactMapEntries: true };

function record(o: Partial<SinkRecord>): SinkRecord {
  return {
    topic: 'orders', kafkaPartition: 2, kafkaOffset: 41, key: null, value: null, headers: [],
    originalTopic: 'orders', originalKafkaPartition: 2, originalKafkaOffset: 41, ...o,
  };
}

describe('document conversion', () => {
  it('writes a struct field by field with every Connect type', () => {
    const address = Schemas.struct([['city', Schemas.string()]]);
    const schema = Schemas.struct([
      ['i8', Schemas.int8()], ['i16', Schemas.int16()], ['i32', Schemas.int32()], ['i64', Schemas.int64()],
      ['f32', Schemas.float32()], ['f64', Schemas.float64()], ['ok', Schemas.boolean()], ['name', Schemas.string()],
      ['raw', Schemas.bytes()], ['price', Schemas.decimal(2)], ['day', Schemas.date()], ['at', Schemas.time()],
      ['ts', Schemas.timestamp()], ['tags', Schemas.array(Schemas.string())], ['address', address],
      ['note', Schemas.string({ optional: true })],
    ]);
    const value = new Struct(schema, {
      i8: -1, i16: 300, i32: 70000, i64: 9007199254740993n, f32: 1.1, f64: 2.5, ok: true, name: 'ä "q"',
      raw: Buffer.from([1, 2, 255]), price: '-12.340', day: new Date('2024-01-02T00:00:00Z'),
      at: new Date(3_600_000), ts: new Date('2024-01-02T03:04:05.678Z'), tags: ['a', 'b'],
      address: new Struct(address, { city: 'Lyon' }), note: null,
    });
    expect(documentJson(value, schema, compact)).toBe(
      '{"i8":-1,"i16":300,"i32":70000,"i64":9007199254740993,"f32":1.1,"f64":2.5,"ok":true,"name":"ä \\"q\\"",'
      + '"raw":"AQL/","price":-12.340,"day":1704153600000,"at":3600000,"ts":1704164645678,"tags":["a","b"],'
      + '"address":{"city":"Lyon"},"note":null}',
    );
  });

  it('keeps int64 and Decimal digits beyond double precision', () => {
    const schema = Schemas.struct([['big', Schemas.int64()], ['d', Schemas.decimal(20)]]);
    const v = new Struct(schema, { big: -9223372036854775808n, d: '0.12345678901234567890' });
    expect(documentJson(v, schema, compact)).toBe('{"big":-9223372036854775808,"d":0.12345678901234567890}');
  });

  it('uses a field default for null, and refuses null in a required field without one', () => {
    const schema = Schemas.struct([['n', Schemas.int32({ defaultValue: 7 })]]);
    expect(documentJson(new Struct(schema, { n: null }), schema, compact)).toBe('{"n":7}');
    const strict = Schemas.struct([['n', Schemas.int32()]]);
    expect(() => documentJson(new Struct(strict, {}), strict, compact)).toThrow(DataError);
  });

  it('writes string-keyed maps compactly, other maps as key/value documents (compact.map.entries)', () => {
    const byName = Schemas.map(Schemas.string(), Schemas.int32());
    const byNumber = Schemas.map(Schemas.int32(), Schemas.string());
    expect(documentJson(new Map([['a', 1], ['b', 2]]), byName, compact)).toBe('{"a":1,"b":2}');
    expect(documentJson(new Map([['a', 1]]), byName, { compactMapEntries: false })).toBe('[{"key":"a","value":1}]');
    expect(documentJson(new Map([[1, 'x']]), byNumber, compact)).toBe('[{"key":1,"value":"x"}]');
  });

  it('writes schemaless values by their type', () => {
    const value = { id: 1, price: 2.5, big: 12345678901234567890n, name: 'x', nested: { ok: false }, list: [1, 'a', null], raw: new Uint8Array([0]) };
    expect(documentJson(value, null, compact)).toBe('{"id":1,"price":2.5,"big":12345678901234567890,"name":"x","nested":{"ok":false},"list":[1,"a",null],"raw":"AA=="}');
    expect(documentJson(new Map<unknown, unknown>([[1, 'a']]), null, compact)).toBe('[{"key":1,"value":"a"}]');
    expect(documentJson(1e21, null, compact)).toBe('1000000000000000000000');
  });

  it('writes plain JSON values exactly as JSON.stringify does, and fields without a value as null', () => {
    const plain = { a: 1, b: -0, c: 0.1, d: 'é\n"', e: [true, null, { f: [] }], g: {} };
    expect(documentJson(plain, null, compact)).toBe(JSON.stringify(plain));
    expect(documentJson({ a: undefined, b: 1 }, null, compact)).toBe('{"a":null,"b":1}');
    expect(documentJson({ a: { b: 2 ** 60 } }, null, compact)).toBe('{"a":{"b":1152921504606846976}}');
  });

  it('refuses a value that does not match its schema', () => {
    expect(() => documentJson('x', Schemas.int32(), compact)).toThrow(/Invalid type for INT32/);
    expect(() => documentJson(1.5, Schemas.int64(), compact)).toThrow(DataError);
    expect(() => documentJson('abc', Schemas.decimal(2), compact)).toThrow(/Invalid Decimal/);
  });
});

describe('document id', () => {
  it('is topic+partition+offset when the key is ignored', () => {
    expect(documentId(record({ key: 'k' }), true)).toBe('orders+2+41');
  });

  it('is the key as text for strings and integers', () => {
    expect(documentId(record({ key: 'abc', keySchema: Schemas.string() }), false)).toBe('abc');
    expect(documentId(record({ key: 42 }), false)).toBe('42');
    expect(documentId(record({ key: 9007199254740993n, keySchema: Schemas.int64() }), false)).toBe('9007199254740993');
  });

  it('refuses null, empty and non-primitive keys as Confluent does', () => {
    expect(() => documentId(record({ key: null }), false)).toThrow('Key is used as document id and can not be null.');
    expect(() => documentId(record({ key: '' }), false)).toThrow('Key is used as document id and can not be empty.');
    const s = Schemas.struct([['id', Schemas.int32()]]);
    expect(() => documentId(record({ key: new Struct(s, { id: 1 }), keySchema: s }), false)).toThrow('STRUCT is not supported as the document id.');
    expect(() => documentId(record({ key: { id: 1 } }), false)).toThrow('MAP is not supported as the document id.');
    expect(() => documentId(record({ key: 1.5 }), false)).toThrow('FLOAT64 is not supported as the document id.');
    expect(() => documentId(record({ key: true }), false)).toThrow(DataError);
  });
});
