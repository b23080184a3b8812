import { describe, expect, it } from 'vitest';
import { JsonConverter, ENVELOPE_REQUIRED_MESSAGE } from '../../../src/converters/json-converter.js';
import { ConfigError, DataError } from '../../../src/errors.js';
import { LOGICAL, Schemas, Struct, type Schema } from '../../../src/records/schema.js';

const TOPIC = 'topic';

function converter(config: Record<string, string> = {}, isKey = false): JsonConverter {
  const c = new JsonConverter();
  c.configure(config, isKey);
  return c;
}

/** fromConnectData as text, for byte-exact comparisons. */
function write(c: JsonConverter, schema: Schema | null, value: unknown): string | null {
  return c.fromConnectData(TOPIC, schema, value)?.toString('utf8') ?? null;
}

function read(c: JsonConverter, text: string) {
  return c.toConnectData(TOPIC, Buffer.from(text, 'utf8'));
}

function failure(run: () => unknown): DataError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error('expected a DataError');
}

describe('JsonConverter with schemas (byte-exact envelopes)', () => {
  const c = converter();

  it('writes a struct as Kafka Connect does: type, fields (each with "field" last), optional', () => {
    const schema = Schemas.struct([['id', Schemas.int32()], ['name', Schemas.string()], ['email', Schemas.string({ optional: true })]]);
    expect(write(c, schema, new Struct(schema, { id: 1, name: 'alice' }))).toBe(
      '{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},'
      + '{"type":"string","optional":false,"field":"name"},{"type":"string","optional":true,"field":"email"}],'
      + '"optional":false},"payload":{"id":1,"name":"alice","email":null}}',
    );
  });

  it('writes a named struct with its name after optional', () => {
    const schema = Schemas.struct([['a', Schemas.int64()]], { name: 'accounts' });
    expect(write(c, schema, new Struct(schema, { a: 5 }))).toBe(
      '{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"a"}],"optional":false,"name":"accounts"},"payload":{"a":5}}',
    );
  });

  it('writes schema metadata in order: optional, name, version, doc, parameters, default', () => {
    expect(write(c, Schemas.boolean(), true)).toBe('{"schema":{"type":"boolean","optional":false},"payload":true}');
    expect(write(c, Schemas.boolean({ optional: true }), null)).toBe('{"schema":{"type":"boolean","optional":true},"payload":null}');
    expect(write(c, Schemas.boolean({ defaultValue: true }), true)).toBe('{"schema":{"type":"boolean","optional":false,"default":true},"payload":true}');
    expect(write(c, Schemas.boolean({ name: 'bool', version: 3, doc: 'the documentation', parameters: { foo: 'bar' } }), true)).toBe(
      '{"schema":{"type":"boolean","optional":false,"name":"bool","version":3,"doc":"the documentation","parameters":{"foo":"bar"}},"payload":true}',
    );
  });

  it('names the types as Connect does (float/double for float32/float64)', () => {
    expect(write(c, Schemas.int8(), 12)).toBe('{"schema":{"type":"int8","optional":false},"payload":12}');
    expect(write(c, Schemas.int16(), 12)).toBe('{"schema":{"type":"int16","optional":false},"payload":12}');
    expect(write(c, Schemas.int64(), 4398046511104)).toBe('{"schema":{"type":"int64","optional":false},"payload":4398046511104}');
    expect(write(c, Schemas.float32(), 12.34)).toBe('{"schema":{"type":"float","optional":false},"payload":12.34}');
    expect(write(c, Schemas.float64(), 12.34)).toBe('{"schema":{"type":"double","optional":false},"payload":12.34}');
    expect(write(c, Schemas.string(), 'test-string')).toBe('{"schema":{"type":"string","optional":false},"payload":"test-string"}');
    expect(write(c, Schemas.bytes(), Buffer.from('test-string'))).toBe('{"schema":{"type":"bytes","optional":false},"payload":"dGVzdC1zdHJpbmc="}');
  });

  it('writes doubles as the JVM does (1.0, 1.0E7, 1.0E-4)', () => {
    expect(write(c, Schemas.float64(), 1)).toBe('{"schema":{"type":"double","optional":false},"payload":1.0}');
    expect(write(c, Schemas.float64(), 1e7)).toBe('{"schema":{"type":"double","optional":false},"payload":1.0E7}');
    expect(write(c, Schemas.float64(), 0.0001)).toBe('{"schema":{"type":"double","optional":false},"payload":1.0E-4}');
    expect(write(c, Schemas.float64(), NaN)).toBe('{"schema":{"type":"double","optional":false},"payload":"NaN"}');
  });

  it('writes int64 bigints exactly', () => {
    expect(write(c, Schemas.int64(), 9223372036854775807n)).toBe('{"schema":{"type":"int64","optional":false},"payload":9223372036854775807}');
    expect(write(c, Schemas.int64(), -9223372036854775808n)).toBe('{"schema":{"type":"int64","optional":false},"payload":-9223372036854775808}');
  });

  it('writes arrays with "items" and maps with "keys"/"values"', () => {
    expect(write(c, Schemas.array(Schemas.int32()), [1, 2, 3])).toBe(
      '{"schema":{"type":"array","items":{"type":"int32","optional":false},"optional":false},"payload":[1,2,3]}',
    );
    const stringKeys = Schemas.map(Schemas.string(), Schemas.int32());
    const expectedSchema = '{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false}';
    expect(write(c, stringKeys, new Map([['key1', 12], ['key2', 15]]))).toBe(`{"schema":${expectedSchema},"payload":{"key1":12,"key2":15}}`);
    expect(write(c, stringKeys, { key1: 12, key2: 15 })).toBe(`{"schema":${expectedSchema},"payload":{"key1":12,"key2":15}}`);
  });

  it('writes maps with non-string keys as an array of [key, value] pairs', () => {
    const intKeys = Schemas.map(Schemas.int32(), Schemas.int32());
    expect(write(c, intKeys, new Map([[1, 12], [2, 15]]))).toBe(
      '{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":[[1,12],[2,15]]}',
    );
  });

  it('writes Decimal as base64 of the unscaled two\'s complement (1.56 at scale 2 -> 0x00 0x9C -> "AJw=")', () => {
    const decimalSchema = '{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}}';
    expect(write(c, Schemas.decimal(2), '1.56')).toBe(`{"schema":${decimalSchema},"payload":"AJw="}`);
    expect(write(c, Schemas.decimal(2), '-1.56')).toBe(`{"schema":${decimalSchema},"payload":"/2Q="}`);
    expect(write(c, Schemas.decimal(2), '0')).toBe(`{"schema":${decimalSchema},"payload":"AA=="}`);
    // Trailing zeros short of the scale are added; 1.5 is 150 unscaled.
    expect(write(c, Schemas.decimal(2), '1.5')).toBe(`{"schema":${decimalSchema},"payload":"AJY="}`);
  });

  it('refuses a Decimal with more digits than the schema scale', () => {
    expect(failure(() => write(c, Schemas.decimal(2), '1.567')).message).toMatch(/mismatching scale/);
  });

  it('writes Decimal as a number with decimal.format=NUMERIC (case-insensitive)', () => {
    const numeric = converter({ 'decimal.format': 'numeric' });
    expect(write(numeric, Schemas.decimal(2), '1.56')).toBe(
      '{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":1.56}',
    );
    expect(write(numeric, Schemas.decimal(7), '0.0000001')).toContain('"payload":1E-7}');
  });

  it('writes Date as days, Time as ms of day, Timestamp as epoch ms', () => {
    expect(write(c, Schemas.date(), new Date(10000 * 86_400_000))).toBe(
      '{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1},"payload":10000}',
    );
    expect(write(c, Schemas.time(), new Date(14_400_000))).toBe(
      '{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1},"payload":14400000}',
    );
    expect(write(c, Schemas.timestamp(), new Date(4_000_000_000))).toBe(
      '{"schema":{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":4000000000}',
    );
  });

  it('refuses a Date with a time of day and a Time with a date', () => {
    expect(failure(() => write(c, Schemas.date(), new Date(86_400_001))).message).toBe('Kafka Connect Date type should not have any time fields set to non-zero values.');
    expect(failure(() => write(c, Schemas.time(), new Date(86_400_001))).message).toBe('Kafka Connect Time type should not have any date fields set to non-zero values.');
  });

  it('writes a null schema as "schema":null and infers the payload', () => {
    expect(write(c, null, true)).toBe('{"schema":null,"payload":true}');
    expect(write(c, null, [1, 'string', true])).toBe('{"schema":null,"payload":[1,"string",true]}');
    expect(write(c, null, { key1: 12, key2: 'string', key3: true })).toBe('{"schema":null,"payload":{"key1":12,"key2":"string","key3":true}}');
    expect(write(c, null, new Map<unknown, unknown>([['string', 12], [52, 'string'], [false, true]]))).toBe(
      '{"schema":null,"payload":[["string",12],[52,"string"],[false,true]]}',
    );
  });

  it('writes a null value with no schema as null bytes (a tombstone)', () => {
    expect(c.fromConnectData(TOPIC, null, null)).toBeNull();
    expect(c.fromConnectData(TOPIC, undefined, undefined)).toBeNull();
  });

  it('escapes strings as Jackson does', () => {
    expect(write(c, null, 'a"b\\c\n\t\u0001\u001f/é€😀')).toBe('{"schema":null,"payload":"a\\"b\\\\c\\n\\t\\u0001\\u001F/é€😀"}');
  });

  it('uses the schema default for a null value, or fails when the field is required without one', () => {
    const withDefault = Schemas.int32({ defaultValue: 7 });
    expect(write(c, withDefault, null)).toBe('{"schema":{"type":"int32","optional":false,"default":7},"payload":7}');
    const e = failure(() => write(c, Schemas.int32(), null));
    expect(e.message).toBe('Conversion error: null value for field that is required and has no default value');
    expect(e.stage).toBe('VALUE_CONVERTER');
  });

  it('fails on a value that does not match its schema', () => {
    expect(failure(() => write(c, Schemas.float64(), true)).message).toBe('Invalid type for FLOAT64: boolean');
    expect(failure(() => write(c, Schemas.int8(), 300)).message).toMatch(/out of range for INT8/);
    const schema = Schemas.struct([['a', Schemas.int32()]]);
    const other = Schemas.struct([['a', Schemas.int64()]]);
    expect(failure(() => write(c, schema, new Struct(other, { a: 1 }))).message).toBe('Mismatching schema.');
  });

  it('accepts a structurally equal struct schema that is a different object', () => {
    const a = Schemas.struct([['x', Schemas.int32()]]);
    const b = Schemas.struct([['x', Schemas.int32()]]);
    expect(write(c, a, new Struct(b, { x: 1 }))).toContain('"payload":{"x":1}');
  });
});

