import { describe, expect, it } from 'vitest';
import { JsonConverter } from '../../../src/converters/json-converter.js';
import { compileReader, MISS, readWhole, type Cursor } from '../../../src/converters/json-reader.js';
import { Struct, type Schema } from '../../../src/records/schema.js';
import { full, row } from './every-type.js';

// The JsonConverter reads the payload of an envelope whose schema text it saw before with the
// schema's compiled reader (one pass, no JSON tree). Its answers must be the exact path's
// (parseJson + toConnect, which json-converter.test.ts compares with Kafka Connect's), values and
// errors alike, for every payload text: the compact form it reads itself, and anything else.

/** The payload text Connect writes for a value (schemas.enable=false writes just that). */
function payloadOf(value: Struct): string {
  const c = new JsonConverter();
  c.configure({ 'schemas.enable': 'false' }, false);
  return c.fromConnectData('t', row, value)!.toString('utf8');
}

const written = payloadOf(full());
const compact = '{"id":1,"i8":null,"i16":null,"i32":null,"f32":null,"f64":null,"flag":null,"s":null,"withDefault":null,"requiredDefault":null,'
  + '"raw":null,"amount":null,"day":null,"tod":null,"at":null,"list":null,"structs":null,"byName":null,"byInt":null,"nested":{"a":1,"b":null}}';
const withField = (name: string, text: string) => compact.replace(new RegExp(`"${name}":(null|1|\\{"a":1,"b":null\\})`), `"${name}":${text}`);

/** Payload texts: what Connect writes, odd but valid values, other forms, and invalid ones. */
const payloads: Array<[string, string]> = [
  ['every type filled in', written],
  ['nulls everywhere', compact],
  ['every type filled in, with spaces', written.replace(/,/g, ', ')],
  ['fields in another order', compact.replace('"id":1,"i8":null', '"i8":null,"id":1')],
  ['a missing field', compact.replace('"i8":null,', '')],
  ['a missing required field', compact.replace('"id":1,', '')],
  ['an extra field', compact.replace('"id":1,', '"id":1,"extra":[1,{"x":2}],')],
  ['a duplicated field', compact.replace('"id":1,', '"id":1,"id":2,')],
  ['a field name written with an escape', compact.replace('"id":1', '"\\u0069d":1')],
  ['a null required int64', withField('id', 'null')],
  ['an int64 of 16 digits', withField('id', '1234567890123456')],
  ['an int64 beyond 2^53', withField('id', '9007199254740993')],
  ['an int64 beyond int64', withField('id', '9223372036854775808')],
  ['-0', withField('id', '-0')],
  ['a leading zero', withField('id', '01')],
  ['a lone minus', withField('id', '-')],
  ['a fraction for an int64', withField('id', '1.5')],
  ['an exponent for an int64', withField('id', '1e2')],
  ['a string for an int64', withField('id', '"5"')],
  ['int8 limits', withField('i8', '-128').replace('"i16":null', '"i16":32767').replace('"i32":null', '"i32":-2147483648')],
  ['an int8 out of range', withField('i8', '128')],
  ['an int32 out of range', withField('i32', '2147483648')],
  ['a float with exponent', withField('f64', '-1.25E-7')],
  ['a float32 rounded', withField('f32', '0.1')],
  ['a float integer', withField('f64', '3')],
  ['NaN and Infinity as strings', withField('f64', '"NaN"').replace('"f32":null', '"f32":"-Infinity"')],
  ['a float with a bare dot', withField('f64', '1.')],
  ['a float with a bad exponent', withField('f64', '1e+')],
  ['a float beyond double', withField('f64', '1e400')],
  ['false', withField('flag', 'false')],
  ['a number for a boolean', withField('flag', '1')],
  ['a truncated true', withField('flag', 'tru')],
  ['a string with escapes', withField('s', '"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"')],
  ['a string with a lone surrogate escape', withField('s', '"\\ud800x"')],
  ['a string with unicode', withField('s', '"漢字 é 😀"')],
  ['a string with a bad escape', withField('s', '"a\\qb"')],
  ['a string with a short \\u escape', withField('s', '"a\\u12"')],
  ['a string with a raw control character', withField('s', '"a\tb"')],
  ['an unterminated string', compact.slice(0, compact.indexOf('"s":null') + 6) + '"abc'],
  ['a number for a string', withField('s', '5')],
  ['a null that takes the default', withField('withDefault', 'null')],
  ['a required field with a default, null', withField('requiredDefault', 'null')],
  ['bytes', withField('raw', '"AAH+/w=="')],
  ['bytes, not base64', withField('raw', '"%%%"')],
  ['a decimal as base64', withField('amount', '"/w=="')],
  ['a decimal as a number', withField('amount', '12.5')],
  ['a decimal as a boolean', withField('amount', 'true')],
  ['a date', withField('day', '19782')],
  ['a negative date', withField('day', '-1')],
  ['a date beyond int32', withField('day', '2147483648')],
  ['a date as a fraction', withField('day', '1.0')],
  ['a time', withField('tod', '86400000')],
  ['a time out of range', withField('tod', '86400001')],
  ['a negative time', withField('tod', '-1')],
  ['a timestamp of 16 digits', withField('at', '1234567890123456')],
  ['a timestamp beyond a Date', withField('at', '9223372036854775807')],
  ['a negative timestamp', withField('at', '-1000')],
  ['a timestamp as a fraction', withField('at', '1.5')],
  ['an array', withField('list', '[1,null,-3]')],
  ['an empty array', withField('list', '[]')],
  ['an array with a bad item', withField('list', '[1,"x"]')],
  ['an array with spaces', withField('list', '[1, 2]')],
  ['an unterminated array', withField('list', '[1,2')],
  ['an array of structs', withField('structs', '[{"a":1,"b":"x"},null,{"b":"y","a":2}]')],
  ['an object for an array', withField('list', '{}')],
  ['a map', withField('byName', '{"x":1,"y":9007199254740993}')],
  ['a map with int keys', withField('byInt', '[[1,"one"],[2,"two"]]')],
  ['a bad map entry', withField('byInt', '[[1]]')],
  ['a null required-in-schema nested struct (optional)', withField('nested', 'null')],
  ['a nested struct with a required field missing', withField('nested', '{"b":"x"}')],
  ['a nested struct that is an array', withField('nested', '[1]')],
  ['trailing content', `${compact}x`],
  ['trailing space', `${compact} `],
  ['a truncated payload', compact.slice(0, -1)],
  ['an empty payload', ''],
  ['null for the struct', 'null'],
  ['an array for the struct', '[1]'],
];

