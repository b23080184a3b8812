import { describe, expect, it } from 'vitest';
import { ByteArrayConverter } from '../../../src/converters/byte-array-converter.js';
import { StringConverter } from '../../../src/converters/string-converter.js';
import { ConfigError, DataError } from '../../../src/errors.js';
import { Schemas } from '../../../src/records/schema.js';

const TOPIC = 'topic';

function stringConverter(config: Record<string, string> = {}, isKey = false): StringConverter {
  const c = new StringConverter();
  c.configure(config, isKey);
  return c;
}

function dataError(run: () => unknown): DataError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error('expected a DataError');
}

describe('StringConverter', () => {
  it('writes strings as UTF-8 by default and reads them back with an optional string schema', () => {
    const c = stringConverter();
    const bytes = c.fromConnectData(TOPIC, Schemas.string(), 'héllo €');
    expect(bytes).toEqual(Buffer.from('héllo €', 'utf8'));
    expect(c.toConnectData(TOPIC, bytes)).toEqual({ schema: Schemas.string({ optional: true }), value: 'héllo €' });
  });

  it('treats null as a tombstone both ways', () => {
    const c = stringConverter();
    expect(c.fromConnectData(TOPIC, Schemas.string({ optional: true }), null)).toBeNull();
    expect(c.toConnectData(TOPIC, null)).toEqual({ schema: Schemas.string({ optional: true }), value: null });
  });

  it('writes other values as their text, ignoring the schema type', () => {
    const c = stringConverter();
    expect(c.fromConnectData(TOPIC, Schemas.int32(), 42)?.toString()).toBe('42');
    expect(c.fromConnectData(TOPIC, null, true)?.toString()).toBe('true');
    expect(c.fromConnectData(TOPIC, Schemas.int64(), 12345678901234567890n)?.toString()).toBe('12345678901234567890');
  });

  it('honours converter.encoding', () => {
    const latin1 = stringConverter({ 'converter.encoding': 'ISO-8859-1' });
    expect(latin1.fromConnectData(TOPIC, null, 'é€')).toEqual(Buffer.from([0xe9, 0x3f]));
    expect(latin1.toConnectData(TOPIC, Buffer.from([0x63, 0x61, 0x66, 0xe9])).value).toBe('café');
    const utf16be = stringConverter({ 'converter.encoding': 'UTF-16BE' });
    expect(utf16be.fromConnectData(TOPIC, null, 'Aé')).toEqual(Buffer.from([0x00, 0x41, 0x00, 0xe9]));
    expect(utf16be.toConnectData(TOPIC, Buffer.from([0x00, 0x41, 0x00, 0xe9])).value).toBe('Aé');
    expect(stringConverter({ 'converter.encoding': 'utf8' }).fromConnectData(TOPIC, null, 'é')).toEqual(Buffer.from('é'));
  });

  it('rejects an unknown encoding with ConfigError', () => {
    expect(() => stringConverter({ 'converter.encoding': 'EBCDIC-42' })).toThrow(ConfigError);
  });

  it('works as a header converter', () => {
    const c = new StringConverter();
    c.configure({});
    expect(c.fromConnectHeader(TOPIC, 'h', null, 'v')).toEqual(Buffer.from('v'));
    expect(c.toConnectHeader(TOPIC, 'h', Buffer.from('v'))).toEqual({ schema: Schemas.string({ optional: true }), value: 'v' });
  });
});

describe('ByteArrayConverter', () => {
  const c = new ByteArrayConverter();
  c.configure({}, false);

  it('passes bytes through untouched, both ways', () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    expect(c.fromConnectData(TOPIC, Schemas.bytes(), bytes)).toBe(bytes);
    expect(c.fromConnectData(TOPIC, null, bytes)).toBe(bytes);
    expect(c.toConnectData(TOPIC, bytes)).toEqual({ schema: Schemas.bytes({ optional: true }), value: bytes });
    const view = new Uint8Array([9, 8, 7]).subarray(1);
    expect(c.fromConnectData(TOPIC, null, view)).toEqual(Buffer.from([8, 7]));
  });

  it('treats null as a tombstone both ways', () => {
    expect(c.fromConnectData(TOPIC, Schemas.bytes({ optional: true }), null)).toBeNull();
    expect(c.toConnectData(TOPIC, null)).toEqual({ schema: Schemas.bytes({ optional: true }), value: null });
  });

  it('rejects a schema that is not bytes, and values that are not bytes', () => {
    const e = dataError(() => c.fromConnectData(TOPIC, Schemas.string(), 'x'));
    expect(e.message).toBe('Invalid schema type for ByteArrayConverter: STRING');
    expect(e.stage).toBe('VALUE_CONVERTER');
    expect(dataError(() => c.fromConnectData(TOPIC, null, 'x')).message).toBe('ByteArrayConverter is not compatible with objects of type string');
    const key = new ByteArrayConverter();
    key.configure({}, true);
    expect(dataError(() => key.fromConnectData(TOPIC, Schemas.int32(), 1)).stage).toBe('KEY_CONVERTER');
  });
});