describe('JsonConverter replace.null.with.default', () => {
  const schema = Schemas.struct([['name', Schemas.string({ optional: true, defaultValue: 'anon' })]]);

  it('replaces null fields with their default by default', () => {
    expect(write(converter(), schema, new Struct(schema))).toContain('"payload":{"name":"anon"}');
    expect(read(converter(), '{"schema":{"type":"string","optional":true,"default":"anon"},"payload":null}').value).toBe('anon');
  });

  it('keeps nulls when set to false', () => {
    const c = converter({ 'replace.null.with.default': 'false' });
    expect(write(c, schema, new Struct(schema))).toBe(
      '{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"default":"anon","field":"name"}],"optional":false},"payload":{"name":null}}',
    );
    expect(read(c, '{"schema":{"type":"string","optional":true,"default":"anon"},"payload":null}').value).toBeNull();
  });
});

describe('JsonConverter reading with schemas', () => {
  const c = converter();

  it('reads schema metadata', () => {
    expect(read(c, '{ "schema": { "type": "boolean" }, "payload": true }')).toEqual({ schema: Schemas.boolean(), value: true });
    expect(read(c, '{ "schema": { "type": "boolean", "optional": true }, "payload": null }')).toEqual({ schema: Schemas.boolean({ optional: true }), value: null });
    expect(read(c, '{ "schema": { "type": "boolean", "default": true }, "payload": null }')).toEqual({ schema: Schemas.boolean({ defaultValue: true }), value: true });
    expect(read(c, '{ "schema": { "type": "boolean", "optional": false, "name": "bool", "version": 2, "doc": "the documentation", "parameters": { "foo": "bar" }}, "payload": true }'))
      .toEqual({ schema: Schemas.boolean({ name: 'bool', version: 2, doc: 'the documentation', parameters: { foo: 'bar' } }), value: true });
  });

  it('reads primitives', () => {
    expect(read(c, '{ "schema": { "type": "int8" }, "payload": 12 }')).toEqual({ schema: Schemas.int8(), value: 12 });
    expect(read(c, '{ "schema": { "type": "int16" }, "payload": 12 }')).toEqual({ schema: Schemas.int16(), value: 12 });
    expect(read(c, '{ "schema": { "type": "int32" }, "payload": 12 }')).toEqual({ schema: Schemas.int32(), value: 12 });
    expect(read(c, '{ "schema": { "type": "int64" }, "payload": 4398046511104 }')).toEqual({ schema: Schemas.int64(), value: 4398046511104 });
    expect(read(c, '{ "schema": { "type": "float" }, "payload": 12.34 }')).toEqual({ schema: Schemas.float32(), value: Math.fround(12.34) });
    expect(read(c, '{ "schema": { "type": "double" }, "payload": 12.34 }')).toEqual({ schema: Schemas.float64(), value: 12.34 });
    expect(read(c, '{ "schema": { "type": "string" }, "payload": "foo-bar-baz" }')).toEqual({ schema: Schemas.string(), value: 'foo-bar-baz' });
    expect(read(c, '{ "schema": { "type": "bytes" }, "payload": "dGVzdC1zdHJpbmc=" }').value).toEqual(Buffer.from('test-string'));
  });

  it('truncates fractions in integer fields as Connect does, but refuses overflow instead of wrapping', () => {
    expect(read(c, '{"schema":{"type":"int32"},"payload":1.9}').value).toBe(1);
    expect(read(c, '{"schema":{"type":"int16"},"payload":-2e2}').value).toBe(-200);
    expect(read(c, '{"schema":{"type":"int64"},"payload":1e-999999}').value).toBe(0);
    expect(failure(() => read(c, '{"schema":{"type":"int8"},"payload":128}')).message).toBe('Value 128 is out of range for INT8');
    expect(failure(() => read(c, '{"schema":{"type":"int64"},"payload":1e999999}')).message).toMatch(/out of range for INT64/);
  });

  it('reads int64 beyond 2^53 as an exact bigint', () => {
    expect(read(c, '{"schema":{"type":"int64"},"payload":9007199254740993}').value).toBe(9007199254740993n);
    expect(read(c, '{"schema":{"type":"int64"},"payload":-9223372036854775808}').value).toBe(-9223372036854775808n);
  });

  it('reads arrays, maps and structs', () => {
    expect(read(c, '{ "schema": { "type": "array", "items": { "type" : "int32" } }, "payload": [1, 2, 3] }'))
      .toEqual({ schema: Schemas.array(Schemas.int32()), value: [1, 2, 3] });
    expect(read(c, '{ "schema": { "type": "map", "keys": { "type" : "string" }, "values": { "type" : "int32" } }, "payload": { "key1": 12, "key2": 15} }'))
      .toEqual({ schema: Schemas.map(Schemas.string(), Schemas.int32()), value: { key1: 12, key2: 15 } });
    expect(read(c, '{ "schema": { "type": "map", "keys": { "type" : "int32" }, "values": { "type" : "int32" } }, "payload": [ [1, 12], [2, 15] ] }'))
      .toEqual({ schema: Schemas.map(Schemas.int32(), Schemas.int32()), value: new Map([[1, 12], [2, 15]]) });
    const structSchema = Schemas.struct([['field1', Schemas.boolean()], ['field2', Schemas.string()]]);
    const got = read(c, '{ "schema": { "type": "struct", "fields": [{ "field": "field1", "type": "boolean" }, { "field": "field2", "type": "string" }] }, "payload": { "field1": true, "field2": "string" } }');
    expect(got.schema).toEqual(structSchema);
    expect(got.value).toEqual(new Struct(structSchema, { field1: true, field2: 'string' }));
  });

  it('reads logical types', () => {
    expect(read(c, '{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "2" } }, "payload": "AJw=" }'))
      .toEqual({ schema: Schemas.decimal(2), value: '1.56' });
    expect(read(c, '{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "2" } }, "payload": 1.5 }').value).toBe('1.50');
    expect(read(c, '{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Date", "version": 1 }, "payload": 10000 }'))
      .toEqual({ schema: Schemas.date(), value: new Date(Date.UTC(1997, 4, 19)) });
    expect(read(c, '{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Time", "version": 1 }, "payload": 14400000 }'))
      .toEqual({ schema: Schemas.time(), value: new Date(14_400_000) });
    expect(read(c, '{ "schema": { "type": "int64", "name": "org.apache.kafka.connect.data.Timestamp", "version": 1 }, "payload": 4000000000 }'))
      .toEqual({ schema: Schemas.timestamp(), value: new Date(4_000_000_000) });
  });

  it('reads a null schema with inferred values: integers int64, other numbers float64, objects maps', () => {
    expect(read(c, '{ "schema": null, "payload": null }')).toEqual({ schema: null, value: null });
    expect(read(c, '{ "schema": null, "payload": 12 }')).toEqual({ schema: null, value: 12 });
    expect(read(c, '{ "schema": null, "payload": 12.24 }')).toEqual({ schema: null, value: 12.24 });
    expect(read(c, '{ "schema": null, "payload": [1, "2", 3] }')).toEqual({ schema: null, value: [1, '2', 3] });
    expect(read(c, '{ "schema": null, "payload": { "field1": 1, "field2": 2} }')).toEqual({ schema: null, value: { field1: 1, field2: 2 } });
  });

  it('reads null bytes as a tombstone', () => {
    expect(c.toConnectData(TOPIC, null)).toEqual({ schema: null, value: null });
  });

  it('requires exactly the schema and payload fields, telling users about schemas.enable=false', () => {
    for (const text of ['{"foo":1}', '{"schema":null}', '{"schema":null,"payload":1,"extra":2}', '[1]', '42', '']) {
      const e = failure(() => read(c, text));
      expect(e.message).toBe(ENVELOPE_REQUIRED_MESSAGE);
      expect(e.message).toContain('set schemas.enable=false in your converter configuration');
    }
  });

  it('tags failures with the key stage for a key converter', () => {
    expect(failure(() => read(converter({}, true), '{"a":1}')).stage).toBe('KEY_CONVERTER');
  });

  it('reports malformed JSON and bad schemas as DataError', () => {
    expect(failure(() => read(c, '{"schema":')).message).toMatch(/^Converting byte\[\] to Kafka Connect data failed due to serialization error: /);
    expect(failure(() => c.toConnectData(TOPIC, Buffer.from([0xff, 0xfe]))).message).toMatch(/serialization error/);
    expect(failure(() => read(c, '{"schema":{"optional":true},"payload":1}')).message).toBe("Schema must contain 'type' field");
    expect(failure(() => read(c, '{"schema":{"type":"decimal"},"payload":1}')).message).toBe('Unknown schema type: decimal');
    expect(failure(() => read(c, '{"schema":{"type":"array"},"payload":[]}')).message).toBe('Array schema did not specify the element type');
    expect(failure(() => read(c, '{"schema":{"type":"struct","fields":{}},"payload":{}}')).message).toBe('Struct schema\'s "fields" argument is not an array.');
    expect(failure(() => read(c, '{"schema":{"type":"int32"},"payload":null}')).message).toBe('Invalid null value for required INT32 field');
    expect(failure(() => read(c, '{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int32"}},"payload":[]}')).message)
      .toBe('Maps with string fields should be encoded as JSON objects, but found ARRAY');
  });

  it('caches parsed schemas: the same schema text gives the same Schema object', () => {
    const text = '{"schema":{"type":"struct","fields":[{"type":"int32","field":"a"}]},"payload":{"a":1}}';
    expect(read(c, text).schema).toBe(read(c, text).schema);
  });

  it('reads envelopes whose schema text it saw before by parsing only the payload, with the same answers', () => {
    const schema = Schemas.struct([['id', Schemas.int64()], ['ts', Schemas.timestamp()], ['note', Schemas.string({ optional: true, defaultValue: 'd' })]]);
    const known = converter();
    const text = (id: string, rest = '') => `${write(known, schema, new Struct(schema, { id: 1n, ts: new Date(0) }))!.split(',"payload":')[0]},"payload":{"id":${id},"ts":5,"note":null}${rest}}`;
    expect(read(known, text('1')).value).toEqual(read(converter(), text('1')).value);
    // The second record of that schema: the same Schema object, values converted exactly (int64 beyond 2^53, defaults).
    const second = read(known, text('9007199254740993'));
    expect(second.schema).toBe(read(known, text('1')).schema);
    expect((second.value as Struct).get('id')).toBe(9007199254740993n);
    expect((second.value as Struct).get('note')).toBe('d');
    expect((second.value as Struct).get('ts')).toEqual(new Date(5));
    // Other shapes behind a known schema text get the exact parser's answers.
    expect(failure(() => read(known, text('1', ',"extra":2'))).message).toBe(ENVELOPE_REQUIRED_MESSAGE);
    expect(failure(() => read(known, text('1').slice(0, -2))).message).toMatch(/serialization error/);
    expect(failure(() => read(known, text('"x"'))).message).toMatch(/INT64/);
    expect((read(known, text('2').replace(',"payload":', ', "payload": ')).value as Struct).get('id')).toBe(2);
  });
});

