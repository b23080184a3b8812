import { describe, expect, it } from 'vitest';
import { SimpleHeaderConverter } from '../../../src/converters/simple-header-converter.js';
import { convertToString, parseString } from '../../../src/converters/values.js';
import { DataError } from '../../../src/errors.js';
import { Schemas, Struct, type Schema } from '../../../src/records/schema.js';

const TOPIC = 'topic';
const headers = new SimpleHeaderConverter();
headers.configure({});

function toText(schema: Schema | null, value: unknown): string | null {
  return headers.fromConnectHeader(TOPIC, 'h', schema, value)?.toString('utf8') ?? null;
}

function fromText(text: string) {
  return headers.toConnectHeader(TOPIC, 'h', Buffer.from(text, 'utf8'));
}

describe('SimpleHeaderConverter writing (Values.convertToString)', () => {
  it('writes strings as UTF-8, numbers and booleans as their text', () => {
    expect(toText(Schemas.string(), 'héllo')).toBe('héllo');
    expect(headers.fromConnectHeader(TOPIC, 'h', null, 'é')).toEqual(Buffer.from([0xc3, 0xa9]));
    expect(toText(Schemas.int32(), 42)).toBe('42');
    expect(toText(Schemas.int64(), 9223372036854775807n)).toBe('9223372036854775807');
    expect(toText(Schemas.boolean(), true)).toBe('true');
    expect(toText(Schemas.float64(), 1)).toBe('1.0');
    expect(toText(Schemas.float32(), 12.34)).toBe('12.34');
    expect(toText(null, 2.5)).toBe('2.5');
    expect(toText(Schemas.decimal(2), '1.56')).toBe('1.56');
  });

  it('writes a null value as null bytes', () => {
    expect(headers.fromConnectHeader(TOPIC, 'h', Schemas.string({ optional: true }), null)).toBeNull();
  });

  it('writes bytes as base64', () => {
    expect(toText(Schemas.bytes(), Buffer.from('test-string'))).toBe('dGVzdC1zdHJpbmc=');
  });

  it('writes collections JSON-like: strings quoted and escaped, numbers bare', () => {
    expect(toText(Schemas.array(Schemas.string()), ['a', 'b"c', 'd\\e'])).toBe('["a","b\\"c","d\\\\e"]');
    expect(toText(null, [1, 2.5, true, null])).toBe('[1,2.5,true,null]');
    expect(toText(Schemas.array(Schemas.float64()), [1, 2])).toBe('[1.0,2.0]');
    expect(toText(null, { a: 1, b: 'x' })).toBe('{"a":1,"b":"x"}');
    expect(toText(null, new Map([[1, 'one']]))).toBe('{1:"one"}');
    const schema = Schemas.struct([['id', Schemas.int32()], ['name', Schemas.string()], ['price', Schemas.decimal(2)]]);
    expect(toText(schema, new Struct(schema, { id: 1, name: 'x', price: '9.99' }))).toBe('{"id":1,"name":"x","price":9.99}');
  });

  it('writes dates as ISO-8601 in UTC, choosing the form from the millis as Connect does', () => {
    expect(toText(Schemas.date(), new Date(Date.UTC(2024, 1, 29)))).toBe('2024-02-29');
    expect(toText(Schemas.time(), new Date(Date.UTC(1970, 0, 1, 12, 34, 56, 789)))).toBe('12:34:56.789Z');
    expect(toText(Schemas.timestamp(), new Date(Date.UTC(2024, 1, 29, 1, 2, 3, 4)))).toBe('2024-02-29T01:02:03.004Z');
  });

  it('fails with a HEADER_CONVERTER DataError on values it cannot write', () => {
    let caught: unknown;
    try {
      headers.fromConnectHeader(TOPIC, 'h', null, new Set([1]));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DataError);
    expect((caught as DataError).stage).toBe('HEADER_CONVERTER');
  });
});