interface Answer {
  value?: unknown;
  error?: string;
}

function answer(c: JsonConverter, text: string): Answer {
  try {
    return { value: c.toConnectData('t', Buffer.from(text, 'utf8')).value };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

describe.each([
  ['defaults', {}],
  ['replace.null.with.default=false', { 'replace.null.with.default': 'false' }],
])('JsonConverter compiled payload reader (%s)', (_label, config) => {
  const envelopeHead = (() => {
    const c = new JsonConverter();
    c.configure(config, false);
    const text = c.fromConnectData('t', row, full())!.toString('utf8');
    return text.slice(0, text.indexOf(',"payload":') + ',"payload":'.length);
  })();
  const envelope = (payload: string) => `${envelopeHead}${payload}}`;
  // One converter that knows the schema text (its second and later records take the payload
  // readers) and a fresh one per text (the exact path: it has never seen the schema).
  const known = new JsonConverter();
  known.configure(config, false);
  known.toConnectData('t', Buffer.from(envelope(written), 'utf8'));

  it.each(payloads)('reads %s as the exact path does', (_name, payload) => {
    const fresh = new JsonConverter();
    fresh.configure(config, false);
    const exact = answer(fresh, envelope(payload));
    const fast = answer(known, envelope(payload));
    expect(fast).toEqual(exact);
    if (exact.value instanceof Struct) expect((fast.value as Struct).schema).toBe((answer(known, envelope(written)).value as Struct).schema);
  });
});

describe('compileReader', () => {
  const exact = (schema: Schema, node: unknown) => {
    const c = new JsonConverter();
    c.configure({}, false);
    return (c as unknown as { toConnect(s: Schema, n: unknown): unknown }).toConnect(schema, node);
  };
  const read = compileReader(row, { replaceNullWithDefault: true, exact })!;
  const cursor: Cursor = { s: '', i: 0 };

  it('reads the compact text Connect writes; other valid forms as one node; MISS (never a throw) for what the exact path refuses', () => {
    expect(readWhole(read, cursor, written)).toBeInstanceOf(Struct);
    expect(readWhole(read, cursor, compact)).toBeInstanceOf(Struct);
    const spaced = readWhole(read, cursor, written.replace(/,/g, ', '));
    expect(spaced).toEqual(readWhole(read, cursor, written));
    expect(readWhole(read, cursor, compact.replace('"id":1,', '"id":1,"x":2,'))).toEqual(readWhole(read, cursor, compact));
    for (const text of [compact.replace('"id":1,', ''), `${compact} `, compact.slice(0, -1), '', withField('id', 'null'), withField('i32', '2147483648'), withField('s', '"a\\qb"')]) {
      expect(readWhole(read, cursor, text), text).toBe(MISS);
    }
  });

  it('gives a schemaless envelope no reader', () => {
    expect(compileReader(null, { replaceNullWithDefault: true, exact })).toBeNull();
  });
});
