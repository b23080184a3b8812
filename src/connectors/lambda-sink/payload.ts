import { JsonConverter } from '../../converters/json-converter.js';
import type { SinkRecord } from '../../records/record.js';
import type { Schema } from '../../records/schema.js';
import { JSON_FORMATTER, type LambdaSinkConfig } from './config.js';

// The invocation payloads of kafka-connect-lambda's two formatters, one JSON object per record
// (a JSON array of them when batching). Field order as Jackson writes those classes.
// PlainPayloadFormatter writes key and value as text: a string as it is, anything else as JSON
// (the Java connector calls toString(), which gives Java's own rendering of a Struct or Map).

type Side = 'key' | 'value';

function jsonText(v: unknown): string {
  return JSON.stringify(v) ?? 'null';
}

function plainText(value: unknown, schema: Schema | null | undefined, converter: JsonConverter, topic: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return converter.fromConnectData(topic, schema, value)?.toString('utf8') ?? '';
}

export interface PayloadWriter {
  /** One record as its JSON object text. */
  record(r: SinkRecord): string;
}

export function payloadWriter(cfg: LambdaSinkConfig): PayloadWriter {
  const bare = new JsonConverter();
  bare.configure({ 'schemas.enable': 'false' }, false);
  const enveloped = new JsonConverter();
  enveloped.configure({ 'schemas.enable': 'true' }, false);
  const json = cfg['payload.formatter.class'] === JSON_FORMATTER;
  const visibility = { key: cfg['payload.formatter.key.schema.visibility'], value: cfg['payload.formatter.value.schema.visibility'] };

  const side = (r: SinkRecord, s: Side): string => {
    const value = s === 'key' ? r.key : r.value;
    const schema = s === 'key' ? r.keySchema : r.valueSchema;
    if (!json) return jsonText(plainText(value, schema, bare, r.topic));
    if (!schema && visibility[s] !== 'all') return bare.fromConnectData(r.topic, null, value)?.toString('utf8') ?? 'null';
    const converter = visibility[s] === 'all' ? enveloped : bare;
    return converter.fromConnectData(r.topic, schema, value)?.toString('utf8') ?? 'null';
  };
  const schemaName = (r: SinkRecord, s: Side) => {
    const schema = s === 'key' ? r.keySchema : r.valueSchema;
    return json && visibility[s] === 'none' ? null : (schema?.name ?? null);
  };
  const schemaVersion = (r: SinkRecord, s: Side) => {
    const schema = s === 'key' ? r.keySchema : r.valueSchema;
    return visibility[s] === 'none' || schema?.version === undefined ? null : String(schema.version);
  };

  return {
    record(r) {
      const parts = [`"key":${side(r, 'key')}`, `"keySchemaName":${jsonText(schemaName(r, 'key'))}`];
      if (json) parts.push(`"keySchemaVersion":${jsonText(schemaVersion(r, 'key'))}`);
      parts.push(`"value":${side(r, 'value')}`, `"valueSchemaName":${jsonText(schemaName(r, 'value'))}`);
      if (json) parts.push(`"valueSchemaVersion":${jsonText(schemaVersion(r, 'value'))}`);
      parts.push(`"topic":${jsonText(r.topic)}`, `"partition":${r.kafkaPartition}`, `"offset":${r.kafkaOffset}`, `"timestamp":${r.timestamp ?? 0}`, `"timestampTypeName":null`);
      return `{${parts.join(',')}}`;
    },
  };
}