describe('SimpleHeaderConverter reading (Values.parseString)', () => {
  it('reads null bytes as a null header', () => {
    expect(headers.toConnectHeader(TOPIC, 'h', null)).toEqual({ schema: null, value: null });
  });

  it('infers booleans, null and strings', () => {
    expect(fromText('true')).toEqual({ schema: Schemas.boolean(), value: true });
    expect(fromText(' false ')).toEqual({ schema: Schemas.boolean(), value: false });
    expect(fromText('null')).toEqual({ schema: null, value: null });
    expect(fromText('')).toEqual({ schema: Schemas.string(), value: '' });
    expect(fromText('   ')).toEqual({ schema: Schemas.string(), value: '   ' });
    expect(fromText('hello, world')).toEqual({ schema: Schemas.string(), value: 'hello, world' });
    expect(fromText('true}')).toEqual({ schema: Schemas.string(), value: 'true}' });
  });

  it('infers the narrowest integer type', () => {
    expect(fromText('42')).toEqual({ schema: Schemas.int8(), value: 42 });
    expect(fromText('-129')).toEqual({ schema: Schemas.int16(), value: -129 });
    expect(fromText('70000')).toEqual({ schema: Schemas.int32(), value: 70000 });
    expect(fromText('5000000000')).toEqual({ schema: Schemas.int64(), value: 5000000000 });
    expect(fromText('9223372036854775807')).toEqual({ schema: Schemas.int64(), value: 9223372036854775807n });
    expect(fromText('1.0')).toEqual({ schema: Schemas.int8(), value: 1 });
  });

  it('infers floats (float32 when it fits, as Connect does) and decimals beyond', () => {
    expect(fromText('1.5')).toEqual({ schema: Schemas.float32(), value: 1.5 });
    expect(fromText('0.1')).toEqual({ schema: Schemas.float32(), value: Math.fround(0.1) });
    expect(fromText('1e39')).toEqual({ schema: Schemas.float64(), value: 1e39 });
    expect(fromText('12345678901234567890')).toEqual({ schema: Schemas.decimal(0), value: '12345678901234567890' });
  });

  it('infers dates, times and timestamps', () => {
    expect(fromText('2024-02-29')).toEqual({ schema: Schemas.date(), value: new Date(Date.UTC(2024, 1, 29)) });
    expect(fromText('12:34:56.789Z')).toEqual({ schema: Schemas.time(), value: new Date(Date.UTC(1970, 0, 1, 12, 34, 56, 789)) });
    expect(fromText('2024-02-29T01:02:03.004Z')).toEqual({ schema: Schemas.timestamp(), value: new Date(Date.UTC(2024, 1, 29, 1, 2, 3, 4)) });
  });

  it('infers arrays and maps with a common element schema', () => {
    expect(fromText('[1, 2, 3]')).toEqual({ schema: Schemas.array(Schemas.int8()), value: [1, 2, 3] });
    expect(fromText('[1, 300, 2.5]')).toEqual({ schema: Schemas.array(Schemas.float32()), value: [1, 300, 2.5] });
    expect(fromText('["a","b\\"c"]')).toEqual({ schema: Schemas.array(Schemas.string()), value: ['a', 'b"c'] });
    expect(fromText('{"a":1,"b":2}')).toEqual({ schema: Schemas.map(Schemas.string(), Schemas.int8()), value: { a: 1, b: 2 } });
    expect(fromText('{1:"one",2:"two"}')).toEqual({ schema: Schemas.map(Schemas.int8(), Schemas.string()), value: new Map([[1, 'one'], [2, 'two']]) });
    expect(fromText('[[1],[2]]').schema).toEqual(Schemas.array(Schemas.array(Schemas.int8())));
  });

  it('falls back to a string when brackets do not hold a well-formed array or map', () => {
    expect(fromText('[not a list]')).toEqual({ schema: Schemas.string(), value: '[not a list]' });
    expect(fromText('{unclosed')).toEqual({ schema: Schemas.string(), value: '{unclosed' });
    expect(fromText('[1,]')).toEqual({ schema: Schemas.string(), value: '[1,]' });
  });

  it('round-trips what it writes', () => {
    const cases: Array<[Schema, unknown]> = [
      [Schemas.string(), 'plain text'], [Schemas.int8(), 7], [Schemas.int32(), 123456], [Schemas.boolean(), false],
      [Schemas.date(), new Date(Date.UTC(2001, 0, 2))], [Schemas.timestamp(), new Date(Date.UTC(2001, 0, 2, 3, 4, 5, 6))],
      [Schemas.array(Schemas.string()), ['x', 'y']], [Schemas.map(Schemas.string(), Schemas.int8()), { k: 1 }],
    ];
    for (const [schema, value] of cases) expect(fromText(toText(schema, value)!)).toEqual({ schema, value });
  });

  it('exposes the same text functions as Values', () => {
    expect(convertToString(null, [1, 'a'])).toBe('[1,"a"]');
    expect(parseString('[1,"a"]')).toEqual({ schema: { type: 'array', optional: false }, value: [1, 'a'] });
  });
});

describe('Values.parseString edge cases', () => {
  it('keeps years below 100 as written', () => {
    expect(parseString('0050-01-02').value).toEqual(new Date('0050-01-02T00:00:00.000Z'));
  });
});
