import { gzipSync } from 'node:zlib';
import { DataError } from '../../errors.js';
import { JsonConverter } from '../../converters/json-converter.js';
import { convertToString } from '../../converters/values.js';
import type { SinkRecord } from '../../records/record.js';
import { AvroFileWriter, type AvroCodec } from './avro.js';

// Confluent's storage formats (format.class): how the records of one file become its bytes.
// JsonFormat writes one JSON value per line (JsonConverter without schemas), ByteArrayFormat the
// value's bytes each followed by format.bytearray.separator, AvroFormat an Avro container file.
// With store.kafka.keys / store.kafka.headers the keys and headers go to files beside the value
// file (<name>.keys.<ext>, <name>.headers.<ext>) in keys.format.class / headers.format.class.
// Parquet is not offered: no well-kept pure-JavaScript Parquet writer fits (see the README).

export const FORMATS = ['JsonFormat', 'ByteArrayFormat', 'AvroFormat'] as const;
export type FormatName = (typeof FORMATS)[number];

/** The short name of a format class (any store's package: io.confluent.connect.s3.format.json.JsonFormat, ...gcs..., ...hdfs...). */
export function formatName(className: string): FormatName | undefined {
  const simple = className.slice(className.lastIndexOf('.') + 1).trim();
  return FORMATS.find((f) => f === simple);
}

export type Compression = 'none' | 'gzip';
export type View = 'value' | 'keys' | 'headers';

export interface FormatSettings {
  compression: Compression;
  compressionLevel: number;
  avroCodec: AvroCodec;
  byteArrayExtension: string;
  byteArraySeparator: string;
}

/** The records of one file of one view, turned into bytes at the end. */
export interface FileWriter {
  /** A record's bytes in this file; throws a DataError when the format cannot hold it. Adds nothing. */
  encode(record: SinkRecord): Buffer;
  /** Adds what encode returned. (Two steps, so a record whose key fails is not half written.) */
  append(encoded: Buffer): void;
  /** The whole file. */
  finish(): Uint8Array;
}

const bad = (format: string, message: string) => new DataError(`${format}: ${message}`, 'TASK_PUT');

const jsonNoSchemas = new JsonConverter();
jsonNoSchemas.configure({ 'schemas.enable': 'false' }, false);

/** What a view writes of a record: the value, the key, or the headers (as Confluent's RecordViews). */
function viewOf(r: SinkRecord, view: View) {
  if (view === 'value') return { value: r.value, schema: r.valueSchema };
  if (view === 'keys') return { value: r.key, schema: r.keySchema };
  return { value: r.headers.map((h) => ({ key: h.key, value: h.value === null || h.value === undefined ? null : convertToString(h.schema, h.value) })), schema: undefined };
}

function checkView(format: string, r: SinkRecord, view: View): void {
  if (view === 'keys' && (r.key === null || r.key === undefined)) throw bad(format, `Key cannot be null (store.kafka.keys=true) at offset ${r.kafkaOffset}`);
  if (view === 'headers' && r.headers.length === 0) throw bad(format, `Headers cannot be null or empty (store.kafka.headers=true) at offset ${r.kafkaOffset}`);
}

class LinesWriter implements FileWriter {
  private readonly chunks: Buffer[] = [];
  constructor(readonly encode: (r: SinkRecord) => Buffer, private readonly settings: FormatSettings) {}
  append(encoded: Buffer): void {
    this.chunks.push(encoded);
  }
  finish(): Uint8Array {
    const body = Buffer.concat(this.chunks);
    return this.settings.compression === 'gzip' ? gzipSync(body, { level: this.settings.compressionLevel }) : body;
  }
}

const NL = Buffer.from('\n');

function jsonLine(r: SinkRecord, view: View): Buffer {
  checkView('JsonFormat', r, view);
  if (view === 'value' && r.valueJson !== undefined) return Buffer.from(r.valueJson + '\n');
  if (view === 'headers') {
    // Headers are enveloped in JSON: {"headers":[{"key":…,"value":…}]}.
    return Buffer.from(JSON.stringify({ headers: viewOf(r, view).value }) + '\n');
  }
  const v = viewOf(r, view);
  let out: Buffer | null;
  try {
    out = jsonNoSchemas.fromConnectData(r.topic, v.schema, v.value);
  } catch (e) {
    throw bad('JsonFormat', (e as Error).message);
  }
  return out === null ? Buffer.from('null\n') : Buffer.concat([out, NL]);
}

function bytesLine(r: SinkRecord, view: View, sep: Buffer): Buffer {
  checkView('ByteArrayFormat', r, view);
  const v = viewOf(r, view).value;
  if (view === 'headers') return Buffer.concat([Buffer.from(JSON.stringify(v)), sep]);
  if (v === null || v === undefined) return sep;
  if (!(v instanceof Uint8Array)) throw bad('ByteArrayFormat', `the ${view === 'keys' ? 'key' : 'value'} at offset ${r.kafkaOffset} is not bytes (${typeof v}); use value.converter=org.apache.kafka.connect.converters.ByteArrayConverter`);
  return Buffer.concat([v, sep]);
}

const HEADERS_AVRO = {
  type: 'record',
  name: 'RecordHeaders',
  namespace: 'io.confluent.connect.avro',
  fields: [{ name: 'headers', type: { type: 'array', items: { type: 'record', name: 'Header', fields: [{ name: 'key', type: 'string' }, { name: 'value', type: ['null', 'string'] }] } } }],
};

class AvroWriter implements FileWriter {
  private readonly file: AvroFileWriter;
  constructor(name: string, private readonly view: View, codec: AvroCodec) {
    this.file = new AvroFileWriter(name, codec);
  }
  encode(r: SinkRecord): Buffer {
    checkView('AvroFormat', r, this.view);
    if (this.view === 'headers') return this.file.encodeRaw({ headers: viewOf(r, 'headers').value }, HEADERS_AVRO);
    const v = viewOf(r, this.view);
    return this.file.encode(v.value, v.schema);
  }
  append(encoded: Buffer): void {
    this.file.append(encoded);
  }
  finish(): Uint8Array {
    return this.file.finish();
  }
}

/** The file extension of a format: .json(.gz), .bin(.gz) or format.bytearray.extension, .avro. */
export function extensionOf(format: FormatName, s: FormatSettings): string {
  const gz = s.compression === 'gzip' ? '.gz' : '';
  if (format === 'JsonFormat') return '.json' + gz;
  if (format === 'ByteArrayFormat') return s.byteArrayExtension + gz;
  return '.avro';
}

export function contentTypeOf(format: FormatName): string {
  return format === 'JsonFormat' ? 'application/json' : format === 'AvroFormat' ? 'avro/binary' : 'application/octet-stream';
}

/** A writer for one file of one view; `name` seeds what must be the same when the file is written again. */
export function newFileWriter(format: FormatName, view: View, name: string, s: FormatSettings): FileWriter {
  if (format === 'JsonFormat') return new LinesWriter((r) => jsonLine(r, view), s);
  if (format === 'ByteArrayFormat') {
    const sep = Buffer.from(s.byteArraySeparator);
    return new LinesWriter((r) => bytesLine(r, view, sep), s);
  }
  return new AvroWriter(name, view, s.avroCodec);
}