describe('JsonConverter without schemas (schemas.enable=false)', () => {
  const c = converter({ 'schemas.enable': 'false' });

  it('writes the bare value', () => {
    expect(write(c, null, true)).toBe('true');
    expect(write(c, Schemas.int64(), 9223372036854775807n)).toBe('9223372036854775807');
    const schema = Schemas.struct([['id', Schemas.int32()], ['ts', Schemas.timestamp()]]);
    expect(write(c, schema, new Struct(schema, { id: 1, ts: new Date(1000) }))).toBe('{"id":1,"ts":1000}');
    expect(write(c, Schemas.string({ optional: true }), null)).toBe('null');
    expect(write(c, null, { nested: { list: [1, 2.5, 'x', null] } })).toBe('{"nested":{"list":[1,2.5,"x",null]}}');
  });

  it('reads plain JSON with no schema', () => {
    expect(read(c, 'true')).toEqual({ schema: null, value: true, json: 'true' });
    expect(read(c, '{"a":[1,2.5],"b":null,"big":12345678901234567890}')).toEqual({ schema: null, value: { a: [1, 2.5], b: null, big: 12345678901234567890n } });
    expect(read(c, '{"big":1234567890123456789}').value).toEqual({ big: 1234567890123456789n });
    expect(read(c, '{"schema":1,"payload":2}')).toEqual({ schema: null, value: { schema: 1, payload: 2 }, json: '{"schema":1,"payload":2}' });
    // The text comes along when the value says exactly what it says (sinks may write it as is);
    // not when a number may have been read differently from its digits.
    expect(read(c, '{"amount": 1.50}').json).toBe('{"amount": 1.50}');
    expect(read(c, '{"big":12345678901234567890}').json).toBeUndefined();
    expect(read(c, '')).toEqual({ schema: null, value: null });
  });

  it('keeps a "__proto__" key as data', () => {
    const value = read(c, '{"__proto__":{"polluted":true}}').value as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('JsonConverter round trips', () => {
  const address = Schemas.struct([['city', Schemas.string()], ['zip', Schemas.string({ optional: true })]], { name: 'Address' });
  const schema = Schemas.struct([
    ['i8', Schemas.int8()], ['i16', Schemas.int16()], ['i32', Schemas.int32()], ['i64', Schemas.int64()],
    ['f32', Schemas.float32()], ['f64', Schemas.float64()], ['flag', Schemas.boolean()], ['text', Schemas.string()],
    ['raw', Schemas.bytes()], ['price', Schemas.decimal(3)], ['day', Schemas.date()], ['at', Schemas.time()],
    ['when', Schemas.timestamp({ optional: true })], ['tags', Schemas.array(Schemas.string())],
    ['counts', Schemas.map(Schemas.string(), Schemas.int64())], ['byId', Schemas.map(Schemas.int32(), Schemas.string())],
    ['address', address], ['note', Schemas.string({ optional: true, defaultValue: 'none' })],
  ], { name: 'com.example.Everything', version: 2, doc: 'all the types' });
  const value = new Struct(schema, {
    i8: -128, i16: 32767, i32: -2147483648, i64: 9223372036854775807n, f32: Math.fround(3.14), f64: 2.718281828459045,
    flag: true, text: 'héllo "world"', raw: Buffer.from([0, 1, 254, 255]), price: '-12.340', day: new Date(Date.UTC(2024, 1, 29)),
    at: new Date(Date.UTC(1970, 0, 1, 23, 59, 59, 999)), when: null, tags: ['a', 'b'], counts: { x: 1, y: 2 },
    byId: new Map([[1, 'one'], [2, 'two']]), address: new Struct(address, { city: 'Oslo', zip: null }), note: 'hi',
  });

  for (const format of ['BASE64', 'NUMERIC']) {
    it(`gives back the same schema and value (decimal.format=${format})`, () => {
      const c = converter({ 'decimal.format': format });
      const got = c.toConnectData(TOPIC, c.fromConnectData(TOPIC, schema, value));
      expect(got.schema).toEqual(schema);
      expect(got.value).toEqual(value);
    });
  }

  it('round-trips every logical type name it writes', () => {
    const c = converter();
    for (const name of Object.values(LOGICAL)) {
      const s = { [LOGICAL.Decimal]: Schemas.decimal(0), [LOGICAL.Date]: Schemas.date(), [LOGICAL.Time]: Schemas.time(), [LOGICAL.Timestamp]: Schemas.timestamp() }[name];
      const v = name === LOGICAL.Decimal ? '42' : new Date(0);
      expect(c.toConnectData(TOPIC, c.fromConnectData(TOPIC, s, v))).toEqual({ schema: s, value: v });
    }
  });
});

describe('JsonConverter as a header converter and its config', () => {
  it('converts headers with the HEADER_CONVERTER stage', () => {
    const c = new JsonConverter();
    c.configure({ 'schemas.enable': 'false' });
    expect(c.fromConnectHeader(TOPIC, 'h', Schemas.int32(), 5)?.toString()).toBe('5');
    expect(c.toConnectHeader(TOPIC, 'h', Buffer.from('5'))).toEqual({ schema: null, value: 5 });
    expect(failure(() => c.fromConnectHeader(TOPIC, 'h', Schemas.int32(), 'x')).stage).toBe('HEADER_CONVERTER');
  });

  it('rejects bad settings with ConfigError naming the key', () => {
    expect(() => converter({ 'schemas.enable': 'yes' })).toThrow(ConfigError);
    try {
      converter({ 'decimal.format': 'HEX' });
    } catch (e) {
      expect((e as ConfigError).problems[0]?.key).toBe('decimal.format');
    }
    expect(() => converter({ 'schemas.cache.size': 'ten' })).toThrow(ConfigError);
  });

  it('works with defaults when never configured', () => {
    expect(new JsonConverter().fromConnectData(TOPIC, Schemas.int32(), 1)?.toString()).toBe('{"schema":{"type":"int32","optional":false},"payload":1}');
  });
});
