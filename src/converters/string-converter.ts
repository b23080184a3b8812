import { z } from 'zod';
import { defineConfig, key } from '../config/define.js';
import type { ErrorStage } from '../errors.js';
import { Schemas, type Schema } from '../records/schema.js';
import { parseConverterConfig } from './converter-config.js';
import { converterStage, withStage } from './failures.js';
import type { Converter, HeaderConverter, SchemaAndValue } from './types.js';
import { convertToString } from './values.js';

export const STRING_CONVERTER_CLASS = 'org.apache.kafka.connect.storage.StringConverter';

const OPTIONAL_STRING = Schemas.string({ optional: true });

/** A character set as Java names it, with how to encode and decode it here. */
interface Charset {
  encode(s: string): Buffer;
  decode(b: Buffer): string;
}

const utf16be: Charset = {
  encode: (s) => Buffer.from(s, 'utf16le').swap16(),
  decode: (b) => Buffer.from(b.subarray(0, b.length - (b.length % 2))).swap16().toString('utf16le') + (b.length % 2 ? '\uFFFD' : ''),
};

/** Java replaces what a charset cannot hold with '?' when encoding and U+FFFD when decoding. */
function singleByte(max: number): Charset {
  return {
    encode: (s) => Buffer.from(Array.from(s, (ch) => (ch.codePointAt(0)! <= max ? ch.codePointAt(0)! : 0x3f))),
    decode: (b) => Array.from(b, (byte) => (byte <= max ? String.fromCharCode(byte) : '\uFFFD')).join(''),
  };
}

const CHARSETS: Record<string, Charset> = {
  'utf-8': { encode: (s) => Buffer.from(s, 'utf8'), decode: (b) => b.toString('utf8') },
  'iso-8859-1': singleByte(0xff),
  'us-ascii': singleByte(0x7f),
  'utf-16le': { encode: (s) => Buffer.from(s, 'utf16le'), decode: (b) => b.toString('utf16le') },
  'utf-16be': utf16be,
};
/** Java's aliases for the charsets above (Charset.forName is case-insensitive). */
const CHARSET_ALIASES: Record<string, string> = {
  utf8: 'utf-8', latin1: 'iso-8859-1', iso8859_1: 'iso-8859-1', 'iso-latin-1': 'iso-8859-1', ascii: 'us-ascii',
  utf_16le: 'utf-16le', utf_16be: 'utf-16be', unicodelittleunmarked: 'utf-16le', unicodebigunmarked: 'utf-16be',
};

function charsetFor(name: string): Charset | undefined {
  const lower = name.trim().toLowerCase();
  return CHARSETS[CHARSET_ALIASES[lower] ?? lower];
}

export const stringConverterConfig = defineConfig({
  'converter.encoding': key.custom(
    { type: 'STRING', documentation: 'The name of the Java character set to use for encoding strings as byte arrays.', default: 'UTF-8', importance: 'HIGH', validValues: ['UTF-8', 'ISO-8859-1', 'US-ASCII', 'UTF-16BE', 'UTF-16LE'] },
    z.preprocess(
      (v) => (v === undefined || v === '' ? 'UTF-8' : v),
      z.string().refine((s) => charsetFor(s) !== undefined, 'unsupported character set (supported: UTF-8, ISO-8859-1, US-ASCII, UTF-16BE, UTF-16LE)'),
    ),
  ),
});

/**
 * org.apache.kafka.connect.storage.StringConverter: text in the configured charset
 * (UTF-8 by default). Reads always give an optional string schema. Non-string values
 * are written as their text (Connect calls toString(); we use the Values text form).
 */
export class StringConverter implements Converter, HeaderConverter {
  private charset: Charset = CHARSETS['utf-8']!;
  private stage: ErrorStage = 'VALUE_CONVERTER';

  configure(config: Record<string, string>, isKey?: boolean): void {
    const c = parseConverterConfig(stringConverterConfig, STRING_CONVERTER_CLASS, config);
    this.charset = charsetFor(c['converter.encoding'])!;
    this.stage = isKey === undefined ? 'HEADER_CONVERTER' : converterStage(isKey);
  }

  fromConnectData(_topic: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    return withStage(this.stage, () => this.encode(schema, value));
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    return { schema: OPTIONAL_STRING, value: bytes === null ? null : this.charset.decode(bytes) };
  }

  fromConnectHeader(_topic: string, _key: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    return withStage('HEADER_CONVERTER', () => this.encode(schema, value));
  }

  toConnectHeader(topic: string, _key: string, bytes: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, bytes);
  }

  private encode(schema: Schema | null | undefined, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    return this.charset.encode(typeof value === 'string' ? value : convertToString(schema, value));
  }
}
